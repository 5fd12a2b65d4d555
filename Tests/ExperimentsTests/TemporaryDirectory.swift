import Foundation

/// Runs `body` with a fresh, uniquely named directory under the system temporary directory and
/// deletes it afterwards (tests run in parallel, so every test gets its own).
func withTemporaryDirectory<Result>(_ body: (URL) throws -> Result) throws -> Result {
  let url = FileManager.default.temporaryDirectory
    .appendingPathComponent("ExperimentsTests-\(UUID().uuidString)", isDirectory: true)
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: url) }
  return try body(url)
}

/// The bytes of the file at `url`.
func contents(of url: URL) throws -> [UInt8] {
  [UInt8](try Data(contentsOf: url))
}

/// The names in `directory`, sorted.
func fileNames(in directory: URL) throws -> [String] {
  try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
}
