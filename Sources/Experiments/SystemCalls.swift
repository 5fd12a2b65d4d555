#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

// The file formats of this module write their tensors as the raw bytes of the host's integers and
// floats; the safetensors format is little-endian, so a big-endian host would need byte swaps.
#if !_endian(little)
  #error("Experiments writes little-endian files by copying memory; add byte swapping for big-endian hosts.")
#endif

/// An operating-system error number (`errno`), compared by value and described by `strerror`,
/// e.g. `ENOTDIR` → "Not a directory".
public struct SystemErrorCode: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
  /// The raw `errno` value.
  public var rawValue: Int32

  /// Wraps an `errno` value.
  public init(_ rawValue: Int32) { self.rawValue = rawValue }

  /// The current thread's `errno`.
  static var current: SystemErrorCode { SystemErrorCode(errno) }

  /// The C library's message for the code (`strerror`), e.g. "No such file or directory".
  public var description: String { String(cString: strerror(rawValue)) }
}

/// Thin wrappers over POSIX calls that retry on `EINTR` and report failures as `SystemErrorCode`.
/// File descriptors never leave this module.
enum SystemCalls {
  /// `open(2)`; returns the descriptor.
  static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o644) throws(SystemErrorCode) -> Int32 {
    while true {
      #if canImport(Darwin)
        let fd = Darwin.open(path, flags | O_CLOEXEC, mode)
      #else
        let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
      #endif
      if fd >= 0 { return fd }
      if errno != EINTR { throw .current }
    }
  }

  /// Writes all of `bytes` to `fd`, looping over short writes.
  static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(SystemErrorCode) {
    guard var address = bytes.baseAddress else { return }
    var remaining = bytes.count
    while remaining > 0 {
      let written = write(fd, address, remaining)
      if written < 0 {
        if errno == EINTR { continue }
        throw .current
      }
      address += written
      remaining -= written
    }
  }

  /// Appends `bytes` to the file at `fd` whole or not at all: on a failed write (a full disk) the
  /// file is cut back to `committedLength`, the end of the last whole record, and on success
  /// `committedLength` moves past the bytes. The streaming writers (`CSVWriter` rows,
  /// `TensorBoardEventFile` records) keep their files readable this way.
  static func appendWhole(_ fd: Int32, _ bytes: [UInt8], committedLength: inout Int) throws(SystemErrorCode) {
    guard !bytes.isEmpty else { return }
    let outcome = bytes.withUnsafeBytes { raw in Result { () throws(SystemErrorCode) in try writeAll(fd, raw) } }
    if case .failure(let error) = outcome {
      try? truncate(fd, to: committedLength)
      throw error
    }
    committedLength += bytes.count
  }

  /// Reads up to `count` bytes at `offset` (`pread(2)`), looping over short reads; fewer bytes
  /// come back only at the end of the file.
  static func read(_ fd: Int32, count: Int, at offset: Int) throws(SystemErrorCode) -> [UInt8] {
    var result = [UInt8](repeating: 0, count: count)
    var total = 0
    while total < count {
      let n = result.withUnsafeMutableBytes { buffer in
        pread(fd, buffer.baseAddress! + total, count - total, off_t(offset + total))
      }
      if n < 0 {
        if errno == EINTR { continue }
        throw .current
      }
      if n == 0 { break }
      total += n
    }
    result.removeLast(count - total)
    return result
  }

  /// The size in bytes of the open file `fd`.
  static func size(_ fd: Int32) throws(SystemErrorCode) -> Int {
    var info = stat()
    if fstat(fd, &info) != 0 { throw .current }
    return Int(info.st_size)
  }

  /// `ftruncate(2)`: cuts the open file `fd` back to `length` bytes.
  static func truncate(_ fd: Int32, to length: Int) throws(SystemErrorCode) {
    while ftruncate(fd, off_t(length)) != 0 {
      if errno != EINTR { throw .current }
    }
  }

  /// `fsync(2)`.
  static func sync(_ fd: Int32) throws(SystemErrorCode) {
    while fsync(fd) != 0 {
      if errno != EINTR { throw .current }
    }
  }

  /// `close(2)`. A failing close can mean lost data on network file systems, so it is reported.
  static func close(_ fd: Int32) throws(SystemErrorCode) {
    #if canImport(Darwin)
      let status = Darwin.close(fd)
    #else
      let status = Glibc.close(fd)
    #endif
    // After EINTR the descriptor is already released on Linux: never retry close.
    if status != 0 && errno != EINTR { throw .current }
  }

  /// The whole content of the file at `path`.
  static func readFile(_ path: String) throws(SystemErrorCode) -> [UInt8] {
    let fd = try open(path, O_RDONLY)
    defer { try? close(fd) }
    let size = try size(fd)
    var bytes = try read(fd, count: size, at: 0)
    // A file that grows while being read (unusual) is read to its end.
    while true {
      let more = try read(fd, count: 1 << 16, at: bytes.count)
      if more.isEmpty { break }
      bytes += more
    }
    return bytes
  }

  /// Whether `path` names an existing file system object, and whether it is a directory.
  static func fileKind(_ path: String) -> (exists: Bool, isDirectory: Bool) {
    var info = stat()
    guard stat(path, &info) == 0 else { return (false, false) }
    return (true, (info.st_mode & S_IFMT) == S_IFDIR)
  }

  /// Creates the directory `path` and its missing parents (`mkdir -p`). An existing component
  /// that is not a directory gives `ENOTDIR`.
  static func createDirectories(_ path: String) throws(SystemErrorCode) {
    let kind = fileKind(path)
    if kind.isDirectory { return }
    if kind.exists { throw SystemErrorCode(ENOTDIR) }
    let parent = parentDirectory(of: path)
    if parent != path { try createDirectories(parent) }
    if mkdir(path, 0o755) != 0 {
      let code = SystemErrorCode.current
      // Another process may have created it in between.
      if code.rawValue == EEXIST && fileKind(path).isDirectory { return }
      throw code
    }
  }

  /// Deletes the file `path`; a missing file is not an error.
  static func removeFile(_ path: String) throws(SystemErrorCode) {
    if unlink(path) != 0 && errno != ENOENT { throw .current }
  }

  /// `fsync` of a directory, so that a rename inside it survives a power loss. Best effort: some
  /// file systems refuse to open or sync directories, which is not worth failing a write for.
  static func syncDirectory(_ path: String) {
    guard let fd = try? open(path, O_RDONLY | O_DIRECTORY) else { return }
    try? sync(fd)
    try? close(fd)
  }

  /// The directory part of `path` (`"."` for a bare name, `"/"` for the root), without a trailing slash.
  static func parentDirectory(of path: String) -> String {
    var trimmed = Substring(path)
    while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
    guard let slash = trimmed.lastIndex(of: "/") else { return "." }
    if slash == trimmed.startIndex { return "/" }
    return String(trimmed[..<slash])
  }

  /// The last component of `path`.
  static func lastComponent(of path: String) -> String {
    var trimmed = Substring(path)
    while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
    guard let slash = trimmed.lastIndex(of: "/") else { return String(trimmed) }
    return String(trimmed[trimmed.index(after: slash)...])
  }

  /// The process id, for unique temporary names.
  static var processID: Int32 { getpid() }
}
