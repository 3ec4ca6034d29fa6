//! Resource figures of the running process, for INFO's memory and cpu sections and MEMORY STATS.
//!
//! Read from the kernel (`/proc/self/statm`, `getrusage`) and from glibc's allocator
//! (`mallinfo2`); each returns `None` where the platform does not provide it, so callers never
//! print a made-up figure.

/// Resident set size of this process in bytes (Redis's `used_memory_rss`).
pub fn rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * page_size())
}

/// Bytes currently allocated on the heap by this process (Redis's `used_memory`, which Redis
/// reads from its allocator the same way).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn heap_allocated() -> Option<u64> {
    // SAFETY: mallinfo2 only reads the allocator's counters; it has no preconditions.
    let info = unsafe { libc::mallinfo2() };
    // Small blocks in use plus blocks served directly by mmap.
    Some((info.uordblks + info.hblkhd) as u64)
}

/// Bytes currently allocated on the heap by this process; unknown off glibc.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn heap_allocated() -> Option<u64> {
    None
}

/// Total physical memory of the machine in bytes (`total_system_memory`).
pub fn total_system_memory() -> Option<u64> {
    // SAFETY: sysconf has no preconditions.
    let pages = unsafe { libc::sysconf(libc::_SC_PHYS_PAGES) };
    (pages > 0).then(|| pages as u64 * page_size())
}

/// CPU time this process has used: `(system, user)` in seconds (`used_cpu_sys`, `used_cpu_user`).
pub fn cpu_seconds() -> (f64, f64) {
    // SAFETY: getrusage writes into the zeroed struct we own.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: RUSAGE_SELF with a valid pointer.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return (0.0, 0.0);
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    (secs(usage.ru_stime), secs(usage.ru_utime))
}

/// Gives free heap memory back to the system (`MEMORY PURGE`): glibc's `malloc_trim`.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory; it has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}

fn page_size() -> u64 {
    // SAFETY: sysconf has no preconditions.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if size > 0 { size as u64 } else { 4096 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_real_figures() {
        let rss = rss_bytes().expect("linux has /proc/self/statm");
        assert!(rss > 1 << 20, "rss {rss}");
        let before = heap_allocated().expect("glibc");
        let block = vec![1u8; 8 << 20];
        let after = heap_allocated().expect("glibc");
        assert!(after >= before + (8 << 20), "{before} -> {after}");
        drop(block);
        assert!(total_system_memory().expect("sysconf") > rss);
        let (sys, user) = cpu_seconds();
        assert!(sys >= 0.0 && user >= 0.0 && sys + user > 0.0);
    }
}
