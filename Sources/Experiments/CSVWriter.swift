import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// One cell of a CSV row, formatted deterministically so that identical runs give identical files.
///
/// Formatting: integers in decimal; `Double` and `Float` by Swift's shortest round-trip
/// `description` of their own type (`0.1`, `1e-05`, `2.0`, `1e+20`), NaN as `nan`, +∞ as `inf`,
/// −∞ as `-inf` (all read by pandas' `read_csv` and Python's `float`); `empty` as an empty field,
/// meaning "not applicable" (pandas reads NaN). Literals work: `["mlp", 3, 0.5, .empty]`.
public enum CSVField: Sendable, Equatable, ExpressibleByStringInterpolation, ExpressibleByIntegerLiteral,
  ExpressibleByFloatLiteral
{
  /// Text, quoted when it contains a comma, a double quote, or a line break.
  case text(String)
  /// An integer.
  case integer(Int)
  /// A `Double`.
  case double(Double)
  /// A `Float`, written with `Float`'s shortest digits (`0.1`, not `0.10000000149011612`).
  case float(Float)
  /// An empty field ("not applicable").
  case empty

  /// A text field.
  public init(stringLiteral value: String) { self = .text(value) }
  /// An integer field.
  public init(integerLiteral value: Int) { self = .integer(value) }
  /// A `Double` field.
  public init(floatLiteral value: Double) { self = .double(value) }
  /// A `Double` field, or `empty` for nil.
  public init(_ value: Double?) { self = value.map { .double($0) } ?? .empty }
  /// An integer field, or `empty` for nil.
  public init(_ value: Int?) { self = value.map { .integer($0) } ?? .empty }
  /// A text field, or `empty` for nil.
  public init(_ value: String?) { self = value.map { .text($0) } ?? .empty }
  /// `true` or `false`.
  public init(_ value: Bool) { self = .text(value ? "true" : "false") }

  /// The field as it appears in the file, quoted (RFC 4180) only when needed.
  public var encoded: String {
    switch self {
    case .text(let string): Self.quotedIfNeeded(string)
    case .integer(let value): value.description
    case .double(let value): Self.format(value)
    case .float(let value): Self.format(value)
    case .empty: ""
    }
  }

  private static func format<F: BinaryFloatingPoint & CustomStringConvertible>(_ value: F) -> String {
    if value.isNaN { return "nan" }
    if value.isInfinite { return value < 0 ? "-inf" : "inf" }
    return value.description
  }

  /// `string`, or `"…"` with inner quotes doubled when it contains `,`, `"`, `\n` or `\r`.
  static func quotedIfNeeded(_ string: String) -> String {
    let needsQuotes = string.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
    guard needsQuotes else { return string }
    return "\"" + string.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
}

/// A streaming writer of a tidy CSV table: a fixed header, then one line per `append(row:)`.
///
/// Lines end in `\n` (pandas, R and spreadsheets accept it; RFC 4180's `\r\n` is not needed).
/// Rows collect in an in-memory buffer that is written to the file when it exceeds
/// `bufferCapacity`, at `flush()` and at `close()`. After `flush()` the rows are in the operating
/// system's hands: readers see them and they survive the process being killed; `flush(durable:
/// true)` also waits until they are on disk (`fsync`), surviving a power loss.
///
/// The file always ends on a whole row: the buffer holds whole lines only, and when writing it
/// fails part-way (a full disk, a file-size limit) the file is cut back to its last complete row
/// before the error is thrown, so every row already written stays readable.
///
/// Not thread-safe: one writer belongs to one thread or task at a time (the class is deliberately
/// not `Sendable`). Call `close()` to see errors; a writer released without it flushes and closes
/// silently.
public final class CSVWriter {
  /// How `init` treats an existing file.
  public enum Mode: Sendable {
    /// Create the file, or truncate an existing one, and write the header.
    case create
    /// Continue an existing file whose first line is this header (e.g. a resumed sweep), or
    /// create it as `create` does when it is missing or empty.
    case append
  }

  /// The file.
  public let url: URL
  /// The column names, in order.
  public let header: [String]
  /// Buffered bytes beyond which rows are written to the file without waiting for `flush()`.
  public let bufferCapacity: Int
  /// Number of rows appended through this writer (not counting rows already in the file).
  public private(set) var rowCount = 0

  private let path: String
  private var descriptor: Int32
  private var buffer: [UInt8] = []
  private let columnIndex: [String: Int]
  /// The file's length after the last complete write: always the end of a whole row.
  private var committedLength = 0

  /// Opens `url` for writing rows under `header` (non-empty, distinct column names).
  /// - Throws: `CSVWriterError.cannotOpen` (missing directory, …), `.writeFailed`, and in `append`
  ///   mode `.headerMismatch` or `.incompleteLastLine`.
  public init(url: URL, header: [String], mode: Mode = .create, bufferCapacity: Int = 1 << 16) throws {
    precondition(!header.isEmpty, "A CSV table needs at least one column")
    precondition(Set(header).count == header.count, "CSV column names must be distinct: \(header)")
    self.url = url
    self.header = header
    self.bufferCapacity = bufferCapacity
    let path = url.path
    self.path = path
    self.columnIndex = Dictionary(uniqueKeysWithValues: header.enumerated().map { ($1, $0) })
    let flags = mode == .create ? O_WRONLY | O_CREAT | O_TRUNC : O_RDWR | O_CREAT | O_APPEND
    do throws(SystemErrorCode) {
      descriptor = try SystemCalls.open(path, flags)
    } catch {
      throw CSVWriterError.cannotOpen(path: path, reason: error)
    }
    do {
      let headerLine = Self.line(header.map { CSVField.text($0) })
      let existingSize: Int
      do throws(SystemErrorCode) { existingSize = try SystemCalls.size(descriptor) } catch {
        throw CSVWriterError.cannotOpen(path: path, reason: error)
      }
      if existingSize == 0 {
        buffer = headerLine
        try flush()
      } else {
        try checkExistingFile(expectedHeader: headerLine, size: existingSize)
        committedLength = existingSize
      }
    } catch {
      try? SystemCalls.close(descriptor)
      descriptor = -1
      throw error
    }
  }

  deinit {
    if descriptor >= 0 {
      try? writeBuffer()
      try? SystemCalls.close(descriptor)
    }
  }

  /// Appends one row with a field per column, in header order.
  /// - Throws: `CSVWriterError.wrongFieldCount`, `.closed`, `.writeFailed` (when the buffer is written).
  public func append(row: [CSVField]) throws {
    guard descriptor >= 0 else { throw CSVWriterError.closed(path: path) }
    guard row.count == header.count else {
      throw CSVWriterError.wrongFieldCount(path: path, expected: header.count, found: row.count, header: header)
    }
    buffer += Self.line(row)
    rowCount += 1
    if buffer.count >= bufferCapacity { try writeBuffer() }
  }

  /// Appends one row given by column name; columns not mentioned are `empty`.
  /// - Throws: `CSVWriterError.unknownColumns` for names not in the header, `.closed`, `.writeFailed`.
  public func append(row fields: [String: CSVField]) throws {
    var row = [CSVField](repeating: .empty, count: header.count)
    var unknown = [String]()
    for (name, field) in fields {
      if let index = columnIndex[name] { row[index] = field } else { unknown.append(name) }
    }
    guard unknown.isEmpty else {
      throw CSVWriterError.unknownColumns(path: path, names: unknown.sorted(), header: header)
    }
    try append(row: row)
  }

  /// Writes the buffered rows to the file, and with `durable` also to disk (`fsync`).
  /// - Throws: `CSVWriterError.writeFailed`, `.closed`.
  public func flush(durable: Bool = false) throws {
    guard descriptor >= 0 else { throw CSVWriterError.closed(path: path) }
    try writeBuffer()
    if durable {
      do throws(SystemErrorCode) { try SystemCalls.sync(descriptor) } catch {
        throw CSVWriterError.writeFailed(path: path, reason: error)
      }
    }
  }

  /// Flushes durably and closes the file. Further appends throw `.closed`; closing twice is allowed.
  /// - Throws: `CSVWriterError.writeFailed`.
  public func close() throws {
    guard descriptor >= 0 else { return }
    defer { descriptor = -1 }
    do {
      try flush(durable: true)
    } catch {
      try? SystemCalls.close(descriptor)
      throw error
    }
    do throws(SystemErrorCode) { try SystemCalls.close(descriptor) } catch {
      throw CSVWriterError.writeFailed(path: path, reason: error)
    }
  }

  /// The encoded line of `fields`: comma-separated, `\n`-terminated, UTF-8.
  static func line(_ fields: [CSVField]) -> [UInt8] {
    Array((fields.map(\.encoded).joined(separator: ",") + "\n").utf8)
  }

  private func writeBuffer() throws {
    do throws(SystemErrorCode) {
      try SystemCalls.appendWhole(descriptor, buffer, committedLength: &committedLength)
    } catch {
      throw CSVWriterError.writeFailed(path: path, reason: error)
    }
    buffer.removeAll(keepingCapacity: true)
  }

  /// Checks that an existing file starts with `expectedHeader` and ends with a complete line.
  private func checkExistingFile(expectedHeader: [UInt8], size: Int) throws {
    let start: [UInt8], head: [UInt8], last: [UInt8]
    do throws(SystemErrorCode) {
      start = try SystemCalls.read(descriptor, count: min(size, expectedHeader.count), at: 0)
      head = try SystemCalls.read(descriptor, count: min(size, 4096), at: 0)
      last = try SystemCalls.read(descriptor, count: 1, at: size - 1)
    } catch {
      throw CSVWriterError.cannotOpen(path: path, reason: error)
    }
    guard start == expectedHeader else {
      // Show the file's actual first line (within its first 4 KiB) in the message.
      let firstLine = head.split(separator: UInt8(ascii: "\n"), maxSplits: 1, omittingEmptySubsequences: false).first ?? []
      throw CSVWriterError.headerMismatch(
        path: path, expected: String(decoding: expectedHeader.dropLast(), as: UTF8.self),
        found: String(decoding: firstLine, as: UTF8.self))
    }
    guard last == [UInt8(ascii: "\n")] else { throw CSVWriterError.incompleteLastLine(path: path) }
  }
}

/// Why a CSV file could not be opened, continued or written.
public enum CSVWriterError: Error, Equatable, CustomStringConvertible {
  /// The file could not be opened or inspected.
  case cannotOpen(path: String, reason: SystemErrorCode)
  /// Writing or syncing rows failed (e.g. disk full).
  case writeFailed(path: String, reason: SystemErrorCode)
  /// In append mode, the existing file's first line is not the expected header.
  case headerMismatch(path: String, expected: String, found: String)
  /// In append mode, the existing file does not end with a line break (an interrupted write).
  case incompleteLastLine(path: String)
  /// A row has a different number of fields than the header has columns.
  case wrongFieldCount(path: String, expected: Int, found: Int, header: [String])
  /// A named row mentions columns that the header does not have.
  case unknownColumns(path: String, names: [String], header: [String])
  /// The writer was already closed.
  case closed(path: String)

  /// What was expected, what was found, and how to fix it.
  public var description: String {
    switch self {
    case .cannotOpen(let path, let reason):
      "Cannot open the CSV file \(path): \(reason). Check that its directory exists and is writable, or choose another --output."
    case .writeFailed(let path, let reason):
      "Cannot write rows to \(path): \(reason). Free disk space or choose another --output."
    case .headerMismatch(let path, let expected, let found):
      "Cannot continue \(path): its header is '\(found)', expected '\(expected)'. "
        + "The file comes from a different version or table; move it away or choose another --output."
    case .incompleteLastLine(let path):
      "Cannot continue \(path): its last line is incomplete (an interrupted write). "
        + "Delete the partial last line, or move the file away to start over."
    case .wrongFieldCount(let path, let expected, let found, let header):
      "A row for \(path) has \(found) fields, expected \(expected) (\(header.joined(separator: ",")))."
    case .unknownColumns(let path, let names, let header):
      "A row for \(path) names unknown columns \(names.joined(separator: ", ")). Expected some of: \(header.joined(separator: ", "))."
    case .closed(let path):
      "The CSV writer for \(path) is closed; open a new CSVWriter in append mode to add rows."
    }
  }
}
