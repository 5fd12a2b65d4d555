import Foundation
import Testing
import _TestSupport

/// `featurespeed transfer` end to end on tiny real sweeps (synthetic data, 12 steps), and on a
/// real sweep whose losses are replaced by curves with a known optimum (docs/transfer.md).
@Suite("featurespeed transfer")
struct TransferCommandTests {
  static func config(output: String, grid: String, testSize: Int = 32) -> String {
    """
    name: transfer-test
    output: \(output)
    base:
      depth: 3
      input-dim: 8
      output-dim: 3
      train-size: 128
      test-size: \(testSize)
      batch-size: 16
      steps: 12
      measure-every: 0
    grid:
    \(grid)
    """
  }

  /// A grid whose real optima are inside it (η = 10 diverges for some cells, 1 is best).
  static let grid = """
      preset: [sp, mup]
      width: [16, 64]
      learning-rate: [0.01, 0.1, 1, 10]
      seed: [0, 1]
    """

  /// A grid for planted curves (no divergence at these rates).
  static let plantedGrid = """
      preset: [sp, mup]
      width: [16, 64]
      learning-rate: [0.001, 0.01, 0.1, 1]
      seed: [0, 1]
    """

  /// Runs `featurespeed sweep` on a config in `directory`.
  static func sweep(_ name: String, grid: String, testSize: Int = 32, in directory: URL) throws {
    try config(output: name, grid: grid, testSize: testSize)
      .write(to: directory.appendingPathComponent("\(name).yaml"), atomically: true, encoding: .utf8)
    let result = try FeatureSpeedBinary.run(["sweep", "\(name).yaml"], currentDirectory: directory)
    try #require(result.status == 0, "sweep: \(result.error)")
  }

  @Test("A tiny real sweep: transfer writes transfer.csv, optima.csv, verdict.json, figures and a report that parse")
  func endToEnd() throws {
    try withTemporaryDirectory { tmp in
      try Self.sweep("tiny", grid: Self.grid, in: tmp)
      let result = try FeatureSpeedBinary.run(["transfer", "tiny"], currentDirectory: tmp)
      #expect(result.status == 0, "\(result.error)")
      #expect(result.output.contains("test-loss at the last step, 32 cells"), "\(result.output)")
      #expect(result.output.contains("diverged)"), "the η = 10 cells that diverge are counted: \(result.output)")
      #expect(result.output.contains("preset=sp: ") && result.output.contains("preset=mup: "), "\(result.output)")
      let out = tmp.appendingPathComponent("tiny/transfer")
      for file in ["transfer.csv", "optima.csv", "verdict.json", "transfer-loss.svg", "optimum.svg", "report.md", "index.html"] {
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), "\(file) missing")
      }
      let points = try readCSV(out.appendingPathComponent("transfer.csv"))
      #expect(points.header == ["group", "preset", "width", "seed", "learning-rate", "log2_learning_rate", "loss", "diverged", "step", "cell"])
      #expect(points.rows.count == 32 && points.rows.allSatisfy { $0.count == points.header.count })
      #expect(points.rows.allSatisfy { row in row[7] == "true" ? row[6] == "inf" : Double(row[6]).map { $0.isFinite && $0 > 0 } == true })
      let optima = try readCSV(out.appendingPathComponent("optima.csv"))
      #expect(optima.rows.count == 8 && optima.header.contains("learning_rate_opt"))
      let verdict = try #require(
        try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("verdict.json"))) as? [String: Any])
      let groups = try #require(verdict["groups"] as? [[String: Any]])
      #expect(groups.count == 2)
      #expect(groups.allSatisfy { ["transfers", "drifts", "inconclusive"].contains($0["verdict"] as? String ?? "") })
      for file in ["transfer-loss.svg", "optimum.svg", "index.html"] {
        #expect(try isWellFormedXML(out.appendingPathComponent(file)), "\(file) is not well-formed")
      }
      let svg = String(decoding: try contents(of: out.appendingPathComponent("transfer-loss.svg")), as: UTF8.self)
      #expect(svg.contains("group = preset=sp") && svg.contains("group = preset=mup") && svg.contains("η* (fit)"))
    }
  }

  /// Replaces the test loss of every completed cell by `exp(0.1·(log₂ η − u*)²)` with
  /// `u* = 0.5 − log₂ width` for sp (p = −1) and `u* = −4.5` for mup (p = 0).
  static func plantCurves(in sweep: URL) throws {
    let cells = sweep.appendingPathComponent("cells")
    for id in try fileNames(in: cells) {
      let values = Dictionary(uniqueKeysWithValues: id.split(separator: "_").map { part in
        let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
        return (pair[0], pair[1])
      })
      let width = Double(values["width"]!)!, rate = Double(values["learning-rate"]!)!
      let optimum = values["preset"] == "sp" ? 0.5 - Foundation.log2(width) : -4.5
      let u = Foundation.log2(rate)
      let loss = Foundation.exp(0.1 * (u - optimum) * (u - optimum))
      let text = "run,step,split,loss,accuracy,seconds\n\(id),0,train,1.5,0.3,0.01\n\(id),12,test,\(loss),0.5,\n"
      try text.write(to: cells.appendingPathComponent(id).appendingPathComponent("metrics.csv"), atomically: true, encoding: .utf8)
    }
  }

  @Test("Known drift: sp drifts like width^−1, mup transfers; --fail-on-drift fails only on expected groups unless --any-group")
  func failOnDrift() throws {
    try withTemporaryDirectory { tmp in
      try Self.sweep("planted", grid: Self.plantedGrid, in: tmp)
      try Self.plantCurves(in: tmp.appendingPathComponent("planted"))
      let result = try FeatureSpeedBinary.run(["transfer", "planted", "--fail-on-drift"], currentDirectory: tmp)
      #expect(result.status == 0, "mup transfers, sp is not expected to: \(result.output) \(result.error)")
      #expect(result.output.contains("preset=sp: drifts like width^"), "\(result.output)")
      #expect(result.output.contains("preset=mup: transfers"), "\(result.output)")
      let data = try Data(contentsOf: tmp.appendingPathComponent("planted/transfer/verdict.json"))
      let groups = try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["groups"] as? [[String: Any]])
      let sp = try #require(groups.first { $0["group"] as? String == "preset=sp" })
      let slope = try #require((sp["drift"] as? [String: Any])?["slope"] as? Double)
      #expect(abs(slope + 1) < 0.3, "planted p = −1, found \(slope)")

      let strict = try FeatureSpeedBinary.run(["transfer", "planted", "--fail-on-drift", "--any-group"], currentDirectory: tmp)
      #expect(strict.status == 1 && strict.error.contains("preset=sp"), "\(strict.status) \(strict.error)")
    }
  }

  @Test("reproduce mu-transfer --quick writes the transfer report next to its own files")
  func reproduction() throws {
    try withTemporaryDirectory { tmp in
      let out = tmp.appendingPathComponent("mu")
      let result = try FeatureSpeedBinary.run(["reproduce", "mu-transfer", "--quick", "--output", out.path])
      try #require(result.status == 0, "\(result.error)")
      #expect(result.output.contains("Measured: sp: η*") && result.output.contains("Measured: mup: η*"), "\(result.output)")
      for file in ["transfer.csv", "optima.csv", "verdict.json", "transfer-loss.svg", "report.md", "index.html"] {
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("transfer/\(file)").path), "transfer/\(file) missing")
      }
      #expect(try isWellFormedXML(out.appendingPathComponent("transfer/index.html")))
      let points = try readCSV(out.appendingPathComponent("transfer/transfer.csv"))
      #expect(points.rows.count == 32, "2 presets × 2 widths × 4 rates × 2 seeds")
    }
  }

  @Test("Clear errors: not a sweep, no learning-rate axis, fewer than 3 rates, missing metric, bad flags")
  func errors() throws {
    try withTemporaryDirectory { tmp in
      func expectFailure(_ arguments: [String], mentions: [String]) throws {
        let r = try FeatureSpeedBinary.run(["transfer"] + arguments, currentDirectory: tmp)
        #expect(r.status != 0, "\(arguments) should fail")
        for text in mentions { #expect(r.error.contains(text), "\(arguments): stderr \(r.error)") }
      }
      try expectFailure(["."], mentions: ["not a sweep directory", "sweep.json"])
      try Self.sweep("widths", grid: "  width: [16, 32]\n", in: tmp)
      try expectFailure(["widths"], mentions: ["does not vary learning-rate", "at least 3 rates"])
      try Self.sweep("two", grid: "  width: [16, 32]\n  learning-rate: [0.1, 1]\n", testSize: 0, in: tmp)
      try expectFailure(["two"], mentions: ["has 2 learning rates", "at least 3"])
      try expectFailure(["two", "--metric", "test-loss"], mentions: ["has a test-loss value", "--metric train-loss"])
      try expectFailure(["two", "--metric", "train-loss", "--at-step", "99"], mentions: ["train-loss value at step 99"])
      try expectFailure(["two", "--axis", "depth"], mentions: ["does not vary depth"])
      try expectFailure(["two", "--fit-points", "4"], mentions: ["--fit-points must be 3 or 5"])
      try expectFailure(["two", "--tolerance", "0"], mentions: ["--tolerance must be a positive number"])
    }
  }
}
