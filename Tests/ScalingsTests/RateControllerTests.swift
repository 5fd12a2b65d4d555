import Foundation
import Networks
@testable import Scalings
import Testing

/// Theory §5.3: the factors FSC-control decides, checked as the formulas they implement.
@Suite struct RateControllerTests {
  let signals = [
    LayerSignals(unitContribution: 0.02, gradientNormSquared: 0.4, backwardNorm: 0.5, featureCount: 64, featureRMS: 1.2, bfaCos: 0.8),
    LayerSignals(unitContribution: 1e-4, gradientNormSquared: 2e-3, backwardNorm: 0.1, featureCount: 64, featureRMS: 0.9, bfaCos: 0.4),
    LayerSignals(unitContribution: 3.0, gradientNormSquared: 60, backwardNorm: 0.02, featureCount: 16, featureRMS: 2.0, bfaCos: 0.3),
  ]

  @Test func contributionsHitTheirTargetsExactly() throws {
    var c = try RateController(
      settings: ControlSettings(rates: .contributions(profile: .weights([1, 2, 1]), decayFraction: 0.05)), layerCount: 3)
    let d = c.decide(step: 0, loss: 2.0, layers: signals)
    let targets = [0.25, 0.5, 0.25].map { $0 * 0.05 * 2.0 }
    for l in 0..<3 {
      #expect(abs(d.factors[l] * signals[l].unitContribution - targets[l]) <= 1e-15 * targets[l])
      #expect(d.targetContributions[l] == targets[l])
      #expect(!d.capped[l] && !d.held[l])
    }
  }

  @Test func backwardNormalizationScalesByTheNormOfTheBackward() throws {
    var c = try RateController(settings: ControlSettings(backwardTarget: 2), layerCount: 3)
    let d = c.decide(step: 0, loss: 1, layers: signals)
    for l in 0..<3 {
      let expected = 2 / (Double(signals[l].featureCount).squareRoot() * signals[l].backwardNorm)
      #expect(abs(d.factors[l] - expected) <= 1e-15 * expected)
      #expect(d.backwardScales[l] == d.factors[l])
    }
  }

  @Test func featureSpeedTargetsFollowTheFormula() throws {
    var c = try RateController(settings: ControlSettings(rates: .featureSpeed(0.1), cap: 1e9), layerCount: 3)
    let d = c.decide(step: 0, loss: 1, layers: signals)
    var cumulative = 0.0
    for l in 0..<3 {
      let s = signals[l]
      let fsf = 0.1 * s.featureRMS * Double(s.featureCount).squareRoot() * s.backwardNorm * s.bfaCos!
      cumulative += d.targetContributions[l]
      if d.clamped[l] {
        #expect(abs(d.targetContributions[l] - 0.01 * fsf) <= 1e-15 * fsf)
      } else {
        #expect(abs(cumulative - fsf) <= 1e-14 * fsf)
      }
      #expect(abs(d.factors[l] * s.unitContribution - d.targetContributions[l]) <= 1e-14 * d.targetContributions[l])
    }
    #expect(d.clamped == [false, true, true])  // the cumulative targets of layers 2 and 3 are below layer 1's
  }

  @Test func capSmoothingFloorAndCalibration() throws {
    var settings = ControlSettings(rates: .contributions(profile: .uniform, decayFraction: 0.1), cap: 10, smoothing: 0.5, floor: 5e-3, calibrationSteps: 2)
    var c = try RateController(settings: settings, layerCount: 3)
    let first = c.decide(step: 0, loss: 1, layers: signals)
    #expect(first.held == [false, true, false])  // ‖∇‖² = 2e-3 is below the floor: keeps factor 1
    #expect(first.factors[1] == 1)
    #expect(abs(first.factors[0] - (0.1 / 3) / 0.02) < 1e-15)  // first decision: no smoothing yet
    var changed = signals
    changed[0].unitContribution = 0.001 * 1.0001  // a large raw factor, 33
    let second = c.decide(step: 1, loss: 1, layers: changed)
    let raw = (0.1 / 3) / changed[0].unitContribution
    #expect(second.capped[0])
    #expect(second.factors[0] == min(10, 0.5 * first.factors[0] + 0.5 * raw))
    let frozen = c.decide(step: 2, loss: 7, layers: signals)
    #expect(!frozen.adapted)
    #expect(frozen.factors == second.factors)
    settings.smoothing = 0
    #expect(throws: ControlError.self) { try settings.validate() }
  }

  @Test func negativeContributionsKeepThePreviousFactor() throws {
    var c = try RateController(settings: ControlSettings(rates: .contributions(profile: .uniform, decayFraction: 0.1)), layerCount: 3)
    var s = signals
    s[2].unitContribution = -0.5
    let d = c.decide(step: 0, loss: 1, layers: s)
    #expect(d.held == [false, false, true])
    #expect(d.factors[2] == 1)
  }

  @Test func rowsLogEveryDecision() throws {
    var c = try RateController(settings: ControlSettings(rates: .contributions(profile: .uniform, decayFraction: 0.1)), layerCount: 3)
    let rows = c.decide(step: 4, loss: 1, layers: signals).rows(run: "r", layerIndices: [1, 2, 3])
    #expect(rows.count == 3 * 7 + 1)
    #expect(rows.allSatisfy { $0.step == 4 && $0.run == "r" })
    #expect(rows.filter { $0.quantity == "control_factor" }.map(\.layer) == [1, 2, 3])
  }

  @Test func profiles() throws {
    #expect(try ContributionProfile(parsing: "uniform") == .uniform)
    #expect(try ContributionProfile(parsing: "1, 2,1") == .weights([1, 2, 1]))
    for bad in ["", "a", "1,-1", "0", "1,,2"] {
      #expect(throws: ControlError.invalidProfile(bad)) { try ContributionProfile(parsing: bad) }
    }
    #expect(try ContributionProfile.weights([1, 3]).shares(layerCount: 2) == [0.25, 0.75])
    #expect(throws: ControlError.profileMismatch(weights: [1, 3], layerCount: 3)) {
      try ContributionProfile.weights([1, 3]).shares(layerCount: 3)
    }
    #expect(ControlError.profileMismatch(weights: [1, 3], layerCount: 3).description.contains("one positive weight per layer"))
  }

  @Test func invalidSettingsNameTheFlag() {
    let cases: [(ControlSettings, String)] = [
      (ControlSettings(backwardTarget: 0), "--control-backward-norm"),
      (ControlSettings(cap: 0.5), "--control-cap"),
      (ControlSettings(rates: .contributions(profile: .uniform, decayFraction: 1.5)), "--control-decay"),
      (ControlSettings(rates: .featureSpeed(-1)), "--control-feature-speed"),
      (ControlSettings(calibrationSteps: -1), "--control-calibration"),
    ]
    for (settings, flag) in cases {
      #expect {
        try settings.validate()
      } throws: { error in
        "\(error)".contains(flag) && "\(error)".contains("expected")
      }
    }
  }
}
