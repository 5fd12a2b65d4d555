/// Everything measured at one step, with its conversion to `LayerMeasurement` rows.
public struct StepMeasurement: Sendable {
  /// Training step (0 = before the first update).
  public var step: Int
  /// Loss on the batch before the update.
  public var lossBefore: Double
  /// Loss before and after the update on the rows of the actual-step measurement (the whole
  /// batch in exact mode, the probe rows with a probe); `nil` when the actual step is not measured.
  public var actualLoss: (before: Double, after: Double)?
  /// Theory §3.1–3.2, one per layer in forward order.
  public var layers: [FeatureSpeedStatistics]
  /// The actual step, one per layer (empty when not measured).
  public var actual: [ActualUpdateStatistics]
  /// Theory §3.4, one per weight matrix (empty when spectral measurements are off).
  public var spectral: [SpectralStatistics]
  /// `‖F_ℓ − F_ℓ⁰‖/‖F_ℓ⁰‖` on the fixed probe batch, one per layer (empty when off).
  public var featureChange: [Double]

  public init(
    step: Int, lossBefore: Double, actualLoss: (before: Double, after: Double)?, layers: [FeatureSpeedStatistics],
    actual: [ActualUpdateStatistics], spectral: [SpectralStatistics], featureChange: [Double]
  ) {
    self.step = step
    self.lossBefore = lossBefore
    self.actualLoss = actualLoss
    self.layers = layers
    self.actual = actual
    self.spectral = spectral
    self.featureChange = featureChange
  }

  /// `−δℒ = Σ_k C_k`.
  public var lossDecayFirstOrder: Double { layers.first?.totalContribution ?? 0 }
  /// `ℒ(θ) − ℒ(θ+δθ)` on the rows of the actual-step measurement.
  public var lossDecayActual: Double? { actualLoss.map { $0.before - $0.after } }

  /// The tidy rows: per layer in forward order, quantities in `Quantity` order; then weight
  /// quantities; then network-wide ones.
  public func rows(run: String) -> [LayerMeasurement] {
    var rows = [LayerMeasurement]()
    func add(_ layer: Int?, _ quantity: Quantity, _ value: Double, suffix: String = "") {
      rows.append(LayerMeasurement(run: run, step: step, layer: layer, quantity: quantity.rawValue + suffix, value: value))
    }
    for (i, s) in layers.enumerated() {
      add(s.layer, .featureRMS, s.featureRMS)
      add(s.layer, .backwardNorm, s.backwardNorm)
      add(s.layer, .gradientNormSquared, s.gradientNormSquared)
      add(s.layer, .contribution, s.contribution)
      add(s.layer, .contributionShare, s.contributionShare)
      add(s.layer, .contributionCumulative, s.cumulativeContribution)
      add(s.layer, .featureUpdateRMS, s.featureUpdateRMS)
      add(s.layer, .bfaCos, s.bfaCos)
      if let residual = s.fsfResidual { add(s.layer, .fsfResidual, residual) }
      add(s.layer, .sensitivity, s.sensitivity)
      add(s.layer, .bafuRelative, s.bafuRelative)
      add(s.layer, .featureSpeedPerLossDecay, s.featureSpeedPerLossDecay)
      if i < actual.count {
        add(s.layer, .actualUpdateRMS, actual[i].updateRMS)
        add(s.layer, .actualBFACos, actual[i].bfaCos)
      }
      if i < featureChange.count { add(s.layer, .featureChangeRelative, featureChange[i]) }
    }
    for w in spectral {
      let suffix = w.unit == 0 ? "" : "_w\(w.unit + 1)"
      add(w.layer, .weightSpectralNorm, w.weightSpectralNorm, suffix: suffix)
      add(w.layer, .updateSpectralNorm, w.updateSpectralNorm, suffix: suffix)
      add(w.layer, .weightChangeSpectralNorm, w.weightChangeSpectralNorm, suffix: suffix)
      add(w.layer, .weightChangeStableRank, w.weightChangeStableRank, suffix: suffix)
      add(w.layer, .spectralTarget, w.spectralTarget, suffix: suffix)
      add(w.layer, .weightFrobeniusNorm, w.weightFrobeniusNorm, suffix: suffix)
      add(w.layer, .updateFrobeniusNorm, w.updateFrobeniusNorm, suffix: suffix)
      add(w.layer, .weightStableRank, w.weightStableRank, suffix: suffix)
      add(w.layer, .updateStableRank, w.updateStableRank, suffix: suffix)
    }
    add(nil, .lossDecayFirstOrder, lossDecayFirstOrder)
    if let decay = lossDecayActual { add(nil, .lossDecayActual, decay) }
    return rows
  }
}
