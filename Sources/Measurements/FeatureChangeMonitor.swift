import NumericCore
import Networks

/// Relative feature change since initialization, `‖F_ℓ − F_ℓ⁰‖/‖F_ℓ⁰‖`, on a fixed probe batch
/// (theory §3.4): the first `rows` inputs of the first measured batch, kept for the whole run.
///
/// The meter evaluates the probe's features after each measured step's update, in the same
/// forward pass as the actual-step rows (one pass of more rows is cheaper than two).
public struct FeatureChangeMonitor<Scalar: BLASScalar>: Sendable {
  /// Rows of the fixed probe batch.
  public let rows: Int
  /// The fixed probe inputs (`rows × d_0`), set by the first `prepare`.
  public private(set) var inputs: Matrix<Scalar>?
  private var initialFeatures: [Matrix<Scalar>] = []

  /// - Parameter rows: probe rows (at most the batch size).
  public init(rows: Int) {
    precondition(rows >= 1, "FeatureChangeMonitor needs at least one row")
    self.rows = rows
  }

  /// On the first call, fixes the probe inputs (the first `rows` of `batchInputs`) and computes
  /// their features `F⁰` with the initial parameters. Later calls do nothing.
  public mutating func prepare(spec: NetworkSpec, initialParameters: NetworkParameters<Scalar>, batchInputs: Matrix<Scalar>) {
    guard inputs == nil else { return }
    var w = Workspace<Scalar>(spec: spec, rows: min(rows, batchInputs.rows), backward: false)
    w.input.copyRows(0..<w.rows, of: batchInputs)
    Network(spec: spec, parameters: initialParameters).forward(&w)
    initialFeatures = w.features
    inputs = w.input
  }

  /// `‖F_ℓ − F_ℓ⁰‖/‖F_ℓ⁰‖` for every layer, where `F_ℓ` is rows `rows` of `features[ℓ]` (the
  /// probe's features under the current parameters).
  public func relativeChange(features: [Matrix<Scalar>], rows range: Range<Int>) -> [Double] {
    zip(features, initialFeatures).map { f, f0 in
      (f.squaredDistance(rows: range, to: f0, rows: 0..<f0.rows) / f0.squaredNorm).squareRoot()
    }
  }
}
