import Foundation

/// The learning-rate transfer check of a sweep (theory §6.8, docs/transfer.md): per group, the optimum of each
/// (axis value, seed) curve, its mean over seeds with a Student-t interval, the drift exponent
/// `p` of `η*(axis) ∝ axis^p` with its interval over seeds, and a `TransferVerdict`.
///
/// Encoded as `verdict.json`. Rates are in the units of `learning-rate`; means and intervals of
/// optima are taken in `log₂ η` and reported back as rates.
public struct TransferAnalysis: Codable, Sendable {
  /// The settings used.
  public struct Settings: Codable, Equatable, Sendable {
    /// The axis.
    public var axis: TransferAxis
    /// The metric.
    public var metric: TransferMetric
    /// Step T, or nil for the last.
    public var step: Int?
    /// The verdict's tolerance τ on |p|.
    public var tolerance: Double
    /// Points in each parabola fit window (3 or 5).
    public var fitPoints: Int

    /// Settings.
    public init(axis: TransferAxis, metric: TransferMetric, step: Int?, tolerance: Double, fitPoints: Int) {
      self.axis = axis
      self.metric = metric
      self.step = step
      self.tolerance = tolerance
      self.fitPoints = fitPoints
    }
  }

  /// The optimum of one curve: a row of `optima.csv`.
  public struct CurveOptimum: Codable, Equatable, Sendable {
    /// The group label.
    public var group: String
    /// The axis value.
    public var axisValue: Int
    /// The seed.
    public var seed: UInt64
    /// The optimum.
    public var optimum: LearningRateOptimum
  }

  /// The optimum at one axis value, over seeds.
  public struct AxisOptimum: Codable, Equatable, Sendable {
    /// The axis value.
    public var axisValue: Int
    /// Seeds with a bracketed optimum.
    public var bracketedSeeds: Int
    /// Seeds with a curve at this axis value.
    public var seeds: Int
    /// Mean of log₂ η* over the bracketed seeds (nil when none).
    public var meanLog2: Double?
    /// Half-width of its 95 % Student-t interval, in log₂ η (0 for one seed).
    public var halfWidthLog2: Double?
    /// η* = `2^meanLog2`.
    public var learningRate: Double? { meanLog2.map { Foundation.pow(2, $0) } }
    /// Lower end of the interval as a rate, `2^(mean − h)`.
    public var lower: Double? { meanLog2.flatMap { m in halfWidthLog2.map { Foundation.pow(2, m - $0) } } }
    /// Upper end of the interval as a rate, `2^(mean + h)`.
    public var upper: Double? { meanLog2.flatMap { m in halfWidthLog2.map { Foundation.pow(2, m + $0) } } }

    enum CodingKeys: String, CodingKey { case axisValue, bracketedSeeds, seeds, meanLog2, halfWidthLog2, learningRate, lower, upper }

    /// Encodes the stored values and the derived rates (for readers of `verdict.json`).
    public func encode(to encoder: Encoder) throws {
      var c = encoder.container(keyedBy: CodingKeys.self)
      try c.encode(axisValue, forKey: .axisValue)
      try c.encode(bracketedSeeds, forKey: .bracketedSeeds)
      try c.encode(seeds, forKey: .seeds)
      try c.encodeIfPresent(meanLog2, forKey: .meanLog2)
      try c.encodeIfPresent(halfWidthLog2, forKey: .halfWidthLog2)
      try c.encodeIfPresent(learningRate, forKey: .learningRate)
      try c.encodeIfPresent(lower, forKey: .lower)
      try c.encodeIfPresent(upper, forKey: .upper)
    }

    /// Decodes the stored values (the derived rates are recomputed).
    public init(from decoder: Decoder) throws {
      let c = try decoder.container(keyedBy: CodingKeys.self)
      axisValue = try c.decode(Int.self, forKey: .axisValue)
      bracketedSeeds = try c.decode(Int.self, forKey: .bracketedSeeds)
      seeds = try c.decode(Int.self, forKey: .seeds)
      meanLog2 = try c.decodeIfPresent(Double.self, forKey: .meanLog2)
      halfWidthLog2 = try c.decodeIfPresent(Double.self, forKey: .halfWidthLog2)
    }

    init(axisValue: Int, bracketedSeeds: Int, seeds: Int, meanLog2: Double?, halfWidthLog2: Double?) {
      self.axisValue = axisValue
      self.bracketedSeeds = bracketedSeeds
      self.seeds = seeds
      self.meanLog2 = meanLog2
      self.halfWidthLog2 = halfWidthLog2
    }
  }

  /// The result of one group.
  public struct GroupResult: Codable, Sendable {
    /// The group label (`preset=mup`).
    public var group: String
    /// Its preset.
    public var preset: String
    /// Whether the preset is designed to transfer along the axis (`TransferAxis.presetsExpectedToTransfer`).
    public var expectedToTransfer: Bool
    /// The learning rates of the grid, ascending.
    public var learningRates: [Double]
    /// Per axis value, ascending.
    public var axisOptima: [AxisOptimum]
    /// The drift exponent fit over the seeds bracketed at every axis value (nil when none).
    public var drift: SlopeFit?
    /// The half-width of the 95 % interval of the exponent that the verdict uses: the fit's, or
    /// at least the grid resolution when the optima are grid points (nil without a drift).
    public var driftHalfWidth: Double?
    /// The verdict.
    public var verdict: TransferVerdict
    /// Why, in one sentence (`p = 0.03 ± 0.05 lies within ±0.2`).
    public var reason: String
    /// Rates to add to the grid, from unbracketed optima (ascending, each once).
    public var suggestedRates: [Double]
  }

  /// The settings.
  public var settings: Settings
  /// Per group, in order of first appearance.
  public var groups: [GroupResult]
  /// Every curve's optimum (`optima.csv`).
  public var optima: [CurveOptimum]

  /// Analyzes `data`.
  /// - Parameters:
  ///   - tolerance: τ of `TransferVerdict` (> 0).
  ///   - fitPoints: 3 or 5 points in each parabola fit.
  /// - Throws: `TransferError.tooFewRates` when a group's grid has fewer than 3 rates.
  public static func analyze(_ data: TransferData, tolerance: Double = 0.2, fitPoints: Int = 3) throws -> TransferAnalysis {
    precondition(tolerance > 0, "analyze: tolerance must be positive, got \(tolerance)")
    var groupNames = [String]()
    for point in data.points where !groupNames.contains(point.group) { groupNames.append(point.group) }
    var groups = [GroupResult]()
    var optima = [CurveOptimum]()
    for name in groupNames {
      let points = data.points.filter { $0.group == name }
      let rates = Array(Set(points.map(\.learningRate))).sorted()
      guard rates.count >= 3 else { throw TransferError.tooFewRates(group: name, found: rates) }
      let values = Array(Set(points.map(\.axisValue))).sorted()
      let seeds = Array(Set(points.map(\.seed))).sorted()
      var curve = [Int: [UInt64: LearningRateOptimum]]()
      for value in values {
        for seed in seeds {
          let cells = points.filter { $0.axisValue == value && $0.seed == seed }
          guard !cells.isEmpty else { continue }
          let optimum = LearningRateOptimum.locate(rates: cells.map(\.learningRate), losses: cells.map(\.loss), points: fitPoints)
          curve[value, default: [:]][seed] = optimum
          optima.append(CurveOptimum(group: name, axisValue: value, seed: seed, optimum: optimum))
        }
      }
      let axisOptima = values.map { value in
        let found = curve[value] ?? [:]
        let logs = seeds.compactMap { found[$0] }.filter(\.isBracketed).compactMap(\.learningRate).map(Foundation.log2)
        let interval = SlopeFit.meanInterval(logs)
        return AxisOptimum(axisValue: value, bracketedSeeds: logs.count, seeds: found.count, meanLog2: interval?.mean, halfWidthLog2: interval?.halfWidth)
      }
      // Seeds whose optimum is bracketed at every axis value: one exponent each.
      let complete = seeds.filter { seed in values.allSatisfy { curve[$0]?[seed]?.isBracketed == true } }
      let drift = complete.isEmpty
        ? nil
        : SlopeFit.fit(x: values.map(Double.init), repetitions: complete.map { seed in values.map { curve[$0]![seed]!.learningRate! } })
      let unbracketed = optima.filter { $0.group == name && !$0.optimum.isBracketed }
      let suggested = Array(Set(unbracketed.flatMap(\.optimum.suggestedRates))).sorted()
      // An optimum taken at a grid point (no parabola fit, e.g. next to a diverged rate) is known
      // only to within a grid step; when the exponent rests on such optima, its interval is at
      // least that resolution: one step (log₂) over the log₂ range of the axis.
      let gridOnly = complete.contains { seed in values.contains { curve[$0]?[seed]?.method == .grid } }
      let steps = zip(rates, rates.dropFirst()).map { Foundation.log2($1 / $0) }.sorted()
      let resolution = gridOnly && values.count >= 2 && !steps.isEmpty
        ? steps[steps.count / 2] / Foundation.log2(Double(values.last!) / Double(values.first!)) : 0
      let (verdict, reason) = decide(
        drift: drift, seeds: seeds.count, complete: complete.count, values: values.count, unbracketed: unbracketed,
        axis: data.axis, tolerance: tolerance, gridResolution: resolution)
      let preset = points[0].preset
      groups.append(GroupResult(
        group: name, preset: preset, expectedToTransfer: data.axis.presetsExpectedToTransfer.contains(preset), learningRates: rates,
        axisOptima: axisOptima, drift: drift, driftHalfWidth: drift.map { max($0.halfWidth, resolution) }, verdict: verdict,
        reason: reason, suggestedRates: suggested))
    }
    return TransferAnalysis(
      settings: Settings(axis: data.axis, metric: data.metric, step: data.step, tolerance: tolerance, fitPoints: fitPoints),
      groups: groups, optima: optima)
  }

  /// The verdict and its reason for one group.
  static func decide(
    drift: SlopeFit?, seeds: Int, complete: Int, values: Int, unbracketed: [CurveOptimum], axis: TransferAxis, tolerance: Double,
    gridResolution: Double = 0
  ) -> (TransferVerdict, String) {
    let tol = format(tolerance)
    if !unbracketed.isEmpty {
      let first = unbracketed[0]
      let edge = switch first.optimum.status {
        case .smallestRate: "the best rate is the grid's smallest"
        case .largestRate: "the best rate is the grid's largest"
        case .allDiverged: "every rate diverged"
        default: "fewer than 3 rates finished"
      }
      let more = unbracketed.count > 1 ? " (and \(unbracketed.count - 1) more curve\(unbracketed.count > 2 ? "s" : ""))" : ""
      let rates = first.optimum.suggestedRates.map(format).joined(separator: ", ")
      let run = rates.isEmpty ? "" : "; run also η = \(rates)"
      let estimate = drift.map { " Exponent on the \(complete) bracketed seed\(complete == 1 ? "" : "s"): p = \(format($0.slope))." } ?? ""
      return (.inconclusive, "not bracketed at \(axis.key) \(first.axisValue), seed \(first.seed)\(more): \(edge)\(run).\(estimate)")
    }
    guard values >= 2, let drift else { return (.inconclusive, "fewer than 2 \(axis.key) values with an optimum.") }
    guard complete >= 2 else {
      return (.inconclusive, "one seed: p = \(format(drift.slope)) has no interval; add seeds to the grid.")
    }
    let halfWidth = max(drift.halfWidth, gridResolution)
    let verdict = TransferVerdict.decide(exponent: drift.slope, halfWidth: halfWidth, tolerance: tolerance)
    let interval = "p = \(format(drift.slope)) ± \(format(halfWidth)) (95 %, \(complete) seeds"
      + (halfWidth > drift.halfWidth ? "; at least one grid step, as some optima are grid points next to a diverged or missing rate)" : ")")
    switch verdict {
    case .transfers: return (verdict, "\(interval) lies within ±\(tol).")
    case .drifts: return (verdict, "η* drifts like \(axis.key)^\(format(drift.slope)): \(interval) excludes 0 and is not within ±\(tol).")
    case .inconclusive:
      return (verdict, "\(interval) contains 0 but reaches beyond ±\(tol): "
        + (halfWidth > drift.halfWidth ? "the grid is too coarse there, add rates between its points." : "too noisy, add seeds."))
    }
  }

  /// Three significant digits.
  public static func format(_ value: Double) -> String {
    guard value.isFinite else { return value > 0 ? "inf" : value < 0 ? "-inf" : "nan" }
    if value == 0 { return "0" }
    let magnitude = abs(value)
    if magnitude >= 1e-3 && magnitude < 1e5 {
      let decimals = max(0, 2 - Int(Foundation.floor(Foundation.log10(magnitude))))
      var text = String(format: "%.\(decimals)f", value)
      if text.contains(".") {
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
      }
      return text
    }
    return String(format: "%.2e", value)
  }
}
