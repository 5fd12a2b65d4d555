import Foundation
import Experiments
import Plots

/// The figures and report of a coordinate check, drawn from `coordcheck-data.csv`.
///
/// The report opens with a summary line (`2 of 12 checks FAIL, 1 INCONCLUSIVE: …` or `All 12
/// checks pass.`), and in the table of fitted exponents a failing row is marked `✗ FAIL` and an
/// inconclusive one `? INCONCLUSIVE`, highlighted red and amber in `index.html` (bold in
/// `report.md`), so a problem is found by its word as well as by its color.
enum CoordCheckFigures {
  /// The verdict as shown in the table: a symbol and a word that stand out without color.
  static func shown(_ verdict: CoordCheckResult.Verdict) -> String {
    switch verdict {
    case .pass: "✓ pass"
    case .fail: "✗ FAIL"
    case .inconclusive: "? INCONCLUSIVE"
    case .noPrediction, .noData: verdict.rawValue
    }
  }

  /// The highlight of a verdict's row.
  static func tone(_ verdict: CoordCheckResult.Verdict) -> RowTone {
    switch verdict {
    case .fail: .failure
    case .inconclusive: .warning
    case .pass, .noPrediction, .noData: .normal
    }
  }

  /// The summary line and its tone: counts of pass / fail / inconclusive and the failing checks.
  static func summary(_ results: [CoordCheckResult]) -> (String, RowTone) {
    let judged = results.filter { [.pass, .fail, .inconclusive].contains($0.verdict) }
    let fails = results.filter { $0.verdict == .fail }, unsure = results.filter { $0.verdict == .inconclusive }
    func names(_ list: [CoordCheckResult]) -> String {
      let shown = list.prefix(5).map { "\($0.quantity) (\($0.axis.rawValue), layer \($0.layer))" }
      return shown.joined(separator: ", ") + (list.count > 5 ? ", and \(list.count - 5) more" : "")
    }
    if fails.isEmpty && unsure.isEmpty {
      return (judged.isEmpty ? "Summary: no prediction was checked." : "Summary: all \(judged.count) checks pass.",
              judged.isEmpty ? .warning : .success)
    }
    var parts = [String]()
    if !fails.isEmpty { parts.append("\(fails.count) FAIL: \(names(fails))") }
    if !unsure.isEmpty { parts.append("\(unsure.count) INCONCLUSIVE: \(names(unsure))") }
    let passed = judged.count - fails.count - unsure.count
    return ("Summary: \(passed) of \(judged.count) checks pass; " + parts.joined(separator: "; ") + ".",
            fails.isEmpty ? .warning : .failure)
  }

  static func writeReport(results: [CoordCheckResult], check: CoordCheck, directory: URL) throws {
    let table = try CSVTable(contentsOf: directory.appendingPathComponent("coordcheck-data.csv"))
    var report = Report(title: "Coordinate check: \(check.base.preset) (\(check.base.architecture.rawValue))")
    let failed = results.filter { $0.verdict == .fail || $0.verdict == .inconclusive }.count
    let verdicts = CoordCheckLayerVerdict.verdicts(results)
    // The summary on top is the one that decides the exit status: the desiderata by default, the
    // preset's predictions with --against-preset.
    if check.mode == .desiderata {
      report.add(.summary(
        "Summary: " + CoordCheckReport.summary(verdicts), tone: verdicts.contains(where: \.isFailure) ? .failure : .success))
    } else {
      let (summaryLine, summaryTone) = summary(results)
      report.add(.summary(summaryLine, tone: summaryTone))
    }
    let predictions = check.mode == .desiderata
      ? "The preset's own predicted exponents below are for information (--against-preset decides with them)."
      : (failed == 0 ? "Every prediction passes." : "\(failed) check(s) fail or are inconclusive.")
    report.add(.paragraph(
      "Widths \(check.widths.map(String.init).joined(separator: ", "))\(check.depths.isEmpty ? "" : "; depths \(check.depths.map(String.init).joined(separator: ", "))"), "
        + "\(check.seeds.count) seeds, \(check.base.steps) steps each, values at the last step. A prediction passes when it lies within "
        + "±\(check.tolerance) of the 95 % interval of the fitted exponent (interval half-width at most \(check.maximumHalfWidth)). "
        + predictions))
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
         r.predicted.map { ReportTable.number($0) } ?? "—", shown(r.verdict)]
      }, rowTones: results.map { tone($0.verdict) })))
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
