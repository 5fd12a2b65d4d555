import Foundation
import Testing

@testable import Plots

/// Figures that answer instead of mislead: diverged runs, blow-ups, ordered colors, power-of-two
/// ticks, sub- and superscripts, flagged report rows. Each test fails on the renderer before these
/// were added (literal `_{…}`, decade ticks 60…200 for widths, a y axis up to 10³⁶, one palette
/// for everything).
@Suite("Honest figures")
struct FigureHonestyTests {
  /// A sweep's `cells.csv`: lr × width × seed, with two diverged cells at the largest rate.
  static let cells = """
    preset,width,learning-rate,seed,status,final_train_loss
    sp,64,0.01,0,completed,2.0
    sp,64,0.01,1,completed,2.2
    sp,64,0.1,0,completed,1.0
    sp,64,0.1,1,completed,1.2
    sp,64,1,0,diverged,1e36
    sp,64,1,1,completed,3.0
    sp,512,0.01,0,completed,2.1
    sp,512,0.01,1,completed,2.3
    sp,512,0.1,0,completed,0.9
    sp,512,0.1,1,completed,1.1
    sp,512,1,0,diverged,4e35
    sp,512,1,1,diverged,2e30
    mup,64,0.01,0,completed,2.0
    mup,64,0.1,0,completed,1.0
    mup,64,1,0,completed,1.5
    mup,512,0.01,0,completed,2.0
    mup,512,0.1,0,completed,1.0
    mup,512,1,0,completed,1.4

    """

  func texts(_ svg: String) -> [String] { XMLCheck(svg).texts }

  /// The transfer figure: loss against learning rate, a line per width, a panel per preset.
  var transfer: PlotSpec {
    PlotSpec(
      x: "learning-rate", y: "final_train_loss", series: ["width"], over: "seed", facet: "preset", xScale: .log,
      yScale: .log, diverged: RowFilter("status", equals: "diverged"))
  }

  @Test("Diverged runs are left out of the means, drawn as × above the data, and listed")
  func divergedCells() throws {
    let table = try CSVTable(parsing: Self.cells, source: "cells.csv")
    let figure = try transfer.makeFigure(from: table)
    guard case .grid(let grid) = figure else { Issue.record("expected a grid"); return }
    #expect(grid.panels.map(\.title) == ["preset = mup", "preset = sp"])
    let sp = grid.panels[1].series
    #expect(sp.map(\.name) == ["64", "512"])
    // Width 64 at lr 1: one seed diverged, the other's 3.0 is the point; width 512 at lr 1: none left.
    #expect(sp[0].points.last?.x == 1 && abs((sp[0].points.last?.y ?? 0) - 3) < 1e-12)
    #expect(sp[0].divergedX == [1] && sp[1].divergedX == [1])
    #expect(sp[1].points.map(\.x) == [0.01, 0.1])
    #expect(grid.panels[0].series.allSatisfy { $0.divergedX.isEmpty })
    #expect(figure.warnings.contains { $0.hasPrefix("3 runs diverged") && $0.contains("width = 512, preset = sp, learning-rate = 1 (seed 0, 1)") })
    let svg = figure.svg
    expectWellFormedSVG(svg)
    #expect(svg.components(separatedBy: "class=\"diverged\"").count - 1 == 2)
    #expect(texts(svg).contains("diverged"))  // legend entry
    // The y axis shows the losses, not the diverged 10³⁶.
    let labels = texts(svg)
    #expect(!labels.contains { $0.contains("10³") || $0.contains("10²") || $0.contains("×10") }, "\(labels)")
    #expect(labels.contains("2") && labels.contains("1"))
  }

  @Test("Blow-ups never stretch the y axis: values beyond the robust limit sit at the top edge, with a note")
  func robustAxis() throws {
    let normal = (0..<20).map { PlotPoint(x: Double($0), y: 2 - 0.05 * Double($0)) }
    let blowUp = (0..<6).map { PlotPoint(x: Double($0), y: $0 < 3 ? 2 : pow(10, 12 * Double($0 - 2))) }
    let plot = LinePlot(
      title: "loss", xLabel: "step", yLabel: "loss", yScale: .log,
      series: [PlotSeries(name: "fine", points: normal), PlotSeries(name: "blown up", points: blowUp)])
    let svg = plot.svg
    expectWellFormedSVG(svg)
    let labels = texts(svg)
    #expect(labels.contains { $0.hasPrefix("3 values above ") && $0.contains("10³⁶") && $0.contains("top edge") }, "\(labels)")
    #expect(!labels.contains { $0.hasPrefix("10") && $0.count > 2 }, "tick labels up to 10³⁶: \(labels)")
    #expect(labels.contains("above the axis"))
    #expect(Scale.robustUpperLimit(kind: .log, values: normal.map(\.y)) == nil)
    #expect([TickLabel.compact(481), TickLabel.compact(1740.4), TickLabel.compact(7.7e36), TickLabel.compact(1e-5)] == ["481", "1740", "7.7×10³⁶", "10⁻⁵"])
    #expect(Scale.robustUpperLimit(kind: .linear, values: [-1, -0.5, 0, 0.5, 1, 0.9]) == nil)
    #expect(Scale.robustUpperLimit(kind: .log, values: normal.map(\.y) + [1e36]) == 2)
  }

  @Test("Numeric series get an ordered sequential palette; categories distinct hues, one per value across panels")
  func palettes() throws {
    let widths = ["64", "128", "256", "512"]
    let colors = widths.map { SeriesPalette.style(key: [$0], levels: [widths]).color }
    #expect(Set(colors).count == 4)
    // Viridis: lightness increases with the rank, so the line order is the color order.
    func lightness(_ hex: String) -> Double {
      let v = Array(hex.dropFirst()).chunked2.map { Double(Int(String($0), radix: 16)!) }
      return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]
    }
    let light = colors.map(lightness)
    #expect(zip(light, light.dropFirst()).allSatisfy { $0 < $1 }, "\(colors)")
    #expect(!SeriesPalette.categorical.contains(colors[0]))
    let presets = ["sp", "mup", "ntk"]
    let hues = presets.map { SeriesPalette.style(key: [$0], levels: [presets]).color }
    #expect(hues == Array(SeriesPalette.categorical.prefix(3)))
    // preset × width: eight distinct colors, one marker shape per preset.
    let both = presets.prefix(2).flatMap { p in widths.map { SeriesPalette.style(key: [p, $0], levels: [presets, widths]) } }
    #expect(Set(both.map(\.color)).count == 8)
    #expect(Set(both.prefix(4).map(\.marker)).count == 1 && both[0].marker != both[4].marker)

    // In a figure, a value keeps its color in every panel, and given levels fix it across figures.
    let table = try CSVTable(parsing: Self.cells, source: "cells.csv")
    var spec = PlotSpec(x: "learning-rate", y: "final_train_loss", series: ["preset"], over: "seed", facet: "width",
                        diverged: RowFilter("status", equals: "diverged"), seriesLevels: ["preset": ["sp", "mup"]])
    let figure = try spec.makeFigure(from: table)
    let styles = Dictionary(grouping: figure.series, by: \.name).mapValues { Set($0.compactMap(\.style)) }
    #expect(styles["sp"]?.count == 1 && styles["mup"]?.count == 1 && styles["sp"] != styles["mup"])
    #expect(styles["sp"]?.first?.color == SeriesPalette.categorical[0])
    spec.filters = [RowFilter("preset", equals: "mup")]
    let mupOnly = try spec.makeFigure(from: table)
    #expect(mupOnly.series.allSatisfy { $0.style?.color == SeriesPalette.categorical[1] })
  }

  @Test("A log axis over powers of two ticks at each power, labeling both extremes (not 60, 80, 100, 200)")
  func powerOfTwoTicks() {
    let widths: [Double] = [64, 128, 256, 512]
    let scale = Scale(kind: .log, fitting: widths)
    let ticks = Axis.ticks(for: scale, data: widths)
    #expect(ticks.compactMap(\.label) == ["64", "128", "256", "512"])
    #expect(ticks.allSatisfy { $0.isMajor })
    #expect(!Axis.ticks(for: scale).compactMap(\.label).contains("64"))  // decades alone miss the extremes
    let span: [Double] = [1, 65536]
    let many = Axis.ticks(for: Scale(kind: .log, fitting: span), targetCount: 5, data: span)
    #expect(many.first?.label == "1" && many.compactMap(\.label).count <= 8)
    #expect(Axis.powerOfTwoTicks(in: 50...600, data: [64, 100], targetCount: 6) == nil)
    let depths: [Double] = [3, 6, 3]
    #expect(Axis.ticks(for: Scale(kind: .log, fitting: depths), data: depths).compactMap(\.label) == ["3", "6"])
    #expect(Axis.integerDataTicks(in: 0.5...2000, data: [1, 10, 1000]) == nil)  // 3 decades: decade ticks
    #expect(Axis.integerDataTicks(in: 0.1...1, data: [0.2, 0.5]) == nil)
    #expect(TickLabel.powerOfTwo(-2) == "0.25" && TickLabel.powerOfTwo(10) == "1024" && TickLabel.powerOfTwo(-6) == "2⁻⁶")
    // In a drawn figure.
    let plot = LinePlot(
      title: "", xLabel: "width", yLabel: "y", xScale: .log, yScale: .log,
      series: [PlotSeries(name: "a", points: widths.map { PlotPoint(x: $0, y: 1 / $0) })])
    let labels = texts(plot.svg)
    #expect(labels.contains("64") && labels.contains("512") && !labels.contains("60") && !labels.contains("200"))
  }

  @Test("TeX-style scripts become tspans, <sub> or plain text, never literal _{…}; column names stay")
  func scripts() throws {
    let runs = RichText.runs("rms(δF_{L−1}) / ‖W_ℓ‖_*")
    #expect(runs == [
      .init(text: "rms(δF", position: .normal), .init(text: "L−1", position: .lowered), .init(text: ") / ‖W", position: .normal),
      .init(text: "ℓ", position: .lowered), .init(text: "‖", position: .normal), .init(text: "*", position: .lowered),
    ])
    #expect(RichText.plain("R^{n×d_ℓ}") == "Rn×dℓ")
    #expect(RichText.runs("feature_update_rms").count == 1 && RichText.plain("final_train_loss") == "final_train_loss")
    #expect(RichText.plain("c_k and m_1/√m_2") == "ck and m1/√m2" && RichText.plain("weight_spectral_norm_w2") == "weight_spectral_norm_w2")
    #expect(RichText.plain("_x") == "_x" && RichText.plain("a_ b") == "a_ b")
    #expect(RichText.html("C_k < 1") == "C<sub>k</sub> &lt; 1")
    let plot = LinePlot(
      title: "Speed at ℓ = L−1", xLabel: "depth", yLabel: "rms(δF_{L−1}) / (−δℒ)",
      series: [PlotSeries(name: "C_k", points: [PlotPoint(x: 1, y: 1), PlotPoint(x: 2, y: 2)])])
    let svg = plot.svg
    expectWellFormedSVG(svg)
    #expect(!svg.contains("_{") && !svg.contains("C_k"))
    #expect(svg.contains("<tspan baseline-shift=\"sub\" font-size=\"75%\">L−1</tspan>"))
    #expect(texts(svg).contains("rms(δFL−1) / (−δℒ)"))
    var report = Report(title: "r")
    report.add(.paragraph("The speed rms(δF_{L−1}) and `code_{x}`."))
    report.add(.figure(ReportFigure(fileName: "f.svg", caption: "rms(δF_{L−1})", svg: svg)))
    #expect(report.html().contains("rms(δF<sub>L−1</sub>) and <code>code_{x}</code>"))
    #expect(!report.markdown().replacingOccurrences(of: "`code_{x}`", with: "").contains("_{"))
  }

  @Test("Flagged table rows and the summary line stand out by color and by word")
  func flaggedRows() {
    var report = Report(title: "check")
    report.add(.summary("Summary: 1 of 2 checks pass; 1 FAIL: x.", tone: .failure))
    report.add(.table(ReportTable(header: ["name", "verdict"], rows: [["a", "✓ pass"], ["b", "✗ FAIL"]], rowTones: [.normal, .failure])))
    let html = report.html()
    #expect(html.contains("<p class=\"summary failure\">Summary: 1 of 2 checks pass; 1 FAIL: x.</p>"))
    #expect(html.contains("<tr><td>a</td><td>✓ pass</td></tr>") && html.contains("<tr class=\"failure\"><td>b</td><td>✗ FAIL</td></tr>"))
    #expect(html.contains("tr.failure td {"))
    let markdown = report.markdown()
    #expect(markdown.contains("**Summary: 1 of 2 checks pass; 1 FAIL: x.**") && markdown.contains("| **b** | **✗ FAIL** |"))
  }
}

extension Array where Element == Character {
  /// Pairs of characters (`"0072B2"` → `00`, `72`, `B2`).
  fileprivate var chunked2: [[Character]] { stride(from: 0, to: count, by: 2).map { Array(self[$0..<Swift.min($0 + 2, count)]) } }
}
