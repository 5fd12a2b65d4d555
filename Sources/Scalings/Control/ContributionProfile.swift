import Foundation

/// The target shares `c_k` of the first-order loss decay per layer (theory §5.2 criterion C,
/// §5.3 item 3): uniform by default, or explicit weights normalized to sum 1.
public enum ContributionProfile: Codable, Equatable, Sendable {
  /// `c_k = 1/L` for every one of the `L` layer positions.
  case uniform
  /// `c_k ∝ weights[k]` in forward order (one positive weight per layer position).
  case weights([Double])

  /// The shares for `layerCount` layer positions, summing to 1.
  /// - Throws: `ControlError.profileMismatch` when explicit weights do not have one positive entry per layer.
  public func shares(layerCount: Int) throws -> [Double] {
    switch self {
    case .uniform:
      return Array(repeating: 1 / Double(layerCount), count: layerCount)
    case .weights(let weights):
      guard weights.count == layerCount, weights.allSatisfy({ $0.isFinite && $0 > 0 }) else {
        throw ControlError.profileMismatch(weights: weights, layerCount: layerCount)
      }
      let total = weights.reduce(0, +)
      return weights.map { $0 / total }
    }
  }

  /// Parses `uniform` or a comma-separated list of positive weights (`1,1,2`).
  /// - Throws: `ControlError.invalidProfile` with the accepted forms.
  public init(parsing text: String) throws {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    if trimmed == "uniform" { self = .uniform; return }
    let parts = trimmed.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
    guard !parts.isEmpty, parts.allSatisfy({ $0 != nil && $0!.isFinite && $0! > 0 }) else {
      throw ControlError.invalidProfile(text)
    }
    self = .weights(parts.map { $0! })
  }

  /// `uniform` or the comma-separated weights, as parsed by `init(parsing:)`.
  public var slug: String {
    switch self {
    case .uniform: "uniform"
    case .weights(let w): w.map { "\($0)" }.joined(separator: ",")
    }
  }
}
