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

  /// A figure of `y` against `x`.
  public init(
    x: String, y: String, series: [String] = [], over: String? = nil, facet: String? = nil,
    filters: [RowFilter] = [], xScale: ScaleKind = .linear, yScale: ScaleKind = .linear, band: BandKind = .minMax,
    title: String? = nil, xLabel: String? = nil, yLabel: String? = nil, sharesYRange: Bool = true,
    facetColumns: Int? = nil
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
    for name in [x, y] + series + [over, facet].compactMap({ $0 }) + filters.map(\.column) where !names.contains(name) {
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
    let data = try aggregation.apply(to: rows)
    guard !data.series.isEmpty else { throw PlotError.nothingToPlot(dropped: data.dropped.map(\.description)) }

    let xLabel = self.xLabel ?? AxisLabel.forColumn(x)
    let yLabel = self.yLabel ?? yLabelDefault
    let title = self.title ?? defaultTitle
    let legendTitle = series.isEmpty ? nil : series.joined(separator: ", ")
    let notes = notes(data)
    let warnings = data.dropped.map(\.description)
    func plotted(_ series: AggregatedSeries) -> PlotSeries {
      PlotSeries(
        name: series.name,
        points: series.points.map { PlotPoint(x: $0.x, y: $0.mean, lower: $0.lower, upper: $0.upper) })
    }
    guard let facet else {
      return .plot(
        LinePlot(
          title: title, xLabel: xLabel, yLabel: yLabel, xScale: xScale, yScale: yScale, legendTitle: legendTitle,
          series: data.series.map(plotted), notes: notes, warnings: warnings))
    }
    let panels = data.facets.map { value in
      FigureGrid.Panel(
        title: "\(facet) = \(value.map { $0.isEmpty ? "(empty)" : $0 } ?? "")",
        series: data.series.filter { $0.facet == value }.map(plotted))
    }
    return .grid(
      FigureGrid(
        title: title, xLabel: xLabel, yLabel: yLabel, xScale: xScale, yScale: yScale, legendTitle: legendTitle,
        panels: panels, columns: facetColumns, sharesYRange: sharesYRange, notes: notes, warnings: warnings))
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
