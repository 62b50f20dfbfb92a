import CBLASFloor
import Foundation

/// `--sgemm-probe`: one line, "<OpenBLAS core name> <GFLOP/s>", the median single-threaded sgemm rate at
/// n = 512 over 9 runs (run as a child with a given environment).
func sgemmProbe() {
    let n = 512
    let a = [Float](repeating: 0.5, count: n * n), b = [Float](repeating: 0.25, count: n * n)
    var c = [Float](repeating: 0, count: n * n)
    var times: [Double] = []
    for k in 0..<11 {
        let start = now()
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1, a, Int32(n), b, Int32(n), 0, &c, Int32(n))
        if k >= 2 { times.append(now() - start) }
    }
    let rate = 2 * Double(n * n * n) / Stats(times).median / 1e9
    print("\(String(cString: openblas_get_corename())) \(rate)")
}

/// When OPENBLAS_CORETYPE is set, measures single-threaded sgemm with the environment as is and with
/// OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed (two child processes), and says so when the forced
/// kernel is the slower one: every figure of this run depends on it.
func printCoretypeHint() {
    let environment = ProcessInfo.processInfo.environment
    guard let forced = environment["OPENBLAS_CORETYPE"] else { return }
    func probe(removing: [String]) -> (core: String, gflops: Double)? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = ["--sgemm-probe"]
        var env = environment
        for key in removing { env[key] = nil }
        env["OPENBLAS_NUM_THREADS"] = "1"
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        guard (try? process.run()) != nil else { return nil }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let fields = output.split(whereSeparator: \.isWhitespace)
        guard fields.count == 2, let rate = Double(fields[1]) else { return nil }
        return (String(fields[0]), rate)
    }
    guard let asIs = probe(removing: []), let auto = probe(removing: ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"]) else { return }
    let speedup = auto.gflops / asIs.gflops
    if speedup > 1.2 {
        print(String(format: "hint: OPENBLAS_CORETYPE=%@ forces OpenBLAS's %@ kernel (%.1f GFLOP/s single-threaded sgemm, n = 512); "
                     + "unset, OpenBLAS picks %@ (%.1f GFLOP/s, %.2f× faster). Every figure below uses the forced kernel; "
                     + "for the machine's best: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE make bench",
                     forced, asIs.core, asIs.gflops, auto.core, auto.gflops, speedup))
    } else {
        print(String(format: "OPENBLAS_CORETYPE=%@ (%@ kernel, %.1f GFLOP/s single-threaded sgemm) is not slower than the auto-detected %@ (%.1f GFLOP/s) here",
                     forced, asIs.core, asIs.gflops, auto.core, auto.gflops))
    }
}
