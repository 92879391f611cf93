#include "CAnantProcess.h"
#include "CAnantSystem.h"

// glibc binds a thread to an arena at its first allocation, and M_ARENA_MAX only limits
// arenas made afterwards. Called from Swift's main, the setting came after the runtime's
// pool threads had allocated: those kept arenas of their own, whose 64 MiB heaps are
// handed back to the kernel as they empty, so every large buffer faulted in fresh zeroed
// pages again (47 MB a repetition of a group-by over 10M rows). A constructor runs first.
static int kept = -1;

__attribute__((constructor)) static void anant_process_start(void) {
    kept = anant_keep_freed_memory();
}

int anant_process_memory_kept(void) { return kept; }
