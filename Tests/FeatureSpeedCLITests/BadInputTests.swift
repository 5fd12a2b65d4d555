import Foundation
import Experiments
import Testing
import _TestSupport

/// Every bad input gets one clear message (what was expected, what was found, how to fix it) and
/// a non-zero exit status, never a crash; a diverged run records its outcome and keeps its files.
@Suite("Bad input gives a clear error and a non-zero exit")
struct BadInputTests {
  /// Runs `featurespeed` and checks a failure whose standard error contains every phrase.
  func expectFailure(
    _ arguments: [String], mentions phrases: [String], status expectedStatus: Int32? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let result = try FeatureSpeedBinary.run(arguments)
    #expect(result.status != 0, "exit status 0 for \(arguments)", sourceLocation: sourceLocation)
    if let expectedStatus {
      #expect(result.status == expectedStatus, "stderr: \(result.error)", sourceLocation: sourceLocation)
    }
    // A crash (signal) would end with status ≥ 128 and no message.
    #expect(result.status < 128 || result.status == 130, "crashed: \(result.error)", sourceLocation: sourceLocation)
    for phrase in phrases {
      #expect(result.error.contains(phrase), "stderr lacks '\(phrase)': \(result.error)", sourceLocation: sourceLocation)
    }
  }

  @Test("An impossible size is refused before anything is allocated (train, float64, kernel)", arguments: [
    ["train", "--width", "2000000", "--depth", "4", "--steps", "1"],
    ["train", "--width", "2000000", "--dtype", "float64", "--steps", "1"],
    ["kernel", "--width", "10000000000", "--depth", "4"],
  ])
  func impossibleSizes(_ arguments: [String]) throws {
    try withTemporaryDirectory { directory in
      let output = directory.appendingPathComponent("run")
      var phrases = ["needs at least", "TiB", "are available", "Reduce --width"]
      if arguments.contains("float64") { phrases.append("--dtype float32") }
      try expectFailure(arguments + ["--output", output.path], mentions: phrases, status: 1)
      #expect(!FileManager.default.fileExists(atPath: output.path), "a refused run must not create its directory")
    }
  }

  @Test("A write that fails mid-run (file-size limit) leaves every CSV on a whole row and records the failure")
  func writeFailureKeepsWholeRows() throws {
    try withTemporaryDirectory { directory in
      let output = directory.appendingPathComponent("run")
      // RLIMIT_FSIZE of 200 KiB with SIGXFSZ ignored: a write past it fails with EFBIG part-way,
      // as on a full disk; the small files (config.json) still fit.
      let script = "trap '' XFSZ; ulimit -f 200; exec \"$0\" \"$@\""
      let arguments = ["train", "--width", "16", "--depth", "3", "--input-dim", "8", "--output-dim", "3", "--train-size", "128",
                       "--test-size", "32", "--batch-size", "16", "--steps", "2000", "--measure-every", "1", "--quiet",
                       "--output", output.path]
      let result = try runProcess(URL(fileURLWithPath: "/bin/bash"), ["-c", script, FeatureSpeedBinary.url.path] + arguments)
      #expect(result.status == 1, "stderr: \(result.error)")
      #expect(result.error.contains("Cannot write rows to") && result.error.contains("measurements.csv"), "\(result.error)")
      let text = String(decoding: try contents(of: output.appendingPathComponent("measurements.csv")), as: UTF8.self)
      #expect(text.hasSuffix("\n"), "the file must end on a whole row")
      let lines = text.split(separator: "\n").map(String.init)
      let columns = lines[0].split(separator: ",", omittingEmptySubsequences: false).count
      #expect(lines.count > 100 && lines.allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == columns })
      let config = try readConfig(output)
      #expect(config["status"] as? String == "failed")
      #expect((config["failure"] as? String)?.contains("measurements.csv") == true)
    }
  }

  @Test("A run dir whose config.json says running but whose process is gone is reported as interrupted")
  func runWhoseProcessIsGone() throws {
    try withTemporaryDirectory { directory in
      let output = directory.appendingPathComponent("run")
      let t = try FeatureSpeedBinary.run(tinyRun + ["--steps", "3", "--measure-every", "1", "--output", output.path])
      try #require(t.status == 0, "\(t.error)")
      var config = try readConfig(output)
      let process = try #require(config["process"] as? [String: Any], "config.json records the writing process")
      #expect(process["id"] as? Int != nil && process["host"] as? String == ProcessInfo.processInfo.hostName)
      // As a SIGKILL leaves it: status running, written by a process that has exited since.
      let gone = try runProcess(URL(fileURLWithPath: "/bin/sh"), ["-c", "echo $$"])
      let pid = try #require(Int(gone.output.trimmingCharacters(in: .whitespacesAndNewlines)))
      config["status"] = "running"
      config["process"] = ["id": pid, "host": ProcessInfo.processInfo.hostName]
      try JSONSerialization.data(withJSONObject: config).write(to: output.appendingPathComponent("config.json"))
      let p = try FeatureSpeedBinary.run(["plot", output.appendingPathComponent("measurements.csv").path, "--quantity", "bfa_cos",
                                          "--output", directory.appendingPathComponent("f.svg").path])
      #expect(p.status == 0, "\(p.error)")
      #expect(p.error.contains("says \"running\", but its process (\(pid) on") && p.error.contains("it was interrupted"), "\(p.error)")
      #expect(SweepCellStatus.of(output) == .interrupted)
      // A live process (this test's) still counts as running.
      config["process"] = ["id": Int(getpid()), "host": ProcessInfo.processInfo.hostName]
      try JSONSerialization.data(withJSONObject: config).write(to: output.appendingPathComponent("config.json"))
      #expect(SweepCellStatus.of(output) == .incomplete)
    }
  }

  @Test func unknownPreset() throws {
    try expectFailure(tinyRun + ["--preset", "xyz"], mentions: ["Unknown parametrization 'xyz'", "Expected one of", "mup"], status: 64)
  }

  @Test func unknownActivation() throws {
    try expectFailure(tinyRun + ["--activation", "swish"], mentions: ["swish", "relu", "gelu"], status: 64)
  }

  @Test(arguments: [["--width", "0"], ["--depth", "0"], ["--batch-size", "0"], ["--steps", "0"], ["--width", "-3"], ["--steps", "-1"]])
  func nonPositiveSizes(_ option: [String]) throws {
    try expectFailure(tinyRun + option, mentions: [option[0], option[1], "positive"], status: 64)
  }

  @Test func unknownDataSource() throws {
    try expectFailure(tinyRun + ["--data", "cifar"], mentions: ["cifar", "fashion-mnist", "mnist:DIR"], status: 64)
  }

  @Test func missingDataDirectory() throws {
    try expectFailure(tinyRun + ["--data", "mnist:/nonexistent/mnist"], mentions: ["/nonexistent/mnist", "--data"])
  }

  @Test func missingIDXFile() throws {
    try withTemporaryDirectory { dir in
      try writeIDXFixture(inDirectory: dir.path)
      try FileManager.default.removeItem(at: dir.appendingPathComponent("t10k-labels-idx1-ubyte"))
      try expectFailure(mnistRun(dir), mentions: ["t10k-labels-idx1-ubyte"])
    }
  }

  @Test func truncatedIDXFile() throws {
    try withTemporaryDirectory { dir in
      try writeIDXFixture(inDirectory: dir.path)
      let bytes = imageFile(count: 8)
      try Data(bytes.dropLast(20)).write(to: dir.appendingPathComponent("train-images-idx3-ubyte"))
      try expectFailure(mnistRun(dir), mentions: ["train-images-idx3-ubyte", "truncated", "\(bytes.count - 16 - 20)"])
    }
  }

  @Test func wrongMagic() throws {
    try withTemporaryDirectory { dir in
      try writeIDXFixture(inDirectory: dir.path)
      // A label file where an image file belongs.
      try Data(labelFile(count: 8)).write(to: dir.appendingPathComponent("train-images-idx3-ubyte"))
      try expectFailure(mnistRun(dir), mentions: ["train-images-idx3-ubyte", "0x00000803", "0x00000801"])
    }
  }

  @Test func imageLabelCountMismatch() throws {
    try withTemporaryDirectory { dir in
      try writeIDXFixture(inDirectory: dir.path)
      try Data(labelFile(count: 7)).write(to: dir.appendingPathComponent("train-labels-idx1-ubyte"))
      try expectFailure(mnistRun(dir), mentions: ["8", "7", "train-labels-idx1-ubyte"])
    }
  }

  @Test func unwritableOutput() throws {
    try withTemporaryDirectory { dir in
      let file = dir.appendingPathComponent("file.txt")
      try Data("x".utf8).write(to: file)
      try expectFailure(tinyRun + ["--output", file.appendingPathComponent("run").path], mentions: ["file.txt/run", "--output"])
      #expect(try contents(of: file) == Array("x".utf8))
    }
  }

  @Test func existingRunWithoutOverwrite() throws {
    try withTemporaryDirectory { dir in
      let out = dir.appendingPathComponent("run")
      let first = try FeatureSpeedBinary.run(tinyRun + ["--output", out.path])
      try #require(first.status == 0)
      let before = try contents(of: out.appendingPathComponent("measurements.csv"))
      try expectFailure(tinyRun + ["--output", out.path], mentions: [out.path, "--overwrite"])
      #expect(try contents(of: out.appendingPathComponent("measurements.csv")) == before)
    }
  }

  @Test("NaN/∞ during training: status diverged with the step in config.json, files intact, exit 3")
  func divergence() throws {
    try withTemporaryDirectory { dir in
      let out = dir.appendingPathComponent("run")
      let arguments = tinyRun.filter { $0 != "--quiet" } + ["--output", out.path, "--learning-rate", "1e6", "--measure-every", "1", "--steps", "50"]
      try expectFailure(arguments, mentions: ["diverged at step", "--learning-rate", out.path], status: 3)
      let config = try readConfig(out)
      #expect(config["status"] as? String == "diverged")
      let step = try #require(config["divergedAtStep"] as? Int)
      #expect(step > 0 && step < 50)
      #expect((config["divergenceReason"] as? String)?.contains("\(step)") == true)
      // Everything measured before the divergence is there, in complete lines.
      let measurements = try readCSV(out.appendingPathComponent("measurements.csv"))
      #expect(Set(measurements.rows.map { Int($0[1])! }) == Set(0..<step))
      let metrics = try readCSV(out.appendingPathComponent("metrics.csv"))
      #expect(metrics.rows.filter { $0[2] == "train" }.count == step)
    }
  }

  private func mnistRun(_ dir: URL) -> [String] {
    ["train", "--data", "mnist:\(dir.path)", "--width", "8", "--depth", "2", "--batch-size", "4", "--steps", "2", "--quiet",
     "--output", dir.appendingPathComponent("run").path]
  }
}
