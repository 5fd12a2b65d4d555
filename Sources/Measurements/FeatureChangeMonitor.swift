import NumericCore
import Networks

/// Relative feature change since initialization, `‖F_ℓ − F_ℓ⁰‖/‖F_ℓ⁰‖`, on a fixed probe batch
/// (SPEC §3.4): the first `rows` inputs of the first measured batch, kept for the whole run.
public struct FeatureChangeMonitor<Scalar: BLASScalar>: Sendable {
  private let rows: Int
  private let initialParameters: NetworkParameters<Scalar>
  private var workspace: Workspace<Scalar>?
  private var initialFeatures: [Matrix<Scalar>] = []

  /// - Parameters:
  ///   - rows: probe rows (at most the batch size).
  ///   - initialParameters: `θ⁰`, whose features are the reference.
  public init(rows: Int, initialParameters: NetworkParameters<Scalar>) {
    precondition(rows >= 1, "FeatureChangeMonitor needs at least one row")
    self.rows = rows
    self.initialParameters = initialParameters
  }

  /// The relative change of every feature of `network` on the probe batch; the first call fixes
  /// the probe inputs from `batchInputs` and computes `F⁰` with the initial parameters.
  public mutating func measure(network: Network<Scalar>, batchInputs: Matrix<Scalar>) -> [Double] {
    if workspace == nil {
      var w = Workspace<Scalar>(spec: network.spec, rows: min(rows, batchInputs.rows), backward: false)
      w.input.copyRows(0..<w.rows, of: batchInputs)
      Network(spec: network.spec, parameters: initialParameters).forward(&w)
      initialFeatures = w.features
      workspace = w
    }
    network.forward(&workspace!)
    return zip(workspace!.features, initialFeatures).map { f, f0 in
      f.squaredDistance(to: f0).squareRoot() / f0.norm
    }
  }
}
