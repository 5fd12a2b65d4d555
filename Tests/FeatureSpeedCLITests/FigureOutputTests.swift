import Foundation
import Testing
import Experiments
import Plots
import _TestSupport

@testable import FeatureSpeedCLI

/// The figures and reports the commands write: the sweep's learning-rate figure, the
/// control-depth caption, the coordcheck summary, the kernel report.
@Suite("Figures and reports of the commands")
struct FigureOutputTests {
  /// A fake merged sweep directory: preset × width × learning-rate × seed, one cell diverged.
  static func transferSweep(in directory: URL) throws {
    var cells = [SweepCell](), cellRows = [String](), metricRows = [String](), sweepRows = [String]()
    var index = 0
    for preset in ["sp", "mup"] {
      for width in ["64", "128"] {
        for rate in ["0.01", "0.1", "1"] {
          for seed in ["0", "1"] {
            let values = [("preset", preset), ("width", width), ("learning-rate", rate), ("seed", seed)]
            let id = values.map { "\($0)=\($1)" }.joined(separator: "_")
            cells.append(SweepCell(index: index, values: values.map { SweepCell.Value(key: $0, value: $1) }, request: RunRequest(), id: id))
            let diverged = preset == "sp" && width == "128" && rate == "1" && seed == "0"
            let loss = diverged ? "1e+36" : String(2 - Double(rate)! + (width == "64" ? 0.1 : 0))
            let status = diverged ? "diverged,3" : "completed,10"
            cellRows.append("\(index),\(id),\(preset),\(width),\(rate),\(seed),\(status),\(loss),\(diverged ? "" : loss),,\(diverged ? "3" : "")")
            for step in 0..<3 { metricRows.append("\(id),\(preset),\(width),\(rate),\(seed),\(step),train,\(diverged && step == 2 ? "1e+36" : loss),0.1") }
            sweepRows.append("\(id),\(preset),\(width),\(rate),\(seed),9,1,feature_update_rms,0.1")
            index += 1
          }
        }
      }
    }
    let keys = "preset,width,learning-rate,seed"
    try JSONFile.write(SweepManifest(name: "t", keys: keys.split(separator: ",").map(String.init), cells: cells), to: SweepManifest.url(in: directory))
    func write(_ name: String, _ header: String, _ rows: [String]) throws {
      try (([header] + rows).joined(separator: "\n") + "\n").write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
    try write("cells.csv", "index,cell,\(keys),status,completed_steps,final_train_loss,test_loss,test_accuracy,diverged_at_step", cellRows)
    try write("sweep-metrics.csv", "cell,\(keys),step,split,loss,accuracy", metricRows)
    try write("sweep.csv", "cell,\(keys),step,layer,quantity,value", sweepRows)
  }

  @Test("A sweep over learning-rate and width draws final loss against the rate, a line per width, a panel per preset")
  func transferFigure() throws {
    try withTemporaryDirectory { (directory: URL) throws in
      try Self.transferSweep(in: directory)
      let files = try SweepReportOutput.write(directory: directory, title: "t")
      #expect(files.contains("final-loss.svg") && files.contains("final-test-loss.svg"))
      let svg = String(decoding: try contents(of: directory.appendingPathComponent("final-loss.svg")), as: UTF8.self)
      #expect(svg.contains(">preset = mup</text>") && svg.contains(">preset = sp</text>"), "one panel per preset")
      #expect(svg.contains(">learning-rate</text>") && svg.contains(">width</text>"))
      #expect(svg.contains("class=\"diverged\"") && svg.contains("1 run diverged"))
      #expect(!svg.contains("10³⁶") && !svg.contains("10³⁰"), "the diverged 1e36 stretched the axis")
      // Widths get the ordered palette, the same in both panels.
      let dark = SeriesPalette.sequential(0, of: 2), light = SeriesPalette.sequential(1, of: 2)
      #expect(svg.components(separatedBy: "stroke=\"\(dark)\" stroke-width=\"1.8\"").count - 1 >= 3)  // 2 panels + legend
      #expect(svg.components(separatedBy: "stroke=\"\(light)\" stroke-width=\"1.8\"").count - 1 >= 3)
      // The loss curve that blows up is clamped at the top of the axis.
      let loss = String(decoding: try contents(of: directory.appendingPathComponent("loss.svg")), as: UTF8.self)
      #expect(!loss.contains("10³⁶ ") && !loss.contains(">10³⁰<"))
      let html = String(decoding: try contents(of: directory.appendingPathComponent("index.html")), as: UTF8.self)
      #expect(html.components(separatedBy: "<tr class=\"warning\">").count - 1 == 1)  // the diverged cell's row
      let report = String(decoding: try contents(of: directory.appendingPathComponent("report.md")), as: UTF8.self)
      #expect(report.contains("Final training loss against learning-rate, one line per width, one panel per preset (shared y); "
        + "mean and min–max over seeds; diverged cells as × above the dashed line."), "\(report)")
    }
  }

  @Test("Without learning-rate × width the sweep axis is the first numeric key, as before")
  func widthSweepAxis() throws {
    try withTemporaryDirectory { (directory: URL) throws in
      try Self.transferSweep(in: directory)
      // Keep one learning rate: the transfer figure no longer applies.
      let cells = try CSVTable(contentsOf: directory.appendingPathComponent("cells.csv")).filtered([RowFilter("learning-rate", equals: "0.1")])
      let text = ([cells.columnNames.joined(separator: ",")] + (0..<cells.rowCount).map { cells.row($0).joined(separator: ",") }).joined(separator: "\n") + "\n"
      try text.write(to: directory.appendingPathComponent("cells.csv"), atomically: true, encoding: .utf8)
      _ = try SweepReportOutput.write(directory: directory, title: "t")
      let svg = String(decoding: try contents(of: directory.appendingPathComponent("final-loss.svg")), as: UTF8.self)
      #expect(svg.contains(">width</text>") && !svg.contains(">preset = sp</text>"))
    }
  }

  @Test("The control-depth caption states what FSC-control targets and the shares its figure shows")
  func controlDepthCaption() throws {
    let table = try CSVTable(parsing: """
      method,depth,step,layer,quantity,value
      fsc-control,8,0,1,contribution_share_step0,0.94
      fsc-control,8,0,2,contribution_share_step0,0.04
      fsc-control,8,0,3,contribution_share_step0,0.02
      sp-global,8,0,1,contribution_share_step0,0.3
      sp-global,8,0,2,contribution_share_step0,0.3
      sp-global,8,0,3,contribution_share_step0,0.4
      fsc-control,8,,,final_test_accuracy,0.8

      """)
    let static_ = try #require(ReproductionOutput.figures(.controlDepth).first { $0.file == "contributions.svg" }).caption
    #expect(!static_.contains("uniform"))
    let sentence = try #require(try ReproductionOutput.dataSentence("contributions.svg", reproduction: .controlDepth, table: table))
    #expect(sentence.contains("targets an equal feature speed") && sentence.contains("not equal shares"))
    #expect(sentence.contains("94 % (layer 1) at depth 8") && sentence.contains("from 30 % to 40 %"), "\(sentence)")
    #expect(try ReproductionOutput.dataSentence("accuracy-depth.svg", reproduction: .controlDepth, table: table) == nil)
  }

  static func result(_ quantity: String, layer: String, verdict: String) throws -> CoordCheckResult {
    let json = "{\"axis\":\"width\",\"layer\":\"\(layer)\",\"position\":\"hidden\",\"quantity\":\"\(quantity)\",\"predicted\":0,\"verdict\":\"\(verdict)\"}"
    return try JSONDecoder().decode(CoordCheckResult.self, from: Data(json.utf8))
  }

  @Test("coordcheck: a summary line on top; failing and inconclusive rows say so in words and stand out")
  func coordCheckSummary() throws {
    let results = [
      try Self.result("feature_rms", layer: "1", verdict: "pass"), try Self.result("feature_rms", layer: "2", verdict: "fail"),
      try Self.result("bfa_cos", layer: "2", verdict: "inconclusive"), try Self.result("bfa_cos", layer: "3", verdict: "n/a"),
    ]
    let (line, tone) = CoordCheckFigures.summary(results)
    #expect(line == "Summary: 1 of 3 checks pass; 1 FAIL: feature_rms (width, layer 2); 1 INCONCLUSIVE: bfa_cos (width, layer 2).")
    #expect(tone == .failure)
    #expect(results.map { CoordCheckFigures.shown($0.verdict) } == ["✓ pass", "✗ FAIL", "? INCONCLUSIVE", "n/a"])
    #expect(results.map { CoordCheckFigures.tone($0.verdict) } == [.normal, .failure, .warning, .normal])
    #expect(CoordCheckFigures.summary([results[0]]) == ("Summary: all 1 checks pass.", .success))
  }

  @Test("kernel: the conclusion sentence is computed from the run's numbers")
  func kernelConclusion() {
    let layers = [
      KernelReportOutput.Layer(layer: 1, bfaCos: 0.9, estimate: 0.909, bound: 0.45),
      KernelReportOutput.Layer(layer: 2, bfaCos: 0.5, estimate: 0.52, bound: 0.01),
      KernelReportOutput.Layer(layer: 3, bfaCos: 0.4, estimate: 0.4, bound: 0),
    ]
    let text = KernelReportOutput.conclusion(layers)
    #expect(text.contains("m₁/√m₂ tracks the measured cos θ within 0–4 % (relative, 3 layers; largest at layer 2)"), "\(text)")
    #expect(text.contains("The Kantorovich bound 2√κ/(1+κ) is 2–50× below it."), "\(text)")
    #expect(text.contains("No positive bound at layer 3"))
    let figure = KernelReportOutput.figure(layers, title: "t")
    #expect(figure.yScale == .log && figure.series.map(\.points.count) == [3, 3, 2])  // bounds 0.01…0.45: log y
    #expect(KernelReportOutput.figure(Array(layers.prefix(1)), title: "t").yScale == .linear)
  }
}
