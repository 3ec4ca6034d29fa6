//! One fdatasync on this disk: the floor under any durable write's latency.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use anyhow::Result;
use serde::Serialize;

use crate::stats::percentile;

/// The fdatasync latency figures.
#[derive(Debug, Clone, Serialize)]
pub struct FsyncResult {
    /// Appends measured.
    pub count: usize,
    /// Bytes per append.
    pub write_size: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// Appends `write_size` bytes to a new file at `path` and fdatasyncs it, `count` times (as a
/// write-ahead log does), and returns the latency of each append+fdatasync.
pub fn measure(path: &Path, count: usize, write_size: usize) -> Result<FsyncResult> {
    let mut file = std::fs::File::options()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    let buf = vec![b'x'; write_size];
    let mut lat = Vec::with_capacity(count);
    for _ in 0..count {
        let t = Instant::now();
        file.write_all(&buf)?;
        // File::sync_data is fdatasync(2) on Linux.
        file.sync_data()?;
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    drop(file);
    let _ = std::fs::remove_file(path);
    lat.sort_by(f64::total_cmp);
    Ok(FsyncResult {
        count,
        write_size,
        p50_ms: percentile(&lat, 50.0),
        p99_ms: percentile(&lat, 99.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_and_removes_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let r = measure(&path, 5, 128).unwrap();
        assert_eq!(r.count, 5);
        assert!(r.p50_ms > 0.0 && r.p99_ms >= r.p50_ms);
        assert!(!path.exists());
    }
}
