import NumericCore
import Networks
import Scalings
import Training

/// Decoding that tolerates missing keys: a `config.json` written before a field existed decodes
/// with that field's default, so sweeps resume and merge runs made by older versions.
extension RunRequest {
  enum CodingKeys: String, CodingKey {
    case name,
      architecture,
      width,
      depth,
      branchScale,
      branchMatrices,
      activation,
      bias,
      normalizesFeatures,
      loss,
      preset,
      initScale,
      learningRate,
      optimizer,
      data,
      inputDimension,
      outputDimension,
      trainSize,
      testSize,
      batchSize,
      steps,
      seed,
      dtype,
      measureEvery,
      probe,
      measuresActualStep,
      measuresSpectra,
      evaluateEvery,
      output,
      overwrite,
      saveTensors,
      threads,
      presetFile,
      controlBackwardNorm,
      controlDecay,
      controlProfile,
      controlFeatureSpeed,
      controlCap,
      controlSmoothing,
      controlFloor,
      controlCalibration
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let defaults = RunRequest()
    self.init()
    name = try c.decodeIfPresent(String.self, forKey: .name) ?? defaults.name
    architecture = try c.decodeIfPresent(ArchitectureKind.self, forKey: .architecture) ?? defaults.architecture
    width = try c.decodeIfPresent(Int.self, forKey: .width) ?? defaults.width
    depth = try c.decodeIfPresent(Int.self, forKey: .depth) ?? defaults.depth
    branchScale = try c.decodeIfPresent(BranchScale.self, forKey: .branchScale) ?? defaults.branchScale
    branchMatrices = try c.decodeIfPresent(Int.self, forKey: .branchMatrices) ?? defaults.branchMatrices
    activation = try c.decodeIfPresent(Activation.self, forKey: .activation) ?? defaults.activation
    bias = try c.decodeIfPresent(Bool.self, forKey: .bias) ?? defaults.bias
    normalizesFeatures = try c.decodeIfPresent(Bool.self, forKey: .normalizesFeatures) ?? defaults.normalizesFeatures
    loss = try c.decodeIfPresent(Loss.self, forKey: .loss) ?? defaults.loss
    preset = try c.decodeIfPresent(String.self, forKey: .preset) ?? defaults.preset
    initScale = try c.decodeIfPresent(Double.self, forKey: .initScale) ?? defaults.initScale
    learningRate = try c.decodeIfPresent(Double.self, forKey: .learningRate) ?? defaults.learningRate
    optimizer = try c.decodeIfPresent(OptimizerSettings.self, forKey: .optimizer) ?? defaults.optimizer
    data = try c.decodeIfPresent(DataSource.self, forKey: .data) ?? defaults.data
    inputDimension = try c.decodeIfPresent(Int.self, forKey: .inputDimension) ?? defaults.inputDimension
    outputDimension = try c.decodeIfPresent(Int.self, forKey: .outputDimension) ?? defaults.outputDimension
    trainSize = try c.decodeIfPresent(Int.self, forKey: .trainSize) ?? defaults.trainSize
    testSize = try c.decodeIfPresent(Int.self, forKey: .testSize) ?? defaults.testSize
    batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? defaults.batchSize
    steps = try c.decodeIfPresent(Int.self, forKey: .steps) ?? defaults.steps
    seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? defaults.seed
    dtype = try c.decodeIfPresent(DType.self, forKey: .dtype) ?? defaults.dtype
    measureEvery = try c.decodeIfPresent(Int.self, forKey: .measureEvery) ?? defaults.measureEvery
    probe = try c.decodeIfPresent(Int.self, forKey: .probe) ?? defaults.probe
    measuresActualStep = try c.decodeIfPresent(Bool.self, forKey: .measuresActualStep) ?? defaults.measuresActualStep
    measuresSpectra = try c.decodeIfPresent(Bool.self, forKey: .measuresSpectra) ?? defaults.measuresSpectra
    evaluateEvery = try c.decodeIfPresent(Int.self, forKey: .evaluateEvery) ?? defaults.evaluateEvery
    output = try c.decodeIfPresent(String.self, forKey: .output) ?? defaults.output
    overwrite = try c.decodeIfPresent(Bool.self, forKey: .overwrite) ?? defaults.overwrite
    saveTensors = try c.decodeIfPresent(Bool.self, forKey: .saveTensors) ?? defaults.saveTensors
    threads = try c.decodeIfPresent(Int.self, forKey: .threads) ?? defaults.threads
    presetFile = try c.decodeIfPresent(String.self, forKey: .presetFile) ?? defaults.presetFile
    controlBackwardNorm = try c.decodeIfPresent(Double.self, forKey: .controlBackwardNorm) ?? defaults.controlBackwardNorm
    controlDecay = try c.decodeIfPresent(Double.self, forKey: .controlDecay) ?? defaults.controlDecay
    controlProfile = try c.decodeIfPresent(ContributionProfile.self, forKey: .controlProfile) ?? defaults.controlProfile
    controlFeatureSpeed = try c.decodeIfPresent(Double.self, forKey: .controlFeatureSpeed) ?? defaults.controlFeatureSpeed
    controlCap = try c.decodeIfPresent(Double.self, forKey: .controlCap) ?? defaults.controlCap
    controlSmoothing = try c.decodeIfPresent(Double.self, forKey: .controlSmoothing) ?? defaults.controlSmoothing
    controlFloor = try c.decodeIfPresent(Double.self, forKey: .controlFloor) ?? defaults.controlFloor
    controlCalibration = try c.decodeIfPresent(Int.self, forKey: .controlCalibration) ?? defaults.controlCalibration
  }
}
