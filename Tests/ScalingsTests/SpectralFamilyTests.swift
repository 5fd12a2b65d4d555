import Foundation
import Networks
@testable import Scalings
import Testing

/// The spectral-descent family (theory §5.1 [SC]): every preset's rate multiplier is √(fanOut/fanIn)
/// (biases: fanIn = 1), so an orthogonalized step has spectral norm η·√(fanOut/fanIn).
@Suite struct SpectralFamilyTests {
  @Test(arguments: Presets.all)
  func everyPresetUsesTheSpectralNormTarget(preset: Preset) {
    for (fanIn, fanOut) in [(64, 256), (256, 64), (100, 100), (784, 10)] {
      for role in [LayerRole.input, .hidden, .output] {
        let s = preset.unitScaling(for: unit(role: role, fanIn: fanIn, fanOut: fanOut, depth: 9), optimizer: .spectral)
        #expect(close(s.weight.learningRateMultiplier, (Double(fanOut) / Double(fanIn)).squareRoot()), "\(preset.name) \(role)")
        #expect(s.bias?.learningRateMultiplier == Double(fanOut).squareRoot(), "\(preset.name) bias")
        // Init and forward multipliers do not depend on the optimizer family.
        let sgd = preset.unitScaling(for: unit(role: role, fanIn: fanIn, fanOut: fanOut, depth: 9), optimizer: .sgd)
        #expect(s.weight.initStandardDeviation == sgd.weight.initStandardDeviation)
        #expect(s.weight.forwardMultiplier == sgd.weight.forwardMultiplier)
      }
    }
  }

  @Test func theLawIsFanOutToTheHalfOverFanInToTheHalf() {
    let law = ScalingLaw.spectralNormTarget
    #expect(law == .fanOut(0.5) * .fanIn(-0.5))
    #expect(law.value(fanIn: 16, fanOut: 64, depth: 3, gain: 2) == 2)
    #expect(law.formula == "√fanOut/√fanIn")
  }

  @Test func rulesPrintTheSpectralColumn() {
    let lines = renderRules(Presets.mup, optimizer: .spectral).split(separator: "\n")
    #expect(lines[0].hasSuffix("lr multiplier (spectral)"))
    #expect(lines[1].split(separator: " ").last == "√fanOut/√fanIn")
  }

  @Test("A rule written before the spectral family decodes with the √(fanOut/fanIn) default")
  func decodesOldRules() throws {
    let rule = Presets.mup.rules.hidden
    var object = try #require(JSONSerialization.jsonObject(with: JSONEncoder().encode(rule)) as? [String: Any])
    #expect(object["spectralLearningRate"] != nil)
    object["spectralLearningRate"] = nil
    let old = try JSONSerialization.data(withJSONObject: object)
    let decoded = try JSONDecoder().decode(RoleRule.self, from: old)
    #expect(decoded == rule)
    #expect(decoded.spectralLearningRate == .spectralNormTarget)
    // And a full preset round-trips.
    let preset = try JSONDecoder().decode(Preset.self, from: JSONEncoder().encode(Presets.fsc))
    #expect(preset == Presets.fsc)
  }
}
