/// What a user can get wrong when configuring FSC-control, diagnosis or a learning-rate file
/// (theory §5.2–5.3); every message says what was expected, what was found and how to fix it.
public enum ControlError: Error, Equatable, CustomStringConvertible {
  /// A numeric control option is out of range.
  case invalidSetting(flag: String, value: String, expected: String)
  /// `--control-profile` could not be parsed.
  case invalidProfile(String)
  /// An explicit profile does not have one positive weight per layer position.
  case profileMismatch(weights: [Double], layerCount: Int)
  /// Two options that exclude each other were both given.
  case conflictingOptions(String, String)
  /// A learning-rate file could not be read or does not fit the network.
  case multiplierFile(path: String, problem: String, fix: String)

  public var description: String {
    switch self {
    case .invalidSetting(let flag, let value, let expected):
      return "Invalid \(flag) \(value): expected \(expected)."
    case .invalidProfile(let text):
      return "Invalid contribution profile '\(text)': expected uniform or comma-separated positive weights, one per layer (e.g. 1,1,1,2)."
    case .profileMismatch(let weights, let count):
      return "The contribution profile has \(weights.count) weights but the network has \(count) layers: "
        + "give one positive weight per layer (in forward order), or use uniform."
    case .conflictingOptions(let a, let b):
      return "\(a) and \(b) exclude each other: pass only one of them."
    case .multiplierFile(let path, let problem, let fix):
      return "Learning-rate file \(path): \(problem). \(fix)"
    }
  }
}
