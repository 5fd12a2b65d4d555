import NumericCore
import Networks

/// The backward-to-feature kernel of one layer (theory §4), matrix-free:
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

  /// A unit vector in the bottom eigenspace of `K_ℓ` when the lower bound of
  /// `smallestEigenvalueLowerBound` is attained, built from the "dead" units of the layer's input:
  /// units `i` of `F_{ℓ−1}` whose activation has zero derivative on every sample of the batch
  /// (ReLU units negative on the whole batch, frequent in deep ReLU networks at init).
  ///
  /// With `v` the bottom unit eigenvector of `g gᵀ` and `s` the indicator of the dead units, take
  /// `u = v rᵀ` with `Wᵀ r = s` (least squares through the SVD of the layer's weight `W`). Then the
  /// backward signal `u` sends below the layer is `φ'(F_{ℓ−1}) ⊙ (a·u W) = a·φ'(F_{ℓ−1}) ⊙ (v sᵀ) = 0`, so
  /// every term of `K_ℓ` but the layer's own vanishes on `u`, and `uᵀ K_ℓ u = η a² λ_min(g gᵀ)`:
  /// the lower bound is an eigenvalue. A caller certifies this with one product (the Rayleigh
  /// quotient of `u`), which also covers biases and a `W` whose rows do not span the dead units.
  ///
  /// - Returns: `u` (`n × d_ℓ`, unit norm), or `nil` when the layer is not a plain dense layer of
  ///   an MLP (one unit, no residual connection, no input normalization, position ≥ 1), no unit is
  ///   dead, or `n > fanIn`.
  /// - Throws: `NumericError` from the eigensolver or the SVD.
  public func deadUnitEigenvector() throws -> Matrix<Scalar>? {
    let layer = network.spec.layers[position]
    guard position > 0, layer.units.count == 1, layer.residualScale == nil else { return nil }
    let unit = layer.units[0]
    guard !unit.normalizesInput, unit.inputActivation != .identity else { return nil }
    let z = workspace.features[position - 1]  // n × fanIn
    let n = z.rows, fanIn = z.columns
    guard n <= fanIn else { return nil }
    // Dead units: φ'(z) = 0 on every sample.
    var derivative = Matrix<Scalar>(rows: n, columns: fanIn)
    derivative.setDerivativeProduct(unit.inputActivation, preactivation: z, Matrix(rows: n, columns: fanIn, storage: Array(repeating: 1, count: n * fanIn)))
    var dead = [Double](repeating: 1, count: fanIn)
    derivative.storage.withUnsafeBufferPointer { d in
      for b in 0..<n { for i in 0..<fanIn where d[b * fanIn + i] != 0 { dead[i] = 0 } }
    }
    let deadCount = dead.reduce(0, +)
    guard deadCount > 0 else { return nil }
    // v: the bottom eigenvector of g gᵀ, in Double.
    let g = workspace.activatedInput(layer: position, unit: 0, spec: network.spec)
    var entries = [Double]()
    g.copyEntries(into: &entries)
    var gram = Matrix<Double>(rows: n, columns: n)
    gram.syrk(Matrix<Double>(rows: n, columns: fanIn, storage: entries))
    let eigen = try gram.symmetricEigen(computeVectors: true)
    let vectors = eigen.vectors!
    let v = (0..<n).map { vectors[$0, 0] }
    // r = pinv(Wᵀ) s = U Σ⁺ Vᵀ s for W = U Σ Vᵀ (fanOut × fanIn).
    let weight = network.parameters.layers[position][0].weight
    var w = [Double]()
    weight.copyEntries(into: &w)
    let svd = try Matrix<Double>(rows: weight.rows, columns: weight.columns, storage: w).singularValueDecomposition()
    let k = svd.s.count
    let cutoff = (svd.s.first ?? 0) * Double(max(weight.rows, weight.columns)) * Double.ulpOfOne
    var coefficients = [Double](repeating: 0, count: k)  // Σ⁺ Vᵀ s
    for j in 0..<k where svd.s[j] > cutoff {
      var dot = 0.0
      for i in 0..<fanIn where dead[i] != 0 { dot += svd.vt[j, i] }
      coefficients[j] = dot / svd.s[j]
    }
    var r = [Double](repeating: 0, count: weight.rows)
    for a in 0..<weight.rows { for j in 0..<k { r[a] += svd.u[a, j] * coefficients[j] } }
    let rNorm = r.reduce(0) { $0 + $1 * $1 }.squareRoot()
    guard rNorm > 0 && rNorm.isFinite else { return nil }
    var u = [Scalar](repeating: 0, count: n * weight.rows)
    for b in 0..<n { for a in 0..<weight.rows { u[b * weight.rows + a] = Scalar(v[b] * r[a] / rNorm) } }
    return Matrix(rows: n, columns: weight.rows, storage: u)
  }

  /// The extreme eigenvalues of `K_ℓ` (theory §4): the certified lower bound on `λ_min`, then the
  /// dead-unit certificate (`deadUnitEigenvector`, one product) — when its Rayleigh quotient lies
  /// within `solver.relativeTolerance` of the lower bound, `λ_min` is known to that tolerance and
  /// Lanczos runs for `λ_max` only — then Lanczos. In the returned `lanczos`, `smallest` is the
  /// best upper bound on `λ_min` (the quotient or the Ritz value) and `smallestResidualBound` its
  /// distance to the lower bound when certified.
  /// - Throws: `NumericError` from LAPACK.
  public mutating func extremeEigenvalues(using solver: LanczosEigensolver) throws -> KernelSpectrum {
    let lowerBound = try smallestEigenvalueLowerBound()
    let before = productCount
    var certified: Double?
    if lowerBound > 0, let u = try deadUnitEigenvector() {
      let ku = apply(u)
      let quotient = Matrix.dot(u, ku) / Matrix.dot(u, u)
      if quotient >= lowerBound && quotient - lowerBound <= solver.relativeTolerance * quotient { certified = quotient }
    }
    let certificateProducts = productCount - before
    var lanczos = try solver.extremeEigenvalues(dimension: dimension, needsSmallest: certified == nil) { x, y in
      apply(x, into: &y)
    }
    if let certified, certified <= lanczos.smallest {
      lanczos.smallest = certified
      lanczos.smallestResidualBound = certified - lowerBound
    }
    return KernelSpectrum(
      lanczos: lanczos, lowerBound: lowerBound, smallestCertified: certified != nil, certificateProducts: certificateProducts)
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

/// The extreme eigenvalues of a backward-to-feature kernel (`BackwardFeatureKernel.extremeEigenvalues`).
public struct KernelSpectrum: Sendable {
  /// Lanczos' result, with `smallest` replaced by the certificate's Rayleigh quotient when lower.
  public var lanczos: LanczosResult
  /// The certified lower bound on `λ_min`.
  public var lowerBound: Double
  /// Whether `λ_min` was certified to the tolerance by the dead-unit vector.
  public var smallestCertified: Bool
  /// Products spent on the certificate (0 or 1).
  public var certificateProducts: Int
  /// All products: certificate and Lanczos.
  public var products: Int { certificateProducts + lanczos.products }
}
