import RealModule

/// A floating-point type that FeatureSpeed computes with: `Float` or `Double`.
///
/// Every per-element loop of the library lives behind one of these requirements, implemented once
/// for `Float` and once for `Double` in this module. Generic code elsewhere (networks, measurements,
/// training) therefore pays one dynamic dispatch per *kernel call*, never per element, and stays
/// fast without being `@inlinable` (see SWIFT-NOTES: unspecialized generic arithmetic is ~230×
/// slower). Dense products go to BLAS (OpenBLAS on Linux, Accelerate on macOS), eigenproblems and
/// singular values to LAPACK.
///
/// All matrices are row-major and dense. Pointers passed to a kernel must not overlap unless the
/// kernel says so.
public protocol BLASScalar: Real, BinaryFloatingPoint, SIMDScalar, Sendable, Codable
where Self.RawSignificand: FixedWidthInteger {
  /// Stable slug of the type, used in configs and CLI flags: `float32` or `float64`.
  static var dtypeSlug: String { get }
  /// The dtype code of the safetensors format: `F32` or `F64`.
  static var safetensorsDType: String { get }

  // MARK: BLAS

  /// `C = alpha · op(A) · op(B) + beta · C` (row-major gemm). `op(A)` is `m × k`, `op(B)` is
  /// `k × n`, `C` is `m × n`; `lda`, `ldb`, `ldc` are the row strides of the stored matrices.
  static func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Self,
    a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
    beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)

  /// `C = alpha · A Aᵀ + beta · C` on the **upper triangle** of the `n × n` matrix `C`, with `A`
  /// stored row-major as `n × k` (BLAS syrk; half the flops of the equivalent gemm).
  static func syrk(
    n: Int, k: Int, alpha: Self, a: UnsafePointer<Self>, lda: Int, beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)

  /// `C = alpha · A · B + beta · C` where `A` is the symmetric `m × m` matrix whose **upper
  /// triangle** is stored row-major, `B` and `C` are `m × n` (BLAS symm, left side).
  static func symm(
    m: Int, n: Int, alpha: Self, a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
    beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)

  /// `y = alpha · op(A) · x + beta · y` with `A` stored row-major as `m × n` (gemv).
  static func gemv(
    transpose: Bool, m: Int, n: Int, alpha: Self, a: UnsafePointer<Self>, lda: Int,
    x: UnsafePointer<Self>, beta: Self, y: UnsafeMutablePointer<Self>)

  /// `Σ x_i y_i` over `count` elements (BLAS dot).
  static func dot(count: Int, _ x: UnsafePointer<Self>, _ y: UnsafePointer<Self>) -> Self

  /// `y += alpha · x` over `count` elements (BLAS axpy).
  static func axpy(count: Int, alpha: Self, _ x: UnsafePointer<Self>, _ y: UnsafeMutablePointer<Self>)

  /// `x *= alpha` over `count` elements (BLAS scal).
  static func scal(count: Int, alpha: Self, _ x: UnsafeMutablePointer<Self>)

  // MARK: LAPACK

  /// Eigenvalues (ascending) and optionally eigenvectors of the symmetric `n × n` matrix `a`
  /// (LAPACK syevd). With `computeVectors`, on return column `i` of the row-major `a` holds the
  /// unit eigenvector of eigenvalue `i`.
  /// - Returns: LAPACK's `info` (0 on success).
  static func symmetricEigen(
    n: Int, a: UnsafeMutablePointer<Self>, computeVectors: Bool, values: UnsafeMutablePointer<Self>
  ) -> Int

  /// Singular value decomposition of the row-major `m × n` matrix `a` (LAPACK gesdd), singular
  /// values descending into `s` (`min(m, n)` entries). If `u` and `vt` are given, the thin
  /// factors: `u` is `m × min(m,n)`, `vt` is `min(m,n) × n`, both row-major. `a` is destroyed.
  /// - Returns: LAPACK's `info` (0 on success).
  static func singularValueDecomposition(
    m: Int, n: Int, a: UnsafeMutablePointer<Self>, s: UnsafeMutablePointer<Self>,
    u: UnsafeMutablePointer<Self>?, vt: UnsafeMutablePointer<Self>?
  ) -> Int

  // MARK: Elementwise kernels (theory §2 activations, §1 losses)

  /// `y = φ(x)` elementwise. `x` and `y` may be the same buffer.
  static func activate(
    _ activation: Activation, _ x: UnsafePointer<Self>, _ y: UnsafeMutablePointer<Self>, count: Int)

  /// `out = base + φ'(x) ⊙ g` elementwise, or `out = φ'(x) ⊙ g` when `base` is nil. Used by the
  /// backward pass (`g` = gradient w.r.t. `φ(x)`) and the tangent pass (`g` = tangent of `x`).
  /// `out` may alias `g` or `base`.
  static func multiplyByDerivative(
    _ activation: Activation, preactivation x: UnsafePointer<Self>, _ g: UnsafePointer<Self>,
    adding base: UnsafePointer<Self>?, into out: UnsafeMutablePointer<Self>, count: Int)

  /// Adds `alpha · v` to every row of the row-major `rows × columns` matrix `x` (bias broadcast).
  static func addToRows(
    _ v: UnsafePointer<Self>, alpha: Self, _ x: UnsafeMutablePointer<Self>, rows: Int, columns: Int)

  /// `out = alpha · Σ_i x[i, :]` (column sums of a row-major `rows × columns` matrix), or
  /// `out += …` when `accumulate` is true.
  static func columnSums(
    _ x: UnsafePointer<Self>, rows: Int, columns: Int, alpha: Self, accumulate: Bool,
    into out: UnsafeMutablePointer<Self>)

  /// Mean squared error `ℒ = (1/2n) Σ ‖output_i − target_i‖²` over `rows = n` samples, and its
  /// gradient `(output − target)/n` into `gradient` when non-nil (theory §1).
  static func meanSquaredError(
    output: UnsafePointer<Self>, target: UnsafePointer<Self>,
    gradient: UnsafeMutablePointer<Self>?, rows: Int, columns: Int) -> Double

  /// Softmax cross-entropy averaged over `rows = n` samples with integer labels in
  /// `0..<columns`, its gradient `(softmax − onehot)/n` into `gradient` when non-nil, and the
  /// number of rows whose arg-max equals the label (theory §1).
  static func softmaxCrossEntropy(
    logits: UnsafePointer<Self>, labels: UnsafePointer<Int32>,
    gradient: UnsafeMutablePointer<Self>?, rows: Int, columns: Int) -> (loss: Double, correct: Int)

  /// Number of rows whose arg-max column equals the arg-max column of `target` (accuracy of a
  /// regression onto one-hot targets).
  static func matchingArgmaxCount(
    _ x: UnsafePointer<Self>, _ target: UnsafePointer<Self>, rows: Int, columns: Int) -> Int

  /// `y = Self(x)` elementwise.
  static func convert(_ x: UnsafePointer<Float>, to y: UnsafeMutablePointer<Self>, count: Int)
  /// `y = Self(x)` elementwise.
  static func convert(_ x: UnsafePointer<Double>, to y: UnsafeMutablePointer<Self>, count: Int)
  /// `y = Double(x)` elementwise.
  static func convertToDouble(_ x: UnsafePointer<Self>, to y: UnsafeMutablePointer<Double>, count: Int)

  /// `true` when no element is NaN or ±∞.
  static func allFinite(_ x: UnsafePointer<Self>, count: Int) -> Bool

  /// `Σ (x_i − y_i)²`, accumulated in `Double`.
  static func squaredDistance(_ x: UnsafePointer<Self>, _ y: UnsafePointer<Self>, count: Int) -> Double

  /// `d = x − y` elementwise, returning `Σ x_i²` and `Σ d_i²` (accumulated in `Double`) from the
  /// same pass. `d` may alias neither input.
  static func difference(
    _ x: UnsafePointer<Self>, _ y: UnsafePointer<Self>, into d: UnsafeMutablePointer<Self>, count: Int
  ) -> (xSquared: Double, differenceSquared: Double)

  /// Adam's entry-wise moment update and direction: `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`
  /// in place, then `out = (m/c₁) / (√(v/c₂) + ε)` with the bias corrections `c₁ = 1 − β₁ᵗ`,
  /// `c₂ = 1 − β₂ᵗ` passed in. `out` must not overlap the other buffers.
  static func adamDirection(
    gradient g: UnsafePointer<Self>, firstMoment m: UnsafeMutablePointer<Self>,
    secondMoment v: UnsafeMutablePointer<Self>, into out: UnsafeMutablePointer<Self>, count: Int,
    beta1: Self, beta2: Self, firstCorrection: Self, secondCorrection: Self, epsilon: Self)
}
