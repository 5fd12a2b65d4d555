import Foundation
import Measurements
import Networks
@testable import Scalings
import Testing

/// Theory §5.2: the F, S, C, A numbers, verdicts, hints and multipliers of a diagnosis, on
/// hand-made measurements; and the learning-rate file `train --preset-file` loads.
@Suite struct FSCDiagnosisTests {
  /// A step with the given per-layer contributions, rms, backward norms and cosines.
  func step(_ t: Int, contributions: [Double], rms: [Double], cos: [Double], loss: Double = 2) -> StepMeasurement {
    let total = contributions.reduce(0, +)
    var cumulative = 0.0
    let layers = contributions.indices.map { l -> FeatureSpeedStatistics in
      cumulative += contributions[l]
      let n = 100
      // ‖δF‖ chosen so that cos θ = alignment / (‖b‖‖δF‖) equals cos[l] with ‖b‖ = 0.1.
      return FeatureSpeedStatistics(
        layer: l + 1, featureNorm: rms[l] * Double(n).squareRoot(), featureCount: n, backwardNorm: 0.1,
        gradientNormSquared: 1, contribution: contributions[l], cumulativeContribution: cumulative,
        totalContribution: total, isExact: true, tangentCount: n, tangentBackwardNorm: 0.1, alignment: cumulative,
        featureUpdateNorm: cumulative / (0.1 * cos[l]))
    }
    return StepMeasurement(step: t, lossBefore: loss, actualLoss: nil, layers: layers, actual: [], spectral: [], featureChange: [])
  }

  @Test func namesTheMisScaledLayerAndSuggestsItsMultiplier() {
    let steps = (0..<3).map { step($0, contributions: [0.3, 0.0003, 0.3, 0.3], rms: [1, 1, 1, 1], cos: [0.9, 0.5, 0.4, 0.3]) }
    let d = FSCDiagnosis(measurements: steps, targetShares: [0.25, 0.25, 0.25, 0.25])
    #expect(d.warnedLayers == [2])
    let layer2 = d.layers[1]
    #expect(layer2.warnings == [.contribution])
    let share = 0.0003 / 0.9003
    #expect(abs(layer2.share - share) < 1e-15)
    #expect(abs(layer2.suggestedMultiplier - 0.25 / share) < 1e-9)
    #expect(layer2.hints[0].hasPrefix("layer 2 contributes 0.033 % of the loss decay (target 25 %): its learning rate is about 750× too small"))
    // Layers whose share passes keep their rate: only the failing contribution is corrected.
    #expect(d.layers[0].suggestedMultiplier == 1 && d.layers[2].suggestedMultiplier == 1 && d.layers[3].suggestedMultiplier == 1)
    #expect(d.layers[0].verdict(.forward) == "pass" && d.layers[1].verdict(.contribution) == "warn")
  }

  @Test func forwardSensitivityAndAlignmentWarnings() {
    let steps = [step(0, contributions: [1, 1, 1], rms: [1e-3, 1, 40], cos: [0.9, 0.02, 0.5], loss: 1)]
    let d = FSCDiagnosis(measurements: steps, targetShares: [1.0 / 3, 1.0 / 3, 1.0 / 3])
    #expect(d.layers[0].warnings.contains(.forward))
    #expect(d.layers[0].hints[0].contains("vanishes"))
    #expect(d.layers[2].warnings.contains(.forward))
    #expect(d.layers[2].hints[0].contains("explodes"))
    #expect(d.layers[1].warnings == [.alignment])
    #expect(abs(d.layers[1].alignment - 0.02) < 1e-12)
    // S/ℒ = ‖b‖‖F‖/ℒ = 0.1 · 40 · 10 = 40 at layer 3: inside [0.01, 100].
    #expect(abs(d.layers[2].sensitivityPerLoss - 40) < 1e-12)
    #expect(!d.layers[2].warnings.contains(.sensitivity))
    let rows = d.rows(run: "x")
    #expect(rows.count == 3 * 7)
    #expect(rows.first { $0.layer == 2 && $0.quantity == "fsc_bfa_cos" }.map { abs($0.value - 0.02) < 1e-12 } == true)
  }

  @Test func runsOfLayersFailingAlikeShareOneHint() {
    let steps = [step(0, contributions: [1, 1, 1, 1, 1, 0.001], rms: [1, 1, 1, 1, 1, 1], cos: [0.5, 0.05, 0.04, 0.03, 0.5, 0.02])]
    let d = FSCDiagnosis(measurements: steps, targetShares: Array(repeating: 1.0 / 6, count: 6))
    #expect(d.groupedHints.count == 3)
    #expect(d.groupedHints[0].hasPrefix("layers 2–4: feature updates are poorly aligned with the backward pass (cos θ = 0.030 to 0.050)"), "\(d.groupedHints)")
    #expect(d.groupedHints[1].hasPrefix("layer 6 contributes"))
    #expect(d.groupedHints[2].hasPrefix("layer 6's feature updates are poorly aligned"))
    #expect(d.layers.flatMap(\.hints).count == 5)
  }

  @Test func multiplierFileRoundTripsAndApplies() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fs-lrm-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let url = dir.appendingPathComponent("lr.json")
    let file = LearningRateMultipliers(
      preset: "sp", architecture: .mlp, depth: 3,
      layers: [.init(layer: 1, multiplier: 2), .init(layer: 3, multiplier: 0.5)], source: "test")
    try file.write(to: url)
    let back = try LearningRateMultipliers.read(from: url)
    #expect(back == file)
    let architecture = try Architecture(kind: .mlp, inputDimension: 5, width: 8, depth: 3, outputDimension: 2, activation: .relu, hasBias: true)
    var spec = try PresetResolution(architecture: architecture, loss: .mse, preset: Presets.standard, optimizer: .sgd).spec
    let before = spec
    try back.apply(to: &spec, preset: "sp", path: url.path)
    #expect(spec.layers[0].units[0].scaling.weight.learningRateMultiplier == 2 * before.layers[0].units[0].scaling.weight.learningRateMultiplier)
    #expect(spec.layers[0].units[0].scaling.bias!.learningRateMultiplier == 2 * before.layers[0].units[0].scaling.bias!.learningRateMultiplier)
    #expect(spec.layers[1] == before.layers[1])
    #expect(spec.layers[2].units[0].scaling.weight.learningRateMultiplier == 0.5 * before.layers[2].units[0].scaling.weight.learningRateMultiplier)

    #expect { try back.apply(to: &spec, preset: "mup", path: "f") } throws: { "\($0)".contains("Pass --preset sp") }
    var deeper = architecture
    deeper.depth = 4
    var other = try PresetResolution(architecture: deeper, loss: .mse, preset: Presets.standard, optimizer: .sgd).spec
    #expect { try back.apply(to: &other, preset: "sp", path: "f") } throws: { "\($0)".contains("--depth 3") }

    try Data("{\"format\": \"x\"}".utf8).write(to: url)
    #expect { try LearningRateMultipliers.read(from: url) } throws: {
      "\($0)".contains("not a learning-rate multiplier file (missing key '")
    }
    try Data("{\"format\": \"x\", \"preset\": \"sp\", \"architecture\": \"mlp\", \"depth\": 3, \"layers\": [], \"source\": \"\"}".utf8).write(to: url)
    #expect { try LearningRateMultipliers.read(from: url) } throws: { "\($0)".contains("format is 'x'") }
    #expect { try LearningRateMultipliers.read(from: dir.appendingPathComponent("none.json")) } throws: {
      "\($0)".contains("featurespeed diagnose")
    }
    var negative = file
    negative.layers[0].multiplier = -1
    try negative.write(to: url)
    #expect { try LearningRateMultipliers.read(from: url) } throws: { "\($0)".contains("positive") }
  }
}
