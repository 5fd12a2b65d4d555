/// The spectral moments `m_1 = tr(A)/N` and `m_2 = tr(A²)/N` of a symmetric operator known only
/// through its products `y = A x`, by Hutchinson's estimator with Rademacher probes (theory §4: the
/// moments of the backward-to-feature kernel, whose ratio `m_1/√m_2` estimates the alignment
/// `cos θ` of a random direction).
///
/// Shapes: the operator acts on `R^N` (`N = dimension`); vectors are `[Double]` of `N` entries.
/// Each probe `z ∈ {−1, +1}^N` costs one product and gives both unbiased samples
/// `zᵀA z/N` (of `m_1`) and `‖A z‖²/N = zᵀA²z/N` (of `m_2`, for symmetric `A`). The estimates are
/// the sample means over `probes` probes; their standard errors are the sample standard deviations
/// over `√probes`. For a diagonal `A` the `m_1` samples are exact (zero variance).
public struct HutchinsonEstimator: Sendable {
  /// Number of Rademacher probes (= operator products).
  public var probes: Int
  /// Seed of the probes (stream `"hutchinson"`), so that estimates are reproducible.
  public var seed: UInt64

  /// - Parameters:
  ///   - probes: number of probes (≥ 1; standard errors need ≥ 2 and are NaN with 1).
  ///   - seed: seed of the probe signs.
  public init(probes: Int = 32, seed: UInt64 = 0) {
    precondition(probes >= 1, "HutchinsonEstimator: probes must be ≥ 1, got \(probes)")
    self.probes = probes
    self.seed = seed
  }

  /// Estimates `m_1` and `m_2` of the symmetric operator `A` of `R^dimension`.
  ///
  /// - Parameters:
  ///   - dimension: `N ≥ 1`, the length of every vector.
  ///   - product: computes `y = A x`. `x` has `N` entries `±1`; `y` (`N` entries) arrives filled
  ///     with zeros, so the closure may overwrite or accumulate.
  /// - Returns: the moments with their standard errors; NaN when a product is NaN or ±∞.
  public func moments(
    dimension: Int, product: (_ x: [Double], _ y: inout [Double]) -> Void
  ) -> SpectralMoments {
    let n = dimension
    precondition(n >= 1, "HutchinsonEstimator: dimension must be ≥ 1, got \(n)")
    var generator = SeededGenerator(seed: seed, stream: "hutchinson")
    var z = [Double](repeating: 0, count: n)
    var y = [Double](repeating: 0, count: n)
    var firstSamples: [Double] = []  // zᵀA z/N per probe
    var secondSamples: [Double] = []  // ‖A z‖²/N per probe
    for _ in 0..<probes {
      var bits: UInt64 = 0
      for i in 0..<n {
        if i % 64 == 0 { bits = generator.next() }
        z[i] = bits & 1 == 0 ? 1 : -1
        bits >>= 1
      }
      y.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
      product(z, &y)
      precondition(y.count == n, "HutchinsonEstimator: product returned \(y.count) entries, dimension is \(n)")
      let (zAz, yy) = z.withUnsafeBufferPointer { pz in
        y.withUnsafeBufferPointer { py in
          (Double.dot(count: n, pz.baseAddress!, py.baseAddress!), Double.dot(count: n, py.baseAddress!, py.baseAddress!))
        }
      }
      firstSamples.append(zAz / Double(n))
      secondSamples.append(yy / Double(n))
    }
    let (m1, m1StandardError) = Self.meanAndStandardError(firstSamples)
    let (m2, m2StandardError) = Self.meanAndStandardError(secondSamples)
    return SpectralMoments(
      m1: m1, m2: m2, m1StandardError: m1StandardError, m2StandardError: m2StandardError, probes: probes)
  }

  /// The sample mean and `s/√n` with the unbiased sample standard deviation `s` (NaN for `n = 1`).
  private static func meanAndStandardError(_ samples: [Double]) -> (mean: Double, standardError: Double) {
    let count = Double(samples.count)
    let mean = samples.reduce(0, +) / count
    let sumOfSquares = samples.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
    return (mean, (sumOfSquares / (count - 1) / count).squareRoot())
  }
}

/// Estimates of the spectral moments `m_p = tr(A^p)/N`, `p = 1, 2`, of a symmetric operator on
/// `R^N` (theory §4), from `HutchinsonEstimator`.
public struct SpectralMoments: Sendable, Equatable {
  /// Estimate of `m_1 = tr(A)/N`, the mean eigenvalue.
  public var m1: Double
  /// Estimate of `m_2 = tr(A²)/N`, the mean squared eigenvalue.
  public var m2: Double
  /// Standard error of `m1`: sample standard deviation over `√probes`.
  public var m1StandardError: Double
  /// Standard error of `m2`: sample standard deviation over `√probes`.
  public var m2StandardError: Double
  /// Number of probes (= operator products) behind the estimates.
  public var probes: Int
}
