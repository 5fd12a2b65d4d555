import Foundation
import Testing
import _TestSupport

/// `featurespeed train` under FSC-control (theory §5.3): every decision is logged in control.csv,
/// the measured contributions are the targets, and conflicting or invalid options are refused.
@Suite("featurespeed train with FSC-control, end to end")
struct ControlCommandTests {
  static let model = [
    "--width", "16", "--depth", "4", "--input-dim", "6", "--output-dim", "3", "--train-size", "128", "--batch-size", "16",
    "--dtype", "float64", "--preset", "sp", "--learning-rate", "0.05", "--quiet",
  ]

  @Test("control.csv logs every step's decision; measured shares equal the profile")
  func logsAndHitsTargets() throws {
    try withTemporaryDirectory { (tmp: URL) throws in
      let run = tmp.appendingPathComponent("run")
      let r = try FeatureSpeedBinary.run(["train"] + Self.model + [
        "--steps", "6", "--measure-every", "3", "--control-decay", "0.05", "--control-profile", "1,1,1,3",
        "--control-backward-norm", "1", "--output", run.path,
      ])
      try #require(r.status == 0, "\(r.error)")
      let control = try readCSV(run.appendingPathComponent("control.csv"))
      #expect(control.header == ["run", "step", "layer", "quantity", "value"])
      #expect(control.rows.count == 6 * (4 * 7 + 1))
      #expect(Set(control.rows.map { $0[1] }) == Set((0..<6).map(String.init)))
      let factors = control.rows.filter { $0[3] == "control_factor" }
      #expect(factors.count == 24 && factors.allSatisfy { (Double($0[4]) ?? 0) > 0 })
      let measurements = try readCSV(run.appendingPathComponent("measurements.csv"))
      for step in ["0", "3"] {
        let shares = measurements.rows.filter { $0[1] == step && $0[3] == "contribution_share" }.map { Double($0[4])! }
        #expect(shares.count == 4)
        for (share, target) in zip(shares, [1.0 / 6, 1.0 / 6, 1.0 / 6, 0.5]) {
          #expect(abs(share - target) < 1e-9, "step \(step): \(shares)")
        }
      }
      let config = try readConfig(run)
      let training = try #require(config["training"] as? [String: Any])
      #expect(training["control"] != nil)
    }
  }

  @Test("The run header says when FSC-control is on, and what it does")
  func headerNamesControl() throws {
    try withTemporaryDirectory { (tmp: URL) throws in
      let model = Self.model.filter { $0 != "--quiet" }
      let on = try FeatureSpeedBinary.run(["train"] + model + [
        "--steps", "3", "--measure-every", "1", "--control-feature-speed", "0.05", "--control-calibration", "2",
        "--output", tmp.appendingPathComponent("on").path,
      ])
      try #require(on.status == 0, "\(on.error)")
      #expect(on.output.contains("  FSC-control: per-layer rates for a feature speed rms(δF)/rms(F) of 0.05 per step, "
        + "calibrated on the first 2 steps, then kept, cap ×1000 (decisions in control.csv)"), "\(on.output)")
      let off = try FeatureSpeedBinary.run(["train"] + model + ["--steps", "1", "--output", tmp.appendingPathComponent("off").path])
      try #require(off.status == 0, "\(off.error)")
      #expect(off.output.contains("Run ") && !off.output.contains("FSC-control"), "\(off.output)")
    }
  }

  @Test("Conflicting and invalid control options are refused before anything is written")
  func badOptions() throws {
    try withTemporaryDirectory { (tmp: URL) throws in
      let out = tmp.appendingPathComponent("x").path
      let cases: [([String], String)] = [
        (["--control-decay", "0.05", "--control-feature-speed", "0.1"], "exclude each other"),
        (["--control-decay", "2"], "--control-decay"),
        (["--control-profile", "1,2"], "4 layers"),
        (["--control-profile", "a,b"], "Invalid contribution profile"),
        (["--control-smoothing", "0"], "--control-smoothing"),
        (["--control-feature-speed", "0.05", "--measure-every", "0"], "reads the measured angles"),
      ]
      for (flags, message) in cases {
        let r = try FeatureSpeedBinary.run(["train"] + Self.model + ["--steps", "2", "--output", out] + flags)
        #expect(r.status != 0 && r.error.contains(message), "\(flags): \(r.error)")
      }
      #expect(!FileManager.default.fileExists(atPath: out))
    }
  }
}
