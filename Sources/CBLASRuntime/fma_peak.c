// The machine's fused multiply–add peak: the physical yardstick that BLAS figures are compared
// against (a gemm library measured against itself cannot show that it runs the wrong kernel).
//
// Each thread keeps independent chains `acc ← acc·x + y` in the widest vector registers the CPU
// has (24 on AVX-512 and NEON, 12 on AVX2), enough to cover the FMA latency on every pipe
// (≈ 4 cycles × 2 pipes on current x86-64 cores), so the loop is bound by FMA throughput alone.
// x < 1 and y small keep the values normal (no denormal slow path); the chains converge to 0.1.
#define _GNU_SOURCE
#include "blas_runtime.h"

#include <pthread.h>
#include <stdint.h>
#include <time.h>


#define ITERATIONS_PER_CALL 4096

static double now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

// One call runs ITERATIONS_PER_CALL rounds over every accumulator and returns the floating-point
// operations done. The x86-64 loops are written in assembly so that the accumulators live in
// registers whatever the build configuration (a debug build compiles C at -O0).

// The register lists are spelled out by these macros: accumulators 0…n−1, x in register 24
// (AVX-512, NEON) or 12 (AVX2), y in the next one; every one of them is declared clobbered.
#define FS_EACH12(m, ...) m(0, __VA_ARGS__) m(1, __VA_ARGS__) m(2, __VA_ARGS__) m(3, __VA_ARGS__) \
  m(4, __VA_ARGS__) m(5, __VA_ARGS__) m(6, __VA_ARGS__) m(7, __VA_ARGS__) m(8, __VA_ARGS__) m(9, __VA_ARGS__) \
  m(10, __VA_ARGS__) m(11, __VA_ARGS__)
#define FS_EACH24(m, ...) FS_EACH12(m, __VA_ARGS__) m(12, __VA_ARGS__) m(13, __VA_ARGS__) m(14, __VA_ARGS__) \
  m(15, __VA_ARGS__) m(16, __VA_ARGS__) m(17, __VA_ARGS__) m(18, __VA_ARGS__) m(19, __VA_ARGS__) m(20, __VA_ARGS__) \
  m(21, __VA_ARGS__) m(22, __VA_ARGS__) m(23, __VA_ARGS__)

#if defined(__x86_64__)
#define FS_SET(i, broadcast, reg, x, y) broadcast " %3, %%" reg #i "\n"
#define FS_FMA(i, broadcast, reg, x, y) "vfmadd213p" broadcast " %%" reg y ", %%" reg x ", %%" reg #i "\n"
#define FS_CLOBBER(i, ...) "xmm" #i,

// acc_i ← acc_i · x + y for every accumulator, `rounds` times. `suffix` is s (fp32) or d (fp64).
#define FS_FMA_LOOP(name, isa, type, xv, yv, suffix, reg, each, x, y)                               \
  __attribute__((target(isa))) static void name(long rounds) {                                        \
    static const type xs = xv, ys = yv, start = 1;                                                    \
    __asm__ volatile("vbroadcasts" suffix " %1, %%" reg x "\n"                                         \
                     "vbroadcasts" suffix " %2, %%" reg y "\n"                                         \
                     each(FS_SET, "vbroadcasts" suffix, reg, x, y) "1:\n"                              \
                     each(FS_FMA, suffix, reg, x, y) "dec %0\n"                                        \
                     "jnz 1b\n"                                                                       \
                     : "+r"(rounds)                                                                   \
                     : "m"(xs), "m"(ys), "m"(start)                                                   \
                     : each(FS_CLOBBER) "xmm" x, "xmm" y, "cc");                                       \
  }

#define AVX512_ACCUMULATORS 24
FS_FMA_LOOP(loop_avx512_ps, "avx512f", float, 0.9999f, 1e-5f, "s", "zmm", FS_EACH24, "24", "25")
FS_FMA_LOOP(loop_avx512_pd, "avx512f", double, 0.999999, 1e-7, "d", "zmm", FS_EACH24, "24", "25")
#define AVX2_ACCUMULATORS 12
FS_FMA_LOOP(loop_avx2_ps, "avx2,fma", float, 0.9999f, 1e-5f, "s", "ymm", FS_EACH12, "12", "13")
FS_FMA_LOOP(loop_avx2_pd, "avx2,fma", double, 0.999999, 1e-7, "d", "ymm", FS_EACH12, "12", "13")

static double run_avx512(int fp64, double *flops) {
  if (fp64) loop_avx512_pd(ITERATIONS_PER_CALL); else loop_avx512_ps(ITERATIONS_PER_CALL);
  *flops = 2.0 * (fp64 ? 8 : 16) * AVX512_ACCUMULATORS * ITERATIONS_PER_CALL;
  return 0;
}

static double run_avx2(int fp64, double *flops) {
  if (fp64) loop_avx2_pd(ITERATIONS_PER_CALL); else loop_avx2_ps(ITERATIONS_PER_CALL);
  *flops = 2.0 * (fp64 ? 4 : 8) * AVX2_ACCUMULATORS * ITERATIONS_PER_CALL;
  return 0;
}
#endif

// Portable fallback (SSE2 on x86-64 through the compiler, or scalar): a separate multiply and
// add, counted as two operations. Only meaningful in optimized builds.
#define GENERIC_ACCUMULATORS 16
static double run_generic(int fp64, double *flops) {
  double s = 0;
  if (fp64) {
    double acc[GENERIC_ACCUMULATORS];
    for (int i = 0; i < GENERIC_ACCUMULATORS; i++) acc[i] = 1.0 + i;
    for (int n = 0; n < ITERATIONS_PER_CALL; n++)
      for (int i = 0; i < GENERIC_ACCUMULATORS; i++) acc[i] = acc[i] * 0.999999 + 1e-7;
    for (int i = 0; i < GENERIC_ACCUMULATORS; i++) s += acc[i];
  } else {
    float acc[GENERIC_ACCUMULATORS];
    for (int i = 0; i < GENERIC_ACCUMULATORS; i++) acc[i] = 1.0f + i;
    for (int n = 0; n < ITERATIONS_PER_CALL; n++)
      for (int i = 0; i < GENERIC_ACCUMULATORS; i++) acc[i] = acc[i] * 0.9999f + 1e-5f;
    for (int i = 0; i < GENERIC_ACCUMULATORS; i++) s += acc[i];
  }
  *flops = 2.0 * GENERIC_ACCUMULATORS * ITERATIONS_PER_CALL;
  return s;
}

#if defined(__aarch64__)
// 24 accumulators v0–v23 each add x·y (v24·v25 = 1e-6) per round: they grow by about 1e-6 per
// round and stay normal and finite for far longer than the loop runs.
#define NEON_ACCUMULATORS 24
#define FS_NEON_ZERO(i, lanes) "movi v" #i "." lanes ", #0\n"
#define FS_NEON_FMLA(i, lanes) "fmla v" #i "." lanes ", v24." lanes ", v25." lanes "\n"
#define FS_NEON_CLOBBER(i, ...) "v" #i,
#define FS_NEON_LOOP(name, type, lanes)                                                             \
  static void name(long rounds) {                                                                   \
    static const type x = 1e-3, y = 1e-3;                                                           \
    __asm__ volatile("ld1r {v24." lanes "}, [%1]\n"                                                 \
                     "ld1r {v25." lanes "}, [%2]\n" FS_EACH24(FS_NEON_ZERO, lanes) "1:\n"            \
                     FS_EACH24(FS_NEON_FMLA, lanes) "subs %0, %0, #1\n"                              \
                     "b.ne 1b\n"                                                                    \
                     : "+r"(rounds)                                                                 \
                     : "r"(&x), "r"(&y)                                                             \
                     : FS_EACH24(FS_NEON_CLOBBER) "v24", "v25", "cc");                               \
  }
FS_NEON_LOOP(loop_neon_ps, float, "4s")
FS_NEON_LOOP(loop_neon_pd, double, "2d")

static double run_neon(int fp64, double *flops) {
  if (fp64) loop_neon_pd(ITERATIONS_PER_CALL); else loop_neon_ps(ITERATIONS_PER_CALL);
  *flops = 2.0 * (fp64 ? 2 : 4) * NEON_ACCUMULATORS * ITERATIONS_PER_CALL;
  return 0;
}
#endif

typedef double (*kernel_fn)(int, double *);

static kernel_fn select_kernel(const char **isa) {
  uint64_t f = fs_cpu_features();
#if defined(__x86_64__)
  if (f & FS_CPU_AVX512F) { *isa = "avx512"; return run_avx512; }
  if ((f & (FS_CPU_AVX2 | FS_CPU_FMA)) == (FS_CPU_AVX2 | FS_CPU_FMA)) { *isa = "avx2+fma"; return run_avx2; }
  *isa = "sse2";
#elif defined(__aarch64__)
  (void)f;
  *isa = "neon";
  return run_neon;
#else
  (void)f;
  *isa = "scalar";
#endif
  return run_generic;
}

typedef struct {
  kernel_fn kernel;
  int fp64;
  double seconds;
  int *go;  // 0: wait, 1: run, -1: abort (a thread could not start)
  double flops, elapsed, sink;
} worker;

static void *work(void *argument) {
  worker *w = argument;
  double flops = 0, sink = 0, per_call = 0;
  int go;
  while ((go = __atomic_load_n(w->go, __ATOMIC_ACQUIRE)) == 0) {}
  if (go < 0) return NULL;
  double start = now_seconds(), end = start;
  do {
    for (int k = 0; k < 16; k++) {
      sink += w->kernel(w->fp64, &per_call);
      flops += per_call;
    }
    end = now_seconds();
  } while (end - start < w->seconds);
  w->flops = flops;
  w->elapsed = end - start;
  w->sink = sink;
  return NULL;
}

double fs_fma_peak_gflops(int double_precision, int threads, double seconds, int repeats, const char **isa) {
  const char *name = "";
  kernel_fn kernel = select_kernel(&name);
  if (isa) *isa = name;
  if (threads < 1 || threads > 256 || repeats < 1) return -1;
  double best = -1, sink = 0;
  for (int r = 0; r < repeats; r++) {
    int go = 0;
    worker workers[256];
    pthread_t ids[256];
    int started = 1;
    for (int t = 0; t < threads; t++) workers[t] = (worker){kernel, double_precision, seconds, &go, 0, 0, 0};
    for (int t = 1; t < threads && pthread_create(&ids[t], NULL, work, &workers[t]) == 0; t++) started++;
    __atomic_store_n(&go, started == threads ? 1 : -1, __ATOMIC_RELEASE);
    if (started == threads) work(&workers[0]);
    double flops = workers[0].flops, elapsed = workers[0].elapsed;
    sink += workers[0].sink;
    for (int t = 1; t < started; t++) {
      pthread_join(ids[t], NULL);
      flops += workers[t].flops;
      if (workers[t].elapsed > elapsed) elapsed = workers[t].elapsed;
      sink += workers[t].sink;
    }
    if (started < threads) return -1;
    double gflops = flops / elapsed / 1e9;
    if (gflops > best) best = gflops;
  }
  // Keep the sink observable (finite by construction: this never returns -2).
  if (sink != sink) return -2;
  return best;
}
