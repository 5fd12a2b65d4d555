import Networks
@testable import Scalings
import Testing

/// Per tensor of `architecture`: (σ, a, η_ℓ/η) of `preset` divided by μP's (0/0 counts as 1).
private func ratiosToMup(
  _ preset: Preset, _ architecture: Architecture, _ optimizer: OptimizerFamily
) throws -> [(row: ScalingTableRow, std: Double, multiplier: Double, rate: Double)] {
  let rows = try scalingTable(for: resolve(architecture, preset, optimizer), baseLearningRate: 1)
  let mupRows = try scalingTable(for: resolve(architecture, Presets.mup, optimizer), baseLearningRate: 1)
  func ratio(_ a: Double, _ b: Double) -> Double { a == 0 && b == 0 ? 1 : a / b }
  return zip(rows, mupRows).map { row, mupRow in
    (row, ratio(row.initStandardDeviation, mupRow.initStandardDeviation),
     ratio(row.forwardMultiplier, mupRow.forwardMultiplier),
     ratio(row.learningRateMultiplier, mupRow.learningRateMultiplier))
  }
}

/// The factors theory §5.1 states, relative to μP, for a tensor of role `role` at depth `L`.
private func statedFactors(_ name: String, role: LayerRole, optimizer: OptimizerFamily, depth: Int)
  -> (std: Double, multiplier: Double, rate: Double)
{
  let L = Double(depth)
  switch (name, role, optimizer) {
  case ("mf-mup", .hidden, .spectral): return (1, 1, 1)  // spectral-descent rates are √(fanOut/fanIn) everywhere
  case ("mf-mup", .hidden, _): return (1, 1, 1 / L)
  case ("fsc", .output, _): return (L.squareRoot(), 1, 1)
  case ("fsc", .hidden, .sgd): return (1, 1, 1 / (L * L))
  case ("fsc", .input, .sgd): return (1, 1, 1 / L)
  case ("fsc", .hidden, .adam), ("fsc", .input, .adam): return (1, 1, 1 / L)
  default: return (1, 1, 1)
  }
}

@Suite struct DepthScalingTests {
  @Test(arguments: [Presets.meanFieldMup, Presets.fsc], OptimizerFamily.allCases)
  func ratiosToMupDoNotDependOnWidth(preset: Preset, optimizer: OptimizerFamily) throws {
    for depth in [3, 8] {
      let tables = try [128, 512, 2048].map { try ratiosToMup(preset, mlp(width: $0, depth: depth), optimizer) }
      for table in tables.dropFirst() {
        for (a, b) in zip(tables[0], table) {
          #expect(close(a.std, b.std) && close(a.multiplier, b.multiplier) && close(a.rate, b.rate),
                  "\(preset.name) layer \(a.row.layerIndex) \(a.row.tensor) changes with width")
        }
      }
    }
  }

  @Test(arguments: [Presets.meanFieldMup, Presets.fsc], OptimizerFamily.allCases)
  func ratiosToMupAreTheStatedDepthFactors(preset: Preset, optimizer: OptimizerFamily) throws {
    for depth in [2, 4, 16] {
      for width in [128, 2048] {
        for entry in try ratiosToMup(preset, mlp(width: width, depth: depth), optimizer) {
          let stated = statedFactors(preset.name, role: entry.row.role, optimizer: optimizer, depth: depth)
          #expect(close(entry.std, stated.std) && close(entry.multiplier, stated.multiplier)
                    && close(entry.rate, stated.rate),
                  "\(preset.name) \(optimizer) L=\(depth) \(entry.row.role): got \(entry), expected \(stated)")
        }
      }
    }
  }

  @Test func theFactorsGrowWithDepth() throws {
    // At L = 1 every factor would be 1; at larger depth the stated entries really change.
    let shallow = try ratiosToMup(Presets.fsc, mlp(width: 64, depth: 2), .sgd)
    let deep = try ratiosToMup(Presets.fsc, mlp(width: 64, depth: 9), .sgd)
    let deepHidden = try #require(deep.first { $0.row.role == .hidden })
    #expect(close(deepHidden.rate, 1.0 / 81))
    #expect(close(deep.last { $0.row.role == .output }!.std, 3))
    #expect(close(shallow.last { $0.row.role == .output }!.std, 2.0.squareRoot()))
    let mf = try ratiosToMup(Presets.meanFieldMup, mlp(width: 64, depth: 9), .adam)
    #expect(close(mf.first { $0.row.role == .hidden }!.rate, 1.0 / 9))
  }
}
