import NumericCore
import Networks

/// The layer-to-layer Jacobian `J_{k→ℓ} = ∂F_ℓ/∂F_k` of a fixed network on a batch (theory §4),
/// as products: `J v` by a tangent pass started at feature k, `Jᵀ u` by a pullback from feature
/// ℓ. On a batch the Jacobian is block-diagonal over samples (`N_k = n·d_k` columns, `N_ℓ = n·d_ℓ`
/// rows), so its singular values are those of every sample's Jacobian together.
///
/// Singular values: `singularValues()` builds `J` column by column (`N_k` tangent passes) and
/// calls LAPACK — for small sizes; `extremeSingularValues` runs Lanczos on the smaller of `J Jᵀ`
/// and `Jᵀ J` — for large ones. All singular values in `[s_min, s_max]` bound the angle:
/// `cos θ_ℓ ≥ 2 s_min s_max/(s_min² + s_max²)` (`AlignmentBounds.isometry`).
public struct LayerJacobian<Scalar: BLASScalar>: Sendable {
  /// The network (parameters fixed).
  public let network: Network<Scalar>
  /// Positions `k < ℓ` (0-based forward order).
  public let from: Int, to: Int
  /// Products (`J v` or `Jᵀ u`) computed so far.
  public private(set) var productCount = 0

  private var workspace: Workspace<Scalar>
  private var input: Matrix<Scalar>
  private var output: Matrix<Scalar>

  /// `J_{from→to}` on the batch `inputs` (`n × d_0`); runs the forward pass once.
  public init(network: Network<Scalar>, inputs: Matrix<Scalar>, from: Int, to: Int) {
    precondition(from >= 0 && from < to && to < network.spec.layers.count, "LayerJacobian: need 0 ≤ from < to < layers")
    self.network = network
    self.from = from
    self.to = to
    workspace = Workspace(spec: network.spec, rows: inputs.rows, backward: true, tangents: true)
    workspace.input.copy(from: inputs)
    network.forward(&workspace)
    input = Matrix(rows: inputs.rows, columns: network.spec.layers[from].outputWidth)
    output = Matrix(rows: inputs.rows, columns: network.spec.layers[to].outputWidth)
  }

  /// `N_k = n·d_from`, the dimension of the domain.
  public var inputDimension: Int { input.count }
  /// `N_ℓ = n·d_to`, the dimension of the range.
  public var outputDimension: Int { output.count }

  /// `J v` for `v` of shape `n × d_from`.
  public mutating func apply(_ v: Matrix<Scalar>) -> Matrix<Scalar> {
    network.tangent(.fixedParameters, &workspace, startingAt: (from, v), through: to)
    productCount += 1
    return workspace.featureTangents[to]
  }

  /// `Jᵀ u` for `u` of shape `n × d_to`.
  public mutating func applyTranspose(_ u: Matrix<Scalar>) -> Matrix<Scalar> {
    var none: NetworkParameters<Scalar>? = nil
    network.pullback(from: to, seed: u, &workspace, gradients: &none, downTo: from)
    productCount += 1
    return workspace.backward[from]
  }

  /// `y = J Jᵀ x` (on `R^{N_ℓ}`, `transposeFirst == false`) or `y = Jᵀ J x` (on `R^{N_k}`), on
  /// flattened row-major vectors: the Gram operators `LanczosEigensolver` takes.
  public mutating func gram(_ x: [Double], into y: inout [Double], onDomain: Bool) {
    if onDomain {
      input.setEntries(from: x)
      output = apply(input)
      applyTranspose(output).copyEntries(into: &y)
    } else {
      output.setEntries(from: x)
      input = applyTranspose(output)
      apply(input).copyEntries(into: &y)
    }
  }

  /// Every singular value of `J` (descending; `min(N_k, N_ℓ)` of them), from the dense Jacobian
  /// built by `N_k` tangent passes. For small sizes (tests, narrow networks).
  /// - Throws: `NumericError` if the SVD fails.
  public mutating func singularValues() throws -> [Double] {
    var entries = [Double](repeating: 0, count: outputDimension * inputDimension)
    var basis = [Double](repeating: 0, count: inputDimension)
    var column = [Double]()
    for j in 0..<inputDimension {
      basis[j] = 1
      input.setEntries(from: basis)
      basis[j] = 0
      apply(input).copyEntries(into: &column)
      for i in 0..<outputDimension { entries[i * inputDimension + j] = column[i] }
    }
    return try Matrix<Double>(rows: outputDimension, columns: inputDimension, storage: entries).singularValues()
  }

  /// The largest and smallest singular values by Lanczos on the Gram operator of the smaller side
  /// (`Jᵀ J` when `N_k ≤ N_ℓ`, else `J Jᵀ`, whose extra eigenvalues would be zeros), each product
  /// one tangent and one pullback pass.
  /// - Returns: `s_max`, `s_min` (square roots of the extreme eigenvalues, negatives clamped to 0)
  ///   and the Lanczos result.
  public mutating func extremeSingularValues(using solver: LanczosEigensolver) throws -> (largest: Double, smallest: Double, lanczos: LanczosResult) {
    let onDomain = inputDimension <= outputDimension
    var jacobian = self
    let result = try solver.extremeEigenvalues(dimension: onDomain ? inputDimension : outputDimension) { x, y in
      jacobian.gram(x, into: &y, onDomain: onDomain)
    }
    self = jacobian
    return (max(result.largest, 0).squareRoot(), max(result.smallest, 0).squareRoot(), result)
  }
}
