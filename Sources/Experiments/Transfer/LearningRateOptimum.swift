import Foundation

/// The best base learning rate of one loss-against-rate curve (one axis value, one seed), located
/// by a parabola through the grid minimum and its neighbours (theory §6.8; docs/transfer.md, "The fit").
///
/// With `u = log₂ η` and `y = log loss` (or `loss` when a loss in the window is ≤ 0), the
/// least-squares parabola `y ≈ a u² + b u + c` through the grid minimum `k` and up to
/// `(points − 1)/2` finite neighbours on each side gives `u* = −b/2a`, kept inside the window.
/// The optimum is **bracketed** only when `k` is interior (a finite or diverged rate on both
/// sides); a diverged neighbour brackets it too, but the parabola then has no point on that side
/// and the grid minimum itself is the optimum (`method = grid`). A minimum at the grid's smallest
/// or largest rate is not bracketed: `suggestedRates` are the next two rates beyond that edge at
/// the edge's log spacing.
public struct LearningRateOptimum: Codable, Equatable, Sendable {
  /// Where the optimum lies relative to the grid.
  public enum Status: String, Codable, Sendable {
    /// The grid minimum is interior: `learningRate` is the optimum.
    case bracketed
    /// The best rate is the grid's smallest: the optimum may be smaller.
    case smallestRate = "smallest-rate"
    /// The best rate is the grid's largest: the optimum may be larger.
    case largestRate = "largest-rate"
    /// Every rate diverged.
    case allDiverged = "all-diverged"
    /// Fewer than 3 rates have a result (unfinished cells).
    case tooFewRates = "too-few-rates"
  }

  /// How `learningRate` was obtained.
  public enum Method: String, Codable, Sendable {
    /// Vertex of the parabola fitted to log loss against log₂ η.
    case parabolaLogLoss = "parabola-log-loss"
    /// Vertex of the parabola fitted to the loss against log₂ η.
    case parabolaLoss = "parabola-loss"
    /// The grid's best rate (unbracketed, a diverged neighbour, or a non-convex fit).
    case grid
    /// No rate to report.
    case none
  }

  /// Bracketed or not.
  public var status: Status
  /// η*: the fitted optimum when bracketed, else the grid's best rate (nil when none).
  public var learningRate: Double?
  /// The loss at η* (the parabola's minimum, or the grid minimum), nil when none.
  public var loss: Double?
  /// The grid's best rate.
  public var gridBest: Double?
  /// How `learningRate` was obtained.
  public var method: Method
  /// Points in the parabola fit (0 without one).
  public var fitPoints: Int
  /// When not bracketed: the next two rates beyond the edge, nearest first.
  public var suggestedRates: [Double]

  /// Whether `learningRate` is an optimum located inside the grid.
  public var isBracketed: Bool { status == .bracketed }

  /// Locates the optimum of one curve.
  /// - Parameters:
  ///   - rates: base learning rates, positive (any order; sorted here).
  ///   - losses: the loss at each rate, `+∞` (or NaN) when the run diverged.
  ///   - points: the fit's window, 3 or 5 (the minimum and 1 or 2 neighbours each side).
  public static func locate(rates: [Double], losses: [Double], points: Int = 3) -> LearningRateOptimum {
    precondition(rates.count == losses.count, "locate: \(rates.count) rates for \(losses.count) losses")
    precondition(points >= 3, "locate: a parabola needs at least 3 points, got \(points)")
    let order = rates.indices.sorted { rates[$0] < rates[$1] }
    let eta = order.map { rates[$0] }
    let loss = order.map { losses[$0].isFinite ? losses[$0] : Double.infinity }
    guard eta.count >= 3 else {
      return LearningRateOptimum(status: .tooFewRates, learningRate: nil, loss: nil, gridBest: nil, method: .none, fitPoints: 0, suggestedRates: [])
    }
    guard let k = loss.indices.filter({ loss[$0].isFinite }).min(by: { loss[$0] < loss[$1] }) else {
      return LearningRateOptimum(
        status: .allDiverged, learningRate: nil, loss: nil, gridBest: nil, method: .none, fitPoints: 0,
        suggestedRates: beyond(eta, below: true))
    }
    if k == 0 || k == eta.count - 1 {
      let below = k == 0
      return LearningRateOptimum(
        status: below ? .smallestRate : .largestRate, learningRate: eta[k], loss: loss[k], gridBest: eta[k], method: .grid,
        fitPoints: 0, suggestedRates: beyond(eta, below: below))
    }
    // The window: contiguous finite neighbours, up to `side` on each side.
    let side = (points - 1) / 2
    var low = k, high = k
    while low > 0, k - low < side, loss[low - 1].isFinite { low -= 1 }
    while high < eta.count - 1, high - k < side, loss[high + 1].isFinite { high += 1 }
    let grid = LearningRateOptimum(status: .bracketed, learningRate: eta[k], loss: loss[k], gridBest: eta[k], method: .grid, fitPoints: 0, suggestedRates: [])
    guard low < k, high > k else { return grid }
    let window = Array(low...high)
    let useLog = window.allSatisfy { loss[$0] > 0 }
    let u = window.map { Foundation.log2(eta[$0]) }
    let y = window.map { useLog ? Foundation.log(loss[$0]) : loss[$0] }
    guard let (a, b, c) = Parabola.fit(u, y), a > 0 else { return grid }
    let vertex = min(max(-b / (2 * a), u.first!), u.last!)
    let fitted = a * vertex * vertex + b * vertex + c
    return LearningRateOptimum(
      status: .bracketed, learningRate: Foundation.pow(2, vertex), loss: useLog ? Foundation.exp(fitted) : fitted, gridBest: eta[k],
      method: useLog ? .parabolaLogLoss : .parabolaLoss, fitPoints: window.count, suggestedRates: [])
  }

  /// The two rates beyond the smallest (`below`) or largest rate of the sorted grid `eta`, at the
  /// log spacing of the two rates at that edge.
  static func beyond(_ eta: [Double], below: Bool) -> [Double] {
    let ratio = below ? eta[1] / eta[0] : eta[eta.count - 1] / eta[eta.count - 2]
    let edge = below ? eta[0] : eta[eta.count - 1]
    return below ? [edge / ratio, edge / (ratio * ratio)] : [edge * ratio, edge * ratio * ratio]
  }
}

/// Least-squares parabolas.
enum Parabola {
  /// `(a, b, c)` minimizing `Σ (a uᵢ² + b uᵢ + c − yᵢ)²`, solved in `u` centred on its mean for
  /// conditioning; nil with fewer than 3 distinct `u`.
  static func fit(_ u: [Double], _ y: [Double]) -> (Double, Double, Double)? {
    precondition(u.count == y.count, "Parabola.fit: \(u.count) u for \(y.count) y")
    guard Set(u).count >= 3 else { return nil }
    let n = Double(u.count)
    let m = u.reduce(0, +) / n
    let t = u.map { $0 - m }
    var s = [Double](repeating: 0, count: 5)  // Σ tᵖ, p = 0…4
    var r = [Double](repeating: 0, count: 3)  // Σ tᵖ y, p = 0…2 (row i of the system has Σ t^(2−i) y)
    for (ti, yi) in zip(t, y) {
      var power = 1.0
      for p in 0..<5 {
        s[p] += power
        if p < 3 { r[p] += power * yi }
        power *= ti
      }
    }
    // Normal equations for y ≈ α t² + β t + γ, by Cramer's rule.
    let matrix = [[s[4], s[3], s[2]], [s[3], s[2], s[1]], [s[2], s[1], s[0]]]
    func det(_ q: [[Double]]) -> Double {
      q[0][0] * (q[1][1] * q[2][2] - q[1][2] * q[2][1]) - q[0][1] * (q[1][0] * q[2][2] - q[1][2] * q[2][0])
        + q[0][2] * (q[1][0] * q[2][1] - q[1][1] * q[2][0])
    }
    let d = det(matrix)
    guard d != 0, d.isFinite else { return nil }
    func replaced(_ column: Int) -> [[Double]] {
      matrix.enumerated().map { row, values in values.enumerated().map { $0.offset == column ? r[2 - row] : $0.element } }
    }
    let alpha = det(replaced(0)) / d, beta = det(replaced(1)) / d, gamma = det(replaced(2)) / d
    // Back to u: α (u − m)² + β (u − m) + γ.
    return (alpha, beta - 2 * alpha * m, alpha * m * m - beta * m + gamma)
  }
}
