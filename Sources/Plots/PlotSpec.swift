/// One figure drawn from a CSV table: which rows, which columns, how to aggregate, how to scale.
///
/// `featurespeed plot` builds one from its options and the experiments build them in code; both
/// call `makeFigure(from:)`, so a figure in a report can be redrawn from the command line.
///
/// ```swift
/// let table = try CSVTable(contentsOf: run.appendingPathComponent("measurements.csv"))
/// let figure = try PlotSpec.measurements(quantity: "bfa_cos").makeFigure(from: table)
/// try figure.write(to: run.appendingPathComponent("bfa_cos.svg"))
/// ```
public struct PlotSpec: Sendable, Equatable, Codable {
  /// The numeric x column, e.g. `step`, `layer` or `width`.
  public var x: String
  /// The numeric y column, e.g. `value` in `measurements.csv`.
  public var y: String
  /// Columns whose values name a series, e.g. `["preset"]` or `["preset", "layer"]`.
  public var series: [String]
  /// The column averaged over, e.g. `seed` (see `Aggregation`), or `nil`: one row per point.
  public var over: String?
  /// A column with one panel per value (small multiples), or `nil` for a single plot.
  public var facet: String?
  /// Conditions every plotted row meets, e.g. `quantity=feature_rms`.
  public var filters: [RowFilter]
  /// Linear or log x axis.
  public var xScale: ScaleKind
  /// Linear or log y axis (a log y axis averages geometrically).
  public var yScale: ScaleKind
  /// The band around mean lines when averaging `over` a column.
  public var band: BandKind
  /// The title; default `<y quantity> vs <x>, by <series>`.
  public var title: String?
  /// The x label; default `AxisLabel.forColumn(x)`.
  public var xLabel: String?
  /// The y label; default the quantity's label (see `yLabelDefault`).
  public var yLabel: String?
  /// With a facet: one y range for all panels (default) or one per panel.
  public var sharesYRange: Bool
  /// With a facet: panels per row (default ⌈√panels⌉, at most 4).
  public var facetColumns: Int?
  /// Rows of runs that diverged (e.g. `status=diverged` in a sweep's `cells.csv`), or `nil`.
  ///
  /// Their y value (a last finite loss, up to 10³⁶) says nothing: they are left out of the
  /// means, drawn as `×` at the top edge at their x in their series' color, and listed in a
  /// warning (`2 runs diverged, …: preset = sp, width = 512, learning-rate = 1 (seed 0, 1)`).
  public var diverged: RowFilter?
  /// The values of series columns in the order their styles follow (e.g. a sweep's grid values),
  /// so that every figure of a report gives one value one color (see `SeriesPalette`); a column
  /// not listed uses its distinct values among the plotted rows.
  public var seriesLevels: [String: [String]]?

  /// A figure of `y` against `x`.
  public init(
    x: String, y: String, series: [String] = [], over: String? = nil, facet: String? = nil,
    filters: [RowFilter] = [], xScale: ScaleKind = .linear, yScale: ScaleKind = .linear, band: BandKind = .minMax,
    title: String? = nil, xLabel: String? = nil, yLabel: String? = nil, sharesYRange: Bool = true,
    facetColumns: Int? = nil, diverged: RowFilter? = nil, seriesLevels: [String: [String]]? = nil
  ) {
    self.x = x
    self.y = y
    self.series = series
    self.over = over
    self.facet = facet
    self.filters = filters
    self.xScale = xScale
    self.yScale = yScale
    self.band = band
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.sharesYRange = sharesYRange
    self.facetColumns = facetColumns
    self.diverged = diverged
    self.seriesLevels = seriesLevels
  }

  /// A figure of one quantity of a tidy `measurements.csv` (`run,step,layer,quantity,value`):
  /// `--where quantity=<quantity> --y value`, against `x` (default `step`), one series per
  /// `series` value (default `layer`); the y label comes from the quantity.
  public static func measurements(
    quantity: String, x: String = "step", series: [String] = ["layer"], filters: [RowFilter] = [],
    yScale: ScaleKind = .linear
  ) -> PlotSpec {
    PlotSpec(x: x, y: "value", series: series, filters: [RowFilter("quantity", equals: quantity)] + filters, yScale: yScale)
  }

  /// Every column the spec names, each once, in the order x, y, series, over, facet, filters.
  public var namedColumns: [String] {
    var names = [String]()
    let conditions = filters.map(\.column) + (diverged.map { [$0.column] } ?? [])
    for name in [x, y] + series + [over, facet].compactMap({ $0 }) + conditions where !names.contains(name) {
      names.append(name)
    }
    return names
  }

  /// The aggregation this spec performs.
  public var aggregation: Aggregation {
    Aggregation(x: x, y: y, series: series, over: over, facet: facet, band: band, xScale: xScale, yScale: yScale)
  }

  /// The quantity on the y axis: `y` itself when it is a quantity slug, or the single value of an
  /// equality filter on a `quantity` column when `y` is `value` (a `measurements.csv`).
  public var yQuantity: String? {
    if AxisLabel.symbol(forQuantity: y) != nil { return y }
    guard y == "value",
      let filter = filters.first(where: { $0.column == "quantity" && !$0.isNegated && $0.values.count == 1 })
    else { return nil }
    return filter.values[0]
  }

  /// The y label used when `yLabel` is nil: `AxisLabel.forColumn` of `yQuantity`, else `y`.
  public var yLabelDefault: String { yQuantity.map(AxisLabel.forColumn) ?? y }

  /// Checks that every named column is among `columns` (e.g. a CSV header).
  /// - Throws: `CSVTableError.unknownColumn` for the first missing one, listing `columns`.
  public func checkColumns(in columns: [String], source: String) throws {
    for name in namedColumns where !columns.contains(name) {
      throw CSVTableError.unknownColumn(path: source, name: name, available: columns)
    }
  }

  /// Filters, aggregates and lays out `table` as a figure: a `LinePlot`, or a `FigureGrid` with a
  /// panel per facet value.
  ///
  /// Dropped values (see `Aggregation`) become the figure's `warnings`, printed under it.
  /// - Throws: `CSVTableError.unknownColumn`, `.notANumber`, `PlotError.emptyTable`,
  ///   `.noMatchingRows`, `.columnUsedTwice`, `.ambiguousRows`, `.nothingToPlot`.
  public func makeFigure(from table: CSVTable) throws -> Figure {
    try checkColumns(in: table.columnNames, source: table.source)
    guard table.rowCount > 0 else { throw PlotError.emptyTable(path: table.source) }
    var rows = table
    for filter in filters {
      let kept = try rows.filtered([filter])
      if kept.rowCount == 0 {
        throw PlotError.noMatchingRows(
          filter: filter.readable, column: filter.column, available: try rows.distinctValues(filter.column))
      }
      rows = kept
    }
    var divergedRows: CSVTable?
    if let diverged {
      divergedRows = try rows.filtered([diverged])
      rows = try rows.filtered([RowFilter(column: diverged.column, values: diverged.values, isNegated: !diverged.isNegated)])
    }
    let levels = try series.map { column in
      let present = try (rows.distinctValues(column) + (divergedRows?.distinctValues(column) ?? []))
      let given = seriesLevels?[column] ?? []
      return given + Array(Set(present).subtracting(given)).sorted(by: naturalOrder)
    }
    let data = try aggregation.apply(to: rows)
    let divergedMarks = try divergedRows.map(divergedMarkers) ?? []
    guard !data.series.isEmpty || !divergedMarks.isEmpty else {
      throw PlotError.nothingToPlot(dropped: data.dropped.map(\.description))
    }

    let xLabel = self.xLabel ?? AxisLabel.forColumn(x)
    let yLabel = self.yLabel ?? yLabelDefault
    let title = self.title ?? defaultTitle
    let legendTitle = series.isEmpty ? nil : series.joined(separator: ", ")
    let notes = notes(data)
    var warnings = data.dropped.map(\.description)
    if let note = divergedNote(divergedMarks) { warnings.append(note) }
    // Every (facet, key) with points or diverged runs, in natural order.
    var drawn = [(facet: String?, key: [String], points: [PlotPoint], divergedX: [Double])]()
    for aggregated in data.series {
      drawn.append((aggregated.facet, aggregated.key,
                    aggregated.points.map { PlotPoint(x: $0.x, y: $0.mean, lower: $0.lower, upper: $0.upper) }, []))
    }
    for mark in divergedMarks {
      if let index = drawn.firstIndex(where: { $0.facet == mark.facet && $0.key == mark.key }) {
        if !drawn[index].divergedX.contains(mark.x) { drawn[index].divergedX.append(mark.x) }
      } else {
        drawn.append((mark.facet, mark.key, [], [mark.x]))
      }
    }
    drawn.sort { a, b in a.facet != b.facet ? naturalOrder(a.facet ?? "", b.facet ?? "") : naturalOrder(a.key, b.key) }
    func plotted(_ entry: (facet: String?, key: [String], points: [PlotPoint], divergedX: [Double])) -> PlotSeries {
      PlotSeries(
        name: AggregatedSeries(facet: entry.facet, key: entry.key, points: []).name, points: entry.points,
        style: series.isEmpty ? nil : SeriesPalette.style(key: entry.key, levels: levels),
        divergedX: entry.divergedX.sorted())
    }
    guard let facet else {
      return .plot(
        LinePlot(
          title: title, xLabel: xLabel, yLabel: yLabel, xScale: xScale, yScale: yScale, legendTitle: legendTitle,
          series: drawn.map(plotted), notes: notes, warnings: warnings))
    }
    let facetValues = Array(Set(drawn.compactMap(\.facet))).sorted(by: naturalOrder)
    let panels = facetValues.map { value in
      FigureGrid.Panel(
        title: "\(facet) = \(value.isEmpty ? "(empty)" : value)",
        series: drawn.filter { $0.facet == value }.map(plotted))
    }
    return .grid(
      FigureGrid(
        title: title, xLabel: xLabel, yLabel: yLabel, xScale: xScale, yScale: yScale, legendTitle: legendTitle,
        panels: panels, columns: facetColumns, sharesYRange: sharesYRange, notes: notes, warnings: warnings))
  }

  /// One diverged row: where its `×` goes and what the warning says about it.
  struct DivergedMark {
    var facet: String?
    var key: [String]
    var x: Double
    var xField: String
    var over: String?
  }

  /// The diverged rows with a numeric x, in row order.
  private func divergedMarkers(_ table: CSVTable) throws -> [DivergedMark] {
    let xColumn = try table.columnIndex(x)
    let seriesColumns = try series.map { try table.columnIndex($0) }
    let facetColumn = try facet.map { try table.columnIndex($0) }
    let overColumn = try over.map { try table.columnIndex($0) }
    return (0..<table.rowCount).compactMap { row in
      let field = table.field(row: row, column: xColumn)
      guard let value = CSVTable.number(field), value.isFinite, xScale == .linear || value > 0 else { return nil }
      return DivergedMark(
        facet: facetColumn.map { table.field(row: row, column: $0) },
        key: seriesColumns.map { table.field(row: row, column: $0) }, x: value, xField: field,
        over: overColumn.map { table.field(row: row, column: $0) })
    }
  }

  /// `3 runs diverged (left out of the means, drawn as × above the dashed line): preset = sp,
  /// learning-rate = 1 (seed 0, 1); …`, at most 6 groups listed; `nil` for none.
  func divergedNote(_ marks: [DivergedMark]) -> String? {
    guard !marks.isEmpty else { return nil }
    var groups = [(label: String, over: [String])]()
    for mark in marks {
      var parts = zip(series, mark.key).map { "\($0) = \($1)" }
      if let facet, let value = mark.facet { parts.append("\(facet) = \(value)") }
      parts.append("\(x) = \(mark.xField)")
      let label = parts.joined(separator: ", ")
      if let index = groups.firstIndex(where: { $0.label == label }) {
        if let over = mark.over { groups[index].over.append(over) }
      } else {
        groups.append((label, mark.over.map { [$0] } ?? []))
      }
    }
    let listed = groups.prefix(6).map { group in
      group.over.isEmpty ? group.label : "\(group.label) (\(over ?? "") \(group.over.joined(separator: ", ")))"
    }
    let more = groups.count > 6 ? "; and \(groups.count - 6) more" : ""
    let noun = marks.count == 1 ? "run diverged" : "runs diverged"
    return "\(marks.count) \(noun) (left out of the means, drawn as × above the dashed line): "
      + listed.joined(separator: "; ") + more + "."
  }

  /// `feature_rms vs step, by layer`.
  var defaultTitle: String {
    var title = "\(yQuantity ?? y) vs \(x)"
    if !series.isEmpty { title += ", by \(series.joined(separator: ", "))" }
    if let facet { title += (series.isEmpty ? ", by " : "; panels by ") + facet }
    return title
  }

  /// How the figure was made: the row filters and the aggregation.
  func notes(_ data: AggregatedData) -> [String] {
    var notes = [String]()
    if !filters.isEmpty { notes.append("Rows: \(filters.map(\.readable).joined(separator: "; ")).") }
    if let over, let counts = data.countRange {
      let n = counts.lowerBound == counts.upperBound ? "\(counts.lowerBound)" : "\(counts.lowerBound)–\(counts.upperBound)"
      let mean = yScale == .log ? "Geometric mean (log axis)" : "Mean"
      let bandText: String =
        switch band {
        case .none: ""
        case .minMax: "; band: min–max"
        case .standardDeviation: yScale == .log ? "; band: mean ± 1 sd of log values" : "; band: mean ± 1 sd"
        }
      notes.append("\(mean) over \(over) (n = \(n) per point)\(bandText).")
    }
    return notes
  }
}
