// OpenBLAS's CBLAS interface and the LAPACKE C interface to LAPACK (Debian: libopenblas-dev,
// liblapacke-dev). Only NumericCore imports this module; on macOS it uses Accelerate instead.
#include <cblas.h>
#include <lapacke.h>
