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
/// - `final-loss.svg`: final training loss (`cells.csv`) against the first numeric grid key other
///   than `seed` that takes two or more values (the sweep's x axis, log-scaled when its values are
///   positive and span a factor ≥ 4), series as above;
/// - `feature-update.svg` and `bfa.svg`: `feature_update_rms` and `bfa_cos` at the last measured
///   step (`sweep.csv`) against the same key, one panel per layer.
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
    let axisKey = try seriesKeys.first { key in
      let values = try cells.distinctValues(key)
      return values.count >= 2 && values.allSatisfy { Double($0) != nil }
    }

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
    add("loss.svg", "Training loss (batch, before each update) against step; mean and min–max over seeds.",
        PlotSpec(x: "step", y: "loss", series: seriesKeys, over: over, filters: [RowFilter("split", equals: "train")],
                 yScale: .log, title: "Training loss", yLabel: "loss"), from: metrics)
    if let axisKey {
      let values = try cells.doubles(axisKey).compactMap { $0 }
      let logX = values.allSatisfy { $0 > 0 } && (values.max() ?? 0) >= 4 * (values.min() ?? 0)
      add("final-loss.svg", "Final training loss against \(axisKey); mean and min–max over seeds.",
          PlotSpec(x: axisKey, y: "final_train_loss", series: lines, over: over, xScale: logX ? .log : .linear, yScale: .log,
                   title: "Final training loss vs \(axisKey)", yLabel: "final training loss"), from: cells)
      let sweep = try CSVTable(contentsOf: directory.appendingPathComponent("sweep.csv"))
      if let last = try zip(sweep.strings("quantity"), sweep.doubles("step")).filter({ $0.0 == "feature_update_rms" }).compactMap(\.1).max() {
        let step = String(Int(last))
        for (file, quantity, name) in [("feature-update.svg", "feature_update_rms", "Feature update rms"), ("bfa.svg", "bfa_cos", "Backward–feature angle cosine")] {
          add(file, "\(quantity) at step \(step) (the last measured step) against \(axisKey), per layer; mean and min–max over seeds.",
              PlotSpec(x: axisKey, y: "value", series: lines, over: over, facet: "layer",
                       filters: [RowFilter("quantity", equals: quantity), RowFilter("step", equals: step)],
                       xScale: logX ? .log : .linear, yScale: quantity == "bfa_cos" ? .linear : .log,
                       title: "\(name) at step \(step) vs \(axisKey)", yLabel: quantity), from: sweep)
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
      })))
    try report.write(to: directory)
    return report.figures.map(\.fileName) + ["report.md", "index.html"]
  }
}
