import Foundation
import Measurements

/// Reads the `measurements.csv` of a run directory back into rows (the files this library writes:
/// `run,step,layer,quantity,value`, no quoted fields, `nan`/`inf` spelled out).
public enum MeasurementsFile {
  /// Every row of the file.
  /// - Throws: `MeasurementsFileError` naming the file and the line.
  public static func read(_ url: URL) throws -> [LayerMeasurement] {
    let text: String
    do { text = try String(contentsOf: url, encoding: .utf8) } catch {
      throw MeasurementsFileError.unreadable(path: url.path, reason: "\(error)")
    }
    var rows = [LayerMeasurement]()
    for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      if number == 0 {
        guard line == LayerMeasurement.csvHeader.joined(separator: ",") else {
          throw MeasurementsFileError.malformed(path: url.path, line: 1, found: String(line))
        }
        continue
      }
      if line.isEmpty { continue }
      let fields = line.split(separator: ",", omittingEmptySubsequences: false)
      guard fields.count == 5, let step = Int(fields[1]), let value = parse(fields[4]) else {
        throw MeasurementsFileError.malformed(path: url.path, line: number + 1, found: String(line))
      }
      let layer = fields[2].isEmpty ? nil : Int(fields[2])
      rows.append(LayerMeasurement(run: String(fields[0]), step: step, layer: layer, quantity: String(fields[3]), value: value))
    }
    return rows
  }

  /// The values at the last step present, per layer and quantity slug.
  public static func lastStep(_ rows: [LayerMeasurement]) -> (step: Int, values: [Int: [String: Double]])? {
    guard let last = rows.map(\.step).max() else { return nil }
    var values = [Int: [String: Double]]()
    for row in rows where row.step == last {
      if let layer = row.layer { values[layer, default: [:]][row.quantity] = row.value }
    }
    return (last, values)
  }

  static func parse(_ s: Substring) -> Double? {
    switch s {
    case "nan": return .nan
    case "inf": return .infinity
    case "-inf": return -.infinity
    default: return Double(s)
    }
  }
}

/// Errors reading a measurements file.
public enum MeasurementsFileError: Error, Equatable, CustomStringConvertible {
  case unreadable(path: String, reason: String)
  case malformed(path: String, line: Int, found: String)

  public var description: String {
    switch self {
    case .unreadable(let path, let reason):
      "Cannot read \(path): \(reason). Check the path; it should be a run directory's measurements.csv."
    case .malformed(let path, let line, let found):
      "\(path), line \(line): expected `run,step,layer,quantity,value` with numbers, found `\(found.prefix(120))`. "
        + "The file is not a FeatureSpeed measurements.csv or was damaged; rerun the run."
    }
  }
}
