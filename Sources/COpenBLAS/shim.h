// The one header TapeGrad needs from OpenBLAS: the C interface to BLAS.
#include <cblas.h>
