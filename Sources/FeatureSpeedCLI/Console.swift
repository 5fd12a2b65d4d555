import Foundation

/// Writes `text` and a newline to standard output, unbuffered (so it interleaves correctly with
/// the progress line on standard error).
func printOut(_ text: String) {
  FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

/// Writes a JSON object (dictionaries, arrays, numbers, strings) as one line with sorted keys.
/// - Throws: when `object` is not valid JSON (e.g. contains NaN).
func printJSON(_ object: Any) throws {
  printOut(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
}

/// Writes `message` and a newline to standard error.
func printError(_ message: String) {
  FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Writes `text` to standard error without a newline (progress lines).
func writeError(_ text: String) {
  FileHandle.standardError.write(Data(text.utf8))
}

/// Whether standard error is a terminal (progress lines are then redrawn in place).
var standardErrorIsTerminal: Bool { isatty(2) != 0 }

/// Compact number formatting for tables: 4 significant digits, scientific when tiny or huge.
func formatNumber(_ x: Double) -> String {
  if x.isNaN { return "nan" }
  if x.isInfinite { return x > 0 ? "inf" : "-inf" }
  if x == 0 { return "0" }
  let magnitude = abs(x)
  if magnitude >= 1e-3 && magnitude < 1e5 { return String(format: "%.4g", x) }
  return String(format: "%.3e", x)
}

/// Seconds as `12s`, `3m05s` or `1h02m`.
func formatDuration(_ seconds: Double) -> String {
  guard seconds.isFinite && seconds >= 0 else { return "?" }
  let s = Int(seconds.rounded())
  if s < 60 { return "\(s)s" }
  if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
  return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
}

/// A plain-text table with right-aligned columns.
func renderTextTable(header: [String], rows: [[String]]) -> String {
  let widths = header.indices.map { c in ([header[c]] + rows.map { $0[c] }).map(\.count).max() ?? 0 }
  func line(_ cells: [String]) -> String {
    cells.enumerated().map { String(repeating: " ", count: widths[$0] - $1.count) + $1 }.joined(separator: "  ")
  }
  return ([line(header)] + rows.map(line)).joined(separator: "\n")
}
