import CBLASRuntime

#if canImport(Accelerate)
  import Accelerate
#endif

/// What runs FeatureSpeed's dense math: the BLAS library and version, the OpenBLAS kernel set
/// ("core") in use and how it was chosen, and the CPU's vector instruction sets.
///
/// On Linux the choice is made before the first BLAS call of the process by a load-time
/// constructor (`Sources/CBLASRuntime`): when OpenBLAS picked kernels narrower than the CPU can
/// run — as Debian's OpenBLAS 0.3.21 does on CPU models newer than itself — it switches to the
/// core that matches the CPU's *features* (AVX-512 → SkylakeX, AVX2 and FMA → Haswell or Zen,
/// AVX → Sandybridge, SSE4.2 → Nehalem). A user's `OPENBLAS_CORETYPE` always wins. docs/blas.md
/// explains the mechanism; the run header, `config.json`, `featurespeed bench gemm` and
/// `featurespeed doctor` report it.
public struct BLASRuntime: Codable, Equatable, Sendable {
  /// How the core in use came about (stable slugs, recorded in `config.json`).
  public enum CoreSelection: String, Codable, Sendable {
    /// The BLAS is not OpenBLAS (Accelerate, BLIS, …): it chooses its own kernels.
    case notOpenBLAS = "not-openblas"
    /// `OPENBLAS_CORETYPE` was set by the user and is used as given.
    case user
    /// OpenBLAS's own choice already uses the CPU's widest vectors.
    case kept
    /// OpenBLAS had picked a narrower core; FeatureSpeed switched to the best one.
    case switched
    /// OpenBLAS picked a narrower core and cannot switch (no DYNAMIC_ARCH, or no better core).
    case cannotSwitch = "cannot-switch"
    /// The switch was attempted and OpenBLAS reported another core afterwards.
    case switchFailed = "switch-failed"
    /// OpenBLAS reports a core FeatureSpeed does not rank (e.g. on arm64): kept as is.
    case unranked
  }

  /// Library and version, e.g. `OpenBLAS 0.3.21`, `Accelerate`.
  public var library: String
  /// The shared object that provides `cblas_sgemm`, when known.
  public var libraryPath: String?
  /// OpenBLAS's build configuration string (`openblas_get_config()`).
  public var configuration: String?
  /// The OpenBLAS core in use (`openblas_get_corename()`).
  public var core: String?
  /// The core OpenBLAS chose on its own when it was loaded.
  public var initialCore: String?
  /// The best core this library has for the CPU's features.
  public var bestCore: String?
  /// How `core` came about.
  public var selection: CoreSelection
  /// CPU brand string, vendor, family and model.
  public var cpu: String
  public var cpuVendor: String
  public var cpuFamily: Int?
  public var cpuModel: Int?
  /// The widest vector instruction set usable for fp32/fp64 FMA, e.g. `AVX-512`, `AVX2+FMA`.
  public var vectorISA: String
  /// Every detected feature, as lowercase slugs (`avx2`, `avx512f`, `avx512_bf16`, `neon`, …).
  public var cpuFeatures: [String]

  /// The runtime of this process (the choice is made once, at load time).
  public static let current = BLASRuntime()

  /// Reads the choice made at load time.
  public init() {
    let features = fs_cpu_features()
    cpu = String(cString: fs_cpu_brand())
    cpuVendor = String(cString: fs_cpu_vendor())
    cpuFamily = fs_cpu_family() >= 0 ? Int(fs_cpu_family()) : nil
    cpuModel = fs_cpu_model() >= 0 ? Int(fs_cpu_model()) : nil
    cpuFeatures = Self.featureNames.filter { features & $0.bit != 0 }.map(\.name)
    vectorISA = Self.vectorISA(features)
    #if canImport(Accelerate)
      library = "Accelerate"
      selection = .notOpenBLAS
    #else
      let decision = fs_blas_core_decision_taken()
      let config = String(cString: fs_blas_config())
      let path = String(cString: fs_blas_library_path())
      libraryPath = path.isEmpty ? nil : path
      if decision == FS_CORE_NOT_OPENBLAS {
        library = libraryPath.map { "BLAS from \($0.split(separator: "/").last ?? "")" } ?? "unknown BLAS"
        selection = .notOpenBLAS
      } else {
        let words = config.split(separator: " ")
        library = words.count >= 2 ? "\(words[0]) \(words[1])" : "OpenBLAS"
        configuration = config
        core = String(cString: fs_blas_active_core())
        initialCore = String(cString: fs_blas_initial_core())
        let best = String(cString: fs_blas_best_core())
        bestCore = best.isEmpty ? nil : best
        selection = Self.selection(decision)
      }
    #endif
  }

  /// Re-runs the choice as if OpenBLAS had picked `initialCore` itself, and returns the result
  /// (for `featurespeed doctor --from-core`: proves the switch on a machine where OpenBLAS
  /// already picks well). Only cores no wider than the best one are accepted; call it before
  /// any concurrent BLAS work. Returns `nil` when `initialCore` cannot be used here.
  public static func rerun(fromCore initialCore: String) -> BLASRuntime? {
    // The C side refuses (and changes nothing) for an unranked core or one wider than the best.
    fs_blas_runtime_rerun_from(initialCore)
    let result = BLASRuntime()
    return result.initialCore?.lowercased() == initialCore.lowercased() ? result : nil
  }

  /// The OpenBLAS cores this CPU can execute and the library has, widest first (the standard
  /// x86-64 ones: SkylakeX, Zen or Haswell, Sandybridge, Nehalem, Prescott); empty elsewhere.
  /// `scripts/test.sh` runs the numerical suites under each of them.
  public static var executableCores: [String] {
    (0...).lazy.map { fs_openblas_executable_core(Int32($0)) }.prefix { $0 != nil }.map { String(cString: $0!) }
  }

  /// The vector level of an OpenBLAS x86-64 core (1 SSE … 4 AVX2+FMA, 5 AVX-512); 0 if unranked.
  public static func coreLevel(_ name: String) -> Int { Int(fs_openblas_core_level(name)) }

  /// The OpenBLAS core for CPU features `features` (names as in `cpuFeatures`) of `vendor`.
  public static func core(forFeatures features: [String], vendor: String) -> String {
    let bits = featureNames.filter { features.contains($0.name) }.reduce(UInt64(0)) { $0 | $1.bit }
    return String(cString: fs_openblas_core_for_features(bits, vendor))
  }

  /// Whether the BLAS runs narrower kernels than this CPU can execute.
  public var runsNarrowerThanCPU: Bool {
    guard let core, let bestCore else { return false }
    let (used, possible) = (Self.coreLevel(core), Self.coreLevel(bestCore))
    return used > 0 && used < possible
  }

  /// One sentence: why this core runs.
  public var reason: String {
    let c = core ?? "?", b = bestCore ?? "?", i = initialCore ?? "?"
    switch selection {
    case .notOpenBLAS: return "\(library) chooses its own kernels"
    case .user:
      return runsNarrowerThanCPU
        ? "set by OPENBLAS_CORETYPE; narrower than this CPU's best core, \(b)" : "set by OPENBLAS_CORETYPE"
    case .kept: return "OpenBLAS's own choice, which uses the CPU's \(vectorISA)"
    case .switched: return "OpenBLAS picked \(i), narrower than the CPU's \(vectorISA); switched to \(c)"
    case .cannotSwitch: return "OpenBLAS picked \(i), narrower than the CPU's \(vectorISA), and cannot switch to \(b)"
    case .switchFailed: return "OpenBLAS picked \(i); switching to \(b) failed, OpenBLAS reports \(c)"
    case .unranked: return "OpenBLAS's own choice (a core FeatureSpeed does not rank)"
    }
  }

  /// A problem with the setup and how to fix it, or `nil`.
  public var warning: String? {
    guard runsNarrowerThanCPU else { return nil }
    switch selection {
    case .user:
      return "OPENBLAS_CORETYPE=\(core ?? "") makes OpenBLAS run narrower kernels than this CPU can (\(bestCore ?? "")). "
        + "Unset OPENBLAS_CORETYPE (FeatureSpeed then picks \(bestCore ?? "") itself) or set it to \(bestCore ?? "")."
    default:
      return "OpenBLAS runs its \(core ?? "") kernels although this CPU has \(vectorISA) (\(reason)). "
        + "Install a DYNAMIC_ARCH OpenBLAS (Debian/Ubuntu: apt-get install libopenblas0-pthread) or set OPENBLAS_CORETYPE=\(bestCore ?? "")."
    }
  }

  /// One line for run headers: library, core and why, CPU and vector ISA.
  public var summary: String {
    let coreText = core.map { ", core \($0) (\(reason))" } ?? ""
    let cpuText = cpu.isEmpty ? cpuVendor : cpu
    return "\(library)\(coreText); CPU \(cpuText.isEmpty ? "unknown" : cpuText), \(vectorISA)"
  }

  private static func selection(_ d: fs_blas_core_decision) -> CoreSelection {
    switch d {
    case FS_CORE_USER: .user
    case FS_CORE_KEPT: .kept
    case FS_CORE_SWITCHED: .switched
    case FS_CORE_CANNOT_SWITCH: .cannotSwitch
    case FS_CORE_SWITCH_FAILED: .switchFailed
    case FS_CORE_UNRANKED: .unranked
    default: .notOpenBLAS
    }
  }

  private static func vectorISA(_ f: UInt64) -> String {
    func has(_ bits: Int...) -> Bool { bits.allSatisfy { f & UInt64($0) != 0 } }
    if has(FS_CPU_AVX512F) {
      let extras = [(FS_CPU_AVX512BF16, "BF16"), (FS_CPU_AVX512FP16, "FP16"), (FS_CPU_AMX, "AMX")].filter { has($0.0) }.map(\.1)
      return "AVX-512" + (extras.isEmpty ? "" : " (+" + extras.joined(separator: ", ") + ")")
    }
    if has(FS_CPU_AVX2, FS_CPU_FMA) { return "AVX2+FMA" }
    if has(FS_CPU_AVX) { return "AVX" }
    if has(FS_CPU_SSE42) { return "SSE4.2" }
    if has(FS_CPU_SVE) { return has(FS_CPU_SVE2) ? "SVE2" : "SVE" }
    if has(FS_CPU_NEON) { return "NEON" }
    if has(FS_CPU_SSE2) { return "SSE2" }
    return "scalar"
  }

  private static let featureNames: [(name: String, bit: UInt64)] = [
    ("sse2", FS_CPU_SSE2), ("sse3", FS_CPU_SSE3), ("ssse3", FS_CPU_SSSE3), ("sse4_1", FS_CPU_SSE41),
    ("sse4_2", FS_CPU_SSE42), ("avx", FS_CPU_AVX), ("fma", FS_CPU_FMA), ("avx2", FS_CPU_AVX2),
    ("avx512f", FS_CPU_AVX512F), ("avx512cd", FS_CPU_AVX512CD), ("avx512bw", FS_CPU_AVX512BW),
    ("avx512dq", FS_CPU_AVX512DQ), ("avx512vl", FS_CPU_AVX512VL), ("avx512_bf16", FS_CPU_AVX512BF16),
    ("avx512_fp16", FS_CPU_AVX512FP16), ("amx", FS_CPU_AMX), ("neon", FS_CPU_NEON), ("asimddp", FS_CPU_ASIMDDP),
    ("sve", FS_CPU_SVE), ("sve2", FS_CPU_SVE2),
  ].map { ($0.0, UInt64($0.1)) }
}

/// The machine's fused multiply–add throughput: the physical yardstick for every GFLOP/s figure
/// (BENCHMARKS.md). Independent FMA chains in the widest vector registers the CPU has, on
/// `threads` threads at once.
public enum FMAPeak {
  /// GFLOP/s (2 per FMA per lane) of the best of `repeats` runs of about `seconds` each, and the
  /// instruction set used (`avx512`, `avx2+fma`, `sse2`, `neon`, `scalar`). `nil` if a thread
  /// cannot start.
  public static func measure(doublePrecision: Bool, threads: Int, seconds: Double = 0.25, repeats: Int = 3)
    -> (gflops: Double, isa: String)?
  {
    precondition(threads >= 1 && threads <= 256 && repeats >= 1 && seconds > 0, "FMAPeak: threads 1…256, repeats ≥ 1, seconds > 0")
    var isa: UnsafePointer<CChar>? = nil
    let gflops = fs_fma_peak_gflops(doublePrecision ? 1 : 0, Int32(threads), seconds, Int32(repeats), &isa)
    guard gflops > 0 else { return nil }
    return (gflops, isa.map { String(cString: $0) } ?? "")
  }
}
