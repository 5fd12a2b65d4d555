/// What FSC-control does at every step (theory §5.3, a reconstruction consistent with [FSF]).
/// Each part is switched on separately; everything off is plain training.
///
/// Forward normalization (item 1) is a property of the network (`Architecture.normalizesFeatures`),
/// not of the controller. The controller decides one learning-rate *factor* per layer position,
/// multiplying the rates the preset (and an optional preset file) gave every tensor of the layer.
public struct ControlSettings: Codable, Equatable, Sendable {
  /// Backward normalization (item 2): the target of `√N_ℓ‖b_ℓ‖`, or `nil` for off. Rescaling
  /// the backward signal by scalars is exactly GD with rates `η_k·P_k`, where
  /// `P_k = target/(√N_k‖b_k‖)`; the controller applies it as such rate factors.
  public var backwardTarget: Double?
  /// Adaptive per-layer learning rates (item 3), or `nil` for off.
  public var rates: RateTarget?
  /// Cap on a layer's factor: the adapted rate never exceeds `cap ×` the preset's rate.
  public var cap: Double
  /// Weight of the newest value in the exponential moving average of the factors (1: no smoothing).
  public var smoothing: Double
  /// Floor on `‖∇_{θ_k}ℒ‖²` (theory §5.3): a layer whose gradient is at or below it — or whose
  /// contribution at the preset rates is not positive — keeps its previous factor instead of
  /// dividing by a vanishing (or negative) number.
  public var floor: Double
  /// Adapt during the first `calibrationSteps` steps only and then keep the factors (calibration
  /// at init); 0 adapts throughout training.
  public var calibrationSteps: Int

  public init(
    backwardTarget: Double? = nil, rates: RateTarget? = nil, cap: Double = 1e3, smoothing: Double = 1,
    floor: Double = 1e-30, calibrationSteps: Int = 0
  ) {
    self.backwardTarget = backwardTarget
    self.rates = rates
    self.cap = cap
    self.smoothing = smoothing
    self.floor = floor
    self.calibrationSteps = calibrationSteps
  }

  /// Whether anything is switched on.
  public var isActive: Bool { backwardTarget != nil || rates != nil }

  /// What is switched on, in words, for the run header (`nil` when off), e.g.
  /// `FSC-control: per-layer rates for a feature speed rms(δF)/rms(F) of 0.05 per step, calibrated on the first 10
  /// steps, then kept, cap ×1000 (decisions in control.csv)`.
  public var summary: String? {
    guard isActive else { return nil }
    func g(_ x: Double) -> String { String(format: "%g", x) }
    var parts = [String]()
    switch rates {
    case .featureSpeed(let speed)?: parts.append("per-layer rates for a feature speed rms(δF)/rms(F) of \(g(speed)) per step")
    case .contributions(let profile, let rho)?:
      parts.append("per-layer rates for a first-order loss decay of \(g(rho))·ℒ per step, shared \(profile == .uniform ? "uniformly" : "by the given profile")")
    case nil: break
    }
    if let target = backwardTarget { parts.append("backward normalization √N‖b‖ = \(g(target))") }
    parts.append(calibrationSteps > 0 ? "calibrated on the first \(calibrationSteps) steps, then kept" : "adapted at every step")
    parts.append("cap ×\(g(cap))")
    if smoothing < 1 { parts.append("smoothing \(g(smoothing))") }
    return "FSC-control: " + parts.joined(separator: ", ") + " (decisions in control.csv)"
  }

  /// Checks every setting.
  /// - Throws: `ControlError.invalidSetting` naming the flag, the value and the fix.
  public func validate() throws {
    func require(_ ok: Bool, _ flag: String, _ value: Double, _ expected: String) throws {
      if !ok { throw ControlError.invalidSetting(flag: flag, value: "\(value)", expected: expected) }
    }
    if let t = backwardTarget { try require(t.isFinite && t > 0, "--control-backward-norm", t, "a positive number, e.g. 1") }
    try require(cap.isFinite && cap >= 1, "--control-cap", cap, "a number ≥ 1, e.g. 1000")
    try require(smoothing > 0 && smoothing <= 1, "--control-smoothing", smoothing, "a weight in (0, 1], 1 for no smoothing")
    try require(floor.isFinite && floor >= 0, "--control-floor", floor, "a number ≥ 0, e.g. 1e-30")
    try require(calibrationSteps >= 0, "--control-calibration", Double(calibrationSteps), "0 (adapt throughout) or a number of steps")
    switch rates {
    case .contributions(_, let rho)?:
      try require(rho.isFinite && rho > 0 && rho < 1, "--control-decay", rho, "a fraction of the loss in (0, 1), e.g. 0.05")
    case .featureSpeed(let s)?:
      try require(s.isFinite && s > 0, "--control-feature-speed", s, "a positive relative speed, e.g. 0.05")
    case nil:
      break
    }
  }
}

/// What the adaptive learning rates aim at (theory §5.3 item 3).
public enum RateTarget: Codable, Equatable, Sendable {
  /// Contributions `C_k = c_k·Δ_t` with `Δ_t = ρ·ℒ_t`: every layer position `k` gets the share
  /// `c_k` of the profile of a first-order loss decay `ρ` times the current batch loss.
  case contributions(profile: ContributionProfile, decayFraction: Double)
  /// Feature speeds: `rms(δF_ℓ)/rms(F_ℓ) = speed` at every layer position, through the feature
  /// speed formula `Σ_{k≤ℓ} C_k = rms(δF_ℓ)·√N_ℓ‖b_ℓ‖·cos θ_ℓ` with the last measured `cos θ_ℓ`.
  case featureSpeed(Double)
}
