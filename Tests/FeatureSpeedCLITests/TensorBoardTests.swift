import Foundation
import Testing
import _TestSupport

/// The TensorBoard event file of a run, read by TensorBoard's own Python loader (which verifies
/// every record's CRC-32C): every tag and value equals measurements.csv and metrics.csv, and a
/// run killed mid-way leaves a readable file.
@Suite("TensorBoard event files")
struct TensorBoardTests {
  /// Reads every scalar of the event files in `directory` as `tag \t step \t value` lines.
  static let reader = """
    import glob, sys
    from tensorboard.backend.event_processing.event_file_loader import LegacyEventFileLoader
    files = sorted(glob.glob(sys.argv[1] + "/events.out.tfevents.*"))
    assert len(files) == 1, files
    versions = 0
    for event in LegacyEventFileLoader(files[0]).Load():
        if event.HasField("file_version"):
            versions += 1
        for v in event.summary.value:
            print(f"{v.tag}\\t{event.step}\\t{v.simple_value!r}")
    assert versions == 1
    """

  static func scalars(_ directory: URL) throws -> [String: Double] {
    let result = try PythonInterpreter.run(reader, arguments: [directory.path])
    try #require(result.status == 0, "\(result.error)")
    var values = [String: Double]()
    for line in result.output.split(separator: "\n") {
      let f = line.split(separator: "\t")
      values["\(f[0])@\(f[1])"] = Double(f[2])
    }
    return values
  }

  @Test("Every measured quantity and metric is a scalar with the CSV's value")
  func tagsAndValuesMatchTheCSVFiles() throws {
    guard PythonInterpreter.canImport("tensorboard") else {
      print("TensorBoardTests: the tensorboard Python package is not installed; skipping")
      return
    }
    try withTemporaryDirectory { (tmp: URL) throws in
      let run = tmp.appendingPathComponent("run")
      let r = try FeatureSpeedBinary.run(tinyRun + ["--evaluate-every", "6", "--output", run.path])
      try #require(r.status == 0, "\(r.error)")
      let scalars = try Self.scalars(run)
      let measurements = try readCSV(run.appendingPathComponent("measurements.csv"))
      #expect(!measurements.rows.isEmpty)
      for row in measurements.rows {
        let layer = Int(row[2]).map { "/layer_\($0 < 10 ? "0" : "")\($0)" } ?? ""
        let tag = "\(row[3])\(layer)@\(row[1])"
        let value = try #require(scalars[tag], "no scalar \(tag)")
        let expected = Double(row[4])!
        // TensorBoard stores float32.
        #expect(value == Double(Float(expected)) || (value.isNaN && expected.isNaN), "\(tag): \(value) vs \(expected)")
      }
      let metrics = try readCSV(run.appendingPathComponent("metrics.csv"))
      for row in metrics.rows {
        let split = row[2]
        for (column, name) in [(3, "loss"), (4, "accuracy")] {
          let tag = "\(split)/\(name)@\(row[1])"
          #expect(scalars[tag] == Double(Float(Double(row[column])!)), "\(tag)")
        }
      }
      let config = String(decoding: try contents(of: run.appendingPathComponent("config.json")), as: UTF8.self)
      #expect(config.contains("events.out.tfevents."), "config.json lists the event file")
      // Off on request.
      let quiet = tmp.appendingPathComponent("off")
      let off = try FeatureSpeedBinary.run(tinyRun + ["--no-tensorboard", "--output", quiet.path])
      try #require(off.status == 0)
      #expect(try FileManager.default.contentsOfDirectory(atPath: quiet.path).allSatisfy { !$0.hasPrefix("events.out") })
    }
  }

  @Test("A run killed mid-way leaves an event file TensorBoard reads up to its last flush")
  func killedRunLeavesAReadableFile() throws {
    guard PythonInterpreter.canImport("tensorboard") else { return }
    try withTemporaryDirectory { (tmp: URL) throws in
      let run = tmp.appendingPathComponent("run")
      let process = Process()
      process.executableURL = FeatureSpeedBinary.url
      process.arguments = [
        "train", "--width", "64", "--depth", "6", "--steps", "100000", "--measure-every", "5", "--quiet", "--output", run.path,
      ]
      process.standardOutput = FileHandle.nullDevice
      process.standardError = FileHandle.nullDevice
      try process.run()
      // Wait until a few measured steps are in the file, then SIGKILL.
      let deadline = Date().addingTimeInterval(60)
      var size = 0
      while Date() < deadline && size < 20_000 {
        Thread.sleep(forTimeInterval: 0.2)
        let events = (try? FileManager.default.contentsOfDirectory(atPath: run.path))?.first { $0.hasPrefix("events.out.tfevents.") }
        size = events.flatMap { try? FileManager.default.attributesOfItem(atPath: run.appendingPathComponent($0).path)[.size] as? Int } ?? 0
      }
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
      try #require(size >= 20_000, "the run wrote no events within a minute")
      let scalars = try Self.scalars(run)
      #expect(scalars.keys.contains { $0.hasPrefix("bfa_cos/layer_01@") })
    }
  }
}
