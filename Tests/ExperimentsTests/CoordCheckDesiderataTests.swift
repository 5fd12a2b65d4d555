import Foundation
import Testing

@testable import Experiments

/// The feature-learning desiderata of `coordcheck` as rules: how an interval is judged against a
/// bound and a band, and how a layer's judgements become one verdict in words.
@Suite("Coordinate-check desiderata")
struct CoordCheckDesiderataTests {
  func fit(_ slope: Double, _ halfWidth: Double) -> SlopeFit {
    SlopeFit(slope: slope, halfWidth: halfWidth, slopes: [slope - halfWidth, slope + halfWidth], points: 4)
  }

  @Test("An interval is unstable above +band, lazy below −band, ok inside, inconclusive across an edge")
  func judgementOfAFlatRule() {
    let band = 0.2
    #expect(CoordCheckDesiderata.judge(fit(0.76, 0.05), bound: .flat, band: band) == .unstable)
    #expect(CoordCheckDesiderata.judge(fit(-0.5, 0.05), bound: .flat, band: band) == .lazy)
    #expect(CoordCheckDesiderata.judge(fit(0.02, 0.1), bound: .flat, band: band) == .ok)
    #expect(CoordCheckDesiderata.judge(fit(0.18, 0.05), bound: .flat, band: band) == .inconclusive)
    #expect(CoordCheckDesiderata.judge(fit(-0.18, 0.05), bound: .flat, band: band) == .inconclusive)
    #expect(CoordCheckDesiderata.judge(nil, bound: .flat, band: band) == .noData)
  }

  @Test("One-sided rules ignore the other side; the band is a parameter")
  func oneSidedRules() {
    // The output's size may vanish (μP's initial logits) but must not grow.
    #expect(CoordCheckDesiderata.judge(fit(-0.5, 0.05), bound: .notGrowing, band: 0.2) == .ok)
    #expect(CoordCheckDesiderata.judge(fit(0.5, 0.05), bound: .notGrowing, band: 0.2) == .unstable)
    // Alignment may grow (trivial alignment) but must not vanish.
    #expect(CoordCheckDesiderata.judge(fit(0.5, 0.05), bound: .notVanishing, band: 0.2) == .ok)
    #expect(CoordCheckDesiderata.judge(fit(-0.5, 0.05), bound: .notVanishing, band: 0.2) == .lazy)
    // A wider band accepts what a narrow one rejects.
    #expect(CoordCheckDesiderata.judge(fit(-0.5, 0.05), bound: .flat, band: 0.6) == .ok)
  }

  @Test("Every layer position is judged on (a), (b), (c) against width; depth judges the last hidden layer")
  func rulesCoverTheDesiderata() {
    for position in [CoordCheckPredictions.Position.input, .hidden, .output] {
      for quantity in ["feature_rms", "feature_update_rms", "update_spectral_ratio"] {
        #expect(CoordCheckDesiderata.rule(axis: .width, position: position, quantity: quantity) != nil)
      }
      #expect(CoordCheckDesiderata.rule(axis: .width, position: position, quantity: "bfa_cos") == nil)
    }
    #expect(CoordCheckDesiderata.rule(axis: .width, position: .output, quantity: "feature_rms")?.bound == .notGrowing)
    #expect(CoordCheckDesiderata.rule(axis: .width, position: .output, quantity: "feature_update_rms")?.bound == .flat)
    #expect(CoordCheckDesiderata.rule(axis: .depth, position: .hidden, quantity: "bfa_cos")?.bound == .notVanishing)
    #expect(CoordCheckDesiderata.rule(axis: .depth, position: .hidden, quantity: "feature_speed_per_loss_decay")?.bound == .flat)
    #expect(CoordCheckDesiderata.rules.filter { $0.axis == .depth }.allSatisfy { $0.isReconstruction })
    #expect(CoordCheckDesiderata.rule(axis: .depth, position: .output, quantity: "bfa_cos") == nil)
  }

  func result(_ layer: String, _ quantity: String, _ f: SlopeFit?, _ judgement: CoordCheckDesiderata.Judgement?) -> CoordCheckResult {
    CoordCheckResult(
      axis: .width, layer: layer, position: .hidden, quantity: quantity, fit: f, predicted: nil, verdict: .noPrediction,
      rule: judgement == nil ? nil : .flat, judgement: judgement)
  }

  @Test("A layer's verdict is its worst judgement, in words with the exponent and its interval")
  func layerVerdicts() {
    let results = [
      result("1", "feature_rms", fit(0, 0.01), .ok), result("1", "feature_update_rms", fit(0.01, 0.02), .ok),
      result("1", "bfa_cos", fit(0.3, 0.01), nil),
      result("2", "feature_update_rms", fit(-0.5, 0.05), .lazy), result("2", "update_spectral_ratio", fit(0.44, 0.04), .unstable),
      result("3", "feature_update_rms", fit(-0.5, 0.05), .lazy), result("3", "feature_rms", fit(0.19, 0.05), .inconclusive),
      result("4", "feature_rms", fit(0.19, 0.05), .inconclusive), result("4", "feature_update_rms", fit(0, 0.01), .ok),
      result("5", "bfa_cos", fit(0, 0.01), nil),
    ]
    let verdicts = CoordCheckLayerVerdict.verdicts(results)
    #expect(verdicts.map(\.layer) == ["1", "2", "3", "4", "5"])
    #expect(verdicts.map(\.kind) == [.learns, .unstable, .lazy, .inconclusive, .notJudged])
    #expect(verdicts[0].text == "learns")
    #expect(verdicts[1].text == "unstable: update_spectral_ratio blows up like width^+0.44 [+0.40, +0.48]; "
      + "lazy: feature_update_rms vanishes like width^-0.50 [-0.55, -0.45]")
    #expect(verdicts[1].quantities == ["update_spectral_ratio", "feature_update_rms"])
    #expect(verdicts[2].text == "lazy: feature_update_rms vanishes like width^-0.50 [-0.55, -0.45]")
    #expect(verdicts.map(\.isFailure) == [false, true, true, true, false])
    let summary = CoordCheckReport.summary(verdicts)
    #expect(summary.hasPrefix("1 learn, 1 lazy, 1 unstable, 1 inconclusive"))
    #expect(summary.contains("width layer 2 (unstable)"))
  }

  @Test("The mode decides what passes: desiderata by layer verdicts, against-preset by predictions")
  func passesByMode() {
    var check = CoordCheck(base: RunRequest(), widths: [32, 64], depths: [], seeds: [0, 1])
    let results = [
      CoordCheckResult(
        axis: .width, layer: "2", position: .hidden, quantity: "feature_update_rms", fit: fit(-0.5, 0.05), predicted: -0.5,
        verdict: .pass, rule: .flat, judgement: .lazy)
    ]
    #expect(check.mode == .desiderata)
    #expect(!CoordCheckReport.passes(results, check: check))
    check.mode = .againstPreset
    #expect(CoordCheckReport.passes(results, check: check))
  }
}
