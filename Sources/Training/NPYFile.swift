/// One NumPy `.npy` array (format versions 1.0, 2.0 and 3.0), decoded to a tensor.
///
/// Layout: the magic `\x93NUMPY`, major and minor version bytes, the header length (`UInt16`
/// little-endian in 1.0, `UInt32` in 2.0 and 3.0), then a Python dict literal such as
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (150, 4), }` padded with spaces and a
/// newline, then `∏ shape` elements. Accepted: little-endian (or byte-order-free) booleans,
/// integers of 1–8 bytes and floats of 2, 4 and 8 bytes, in C order. Refused with a message:
/// `fortran_order: True`, big-endian dtypes, and every other dtype (complex, strings, objects,
/// structured arrays).
public enum NPYFile {
  /// The six magic bytes `\x93NUMPY`.
  public static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]

  /// The `.npy` descr strings accepted, e.g. `<f4`, as safetensors dtypes.
  static func dtype(descr: String) -> SafetensorsDType? {
    guard descr.count >= 3 else { return nil }
    let order = descr.first!
    let code = String(descr.dropFirst())
    let single: [String: SafetensorsDType] = ["b1": .bool, "u1": .uint8, "i1": .int8]
    let multi: [String: SafetensorsDType] = [
      "u2": .uint16, "i2": .int16, "u4": .uint32, "i4": .int32, "u8": .uint64, "i8": .int64,
      "f2": .float16, "f4": .float32, "f8": .float64,
    ]
    if let dtype = single[code], "|<>=".contains(order) { return dtype }
    if let dtype = multi[code], "<=".contains(order) { return dtype }
    return nil
  }

  /// Decodes the bytes of an `.npy` file.
  /// - Parameter fileName: how the file is named in error messages (for an `.npz` member:
  ///   `archive.npz:member.npy`).
  /// - Throws: `DataError.notNPY` (no magic), `.unsupportedNPYVersion`, `.truncatedHeader`,
  ///   `.invalidNPYHeader`, `.fortranOrderArray`, `.bigEndianArray`, `.unsupportedDType`,
  ///   `.truncatedPayload` / `.trailingPayload` unless exactly `∏ shape × element size` bytes follow.
  public static func decode(_ bytes: [UInt8], fileName: String) throws -> SafetensorsFile.Tensor {
    guard bytes.count >= 10 else {
      if !bytes.starts(with: magic.prefix(bytes.count)) || bytes.isEmpty { throw DataError.notNPY(file: fileName) }
      throw DataError.truncatedHeader(file: fileName, expectedBytes: 10, foundBytes: bytes.count)
    }
    guard bytes.starts(with: magic) else { throw DataError.notNPY(file: fileName) }
    let major = Int(bytes[6])
    let lengthSize: Int
    switch major {
    case 1: lengthSize = 2
    case 2, 3: lengthSize = 4
    default: throw DataError.unsupportedNPYVersion(file: fileName, major: major, minor: Int(bytes[7]))
    }
    guard bytes.count >= 8 + lengthSize else {
      throw DataError.truncatedHeader(file: fileName, expectedBytes: 8 + lengthSize, foundBytes: bytes.count)
    }
    var headerLength = 0
    for i in 0..<lengthSize { headerLength |= Int(bytes[8 + i]) << (8 * i) }
    let dataStart = 8 + lengthSize + headerLength
    guard bytes.count >= dataStart else {
      throw DataError.truncatedHeader(file: fileName, expectedBytes: dataStart, foundBytes: bytes.count)
    }
    // Version 1 and 2 headers are latin-1, version 3 UTF-8; the keys and values used are ASCII.
    let header = String(decoding: bytes[(8 + lengthSize)..<dataStart], as: UTF8.self)
    let (descr, fortranOrder, shape) = try parseHeader(header, fileName: fileName)
    guard let dtype = Self.dtype(descr: descr) else {
      if descr.first == ">", Self.dtype(descr: "<" + descr.dropFirst()) != nil {
        throw DataError.bigEndianArray(file: fileName, descr: descr)
      }
      throw DataError.unsupportedDType(file: fileName, array: nil, dtype: descr)
    }
    if fortranOrder { throw DataError.fortranOrderArray(file: fileName) }
    let elements = shape.reduce(1) { product, d in
      let (result, overflow) = product.multipliedReportingOverflow(by: d)
      return overflow ? Int.max / 8 : result
    }
    let expected = elements * dtype.byteCount
    let found = bytes.count - dataStart
    if found < expected {
      throw DataError.truncatedPayload(file: fileName, dimensions: shape, expectedBytes: expected, foundBytes: found)
    }
    if found > expected {
      throw DataError.trailingPayload(file: fileName, dimensions: shape, expectedBytes: expected, foundBytes: found)
    }
    return SafetensorsFile.Tensor(dtype: dtype, shape: shape, bytes: Array(bytes[dataStart...]))
  }

  /// The `descr`, `fortran_order` and `shape` of a header dict literal.
  private static func parseHeader(_ header: String, fileName: String) throws -> (String, Bool, [Int]) {
    func fail(_ reason: String) -> DataError {
      DataError.invalidNPYHeader(file: fileName, header: header.trimmingTrailingWhitespace, reason: reason)
    }
    func value(after key: String) throws -> Substring {
      guard let keyRange = header.range(of: "'\(key)'") ?? header.range(of: "\"\(key)\"") else {
        throw fail("no '\(key)' entry")
      }
      let rest = header[keyRange.upperBound...].drop { $0 == " " }
      guard rest.first == ":" else { throw fail("no ':' after '\(key)'") }
      return rest.dropFirst().drop { $0 == " " }
    }
    let descrText = try value(after: "descr")
    guard let quote = descrText.first, quote == "'" || quote == "\"" else {
      // A list here is a structured dtype (named fields).
      throw DataError.unsupportedDType(file: fileName, array: nil, dtype: String(descrText.prefix { $0 != "}" }))
    }
    let descrBody = descrText.dropFirst()
    guard let descrEnd = descrBody.firstIndex(of: quote) else { throw fail("unterminated 'descr' string") }
    let descr = String(descrBody[..<descrEnd])

    let fortranText = try value(after: "fortran_order")
    let fortranOrder: Bool
    if fortranText.hasPrefix("True") { fortranOrder = true } else if fortranText.hasPrefix("False") {
      fortranOrder = false
    } else {
      throw fail("'fortran_order' is neither True nor False")
    }

    let shapeText = try value(after: "shape")
    guard shapeText.first == "(", let close = shapeText.firstIndex(of: ")") else { throw fail("'shape' is not a tuple") }
    var shape = [Int]()
    for part in shapeText[shapeText.index(after: shapeText.startIndex)..<close].split(separator: ",") {
      let digits = part.stripping(" L")
      if digits.isEmpty { continue }
      guard let dimension = Int(digits), dimension >= 0 else { throw fail("'shape' entry '\(digits)' is not a size") }
      shape.append(dimension)
    }
    return (descr, fortranOrder, shape)
  }
}

extension StringProtocol {
  /// The string without the characters of `set` at both ends.
  func stripping(_ set: String) -> String {
    String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
  }

  /// The string without trailing spaces and newlines.
  var trimmingTrailingWhitespace: String {
    String(reversed().drop { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }.reversed())
  }
}
