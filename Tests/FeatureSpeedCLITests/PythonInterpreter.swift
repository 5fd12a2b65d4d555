import Foundation

/// Python for interoperability checks: `FEATURESPEED_PYTHON` if set (scripts/test.sh points it at
/// a virtual environment with numpy and safetensors), else `python3` on `PATH`. Checks that need
/// it are skipped when it is missing.
enum PythonInterpreter {
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
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = error.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
  }

  static let hasNumPy = (try? run("import numpy").status == 0) ?? false
}
