//! A node's memory, CPU and save-time figures for `NodeStatus` (INFO memory/cpu/persistence on
//! the gateway, LASTSAVE).
//!
//! The dataset estimate walks every key (each collection sampled, see
//! [`crate::keyspace::memory`]), so it is computed on an O(1) clone of the keyspace, outside the
//! state lock, and reused for [`DATASET_TTL`] so frequent INFO scrapes stay cheap.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tinyredis_common::process;
use tinyredis_proto::pb;

use crate::keyspace::memory;
use crate::raft::state_machine::SharedState;

/// How long a dataset estimate is reused.
const DATASET_TTL: Duration = Duration::from_secs(1);

/// Resource figures of one node and the caches behind them.
pub struct Resources {
    /// Unix seconds when the node started: LASTSAVE before its first snapshot, as Redis sets
    /// `lastsave` at startup.
    started_unix: u64,
    /// Where the node's snapshot files are; the newest file's time is the last save.
    snapshot_dir: PathBuf,
    cache: Mutex<Cache>,
}

#[derive(Default)]
struct Cache {
    dataset: Option<(Instant, u64)>,
    peak: u64,
}

/// Bytes the node's Rust code has allocated: the binary's global allocator is jemalloc, whose
/// counters are refreshed by advancing its epoch. (glibc's figure then covers only RocksDB's C++
/// allocations; a unit-test binary, on the system allocator, reads 0 here.)
fn rust_heap_allocated() -> u64 {
    use tikv_jemalloc_ctl::{epoch, stats};
    if epoch::advance().is_err() {
        return 0;
    }
    stats::allocated::read().map(|b| b as u64).unwrap_or(0)
}

impl Resources {
    /// Starts tracking a node whose snapshots live in `snapshot_dir`.
    pub fn new(snapshot_dir: PathBuf) -> Resources {
        Resources {
            started_unix: unix_now(),
            snapshot_dir,
            cache: Mutex::new(Cache::default()),
        }
    }

    /// Fills the memory, CPU and save-time fields of `status`.
    pub fn fill(&self, status: &mut pb::NodeStatus, state: &SharedState) {
        let heap = rust_heap_allocated() + process::heap_allocated().unwrap_or(0);
        let cached = {
            let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            cache
                .dataset
                .filter(|(at, _)| at.elapsed() < DATASET_TTL)
                .map(|(_, bytes)| bytes)
        };
        let dataset = cached.unwrap_or_else(|| {
            let keyspace = state.read().keyspace.clone();
            memory::dataset_usage(&keyspace)
        });
        let peak = {
            let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            if cached.is_none() {
                cache.dataset = Some((Instant::now(), dataset));
            }
            cache.peak = cache.peak.max(heap);
            cache.peak
        };
        let (sys, user) = process::cpu_seconds();
        status.used_memory = heap;
        status.used_memory_rss = process::rss_bytes().unwrap_or(0);
        status.used_memory_peak = peak;
        status.used_memory_dataset = dataset;
        status.total_system_memory = process::total_system_memory().unwrap_or(0);
        status.last_save_time = self.last_save_time();
        status.changes_since_save = state.read().keyspace.changes();
        status.used_cpu_sys = sys;
        status.used_cpu_user = user;
    }

    /// Unix seconds of the newest snapshot file, or of the node's start if that is later.
    fn last_save_time(&self) -> u64 {
        let newest = std::fs::read_dir(&self.snapshot_dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| e.metadata().ok()?.modified().ok())
            .filter_map(|t| t.duration_since(UNIX_EPOCH).ok())
            .map(|d| d.as_secs())
            .max()
            .unwrap_or(0);
        newest.max(self.started_unix)
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
