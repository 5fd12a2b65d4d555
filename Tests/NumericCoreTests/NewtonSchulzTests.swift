import Testing
import NumericCore
import _TestSupport

/// Newton–Schulz orthogonalization against the polar factor of an SVD: the cubic iteration to
/// 1e-10 in Double (full-rank and rank-deficient inputs, wide and tall), the quintic one within
/// its documented singular-value range.
@Suite struct NewtonSchulzTests {
  /// `U_r V_rᵀ` over the singular values above `1e-8 · s_max` (the partial isometry).
  static func polarFactor(_ a: Matrix<Double>) throws -> (factor: Matrix<Double>, rank: Int) {
    let (u, s, vt) = try a.singularValueDecomposition()
    let rank = s.filter { $0 > 1e-8 * s[0] }.count
    var factor = Matrix<Double>(rows: a.rows, columns: a.columns)
    for i in 0..<a.rows {
      for j in 0..<a.columns {
        var sum = 0.0
        for r in 0..<rank { sum += u[i, r] * vt[r, j] }
        factor[i, j] = sum
      }
    }
    return (factor, rank)
  }

  /// `A = U diag(s) Vᵀ` with random orthonormal `U`, `V` and the given singular values (zeros
  /// make it rank-deficient).
  static func matrix(rows: Int, columns: Int, singularValues s: [Double], seed: UInt64) throws -> Matrix<Double> {
    var generator = SeededGenerator(seed: seed, stream: "newton-schulz")
    let k = min(rows, columns)
    precondition(s.count == k)
    let u = try Matrix<Double>.gaussian(rows: rows, columns: k, standardDeviation: 1, using: &generator).singularValueDecomposition().u
    let v = try Matrix<Double>.gaussian(rows: columns, columns: k, standardDeviation: 1, using: &generator).singularValueDecomposition().u
    var us = u
    for i in 0..<rows { for j in 0..<k { us[i, j] *= s[j] } }
    var a = Matrix<Double>(rows: rows, columns: columns)
    a.gemm(us, v, transposeB: true)
    return a
  }

  /// Gaussian matrices and gradient-like products `bᵀ G` over a batch smaller than both sides.
  static func inputs() throws -> [(name: String, matrix: Matrix<Double>)] {
    var generator = SeededGenerator(seed: 11, stream: "newton-schulz-inputs")
    var result: [(String, Matrix<Double>)] = []
    for (m, n) in [(7, 4), (4, 7), (6, 6), (1, 9), (9, 1), (24, 16)] {
      result.append(("gaussian \(m)×\(n)", .gaussian(rows: m, columns: n, standardDeviation: 3, using: &generator)))
    }
    for (m, n, batch) in [(12, 8, 3), (8, 12, 3), (10, 10, 4), (16, 20, 1)] {
      let b = Matrix<Double>.gaussian(rows: batch, columns: m, standardDeviation: 1, using: &generator)
      let g = Matrix<Double>.gaussian(rows: batch, columns: n, standardDeviation: 1, using: &generator)
      var gradient = Matrix<Double>(rows: m, columns: n)
      gradient.gemm(b, g, transposeA: true, alpha: 0.01)
      result.append(("rank-\(batch) gradient \(m)×\(n)", gradient))
    }
    result.append(("prescribed spectrum with zeros",
                   try matrix(rows: 9, columns: 6, singularValues: [5, 2, 1, 0.3, 0, 0], seed: 3)))
    return result
  }

  @Test("Cubic Newton–Schulz equals the SVD polar factor to 1e-10, also for rank-deficient inputs")
  func cubicMatchesSVD() throws {
    var iteration = NewtonSchulz<Double>(variant: .cubic)
    for (name, a) in try Self.inputs() {
      let (expected, rank) = try Self.polarFactor(a)
      var result = Matrix<Double>(rows: a.rows, columns: a.columns)
      iteration.orthogonalize(a, into: &result)
      #expect(relativeError(result, expected) < 1e-10, "\(name): error \(relativeError(result, expected)) after \(iteration.lastStepCount) steps")
      #expect(iteration.lastStepCount < iteration.steps, "\(name) did not converge")
      // A partial isometry of the input's rank: ‖O‖_F² = rank.
      #expect(abs(result.squaredNorm - Double(rank)) < 1e-9, "\(name)")
    }
  }

  @Test("The polar factor does not depend on the input's scale; a zero input gives zero")
  func scaleInvarianceAndZero() throws {
    var iteration = NewtonSchulz<Double>(variant: .cubic)
    let a = try Self.inputs()[0].matrix
    var small = a
    small.scale(by: 1e-6)
    var r1 = Matrix<Double>(rows: a.rows, columns: a.columns), r2 = r1
    iteration.orthogonalize(a, into: &r1)
    iteration.orthogonalize(small, into: &r2)
    #expect(relativeError(r1, r2) < 1e-12)
    var zero = Matrix<Double>(rows: 3, columns: 5)
    iteration.orthogonalize(Matrix(rows: 3, columns: 5), into: &zero)
    #expect(zero.squaredNorm == 0)
  }

  @Test("Quintic (Muon) Newton–Schulz: singular vectors of the input, singular values in ≈ [0.7, 1.2]")
  func quinticRange() throws {
    var iteration = NewtonSchulz<Double>()
    #expect(iteration.variant == .quintic && iteration.steps == 5)
    // Relative singular values down to 1e-2 of the largest, and exact zeros.
    let spectra: [(Int, Int, [Double])] = [
      (8, 5, [1, 0.5, 0.2, 0.05, 0.01]), (5, 8, [3, 3, 1, 0.1, 0]), (6, 6, [2, 1.5, 1, 0.5, 0.2, 0]),
    ]
    for (index, (m, n, s)) in spectra.enumerated() {
      let a = try Self.matrix(rows: m, columns: n, singularValues: s, seed: UInt64(20 + index))
      var result = Matrix<Double>(rows: m, columns: n)
      iteration.orthogonalize(a, into: &result)
      #expect(iteration.lastStepCount == 5)
      let values = try result.singularValues().map { Double($0) }
      let nonzero = s.filter { $0 > 0 }.count
      for (i, value) in values.enumerated() {
        if i < nonzero {
          #expect(value > 0.68 && value < 1.14, "\(m)×\(n): singular value \(i) is \(value)")
        } else {
          #expect(value < 1e-10, "\(m)×\(n): zero singular value became \(value)")
        }
      }
      // Same singular subspaces: the cubic (exact) factor O satisfies O Oᵀ R = R.
      let (exact, _) = try Self.polarFactor(a)
      var projector = Matrix<Double>(rows: m, columns: m)
      projector.gemm(exact, exact, transposeB: true)
      var projected = Matrix<Double>(rows: m, columns: n)
      projected.gemm(projector, result)
      #expect(relativeError(projected, result) < 1e-12)
    }
  }

  @Test("Float: the cubic iteration agrees with the Double polar factor to 1e-5")
  func float() throws {
    var iteration = NewtonSchulz<Float>(variant: .cubic)
    for (name, a) in try Self.inputs() {
      let (expected, _) = try Self.polarFactor(a)
      let input = Matrix<Float>(converting: a.storage, rows: a.rows, columns: a.columns)
      var result = Matrix<Float>(rows: a.rows, columns: a.columns)
      iteration.orthogonalize(input, into: &result)
      let double = Matrix<Double>(converting: result.storage.map { Double($0) }, rows: a.rows, columns: a.columns)
      #expect(relativeError(double, expected) < 1e-5, "\(name)")
    }
  }
}
