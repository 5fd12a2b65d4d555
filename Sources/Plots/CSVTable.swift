import Foundation

/// A CSV file read into memory: a header of distinct column names and rows of text fields,
/// stored by column, with each row's line number in the file for error messages.
///
/// Reads what `CSVWriter` writes and any RFC 4180 file: fields separated by `,`, records by `\n`
/// or `\r\n`, fields in double quotes may contain `,`, `"` (doubled) and line breaks. A UTF-8 byte
/// order mark is skipped; blank lines are skipped (as pandas does). Fields stay text; `doubles(_:)`
/// reads our number spellings (`0.1`, `1e-05`, `nan`, `inf`, `-inf`) and an empty field as `nil`
/// ("not applicable").
///
/// Line numbers count physical lines from 1 (the header); a record whose quoted field spans lines
/// has the number of the line it starts on.
public struct CSVTable: Sendable, Equatable {
  /// Where the table came from (a file path), used in error messages.
  public let source: String
  /// The column names, in file order.
  public let columnNames: [String]
  /// The line number in `source` of every row.
  public private(set) var lineNumbers: [Int]
  /// `cells[column][row]`.
  private var cells: [[String]]

  /// The number of rows (not counting the header).
  public var rowCount: Int { lineNumbers.count }

  /// A table from a header and rows given in memory; row `i` gets line number `i + 2`.
  /// - Throws: `CSVTableError.duplicateColumn`, `.raggedRow`.
  public init(columnNames: [String], rows: [[String]], source: String = "table") throws {
    try Self.checkHeader(columnNames, source: source)
    self.source = source
    self.columnNames = columnNames
    self.lineNumbers = []
    self.cells = Array(repeating: [], count: columnNames.count)
    for (index, row) in rows.enumerated() { try appendRow(row, line: index + 2) }
  }

  /// Parses CSV text (header line first).
  /// - Throws: `CSVTableError.empty`, `.duplicateColumn`, `.raggedRow`, `.unterminatedQuote`,
  ///   `.textAfterClosingQuote`.
  public init(parsing text: String, source: String = "text") throws {
    try self.init(bytes: Array(text.utf8), source: source)
  }

  /// Reads the CSV file at `url`.
  /// - Throws: `CSVTableError.missingFile`, `.cannotRead`, and the parsing errors of `init(parsing:)`.
  public init(contentsOf url: URL) throws {
    try self.init(bytes: try Self.readBytes(url), source: url.path)
  }

  /// The column names of the CSV file at `url`, reading only as far as the end of the header.
  /// - Throws: `CSVTableError.missingFile`, `.cannotRead`, `.empty`, `.duplicateColumn`,
  ///   `.unterminatedQuote`, `.textAfterClosingQuote`.
  public static func header(ofFileAt url: URL) throws -> [String] {
    let path = url.path
    guard FileManager.default.fileExists(atPath: path) else { throw CSVTableError.missingFile(path: path) }
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw CSVTableError.cannotRead(path: path, reason: "cannot open for reading")
    }
    defer { try? handle.close() }
    var bytes = [UInt8]()
    while true {
      let chunk = handle.readData(ofLength: 1 << 16)
      bytes += chunk
      let atEnd = chunk.isEmpty
      var parser = CSVParser(bytes: bytes, source: path)
      do {
        if let header = try parser.nextRecord() {
          // Complete when a line break ended it (the byte before the parser's position).
          let last = bytes[parser.position - 1]
          if atEnd || last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") {
            try checkHeader(header.fields, source: path)
            return header.fields
          }
        } else if atEnd {
          throw CSVTableError.empty(path: path)
        }
      } catch CSVTableError.unterminatedQuote where !atEnd {
        // The header's quoted field continues in the next chunk.
      }
    }
  }

  private init(bytes: [UInt8], source: String) throws {
    var parser = CSVParser(bytes: bytes, source: source)
    guard let header = try parser.nextRecord() else { throw CSVTableError.empty(path: source) }
    try Self.checkHeader(header.fields, source: source)
    self.source = source
    self.columnNames = header.fields
    self.lineNumbers = []
    self.cells = Array(repeating: [], count: header.fields.count)
    while let record = try parser.nextRecord() { try appendRow(record.fields, line: record.line) }
  }

  private static func readBytes(_ url: URL) throws -> [UInt8] {
    let path = url.path
    guard FileManager.default.fileExists(atPath: path) else { throw CSVTableError.missingFile(path: path) }
    do {
      return [UInt8](try Data(contentsOf: url))
    } catch {
      throw CSVTableError.cannotRead(path: path, reason: (error as NSError).localizedDescription)
    }
  }

  private static func checkHeader(_ names: [String], source: String) throws {
    var seen = Set<String>()
    for name in names where !seen.insert(name).inserted {
      throw CSVTableError.duplicateColumn(path: source, name: name)
    }
  }

  private mutating func appendRow(_ fields: [String], line: Int) throws {
    guard fields.count == columnNames.count else {
      throw CSVTableError.raggedRow(path: source, line: line, expected: columnNames.count, found: fields.count)
    }
    for (column, field) in fields.enumerated() { cells[column].append(field) }
    lineNumbers.append(line)
  }

  // MARK: Access

  /// The position of `column` among `columnNames`.
  /// - Throws: `CSVTableError.unknownColumn` listing the available columns.
  public func columnIndex(_ column: String) throws -> Int {
    guard let index = columnNames.firstIndex(of: column) else {
      throw CSVTableError.unknownColumn(path: source, name: column, available: columnNames)
    }
    return index
  }

  /// Whether the table has a column of this name.
  public func hasColumn(_ column: String) -> Bool { columnNames.contains(column) }

  /// The fields of `column`, one per row.
  /// - Throws: `CSVTableError.unknownColumn`.
  public func strings(_ column: String) throws -> [String] { cells[try columnIndex(column)] }

  /// The numbers of `column`, one per row: `nil` for an empty field ("not applicable"), NaN and ±∞
  /// for `nan`, `inf`, `-inf`.
  /// - Throws: `CSVTableError.unknownColumn`, `.notANumber` with the first offending line.
  public func doubles(_ column: String) throws -> [Double?] {
    let index = try columnIndex(column)
    return try cells[index].enumerated().map { row, field in
      if field.isEmpty { return nil }
      guard let value = Self.number(field) else {
        throw CSVTableError.notANumber(path: source, column: column, line: lineNumbers[row], value: field)
      }
      return value
    }
  }

  /// The field in `row` (0-based) and column position `column`.
  public func field(row: Int, column: Int) -> String { cells[column][row] }

  /// All fields of `row` (0-based), in column order.
  public func row(_ row: Int) -> [String] { cells.map { $0[row] } }

  /// The distinct values of `column`: numbers in numeric order, then text, the empty field last.
  /// - Throws: `CSVTableError.unknownColumn`.
  public func distinctValues(_ column: String) throws -> [String] {
    Array(Set(try strings(column))).sorted(by: naturalOrder)
  }

  /// The rows at `indices` (in that order), keeping their line numbers.
  public func selecting(rows indices: some Sequence<Int>) -> CSVTable {
    var copy = self
    let indices = Array(indices)
    copy.lineNumbers = indices.map { lineNumbers[$0] }
    copy.cells = cells.map { column in indices.map { column[$0] } }
    return copy
  }

  /// The rows that match every filter (an empty list keeps every row).
  /// - Throws: `CSVTableError.unknownColumn` for a filter's column.
  public func filtered(_ filters: [RowFilter]) throws -> CSVTable {
    var indices = Array(0..<rowCount)
    for filter in filters {
      let column = cells[try columnIndex(filter.column)]
      indices = indices.filter { filter.matches(column[$0]) }
    }
    return selecting(rows: indices)
  }

  /// A field read as a number: our spellings (`0.1`, `1e-05`, `nan`, `inf`, `-inf`) and anything
  /// Swift's `Double(_:)` reads, ignoring surrounding spaces; `nil` if it is not a number.
  public static func number(_ field: String) -> Double? {
    if let value = Double(field) { return value }
    let trimmed = field.trimmingCharacters(in: .whitespaces)
    return trimmed == field ? nil : Double(trimmed)
  }
}

/// Orders field values numerically when both read as numbers (`2` before `10`), numbers before
/// text, text by Unicode scalars, and the empty field last.
func naturalOrder(_ a: String, _ b: String) -> Bool {
  if a.isEmpty || b.isEmpty { return !a.isEmpty && b.isEmpty }
  switch (CSVTable.number(a), CSVTable.number(b)) {
  case (let x?, let y?) where x != y && !x.isNaN && !y.isNaN: return x < y
  case (.some, nil): return true
  case (nil, .some): return false
  default: return a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
  }
}

/// Orders lists of field values (series keys) by `naturalOrder`, first field first.
func naturalOrder(_ a: [String], _ b: [String]) -> Bool {
  for (x, y) in zip(a, b) where x != y { return naturalOrder(x, y) }
  return a.count < b.count
}

/// A streaming RFC 4180 record reader over UTF-8 bytes.
struct CSVParser {
  let bytes: [UInt8]
  let source: String
  /// The next byte to read.
  private(set) var position = 0
  /// The physical line of `position`, from 1.
  private var line = 1

  init(bytes: [UInt8], source: String) {
    self.bytes = bytes
    self.source = source
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
  }

  /// The next non-blank record and the line it starts on, or nil at the end.
  mutating func nextRecord() throws -> (fields: [String], line: Int)? {
    let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), newline = UInt8(ascii: "\n"),
      carriageReturn = UInt8(ascii: "\r")
    while position < bytes.count {
      let start = line
      var fields = [String]()
      var field = [UInt8]()
      var fieldWasQuoted = false
      var endOfRecord = false
      while position < bytes.count && !endOfRecord {
        let byte = bytes[position]
        position += 1
        switch byte {
        case comma:
          fields.append(String(decoding: field, as: UTF8.self))
          field.removeAll(keepingCapacity: true)
          fieldWasQuoted = false
        case quote where field.isEmpty && !fieldWasQuoted:
          fieldWasQuoted = true
          try readQuoted(into: &field, recordLine: start)
        case newline, carriageReturn:
          if byte == carriageReturn && position < bytes.count && bytes[position] == newline { position += 1 }
          line += 1
          endOfRecord = true
        default:
          field.append(byte)
        }
      }
      if fields.isEmpty && field.isEmpty && !fieldWasQuoted { continue }  // a blank line
      fields.append(String(decoding: field, as: UTF8.self))
      return (fields, start)
    }
    return nil
  }

  /// Reads a quoted field's content after its opening quote, through the closing quote.
  private mutating func readQuoted(into field: inout [UInt8], recordLine: Int) throws {
    let quote = UInt8(ascii: "\"")
    while position < bytes.count {
      let byte = bytes[position]
      position += 1
      if byte == quote {
        if position < bytes.count && bytes[position] == quote {
          field.append(quote)
          position += 1
          continue
        }
        if position < bytes.count, ![UInt8(ascii: ","), UInt8(ascii: "\n"), UInt8(ascii: "\r")].contains(bytes[position]) {
          throw CSVTableError.textAfterClosingQuote(path: source, line: line)
        }
        return
      }
      if byte == UInt8(ascii: "\n") { line += 1 }
      field.append(byte)
    }
    throw CSVTableError.unterminatedQuote(path: source, line: recordLine)
  }
}

/// Why a CSV file could not be read, or a column could not be used.
public enum CSVTableError: Error, Equatable, CustomStringConvertible {
  /// There is no file at the path.
  case missingFile(path: String)
  /// The file exists but could not be read.
  case cannotRead(path: String, reason: String)
  /// The file has no header line.
  case empty(path: String)
  /// Two columns have the same name.
  case duplicateColumn(path: String, name: String)
  /// A row has a different number of fields than the header.
  case raggedRow(path: String, line: Int, expected: Int, found: Int)
  /// A quoted field is not closed before the end of the file.
  case unterminatedQuote(path: String, line: Int)
  /// A closing quote is followed by something other than `,` or the end of the line.
  case textAfterClosingQuote(path: String, line: Int)
  /// No column has this name.
  case unknownColumn(path: String, name: String, available: [String])
  /// A field that should be a number is not one.
  case notANumber(path: String, column: String, line: Int, value: String)

  /// What was expected, what was found, and how to fix it.
  public var description: String {
    switch self {
    case .missingFile(let path):
      "No such file: \(path). Check the path (a run directory holds measurements.csv and metrics.csv)."
    case .cannotRead(let path, let reason):
      "Cannot read \(path): \(reason). Check that it is a readable file."
    case .empty(let path):
      "\(path) is empty: expected a CSV header line (e.g. run,step,layer,quantity,value)."
    case .duplicateColumn(let path, let name):
      "\(path) has two columns named '\(name)'; column names must be distinct. Rename one in the header."
    case .raggedRow(let path, let line, let expected, let found):
      "\(path), line \(line): \(found) fields, expected \(expected) as in the header. "
        + "The line is truncated or has an unquoted comma; quote fields that contain commas (\"a,b\")."
    case .unterminatedQuote(let path, let line):
      "\(path), line \(line): a quoted field is never closed. Add the closing \" (write a literal quote as \"\")."
    case .textAfterClosingQuote(let path, let line):
      "\(path), line \(line): text follows a closing quote. Inside a quoted field write a literal quote as \"\"."
    case .unknownColumn(let path, let name, let available):
      "Unknown column '\(name)' in \(path)."
        + (closestMatch(to: name, among: available).map { " Did you mean '\($0)'?" } ?? "")
        + " Available columns: \(available.joined(separator: ", "))."
    case .notANumber(let path, let column, let line, let value):
      "\(path), line \(line): column \(column) holds '\(value)', expected a number (e.g. 0.5, 1e-05, nan, inf). "
        + "Plot a text column as --series or --facet rather than --x or --y."
    }
  }
}

/// The candidate within edit distance 2 of `name` (the closest, first on ties), if any.
func closestMatch(to name: String, among candidates: [String]) -> String? {
  func distance(_ a: [Character], _ b: [Character]) -> Int {
    var previous = Array(0...b.count)
    for (i, x) in a.enumerated() {
      var current = [i + 1]
      for (j, y) in b.enumerated() {
        current.append(Swift.min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
      }
      previous = current
    }
    return previous[b.count]
  }
  let target = Array(name.lowercased())
  let scored = candidates.map { ($0, distance(target, Array($0.lowercased()))) }
  guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= 2, best.1 < target.count else { return nil }
  return best.0
}
