import Foundation
import NumericCore
import Networks
import Measurements
import Scalings
import Training

/// A kernel analysis (theory §4, `featurespeed kernel`): the model, data and preset of a training
/// run, the weights (at initialization from the seed, or saved ones), one batch, and which layers.
public struct KernelRequest: Codable, Equatable, Sendable {
  /// Model, data, preset, learning rate, batch size, seed, dtype, threads and output, as for training.
  public var run: RunRequest
  /// A `.safetensors` file of weights (e.g. a run's `weights-final.safetensors`) instead of the
  /// seeded initialization.
  public var weights: String?
  /// Layer indices to analyze (as everywhere: MLP 1…L; ResNet 0…L+1); nil for all.
  public var layers: [Int]?
  /// Lanczos, Hutchinson and Jacobian settings.
  public var settings: KernelSettings

  public init(run: RunRequest, weights: String? = nil, layers: [Int]? = nil, settings: KernelSettings = KernelSettings()) {
    self.run = run
    self.weights = weights
    self.layers = layers
    self.settings = settings
  }
}

/// The outcome of a kernel analysis, as written to `kernel.json`.
public struct KernelResult: Codable, Equatable, Sendable {
  public var request: KernelRequest
  /// Where the weights came from: `init (seed S)` or the file.
  public var weightsSource: String
  /// The per-tensor scaling table (init std, multiplier, learning rate of each layer).
  public var table: [ScalingTableRow]
  /// One report per analyzed layer, in forward order.
  public var layers: [LayerKernelReport]
  /// BLAS threads and wall time.
  public var threads: Int
  public var seconds: Double
}

/// Errors of a kernel request that are not errors of the training options.
public enum KernelError: Error, Equatable, CustomStringConvertible {
  /// A requested layer index does not exist in the network.
  case noSuchLayer(requested: Int, available: [Int])
  /// A flag contradicts the `config.json` of the run the `--weights` come from.
  case contradictsRunConfiguration(flag: String, given: String, saved: String, configPath: String)
  /// The `config.json` beside the `--weights` file does not decode.
  case unreadableRunConfiguration(path: String, reason: String)

  public var description: String {
    switch self {
    case .noSuchLayer(let requested, let available):
      "--layers: the network has no layer \(requested); its layers are \(available.map(String.init).joined(separator: ", ")) "
        + "(MLP 1…L; ResNet 0 embedding, 1…L blocks, L+1 readout). Pick from those, or omit --layers for all."
    case .contradictsRunConfiguration(let flag, let given, let saved, let configPath):
      "\(flag) \(given) contradicts the run the weights come from: \(configPath) has \(saved). With --weights from a "
        + "run directory the model, data and batch come from its config.json; drop \(flag), or copy the weights file "
        + "out of the run directory to analyze it with other flags."
    case .unreadableRunConfiguration(let path, let reason):
      "\(path) (the run the --weights come from) cannot be read: \(reason). Repair or remove it, or copy the "
        + "weights file elsewhere and give every model and data flag."
    }
  }
}

/// Runs kernel analyses and writes their files.
public enum KernelRun {
  /// Sets up the model and data as training would, takes the first training batch, and analyzes
  /// the kernel of every requested layer.
  /// - Parameter layerDone: called after each layer (progress).
  /// - Throws: the set-up errors of training (`RunError`, `PresetError`, `DataError`, …),
  ///   `KernelError`, `SafetensorsError` for unusable weights, `NumericError`.
  public static func execute(_ request: KernelRequest, layerDone: (LayerKernelReport) -> Void = { _ in }) throws -> KernelResult {
    let setup = try RunSetup(request.run)
    let spec = setup.spec
    let indices = spec.layerIndices
    let positions = try (request.layers ?? indices).map { index in
      guard let position = indices.firstIndex(of: index) else { throw KernelError.noSuchLayer(requested: index, available: indices) }
      return position
    }
    let threads = request.run.threads ?? ProcessInfo.processInfo.activeProcessorCount
    BLASThreads.set(threads)
    let start = ContinuousClock.now
    let reports: [LayerKernelReport]
    switch request.run.dtype {
    case .float32: reports = try analyze(Float.self, request, setup: setup, positions: positions, layerDone: layerDone)
    case .float64: reports = try analyze(Double.self, request, setup: setup, positions: positions, layerDone: layerDone)
    }
    let elapsed = ContinuousClock.now - start
    return KernelResult(
      request: request, weightsSource: request.weights ?? "init (seed \(request.run.seed))",
      table: setup.resolution.table(baseLearningRate: request.run.learningRate), layers: reports, threads: threads,
      seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
  }

  private static func analyze<Scalar: BLASScalar>(
    _: Scalar.Type, _ request: KernelRequest, setup: RunSetup, positions: [Int], layerDone: (LayerKernelReport) -> Void
  ) throws -> [LayerKernelReport] {
    let spec = setup.spec
    var network = try Network<Scalar>(spec: spec, seed: request.run.seed)
    if let weights = request.weights {
      network.parameters = try InitialWeights.read(from: weights, spec: spec, as: Scalar.self).parameters
    }
    let trainer = try Trainer(network: network, train: setup.data.train, test: nil, settings: request.run.trainingSettings)
    let batch = trainer.firstBatch()
    var workspace = Workspace<Scalar>(spec: spec, rows: batch.inputs.rows, backward: true, tangents: false)
    workspace.input = batch.inputs
    workspace.targets = batch.targets
    return try KernelAnalysis.analyze(
      network: network, learningRates: LearningRates(spec: spec, baseLearningRate: request.run.learningRate),
      batch: &workspace, positions: positions, settings: request.settings, layerDone: layerDone)
  }

  /// The columns of `kernel.csv`, one row per layer.
  public static let columns = [
    "layer", "dimension", "lambda_min", "lambda_max", "kappa", "m1", "m1_se", "m2", "m2_se", "kantorovich_bound",
    "estimate", "bfa_cos", "lanczos_products", "lanczos_converged", "lambda_min_residual", "lambda_max_residual",
    "lambda_min_lower", "kantorovich_bound_certified",
    "jacobian_from", "jacobian_s_min", "jacobian_s_max", "isometry_bound", "jacobian_method", "lambda_min_certified",
  ]

  /// One `kernel.csv` row.
  public static func row(_ r: LayerKernelReport) -> [CSVField] {
    [.integer(r.layer), .integer(r.dimension), .double(r.lambdaMin), .double(r.lambdaMax), .double(r.conditionNumber),
     .double(r.m1), .double(r.m1StandardError), .double(r.m2), .double(r.m2StandardError), CSVField(r.kantorovichBound),
     CSVField(r.estimate), .double(r.bfaCos), .integer(r.lanczosProducts), CSVField(r.lanczosConverged),
     .double(r.lambdaMinResidual), .double(r.lambdaMaxResidual), .double(r.lambdaMinLowerBound),
     CSVField(r.certifiedKantorovichBound), CSVField(r.jacobianFrom), CSVField(r.jacobianMinSingularValue),
     CSVField(r.jacobianMaxSingularValue), CSVField(r.isometryBound), CSVField(r.jacobianMethod), CSVField(r.lambdaMinCertified)]
  }

  /// Writes `kernel.csv` and `kernel.json` into `directory` (created if needed), each atomically.
  /// - Returns: the two file URLs.
  @discardableResult
  public static func write(_ result: KernelResult, to directory: URL) throws -> [URL] {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let csv = directory.appendingPathComponent("kernel.csv"), json = directory.appendingPathComponent("kernel.json")
    var table = TidyTable(columns: columns)
    table.rows = result.layers.map(row)
    try table.write(to: csv)
    try JSONFile.write(result, to: json)
    return [csv, json]
  }
}
