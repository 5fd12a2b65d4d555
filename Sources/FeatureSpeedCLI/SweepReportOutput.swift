import Foundation
import Experiments
import Plots

/// The report of a merged sweep: figures drawn from its merged CSV files only, `report.md` and a
/// self-contained `index.html` with the per-cell table next to them (issue 4: "every experiment
/// writes its figures plus a report").
///
/// Figures, each skipped with a note when the sweep has nothing to draw for it:
/// - `loss.svg`: training loss against step (`sweep-metrics.csv`), one series per combination of
///   the grid keys other than `seed`, mean and min–max band over seeds, log y;
/// - `final-loss.svg`: final training loss (`cells.csv`) against the sweep's x axis — `learning-rate`
///   when the grid varies both `learning-rate` and `width` (the μTransfer figure: one line per
///   width, one panel per `preset` with a shared y range), else the first numeric grid key other
///   than `seed` that takes two or more values — log-scaled when its values are positive and span
///   a factor ≥ 4, series the other keys; `final-test-loss.svg` likewise for the final test loss
///   when the cells were evaluated;
/// - `feature-update.svg` and `bfa.svg`: `feature_update_rms` and `bfa_cos` at the last measured
///   step (`sweep.csv`) against the same key, one panel per layer.
///
/// Diverged cells (`status` `diverged`) are left out of the final-loss means and drawn as `×` at
/// the top edge, listed under the figure; loss curves that blow up are clamped at the top of a
/// robust y axis (see `SVGRenderer`). Series styles follow the grid's values (`seriesLevels`), so
/// one preset or width has one color in every figure of the report.
enum SweepReportOutput {
  /// Writes the report into `directory` (which holds `sweep.json` and the merged CSV files).
  /// - Returns: the names of the files written.
  static func write(directory: URL, title: String) throws -> [String] {
    let manifest = try SweepManifest.load(from: directory)
    let cells = try CSVTable(contentsOf: directory.appendingPathComponent("cells.csv"))
    let metrics = try CSVTable(contentsOf: directory.appendingPathComponent("sweep-metrics.csv"))
    let keys = manifest.keys
    let seriesKeys = keys.filter { $0 != "seed" }
    let over: String? = keys.contains("seed") ? "seed" : nil
    func varies(_ key: String) throws -> Bool { try cells.distinctValues(key).count >= 2 }
    let transfer = try keys.contains("learning-rate") && keys.contains("width") && varies("learning-rate") && varies("width")
    let axisKey = try transfer ? "learning-rate" : seriesKeys.first { key in
      let values = try cells.distinctValues(key)
      return values.count >= 2 && values.allSatisfy { Double($0) != nil }
    }
    // The μTransfer figure: panels by preset, one line per width (and per other varied key).
    let facet: String? = try transfer && keys.contains("preset") && varies("preset") ? "preset" : nil
    let levels = Self.levels(manifest)

    var report = Report(title: "Sweep \(title)")
    let completed = try cells.strings("status").filter { $0 == "completed" }.count
    let diverged = try cells.strings("status").filter { $0 == "diverged" }.count
    report.add(.paragraph(
      "\(manifest.cells.count) cells over \(keys.joined(separator: ", ")): \(completed) completed, \(diverged) diverged, "
        + "\(manifest.cells.count - completed - diverged) not finished. Data: sweep.csv (every measurement), "
        + "sweep-metrics.csv (loss and accuracy), cells.csv (this table). Redraw or restyle any figure with `featurespeed plot`."))

    var notes = [String]()
    func add(_ file: String, _ caption: String, _ spec: PlotSpec, from table: CSVTable) {
      do {
        report.add(.figure(ReportFigure(fileName: file, caption: caption, figure: try spec.makeFigure(from: table))))
      } catch {
        notes.append("\(file) not drawn: \(error)")
      }
    }
    let lines = Array(seriesKeys.filter { $0 != axisKey })
    // Width first: with the learning rate on x, the widths are the lines.
    let finalLines = transfer ? ["width"] + lines.filter { $0 != "width" && $0 != facet } : lines
    // More than 8 curves in one plot are unreadable: then one panel per value of the sweep axis.
    let combinations = try Set((0..<cells.rowCount).map { row in try seriesKeys.map { try cells.strings($0)[row] } }).count
    let lossFacet = combinations > 8 ? axisKey : nil
    let lossSeries = seriesKeys.filter { $0 != lossFacet }
    add("loss.svg", "Training loss (batch, before each update) against step\(lossFacet.map { ", one panel per \($0)" } ?? ""); "
          + "mean and min–max over seeds\(diverged > 0 ? "; losses of blowing-up runs above the axis as △ at its top edge" : "").",
        PlotSpec(x: "step", y: "loss", series: lossSeries, over: over, facet: lossFacet, filters: [RowFilter("split", equals: "train")],
                 yScale: .log, title: "Training loss", yLabel: "loss", seriesLevels: levels), from: metrics)
    if let axisKey {
      let values = try cells.doubles(axisKey).compactMap { $0 }
      let logX = values.allSatisfy { $0 > 0 } && (values.max() ?? 0) >= 4 * (values.min() ?? 0)
      let byLine = "one line per \(finalLines.isEmpty ? "sweep" : finalLines.joined(separator: ", "))"
        + (facet.map { ", one panel per \($0) (shared y)" } ?? "")
      let divergedCells = RowFilter("status", equals: "diverged")
      let divergedNote = diverged > 0 ? "; diverged cells as × above the dashed line" : ""
      add("final-loss.svg", "Final training loss against \(axisKey), \(byLine); mean and min–max over seeds\(divergedNote).",
          PlotSpec(x: axisKey, y: "final_train_loss", series: finalLines, over: over, facet: facet, xScale: logX ? .log : .linear,
                   yScale: .log, title: "Final training loss vs \(axisKey)", yLabel: "final training loss", diverged: divergedCells,
                   seriesLevels: levels), from: cells)
      if try cells.strings("test_loss").contains(where: { !$0.isEmpty }) {
        add("final-test-loss.svg", "Final test loss against \(axisKey), \(byLine); mean and min–max over seeds\(divergedNote).",
            PlotSpec(x: axisKey, y: "test_loss", series: finalLines, over: over, facet: facet, xScale: logX ? .log : .linear,
                     yScale: .log, title: "Final test loss vs \(axisKey)", yLabel: "final test loss", diverged: divergedCells,
                     seriesLevels: levels), from: cells)
      }
      let sweep = try CSVTable(contentsOf: directory.appendingPathComponent("sweep.csv"))
      if let last = try zip(sweep.strings("quantity"), sweep.doubles("step")).filter({ $0.0 == "feature_update_rms" }).compactMap(\.1).max() {
        let step = String(Int(last))
        for (file, quantity, name) in [("feature-update.svg", "feature_update_rms", "Feature update rms"), ("bfa.svg", "bfa_cos", "Backward–feature angle cosine")] {
          add(file, "\(quantity) at step \(step) (the last measured step) against \(axisKey), per layer; mean and min–max over seeds.",
              PlotSpec(x: axisKey, y: "value", series: lines, over: over, facet: "layer",
                       filters: [RowFilter("quantity", equals: quantity), RowFilter("step", equals: step)],
                       xScale: logX ? .log : .linear, yScale: quantity == "bfa_cos" ? .linear : .log,
                       title: "\(name) at step \(step) vs \(axisKey)", yLabel: quantity, seriesLevels: levels), from: sweep)
        }
      }
    } else {
      notes.append("No numeric grid key (other than seed) with two or more values: no figures against a sweep axis.")
    }
    for note in notes { report.add(.paragraph(note)) }

    report.add(.table(ReportTable(
      caption: "Cells (cells.csv)", header: cells.columnNames,
      rows: (0..<cells.rowCount).map { row in
        cells.row(row).map { field in Double(field).map { $0.isFinite && field.contains(".") ? ReportTable.number($0) : field } ?? field }
      },
      // A diverged cell's row stands out; its status column says why.
      rowTones: try cells.strings("status").map { $0 == "diverged" ? .warning : .normal })))
    try report.write(to: directory)
    return report.figures.map(\.fileName) + ["report.md", "index.html"]
  }

  /// Each grid key's values, numbers ascending and text in grid order, for `PlotSpec.seriesLevels`.
  static func levels(_ manifest: SweepManifest) -> [String: [String]] {
    var levels = [String: [String]]()
    for cell in manifest.cells {
      for value in cell.values where !(levels[value.key]?.contains(value.value) ?? false) {
        levels[value.key, default: []].append(value.value)
      }
    }
    return levels.mapValues { values in
      values.allSatisfy { Double($0) != nil } ? values.sorted { Double($0)! < Double($1)! } : values
    }
  }
}
