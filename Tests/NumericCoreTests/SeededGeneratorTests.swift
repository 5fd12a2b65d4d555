import Testing
import NumericCore

@Suite struct SeededGeneratorTests {
  @Test("Same seed and stream give the same sequence; streams and seeds differ")
  func determinism() {
    var a = SeededGenerator(seed: 42, stream: "init")
    var b = SeededGenerator(seed: 42, stream: "init")
    var c = SeededGenerator(seed: 42, stream: "data")
    var d = SeededGenerator(seed: 43, stream: "init")
    let sa = (0..<100).map { _ in a.next() }
    #expect(sa == (0..<100).map { _ in b.next() })
    #expect(sa != (0..<100).map { _ in c.next() })
    #expect(sa != (0..<100).map { _ in d.next() })
  }

  @Test("Draws match an independent xoshiro256** + SplitMix64 + FNV-1a implementation")
  func pinnedValues() {
    // Values computed by a separate Python implementation of the same algorithms; a change here
    // changes every seeded result of the library.
    var g = SeededGenerator(seed: 0)
    #expect(g.next() == 2_393_714_812_739_481_704)
    #expect(g.next() == 6_581_096_415_885_975_394)
    var h = SeededGenerator(seed: 42, stream: "init")
    #expect(h.next() == 3_119_888_025_082_367_609)
  }

  @Test("Gaussian draws have mean 0 and variance 1; uniforms lie in [0, 1)")
  func moments() {
    var g = SeededGenerator(seed: 9)
    let n = 200_000
    var sum = 0.0, sumSq = 0.0, fourth = 0.0
    for _ in 0..<n {
      let x = g.nextGaussian()
      sum += x
      sumSq += x * x
      fourth += x * x * x * x
    }
    #expect(abs(sum / Double(n)) < 0.01)
    #expect(abs(sumSq / Double(n) - 1) < 0.01)
    #expect(abs(fourth / Double(n) - 3) < 0.06)
    for _ in 0..<1000 {
      let u = g.nextUniform()
      #expect(u >= 0 && u < 1)
      let i = g.nextIndex(below: 7)
      #expect(i >= 0 && i < 7)
    }
  }
}
