import ArgumentParser
import Experiments
import Foundation
import Measurements
import Plots

/// `featurespeed plot`: an SVG line plot drawn from the rows of a CSV file.
///
/// Options are documented by their `help` texts (`featurespeed plot --help`).
public struct PlotCommand: ParsableCommand {
  /// Name, abstract and examples.
  public static let configuration = CommandConfiguration(
    commandName: "plot",
    abstract: "Draw an SVG line plot from a CSV file (e.g. a run's measurements.csv).",
    discussion: """
      Rows are selected with --where, grouped into one line per --series value (one panel per \
      --facet value), and averaged over the --over column (e.g. seed) with a band. Values that \
      cannot be plotted (empty fields, nan/inf, and zero or negative values on a log axis) are \
      dropped, counted, and listed under the figure and on standard error. A log y axis averages \
      geometrically. The experiments draw their figures through the same code, so any figure \
      can be redrawn from its CSV.

      Examples:
        M=runs/demo/measurements.csv
        featurespeed plot $M --quantity bfa_cos --output bfa.svg
        featurespeed plot $M --quantity feature_rms --log-y --output rms.svg
        featurespeed plot $M --quantity bfa_cos --where layer=1,4 --output b.svg
        featurespeed plot $M --quantity feature_update_rms --facet layer \\
          --series run --log-y --output speed.svg
        featurespeed plot sweep.csv --x width --y value \\
          --where quantity=feature_update_rms --where step=90 --series preset \\
          --over seed --facet layer --log-x --log-y --band sd --output speed.svg
        featurespeed plot runs/lr-transfer/cells.csv --x learning-rate \\
          --y test_loss --series width --over seed --facet preset --log-x --log-y \\
          --output transfer.svg

      Rows of diverged runs (--diverged-where; by default status=diverged when the file has a \
      status column, as a sweep's cells.csv does) are left out of the means and drawn as × above \
      the data, and listed under the figure.
      """)

  @Argument(help: ArgumentHelp("The CSV file: a header line, then one row per record.", valueName: "csv"))
  public var csv: String

  @Option(help: ArgumentHelp("The numeric x column (with --quantity, default step).", valueName: "column"))
  public var x: String?

  @Option(help: ArgumentHelp("The numeric y column.", valueName: "column"))
  public var y: String?

  @Option(help: ArgumentHelp(
    "For measurements.csv: plot this quantity, i.e. --where quantity=Q --y value, labeled by the quantity; "
      + "x defaults to step and series to layer (see `featurespeed quantities`).",
    valueName: "slug"))
  public var quantity: String?

  @Option(help: ArgumentHelp(
    "Comma-separated columns that name a line, e.g. preset or preset,layer (\"\": a single line).", valueName: "columns"))
  public var series: String?

  @Option(help: ArgumentHelp("Average over this column (e.g. seed): a mean line with a band.", valueName: "column"))
  public var over: String?

  @Option(help: ArgumentHelp("One panel per value of this column (small multiples), e.g. layer.", valueName: "column"))
  public var facet: String?

  @Option(
    name: .customLong("where"),
    help: ArgumentHelp(
      "Keep rows where column=value, column=v1,v2 (any of) or column!=value; repeatable (all must hold).",
      valueName: "condition"))
  public var conditions: [String] = []

  @Flag(help: "Log-scale x axis (x ≤ 0 is dropped with a note).")
  public var logX = false

  @Flag(help: "Log-scale y axis: geometric means; y ≤ 0 is dropped with a note.")
  public var logY = false

  @Option(help: "Band around the mean when averaging with --over: minmax, sd or none.")
  public var band: BandKind = .minMax

  @Option(help: "Figure title (default: '<y> vs <x>, by <series>').")
  public var title: String?

  @Option(help: "x axis label (default: the column name).")
  public var xLabel: String?

  @Option(help: "y axis label (default: the column, or the quantity with its formula).")
  public var yLabel: String?

  @Option(
    name: .customLong("diverged-where"),
    help: ArgumentHelp(
      "Rows of diverged runs, e.g. status=diverged (the default when the file has a status column; 'none' to turn off): "
        + "left out of the means, drawn as × above the data, listed under the figure.",
      valueName: "condition"))
  public var divergedWhere: String?

  @Flag(help: "With --facet: fit each panel's y range separately instead of sharing one.")
  public var independentY = false

  @Option(help: ArgumentHelp("The SVG file to write.", valueName: "file.svg"))
  public var output: String

  /// Options to be filled in by the parser.
  public init() {}

  /// Checks the options against each other and the named columns against the CSV header, so
  /// that a misspelled column fails before anything is read or written.
  /// - Throws: `ValidationError` saying what was expected, what was found and how to fix it.
  public func validate() throws {
    guard output.hasSuffix(".svg") else {
      throw ValidationError("--output must name an .svg file, got '\(output)'; e.g. --output figure.svg.")
    }
    if quantity != nil && y != nil {
      throw ValidationError("Give either --quantity (a measurements.csv quantity) or --y (a column), not both.")
    }
    if quantity == nil && y == nil {
      throw ValidationError("Missing the y column: give --y COLUMN, or --quantity SLUG for a measurements.csv.")
    }
    if quantity == nil && x == nil { throw ValidationError("Missing the x column: give --x COLUMN (e.g. --x step).") }
    if let quantity, AxisLabel.symbol(forQuantity: quantity) == nil {
      throw ValidationError(
        "Unknown quantity '\(quantity)'. Expected one of: \(Quantity.allCases.map(\.rawValue).joined(separator: ", ")) "
          + "(see `featurespeed quantities`).")
    }
    // Check the named columns against the header; an unreadable file is reported by run().
    let url = URL(fileURLWithPath: csv)
    guard let header = try? CSVTable.header(ofFileAt: url) else {
      _ = try spec(header: nil)
      return
    }
    if quantity != nil, !(header.contains("quantity") && header.contains("value")) {
      throw ValidationError(
        "--quantity needs a measurements.csv-style file with columns quantity and value; \(csv) has columns: "
          + "\(header.joined(separator: ", ")). Use --x COLUMN --y COLUMN for other tables.")
    }
    let spec = try spec(header: header)
    do { try spec.checkColumns(in: header, source: csv) } catch { throw ValidationError("\(error)") }
  }

  /// The plot spec for these options; `header` (when known) decides the `--quantity` defaults.
  /// - Throws: `ValidationError` for a malformed `--where` or `--series`.
  public func spec(header: [String]?) throws -> PlotSpec {
    var filters = [RowFilter]()
    for condition in conditions {
      do { filters.append(try RowFilter(parsing: condition)) } catch { throw ValidationError("\(error)") }
    }
    var seriesColumns = (series ?? "").isEmpty
      ? [] : series!.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    if seriesColumns.contains(where: \.isEmpty) {
      throw ValidationError("--series '\(series ?? "")' has an empty column name; expected e.g. --series preset,layer.")
    }
    var spec: PlotSpec
    if let quantity {
      if series == nil, facet != "layer", header?.contains("layer") ?? true, !isNetworkWide(quantity) {
        seriesColumns = ["layer"]
      }
      spec = .measurements(quantity: quantity, x: x ?? "step", series: seriesColumns, filters: filters)
    } else {
      spec = PlotSpec(x: x ?? "step", y: y ?? "value", series: seriesColumns, filters: filters)
    }
    spec.over = over
    spec.facet = facet
    spec.xScale = logX ? .log : .linear
    spec.yScale = logY ? .log : .linear
    spec.band = band
    spec.title = title
    spec.xLabel = xLabel
    spec.yLabel = yLabel
    spec.sharesYRange = !independentY
    switch divergedWhere {
    case "none": spec.diverged = nil
    case nil: spec.diverged = (header?.contains("status") ?? false) ? RowFilter("status", equals: "diverged") : nil
    case let condition?:
      do { spec.diverged = try RowFilter(parsing: condition) } catch { throw ValidationError("--diverged-where: \(error)") }
    }
    return spec
  }

  /// Reads the CSV, draws the figure, writes it atomically, prints warnings to standard error.
  /// - Throws: `ExitCode(1)` after printing the message of a file or data error.
  public func run() throws {
    let spec = try spec(header: try? CSVTable.header(ofFileAt: URL(fileURLWithPath: csv)))
    do {
      let table = try CSVTable(contentsOf: URL(fileURLWithPath: csv))
      let figure = try spec.makeFigure(from: table)
      try figure.write(to: URL(fileURLWithPath: output))
      for warning in figure.warnings { printError("warning: \(warning)") }
      let config = URL(fileURLWithPath: csv).deletingLastPathComponent().appendingPathComponent(RunDirectory.File.config.rawValue)
      if let run = try? JSONFile.read(RunConfiguration.self, from: config), let note = run.interruptionNote {
        printError("note: \(note)")
      }
      let points = figure.series.reduce(0) { $0 + $1.points.count }
      printOut("Wrote \(output): \(figure.series.count) series, \(points) points from \(table.rowCount) rows.")
    } catch let error as CSVTableError {
      printError(error.description)
      throw ExitCode(1)
    } catch let error as PlotError {
      printError(error.description)
      throw ExitCode(1)
    } catch let error as AtomicFileError {
      printError(error.description)
      throw ExitCode(1)
    }
  }

  /// Whether a quantity slug is measured once per network (its `layer` field is empty).
  private func isNetworkWide(_ slug: String) -> Bool {
    Quantity(rawValue: slug)?.scope == .network
  }
}

// The band's command-line values are its stable slugs: minmax, sd, none.
extension BandKind: ExpressibleByArgument {}
