import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes whole files atomically: readers see either the previous content or the complete new
/// content under the final name, never a prefix.
///
/// The bytes go to a temporary file `.<name>.tmp-<pid>-<random>` in the destination's directory,
/// which is flushed (`fsync`) and then renamed over the destination (`rename(2)` is atomic within a
/// file system); the directory is synced so the rename survives a power loss. On any failure the
/// temporary file is removed and the destination is left untouched; a crash can leave at most a
/// stray temporary file, whose name starts with a dot.
public enum AtomicFile {
  /// Replaces (or creates) the file at `url` with `bytes`, atomically.
  /// - Throws: `AtomicFileError` with the path, the operating-system reason and a hint.
  public static func write(_ bytes: some ContiguousBytes, to url: URL) throws {
    try write(to: url) { output in try bytes.withUnsafeBytes { try output.write($0) } }
  }

  /// Replaces (or creates) the file at `url` with what `body` writes to its `Output`, atomically.
  ///
  /// Streams large content (e.g. tensors straight from their storage) without first assembling it
  /// in memory. If `body` throws, its error is rethrown and the destination keeps its old content.
  /// - Throws: `AtomicFileError`, or the error thrown by `body`.
  public static func write(to url: URL, _ body: (borrowing Output) throws -> Void) throws {
    let path = url.path
    let directory = SystemCalls.parentDirectory(of: path)
    let name = SystemCalls.lastComponent(of: path)
    let (temporaryPath, fd) = try createTemporaryFile(directory: directory, name: name, destination: path)
    var committed = false
    defer { if !committed { try? SystemCalls.removeFile(temporaryPath) } }
    do {
      let output = Output(fd: fd, destination: path)
      try body(output)
      do throws(SystemErrorCode) { try SystemCalls.sync(fd) } catch { throw AtomicFileError.writeFailed(path: path, reason: error) }
    } catch {
      try? SystemCalls.close(fd)
      throw error
    }
    do throws(SystemErrorCode) { try SystemCalls.close(fd) } catch { throw AtomicFileError.writeFailed(path: path, reason: error) }
    if rename(temporaryPath, path) != 0 {
      throw AtomicFileError.renameFailed(path: path, temporaryPath: temporaryPath, reason: .current)
    }
    committed = true
    SystemCalls.syncDirectory(directory)
  }

  /// Where `AtomicFile.write(to:_:)` sends bytes: the temporary file, valid only inside the closure.
  public struct Output: ~Copyable {
    let fd: Int32
    let destination: String

    /// Appends `bytes` to the file being written.
    /// - Throws: `AtomicFileError.writeFailed` (e.g. "No space left on device").
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
      do throws(SystemErrorCode) { try SystemCalls.writeAll(fd, bytes) } catch {
        throw AtomicFileError.writeFailed(path: destination, reason: error)
      }
    }

    /// Appends `bytes` (an array, `Data`, …) to the file being written.
    /// - Throws: `AtomicFileError.writeFailed`.
    public func write(_ bytes: some ContiguousBytes) throws {
      try bytes.withUnsafeBytes { try write($0) }
    }
  }

  /// Creates a new, empty temporary file next to the destination; retries on a name collision.
  private static func createTemporaryFile(
    directory: String, name: String, destination: String
  ) throws -> (path: String, fd: Int32) {
    while true {
      let suffix = String(UInt32.random(in: .min ... .max), radix: 16)
      let path = "\(directory)/.\(name).tmp-\(SystemCalls.processID)-\(suffix)"
      do throws(SystemErrorCode) {
        return (path, try SystemCalls.open(path, O_WRONLY | O_CREAT | O_EXCL, mode: 0o644))
      } catch where error.rawValue == EEXIST {
        continue
      } catch {
        throw AtomicFileError.cannotCreateTemporaryFile(path: destination, directory: directory, reason: error)
      }
    }
  }
}

/// Why an atomic file write failed; the destination keeps its previous content in every case.
public enum AtomicFileError: Error, Equatable, CustomStringConvertible {
  /// The temporary file could not be created in the destination's directory (missing directory,
  /// a path component that is a file, read-only file system, …).
  case cannotCreateTemporaryFile(path: String, directory: String, reason: SystemErrorCode)
  /// Writing, flushing or closing the temporary file failed (e.g. disk full).
  case writeFailed(path: String, reason: SystemErrorCode)
  /// The complete temporary file could not be renamed over the destination (e.g. the destination
  /// is a directory).
  case renameFailed(path: String, temporaryPath: String, reason: SystemErrorCode)

  /// What failed, why, and what to do about it.
  public var description: String {
    switch self {
    case .cannotCreateTemporaryFile(let path, let directory, let reason):
      "Cannot write \(path): creating a temporary file in \(directory) failed: \(reason). "
        + "Check that \(directory) is an existing, writable directory, or choose another output path."
    case .writeFailed(let path, let reason):
      "Cannot write \(path): \(reason). The previous content (if any) is unchanged. "
        + "Free disk space or choose another output path."
    case .renameFailed(let path, let temporaryPath, let reason):
      "Cannot replace \(path) with the newly written \(temporaryPath): \(reason). "
        + "Check that \(path) is not a directory and that its directory is writable."
    }
  }
}
