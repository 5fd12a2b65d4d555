/// The spectral norm `‖A‖_*` (largest singular value) by power iteration on `AᵀA`, warm-started
/// from the previous call's right singular vector (theory §3.4).
///
/// Each iteration costs two matrix–vector products and yields two lower bounds of the norm,
/// `‖A v‖ ≤ ‖AᵀA v‖/‖A v‖ ≤ ‖A‖_*` for a unit `v`; iteration stops when they (or two successive
/// estimates) agree to `relativeTolerance`, or after `maximumIterations`. A warm start from a
/// matrix that changed little (the same weight one step later) usually stops after one iteration.
/// Tested against `Matrix.spectralNormBySVD()`.
public struct SpectralNormEstimator<Scalar: BLASScalar>: Sendable {
  /// Stop when `|σ_k − σ_{k−1}| ≤ relativeTolerance · σ_k`.
  public var relativeTolerance: Double
  /// Upper bound on iterations per call.
  public var maximumIterations: Int
  /// Iterations used by the last call (diagnostics and tests).
  public private(set) var lastIterationCount = 0
  /// Seed of the deterministic cold-start vector.
  public let seed: UInt64

  private var right: [Scalar] = []  // unit right singular vector estimate, `columns` entries
  private var left: [Scalar] = []  // A·right, `rows` entries
  private var inner: [Scalar] = []  // the n-vector of a factored product

  /// - Parameters:
  ///   - relativeTolerance: convergence threshold on the relative change of the estimate.
  ///   - maximumIterations: cap per call (≥ 1).
  ///   - seed: seed of the cold-start vector, so that estimates are reproducible.
  public init(relativeTolerance: Double = 1e-4, maximumIterations: Int = 100, seed: UInt64 = 0) {
    precondition(maximumIterations >= 1, "maximumIterations must be ≥ 1")
    self.relativeTolerance = relativeTolerance
    self.maximumIterations = maximumIterations
    self.seed = seed
  }

  /// Estimates `‖a‖_*`, reusing the previous right singular vector when the shape is unchanged.
  /// Returns 0 for a zero matrix and NaN when `a` holds NaN or ±∞.
  public mutating func estimate(_ a: Matrix<Scalar>) -> Double {
    run(columns: a.columns, rows: a.rows) { v, u in
      a.gemv(v, into: &u)
    } transposed: { u, v in
      a.gemv(u, into: &v, transpose: true)
    }
  }

  /// Estimates `‖aᵀ b‖_*` for `a` (`n × m`) and `b` (`n × k`) without forming the `m × k`
  /// product: each product goes through the `n`-vector `b v` (for a rank-`n` matrix such as a
  /// gradient `dyᵀ g` over a batch of `n`, that reads `n·(m + k)` entries instead of `m·k`).
  public mutating func estimate(transposeProduct a: Matrix<Scalar>, _ b: Matrix<Scalar>) -> Double {
    precondition(a.rows == b.rows, "estimate(transposeProduct:): \(a.rows) and \(b.rows) rows")
    var scratch = inner.count == a.rows ? inner : [Scalar](repeating: 0, count: a.rows)
    inner = []  // keep `scratch` uniquely referenced while in use
    defer { inner = scratch }
    return run(columns: b.columns, rows: a.columns) { v, u in
      b.gemv(v, into: &scratch)
      a.gemv(scratch, into: &u, transpose: true)
    } transposed: { u, v in
      a.gemv(u, into: &scratch)
      b.gemv(scratch, into: &v, transpose: true)
    }
  }

  /// Power iteration for an operator `A` (`rows × columns`) given by its products `u = A v` and
  /// `v = Aᵀ u`.
  private mutating func run(
    columns: Int, rows: Int, product: (_ v: [Scalar], _ u: inout [Scalar]) -> Void,
    transposed: (_ u: [Scalar], _ v: inout [Scalar]) -> Void
  ) -> Double {
    lastIterationCount = 0
    if columns == 0 || rows == 0 { return 0 }
    if right.count != columns || left.count != rows {
      var generator = SeededGenerator(seed: seed)
      var start = [Double](repeating: 0, count: columns)
      for i in start.indices { start[i] = generator.nextGaussian() }
      right = start.map { Scalar($0) }
      left = [Scalar](repeating: 0, count: rows)
      normalizeRight()
    }
    // Each iteration gives two lower bounds of σ_max for a unit v: ‖A v‖, and the better
    // ‖Aᵀ A v‖/‖A v‖ (≥ ‖A v‖ by Cauchy–Schwarz). Their gap measures convergence, so a warm start
    // near the top singular vector stops after a single iteration (two matrix–vector products).
    var estimate = 0.0
    for iteration in 1...maximumIterations {
      lastIterationCount = iteration
      product(right, &left)
      let lower = Double(dotSelf(left)).squareRoot()
      if !lower.isFinite { return .nan }
      if lower == 0 { return 0 }
      transposed(left, &right)
      let better = normalizeRight() / lower
      if !better.isFinite { return .nan }
      let converged = abs(better - lower) <= relativeTolerance * better || abs(better - estimate) <= relativeTolerance * better
      estimate = better
      if converged { break }
    }
    return estimate
  }

  private func dotSelf(_ v: [Scalar]) -> Scalar {
    v.withUnsafeBufferPointer { Scalar.dot(count: v.count, $0.baseAddress!, $0.baseAddress!) }
  }

  /// Scales `right` to unit norm and returns its norm before scaling.
  @discardableResult
  private mutating func normalizeRight() -> Double {
    let n = Double(dotSelf(right)).squareRoot()
    if n > 0 && n.isFinite {
      let count = right.count
      right.withUnsafeMutableBufferPointer { Scalar.scal(count: count, alpha: Scalar(1 / n), $0.baseAddress!) }
    }
    return n
  }
}
