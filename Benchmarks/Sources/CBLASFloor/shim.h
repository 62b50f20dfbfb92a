#include <cblas.h>
#include <malloc.h>

/// Bytes of heap in use (glibc's mallinfo2: small blocks and mmap'd large ones), for W2's memory per op.
static inline size_t tapegrad_heap_in_use(void) {
    struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
}
