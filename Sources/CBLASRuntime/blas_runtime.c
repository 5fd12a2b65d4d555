// The OpenBLAS core choice (see blas_runtime.h and docs/blas.md).
//
// Why in-process and at load time: OpenBLAS (DYNAMIC_ARCH builds, as Debian's) picks its kernels
// in its own load-time constructor from a table of CPU models; a model it does not know (e.g. a
// recent Xeon) falls back to its SSE3 "Prescott" kernels, several times slower. Its exported
// `gotoblas_dynamic_quit` / `gotoblas_dynamic_init` pair re-runs that choice and honours
// OPENBLAS_CORETYPE, so this constructor — which runs after OpenBLAS's, since the program links
// it, and before any code of the program — sets the variable to the core that matches the CPU's
// *features*, re-runs the choice, and restores the environment (children do not inherit it).
// Nothing is re-executed and no BLAS call has happened yet, so no buffer or thread holds state
// of the old core. Everything is looked up with dlsym: other BLAS libraries are left alone.
#define _GNU_SOURCE
#include "blas_runtime.h"

#include <ctype.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#if defined(__x86_64__)
#include <cpuid.h>
#endif
#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#endif

static uint64_t features;
static char vendor[16];
static char brand[64];
static int family = -1, model = -1;

static fs_blas_core_decision decision = FS_CORE_NOT_OPENBLAS;
static char initial_core[32], active_core[32], best_core[32], config[256], library_path[512];

// MARK: CPU features

#if defined(__x86_64__)
static uint64_t xgetbv0(void) {
  uint32_t eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return ((uint64_t)edx << 32) | eax;
}
#endif

static void detect_cpu(void) {
#if defined(__x86_64__)
  unsigned a, b, c, d;
  if (!__get_cpuid(0, &a, &b, &c, &d)) return;
  unsigned max_leaf = a;
  memcpy(vendor, &b, 4);
  memcpy(vendor + 4, &d, 4);
  memcpy(vendor + 8, &c, 4);
  vendor[12] = 0;

  __get_cpuid(1, &a, &b, &c, &d);
  unsigned base_family = (a >> 8) & 0xf, base_model = (a >> 4) & 0xf;
  family = (int)(base_family == 0xf ? base_family + ((a >> 20) & 0xff) : base_family);
  model = (int)((base_family == 0x6 || base_family == 0xf) ? base_model + (((a >> 16) & 0xf) << 4) : base_model);
  if (d & (1u << 26)) features |= FS_CPU_SSE2;
  if (c & (1u << 0)) features |= FS_CPU_SSE3;
  if (c & (1u << 9)) features |= FS_CPU_SSSE3;
  if (c & (1u << 19)) features |= FS_CPU_SSE41;
  if (c & (1u << 20)) features |= FS_CPU_SSE42;
  int osxsave = (c >> 27) & 1;
  uint64_t xcr0 = osxsave ? xgetbv0() : 0;
  int ymm = (xcr0 & 0x6) == 0x6;            // SSE and AVX state saved by the OS
  int zmm = (xcr0 & 0xe6) == 0xe6;          // and opmask, ZMM_Hi256, Hi16_ZMM
  int tiles = (xcr0 & 0x60000) == 0x60000;  // AMX tile config and data
  if (ymm && (c & (1u << 28))) features |= FS_CPU_AVX;
  if (ymm && (c & (1u << 12))) features |= FS_CPU_FMA;

  if (max_leaf >= 7) {
    __get_cpuid_count(7, 0, &a, &b, &c, &d);
    unsigned eax1 = 0, unused;
    if (a >= 1) __get_cpuid_count(7, 1, &eax1, &unused, &unused, &unused);
    if (ymm && (b & (1u << 5))) features |= FS_CPU_AVX2;
    if (zmm) {
      if (b & (1u << 16)) features |= FS_CPU_AVX512F;
      if (b & (1u << 17)) features |= FS_CPU_AVX512DQ;
      if (b & (1u << 28)) features |= FS_CPU_AVX512CD;
      if (b & (1u << 30)) features |= FS_CPU_AVX512BW;
      if (b & (1u << 31)) features |= FS_CPU_AVX512VL;
      if (d & (1u << 23)) features |= FS_CPU_AVX512FP16;
      if (eax1 & (1u << 5)) features |= FS_CPU_AVX512BF16;
    }
    if (tiles && (d & (1u << 24))) features |= FS_CPU_AMX;
  }

  __get_cpuid(0x80000000, &a, &b, &c, &d);
  if (a >= 0x80000004) {
    unsigned words[12];
    for (unsigned i = 0; i < 3; i++)
      __get_cpuid(0x80000002 + i, &words[4 * i], &words[4 * i + 1], &words[4 * i + 2], &words[4 * i + 3]);
    memcpy(brand, words, 48);
    brand[48] = 0;
    // Trim the padding some CPUs put around the name.
    char *start = brand;
    while (*start == ' ') start++;
    memmove(brand, start, strlen(start) + 1);
    for (size_t n = strlen(brand); n > 0 && brand[n - 1] == ' '; n--) brand[n - 1] = 0;
  }
#elif defined(__aarch64__) && defined(__linux__)
  unsigned long hw = getauxval(AT_HWCAP), hw2 = getauxval(AT_HWCAP2);
  if (hw & (1ul << 1)) features |= FS_CPU_NEON;     // HWCAP_ASIMD
  if (hw & (1ul << 20)) features |= FS_CPU_ASIMDDP;  // HWCAP_ASIMDDP
  if (hw & (1ul << 22)) features |= FS_CPU_SVE;      // HWCAP_SVE
  if (hw2 & (1ul << 1)) features |= FS_CPU_SVE2;     // HWCAP2_SVE2
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (f) {
    char line[256];
    while (fgets(line, sizeof line, f)) {
      unsigned value;
      if (sscanf(line, "CPU implementer : %x", &value) == 1 && !vendor[0]) snprintf(vendor, sizeof vendor, "0x%02x", value);
      if (sscanf(line, "CPU part : %x", &value) == 1 && model < 0) model = (int)value;
    }
    fclose(f);
  }
#endif
}

// MARK: Core ranking

typedef struct {
  const char *name;
  int level;
} ranked_core;

// The widest fp32/fp64 vector instructions of each x86-64 core's gemm kernels.
static const ranked_core ranked_cores[] = {
    {"Katmai", 1},      {"Coppermine", 1},   {"Northwood", 1},  {"Prescott", 1},    {"Banias", 1},
    {"Atom", 1},        {"Core2", 1},        {"Penryn", 1},     {"Dunnington", 1},  {"Athlon", 1},
    {"Opteron", 1},     {"Opteron_SSE3", 1}, {"Barcelona", 1},  {"Nano", 1},        {"Bobcat", 1},
    {"Nehalem", 2},     {"Sandybridge", 3},  {"Bulldozer", 3},  {"Piledriver", 3},  {"Steamroller", 3},
    {"Haswell", 4},     {"Zen", 4},          {"Excavator", 4},  {"SkylakeX", 5},    {"Cooperlake", 5},
    {"SapphireRapids", 5},
};

int fs_openblas_core_level(const char *name) {
  if (!name) return 0;
  for (size_t i = 0; i < sizeof ranked_cores / sizeof ranked_cores[0]; i++)
    if (strcasecmp(name, ranked_cores[i].name) == 0) return ranked_cores[i].level;
  return 0;
}

// Candidates for a CPU, best first: what its features can execute, of decreasing width.
static size_t candidate_cores(uint64_t f, const char *cpu_vendor, const char *out[8]) {
  size_t n = 0;
#if defined(__x86_64__)
  int amd = strcmp(cpu_vendor, "AuthenticAMD") == 0 || strcmp(cpu_vendor, "HygonGenuine") == 0;
  const uint64_t avx512 = FS_CPU_AVX512F | FS_CPU_AVX512CD | FS_CPU_AVX512BW | FS_CPU_AVX512DQ | FS_CPU_AVX512VL;
  // SkylakeX first even with AVX512_BF16: the two share every sgemm/dgemm kernel (Cooperlake
  // adds bf16 ones, which FeatureSpeed never calls). Cooperlake is listed as runnable so that the
  // test suite's core sweep also covers it.
  if ((f & avx512) == avx512) out[n++] = "SkylakeX";
  if ((f & avx512) == avx512 && (f & FS_CPU_AVX512BF16)) out[n++] = "Cooperlake";
  if ((f & (FS_CPU_AVX2 | FS_CPU_FMA)) == (FS_CPU_AVX2 | FS_CPU_FMA)) {
    out[n++] = amd ? "Zen" : "Haswell";
    out[n++] = amd ? "Haswell" : "Zen";
  }
  if (f & FS_CPU_AVX) out[n++] = "Sandybridge";
  if (f & FS_CPU_SSE42) out[n++] = "Nehalem";
  out[n++] = "Prescott";
#else
  (void)f;
  (void)cpu_vendor;
  (void)out;
#endif
  return n;
}

const char *fs_openblas_core_for_features(uint64_t f, const char *cpu_vendor) {
  const char *list[8];
  return candidate_cores(f, cpu_vendor ? cpu_vendor : "", list) ? list[0] : "";
}

int fs_openblas_has_core(const char *name) {
  char symbol[64] = "gotoblas_";
  size_t k = strlen(symbol);
  for (const char *p = name; *p && k < sizeof symbol - 1; p++) symbol[k++] = (char)toupper((unsigned char)*p);
  symbol[k] = 0;
  return dlsym(RTLD_DEFAULT, symbol) != NULL;
}

const char *fs_openblas_executable_core(int index) {
  fs_blas_runtime_init();
  const char *list[8];
  size_t n = candidate_cores(features, vendor, list);
  int k = 0;
  for (size_t i = 0; i < n; i++)
    if (fs_openblas_has_core(list[i]) && k++ == index) return list[i];
  return NULL;
}

// MARK: Switching

typedef char *(*corename_fn)(void);
typedef void (*void_fn)(void);

static const char *current_core_name(void) {
  corename_fn corename = (corename_fn)dlsym(RTLD_DEFAULT, "openblas_get_corename");
  const char *name = corename ? corename() : NULL;
  return name ? name : "";
}

int fs_openblas_switch_core(const char *name) {
  void_fn quit = (void_fn)dlsym(RTLD_DEFAULT, "gotoblas_dynamic_quit");
  void_fn init = (void_fn)dlsym(RTLD_DEFAULT, "gotoblas_dynamic_init");
  if (!quit || !init || !fs_openblas_has_core(name)) return 0;
  const char *previous = getenv("OPENBLAS_CORETYPE");
  char saved[64] = "";
  if (previous) snprintf(saved, sizeof saved, "%s", previous);
  setenv("OPENBLAS_CORETYPE", name, 1);
  quit();
  init();
  if (previous) setenv("OPENBLAS_CORETYPE", saved, 1); else unsetenv("OPENBLAS_CORETYPE");
  return strcasecmp(current_core_name(), name) == 0;
}

static void copy(char *to, size_t size, const char *from) { snprintf(to, size, "%s", from ? from : ""); }

static void choose(const char *pretend_initial) {
  typedef char *(*config_fn)(void);
  config_fn get_config = (config_fn)dlsym(RTLD_DEFAULT, "openblas_get_config");
  void *anchor = dlsym(RTLD_DEFAULT, "cblas_sgemm");
  Dl_info info;
  if (anchor && dladdr(anchor, &info) && info.dli_fname) {
    char *resolved = realpath(info.dli_fname, NULL);
    copy(library_path, sizeof library_path, resolved ? resolved : info.dli_fname);
    free(resolved);
  }
  if (!dlsym(RTLD_DEFAULT, "openblas_get_corename") || !get_config) {
    decision = FS_CORE_NOT_OPENBLAS;
    return;
  }
  copy(initial_core, sizeof initial_core, pretend_initial ? pretend_initial : current_core_name());

  const char *list[8];
  size_t n = candidate_cores(features, vendor, list);
  best_core[0] = 0;
  for (size_t i = 0; i < n; i++)
    if (fs_openblas_has_core(list[i])) {
      copy(best_core, sizeof best_core, list[i]);
      break;
    }

  // A build for one core (no DYNAMIC_ARCH) has none of the gotoblas_<CORE> tables: compare its
  // core with the one the features call for, which it cannot switch to.
  int dynamic = best_core[0] && dlsym(RTLD_DEFAULT, "gotoblas_dynamic_init") != NULL;
  if (!best_core[0] && n > 0) copy(best_core, sizeof best_core, list[0]);

  int initial_level = fs_openblas_core_level(initial_core), best_level = fs_openblas_core_level(best_core);
  const char *forced = getenv("OPENBLAS_CORETYPE");  // set but empty counts as unset
  if (!pretend_initial && forced && forced[0]) {
    decision = FS_CORE_USER;
  } else if (initial_level == 0 || best_level == 0) {
    decision = FS_CORE_UNRANKED;
  } else if (best_level <= initial_level) {
    decision = FS_CORE_KEPT;
  } else if (!dynamic) {
    decision = FS_CORE_CANNOT_SWITCH;
  } else {
    decision = fs_openblas_switch_core(best_core) ? FS_CORE_SWITCHED : FS_CORE_SWITCH_FAILED;
  }
  copy(active_core, sizeof active_core, current_core_name());
  copy(config, sizeof config, get_config());
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static void initialize(void) {
  detect_cpu();
  choose(NULL);
}

void fs_blas_runtime_init(void) { pthread_once(&once, initialize); }

__attribute__((constructor)) static void fs_blas_runtime_constructor(void) { fs_blas_runtime_init(); }

void fs_blas_runtime_rerun_from(const char *initial) {
  fs_blas_runtime_init();
  if (fs_openblas_core_level(initial) == 0 || fs_openblas_core_level(initial) > fs_openblas_core_level(best_core)) return;
  if (!fs_openblas_switch_core(initial)) return;
  choose(initial);
}

uint64_t fs_cpu_features(void) { fs_blas_runtime_init(); return features; }
const char *fs_cpu_vendor(void) { fs_blas_runtime_init(); return vendor; }
const char *fs_cpu_brand(void) { fs_blas_runtime_init(); return brand; }
int fs_cpu_family(void) { fs_blas_runtime_init(); return family; }
int fs_cpu_model(void) { fs_blas_runtime_init(); return model; }
fs_blas_core_decision fs_blas_core_decision_taken(void) { fs_blas_runtime_init(); return decision; }
const char *fs_blas_initial_core(void) { fs_blas_runtime_init(); return initial_core; }
const char *fs_blas_active_core(void) { fs_blas_runtime_init(); return active_core; }
const char *fs_blas_best_core(void) { fs_blas_runtime_init(); return best_core; }
const char *fs_blas_config(void) { fs_blas_runtime_init(); return config; }
const char *fs_blas_library_path(void) { fs_blas_runtime_init(); return library_path; }
