import Foundation
import Testing
import _TestSupport

/// The `train` and `presets` flags mup users lean on: `--lr-schedule`, `--warmup-steps`,
/// `--lr-final-fraction`, `--zero-readout`, `--base-width`.
@Suite struct MupUserCommandTests {
  func expectFailure(_ arguments: [String], mentions phrases: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
    let result = try FeatureSpeedBinary.run(arguments)
    #expect(result.status != 0 && result.status < 128, "status \(result.status): \(result.error)", sourceLocation: sourceLocation)
    for phrase in phrases {
      #expect(result.error.contains(phrase), "stderr lacks '\(phrase)': \(result.error)", sourceLocation: sourceLocation)
    }
  }

  @Test("Bad schedules and base widths are clear errors", arguments: [
    (["--lr-schedule", "step"], ["lr-schedule", "constant", "cosine"]),
    (["--warmup-steps", "12"], ["warmup-steps", "fewer warmup steps than steps"]),
    (["--lr-schedule", "cosine", "--lr-final-fraction", "1.5"], ["lr-final-fraction", "[0, 1]"]),
    (["--lr-final-fraction", "0.1"], ["--lr-schedule linear or cosine"]),
    (["--base-width", "0"], ["--base-width", "positive integer"]),
  ])
  func badInput(_ flags: [String], _ phrases: [String]) throws {
    try expectFailure(tinyRun + flags + ["--output", "/nonexistent/never-written"], mentions: phrases)
  }

  @Test("train records the schedule, zero readout and base width in config.json, the header and metrics.csv")
  func recordsTheOptions() throws {
    try withTemporaryDirectory { directory in
      let output = directory.appendingPathComponent("run")
      let flags = ["--lr-schedule", "cosine", "--warmup-steps", "3", "--lr-final-fraction", "0.1", "--zero-readout",
                   "--base-width", "8", "--output", output.path]
      let result = try FeatureSpeedBinary.run(tinyRun.filter { $0 != "--quiet" } + flags)
      #expect(result.status == 0, "\(result.error)")
      #expect(result.output.contains("learning-rate schedule cosine decay to 0.1×η at the end, linear warmup from η/4 over 3 steps"))
      #expect(result.output.contains("relative to base width 8 (= sp there), zero-initialized readout"))
      #expect(result.output.contains("undef"), "step 0 shows the undefined angles")
      let config = try readConfig(output)
      let training = try #require(config["training"] as? [String: Any])
      let schedule = try #require(training["schedule"] as? [String: Any])
      #expect(schedule["kind"] as? String == "cosine" && schedule["warmupSteps"] as? Int == 3 && schedule["finalFraction"] as? Double == 0.1)
      let request = try #require(config["request"] as? [String: Any])
      #expect(request["baseWidth"] as? Int == 8 && request["zeroReadout"] as? Bool == true)
      let metrics = try readCSV(output.appendingPathComponent("metrics.csv"))
      let column = try #require(metrics.header.firstIndex(of: "learning_rate_factor"))
      let factors = metrics.rows.filter { $0[2] == "train" }.map { Double($0[column])! }
      #expect(factors.count == 12 && factors[0] == 0.25 && factors[3] == 1 && factors[11] > 0.1 && factors[11] < factors[10])
    }
  }

  @Test("presets --base-width B at --width B prints sp's table")
  func presetsTable() throws {
    func table(_ arguments: [String]) throws -> String {
      let result = try FeatureSpeedBinary.run(["presets", "--width", "128", "--bias"] + arguments)
      #expect(result.status == 0, "\(result.error)")
      return result.output.split(separator: "\n").dropFirst().joined(separator: "\n")  // without the header line
    }
    #expect(try table(["--preset", "mup", "--base-width", "128"]) == table(["--preset", "sp"]))
    #expect(try table(["--preset", "mup"]) != table(["--preset", "sp"]))
    let header = try FeatureSpeedBinary.run(["presets", "--preset", "mup", "--width", "512", "--base-width", "128"]).output
    #expect(header.contains("base width 128"))
  }
}
