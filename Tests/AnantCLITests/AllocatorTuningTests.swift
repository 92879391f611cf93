import CAnantSystem
import Testing

/// The executables tune glibc's allocator to keep freed memory (see CAnantSystem.h); a
/// silently failing call costs every large read its page faults again.
@Suite struct AllocatorTuningTests {
    @Test func tuningTakesEffectOnGlibc() throws {
        #if os(Linux)
        #expect(anant_keep_freed_memory() == 0)
        #endif
    }
}
