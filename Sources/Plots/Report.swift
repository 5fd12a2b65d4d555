import Experiments
import Foundation

/// An experiment's report: a title and blocks (headings, paragraphs, tables of key numbers,
/// figures), written as `report.md` and `index.html` next to the figures' SVG files.
///
/// - `report.md` links each figure by its relative file name (`![caption](bfa_cos.svg)`).
/// - `index.html` is **self-contained**: each SVG is inlined (the renderer uses no `id`s, so
///   several figures share a page safely), followed by a link to its file. It is XHTML-style
///   (every tag closed, text escaped) and parses as XML.
/// - Paragraph, caption and table text is plain text in which `` `code` `` spans are kept
///   (Markdown) or become `<code>` (HTML).
///
/// ```swift
/// var report = Report(title: "BFA at initialization (theory §6.1)")
/// report.add(.paragraph("Width 1024, depth 64, 5 seeds."))
/// report.add(.table(ReportTable(header: ["layer", "bfa_cos"], rows: [["1", ReportTable.number(0.98)]])))
/// report.add(.figure(ReportFigure(fileName: "bfa_cos.svg", caption: "cos θ_ℓ at init", figure: figure)))
/// try report.write(to: experimentDirectory)
/// ```
public struct Report: Sendable, Equatable {
  /// The title (`#` heading, HTML `<title>` and `<h1>`).
  public var title: String
  /// The content, in order.
  public var blocks: [ReportBlock]

  /// A report.
  public init(title: String, blocks: [ReportBlock] = []) {
    self.title = title
    self.blocks = blocks
  }

  /// Appends a block.
  public mutating func add(_ block: ReportBlock) { blocks.append(block) }

  /// The figures, in order.
  public var figures: [ReportFigure] {
    blocks.compactMap { if case .figure(let figure) = $0 { figure } else { nil } }
  }

  /// The Markdown text of `report.md`.
  public func markdown() -> String {
    var parts = ["# \(title.replacingOccurrences(of: "\n", with: " "))"]
    for block in blocks {
      switch block {
      case .heading(let text):
        parts.append("## \(text.replacingOccurrences(of: "\n", with: " "))")
      case .paragraph(let text):
        parts.append(markdownInline(text))
      case .summary(let text, _):
        parts.append("**\(markdownInline(text))**")
      case .table(let table):
        var lines = [String]()
        if let caption = table.caption { lines.append("**\(caption)**\n") }
        lines.append("| " + table.header.map(markdownCell).joined(separator: " | ") + " |")
        lines.append("|" + table.numericColumns.map { $0 ? "---:|" : "---|" }.joined())
        for (index, row) in table.rows.enumerated() {
          // A flagged row is bold: the verdict word says why, the weight makes it findable.
          let cells = table.tone(ofRow: index) == .normal ? row.map(markdownCell) : row.map { "**\(markdownCell($0))**" }
          lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        parts.append(lines.joined(separator: "\n"))
      case .figure(let figure):
        let caption = markdownInline(figure.caption)
        parts.append("![\(RichText.plain(figure.caption).replacingOccurrences(of: "]", with: "\\]"))](\(figure.fileName))\n\n*\(caption)*")
      }
    }
    return parts.joined(separator: "\n\n") + "\n"
  }

  /// The XHTML text of `index.html`, with every figure's SVG inlined.
  public func html() -> String {
    var lines = [
      "<!DOCTYPE html>",
      "<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">",
      "<head>",
      "<meta charset=\"utf-8\"/>",
      "<title>\(escapeXML(title))</title>",
      "<style>",
      "body { font-family: DejaVu Sans, Helvetica, Arial, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }",
      "table { border-collapse: collapse; margin: 0.5em 0 1.5em; }",
      "th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; }",
      "th { background: #f4f4f4; }",
      "td.num { text-align: right; font-variant-numeric: tabular-nums; }",
      "figure { margin: 1.5em 0; }",
      "figure svg { max-width: 100%; height: auto; }",
      "figcaption { color: #444; }",
      "code { background: #f4f4f4; padding: 0 0.2em; }",
      "tr.failure td { background: #fde0dc; }",
      "tr.failure td:first-child { border-left: 4px solid #b3261e; }",
      "tr.warning td { background: #fff2cc; }",
      "tr.warning td:first-child { border-left: 4px solid #b07d00; }",
      "p.summary { font-weight: bold; padding: 0.4em 0.6em; border-left: 4px solid #555; background: #f4f4f4; }",
      "p.summary.failure { border-color: #b3261e; background: #fde0dc; }",
      "p.summary.warning { border-color: #b07d00; background: #fff2cc; }",
      "p.summary.success { border-color: #1e7b34; background: #e3f4e6; }",
      "</style>",
      "</head>",
      "<body>",
      "<h1>\(htmlInline(title))</h1>",
    ]
    for block in blocks {
      switch block {
      case .heading(let text):
        lines.append("<h2>\(htmlInline(text))</h2>")
      case .paragraph(let text):
        lines.append("<p>\(htmlInline(text))</p>")
      case .summary(let text, let tone):
        lines.append("<p class=\"summary \(tone.rawValue)\">\(htmlInline(text))</p>")
      case .table(let table):
        lines.append("<table>")
        if let caption = table.caption { lines.append("<caption>\(htmlInline(caption))</caption>") }
        lines.append("<thead><tr>" + table.header.map { "<th>\(htmlInline($0))</th>" }.joined() + "</tr></thead>")
        lines.append("<tbody>")
        let numeric = table.numericColumns
        for (index, row) in table.rows.enumerated() {
          let cells = row.enumerated().map { column, cell in
            (numeric[column] ? "<td class=\"num\">" : "<td>") + htmlInline(cell) + "</td>"
          }
          let tone = table.tone(ofRow: index)
          lines.append((tone == .normal ? "<tr>" : "<tr class=\"\(tone.rawValue)\">") + cells.joined() + "</tr>")
        }
        lines.append("</tbody>")
        lines.append("</table>")
      case .figure(let figure):
        lines.append("<figure>")
        lines.append(figure.inlineSVG.trimmingCharacters(in: .whitespacesAndNewlines))
        lines.append(
          "<figcaption>\(htmlInline(figure.caption)) (<a href=\"\(escapeXML(figure.fileName))\">\(escapeXML(figure.fileName))</a>)</figcaption>"
        )
        lines.append("</figure>")
      }
    }
    lines += ["</body>", "</html>"]
    return lines.joined(separator: "\n") + "\n"
  }

  /// Writes every figure's SVG file, then `report.md`, then `index.html` into `directory`
  /// (created if missing), each atomically; `index.html` comes last, so its presence means the
  /// report is complete.
  /// - Throws: `ReportError.invalidFigureFileName`, `.duplicateFigureFileName`, `AtomicFileError`.
  public func write(to directory: URL) throws {
    var names = Set<String>()
    for figure in figures {
      let name = figure.fileName
      guard name.hasSuffix(".svg"), !name.contains("/"), !name.hasPrefix("."),
        name != "report.md", name != "index.html"
      else { throw ReportError.invalidFigureFileName(name) }
      guard names.insert(name).inserted else { throw ReportError.duplicateFigureFileName(name) }
    }
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    for figure in figures {
      try AtomicFile.write(Array(figure.svg.utf8), to: directory.appendingPathComponent(figure.fileName))
    }
    try AtomicFile.write(Array(markdown().utf8), to: directory.appendingPathComponent("report.md"))
    try AtomicFile.write(Array(html().utf8), to: directory.appendingPathComponent("index.html"))
  }
}

/// One block of a `Report`.
public enum ReportBlock: Sendable, Equatable {
  /// A section heading (`##`, `<h2>`).
  case heading(String)
  /// A paragraph of plain text with `` `code` `` spans.
  case paragraph(String)
  /// A highlighted one-line summary (bold, with a colored edge in HTML by `tone`); the text
  /// itself must say the verdict — color is never the only signal.
  case summary(String, tone: RowTone)
  /// A table of key numbers.
  case table(ReportTable)
  /// A figure with its caption.
  case figure(ReportFigure)
}

/// A table of text cells; columns whose cells all read as numbers are right-aligned.
public struct ReportTable: Sendable, Equatable {
  /// A line above the table, or `nil`.
  public var caption: String?
  /// The column headings.
  public var header: [String]
  /// The rows, each with one cell per heading.
  public var rows: [[String]]
  /// How each row is highlighted (empty: none); missing entries are `.normal`.
  public var rowTones: [RowTone]

  /// A table; every row has `header.count` cells (a programming error otherwise).
  public init(caption: String? = nil, header: [String], rows: [[String]], rowTones: [RowTone] = []) {
    for row in rows {
      precondition(row.count == header.count, "A report table row has \(row.count) cells, the header \(header.count): \(row)")
    }
    self.caption = caption
    self.header = header
    self.rows = rows
    self.rowTones = rowTones
  }

  /// The tone of row `index`.
  public func tone(ofRow index: Int) -> RowTone { index < rowTones.count ? rowTones[index] : .normal }

  /// A number for a table cell: 4 significant digits, scientific (`1.235e-05`) below 10⁻³ and
  /// from 10⁴ (`%.4g`, as in the console tables); `nan`, `inf`, `-inf` as in CSV files.
  public static func number(_ value: Double) -> String {
    if value.isNaN { return "nan" }
    if value.isInfinite { return value > 0 ? "inf" : "-inf" }
    if value == 0 { return "0" }
    let magnitude = abs(value)
    if magnitude >= 1e-3 && magnitude < 1e5 { return String(format: "%.4g", value) }
    return String(format: "%.3e", value)
  }

  /// Whether each column holds only numbers (and empty cells), at least one.
  var numericColumns: [Bool] {
    header.indices.map { column in
      let cells = rows.map { $0[column] }.filter { !$0.isEmpty }
      return !cells.isEmpty && cells.allSatisfy { CSVTable.number($0) != nil }
    }
  }
}

/// How a table row or summary line is highlighted: HTML gives it a background and a colored
/// edge (class `failure`, `warning`, `success`), Markdown makes a flagged row bold. The text must
/// carry the meaning too (a word such as `FAIL`), so the highlight is never color alone.
public enum RowTone: String, Sendable, Equatable {
  /// No highlight.
  case normal
  /// All good (green edge), e.g. every check passes.
  case success
  /// Undecided or doubtful (amber), e.g. an inconclusive check.
  case warning
  /// Failed (red), e.g. a failing check.
  case failure
}

/// A figure of a report: the SVG, the file name it is written under, and a caption.
public struct ReportFigure: Sendable, Equatable {
  /// The SVG file's name in the report directory, e.g. `bfa_cos.svg` (no directories).
  public var fileName: String
  /// The caption (Markdown emphasis line, HTML `<figcaption>`).
  public var caption: String
  /// The standalone SVG document.
  public var svg: String

  /// A figure from an SVG document.
  public init(fileName: String, caption: String, svg: String) {
    self.fileName = fileName
    self.caption = caption
    self.svg = svg
  }

  /// A figure rendered from `figure`.
  public init(fileName: String, caption: String, figure: Figure) {
    self.init(fileName: fileName, caption: caption, svg: figure.svg)
  }

  /// The SVG without an XML declaration or doctype, for inlining in HTML.
  var inlineSVG: String {
    guard let start = svg.range(of: "<svg") else { return svg }
    return String(svg[start.lowerBound...])
  }
}

/// Why a report could not be written.
public enum ReportError: Error, Equatable, CustomStringConvertible {
  /// A figure's file name is not a plain `*.svg` name in the report directory.
  case invalidFigureFileName(String)
  /// Two figures have the same file name.
  case duplicateFigureFileName(String)

  /// What was expected, what was found, and how to fix it.
  public var description: String {
    switch self {
    case .invalidFigureFileName(let name):
      "Invalid figure file name '\(name)': expected a plain name ending in .svg (no '/', not starting with '.'), "
        + "e.g. bfa_cos.svg."
    case .duplicateFigureFileName(let name):
      "Two figures of the report are named '\(name)'; give each figure its own file name."
    }
  }
}

/// A table cell for Markdown: `|` escaped, line breaks as spaces.
private func markdownCell(_ text: String) -> String {
  text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
}

/// Text for Markdown: TeX-style scripts outside `` `code` `` spans become `<sub>`/`<sup>`
/// (GitHub renders them), so no literal `_{…}` shows.
private func markdownInline(_ text: String) -> String {
  let pieces = text.split(separator: "`", omittingEmptySubsequences: false)
  return pieces.enumerated().map { index, piece in
    index.isMultiple(of: 2) ? RichText.markdown(String(piece)) : String(piece)
  }.joined(separator: "`")
}

/// Escaped text in which `` `code` `` spans become `<code>` elements and TeX-style scripts
/// outside them `<sub>`/`<sup>`.
private func htmlInline(_ text: String) -> String {
  let pieces = text.split(separator: "`", omittingEmptySubsequences: false)
  guard pieces.count >= 3 else { return RichText.html(text) }
  var result = ""
  for (index, piece) in pieces.enumerated() {
    let escaped = index.isMultiple(of: 2) ? RichText.html(String(piece)) : escapeXML(String(piece))
    if index.isMultiple(of: 2) {
      result += escaped
    } else if index == pieces.count - 1 {
      result += "`" + escaped  // an unpaired backtick stays literal
    } else {
      result += "<code>" + escaped + "</code>"
    }
  }
  return result
}
