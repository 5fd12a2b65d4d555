import NumericCore
import Networks

/// Spectral descent ([SC] "spectral descent", theory §5.1): every weight step is the orthogonalized
/// gradient, scaled by the tensor's rate,
///
///     δW_k = −η_k · O(∇_{W_k} ℒ),   O(A) = U Vᵀ  (polar factor of A = U Σ Vᵀ, by Newton–Schulz)
///     δc   = −η_c · g / ‖g‖         (biases, vectors with fanIn = 1: their polar factor)
///
/// so `‖δW_k‖_* = η_k` (exactly with the cubic iteration, within ≈ [0.7, 1.2] with the quintic
/// one). With the presets' spectral-family rates `η_k = η·√(fanOut/fanIn)` the update has spectral
/// norm `η·√(fanOut/fanIn)`, as [SC] prescribes. A zero gradient gives a zero step.
///
/// Stateless apart from its Newton–Schulz buffers (one per weight, made at the first step);
/// `δθ` is linear in `η_k` (see `Optimizer`).
public struct SpectralDescent<Scalar: BLASScalar>: Optimizer {
  public var name: String { "spectral" }
  /// `η_k` per `[layer position][unit]`.
  public var learningRates: LearningRates
  /// The Newton–Schulz polynomial.
  public let variant: NewtonSchulzVariant
  /// Quintic: Newton–Schulz steps; cubic: their cap.
  public let newtonSchulzSteps: Int
  private var orthogonalizers: [[NewtonSchulz<Scalar>]]
  private var scratch: NetworkParameters<Scalar>?

  /// - Parameters:
  ///   - spec: the network; its scalings give the learning-rate multipliers (use a preset
  ///     resolved for `OptimizerFamily.spectral`).
  ///   - baseLearningRate: `η`; each tensor uses `η × learningRateMultiplier`.
  ///   - variant: quintic (Muon, default) or cubic (exact polar factor).
  ///   - newtonSchulzSteps: quintic: steps (default 5); cubic: cap (default 100).
  public init(
    spec: NetworkSpec, baseLearningRate: Double, variant: NewtonSchulzVariant = .quintic,
    newtonSchulzSteps: Int? = nil
  ) {
    learningRates = LearningRates(spec: spec, baseLearningRate: baseLearningRate)
    let prototype = NewtonSchulz<Scalar>(variant: variant, steps: newtonSchulzSteps)
    self.variant = variant
    self.newtonSchulzSteps = prototype.steps
    orthogonalizers = spec.layers.map { $0.units.map { _ in prototype } }
  }

  public mutating func computeUpdate(gradients: NetworkParameters<Scalar>, into update: inout NetworkParameters<Scalar>) {
    for l in learningRates.units.indices {
      for u in learningRates.units[l].indices {
        let rates = learningRates.units[l][u]
        orthogonalizers[l][u].orthogonalize(gradients.layers[l][u].weight, into: &update.layers[l][u].weight)
        update.layers[l][u].weight.scale(by: Scalar(-rates.weight))
        if let rate = rates.bias {
          let g = gradients.layers[l][u].bias!
          let norm = g.norm
          update.layers[l][u].bias!.assign(g, scaledBy: norm > 0 ? Scalar(-rate / norm) : 0)
        }
      }
    }
  }

  public mutating func apply(gradients: NetworkParameters<Scalar>, to parameters: inout NetworkParameters<Scalar>) {
    var buffer = scratch ?? NetworkParameters(layers: gradients.layers)
    scratch = nil  // keep `buffer` uniquely referenced while in use
    computeUpdate(gradients: gradients, into: &buffer)
    parameters.add(buffer)
    scratch = buffer
  }
}
