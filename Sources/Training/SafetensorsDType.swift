/// The element type of a safetensors tensor, spelled as in the file's JSON header ("F32", "I64", …).
///
/// All types of the format are recognized so that any valid file can be read; typed accessors
/// exist for the `SafetensorsElement` types (`Float`, `Double`, the fixed-width integers).
public enum SafetensorsDType: String, CaseIterable, Codable, Sendable {
  /// Booleans, one byte each.
  case bool = "BOOL"
  /// Unsigned 8-bit integers.
  case uint8 = "U8"
  /// Signed 8-bit integers.
  case int8 = "I8"
  /// 8-bit floats with 4 exponent and 3 mantissa bits.
  case float8E4M3 = "F8_E4M3"
  /// 8-bit floats with 5 exponent and 2 mantissa bits.
  case float8E5M2 = "F8_E5M2"
  /// Unsigned 16-bit integers.
  case uint16 = "U16"
  /// Signed 16-bit integers.
  case int16 = "I16"
  /// IEEE half-precision floats.
  case float16 = "F16"
  /// bfloat16 (the upper half of an F32).
  case bfloat16 = "BF16"
  /// Unsigned 32-bit integers.
  case uint32 = "U32"
  /// Signed 32-bit integers (`Int32`).
  case int32 = "I32"
  /// IEEE single-precision floats (`Float`).
  case float32 = "F32"
  /// Unsigned 64-bit integers.
  case uint64 = "U64"
  /// Signed 64-bit integers (`Int64`).
  case int64 = "I64"
  /// IEEE double-precision floats (`Double`).
  case float64 = "F64"

  /// Bytes per element.
  public var byteCount: Int {
    switch self {
    case .bool, .uint8, .int8, .float8E4M3, .float8E5M2: 1
    case .uint16, .int16, .float16, .bfloat16: 2
    case .uint32, .int32, .float32: 4
    case .uint64, .int64, .float64: 8
    }
  }
}

/// A Swift type whose values are stored in safetensors files as their little-endian bytes.
///
/// Conformers are plain fixed-size numbers, so a tensor is copied to and from a file with one
/// memory copy, never element by element.
public protocol SafetensorsElement: BitwiseCopyable, Sendable {
  /// The dtype that stores this type.
  static var safetensorsElementDType: SafetensorsDType { get }
}

extension Float: SafetensorsElement {
  /// `F32`.
  public static var safetensorsElementDType: SafetensorsDType { .float32 }
}

extension Double: SafetensorsElement {
  /// `F64`.
  public static var safetensorsElementDType: SafetensorsDType { .float64 }
}

extension Int8: SafetensorsElement {
  /// `I8`.
  public static var safetensorsElementDType: SafetensorsDType { .int8 }
}

extension UInt8: SafetensorsElement {
  /// `U8`.
  public static var safetensorsElementDType: SafetensorsDType { .uint8 }
}

extension Int16: SafetensorsElement {
  /// `I16`.
  public static var safetensorsElementDType: SafetensorsDType { .int16 }
}

extension UInt16: SafetensorsElement {
  /// `U16`.
  public static var safetensorsElementDType: SafetensorsDType { .uint16 }
}

extension Int32: SafetensorsElement {
  /// `I32`.
  public static var safetensorsElementDType: SafetensorsDType { .int32 }
}

extension UInt32: SafetensorsElement {
  /// `U32`.
  public static var safetensorsElementDType: SafetensorsDType { .uint32 }
}

extension Int64: SafetensorsElement {
  /// `I64`.
  public static var safetensorsElementDType: SafetensorsDType { .int64 }
}

extension UInt64: SafetensorsElement {
  /// `U64`.
  public static var safetensorsElementDType: SafetensorsDType { .uint64 }
}
