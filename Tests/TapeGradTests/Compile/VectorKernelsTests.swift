import XCTest
@testable import TapeGrad

/// The jit's own vector kernels (the merged tanh(x·c + d) step, relu and its backward); eˣ, ln, tanh and σ are
/// VectorMath's, measured in Tests/TapeGradTests/Kernels/VectorMathTests.swift.
final class VectorKernelsTests: XCTestCase {
    let xs: [Float] = [-3, -0.5, 0, -0.0, 1e-4, 0.7, 2, .nan, 9, 30, 0.3, -1e-30, 5]

    func run<T>(_ kernel: (UnsafePointer<T>, UnsafeMutablePointer<T>, Int) -> Void, _ xs: [T]) -> [T] {
        Array(unsafeUninitializedCapacity: xs.count) { out, count in
            xs.withUnsafeBufferPointer { kernel($0.baseAddress!, out.baseAddress!, xs.count) }
            count = xs.count
        }
    }

    func testMergedTanhAffineGivesTheBitsOfTheTwoEagerOpsAndTanh() {
        let merged = run({ Float.vtanhAffine($0, 1.01, 0.1, $1, $2) }, xs)
        let separate = run(Float.vtanh, xs.map { $0 * 1.01 + 0.1 })
        XCTAssertEqual(merged.map(\.bitPattern), separate.map(\.bitPattern))
        let ds = xs.map { Double($0) }
        let mergedDouble = run({ Double.vtanhAffine($0, 1.01, 0.1, $1, $2) }, ds)
        XCTAssertEqual(mergedDouble.map(\.bitPattern), run(Double.vtanh, ds.map { $0 * 1.01 + 0.1 }).map(\.bitPattern))
    }

    func testReluAndItsBackwardSelectLikeTheEagerKernel() {
        XCTAssertEqual(run(Float.vrelu, xs).map(\.bitPattern), xs.map { ($0 > 0 ? $0 : 0).bitPattern })
        let g = xs.indices.map { Float($0) + 1 }
        var out = [Float](repeating: -1, count: xs.count)
        Float.vpassWherePositive(g, xs, &out, xs.count)
        XCTAssertEqual(out, zip(g, xs).map { $1 > 0 ? $0 : 0 })
        let ds = xs.map { Double($0) }
        XCTAssertEqual(run(Double.vrelu, ds), ds.map { $0 > 0 ? $0 : 0 })
    }
}
