// The one header TapeGrad needs from OpenBLAS: the C interface to BLAS, and the prototypes of the Fortran
// LAPACK routines OpenBLAS exports (Debian builds it without LAPACKE, but the Fortran symbols are there).
// Fortran is column-major and passes every argument by pointer; a row-major matrix seen column-major is its
// transpose, which the callers use instead of copying where the algebra allows.
#include <cblas.h>

void dgetrf_(const blasint *m, const blasint *n, double *a, const blasint *lda, blasint *ipiv, blasint *info);
void dgetri_(const blasint *n, double *a, const blasint *lda, const blasint *ipiv, double *work, const blasint *lwork,
             blasint *info);
void dgetrs_(const char *trans, const blasint *n, const blasint *nrhs, const double *a, const blasint *lda,
             const blasint *ipiv, double *b, const blasint *ldb, blasint *info);
void dpotrf_(const char *uplo, const blasint *n, double *a, const blasint *lda, blasint *info);
void dgeqrf_(const blasint *m, const blasint *n, double *a, const blasint *lda, double *tau, double *work,
             const blasint *lwork, blasint *info);
void dorgqr_(const blasint *m, const blasint *n, const blasint *k, double *a, const blasint *lda, const double *tau,
             double *work, const blasint *lwork, blasint *info);
void dgesdd_(const char *jobz, const blasint *m, const blasint *n, double *a, const blasint *lda, double *s, double *u,
             const blasint *ldu, double *vt, const blasint *ldvt, double *work, const blasint *lwork, blasint *iwork,
             blasint *info);
void dsyevd_(const char *jobz, const char *uplo, const blasint *n, double *a, const blasint *lda, double *w,
             double *work, const blasint *lwork, blasint *iwork, const blasint *liwork, blasint *info);
void dgelsd_(const blasint *m, const blasint *n, const blasint *nrhs, double *a, const blasint *lda, double *b,
             const blasint *ldb, double *s, const double *rcond, blasint *rank, double *work, const blasint *lwork,
             blasint *iwork, blasint *info);
