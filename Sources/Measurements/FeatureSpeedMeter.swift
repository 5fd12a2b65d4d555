import NumericCore
import Networks

/// Measures one training step per layer (SPEC §3): contributions, backward and feature norms, the
/// feature update `δF_ℓ` by one tangent pass along the step `δθ`, the backward–feature angle and
/// the feature speed formula; optionally the actual change after the step, spectral norms, and
/// the feature change since initialization.
///
/// Usage at a measured step, after `forward`, `computeLoss` and `backward` on `workspace` and with
/// the optimizer's update `δθ` computed but **not yet applied**:
/// ```
/// var m = meter.measure(step: t, network: network, workspace: &ws, gradients: g, update: δθ)
/// network.parameters.add(δθ)
/// meter.measureActualStep(&m, updatedNetwork: network, workspace: ws)
/// ```
/// The meter owns its extra buffers (probe and re-forward workspaces, spectral buffers) and
/// allocates them once.
public struct FeatureSpeedMeter<Scalar: BLASScalar>: Sendable {
  /// The settings it was made with.
  public let settings: MeasurementSettings
  private let spec: NetworkSpec
  private var probe: Workspace<Scalar>?
  private var after: Workspace<Scalar>?
  private var spectral: SpectralMonitor<Scalar>?
  private var featureChange: FeatureChangeMonitor<Scalar>?

  /// - Parameters:
  ///   - batchRows: batch size of the training workspace.
  ///   - initialParameters: `θ⁰` (for changes since initialization).
  /// - Precondition: `settings.probeRows`, when set, is in `1...batchRows`.
  public init(spec: NetworkSpec, batchRows: Int, settings: MeasurementSettings, initialParameters: NetworkParameters<Scalar>) {
    self.spec = spec
    self.settings = settings
    if let p = settings.probeRows {
      precondition(p >= 1 && p <= batchRows, "Probe of \(p) rows for a batch of \(batchRows)")
      probe = Workspace(spec: spec, rows: p, backward: true, tangents: true)
    }
    if settings.measuresActualStep {
      after = Workspace(spec: spec, rows: settings.probeRows ?? batchRows, backward: false)
    }
    if settings.measuresSpectra {
      spectral = SpectralMonitor(
        spec: spec, initialParameters: initialParameters, tolerance: settings.spectralTolerance,
        maximumIterations: settings.spectralMaximumIterations)
    }
    if settings.featureChangeRows > 0 {
      featureChange = FeatureChangeMonitor(rows: min(settings.featureChangeRows, batchRows), initialParameters: initialParameters)
    }
  }

  /// Measures the step before its update is applied.
  /// - Parameters:
  ///   - workspace: after `forward`, `computeLoss` and `backward` on the batch; in exact mode it
  ///     must have tangent buffers, which this call overwrites.
  ///   - parameterStep: the gradients and the step `δθ` (SGD: `−η ∇_θ ℒ`, not materialized).
  public mutating func measure(
    step: Int, network: Network<Scalar>, workspace: inout Workspace<Scalar>, parameterStep: ParameterStep<Scalar>
  ) -> StepMeasurement {
    // Contributions C_k = −⟨∇_k, δθ_k⟩ (SPEC §3.1, general form).
    let (contributions, gradientNorms, updateWeightNorms) = parameterStep.contributionsAndGradientNorms()
    let total = contributions.reduce(0, +)

    // Tangent pass along δθ, on the whole batch or on the probe rows (SPEC §3.2–3.3). The probe's
    // forward pass is the batch's, row for row: copied, not recomputed.
    if probe == nil {
      precondition(workspace.hasTangents, "Exact measurement needs a workspace with tangent buffers")
      network.tangent(parameterStep.tangentDirection(probeOf: nil), &workspace)
    } else {
      let rows = probe!.rows
      probe!.loadForwardRows(0..<rows, from: workspace)
      network.computeLoss(&probe!, gradient: false)  // the probe rows' loss, for the actual step
      probe!.loadBackwardRows(0..<rows, from: workspace)
      network.tangent(parameterStep.tangentDirection(probeOf: workspace), &probe!)
    }
    let tangentSide = probe ?? workspace

    var layers = [FeatureSpeedStatistics]()
    var cumulative = 0.0
    for (l, layer) in spec.layers.enumerated() {
      cumulative += contributions[l]
      let dF = tangentSide.featureTangents[l]
      let b = tangentSide.backward[l]
      layers.append(FeatureSpeedStatistics(
        layer: layer.index, featureNorm: workspace.features[l].norm, featureCount: workspace.features[l].count,
        backwardNorm: workspace.backward[l].norm, gradientNormSquared: gradientNorms[l],
        contribution: contributions[l], cumulativeContribution: cumulative, totalContribution: total,
        isExact: probe == nil, tangentCount: dF.count, tangentBackwardNorm: b.norm,
        alignment: -Matrix.dot(b, dF), featureUpdateNorm: dF.norm))
    }
    let spectra = spectral?.measure(parameters: network.parameters, step: parameterStep, updateNorms: updateWeightNorms) ?? []
    let change = featureChange?.measure(network: network, batchInputs: workspace.input) ?? []
    return StepMeasurement(
      step: step, lossBefore: workspace.loss, actualLoss: nil, layers: layers, actual: [],
      spectral: spectra, featureChange: change)
  }

  /// Measures a step given as gradients and an explicit update (any optimizer).
  public mutating func measure(
    step: Int, network: Network<Scalar>, workspace: inout Workspace<Scalar>,
    gradients: NetworkParameters<Scalar>, update: NetworkParameters<Scalar>
  ) -> StepMeasurement {
    measure(step: step, network: network, workspace: &workspace, parameterStep: .general(gradients: gradients, update: update))
  }

  /// Completes `measurement` after the update: re-forwards the rows of the tangent pass (the
  /// whole batch in exact mode, the probe rows with a probe) with the updated network and records
  /// `ΔF_ℓ` and the actual loss change on those rows. A no-op when the settings turn it off.
  /// - Parameter workspace: the training workspace of `measure`, still holding `F_ℓ(θ)` and `b_ℓ`.
  public mutating func measureActualStep(
    _ measurement: inout StepMeasurement, updatedNetwork: Network<Scalar>, workspace: Workspace<Scalar>
  ) {
    guard after != nil else { return }
    let before = probe ?? workspace  // holds F(θ), b and the loss before the step on its rows
    after!.loadBatch(from: before)
    updatedNetwork.forward(&after!)
    let lossAfter = updatedNetwork.computeLoss(&after!, gradient: false)
    measurement.actualLoss = (before.loss, lossAfter)
    after!.subtractFeatures(of: before)
    measurement.actual = spec.layers.enumerated().map { l, layer in
      let dF = after!.features[l]
      let b = before.backward[l]
      return ActualUpdateStatistics(
        layer: layer.index, updateNorm: dF.norm, alignment: -Matrix.dot(b, dF), backwardNorm: b.norm, count: dF.count)
    }
  }
}
