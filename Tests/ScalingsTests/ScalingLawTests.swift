import Foundation
import Networks
@testable import Scalings
import Testing

@Suite struct ScalingLawTests {
  @Test func formulasReadLikeThePaper() {
    #expect((ScalingLaw.gain * .fanIn(-0.5)).formula == "g/√fanIn")
    #expect(ScalingLaw.fanOut(1).formula == "fanOut")
    #expect((ScalingLaw.fanIn(-1) * .depth(-1)).formula == "1/(fanIn·L)")
    #expect((ScalingLaw.gain * .fanIn(-1) * .depth(0.5)).formula == "g·√L/fanIn")
    #expect((ScalingLaw.fanOut(1) * .fanIn(-1)).formula == "fanOut/fanIn")
    #expect((ScalingLaw.gain * .fanIn(-0.5) * .aspectRatioCap(0.5)).formula == "(g/√fanIn)·min(1, √(fanOut/fanIn))")
    #expect(ScalingLaw.aspectRatioCap(1).formula == "min(1, fanOut/fanIn)")
    #expect(ScalingLaw.depth(-2).formula == "1/L²")
    #expect(ScalingLaw.one.formula == "1")
    #expect(ScalingLaw.zero.formula == "0")
    #expect(ScalingLaw.gain.formula == "g")
    #expect((ScalingLaw.constant(0.5) * .fanIn(-1.5)).formula == "0.5/fanIn^1.5")
  }

  @Test func valuesAreTheMonomials() {
    let law = ScalingLaw(
      coefficient: 3, fanInExponent: -0.5, fanOutExponent: 1, depthExponent: -2, includesGain: true)
    #expect(close(law.value(fanIn: 16, fanOut: 5, depth: 3, gain: 2), 3 * 2 / 4 * 5 / 9))
    let capped = ScalingLaw.fanIn(-0.5) * .aspectRatioCap(0.5)
    #expect(capped.value(fanIn: 64, fanOut: 256, depth: 1, gain: 1) == 1.0 / 8)
    #expect(close(capped.value(fanIn: 256, fanOut: 64, depth: 1, gain: 1), 1.0 / 16 * 0.5))
    #expect(ScalingLaw.zero.value(fanIn: 3, fanOut: 3, depth: 3, gain: 2) == 0)
    // Half-integer powers are exact, other exponents go through pow.
    #expect(ScalingLaw.fanIn(-1.5).value(fanIn: 4, fanOut: 1, depth: 1, gain: 1) == 1.0 / 8)
    #expect(close(ScalingLaw.depth(1.0 / 3).value(fanIn: 1, fanOut: 1, depth: 27, gain: 1), 3, relative: 1e-14))
  }

  @Test func productAddsExponents() {
    let product = ScalingLaw.constant(2) * .fanIn(-1) * .fanIn(0.5) * .depth(1) * .gain
    #expect(product == ScalingLaw(coefficient: 2, fanInExponent: -0.5, depthExponent: 1, includesGain: true))
  }

  @Test func lawsRoundTripThroughJSON() throws {
    let preset = Presets.fsc
    let data = try JSONEncoder().encode(preset)
    #expect(try JSONDecoder().decode(Preset.self, from: data) == preset)
  }
}
