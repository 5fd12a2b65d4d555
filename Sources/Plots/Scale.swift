import Foundation

/// How data values map to positions along an axis.
public enum ScaleKind: String, Sendable, Codable, CaseIterable {
  /// Equal distances for equal differences.
  case linear
  /// Equal distances for equal ratios (base 10); only positive values can be shown.
  case log
}

/// A scale: a kind and a domain, the range of data values that the axis shows.
///
/// `init(kind:fitting:)` pads the data range by 5 % of its span on each side (in decades on a log
/// scale) so that no point sits on the frame. Degenerate ranges get a sensible window: all values
/// equal to `v ≠ 0` give `v ± 10 %` (linear) or half a decade either side (log), `0` gives
/// `[−1, 1]`, no values give `[0, 1]` (linear) or `[1, 10]` (log).
public struct Scale: Sendable, Equatable {
  /// Linear or log.
  public let kind: ScaleKind
  /// The smallest and largest shown value (positive on a log scale).
  public let domain: ClosedRange<Double>

  /// A scale showing exactly `domain`.
  ///
  /// `domain` must be finite, non-empty (`lowerBound < upperBound`), and positive on a log scale.
  public init(kind: ScaleKind, domain: ClosedRange<Double>) {
    precondition(
      domain.lowerBound.isFinite && domain.upperBound.isFinite && domain.lowerBound < domain.upperBound,
      "A scale needs a finite, non-empty domain, got \(domain)")
    precondition(kind == .linear || domain.lowerBound > 0, "A log scale needs a positive domain, got \(domain)")
    self.kind = kind
    self.domain = domain
  }

  /// A scale fitted to `values`, padded by `padding` (a fraction of the span) on each side.
  ///
  /// Non-finite values are ignored, and so are non-positive values on a log scale: deciding what to
  /// do with them (drop and report) is the job of `Aggregation`, which never passes them on.
  public init(kind: ScaleKind, fitting values: some Sequence<Double>, padding: Double = 0.05) {
    let transform: (Double) -> Double = kind == .log ? log10 : { $0 }
    var low = Double.infinity, high = -Double.infinity
    for value in values where value.isFinite && (kind == .linear || value > 0) {
      let t = transform(value)
      low = Swift.min(low, t)
      high = Swift.max(high, t)
    }
    let inverse: (Double) -> Double = kind == .log ? { pow(10, $0) } : { $0 }
    if low > high {  // no values
      self.init(kind: kind, domain: kind == .log ? 1...10 : 0...1)
    } else if low == high {
      switch kind {
      case .log: self.init(kind: kind, domain: inverse(low - 0.5)...inverse(low + 0.5))
      case .linear:
        let halfWidth = low == 0 ? 1 : abs(low) * 0.1
        self.init(kind: kind, domain: (low - halfWidth)...(low + halfWidth))
      }
    } else {
      let pad = (high - low) * padding
      self.init(kind: kind, domain: inverse(low - pad)...inverse(high + pad))
    }
  }

  /// The position of `value` along the axis: 0 at the domain's lower end, 1 at its upper end
  /// (values outside the domain fall outside [0, 1]); `nil` for values the scale cannot show
  /// (non-finite, or non-positive on a log scale).
  public func fraction(_ value: Double) -> Double? {
    guard value.isFinite else { return nil }
    switch kind {
    case .linear:
      return (value - domain.lowerBound) / (domain.upperBound - domain.lowerBound)
    case .log:
      guard value > 0 else { return nil }
      let low = log10(domain.lowerBound)
      return (log10(value) - low) / (log10(domain.upperBound) - low)
    }
  }

  /// The largest of `values` a blow-up-robust axis shows, or `nil` when every value fits.
  ///
  /// In the scale's coordinates (log10 on a log scale; non-finite and, on a log scale,
  /// non-positive values ignored), with `q1` and `q3` the quartiles (nearest rank) and
  /// `spread = max(q3 − q1, m)` — `m` one decade on a log scale, `|q3|/2` (at least 10⁻³⁰⁰) on a
  /// linear one — values above Tukey's far-out fence `q3 + 3·spread` are outliers (e.g. the loss
  /// of a diverging run, up to 10³⁶): the axis is fitted to the rest and the renderer draws the
  /// outliers at its top edge. Needs at least 5 values; returns the largest value that is kept.
  public static func robustUpperLimit(kind: ScaleKind, values: some Sequence<Double>) -> Double? {
    let kept = values.filter { $0.isFinite && (kind == .linear || $0 > 0) }
    guard kept.count >= 5 else { return nil }
    let transform: (Double) -> Double = kind == .log ? log10 : { $0 }
    let sorted = kept.map(transform).sorted()
    let n = sorted.count
    let q1 = sorted[Int((0.25 * Double(n - 1)).rounded(.down))]
    let q3 = sorted[Int((0.75 * Double(n - 1)).rounded(.up))]
    let minimum = kind == .log ? 1 : Swift.max(abs(q3) / 2, 1e-300)
    let limit = q3 + 3 * Swift.max(q3 - q1, minimum)
    guard sorted[n - 1] > limit, let largest = kept.filter({ transform($0) <= limit }).max() else { return nil }
    return largest
  }
}
