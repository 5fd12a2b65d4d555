import Testing
import NumericCore
import _TestSupport

/// The Kantorovich, random-direction and isometry statements of theory §4 on random SPD matrices.
@Suite struct AlignmentBoundsTests {
  /// `⟨b, A b⟩/(‖b‖ ‖A b‖)`.
  func alignment(_ a: Matrix<Double>, _ b: [Double]) -> Double {
    var ab = [Double](repeating: 0, count: b.count)
    a.gemv(b, into: &ab)
    let bab = zip(b, ab).reduce(0) { $0 + $1.0 * $1.1 }
    let bb = b.reduce(0) { $0 + $1 * $1 }
    let abab = ab.reduce(0) { $0 + $1 * $1 }
    return bab / (bb * abab).squareRoot()
  }

  @Test("Kantorovich: below cos θ for 2000 random directions, attained by √λ_min u_max + √λ_max u_min")
  func kantorovichHoldsAndIsSharp() throws {
    var generator = SeededGenerator(seed: 11)
    let n = 20
    let b = Matrix<Double>.gaussian(rows: 30, columns: n, standardDeviation: 1, using: &generator)
    var a = Matrix<Double>(rows: n, columns: n)
    a.gemm(b, b, transposeA: true)  // SPD, κ ≈ 50
    let (values, vectors) = try a.symmetricEigen(computeVectors: true)
    let u = try #require(vectors)
    let bound = try #require(AlignmentBounds.kantorovich(smallestEigenvalue: values.first!, largestEigenvalue: values.last!))
    #expect(bound > 0 && bound < 1)
    var smallest = 1.0
    for _ in 0..<2000 {
      let direction = (0..<n).map { _ in generator.nextGaussian() }
      smallest = min(smallest, alignment(a, direction))
    }
    #expect(bound <= smallest, "bound \(bound), smallest cos θ \(smallest)")
    let extremal = (0..<n).map { values.first!.squareRoot() * u[$0, n - 1] + values.last!.squareRoot() * u[$0, 0] }
    #expect(relativeError(alignment(a, extremal), bound) < 1e-12)
  }

  @Test("m_1/√m_2 predicts cos θ of random directions (N = 200)")
  func randomDirectionEstimate() throws {
    var generator = SeededGenerator(seed: 12)
    let n = 200
    let b = Matrix<Double>.gaussian(rows: 100, columns: n, standardDeviation: 1, using: &generator)
    var a = Matrix<Double>(rows: n, columns: n)
    a.gemm(b, b, transposeA: true)
    let m1 = (0..<n).reduce(0) { $0 + a[$1, $1] } / Double(n)
    let m2 = a.squaredNorm / Double(n)
    let estimate = try #require(AlignmentBounds.randomDirectionEstimate(m1: m1, m2: m2))
    var mean = 0.0
    for _ in 0..<200 { mean += alignment(a, (0..<n).map { _ in generator.nextGaussian() }) / 200 }
    #expect(abs(mean - estimate) < 0.02, "mean cos θ \(mean), m1/√m2 \(estimate)")
  }

  @Test("Edge cases: κ = 1 gives 1, isometry is Kantorovich of J Jᵀ, undefined inputs give nil")
  func edgeCases() {
    #expect(AlignmentBounds.kantorovich(smallestEigenvalue: 2, largestEigenvalue: 2) == 1)
    #expect(AlignmentBounds.kantorovich(smallestEigenvalue: 1, largestEigenvalue: 9) == 0.6)  // 2·3/10
    #expect(AlignmentBounds.kantorovich(smallestEigenvalue: 0, largestEigenvalue: 1) == nil)
    #expect(AlignmentBounds.kantorovich(smallestEigenvalue: -1, largestEigenvalue: 1) == nil)
    #expect(AlignmentBounds.kantorovich(smallestEigenvalue: .nan, largestEigenvalue: 1) == nil)
    #expect(AlignmentBounds.kantorovich(smallestEigenvalue: 1, largestEigenvalue: .infinity) == nil)
    let tiny = AlignmentBounds.kantorovich(smallestEigenvalue: 1e-300, largestEigenvalue: 1e300)!
    #expect(tiny > 0 && relativeError(tiny, 2e-300) < 1e-12)

    #expect(AlignmentBounds.isometry(smallestSingularValue: 1.5, largestSingularValue: 1.5) == 1)
    #expect(AlignmentBounds.isometry(smallestSingularValue: 1, largestSingularValue: 2) == 0.8)  // 2·2/(1 + 4)
    for (low, high) in [(0.3, 0.7), (1.0, 10.0), (0.9, 1.1)] {
      let viaKernel = AlignmentBounds.kantorovich(smallestEigenvalue: low * low, largestEigenvalue: high * high)!
      #expect(relativeError(AlignmentBounds.isometry(smallestSingularValue: low, largestSingularValue: high)!, viaKernel) < 1e-15)
    }
    #expect(AlignmentBounds.isometry(smallestSingularValue: 0, largestSingularValue: 1) == nil)

    #expect(AlignmentBounds.randomDirectionEstimate(m1: 2, m2: 4) == 1)  // all eigenvalues equal
    #expect(AlignmentBounds.randomDirectionEstimate(m1: 0, m2: 0) == nil)
    #expect(AlignmentBounds.randomDirectionEstimate(m1: .nan, m2: 1) == nil)
  }
}
