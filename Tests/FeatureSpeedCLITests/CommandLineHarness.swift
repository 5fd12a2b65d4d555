import Foundation
import Testing
import _TestSupport

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// Runs the real `featurespeed` executable (built next to the test bundle by
/// `swift build --build-tests`) and captures its exit status, standard output and error.
enum FeatureSpeedBinary {
  /// Path of the executable in the products directory of this test run.
  static var url: URL {
    URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("featurespeed")
  }

  static func run(_ arguments: [String], currentDirectory: URL? = nil, environment: [String: String?] = [:]) throws -> ProcessResult {
    try #require(
      FileManager.default.isExecutableFile(atPath: url.path),
      "featurespeed is not built at \(url.path); run `swift build --build-tests` (scripts/test.sh does) first")
    return try runProcess(url, arguments, currentDirectory: currentDirectory, environment: environment)
  }
}

/// Options of a tiny, fast training run on synthetic data (debug builds are slow).
let tinyRun = [
  "train", "--width", "16", "--depth", "3", "--input-dim", "8", "--output-dim", "3", "--train-size", "128",
  "--test-size", "32", "--batch-size", "16", "--steps", "12", "--measure-every", "4", "--quiet",
]

/// Parses a CSV file written by FeatureSpeed (no quoted fields) into a header and rows.
func readCSV(_ url: URL) throws -> (header: [String], rows: [[String]]) {
  let text = String(decoding: try contents(of: url), as: UTF8.self)
  #expect(text.hasSuffix("\n"), "a CSV file must end with a complete line")
  let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
  let header = lines.first.map { $0.components(separatedBy: ",") } ?? []
  return (header, lines.dropFirst().map { $0.components(separatedBy: ",") })
}

/// The JSON object in `config.json` of a run directory.
func readConfig(_ directory: URL) throws -> [String: Any] {
  let data = try Data(contentsOf: directory.appendingPathComponent("config.json"))
  return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
}

/// Whether the file parses as XML (our SVG figures and `index.html` pages). On Linux `parse()` can
/// return true for malformed input while setting `parserError`, so both are checked.
func isWellFormedXML(_ url: URL) throws -> Bool {
  let parser = XMLParser(data: try Data(contentsOf: url))
  return parser.parse() && parser.parserError == nil
}
