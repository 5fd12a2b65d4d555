import Foundation

/// Exit status and captured output of a child process.
public struct ProcessResult: Sendable {
  public var status: Int32
  public var output: String
  public var error: String
}

/// Runs `executable` with `arguments` (standard input closed) and captures its output.
/// `environment` entries are set on top of this process's environment (`nil` values remove one).
public func runProcess(
  _ executable: URL, _ arguments: [String], currentDirectory: URL? = nil, environment: [String: String?] = [:]
) throws -> ProcessResult {
  let process = Process()
  process.executableURL = executable
  process.arguments = arguments
  if let currentDirectory { process.currentDirectoryURL = currentDirectory }
  if !environment.isEmpty {
    var merged = ProcessInfo.processInfo.environment
    for (key, value) in environment { merged[key] = value }
    process.environment = merged
  }
  let output = Pipe()
  let error = Pipe()
  process.standardOutput = output
  process.standardError = error
  process.standardInput = FileHandle.nullDevice
  try process.run()
  // Read both pipes before waiting so a full pipe cannot block the child.
  let outputData = output.fileHandleForReading.readDataToEndOfFile()
  let errorData = error.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return ProcessResult(
    status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
    error: String(decoding: errorData, as: UTF8.self))
}

/// Python for interoperability checks, which are skipped when Python or the needed packages are
/// missing: the interpreter named by `FEATURESPEED_PYTHON` (scripts/test.sh points it at a private
/// virtual environment with numpy and safetensors), else `python3` on `PATH`.
public enum PythonInterpreter {
  /// Runs `python -c script arguments…`.
  public static func run(_ script: String, arguments: [String] = []) throws -> ProcessResult {
    if let interpreter = ProcessInfo.processInfo.environment["FEATURESPEED_PYTHON"], !interpreter.isEmpty {
      return try runProcess(URL(fileURLWithPath: interpreter), ["-c", script] + arguments)
    }
    return try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script] + arguments)
  }

  /// Whether `import <modules>` succeeds.
  public static func canImport(_ modules: String) -> Bool {
    (try? run("import \(modules)").status == 0) ?? false
  }

  /// Python runs.
  public static let isAvailable = canImport("json")
  /// Python with NumPy.
  public static let hasNumPy = canImport("numpy")
  /// Python with NumPy and the `safetensors` package.
  public static let hasSafetensors = canImport("numpy, safetensors.numpy")
}
