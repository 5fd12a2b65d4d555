import Foundation
import Experiments
import Plots

/// The figures and report of a coordinate check, drawn from `coordcheck-data.csv`.
enum CoordCheckFigures {
  static func writeReport(results: [CoordCheckResult], check: CoordCheck, directory: URL) throws {
    let table = try CSVTable(contentsOf: directory.appendingPathComponent("coordcheck-data.csv"))
    var report = Report(title: "Coordinate check: \(check.base.preset) (\(check.base.architecture.rawValue))")
    let failed = results.filter { $0.verdict == .fail || $0.verdict == .inconclusive }.count
    report.add(.paragraph(
      "Widths \(check.widths.map(String.init).joined(separator: ", "))\(check.depths.isEmpty ? "" : "; depths \(check.depths.map(String.init).joined(separator: ", "))"), "
        + "\(check.seeds.count) seeds, \(check.base.steps) steps each, values at the last step. A prediction passes when it lies within "
        + "±\(check.tolerance) of the 95 % interval of the fitted exponent (interval half-width at most \(check.maximumHalfWidth)). "
        + (failed == 0 ? "Every prediction passes." : "\(failed) check(s) fail or are inconclusive.")))
    let verdicts = CoordCheckLayerVerdict.verdicts(results)
    report.add(.table(ReportTable(
      caption: "Feature-learning desiderata (band ±\(check.band)), \(check.mode == .desiderata ? "deciding" : "for information") — "
        + CoordCheckReport.summary(verdicts),
      header: ["axis", "layer", "position", "verdict"],
      rows: verdicts.map { [$0.axis.rawValue, $0.layer, $0.position.rawValue, $0.text] })))
    report.add(.table(ReportTable(
      caption: "Fitted exponents — coordcheck.csv", header: ["axis", "layer", "quantity", "slope", "95 % interval", "predicted", "verdict"],
      rows: results.map { r in
        [r.axis.rawValue, r.layer, r.quantity, r.fit.map { ReportTable.number($0.slope) } ?? "—",
         r.fit.map { "[\(ReportTable.number($0.lower)), \(ReportTable.number($0.upper))]" } ?? "—",
         r.predicted.map { ReportTable.number($0) } ?? "—", r.verdict.rawValue]
      })))
    for axis in CoordCheck.Axis.allCases where !(axis == .width ? check.widths : check.depths).isEmpty {
      report.add(.heading("Against \(axis.rawValue)"))
      let quantities = Set(results.filter { $0.axis == axis }.map(\.quantity))
      for quantity in quantities.sorted() {
        let spec = PlotSpec(
          x: "size", y: "value", series: ["layer"], over: "seed",
          filters: [RowFilter("axis", equals: axis.rawValue), RowFilter("quantity", equals: quantity)],
          xScale: .log, yScale: .log, title: "\(quantity) vs \(axis.rawValue)", xLabel: axis.rawValue, yLabel: quantity)
        let figure = try spec.makeFigure(from: table)
        report.add(.figure(ReportFigure(
          fileName: "\(axis.rawValue)-\(quantity).svg",
          caption: "\(quantity) at the last step against \(axis.rawValue), one line per layer; mean and min–max over seeds.", figure: figure)))
      }
    }
    try report.write(to: directory)
  }
}
