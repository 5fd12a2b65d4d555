import NumericCore
import Networks

/// The backward-to-feature kernel of one layer (SPEC §4), matrix-free:
/// `K_ℓ = Σ_{k≤ℓ} η_k J_k J_kᵀ` on `R^{n×d_ℓ}`, `J_k = ∂F_ℓ/∂θ_k`, for a fixed network and batch.
///
/// A product `K_ℓ u` is one pullback of the seed `u` from feature ℓ to every parameter below it
/// (`J_kᵀ u`), scaled by the learning rates, and one tangent pass up to feature ℓ — the cost of a
/// training step's backward and tangent passes, with memory O(parameters + n·width). The Gram
/// matrix (`N_ℓ × N_ℓ`, `N_ℓ = n·d_ℓ`) is never formed. `K_L` (the output) is the
/// learning-rate-weighted empirical NTK on the batch, and exactly `δF_ℓ = −K_ℓ b_ℓ` for a GD step.
public struct BackwardFeatureKernel<Scalar: BLASScalar>: Sendable {
  /// The network (parameters fixed).
  public let network: Network<Scalar>
  /// Per-tensor learning rates `η_k` (the weights of the sum).
  public let learningRates: LearningRates
  /// The layer position ℓ (0-based forward order; see `NetworkSpec.layerIndices` for its index).
  public let position: Int
  /// Products computed so far.
  public private(set) var productCount = 0

  private var workspace: Workspace<Scalar>
  private var gradients: NetworkParameters<Scalar>?
  private var seed: Matrix<Scalar>
  private var result: Matrix<Scalar>

  /// Batch size `n`.
  public var rows: Int { workspace.rows }
  /// Feature width `d_ℓ`.
  public var columns: Int { network.spec.layers[position].outputWidth }
  /// `N_ℓ = n·d_ℓ`, the dimension the operator acts on.
  public var dimension: Int { rows * columns }

  /// The kernel of layer position `position` on the batch `inputs` (`n × d_0`); runs the forward
  /// pass once.
  public init(network: Network<Scalar>, learningRates: LearningRates, inputs: Matrix<Scalar>, position: Int) {
    precondition(network.spec.layers.indices.contains(position), "BackwardFeatureKernel: no layer position \(position)")
    precondition(inputs.columns == network.spec.inputDimension, "BackwardFeatureKernel: inputs must be n × d_0")
    self.network = network
    self.learningRates = learningRates
    self.position = position
    workspace = Workspace(spec: network.spec, rows: inputs.rows, backward: true, tangents: true)
    workspace.input.copy(from: inputs)
    network.forward(&workspace)
    gradients = NetworkParameters(zerosFor: network.spec)
    let width = network.spec.layers[position].outputWidth
    seed = Matrix(rows: inputs.rows, columns: width)
    result = Matrix(rows: inputs.rows, columns: width)
  }

  /// The features `F_k` of the batch (`n × d_k`), from the forward pass.
  public var features: [Matrix<Scalar>] { workspace.features }

  /// A certified lower bound on `λ_min(K_ℓ)` from the layer's own last weight matrix alone: its
  /// term of the sum is `η (s a)² (g gᵀ) ⊗ I_{d_ℓ}` (`g` the unit's `n × fanIn` input, `s` the
  /// residual scale, `a` the forward multiplier), and every other term is positive semi-definite,
  /// so `λ_min(K_ℓ) ≥ η (s a)² λ_min(g gᵀ)`. Zero when `n > fanIn`. Exact for an MLP's first layer
  /// without bias (up to a margin of 64 units of roundoff). Lanczos approaches `λ_min` from above;
  /// together they bracket it.
  /// - Throws: `NumericError` from the `n × n` eigensolver.
  public func smallestEigenvalueLowerBound() throws -> Double {
    let layer = network.spec.layers[position]
    let last = layer.units.count - 1
    let unit = layer.units[last]
    let g = workspace.activatedInput(layer: position, unit: last, spec: network.spec)
    if g.rows > g.columns { return 0 }
    // The Gram matrix in Double from the stored inputs, and a margin of 64 units of roundoff of
    // `Scalar`: the bound is then certified for the network as computed, up to the rounding of its
    // own forward pass (≈ 1e-7 relative in Float32 against a Float64 recomputation).
    var entries = [Double]()
    g.copyEntries(into: &entries)
    var gram = Matrix<Double>(rows: g.rows, columns: g.rows)
    gram.syrk(Matrix<Double>(rows: g.rows, columns: g.columns, storage: entries))
    let smallest = try gram.symmetricEigen().values.min() ?? 0
    let coefficient = (layer.residualScale ?? 1) * unit.scaling.weight.forwardMultiplier
    let margin = 1 - 64 * Double(Scalar.ulpOfOne)
    return max(0, learningRates.units[position][last].weight * coefficient * coefficient * smallest * margin)
  }

  /// `K_ℓ u` for `u` of shape `n × d_ℓ`.
  public mutating func apply(_ u: Matrix<Scalar>) -> Matrix<Scalar> {
    precondition(u.rows == rows && u.columns == columns, "BackwardFeatureKernel.apply: u must be \(rows) × \(columns)")
    network.pullback(from: position, seed: u, &workspace, gradients: &gradients, onlyForSGDTangent: true)
    let g = gradients!
    gradients = nil  // keep one reference while the tangent reads them
    network.tangent(.sgdStep(learningRates, gradients: g), &workspace, through: position)
    gradients = g
    result.assign(workspace.featureTangents[position], scaledBy: -1)  // the SGD tangent is −K u
    productCount += 1
    return result
  }

  /// `y = K_ℓ x` on flattened (row-major) vectors of length `dimension`, computed in `Scalar`.
  /// The form `LanczosEigensolver` and `HutchinsonEstimator` take.
  public mutating func apply(_ x: [Double], into y: inout [Double]) {
    seed.setEntries(from: x)
    let product = apply(seed)
    product.copyEntries(into: &y)
  }
}
