import Foundation
import Testing
import NumericCore

/// The OpenBLAS core choice (docs/blas.md): from CPU features, never narrower than the CPU
/// allows, a user's OPENBLAS_CORETYPE first.
@Suite struct BLASRuntimeTests {
  static let avx512 = ["sse2", "sse3", "ssse3", "sse4_1", "sse4_2", "avx", "fma", "avx2", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]

  @Test("Features map to the widest OpenBLAS core they can run, whatever the CPU model")
  func coreForFeatures() {
    #if arch(x86_64)
      // The Xeon of the issue (family 6, model 207), unknown to OpenBLAS 0.3.21's model table.
      #expect(BLASRuntime.core(forFeatures: Self.avx512 + ["avx512_bf16", "avx512_fp16", "amx"], vendor: "GenuineIntel") == "SkylakeX")
      // Zen 4 has AVX-512 too: the same kernels (as OpenBLAS itself picks for family 0x19).
      #expect(BLASRuntime.core(forFeatures: Self.avx512 + ["avx512_bf16"], vendor: "AuthenticAMD") == "SkylakeX")
      let avx2 = Array(Self.avx512.prefix(8))
      #expect(BLASRuntime.core(forFeatures: avx2, vendor: "AuthenticAMD") == "Zen")
      #expect(BLASRuntime.core(forFeatures: avx2, vendor: "HygonGenuine") == "Zen")
      #expect(BLASRuntime.core(forFeatures: avx2, vendor: "GenuineIntel") == "Haswell")
      // AVX-512F without BW/DQ/VL (Xeon Phi) cannot run the SkylakeX kernels.
      #expect(BLASRuntime.core(forFeatures: avx2 + ["avx512f", "avx512cd"], vendor: "GenuineIntel") == "Haswell")
      // AVX2 without FMA, or AVX alone: the AVX kernels.
      #expect(BLASRuntime.core(forFeatures: ["sse2", "sse4_2", "avx", "avx2"], vendor: "GenuineIntel") == "Sandybridge")
      #expect(BLASRuntime.core(forFeatures: ["sse2", "sse3", "sse4_2"], vendor: "GenuineIntel") == "Nehalem")
      #expect(BLASRuntime.core(forFeatures: ["sse2", "sse3"], vendor: "GenuineIntel") == "Prescott")
    #else
      #expect(BLASRuntime.core(forFeatures: ["neon"], vendor: "") == "")
    #endif
  }

  @Test("Core levels order the kernels by vector width; names are case-insensitive")
  func levels() {
    let order = ["Prescott", "Nehalem", "Sandybridge", "Haswell", "SkylakeX"].map(BLASRuntime.coreLevel)
    #expect(order == order.sorted() && Set(order).count == order.count && order.first! > 0)
    #expect(BLASRuntime.coreLevel("Zen") == BLASRuntime.coreLevel("Haswell"))
    #expect(BLASRuntime.coreLevel("Cooperlake") == BLASRuntime.coreLevel("SkylakeX"))
    #expect(BLASRuntime.coreLevel("skylakex") == BLASRuntime.coreLevel("SkylakeX"))
    #expect(BLASRuntime.coreLevel("NeoverseN1") == 0)
  }

  @Test("This process runs the best core for its CPU, or the one OPENBLAS_CORETYPE names")
  func liveChoice() throws {
    let runtime = BLASRuntime.current
    guard runtime.selection != .notOpenBLAS else { return }  // Accelerate, BLIS: nothing to choose
    let core = try #require(runtime.core)
    #expect(runtime.library.hasPrefix("OpenBLAS "), "library \(runtime.library)")
    if let forced = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"], !forced.isEmpty {
      #expect(runtime.selection == .user)
      if BLASRuntime.executableCores.contains(where: { $0.lowercased() == forced.lowercased() }) {
        // A core this CPU runs is used as given, and the warning says exactly when it is narrower.
        #expect(core.lowercased() == forced.lowercased(), "OPENBLAS_CORETYPE=\(forced) but OpenBLAS runs \(core)")
        let narrower = BLASRuntime.coreLevel(forced) < BLASRuntime.coreLevel(runtime.bestCore ?? "")
        #expect((runtime.warning != nil) == narrower && runtime.runsNarrowerThanCPU == narrower)
      }
    } else if BLASRuntime.coreLevel(core) > 0 {
      #expect([.kept, .switched].contains(runtime.selection), "selection \(runtime.selection): \(runtime.reason)")
      #expect(!runtime.runsNarrowerThanCPU, "\(runtime.reason)")
      #expect(runtime.warning == nil)
      let best = try #require(runtime.bestCore)
      #expect(BLASRuntime.coreLevel(core) >= BLASRuntime.coreLevel(best))
      #expect(BLASRuntime.coreLevel(best) == BLASRuntime.coreLevel(BLASRuntime.core(forFeatures: runtime.cpuFeatures, vendor: runtime.cpuVendor)))
    }
  }

  @Test("The FMA loop runs on the widest vectors the CPU has and returns a positive rate")
  func fmaPeak() throws {
    let single = try #require(FMAPeak.measure(doublePrecision: false, threads: 1, seconds: 0.01, repeats: 1))
    let double = try #require(FMAPeak.measure(doublePrecision: true, threads: 2, seconds: 0.01, repeats: 1))
    #expect(single.gflops > 0 && double.gflops > 0)
    let features = BLASRuntime.current.cpuFeatures
    #if arch(x86_64)
      let expected = features.contains("avx512f") ? "avx512" : features.contains("avx2") && features.contains("fma") ? "avx2+fma" : "sse2"
      #expect(single.isa == expected && double.isa == expected)
    #endif
  }
}
