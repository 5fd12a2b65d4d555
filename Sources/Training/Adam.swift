import NumericCore
import Networks

/// Adam, and AdamW when `weightDecay > 0`, with per-tensor learning rates, PyTorch convention
/// (theory §5.1 Adam family; weights and biases alike):
///
///     m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²,   m̂ = m/(1 − β₁ᵗ),   v̂ = v/(1 − β₂ᵗ)
///     δθ = −η_k ( m̂ / (√v̂ + ε) + λ θ )
///
/// with decoupled weight decay `λ = weightDecay` applied to every tensor (PyTorch AdamW's default
/// for a single parameter group; `λ = 0` is plain Adam). The moments do not depend on `η`, and
/// `δθ` is linear in `η_k` (see `Optimizer`). Shapes: `m` and `v` have the structure of the
/// parameters.
public struct Adam<Scalar: BLASScalar>: Optimizer {
  /// `adamw` when `weightDecay > 0`, else `adam`.
  public var name: String { weightDecay > 0 ? "adamw" : "adam" }
  /// `η_k` per `[layer position][unit]`.
  public var learningRates: LearningRates
  /// `β₁ ∈ [0, 1)`.
  public let beta1: Double
  /// `β₂ ∈ [0, 1)`.
  public let beta2: Double
  /// `ε > 0`.
  public let epsilon: Double
  /// `λ ≥ 0`, decoupled weight decay.
  public let weightDecay: Double
  /// Steps taken so far (`t` of the bias corrections is `stepCount` during a step).
  public private(set) var stepCount = 0
  /// `m`, the first-moment estimate.
  public private(set) var firstMoment: NetworkParameters<Scalar>
  /// `v`, the second-moment estimate.
  public private(set) var secondMoment: NetworkParameters<Scalar>
  private var scratch: NetworkParameters<Scalar>?

  /// - Parameters:
  ///   - spec: the network; its scalings give the learning-rate multipliers.
  ///   - baseLearningRate: `η`; each tensor uses `η × learningRateMultiplier`.
  ///   - beta1, beta2, epsilon: Adam's constants (defaults 0.9, 0.999, 1e-8).
  ///   - weightDecay: `λ ≥ 0` (default 0: Adam; > 0: AdamW).
  public init(
    spec: NetworkSpec, baseLearningRate: Double, beta1: Double = 0.9, beta2: Double = 0.999,
    epsilon: Double = 1e-8, weightDecay: Double = 0
  ) {
    learningRates = LearningRates(spec: spec, baseLearningRate: baseLearningRate)
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.weightDecay = weightDecay
    firstMoment = NetworkParameters(zerosFor: spec)
    secondMoment = NetworkParameters(zerosFor: spec)
  }

  /// Plain Adam only: with weight decay the step needs `θ`, so call
  /// `computeUpdate(gradients:parameters:into:)` (or `apply`).
  public mutating func computeUpdate(gradients: NetworkParameters<Scalar>, into update: inout NetworkParameters<Scalar>) {
    precondition(weightDecay == 0, "AdamW's step needs the parameters: call computeUpdate(gradients:parameters:into:)")
    step(gradients: gradients, parameters: nil, into: &update)
  }

  public mutating func computeUpdate(
    gradients: NetworkParameters<Scalar>, parameters: NetworkParameters<Scalar>,
    into update: inout NetworkParameters<Scalar>
  ) {
    step(gradients: gradients, parameters: parameters, into: &update)
  }

  public mutating func apply(gradients: NetworkParameters<Scalar>, to parameters: inout NetworkParameters<Scalar>) {
    var buffer = scratch ?? NetworkParameters(layers: gradients.layers)
    scratch = nil  // keep `buffer` uniquely referenced while in use
    step(gradients: gradients, parameters: parameters, into: &buffer)
    parameters.add(buffer)
    scratch = buffer
  }

  private mutating func step(
    gradients: NetworkParameters<Scalar>, parameters: NetworkParameters<Scalar>?,
    into update: inout NetworkParameters<Scalar>
  ) {
    stepCount += 1
    for l in learningRates.units.indices {
      for u in learningRates.units[l].indices {
        let rates = learningRates.units[l][u]
        update.layers[l][u].weight.setAdamDirection(
          gradient: gradients.layers[l][u].weight, firstMoment: &firstMoment.layers[l][u].weight,
          secondMoment: &secondMoment.layers[l][u].weight, step: stepCount, beta1: beta1, beta2: beta2,
          epsilon: epsilon)
        update.layers[l][u].weight.scale(by: Scalar(-rates.weight))
        if weightDecay > 0, let parameters {
          update.layers[l][u].weight.add(parameters.layers[l][u].weight, scaledBy: Scalar(-rates.weight * weightDecay))
        }
        if let rate = rates.bias {
          update.layers[l][u].bias!.setAdamDirection(
            gradient: gradients.layers[l][u].bias!, firstMoment: &firstMoment.layers[l][u].bias!,
            secondMoment: &secondMoment.layers[l][u].bias!, step: stepCount, beta1: beta1, beta2: beta2,
            epsilon: epsilon)
          update.layers[l][u].bias!.scale(by: Scalar(-rate))
          if weightDecay > 0, let parameters {
            update.layers[l][u].bias!.add(parameters.layers[l][u].bias!, scaledBy: Scalar(-rate * weightDecay))
          }
        }
      }
    }
  }
}
