import Foundation
import Testing
import _TestSupport

/// `featurespeed train --optimizer …` end to end: the run completes on synthetic data, records the
/// optimizer in config.json, and the per-tensor rates come from the preset's table for its family.
@Suite("featurespeed train with other optimizers")
struct OptimizerCommandTests {
  @Test("train --optimizer runs and writes the optimizer into config.json",
        arguments: [["adam"], ["adamw", "--weight-decay", "0.05"], ["spectral"], ["momentum", "--nesterov"]])
  func optimizerRuns(_ options: [String]) throws {
    try withTemporaryDirectory { tmp in
      let out = tmp.appendingPathComponent("run")
      let rate = options[0] == "momentum" ? "0.05" : "0.01"
      let result = try FeatureSpeedBinary.run(
        tinyRun + ["--output", out.path, "--learning-rate", rate, "--dtype", "float64", "--optimizer"] + options)
      #expect(result.status == 0, "stderr: \(result.error)")
      let config = try readConfig(out)
      #expect(config["status"] as? String == "completed")
      #expect(config["optimizer"] as? String == options[0])
      let request = try #require(config["request"] as? [String: Any])
      let optimizer = try #require(request["optimizer"] as? [String: Any])
      #expect(optimizer["kind"] as? String == options[0])
      // mup: Adam input ×1, hidden/output ×1/fanIn; spectral descent √(fanOut/fanIn) everywhere.
      let layers = try #require(config["layers"] as? [[String: Any]])
      let multipliers = layers.compactMap { $0["learningRateMultiplier"] as? Double }
      switch options[0] {
      case "adam", "adamw": #expect(multipliers == [1, 1.0 / 16, 1.0 / 16])
      case "spectral": #expect(zip(multipliers, [(16.0 / 8).squareRoot(), 1, (3.0 / 16).squareRoot()]).allSatisfy { abs($0 - $1) < 1e-12 })
      default: #expect(multipliers == [16, 1, 1.0 / 16])
      }
      // The FSF identity holds for any optimizer (exact mode, float64).
      let measurements = try readCSV(out.appendingPathComponent("measurements.csv"))
      let residuals = measurements.rows.filter { $0[3] == "fsf_residual" }.compactMap { Double($0[4]) }
      #expect(!residuals.isEmpty && residuals.allSatisfy { $0 < 1e-9 }, "\(residuals)")
    }
  }

  @Test("Optimizer constants for another optimizer, or out of range, are clear errors")
  func badOptimizerOptions() throws {
    for (arguments, phrases) in [
      (["--momentum", "0.5"], ["--momentum", "--optimizer momentum"]),
      (["--optimizer", "adam", "--weight-decay", "0.1"], ["--weight-decay", "--optimizer adamw"]),
      (["--optimizer", "adam", "--beta2", "1"], ["beta2", "--beta2 0.999"]),
      (["--optimizer", "adm"], ["adam", "spectral"]),
    ] {
      let result = try FeatureSpeedBinary.run(tinyRun + arguments)
      #expect(result.status != 0 && result.status < 128, "\(arguments): \(result.error)")
      for phrase in phrases { #expect(result.error.contains(phrase), "\(arguments): \(result.error)") }
    }
  }

  @Test("presets shows the spectral-descent rates")
  func presetsSpectral() throws {
    let rules = try FeatureSpeedBinary.run(["presets", "--preset", "mup", "--rules", "--optimizer", "spectral"])
    #expect(rules.status == 0)
    #expect(rules.output.contains("lr multiplier (spectral)") && rules.output.contains("√fanOut/√fanIn"))
    let table = try FeatureSpeedBinary.run(["presets", "--width", "64", "--depth", "3", "--optimizer", "spectral"])
    #expect(table.status == 0 && table.output.contains("mup (spectral)"))
  }
}
