import Foundation
import Testing
import Measurements
import _TestSupport

@testable import Plots

/// A small measurements.csv: 2 runs × 3 steps × 2 layers × 2 quantities, one nan.
let measurementsCSV = """
  run,step,layer,quantity,value
  a,0,1,feature_rms,1.0
  a,0,2,feature_rms,2.0
  a,0,1,bfa_cos,0.5
  a,0,2,bfa_cos,0.25
  a,10,1,feature_rms,1.5
  a,10,2,feature_rms,nan
  a,10,1,bfa_cos,0.4
  a,10,2,bfa_cos,0.2
  a,20,1,feature_rms,2.0
  a,20,2,feature_rms,3.0
  a,20,1,bfa_cos,0.3
  a,20,2,bfa_cos,0.1
  b,0,1,feature_rms,1.2
  b,0,2,feature_rms,2.2
  b,10,1,feature_rms,1.7
  b,10,2,feature_rms,2.7
  b,20,1,feature_rms,2.2
  b,20,2,feature_rms,3.2
  ,0,,loss_decay_first_order,0.01

  """

@Suite("Figures and SVG")
struct FigureTests {
  let table = try! CSVTable(parsing: measurementsCSV, source: "measurements.csv")

  @Test("A measurements figure: quantity label, one series per layer, mean over runs, warnings for nan")
  func measurementsFigure() throws {
    var spec = PlotSpec.measurements(quantity: "feature_rms")
    spec.over = "run"
    let figure = try spec.makeFigure(from: table)
    guard case .plot(let plot) = figure else { Issue.record("expected a single plot"); return }
    #expect(plot.yLabel == "feature_rms — rms(F_ℓ)")
    #expect(plot.xLabel == "step")
    #expect(plot.title == "feature_rms vs step, by layer")
    #expect(plot.legendTitle == "layer")
    #expect(plot.series.map(\.name) == ["1", "2"])
    #expect(zip(plot.series[0].points.map(\.y), [1.1, 1.6, 2.1]).allSatisfy { abs($0 - $1) < 1e-12 })
    #expect(plot.series[1].points[1] == PlotPoint(x: 10, y: 2.7))  // run a's nan dropped: no band from one value
    #expect(plot.warnings == ["value: 1 non-finite value not shown (first: nan on line 7)."])
    #expect(plot.notes == ["Rows: quantity = feature_rms.", "Mean over run (n = 1–2 per point); band: min–max."])
    let svg = figure.svg
    expectWellFormedSVG(svg)
    let texts = XMLCheck(svg).texts
    // The label's subscript is a tspan: the text reads rms(Fℓ), never rms(F_ℓ).
    #expect(svg.contains("rms(F<tspan baseline-shift=\"sub\" font-size=\"75%\">ℓ</tspan>)"))
    for expected in ["feature_rms — rms(Fℓ)", "step", "layer", "1", "2", plot.warnings[0]] {
      #expect(texts.contains(expected), "missing text \(expected)")
    }
    #expect(svg.contains("<polygon"))  // bands
    #expect(svg.components(separatedBy: "<polyline").count == 3)  // two mean lines
  }

  @Test("Titles and labels with <, &, quotes and control characters are escaped")
  func escaping() throws {
    let nasty = "a < b & \"c\" 'd' > e\u{1}"
    let plot = LinePlot(
      title: nasty, xLabel: "x & y", yLabel: "<y>",
      series: [PlotSeries(name: "<s1> & \"s\"", points: [PlotPoint(x: 1, y: 2), PlotPoint(x: 2, y: 3)]),
               PlotSeries(name: "s2", points: [PlotPoint(x: 1, y: 1, lower: 0.5, upper: 1.5)])],
      notes: ["n < 3"], warnings: ["w & w"])
    let svg = plot.svg
    expectWellFormedSVG(svg)
    let texts = XMLCheck(svg).texts
    #expect(texts.contains("a < b & \"c\" 'd' > e\u{FFFD}"))
    #expect(texts.contains("<s1> & \"s\""))
    #expect(texts.contains("x & y") && texts.contains("<y>") && texts.contains("n < 3") && texts.contains("w & w"))
  }

  @Test("The same data gives byte-identical SVG")
  func determinism() throws {
    var spec = PlotSpec.measurements(quantity: "feature_rms", yScale: .log)
    spec.over = "run"
    spec.band = .standardDeviation
    let first = try spec.makeFigure(from: table).svg
    let reread = try CSVTable(parsing: measurementsCSV, source: "measurements.csv")
    let second = try spec.makeFigure(from: reread).svg
    #expect(first == second)
    spec.facet = "run"
    spec.over = nil
    #expect(try spec.makeFigure(from: table).svg == spec.makeFigure(from: reread).svg)
  }

  @Test("Coordinates have at most two decimals and no negative zero")
  func coordinates() {
    #expect(fmt(0) == "0" && fmt(-0.001) == "0" && fmt(12) == "12" && fmt(12.5) == "12.5")
    #expect(fmt(-0.25) == "-0.25" && fmt(3.14159) == "3.14" && fmt(-2.999) == "-3")
    #expect(fmt(0.07) == "0.07" && fmt(100.1) == "100.1")
  }

  @Test("Small multiples: one panel per facet value, shared legend, well-formed")
  func grid() throws {
    var spec = PlotSpec.measurements(quantity: "feature_rms", series: ["run"])
    spec.facet = "layer"
    let figure = try spec.makeFigure(from: table)
    guard case .grid(let grid) = figure else { Issue.record("expected a grid"); return }
    #expect(grid.panels.map(\.title) == ["layer = 1", "layer = 2"])
    #expect(grid.panels.map { $0.series.map(\.name) } == [["a", "b"], ["a", "b"]])
    #expect(grid.title == "feature_rms vs step, by run; panels by layer")
    let svg = figure.svg
    expectWellFormedSVG(svg)
    #expect(XMLCheck(svg).texts.filter { $0 == "a" }.count == 1)  // one legend for both panels
  }

  @Test("A single-point series with a band draws an error bar; a log axis with few decades labels 2 and 5")
  func edgeCases() throws {
    let single = LinePlot(
      title: "", xLabel: "width", yLabel: "y", xScale: .log, yScale: .log,
      series: [PlotSeries(name: "", points: [PlotPoint(x: 100, y: 1, lower: 0.5, upper: 2)])])
    let svg = single.svg
    expectWellFormedSVG(svg)
    #expect(svg.contains("<circle"))
    #expect(svg.components(separatedBy: "stroke=\"#0072B2\" stroke-width=\"1.2\"").count == 4)  // bar and caps
    #expect(!XMLCheck(svg).texts.contains("(all)"))  // no legend for one unnamed series
  }

  @Test("Errors: no matching rows lists the values; nothing to plot; an empty table")
  func errors() throws {
    #expect(throws: PlotError.noMatchingRows(
      filter: "quantity = feature_rm", column: "quantity",
      available: ["bfa_cos", "feature_rms", "loss_decay_first_order"])
    ) { try PlotSpec.measurements(quantity: "feature_rm").makeFigure(from: table) }
    let allNaN = try CSVTable(parsing: "step,value\n0,nan\n1,inf\n")
    #expect(throws: PlotError.nothingToPlot(dropped: ["value: 2 non-finite values not shown (first: nan on line 2)."])) {
      try PlotSpec(x: "step", y: "value").makeFigure(from: allNaN)
    }
    #expect(throws: PlotError.emptyTable(path: "text")) {
      try PlotSpec(x: "step", y: "value").makeFigure(from: try CSVTable(parsing: "step,value\n"))
    }
    #expect(throws: CSVTableError.self) { try PlotSpec(x: "step", y: "valu").makeFigure(from: table) }
  }

  @Test("Every quantity has a short axis symbol; other columns keep their name")
  func quantityLabels() {
    for quantity in Quantity.allCases {
      let symbol = AxisLabel.symbol(of: quantity)
      #expect(!symbol.isEmpty && symbol.count <= 50 && !symbol.contains(": "), "\(quantity.rawValue): \(symbol)")
    }
    #expect(AxisLabel.forColumn("backward_norm") == "backward_norm — ‖b_ℓ‖")
    #expect(AxisLabel.forColumn("weight_spectral_norm_w2") == "weight_spectral_norm_w2 — ‖W_ℓ‖_* (W₂)")
    #expect(AxisLabel.forColumn("width") == "width")
  }

  @Test("A figure is written atomically to a file")
  func writeFile() throws {
    try withTemporaryDirectory { (directory: URL) throws in
      let url = directory.appendingPathComponent("f.svg")
      let figure = try PlotSpec.measurements(quantity: "bfa_cos").makeFigure(from: table)
      try figure.write(to: url)
      #expect(String(decoding: try contents(of: url), as: UTF8.self) == figure.svg)
      #expect(try fileNames(in: directory) == ["f.svg"])
    }
  }
}
