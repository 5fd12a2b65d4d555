import NumericCore
import Networks
import Scalings
import Training
import Measurements

/// Everything a user asks of one training run (`featurespeed train` flags, or a sweep cell),
/// before resolution against the data and the presets.
public struct RunRequest: Codable, Equatable, Sendable {
  /// Run name for the `run` column; `nil` derives one from the configuration (see `runName`).
  public var name: String?
  /// MLP or ResNet.
  public var architecture: ArchitectureKind = .mlp
  /// Hidden width.
  public var width: Int = 256
  /// MLP: weight matrices L (≥ 2); ResNet: residual blocks L (≥ 1).
  public var depth: Int = 4
  /// ResNet branch scale; `nil` lets the preset decide (default `1/√L`).
  public var branchScale: BranchScale?
  /// Matrices per ResNet branch (1 or 2).
  public var branchMatrices: Int = 1
  /// Nonlinearity.
  public var activation: Activation = .relu
  /// Whether dense units have biases.
  public var bias: Bool = false
  /// Forward feature normalization `g = α(ν(F_ℓ))` (theory §5.3 item 1, `--normalize-features`):
  /// `true` turns it on; `nil` (the default) is off. Optional so that configs written before
  /// the option decode, and compare equal to a request without it (sweep resumption); set it to
  /// `nil`, not `false`, to turn it off.
  public var normalizesFeatures: Bool?
  /// Training loss.
  public var loss: Loss = .crossEntropy
  /// Parametrization preset slug (theory §5.1).
  public var preset: String = "mup"
  /// A preset given as data instead of by name (its `name` must equal `preset`); `nil` (the
  /// default) takes `preset` from the catalogue. `coordcheck --preset-definition` sets it, e.g.
  /// to check a deliberately broken parametrization.
  public var presetDefinition: Preset?
  /// Global factor on every init standard deviation.
  public var initScale: Double = 1
  /// mup-style base width `B` (`--base-width`): every width-dependent factor of the preset is
  /// taken relative to the same network at width `B`, so the preset equals `sp` at width `B`
  /// (see `BaseShapes`); `nil` uses the preset's absolute laws.
  public var baseWidth: Int?
  /// Zero-initialized readout (`--zero-readout`, mup's `readout_zero_init`): the output layer's
  /// weight and bias start at 0.
  public var zeroReadout = false
  /// Base learning rate `η`.
  public var learningRate: Double = 0.05
  /// The optimizer and its constants (default plain SGD); the preset's learning-rate laws are
  /// those of `optimizer.family`.
  public var optimizer = OptimizerSettings()
  /// Learning-rate schedule after the warmup (`--lr-schedule`).
  public var learningRateSchedule: LearningRateScheduleKind = .constant
  /// Linear warmup steps (`--warmup-steps`, 0: none).
  public var warmupSteps = 0
  /// Final fraction of the decaying schedules (`--lr-final-fraction`; `nil`: 0).
  public var learningRateFinalFraction: Double?
  /// Data source.
  public var data: DataSource = .synthetic(.teacher)
  /// Synthetic input dimension (file data: must match if given).
  public var inputDimension: Int?
  /// Synthetic output dimension / classes (file data: must match if given).
  public var outputDimension: Int?
  /// Synthetic training samples.
  public var trainSize: Int = 4096
  /// Test samples: of synthetic data (`nil`: 1024), or held out of a data file without its own
  /// test split (`nil`: 20 %, at most 10 000; see `ArrayDataLoader`). 0: no test split.
  public var testSize: Int?
  /// Samples per step.
  public var batchSize: Int = 128
  /// Number of updates.
  public var steps: Int = 200
  /// Seed of initialization, data and shuffling.
  public var seed: UInt64 = 0
  /// Float32 or Float64.
  public var dtype: DType = .float32
  /// Measure every K steps (0: never).
  public var measureEvery: Int = 10
  /// Tangent-pass probe rows (`nil`: exact, whole batch).
  public var probe: Int?
  /// Re-forward after measured steps for the actual change.
  public var measuresActualStep = true
  /// Spectral norms at measured steps.
  public var measuresSpectra = true
  /// Evaluate the test split every K steps (0: at the end only).
  public var evaluateEvery: Int = 0
  /// Output directory; `nil` uses `runs/<name>` (made unique).
  public var output: String?
  /// Replace an existing run in `output`.
  public var overwrite = false
  /// Save initial/final weights and the first batch as safetensors.
  public var saveTensors = false
  /// Write a TensorBoard event file (`events.out.tfevents.*`) next to the CSV files.
  public var writesTensorBoard = true
  /// A safetensors file to start from instead of the seeded initialization (`InitialWeights`);
  /// the seed still drives the data order.
  public var weights: String?
  /// BLAS threads (`nil`: all cores).
  public var threads: Int?
  /// A learning-rate file (`featurespeed diagnose`) whose per-layer multipliers apply on top of the preset.
  public var presetFile: String?
  /// FSC-control (theory §5.3) as the `--control-*` flags give it; `controlSettings` combines them.
  /// Backward normalization target of `√N‖b‖` (`nil`: off).
  public var controlBackwardNorm: Double?
  /// Adaptive rates with target decay `ρ·ℒ` per step (`nil`: off).
  public var controlDecay: Double?
  /// Target contribution shares (adaptive rates and `diagnose`).
  public var controlProfile: ContributionProfile = .uniform
  /// Adaptive rates with a target relative feature speed (`nil`: off).
  public var controlFeatureSpeed: Double?
  /// Cap of the control factors.
  public var controlCap: Double = 1e3
  /// EMA weight of the newest factor (1: none).
  public var controlSmoothing: Double = 1
  /// Floor on a layer's squared gradient norm below which it keeps its control factor.
  public var controlFloor: Double = 1e-30
  /// Adapt only during the first K steps (0: throughout).
  public var controlCalibration: Int = 0

  public init() {}

  /// The synthetic test samples when `testSize` is `nil`.
  public static let syntheticTestSize = 1024

  /// The run name: `name` if given, else `<arch>-<preset>-w<width>-d<depth>-<data>-s<seed>`,
  /// with `-<optimizer>` after the preset for optimizers other than SGD and `-nf` after the depth
  /// under forward feature normalization. It depends only on the configuration, so two runs with
  /// one seed write identical CSV files.
  public var runName: String {
    let optimizerPart = optimizer.kind == .sgd ? "" : "-\(optimizer.kind.rawValue)"
    let normalizationPart = normalizesFeatures == true ? "-nf" : ""
    return name ?? "\(architecture.rawValue)-\(preset)\(optimizerPart)-w\(width)-d\(depth)\(normalizationPart)-\(data.slug)-s\(seed)"
  }

  /// The measurement settings implied by the request.
  public var measurementSettings: MeasurementSettings {
    MeasurementSettings(probeRows: probe, measuresActualStep: measuresActualStep, measuresSpectra: measuresSpectra)
  }

  /// The FSC-control settings implied by the `--control-*` options (theory §5.3).
  public var controlSettings: ControlSettings {
    var rates: RateTarget?
    if let rho = controlDecay { rates = .contributions(profile: controlProfile, decayFraction: rho) }
    if let speed = controlFeatureSpeed { rates = .featureSpeed(speed) }
    return ControlSettings(
      backwardTarget: controlBackwardNorm, rates: rates, cap: controlCap, smoothing: controlSmoothing, floor: controlFloor,
      calibrationSteps: controlCalibration)
  }

  /// The learning-rate schedule implied by `--lr-schedule`, `--warmup-steps`, `--lr-final-fraction`.
  public var schedule: LearningRateSchedule {
    LearningRateSchedule(kind: learningRateSchedule, warmupSteps: warmupSteps, finalFraction: learningRateFinalFraction)
  }

  /// The training-loop settings implied by the request.
  public var trainingSettings: TrainingSettings {
    TrainingSettings(
      baseLearningRate: learningRate, batchSize: batchSize, steps: steps, seed: seed, measureEvery: measureEvery,
      measurement: measurementSettings, evaluateEvery: evaluateEvery, optimizer: optimizer, control: controlSettings,
      schedule: schedule)
  }

  /// Checks what can be checked without loading data.
  /// - Throws: `PresetError`, `ArchitectureError`, `TrainingError` or `RunError` naming the
  ///   offending option and how to fix it.
  public func validate() throws {
    if let presetDefinition {
      guard presetDefinition.name == preset else {
        throw RunError.invalidOption(
          flag: "--preset", value: preset, expected: "the name of the preset definition, '\(presetDefinition.name)'")
      }
    } else {
      _ = try Presets.named(preset)
    }
    for (flag, value) in [("--width", width), ("--depth", depth), ("--batch-size", batchSize), ("--steps", steps)]
    where value < 1 {
      throw RunError.invalidOption(flag: flag, value: "\(value)", expected: "a positive integer")
    }
    if let inputDimension, inputDimension < 1 {
      throw RunError.invalidOption(flag: "--input-dim", value: "\(inputDimension)", expected: "a positive integer")
    }
    if let outputDimension, outputDimension < (loss == .crossEntropy ? 2 : 1) {
      throw RunError.invalidOption(
        flag: "--output-dim", value: "\(outputDimension)",
        expected: loss == .crossEntropy ? "at least 2 classes for cross-entropy" : "a positive integer")
    }
    if case .synthetic = data {
      if trainSize < batchSize {
        throw RunError.invalidOption(flag: "--train-size", value: "\(trainSize)", expected: "at least the batch size (\(batchSize))")
      }
    }
    if let testSize, testSize < 0 {
      throw RunError.invalidOption(flag: "--test-size", value: "\(testSize)", expected: "0 or more")
    }
    if let threads, threads < 1 {
      throw RunError.invalidOption(flag: "--threads", value: "\(threads)", expected: "a positive integer")
    }
    if !(initScale.isFinite && initScale > 0) {
      throw RunError.invalidOption(flag: "--init-scale", value: "\(initScale)", expected: "a positive number")
    }
    if let baseWidth, baseWidth < 1 {
      throw RunError.invalidOption(flag: "--base-width", value: "\(baseWidth)", expected: "a positive integer, e.g. --base-width 256")
    }
    if ![1, 2].contains(branchMatrices) {
      throw RunError.invalidOption(flag: "--branch-matrices", value: "\(branchMatrices)", expected: "1 or 2")
    }
    if controlDecay != nil && controlFeatureSpeed != nil {
      throw ControlError.conflictingOptions("--control-decay", "--control-feature-speed")
    }
    try controlSettings.validate()
    if controlFeatureSpeed != nil && measureEvery == 0 {
      throw RunError.invalidOption(
        flag: "--measure-every", value: "0",
        expected: "K > 0 with --control-feature-speed, which reads the measured angles cos θ_ℓ (e.g. --measure-every 10)")
    }
    if case .weights = controlProfile {  // one weight per layer position
      _ = try controlProfile.shares(layerCount: architecture.layerCount(depth: depth))
    }
    try trainingSettings.validate()
  }
}
