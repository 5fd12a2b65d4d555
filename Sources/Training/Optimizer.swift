import NumericCore
import Networks

/// A rule turning gradients into a parameter step `δθ` (theory §3.1).
///
/// Measurements need the step before it is applied (its contributions `C_k = −⟨∇_k, δθ_k⟩` and
/// its tangent `δF_ℓ`), so an optimizer computes the step into a buffer with the structure of the
/// parameters; `apply` does both at once on steps that are not measured and may fuse them.
///
/// **Linearity in the learning rates.** Every optimizer's `δθ_k` is linear in its tensor's rate
/// `η_k` for a fixed state, and its state (momentum, moments) never depends on `η`: scaling the
/// update of one layer after `computeUpdate` is the same as having used a scaled rate for it.
/// Per-layer learning-rate control relies on this.
public protocol Optimizer<Scalar>: Sendable {
  associatedtype Scalar: BLASScalar
  /// Stable slug (`sgd`, `momentum`, `adam`, `adamw`, `spectral`).
  var name: String { get }
  /// `η_k` per `[layer position][unit]` (weight and optional bias), from the network spec's
  /// scalings and the base rate (theory §5.1); may be changed between steps.
  var learningRates: LearningRates { get set }
  /// Writes this step's `δθ` into `update` (same structure as the parameters) and advances the
  /// optimizer's state, if any.
  mutating func computeUpdate(gradients: NetworkParameters<Scalar>, into update: inout NetworkParameters<Scalar>)
  /// Like `computeUpdate(gradients:into:)`, for optimizers whose step also depends on the current
  /// parameters `θ` (decoupled weight decay). The default ignores `parameters`.
  mutating func computeUpdate(
    gradients: NetworkParameters<Scalar>, parameters: NetworkParameters<Scalar>,
    into update: inout NetworkParameters<Scalar>)
  /// Applies this step to `parameters` directly (equivalent to `computeUpdate` then `add`).
  mutating func apply(gradients: NetworkParameters<Scalar>, to parameters: inout NetworkParameters<Scalar>)
}

extension Optimizer {
  public mutating func computeUpdate(
    gradients: NetworkParameters<Scalar>, parameters: NetworkParameters<Scalar>,
    into update: inout NetworkParameters<Scalar>
  ) {
    computeUpdate(gradients: gradients, into: &update)
  }
}

/// Plain gradient descent with per-tensor learning rates, `δθ_k = −η_k ∇_k ℒ` (theory §3.1), where
/// `η_k = baseLearningRate × learningRateMultiplier` of the tensor's `LayerScaling`.
public struct SGD<Scalar: BLASScalar>: Optimizer {
  public var name: String { "sgd" }
  /// `η_k` per `[layer position][unit]`: weight and (optional) bias.
  public var learningRates: LearningRates

  /// Learning rates from the network's scalings and a base learning rate.
  public init(spec: NetworkSpec, baseLearningRate: Double) {
    learningRates = LearningRates(spec: spec, baseLearningRate: baseLearningRate)
  }

  public mutating func computeUpdate(gradients: NetworkParameters<Scalar>, into update: inout NetworkParameters<Scalar>) {
    for l in learningRates.units.indices {
      for u in learningRates.units[l].indices {
        let rates = learningRates.units[l][u]
        update.layers[l][u].weight.assign(gradients.layers[l][u].weight, scaledBy: Scalar(-rates.weight))
        if let rate = rates.bias {
          update.layers[l][u].bias!.assign(gradients.layers[l][u].bias!, scaledBy: Scalar(-rate))
        }
      }
    }
  }

  public mutating func apply(gradients: NetworkParameters<Scalar>, to parameters: inout NetworkParameters<Scalar>) {
    for l in learningRates.units.indices {
      for u in learningRates.units[l].indices {
        let rates = learningRates.units[l][u]
        parameters.layers[l][u].weight.add(gradients.layers[l][u].weight, scaledBy: Scalar(-rates.weight))
        if let rate = rates.bias {
          parameters.layers[l][u].bias!.add(gradients.layers[l][u].bias!, scaledBy: Scalar(-rate))
        }
      }
    }
  }
}
