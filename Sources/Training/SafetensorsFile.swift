import Foundation
import NumericCore

/// A set of named tensors with string metadata in the safetensors format
/// (https://huggingface.co/docs/safetensors), read and written without external dependencies.
///
/// File layout:
/// ```
/// [8 bytes]  N, the header length, UInt64 little-endian
/// [N bytes]  UTF-8 JSON: {"__metadata__": {"k": "v"},
///                         "<name>": {"dtype": "F32", "shape": [r, c], "data_offsets": [begin, end]}, ...}
///            padded with trailing spaces so that 8 + N is a multiple of 8
/// [rest]     the data section: every tensor's elements, row-major, little-endian, back to back;
///            offsets are relative to the start of this section
/// ```
///
/// **Determinism.** Tensors are written in insertion order, both in the header and in the data
/// section; the header is compact JSON with `__metadata__` first (omitted when empty, keys sorted)
/// and the keys of each entry in the order `dtype`, `shape`, `data_offsets`. Identical input
/// gives byte-identical files. Reading keeps the data-section order, so a round trip preserves
/// `names`.
///
/// Lives in Training so that data files (`--data safetensors:FILE`) and weights share one parser;
/// `init(contentsOfFile:)` reads with the data loaders' file access, while Experiments adds
/// `read(from:)` and the atomic `write(to:)` of run directories (`SafetensorsFile+Files`).
///
/// PyTorch, NumPy and `safetensors.numpy.load_file` read these files; a `Matrix` is stored with
/// shape `[rows, columns]`, the layout of `torch.nn.Linear.weight` for a weight matrix.
public struct SafetensorsFile: Sendable, Equatable {
  /// One tensor: its element type, its shape and its raw little-endian bytes, row-major.
  public struct Tensor: Sendable, Equatable {
    /// Element type.
    public let dtype: SafetensorsDType
    /// Dimensions, outermost first (`[]` for a scalar).
    public let shape: [Int]
    /// `shape.product × dtype.byteCount` bytes.
    public let bytes: [UInt8]

    /// A tensor over `bytes`, which must hold exactly `shape.product × dtype.byteCount` bytes.
    public init(dtype: SafetensorsDType, shape: [Int], bytes: [UInt8]) {
      precondition(shape.allSatisfy { $0 >= 0 }, "Tensor shape \(shape) has a negative dimension")
      precondition(
        bytes.count == shape.reduce(1, *) * dtype.byteCount,
        "Tensor of dtype \(dtype.rawValue) and shape \(shape) needs \(shape.reduce(1, *) * dtype.byteCount) bytes, got \(bytes.count)")
      self.dtype = dtype
      self.shape = shape
      self.bytes = bytes
    }

    /// Number of elements, the product of `shape` (1 for a scalar).
    public var elementCount: Int { shape.reduce(1, *) }
  }

  /// The tensor names in file order (insertion order for a file being built).
  public private(set) var names: [String] = []
  private var tensors: [String: Tensor] = [:]
  /// The string pairs of the header's `__metadata__` object.
  public var metadata: [String: String]
  /// Where the tensors came from, for error messages: the path of a read file, else `"<memory>"`.
  public private(set) var source: String = "<memory>"

  /// An empty file with the given metadata; `source` labels its error messages.
  public init(metadata: [String: String] = [:], source: String = "<memory>") {
    self.metadata = metadata
    self.source = source
  }

  /// Same tensors in the same order, and same metadata (the `source` label is ignored).
  public static func == (a: SafetensorsFile, b: SafetensorsFile) -> Bool {
    a.names == b.names && a.tensors == b.tensors && a.metadata == b.metadata
  }

  /// The tensor called `name`, or nil.
  public subscript(name: String) -> Tensor? { tensors[name] }

  // MARK: Adding tensors

  /// Appends `tensor` under `name`, which must be new and not `__metadata__`.
  public mutating func add(_ name: String, _ tensor: Tensor) {
    precondition(name != "__metadata__", "'__metadata__' is reserved by the safetensors format")
    precondition(tensors[name] == nil, "A tensor named '\(name)' was already added")
    names.append(name)
    tensors[name] = tensor
  }

  /// Appends `matrix` under `name` with shape `[rows, columns]` and dtype `Scalar.safetensorsDType`
  /// (F32 or F64); its storage is copied in one block.
  public mutating func add<Scalar: BLASScalar>(_ name: String, _ matrix: Matrix<Scalar>) {
    add(name, matrix, shape: [matrix.rows, matrix.columns])
  }

  /// Appends the entries of `matrix` under `name` with another `shape` of the same element count,
  /// e.g. `[fanOut]` for a `1 × fanOut` bias, as PyTorch stores it.
  public mutating func add<Scalar: BLASScalar>(_ name: String, _ matrix: Matrix<Scalar>, shape: [Int]) {
    let dtype = Self.dtype(of: Scalar.self)
    precondition(shape.reduce(1, *) == matrix.count, "Shape \(shape) does not hold the \(matrix.rows)×\(matrix.columns) entries of '\(name)'")
    let bytes = matrix.withUnsafeBufferPointer { Array(UnsafeRawBufferPointer($0)) }
    add(name, Tensor(dtype: dtype, shape: shape, bytes: bytes))
  }

  /// Appends `values` (row-major) under `name` with the given `shape`, whose product must equal
  /// `values.count`; e.g. `[Int32]` labels with shape `[n]`.
  public mutating func add<Element: SafetensorsElement>(_ name: String, _ values: [Element], shape: [Int]) {
    precondition(shape.reduce(1, *) == values.count, "Shape \(shape) does not hold the \(values.count) values of '\(name)'")
    let bytes = values.withUnsafeBytes { Array($0) }
    add(name, Tensor(dtype: Element.safetensorsElementDType, shape: shape, bytes: bytes))
  }

  // MARK: Getting tensors

  /// The tensor called `name`.
  /// - Throws: `SafetensorsError.missingTensor` listing the available names.
  public func tensor(named name: String) throws -> Tensor {
    guard let tensor = tensors[name] else {
      throw SafetensorsError.missingTensor(source: source, name: name, available: names)
    }
    return tensor
  }

  /// The tensor `name` as a matrix: shape `[r, c]` gives `r × c`, `[n]` a `1 × n` row vector and
  /// `[]` a `1 × 1` matrix.
  /// - Parameter shape: when given, the tensor's shape must equal it exactly.
  /// - Throws: `SafetensorsError.missingTensor`, `.dtypeMismatch` (the dtype must be
  ///   `Scalar.safetensorsDType`), `.shapeMismatch` (not the given `shape`), `.notAMatrix` (rank
  ///   above 2).
  public func matrix<Scalar: BLASScalar>(
    named name: String, as type: Scalar.Type = Scalar.self, shape: [Int]? = nil
  ) throws -> Matrix<Scalar> {
    let tensor = try tensor(named: name)
    let expectedDType = Self.dtype(of: Scalar.self)
    guard tensor.dtype == expectedDType else {
      throw SafetensorsError.dtypeMismatch(source: source, name: name, expected: expectedDType, found: tensor.dtype)
    }
    if let shape, shape != tensor.shape {
      throw SafetensorsError.shapeMismatch(source: source, name: name, expected: shape, found: tensor.shape)
    }
    let (rows, columns): (Int, Int)
    switch tensor.shape.count {
    case 0: (rows, columns) = (1, 1)
    case 1: (rows, columns) = (1, tensor.shape[0])
    case 2: (rows, columns) = (tensor.shape[0], tensor.shape[1])
    default:
      throw SafetensorsError.notAMatrix(source: source, name: name, shape: tensor.shape)
    }
    return Matrix(rows: rows, columns: columns, storage: Self.elements(of: tensor, as: Scalar.self))
  }

  /// The elements of tensor `name`, row-major, e.g. `values(named: "labels", as: Int32.self)`.
  /// - Parameter shape: when given, the tensor's shape must equal it exactly.
  /// - Throws: `SafetensorsError.missingTensor`, `.dtypeMismatch`, `.shapeMismatch`.
  public func values<Element: SafetensorsElement>(
    named name: String, as type: Element.Type = Element.self, shape: [Int]? = nil
  ) throws -> [Element] {
    let tensor = try tensor(named: name)
    guard tensor.dtype == Element.safetensorsElementDType else {
      throw SafetensorsError.dtypeMismatch(
        source: source, name: name, expected: Element.safetensorsElementDType, found: tensor.dtype)
    }
    if let shape, shape != tensor.shape {
      throw SafetensorsError.shapeMismatch(source: source, name: name, expected: shape, found: tensor.shape)
    }
    return Self.elements(of: tensor, as: Element.self)
  }

  /// The dtype that stores `Scalar` (F32 for `Float`, F64 for `Double`).
  private static func dtype<Scalar: BLASScalar>(of type: Scalar.Type) -> SafetensorsDType {
    guard let dtype = SafetensorsDType(rawValue: Scalar.safetensorsDType) else {
      preconditionFailure("\(Scalar.self).safetensorsDType '\(Scalar.safetensorsDType)' is not a safetensors dtype")
    }
    return dtype
  }

  /// Copies the bytes of `tensor` into a new array of `T` in one block (the caller checked the dtype).
  private static func elements<T>(of tensor: Tensor, as type: T.Type) -> [T] {
    let count = tensor.elementCount
    precondition(tensor.bytes.count == count * MemoryLayout<T>.stride, "Tensor bytes do not match \(T.self)")
    return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
      tensor.bytes.withUnsafeBytes { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: $0) }
      initialized = count
    }
  }

  // MARK: Writing

  /// The 8-byte length prefix followed by the space-padded JSON header, so that its length is a
  /// multiple of 8 and the data section that follows is 8-byte aligned.
  public func serializedHeader() -> [UInt8] {
    var json = "{"
    var first = true
    if !metadata.isEmpty {
      let pairs = metadata.sorted { $0.key < $1.key }.map { "\(Self.jsonString($0.key)):\(Self.jsonString($0.value))" }
      json += "\"__metadata__\":{\(pairs.joined(separator: ","))}"
      first = false
    }
    var offset = 0
    for name in names {
      let tensor = tensors[name]!
      let shape = tensor.shape.map(String.init).joined(separator: ",")
      json += (first ? "" : ",")
        + "\(Self.jsonString(name)):{\"dtype\":\"\(tensor.dtype.rawValue)\",\"shape\":[\(shape)],"
        + "\"data_offsets\":[\(offset),\(offset + tensor.bytes.count)]}"
      offset += tensor.bytes.count
      first = false
    }
    json += "}"
    var header = Array(json.utf8)
    header += Array(repeating: UInt8(ascii: " "), count: (8 - header.count % 8) % 8)
    return withUnsafeBytes(of: UInt64(header.count).littleEndian) { Array($0) } + header
  }

  /// The whole file in memory: `serializedHeader()` followed by every tensor's bytes.
  public func serialized() -> [UInt8] {
    var bytes = serializedHeader()
    for name in names { bytes += tensors[name]!.bytes }
    return bytes
  }

  /// `string` as a JSON string literal: quotes, backslashes and control characters escaped,
  /// everything else as UTF-8.
  public static func jsonString(_ string: String) -> String {
    var result = "\""
    for scalar in string.unicodeScalars {
      switch scalar {
      case "\"": result += "\\\""
      case "\\": result += "\\\\"
      case "\n": result += "\\n"
      case "\r": result += "\\r"
      case "\t": result += "\\t"
      case _ where scalar.value < 0x20:
        let hex = String(scalar.value, radix: 16)
        result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: result.unicodeScalars.append(scalar)
      }
    }
    return result + "\""
  }

  // MARK: Reading

  /// Reads and validates the safetensors file at `path` (the whole file in memory).
  /// - Throws: `SafetensorsError.cannotRead` with the system's reason, and the errors of
  ///   `init(parsing:source:)` naming `path`.
  public init(contentsOfFile path: String) throws {
    let bytes: [UInt8]
    do { bytes = try readFileBytes(atPath: path) } catch let DataError.unreadableFile(_, reason) {
      throw SafetensorsError.cannotRead(source: path, reason: reason)
    }
    try self.init(parsing: bytes, source: path)
  }

  /// Parses and validates the bytes of a safetensors file; `source` labels error messages.
  ///
  /// Checks, in order: the 8-byte prefix and that the header fits in the file; that the header
  /// is UTF-8 JSON mapping names to `{dtype, shape, data_offsets}` plus an optional
  /// `__metadata__` of strings; then, for the tensors sorted by offset, that the dtype is known,
  /// the offsets are `[begin, end]` with `begin ≤ end` inside the data section, the byte count is
  /// `shape.product × dtype size`, and each tensor begins where the previous one ends, the last
  /// one ending exactly at the end of the file.
  /// - Throws: `SafetensorsError`: `.fileTooShort`, `.headerLengthBeyondFile`, `.invalidHeader`,
  ///   `.unknownDType`, `.invalidOffsets`, `.invalidShape`, `.offsetsOutOfBounds`, `.sizeMismatch`,
  ///   `.notContiguous`, `.trailingBytes`.
  public init(parsing bytes: [UInt8], source: String = "<memory>") throws {
    self.source = source
    guard bytes.count >= 8 else { throw SafetensorsError.fileTooShort(source: source, byteCount: bytes.count) }
    let headerLength = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
    guard headerLength <= UInt64(bytes.count - 8) else {
      throw SafetensorsError.headerLengthBeyondFile(source: source, headerLength: headerLength, fileSize: bytes.count)
    }
    let dataStart = 8 + Int(headerLength)
    let header = try Self.parseHeader(bytes[8..<dataStart], source: source)
    metadata = header.metadata

    let dataSize = bytes.count - dataStart
    var entries = [(name: String, dtype: SafetensorsDType, shape: [Int], begin: Int, end: Int)]()
    for (name, entry) in header.entries {
      guard let dtype = SafetensorsDType(rawValue: entry.dtype) else {
        throw SafetensorsError.unknownDType(source: source, tensor: name, dtype: entry.dtype)
      }
      let offsets = entry.dataOffsets
      guard offsets.count == 2, offsets[0] >= 0, offsets[0] <= offsets[1] else {
        throw SafetensorsError.invalidOffsets(source: source, tensor: name, offsets: offsets)
      }
      entries.append((name, dtype, entry.shape, offsets[0], offsets[1]))
    }
    entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }

    var expectedBegin = 0
    for entry in entries {
      guard entry.end <= dataSize else {
        throw SafetensorsError.offsetsOutOfBounds(source: source, tensor: entry.name, end: entry.end, dataSize: dataSize)
      }
      var byteCount = entry.dtype.byteCount
      for dimension in entry.shape {
        let (product, overflow) = byteCount.multipliedReportingOverflow(by: dimension)
        guard dimension >= 0, !overflow else {
          throw SafetensorsError.invalidShape(source: source, tensor: entry.name, shape: entry.shape)
        }
        byteCount = product
      }
      guard byteCount == entry.end - entry.begin else {
        throw SafetensorsError.sizeMismatch(
          source: source, tensor: entry.name, dtype: entry.dtype, shape: entry.shape,
          expectedBytes: byteCount, foundBytes: entry.end - entry.begin)
      }
      guard entry.begin == expectedBegin else {
        throw SafetensorsError.notContiguous(
          source: source, tensor: entry.name, expectedBegin: expectedBegin, foundBegin: entry.begin)
      }
      expectedBegin = entry.end
      let data = Array(bytes[(dataStart + entry.begin)..<(dataStart + entry.end)])
      names.append(entry.name)
      tensors[entry.name] = Tensor(dtype: entry.dtype, shape: entry.shape, bytes: data)
    }
    guard expectedBegin == dataSize else {
      throw SafetensorsError.trailingBytes(source: source, dataEnd: expectedBegin, dataSize: dataSize)
    }
  }

  /// The decoded JSON header: metadata and the raw tensor entries in no particular order.
  private struct Header: Decodable {
    struct Entry: Decodable {
      var dtype: String
      var shape: [Int]
      var dataOffsets: [Int]
      enum CodingKeys: String, CodingKey {
        case dtype, shape
        case dataOffsets = "data_offsets"
      }
    }

    struct Key: CodingKey {
      var stringValue: String
      var intValue: Int? { nil }
      init(stringValue: String) { self.stringValue = stringValue }
      init?(intValue: Int) { nil }
    }

    var metadata: [String: String] = [:]
    var entries: [(String, Entry)] = []

    init(from decoder: any Decoder) throws {
      let container = try decoder.container(keyedBy: Key.self)
      for key in container.allKeys {
        if key.stringValue == "__metadata__" {
          metadata = try container.decode([String: String].self, forKey: key)
        } else {
          entries.append((key.stringValue, try container.decode(Entry.self, forKey: key)))
        }
      }
    }
  }

  private static func parseHeader(_ bytes: ArraySlice<UInt8>, source: String) throws -> Header {
    guard isValidUTF8(bytes) else {
      throw SafetensorsError.invalidHeader(source: source, reason: "the header is not valid UTF-8")
    }
    do {
      return try JSONDecoder().decode(Header.self, from: Data(bytes))
    } catch let error as DecodingError {
      throw SafetensorsError.invalidHeader(source: source, reason: Self.describe(error))
    } catch {
      throw SafetensorsError.invalidHeader(source: source, reason: "\(error)")
    }
  }

  /// Whether `bytes` is well-formed UTF-8 (`String(decoding:)` would silently repair it).
  private static func isValidUTF8(_ bytes: ArraySlice<UInt8>) -> Bool {
    var iterator = bytes.makeIterator()
    var decoder = UTF8()
    while true {
      switch decoder.decode(&iterator) {
      case .scalarValue: continue
      case .emptyInput: return true
      case .error: return false
      }
    }
  }

  /// A one-line reason from a `DecodingError`: where in the JSON and what went wrong.
  private static func describe(_ error: DecodingError) -> String {
    func location(_ path: [any CodingKey]) -> String {
      path.isEmpty ? "top level" : path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
    switch error {
    case .typeMismatch(let type, let context):
      return "at \(location(context.codingPath)): expected \(type) (\(context.debugDescription))"
    case .valueNotFound(let type, let context):
      return "at \(location(context.codingPath)): missing \(type) value"
    case .keyNotFound(let key, let context):
      return "at \(location(context.codingPath)): missing field '\(key.stringValue)'"
    case .dataCorrupted(let context):
      let underlying = context.underlyingError.map { " (\($0))" } ?? ""
      return "at \(location(context.codingPath)): \(context.debugDescription)\(underlying)"
    @unknown default:
      return "\(error)"
    }
  }
}
