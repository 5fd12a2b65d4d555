import NumericCore
import Networks

/// The optimizer step whose effect a `FeatureSpeedMeter` measures (theory §3.1).
public enum ParameterStep<Scalar: BLASScalar>: Sendable {
  /// Any optimizer: the gradients `∇_θ ℒ` and the step `δθ` it produced. Contributions are
  /// `C_k = −⟨∇_k, δθ_k⟩`.
  case general(gradients: NetworkParameters<Scalar>, update: NetworkParameters<Scalar>)
  /// Plain SGD, `δθ_k = −η_k ∇_k ℒ`, never materialized: contributions are `η_k ‖∇_k‖²`, the exact
  /// tangent pass goes through the batch Gram matrix, and `‖δW‖ = η‖∇W‖`, `‖δW‖_* = η‖∇W‖_*`.
  case sgd(gradients: NetworkParameters<Scalar>, rates: LearningRates)

  /// `∇_θ ℒ`.
  public var gradients: NetworkParameters<Scalar> {
    switch self {
    case .general(let gradients, _), .sgd(let gradients, _): gradients
    }
  }

  /// Per layer position, `C_k` summed over the layer's tensors and `Σ ‖∇‖²`; for SGD also
  /// `‖δW‖` per unit (`η‖∇W‖`, from the same pass over the gradients).
  public func contributionsAndGradientNorms() -> (contributions: [Double], gradientNormsSquared: [Double], updateWeightNorms: [[Double]]?) {
    switch self {
    case .general(let gradients, let update):
      return (NetworkParameters.layerInnerProducts(gradients, update).map { -$0 }, gradients.layerSquaredNorms, nil)
    case .sgd(let gradients, let rates):
      var contributions = [Double]()
      var norms = [Double]()
      var updateNorms = [[Double]]()
      for (units, unitRates) in zip(gradients.layers, rates.units) {
        var c = 0.0, n = 0.0
        var layerUpdateNorms = [Double]()
        for (p, r) in zip(units, unitRates) {
          let w = p.weight.squaredNorm
          c += r.weight * w
          n += w
          layerUpdateNorms.append(r.weight * w.squareRoot())
          if let b = p.bias, let rate = r.bias {
            let sb = b.squaredNorm
            c += rate * sb
            n += sb
          }
        }
        contributions.append(c)
        norms.append(n)
        updateNorms.append(layerUpdateNorms)
      }
      return (contributions, norms, updateNorms)
    }
  }

  /// The weight step of unit `u` of layer position `l` as a matrix and a factor: `δW = factor · matrix`.
  func weightStep(layer l: Int, unit u: Int) -> (matrix: Matrix<Scalar>, factor: Double) {
    switch self {
    case .general(_, let update): (update.layers[l][u].weight, 1)
    case .sgd(let gradients, let rates): (gradients.layers[l][u].weight, -rates.units[l][u].weight)
    }
  }

  /// The tangent direction of this step, for a tangent pass on the batch's own workspace
  /// (`probeOf == nil`) or on a probe of the batch held in `probeOf`.
  func tangentDirection(probeOf batch: Workspace<Scalar>?) -> TangentDirection<Scalar> {
    switch self {
    case .general(_, let update): .parameters(update)
    case .sgd(let gradients, let rates): .sgdStep(rates, gradients: gradients, batch: batch)
    }
  }
}
