import CZlib

/// gzip decompression of in-memory bytes through zlib (RFC 1952).
public enum Gzip {
  /// Whether `bytes` start with the gzip magic bytes `1f 8b` (the extension of a file is not trusted).
  public static func hasMagic(_ bytes: [UInt8]) -> Bool {
    bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
  }

  /// The decompressed contents of the gzip data `compressed`.
  ///
  /// Concatenated gzip members (as written by `cat a.gz b.gz`) decompress to the concatenation of
  /// their contents, like `gunzip`. The output buffer starts at the size announced by the trailer
  /// and grows by doubling, so the usual single-member file decompresses without reallocation.
  /// - Parameter fileName: how the data is named in error messages.
  /// - Throws: `DataError.truncatedGzip` if the stream ends early, `DataError.corruptGzip` for a bad
  ///   header, bad deflate data or a checksum mismatch, `DataError.trailingGzipData` for bytes after
  ///   the last member that do not start another member.
  public static func decompress(_ compressed: [UInt8], fileName: String) throws -> [UInt8] {
    guard compressed.count >= 2 else { throw DataError.truncatedGzip(file: fileName, decompressedBytes: 0) }
    guard compressed.count <= Int(UInt32.max) else {
      throw DataError.corruptGzip(file: fileName, reason: "files over 4 GiB are not supported")
    }
    // zlib's state points back at the z_stream, so it must not move: heap-allocate it.
    let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    stream.initialize(to: z_stream())
    defer { stream.deallocate() }
    // windowBits 15 + 16: gzip wrapper only. (The inflateInit2 macro is not imported into Swift.)
    let initStatus = inflateInit2_(stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
    guard initStatus == Z_OK else {
      throw DataError.corruptGzip(file: fileName, reason: "inflateInit2 failed with status \(initStatus)")
    }
    defer { inflateEnd(stream) }

    var output = [UInt8](repeating: 0, count: initialCapacity(compressed))
    var produced = 0
    try compressed.withUnsafeBufferPointer { input in
      stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress!)
      stream.pointee.avail_in = UInt32(input.count)
      while true {
        if produced == output.count { output.append(contentsOf: repeatElement(0, count: output.count)) }
        let status = output.withUnsafeMutableBufferPointer { buffer in
          let available = min(buffer.count - produced, Int(UInt32.max))
          stream.pointee.next_out = buffer.baseAddress! + produced
          stream.pointee.avail_out = UInt32(available)
          let status = inflate(stream, Z_NO_FLUSH)
          produced += available - Int(stream.pointee.avail_out)
          return status
        }
        switch status {
        case Z_STREAM_END:
          let remaining = Int(stream.pointee.avail_in)
          if remaining == 0 { return }
          let next = input.count - remaining
          guard remaining >= 2, input[next] == 0x1F, input[next + 1] == 0x8B else {
            throw DataError.trailingGzipData(file: fileName, trailingBytes: remaining)
          }
          inflateReset(stream)  // another member follows: keep the input position, decode it too
        case Z_OK:
          continue
        case Z_BUF_ERROR where stream.pointee.avail_in == 0:  // no progress: the input ran out
          throw DataError.truncatedGzip(file: fileName, decompressedBytes: produced)
        default:
          let reason = stream.pointee.msg.map { String(cString: $0) } ?? "inflate status \(status)"
          throw DataError.corruptGzip(file: fileName, reason: reason)
        }
      }
    }
    output.removeLast(output.count - produced)
    return output
  }

  /// The size announced by the trailer (ISIZE, the last 4 bytes, little-endian, modulo 2³²),
  /// bounded to something plausible for deflate, or a guess when the trailer is absent.
  private static func initialCapacity(_ compressed: [UInt8]) -> Int {
    let fallback = max(4096, compressed.count * 4)
    guard compressed.count >= 18 else { return fallback }
    let n = compressed.count
    let announced = Int(compressed[n - 4]) | Int(compressed[n - 3]) << 8 | Int(compressed[n - 2]) << 16
      | Int(compressed[n - 1]) << 24
    // deflate expands at most ~1032:1; a larger value means a truncated or concatenated file.
    return announced > 0 && announced <= compressed.count * 1032 ? announced + 1 : fallback
  }
}
