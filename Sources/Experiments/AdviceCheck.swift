import Foundation
import Training

/// How `featurespeed diagnose` checks its suggested multipliers before recommending them
/// (docs/control.md, "What it recommends, and how it checks it"): for each of `seeds` seeds, two runs of `steps`
/// steps from the same initialization and batches, one at the diagnosed rates and one with the
/// suggested multipliers on top.
public struct AdviceCheckSettings: Codable, Equatable, Sendable {
  /// Paired runs (0: recommend the multipliers unchecked).
  public var seeds: Int
  /// Steps of each run.
  public var steps: Int

  public init(seeds: Int = 3, steps: Int = 100) {
    self.seeds = seeds
    self.steps = steps
  }
}

/// One seed of the check: the loss reached with and without the multipliers.
public struct AdviceTrial: Codable, Equatable, Sendable {
  /// Seed of initialization, data and shuffling (the same for both runs).
  public var seed: UInt64
  /// The measured loss at the diagnosed rates (`+∞` when the run diverged).
  public var unchanged: Double
  /// The measured loss with the suggested multipliers (`+∞` when the run diverged).
  public var adjusted: Double

  public init(seed: UInt64, unchanged: Double, adjusted: Double) {
    self.seed = seed
    self.unchanged = unchanged
    self.adjusted = adjusted
  }

  /// `adjusted/unchanged − 1` (negative: the multipliers lower the loss).
  public var relativeChange: Double { adjusted / unchanged - 1 }
}

/// The outcome of the paired check.
public struct AdviceCheck: Codable, Equatable, Sendable {
  /// What was compared, in words: `test loss after 100 steps` or `training loss, mean of the last 10 of 100 steps`.
  public var metric: String
  /// Steps of each run.
  public var steps: Int
  /// One per seed.
  public var trials: [AdviceTrial]

  public init(metric: String, steps: Int, trials: [AdviceTrial]) {
    self.metric = metric
    self.steps = steps
    self.trials = trials
  }

  /// The multipliers help when they lower the loss in every seed (a paired sign test: with three
  /// seeds, a chance of 1/8 when they make no difference).
  public var helps: Bool { !trials.isEmpty && trials.allSatisfy { $0.adjusted < $0.unchanged } }

  /// The mean of the per-seed relative changes (`+∞` when a run with the multipliers diverged).
  public var meanRelativeChange: Double {
    trials.map(\.relativeChange).reduce(0, +) / Double(max(1, trials.count))
  }

  /// The loss a finished run reached: the last test evaluation if there is one, else the mean
  /// training loss over the last tenth of the steps (at least one).
  static func loss(evaluations: [Evaluation], stepLosses: [Double]) -> Double {
    if let last = evaluations.last { return last.loss }
    let window = max(1, stepLosses.count / 10)
    let tail = stepLosses.suffix(window)
    return tail.isEmpty ? .nan : tail.reduce(0, +) / Double(tail.count)
  }

  /// The metric's description for runs of `steps` steps with or without a test split.
  static func metric(hasTestSplit: Bool, steps: Int) -> String {
    hasTestSplit ? "test loss after \(steps) steps" : "training loss, mean of the last \(max(1, steps / 10)) of \(steps) steps"
  }
}

/// Records what a check run needs (losses, evaluations) and forwards interruption requests.
struct LossRecorder<Base: RunReporter>: RunReporter {
  var base: Base
  var stepLosses = [Double]()
  var evaluations = [Evaluation]()
  var testCount = 0

  mutating func runStarted(_ configuration: RunConfiguration, directory: URL) { testCount = configuration.data.testCount }
  mutating func stepCompleted(_ record: StepRecord, totalSteps: Int) { stepLosses.append(record.loss) }
  mutating func evaluated(_ evaluation: Evaluation) { evaluations.append(evaluation) }
  func shouldStop() -> Bool { base.shouldStop() }
}
