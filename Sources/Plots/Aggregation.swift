import Foundation

/// What the shaded band around a mean line shows.
public enum BandKind: String, Sendable, Codable, CaseIterable {
  /// From the smallest to the largest value.
  case minMax = "minmax"
  /// Mean ± one sample standard deviation (denominator n − 1); in log space on a log axis.
  case standardDeviation = "sd"
  /// No band.
  case none
}

/// One aggregated point: the mean of the y values that share a series, a facet and an x value.
public struct AggregatedPoint: Sendable, Equatable {
  /// The x value.
  public var x: Double
  /// The mean of the y values (geometric on a log y axis).
  public var mean: Double
  /// The band's lower end, or `nil` without a band (`BandKind.none`, or a single value).
  public var lower: Double?
  /// The band's upper end, or `nil` without a band.
  public var upper: Double?
  /// How many y values were averaged (after dropping the ones that cannot be plotted).
  public var count: Int

  /// A point; `lower` and `upper` are both given or both `nil`.
  public init(x: Double, mean: Double, lower: Double? = nil, upper: Double? = nil, count: Int = 1) {
    self.x = x
    self.mean = mean
    self.lower = lower
    self.upper = upper
    self.count = count
  }
}

/// The points of one series (one value of the series columns) within one facet.
public struct AggregatedSeries: Sendable, Equatable {
  /// The facet column's value, or `nil` without a facet column.
  public var facet: String?
  /// The values of the series columns, in `Aggregation.series` order.
  public var key: [String]
  /// The points, by increasing x.
  public var points: [AggregatedPoint]

  /// The legend text: the key's values joined by `, ` (`(empty)` for an empty field); the empty
  /// string for a figure without series columns.
  public var name: String { key.map { $0.isEmpty ? "(empty)" : $0 }.joined(separator: ", ") }
}

/// Values that were left out of a figure, by column and reason: never plotted, always reported.
public struct DroppedValues: Sendable, Equatable, CustomStringConvertible {
  /// Why a value cannot be plotted.
  public enum Reason: String, Sendable, Equatable {
    /// The field is empty: "not applicable" (e.g. `layer` of network-wide quantities).
    case empty
    /// NaN or ±∞ (e.g. after divergence).
    case nonFinite
    /// Zero or negative, on a log axis.
    case nonPositiveOnLogAxis
  }

  /// The column holding the values (the x or the y column).
  public var column: String
  /// Why they were dropped.
  public var reason: Reason
  /// How many rows were dropped for this column and reason.
  public var count: Int
  /// The line number of the first such row.
  public var firstLine: Int
  /// The first such field as written in the file.
  public var firstValue: String

  /// A sentence for figure notes and the console, e.g.
  /// `value: 3 non-finite values not shown (first: nan on line 12).`
  public var description: String {
    let what =
      switch reason {
      case .empty: count == 1 ? "empty field (not applicable)" : "empty fields (not applicable)"
      case .nonFinite: count == 1 ? "non-finite value" : "non-finite values"
      case .nonPositiveOnLogAxis: count == 1 ? "non-positive value on the log axis" : "non-positive values on the log axis"
      }
    let first = reason == .empty ? "line \(firstLine)" : "\(firstValue) on line \(firstLine)"
    return "\(column): \(count) \(what) not shown (first: \(first))."
  }
}

/// The result of `Aggregation.apply(to:)`: series per facet, and what was dropped.
public struct AggregatedData: Sendable, Equatable {
  /// The facet values in natural order (`[nil]` without a facet column).
  public var facets: [String?]
  /// Every series, ordered by facet and then by key (numbers numerically, then text).
  public var series: [AggregatedSeries]
  /// What was left out, by column and reason (in the order x, y; empty, non-finite, non-positive).
  public var dropped: [DroppedValues]
  /// The number of input rows.
  public var rowCount: Int

  /// The smallest and largest number of values behind a point, or `nil` when there are no points.
  public var countRange: ClosedRange<Int>? {
    let counts = series.flatMap { $0.points.map(\.count) }
    guard let low = counts.min(), let high = counts.max() else { return nil }
    return low...high
  }
}

/// Turns rows into plot series: per (facet, series key, x) the mean of y over the rows that
/// differ only in the `over` column (e.g. seeds), a band, and the count.
///
/// - Rows are grouped by the facet column, the series columns and the numeric value of x (`1`
///   and `1.0` are one x). Within a group every row must have a different `over` value; without
///   an `over` column a group must hold one row. Otherwise the spec is ambiguous (rows that
///   differ in an unnamed column, e.g. `quantity`, would be averaged together) and
///   `PlotError.ambiguousRows` names the lines and the columns in which they differ.
/// - Values that cannot be plotted are dropped and counted in `AggregatedData.dropped`: empty x
///   or y fields ("not applicable"), NaN and ±∞, and on a log axis zero and negative values (a
///   log axis drops them with a note rather than failing, since quantities such as
///   `fsf_residual` or a change since initialization are legitimately 0 at some steps).
/// - On a linear y axis the mean is arithmetic and the sd band is `mean ± sd`. On a **log y
///   axis** the mean is **geometric**, `exp(mean(ln y))`, and the sd band is
///   `exp(mean(ln y) ± sd(ln y))`: the average and spread that a log axis shows as distances.
///   The min–max band is the same on both.
public struct Aggregation: Sendable, Equatable {
  /// The numeric x column.
  public var x: String
  /// The numeric y column.
  public var y: String
  /// Columns whose values together name a series (`[]`: one series).
  public var series: [String]
  /// The column whose values are averaged over (e.g. `seed`), or `nil` for one row per point.
  public var over: String?
  /// A column with one panel per value, or `nil`.
  public var facet: String?
  /// The band around the mean.
  public var band: BandKind
  /// The x axis's scale kind (a log x axis drops non-positive x).
  public var xScale: ScaleKind
  /// The y axis's scale kind (a log y axis drops non-positive y and takes geometric means).
  public var yScale: ScaleKind

  /// An aggregation of `y` against `x`.
  public init(
    x: String, y: String, series: [String] = [], over: String? = nil, facet: String? = nil,
    band: BandKind = .minMax, xScale: ScaleKind = .linear, yScale: ScaleKind = .linear
  ) {
    self.x = x
    self.y = y
    self.series = series
    self.over = over
    self.facet = facet
    self.band = band
    self.xScale = xScale
    self.yScale = yScale
  }

  /// Aggregates the rows of `table`.
  /// - Throws: `CSVTableError.unknownColumn`, `.notANumber` (an x or y field that is not a
  ///   number), `PlotError.columnUsedTwice`, `PlotError.ambiguousRows`.
  public func apply(to table: CSVTable) throws -> AggregatedData {
    try checkRoles()
    let xColumn = try table.columnIndex(x), yColumn = try table.columnIndex(y)
    let seriesColumns = try series.map { try table.columnIndex($0) }
    let facetColumn = try facet.map { try table.columnIndex($0) }
    let overColumn = try over.map { try table.columnIndex($0) }

    var groups = [Group]()
    var groupIndex = [GroupKey: Int]()
    var dropped = DropCounter()
    for row in 0..<table.rowCount {
      guard let xValue = try number(table, row: row, column: xColumn, name: x, scale: xScale, dropped: &dropped)
      else { continue }
      let key = GroupKey(
        facet: facetColumn.map { table.field(row: row, column: $0) },
        series: seriesColumns.map { table.field(row: row, column: $0) }, x: xValue)
      let index = groupIndex[key] ?? {
        groups.append(Group(key: key))
        groupIndex[key] = groups.count - 1
        return groups.count - 1
      }()
      let overValue = overColumn.map { table.field(row: row, column: $0) } ?? ""
      if let previous = groups[index].rowsByOver[overValue] {
        throw ambiguity(table, key: key, rows: [previous, row], overValue: overValue)
      }
      groups[index].rowsByOver[overValue] = row
      if let yValue = try number(table, row: row, column: yColumn, name: y, scale: yScale, dropped: &dropped) {
        groups[index].values.append(yValue)
      }
    }

    var seriesByKey = [SeriesKey: [AggregatedPoint]]()
    for group in groups where !group.values.isEmpty {
      seriesByKey[SeriesKey(facet: group.key.facet, key: group.key.series), default: []].append(point(group))
    }
    let orderedKeys = seriesByKey.keys.sorted { a, b in
      a.facet != b.facet ? naturalOrder(a.facet ?? "", b.facet ?? "") : naturalOrder(a.key, b.key)
    }
    let result = orderedKeys.map { key in
      AggregatedSeries(facet: key.facet, key: key.key, points: seriesByKey[key]!.sorted { $0.x < $1.x })
    }
    let facets: [String?] =
      facetColumn == nil ? [nil] : Array(Set(result.compactMap(\.facet))).sorted(by: naturalOrder)
    return AggregatedData(
      facets: facets, series: result, dropped: dropped.summary(order: [x, y]), rowCount: table.rowCount)
  }

  /// The x and y columns cannot also name series, facets or what is averaged over.
  private func checkRoles() throws {
    var roles = [(String, String)]()
    roles.append(("--x", x))
    roles.append(("--y", y))
    roles += series.map { ("--series", $0) }
    if let over { roles.append(("--over", over)) }
    if let facet { roles.append(("--facet", facet)) }
    for (i, (role, column)) in roles.enumerated() {
      if let other = roles[..<i].first(where: { $0.1 == column }) {
        throw PlotError.columnUsedTwice(column: column, roles: [other.0, role])
      }
    }
  }

  /// The field as a plottable number, or `nil` (counted in `dropped`) if it cannot be plotted.
  private func number(
    _ table: CSVTable, row: Int, column: Int, name: String, scale: ScaleKind, dropped: inout DropCounter
  ) throws -> Double? {
    let field = table.field(row: row, column: column)
    let line = table.lineNumbers[row]
    if field.isEmpty {
      dropped.add(column: name, reason: .empty, line: line, value: field)
      return nil
    }
    guard let value = CSVTable.number(field) else {
      throw CSVTableError.notANumber(path: table.source, column: name, line: line, value: field)
    }
    if !value.isFinite {
      dropped.add(column: name, reason: .nonFinite, line: line, value: field)
      return nil
    }
    if scale == .log && value <= 0 {
      dropped.add(column: name, reason: .nonPositiveOnLogAxis, line: line, value: field)
      return nil
    }
    return value
  }

  /// The mean, band and count of a group's values.
  private func point(_ group: Group) -> AggregatedPoint {
    let values = group.values
    let n = Double(values.count)
    let logarithmic = yScale == .log
    let transformed = logarithmic ? values.map { Foundation.log($0) } : values
    let center = transformed.reduce(0, +) / n
    let back: (Double) -> Double = logarithmic ? { Foundation.exp($0) } : { $0 }
    var result = AggregatedPoint(x: group.key.x, mean: back(center), count: values.count)
    guard values.count > 1 else { return result }
    switch band {
    case .none:
      break
    case .minMax:
      result.lower = values.min()
      result.upper = values.max()
    case .standardDeviation:
      let variance = transformed.reduce(0) { $0 + ($1 - center) * ($1 - center) } / (n - 1)
      result.lower = back(center - variance.squareRoot())
      result.upper = back(center + variance.squareRoot())
    }
    return result
  }

  /// The error for two rows that fall on one point with the same `over` value.
  private func ambiguity(_ table: CSVTable, key: GroupKey, rows: [Int], overValue: String) -> PlotError {
    // Every row of the point with this over value, for the message.
    let overColumn = over.flatMap { try? table.columnIndex($0) }
    let xColumn = (try? table.columnIndex(x)) ?? 0
    let sameKey = (0..<table.rowCount).filter { row in
      CSVTable.number(table.field(row: row, column: xColumn)) == key.x
        && (facet.flatMap { try? table.columnIndex($0) }.map { table.field(row: row, column: $0) == key.facet } ?? true)
        && zip(series, key.series).allSatisfy { name, value in
          (try? table.columnIndex(name)).map { table.field(row: row, column: $0) == value } ?? true
        }
        && (overColumn.map { table.field(row: row, column: $0) == overValue } ?? true)
    }
    let matching = sameKey.isEmpty ? rows : sameKey
    let differing = table.columnNames.enumerated().filter { column, name in
      name != y && Set(matching.map { table.field(row: $0, column: column) }).count > 1
    }.map(\.element)
    var fixed = [(String, String)]()
    if let facet, let value = key.facet { fixed.append((facet, value)) }
    fixed += zip(series, key.series).map { ($0, $1) }
    if let over { fixed.append((over, overValue)) }
    return PlotError.ambiguousRows(
      x: x, xValue: table.field(row: matching[0], column: xColumn),
      fixed: fixed.map { "\($0) = \($1.isEmpty ? "(empty)" : $1)" },
      lines: matching.map { table.lineNumbers[$0] }, differingColumns: differing, over: over)
  }

  private struct GroupKey: Hashable {
    var facet: String?
    var series: [String]
    var x: Double
  }

  private struct SeriesKey: Hashable {
    var facet: String?
    var key: [String]
  }

  private struct Group {
    var key: GroupKey
    var rowsByOver = [String: Int]()
    var values = [Double]()
  }

  /// Counts of dropped values per (column, reason), with the first occurrence.
  private struct DropCounter {
    var entries = [DroppedValues]()

    mutating func add(column: String, reason: DroppedValues.Reason, line: Int, value: String) {
      if let index = entries.firstIndex(where: { $0.column == column && $0.reason == reason }) {
        entries[index].count += 1
      } else {
        entries.append(DroppedValues(column: column, reason: reason, count: 1, firstLine: line, firstValue: value))
      }
    }

    func summary(order columns: [String]) -> [DroppedValues] {
      let reasons: [DroppedValues.Reason] = [.empty, .nonFinite, .nonPositiveOnLogAxis]
      return columns.flatMap { column in
        reasons.compactMap { reason in entries.first { $0.column == column && $0.reason == reason } }
      }
    }
  }
}
