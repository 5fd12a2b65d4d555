/// Errors of a run's set-up and outcome that are not owned by a lower module.
public enum RunError: Error, Equatable, CustomStringConvertible {
  /// An option is out of range.
  case invalidOption(flag: String, value: String, expected: String)
  /// An option does not fit the data.
  case optionConflictsWithData(flag: String, value: Int, data: String, actual: Int)
  /// Training diverged (the run directory records it).
  case diverged(step: Int, reason: String, directory: String, learningRate: Double)
  /// The user interrupted the run (the run directory records it).
  case interrupted(step: Int, directory: String)
  /// The network cannot fit in memory (`MemoryEstimate`): refused before anything is allocated.
  case insufficientMemory(neededBytes: Double, availableBytes: Double, parameterBytes: Double, activationBytes: Double, dtype: DType)

  public var description: String {
    switch self {
    case .invalidOption(let flag, let value, let expected):
      "Invalid \(flag) \(value): expected \(expected)."
    case .optionConflictsWithData(let flag, let value, let data, let actual):
      "\(flag) \(value) does not match the data: \(data) has \(actual). Drop \(flag) (it applies to synthetic data) or pass \(flag) \(actual)."
    case .diverged(let step, let reason, let directory, let learningRate):
      "Training diverged at step \(step): \(reason). Everything measured before is kept in \(directory) "
        + "(config.json has status \"diverged\" and the step). Lower --learning-rate (now \(learningRate)), "
        + "or use a preset that scales the rates with width and depth (e.g. --preset mup)."
    case .interrupted(let step, let directory):
      "Interrupted before step \(step). Everything up to then is kept in \(directory) (config.json has status \"interrupted\")."
    case .insufficientMemory(let needed, let available, let parameters, let activations, let dtype):
      "This network needs at least \(MemoryEstimate.format(bytes: needed)) of memory (parameters and gradients "
        + "2 × \(MemoryEstimate.format(bytes: parameters)), features and backward signals of a batch 2 × \(MemoryEstimate.format(bytes: activations))), "
        + "but \(MemoryEstimate.format(bytes: available)) are available. Reduce --width (memory grows like width² × depth), "
        + "--depth or --batch-size\(dtype == .float64 ? ", or use --dtype float32 (half the memory)" : "")."
    }
  }

  /// The process exit code for this error: 3 for divergence, 130 for an interruption, 1 otherwise.
  public var exitCode: Int32 {
    switch self {
    case .diverged: 3
    case .interrupted: 130
    default: 1
    }
  }
}
