import Foundation
import Networks
import Measurements
import Scalings

/// One line of a coordinate check: the fitted exponent of a quantity at a layer position against
/// the width or the depth, its 95 % interval over seeds, the verdict against the preset's
/// prediction and the judgement against the feature-learning desiderata (`CoordCheckDesiderata`).
public struct CoordCheckResult: Codable, Equatable, Sendable {
  public enum Verdict: String, Codable, Sendable {
    case pass, fail
    /// The 95 % interval is too wide to decide: more seeds or a wider range of sizes are needed.
    case inconclusive
    case noPrediction = "n/a"
    case noData = "no data"
  }

  public var axis: CoordCheck.Axis
  /// The layer: its index (width axis) or `first`, `last-hidden`, `output` (depth axis).
  public var layer: String
  public var position: CoordCheckPredictions.Position
  public var quantity: String
  public var fit: SlopeFit?
  public var predicted: Double?
  /// The verdict against `predicted` (what `--against-preset` decides by).
  public var verdict: Verdict
  /// The desideratum's bound for this quantity here, or nil when it is not judged.
  public var rule: CoordCheckDesiderata.Bound?
  /// The judgement against `rule` with band `±CoordCheck.band`, or nil when not judged.
  public var judgement: CoordCheckDesiderata.Judgement?
}

extension CoordCheck {
  /// Fits the slopes of every layer and quantity from the finished cells of `axis` in `directory`
  /// (cells at `SweepRunner.cellDirectory`), using each cell's last measured step.
  /// - Throws: `MeasurementsFileError` for unreadable cells.
  public func analyze(axis: Axis, directory: URL) throws -> [CoordCheckResult] {
    let values = axis == .width ? widths : depths
    guard values.count >= 2 else { return [] }
    // [value index][seed index] → layer → quantity → value
    var table = [[[Int: [String: Double]]]]()
    for job in jobs(axis: axis).chunked(seeds.count) {
      var perSeed = [[Int: [String: Double]]]()
      for cell in job {
        perSeed.append(try Self.lastValues(cell: SweepRunner.cellDirectory(cell.id, in: directory)) ?? [:])
      }
      table.append(perSeed)
    }
    var results = [CoordCheckResult]()
    let quantities = Self.quantities.map(\.rawValue) + (axis == .depth ? [Quantity.featureSpeedPerLossDecay.rawValue] : [])
    for (label, position, layerAt) in layerPositions(axis: axis) {
      for quantity in quantities {
        let repetitions = seeds.indices.map { s in
          values.indices.map { v -> Double in
            let layer = layerAt(values[v])
            let q = table[v][s][layer] ?? [:]
            return CheckedQuantity(rawValue: quantity)?.value(q) ?? q[quantity] ?? .nan
          }
        }
        let fit = SlopeFit.fit(x: values.map(Double.init), repetitions: repetitions)
        let predicted = position != .output && expectations[quantity] != nil
          ? expectations[quantity]
          : CoordCheckPredictions.exponent(
            preset: base.preset, architecture: base.architecture, axis: axis, position: position, quantity: quantity)
        let verdict: CoordCheckResult.Verdict
        switch (fit, predicted) {
        case (nil, _): verdict = .noData
        case (_, nil): verdict = .noPrediction
        case (let f?, let p?):
          if f.halfWidth > maximumHalfWidth {
            verdict = .inconclusive
          } else {
            verdict = (f.lower - tolerance...f.upper + tolerance).contains(p) ? .pass : .fail
          }
        }
        let rule = CoordCheckDesiderata.rule(axis: axis, position: position, quantity: quantity)
        results.append(CoordCheckResult(
          axis: axis, layer: label, position: position, quantity: quantity, fit: fit, predicted: predicted, verdict: verdict,
          rule: rule?.bound, judgement: rule.map { CoordCheckDesiderata.judge(fit, bound: $0.bound, band: band) }))
      }
    }
    return results
  }

  /// The raw points of `axis` behind the fits: `axis,size,seed,layer,quantity,value`, one row per
  /// cell, layer position and quantity (the `coordcheck-data.csv` the figures are drawn from).
  public func data(axis: Axis, directory: URL) throws -> TidyTable {
    var table = TidyTable(columns: ["axis", "size", "seed", "layer", "quantity", "value"])
    let quantities = Self.quantities.map(\.rawValue) + (axis == .depth ? [Quantity.featureSpeedPerLossDecay.rawValue] : [])
    let positions = layerPositions(axis: axis)
    for cell in jobs(axis: axis) {
      guard let last = try Self.lastValues(cell: SweepRunner.cellDirectory(cell.id, in: directory)) else { continue }
      let size = axis == .width ? cell.request.width : cell.request.depth
      for (label, _, layerAt) in positions {
        let q = last[layerAt(size)] ?? [:]
        for quantity in quantities {
          guard let v = CheckedQuantity(rawValue: quantity)?.value(q) ?? q[quantity] else { continue }
          table.rows.append([.text(axis.rawValue), .integer(size), .integer(Int(cell.request.seed)), .text(label), .text(quantity), .double(v)])
        }
      }
    }
    return table
  }

  /// The quantities of the last measured step of the cell in `directory`, layer → slug → value,
  /// plus each layer's weight forward multiplier `a_ℓ` from `config.json` under
  /// `CheckedQuantity.forwardMultiplierKey` (for `update_spectral_ratio`); nil when the cell has
  /// no measurements.
  /// - Throws: `MeasurementsFileError` for unreadable measurements.
  static func lastValues(cell directory: URL) throws -> [Int: [String: Double]]? {
    let url = directory.appendingPathComponent("measurements.csv")
    guard FileManager.default.fileExists(atPath: url.path), var values = MeasurementsFile.lastStep(try MeasurementsFile.read(url))?.values
    else { return nil }
    struct Layers: Decodable { var layers: [ScalingTableRow] }
    if let data = FileManager.default.contents(atPath: directory.appendingPathComponent("config.json").path),
      let config = try? JSONFile.makeDecoder().decode(Layers.self, from: data)
    {
      for row in config.layers where row.tensor == .weight && row.unitIndex == 0 {
        values[row.layerIndex, default: [:]][CheckedQuantity.forwardMultiplierKey] = row.forwardMultiplier
      }
    }
    return values
  }

  /// The layers compared across cells: every layer for the width axis (same indices at every
  /// width), the first, last hidden and output layers for the depth axis.
  func layerPositions(axis: Axis) -> [(String, CoordCheckPredictions.Position, (Int) -> Int)] {
    let mlp = base.architecture == .mlp
    switch axis {
    case .width:
      let first = mlp ? 1 : 0
      let last = mlp ? base.depth : base.depth + 1
      return (first...last).map { l in
        let position: CoordCheckPredictions.Position = l == first ? .input : (l == last ? .output : .hidden)
        return ("\(l)", position, { _ in l })
      }
    case .depth:
      return [
        ("first", .input, { _ in mlp ? 1 : 0 }),
        ("last-hidden", .hidden, { depth in mlp ? depth - 1 : depth }),
        ("output", .output, { depth in mlp ? depth : depth + 1 }),
      ]
    }
  }
}

extension Array {
  func chunked(_ size: Int) -> [[Element]] {
    stride(from: 0, to: count, by: Swift.max(size, 1)).map { Array(self[$0..<Swift.min($0 + size, count)]) }
  }
}
