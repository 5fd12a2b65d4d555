import Measurements

/// What the controller sees of one layer position at one step (theory §5.3), measured on the batch
/// before the update.
public struct LayerSignals: Sendable {
  /// `C_k(1) = −⟨∇_{θ_k}ℒ, δθ_k⟩` of the optimizer's step at the preset rates (factor 1), summed
  /// over the layer's tensors; under SGD `Σ η_k‖∇_k‖²`.
  public var unitContribution: Double
  /// `Σ ‖∇_{θ_k}ℒ‖²` over the layer's tensors.
  public var gradientNormSquared: Double
  /// `‖b_ℓ‖`.
  public var backwardNorm: Double
  /// `N_ℓ = n·d_ℓ`.
  public var featureCount: Int
  /// `rms(F_ℓ)`.
  public var featureRMS: Double
  /// The last measured `cos θ_ℓ`, if any (used by the feature-speed target).
  public var bfaCos: Double?

  public init(
    unitContribution: Double, gradientNormSquared: Double, backwardNorm: Double, featureCount: Int, featureRMS: Double,
    bfaCos: Double? = nil
  ) {
    self.unitContribution = unitContribution
    self.gradientNormSquared = gradientNormSquared
    self.backwardNorm = backwardNorm
    self.featureCount = featureCount
    self.featureRMS = featureRMS
    self.bfaCos = bfaCos
  }
}

/// One step's control decision: a learning-rate factor per layer position and why.
public struct ControlDecision: Sendable {
  /// Training step.
  public var step: Int
  /// Whether the factors were adapted at this step (false after calibration).
  public var adapted: Bool
  /// Per layer position: the factor on the preset rates of every tensor of the layer.
  public var factors: [Double]
  /// Per layer position: the backward-normalization scale `P_ℓ = target/(√N_ℓ‖b_ℓ‖)` (1 when off).
  public var backwardScales: [Double]
  /// Per layer position: the target contribution (NaN when the rates are not adaptive).
  public var targetContributions: [Double]
  /// Per layer position: `C_k(1)`, the contribution at factor 1.
  public var unitContributions: [Double]
  /// Per layer position: the factor hit the cap.
  public var capped: [Bool]
  /// Per layer position: `‖∇_k‖²` was at or below the floor, or `C_k(1)` was not positive, so the
  /// previous factor was kept.
  public var held: [Bool]
  /// Per layer position: the feature-speed target asked for a non-positive contribution, raised to 1 % of the cumulative target.
  public var clamped: [Bool]

  /// Tidy rows (`control.csv`): per layer `control_factor`, `control_backward_scale`,
  /// `control_target_contribution`, `control_unit_contribution`, `control_capped`, `control_held`,
  /// `control_clamped`; network-wide `control_adapted`.
  public func rows(run: String, layerIndices: [Int]) -> [LayerMeasurement] {
    var rows = [LayerMeasurement]()
    for (l, index) in layerIndices.enumerated() {
      func add(_ q: String, _ v: Double) { rows.append(LayerMeasurement(run: run, step: step, layer: index, quantity: q, value: v)) }
      add("control_factor", factors[l])
      add("control_backward_scale", backwardScales[l])
      add("control_target_contribution", targetContributions[l])
      add("control_unit_contribution", unitContributions[l])
      add("control_capped", capped[l] ? 1 : 0)
      add("control_held", held[l] ? 1 : 0)
      add("control_clamped", clamped[l] ? 1 : 0)
    }
    rows.append(LayerMeasurement(run: run, step: step, layer: nil, quantity: "control_adapted", value: adapted ? 1 : 0))
    return rows
  }
}

/// FSC-control of the learning rates (theory §5.3 items 2–3): from the signals of a step, the factor
/// by which every layer position's preset learning rates are multiplied for that step.
///
/// - Backward normalization alone: factor `P_k = target/(√N_k‖b_k‖)` (GD on the rescaled backward).
/// - Adaptive contributions: factor `c_k·ρ·ℒ_t / C_k(1)`, so that `C_k = c_k·ρ·ℒ_t` exactly. Since
///   every optimizer's step is linear in its rates for a fixed state, this holds for all of them.
///   It fixes the rates absolutely, so a backward normalization on top cancels out (it is logged).
/// - Target feature speed: cumulative targets `T_ℓ = s·rms(F_ℓ)·√N_ℓ‖b_ℓ‖·cos θ_ℓ` from the feature
///   speed formula, then `C_ℓ = T_ℓ − Σ_{k<ℓ} C_k` (at least 1 % of `T_ℓ`), then as above.
///
/// Then an exponential moving average (`smoothing`), the `cap`, and a `floor` on `‖∇_k‖²` at or
/// below which (or when `C_k(1) ≤ 0`) the previous factor is kept. After `calibrationSteps` (if > 0) the factors are frozen.
public struct RateController: Sendable {
  /// The settings.
  public let settings: ControlSettings
  /// The target shares of the contributions profile (uniform when the target is not contributions).
  public let shares: [Double]
  /// The factors of the last decision (`nil` before the first).
  public private(set) var factors: [Double]?

  /// - Parameter layerCount: number of layer positions of the network.
  /// - Throws: `ControlError` for invalid settings or a profile that does not fit the network.
  public init(settings: ControlSettings, layerCount: Int) throws {
    try settings.validate()
    self.settings = settings
    if case .contributions(let profile, _)? = settings.rates {
      shares = try profile.shares(layerCount: layerCount)
    } else {
      shares = try ContributionProfile.uniform.shares(layerCount: layerCount)
    }
  }

  /// Decides the factors of step `step` from its batch loss and per-layer signals (forward order).
  public mutating func decide(step: Int, loss: Double, layers: [LayerSignals]) -> ControlDecision {
    let count = layers.count
    let previous = factors ?? Array(repeating: 1, count: count)
    let scales = layers.map { s -> Double in
      guard let target = settings.backwardTarget, s.backwardNorm > 0, s.backwardNorm.isFinite else { return 1 }
      return target / (Double(s.featureCount).squareRoot() * s.backwardNorm)
    }
    var decision = ControlDecision(
      step: step, adapted: settings.calibrationSteps == 0 || step < settings.calibrationSteps, factors: previous,
      backwardScales: scales, targetContributions: Array(repeating: .nan, count: count),
      unitContributions: layers.map(\.unitContribution), capped: Array(repeating: false, count: count),
      held: Array(repeating: false, count: count), clamped: Array(repeating: false, count: count))
    guard decision.adapted else { return decision }

    var raw = scales
    if let rates = settings.rates {
      var targets = [Double]()
      switch rates {
      case .contributions(_, let rho):
        targets = shares.map { $0 * rho * loss }
      case .featureSpeed(let speed):
        var below = 0.0
        for (l, s) in layers.enumerated() {
          let cos = s.bfaCos.flatMap { $0.isFinite && $0 > 0 ? $0 : nil } ?? 1
          let cumulative = speed * s.featureRMS * Double(s.featureCount).squareRoot() * s.backwardNorm * cos
          var own = cumulative - below
          if !(own > 0.01 * cumulative) {
            own = 0.01 * cumulative
            decision.clamped[l] = true
          }
          targets.append(own)
          below += own
        }
      }
      decision.targetContributions = targets
      for l in 0..<count {
        let unit = layers[l].unitContribution
        if unit > 0 && unit.isFinite && layers[l].gradientNormSquared > settings.floor {
          raw[l] = targets[l] / unit
        } else {
          raw[l] = previous[l]
          decision.held[l] = true
        }
      }
    }
    for l in 0..<count {
      var f = factors == nil ? raw[l] : (1 - settings.smoothing) * previous[l] + settings.smoothing * raw[l]
      if f > settings.cap {
        f = settings.cap
        decision.capped[l] = true
      }
      decision.factors[l] = f
    }
    factors = decision.factors
    return decision
  }
}
