// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "TapeGrad",
    // MARK: - Public products
    products: [
        .library(name: "TapeGrad", targets: ["TapeGrad"]),
        .executable(name: "seed-examples", targets: ["SeedExamples"]),
        .executable(name: "tapegrad-demo", targets: ["Demo"]),
        .executable(name: "tapegrad-seq-demo", targets: ["SequenceDemo"]),
    ],
    targets: [
        // MARK: - Implementation details
        /// The system's OpenBLAS (Debian: libopenblas-dev), reached through a module map over cblas.h.
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),

        // MARK: - The library
        .target(
            name: "TapeGrad",
            dependencies: ["COpenBLAS"]
        ),

        // MARK: - Examples and the demo
        .executableTarget(name: "SeedExamples", dependencies: ["TapeGrad"], path: "Examples/SeedExamples"),
        .executableTarget(
            name: "Demo",
            dependencies: ["TapeGrad"],
            path: "Examples/Demo",
            resources: [.copy("Resources")]
        ),

        .executableTarget(name: "SequenceDemo", dependencies: ["TapeGrad"], path: "Examples/SequenceDemo"),

        // MARK: - Tests
        .testTarget(
            name: "TapeGradTests",
            dependencies: ["TapeGrad"],
            resources: [.copy("Fixtures")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
