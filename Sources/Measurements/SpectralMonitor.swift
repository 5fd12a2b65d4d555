import NumericCore
import Networks

/// Spectral norms of every weight matrix, its step update and its change since initialization,
/// by power iterations warm-started across measured steps (SPEC §3.4, [SC]).
///
/// Keeps a copy of the initial weights; `‖W − W⁰‖_*` is estimated without forming the difference.
public struct SpectralMonitor<Scalar: BLASScalar>: Sendable {
  private let spec: NetworkSpec
  private let initialWeights: [[Matrix<Scalar>]]
  private var weightEstimators: [[SpectralNormEstimator<Scalar>]]
  private var updateEstimators: [[SpectralNormEstimator<Scalar>]]
  private var changeEstimators: [[SpectralNormEstimator<Scalar>]]

  /// - Parameters:
  ///   - initialParameters: `θ⁰`, for `‖W − W⁰‖_*`.
  ///   - tolerance, maximumIterations: power-iteration settings.
  public init(spec: NetworkSpec, initialParameters: NetworkParameters<Scalar>, tolerance: Double, maximumIterations: Int) {
    self.spec = spec
    initialWeights = initialParameters.layers.map { $0.map(\.weight) }
    func estimators(_ stream: UInt64) -> [[SpectralNormEstimator<Scalar>]] {
      spec.layers.enumerated().map { l, layer in
        layer.units.indices.map { u in
          SpectralNormEstimator(relativeTolerance: tolerance, maximumIterations: maximumIterations,
                                seed: stream &* 1_000_003 &+ UInt64(l * 16 + u))
        }
      }
    }
    weightEstimators = estimators(1)
    updateEstimators = estimators(2)
    changeEstimators = estimators(3)
  }

  /// Spectral statistics of `parameters` (before the step) and of the step `δθ`.
  /// - Parameter updateNorms: `‖δW‖` per `[layer position][unit]` when already known (saves a pass).
  public mutating func measure(
    parameters: NetworkParameters<Scalar>, step: ParameterStep<Scalar>, updateNorms: [[Double]]? = nil
  ) -> [SpectralStatistics] {
    var result = [SpectralStatistics]()
    for (l, layer) in spec.layers.enumerated() {
      for (u, unit) in layer.units.enumerated() {
        let w = parameters.layers[l][u].weight
        let (dw, factor) = step.weightStep(layer: l, unit: u)
        result.append(SpectralStatistics(
          layer: layer.index, unit: u, fanIn: unit.fanIn, fanOut: unit.fanOut,
          weightSpectralNorm: weightEstimators[l][u].estimate(w),
          updateSpectralNorm: abs(factor) * updateEstimators[l][u].estimate(dw),
          weightChangeSpectralNorm: changeEstimators[l][u].estimate(w, minus: initialWeights[l][u]),
          weightFrobeniusNorm: w.norm, updateFrobeniusNorm: updateNorms?[l][u] ?? abs(factor) * dw.norm))
      }
    }
    return result
  }
}
