#if os(Linux)
    import CMalloc
#endif

/// Settings of glibc's allocator for runs that keep a large live and desired state.
///
/// A plan keeps tens of thousands of small objects alive while pages, response buffers and
/// YAML trees come and go on several threads. With the defaults, each thread's arena keeps
/// the memory those short-lived buffers freed: a plan of 50,000 subscribers peaked at 476 MB,
/// and at 432 MB with these settings (Benchmarks/run.sh on a 2-core machine). Mapping
/// page-sized buffers separately saved no more and cost page faults.
enum AllocatorSettings {
    static func apply() {
        #if os(Linux)
            // At most two arenas: the work runs on about as many threads as there are cores, and
            // each extra arena keeps its own free memory.
            _ = mallopt(M_ARENA_MAX, 2)
            // Free memory at the top of the heap goes back to the system once it exceeds 128 KiB.
            _ = mallopt(M_TRIM_THRESHOLD, 128 * 1024)
        #endif
    }
}
