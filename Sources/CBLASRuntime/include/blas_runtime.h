// What the BLAS runs on: the CPU's vector features, the OpenBLAS kernel ("core") in use and how it
// was chosen, and a small FMA loop that measures the machine's floating-point peak. Plain C so
// that the choice is made by a load-time constructor, before any BLAS call of the process (the
// library used from another program, the test binary and the CLI alike). docs/blas.md explains it.
#ifndef FEATURESPEED_BLAS_RUNTIME_H
#define FEATURESPEED_BLAS_RUNTIME_H

#include <stdint.h>

/// CPU feature bits (`fs_cpu_features`): x86-64 features count only when the OS saves the
/// registers they need (XGETBV), arm64 ones come from the kernel's hardware capabilities.
enum {
  FS_CPU_SSE2 = 1 << 0,
  FS_CPU_SSE3 = 1 << 1,
  FS_CPU_SSSE3 = 1 << 2,
  FS_CPU_SSE41 = 1 << 3,
  FS_CPU_SSE42 = 1 << 4,
  FS_CPU_AVX = 1 << 5,
  FS_CPU_FMA = 1 << 6,
  FS_CPU_AVX2 = 1 << 7,
  FS_CPU_AVX512F = 1 << 8,
  FS_CPU_AVX512CD = 1 << 9,
  FS_CPU_AVX512BW = 1 << 10,
  FS_CPU_AVX512DQ = 1 << 11,
  FS_CPU_AVX512VL = 1 << 12,
  FS_CPU_AVX512BF16 = 1 << 13,
  FS_CPU_AVX512FP16 = 1 << 14,
  FS_CPU_AMX = 1 << 15,
  FS_CPU_NEON = 1 << 20,
  FS_CPU_ASIMDDP = 1 << 21,
  FS_CPU_SVE = 1 << 22,
  FS_CPU_SVE2 = 1 << 23,
};

/// How the OpenBLAS core in use came about (`fs_blas_core_decision`).
typedef enum {
  /// The BLAS is not OpenBLAS (no `openblas_get_corename`): nothing to choose.
  FS_CORE_NOT_OPENBLAS = 0,
  /// `OPENBLAS_CORETYPE` was set by the user: it always wins.
  FS_CORE_USER = 1,
  /// OpenBLAS's own choice already uses the CPU's widest vector unit.
  FS_CORE_KEPT = 2,
  /// OpenBLAS had picked a weaker core; switched to the best one for the CPU's features.
  FS_CORE_SWITCHED = 3,
  /// OpenBLAS picked a weaker core and cannot switch (built without DYNAMIC_ARCH, or no
  /// stronger core compiled in).
  FS_CORE_CANNOT_SWITCH = 4,
  /// The switch was attempted and OpenBLAS reported another core afterwards.
  FS_CORE_SWITCH_FAILED = 5,
  /// OpenBLAS reports a core this code does not rank (e.g. a new arm64 core): kept as is.
  FS_CORE_UNRANKED = 6,
} fs_blas_core_decision;

/// Runs the core choice once (thread-safe; also run by a load-time constructor).
void fs_blas_runtime_init(void);

/// The CPU's feature bits (`FS_CPU_*`).
uint64_t fs_cpu_features(void);
/// CPU vendor string ("GenuineIntel", "AuthenticAMD", … ; "" when unknown).
const char *fs_cpu_vendor(void);
/// CPU brand string (cpuid leaves 0x80000002–4 on x86-64; "" when unknown).
const char *fs_cpu_brand(void);
/// CPU family and model as the OS reports them (x86-64: display family/model; -1 when unknown).
int fs_cpu_family(void);
int fs_cpu_model(void);

/// The decision taken at initialization.
fs_blas_core_decision fs_blas_core_decision_taken(void);
/// The core OpenBLAS chose on its own at load time ("" when not OpenBLAS).
const char *fs_blas_initial_core(void);
/// The core in use now ("" when not OpenBLAS).
const char *fs_blas_active_core(void);
/// The best core for this CPU's features among those the library has; for an OpenBLAS built for
/// one core (no DYNAMIC_ARCH), the one the features call for ("" when not OpenBLAS).
const char *fs_blas_best_core(void);
/// `openblas_get_config()` ("" when not OpenBLAS).
const char *fs_blas_config(void);
/// Path of the shared object that provides the BLAS ("" when unknown).
const char *fs_blas_library_path(void);

/// The OpenBLAS core that best uses CPU features `features` of vendor `vendor`, among the
/// standard x86-64 cores (Cooperlake, SkylakeX, Zen, Haswell, Sandybridge, Nehalem, Prescott);
/// "" off x86-64. Pure: the library's set of cores is not consulted.
const char *fs_openblas_core_for_features(uint64_t features, const char *vendor);
/// The vector level of an OpenBLAS core name (case-insensitive): 1 SSE, 2 SSE4.2, 3 AVX, 4 AVX2
/// with FMA, 5 AVX-512, 6 AVX-512 with BF16, 7 AMX; 0 for a name this code does not rank.
int fs_openblas_core_level(const char *name);
/// The `index`-th core (0 = best) among the standard x86-64 cores that this CPU can execute and
/// this OpenBLAS has, from the widest down; NULL past the end (and off x86-64).
const char *fs_openblas_executable_core(int index);
/// Whether this OpenBLAS has kernels for core `name`.
int fs_openblas_has_core(const char *name);
/// Switches the OpenBLAS in this process to core `name` (DYNAMIC_ARCH builds; must run when no
/// BLAS call is in flight). Returns 1 when the library then reports that core. The caller must
/// make sure the CPU can execute it. Used by the initialization and by `featurespeed doctor`.
int fs_openblas_switch_core(const char *name);
/// Re-runs the choice as if OpenBLAS had picked `initial` on its own (for `featurespeed doctor
/// --from-core`, which proves the switch on a machine where OpenBLAS already picks well).
void fs_blas_runtime_rerun_from(const char *initial);

/// The machine's FMA throughput: `threads` threads each run independent fused multiply–adds on
/// the widest vectors the CPU has for about `seconds`; returns GFLOP/s (2 per FMA per lane) of
/// the best of `repeats` runs, and the instruction set used in `isa` (e.g. "avx512", "avx2+fma").
/// `double_precision` selects fp64. Returns a negative value if threads cannot start.
double fs_fma_peak_gflops(int double_precision, int threads, double seconds, int repeats, const char **isa);

#endif
