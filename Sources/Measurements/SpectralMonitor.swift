import NumericCore
import Networks

/// Spectral norms of every weight matrix, its step update and its change since initialization,
/// by power iterations warm-started across measured steps (theory §3.4, [SC]).
///
/// Keeps a copy of the initial weights and one difference buffer per weight shape: one pass over
/// `W` and `W⁰` writes `W − W⁰` and gives `‖W‖` and `‖W − W⁰‖`, and the power iteration for
/// `‖W − W⁰‖_*` then reads one matrix per product instead of two.
public struct SpectralMonitor<Scalar: BLASScalar>: Sendable {
  private let spec: NetworkSpec
  private let initialWeights: [[Matrix<Scalar>]]
  /// `W − W⁰` scratch per weight shape (`fanOut × fanIn`), shared by the units of that shape.
  private var differences: [Shape: Matrix<Scalar>] = [:]
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
  /// - Parameters:
  ///   - updateNorms: `‖δW‖` per `[layer position][unit]` when already known (saves a pass).
  ///   - batch: the workspace of the batch whose backward pass produced an SGD step: then
  ///     `‖δW‖_* = η·s·a·‖dyᵀ g‖_*` is estimated through the batch factors `dy` and `g` instead of
  ///     the `fanOut × fanIn` gradient (cheaper for batches smaller than the width).
  public mutating func measure(
    parameters: NetworkParameters<Scalar>, step: ParameterStep<Scalar>, updateNorms: [[Double]]? = nil,
    batch: Workspace<Scalar>? = nil
  ) -> [SpectralStatistics] {
    var result = [SpectralStatistics]()
    for (l, layer) in spec.layers.enumerated() {
      for (u, unit) in layer.units.enumerated() {
        let w = parameters.layers[l][u].weight
        let (dw, factor) = step.weightStep(layer: l, unit: u)
        let updateSpectralNorm: Double
        if case .sgd(_, let rates) = step, let batch, batch.rows < min(unit.fanIn, unit.fanOut) {
          let scale = (u == layer.units.count - 1 ? (layer.residualScale ?? 1) : 1) * unit.scaling.weight.forwardMultiplier
          updateSpectralNorm = rates.units[l][u].weight * scale * updateEstimators[l][u].estimate(
            transposeProduct: batch.unitOutputGradient(layer: l, unit: u), batch.activatedInput(layer: l, unit: u, spec: spec))
        } else {
          updateSpectralNorm = abs(factor) * updateEstimators[l][u].estimate(dw)
        }
        let shape = Shape(rows: w.rows, columns: w.columns)
        var difference = differences.removeValue(forKey: shape) ?? Matrix(rows: w.rows, columns: w.columns)
        let (weightSquared, changeSquared) = difference.setDifference(w, initialWeights[l][u])
        let changeSpectralNorm = changeEstimators[l][u].estimate(difference)
        differences[shape] = difference
        result.append(SpectralStatistics(
          layer: layer.index, unit: u, fanIn: unit.fanIn, fanOut: unit.fanOut,
          weightSpectralNorm: weightEstimators[l][u].estimate(w),
          updateSpectralNorm: updateSpectralNorm,
          weightChangeSpectralNorm: changeSpectralNorm,
          weightChangeFrobeniusNorm: changeSquared.squareRoot(),
          weightFrobeniusNorm: weightSquared.squareRoot(), updateFrobeniusNorm: updateNorms?[l][u] ?? abs(factor) * dw.norm))
      }
    }
    return result
  }
}

/// A matrix shape, the key of `SpectralMonitor`'s difference buffers.
private struct Shape: Hashable {
  var rows: Int
  var columns: Int
}
