import NumericCore
import Networks

/// Gradient descent with heavy-ball or Nesterov momentum, PyTorch convention (`dampening = 0`),
/// with per-tensor learning rates (theory §3.1, §5.1 SGD family):
///
///     v ← μ v + g          (v = g at the first step)
///     δθ = −η_k v           or, with Nesterov,   δθ = −η_k (g + μ v)
///
/// The velocity `v` does not depend on `η`, and `δθ` is linear in `η_k` (see `Optimizer`).
/// Shapes: `v` has the structure of the parameters.
public struct MomentumSGD<Scalar: BLASScalar>: Optimizer {
  public var name: String { "momentum" }
  /// `η_k` per `[layer position][unit]`.
  public var learningRates: LearningRates
  /// `μ ∈ [0, 1)`.
  public let momentum: Double
  /// Nesterov's variant `δθ = −η (g + μ v)`.
  public let nesterov: Bool
  /// Steps taken so far.
  public private(set) var stepCount = 0
  /// The velocity `v` after the last step (zeros before the first).
  public private(set) var velocity: NetworkParameters<Scalar>

  /// - Parameters:
  ///   - spec: the network; its scalings give the learning-rate multipliers.
  ///   - baseLearningRate: `η`; each tensor uses `η × learningRateMultiplier`.
  ///   - momentum: `μ ∈ [0, 1)` (default 0.9).
  ///   - nesterov: Nesterov momentum (default false).
  public init(spec: NetworkSpec, baseLearningRate: Double, momentum: Double = 0.9, nesterov: Bool = false) {
    learningRates = LearningRates(spec: spec, baseLearningRate: baseLearningRate)
    self.momentum = momentum
    self.nesterov = nesterov
    velocity = NetworkParameters(zerosFor: spec)
  }

  /// `v ← μ v + g`, or `v = g` at the first step.
  private mutating func advance(_ gradients: NetworkParameters<Scalar>) {
    if stepCount == 0 {
      velocity.copy(from: gradients)
    } else {
      for l in velocity.layers.indices {
        for u in velocity.layers[l].indices {
          velocity.layers[l][u].weight.scale(by: Scalar(momentum))
          velocity.layers[l][u].weight.add(gradients.layers[l][u].weight)
          if let g = gradients.layers[l][u].bias {
            velocity.layers[l][u].bias!.scale(by: Scalar(momentum))
            velocity.layers[l][u].bias!.add(g)
          }
        }
      }
    }
    stepCount += 1
  }

  /// `target (+)= −η (v or g + μ v)` for one tensor.
  private func step(
    _ target: inout Matrix<Scalar>, gradient: Matrix<Scalar>, velocity v: Matrix<Scalar>, rate: Double, accumulate: Bool
  ) {
    if nesterov {
      if accumulate { target.add(gradient, scaledBy: Scalar(-rate)) } else { target.assign(gradient, scaledBy: Scalar(-rate)) }
      target.add(v, scaledBy: Scalar(-rate * momentum))
    } else {
      if accumulate { target.add(v, scaledBy: Scalar(-rate)) } else { target.assign(v, scaledBy: Scalar(-rate)) }
    }
  }

  public mutating func computeUpdate(gradients: NetworkParameters<Scalar>, into update: inout NetworkParameters<Scalar>) {
    advance(gradients)
    writeSteps(gradients: gradients, into: &update, accumulate: false)
  }

  public mutating func apply(gradients: NetworkParameters<Scalar>, to parameters: inout NetworkParameters<Scalar>) {
    advance(gradients)
    writeSteps(gradients: gradients, into: &parameters, accumulate: true)
  }

  /// Every tensor's step from the advanced velocity, written into (or added to) `target`.
  private func writeSteps(gradients: NetworkParameters<Scalar>, into target: inout NetworkParameters<Scalar>, accumulate: Bool) {
    forEachRate { l, u, rates in
      step(&target.layers[l][u].weight, gradient: gradients.layers[l][u].weight, velocity: velocity.layers[l][u].weight,
           rate: rates.weight, accumulate: accumulate)
      if let rate = rates.bias {
        step(&target.layers[l][u].bias!, gradient: gradients.layers[l][u].bias!, velocity: velocity.layers[l][u].bias!,
             rate: rate, accumulate: accumulate)
      }
    }
  }

  private func forEachRate(_ body: (Int, Int, UnitLearningRates) -> Void) {
    for l in learningRates.units.indices {
      for u in learningRates.units[l].indices { body(l, u, learningRates.units[l][u]) }
    }
  }
}
