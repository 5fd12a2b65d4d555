import Foundation
import Testing
import _TestSupport

@testable import Training

/// Paths of the offline copies of the real data sets (see /work/shared/data/README.md).
enum RealData {
  static let mnistDirectory = "/work/shared/data/mnist"
  static let fashionMNISTDirectory = "/work/shared/data/fashion-mnist"
  static let irisCSV = "/work/shared/data/sklearn-iris/iris.csv"

  /// MNIST decoded once for the whole suite (debug builds decode 47 MB of pixels slowly).
  static let mnist: Result<LoadedData, any Error> = Result { try MNISTLoader.load(.mnist, directory: mnistDirectory) }
}

/// A fresh directory under the system temporary directory, removed by `remove()`.
struct TemporaryDirectory {
  let path: String

  init() throws {
    path = FileManager.default.temporaryDirectory
      .appendingPathComponent("featurespeed-data-tests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  func file(_ name: String) -> String { path + "/" + name }

  func write(_ bytes: [UInt8], to name: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: file(name)))
  }

  func read(_ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: file(name))))
  }

  func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Writes the four raw files of a tiny MNIST-style data set (8 train and 4 test images of 4×4).
func writeFixture(in directory: TemporaryDirectory, trainCount: Int = 8, testCount: Int = 4) throws {
  try writeIDXFixture(inDirectory: directory.path, trainCount: trainCount, testCount: testCount)
}

/// Runs a shell command (for `gzip`, an implementation independent of the one under test).
func shell(_ command: String) throws {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/bin/sh")
  process.arguments = ["-c", command]
  try process.run()
  process.waitUntilExit()
  try #require(process.terminationStatus == 0, "command failed: \(command)")
}

/// The `DataError` thrown by `body`, or a test failure.
func dataError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) throws -> DataError {
  do {
    try body()
  } catch let error as DataError {
    return error
  } catch {
    Issue.record("expected a DataError, got \(error)", sourceLocation: sourceLocation)
    throw error
  }
  Issue.record("expected a DataError, nothing was thrown", sourceLocation: sourceLocation)
  throw CancellationError()
}
