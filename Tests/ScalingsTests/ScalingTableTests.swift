import Foundation
import Networks
@testable import Scalings
import Testing

@Suite struct ScalingTableTests {
  @Test func mupTableRendersOneLinePerTensor() throws {
    let spec = try resolve(mlp(width: 1024, depth: 8, bias: false), Presets.mup)
    let rows = scalingTable(for: spec, baseLearningRate: 0.5)
    let text = renderTable(rows)
    let lines = text.split(separator: "\n").map(String.init)
    #expect(lines.count == 1 + 8)
    #expect(lines[0].split(separator: " ").joined(separator: " ")
      == "layer role fanIn fanOut init std fwd multiplier lr multiplier lr")
    #expect(lines[1].split(separator: " ") == ["1", "input", "784", "1024", "0.03571", "1", "1024", "512"])
    #expect(lines[2].split(separator: " ") == ["2", "hidden", "1024", "1024", "0.04419", "1", "1", "0.5"])
    #expect(lines[8].split(separator: " ") == ["8", "output", "1024", "10", "0.001381", "1", "0.0009766", "0.0004883"])
    // Aligned: every line has the same length, numbers right-aligned.
    #expect(Set(lines.map(\.count)).count == 1)
  }

  /// The console's compact table: identical hidden layers become one line per tensor, labelled by
  /// their range; layers that differ (input, output, a first block) keep their own lines.
  @Test func repeatedLayersMergeIntoRanges() throws {
    let spec = try resolve(mlp(width: 1024, depth: 8, bias: true), Presets.mup)
    let rows = scalingTable(for: spec, baseLearningRate: 0.5)
    let full = renderTable(rows).split(separator: "\n").map(String.init)
    let merged = renderTable(rows, mergingRepeatedLayers: true).split(separator: "\n").map(String.init)
    #expect(full.count == 1 + 2 * 8)
    #expect(merged.count == 1 + 2 * 3)
    #expect(merged[3].split(separator: " ").prefix(3) == ["2–7", "weight", "hidden"])
    #expect(merged[4].split(separator: " ").prefix(3) == ["2–7", "bias", "bias"])
    #expect(merged[5].split(separator: " ").first == "8")
    // Nothing but the index column changes: each merged line equals the full table's line of its
    // first layer with the range in place of the index.
    let strip = { (line: String) in line.split(separator: " ").dropFirst().joined(separator: " ") }
    #expect(strip(merged[3]) == strip(full[3]))
    #expect(strip(merged[4]) == strip(full[4]))
    // Nothing to merge: the same table.
    let shallow = scalingTable(for: try resolve(mlp(width: 64, depth: 2, bias: false), Presets.mup), baseLearningRate: 1)
    #expect(renderTable(shallow, mergingRepeatedLayers: true) == renderTable(shallow))
  }

  @Test func optionalColumnsAppearWhenNeeded() throws {
    let spec = try resolve(resnet(width: 64, depth: 2, branchMatrices: 2), Presets.spectralExact)
    let rows = scalingTable(for: spec, baseLearningRate: 1)
    #expect(rows.count == 2 * (1 + 2 * 2 + 1))
    let lines = renderTable(rows).split(separator: "\n").map(String.init)
    #expect(lines.count == 1 + rows.count)
    #expect(lines[0].split(separator: " ").joined(separator: " ")
      == "layer unit tensor role fanIn fanOut β init init std fwd multiplier lr multiplier lr")
    // Layer 1, unit 1 (second branch matrix), bias: fanIn 1, β = 1/√2, σ = 1, SGD rate fanOut.
    let fields = lines.map { $0.split(separator: " ").map(String.init) }
    #expect(fields.contains(["1", "1", "bias", "bias", "1", "64", "0.7071", "semi-orthogonal", "1", "1", "64", "64"]))
    // Embedding 784 → 64: σ = (1/28)·√(64/784) = 2/196, SGD rate 64/784.
    #expect(fields.contains(["0", "0", "weight", "input", "784", "64", "-", "semi-orthogonal", "0.0102", "1", "0.08163", "0.08163"]))
  }

  @Test func rowsCarryEveryTensorInForwardOrder() throws {
    let spec = try resolve(mlp(width: 16, depth: 3), Presets.standard, .adam)
    let rows = scalingTable(for: spec, baseLearningRate: 1e-3)
    #expect(rows.map(\.layerIndex) == [1, 1, 2, 2, 3, 3])
    #expect(rows.map(\.tensor) == [.weight, .bias, .weight, .bias, .weight, .bias])
    #expect(rows.map(\.role) == [.input, .bias, .hidden, .bias, .output, .bias])
    #expect(rows.map(\.fanIn) == [784, 1, 16, 1, 16, 1])
    #expect(rows.allSatisfy { $0.learningRate == 1e-3 })
    #expect(renderTable(rows).contains("0.001\n"))
    let data = try JSONEncoder().encode(rows)
    #expect(try JSONDecoder().decode([ScalingTableRow].self, from: data) == rows)
  }

  @Test func compactNumbers() {
    #expect(compactNumber(0) == "0")
    #expect(compactNumber(1024) == "1024")
    #expect(compactNumber(0.5) == "0.5")
    #expect(compactNumber(2.0.squareRoot() / 32) == "0.04419")
    #expect(compactNumber(1.0 / 65536) == "1.526e-05")
    #expect(compactNumber(1e7) == "1e+07")
  }
}
