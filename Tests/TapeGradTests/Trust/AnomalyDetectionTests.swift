import XCTest
@testable import TapeGrad

/// `withAnomalyDetection` throws at the first non-finite value, naming the op, the phase and the shapes.
final class AnomalyDetectionTests: XCTestCase {
    func anomaly(_ body: () throws -> Void) -> TensorError? {
        do { try withAnomalyDetection { try body() } } catch GradError.tensor(let e) { return e } catch let e as TensorError { return e } catch {
            XCTFail("unexpected \(error)")
        }
        return nil
    }

    func testForwardNaNNamesTheOpThePhaseAndTheShapes() throws {
        let f = { (x: Tensor) in try valueWithGradient(at: x) { x in (log(x - 2) * 3).sum() } }
        let e = try XCTUnwrap(anomaly { _ = try f(Tensor([[1, 3]] as [[Double]])) })
        XCTAssertEqual(e.op, "log")
        XCTAssertTrue(e.message.contains("forward pass: NaN"), e.message)
        XCTAssertTrue(e.message.contains("output of shape [1, 2]"), e.message)
        XCTAssertFalse(e.message.contains("already holds"), e.message)
    }

    func testBackwardInfinityNamesThePullback() throws {
        // sqrt(0) = 0 is finite; its derivative 1/(2·sqrt(0)) is not.
        let f = { (x: Tensor) in try valueWithGradient(at: x) { x in (sqrt(x) * 2).sum() } }
        let e = try XCTUnwrap(anomaly { _ = try f(Tensor([0, 4] as [Double])) })
        XCTAssertEqual(e.op, "sqrt")
        XCTAssertTrue(e.message.contains("backward pass: infinity"), e.message)
        XCTAssertTrue(e.message.contains("shape [2]"), e.message)
    }

    func testTheFirstOpToOverflowIsBlamedNotTheOnesItFeeds() throws {
        let f = { (x: Tensor) in try valueWithGradient(at: x) { x in (exp(x * 1000) + 1).sum() } }
        let e = try XCTUnwrap(anomaly { _ = try f(Tensor([1] as [Double])) })
        XCTAssertEqual(e.op, "exp")
        XCTAssertTrue(e.message.contains("forward pass: infinity"), e.message)
    }

    func testANonFiniteArgumentIsSaidToComeFromOutside() throws {
        let f = { (x: Tensor) in try valueWithGradient(at: x) { x in (x * 2).sum() } }
        let e = try XCTUnwrap(anomaly { _ = try f(Tensor([.nan, 1] as [Double])) })
        XCTAssertEqual(e.op, "*")
        XCTAssertTrue(e.message.contains("entered as an argument"), e.message)
    }

    func testOffByDefaultTheSameProgramReturnsTheInfiniteGradient() throws {
        let f = { (x: Tensor) in try valueWithGradient(at: x) { x in (sqrt(x) * 2).sum() } }
        let (_, g) = try f(Tensor([0, 4] as [Double]))
        XCTAssertEqual(g.scalars, [.infinity, 0.5])
    }

    func testFiniteProgramsGiveIdenticalResultsWithDetection() throws {
        let f = { (x: Tensor) in try valueWithGradient(at: x) { x in (tanh(matmul(x, x)) * x).sum() } }
        let x = Tensor([[0.1, -0.2], [0.3, 0.4]] as [[Double]])
        let plain = try f(x)
        let checked = try withAnomalyDetection { try f(x) }
        XCTAssertEqual(plain.0, checked.0)
        XCTAssertEqual(plain.1, checked.1)
    }

    func testDetectionChangesNoGradientOfTwoHundredFuzzedPrograms() throws {
        // Every kind of recorded node (data-stored scale/tanh/sigmoid pullbacks, unary, binary, general, nested
        // tapes) is wrapped by the checker; the gradients must stay bit-identical.
        for seed in 1...200 {
            var generator = FuzzGenerator(seed: UInt64(seed))
            let program = generator.program()
            let f = { try valueWithGradient(at: program.inputs) { program.run($0).sum() } }
            let plain = try f()
            let checked = try withAnomalyDetection { try f() }
            XCTAssertEqual(plain.value, checked.value, "seed \(seed)")
            XCTAssertEqual(plain.gradient, checked.gradient, "seed \(seed)")
        }
    }

    func testSecondOrderPullbacksAreChecked() throws {
        // f(x) = x^1.5: f'(0) = 0 is finite, f''(0) = 0.75 / sqrt(0) is not; the outer backward pass catches it.
        let x = Tensor([0, 1] as [Double])
        let e = try XCTUnwrap(anomaly {
            _ = try valueWithGradient(at: x) { x in (try? gradient(at: x) { pow($0, 1.5).sum() }) ?? Tensor.zeros(like: x) }
        })
        XCTAssertEqual(e.op, "pow")
        XCTAssertTrue(e.message.contains("backward pass: infinity"), e.message)
    }
}
