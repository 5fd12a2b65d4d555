import Foundation

/// Runs Python for interoperability tests, which are skipped when Python or the needed packages
/// are missing: the interpreter named by `FEATURESPEED_PYTHON` (scripts/test.sh sets it to a
/// private virtual environment with numpy and safetensors), else `python3` from `PATH`.
enum Python {
  /// Exit status, standard output and standard error of `python3 -c script arguments…`.
  static func run(_ script: String, arguments: [String] = []) throws -> (status: Int32, output: String, error: String) {
    let process = Process()
    if let interpreter = ProcessInfo.processInfo.environment["FEATURESPEED_PYTHON"], !interpreter.isEmpty {
      process.executableURL = URL(fileURLWithPath: interpreter)
      process.arguments = ["-c", script] + arguments
    } else {
      process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
      process.arguments = ["python3", "-c", script] + arguments
    }
    let output = Pipe()
    let error = Pipe()
    process.standardOutput = output
    process.standardError = error
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // Outputs are small; read both before waiting so a full pipe cannot block the child.
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = error.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
  }

  /// Whether `python3 -c "import <modules>"` succeeds.
  static func canImport(_ modules: String) -> Bool {
    (try? run("import \(modules)").status == 0) ?? false
  }

  /// `python3` runs.
  static let isAvailable = canImport("json")
  /// `python3` with NumPy.
  static let hasNumPy = canImport("numpy")
  /// `python3` with NumPy and the `safetensors` package.
  static let hasSafetensors = canImport("numpy, safetensors.numpy")
}
