import Foundation
import Testing
import _TestSupport

@testable import Training

/// MNIST-1D: NumPy's legacy random stream reproduced draw for draw, the generator's invariants,
/// and — when the `mnist1d` Python package is installed — the very samples the package makes.
@Suite struct MNIST1DTests {
  /// Values NumPy prints for `np.random.seed(42)` followed by one call each (numpy 2.4:
  /// `np.random.rand()`, `np.random.randn()` ×3, `np.random.permutation(10)`,
  /// `np.random.choice(48)` ×5, `RandomState(42).randint(0, 2**32, dtype=np.uint64, size=2)`).
  @Test func legacyStreamMatchesNumPy() {
    var r = NumPyLegacyRandom(seed: 42)
    #expect(r.nextUInt32() == 1_608_637_542)
    #expect(r.nextUInt32() == 3_421_126_067)
    r = NumPyLegacyRandom(seed: 42)
    #expect(r.nextDouble() == 0.3745401188473625)
    r = NumPyLegacyRandom(seed: 42)
    #expect([r.nextGaussian(), r.nextGaussian(), r.nextGaussian()] == [0.4967141530112327, -0.13826430117118466, 0.6476885381006925])
    r = NumPyLegacyRandom(seed: 42)
    #expect(r.permutation(10) == [8, 1, 5, 0, 7, 2, 9, 4, 3, 6])
    r = NumPyLegacyRandom(seed: 42)
    #expect((0..<5).map { _ in r.nextInt(below: 48) } == [38, 28, 14, 42, 7])
  }

  @Test func pairwiseSumFollowsNumPysBlocks() {
    // Exact sums are order-independent; the order shows on values whose rounding differs.
    let values = (0..<1000).map { 1 / Double($0 + 1) }
    let plain = values.reduce(0, +)
    let pairwise = MNIST1D.pairwiseSum(values[...])
    #expect(abs(pairwise - plain) < 1e-13)
    #expect(MNIST1D.pairwiseSum([1, 2, 3][...]) == 6)
    #expect(MNIST1D.pairwiseSum(Array(repeating: 0.1, count: 16)[...]) == ((0.2 + 0.2) + (0.2 + 0.2)) + ((0.2 + 0.2) + (0.2 + 0.2)))
  }

  @Test func generatorInvariants() {
    let a = MNIST1D.generate()
    #expect(a.length == 40)
    #expect(a.trainLabels.count == 4000 && a.testLabels.count == 1000)
    #expect(a.trainInputs.count == 4000 * 40 && a.testInputs.count == 1000 * 40)
    let all = a.trainLabels + a.testLabels
    #expect((0..<10).allSatisfy { label in all.filter { $0 == label }.count == 500 })
    let inputs = a.trainInputs + a.testInputs
    let mean = inputs.reduce(0, +) / Double(inputs.count)
    let variance = inputs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(inputs.count)
    #expect(abs(mean) < 1e-12 && abs(variance - 1) < 1e-12, "standardized over the whole set")
    // Deterministic.
    let b = MNIST1D.generate()
    #expect(a.trainInputs == b.trainInputs && a.testLabels == b.testLabels)
    // Through DataSource, as `--data mnist1d` loads it.
    let loaded = try! DataSource(parsing: "mnist1d").load(options: DataLoadOptions(seed: 0, task: .classification))
    #expect(loaded.train.count == 4000 && loaded.test?.count == 1000 && loaded.provenance.slug == "mnist1d")
    #expect(loaded.train.inputs.prefix(40).map(Double.init) == a.trainInputs.prefix(40).map { Double(Float($0)) })
  }

  /// The package's own generator (`mnist1d.data.make_dataset()`, no download) against ours.
  @Test func samplesMatchThePythonPackage() throws {
    guard PythonInterpreter.canImport("mnist1d") else {
      print("MNIST1DTests: the mnist1d Python package is not installed; skipping the comparison with it")
      return
    }
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mnist1d-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let script = """
      import sys, numpy as np
      from mnist1d.data import make_dataset
      d = make_dataset()
      for key in ["x", "y", "x_test", "y_test"]:
          np.ascontiguousarray(d[key], dtype=np.float64).tofile(sys.argv[1] + "/" + key + ".f64")
      """
    let result = try PythonInterpreter.run(script, arguments: [directory.path])
    try #require(result.status == 0, "\(result.error)")
    func read(_ key: String) throws -> [Double] {
      let data = try Data(contentsOf: directory.appendingPathComponent(key + ".f64"))
      return data.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
    }
    let ours = MNIST1D.generate()
    #expect(try read("y").map { Int($0) } == ours.trainLabels)
    #expect(try read("y_test").map { Int($0) } == ours.testLabels)
    for (key, mine) in [("x", ours.trainInputs), ("x_test", ours.testInputs)] {
      let theirs = try read(key)
      try #require(theirs.count == mine.count)
      let worst = zip(theirs, mine).map { abs($0 - $1) }.max() ?? 0
      // NumPy's vectorized exp may differ from the C library's in the last bit of a filter weight.
      #expect(worst <= 1e-12, "\(key): largest difference \(worst)")
    }
  }
}
