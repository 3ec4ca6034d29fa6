//! The Raft log store on RocksDB: vote, log entries, committed id and purge marker.
//!
//! Layout: column family `raft_log` maps the big-endian u64 index to a postcard-encoded entry (so
//! keys sort numerically and ranges are contiguous); `raft_meta` holds the vote, the committed log
//! id and the last purged log id under fixed keys.
//!
//! Durability: `append` writes the whole batch in one RocksDB write (entries are readable when it
//! returns) and hands the flush callback to one flusher thread. The flusher drains every pending
//! callback, runs one `fsync` of the WAL for all of them, and only then reports them flushed: group
//! commit. Because the WAL is one ordered stream, that fsync also makes every earlier write (vote,
//! truncation, purge) durable, so those need no fsync of their own except the vote, which openraft
//! requires on disk before `save_vote` returns.

use std::fmt::Debug;
use std::io;
use std::mem;
use std::ops::{Bound, RangeBounds};
use std::sync::Arc;
use std::sync::mpsc;
use std::thread;

use openraft::entry::RaftEntry;
use openraft::storage::{IOFlushed, LogState, RaftLogStorage};
use openraft::{OptionalSend, RaftLogReader};
use rocksdb::{ColumnFamily, DB, Direction, IteratorMode, WriteBatch, WriteOptions};

use super::TypeConfig;
use super::codec;
use super::typ::{Entry, LogId, Vote};

/// Column family of log entries.
pub const CF_LOG: &str = "raft_log";
/// Column family of Raft metadata.
pub const CF_META: &str = "raft_meta";

const KEY_VOTE: &[u8] = b"vote";
const KEY_COMMITTED: &[u8] = b"committed";
const KEY_LAST_PURGED: &[u8] = b"last_purged";

/// The RocksDB-backed [`RaftLogStorage`]. Cloning shares the database and the flusher.
#[derive(Clone)]
pub struct RocksLogStore {
    db: Arc<DB>,
    flusher: Arc<Flusher>,
}

/// The group-commit thread and its queue. Dropping the last clone of the store closes the queue
/// and waits for the thread, so the thread's handle on the database is gone by the time the store
/// is: a database left to close on a detached thread can still be closing while the process exits,
/// and RocksDB aborts when its static state is torn down under it.
struct Flusher {
    tx: mpsc::Sender<IOFlushed<TypeConfig>>,
    thread: Option<thread::JoinHandle<()>>,
}

impl Drop for Flusher {
    fn drop(&mut self) {
        // Replacing the sender drops the real one, which ends the thread's loop.
        drop(mem::replace(&mut self.tx, mpsc::channel().0));
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("the log's flush thread panicked");
        }
    }
}

impl RocksLogStore {
    /// Wraps an open database that has the [`CF_LOG`] and [`CF_META`] column families, and starts
    /// the group-commit flusher thread (it ends when the last clone of the store is dropped).
    pub fn new(db: Arc<DB>) -> io::Result<RocksLogStore> {
        for cf in [CF_LOG, CF_META] {
            if db.cf_handle(cf).is_none() {
                return Err(io::Error::other(format!("column family {cf} missing")));
            }
        }
        let (tx, rx) = mpsc::channel::<IOFlushed<TypeConfig>>();
        let flush_db = db.clone();
        let thread = thread::Builder::new()
            .name("raft-log-flush".into())
            .spawn(move || flush_loop(&flush_db, rx))?;
        let flusher = Arc::new(Flusher {
            tx,
            thread: Some(thread),
        });
        Ok(RocksLogStore { db, flusher })
    }

    /// Returns true when the store has never held any Raft state (a fresh data dir).
    pub fn is_empty(&self) -> io::Result<bool> {
        let vote = self
            .db
            .get_cf(self.cf_meta(), KEY_VOTE)
            .map_err(io::Error::other)?;
        let any_log = self
            .db
            .iterator_cf(self.cf_log(), IteratorMode::Start)
            .next()
            .is_some();
        let purged = self
            .db
            .get_cf(self.cf_meta(), KEY_LAST_PURGED)
            .map_err(io::Error::other)?;
        Ok(vote.is_none() && !any_log && purged.is_none())
    }

    fn cf_log(&self) -> &ColumnFamily {
        self.db.cf_handle(CF_LOG).expect("checked in new")
    }

    fn cf_meta(&self) -> &ColumnFamily {
        self.db.cf_handle(CF_META).expect("checked in new")
    }

    fn get_meta<T: serde::de::DeserializeOwned>(&self, key: &[u8]) -> io::Result<Option<T>> {
        match self
            .db
            .get_cf(self.cf_meta(), key)
            .map_err(io::Error::other)?
        {
            Some(bytes) => codec::decode(&bytes).map(Some),
            None => Ok(None),
        }
    }

    fn put_meta<T: serde::Serialize>(&self, key: &[u8], value: &T, sync: bool) -> io::Result<()> {
        let bytes = codec::encode(value)?;
        let mut opts = WriteOptions::default();
        opts.set_sync(sync);
        let mut batch = WriteBatch::default();
        batch.put_cf(self.cf_meta(), key, bytes);
        self.db.write_opt(batch, &opts).map_err(io::Error::other)
    }
}

/// Drains flush requests: one WAL fsync per drained group, then completes the group in order.
fn flush_loop(db: &DB, rx: mpsc::Receiver<IOFlushed<TypeConfig>>) {
    let fsync_duration = metrics::histogram!(crate::metrics::WAL_FSYNC_DURATION);
    while let Ok(first) = rx.recv() {
        let mut group = vec![first];
        group.extend(rx.try_iter());
        let started = std::time::Instant::now();
        let result = db.flush_wal(true);
        fsync_duration.record(started.elapsed());
        for callback in group {
            let res = match &result {
                Ok(()) => Ok(()),
                Err(e) => Err(io::Error::other(e.to_string())),
            };
            callback.io_completed(res);
        }
    }
}

/// Encodes a log index as a big-endian key so that keys sort numerically.
fn index_key(index: u64) -> [u8; 8] {
    index.to_be_bytes()
}

fn key_index(key: &[u8]) -> io::Result<u64> {
    let bytes: [u8; 8] = key
        .try_into()
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad log key"))?;
    Ok(u64::from_be_bytes(bytes))
}

impl RaftLogReader<TypeConfig> for RocksLogStore {
    async fn try_get_log_entries<RB: RangeBounds<u64> + Clone + Debug + OptionalSend>(
        &mut self,
        range: RB,
    ) -> Result<Vec<Entry>, io::Error> {
        let start = match range.start_bound() {
            Bound::Included(x) => *x,
            Bound::Excluded(x) => x.saturating_add(1),
            Bound::Unbounded => 0,
        };
        let start_key = index_key(start);
        let mut out = Vec::new();
        let iter = self.db.iterator_cf(
            self.cf_log(),
            IteratorMode::From(&start_key, Direction::Forward),
        );
        for item in iter {
            let (key, value) = item.map_err(io::Error::other)?;
            let index = key_index(&key)?;
            if !range.contains(&index) {
                break;
            }
            let entry: Entry = codec::decode(&value)?;
            if entry.index() != index {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("log entry at key {index} has index {}", entry.index()),
                ));
            }
            out.push(entry);
        }
        Ok(out)
    }

    async fn read_vote(&mut self) -> Result<Option<Vote>, io::Error> {
        self.get_meta(KEY_VOTE)
    }
}

impl RaftLogStorage<TypeConfig> for RocksLogStore {
    type LogReader = Self;

    async fn get_log_state(&mut self) -> Result<LogState<TypeConfig>, io::Error> {
        let last_purged: Option<LogId> = self.get_meta(KEY_LAST_PURGED)?;
        let last = match self.db.iterator_cf(self.cf_log(), IteratorMode::End).next() {
            Some(item) => {
                let (_, value) = item.map_err(io::Error::other)?;
                let entry: Entry = codec::decode(&value)?;
                Some(entry.log_id())
            }
            None => last_purged,
        };
        Ok(LogState {
            last_purged_log_id: last_purged,
            last_log_id: last,
        })
    }

    async fn get_log_reader(&mut self) -> Self::LogReader {
        self.clone()
    }

    async fn save_vote(&mut self, vote: &Vote) -> Result<(), io::Error> {
        // The vote must be on disk before this returns: a synced write.
        self.put_meta(KEY_VOTE, vote, true)
    }

    async fn save_committed(&mut self, committed: Option<LogId>) -> Result<(), io::Error> {
        // Durable with the next fsync; losing it only means re-learning the commit point.
        match committed {
            Some(c) => self.put_meta(KEY_COMMITTED, &c, false),
            None => Ok(()),
        }
    }

    async fn read_committed(&mut self) -> Result<Option<LogId>, io::Error> {
        self.get_meta(KEY_COMMITTED)
    }

    async fn append<I>(
        &mut self,
        entries: I,
        callback: IOFlushed<TypeConfig>,
    ) -> Result<(), io::Error>
    where
        I: IntoIterator<Item = Entry> + OptionalSend,
        I::IntoIter: OptionalSend,
    {
        let started = std::time::Instant::now();
        let mut batch = WriteBatch::default();
        let mut n = 0;
        for entry in entries {
            batch.put_cf(
                self.cf_log(),
                index_key(entry.index()),
                codec::encode(&entry)?,
            );
            n += 1;
        }
        let bytes = batch.size_in_bytes() as u64;
        // Written (readable) now; durable when the flusher's fsync completes.
        self.db.write(batch).map_err(io::Error::other)?;
        metrics::histogram!(crate::metrics::APPEND_DURATION).record(started.elapsed());
        metrics::counter!(crate::metrics::APPENDED_ENTRIES).increment(n);
        metrics::counter!(crate::metrics::WAL_WRITE_BYTES).increment(bytes);
        self.flusher
            .tx
            .send(callback)
            .map_err(|_| io::Error::other("log flusher stopped"))
    }

    async fn truncate_after(&mut self, last_log_id: Option<LogId>) -> Result<(), io::Error> {
        let from = last_log_id.map_or(0, |id| id.index() + 1);
        let mut batch = WriteBatch::default();
        batch.delete_range_cf(self.cf_log(), index_key(from), index_key(u64::MAX));
        // The range end is exclusive: delete u64::MAX too, for completeness.
        batch.delete_cf(self.cf_log(), index_key(u64::MAX));
        self.db.write(batch).map_err(io::Error::other)
    }

    async fn purge(&mut self, log_id: LogId) -> Result<(), io::Error> {
        // Record the purge point first: entries at or below it are ignored from then on.
        let mut batch = WriteBatch::default();
        batch.put_cf(self.cf_meta(), KEY_LAST_PURGED, codec::encode(&log_id)?);
        batch.delete_range_cf(self.cf_log(), index_key(0), index_key(log_id.index() + 1));
        self.db.write(batch).map_err(io::Error::other)
    }
}

/// Opens (creating if needed) the node's RocksDB with the Raft column families.
pub fn open_db(path: &std::path::Path) -> io::Result<Arc<DB>> {
    let mut opts = rocksdb::Options::default();
    opts.create_if_missing(true);
    opts.create_missing_column_families(true);
    opts.set_compression_type(rocksdb::DBCompressionType::Lz4);
    // A few hundred MB of WAL before memtables are flushed; the log is purged after snapshots.
    opts.set_max_total_wal_size(256 << 20);
    // The log is written once, read back mostly while still recent, and purged after snapshots:
    // small memtables keep the node's memory for it bounded (2 x 16 MB) instead of RocksDB's
    // default 2 x 64 MB, next to a keyspace that lives in memory anyway.
    let mut log_opts = rocksdb::Options::default();
    log_opts.set_write_buffer_size(16 << 20);
    log_opts.set_max_write_buffer_number(2);
    log_opts.set_compression_type(rocksdb::DBCompressionType::Lz4);
    let cfs = [
        rocksdb::ColumnFamilyDescriptor::new(CF_LOG, log_opts),
        rocksdb::ColumnFamilyDescriptor::new(CF_META, rocksdb::Options::default()),
    ];
    DB::open_cf_descriptors(&opts, path, cfs)
        .map(Arc::new)
        .map_err(|e| io::Error::other(format!("opening RocksDB at {}: {e}", path.display())))
}

#[cfg(test)]
#[path = "log_store_test.rs"]
mod log_store_test;
