import Foundation
import XCTest
@testable import TapeGrad

/// PyTorch's BatchNorm1d state: four float32 vectors and the int64 step counter.
private final class TorchBatchNormState: Cell {
    let weight = Parameter(Tensor.zeros([2]))
    let bias = Parameter(Tensor.zeros([2]))
    let running_mean = Parameter(Tensor.zeros([2]), requiresGrad: false)
    let running_var = Parameter(Tensor.zeros([2]), requiresGrad: false)
    let num_batches_tracked = Parameter(Tensor.zeros([], dtype: .int64), requiresGrad: false)
}

/// One `weight` parameter of a chosen shape and dtype.
private final class WeightHolder: Cell {
    let weight: Parameter
    init(_ shape: [Int], _ dtype: DType) { weight = Parameter(Tensor.zeros(shape, dtype: dtype)) }
}

/// Every tensor of Fixtures/pytorch_dtypes.safetensors, under the same names.
private final class TorchDTypesNet: Cell {
    let fc = Dense(inChannels: 3, outChannels: 2)
    let bn = TorchBatchNormState()
    let half: WeightHolder
    let brain = WeightHolder([3], .bfloat16)
    let mask = Parameter(Tensor.zeros([2, 3], dtype: .bool), requiresGrad: false)
    let pixels = Parameter(Tensor.zeros([4], dtype: .uint8), requiresGrad: false)
    let big = Parameter(Tensor.zeros([3], dtype: .int64), requiresGrad: false)
    let index = Parameter(Tensor.zeros([2], dtype: .int32), requiresGrad: false)
    let scale64 = Parameter(Tensor.zeros([], dtype: .float64))
    init(halfDType: DType = .float16) { half = WeightHolder([2, 2], halfDType) }
}

/// Only the Linear + BatchNorm part, plus a head the file does not have.
private final class TorchPartialNet: Cell {
    let fc = Dense(inChannels: 3, outChannels: 2)
    let bn = TorchBatchNormState()
    let head = WeightHolder([2], .float32)
}

/// TapeGrad's own layers under MindSpore's attribute names, plus a float32 `half` (the file's is float16)
/// and the int64 `steps` counter.
private final class MindSporeStyleNet: Cell {
    let fc = Dense(inChannels: 3, outChannels: 2)
    let bn = BatchNorm1d(numFeatures: 2)
    let half = Parameter(Tensor.zeros([2, 2]))
    let steps = Parameter(Tensor.zeros([], dtype: .int64), requiresGrad: false)
}

final class CheckpointDTypeTests: XCTestCase {
    func safetensorsFixture(_ name: String) throws -> URL {
        guard let url = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: "safetensors")
            ?? Bundle.module.url(forResource: name, withExtension: "safetensors", subdirectory: "Fixtures") else {
            throw FixtureError("missing fixture \(name).safetensors")
        }
        return url
    }

    var fixtureURL: URL { get throws { try safetensorsFixture("pytorch_dtypes") } }

    func expectedTensors(_ name: String = "pytorch_dtypes") throws -> [String: Tensor] {
        guard let entries = try loadFixture("\(name).json")["tensors"] as? [String: Any] else {
            throw FixtureError("\(name).json has no tensors")
        }
        return try entries.mapValues { try hexTensor($0) }
    }

    func testReadingAMindSporeCheckpointGivesEveryDTypeBitExactly() throws {
        let tensors = try Checkpoint.read(from: safetensorsFixture("mindspore_dtypes"))
        let expected = try expectedTensors("mindspore_dtypes")
        XCTAssertEqual(Set(tensors.keys), Set(expected.keys))
        for (name, e) in expected {
            guard let t = tensors[name] else { XCTFail("missing \(name)"); continue }
            assertExactlyEqual(t, e, name)
        }
        XCTAssertEqual(Set(tensors.values.map(\.dtype)), Set(DType.allCases))
    }

    func testNonStrictLoadOfAMindSporeCheckpointIntoTapeGradLayers() throws {
        let net = MindSporeStyleNet()
        let report = try Checkpoint.load(into: net, from: safetensorsFixture("mindspore_dtypes"), strict: false)
        let expected = try expectedTensors("mindspore_dtypes")
        assertExactlyEqual(net.fc.weight.value, try XCTUnwrap(expected["fc.weight"]), "fc.weight")
        assertExactlyEqual(net.bn.gamma.value, try XCTUnwrap(expected["bn.gamma"]), "bn.gamma")
        assertExactlyEqual(net.steps.value, try XCTUnwrap(expected["steps"]), "steps")
        XCTAssertEqual(net.half.value, try XCTUnwrap(expected["half"]).astype(.float32))
        XCTAssertEqual(report.convertedKeys, ["half"])
        XCTAssertTrue(Set(report.unexpectedKeys).isSuperset(of: ["big", "brain", "flag", "index", "pixels", "scale64"]), "\(report)")
        XCTAssertEqual(Set(report.missingKeys).intersection(["fc.weight", "fc.bias", "bn.gamma", "bn.beta", "half", "steps"]), [])
    }

    func temporaryURL(_ name: String) -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tapegrad-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name)
    }

    func testReadingAPyTorchFileGivesEveryDTypeBitExactly() throws {
        let tensors = try Checkpoint.read(from: fixtureURL)
        let expected = try expectedTensors()
        XCTAssertEqual(Set(tensors.keys), Set(expected.keys))
        for (name, e) in expected {
            guard let t = tensors[name] else { XCTFail("missing \(name)"); continue }
            assertExactlyEqual(t, e, name)
        }
        XCTAssertEqual(Set(tensors.values.map(\.dtype)), Set(DType.allCases))
        XCTAssertEqual(tensors["bn.num_batches_tracked"]?.asArray(Int64.self), [3])
        XCTAssertEqual(tensors["big"]?.asArray(Int64.self), [4611686018427387905, Int64.min, 9007199254740993])
        XCTAssertEqual(tensors["mask"]?.asArray(Bool.self), [true, false, true, false, false, true])
        XCTAssertEqual(tensors["pixels"]?.asArray(UInt8.self), [0, 1, 128, 255])
        XCTAssertEqual(tensors["half.weight"]?.asArray(Float16.self), [0.0999755859375, -2.5, 65504, 6.097555160522461e-05])
        XCTAssertEqual(tensors["brain.weight"]?.asArray(BFloat16.self).map(\.bitPattern), [0x3DCD, 0x3EAB, 0xFF62])
    }

    func testStrictLoadFillsEveryParameterOfEveryDType() throws {
        let net = TorchDTypesNet()
        try Checkpoint.load(into: net, from: fixtureURL)
        let expected = try expectedTensors()
        for (name, p) in net.parametersAndNames() {
            guard let e = expected[name] else { XCTFail("unexpected parameter \(name)"); continue }
            assertExactlyEqual(p.value, e, name)
        }
        XCTAssertEqual(net.parametersAndNames().count, expected.count)
        let report = try Checkpoint.load(into: TorchDTypesNet(), from: fixtureURL, strict: true)
        XCTAssertEqual(report, CheckpointLoadReport(missingKeys: [], unexpectedKeys: [], convertedKeys: []))
    }

    func testNonStrictLoadReportsMissingAndUnexpectedNames() throws {
        let net = TorchPartialNet()
        XCTAssertThrowsError(try Checkpoint.load(into: net, from: fixtureURL)) { error in
            XCTAssertEqual(error as? CheckpointError, .namesDiffer(
                missing: ["head.weight"],
                unexpected: ["big", "brain.weight", "half.weight", "index", "mask", "pixels", "scale64"]))
        }
        XCTAssertEqual(net.bn.num_batches_tracked.value.asArray(Int64.self), [0])   // the throw changed nothing
        let report = try Checkpoint.load(into: net, from: fixtureURL, strict: false)
        XCTAssertEqual(report.missingKeys, ["head.weight"])
        XCTAssertEqual(report.unexpectedKeys, ["big", "brain.weight", "half.weight", "index", "mask", "pixels", "scale64"])
        XCTAssertEqual(report.convertedKeys, [])
        let expected = try expectedTensors()
        assertExactlyEqual(net.fc.weight.value, try XCTUnwrap(expected["fc.weight"]), "fc.weight")
        assertExactlyEqual(net.bn.num_batches_tracked.value, try XCTUnwrap(expected["bn.num_batches_tracked"]), "counter")
        XCTAssertEqual(net.head.weight.value.asArray(Float.self), [0, 0])   // missing: untouched
    }

    func testAFloat16TensorLoadsIntoAFloat32ParameterByConversion() throws {
        let net = TorchDTypesNet(halfDType: .float32)
        let report = try Checkpoint.load(into: net, from: fixtureURL, strict: false)
        XCTAssertEqual(report.convertedKeys, ["half.weight"])
        XCTAssertEqual(net.half.weight.dtype, .float32)
        XCTAssertEqual(net.half.weight.value.asArray(Float.self), [0.0999755859375, -2.5, 65504, 6.097555160522461e-05])
        try Checkpoint.load(into: TorchDTypesNet(halfDType: .float64), from: fixtureURL)   // strict converts too
    }

    func testAnIntegerTensorIntoAFloatParameterThrowsAndChangesNothing() throws {
        final class CounterAsFloat: Cell { let bn = WeightHolder([], .float32) }
        let url = temporaryURL("counter.safetensors")
        try Checkpoint.save([("bn.weight", Tensor([7] as [Int64], shape: []))], to: url)
        let net = CounterAsFloat()
        XCTAssertThrowsError(try Checkpoint.load(into: net, from: url, strict: false)) { error in
            XCTAssertEqual(error as? CheckpointError, .dtypeMismatch(name: "bn.weight", expected: .float32, found: .int64))
        }
        XCTAssertEqual(net.bn.weight.value.asArray(Float.self), [0])
    }

    func testSavingAndReloadingEveryDTypeIsBitExact() throws {
        let original = try Checkpoint.read(from: fixtureURL)
        // TAPEGRAD_DTYPES_OUT=path writes the file where `Oracle/safetensors_dtypes.py check path` can read it
        // with PyTorch (the other direction of the interop).
        let url = ProcessInfo.processInfo.environment["TAPEGRAD_DTYPES_OUT"].map { URL(fileURLWithPath: $0) }
            ?? temporaryURL("roundtrip.safetensors")
        try Checkpoint.save(original.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, to: url)
        let reread = try Checkpoint.read(from: url)
        XCTAssertEqual(Set(reread.keys), Set(original.keys))
        for (name, t) in original {
            guard let r = reread[name] else { XCTFail("missing \(name)"); continue }
            XCTAssertEqual(r.dtype, t.dtype, name)
            XCTAssertEqual(r.shape, t.shape, name)
            XCTAssertEqual(Data(bytes: r.buffer.raw, count: r.count * r.dtype.byteSize),
                           Data(bytes: t.buffer.raw, count: t.count * t.dtype.byteSize), name)
        }
        // Through a cell as well: load, save the cell, load the saved file into a fresh cell.
        let net = TorchDTypesNet(), copy = TorchDTypesNet()
        try Checkpoint.load(into: net, from: fixtureURL)
        let saved = temporaryURL("net.safetensors")
        try Checkpoint.save(net, to: saved)
        try Checkpoint.load(into: copy, from: saved)
        for ((name, a), (_, b)) in zip(net.parametersAndNames(), copy.parametersAndNames()) { assertExactlyEqual(b.value, a.value, name) }
    }

    func testAnUnsupportedDTypeOnlyFailsANonStrictLoadThatNeedsIt() throws {
        // A file with an int8 tensor "q" (a code TapeGrad does not hold): written as U8, then relabelled I8.
        let url = temporaryURL("int8.safetensors")
        try Checkpoint.save([("weight", Tensor([1.5, 2.5])), ("q", Tensor([1, 2] as [UInt8]))], to: url)
        var bytes = try Data(contentsOf: url)
        let header = try XCTUnwrap(String(data: bytes, encoding: .isoLatin1))
        let range = try XCTUnwrap(header.range(of: "\"U8\""))
        let offset = header.distance(from: header.startIndex, to: range.lowerBound) + 1
        bytes[offset] = UInt8(ascii: "I")
        try bytes.write(to: url)
        XCTAssertThrowsError(try Checkpoint.read(from: url)) { error in
            XCTAssertEqual(error as? CheckpointError, .unsupportedDType(name: "q", dtype: "I8"))
        }
        let holder = WeightHolder([2], .float32)
        let report = try Checkpoint.load(into: holder, from: url, strict: false)
        XCTAssertEqual(report.unexpectedKeys, ["q"])
        XCTAssertEqual(holder.weight.value.asArray(Float.self), [1.5, 2.5])
        XCTAssertThrowsError(try Checkpoint.load(into: holder, from: url, strict: true))
        final class NeedsQ: Cell { let q = Parameter(Tensor.zeros([2], dtype: .uint8)) }
        XCTAssertThrowsError(try Checkpoint.load(into: NeedsQ(), from: url, strict: false)) { error in
            XCTAssertEqual(error as? CheckpointError, .unsupportedDType(name: "q", dtype: "I8"))
        }
    }

    func testSafetensorsCodesCoverEveryDType() {
        XCTAssertEqual(DType.allCases.map(\.safetensorsCode).sorted(), ["BF16", "BOOL", "F16", "F32", "F64", "I32", "I64", "U8"])
        for d in DType.allCases { XCTAssertEqual(DType(safetensorsCode: d.safetensorsCode), d) }
        XCTAssertNil(DType(safetensorsCode: "I16"))
    }
}
