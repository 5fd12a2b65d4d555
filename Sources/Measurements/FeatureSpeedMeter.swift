import NumericCore
import Networks

/// Measures one training step per layer (theory §3): contributions, backward and feature norms, the
/// feature update `δF_ℓ` by one tangent pass along the step `δθ`, the backward–feature angle and
/// the feature speed formula; optionally the actual change after the step, spectral norms, and
/// the feature change since initialization.
///
/// Usage at a measured step, after `forward`, `computeLoss` and `backward` on `workspace`, with the
/// step **not yet applied**:
/// ```
/// var m = meter.measure(step: t, network: network, workspace: &ws, parameterStep: .sgd(gradients: g, rates: η))
/// // apply the step to the network
/// meter.measureAfterUpdate(&m, updatedNetwork: network, workspace: ws)
/// ```
/// The meter owns its extra buffers (probe and re-forward workspaces, spectral state) and
/// allocates them once.
public struct FeatureSpeedMeter<Scalar: BLASScalar>: Sendable {
  /// The settings it was made with.
  public let settings: MeasurementSettings
  private let spec: NetworkSpec
  private var probe: Workspace<Scalar>?
  /// One forward after the update: rows `0..<actualRows` for the actual step (the tangent's rows),
  /// then the fixed feature-change probe.
  private var after: Workspace<Scalar>?
  private let actualRows: Int
  private var actualOutput: Matrix<Scalar>
  private var spectral: SpectralMonitor<Scalar>?
  private var featureChange: FeatureChangeMonitor<Scalar>?
  private let initialParameters: NetworkParameters<Scalar>?

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
    actualRows = settings.measuresActualStep ? (settings.probeRows ?? batchRows) : 0
    actualOutput = Matrix(rows: actualRows, columns: spec.outputDimension)
    let changeRows = settings.featureChangeRows > 0 ? min(settings.featureChangeRows, batchRows) : 0
    if actualRows + changeRows > 0 {
      after = Workspace(spec: spec, rows: actualRows + changeRows, backward: false)
    }
    if changeRows > 0 { featureChange = FeatureChangeMonitor(rows: changeRows) }
    self.initialParameters = changeRows > 0 ? initialParameters : nil
    if settings.measuresSpectra {
      spectral = SpectralMonitor(
        spec: spec, initialParameters: initialParameters, tolerance: settings.spectralTolerance,
        maximumIterations: settings.spectralMaximumIterations)
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
    // Contributions C_k = −⟨∇_k, δθ_k⟩ (theory §3.1, general form).
    let (contributions, gradientNorms, updateWeightNorms) = parameterStep.contributionsAndGradientNorms()
    let total = contributions.reduce(0, +)

    // Tangent pass along δθ, on the whole batch or on the probe rows (theory §3.2–3.3). The probe's
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
    let spectra = spectral?.measure(
      parameters: network.parameters, step: parameterStep, updateNorms: updateWeightNorms, batch: workspace) ?? []
    if featureChange != nil && featureChange!.inputs == nil {
      featureChange!.prepare(spec: spec, initialParameters: initialParameters!, batchInputs: workspace.input)
      after!.input.copyRows(0..<featureChange!.rows, of: featureChange!.inputs!, toRow: actualRows)
    }
    return StepMeasurement(
      step: step, lossBefore: workspace.loss, actualLoss: nil, layers: layers, actual: [],
      spectral: spectra, featureChange: [])
  }

  /// Measures a step given as gradients and an explicit update (any optimizer).
  public mutating func measure(
    step: Int, network: Network<Scalar>, workspace: inout Workspace<Scalar>,
    gradients: NetworkParameters<Scalar>, update: NetworkParameters<Scalar>
  ) -> StepMeasurement {
    measure(step: step, network: network, workspace: &workspace, parameterStep: .general(gradients: gradients, update: update))
  }

  /// Completes `measurement` after the update with one forward pass of the updated network: on
  /// the rows of the tangent pass (the whole batch in exact mode, the probe rows with a probe) for
  /// the actual change `ΔF_ℓ` and loss change, and on the fixed probe batch for the feature change
  /// since initialization (theory §3.2, §3.4). A no-op when the settings turn both off.
  /// - Parameter workspace: the training workspace of `measure`, still holding `F_ℓ(θ)` and `b_ℓ`.
  public mutating func measureAfterUpdate(
    _ measurement: inout StepMeasurement, updatedNetwork: Network<Scalar>, workspace: Workspace<Scalar>
  ) {
    guard after != nil else { return }
    let before = probe ?? workspace  // holds F(θ), b and the loss before the step on its rows
    let a = actualRows
    if a > 0 { after!.input.copyRows(0..<a, of: before.input) }
    updatedNetwork.forward(&after!)
    if a > 0 {
      actualOutput.copyRows(0..<a, of: after!.features[after!.features.count - 1])
      let lossAfter = spec.loss.evaluate(output: actualOutput, targets: before.targets).loss
      measurement.actualLoss = (before.loss, lossAfter)
      after!.subtractFeatures(rows: 0..<a, of: before, rows: 0..<a)  // ΔF in place
      measurement.actual = spec.layers.enumerated().map { l, layer in
        let dF = after!.features[l]
        let b = before.backward[l]
        return ActualUpdateStatistics(
          layer: layer.index, updateNorm: dF.squaredNorm(rows: 0..<a).squareRoot(),
          alignment: -Matrix.dot(b, rows: 0..<a, dF, rows: 0..<a), backwardNorm: b.norm, count: a * dF.columns)
      }
    }
    if let featureChange {
      measurement.featureChange = featureChange.relativeChange(features: after!.features, rows: a..<(a + featureChange.rows))
    }
  }
}
