import Foundation

/// Renders line plots and grids as standalone SVG documents.
///
/// What a figure looks like: a white canvas with the title on top; per panel a framed plot area
/// with light grid lines at the major ticks (fainter ones at log minor ticks), tick marks and
/// labels on the bottom and left, semi-transparent bands behind 1.8 px mean lines, and markers at
/// the points (automatic up to 40 points per series); the x label under the plot(s), the y label
/// written horizontally above them (so long quantity labels stay readable); the legend outside the plot area on the right, so it never covers data
/// (line, marker and band swatch per entry); notes and warnings (dropped values, in red) under
/// the figure. A band of a one-point series is drawn as an error bar.
///
/// A series has the color and marker of its `style` (see `SeriesPalette`: ordered sequential
/// colors for numeric series such as widths, Okabe–Ito for categories such as presets); without
/// one, styles follow the legend order: colors from the Okabe–Ito palette and, alongside, a marker
/// shape cycling through circle, square, triangle, diamond and inverted triangle.
///
/// Blow-ups never stretch the y axis: it is fitted to the values up to
/// `Scale.robustUpperLimit`, and larger values are drawn at the top edge of the plot as open
/// triangles (lines and bands clamped there), with a warning saying how many and how large.
/// Diverged runs (`PlotSeries.divergedX`) are drawn as `×` at their x in a strip above the data
/// area (under a dashed line, one row per series diverged at one x), with a legend entry. Text with TeX-style scripts (`F_{L−1}`, see `RichText`) is drawn with
/// `<tspan baseline-shift>` sub- and superscripts.
///
/// The output is one `<svg xmlns="http://www.w3.org/2000/svg">` root without an XML declaration
/// (so it can be inlined in HTML), with no scripts, external fonts, or `id`s (so several can share
/// a page); text is XML-escaped; coordinates have at most two decimals, so the same figure gives
/// byte-identical output. Text sizes are estimated (0.6 em per character) to lay out margins,
/// the legend and tick labels, which are thinned so that they do not overlap.
public enum SVGRenderer {
  /// The Okabe–Ito palette, most distinct first (yellow last: weak on white).
  public static let palette = SeriesPalette.categorical

  /// Renders a single plot.
  public static func render(_ plot: LinePlot) -> String {
    Canvas(
      title: plot.title, xLabel: plot.xLabel, yLabel: plot.yLabel, xKind: plot.xScale, yKind: plot.yScale,
      legendTitle: plot.legendTitle, panels: [FigureGrid.Panel(title: "", series: plot.series)], columns: 1,
      sharesYRange: true, notes: plot.notes, warnings: plot.warnings, plotWidth: 480, plotHeight: 300
    ).render()
  }

  /// Renders small multiples.
  public static func render(_ grid: FigureGrid) -> String {
    let wide = grid.panels.count <= 2
    return Canvas(
      title: grid.title, xLabel: grid.xLabel, yLabel: grid.yLabel, xKind: grid.xScale, yKind: grid.yScale,
      legendTitle: grid.legendTitle, panels: grid.panels, columns: grid.columns, sharesYRange: grid.sharesYRange,
      notes: grid.notes, warnings: grid.warnings, plotWidth: wide ? 340 : 260, plotHeight: wide ? 240 : 180
    ).render()
  }
}

// MARK: - Layout and drawing

/// Font sizes (px) and the character-width estimate.
private enum Font {
  static let title = 16.0, label = 13.0, tick = 11.0, panelTitle = 12.0, legend = 12.0, note = 11.0
  static let family = "DejaVu Sans, Helvetica, Arial, sans-serif"

  /// Estimated rendered width: 0.6 em per character (DejaVu Sans digits are 0.64 em, lowercase ≈ 0.55).
  static func width(_ text: String, size: Double) -> Double { Double(RichText.plain(text).count) * size * 0.6 }
}

/// Everything needed to draw one figure (a plot is a one-panel grid without panel titles).
private struct Canvas {
  var title, xLabel, yLabel: String
  var xKind, yKind: ScaleKind
  var legendTitle: String?
  var panels: [FigureGrid.Panel]
  var columns: Int
  var sharesYRange: Bool
  var notes, warnings: [String]
  var plotWidth, plotHeight: Double

  func render() -> String {
    // Legend order and styles.
    var legend = [String]()
    var legendHasMarkers = [String: Bool](), legendHasBand = [String: Bool]()
    var styles = [String: SeriesStyle]()
    for panel in panels {
      for series in panel.series {
        if !legend.contains(series.name) { legend.append(series.name) }
        if styles[series.name] == nil, let style = series.style { styles[series.name] = style }
        legendHasMarkers[series.name, default: false] = legendHasMarkers[series.name, default: false] || series.showsMarkers
        let hasBand = series.points.contains { $0.lower != nil && $0.upper != nil }
        legendHasBand[series.name, default: false] = legendHasBand[series.name, default: false] || hasBand
      }
    }
    for (index, name) in legend.enumerated() where styles[name] == nil {
      styles[name] = SeriesStyle(color: SVGRenderer.palette[index % SVGRenderer.palette.count], marker: index)
    }
    let hasDiverged = panels.contains { $0.series.contains { !$0.divergedX.isEmpty } }
    // A strip at the top of each panel holds the × of diverged runs, one row per series at one x.
    let stack = panels.map { panel in
      Dictionary(grouping: panel.series.flatMap(\.divergedX), by: { $0 }).values.map(\.count).max() ?? 0
    }.max() ?? 0
    let strip = stack == 0 ? 0.0 : 6 + 10 * Double(stack)

    // Scales and axes.
    let isGrid = panels.count > 1 || panels.contains { !$0.title.isEmpty }
    let xValues = panels.flatMap { $0.series.flatMap { $0.points.map(\.x) + $0.divergedX } }
    let xAxis = Axis(
      label: xLabel, scale: Scale(kind: xKind, fitting: xValues), targetTickCount: isGrid ? 5 : 7, data: xValues)
    func yValues(_ panel: FigureGrid.Panel) -> [Double] {
      panel.series.flatMap { $0.points.flatMap { [$0.y] + [$0.lower, $0.upper].compactMap { $0 } } }
    }
    let yTarget = isGrid ? 5 : 6
    func yAxis(_ values: [Double]) -> Axis {
      let limit = Scale.robustUpperLimit(kind: yKind, values: values)
      return Axis(
        label: yLabel, scale: Scale(kind: yKind, fitting: values.filter { $0 <= (limit ?? .infinity) }),
        targetTickCount: yTarget)
    }
    let yAxes: [Axis] =
      sharesYRange
      ? Array(repeating: yAxis(panels.flatMap(yValues)), count: max(panels.count, 1))
      : panels.map { yAxis(yValues($0)) }
    var above = [Double]()
    for (panel, axis) in zip(panels, yAxes) {
      above += panel.series.flatMap { $0.points.map(\.y) }.filter { $0.isFinite && $0 > axis.scale.domain.upperBound }
    }
    var warnings = self.warnings
    if let largest = above.max() {
      let limit = yAxes.map(\.scale.domain.upperBound).max() ?? 0
      warnings.append(
        "\(above.count) \(above.count == 1 ? "value" : "values") above \(TickLabel.compact(limit)) (up to "
          + "\(TickLabel.compact(largest))) drawn as △ at the top edge; the y axis is fitted to the rest.")
    }
    let showsLegend = legend.count > 1 || (legend.count == 1 && !legend[0].isEmpty) || hasDiverged

    // Margins and cells.
    let yTickWidth = yAxes.flatMap { $0.ticks.compactMap(\.label) }.map { Font.width($0, size: Font.tick) }.max() ?? 0
    let yTickArea = yTickWidth + 10
    // The y label is written horizontally above the plots (long quantity labels fit), under the title.
    let left = 12.0
    let yLabelBaseline = 12 + (title.isEmpty ? 0 : Font.title + 10) + Font.label
    let top = yLabelBaseline + 10
    let panelTitleHeight = isGrid ? Font.panelTitle + 8 : 0
    let xTickArea = 8 + Font.tick + 4
    let cellWidth = yTickArea + plotWidth, cellHeight = panelTitleHeight + plotHeight + xTickArea
    let gapX = 18.0, gapY = 10.0
    let columns = min(self.columns, max(panels.count, 1))
    let rows = max(1, (panels.count + columns - 1) / columns)
    let gridWidth = Double(columns) * cellWidth + Double(columns - 1) * gapX
    let gridHeight = Double(rows) * cellHeight + Double(rows - 1) * gapY
    let plotsLeft = left + yTickArea, plotsRight = left + gridWidth
    let plotsTop = top + panelTitleHeight

    // Legend box on the right.
    let legendX = left + gridWidth + 20
    let legendTextWidth = max(
      legend.map { Font.width($0.isEmpty ? "(all)" : $0, size: Font.legend) }.max() ?? 0,
      Font.width(legendTitle ?? "", size: Font.legend) * 1.1)
    let legendWidth = showsLegend ? 32 + legendTextWidth + 8 : 0
    let legendTitleHeight = (legendTitle?.isEmpty ?? true) ? 0 : Font.legend + 8
    let legendBottom = plotsTop + legendTitleHeight + Double(legend.count + (hasDiverged ? 1 : 0) + (above.isEmpty ? 0 : 1)) * 18

    let titleWidth = Font.width(title, size: Font.title) * 1.1  // bold
    let width = max(
      showsLegend ? legendX + legendWidth + 12 : plotsRight + 16, left + Font.width(yLabel, size: Font.label) + 12,
      left + titleWidth + 12
    ).rounded(.up)
    let xLabelBaseline = top + gridHeight + 6 + Font.label
    // Notes run under the plots; beside a legend that reaches down there, they stop short of it.
    let noteWidth = showsLegend && legendBottom > xLabelBaseline ? legendX - 24 : width - 24
    let noteLines =
      notes.flatMap { wrap($0, width: noteWidth, size: Font.note).map { ($0, false) } }
      + warnings.flatMap { wrap($0, width: noteWidth, size: Font.note).map { ($0, true) } }
    let notesTop = xLabelBaseline + 10
    let contentBottom = notesTop + Double(noteLines.count) * (Font.note + 4)
    let height = (max(contentBottom, showsLegend ? legendBottom : 0) + 10).rounded(.up)

    var svg = SVGBuilder()
    svg.open(
      "svg",
      [
        ("xmlns", "http://www.w3.org/2000/svg"), ("width", fmt(width)), ("height", fmt(height)),
        ("viewBox", "0 0 \(fmt(width)) \(fmt(height))"), ("font-family", Font.family),
      ])
    svg.element("title", text: RichText.plain(title.isEmpty ? "\(yLabel) vs \(xLabel)" : title))
    svg.element("rect", [("width", fmt(width)), ("height", fmt(height)), ("fill", "white")])
    if !title.isEmpty {
      // Centered over the plots when it fits there, else from the left edge.
      let center = (plotsLeft + plotsRight) / 2
      if center - titleWidth / 2 >= left {
        svg.text(title, x: center, y: 12 + Font.title, size: Font.title, anchor: "middle", weight: "bold")
      } else {
        svg.text(title, x: left, y: 12 + Font.title, size: Font.title, weight: "bold")
      }
    }

    for (index, panel) in panels.enumerated() {
      let cellX = left + Double(index % columns) * (cellWidth + gapX)
      let cellY = top + Double(index / columns) * (cellHeight + gapY)
      let frame = Frame(x: cellX + yTickArea, y: cellY + panelTitleHeight, width: plotWidth, height: plotHeight)
      if isGrid {
        svg.text(panel.title, x: frame.x + frame.width / 2, y: cellY + Font.panelTitle, size: Font.panelTitle, anchor: "middle")
      }
      drawPanel(panel, frame: frame, xAxis: xAxis, yAxis: yAxes[index], styles: styles, strip: strip, into: &svg)
    }

    // Axis labels.
    svg.text(xLabel, x: (plotsLeft + plotsRight) / 2, y: xLabelBaseline, size: Font.label, anchor: "middle")
    svg.text(yLabel, x: left, y: yLabelBaseline, size: Font.label)

    if showsLegend {
      drawLegend(
        legend, styles: styles, hasMarkers: legendHasMarkers, hasBand: legendHasBand, diverged: hasDiverged,
        above: !above.isEmpty, x: legendX, top: plotsTop, into: &svg)
    }
    for (offset, (line, isWarning)) in noteLines.enumerated() {
      svg.text(
        line, x: 12, y: notesTop + Font.note + Double(offset) * (Font.note + 4), size: Font.note,
        fill: isWarning ? "#A11A1A" : "#555555")
    }
    svg.close("svg")
    return svg.output
  }

  /// The plot area of one panel, in pixels.
  struct Frame {
    var x, y, width, height: Double

    func px(_ fraction: Double) -> Double { x + fraction * width }
    func py(_ fraction: Double) -> Double { y + (1 - fraction) * height }
  }

  func drawPanel(
    _ panel: FigureGrid.Panel, frame outer: Frame, xAxis: Axis, yAxis: Axis, styles: [String: SeriesStyle],
    strip: Double, into svg: inout SVGBuilder
  ) {
    // The data area: the frame below the diverged strip.
    let frame = Frame(x: outer.x, y: outer.y + strip, width: outer.width, height: outer.height - strip)
    svg.open("g", [])
    if strip > 0 {
      svg.element(
        "line",
        [("x1", fmt(frame.x)), ("y1", fmt(frame.y)), ("x2", fmt(frame.x + frame.width)), ("y2", fmt(frame.y)),
         ("stroke", "#999999"), ("stroke-dasharray", "3 3")])
    }
    // Grid lines: minor first, majors over them.
    for major in [false, true] {
      let color = major ? "#DDDDDD" : "#F0F0F0"
      for tick in xAxis.ticks where tick.isMajor == major {
        guard let f = xAxis.scale.fraction(tick.value) else { continue }
        svg.line(frame.px(f), frame.y, frame.px(f), frame.y + frame.height, stroke: color)
      }
      for tick in yAxis.ticks where tick.isMajor == major {
        guard let f = yAxis.scale.fraction(tick.value) else { continue }
        svg.line(frame.x, frame.py(f), frame.x + frame.width, frame.py(f), stroke: color)
      }
    }

    // Bands behind every line, then lines, then markers.
    let styled = panel.series.map { series in
      (series, styles[series.name] ?? SeriesStyle(color: SVGRenderer.palette[0], marker: 0))
    }
    for (series, style) in styled { drawBand(series, style: style, frame: frame, xAxis: xAxis, yAxis: yAxis, into: &svg) }
    for (series, style) in styled {
      let points = series.points.compactMap { point(frame, xAxis, yAxis, $0.x, $0.y) }
      guard points.count >= 2 else { continue }
      svg.element(
        "polyline",
        [
          ("points", points.map { "\(fmt($0.0)),\(fmt($0.1))" }.joined(separator: " ")), ("fill", "none"),
          ("stroke", style.color), ("stroke-width", "1.8"), ("stroke-linejoin", "round"), ("stroke-linecap", "round"),
        ])
    }
    for (series, style) in styled where series.showsMarkers {
      svg.open("g", [("fill", style.color), ("stroke", "white"), ("stroke-width", "0.8")])
      for p in series.points where p.y <= yAxis.scale.domain.upperBound {
        guard let (x, y) = point(frame, xAxis, yAxis, p.x, p.y) else { continue }
        svg.marker(style.marker, x: x, y: y)
      }
      svg.close("g")
    }
    // Values above the axis: open triangles on the top edge.
    for (series, style) in styled where series.points.contains(where: { $0.y > yAxis.scale.domain.upperBound }) {
      svg.open("g", [("fill", "white"), ("stroke", style.color), ("stroke-width", "1.4")])
      for p in series.points where p.y > yAxis.scale.domain.upperBound {
        guard let (x, y) = point(frame, xAxis, yAxis, p.x, p.y) else { continue }
        svg.marker(2, x: x, y: y + 4)
      }
      svg.close("g")
    }
    // Diverged runs: × under the top edge, stacked downward where several series diverged at one x.
    var crossesAt = [Double: Int]()
    for (series, style) in styled where !series.divergedX.isEmpty {
      svg.open("g", [("stroke", style.color), ("stroke-width", "2"), ("class", "diverged")])
      for x in series.divergedX {
        guard let f = xAxis.scale.fraction(x) else { continue }
        let stacked = crossesAt[x, default: 0]
        crossesAt[x] = stacked + 1
        svg.cross(x: frame.px(f), y: outer.y + 8 + 10 * Double(stacked))
      }
      svg.close("g")
    }

    svg.element(
      "rect",
      [
        ("x", fmt(outer.x)), ("y", fmt(outer.y)), ("width", fmt(outer.width)), ("height", fmt(outer.height)),
        ("fill", "none"), ("stroke", "#555555"),
      ])

    // Ticks and their labels, thinned so that labels never overlap (majors win).
    let bottom = frame.y + frame.height
    var xTaken = [ClosedRange<Double>]()
    for tick in prioritized(xAxis.ticks) {
      guard let f = xAxis.scale.fraction(tick.value) else { continue }
      let x = frame.px(f)
      svg.line(x, bottom, x, bottom + (tick.isMajor ? 4 : 2), stroke: "#555555")
      guard let label = tick.label else { continue }
      let half = Font.width(label, size: Font.tick) / 2
      let extent = (x - half - 4)...(x + half + 4)
      guard !xTaken.contains(where: { $0.overlaps(extent) }) else { continue }
      xTaken.append(extent)
      svg.text(label, x: x, y: bottom + 7 + Font.tick, size: Font.tick, anchor: "middle", fill: "#333333")
    }
    var yTaken = [ClosedRange<Double>]()
    for tick in prioritized(yAxis.ticks) {
      guard let f = yAxis.scale.fraction(tick.value) else { continue }
      let y = frame.py(f)
      svg.line(frame.x - (tick.isMajor ? 4 : 2), y, frame.x, y, stroke: "#555555")
      guard let label = tick.label else { continue }
      let extent = (y - Font.tick / 2 - 2)...(y + Font.tick / 2 + 2)
      guard !yTaken.contains(where: { $0.overlaps(extent) }) else { continue }
      yTaken.append(extent)
      svg.text(label, x: frame.x - 6, y: y + Font.tick * 0.35, size: Font.tick, anchor: "end", fill: "#333333")
    }
    svg.close("g")
  }

  /// A semi-transparent band through the points' lower and upper ends (the mean where a point has
  /// none), or an error bar for a single point.
  func drawBand(_ series: PlotSeries, style: SeriesStyle, frame: Frame, xAxis: Axis, yAxis: Axis, into svg: inout SVGBuilder) {
    guard series.points.contains(where: { $0.lower != nil && $0.upper != nil }) else { return }
    let upper = series.points.compactMap { point(frame, xAxis, yAxis, $0.x, $0.upper ?? $0.y) }
    let lower = series.points.compactMap { point(frame, xAxis, yAxis, $0.x, $0.lower ?? $0.y) }
    if series.points.count == 1, let top = upper.first, let bottom = lower.first {
      svg.line(top.0, top.1, bottom.0, bottom.1, stroke: style.color, width: 1.2)
      svg.line(top.0 - 3, top.1, top.0 + 3, top.1, stroke: style.color, width: 1.2)
      svg.line(bottom.0 - 3, bottom.1, bottom.0 + 3, bottom.1, stroke: style.color, width: 1.2)
      return
    }
    guard upper.count >= 2, lower.count >= 2 else { return }
    let outline = upper + lower.reversed()
    svg.element(
      "polygon",
      [
        ("points", outline.map { "\(fmt($0.0)),\(fmt($0.1))" }.joined(separator: " ")), ("fill", style.color),
        ("fill-opacity", "0.18"), ("stroke", "none"),
      ])
  }

  func drawLegend(
    _ legend: [String], styles: [String: SeriesStyle], hasMarkers: [String: Bool], hasBand: [String: Bool],
    diverged: Bool, above: Bool, x: Double, top: Double, into svg: inout SVGBuilder
  ) {
    svg.open("g", [])
    var y = top
    if let legendTitle, !legendTitle.isEmpty {
      svg.text(legendTitle, x: x, y: y + Font.legend, size: Font.legend, weight: "bold")
      y += Font.legend + 8
    }
    for name in legend {
      let style = styles[name] ?? SeriesStyle(color: SVGRenderer.palette[0], marker: 0)
      let middle = y + 9
      if hasBand[name] ?? false {
        svg.element(
          "rect",
          [
            ("x", fmt(x)), ("y", fmt(middle - 5)), ("width", "24"), ("height", "10"), ("fill", style.color),
            ("fill-opacity", "0.18"),
          ])
      }
      svg.line(x, middle, x + 24, middle, stroke: style.color, width: 1.8)
      if hasMarkers[name] ?? false {
        svg.open("g", [("fill", style.color), ("stroke", "white"), ("stroke-width", "0.8")])
        svg.marker(style.marker, x: x + 12, y: middle)
        svg.close("g")
      }
      svg.text(name.isEmpty ? "(all)" : name, x: x + 32, y: middle + Font.legend * 0.35, size: Font.legend)
      y += 18
    }
    if diverged {
      svg.open("g", [("stroke", "#333333"), ("stroke-width", "2")])
      svg.cross(x: x + 12, y: y + 9)
      svg.close("g")
      svg.text("diverged", x: x + 32, y: y + 9 + Font.legend * 0.35, size: Font.legend)
      y += 18
    }
    if above {
      svg.open("g", [("fill", "white"), ("stroke", "#333333"), ("stroke-width", "1.4")])
      svg.marker(2, x: x + 12, y: y + 9)
      svg.close("g")
      svg.text("above the axis", x: x + 32, y: y + 9 + Font.legend * 0.35, size: Font.legend)
      y += 18
    }
    svg.close("g")
  }

  /// The pixel position of a data point, or nil when a scale cannot show it; values above the
  /// y axis are clamped to its top edge.
  func point(_ frame: Frame, _ xAxis: Axis, _ yAxis: Axis, _ x: Double, _ y: Double) -> (Double, Double)? {
    guard let fx = xAxis.scale.fraction(x), let fy = yAxis.scale.fraction(y) else { return nil }
    return (frame.px(fx), frame.py(min(fy, 1)))
  }

  /// Major ticks first, so that their labels win over minor ones.
  func prioritized(_ ticks: [Tick]) -> [Tick] { ticks.filter(\.isMajor) + ticks.filter { !$0.isMajor } }

  /// Splits `text` at spaces into lines of at most `width` pixels (estimated).
  func wrap(_ text: String, width: Double, size: Double) -> [String] {
    let limit = max(20, Int(width / (size * 0.6)))
    var lines = [String](), current = ""
    for word in text.split(separator: " ") {
      if !current.isEmpty && current.count + 1 + word.count > limit {
        lines.append(current)
        current = ""
      }
      current += (current.isEmpty ? "" : " ") + word
    }
    if !current.isEmpty { lines.append(current) }
    return lines
  }
}

// MARK: - SVG text

/// Accumulates SVG elements, one per line, indented by nesting.
struct SVGBuilder {
  private(set) var output = ""
  private var depth = 0

  mutating func open(_ name: String, _ attributes: [(String, String)]) {
    output += indent + "<" + name + Self.attributes(attributes) + ">\n"
    depth += 1
  }

  mutating func close(_ name: String) {
    depth -= 1
    output += indent + "</" + name + ">\n"
  }

  /// An element with attributes and no content, or with escaped text content.
  mutating func element(_ name: String, _ attributes: [(String, String)] = [], text: String? = nil) {
    if let text {
      output += indent + "<" + name + Self.attributes(attributes) + ">" + escapeXML(text) + "</" + name + ">\n"
    } else {
      output += indent + "<" + name + Self.attributes(attributes) + "/>\n"
    }
  }

  mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1) {
    element(
      "line",
      [("x1", fmt(x1)), ("y1", fmt(y1)), ("x2", fmt(x2)), ("y2", fmt(y2)), ("stroke", stroke)]
        + (width == 1 ? [] : [("stroke-width", fmt(width))]))
  }

  mutating func text(
    _ content: String, x: Double, y: Double, size: Double, anchor: String? = nil, weight: String? = nil,
    fill: String? = nil
  ) {
    var attributes = [("x", fmt(x)), ("y", fmt(y)), ("font-size", fmt(size))]
    if let anchor { attributes.append(("text-anchor", anchor)) }
    if let weight { attributes.append(("font-weight", weight)) }
    if let fill { attributes.append(("fill", fill)) }
    output += indent + "<text" + Self.attributes(attributes) + ">" + RichText.svg(content) + "</text>\n"
  }

  /// An `×` of half-size 4 centered at (x, y), stroked by the enclosing group.
  mutating func cross(x: Double, y: Double) {
    let r = 4.0
    path([(x - r, y - r), (x + r, y + r)], closed: false)
    path([(x - r, y + r), (x + r, y - r)], closed: false)
  }

  /// A marker of shape `style % 5` (circle, square, triangle, diamond, inverted triangle) centered
  /// at (x, y), filled by the enclosing group.
  mutating func marker(_ style: Int, x: Double, y: Double) {
    let r = 3.4
    switch style % 5 {
    case 0:
      element("circle", [("cx", fmt(x)), ("cy", fmt(y)), ("r", fmt(r))])
    case 1:
      element("rect", [("x", fmt(x - r * 0.9)), ("y", fmt(y - r * 0.9)), ("width", fmt(r * 1.8)), ("height", fmt(r * 1.8))])
    case 2:
      path([(x, y - r * 1.15), (x + r * 1.1, y + r * 0.8), (x - r * 1.1, y + r * 0.8)])
    case 3:
      path([(x, y - r * 1.25), (x + r * 1.05, y), (x, y + r * 1.25), (x - r * 1.05, y)])
    default:
      path([(x, y + r * 1.15), (x + r * 1.1, y - r * 0.8), (x - r * 1.1, y - r * 0.8)])
    }
  }

  private mutating func path(_ corners: [(Double, Double)], closed: Bool = true) {
    let d = "M" + corners.map { "\(fmt($0.0)),\(fmt($0.1))" }.joined(separator: " L") + (closed ? " Z" : "")
    element("path", [("d", d)])
  }

  private var indent: String { String(repeating: "  ", count: depth) }

  private static func attributes(_ attributes: [(String, String)]) -> String {
    attributes.map { " \($0.0)=\"\(escapeXML($0.1))\"" }.joined()
  }
}

/// `text` safe inside XML content and double-quoted attributes: `&`, `<`, `>`, `"`, `'` escaped,
/// and characters that XML 1.0 forbids (control characters other than tab and line breaks)
/// replaced by U+FFFD.
func escapeXML(_ text: String) -> String {
  var result = ""
  result.reserveCapacity(text.utf8.count)
  for scalar in text.unicodeScalars {
    switch scalar {
    case "&": result += "&amp;"
    case "<": result += "&lt;"
    case ">": result += "&gt;"
    case "\"": result += "&quot;"
    case "'": result += "&apos;"
    case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
    default:
      let v = scalar.value
      if v < 0x20 || (0xFFFE...0xFFFF).contains(v) {
        result += "\u{FFFD}"
      } else {
        result.unicodeScalars.append(scalar)
      }
    }
  }
  return result
}

/// A coordinate with at most two decimals and no trailing zeros (`12`, `12.5`, `-0.25`), exact and
/// locale-independent, so identical figures give identical bytes.
func fmt(_ value: Double) -> String {
  guard value.isFinite else { return "0" }
  let hundredths = Int((value * 100).rounded())
  if hundredths == 0 { return "0" }
  let sign = hundredths < 0 ? "-" : ""
  let magnitude = hundredths.magnitude
  let whole = magnitude / 100, fraction = magnitude % 100
  if fraction == 0 { return sign + String(whole) }
  if fraction % 10 == 0 { return sign + "\(whole).\(fraction / 10)" }
  return sign + "\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
}
