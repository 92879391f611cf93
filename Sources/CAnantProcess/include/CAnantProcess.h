#ifndef CANANT_PROCESS_H
#define CANANT_PROCESS_H

/// Linked only into Anant's executables (anant, the services, anant-bench), never into a
/// library product: before `main` runs, and so before any thread exists, it tells glibc to
/// keep freed memory for reuse (`anant_keep_freed_memory`). Nothing to call.
///
/// The returned value is whether that setting was accepted (0) or not (-1).
int anant_process_memory_kept(void);

#endif
