/// Extreme eigenvalues of a symmetric operator known only through its products `y = A x`, by
/// Lanczos with full reorthogonalization (theory §4: the spectrum of the backward-to-feature kernel
/// `K_ℓ` and of `J Jᵀ` for layer-to-layer Jacobians, never formed as matrices).
///
/// Shapes: the operator acts on `R^N` (`N = dimension`); vectors are `[Double]` of `N` entries.
/// Iteration `k` costs one product and builds the `k × k` tridiagonal `T_k = Q_kᵀ A Q_k` over the
/// orthonormal Krylov basis `Q_k` (`k × N`, one Lanczos vector per row). Each new vector is
/// orthogonalized against **all** previous ones by classical Gram–Schmidt applied twice (two gemv
/// pairs), so the Ritz values (eigenvalues of `T_k`) stay free of the spurious copies of plain
/// Lanczos. For a symmetric operator every Ritz value lies in `[λ_min, λ_max]`, so `largest` only
/// grows towards `λ_max` and `smallest` only falls towards `λ_min` as `k` grows.
///
/// Stopping, checked after every product (the checks cost no products):
/// - `converged`: both extreme Ritz pairs have residual bound `|β_k s_{k,i}| ≤ relativeTolerance · |θ_i|`,
///   where `s_{k,i}` is the last entry of the unit eigenvector of `T_k` for `θ_i`. The bound is
///   `‖A y_i − θ_i y_i‖` for the Ritz vector `y_i`, so an eigenvalue of `A` lies within it of `θ_i`.
/// - `invariantSubspace`: `β_k ≤ 1e-12 · max|θ|` or `k = N`; the Ritz values are then eigenvalues
///   of `A` to rounding (a rank-`r` operator from a random start: after `r + 1` products in exact
///   arithmetic, one or two more when its null space is null only to rounding).
/// - `productLimit`: `maximumProducts` products were used without either of the above.
/// - `nonFinite`: a product returned NaN or ±∞ (e.g. a diverged network); the values are NaN.
///
/// The smallest Ritz value is reported as it is. A PSD operator with a null space (the BFK has
/// rank at most the number of parameters) has `λ_min = 0`: then `smallest` is ≥ 0 (to rounding),
/// approaches 0 from above, and meets its relative residual test only at an invariant subspace —
/// on a large singular operator expect `productLimit` and read `smallestResidualBound` as its
/// accuracy. Likewise a spectrum that decays to 0 without a gap (a pure power law) gives the
/// largest eigenvalue in a few products but the smallest only slowly.
/// A caller-given start vector orthogonal to some eigenvector never sees that eigenvalue.
///
/// Cost besides the products: per iteration two gemv pairs over `Q_k` and a dense `k × k`
/// eigensolve of `T_k` (LAPACK syevd; negligible next to a kernel product for `k` up to a few
/// hundred). Memory: `min(maximumProducts, N)` vectors of `N` doubles. Tested against dense
/// LAPACK (`Matrix.symmetricEigen`).
public struct LanczosEigensolver: Sendable {
  /// Relative residual tolerance of the two extreme Ritz values (see the type's documentation).
  public var relativeTolerance: Double
  /// Upper bound on operator products (each iteration uses exactly one).
  public var maximumProducts: Int
  /// Seed of the Gaussian start vector (stream `"lanczos"`), so that results are reproducible.
  public var seed: UInt64

  /// - Parameters:
  ///   - relativeTolerance: residual tolerance relative to `|θ|`, e.g. `1e-3` (theory §4 budget:
  ///     extreme eigenvalues to `1e-3` relative in ≤ 60 products).
  ///   - maximumProducts: cap on products (≥ 1); at most `N` are ever used.
  ///   - seed: seed of the start vector when the caller does not give one.
  public init(relativeTolerance: Double = 1e-3, maximumProducts: Int = 60, seed: UInt64 = 0) {
    precondition(relativeTolerance >= 0, "relativeTolerance must be ≥ 0, got \(relativeTolerance)")
    precondition(maximumProducts >= 1, "maximumProducts must be ≥ 1, got \(maximumProducts)")
    self.relativeTolerance = relativeTolerance
    self.maximumProducts = maximumProducts
    self.seed = seed
  }

  /// Runs Lanczos on the symmetric operator `A` of `R^dimension`.
  ///
  /// - Parameters:
  ///   - dimension: `N ≥ 1`, the length of every vector.
  ///   - startVector: `N` entries, not all zero; `nil` draws a Gaussian vector from
  ///     `SeededGenerator(seed: seed, stream: "lanczos")`.
  ///   - needsSmallest: when false, stop as soon as the largest Ritz value meets the tolerance
  ///     (the smallest is known otherwise); `converged` then refers to the largest only.
  ///   - product: computes `y = A x`. `x` is a unit vector of `N` entries; `y` (`N` entries)
  ///     arrives filled with zeros, so the closure may overwrite or accumulate. `A` must be
  ///     symmetric; only then are the Ritz values bounds on the spectrum.
  /// - Returns: the extreme Ritz values, their residual bounds, all Ritz values and the exact
  ///   number of calls of `product`.
  /// - Throws: `NumericError.lapackFailure` if the tridiagonal eigensolve fails (it does not for
  ///   finite input).
  public func extremeEigenvalues(
    dimension: Int, startVector: [Double]? = nil, needsSmallest: Bool = true,
    product: (_ x: [Double], _ y: inout [Double]) -> Void
  ) throws -> LanczosResult {
    let n = dimension
    precondition(n >= 1, "LanczosEigensolver: dimension must be ≥ 1, got \(n)")
    var q = startVector ?? Self.gaussianVector(count: n, seed: seed)
    precondition(q.count == n, "LanczosEigensolver: start vector has \(q.count) entries, dimension is \(n)")
    let startNorm = norm(q)
    precondition(startNorm > 0 && startNorm.isFinite, "LanczosEigensolver: start vector must be nonzero and finite")
    scale(&q, by: 1 / startNorm)

    let capacity = Swift.min(maximumProducts, n)
    var basis = Matrix<Double>(rows: capacity, columns: n)  // Q_k: row j is Lanczos vector j
    var w = [Double](repeating: 0, count: n)
    var projection = [Double](repeating: 0, count: capacity)  // Q_k w
    var alpha: [Double] = []  // diagonal of T_k
    var beta: [Double] = []  // off-diagonal of T_k, then β_k

    for k in 1...capacity {
      basis.withUnsafeMutableBufferPointer { b in
        q.withUnsafeBufferPointer { (b.baseAddress! + (k - 1) * n).update(from: $0.baseAddress!, count: n) }
      }
      w.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
      product(q, &w)
      precondition(w.count == n, "LanczosEigensolver: product returned \(w.count) entries, dimension is \(n)")
      if !w.withUnsafeBufferPointer({ Double.allFinite($0.baseAddress!, count: n) }) {
        return .nonFinite(products: k)
      }

      // w ← (I − Q_kᵀQ_k)² w. The first pass holds the three-term recurrence (α_k at entry k,
      // β_{k−1} at entry k − 1, zeros elsewhere in exact arithmetic); the second removes what
      // rounding left, which keeps Q_k orthonormal to working precision.
      var diagonal = 0.0
      for _ in 0..<2 {
        orthogonalize(&w, against: basis, rows: k, projection: &projection)
        diagonal += projection[k - 1]
      }
      alpha.append(diagonal)
      let residualNorm = norm(w)
      beta.append(residualNorm)

      let (ritzValues, lastComponents) = try Self.tridiagonalEigen(alpha: alpha, beta: beta.dropLast())
      let bounds = lastComponents.map { abs(residualNorm * $0) }
      let operatorScale = Swift.max(abs(ritzValues[0]), abs(ritzValues[k - 1]))  // ≈ ‖A‖
      let stopReason: LanczosStopReason?
      if residualNorm <= 1e-12 * operatorScale || k == n {
        stopReason = .invariantSubspace
      } else if bounds[k - 1] <= relativeTolerance * abs(ritzValues[k - 1])
        && (!needsSmallest || bounds[0] <= relativeTolerance * abs(ritzValues[0]))
      {
        stopReason = .converged
      } else if k == capacity {
        stopReason = .productLimit
      } else {
        stopReason = nil
      }
      if let stopReason {
        return LanczosResult(
          largest: ritzValues[k - 1], smallest: ritzValues[0], largestResidualBound: bounds[k - 1],
          smallestResidualBound: bounds[0], ritzValues: ritzValues, products: k, stopReason: stopReason)
      }
      q = w
      scale(&q, by: 1 / residualNorm)
    }
    preconditionFailure("LanczosEigensolver: the loop returns at k = min(maximumProducts, N)")
  }

  /// `w ← w − Q_kᵀ (Q_k w)` over the first `rows` rows of `basis`; `projection[0..<rows]` gets `Q_k w`.
  private func orthogonalize(_ w: inout [Double], against basis: Matrix<Double>, rows: Int, projection: inout [Double]) {
    let n = basis.columns
    basis.withUnsafeBufferPointer { b in
      w.withUnsafeMutableBufferPointer { pw in
        projection.withUnsafeMutableBufferPointer { ph in
          Double.gemv(
            transpose: false, m: rows, n: n, alpha: 1, a: b.baseAddress!, lda: n, x: pw.baseAddress!, beta: 0,
            y: ph.baseAddress!)
          Double.gemv(
            transpose: true, m: rows, n: n, alpha: -1, a: b.baseAddress!, lda: n, x: ph.baseAddress!, beta: 1,
            y: pw.baseAddress!)
        }
      }
    }
  }

  /// Eigenvalues (ascending) of the symmetric tridiagonal matrix with diagonal `alpha` (`k`
  /// entries) and off-diagonal `beta` (`k − 1` entries), and the last entry of each unit eigenvector.
  private static func tridiagonalEigen(
    alpha: [Double], beta: ArraySlice<Double>
  ) throws -> (values: [Double], lastComponents: [Double]) {
    let k = alpha.count
    var t = Matrix<Double>(rows: k, columns: k)
    for i in 0..<k { t[i, i] = alpha[i] }
    for (i, b) in zip(0..., beta) { t[i, i + 1] = b }  // symmetricEigen reads the upper triangle
    let (values, vectors) = try t.symmetricEigen(computeVectors: true)
    return (values, vectors!.row(k - 1))
  }

  private static func gaussianVector(count: Int, seed: UInt64) -> [Double] {
    var generator = SeededGenerator(seed: seed, stream: "lanczos")
    return (0..<count).map { _ in generator.nextGaussian() }
  }

  private func norm(_ x: [Double]) -> Double {
    x.withUnsafeBufferPointer { Double.dot(count: x.count, $0.baseAddress!, $0.baseAddress!) }.squareRoot()
  }

  private func scale(_ x: inout [Double], by alpha: Double) {
    let count = x.count
    x.withUnsafeMutableBufferPointer { Double.scal(count: count, alpha: alpha, $0.baseAddress!) }
  }
}

/// Why `LanczosEigensolver` stopped; the raw values are stable slugs for CSV files.
public enum LanczosStopReason: String, Sendable {
  /// Both extreme Ritz values met the relative residual tolerance.
  case converged
  /// The Krylov space became invariant (`β_k` ≈ 0, or `k = N`): the Ritz values are exact.
  case invariantSubspace = "invariant_subspace"
  /// `maximumProducts` products were used first; the residual bounds say how accurate the values are.
  case productLimit = "product_limit"
  /// A product returned NaN or ±∞; all values are NaN.
  case nonFinite = "non_finite"
}

/// The outcome of `LanczosEigensolver.extremeEigenvalues` (theory §4).
public struct LanczosResult: Sendable, Equatable {
  /// The largest Ritz value `θ_max ≤ λ_max`.
  public var largest: Double
  /// The smallest Ritz value `θ_min ≥ λ_min` (for a singular PSD operator it approaches 0 from above).
  public var smallest: Double
  /// `|β_k s_{k,max}| = ‖A y − θ_max y‖`: an eigenvalue of `A` lies within it of `largest`.
  public var largestResidualBound: Double
  /// `|β_k s_{k,min}| = ‖A y − θ_min y‖`: an eigenvalue of `A` lies within it of `smallest`.
  public var smallestResidualBound: Double
  /// All `k` Ritz values (eigenvalues of `T_k`), ascending; `k = products` (empty when `nonFinite`).
  public var ritzValues: [Double]
  /// The exact number of operator products used (calls of the `product` closure).
  public var products: Int
  /// Why the iteration stopped.
  public var stopReason: LanczosStopReason

  /// `true` unless the product limit was hit or a product was non-finite: the extreme values then
  /// meet the tolerance (`converged`) or are exact (`invariantSubspace`).
  public var converged: Bool { stopReason == .converged || stopReason == .invariantSubspace }

  static func nonFinite(products: Int) -> LanczosResult {
    LanczosResult(
      largest: .nan, smallest: .nan, largestResidualBound: .nan, smallestResidualBound: .nan, ritzValues: [],
      products: products, stopReason: .nonFinite)
  }
}
