/// Element conversion of tensors read from data and weight files (safetensors, `.npy`, `.npz`):
/// every numeric dtype to `Double` or `Float`, in row-major order.
///
/// Integers convert exactly up to 2⁵³ (`Double`); F16 and BF16 are widened bit-exactly; the two
/// 8-bit float types have no conversion (`nil`).
extension SafetensorsFile.Tensor {
  /// The dtypes `doubleValues()` and `floatValues()` convert: everything but F8_E4M3 and F8_E5M2.
  public static let convertibleDTypes: [SafetensorsDType] = SafetensorsDType.allCases.filter {
    $0 != .float8E4M3 && $0 != .float8E5M2
  }

  /// The elements as `Double`, row-major; `nil` for an 8-bit float dtype.
  public func doubleValues() -> [Double]? {
    convert { Double($0) } integer: { Double($0) } unsigned: { Double($0) }
  }

  /// The elements as `Float`, row-major (rounded to nearest for F64 and wide integers); `nil` for
  /// an 8-bit float dtype.
  public func floatValues() -> [Float]? {
    if dtype == .float32 {
      return bytes.withUnsafeBytes { raw in (0..<elementCount).map { raw.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) } }
    }
    return convert { Float($0) } integer: { Float($0) } unsigned: { Float($0) }
  }

  /// Loads every element as the widest type of its kind and maps it with `real`, `integer` or `unsigned`.
  private func convert<T>(
    real: (Double) -> T, integer: (Int64) -> T, unsigned: (UInt64) -> T
  ) -> [T]? {
    let n = elementCount
    return bytes.withUnsafeBytes { raw -> [T]? in
      func load<E>(_: E.Type, _ map: (E) -> T) -> [T] {
        let size = MemoryLayout<E>.size
        return (0..<n).map { map(raw.loadUnaligned(fromByteOffset: size * $0, as: E.self)) }
      }
      switch dtype {
      case .bool: return load(UInt8.self) { unsigned($0 != 0 ? 1 : 0) }
      case .uint8: return load(UInt8.self) { unsigned(UInt64($0)) }
      case .int8: return load(Int8.self) { integer(Int64($0)) }
      case .uint16: return load(UInt16.self) { unsigned(UInt64(UInt16(littleEndian: $0))) }
      case .int16: return load(Int16.self) { integer(Int64(Int16(littleEndian: $0))) }
      case .uint32: return load(UInt32.self) { unsigned(UInt64(UInt32(littleEndian: $0))) }
      case .int32: return load(Int32.self) { integer(Int64(Int32(littleEndian: $0))) }
      case .uint64: return load(UInt64.self) { unsigned(UInt64(littleEndian: $0)) }
      case .int64: return load(Int64.self) { integer(Int64(littleEndian: $0)) }
      case .float16: return load(UInt16.self) { real(Double(halfToFloat(UInt16(littleEndian: $0)))) }
      case .bfloat16: return load(UInt16.self) { real(Double(Float(bitPattern: UInt32(UInt16(littleEndian: $0)) << 16))) }
      case .float32: return load(UInt32.self) { real(Double(Float(bitPattern: UInt32(littleEndian: $0)))) }
      case .float64: return load(UInt64.self) { real(Double(bitPattern: UInt64(littleEndian: $0))) }
      case .float8E4M3, .float8E5M2: return nil
      }
    }
  }
}

/// IEEE binary16 → binary32, exact (subnormals, infinities and NaN included).
func halfToFloat(_ bits: UInt16) -> Float {
  let sign = UInt32(bits >> 15) << 31
  let exponent = Int(bits >> 10 & 0x1F)
  let mantissa = UInt32(bits & 0x3FF)
  switch exponent {
  case 0:  // zero or subnormal: mantissa · 2⁻²⁴
    let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
    return sign != 0 ? -magnitude : magnitude
  case 0x1F:
    return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
  default:
    return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | mantissa << 13)
  }
}
