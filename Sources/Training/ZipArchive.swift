import CZlib

/// The members of a zip archive (the container of NumPy's `.npz`), read from memory.
///
/// Reads the end-of-central-directory record (and its zip64 form), then each central directory
/// entry, then the member's data after its local header. Members may be stored (method 0) or
/// deflated (method 8, decoded with zlib); every member's CRC-32 is checked. Encrypted members,
/// other methods and multi-disk archives are refused.
public struct ZipArchive: Sendable {
  /// Member names in central-directory order.
  public let names: [String]
  /// The decompressed member contents, by name.
  private let contents: [String: [UInt8]]

  /// The contents of member `name`, or nil.
  public subscript(name: String) -> [UInt8]? { contents[name] }

  /// Decodes the archive `bytes`.
  /// - Parameter fileName: how the archive is named in error messages.
  /// - Throws: `DataError.invalidZip` saying which structure is damaged (a truncated archive has
  ///   no end record, or members that run past its end).
  public init(decoding bytes: [UInt8], fileName: String) throws {
    func fail(_ reason: String) -> DataError { DataError.invalidZip(file: fileName, reason: reason) }
    func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
    func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
    func u64(_ at: Int) -> Int { u32(at) | u32(at + 4) << 32 }
    func fits(_ at: Int, _ count: Int) -> Bool { at >= 0 && count >= 0 && at <= bytes.count - count }

    // The end record (22 bytes + comment ≤ 65535) is the last structure of the file.
    var end = -1
    var i = bytes.count - 22
    while i >= max(0, bytes.count - 22 - 65_535) {
      if u32(i) == 0x0605_4B50 { end = i; break }
      i -= 1
    }
    guard end >= 0 else {
      throw fail(bytes.starts(with: [0x50, 0x4B]) ? "no end-of-central-directory record (the archive is truncated)"
        : "it does not start with a zip signature")
    }
    var entryCount = u16(end + 10)
    var directoryOffset = u32(end + 16)
    if (entryCount == 0xFFFF || directoryOffset == 0xFFFF_FFFF), end >= 20, u32(end - 20) == 0x0706_4B50 {
      let record = u64(end - 12)
      guard fits(record, 56), u32(record) == 0x0606_4B50 else { throw fail("a damaged zip64 end record") }
      entryCount = u64(record + 32)
      directoryOffset = u64(record + 48)
    }

    var names = [String]()
    var contents = [String: [UInt8]]()
    var entry = directoryOffset
    for _ in 0..<entryCount {
      guard fits(entry, 46), u32(entry) == 0x0201_4B50 else { throw fail("a damaged central directory") }
      let flags = u16(entry + 8), method = u16(entry + 10), crc = UInt32(u32(entry + 16))
      var compressedSize = u32(entry + 20), size = u32(entry + 24)
      let nameLength = u16(entry + 28), extraLength = u16(entry + 30), commentLength = u16(entry + 32)
      var localOffset = u32(entry + 42)
      guard fits(entry + 46, nameLength + extraLength + commentLength) else { throw fail("a damaged central directory") }
      let name = String(decoding: bytes[(entry + 46)..<(entry + 46 + nameLength)], as: UTF8.self)
      // zip64 extra field: the 64-bit values of the fields saturated at 0xFFFFFFFF, in this order.
      var extra = entry + 46 + nameLength
      let extraEnd = extra + extraLength
      while extra + 4 <= extraEnd {
        let id = u16(extra), length = u16(extra + 2)
        if id == 0x0001 {
          var field = extra + 4
          if size == 0xFFFF_FFFF, field + 8 <= extraEnd { size = u64(field); field += 8 }
          if compressedSize == 0xFFFF_FFFF, field + 8 <= extraEnd { compressedSize = u64(field); field += 8 }
          if localOffset == 0xFFFF_FFFF, field + 8 <= extraEnd { localOffset = u64(field) }
        }
        extra += 4 + length
      }
      if flags & 1 != 0 { throw fail("member '\(name)' is encrypted") }
      guard fits(localOffset, 30), u32(localOffset) == 0x0403_4B50 else {
        throw fail("the local header of member '\(name)' is missing")
      }
      let dataStart = localOffset + 30 + u16(localOffset + 26) + u16(localOffset + 28)
      guard fits(dataStart, compressedSize) else {
        throw fail("member '\(name)' needs \(compressedSize) bytes from offset \(dataStart) but the archive has "
          + "\(bytes.count) (the archive is truncated)")
      }
      let data = bytes[dataStart..<(dataStart + compressedSize)]
      let member: [UInt8]
      switch method {
      case 0: member = Array(data)
      case 8: member = try Self.inflate(data, size: size, name: name, fail: fail)
      default: throw fail("member '\(name)' uses compression method \(method); only stored (0) and deflate (8) are supported")
      }
      guard member.count == size else { throw fail("member '\(name)' holds \(member.count) bytes, its entry says \(size)") }
      let actualCRC = member.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32($0.count))) }
      guard actualCRC == crc else { throw fail("member '\(name)' fails its CRC-32 check (the archive is damaged)") }
      names.append(name)
      contents[name] = member
      entry += 46 + nameLength + extraLength + commentLength
    }
    self.names = names
    self.contents = contents
  }

  /// Raw deflate (no zlib or gzip wrapper) of `data` into exactly `size` bytes.
  private static func inflate(
    _ data: ArraySlice<UInt8>, size: Int, name: String, fail: (String) -> DataError
  ) throws -> [UInt8] {
    let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    stream.initialize(to: z_stream())
    defer { stream.deallocate() }
    guard inflateInit2_(stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
      throw fail("zlib could not start decoding member '\(name)'")
    }
    defer { inflateEnd(stream) }
    var output = [UInt8](repeating: 0, count: size + 1)  // one spare byte reveals a member longer than announced
    let input = Array(data)
    let (status, produced) = input.withUnsafeBufferPointer { source in
      output.withUnsafeMutableBufferPointer { target in
        stream.pointee.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
        stream.pointee.avail_in = UInt32(source.count)
        stream.pointee.next_out = target.baseAddress
        stream.pointee.avail_out = UInt32(target.count)
        let status = CZlib.inflate(stream, Z_FINISH)
        return (status, target.count - Int(stream.pointee.avail_out))
      }
    }
    guard status == Z_STREAM_END else {
      let reason = stream.pointee.msg.map { String(cString: $0) } ?? "the deflate stream ends early"
      throw fail("member '\(name)' does not decompress (zlib: \(reason))")
    }
    output.removeLast(output.count - produced)
    return output
  }
}
