import Foundation
import Measurements
import Training

/// Receives the progress of a run, to show it (the CLI prints; tests record). Experiments code
/// never prints itself.
public protocol RunReporter {
  /// The run directory is ready and `config.json` written with status `running`.
  mutating func runStarted(_ configuration: RunConfiguration, directory: URL)
  /// After every step.
  mutating func stepCompleted(_ record: StepRecord, totalSteps: Int)
  /// After every measured step (rows already written and flushed).
  mutating func stepMeasured(_ measurement: StepMeasurement)
  /// After every test evaluation.
  mutating func evaluated(_ evaluation: Evaluation)
  /// The run ended (any status) and `config.json` holds the outcome.
  mutating func runEnded(_ configuration: RunConfiguration, directory: URL)
  /// Polled before every step: `true` stops the run cleanly (status `interrupted`).
  func shouldStop() -> Bool
}

extension RunReporter {
  public mutating func runStarted(_ configuration: RunConfiguration, directory: URL) {}
  public mutating func stepCompleted(_ record: StepRecord, totalSteps: Int) {}
  public mutating func stepMeasured(_ measurement: StepMeasurement) {}
  public mutating func evaluated(_ evaluation: Evaluation) {}
  public mutating func runEnded(_ configuration: RunConfiguration, directory: URL) {}
  public func shouldStop() -> Bool { false }
}

/// A reporter that shows nothing (library use, tests).
public struct SilentReporter: RunReporter {
  public init() {}
}
