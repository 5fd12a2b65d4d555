import Foundation
import Experiments

/// Writes a reproduction's files: `data.csv`, `slopes.csv`, figures, `report.md`, `index.html`.
enum ReproductionOutput {
  /// - Returns: the names of the files written.
  static func write(_ result: ReproductionResult, reproduction: Reproduction, to directory: URL) throws -> [String] {
    var files = ["data.csv"]
    try result.data.write(to: directory.appendingPathComponent("data.csv"))
    if let slopes = result.slopes {
      try slopes.write(to: directory.appendingPathComponent("slopes.csv"))
      files.append("slopes.csv")
    }
    return files
  }
}
