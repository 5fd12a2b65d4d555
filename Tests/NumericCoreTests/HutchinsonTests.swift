import Testing
import NumericCore
import _TestSupport

/// Hutchinson estimates of the spectral moments `m_p = tr(A^p)/N` against exact traces (theory §4).
@Suite struct HutchinsonTests {
  /// A random PSD `A = BᵀB/samples` of `dimension × dimension` with its exact `m_1` and `m_2`.
  func randomPSD(dimension: Int, samples: Int, seed: UInt64) -> (a: Matrix<Double>, m1: Double, m2: Double) {
    var generator = SeededGenerator(seed: seed)
    let b = Matrix<Double>.gaussian(rows: samples, columns: dimension, standardDeviation: 1, using: &generator)
    var a = Matrix<Double>(rows: dimension, columns: dimension)
    a.gemm(b, b, transposeA: true, alpha: 1 / Double(samples))
    let trace = (0..<dimension).reduce(0) { $0 + a[$1, $1] }
    return (a, trace / Double(dimension), a.squaredNorm / Double(dimension))  // tr(A²) = ‖A‖_F² for symmetric A
  }

  func moments(_ a: Matrix<Double>, probes: Int, seed: UInt64) -> SpectralMoments {
    var calls = 0
    let result = HutchinsonEstimator(probes: probes, seed: seed).moments(dimension: a.rows) { x, y in
      calls += 1
      a.gemv(x, into: &y)
    }
    #expect(calls == probes && result.probes == probes)
    return result
  }

  @Test("Estimates lie within 4 standard errors of tr(A)/N and tr(A²)/N", arguments: [UInt64(1), 2, 3, 4, 5])
  func withinStandardErrors(seed: UInt64) {
    let (a, m1, m2) = randomPSD(dimension: 100, samples: 40 + 10 * Int(seed), seed: seed)
    let estimate = moments(a, probes: 64, seed: seed)
    #expect(abs(estimate.m1 - m1) <= 4 * estimate.m1StandardError, "m1 \(estimate.m1) vs \(m1) ± \(estimate.m1StandardError)")
    #expect(abs(estimate.m2 - m2) <= 4 * estimate.m2StandardError, "m2 \(estimate.m2) vs \(m2) ± \(estimate.m2StandardError)")
    #expect(estimate.m1StandardError > 0 && estimate.m1StandardError < 0.1 * m1)
    #expect(estimate.m2StandardError > 0 && estimate.m2StandardError < 0.1 * m2)
  }

  @Test("Standard errors shrink like 1/√probes; one seed gives identical estimates")
  func standardErrorScaling() {
    let (a, _, _) = randomPSD(dimension: 100, samples: 50, seed: 6)
    let few = moments(a, probes: 16, seed: 7)
    let many = moments(a, probes: 256, seed: 7)
    for ratio in [few.m1StandardError / many.m1StandardError, few.m2StandardError / many.m2StandardError] {
      #expect(ratio > 2.5 && ratio < 6.5, "√(256/16) = 4, got \(ratio)")
    }
    #expect(moments(a, probes: 16, seed: 7) == few)
    #expect(moments(a, probes: 16, seed: 8) != few)
  }

  @Test("A diagonal operator gives exact moments with zero standard error (z_i² = 1)")
  func diagonalIsExact() {
    let diagonal = (1...50).map { Double($0) / 10 }
    let estimate = HutchinsonEstimator(probes: 8, seed: 1).moments(dimension: 50) { x, y in
      for i in y.indices { y[i] = diagonal[i] * x[i] }
    }
    #expect(relativeError(estimate.m1, diagonal.reduce(0, +) / 50) < 1e-14)
    #expect(relativeError(estimate.m2, diagonal.reduce(0) { $0 + $1 * $1 } / 50) < 1e-14)
    #expect(estimate.m1StandardError < 1e-14 && estimate.m2StandardError < 1e-14)
    let single = HutchinsonEstimator(probes: 1).moments(dimension: 50) { x, y in y = x }
    #expect(single.m1 == 1 && single.m2 == 1 && single.m1StandardError.isNaN)
  }
}
