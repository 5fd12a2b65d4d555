import Foundation

/// A least-squares power law `y ≈ c·x^p` fitted in log–log space, with its exponent's interval
/// over independent repetitions (seeds).
public struct SlopeFit: Codable, Equatable, Sendable {
  /// Mean exponent over the repetitions.
  public var slope: Double
  /// Half-width of the 95 % interval of the mean exponent (Student t over repetitions; 0 with a
  /// single repetition).
  public var halfWidth: Double
  /// Exponent of each repetition.
  public var slopes: [Double]
  /// Points per repetition used in the fit (finite and positive).
  public var points: Int

  /// Lower end of the 95 % interval.
  public var lower: Double { slope - halfWidth }
  /// Upper end of the 95 % interval.
  public var upper: Double { slope + halfWidth }

  /// The exponent of one repetition: ordinary least squares of `log y` on `log x`.
  /// Returns nil with fewer than two distinct `x` values (after dropping non-positive or
  /// non-finite points).
  public static func exponent(x: [Double], y: [Double]) -> Double? {
    precondition(x.count == y.count, "exponent: \(x.count) x values for \(y.count) y values")
    let pairs = zip(x, y).filter { $0 > 0 && $1 > 0 && $0.isFinite && $1.isFinite }.map { (Foundation.log($0), Foundation.log($1)) }
    guard Set(pairs.map(\.0)).count >= 2 else { return nil }
    let n = Double(pairs.count)
    let meanX = pairs.reduce(0) { $0 + $1.0 } / n
    let meanY = pairs.reduce(0) { $0 + $1.1 } / n
    var sxy = 0.0, sxx = 0.0
    for (u, v) in pairs {
      sxy += (u - meanX) * (v - meanY)
      sxx += (u - meanX) * (u - meanX)
    }
    return sxy / sxx
  }

  /// Fits every repetition (`x` shared, one `y` series per repetition) and combines the exponents.
  /// Returns nil when no repetition can be fitted.
  public static func fit(x: [Double], repetitions: [[Double]]) -> SlopeFit? {
    let slopes = repetitions.compactMap { exponent(x: x, y: $0) }
    guard let (mean, halfWidth) = meanInterval(slopes) else { return nil }
    let points = repetitions.map { zip(x, $0).filter { $0 > 0 && $1 > 0 && $0.isFinite && $1.isFinite }.count }.min() ?? 0
    return SlopeFit(slope: mean, halfWidth: halfWidth, slopes: slopes, points: points)
  }

  /// The mean of independent repetitions `values` and the half-width of its two-sided 95 %
  /// Student-t interval, `t₀.₉₇₅(k−1) · sd/√k` (0 for a single value); nil for no values.
  /// Used for the exponents here and for the learning-rate optima of `TransferAnalysis`.
  public static func meanInterval(_ values: [Double]) -> (mean: Double, halfWidth: Double)? {
    guard !values.isEmpty else { return nil }
    let k = Double(values.count)
    let mean = values.reduce(0, +) / k
    guard values.count > 1 else { return (mean, 0) }
    let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (k - 1)
    return (mean, studentT975(degreesOfFreedom: values.count - 1) * (variance / k).squareRoot())
  }

  /// The 97.5 % quantile of Student's t distribution (two-sided 95 % intervals).
  static func studentT975(degreesOfFreedom df: Int) -> Double {
    let table: [Double] = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                           2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086]
    if df >= 1 && df <= table.count { return table[df - 1] }
    return df > table.count ? 1.96 + 2.4 / Double(df) : .infinity
  }
}
