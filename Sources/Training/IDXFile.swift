/// One IDX file of unsigned bytes, the format of MNIST and Fashion-MNIST.
///
/// Layout (integers big-endian): two zero bytes, the type code `0x08` (unsigned byte), the number
/// of dimensions `k`, then `k` dimensions as `UInt32`, then `∏ dimensions` bytes in row-major order.
/// The file may be raw or gzip-compressed; gzip is recognized by its magic bytes `1f 8b`, not by
/// the file name.
public struct IDXFile: Sendable {
  /// The two kinds of IDX file of an MNIST-style data set, each with its exact magic number.
  public enum Kind: Sendable {
    /// `count × rows × columns` pixels, magic `0x00000803`.
    case images
    /// `count` class labels, magic `0x00000801`.
    case labels

    /// The first four bytes as a big-endian integer: `0x0000_08kk` with `kk` dimensions.
    public var magic: UInt32 { 0x0000_0800 | UInt32(dimensionCount) }

    /// Number of dimensions, the first being the sample count.
    public var dimensionCount: Int {
      switch self {
      case .images: 3
      case .labels: 1
      }
    }
  }

  /// What the file holds.
  public let kind: Kind
  /// The dimensions of the header: `[count, rows, columns]` for images, `[count]` for labels.
  public let dimensions: [Int]
  /// The decoded (decompressed) file, header included.
  private let bytes: [UInt8]

  /// Number of samples, `dimensions[0]`.
  public var count: Int { dimensions[0] }
  /// Bytes per sample: `rows · columns` for images, 1 for labels.
  public var sampleSize: Int { dimensions.dropFirst().reduce(1, *) }
  /// Size of the header in bytes: `4 + 4k`.
  public var headerSize: Int { 4 + 4 * dimensions.count }
  /// The `count · sampleSize` data bytes, row-major.
  public var payload: ArraySlice<UInt8> { bytes[headerSize...] }

  /// Calls `body` with the payload bytes (no copy).
  public func withUnsafePayload<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
    try bytes.withUnsafeBufferPointer { all in
      try body(UnsafeBufferPointer(rebasing: all[headerSize...]))
    }
  }

  /// Parses the contents of an IDX file of `kind`, raw or gzip-compressed.
  /// - Parameter fileName: how the file is named in error messages.
  /// - Throws: `DataError` gzip errors; `.badMagic` unless the magic is exactly `kind.magic`;
  ///   `.truncatedHeader`; `.truncatedPayload` / `.trailingPayload` unless the payload holds exactly
  ///   `∏ dimensions` bytes.
  public init(decoding data: [UInt8], kind: Kind, fileName: String) throws {
    let bytes = Gzip.hasMagic(data) ? try Gzip.decompress(data, fileName: fileName) : data
    guard bytes.count >= 4 else {
      throw DataError.truncatedHeader(file: fileName, expectedBytes: 4 + 4 * kind.dimensionCount, foundBytes: bytes.count)
    }
    let magic = Self.bigEndianUInt32(bytes, at: 0)
    guard magic == kind.magic else { throw DataError.badMagic(file: fileName, expected: kind.magic, found: magic) }
    let headerSize = 4 + 4 * kind.dimensionCount
    guard bytes.count >= headerSize else {
      throw DataError.truncatedHeader(file: fileName, expectedBytes: headerSize, foundBytes: bytes.count)
    }
    let dimensions = (0..<kind.dimensionCount).map { Int(Self.bigEndianUInt32(bytes, at: 4 + 4 * $0)) }
    // Three UInt32 factors can overflow Int: then no file can be long enough.
    let expected = dimensions.reduce(1) { product, d in
      let (result, overflow) = product.multipliedReportingOverflow(by: d)
      return overflow ? Int.max : result
    }
    let found = bytes.count - headerSize
    if found < expected {
      throw DataError.truncatedPayload(file: fileName, dimensions: dimensions, expectedBytes: expected, foundBytes: found)
    }
    if found > expected {
      throw DataError.trailingPayload(file: fileName, dimensions: dimensions, expectedBytes: expected, foundBytes: found)
    }
    self.kind = kind
    self.dimensions = dimensions
    self.bytes = bytes
  }

  /// Reads and parses the IDX file at `path` (raw or gzip-compressed).
  /// - Throws: `DataError.unreadableFile`, and the errors of `init(decoding:kind:fileName:)` naming `path`.
  public init(contentsOfFile path: String, kind: Kind) throws {
    try self.init(decoding: try readFileBytes(atPath: path), kind: kind, fileName: path)
  }

  private static func bigEndianUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
    UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
      | UInt32(bytes[offset + 3])
  }
}
