/// One point of a drawn series: a y value (usually a mean) and an optional band around it.
public struct PlotPoint: Sendable, Equatable {
  /// The x value.
  public var x: Double
  /// The y value the line goes through.
  public var y: Double
  /// The band's lower end, or `nil` for no band at this point.
  public var lower: Double?
  /// The band's upper end, or `nil` for no band at this point.
  public var upper: Double?

  /// A point, with a band when `lower` and `upper` are given.
  public init(x: Double, y: Double, lower: Double? = nil, upper: Double? = nil) {
    self.x = x
    self.y = y
    self.lower = lower
    self.upper = upper
  }
}

/// Whether a series draws a marker at each point (the shape comes with its color).
public enum MarkerStyle: Sendable, Equatable {
  /// Markers when the series has at most 40 points (beyond that they hide the line).
  case automatic
  /// Always markers.
  case shown
  /// Never markers (a single-point series still shows its point).
  case hidden
}

/// A named line through points, with a band where points have one.
///
/// Its color and marker shape are `style` when given (see `SeriesPalette`), else they come from
/// its name's position in the legend (see `SVGRenderer`), so one name has one style in every
/// panel of a `FigureGrid`.
public struct PlotSeries: Sendable, Equatable {
  /// The legend text; unique within a panel.
  public var name: String
  /// The points, drawn in this order (usually by increasing x).
  public var points: [PlotPoint]
  /// Markers at the points.
  public var markers: MarkerStyle
  /// The color and marker shape, or `nil` for the legend-order default.
  public var style: SeriesStyle?
  /// x values where a run of this series diverged (no y value to average): drawn as `×` at the
  /// top edge of the plot, never as a point on the y scale.
  public var divergedX: [Double]

  /// A series.
  public init(
    name: String, points: [PlotPoint], markers: MarkerStyle = .automatic, style: SeriesStyle? = nil,
    divergedX: [Double] = []
  ) {
    self.name = name
    self.points = points
    self.markers = markers
    self.style = style
    self.divergedX = divergedX
  }

  /// Whether the renderer draws markers.
  var showsMarkers: Bool {
    switch markers {
    case .automatic: points.count <= 40
    case .shown: true
    case .hidden: points.count == 1
    }
  }
}

/// A line plot: title, axis labels and scales, series with optional bands, a legend, notes.
///
/// `svg` renders it as a standalone SVG document (see `SVGRenderer`). The axes fit the points and
/// bands of every series; there is a legend when there are two or more series or a legend title.
public struct LinePlot: Sendable, Equatable {
  /// The title above the plot.
  public var title: String
  /// The x axis label, e.g. `step`.
  public var xLabel: String
  /// The y axis label, e.g. `feature_rms — rms(F_ℓ)` (see `AxisLabel`).
  public var yLabel: String
  /// Linear or log x axis.
  public var xScale: ScaleKind
  /// Linear or log y axis.
  public var yScale: ScaleKind
  /// The heading of the legend, e.g. `layer` or `preset, width`.
  public var legendTitle: String?
  /// The series, in legend order.
  public var series: [PlotSeries]
  /// Lines under the plot saying how it was made (e.g. `Mean over seed (n = 5); band: min–max.`).
  public var notes: [String]
  /// Lines under the plot saying what is not shown (e.g. dropped non-finite values).
  public var warnings: [String]

  /// A line plot.
  public init(
    title: String, xLabel: String, yLabel: String, xScale: ScaleKind = .linear, yScale: ScaleKind = .linear,
    legendTitle: String? = nil, series: [PlotSeries], notes: [String] = [], warnings: [String] = []
  ) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.xScale = xScale
    self.yScale = yScale
    self.legendTitle = legendTitle
    self.series = series
    self.notes = notes
    self.warnings = warnings
  }

  /// The plot as a standalone SVG document.
  public var svg: String { SVGRenderer.render(self) }
}
