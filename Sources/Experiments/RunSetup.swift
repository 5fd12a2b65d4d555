import Foundation
import Networks
import Scalings
import Training

/// What a `RunRequest` resolves to before anything runs or is written: the preset, the loaded
/// data and the network spec with every layer's scaling (theory §2, §5.1). Shared by training
/// (`TrainingRun`) and the kernel analysis (`KernelRun`).
public struct RunSetup: Sendable {
  /// The preset named (or given as data) by the request.
  public let preset: Preset
  /// The data, loaded and normalized.
  public let data: LoadedData
  /// The resolved scalings and the network spec.
  public let resolution: PresetResolution
  /// The per-layer multipliers of `--preset-file`, already applied to `resolution.spec`.
  public let learningRateMultipliers: LearningRateMultipliers?

  /// The network spec (architecture, per-unit scalings, loss).
  public var spec: NetworkSpec { resolution.spec }

  /// Validates `request`, loads its data and resolves its preset.
  /// - Throws: `RunError` (invalid options, options contradicting the data), `PresetError`,
  ///   `DataError`, `ArchitectureError`, `ControlError` (a learning-rate file that cannot be read
  ///   or does not fit the network), `RunError.insufficientMemory` (a network that cannot fit in
  ///   memory, checked before anything is allocated).
  public init(_ request: RunRequest) throws {
    try request.validate()
    preset = try request.presetDefinition ?? Presets.named(request.preset)
    data = try request.data.load(options: DataLoadOptions(
      seed: request.seed, task: DataTask(for: request.loss),
      syntheticInputDimension: request.inputDimension ?? 64, syntheticOutputDimension: request.outputDimension ?? 10,
      syntheticTrainCount: request.trainSize, syntheticTestCount: request.testSize ?? RunRequest.syntheticTestSize,
      heldOutCount: request.testSize))
    for (flag, value, actual) in [("--input-dim", request.inputDimension, data.train.inputDimension),
                                  ("--output-dim", request.outputDimension, data.train.targetDimension)] {
      if let value, value != actual {
        throw RunError.optionConflictsWithData(flag: flag, value: value, data: request.data.slug, actual: actual)
      }
    }
    let architecture = try Architecture(
      kind: request.architecture, inputDimension: data.train.inputDimension, width: request.width,
      depth: request.depth, outputDimension: data.train.targetDimension, activation: request.activation,
      hasBias: request.bias, branchScale: 1, branchMatrices: request.branchMatrices,
      normalizesFeatures: request.normalizesFeatures ?? false)
    var resolution = try PresetResolution(
      architecture: architecture, loss: request.loss, preset: preset, optimizer: request.optimizer.family,
      branchScale: request.branchScale, initScale: request.initScale,
      baseShapes: request.baseWidth.map(BaseShapes.init(width:)), zeroReadout: request.zeroReadout)
    if let path = request.presetFile {
      let file = try LearningRateMultipliers.read(from: URL(fileURLWithPath: path))
      try file.apply(to: &resolution.spec, preset: preset.name, path: path)
      learningRateMultipliers = file
    } else {
      learningRateMultipliers = nil
    }
    self.resolution = resolution
    try MemoryEstimate(spec: resolution.spec, dtype: request.dtype, batchSize: request.batchSize)
      .check(available: MemoryEstimate.availableBytes())
  }
}
