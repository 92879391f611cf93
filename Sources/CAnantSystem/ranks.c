#include "CAnantSystem.h"

// Rank loops of the hypergraph builds: a population count per row. They are compiled
// twice, for CPUs with POPCNT (x86-64 since 2009) and for the baseline, and the loader
// picks one when the library is loaded (function multi-versioning), since the package
// can set no CPU flags: SwiftPM refuses them in a package used as a dependency.
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__)) && defined(__linux__)
#define ANANT_POPCNT_CLONES __attribute__((target_clones("popcnt", "default")))
#else
#define ANANT_POPCNT_CLONES
#endif

ANANT_POPCNT_CLONES
void anant_interleaved_ranks(int32_t *out, const int64_t *ids, size_t from, size_t to, int64_t low, const uint64_t *rank) {
    for (size_t k = from; k < to; k++) {
        uint64_t i = (uint64_t)ids[k] - (uint64_t)low;
        size_t word = (size_t)(i >> 6) << 1;
        uint64_t below = rank[word] & ((1ULL << (i & 63)) - 1);
        out[k] = (int32_t)(rank[word + 1] + (uint64_t)__builtin_popcountll(below));
    }
}

ANANT_POPCNT_CLONES
void anant_split_ranks(int32_t *out, const int64_t *ids, size_t from, size_t to, int64_t low, const uint64_t *words, const int32_t *before) {
    for (size_t k = from; k < to; k++) {
        uint64_t i = (uint64_t)ids[k] - (uint64_t)low;
        uint64_t below = words[i >> 6] & ((1ULL << (i & 63)) - 1);
        out[k] = before[i >> 6] + (int32_t)__builtin_popcountll(below);
    }
}

ANANT_POPCNT_CLONES
uint64_t anant_popcount(const uint64_t *words, size_t count, size_t stride) {
    uint64_t total = 0;
    for (size_t i = 0; i < count; i++) total += (uint64_t)__builtin_popcountll(words[i * stride]);
    return total;
}
