#if os(Linux)
    import CMalloc
#endif

/// Settings of glibc's allocator for runs that keep a large live and desired state. The
/// command-line tools and the benchmarks apply the same settings.
///
/// A plan keeps tens of thousands of small objects alive while pages, response buffers and
/// YAML trees come and go on several threads. With the defaults, each thread's arena keeps
/// the memory those short-lived buffers freed. A plan of 50,000 subscribers (Benchmarks/run.sh,
/// 2-core machine) peaked at 396 MB with the defaults and 381 MB with these settings, for
/// about 0.15 s more system time spent on page faults.
public enum AllocatorSettings {
    /// Applies the settings. Call it once, before the work starts.
    public static func apply() {
        #if os(Linux)
            // At most two arenas: the work runs on about as many threads as there are cores, and
            // each extra arena keeps its own free memory.
            _ = mallopt(M_ARENA_MAX, 2)
            // Free memory at the top of a heap goes back to the system once it exceeds 8 MiB.
            // Setting it also stops glibc from raising its mmap threshold (mallopt(3)), so
            // buffers of 128 KiB or more keep their own mappings instead of leaving holes.
            _ = mallopt(M_TRIM_THRESHOLD, 8 << 20)
            // A heap grows 32 MiB at a time instead of 128 KiB: each growth is a system call,
            // and a plan of 50,000 subscribers otherwise spends about 0.1 s on thousands of
            // them. Untouched pages of the reserve cost no memory.
            _ = mallopt(M_TOP_PAD, 32 << 20)
        #endif
    }
}
