import Foundation
import Testing
import NumericCore
@testable import Experiments

/// The transfer check on synthetic loss curves with a known optimum and a known drift
/// (docs/transfer.md).
@Suite struct TransferAnalysisTests {
  /// Rates 2^lowest … 2^highest, one octave apart.
  static func rates(_ lowest: Int, _ highest: Int) -> [Double] { (lowest...highest).map { Foundation.pow(2, Double($0)) } }

  /// A synthetic sweep: for every width and seed, `loss = 1 + (log₂ η − u*)²` times a seeded
  /// multiplicative noise, with `u* = a + p·log₂ width + 0.1·z_seed` (a per-seed offset).
  static func sweep(
    p: Double, a: Double = -3, widths: [Int] = [64, 128, 256, 512, 1024], seeds: Int = 4, rates: [Double] = rates(-14, 4),
    noise: Double = 0.01, group: String = "preset=mup", preset: String = "mup", divergeAbove: Double = .infinity
  ) -> [TransferPoint] {
    var generator = SeededGenerator(seed: 11, stream: "transfer")
    var points = [TransferPoint]()
    for seed in 0..<seeds {
      let offset = 0.1 * generator.nextGaussian()
      for width in widths {
        let optimum = a + p * Foundation.log2(Double(width)) + offset
        for rate in rates {
          let u = Foundation.log2(rate)
          let loss = (1 + (u - optimum) * (u - optimum)) * Foundation.exp(noise * generator.nextGaussian())
          points.append(TransferPoint(
            group: group, preset: preset, axisValue: width, seed: UInt64(seed), learningRate: rate, loss: loss,
            diverged: rate > divergeAbove))
        }
      }
    }
    return points
  }

  static func analyze(_ points: [TransferPoint], tolerance: Double = 0.2, fitPoints: Int = 3) throws -> TransferAnalysis {
    try TransferAnalysis.analyze(
      TransferData(axis: .width, metric: .testLoss, step: nil, groupKeys: ["preset"], points: points), tolerance: tolerance,
      fitPoints: fitPoints)
  }

  @Test("The least-squares parabola of exact parabolic data is that parabola")
  func parabolaExact() throws {
    let u = [-1.0, 0, 1, 2, 3]
    let (a, b, c) = try #require(Parabola.fit(u, u.map { 2 * ($0 - 1.3) * ($0 - 1.3) + 0.5 }))
    #expect(abs(a - 2) < 1e-9 && abs(-b / (2 * a) - 1.3) < 1e-9 && abs(c - (2 * 1.69 + 0.5)) < 1e-9)
    #expect(Parabola.fit([0, 1, 1], [0, 1, 1]) == nil, "two distinct u values cannot fix a parabola")
  }

  @Test("A log-loss parabola gives its vertex exactly, with 3 and with 5 points", arguments: [3, 5])
  func exactOptimum(points: Int) {
    let rates = Self.rates(-8, 2)
    let optimum = -2.6
    let losses = rates.map { Foundation.exp(0.3 * (Foundation.log2($0) - optimum) * (Foundation.log2($0) - optimum)) }
    let found = LearningRateOptimum.locate(rates: rates.reversed(), losses: losses.reversed(), points: points)
    #expect(found.status == .bracketed && found.method == .parabolaLogLoss && found.fitPoints == points)
    #expect(abs(Foundation.log2(found.learningRate!) - optimum) < 1e-9)
    #expect(abs(found.loss! - 1) < 1e-9)
    #expect(found.gridBest == Foundation.pow(2, -3))
  }

  @Test("Known drift p is recovered within 0.05 and the verdict follows the rule", arguments: [
    (0.0, TransferVerdict.transfers), (-1.0, .drifts), (-0.5, .drifts), (0.5, .drifts),
  ])
  func knownDrift(p: Double, expected: TransferVerdict) throws {
    let analysis = try Self.analyze(Self.sweep(p: p, a: p >= 0 ? -7 : 2))
    let group = try #require(analysis.groups.first)
    let drift = try #require(group.drift)
    #expect(abs(drift.slope - p) < 0.05, "p = \(drift.slope) ± \(drift.halfWidth), expected \(p)")
    #expect(drift.slopes.count == 4 && drift.halfWidth > 0)
    #expect(group.verdict == expected, "\(group.reason)")
    // Per width, the mean optimum over seeds is within 0.15 octaves of the truth (mean offset ≈ 0).
    for o in group.axisOptima {
      let truth = (p >= 0 ? -7 : 2) + p * Foundation.log2(Double(o.axisValue))
      #expect(abs(o.meanLog2! - truth) < 0.15 && o.bracketedSeeds == 4)
      #expect(o.lower! < o.learningRate! && o.learningRate! < o.upper!)
    }
    if expected == .drifts { #expect(group.reason.contains("drifts like width^")) }
  }

  @Test("The verdict rule: within ±τ transfers, excluding 0 drifts, otherwise inconclusive")
  func verdictRule() {
    #expect(TransferVerdict.decide(exponent: 0.05, halfWidth: 0.1, tolerance: 0.2) == .transfers)
    #expect(TransferVerdict.decide(exponent: -0.5, halfWidth: 0.1, tolerance: 0.2) == .drifts)
    #expect(TransferVerdict.decide(exponent: 0.15, halfWidth: 0.1, tolerance: 0.2) == .drifts, "[0.05, 0.25] excludes 0, exceeds τ")
    #expect(TransferVerdict.decide(exponent: 0.0, halfWidth: 0.5, tolerance: 0.2) == .inconclusive, "too wide")
    #expect(TransferVerdict.decide(exponent: 0.0, halfWidth: nil, tolerance: 0.2) == .inconclusive)
  }

  @Test("An optimum beyond the largest rate is not bracketed; the next two rates are suggested, the verdict is inconclusive")
  func unbracketedLarge() throws {
    let rates = [0.001, 0.01, 0.1]
    let found = LearningRateOptimum.locate(rates: rates, losses: [3, 2, 1])
    #expect(found.status == .largestRate && found.method == .grid && found.learningRate == 0.1)
    #expect(found.suggestedRates.count == 2 && abs(found.suggestedRates[0] - 1) < 1e-12 && abs(found.suggestedRates[1] - 10) < 1e-9)
    let below = LearningRateOptimum.locate(rates: [0.03, 0.1, 0.3], losses: [1, 2, 3])
    #expect(below.status == .smallestRate && abs(below.suggestedRates[0] - 0.009) < 1e-12 && abs(below.suggestedRates[1] - 0.0027) < 1e-12)

    // The whole grid below the optimum of the widest network: inconclusive, with the rates to add.
    let analysis = try Self.analyze(Self.sweep(p: 1, a: -8, rates: Self.rates(-6, 1)))
    let group = try #require(analysis.groups.first)
    #expect(group.verdict == .inconclusive)
    #expect(group.reason.contains("the best rate is the grid's largest") && group.reason.contains("run also η = 4, 8"), "\(group.reason)")
    #expect(group.suggestedRates == [4, 8])
    #expect(analysis.optima.contains { $0.axisValue == 1024 && $0.optimum.status == .largestRate })
  }

  @Test("Divergence is a data point: a diverged neighbour brackets the optimum, all-diverged curves are reported")
  func divergence() throws {
    // Diverged right of the grid minimum: bracketed, the grid rate itself (no parabola point on that side).
    let edge = LearningRateOptimum.locate(rates: [0.01, 0.1, 1, 10], losses: [2, 1.5, 1, .infinity])
    #expect(edge.status == .bracketed && edge.method == .grid && edge.learningRate == 1)
    // With 5 points the diverged rate is left out of the window, the finite ones are fitted.
    let five = LearningRateOptimum.locate(rates: [0.01, 0.1, 1, 10, 100], losses: [2, 1.2, 1, 1.5, .nan], points: 5)
    #expect(five.status == .bracketed && five.fitPoints == 4 && five.method == .parabolaLogLoss)
    let none = LearningRateOptimum.locate(rates: [0.1, 1, 10], losses: [.infinity, .infinity, .infinity])
    #expect(none.status == .allDiverged && none.learningRate == nil && none.suggestedRates.count == 2)

    // A sweep whose largest rates diverge still transfers (p = 0) with the optima inside the grid.
    let analysis = try Self.analyze(Self.sweep(p: 0, a: -7, rates: Self.rates(-14, 0), divergeAbove: 0.05))
    let group = try #require(analysis.groups.first)
    #expect(group.verdict == .transfers, "\(group.reason)")
    #expect(abs(try #require(group.drift).slope) < 0.05)
  }

  /// Optima taken at the grid point next to a diverged rate are known to a grid step only: the
  /// same grid point at every width is not evidence of p within ±τ when a step over the axis
  /// range is wider than τ (it once gave `transfers` with p = 0 ± 0).
  @Test("Optima at grid points widen the interval to the grid resolution")
  func gridOptimaAreNotExact() throws {
    let points = Self.sweep(p: 0, a: -7, rates: Self.rates(-14, 0), noise: 0, divergeAbove: 0.008)
    let group = try #require(try Self.analyze(points).groups.first)
    #expect(try Self.analyze(points).optima.allSatisfy { $0.optimum.method == .grid })
    // One step of 2× over widths 64…1024 (16×): p is known to ±1/4 only.
    #expect(group.verdict == .inconclusive, "\(group.reason)")
    #expect(group.reason.contains("grid is too coarse"), "\(group.reason)")
    // A finer axis range or a wider tolerance lets the same optima transfer.
    let wide = try #require(try Self.analyze(points, tolerance: 0.3).groups.first)
    #expect(wide.verdict == .transfers, "\(wide.reason)")
  }

  @Test("One seed has no interval: inconclusive, with the exponent")
  func oneSeed() throws {
    let group = try #require(try Self.analyze(Self.sweep(p: -1, a: 2, seeds: 1)).groups.first)
    #expect(group.verdict == .inconclusive && group.reason.contains("one seed"))
    #expect(abs(try #require(group.drift).slope + 1) < 0.05)
  }

  @Test("Groups are analyzed separately; fewer than 3 rates is an error naming the group")
  func groupsAndErrors() throws {
    let points = Self.sweep(p: 0, a: -7, group: "preset=mup", preset: "mup") + Self.sweep(p: -1, a: 2, group: "preset=sp", preset: "sp")
    let analysis = try Self.analyze(points)
    #expect(analysis.groups.map(\.group) == ["preset=mup", "preset=sp"])
    #expect(analysis.groups.map(\.verdict) == [.transfers, .drifts])
    #expect(analysis.groups.map(\.expectedToTransfer) == [true, false])
    #expect(throws: TransferError.tooFewRates(group: "preset=mup", found: [0.5, 1])) {
      try Self.analyze(Self.sweep(p: 0, rates: [0.5, 1]))
    }
  }

  @Test("meanInterval is the Student-t interval SlopeFit uses")
  func meanInterval() throws {
    let (mean, halfWidth) = try #require(SlopeFit.meanInterval([1, 2, 3]))
    #expect(mean == 2 && abs(halfWidth - 4.303 * (1.0 / 3).squareRoot()) < 1e-12)
    #expect(SlopeFit.meanInterval([5])! == (5, 0))
    #expect(SlopeFit.meanInterval([]) == nil)
  }
}
