// swift-tools-version: 6.0
// FeatureSpeed: measure and steer feature learning in deep networks (see docs/theory.md, README.md).
//
// Module layering, top to bottom (dependencies point one way):
//   (CBLASRuntime) → NumericCore → Networks → Measurements → Scalings → Training → Experiments → Plots → FeatureSpeedCLI
import PackageDescription

/// BLAS/LAPACK: OpenBLAS + LAPACKE through a system-library shim on Linux, Accelerate on macOS.
let blas: [Target.Dependency] = [.target(name: "CBLAS", condition: .when(platforms: [.linux]))]

let package = Package(
  name: "FeatureSpeed",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "featurespeed", targets: ["featurespeed"]),
    // `import FeatureSpeed` re-exports every layer below the CLI.
    .library(name: "FeatureSpeed", targets: ["FeatureSpeed"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
  ],
  targets: [
    .systemLibrary(
      name: "CBLAS", path: "Sources/CBLAS",
      providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]),
    .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
    // CPU features, the OpenBLAS kernel choice (a load-time constructor) and the FMA-peak loop.
    .target(
      name: "CBLASRuntime", path: "Sources/CBLASRuntime",
      linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux])), .linkedLibrary("pthread", .when(platforms: [.linux]))]),
    .target(
      name: "NumericCore",
      dependencies: blas + ["CBLASRuntime", .product(name: "RealModule", package: "swift-numerics")]),
    .target(name: "Networks", dependencies: ["NumericCore"]),
    .target(name: "Measurements", dependencies: ["NumericCore", "Networks"]),
    .target(name: "Scalings", dependencies: ["NumericCore", "Networks", "Measurements"]),
    .target(
      name: "Training",
      dependencies: ["NumericCore", "Networks", "Measurements", "Scalings", "CZlib"]),
    .target(
      name: "Experiments",
      dependencies: ["NumericCore", "Networks", "Measurements", "Scalings", "Training", "Yams"]),
    .target(name: "Plots", dependencies: ["Experiments"]),
    .target(
      name: "FeatureSpeed",
      dependencies: ["NumericCore", "Networks", "Measurements", "Scalings", "Training", "Experiments", "Plots"]),
    .target(
      name: "FeatureSpeedCLI",
      dependencies: [
        "NumericCore", "Networks", "Measurements", "Scalings", "Training", "Experiments", "Plots",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),
    .executableTarget(name: "featurespeed", dependencies: ["FeatureSpeedCLI"]),

    .target(name: "_TestSupport", dependencies: ["NumericCore", "Networks"], path: "Tests/_TestSupport"),
    .testTarget(name: "NumericCoreTests", dependencies: ["NumericCore", "_TestSupport"]),
    .testTarget(name: "NetworksTests", dependencies: ["Networks", "_TestSupport"]),
    .testTarget(name: "MeasurementsTests", dependencies: ["Measurements", "Networks", "_TestSupport"]),
    .testTarget(name: "ScalingsTests", dependencies: ["Scalings", "Networks", "_TestSupport"]),
    .testTarget(name: "TrainingTests", dependencies: ["Training", "_TestSupport"]),
    .testTarget(name: "ExperimentsTests", dependencies: ["Experiments", "Training", "Scalings", "_TestSupport"]),
    .testTarget(name: "PlotsTests", dependencies: ["Plots", "_TestSupport"]),
    .testTarget(name: "FeatureSpeedTests", dependencies: ["FeatureSpeed"]),
    .testTarget(
      name: "FeatureSpeedCLITests",
      dependencies: ["FeatureSpeedCLI", "Experiments", "Scalings", "Training", "_TestSupport"]),
  ]
)
