// Open MPI for Swift: mpi.h plus accessors for the handles that are macros (Swift cannot import
// `#define MPI_COMM_WORLD ((MPI_Comm) &ompi_mpi_comm_world)` and friends).
#include <mpi.h>

static inline MPI_Comm tg_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype tg_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype tg_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype tg_mpi_int(void) { return MPI_INT; }
static inline MPI_Datatype tg_mpi_int64(void) { return MPI_INT64_T; }
static inline MPI_Datatype tg_mpi_uint8(void) { return MPI_UINT8_T; }
static inline MPI_Datatype tg_mpi_char(void) { return MPI_CHAR; }
static inline MPI_Op tg_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Op tg_mpi_max(void) { return MPI_MAX; }
static inline MPI_Op tg_mpi_min(void) { return MPI_MIN; }
static inline MPI_Op tg_mpi_prod(void) { return MPI_PROD; }
static inline void *tg_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline MPI_Request tg_mpi_request_null(void) { return MPI_REQUEST_NULL; }
static inline MPI_Status *tg_mpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline int tg_mpi_success(void) { return MPI_SUCCESS; }
static inline int tg_mpi_thread_serialized(void) { return MPI_THREAD_SERIALIZED; }
static inline MPI_Errhandler tg_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }
