import ArgumentParser
import Foundation
import NumericCore
import Experiments

/// `featurespeed doctor`: what runs the math on this machine and whether it is as fast as the
/// machine allows (docs/blas.md).
public struct DoctorCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "doctor",
    abstract: "Show the BLAS library, the OpenBLAS core in use and why, the CPU's vector ISA, and how fast sgemm runs against the FMA peak.",
    discussion: """
      Measures the machine's fused multiply–add peak (fp32 and fp64) with a small FMA loop and the \
      sgemm throughput at 1 thread and at all cores, and warns, with the fix, when the BLAS runs \
      narrower kernels than the CPU has or sgemm is far below the FMA peak. Takes a few seconds.
      """)

  @Flag(help: "Print JSON instead of text.")
  public var json = false

  @Flag(help: "Exit with status 1 when a warning is shown (for scripts and CI).")
  public var strict = false

  @Flag(help: "Shorter measurements (about a second).")
  public var quick = false

  @Flag(help: "Only list the OpenBLAS cores this CPU can execute, widest first, one per line (for scripts).")
  public var listCores = false

  @Option(help: "Comma-separated thread counts to measure (default: 1 and all cores).")
  public var threads: String?

  @Option(help: ArgumentHelp(
    "Before checking, put OpenBLAS on this core and redo FeatureSpeed's choice from there (proves the switch).",
    visibility: .hidden))
  public var fromCore: String?

  public init() {}

  public func validate() throws {
    if let threads, try parseList(threads, flag: "--threads").isEmpty {
      throw ValidationError("--threads expects thread counts separated by commas, e.g. --threads 1,2.")
    }
  }

  public func run() throws {
    if listCores {
      BLASRuntime.executableCores.forEach { printOut($0) }
      return
    }
    var runtime = BLASRuntime.current
    if let fromCore {
      guard let rerun = BLASRuntime.rerun(fromCore: fromCore) else {
        throw ValidationError(
          "--from-core \(fromCore): not an x86-64 OpenBLAS core this CPU can run below its best one (\(runtime.bestCore ?? "none")), "
            + "or the BLAS is not a DYNAMIC_ARCH OpenBLAS.")
      }
      runtime = rerun
    }
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let counts = try threads.map { try parseList($0, flag: "--threads") } ?? Array(Set([1, cores])).sorted()
    let check = MachineCheck.run(blas: runtime, threads: counts, repeats: quick ? 3 : 10, fmaSeconds: quick ? 0.05 : 0.2)
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
      encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
      printOut(String(decoding: try encoder.encode(check), as: UTF8.self))
    } else {
      printOut(Self.render(check))
    }
    if strict && !check.warnings.isEmpty { throw ExitCode(1) }
  }

  static func render(_ c: MachineCheck) -> String {
    let b = c.blas
    var lines = [
      "CPU         \(b.cpu.isEmpty ? "unknown" : b.cpu) (\(b.cpuVendor)\(b.cpuFamily.map { " family \($0)" } ?? "")\(b.cpuModel.map { " model \($0)" } ?? "")), \(c.processors) processors",
      "vector ISA  \(b.vectorISA) (\(b.cpuFeatures.joined(separator: " ")))",
      "BLAS        \(b.library)\(b.libraryPath.map { " (\($0))" } ?? "")",
    ]
    if let core = b.core {
      lines.append("core        \(core): \(b.reason)")
      let cores = BLASRuntime.executableCores
      if !cores.isEmpty { lines.append("runnable    \(cores.joined(separator: ", ")) (OPENBLAS_CORETYPE=NAME selects one)") }
    } else {
      lines.append("kernels     \(b.reason)")
    }
    let rows = c.throughput.map { t in
      [String(t.threads), String(format: "%.1f", t.fmaFloat32), String(format: "%.1f", t.fmaFloat64),
       String(format: "%.1f", t.sgemm), String(format: "%.0f %%", 100 * t.sgemmFraction)]
    }
    lines.append("")
    lines.append("GFLOP/s (FMA loop: \(c.throughput.first?.fmaISA ?? "?"); sgemm \(c.sgemmSize)³, median):")
    lines.append(renderTextTable(header: ["threads", "FMA fp32", "FMA fp64", "sgemm", "sgemm / FMA fp32"], rows: rows))
    lines.append("")
    if c.warnings.isEmpty {
      lines.append("ok: the BLAS uses this CPU's widest vectors and sgemm runs near the FMA peak.")
    } else {
      lines += c.warnings.map { "warning: \($0)" }
    }
    return lines.joined(separator: "\n")
  }
}
