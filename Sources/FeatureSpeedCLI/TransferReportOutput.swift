import Foundation
import Experiments
import Plots

/// The figures and report of `featurespeed transfer` (docs/transfer.md, "Files"), drawn from the
/// rows of `transfer.csv` and the optima of `verdict.json` only:
/// - `transfer-loss.svg`: the μTransfer figure, loss against log₂ η, one curve per axis value
///   (mean over seeds, geometric on the log y axis, min–max band), one panel per group, and the
///   fitted optimum of each axis value marked (series `η*`); diverged cells are not drawn (they are
///   `inf` rows of `transfer.csv`) and the caption counts them;
/// - `optimum.svg`: η* against the axis value, log–log, mean over seeds with the 95 % interval as
///   band, and the fitted drift line `η* ∝ axis^p` per group;
/// then `report.md` and a self-contained `index.html`.
enum TransferReportOutput {
  /// Writes the figures and the report into `directory`.
  /// - Returns: the names of the files written.
  static func write(data: TransferData, analysis: TransferAnalysis, to directory: URL, title: String) throws -> [String] {
    let axis = data.axis.key
    let f = TransferAnalysis.format
    var report = Report(title: "Learning-rate transfer: \(title)")
    report.add(.paragraph(
      "Loss: \(data.metric.rawValue) at \(data.step.map { "step \($0)" } ?? "the last step of each cell"); axis: \(axis); "
        + "groups by \(data.groupKeys.isEmpty ? "none (one group, `all`)" : data.groupKeys.joined(separator: ", ")). "
        + "Optimum: parabola through the grid minimum and \(analysis.settings.fitPoints == 3 ? "its two" : "up to four") neighbours in log loss against log₂ η. "
        + "Verdict: `transfers` when the 95 % interval of p (η* ∝ \(axis)^p) lies within ±\(f(analysis.settings.tolerance)), "
        + "`drifts` when it excludes 0, otherwise `inconclusive` (see docs/transfer.md)."))

    report.add(.table(ReportTable(
      caption: "Verdict per group (verdict.json)",
      header: ["group", "preset", "expected to transfer", "p", "± (95 %)", "seeds", "verdict", "reason"],
      rows: analysis.groups.map { g in
        [g.group, g.preset, g.expectedToTransfer ? "yes" : "no", g.drift.map { f($0.slope) } ?? "—",
         g.drift.map { $0.slopes.count > 1 ? f($0.halfWidth) : "—" } ?? "—", g.drift.map { String($0.slopes.count) } ?? "0",
         g.verdict.rawValue, g.reason]
      })))
    report.add(.table(ReportTable(
      caption: "Optimum per \(axis) (mean of log₂ η* over the seeds with a bracketed optimum; optima.csv has every seed)",
      header: ["group", axis, "bracketed seeds", "η*", "95 % interval"],
      rows: analysis.groups.flatMap { g in
        g.axisOptima.map { o in
          [g.group, String(o.axisValue), "\(o.bracketedSeeds)/\(o.seeds)", o.learningRate.map(f) ?? "—",
           o.bracketedSeeds >= 2 ? "\(o.lower.map(f) ?? "?") – \(o.upper.map(f) ?? "?")" : "—"]
        }
      })))

    var notes = [String]()
    do {
      report.add(.figure(ReportFigure(
        fileName: "transfer-loss.svg",
        caption: "\(data.metric.rawValue) against log₂ η, one curve per \(axis) (mean over seeds, min–max band), one panel per group; "
          + "η*: the fitted optimum of each \(axis) (mean over bracketed seeds). "
          + "\(data.points.filter(\.diverged).count) diverged cell(s) not drawn (loss inf in transfer.csv).",
        figure: try lossFigure(data: data, analysis: analysis))))
    } catch {
      notes.append("transfer-loss.svg not drawn: \(error)")
    }
    if let figure = optimumFigure(data: data, analysis: analysis) {
      report.add(.figure(ReportFigure(
        fileName: "optimum.svg",
        caption: "η* against \(axis), log–log: mean over seeds with the 95 % interval as band; straight fit lines η* ∝ \(axis)^p "
          + "(p = mean of the per-seed exponents).",
        figure: .plot(figure))))
    } else {
      notes.append("optimum.svg not drawn: no bracketed optimum.")
    }
    if !data.skipped.isEmpty {
      notes.append("\(data.skipped.count) cell(s) left out: "
        + data.skipped.prefix(5).map { "\($0.cell) (\($0.reason))" }.joined(separator: "; ") + (data.skipped.count > 5 ? "; …" : "") + ".")
    }
    for note in notes { report.add(.paragraph(note)) }
    report.add(.paragraph("Data: transfer.csv (every cell's loss), optima.csv (every curve's optimum), verdict.json (this report's numbers)."))
    try report.write(to: directory)
    return report.figures.map(\.fileName) + ["report.md", "index.html"]
  }

  /// The μTransfer figure: `transfer.csv` through `PlotSpec`, plus an `η*` series per panel.
  static func lossFigure(data: TransferData, analysis: TransferAnalysis) throws -> Figure {
    let axis = data.axis.key
    let columns = TransferFiles.pointColumns(data.axis)
    let rows = data.points.map { p in
      [p.group, p.preset, String(p.axisValue), String(p.seed), "\(p.learningRate)", "\(Foundation.log2(p.learningRate))",
       p.diverged ? "inf" : "\(p.loss)", p.diverged ? "true" : "false", String(p.step), p.cell]
    }
    let table = try CSVTable(columnNames: columns, rows: rows, source: "transfer.csv")
    let spec = PlotSpec(
      x: "log2_learning_rate", y: "loss", series: [axis], over: "seed", facet: "group",
      filters: [RowFilter("diverged", equals: "false")], yScale: .log,
      title: "\(data.metric.rawValue) vs log₂ η, by \(axis)", xLabel: "log₂ η (base learning rate)", yLabel: data.metric.rawValue)
    var figure = try spec.makeFigure(from: table)
    guard case .grid(var grid) = figure else { return figure }
    for index in grid.panels.indices {
      guard let group = analysis.groups.first(where: { "group = \($0.group)" == grid.panels[index].title }) else { continue }
      let points = group.axisOptima.compactMap { o -> PlotPoint? in
        guard let mean = o.meanLog2 else { return nil }
        let losses = analysis.optima.filter { $0.group == group.group && $0.axisValue == o.axisValue && $0.optimum.isBracketed }
          .compactMap(\.optimum.loss).filter { $0 > 0 }
        guard !losses.isEmpty else { return nil }
        return PlotPoint(x: mean, y: Foundation.exp(losses.map(Foundation.log).reduce(0, +) / Double(losses.count)))
      }
      if !points.isEmpty { grid.panels[index].series.append(PlotSeries(name: "η* (fit)", points: points, markers: .shown)) }
    }
    figure = .grid(grid)
    return figure
  }

  /// η* against the axis, log–log, with the fitted drift lines; nil without a bracketed optimum.
  static func optimumFigure(data: TransferData, analysis: TransferAnalysis) -> LinePlot? {
    let axis = data.axis.key
    var series = [PlotSeries]()
    for group in analysis.groups {
      let means = group.axisOptima.filter { $0.meanLog2 != nil }
      guard !means.isEmpty else { continue }
      series.append(PlotSeries(
        name: "\(group.group) η*",
        points: means.map { o in
          PlotPoint(x: Double(o.axisValue), y: o.learningRate!, lower: o.bracketedSeeds >= 2 ? o.lower : nil, upper: o.bracketedSeeds >= 2 ? o.upper : nil)
        }, markers: .shown))
      if let drift = group.drift, means.count >= 2 {
        // log₂ η* ≈ c + p log₂ axis, c from the means (least squares with the slope fixed at p).
        let c = means.map { $0.meanLog2! - drift.slope * Foundation.log2(Double($0.axisValue)) }.reduce(0, +) / Double(means.count)
        let ends = [means.first!.axisValue, means.last!.axisValue].map(Double.init)
        series.append(PlotSeries(
          name: "\(group.group) fit: p = \(TransferAnalysis.format(drift.slope))",
          points: ends.map { PlotPoint(x: $0, y: Foundation.pow(2, c + drift.slope * Foundation.log2($0))) }, markers: .hidden))
      }
    }
    guard !series.isEmpty else { return nil }
    return LinePlot(
      title: "Best learning rate vs \(axis)", xLabel: axis, yLabel: "η* (base learning rate)", xScale: .log, yScale: .log,
      legendTitle: "group", series: series,
      notes: ["Mean of log₂ η* over the seeds with a bracketed optimum; band: 95 % Student-t interval (2 or more seeds)."])
  }
}
