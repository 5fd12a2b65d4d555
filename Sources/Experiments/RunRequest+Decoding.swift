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
      presetDefinition,
      initScale,
      baseWidth,
      zeroReadout,
      learningRate,
      optimizer,
      learningRateSchedule,
      warmupSteps,
      learningRateFinalFraction,
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
      writesTensorBoard,
      weights,
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
    self.init()  // every field at its default, replaced below when the key is present
    name = try c.decodeIfPresent(String.self, forKey: .name) ?? name
    architecture = try c.decodeIfPresent(ArchitectureKind.self, forKey: .architecture) ?? architecture
    width = try c.decodeIfPresent(Int.self, forKey: .width) ?? width
    depth = try c.decodeIfPresent(Int.self, forKey: .depth) ?? depth
    branchScale = try c.decodeIfPresent(BranchScale.self, forKey: .branchScale) ?? branchScale
    branchMatrices = try c.decodeIfPresent(Int.self, forKey: .branchMatrices) ?? branchMatrices
    activation = try c.decodeIfPresent(Activation.self, forKey: .activation) ?? activation
    bias = try c.decodeIfPresent(Bool.self, forKey: .bias) ?? bias
    normalizesFeatures = try c.decodeIfPresent(Bool.self, forKey: .normalizesFeatures) ?? normalizesFeatures
    loss = try c.decodeIfPresent(Loss.self, forKey: .loss) ?? loss
    preset = try c.decodeIfPresent(String.self, forKey: .preset) ?? preset
    presetDefinition = try c.decodeIfPresent(Preset.self, forKey: .presetDefinition) ?? presetDefinition
    initScale = try c.decodeIfPresent(Double.self, forKey: .initScale) ?? initScale
    baseWidth = try c.decodeIfPresent(Int.self, forKey: .baseWidth) ?? baseWidth
    zeroReadout = try c.decodeIfPresent(Bool.self, forKey: .zeroReadout) ?? zeroReadout
    learningRate = try c.decodeIfPresent(Double.self, forKey: .learningRate) ?? learningRate
    optimizer = try c.decodeIfPresent(OptimizerSettings.self, forKey: .optimizer) ?? optimizer
    learningRateSchedule =
      try c.decodeIfPresent(LearningRateScheduleKind.self, forKey: .learningRateSchedule) ?? learningRateSchedule
    warmupSteps = try c.decodeIfPresent(Int.self, forKey: .warmupSteps) ?? warmupSteps
    learningRateFinalFraction =
      try c.decodeIfPresent(Double.self, forKey: .learningRateFinalFraction) ?? learningRateFinalFraction
    data = try c.decodeIfPresent(DataSource.self, forKey: .data) ?? data
    inputDimension = try c.decodeIfPresent(Int.self, forKey: .inputDimension) ?? inputDimension
    outputDimension = try c.decodeIfPresent(Int.self, forKey: .outputDimension) ?? outputDimension
    trainSize = try c.decodeIfPresent(Int.self, forKey: .trainSize) ?? trainSize
    testSize = try c.decodeIfPresent(Int.self, forKey: .testSize)
    batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? batchSize
    steps = try c.decodeIfPresent(Int.self, forKey: .steps) ?? steps
    seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? seed
    dtype = try c.decodeIfPresent(DType.self, forKey: .dtype) ?? dtype
    measureEvery = try c.decodeIfPresent(Int.self, forKey: .measureEvery) ?? measureEvery
    probe = try c.decodeIfPresent(Int.self, forKey: .probe) ?? probe
    measuresActualStep = try c.decodeIfPresent(Bool.self, forKey: .measuresActualStep) ?? measuresActualStep
    measuresSpectra = try c.decodeIfPresent(Bool.self, forKey: .measuresSpectra) ?? measuresSpectra
    evaluateEvery = try c.decodeIfPresent(Int.self, forKey: .evaluateEvery) ?? evaluateEvery
    output = try c.decodeIfPresent(String.self, forKey: .output) ?? output
    overwrite = try c.decodeIfPresent(Bool.self, forKey: .overwrite) ?? overwrite
    saveTensors = try c.decodeIfPresent(Bool.self, forKey: .saveTensors) ?? saveTensors
    writesTensorBoard = try c.decodeIfPresent(Bool.self, forKey: .writesTensorBoard) ?? writesTensorBoard
    weights = try c.decodeIfPresent(String.self, forKey: .weights)
    threads = try c.decodeIfPresent(Int.self, forKey: .threads) ?? threads
    presetFile = try c.decodeIfPresent(String.self, forKey: .presetFile) ?? presetFile
    controlBackwardNorm = try c.decodeIfPresent(Double.self, forKey: .controlBackwardNorm) ?? controlBackwardNorm
    controlDecay = try c.decodeIfPresent(Double.self, forKey: .controlDecay) ?? controlDecay
    controlProfile = try c.decodeIfPresent(ContributionProfile.self, forKey: .controlProfile) ?? controlProfile
    controlFeatureSpeed = try c.decodeIfPresent(Double.self, forKey: .controlFeatureSpeed) ?? controlFeatureSpeed
    controlCap = try c.decodeIfPresent(Double.self, forKey: .controlCap) ?? controlCap
    controlSmoothing = try c.decodeIfPresent(Double.self, forKey: .controlSmoothing) ?? controlSmoothing
    controlFloor = try c.decodeIfPresent(Double.self, forKey: .controlFloor) ?? controlFloor
    controlCalibration = try c.decodeIfPresent(Int.self, forKey: .controlCalibration) ?? controlCalibration
  }
}
