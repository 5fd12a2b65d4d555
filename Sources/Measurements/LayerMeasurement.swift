/// One measured value: the single currency between training, CSV files and figures (STYLE).
///
/// A row of `measurements.csv`: `run,step,layer,quantity,value`. `layer` is the user-facing layer
/// index (MLP 1…L, ResNet 0…L+1), or `nil` for network-wide quantities (empty in CSV).
public struct LayerMeasurement: Codable, Equatable, Sendable {
  /// Run name (deterministic from the configuration, not from the output path).
  public var run: String
  /// Training step at which the value was measured (0 = first step, before any update).
  public var step: Int
  /// Layer index, or `nil` for network-wide quantities.
  public var layer: Int?
  /// Quantity slug: a `Quantity` raw value, possibly with the suffix `_w2` for the second matrix
  /// of a two-matrix residual branch.
  public var quantity: String
  /// The value (may be NaN when undefined, e.g. an angle with a zero vector).
  public var value: Double

  public init(run: String, step: Int, layer: Int?, quantity: String, value: Double) {
    self.run = run
    self.step = step
    self.layer = layer
    self.quantity = quantity
    self.value = value
  }

  /// The CSV header matching `LayerMeasurement`'s fields.
  public static let csvHeader = ["run", "step", "layer", "quantity", "value"]
}
