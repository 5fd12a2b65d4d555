import Foundation
import Testing
import _TestSupport

/// `featurespeed sweep` and `merge` as a user runs them: killed with SIGKILL and resumed, sharded
/// and merged, and a bad config rejected with the line and the key.
@Suite("featurespeed sweep / merge")
struct SweepCommandTests {
  static func config(output: String, steps: Int = 40) -> String {
    """
    name: kill-test
    output: \(output)
    base:
      arch: mlp
      depth: 3
      input-dim: 8
      output-dim: 3
      train-size: 128
      test-size: 32
      batch-size: 16
      steps: \(steps)
      measure-every: 5
    grid:
      width: [16, 24, 32]
      seed: [0, 1]
    """
  }

  static func status(_ cell: URL) -> String? {
    guard let data = try? Data(contentsOf: cell.appendingPathComponent("config.json")),
      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    else { return nil }
    return object["status"] as? String
  }

  @Test("SIGKILL in the middle of a sweep, then the same command: finished cells are kept, the result equals an uninterrupted sweep")
  func resumeAfterKill() throws {
    try withTemporaryDirectory { tmp in
      try Self.config(output: "killed").write(to: tmp.appendingPathComponent("killed.yaml"), atomically: true, encoding: .utf8)
      try Self.config(output: "reference").write(to: tmp.appendingPathComponent("reference.yaml"), atomically: true, encoding: .utf8)
      let process = Process()
      process.executableURL = FeatureSpeedBinary.url
      process.arguments = ["sweep", "killed.yaml", "--jobs", "1"]
      process.currentDirectoryURL = tmp
      process.standardOutput = FileHandle.nullDevice
      process.standardError = FileHandle.nullDevice
      try process.run()
      let cells = tmp.appendingPathComponent("killed/cells")
      func finished() -> [URL] {
        ((try? FileManager.default.contentsOfDirectory(at: cells, includingPropertiesForKeys: nil)) ?? [])
          .filter { Self.status($0) == "completed" }
      }
      let deadline = Date().addingTimeInterval(120)
      while finished().count < 2 && process.isRunning && Date() < deadline { usleep(20_000) }
      try #require(process.isRunning, "the sweep finished before it could be killed; make the cells longer")
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
      let done = finished()
      #expect(done.count >= 2 && done.count < 6)
      let dates = try done.map { try FileManager.default.attributesOfItem(atPath: $0.appendingPathComponent("config.json").path)[.modificationDate] as? Date }

      let resumed = try FeatureSpeedBinary.run(["sweep", "killed.yaml"], currentDirectory: tmp)
      #expect(resumed.status == 0, "stderr: \(resumed.error)")
      #expect(resumed.output.contains("\(done.count) already finished"))
      let after = try done.map { try FileManager.default.attributesOfItem(atPath: $0.appendingPathComponent("config.json").path)[.modificationDate] as? Date }
      #expect(after == dates, "finished cells were redone")

      let reference = try FeatureSpeedBinary.run(["sweep", "reference.yaml"], currentDirectory: tmp)
      try #require(reference.status == 0, "stderr: \(reference.error)")
      for file in ["sweep.csv", "sweep-metrics.csv", "cells.csv"] {
        #expect(try contents(of: tmp.appendingPathComponent("killed/\(file)")) == contents(of: tmp.appendingPathComponent("reference/\(file)")), "\(file)")
      }
    }
  }

  @Test("Shards run separately and merged equal the unsharded sweep")
  func shards() throws {
    try withTemporaryDirectory { tmp in
      try Self.config(output: "sharded", steps: 4).write(to: tmp.appendingPathComponent("sharded.yaml"), atomically: true, encoding: .utf8)
      try Self.config(output: "whole", steps: 4).write(to: tmp.appendingPathComponent("whole.yaml"), atomically: true, encoding: .utf8)
      for i in 0..<3 {
        let r = try FeatureSpeedBinary.run(["sweep", "sharded.yaml", "--shard", "\(i)/3"], currentDirectory: tmp)
        try #require(r.status == 0, "stderr: \(r.error)")
      }
      let merge = try FeatureSpeedBinary.run(["merge", "sharded"], currentDirectory: tmp)
      try #require(merge.status == 0, "stderr: \(merge.error)")
      let whole = try FeatureSpeedBinary.run(["sweep", "whole.yaml"], currentDirectory: tmp)
      try #require(whole.status == 0, "stderr: \(whole.error)")
      for file in ["sweep.csv", "sweep-metrics.csv", "cells.csv"] {
        #expect(try contents(of: tmp.appendingPathComponent("sharded/\(file)")) == contents(of: tmp.appendingPathComponent("whole/\(file)")), "\(file)")
      }
      // Both write the same figures (drawn from the merged CSV only) and a well-formed report.
      for file in ["loss.svg", "final-loss.svg", "feature-update.svg", "bfa.svg"] {
        let url = tmp.appendingPathComponent("whole/\(file)")
        #expect(try isWellFormedXML(url), "\(file)")
        #expect(try contents(of: tmp.appendingPathComponent("sharded/\(file)")) == contents(of: url), "\(file)")
      }
      #expect(try isWellFormedXML(tmp.appendingPathComponent("whole/index.html")))
      let report = String(decoding: try contents(of: tmp.appendingPathComponent("whole/report.md")), as: UTF8.self)
      #expect(report.contains("6 cells over width, seed: 6 completed") && report.contains("](final-loss.svg)"), "\(report)")
      let unfinished = try FeatureSpeedBinary.run(["merge", "/nonexistent-sweep"], currentDirectory: tmp)
      #expect(unfinished.status != 0 && unfinished.error.contains("sweep.json"))
    }
  }

  @Test("A malformed or contradictory config names the key and the line")
  func badConfig() throws {
    try withTemporaryDirectory { tmp in
      let bad = """
        name: bad
        base:
          arch: mlp
          depht: 4
        grid:
          width: [16, 32]
        """
      try bad.write(to: tmp.appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)
      let r = try FeatureSpeedBinary.run(["sweep", "bad.yaml"], currentDirectory: tmp)
      #expect(r.status != 0)
      #expect(r.error.contains("bad.yaml:4") && r.error.contains("depht") && r.error.contains("depth"), "stderr: \(r.error)")
      let contradiction = """
        name: contra
        base:
          arch: mlp
        grid:
          preset: [mup, resnet-sqrt]
        """
      try contradiction.write(to: tmp.appendingPathComponent("contra.yaml"), atomically: true, encoding: .utf8)
      let c = try FeatureSpeedBinary.run(["sweep", "contra.yaml"], currentDirectory: tmp)
      #expect(c.status != 0)
      #expect(c.error.contains("contra.yaml:5") && c.error.contains("resnet-sqrt"), "stderr: \(c.error)")
    }
  }
}
