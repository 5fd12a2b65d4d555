import Foundation
import Experiments
import Plots

/// The figure and report of `featurespeed kernel`, drawn from its `kernel.csv` only (theory §4):
/// - `kernel.svg`: per layer, the measured `cos θ_ℓ`, the random-direction estimate `m1/√m2`
///   and the Kantorovich lower bound `2√κ/(1+κ)` (log y when they span a factor ≥ 10);
/// - `report.md` and `index.html`: the conclusion computed from this run's numbers (how closely
///   the estimate tracks the angle, how far below it the bound lies), the per-layer table, the
///   figure.
enum KernelReportOutput {
  /// One layer's angle numbers from `kernel.csv`.
  struct Layer: Equatable {
    var layer: Int
    var bfaCos: Double
    var estimate: Double?
    var bound: Double?
  }

  /// The rows of `kernel.csv` (`layer`, `bfa_cos`, `estimate`, `kantorovich_bound`).
  /// - Throws: `CSVTableError` for a missing column or a field that is not a number.
  static func layers(_ table: CSVTable) throws -> [Layer] {
    let layer = try table.doubles("layer"), cos = try table.doubles("bfa_cos")
    let estimate = try table.doubles("estimate"), bound = try table.doubles("kantorovich_bound")
    return (0..<table.rowCount).compactMap { i in
      guard let l = layer[i], let c = cos[i] else { return nil }
      return Layer(layer: Int(l), bfaCos: c, estimate: estimate[i], bound: bound[i])
    }
  }

  /// The conclusion in one or two sentences, from the numbers: `m₁/√m₂ tracks the measured cos θ
  /// within 0.2–3.6 % (8 layers); the Kantorovich bound 2√κ/(1+κ) is 1.1–15× below it.`
  static func conclusion(_ layers: [Layer]) -> String {
    func percent(_ v: Double) -> String { String(format: v < 0.1 ? "%.2g" : "%.1f", 100 * v) }
    func factor(_ v: Double) -> String { String(format: v < 10 ? "%.2g" : "%.0f", v) }
    func range(_ values: [Double], _ show: (Double) -> String) -> String {
      let low = show(values.min()!), high = show(values.max()!)
      return low == high ? low : "\(low)–\(high)"
    }
    var sentences = [String]()
    let measured = layers.filter { $0.bfaCos.isFinite && $0.bfaCos > 0 }
    let errors = measured.compactMap { l in l.estimate.flatMap { $0.isFinite ? abs($0 / l.bfaCos - 1) : nil } }
    if errors.isEmpty {
      sentences.append("No layer has both a positive measured cos θ and an estimate m₁/√m₂ to compare.")
    } else {
      let worst = measured.filter { l in l.estimate.map { abs($0 / l.bfaCos - 1) == errors.max()! } ?? false }.first
      sentences.append(
        "m₁/√m₂ tracks the measured cos θ within \(range(errors, percent)) % (relative, \(errors.count) "
          + "\(errors.count == 1 ? "layer" : "layers")\(worst.map { "; largest at layer \($0.layer)" } ?? "")).")
    }
    let bounded = measured.compactMap { l in l.bound.flatMap { $0.isFinite && $0 > 0 ? (l.layer, l.bfaCos / $0) : nil } }
    if !bounded.isEmpty {
      let ratios = bounded.map(\.1)
      var text = "The Kantorovich bound 2√κ/(1+κ) is \(range(ratios, factor))× below it"
      let violated = bounded.filter { $0.1 < 1 - 1e-6 }.map { String($0.0) }
      if !violated.isEmpty { text += ", but above it at layer \(violated.joined(separator: ", ")) (not a valid bound there: check λ_min)" }
      sentences.append(text + ".")
    }
    let unbounded = measured.filter { l in !(l.bound.map { $0.isFinite && $0 > 0 } ?? false) }.map { String($0.layer) }
    if !unbounded.isEmpty { sentences.append("No positive bound at layer \(unbounded.joined(separator: ", ")) (λ_min = 0).") }
    return sentences.joined(separator: " ")
  }

  /// The figure: three series against the layer.
  static func figure(_ layers: [Layer], title: String) -> LinePlot {
    let x = layers.map { Double($0.layer) }
    let measured = zip(x, layers).map { PlotPoint(x: $0, y: $1.bfaCos) }
    let estimate = zip(x, layers).compactMap { x, l in l.estimate.map { PlotPoint(x: x, y: $0) } }
    let bound = zip(x, layers).compactMap { x, l in l.bound.flatMap { $0 > 0 ? PlotPoint(x: x, y: $0) : nil } }
    let values = (measured + estimate + bound).map(\.y).filter { $0.isFinite && $0 > 0 }
    let logY = (values.max() ?? 1) >= 10 * (values.min() ?? 1) && values.count == (measured + estimate + bound).count
    let palette = SeriesPalette.categorical
    return LinePlot(
      title: title, xLabel: "layer ℓ", yLabel: "cos θ_ℓ and its kernel predictions", yScale: logY ? .log : .linear,
      series: [
        PlotSeries(name: "measured cos θ_ℓ", points: measured, markers: .shown, style: SeriesStyle(color: palette[0], marker: 0)),
        PlotSeries(name: "estimate m₁/√m₂", points: estimate, markers: .shown, style: SeriesStyle(color: palette[1], marker: 1)),
        PlotSeries(name: "Kantorovich bound 2√κ/(1+κ)", points: bound, markers: .shown, style: SeriesStyle(color: palette[2], marker: 2)),
      ],
      notes: ["From kernel.csv: bfa_cos, estimate, kantorovich_bound (Ritz κ)." + (logY ? " Log y axis." : "")])
  }

  /// Writes `kernel.svg`, `report.md` and `index.html` into `directory` (which holds `kernel.csv`).
  /// - Returns: the conclusion sentence and the names of the files written.
  static func write(directory: URL, title: String) throws -> (conclusion: String, files: [String]) {
    let table = try CSVTable(contentsOf: directory.appendingPathComponent("kernel.csv"))
    let layers = try layers(table)
    let conclusion = conclusion(layers)
    var report = Report(title: "Kernel analysis: \(title)")
    report.add(.paragraph(conclusion))
    report.add(.paragraph(
      "Per layer ℓ: the backward–feature angle cos θ_ℓ of the batch's gradient step, the estimate m₁/√m₂ from the "
        + "kernel's moments, and the Kantorovich lower bound from its condition number κ (theory §4; see `kernel.csv` and "
        + "`kernel.json` for every number)."))
    report.add(.table(ReportTable(
      caption: "Angle and its predictions — kernel.csv", header: ["layer", "cos θ", "m₁/√m₂", "bound", "cos θ / bound"],
      rows: layers.map { l in
        [String(l.layer), ReportTable.number(l.bfaCos), l.estimate.map(ReportTable.number) ?? "—",
         l.bound.map(ReportTable.number) ?? "—", l.bound.flatMap { $0 > 0 ? ReportTable.number(l.bfaCos / $0) : nil } ?? "—"]
      })))
    report.add(.figure(ReportFigure(
      fileName: "kernel.svg", caption: "Measured cos θ_ℓ, the estimate m₁/√m₂ and the Kantorovich bound, per layer.",
      figure: .plot(figure(layers, title: "Backward–feature angle and kernel predictions"))))) 
    try report.write(to: directory)
    return (conclusion, ["kernel.svg", "report.md", "index.html"])
  }
}
