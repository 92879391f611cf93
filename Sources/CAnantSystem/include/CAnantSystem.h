#ifndef CANANT_SYSTEM_H
#define CANANT_SYSTEM_H

#include <stddef.h>
#include <stdint.h>

/// Tells the C allocator to keep freed memory for reuse instead of returning large blocks
/// to the kernel at once (glibc: raise the mmap and trim thresholds to 1 GiB). A process
/// that builds and frees buffers of tens of megabytes again and again then pays the
/// kernel's page faults and zeroing once instead of every time. Executables get it before
/// `main` from `CAnantProcess`; libraries never call it. Returns 0 on success, -1 where the
/// allocator cannot be tuned.
int anant_keep_freed_memory(void);

/// Hints the CPU to start loading the cache line at `address` (no effect on results):
/// random-access gathers issue it a few rows ahead, overlapping their cache misses.
static inline void anant_prefetch(const void *address) {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(address, 0, 0);
#endif
}

/// Dense ranks of ids in a bitmap interleaved with running counts (`rank[2w]` the bits of
/// word w, `rank[2w + 1]` the set bits before it): `out[k]` for k in from ..< to is the
/// number of set bits below bit `ids[k] - low`. Uses POPCNT where the CPU has it.
void anant_interleaved_ranks(int32_t *out, const int64_t *ids, size_t from, size_t to, int64_t low, const uint64_t *rank);

/// The same with the bitmap in `words` and the running counts in `before`.
void anant_split_ranks(int32_t *out, const int64_t *ids, size_t from, size_t to, int64_t low, const uint64_t *words, const int32_t *before);

/// The set bits of `words[0]`, `words[stride]`, ... (`count` words).
uint64_t anant_popcount(const uint64_t *words, size_t count, size_t stride);

/// The length a raw Snappy block declares (its leading varint, at most 2^32 - 1) in
/// `*length`, and the varint's size in `*header`. Returns 0, or -1 when the varint is
/// truncated, longer than five bytes or too large.
int anant_snappy_uncompressed_length(const uint8_t *src, size_t src_len, size_t *length, size_t *header);

/// Decompresses the raw Snappy block `src` into `dst`, which must be exactly the length the
/// block declares. Returns 0, or -1 (with `dst` partly written) when the block is corrupt:
/// a truncated element, a copy reaching before the output's start, or output that does not
/// fill `dst` exactly. Never reads or writes outside the two buffers.
int anant_snappy_uncompress(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len);

/// Compresses `blocks` 64-byte blocks of `data` into the SHA-256 state `state` (A..H):
/// with the CPU's SHA instructions when `hardware` is nonzero and the CPU has them
/// (returns 1), else portably (returns 0).
int anant_sha256_blocks(uint32_t state[8], const uint8_t *data, size_t blocks, int hardware);

#endif
