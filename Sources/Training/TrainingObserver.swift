import Measurements
import Scalings

/// What happened at one training step (before its update), for progress and `metrics.csv`.
public struct StepRecord: Codable, Equatable, Sendable {
  /// Step index (0-based; step `t` applies the `t`-th update).
  public var step: Int
  /// Batch loss before the update.
  public var loss: Double
  /// Fraction of the batch classified correctly (arg-max), before the update.
  public var accuracy: Double
  /// Seconds since training started.
  public var elapsedSeconds: Double
  /// `s_t`, the learning-rate schedule's factor applied at this step (1 without a schedule).
  public var learningRateFactor: Double = 1

  public init(step: Int, loss: Double, accuracy: Double, elapsedSeconds: Double, learningRateFactor: Double = 1) {
    self.step = step
    self.loss = loss
    self.accuracy = accuracy
    self.elapsedSeconds = elapsedSeconds
    self.learningRateFactor = learningRateFactor
  }
}

/// Loss and accuracy on the test split.
public struct Evaluation: Codable, Equatable, Sendable {
  /// Number of updates applied before the evaluation.
  public var step: Int
  /// Mean loss over the split.
  public var loss: Double
  /// Fraction classified correctly.
  public var accuracy: Double
  /// Samples evaluated.
  public var count: Int
}

/// Receives the events of a training run (written to files and printed by higher layers; the
/// training loop itself never prints). Throwing from a callback aborts the run with that error.
public protocol TrainingObserver {
  /// After every step.
  mutating func didStep(_ record: StepRecord) throws
  /// At every measured step, after its update.
  mutating func didMeasure(_ measurement: StepMeasurement) throws
  /// After every evaluation on the test split.
  mutating func didEvaluate(_ evaluation: Evaluation) throws
  /// At every step under FSC-control (theory §5.3), with the decision applied to that step.
  mutating func didControl(_ decision: ControlDecision) throws
  /// Polled before every step; `true` stops the run with `.interrupted`.
  func shouldStop() -> Bool
}

extension TrainingObserver {
  public mutating func didStep(_ record: StepRecord) throws {}
  public mutating func didMeasure(_ measurement: StepMeasurement) throws {}
  public mutating func didEvaluate(_ evaluation: Evaluation) throws {}
  public mutating func didControl(_ decision: ControlDecision) throws {}
  public func shouldStop() -> Bool { false }
}
