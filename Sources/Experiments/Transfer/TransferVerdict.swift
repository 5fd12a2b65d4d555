/// The verdict on one group of a learning-rate sweep (theory §6.8: "the location of the optimum and
/// its fitted shift exponent"; docs/transfer.md, "The verdict").
///
/// With `p` the drift exponent of `η*(axis) ∝ axis^p` and `[p − h, p + h]` its 95 % interval over
/// seeds, and `τ` the tolerance:
/// - `transfers`: the interval lies within `[−τ, τ]`;
/// - `drifts`: the interval excludes 0 and is not within `[−τ, τ]`: the optimum moves like axis^p;
/// - `inconclusive`: no interval (fewer than 2 seeds, fewer than 2 axis values, or an optimum not
///   bracketed), or an interval that contains 0 but reaches beyond `±τ` (too noisy: more seeds).
public enum TransferVerdict: String, Codable, Sendable {
  /// The best rate does not move along the axis (within the tolerance).
  case transfers
  /// The best rate moves like axis^p.
  case drifts
  /// The data cannot decide.
  case inconclusive

  /// Applies the rule to an exponent and its interval's half-width (nil: no interval).
  /// - Precondition: `tolerance > 0`.
  public static func decide(exponent p: Double, halfWidth h: Double?, tolerance: Double) -> TransferVerdict {
    precondition(tolerance > 0, "decide: tolerance must be positive, got \(tolerance)")
    guard let h, h.isFinite, p.isFinite else { return .inconclusive }
    if p - h >= -tolerance && p + h <= tolerance { return .transfers }
    if p - h > 0 || p + h < 0 { return .drifts }
    return .inconclusive
  }
}
