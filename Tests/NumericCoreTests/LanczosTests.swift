import Testing
import NumericCore
import _TestSupport

/// Lanczos extreme eigenvalues against dense LAPACK, its stopping rules and product counts (theory §4).
@Suite struct LanczosTests {
  /// Runs `solver` on the dense symmetric `a` with gemv as the product, checking that `products`
  /// counts the calls of the closure exactly.
  func lanczos(_ a: Matrix<Double>, _ solver: LanczosEigensolver, startVector: [Double]? = nil) throws -> LanczosResult {
    var calls = 0
    let result = try solver.extremeEigenvalues(dimension: a.rows, startVector: startVector) { x, y in
      calls += 1
      a.gemv(x, into: &y)
    }
    #expect(calls == result.products)
    return result
  }

  /// `BᵀB` for a Gaussian `B` of `samples × dimension`: PSD, rank `min(samples, dimension)`.
  func gram(dimension: Int, samples: Int, seed: UInt64) -> Matrix<Double> {
    var generator = SeededGenerator(seed: seed)
    let b = Matrix<Double>.gaussian(rows: samples, columns: dimension, standardDeviation: 1, using: &generator)
    var a = Matrix<Double>(rows: dimension, columns: dimension)
    a.gemm(b, b, transposeA: true)
    return a
  }

  /// `Q diag(eigenvalues) Qᵀ` with a random orthogonal `Q`.
  func symmetric(eigenvalues: [Double], seed: UInt64) throws -> Matrix<Double> {
    var generator = SeededGenerator(seed: seed)
    let n = eigenvalues.count
    let q = try Matrix<Double>.randomSemiOrthogonal(rows: n, columns: n, spectralNorm: 1, using: &generator)
    var scaled = q
    for i in 0..<n { for j in 0..<n { scaled[i, j] *= eigenvalues[j] } }
    var a = Matrix<Double>(rows: n, columns: n)
    a.gemm(scaled, q, transposeB: true)
    return a
  }

  @Test(
    "Extreme eigenvalues match dense LAPACK to 1e-8 on random PSD matrices BᵀB",
    arguments: [(dimension: 50, samples: 50), (dimension: 120, samples: 240), (dimension: 300, samples: 600)])
  func matchesDenseEigenvalues(dimension: Int, samples: Int) throws {
    let a = gram(dimension: dimension, samples: samples, seed: UInt64(dimension))
    let exact = try a.symmetricEigen().values
    let result = try lanczos(a, LanczosEigensolver(relativeTolerance: 1e-10, maximumProducts: dimension))
    #expect(result.converged, "\(result.stopReason) after \(result.products) products")
    #expect(relativeError(result.largest, exact.last!) < 1e-8)
    #expect(relativeError(result.smallest, exact.first!) < 1e-8)
    #expect(result.ritzValues == result.ritzValues.sorted() && result.ritzValues.count == result.products)
  }

  @Test("Before convergence the Ritz values lie in the spectrum and each residual bound holds")
  func residualBoundsHold() throws {
    let a = gram(dimension: 120, samples: 150, seed: 3)
    let exact = try a.symmetricEigen().values
    for budget in 1...20 {
      let result = try lanczos(a, LanczosEigensolver(relativeTolerance: 0, maximumProducts: budget))
      #expect(result.products == budget && result.stopReason == .productLimit)
      let slack = 1e-12 * exact.last!
      #expect(result.ritzValues.allSatisfy { exact.first! - slack <= $0 && $0 <= exact.last! + slack })
      for (value, bound) in [(result.largest, result.largestResidualBound), (result.smallest, result.smallestResidualBound)] {
        let distance = exact.map { abs($0 - value) }.min()!
        #expect(distance <= bound + slack, "\(budget) products: θ = \(value), distance \(distance), bound \(bound)")
      }
    }
  }

  @Test("A low-rank PSD matrix: invariant after ≈ rank + 1 products, smallest Ritz value 0, the top ones the nonzero spectrum")
  func lowRank() throws {
    let rank = 10
    let a = gram(dimension: 200, samples: rank, seed: 4)
    let exact = try a.symmetricEigen().values
    let result = try lanczos(a, LanczosEigensolver(relativeTolerance: 1e-10, maximumProducts: 100))
    #expect(result.stopReason == .invariantSubspace)
    // rank + 1 in exact arithmetic; the computed BᵀB has its null space only to rounding (a
    // cluster of 190 eigenvalues ~1e-14), which here costs one more product.
    #expect(result.products == rank + 1 || result.products == rank + 2, "\(result.products) products")
    #expect(abs(result.smallest) < 1e-12 * exact.last!)
    #expect(relativeError(Array(result.ritzValues.suffix(rank)), Array(exact.suffix(rank))) < 1e-10)
  }

  @Test("A clustered spectrum: the extremes of the outer clusters to 1e-8")
  func clusteredSpectrum() throws {
    var generator = SeededGenerator(seed: 5)
    let eigenvalues = (0..<150).map { i in [1.0, 4.0, 9.0][i % 3] * (1 + 1e-3 * generator.nextUniform()) }
    let a = try symmetric(eigenvalues: eigenvalues, seed: 6)
    let result = try lanczos(a, LanczosEigensolver(relativeTolerance: 1e-10, maximumProducts: 150))
    #expect(result.converged, "\(result.stopReason) after \(result.products) products")
    #expect(relativeError(result.largest, eigenvalues.max()!) < 1e-8)
    #expect(relativeError(result.smallest, eigenvalues.min()!) < 1e-8)
  }

  /// `y = H D H x` with `H = I − 2 v vᵀ` for a random unit `v`: a dense symmetric operator with
  /// eigenvalues `d` in O(N) per product.
  struct ReflectedDiagonal {
    let diagonal: [Double]
    let v: [Double]

    init(diagonal: [Double], seed: UInt64) {
      var generator = SeededGenerator(seed: seed)
      let g = diagonal.map { _ in generator.nextGaussian() }
      let norm = g.reduce(0) { $0 + $1 * $1 }.squareRoot()
      self.diagonal = diagonal
      self.v = g.map { $0 / norm }
    }

    func apply(_ x: [Double], _ y: inout [Double]) {
      var hx = x
      let vx = dot(v, x)
      for i in hx.indices { hx[i] = diagonal[i] * (hx[i] - 2 * vx * v[i]) }
      let vdhx = dot(v, hx)
      for i in y.indices { y[i] = hx[i] - 2 * vdhx * v[i] }
    }

    func dot(_ a: [Double], _ b: [Double]) -> Double {
      a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { Double.dot(count: a.count, pa.baseAddress!, $0.baseAddress!) } }
    }
  }

  @Test("N = 2000, power-law spectrum 0.2 + 1/i: both extremes to 1e-3 relative in ≤ 60 products")
  func powerLawOntoFloor() throws {
    let n = 2000
    let eigenvalues = (1...n).map { 0.2 + 1 / Double($0) }
    let op = ReflectedDiagonal(diagonal: eigenvalues, seed: 7)
    for seed: UInt64 in [1, 2, 3] {
      var calls = 0
      let result = try LanczosEigensolver(relativeTolerance: 1e-3, maximumProducts: 60, seed: seed)
        .extremeEigenvalues(dimension: n) { x, y in
          calls += 1
          op.apply(x, &y)
        }
      #expect(result.stopReason == .converged && result.products <= 60 && calls == result.products)
      #expect(relativeError(result.largest, eigenvalues.max()!) < 1e-3)
      #expect(relativeError(result.smallest, eigenvalues.min()!) < 1e-3)
    }
  }

  @Test("N = 2000, pure power law 1/i: the largest converges in ≤ 10 products, the smallest not in 60")
  func purePowerLaw() throws {
    let n = 2000
    let eigenvalues = (1...n).map { 1 / Double($0) }
    let op = ReflectedDiagonal(diagonal: eigenvalues, seed: 8)
    let early = try LanczosEigensolver(relativeTolerance: 1e-3, maximumProducts: 10, seed: 1)
      .extremeEigenvalues(dimension: n, product: op.apply)
    #expect(early.largestResidualBound <= 1e-3 * early.largest)
    #expect(relativeError(early.largest, 1) < 1e-3)
    // No gap at the bottom (λ_{N−1} − λ_N ≈ 1/N² ≪ λ_1): θ_min stays well above λ_min = 1/N,
    // and its residual bound says so.
    let late = try LanczosEigensolver(relativeTolerance: 1e-3, maximumProducts: 60, seed: 1)
      .extremeEigenvalues(dimension: n, product: op.apply)
    #expect(late.stopReason == .productLimit && !late.converged)
    #expect(late.smallest > 1.01 * eigenvalues.last!)
    #expect(late.smallestResidualBound > 1e-3 * late.smallest)
  }

  /// `A = Σ_i λ_i u_i u_iᵀ` over three orthonormal `u_i` (of `N = 100`), applied matrix-free.
  func rankThreeProduct(_ u: Matrix<Double>, _ lambda: [Double]) -> (_ x: [Double], _ y: inout [Double]) -> Void {
    { x, y in
      var coefficients = [Double](repeating: 0, count: 3)
      u.gemv(x, into: &coefficients)
      for i in 0..<3 { coefficients[i] *= lambda[i] }
      u.gemv(coefficients, into: &y, transpose: true)
    }
  }

  @Test("Breakdown: a rank-3 operator is exact after ≤ 4 products, without NaN")
  func rankThreeBreakdown() throws {
    var generator = SeededGenerator(seed: 9)
    let u = try Matrix<Double>.randomSemiOrthogonal(rows: 3, columns: 100, spectralNorm: 1, using: &generator)
    let lambda = [5.0, 2.0, 0.5]
    var calls = 0
    let product = rankThreeProduct(u, lambda)
    let result = try LanczosEigensolver(relativeTolerance: 1e-12, maximumProducts: 60)
      .extremeEigenvalues(dimension: 100) { x, y in
        calls += 1
        product(x, &y)
      }
    #expect(result.stopReason == .invariantSubspace && result.products <= 4 && calls == result.products)
    #expect(result.ritzValues.allSatisfy(\.isFinite) && result.smallestResidualBound.isFinite)
    #expect(relativeError(result.largest, 5) < 1e-12)
    #expect(abs(result.smallest) < 1e-12)
    #expect(relativeError(Array(result.ritzValues.suffix(3)), [0.5, 2, 5]) < 1e-12)

    // A start vector inside the range never sees the null space: three products, λ_min = 0.5.
    let inRange = u.row(0).indices.map { u[0, $0] + u[1, $0] + u[2, $0] }
    let ranged = try LanczosEigensolver(relativeTolerance: 1e-12, maximumProducts: 60)
      .extremeEigenvalues(dimension: 100, startVector: inRange, product: product)
    #expect(ranged.stopReason == .invariantSubspace && ranged.products == 3)
    #expect(relativeError(ranged.ritzValues, [0.5, 2, 5]) < 1e-12)

    let zero = try LanczosEigensolver().extremeEigenvalues(dimension: 10) { _, _ in }
    #expect(zero.stopReason == .invariantSubspace && zero.products == 1 && zero.largest == 0 && zero.smallest == 0)
  }

  @Test("One seed gives identical results; another seed another start; N = 1 works")
  func determinism() throws {
    let a = gram(dimension: 80, samples: 100, seed: 10)
    let solver = LanczosEigensolver(relativeTolerance: 1e-6, maximumProducts: 80, seed: 42)
    let first = try lanczos(a, solver)
    #expect(try lanczos(a, solver) == first)
    var other = solver
    other.seed = 43
    #expect(try lanczos(a, other).ritzValues != first.ritzValues)
    let one = try lanczos(Matrix([[3.0]]), solver)
    #expect(one.largest == 3 && one.smallest == 3 && one.products == 1 && one.stopReason == .invariantSubspace)
  }

  @Test("A non-finite product stops with NaN values, not a crash")
  func nonFiniteProduct() throws {
    var calls = 0
    let result = try LanczosEigensolver().extremeEigenvalues(dimension: 20) { x, y in
      calls += 1
      for i in y.indices { y[i] = calls < 3 ? Double(i + 1) * x[i] : .nan }
    }
    #expect(result.stopReason == .nonFinite && result.products == 3 && !result.converged)
    #expect(result.largest.isNaN && result.smallest.isNaN)
  }
}
