#include "CAnantSystem.h"
#include <stdlib.h>  // defines __GLIBC__ on glibc systems

#if defined(__GLIBC__)
#include <malloc.h>

int anant_keep_freed_memory(void) {
    // Large blocks from the heap, never from fresh mappings (glibc caps M_MMAP_THRESHOLD
    // at 32 MiB, so mmap is switched off instead), and no trimming of the heap's top.
    int ok = mallopt(M_MMAP_MAX, 0);
    ok &= mallopt(M_TRIM_THRESHOLD, 1 << 30);
    // One arena for every thread: worker threads' arenas are mapped heaps of at most
    // 64 MiB that glibc shrinks as blocks are freed, so the buffers a parallel query
    // allocates per morsel would fault in fresh zeroed pages again and again.
    ok &= mallopt(M_ARENA_MAX, 1);
    return ok ? 0 : -1;
}
#else
int anant_keep_freed_memory(void) { return -1; }
#endif
