import Foundation

/// JSON files such as `config.json`: pretty-printed, keys sorted, written atomically, with
/// non-finite numbers as the strings `"nan"`, `"inf"` and `"-inf"`.
///
/// Sorted keys and fixed formatting make the file a deterministic function of the value, so two
/// runs with the same configuration write identical files. `JSONEncoder` throws on NaN and ±∞
/// unless told how to spell them; a diverged run's record can hold them, hence the strings
/// (Python: `float("nan")`, `float("inf")`, `float("-inf")` read them back).
public enum JSONFile {
  /// The encoder used for every JSON file of a run.
  public static func makeEncoder() -> JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return encoder
  }

  /// The matching decoder, which reads `"nan"`, `"inf"` and `"-inf"` back into floating-point fields.
  public static func makeDecoder() -> JSONDecoder {
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return decoder
  }

  /// `value` as UTF-8 JSON text ending in a newline.
  /// - Throws: `JSONFileError.encodingFailed` (only for values whose `encode(to:)` throws).
  public static func encode<Value: Encodable>(_ value: Value) throws -> Data {
    do {
      var data = try makeEncoder().encode(value)
      data.append(UInt8(ascii: "\n"))
      return data
    } catch {
      throw JSONFileError.encodingFailed(type: "\(Value.self)", reason: "\(error)")
    }
  }

  /// Writes `value` to `url` as JSON, atomically (see `AtomicFile`).
  /// - Throws: `JSONFileError.encodingFailed`, `AtomicFileError`.
  public static func write<Value: Encodable>(_ value: Value, to url: URL) throws {
    try AtomicFile.write(try encode(value), to: url)
  }

  /// Reads a `Value` from the JSON file at `url`.
  /// - Throws: `JSONFileError.cannotRead`, `.decodingFailed`.
  public static func read<Value: Decodable>(_ type: Value.Type, from url: URL) throws -> Value {
    let path = url.path
    let bytes: [UInt8]
    do throws(SystemErrorCode) { bytes = try SystemCalls.readFile(path) } catch {
      throw JSONFileError.cannotRead(path: path, reason: error)
    }
    do {
      return try makeDecoder().decode(Value.self, from: Data(bytes))
    } catch {
      throw JSONFileError.decodingFailed(path: path, type: "\(Value.self)", reason: "\(error)")
    }
  }
}

/// Why a JSON file could not be written or read.
public enum JSONFileError: Error, Equatable, CustomStringConvertible {
  /// The value's `encode(to:)` threw.
  case encodingFailed(type: String, reason: String)
  /// The file could not be opened or read.
  case cannotRead(path: String, reason: SystemErrorCode)
  /// The file is not JSON of the expected structure.
  case decodingFailed(path: String, type: String, reason: String)

  /// What failed, why, and what to do about it.
  public var description: String {
    switch self {
    case .encodingFailed(let type, let reason):
      "Cannot encode a \(type) as JSON: \(reason)."
    case .cannotRead(let path, let reason):
      "Cannot read \(path): \(reason). Check the path."
    case .decodingFailed(let path, let type, let reason):
      "\(path) does not hold a valid \(type): \(reason). "
        + "The file may come from another version of featurespeed or be damaged; re-create it."
    }
  }
}
