/// Bounds and estimates of the alignment `cos θ = ⟨b, K b⟩/(‖b‖ ‖K b‖)` of a symmetric PSD operator
/// `K` from a few spectral numbers (theory §4: `K` is the backward-to-feature kernel `K_ℓ` and `b` the
/// backward signal, so that `θ` is the angle between `−b` and the feature update `δF_ℓ = −K b`).
///
/// Pure functions of scalars; feed them `LanczosResult` extremes, `SpectralMoments`, or singular
/// values of a layer-to-layer Jacobian. Each returns `nil` where its formula does not apply.
public enum AlignmentBounds {
  /// The Kantorovich lower bound `cos θ ≥ 2√κ/(1 + κ)`, `κ = λ_max/λ_min`, valid for every `b`
  /// when all eigenvalues of `K` lie in `[λ_min, λ_max]` (theory §4).
  ///
  /// It is sharp: `b = √λ_min u_max + √λ_max u_min` (unit eigenvectors) attains it. It equals 1 at
  /// `κ = 1` and falls like `2/√κ`. For a singular `K` the bound holds on its range, so pass the
  /// smallest *nonzero* eigenvalue when `b` lies in the range (`δF = −K b` ignores the null part).
  /// - Parameters:
  ///   - smallestEigenvalue: `λ_min`; the bound needs `λ_min > 0`.
  ///   - largestEigenvalue: `λ_max ≥ λ_min`.
  /// - Returns: the bound in `(0, 1]`, or `nil` when `λ_min ≤ 0` or either value is NaN or ±∞.
  public static func kantorovich(smallestEigenvalue: Double, largestEigenvalue: Double) -> Double? {
    guard smallestEigenvalue > 0, smallestEigenvalue.isFinite, largestEigenvalue.isFinite else { return nil }
    precondition(
      smallestEigenvalue <= largestEigenvalue,
      "kantorovich: smallest eigenvalue \(smallestEigenvalue) exceeds largest \(largestEigenvalue)")
    return twoOverSum(ratio: largestEigenvalue.squareRoot() / smallestEigenvalue.squareRoot())  // √κ without overflow
  }

  /// The random-direction estimate `cos θ ≈ m_1/√m_2` (theory §4): for `b` with iid entries,
  /// `⟨b, K b⟩ ≈ tr K` and `‖b‖ ‖K b‖ ≈ √N √tr K²`, so the ratio of the moments `m_p = tr(K^p)/N`.
  ///
  /// For exact moments it lies in `(0, 1]` (Cauchy–Schwarz); Hutchinson estimates may exceed 1
  /// slightly and are not clamped.
  /// - Returns: `m_1/√m_2`, or `nil` when `m_2 ≤ 0` or either value is NaN or ±∞.
  public static func randomDirectionEstimate(m1: Double, m2: Double) -> Double? {
    guard m2 > 0, m2.isFinite, m1.isFinite else { return nil }
    return m1 / m2.squareRoot()
  }

  /// The dynamical-isometry lower bound `cos θ ≥ 2 s_min s_max/(s_min² + s_max²)` when all singular
  /// values of the Jacobian `J` lie in `[s_min, s_max]` (theory §4): the Kantorovich bound of
  /// `J Jᵀ`, whose eigenvalues lie in `[s_min², s_max²]`. It is 1 at `s_min = s_max` (isometry).
  /// - Parameters:
  ///   - smallestSingularValue: `s_min`; the bound needs `s_min > 0`.
  ///   - largestSingularValue: `s_max ≥ s_min`.
  /// - Returns: the bound in `(0, 1]`, or `nil` when `s_min ≤ 0` or either value is NaN or ±∞.
  public static func isometry(smallestSingularValue: Double, largestSingularValue: Double) -> Double? {
    guard smallestSingularValue > 0, smallestSingularValue.isFinite, largestSingularValue.isFinite else {
      return nil
    }
    precondition(
      smallestSingularValue <= largestSingularValue,
      "isometry: smallest singular value \(smallestSingularValue) exceeds largest \(largestSingularValue)")
    return twoOverSum(ratio: largestSingularValue / smallestSingularValue)
  }

  /// `2/(r + 1/r) = 2r/(1 + r²)` for `r ≥ 1`, without overflow for large `r`.
  private static func twoOverSum(ratio r: Double) -> Double { 2 / (r + 1 / r) }
}
