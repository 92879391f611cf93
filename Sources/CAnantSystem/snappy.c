#include "CAnantSystem.h"

#include <string.h>

// Snappy block decompression (the format of google/snappy's format_description.txt).
//
// libsnappy's own decompressor, as Debian builds it, calls memmove through the PLT for
// every literal and every copy. Parquet pages of integers decompress into millions of
// 1-to-8-byte pieces (a page of random int64 ids below 10^6: 260,000 elements per MiB),
// and those calls took most of a filtered read's time. Here pieces of up to 16 bytes move
// as whole words when both buffers have room (the bytes past a piece are overwritten by
// the pieces after it), only long literals call memcpy, and the common elements run in a
// loop whose tag-to-tag chain is arithmetic (`anant_snappy_fast`): 1.8 GB/s on such a
// page against libsnappy's 0.8. Every length and offset is checked against both buffers
// before a byte moves, so a corrupt block is refused, never followed outside them.

static inline uint64_t anant_load64(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline void anant_store64(uint8_t *p, uint64_t v) {
    memcpy(p, &v, 8);
}

/// Sixteen bytes from `from` to `to` (one unaligned vector load and store where the
/// compiler has them); the ranges must not overlap.
static inline void anant_copy16(uint8_t *to, const uint8_t *from) {
    memcpy(to, from, 16);
}

/// The little-endian 64-bit integer at `p`.
static inline uint64_t anant_load64le(const uint8_t *p) {
    uint64_t v = anant_load64(p);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

/// The little-endian integer in the `count` (1 to 4) bytes at `p`.
static inline uint32_t anant_load_le(const uint8_t *p, size_t count) {
    uint32_t v = 0;
    for (size_t i = 0; i < count; i++) v |= (uint32_t)p[i] << (8 * i);
    return v;
}

int anant_snappy_uncompressed_length(const uint8_t *src, size_t src_len, size_t *length, size_t *header) {
    uint64_t value = 0;
    for (size_t i = 0; i < 5; i++) {
        if (i == src_len) return -1;
        uint8_t byte = src[i];
        value |= (uint64_t)(byte & 0x7f) << (7 * i);
        if (!(byte & 0x80)) {
            if (value > 0xffffffffu) return -1;
            *length = (size_t)value;
            *header = i + 1;
            return 0;
        }
    }
    return -1;
}

/// A copy of `len` bytes from `offset` (1 to 7) back, a run of a short pattern: byte by byte
/// until 16 bytes of the pattern stand before `op`, then words from the largest whole
/// number of periods back (at least 8). Writes exactly `len` bytes; returns the new end.
static inline uint8_t *anant_copy_short_period(uint8_t *op, size_t offset, size_t len) {
    uint8_t *const start = op - offset, *const end = op + len;
    while (op < end && op - start < 16) { *op = *(op - offset); op++; }
    const size_t period = offset * ((size_t)(op - start) / offset);
    while (end - op >= 8) { anant_store64(op, anant_load64(op - period)); op += 8; }
    while (op < end) { *op = *(op - period); op++; }
    return op;
}

/// The common elements, quickly: literals of up to 16 bytes and copies, while 32 bytes of
/// input and (for copies) 80 of output remain. An element's size depends on its tag alone, and the next tag is read out of the 8 bytes already loaded,
/// so the chain from one tag to the next is arithmetic while the word at the new position
/// loads. Stops (leaving `*ipp` at its tag) before any other element, for the careful
/// loop; -1 on a copy from offset 0 or reaching before the output's start.
static inline int anant_snappy_fast(const uint8_t **ipp, const uint8_t *ip_end, uint8_t **opp, uint8_t *dst, uint8_t *op_end) {
    const uint8_t *ip = *ipp;
    uint8_t *op = *opp;
    if (ip_end - ip < 32) return 0;
    const uint8_t *const ip_limit = ip_end - 32;
    uint64_t word = anant_load64le(ip);
    uint8_t tag = (uint8_t)word;
    for (;;) {
        size_t advance;
        if ((tag & 3) == 0) {
            const size_t len = (size_t)(tag >> 2) + 1;
            if (len > 16 || op_end - op < 16) break;
            anant_copy16(op, ip + 1);
            op += len;
            advance = len + 1;
            if (advance >= 8) {
                // The next tag lies past the loaded word.
                ip += advance;
                if (ip > ip_limit) break;
                word = anant_load64le(ip);
                tag = (uint8_t)word;
                continue;
            }
        } else {
            // Masks, not conditions: the kinds come in no predictable order.
            const size_t kind = tag & 3, size = ((size_t)1 << kind) >> 1, one = (size_t)0 - (kind == 1);
            const size_t offset = (size_t)((word >> 8) & (((uint64_t)1 << (8 * size)) - 1)) | (((size_t)(tag >> 5) << 8) & one);
            const size_t len = ((4 + ((size_t)(tag >> 2) & 7)) & one) | (((size_t)(tag >> 2) + 1) & ~one);
            if (op_end - op < 80) break;
            if (offset == 0 || offset > (size_t)(op - dst)) return -1;
            const uint8_t *from = op - offset;
            if (offset < 8) {
                anant_copy_short_period(op, offset, len);
            } else if (len <= 8) {
                anant_store64(op, anant_load64(from));
            } else if (len <= 16 && offset >= 16) {
                anant_copy16(op, from);
            } else {
                // In order, 8 bytes at a time: a word overlapping the destination reads
                // only bytes already written (at most 7 bytes past the copy are scribbled).
                for (size_t k = 0; k < len; k += 8) anant_store64(op + k, anant_load64(from + k));
            }
            op += len;
            advance = 1 + size;
        }
        const uint64_t next = anant_load64le(ip + advance);
        tag = (uint8_t)(word >> (8 * advance));
        word = next;
        ip += advance;
        if (ip > ip_limit) break;
    }
    *ipp = ip;
    *opp = op;
    return 0;
}

int anant_snappy_uncompress(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len) {
    size_t length, header;
    if (anant_snappy_uncompressed_length(src, src_len, &length, &header) != 0 || length != dst_len) return -1;
    const uint8_t *ip = src + header, *const ip_end = src + src_len;
    uint8_t *op = dst, *const op_end = dst + dst_len;
    while (ip < ip_end) {
        if (anant_snappy_fast(&ip, ip_end, &op, dst, op_end) != 0) return -1;
        if (ip == ip_end) break;
        const uint8_t tag = *ip++;
        size_t len, offset;
        if ((tag & 3) == 0) {
            len = (size_t)(tag >> 2) + 1;
            if (len > 60) {
                const size_t extra = len - 60;
                if ((size_t)(ip_end - ip) < extra) return -1;
                len = (size_t)anant_load_le(ip, extra) + (size_t)1;
                if (len == 0) return -1;  // 2^32 on a 32-bit size_t
                ip += extra;
            }
            const size_t in_left = (size_t)(ip_end - ip), out_left = (size_t)(op_end - op);
            if (len <= 16 && in_left >= 16 && out_left >= 16) {
                anant_copy16(op, ip);
            } else {
                if (len > in_left || len > out_left) return -1;
                memcpy(op, ip, len);
            }
            ip += len;
            op += len;
            continue;
        }
        // A copy with a 1-, 2- or 4-byte offset (the fast loop takes most of them).
        const size_t kind = tag & 3, size = (size_t)1 << (kind - 1);
        if ((size_t)(ip_end - ip) < size) return -1;
        if (kind == 1) {
            len = 4 + (size_t)((tag >> 2) & 7);
            offset = ((size_t)(tag >> 5) << 8) | *ip;
        } else {
            len = (size_t)(tag >> 2) + 1;
            offset = anant_load_le(ip, size);
        }
        ip += size;
        const size_t out_left = (size_t)(op_end - op);
        if (offset == 0 || offset > (size_t)(op - dst) || len > out_left) return -1;
        if (offset >= 8) {
            // Eight bytes at a time, in order: a source word overlapping the destination
            // reads only bytes already written, which is the format's meaning of a copy.
            if (len <= 16 && out_left >= 16) {
                if (offset >= 16) {
                    anant_copy16(op, op - offset);
                } else {
                    anant_store64(op, anant_load64(op - offset));
                    anant_store64(op + 8, anant_load64(op - offset + 8));
                }
                op += len;
                continue;
            }
            uint8_t *const end = op + len;
            while (end - op >= 8) { anant_store64(op, anant_load64(op - offset)); op += 8; }
            while (op < end) { *op = *(op - offset); op++; }
            continue;
        }
        op = anant_copy_short_period(op, offset, len);
    }
    return op == op_end ? 0 : -1;
}
