#include "CAnantSystem.h"

#if defined(__GLIBC__)
#include <malloc.h>

int anant_keep_freed_memory(void) {
    int ok = mallopt(M_MMAP_THRESHOLD, 1 << 30);
    ok &= mallopt(M_TRIM_THRESHOLD, 1 << 30);
    return ok ? 0 : -1;
}
#else
int anant_keep_freed_memory(void) { return -1; }
#endif
