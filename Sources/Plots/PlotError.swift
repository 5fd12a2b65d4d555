/// Why a figure could not be made from a table.
///
/// Options are named as `featurespeed plot` spells them (`--series`, `--where`, …); in code they
/// are the `PlotSpec` fields of the same names.
public enum PlotError: Error, Equatable, CustomStringConvertible {
  /// A row filter is not of the form `column=value`, `column=v1,v2` or `column!=value`.
  case invalidFilter(String)
  /// One column was given two roles (e.g. as x and as a series column).
  case columnUsedTwice(column: String, roles: [String])
  /// The table has a header but no rows.
  case emptyTable(path: String)
  /// No row is left after `filter`; `column`'s values before that filter were `available`.
  case noMatchingRows(filter: String, column: String, available: [String])
  /// Several rows fall on one point without being told apart by the `over` column.
  case ambiguousRows(
    x: String, xValue: String, fixed: [String], lines: [Int], differingColumns: [String], over: String?)
  /// Every value was dropped (empty, non-finite or non-positive on a log axis).
  case nothingToPlot(dropped: [String])

  /// What was expected, what was found, and how to fix it.
  public var description: String {
    switch self {
    case .invalidFilter(let text):
      return "Invalid filter '\(text)': expected column=value, column=v1,v2 (any of) or column!=value "
        + "(e.g. --where quantity=feature_rms --where layer=1,2)."
    case .columnUsedTwice(let column, let roles):
      return "Column '\(column)' is given as both \(roles.joined(separator: " and ")); "
        + "each column can play one role (x, y, series, over, facet)."
    case .emptyTable(let path):
      return "\(path) has a header but no rows: nothing to plot. Check that the run measured anything "
        + "(--measure-every > 0) and got past step 0."
    case .noMatchingRows(let filter, let column, let available):
      let shown = available.prefix(30).map { $0.isEmpty ? "(empty)" : $0 }
      return "No rows match \(filter). Column \(column) holds: \(shown.joined(separator: ", "))"
        + (available.count > shown.count ? ", … (\(available.count) values)" : "") + "."
    case .ambiguousRows(let x, let xValue, let fixed, let lines, let differing, let over):
      let shownLines = lines.prefix(5).map(String.init).joined(separator: ", ") + (lines.count > 5 ? ", …" : "")
      let point = ([x + " = " + xValue] + fixed).joined(separator: ", ")
      guard !differing.isEmpty else {
        return "Rows on lines \(shownLines) fall on one point (\(point)) and are identical apart from their y value "
          + "(a file concatenated twice?). Remove the duplicate rows."
      }
      let columns = differing.joined(separator: ", ")
      let first = differing[0]
      var fix = "Add \(columns) to --series (or use --facet), or keep one value with --where \(first)=…"
      if over == nil { fix += ", or name the column that repeats a measurement with --over (e.g. --over seed)" }
      return "Rows on lines \(shownLines) fall on one point (\(point)) but differ in \(columns): "
        + "their values would be averaged together. \(fix)."
    case .nothingToPlot(let dropped):
      return "Nothing to plot: every value was dropped. " + dropped.joined(separator: " ")
        + " Choose another column, or a linear axis for zero and negative values."
    }
  }
}
