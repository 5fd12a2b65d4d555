import Foundation
import Testing
import NumericCore
@testable import Experiments

@Suite struct SlopeFitTests {
  @Test("Exact power laws give their exponents", arguments: [-1.0, -0.5, 0.0, 0.5, 1.0, 2.0])
  func exactPowerLaw(p: Double) throws {
    let x = [64.0, 128, 256, 512, 1024]
    let y = x.map { 3.7 * Foundation.pow($0, p) }
    let fit = try #require(SlopeFit.fit(x: x, repetitions: [y, y.map { $0 * 2 }]))
    #expect(abs(fit.slope - p) < 1e-12)
    #expect(fit.halfWidth < 1e-12)
  }

  @Test("Noisy repetitions recover the exponent, and the 95 % interval covers it about 95 % of the time")
  func noisyRecovery() throws {
    var generator = SeededGenerator(seed: 5, stream: "slope")
    let x = [32.0, 64, 128, 256, 512, 1024]
    var covered = 0
    let trials = 400
    for _ in 0..<trials {
      let repetitions = (0..<4).map { _ in x.map { Foundation.pow($0, -0.5) * Foundation.exp(0.1 * generator.nextGaussian()) } }
      let fit = try #require(SlopeFit.fit(x: x, repetitions: repetitions))
      #expect(abs(fit.slope + 0.5) < 0.15)
      if fit.lower <= -0.5 && -0.5 <= fit.upper { covered += 1 }
    }
    let rate = Double(covered) / Double(trials)
    #expect(rate > 0.9 && rate < 0.99, "coverage \(rate)")
  }

  @Test("Non-positive or non-finite points are dropped; too few points give no fit")
  func degenerate() {
    #expect(SlopeFit.exponent(x: [1, 2, 4], y: [1, .nan, 0]) == nil)
    #expect(SlopeFit.exponent(x: [1, 1], y: [1, 2]) == nil)
    #expect(SlopeFit.fit(x: [1, 2], repetitions: [[0, 0]]) == nil)
    #expect(abs(SlopeFit.exponent(x: [1, 2, 4, 8], y: [1, 2, -1, 8])! - 1) < 1e-12)
  }
}
