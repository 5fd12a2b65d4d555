import NumericCore
import Networks

/// Spectral norms of every weight matrix, its step update and its change since initialization,
/// by power iterations warm-started across measured steps (SPEC §3.4, [SC]).
///
/// Keeps a copy of the initial weights and one difference buffer per matrix (no allocation per
/// measured step after the first).
public struct SpectralMonitor<Scalar: BLASScalar>: Sendable {
  private let spec: NetworkSpec
  private let initialWeights: [[Matrix<Scalar>]]
  private var difference: [[Matrix<Scalar>]]
  private var weightEstimators: [[SpectralNormEstimator<Scalar>]]
  private var updateEstimators: [[SpectralNormEstimator<Scalar>]]
  private var changeEstimators: [[SpectralNormEstimator<Scalar>]]

  /// - Parameters:
  ///   - initialParameters: `θ⁰`, for `‖W − W⁰‖_*`.
  ///   - tolerance, maximumIterations: power-iteration settings.
  public init(spec: NetworkSpec, initialParameters: NetworkParameters<Scalar>, tolerance: Double, maximumIterations: Int) {
    self.spec = spec
    initialWeights = initialParameters.layers.map { $0.map(\.weight) }
    difference = initialWeights.map { $0.map { Matrix(rows: $0.rows, columns: $0.columns) } }
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

  /// Spectral statistics of `parameters` (before the step) and `update` (the step's `δθ`).
  public mutating func measure(parameters: NetworkParameters<Scalar>, update: NetworkParameters<Scalar>) -> [SpectralStatistics] {
    var result = [SpectralStatistics]()
    for (l, layer) in spec.layers.enumerated() {
      for (u, unit) in layer.units.enumerated() {
        let w = parameters.layers[l][u].weight
        let dw = update.layers[l][u].weight
        difference[l][u].copy(from: w)
        difference[l][u].add(initialWeights[l][u], scaledBy: -1)
        result.append(SpectralStatistics(
          layer: layer.index, unit: u, fanIn: unit.fanIn, fanOut: unit.fanOut,
          weightSpectralNorm: weightEstimators[l][u].estimate(w),
          updateSpectralNorm: updateEstimators[l][u].estimate(dw),
          weightChangeSpectralNorm: changeEstimators[l][u].estimate(difference[l][u]),
          weightFrobeniusNorm: w.norm, updateFrobeniusNorm: dw.norm))
      }
    }
    return result
  }
}
