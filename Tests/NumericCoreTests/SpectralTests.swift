import Testing
import NumericCore
import _TestSupport

/// LAPACK wrappers against known spectra; power iteration against the SVD (theory §3.4).
@Suite struct SpectralTests {
  @Test("Singular values and SVD factors of known matrices")
  func knownSingularValues() throws {
    let d = Matrix<Double>([[3, 0, 0], [0, -5, 0]])
    #expect(try d.singularValues() == [5, 3])
    var generator = SeededGenerator(seed: 4)
    let a = Matrix<Double>.gaussian(rows: 7, columns: 4, standardDeviation: 1, using: &generator)
    let (u, s, vt) = try a.singularValueDecomposition()
    var us = u
    for i in 0..<u.rows { for j in 0..<u.columns { us[i, j] *= s[j] } }
    var rebuilt = Matrix<Double>(rows: 7, columns: 4)
    rebuilt.gemm(us, vt)
    #expect(relativeError(rebuilt, a) < 1e-13)
    let wide = a.transposed()
    #expect(relativeError(try wide.singularValues().map { Double($0) }, s) < 1e-13)
    let sf = try Matrix<Float>(converting: a.storage, rows: 7, columns: 4).singularValues()
    #expect(relativeError(sf.map { Double($0) }, s) < 1e-5)
  }

  @Test("Symmetric eigenvalues and eigenvectors")
  func symmetricEigen() throws {
    var generator = SeededGenerator(seed: 5)
    let b = Matrix<Double>.gaussian(rows: 6, columns: 6, standardDeviation: 1, using: &generator)
    var s = Matrix<Double>(rows: 6, columns: 6)
    s.gemm(b, b, transposeB: true)  // PSD
    let (values, vectors) = try s.symmetricEigen(computeVectors: true)
    #expect(values == values.sorted())
    let v = try #require(vectors)
    for i in 0..<6 {
      let column = Matrix<Double>(rows: 6, columns: 1, storage: (0..<6).map { v[$0, i] })
      var sv = Matrix<Double>(rows: 6, columns: 1)
      sv.gemm(s, column)
      var lv = column
      lv.scale(by: values[i])
      #expect(relativeError(sv, lv) < 1e-10)
    }
    let singular = try b.singularValues().map { Double($0) * Double($0) }
    #expect(relativeError(values.reversed(), singular) < 1e-12)
  }

  @Test("Power iteration matches the SVD spectral norm on many shapes")
  func powerIteration() throws {
    var generator = SeededGenerator(seed: 6)
    for (rows, columns) in [(1, 1), (1, 9), (9, 1), (40, 10), (10, 40), (64, 64), (100, 30)] {
      let a = Matrix<Double>.gaussian(rows: rows, columns: columns, standardDeviation: 1, using: &generator)
      var estimator = SpectralNormEstimator<Double>(relativeTolerance: 1e-13, maximumIterations: 5000)
      let estimate = estimator.estimate(a)
      let exact = try a.spectralNormBySVD()
      #expect(relativeError(estimate, exact) < 1e-6, "\(rows)×\(columns): \(estimate) vs \(exact)")
      #expect(estimate <= exact * (1 + 1e-12))
    }
    var zeroEstimator = SpectralNormEstimator<Float>()
    #expect(zeroEstimator.estimate(Matrix(rows: 3, columns: 3)) == 0)
    var nanMatrix = Matrix<Float>(rows: 2, columns: 2, repeating: 1)
    nanMatrix[0, 0] = .nan
    var estimator = SpectralNormEstimator<Float>()
    #expect(estimator.estimate(nanMatrix).isNaN)
  }

  @Test("‖aᵀ b‖_* from the factors matches the SVD of the product")
  func factoredNorm() throws {
    var generator = SeededGenerator(seed: 11)
    let a = Matrix<Double>.gaussian(rows: 7, columns: 40, standardDeviation: 1, using: &generator)
    let b = Matrix<Double>.gaussian(rows: 7, columns: 30, standardDeviation: 1, using: &generator)
    var product = Matrix<Double>(rows: 40, columns: 30)
    product.gemm(a, b, transposeA: true)
    var estimator = SpectralNormEstimator<Double>(relativeTolerance: 1e-13, maximumIterations: 20_000)
    #expect(relativeError(estimator.estimate(transposeProduct: a, b), try product.spectralNormBySVD()) < 1e-8)
  }

  @Test("A warm start converges in fewer iterations after a small change")
  func warmStart() throws {
    var generator = SeededGenerator(seed: 7)
    var a = Matrix<Double>.gaussian(rows: 80, columns: 50, standardDeviation: 1, using: &generator)
    var estimator = SpectralNormEstimator<Double>(relativeTolerance: 1e-8, maximumIterations: 10_000)
    _ = estimator.estimate(a)
    let cold = estimator.lastIterationCount
    let perturbation = Matrix<Double>.gaussian(rows: 80, columns: 50, standardDeviation: 1e-4, using: &generator)
    a.add(perturbation)
    let estimate = estimator.estimate(a)
    #expect(estimator.lastIterationCount < cold / 2)
    #expect(relativeError(estimate, try a.spectralNormBySVD()) < 1e-6)
  }

  @Test("Semi-orthogonal random matrices have equal singular values")
  func semiOrthogonal() throws {
    var generator = SeededGenerator(seed: 8)
    for (rows, columns) in [(5, 9), (9, 5), (6, 6)] {
      let q = try Matrix<Float>.randomSemiOrthogonal(rows: rows, columns: columns, spectralNorm: 2.5, using: &generator)
      let s = try q.singularValues()
      #expect(s.allSatisfy { abs($0 - 2.5) < 1e-5 })
    }
  }
}
