import _TestSupport
import Foundation
import Testing

@testable import Experiments

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

@Suite struct RunDirectoryTests {
  @Test func aFreshDirectoryIsCreatedWithItsParents() throws {
    try withTemporaryDirectory { directory in
      let url = directory.appendingPathComponent("sweeps/mup/run-1")
      let run = try RunDirectory.prepare(at: url, overwrite: false)
      var isDirectory: ObjCBool = false
      #expect(FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue)
      #expect(try fileNames(in: url) == [])  // the probe file is gone
      #expect(run.configURL.lastPathComponent == "config.json")
      #expect(run.measurementsURL.lastPathComponent == "measurements.csv")
      #expect(run.metricsURL.lastPathComponent == "metrics.csv")
      #expect(run.initialWeightsURL.lastPathComponent == "weights-init.safetensors")
      #expect(run.finalWeightsURL.lastPathComponent == "weights-final.safetensors")
      #expect(run.batchURL.lastPathComponent == "batch.safetensors")
      #expect(run.configURL.deletingLastPathComponent().path == url.path)
    }
  }

  @Test func anExistingDirectoryWithoutARunIsReused() throws {
    try withTemporaryDirectory { directory in
      try Data("notes".utf8).write(to: directory.appendingPathComponent("README"))
      _ = try RunDirectory.prepare(at: directory, overwrite: false)
      #expect(try fileNames(in: directory) == ["README"])
    }
  }

  @Test func anExistingRunNeedsOverwrite() throws {
    try withTemporaryDirectory { directory in
      let run = try RunDirectory.prepare(at: directory, overwrite: false)
      try run.writeConfig(["seed": 1])
      let expected = RunDirectoryError.existingRun(path: directory.path)
      #expect(throws: expected) { try RunDirectory.prepare(at: directory, overwrite: false) }
      #expect(expected.description.contains("already holds a run"))
      #expect(expected.description.contains("--overwrite"))
      #expect(expected.description.contains("another --output"))
    }
  }

  @Test func overwriteDeletesTheOldRunsFilesOnly() throws {
    try withTemporaryDirectory { directory in
      let run = try RunDirectory.prepare(at: directory, overwrite: false)
      for file in RunDirectory.File.allCases { try Data("old".utf8).write(to: run.url(for: file)) }
      try Data("mine".utf8).write(to: directory.appendingPathComponent("notes.txt"))
      _ = try RunDirectory.prepare(at: directory, overwrite: true)
      #expect(try fileNames(in: directory) == ["notes.txt"])
    }
  }

  @Test func aPathUnderAFileIsNotWritable() throws {
    try withTemporaryDirectory { directory in
      let file = directory.appendingPathComponent("file.txt")
      try Data("x".utf8).write(to: file)
      for url in [file.appendingPathComponent("run"), file] {
        let expected = RunDirectoryError.notWritable(path: url.path, reason: SystemErrorCode(ENOTDIR))
        #expect(throws: expected) { try RunDirectory.prepare(at: url, overwrite: true) }
        #expect(expected.description == "Cannot write the run directory \(url.path): Not a directory. Choose a writable --output DIR.")
      }
    }
  }

  @Test func aPathUnderProcIsNotWritable() {
    let url = URL(fileURLWithPath: "/proc/featurespeed-test/run")
    let error = #expect(throws: RunDirectoryError.self) { try RunDirectory.prepare(at: url, overwrite: false) }
    guard case .notWritable(let path, _) = error else {
      Issue.record("expected notWritable, got \(String(describing: error))")
      return
    }
    #expect(path == url.path)
  }

  // MARK: JSON

  struct Config: Codable, Equatable {
    var name: String
    var learningRate: Double
    var finalLoss: Double
    var bestLoss: Double
    var worstLoss: Double
    var widths: [Int]
    var path: String
  }

  @Test func configJSONIsPrettySortedAndSpellsNonFiniteNumbers() throws {
    try withTemporaryDirectory { directory in
      let run = try RunDirectory.prepare(at: directory, overwrite: false)
      let config = Config(
        name: "mup", learningRate: 0.1, finalLoss: .nan, bestLoss: -.infinity, worstLoss: .infinity,
        widths: [64, 128], path: "runs/a")
      try run.writeConfig(config)
      let text = String(decoding: try contents(of: run.configURL), as: UTF8.self)
      #expect(text == """
        {
          "bestLoss" : "-inf",
          "finalLoss" : "nan",
          "learningRate" : 0.1,
          "name" : "mup",
          "path" : "runs/a",
          "widths" : [
            64,
            128
          ],
          "worstLoss" : "inf"
        }

        """)
      let read = try JSONFile.read(Config.self, from: run.configURL)
      #expect(read.finalLoss.isNaN)
      #expect(read.bestLoss == -.infinity && read.worstLoss == .infinity)
      #expect(read.widths == [64, 128] && read.learningRate == 0.1)
      #expect(try fileNames(in: directory) == ["config.json"])
    }
  }

  @Test func identicalConfigsGiveIdenticalFiles() throws {
    let config = ["b": 2.5, "a": .nan, "c": -.infinity]
    let text = String(decoding: try JSONFile.encode(config), as: UTF8.self)
    #expect(text == "{\n  \"a\" : \"nan\",\n  \"b\" : 2.5,\n  \"c\" : \"-inf\"\n}\n")
    #expect(try JSONFile.encode(config) == JSONFile.encode(config))
  }

  @Test func readingErrorsAreTyped() throws {
    try withTemporaryDirectory { directory in
      let missing = directory.appendingPathComponent("none.json")
      #expect(throws: JSONFileError.cannotRead(path: missing.path, reason: SystemErrorCode(ENOENT))) {
        try JSONFile.read(Config.self, from: missing)
      }
      let broken = directory.appendingPathComponent("broken.json")
      try Data("{\"name\": 3}".utf8).write(to: broken)
      let error = #expect(throws: JSONFileError.self) { try JSONFile.read(Config.self, from: broken) }
      guard case .decodingFailed(let path, let type, _) = error else {
        Issue.record("expected decodingFailed, got \(String(describing: error))")
        return
      }
      #expect(path == broken.path && type == "Config")
    }
  }
}
