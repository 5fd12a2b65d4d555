import Foundation
import NumericCore
import Training
import Networks
import Scalings

/// A benchmark workload (issue 3, BENCHMARKS.md): a ReLU network without biases under the `sp`
/// parametrization (He init, one global learning rate 0.01), softmax cross-entropy, float32, on a
/// fixed batch of Gaussian inputs with uniform labels over 10 classes, trained by plain SGD.
///
/// Names: `mlp-{W}x{D}` is the MLP 784 → W → … → W → 10 with D weight matrices;
/// `resnet-{W}x{L}` is the ResNet with embedding 784 → W, L one-matrix blocks with β = 1/√L and
/// readout W → 10. The standard workload is `mlp-1024x8` with batch 256.
public struct BenchmarkWorkload: Codable, Equatable, Sendable {
  /// The workload name (`mlp-1024x8`).
  public var name: String
  /// MLP or ResNet.
  public var architecture: ArchitectureKind
  /// Hidden width.
  public var width: Int
  /// MLP weight matrices, or ResNet blocks.
  public var depth: Int
  /// Rows of the fixed batch.
  public var batchSize: Int

  /// Input dimension (as MNIST).
  public static let inputDimension = 784
  /// Classes.
  public static let classes = 10
  /// The SGD learning rate of every tensor.
  public static let learningRate = 0.01

  /// Parses `mlp-{W}x{D}` or `resnet-{W}x{L}`.
  /// - Throws: `BenchmarkError.unknownWorkload` naming the accepted forms.
  public init(parsing name: String, batchSize: Int = 256) throws {
    let parts = name.split(separator: "-")
    guard parts.count == 2, let kind = ArchitectureKind(rawValue: String(parts[0])) else {
      throw BenchmarkError.unknownWorkload(name)
    }
    let sizes = parts[1].split(separator: "x").compactMap { Int($0) }
    guard sizes.count == 2, sizes[0] >= 1, sizes[1] >= (kind == .mlp ? 2 : 1), batchSize >= 1 else {
      throw BenchmarkError.unknownWorkload(name)
    }
    self.name = name
    architecture = kind
    width = sizes[0]
    depth = sizes[1]
    self.batchSize = batchSize
  }

  /// The network: `sp` preset, ReLU, no biases, cross-entropy; ResNets with β = 1/√L.
  public func spec() throws -> NetworkSpec {
    let shape = try Architecture(
      kind: architecture, inputDimension: Self.inputDimension, width: width, depth: depth,
      outputDimension: Self.classes, activation: .relu)
    return try PresetResolution(
      architecture: shape, loss: .crossEntropy, preset: Presets.standard, optimizer: .sgd,
      branchScale: architecture == .resnet ? .inverseSqrt : nil
    ).spec
  }

  /// FLOPs of one training step, `6 · B · Σ fanIn·fanOut` (forward 2, backward 4 per weight).
  public func trainFlops(spec: NetworkSpec) -> Double {
    6 * Double(batchSize) * Double(spec.layers.reduce(0) { $0 + $1.units.reduce(0) { $0 + $1.fanIn * $1.fanOut } })
  }

  /// Initial parameters and the fixed batch for `seed`.
  public func materialize(seed: UInt64) throws -> (spec: NetworkSpec, parameters: NetworkParameters<Float>, inputs: Matrix<Float>, labels: [Int32]) {
    let spec = try spec()
    let network = try Network<Float>(spec: spec, seed: seed)
    var generator = SeededGenerator(seed: seed, stream: "bench-batch")
    let inputs = Matrix<Float>.gaussian(rows: batchSize, columns: Self.inputDimension, standardDeviation: 1, using: &generator)
    let labels = (0..<batchSize).map { _ in Int32(generator.nextIndex(below: Self.classes)) }
    return (spec, network.parameters, inputs, labels)
  }

  /// Writes `workload.json`, `weights.safetensors` and `batch.safetensors` into `directory`
  /// (created if needed): the contract every benchmark implementation reads (bench/README in
  /// BENCHMARKS.md).
  public func export(to directory: URL, seed: UInt64) throws {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let (spec, parameters, inputs, labels) = try materialize(seed: seed)
    var weights = SafetensorsFile(metadata: ["workload": name, "format": "featurespeed-bench-weights"])
    weights.add(parameters, layerIndices: spec.layerIndices)
    try weights.write(to: directory.appendingPathComponent("weights.safetensors"))
    var batch = SafetensorsFile(metadata: ["workload": name, "format": "featurespeed-bench-batch"])
    batch.add("inputs", inputs)
    batch.add("targets", labels.map { Int64($0) }, shape: [labels.count])
    try batch.write(to: directory.appendingPathComponent("batch.safetensors"))
    try JSONFile.write(BenchmarkWorkloadFile(workload: self, spec: spec, seed: seed), to: directory.appendingPathComponent("workload.json"))
  }

  /// Reads a directory written by `export`.
  /// - Throws: `JSONFileError`, `SafetensorsError`, `BenchmarkError`.
  public static func load(from directory: URL) throws -> (workload: BenchmarkWorkload, spec: NetworkSpec, parameters: NetworkParameters<Float>, inputs: Matrix<Float>, labels: [Int32]) {
    let file = try JSONFile.read(BenchmarkWorkloadFile.self, from: directory.appendingPathComponent("workload.json"))
    let workload = try BenchmarkWorkload(parsing: file.name, batchSize: file.batchSize)
    let spec = try workload.spec()
    let parameters = try SafetensorsFile.read(from: directory.appendingPathComponent("weights.safetensors"))
      .networkParameters(for: spec, as: Float.self)
    let batch = try SafetensorsFile.read(from: directory.appendingPathComponent("batch.safetensors"))
    let inputs = try batch.matrix(named: "inputs", as: Float.self, shape: [workload.batchSize, inputDimension])
    let labels = try batch.values(named: "targets", as: Int64.self, shape: [workload.batchSize]).map { Int32($0) }
    return (workload, spec, parameters, inputs, labels)
  }
}

/// The `workload.json` contract shared with the Python peers (snake_case keys).
struct BenchmarkWorkloadFile: Codable {
  struct Layer: Codable {
    var name: String
    var fanIn: Int
    var fanOut: Int
    var inputActivation: String
    var multiplier: Double
    var learningRate: Double
    var residualScale: Double?

    enum CodingKeys: String, CodingKey {
      case name, multiplier
      case fanIn = "fan_in", fanOut = "fan_out", inputActivation = "input_activation"
      case learningRate = "learning_rate", residualScale = "residual_scale"
    }

    func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(name, forKey: .name)
      try container.encode(fanIn, forKey: .fanIn)
      try container.encode(fanOut, forKey: .fanOut)
      try container.encode(inputActivation, forKey: .inputActivation)
      try container.encode(multiplier, forKey: .multiplier)
      try container.encode(learningRate, forKey: .learningRate)
      try container.encode(residualScale, forKey: .residualScale)  // explicit null for plain layers
    }
  }

  var name: String
  var architecture: String
  var batchSize: Int
  var inputDim: Int
  var classes: Int
  var learningRate: Double
  var trainFlops: Double
  var parameterCount: Int
  var seed: UInt64
  var layers: [Layer]

  enum CodingKeys: String, CodingKey {
    case name, architecture, classes, seed, layers
    case batchSize = "batch_size", inputDim = "input_dim", learningRate = "learning_rate"
    case trainFlops = "train_flops", parameterCount = "parameter_count"
  }

  init(workload: BenchmarkWorkload, spec: NetworkSpec, seed: UInt64) {
    name = workload.name
    architecture = workload.architecture.rawValue
    batchSize = workload.batchSize
    inputDim = BenchmarkWorkload.inputDimension
    classes = BenchmarkWorkload.classes
    learningRate = BenchmarkWorkload.learningRate
    trainFlops = workload.trainFlops(spec: spec)
    parameterCount = spec.parameterCount
    self.seed = seed
    layers = spec.layers.map { layer in
      let unit = layer.units[0]
      return Layer(
        name: "layer\(layer.index)", fanIn: unit.fanIn, fanOut: unit.fanOut, inputActivation: unit.inputActivation.rawValue,
        multiplier: unit.scaling.weight.forwardMultiplier,
        learningRate: BenchmarkWorkload.learningRate * unit.scaling.weight.learningRateMultiplier,
        residualScale: layer.residualScale)
    }
  }
}

/// Errors of the benchmark commands.
public enum BenchmarkError: Error, Equatable, CustomStringConvertible {
  case unknownWorkload(String)
  case unknownVariant(String)

  public var description: String {
    switch self {
    case .unknownWorkload(let name):
      "Unknown benchmark workload '\(name)'. Expected mlp-{width}x{depth} (depth ≥ 2 weight matrices, e.g. mlp-1024x8) or resnet-{width}x{blocks} (e.g. resnet-1024x6)."
    case .unknownVariant(let name):
      "Unknown benchmark variant '\(name)'. Expected one of: \(BenchmarkVariant.allCases.map(\.rawValue).joined(separator: ", "))."
    }
  }
}
