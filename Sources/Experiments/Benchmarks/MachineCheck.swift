import Foundation
import NumericCore

/// What `featurespeed doctor` reports: the BLAS runtime (library, core and why, CPU vector ISA),
/// the machine's FMA peak and the sgemm throughput measured against it, and the problems found,
/// each with its fix (docs/blas.md).
public struct MachineCheck: Codable, Sendable {
  /// Throughput at one thread count, in GFLOP/s.
  public struct Throughput: Codable, Sendable {
    public var threads: Int
    /// The FMA loop's fp32 and fp64 peaks, and the instruction set it used.
    public var fmaFloat32: Double
    public var fmaFloat64: Double
    public var fmaISA: String
    /// Median `size³` sgemm.
    public var sgemm: Double
    /// `sgemm / fmaFloat32`.
    public var sgemmFraction: Double { sgemm / fmaFloat32 }
  }

  /// Below this fraction of the fp32 FMA peak at one thread, sgemm is slower than the machine
  /// allows (a well-matched OpenBLAS core reaches 0.75–0.95; the SSE3 fallback on an AVX-512 CPU
  /// ≈ 0.2).
  public static let sgemmFractionFloor = 0.5

  public var blas: BLASRuntime
  public var processors: Int
  public var sgemmSize: Int
  public var throughput: [Throughput]
  /// Problems found, each with its fix; empty when the setup is sound.
  public var warnings: [String]

  /// Measures at each of `threads` (BLAS thread count and FMA threads alike): `repeats` sgemm
  /// products of size `sgemmSize`, and the FMA loop for `fmaSeconds` per repetition. `blas` is the
  /// runtime reported (this process's, unless `doctor --from-core` re-ran the choice).
  public static func run(
    blas: BLASRuntime = .current, threads: [Int], sgemmSize: Int = 1024, repeats: Int = 10, fmaSeconds: Double = 0.2
  ) -> MachineCheck {
    let previous = BLASThreads.count
    defer { BLASThreads.set(previous) }
    var rows = [Throughput]()
    for t in threads {
      BLASThreads.set(t)
      let gemm = GEMMPeak.measure(size: sgemmSize, repeats: repeats).sorted()
      let f32 = FMAPeak.measure(doublePrecision: false, threads: t, seconds: fmaSeconds)
      let f64 = FMAPeak.measure(doublePrecision: true, threads: t, seconds: fmaSeconds)
      rows.append(Throughput(
        threads: t, fmaFloat32: f32?.gflops ?? .nan, fmaFloat64: f64?.gflops ?? .nan, fmaISA: f32?.isa ?? "",
        sgemm: gemm[gemm.count / 2]))
    }
    var warnings = [String]()
    if let w = blas.warning { warnings.append(w) }
    if let single = rows.first(where: { $0.threads == 1 }), single.sgemmFraction.isFinite,
       single.sgemmFraction < sgemmFractionFloor
    {
      warnings.append(
        String(format: "sgemm reaches %.0f %% of this CPU's fp32 FMA peak at 1 thread (%.1f of %.1f GFLOP/s); ", 100 * single.sgemmFraction, single.sgemm, single.fmaFloat32)
          + "a BLAS matched to the CPU reaches 75–95 %. Check the core above; if it is right, the machine was busy: rerun `featurespeed doctor`.")
    }
    return MachineCheck(
      blas: blas, processors: ProcessInfo.processInfo.activeProcessorCount, sgemmSize: sgemmSize, throughput: rows,
      warnings: warnings)
  }
}
