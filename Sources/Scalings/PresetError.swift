import Networks

/// What a user or a file can get wrong when choosing a parametrization; every message says what
/// was expected, what was found and how to fix it (theory §5.1).
public enum PresetError: Error, Equatable, CustomStringConvertible {
  /// No preset has this name; `known` lists the valid names.
  case unknownPreset(String, known: [String])
  /// The preset is defined only for the architecture families `allowed`.
  case architectureNotSupported(preset: String, allowed: [ArchitectureKind], found: ArchitectureKind)
  /// A branch scale was requested for an MLP, which has no residual branches.
  case branchScaleForMLP(BranchScale)
  /// The preset prescribes `prescribed`, and a different β was requested.
  case conflictingBranchScale(preset: String, prescribed: BranchScale, requested: BranchScale, depth: Int)
  /// The branch-scale text could not be parsed.
  case invalidBranchScale(String)
  /// The global init scale is not a positive finite number.
  case invalidInitScale(Double)
  /// The base width of `--base-width` is not a positive integer.
  case invalidBaseWidth(Int)

  public var description: String {
    switch self {
    case .unknownPreset(let name, let known):
      return "Unknown parametrization '\(name)'. Expected one of: \(known.joined(separator: ", "))."
    case .architectureNotSupported(let preset, let allowed, let found):
      let families = allowed.map(\.pluralName).joined(separator: " and ")
      let flags = allowed.map { "--arch \($0.rawValue)" }.joined(separator: " or ")
      let alternative = found == .mlp ? "pick mup for an MLP" : "pick mup or resnet-sqrt for a ResNet"
      return "Preset \(preset) is for \(families): pass \(flags), or \(alternative)."
    case .branchScaleForMLP(let requested):
      return "A branch scale applies to ResNets only, got --branch-scale \(requested.slug) with --arch mlp. "
        + "Drop --branch-scale, or pass --arch resnet."
    case .conflictingBranchScale(let preset, let prescribed, let requested, let depth):
      return "Preset \(preset) sets the branch scale β = \(prescribed) (\(compactNumber(prescribed.value(depth: depth)))"
        + " at depth \(depth)), but --branch-scale \(requested.slug) asks for β = "
        + "\(compactNumber(requested.value(depth: depth))). Drop --branch-scale, or pick a preset that "
        + "leaves β free (e.g. mup) to set it yourself."
    case .invalidBranchScale(let text):
      return "Invalid branch scale '\(text)'. Expected inv-sqrt (β = 1/√L), inv (β = 1/L), "
        + "m/sqrt with m > 0 (β = m/√L, e.g. 2/sqrt), or a positive number (e.g. 1, 0.5)."
    case .invalidInitScale(let value):
      return "The init scale must be a positive finite number, got \(value). Pass e.g. --init-scale 1."
    case .invalidBaseWidth(let value):
      return "The base width must be a positive integer, got \(value). Pass e.g. --base-width 256 (the width at "
        + "which the preset equals sp), or drop --base-width for the preset's absolute laws."
    }
  }
}

extension ArchitectureKind {
  /// "MLPs" / "ResNets", for messages.
  var pluralName: String {
    switch self {
    case .mlp: "MLPs"
    case .resnet: "ResNets"
    }
  }
}
