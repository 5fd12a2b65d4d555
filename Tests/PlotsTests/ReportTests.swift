import Foundation
import Testing
import _TestSupport

@testable import Plots

@Suite("Reports: report.md and index.html")
struct ReportTests {
  func sampleReport() throws -> Report {
    let table = try CSVTable(parsing: measurementsCSV, source: "measurements.csv")
    var spec = PlotSpec.measurements(quantity: "bfa_cos")
    spec.title = "BFA <at init> & \"after\""
    let figure = try spec.makeFigure(from: table)
    var report = Report(title: "Experiment 1 <BFA> & friends")
    report.add(.paragraph("Width `1024`, depth 64 & 5 seeds; x < y."))
    report.add(.heading("Key numbers"))
    report.add(.table(ReportTable(
      caption: "Output BFA", header: ["preset", "bfa_cos", "note"],
      rows: [["mup", ReportTable.number(0.123456), "a | b"], ["sp", ReportTable.number(1.5e-7), "<ok>"]])))
    report.add(.figure(ReportFigure(fileName: "bfa_cos.svg", caption: "cos θ_ℓ by layer & step", figure: figure)))
    return report
  }

  @Test("Markdown: title, paragraphs, a table with right-aligned numbers and escaped pipes, a figure link")
  func markdown() throws {
    let markdown = try sampleReport().markdown()
    #expect(markdown.hasPrefix("# Experiment 1 <BFA> & friends\n\nWidth `1024`, depth 64 & 5 seeds; x < y.\n\n## Key numbers\n"))
    #expect(markdown.contains("| preset | bfa_cos | note |\n|---|---:|---|\n| mup | 0.1235 | a \\| b |\n| sp | 1.500e-07 | <ok> |"))
    #expect(markdown.contains("![cos θℓ by layer & step](bfa_cos.svg)\n\n*cos θ<sub>ℓ</sub> by layer & step*"))  // alt text plain, caption with <sub>
  }

  @Test("index.html parses as XML with the SVG inlined, and escapes text")
  func html() throws {
    let html = try sampleReport().html()
    let check = XMLCheck(html)
    #expect(check.isWellFormed, "index.html is not well-formed: \(check.error ?? "")")
    #expect(check.rootName == "html")
    #expect(html.contains("<h1>Experiment 1 &lt;BFA&gt; &amp; friends</h1>"))
    #expect(html.contains("<p>Width <code>1024</code>, depth 64 &amp; 5 seeds; x &lt; y.</p>"))
    #expect(html.contains("<td class=\"num\">0.1235</td>"))
    #expect(html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""))
    #expect(html.contains("<a href=\"bfa_cos.svg\">"))
    #expect(check.texts.contains("BFA <at init> & \"after\""))
  }

  @Test("write(to:) writes the figures, report.md and index.html, each parseable")
  func write() throws {
    try withTemporaryDirectory { (directory: URL) throws in
      let target = directory.appendingPathComponent("exp1")
      let report = try sampleReport()
      try report.write(to: target)
      #expect(try fileNames(in: target) == ["bfa_cos.svg", "index.html", "report.md"])
      let svg = String(decoding: try contents(of: target.appendingPathComponent("bfa_cos.svg")), as: UTF8.self)
      expectWellFormedSVG(svg)
      let html = String(decoding: try contents(of: target.appendingPathComponent("index.html")), as: UTF8.self)
      #expect(XMLCheck(html).isWellFormed)
      #expect(String(decoding: try contents(of: target.appendingPathComponent("report.md")), as: UTF8.self) == report.markdown())
    }
  }

  @Test("Figure file names must be plain, distinct .svg names")
  func badFileNames() throws {
    try withTemporaryDirectory { (directory: URL) throws in
      for name in ["../x.svg", "x.png", ".hidden.svg", "sub/x.svg"] {
        let report = Report(title: "t", blocks: [.figure(ReportFigure(fileName: name, caption: "c", svg: "<svg/>"))])
        #expect(throws: ReportError.invalidFigureFileName(name)) { try report.write(to: directory) }
      }
      let twice = Report(title: "t", blocks: [
        .figure(ReportFigure(fileName: "a.svg", caption: "1", svg: "<svg/>")),
        .figure(ReportFigure(fileName: "a.svg", caption: "2", svg: "<svg/>")),
      ])
      #expect(throws: ReportError.duplicateFigureFileName("a.svg")) { try twice.write(to: directory) }
      #expect(try fileNames(in: directory).isEmpty)
    }
  }

  @Test("Table numbers: 4 significant digits, scientific when tiny or huge, CSV spellings for non-finite")
  func numbers() {
    #expect(ReportTable.number(0.123456) == "0.1235")
    #expect(ReportTable.number(12345.6) == "1.235e+04")
    #expect(ReportTable.number(123456) == "1.235e+05")
    #expect(ReportTable.number(0) == "0" && ReportTable.number(.nan) == "nan" && ReportTable.number(-.infinity) == "-inf")
  }
}
