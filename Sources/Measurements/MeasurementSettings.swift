/// What to measure at a measured step and how (theory §3).
public struct MeasurementSettings: Codable, Equatable, Sendable {
  /// Rows of the batch the tangent pass runs on: `nil` for the whole batch (exact mode, where the
  /// key identity and the FSF hold to rounding), or the first `probeRows` rows (cheap monitoring).
  public var probeRows: Int?
  /// Re-forward the batch after the update to measure the actual change `ΔF_ℓ` and loss change.
  public var measuresActualStep: Bool
  /// Measure spectral norms of weights and updates (theory §3.4).
  public var measuresSpectra: Bool
  /// Rows of the fixed probe batch for `feature_change_relative` (0 turns it off).
  public var featureChangeRows: Int
  /// Relative tolerance of the warm-started power iterations.
  public var spectralTolerance: Double
  /// Iteration cap of the power iterations (per matrix, per measured step).
  public var spectralMaximumIterations: Int

  public init(
    probeRows: Int? = nil, measuresActualStep: Bool = true, measuresSpectra: Bool = true,
    featureChangeRows: Int = 32, spectralTolerance: Double = 1e-4, spectralMaximumIterations: Int = 100
  ) {
    self.probeRows = probeRows
    self.measuresActualStep = measuresActualStep
    self.measuresSpectra = measuresSpectra
    self.featureChangeRows = featureChangeRows
    self.spectralTolerance = spectralTolerance
    self.spectralMaximumIterations = spectralMaximumIterations
  }

  /// Whether the tangent pass runs on the whole batch.
  public var isExact: Bool { probeRows == nil }
}
