import Foundation
import Training

/// Reading and writing safetensors files on disk with the run directory's system calls: reads go
/// through `SystemCalls` (one `read` loop, errno in the message), writes through `AtomicFile`
/// (a crash never leaves a half-written file).
extension SafetensorsFile {
  /// Writes the file to `url` atomically (see `AtomicFile`), streaming the tensors from memory.
  /// - Throws: `AtomicFileError`.
  public func write(to url: URL) throws {
    try AtomicFile.write(to: url) { output in
      try output.write(serializedHeader())
      for name in names { try output.write(self[name]!.bytes) }
    }
  }

  /// Reads and validates the safetensors file at `url`.
  /// - Throws: `SafetensorsError`: `.cannotRead`, `.fileTooShort`, `.headerLengthBeyondFile`,
  ///   `.invalidHeader`, `.unknownDType`, `.invalidOffsets`, `.invalidShape`,
  ///   `.offsetsOutOfBounds`, `.sizeMismatch`, `.notContiguous`, `.trailingBytes`.
  public static func read(from url: URL) throws -> SafetensorsFile {
    let path = url.path
    let bytes: [UInt8]
    do throws(SystemErrorCode) { bytes = try SystemCalls.readFile(path) } catch {
      throw SafetensorsError.cannotRead(source: path, reason: error.description)
    }
    return try SafetensorsFile(parsing: bytes, source: path)
  }
}
