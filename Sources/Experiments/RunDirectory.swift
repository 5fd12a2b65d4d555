import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The output directory of one run and the names of the files in it.
///
/// ```
/// <dir>/config.json                the resolved configuration (JSONFile)
/// <dir>/measurements.csv           per-layer measurements, one tidy row per (step, layer, quantity)
/// <dir>/metrics.csv                per-step loss, accuracy, status
/// <dir>/weights-init.safetensors   parameters at step 0
/// <dir>/weights-final.safetensors  parameters at the end
/// <dir>/batch.safetensors          the fixed measurement batch
/// ```
/// A directory that holds `config.json` holds a run; `prepare(at:overwrite:)` refuses to reuse it
/// unless asked to.
public struct RunDirectory: Sendable, Equatable {
  /// The standard files of a run; the raw value is the file name.
  public enum File: String, CaseIterable, Sendable {
    /// The resolved configuration, JSON.
    case config = "config.json"
    /// Per-layer measurements, tidy CSV.
    case measurements = "measurements.csv"
    /// Per-step loss, accuracy and status, tidy CSV.
    case metrics = "metrics.csv"
    /// Parameters at initialization, safetensors.
    case initialWeights = "weights-init.safetensors"
    /// Parameters at the end of training, safetensors.
    case finalWeights = "weights-final.safetensors"
    /// The fixed measurement batch (inputs and targets), safetensors.
    case batch = "batch.safetensors"
    /// FSC-control decisions per step and layer, tidy CSV (only under control, theory §5.3).
    case control = "control.csv"
  }

  /// The directory.
  public let url: URL

  /// The TensorBoard event files in the directory (`events.out.tfevents.*`).
  public var tensorBoardEventFiles: [URL] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
    return names.filter { $0.hasPrefix("events.out.tfevents.") }.sorted().map { url.appendingPathComponent($0) }
  }

  /// A run directory at `url`, as it is: nothing is created or checked (for reading a finished run).
  public init(url: URL) {
    self.url = url
  }

  /// Creates the directory `url` (and missing parents) for a new run and checks that it is writable.
  ///
  /// If it already holds a run (a `config.json`), `overwrite` must be true; the standard files of
  /// the old run are then deleted, so no stale result mixes with the new ones. Other files are
  /// left alone. Writability is checked by creating and deleting a probe file (permission bits
  /// alone say nothing when running as root or on network file systems).
  /// - Throws: `RunDirectoryError.existingRun`, `.notWritable`.
  public static func prepare(at url: URL, overwrite: Bool) throws -> RunDirectory {
    let run = RunDirectory(url: url)
    let path = url.path
    do throws(SystemErrorCode) { try SystemCalls.createDirectories(path) } catch {
      throw RunDirectoryError.notWritable(path: path, reason: error)
    }
    if SystemCalls.fileKind(run.url(for: .config).path).exists {
      guard overwrite else { throw RunDirectoryError.existingRun(path: path) }
      // config.json goes first: an interrupted cleanup never looks like a complete run.
      for file in File.allCases {
        do throws(SystemErrorCode) { try SystemCalls.removeFile(run.url(for: file).path) } catch {
          throw RunDirectoryError.notWritable(path: path, reason: error)
        }
      }
    }
    do throws(SystemErrorCode) { try probeWritable(path) } catch {
      throw RunDirectoryError.notWritable(path: path, reason: error)
    }
    return run
  }

  /// The location of a standard file.
  public func url(for file: File) -> URL { url.appendingPathComponent(file.rawValue) }

  /// `config.json`.
  public var configURL: URL { url(for: .config) }
  /// `measurements.csv`.
  public var measurementsURL: URL { url(for: .measurements) }
  /// `metrics.csv`.
  public var metricsURL: URL { url(for: .metrics) }
  /// `control.csv`.
  public var controlURL: URL { url(for: .control) }
  /// `weights-init.safetensors`.
  public var initialWeightsURL: URL { url(for: .initialWeights) }
  /// `weights-final.safetensors`.
  public var finalWeightsURL: URL { url(for: .finalWeights) }
  /// `batch.safetensors`.
  public var batchURL: URL { url(for: .batch) }

  /// Writes `config` to `config.json` (pretty, sorted keys, NaN/∞ as strings; atomically).
  /// - Throws: `JSONFileError.encodingFailed`, `AtomicFileError`.
  public func writeConfig<Config: Encodable>(_ config: Config) throws {
    try JSONFile.write(config, to: configURL)
  }

  /// Records an outcome when the atomic write cannot (a full disk has no room for the temporary
  /// copy): rewrites `config.json` in place, so the blocks of the old text are reused. A reader
  /// can then see a torn file only if this process dies during this last write.
  /// - Throws: `JSONFileError.encodingFailed`, or the error of the in-place write.
  public func writeConfigInPlace<Config: Encodable>(_ config: Config) throws {
    let data = try JSONFile.encode(config)
    let handle = try FileHandle(forWritingTo: configURL)
    defer { try? handle.close() }
    try handle.truncate(atOffset: 0)
    try handle.write(contentsOf: data)
    try handle.synchronize()
  }

  /// Creates, writes and deletes a uniquely named hidden file in `path`.
  private static func probeWritable(_ path: String) throws(SystemErrorCode) {
    let probe = "\(path)/.featurespeed-probe-\(SystemCalls.processID)-\(String(UInt32.random(in: .min ... .max), radix: 16))"
    let fd = try SystemCalls.open(probe, O_WRONLY | O_CREAT | O_EXCL)
    defer { try? SystemCalls.removeFile(probe) }
    let written = [UInt8(ascii: "\n")].withUnsafeBytes { bytes in
      Result { () throws(SystemErrorCode) in try SystemCalls.writeAll(fd, bytes) }
    }
    if case .failure(let error) = written {
      try? SystemCalls.close(fd)
      throw error
    }
    try SystemCalls.close(fd)
  }
}

/// Why a run directory cannot be used.
public enum RunDirectoryError: Error, Equatable, CustomStringConvertible {
  /// The directory already holds a run (`config.json`) and overwriting was not allowed.
  case existingRun(path: String)
  /// The directory cannot be created or written.
  case notWritable(path: String, reason: SystemErrorCode)

  /// What is wrong and how to fix it.
  public var description: String {
    switch self {
    case .existingRun(let path):
      "The directory \(path) already holds a run (it has a config.json). "
        + "Pass --overwrite to replace its results, or choose another --output DIR."
    case .notWritable(let path, let reason):
      "Cannot write the run directory \(path): \(reason). Choose a writable --output DIR."
    }
  }
}
