import CBLASRuntime

#if canImport(Accelerate)
  import Accelerate
#else
  import CBLAS
#endif

/// The number of threads BLAS uses. OpenBLAS threads are process-global; FeatureSpeed uses one
/// level of parallelism (BLAS only), chosen explicitly at start (SWIFT-NOTES).
public enum BLASThreads {
  /// Sets the BLAS thread count (OpenBLAS); a no-op with Accelerate, which manages its own.
  public static func set(_ count: Int) {
    precondition(count >= 1, "BLAS thread count must be ≥ 1, got \(count)")
    // The kernel choice normally ran at load time already; this makes sure it precedes BLAS work
    // even where a linker dropped the constructor (idempotent, `BLASRuntime`).
    fs_blas_runtime_init()
    #if !canImport(Accelerate)
      openblas_set_num_threads(Int32(count))
    #endif
  }

  /// The current BLAS thread count (1 with Accelerate, where it is not observable).
  public static var count: Int {
    #if canImport(Accelerate)
      1
    #else
      Int(openblas_get_num_threads())
    #endif
  }
}
