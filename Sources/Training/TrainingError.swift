/// Errors of the training loop and its settings, with what was expected and how to fix it.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
  /// A setting is out of range.
  case invalidSetting(name: String, value: String, expected: String)
  /// Data and model do not fit together.
  case dataMismatch(String)

  public var description: String {
    switch self {
    case .invalidSetting(let name, let value, let expected):
      "Invalid \(name): got \(value), expected \(expected)."
    case .dataMismatch(let message):
      message
    }
  }
}

/// How a training run ended.
public enum TrainingOutcome: Equatable, Sendable {
  /// All steps done.
  case completed
  /// The loss or the parameters became NaN/±∞ at `step` (a result, not a crash).
  case diverged(step: Int, reason: String)
  /// The observer asked to stop (e.g. Ctrl-C) before `step`.
  case interrupted(step: Int)

  /// Stable slug for config files: `completed`, `diverged`, `interrupted`.
  public var status: String {
    switch self {
    case .completed: "completed"
    case .diverged: "diverged"
    case .interrupted: "interrupted"
    }
  }
}
