import Foundation
import Measurements

/// Reads the `measurements.csv` of a run directory back into rows (the files this library writes:
/// `run,step,layer,quantity,value`, a run name quoted when it needs it, `nan`/`inf` spelled out).
public enum MeasurementsFile {
  /// Every row of the file.
  /// - Throws: `MeasurementsFileError` naming the file and the line.
  public static func read(_ url: URL) throws -> [LayerMeasurement] {
    let text: String
    do { text = try String(contentsOf: url, encoding: .utf8) } catch {
      throw MeasurementsFileError.unreadable(path: url.path, reason: "\(error)")
    }
    var rows = [LayerMeasurement]()
    for (number, record) in CSVRecords.parse(text).enumerated() {
      let fields = record.fields
      let found = fields.map { CSVField.text($0).encoded }.joined(separator: ",")
      if number == 0 {
        guard fields == LayerMeasurement.csvHeader else {
          throw MeasurementsFileError.malformed(path: url.path, line: 1, found: found)
        }
        continue
      }
      if fields == [""] { continue }
      guard fields.count == 5, let step = Int(fields[1]), let value = parse(fields[4][...]) else {
        throw MeasurementsFileError.malformed(path: url.path, line: record.line, found: found)
      }
      let layer = fields[2].isEmpty ? nil : Int(fields[2])
      rows.append(LayerMeasurement(run: fields[0], step: step, layer: layer, quantity: fields[3], value: value))
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
