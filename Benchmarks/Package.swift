// swift-tools-version: 6.0
import Foundation
import PackageDescription

// A path dependency is identified by its folder's name, which differs between clones.
let library = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

// The benchmark suite lives in its own package so the library has no benchmark dependency.
let package = Package(
    name: "TapeGradBenchmarks",
    dependencies: [.package(path: "..")],
    targets: [
        // Direct cblas access for the floors (the same system OpenBLAS the library uses).
        .systemLibrary(name: "CBLASFloor", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .executableTarget(
            name: "tapegrad-bench",
            dependencies: [.product(name: "TapeGrad", package: library), "CBLASFloor"]
        ),
        // Needs Open MPI; built only by `make bench-distributed`.
        .executableTarget(
            name: "tapegrad-bench-distributed",
            dependencies: [.product(name: "TapeGrad", package: library), .product(name: "TapeGradDistributed", package: library)]
        ),
    ],
    swiftLanguageModes: [.v6]
)
