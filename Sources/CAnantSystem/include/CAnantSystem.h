#ifndef CANANT_SYSTEM_H
#define CANANT_SYSTEM_H

/// Tells the C allocator to keep freed memory for reuse instead of returning large blocks
/// to the kernel at once (glibc: raise the mmap and trim thresholds to 1 GiB). A process
/// that builds and frees buffers of tens of megabytes again and again then pays the
/// kernel's page faults and zeroing once instead of every time. Call it once, at the start
/// of an executable. Returns 0 on success, -1 where the allocator cannot be tuned.
int anant_keep_freed_memory(void);

/// Hints the CPU to start loading the cache line at `address` (no effect on results):
/// random-access gathers issue it a few rows ahead, overlapping their cache misses.
static inline void anant_prefetch(const void *address) {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(address, 0, 0);
#endif
}

#endif
