import Foundation

/// The feature-learning desiderata a coordinate check judges by default, as data (one edit
/// changes a rule): for each axis, layer position and quantity, which exponents `p` of
/// `quantity ∝ size^p` are acceptable, within a tolerance band `±band` around 0.
///
/// Width ([SC] Desideratum 1 and Condition 1; [FSF] §2's feature-learning desiderata), every layer:
/// - (a) `feature_rms` — `rms(F_ℓ) = Θ(1)`: `flat` for input and hidden layers; for the output
///   only `notGrowing`, since under μP its initial logits are `Θ(width^−½)` by design (the output
///   rule is ours, see below);
/// - (b) `feature_update_rms` — `rms(δF_ℓ) = Θ(1)`: `flat` (neither lazy nor exploding), for
///   every layer including the output;
/// - (c) `update_spectral_ratio` — `‖δW_ℓ‖_*/√(fanOut/fanIn) = Θ(1)`: `flat` ([SC] Condition 1).
///
/// Output rule **(ours)**: the output's feature after enough steps is its initial value plus the
/// sum of its updates; with (b) holding the updates are `Θ(1)`, so after `Θ(1)` steps the feature
/// is `Θ(1)` however small it started; what must not happen is growth with width. So its size is
/// judged `notGrowing` and its update `flat`.
///
/// Depth ([FSF] §3–§4, theory §3.2 and §4; **reconstructions**: [FSF] states the desiderata in
/// words, the choice of quantity and bound is ours), the last hidden layer (ℓ = L−1 of an MLP,
/// block L of a ResNet):
/// - `feature_rms` — the forward pass must not explode with depth ([FSF] v2 desideratum D1):
///   `notGrowing`;
/// - `bfa_cos` — the backward–feature alignment `cos θ_{L−1}` must not vanish: `notVanishing`;
/// - `feature_speed_per_loss_decay` — `rms(δF_{L−1})/(−δℒ) = Θ(1)`: `flat`.
public enum CoordCheckDesiderata {
  /// What a rule asks of a fitted exponent `p` (band `b ≥ 0`).
  public enum Bound: String, Codable, CaseIterable, Sendable {
    /// `−b ≤ p ≤ b`: `Θ(1)`.
    case flat
    /// `p ≤ b`: does not blow up (may vanish).
    case notGrowing = "not-growing"
    /// `p ≥ −b`: does not vanish (may grow).
    case notVanishing = "not-vanishing"
  }

  /// One rule: on `axis`, at `position`, `quantity`'s exponent must satisfy `bound`.
  public struct Rule: Codable, Equatable, Sendable {
    public var axis: CoordCheck.Axis
    public var position: CoordCheckPredictions.Position
    public var quantity: String
    public var bound: Bound
    /// Whether the rule is our reconstruction rather than stated in [SC]/[FSF].
    public var isReconstruction: Bool
  }

  /// The default tolerance band: exponents within `±0.25` of 0 count as width- (depth-)
  /// independent. Wide enough for μP's finite-width drift at widths 64…512 over a few steps (its
  /// output feature update fits −0.10…−0.16 there, the 1/√width correction of the initial readout),
  /// narrow enough to catch ntk's −½ and sp's +0.4…+1.
  public static let defaultBand = 0.25

  /// Every rule, in the order they are reported.
  public static let rules: [Rule] = {
    var rules = [Rule]()
    for position in [CoordCheckPredictions.Position.input, .hidden, .output] {
      rules.append(Rule(
        axis: .width, position: position, quantity: CheckedQuantity.featureRMS.rawValue,
        bound: position == .output ? .notGrowing : .flat, isReconstruction: position == .output))
      rules.append(Rule(
        axis: .width, position: position, quantity: CheckedQuantity.featureUpdateRMS.rawValue, bound: .flat,
        isReconstruction: false))
      rules.append(Rule(
        axis: .width, position: position, quantity: CheckedQuantity.updateSpectralRatio.rawValue, bound: .flat,
        isReconstruction: false))
    }
    rules.append(Rule(axis: .depth, position: .hidden, quantity: CheckedQuantity.featureRMS.rawValue, bound: .notGrowing, isReconstruction: true))
    rules.append(Rule(axis: .depth, position: .hidden, quantity: CheckedQuantity.bfaCos.rawValue, bound: .notVanishing, isReconstruction: true))
    rules.append(Rule(axis: .depth, position: .hidden, quantity: "feature_speed_per_loss_decay", bound: .flat, isReconstruction: true))
    return rules
  }()

  /// The rule for `quantity` at `position` on `axis`, or nil when that quantity is not judged there.
  public static func rule(axis: CoordCheck.Axis, position: CoordCheckPredictions.Position, quantity: String) -> Rule? {
    rules.first { $0.axis == axis && $0.position == position && $0.quantity == quantity }
  }

  /// How a fitted exponent relates to a rule.
  public enum Judgement: String, Codable, Sendable {
    /// Inside the band on the side(s) the rule bounds.
    case ok
    /// Entirely below `−band` where the rule forbids vanishing.
    case lazy
    /// Entirely above `+band` where the rule forbids growth.
    case unstable
    /// The 95 % interval straddles a band edge the rule uses.
    case inconclusive
    /// No fit (missing cells or non-positive values).
    case noData = "no data"
  }

  /// Judges the 95 % interval `[fit.lower, fit.upper]` against `bound` with band `±band`:
  /// `unstable` if the whole interval lies above `+band` (when growth is bounded), `lazy` if it
  /// lies below `−band` (when vanishing is bounded), `ok` if it lies inside the bounded side(s),
  /// else `inconclusive`.
  public static func judge(_ fit: SlopeFit?, bound: Bound, band: Double) -> Judgement {
    guard let fit, fit.lower.isFinite, fit.upper.isFinite else { return .noData }
    let boundsAbove = bound != .notVanishing, boundsBelow = bound != .notGrowing
    if boundsAbove && fit.lower > band { return .unstable }
    if boundsBelow && fit.upper < -band { return .lazy }
    if boundsAbove && fit.upper > band { return .inconclusive }
    if boundsBelow && fit.lower < -band { return .inconclusive }
    return .ok
  }
}

/// The verdict of one layer on one axis under the desiderata: the worst judgement among its
/// judged quantities (`unstable` before `lazy` before `inconclusive`), in words naming every
/// offending quantity (blowing up, then vanishing) with its exponent and 95 % interval.
public struct CoordCheckLayerVerdict: Codable, Equatable, Sendable {
  /// The verdict, as a CSV/JSON slug.
  public enum Kind: String, Codable, Sendable {
    /// Every judged quantity is within the band.
    case learns
    /// Some quantity vanishes with size (below `−band`).
    case lazy
    /// Some quantity blows up with size (above `+band`).
    case unstable
    /// Some interval straddles a band edge, none is clearly out.
    case inconclusive
    /// No judged quantity could be fitted, or the layer has no rule on this axis.
    case notJudged = "not judged"
  }

  public var axis: CoordCheck.Axis
  public var layer: String
  public var position: CoordCheckPredictions.Position
  public var kind: Kind
  /// The quantities that decided the verdict (the offending ones, or every judged one for `learns`).
  public var quantities: [String]
  /// The verdict in words, e.g. `lazy: feature_update_rms vanishes like width^-0.50 [-0.58, -0.42]`.
  public var text: String

  /// Whether the verdict makes the check fail (`lazy`, `unstable` or `inconclusive`).
  public var isFailure: Bool { kind == .lazy || kind == .unstable || kind == .inconclusive }

  /// The verdicts of every layer in `results` (in their order), from the results' judgements.
  public static func verdicts(_ results: [CoordCheckResult]) -> [CoordCheckLayerVerdict] {
    var order = [String](), groups = [String: [CoordCheckResult]]()
    for r in results {
      let key = "\(r.axis.rawValue)/\(r.layer)"
      if groups[key] == nil { order.append(key) }
      groups[key, default: []].append(r)
    }
    return order.map { verdict(groups[$0]!) }
  }

  /// The verdict of one layer from its results (same axis and layer).
  static func verdict(_ results: [CoordCheckResult]) -> CoordCheckLayerVerdict {
    let first = results[0]
    let judged = results.filter { $0.judgement != nil && $0.judgement != .noData }
    func describe(_ r: CoordCheckResult, _ verb: String) -> String {
      guard let f = r.fit else { return r.quantity }
      return "\(r.quantity) \(verb) like \(r.axis.rawValue)^\(format(f.slope)) [\(format(f.lower)), \(format(f.upper))]"
    }
    let unstable = judged.filter { $0.judgement == .unstable }
    let lazy = judged.filter { $0.judgement == .lazy }
    let inconclusive = judged.filter { $0.judgement == .inconclusive }
    let kind: Kind, deciding: [CoordCheckResult], text: String
    if !unstable.isEmpty || !lazy.isEmpty {
      // Every offending quantity is named, the worst kind first.
      kind = unstable.isEmpty ? .lazy : .unstable
      deciding = unstable + lazy
      text = [
        unstable.isEmpty ? nil : "unstable: " + unstable.map { describe($0, "blows up") }.joined(separator: "; "),
        lazy.isEmpty ? nil : "lazy: " + lazy.map { describe($0, "vanishes") }.joined(separator: "; "),
      ].compactMap { $0 }.joined(separator: "; ")
    } else if !inconclusive.isEmpty {
      (kind, deciding) = (.inconclusive, inconclusive)
      text = "inconclusive: " + inconclusive.map { describe($0, "scales") }.joined(separator: "; ")
    } else if !judged.isEmpty {
      (kind, deciding) = (.learns, judged)
      text = "learns"
    } else {
      (kind, deciding, text) = (.notJudged, [], "not judged")
    }
    return CoordCheckLayerVerdict(
      axis: first.axis, layer: first.layer, position: first.position, kind: kind, quantities: deciding.map(\.quantity), text: text)
  }

  private static func format(_ x: Double) -> String { String(format: "%+.2f", x) }
}
