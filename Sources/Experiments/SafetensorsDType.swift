/// The element type of a safetensors tensor, spelled as in the file's JSON header ("F32", "I64", …).
///
/// All types of the format are recognized so that any valid file can be read; typed accessors
/// exist for the `SafetensorsElement` types (`Float`, `Double`, the fixed-width integers).
public enum SafetensorsDType: String, CaseIterable, Codable, Sendable {
  case bool = "BOOL"
  case uint8 = "U8"
  case int8 = "I8"
  case float8E4M3 = "F8_E4M3"
  case float8E5M2 = "F8_E5M2"
  case uint16 = "U16"
  case int16 = "I16"
  case float16 = "F16"
  case bfloat16 = "BF16"
  case uint32 = "U32"
  case int32 = "I32"
  case float32 = "F32"
  case uint64 = "U64"
  case int64 = "I64"
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
