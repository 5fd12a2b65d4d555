import Experiments
import Foundation

/// A figure made from a table by `PlotSpec.makeFigure(from:)`: one line plot, or a grid of
/// panels when the spec has a facet column.
public enum Figure: Sendable, Equatable {
  /// A single plot.
  case plot(LinePlot)
  /// Small multiples.
  case grid(FigureGrid)

  /// The figure as a standalone SVG document.
  public var svg: String {
    switch self {
    case .plot(let plot): plot.svg
    case .grid(let grid): grid.svg
    }
  }

  /// What the figure does not show (dropped values), one sentence each; also printed under it.
  public var warnings: [String] {
    switch self {
    case .plot(let plot): plot.warnings
    case .grid(let grid): grid.warnings
    }
  }

  /// The series drawn, over all panels.
  public var series: [PlotSeries] {
    switch self {
    case .plot(let plot): plot.series
    case .grid(let grid): grid.panels.flatMap(\.series)
    }
  }

  /// Writes `svg` to `url` atomically (readers never see a partial file).
  /// - Throws: `AtomicFileError` (missing directory, disk full, …).
  public func write(to url: URL) throws {
    try AtomicFile.write(Array(svg.utf8), to: url)
  }
}
