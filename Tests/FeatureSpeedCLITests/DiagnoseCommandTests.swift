import Foundation
import Testing
import _TestSupport

/// `featurespeed diagnose` end to end (theory §5.2): it names a deliberately mis-scaled layer, its
/// multipliers file is loadable by `train --preset-file` and fixes the contribution, and bad files
/// are rejected with a fix.
@Suite("featurespeed diagnose, end to end")
struct DiagnoseCommandTests {
  static let model = [
    "--width", "32", "--depth", "5", "--input-dim", "8", "--output-dim", "4", "--train-size", "256", "--batch-size", "32",
    "--dtype", "float64", "--preset", "sp", "--learning-rate", "0.05",
  ]

  static func multipliersFile(_ multipliers: [Double]) -> String {
    let layers = multipliers.enumerated().map { "{\"layer\": \($0.offset + 1), \"multiplier\": \($0.element)}" }.joined(separator: ", ")
    return "{\"format\": \"featurespeed-lr-multipliers\", \"preset\": \"sp\", \"architecture\": \"mlp\", \"depth\": 5, "
      + "\"layers\": [\(layers)], \"source\": \"test\"}"
  }

  @Test("A layer with a 1000× too small learning rate is named, and the suggested file repairs it")
  func namesTheMisScaledLayer() throws {
    try withTemporaryDirectory { (tmp: URL) throws in
      let bad = tmp.appendingPathComponent("bad.json")
      try Data(Self.multipliersFile([1, 1, 1e-3, 1, 1]).utf8).write(to: bad)
      let out = tmp.appendingPathComponent("diag")
      let d = try FeatureSpeedBinary.run(["diagnose"] + Self.model + ["--steps", "5", "--preset-file", bad.path, "--output", out.path])
      try #require(d.status == 0, "\(d.error)")
      let warnings = d.output.components(separatedBy: "\n").filter { $0.hasPrefix("  - ") }
      #expect(warnings.contains { $0.hasPrefix("  - layer 3 contributes") && $0.contains("too small") }, "\(d.output)")
      #expect(!warnings.contains { $0.contains("contributes") && !$0.hasPrefix("  - layer 3 ") }, "\(warnings)")
      for name in ["lr-multipliers.json", "diagnosis.csv", "diagnosis.json", "measurements.csv", "config.json"] {
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), "\(name)")
      }
      let table = try readCSV(out.appendingPathComponent("diagnosis.csv"))
      let share3 = try #require(table.rows.first { $0[2] == "3" && $0[3] == "fsc_contribution_share" }.flatMap { Double($0[4]) })
      #expect(share3 < 0.01)

      // The written file composes with the one diagnosed: layer 3's multiplier undoes the 1e-3.
      let suggested = out.appendingPathComponent("lr-multipliers.json")
      let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: suggested)) as? [String: Any])
      let layers = try #require(json["layers"] as? [[String: Any]])
      let m3 = try #require(layers[2]["multiplier"] as? Double)
      #expect(m3 > 0.1 && m3 < 10, "layer 3's multiplier \(m3) should be ≈ 1e-3 × (≈ 1000)")
      // Only the failing layer is corrected: the others keep the diagnosed file's multiplier 1.
      #expect(layers.enumerated().allSatisfy { $0.offset == 2 || ($0.element["multiplier"] as? Double) == 1 }, "\(layers)")

      // The advice was checked before it was written: the paired runs (same initialization and
      // batches) reach a lower test loss with the multipliers in every seed.
      #expect(d.output.contains("Checked: with the multipliers, the test loss after 100 steps goes from"), "\(d.output)")
      let check = try readCSV(out.appendingPathComponent("check/check.csv"))
      #expect(check.header == ["seed", "rates", "loss"] && check.rows.count == 6)
      for seed in ["0", "1", "2"] {
        let loss = { (arm: String) in check.rows.first { $0[0] == seed && $0[1] == arm }.flatMap { Double($0[2]) } }
        let (unchanged, adjusted) = (try #require(loss("unchanged")), try #require(loss("multipliers")))
        #expect(adjusted < 0.98 * unchanged, "seed \(seed): \(adjusted) against \(unchanged)")
        let run = try readConfig(out.appendingPathComponent("check/s\(seed)-multipliers"))
        #expect(run["status"] as? String == "completed")
      }

      // Diagnosing again with the suggested file: no contribution warnings left.
      let again = try FeatureSpeedBinary.run(["diagnose"] + Self.model + ["--steps", "5", "--preset-file", suggested.path, "--output", tmp.appendingPathComponent("diag2").path])
      try #require(again.status == 0, "\(again.error)")
      #expect(!again.output.contains("contributes"), "\(again.output)")

      // train loads it, and config.json shows the multiplied rate of layer 3.
      let run = tmp.appendingPathComponent("run")
      let t = try FeatureSpeedBinary.run(["train"] + Self.model + ["--steps", "2", "--quiet", "--preset-file", bad.path, "--output", run.path])
      try #require(t.status == 0, "\(t.error)")
      let config = try readConfig(run)
      let rows = try #require(config["layers"] as? [[String: Any]])
      let rates = rows.compactMap { $0["learningRate"] as? Double }
      #expect(rates.count == 5 && abs(rates[2] - 0.05e-3) < 1e-15 && rates[0] == 0.05, "\(rates)")
    }
  }

  @Test("Advice that does not lower the loss is not recommended; FSC-control is suggested instead")
  func rejectsMultipliersThatDoNotHelp() throws {
    try withTemporaryDirectory { (tmp: URL) throws in
      // The same mis-scaled layer at a base rate of 1: restoring its rate destabilizes training.
      let bad = tmp.appendingPathComponent("bad.json")
      try Data(Self.multipliersFile([1, 1, 1e-3, 1, 1]).utf8).write(to: bad)
      let out = tmp.appendingPathComponent("diag")
      var model = Self.model
      model[model.firstIndex(of: "--learning-rate")! + 1] = "1"
      let d = try FeatureSpeedBinary.run(["diagnose"] + model + ["--steps", "5", "--preset-file", bad.path, "--output", out.path])
      try #require(d.status == 0, "\(d.error)")
      #expect(d.output.contains("layer 3 contributes"), "\(d.output)")
      #expect(d.output.contains("so they are not recommended") && d.output.contains("--control-feature-speed 0.05 --control-calibration 10"), "\(d.output)")
      #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("lr-multipliers.json").path))
      #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("check/candidate-multipliers.json").path))
      let advice = try String(contentsOf: out.appendingPathComponent("advice.json"), encoding: .utf8)
      #expect(advice.contains("rejected"), "\(advice)")

      // Unchecked on request: written, and said so.
      let unchecked = try FeatureSpeedBinary.run(
        ["diagnose"] + model + ["--steps", "5", "--preset-file", bad.path, "--check-seeds", "0", "--output", tmp.appendingPathComponent("u").path])
      try #require(unchecked.status == 0, "\(unchecked.error)")
      #expect(unchecked.output.contains("Not checked (--check-seeds 0)"), "\(unchecked.output)")
      #expect(FileManager.default.fileExists(atPath: tmp.appendingPathComponent("u/lr-multipliers.json").path))
    }
  }

  @Test("A network that passes every criterion gets no change; warnings no multiplier fixes get FSC-control")
  func noChangeWhenNothingIsOff() throws {
    try withTemporaryDirectory { (tmp: URL) throws in
      var model = Self.model
      model[model.firstIndex(of: "--preset")! + 1] = "mup"
      let out = tmp.appendingPathComponent("ok")
      let d = try FeatureSpeedBinary.run(["diagnose"] + model + ["--steps", "5", "--output", out.path])
      try #require(d.status == 0, "\(d.error)")
      #expect(d.output.contains("All criteria pass: no change recommended (no multiplier file written)."), "\(d.output)")
      #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("lr-multipliers.json").path))
      #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("check").path))

      // A deep sp net whose features vanish at the top: a forward warning, no contribution warning.
      let deep = ["--width", "64", "--depth", "24", "--input-dim", "8", "--output-dim", "4", "--train-size", "256",
                  "--batch-size", "32", "--dtype", "float64", "--preset", "sp"]
      let w = try FeatureSpeedBinary.run(["diagnose"] + deep + ["--steps", "5", "--output", tmp.appendingPathComponent("deep").path])
      try #require(w.status == 0, "\(w.error)")
      #expect(w.output.contains("Warnings:") && !w.output.contains("contributes"), "\(w.output)")
      #expect(w.output.contains("No contribution is off, so per-layer multipliers cannot fix these warnings"), "\(w.output)")
      #expect(!FileManager.default.fileExists(atPath: tmp.appendingPathComponent("deep/lr-multipliers.json").path))
    }
  }

  @Test("A learning-rate file for another network or in another format is rejected with what to do")
  func badFiles() throws {
    try withTemporaryDirectory { (tmp: URL) throws in
      let file = tmp.appendingPathComponent("f.json")
      try Data(Self.multipliersFile([1, 1, 1]).utf8).write(to: file)
      var r = try FeatureSpeedBinary.run(["train"] + Self.model + ["--steps", "1", "--preset", "mup", "--preset-file", file.path, "--output", tmp.appendingPathComponent("a").path])
      #expect(r.status != 0 && r.error.contains("calibrated for preset sp") && r.error.contains("Pass --preset sp"), "\(r.error)")
      try Data("{\"format\": \"featurespeed-lr-multipliers\", \"preset\": \"sp\", \"architecture\": \"mlp\", \"depth\": 4, \"layers\": [], \"source\": \"\"}".utf8).write(to: file)
      r = try FeatureSpeedBinary.run(["train"] + Self.model + ["--steps", "1", "--preset-file", file.path, "--output", tmp.appendingPathComponent("b").path])
      #expect(r.status != 0 && r.error.contains("depth 4") && r.error.contains("--depth 4"), "\(r.error)")
      try Data("not json".utf8).write(to: file)
      r = try FeatureSpeedBinary.run(["diagnose"] + Self.model + ["--preset-file", file.path, "--output", tmp.appendingPathComponent("c").path])
      #expect(r.status != 0 && r.error.contains("not a learning-rate multiplier file"), "\(r.error)")
      #expect(!FileManager.default.fileExists(atPath: tmp.appendingPathComponent("c").path))
    }
  }
}
