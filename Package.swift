// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "TapeGrad",
    // MARK: - Public products
    products: [
        .library(name: "TapeGrad", targets: ["TapeGrad"]),
        .library(name: "TapeGradDistributed", targets: ["TapeGradDistributed"]),
        .executable(name: "seed-examples", targets: ["SeedExamples"]),
        .executable(name: "tapegrad-demo", targets: ["Demo"]),
        .executable(name: "tapegrad-demo-distributed", targets: ["DistributedDemo"]),
        .executable(name: "tapegrad-penalty", targets: ["GradientPenalty"]),
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

        /// Open MPI (Debian: libopenmpi-dev, openmpi-bin), with accessors for the handles that are macros.
        .systemLibrary(
            name: "CMPI",
            pkgConfig: "ompi-c",
            providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]
        ),

        // MARK: - Data-parallel training (its own target, so TapeGrad needs only OpenBLAS)
        .target(
            name: "TapeGradDistributed",
            dependencies: ["TapeGrad", "CMPI"]
        ),

        // MARK: - Examples and the demo
        .executableTarget(name: "SeedExamples", dependencies: ["TapeGrad"], path: "Examples/SeedExamples"),
        .executableTarget(
            name: "Demo",
            dependencies: ["TapeGrad"],
            path: "Examples/Demo",
            resources: [.copy("Resources")]
        ),

        .executableTarget(
            name: "DistributedDemo",
            dependencies: ["TapeGrad", "TapeGradDistributed"],
            path: "Examples/DistributedDemo"
        ),
        .executableTarget(name: "GradientPenalty", dependencies: ["TapeGrad"], path: "Examples/GradientPenalty"),
        .executableTarget(name: "SequenceDemo", dependencies: ["TapeGrad"], path: "Examples/SequenceDemo"),

        // MARK: - Tests
        .testTarget(
            name: "TapeGradTests",
            dependencies: ["TapeGrad", "TapeGradDistributed"],
            resources: [.copy("Fixtures")]
        ),
        /// Run by TapeGradDistributedTests under `mpirun -np 2`: each mode checks one promise and exits 0 or not.
        .executableTarget(
            name: "DistributedSelfTest",
            dependencies: ["TapeGrad", "TapeGradDistributed"],
            path: "Tests/DistributedSelfTest"
        ),
        .testTarget(
            name: "TapeGradDistributedTests",
            dependencies: []
        ),
    ],
    swiftLanguageModes: [.v6]
)
