import Measurements
import Scalings

/// How to train: the step loop's settings (everything except the model and the data).
public struct TrainingSettings: Codable, Equatable, Sendable {
  /// The global learning rate `η`; each tensor uses `η × learningRateMultiplier`.
  public var baseLearningRate: Double
  /// Samples per step.
  public var batchSize: Int
  /// Number of parameter updates.
  public var steps: Int
  /// Seed of the batch shuffling (and of the initialization, decided by the caller).
  public var seed: UInt64
  /// Measure every `measureEvery` steps (steps 0, K, 2K, …); 0 turns measurements off.
  public var measureEvery: Int
  /// What to measure at measured steps.
  public var measurement: MeasurementSettings
  /// Evaluate on the test split every `evaluateEvery` steps (and always after the last step);
  /// 0 evaluates only at the end.
  public var evaluateEvery: Int
  /// The optimizer (default plain SGD).
  public var optimizer: OptimizerSettings
  /// FSC-control of the per-layer learning rates (theory §5.3); inactive by default.
  public var control: ControlSettings
  /// The learning-rate schedule `s_t`, a global factor on every tensor's (controlled) rate;
  /// constant (`s_t = 1`) by default.
  public var schedule: LearningRateSchedule

  public init(
    baseLearningRate: Double, batchSize: Int, steps: Int, seed: UInt64, measureEvery: Int = 10,
    measurement: MeasurementSettings = MeasurementSettings(), evaluateEvery: Int = 0,
    optimizer: OptimizerSettings = OptimizerSettings(), control: ControlSettings = ControlSettings(),
    schedule: LearningRateSchedule = LearningRateSchedule()
  ) {
    self.baseLearningRate = baseLearningRate
    self.batchSize = batchSize
    self.steps = steps
    self.seed = seed
    self.measureEvery = measureEvery
    self.measurement = measurement
    self.evaluateEvery = evaluateEvery
    self.optimizer = optimizer
    self.control = control
    self.schedule = schedule
  }

  enum CodingKeys: String, CodingKey {
    case baseLearningRate, batchSize, steps, seed, measureEvery, measurement, evaluateEvery, optimizer, control, schedule
  }

  /// Decodes a settings object; `optimizer`, `control` and `schedule` may be missing (files
  /// written before they existed) and then take their defaults.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      baseLearningRate: try c.decode(Double.self, forKey: .baseLearningRate), batchSize: try c.decode(Int.self, forKey: .batchSize),
      steps: try c.decode(Int.self, forKey: .steps), seed: try c.decode(UInt64.self, forKey: .seed),
      measureEvery: try c.decode(Int.self, forKey: .measureEvery),
      measurement: try c.decode(MeasurementSettings.self, forKey: .measurement),
      evaluateEvery: try c.decode(Int.self, forKey: .evaluateEvery),
      optimizer: try c.decodeIfPresent(OptimizerSettings.self, forKey: .optimizer) ?? OptimizerSettings(),
      control: try c.decodeIfPresent(ControlSettings.self, forKey: .control) ?? ControlSettings(),
      schedule: try c.decodeIfPresent(LearningRateSchedule.self, forKey: .schedule) ?? LearningRateSchedule())
  }

  /// Checks every setting.
  /// - Throws: `TrainingError.invalidSetting` naming the setting, the value and the fix.
  public func validate() throws {
    func require(_ condition: Bool, _ name: String, _ value: String, _ expectation: String) throws {
      if !condition { throw TrainingError.invalidSetting(name: name, value: value, expected: expectation) }
    }
    try require(baseLearningRate.isFinite && baseLearningRate > 0, "learning rate", "\(baseLearningRate)", "a positive number, e.g. --learning-rate 0.1")
    try require(batchSize >= 1, "batch size", "\(batchSize)", "a positive integer, e.g. --batch-size 128")
    try require(steps >= 1, "steps", "\(steps)", "a positive integer, e.g. --steps 500")
    try require(measureEvery >= 0, "measure-every", "\(measureEvery)", "0 (off) or a positive number of steps")
    try require(evaluateEvery >= 0, "evaluate-every", "\(evaluateEvery)", "0 (only at the end) or a positive number of steps")
    try control.validate()
    if let probe = measurement.probeRows {
      try require(probe >= 1 && probe <= batchSize, "probe", "\(probe)", "between 1 and the batch size (\(batchSize)); omit --probe for exact measurements on the whole batch")
    }
    try optimizer.validate()
    try schedule.validate(steps: steps)
  }

  /// `s_t` of the schedule at step `step` (see `LearningRateSchedule`).
  public func learningRateFactor(step: Int) -> Double { schedule.factor(step: step, steps: steps) }

  /// Whether step `step` is measured.
  public func isMeasured(step: Int) -> Bool { measureEvery > 0 && step % measureEvery == 0 }
}
