/// Small multiples: panels in a grid (e.g. one per layer) sharing axis labels, scale kinds, the
/// x range, by default the y range, and one legend.
///
/// A series name has the same color and marker in every panel.
public struct FigureGrid: Sendable, Equatable {
  /// One panel: a title (e.g. `layer = 3`) and its series.
  public struct Panel: Sendable, Equatable {
    /// The panel's title.
    public var title: String
    /// The panel's series.
    public var series: [PlotSeries]

    /// A panel.
    public init(title: String, series: [PlotSeries]) {
      self.title = title
      self.series = series
    }
  }

  /// The title above the grid.
  public var title: String
  /// The x axis label, shown once under the grid.
  public var xLabel: String
  /// The y axis label, shown once left of the grid.
  public var yLabel: String
  /// Linear or log x axes.
  public var xScale: ScaleKind
  /// Linear or log y axes.
  public var yScale: ScaleKind
  /// The heading of the shared legend.
  public var legendTitle: String?
  /// The panels, filled row by row.
  public var panels: [Panel]
  /// Panels per row (at least 1).
  public var columns: Int
  /// Whether all panels show one y range (comparable heights) or each fits its own data.
  public var sharesYRange: Bool
  /// Lines under the grid saying how it was made.
  public var notes: [String]
  /// Lines under the grid saying what is not shown.
  public var warnings: [String]

  /// A grid; `columns` defaults to ⌈√panels⌉, at most 4.
  public init(
    title: String, xLabel: String, yLabel: String, xScale: ScaleKind = .linear, yScale: ScaleKind = .linear,
    legendTitle: String? = nil, panels: [Panel], columns: Int? = nil, sharesYRange: Bool = true,
    notes: [String] = [], warnings: [String] = []
  ) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.xScale = xScale
    self.yScale = yScale
    self.legendTitle = legendTitle
    self.panels = panels
    self.columns = max(1, columns ?? min(4, Int(Double(panels.count).squareRoot().rounded(.up))))
    self.sharesYRange = sharesYRange
    self.notes = notes
    self.warnings = warnings
  }

  /// The grid as a standalone SVG document.
  public var svg: String { SVGRenderer.render(self) }
}
