import NumericCore
import Networks
import Measurements
import Scalings

/// The training loop (theory §3): seeded batches, forward, loss, backward, the optimizer step at
/// the rates of the learning-rate schedule (`TrainingSettings.schedule`), and at measured steps
/// the per-layer measurements of `FeatureSpeedMeter`, made with the rates applied at that step.
///
/// All buffers are made once (see `StepEngine`); a step allocates no tensor. Divergence (NaN/±∞
/// loss or parameters) ends the run with `.diverged`, which is a result, not an error.
public struct Trainer<Scalar: BLASScalar> {
  /// The network being trained (its parameters change every step).
  public var network: Network<Scalar> { engine.network }
  /// The settings.
  public let settings: TrainingSettings
  /// Number of updates applied so far.
  public private(set) var completedSteps = 0

  private let train: Dataset
  private let test: Dataset?
  private var sampler: BatchSampler
  private var engine: StepEngine<Scalar>
  private var evaluationWorkspace: Workspace<Scalar>?

  /// - Parameters:
  ///   - network: the initialized network.
  ///   - train: training split (must fit the network's input and output dimensions).
  ///   - test: optional test split, evaluated every `settings.evaluateEvery` steps and at the end.
  /// - Throws: `TrainingError` for invalid settings or data that does not fit the network;
  ///   `DataError` from the batch sampler.
  public init(network: Network<Scalar>, train: Dataset, test: Dataset?, settings: TrainingSettings) throws {
    try settings.validate()
    for (name, split) in [("training", train), ("test", test)] {
      guard let split else { continue }
      try split.validate(for: network.spec.loss)
      if split.inputDimension != network.spec.inputDimension || split.targetDimension != network.spec.outputDimension {
        throw TrainingError.dataMismatch(
          "The \(name) data has \(split.inputDimension) inputs and \(split.targetDimension) outputs, but the network "
            + "expects \(network.spec.inputDimension) and \(network.spec.outputDimension). Use --input-dim/--output-dim that match the data.")
      }
    }
    self.train = train
    self.test = test
    self.settings = settings
    sampler = try BatchSampler(count: train.count, batchSize: settings.batchSize, seed: settings.seed)
    engine = try StepEngine(
      network: network, batchSize: settings.batchSize, baseLearningRate: settings.baseLearningRate,
      measurement: settings.measureEvery > 0 ? settings.measurement : nil, optimizer: settings.optimizer,
      control: settings.control)
  }

  /// The inputs and targets of the first training batch (what step 0 sees), without advancing.
  public func firstBatch() -> (inputs: Matrix<Scalar>, targets: BatchTargets<Scalar>) {
    var copy = sampler
    var inputs = Matrix<Scalar>(rows: settings.batchSize, columns: network.spec.inputDimension)
    var targets = BatchTargets<Scalar>(rows: settings.batchSize, outputDimension: network.spec.outputDimension, loss: network.spec.loss)
    train.fillBatch(indices: copy.nextBatch(), inputs: &inputs, targets: &targets, loss: network.spec.loss)
    return (inputs, targets)
  }

  /// Runs the remaining steps, reporting to `observer`.
  /// - Returns: `.completed`, `.diverged(step:reason:)` or `.interrupted(step:)`.
  /// - Throws: only what the observer throws.
  public mutating func run(observer: inout some TrainingObserver) throws -> TrainingOutcome {
    let clock = ContinuousClock()
    let start = clock.now
    func elapsed() -> Double {
      let d = clock.now - start
      return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
    while completedSteps < settings.steps {
      let step = completedSteps
      if observer.shouldStop() { return .interrupted(step: step) }
      train.fillBatch(
        indices: sampler.nextBatch(), inputs: &engine.workspace.input, targets: &engine.workspace.targets,
        loss: network.spec.loss)
      let loss: Double, correct: Int
      let factor = settings.learningRateFactor(step: step)
      switch engine.step(index: step, measure: settings.isMeasured(step: step), learningRateFactor: factor) {
      case .diverged(let reason):
        return .diverged(step: step, reason: reason)
      case .stepped(let stepLoss, let stepCorrect, let measurement, let control):
        loss = stepLoss
        correct = stepCorrect
        if let control { try observer.didControl(control) }
        if let measurement { try observer.didMeasure(measurement) }
      }
      completedSteps += 1
      try observer.didStep(StepRecord(
        step: step, loss: loss, accuracy: Double(correct) / Double(settings.batchSize),
        elapsedSeconds: elapsed(), learningRateFactor: factor))
      let last = completedSteps == settings.steps
      if test != nil, last || (settings.evaluateEvery > 0 && completedSteps % settings.evaluateEvery == 0) {
        let evaluation = evaluate()
        try observer.didEvaluate(evaluation)
        if !evaluation.loss.isFinite {
          return .diverged(step: step, reason: "the test loss is \(evaluation.loss) after step \(step)")
        }
      }
    }
    return .completed
  }

  /// Mean loss and accuracy of the current network on the test split (chunks of the batch size).
  public mutating func evaluate() -> Evaluation {
    guard let test else { return Evaluation(step: completedSteps, loss: .nan, accuracy: .nan, count: 0) }
    let chunk = min(1024, test.count)
    var totalLoss = 0.0
    var correct = 0
    var start = 0
    // Taken out of `self` while in use (exclusive access), put back for the next evaluation.
    var ws = evaluationWorkspace ?? Workspace(spec: network.spec, rows: chunk, backward: false)
    evaluationWorkspace = nil
    while start < test.count {
      let rows = min(chunk, test.count - start)
      if ws.rows != rows { ws = Workspace(spec: network.spec, rows: rows, backward: false) }
      test.fillBatch(range: start..<(start + rows), inputs: &ws.input, targets: &ws.targets, loss: network.spec.loss)
      network.forward(&ws)
      totalLoss += network.computeLoss(&ws, gradient: false) * Double(rows)
      correct += ws.correct
      start += rows
    }
    if ws.rows == chunk { evaluationWorkspace = ws }
    return Evaluation(
      step: completedSteps, loss: totalLoss / Double(test.count), accuracy: Double(correct) / Double(test.count),
      count: test.count)
  }
}
