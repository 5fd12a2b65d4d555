import Foundation

/// A TensorBoard event file (`events.out.tfevents.<seconds>.<host>`) of scalar summaries, so that
/// `tensorboard --logdir runs/` shows a run's curves while it trains (W&B imports these files too).
///
/// The format is TensorFlow's record file of `Event` protocol buffers, written by hand: each record
/// is the little-endian `UInt64` length of its data, the masked CRC-32C of those 8 bytes, the data,
/// and the masked CRC-32C of the data (mask: rotate right by 15, add `0xa282ead8`). The first event
/// holds `file_version = "brain.Event:2"`; every other one a wall time, a step and a `Summary` with
/// one `simple_value` per tag. Only the protobuf fields needed are encoded: `Event` 1 `wall_time`
/// (double), 2 `step` (int64), 3 `file_version` (string), 5 `summary`; `Summary` 1 `value`;
/// `Summary.Value` 1 `tag` (string), 2 `simple_value` (float).
///
/// Records are buffered and written whole by `flush()`, so a run killed between flushes leaves a
/// file that every reader accepts up to its last flush. Not thread-safe, like `CSVWriter`.
public final class TensorBoardEventFile {
  /// The file.
  public let url: URL
  private let path: String
  private var descriptor: Int32
  private var buffer: [UInt8] = []
  private var committedLength = 0

  /// The conventional file name for a file created at `date` on `host`.
  public static func fileName(date: Date = Date(), host: String = ProcessInfo.processInfo.hostName) -> String {
    let safeHost = host.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" }
    return "events.out.tfevents.\(Int(date.timeIntervalSince1970)).\(String(safeHost))"
  }

  /// Creates (or truncates) the file at `url` and writes the version record.
  /// - Throws: `CSVWriterError.cannotOpen` / `.writeFailed` (the same file errors as the CSV files).
  public init(url: URL, wallTime: Double = Date().timeIntervalSince1970) throws {
    self.url = url
    path = url.path
    do throws(SystemErrorCode) {
      descriptor = try SystemCalls.open(path, O_WRONLY | O_CREAT | O_TRUNC)
    } catch {
      throw CSVWriterError.cannotOpen(path: path, reason: error)
    }
    var event = ProtobufWriter()
    event.double(field: 1, wallTime)
    event.string(field: 3, "brain.Event:2")
    buffer += Self.record(event.bytes)
    try flush()
  }

  deinit {
    if descriptor >= 0 {
      try? writeBuffer()
      try? SystemCalls.close(descriptor)
    }
  }

  /// Buffers one event with the scalar `values` (tag → value) at `step`.
  /// - Throws: `CSVWriterError.closed` after `close()`.
  public func add(step: Int, wallTime: Double = Date().timeIntervalSince1970, scalars values: [(tag: String, value: Double)]) throws {
    guard descriptor >= 0 else { throw CSVWriterError.closed(path: path) }
    guard !values.isEmpty else { return }
    var summary = ProtobufWriter()
    for (tag, value) in values {
      var entry = ProtobufWriter()
      entry.string(field: 1, tag)
      entry.float(field: 2, Float(value))
      summary.message(field: 1, entry)
    }
    var event = ProtobufWriter()
    event.double(field: 1, wallTime)
    event.varint(field: 2, UInt64(bitPattern: Int64(step)))
    event.message(field: 5, summary)
    buffer += Self.record(event.bytes)
  }

  /// Writes the buffered records to the file.
  /// - Throws: `CSVWriterError.writeFailed` (the file is cut back to its last whole record), `.closed`.
  public func flush() throws {
    guard descriptor >= 0 else { throw CSVWriterError.closed(path: path) }
    try writeBuffer()
  }

  /// Flushes and closes; closing twice is allowed.
  /// - Throws: `CSVWriterError.writeFailed`.
  public func close() throws {
    guard descriptor >= 0 else { return }
    defer { descriptor = -1 }
    do { try writeBuffer() } catch {
      try? SystemCalls.close(descriptor)
      throw error
    }
    do throws(SystemErrorCode) {
      try SystemCalls.sync(descriptor)
      try SystemCalls.close(descriptor)
    } catch {
      throw CSVWriterError.writeFailed(path: path, reason: error)
    }
  }

  private func writeBuffer() throws {
    do throws(SystemErrorCode) {
      try SystemCalls.appendWhole(descriptor, buffer, committedLength: &committedLength)
    } catch {
      throw CSVWriterError.writeFailed(path: path, reason: error)
    }
    buffer.removeAll(keepingCapacity: true)
  }

  /// One framed record: length, its masked CRC, the data, its masked CRC.
  static func record(_ data: [UInt8]) -> [UInt8] {
    var length = [UInt8]()
    var n = UInt64(data.count)
    for _ in 0..<8 {
      length.append(UInt8(n & 0xFF))
      n >>= 8
    }
    return length + littleEndian(maskedCRC(length)) + data + littleEndian(maskedCRC(data))
  }

  static func littleEndian(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8((value >> (8 * $0)) & 0xFF) } }

  /// TensorFlow's masked CRC-32C.
  static func maskedCRC(_ bytes: [UInt8]) -> UInt32 {
    let crc = CRC32C.checksum(bytes)
    return ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
  }
}

/// CRC-32C (Castagnoli, reflected polynomial `0x82F63B78`), table-driven.
enum CRC32C {
  static let table: [UInt32] = (0..<256).map { i in
    var c = UInt32(i)
    for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
    return c
  }

  static func checksum(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
    return crc ^ 0xFFFF_FFFF
  }
}

/// The few protocol-buffer encodings an event needs (wire types 0, 1, 2, 5).
struct ProtobufWriter {
  private(set) var bytes: [UInt8] = []

  private mutating func rawVarint(_ value: UInt64) {
    var v = value
    while v >= 0x80 {
      bytes.append(UInt8(v & 0x7F) | 0x80)
      v >>= 7
    }
    bytes.append(UInt8(v))
  }

  private mutating func key(_ field: Int, _ wireType: UInt64) { rawVarint(UInt64(field) << 3 | wireType) }

  mutating func varint(field: Int, _ value: UInt64) {
    key(field, 0)
    rawVarint(value)
  }

  mutating func double(field: Int, _ value: Double) {
    key(field, 1)
    let bits = value.bitPattern
    for i in 0..<8 { bytes.append(UInt8((bits >> (8 * UInt64(i))) & 0xFF)) }
  }

  mutating func float(field: Int, _ value: Float) {
    key(field, 5)
    let bits = value.bitPattern
    for i in 0..<4 { bytes.append(UInt8((bits >> (8 * UInt32(i))) & 0xFF)) }
  }

  mutating func string(field: Int, _ value: String) {
    key(field, 2)
    let utf8 = Array(value.utf8)
    rawVarint(UInt64(utf8.count))
    bytes += utf8
  }

  mutating func message(field: Int, _ value: ProtobufWriter) {
    key(field, 2)
    rawVarint(UInt64(value.bytes.count))
    bytes += value.bytes
  }
}
