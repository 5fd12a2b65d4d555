/// Which Newton–Schulz polynomial `NewtonSchulz` iterates. Raw values are CLI slugs.
public enum NewtonSchulzVariant: String, Codable, CaseIterable, Sendable {
  /// The classical cubic iteration `X ← 1.5 X − 0.5 X XᵀX`: converges (quadratically, once the
  /// singular values are near 1) to the exact polar factor; iterated until the change is small.
  case cubic
  /// Muon's quintic iteration `X ← a X + b (XXᵀ) X + c (XXᵀ)² X` with
  /// `(a, b, c) = (3.4445, −4.7750, 2.0315)`, a fixed number of steps (default 5). Approximate:
  /// after 5 steps every singular value ≥ ≈ 1e-2·‖A‖_F ends in ≈ [0.7, 1.2] (precisely
  /// [0.68, 1.14]) instead of at 1; smaller ones stay below that range, zeros stay zero.
  case quintic
}

/// Orthogonalizes a matrix by a Newton–Schulz iteration: returns (approximately) its polar factor
/// `U Vᵀ`, where `A = U Σ Vᵀ` is the thin SVD restricted to the *nonzero* singular values, so a
/// rank-deficient `A` (e.g. a gradient over a batch smaller than the width) maps to a partial
/// isometry of the same rank. Used by spectral descent (theory §5.1 [SC]).
///
/// Shapes: `A` is `m × n` (any aspect ratio). The iteration starts from `X₀ = A/‖A‖_F` (all
/// singular values in (0, 1]) and works on the smaller Gram matrix: `XXᵀ` (`m × m`) when
/// `m ≤ n`, else `XᵀX` (`n × n`), so each step is two or three BLAS gemms with a `min(m,n)`-sized
/// inner factor. Singular values below ≈ `tolerance` (cubic) are not resolved: they are treated
/// as zero directions, which rounding may leave slightly nonzero.
///
/// The value owns its buffers and reuses them while the shape is unchanged: after the first call
/// for a shape, a call allocates nothing.
public struct NewtonSchulz<Scalar: BLASScalar>: Sendable {
  /// The polynomial.
  public var variant: NewtonSchulzVariant
  /// Quintic: the number of steps. Cubic: the maximum number of steps.
  public var steps: Int
  /// Cubic only: stop once `‖X_{k+1} − X_k‖_F ≤ tolerance` (after the normalization to
  /// `‖X₀‖_F = 1`; the error after that step is then ≈ 1.5·tolerance²).
  public var tolerance: Double
  /// Steps taken by the last call (diagnostics and tests).
  public private(set) var lastStepCount = 0

  /// Muon's quintic coefficients `(a, b, c)`.
  public static var quinticCoefficients: (a: Double, b: Double, c: Double) { (3.4445, -4.7750, 2.0315) }

  private var scratch = Matrix<Scalar>(rows: 0, columns: 0)  // m × n, the next iterate
  private var gram = Matrix<Scalar>(rows: 0, columns: 0)  // k × k, XXᵀ or XᵀX
  private var polynomial = Matrix<Scalar>(rows: 0, columns: 0)  // k × k, b·G + c·G² (quintic)

  /// - Parameters:
  ///   - variant: cubic (exact polar factor) or quintic (Muon, approximate).
  ///   - steps: quintic: number of steps (≥ 1, default 5); cubic: cap (default 100).
  ///   - tolerance: cubic stopping threshold; default `√ulp` of `Scalar` (≈ 1.5e-8 in Double,
  ///     3.5e-4 in Float), which leaves an error at the rounding level.
  public init(variant: NewtonSchulzVariant = .quintic, steps: Int? = nil, tolerance: Double? = nil) {
    self.variant = variant
    self.steps = steps ?? (variant == .quintic ? 5 : 100)
    precondition(self.steps >= 1, "Newton–Schulz needs at least one step, got \(self.steps)")
    self.tolerance = tolerance ?? Double(Scalar.ulpOfOne).squareRoot()
  }

  /// Writes the (approximate) polar factor of `matrix` into `result` (same shape). A zero
  /// matrix gives a zero result.
  public mutating func orthogonalize(_ matrix: Matrix<Scalar>, into result: inout Matrix<Scalar>) {
    precondition(
      result.rows == matrix.rows && result.columns == matrix.columns,
      "orthogonalize: \(matrix.rows)×\(matrix.columns) into \(result.rows)×\(result.columns)")
    let (m, n) = (matrix.rows, matrix.columns)
    let k = min(m, n)
    let wide = m <= n
    if scratch.rows != m || scratch.columns != n { scratch = Matrix(rows: m, columns: n) }
    if gram.rows != k {
      gram = Matrix(rows: k, columns: k)
      polynomial = Matrix(rows: k, columns: k)
    }
    lastStepCount = 0
    let norm = matrix.norm
    guard norm > 0, norm.isFinite else {
      result.assign(matrix, scaledBy: norm == 0 ? 0 : 1)  // zeros, or NaN/±∞ passed through
      return
    }
    result.assign(matrix, scaledBy: Scalar(1 / norm))
    let (a, b, c) = Self.quinticCoefficients
    for _ in 0..<steps {
      lastStepCount += 1
      // G = XXᵀ (wide) or XᵀX (tall), k × k.
      gram.gemm(result, result, transposeA: !wide, transposeB: wide)
      switch variant {
      case .cubic:
        // X' = 1.5 X − 0.5 G X (wide) or 1.5 X − 0.5 X G (tall).
        if wide {
          scratch.gemm(gram, result, alpha: -0.5)
        } else {
          scratch.gemm(result, gram, alpha: -0.5)
        }
        scratch.add(result, scaledBy: 1.5)
      case .quintic:
        // P = b G + c G², X' = a X + P X (wide) or a X + X P (tall).
        polynomial.gemm(gram, gram, alpha: Scalar(c))
        polynomial.add(gram, scaledBy: Scalar(b))
        if wide {
          scratch.gemm(polynomial, result)
        } else {
          scratch.gemm(result, polynomial)
        }
        scratch.add(result, scaledBy: Scalar(a))
      }
      let change = variant == .cubic ? scratch.squaredDistance(to: result).squareRoot() : .infinity
      swap(&result, &scratch)  // exchanges the buffers: no copy, no allocation
      if change <= tolerance { break }
    }
  }
}
