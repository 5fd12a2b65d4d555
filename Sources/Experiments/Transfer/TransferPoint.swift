/// One cell of a learning-rate sweep reduced to what the transfer check uses: its group, axis
/// value, seed, base learning rate and the loss after T steps (docs/transfer.md; one row of
/// `transfer.csv`).
///
/// Divergence is a result: a cell that diverged at or before step T has `loss = +∞` and
/// `diverged = true`.
public struct TransferPoint: Codable, Equatable, Sendable {
  /// The group label: the cell's values of the grid keys other than the axis, `learning-rate`
  /// and `seed`, as `key=value` joined by `, ` (`preset=mup`), or `all` without such keys.
  public var group: String
  /// The preset of the cell's run (a grid key or the sweep's `base`).
  public var preset: String
  /// The width or depth (see `TransferAxis`).
  public var axisValue: Int
  /// The seed.
  public var seed: UInt64
  /// The base learning rate η > 0.
  public var learningRate: Double
  /// The loss after T steps, `+∞` when diverged.
  public var loss: Double
  /// Whether the run diverged at or before step T.
  public var diverged: Bool
  /// The step the loss was read at (the divergence step when diverged).
  public var step: Int
  /// The cell id.
  public var cell: String

  /// A point.
  public init(
    group: String, preset: String, axisValue: Int, seed: UInt64, learningRate: Double, loss: Double,
    diverged: Bool, step: Int = 0, cell: String = ""
  ) {
    self.group = group
    self.preset = preset
    self.axisValue = axisValue
    self.seed = seed
    self.learningRate = learningRate
    self.loss = diverged ? .infinity : loss
    self.diverged = diverged || !loss.isFinite
    self.step = step
    self.cell = cell
  }
}
