//! The in-memory keyspace: [`NUM_DATABASES`] logical databases of Redis values.
//!
//! - [`Keyspace`]: all databases; cloning it is cheap (a handful of reference-count increments), so the
//!   node can clone it under its lock and write a snapshot of the clone on another thread.
//! - [`Db`] (in [`db`]): one database, a persistent hash map from key to [`Entry`] plus an index of the keys
//!   that carry an expiry.
//! - [`Value`] (in [`value`]): the value of a key, one variant per Redis type; each type's helpers live in
//!   its own module ([`string`], …).
//! - [`expire`]: expiry queries used by the leader to propose deletions of expired keys.
//! - [`snapshot`]: the compact binary snapshot encoding.
//! - [`rdb`]: Redis's RDB serialization of one value (DUMP and RESTORE).
//!
//! Nothing here reads a clock: every time-dependent method takes `now_ms`, which for writes is the Raft
//! entry's timestamp, so applying the same log gives the same keyspace on every replica.
//!
//! Memory rule: keys and values stored here are always copies, never slices of a request buffer, so a
//! small stored value never pins a large request buffer. [`Db::insert`] copies the key; [`Value::string`]
//! copies the bytes.

pub mod compact;
pub mod db;
pub mod encoding;
pub mod expire;
// Hashes and sets.
pub mod hash;
pub mod list;
pub mod memory;
pub mod ordered;
// DUMP and RESTORE.
pub mod rdb;
pub mod set;
pub mod snapshot;
pub mod string;
pub mod value;
// Sorted sets.
pub mod zset;

pub use db::Db;
pub use db::Entry;
pub use encoding::EncodingLimits;
use tinyredis_common::NUM_DATABASES;
pub use value::Value;

/// All databases of a node.
#[derive(Clone, Debug)]
pub struct Keyspace {
    /// Always exactly [`NUM_DATABASES`] databases.
    dbs: Vec<Db>,
    /// The encoding thresholds in force (from the cluster settings; not part of snapshots of the
    /// keyspace, which carry each collection's encoding instead).
    limits: EncodingLimits,
    /// Changes applied since the last snapshot began (Redis's `server.dirty`, INFO's
    /// `rdb_changes_since_last_save`); not part of the data, so not compared or snapshotted.
    changes: u64,
}

impl PartialEq for Keyspace {
    /// Two keyspaces are equal when they hold the same data under the same thresholds.
    fn eq(&self, other: &Keyspace) -> bool {
        self.dbs == other.dbs && self.limits == other.limits
    }
}

impl Default for Keyspace {
    fn default() -> Keyspace {
        Keyspace {
            dbs: (0..NUM_DATABASES).map(|_| Db::default()).collect(),
            limits: EncodingLimits::default(),
            changes: 0,
        }
    }
}

impl Keyspace {
    /// Returns database `idx`, or `None` when the index is out of range.
    pub fn db(&self, idx: usize) -> Option<&Db> {
        self.dbs.get(idx)
    }

    /// Returns database `idx` for writing, or `None` when the index is out of range.
    pub fn db_mut(&mut self, idx: usize) -> Option<&mut Db> {
        self.dbs.get_mut(idx)
    }

    /// Changes applied since [`Keyspace::reset_changes`]: one per successful write command, or
    /// what the command counted itself (SETBIT and BITFIELD count only what they changed).
    pub fn changes(&self) -> u64 {
        self.changes
    }

    /// Counts `n` more changes.
    pub fn add_changes(&mut self, n: u64) {
        self.changes += n;
    }

    /// Starts counting changes from zero (when a snapshot begins).
    pub fn reset_changes(&mut self) {
        self.changes = 0;
    }

    /// The encoding thresholds writes apply (see [`encoding`]).
    pub fn limits(&self) -> &EncodingLimits {
        &self.limits
    }

    /// Sets the encoding thresholds, from the cluster settings.
    pub fn set_limits(&mut self, limits: EncodingLimits) {
        self.limits = limits;
    }

    /// Returns all databases, indexed by their number.
    pub fn dbs(&self) -> &[Db] {
        &self.dbs
    }

    /// Removes every key of every database (FLUSHALL).
    pub fn flush_all(&mut self) {
        for db in &mut self.dbs {
            db.clear();
        }
    }

    /// Returns the total number of keys stored, including expired keys not yet removed.
    pub fn len(&self) -> usize {
        self.dbs.iter().map(Db::len).sum()
    }

    /// Returns true when no database holds a key.
    pub fn is_empty(&self) -> bool {
        self.dbs.iter().all(Db::is_empty)
    }

    /// Returns `(db index, keys, keys with an expiry)` for every non-empty database, as
    /// `INFO keyspace` reports them. Like Redis, counts include expired keys not yet removed.
    pub fn db_stats(&self) -> Vec<(usize, u64, u64)> {
        self.dbs
            .iter()
            .enumerate()
            .filter(|(_, db)| !db.is_empty())
            .map(|(idx, db)| (idx, db.len() as u64, db.expires_len() as u64))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn has_every_database_and_rejects_others() {
        let mut ks = Keyspace::default();
        assert_eq!(ks.dbs().len(), NUM_DATABASES);
        assert!(ks.db(NUM_DATABASES - 1).is_some());
        assert!(ks.db(NUM_DATABASES).is_none());
        assert!(ks.db_mut(usize::MAX).is_none());
        assert!(ks.is_empty());
    }

    #[test]
    fn stats_and_flush() {
        let mut ks = Keyspace::default();
        ks.db_mut(0)
            .unwrap()
            .insert(b"a", Value::string(b"1"), Some(10));
        ks.db_mut(0)
            .unwrap()
            .insert(b"b", Value::string(b"2"), None);
        ks.db_mut(9)
            .unwrap()
            .insert(b"c", Value::string(b"3"), None);
        assert_eq!(ks.db_stats(), vec![(0, 2, 1), (9, 1, 0)]);
        assert_eq!(ks.len(), 3);

        let snapshot = ks.clone();
        ks.flush_all();
        assert!(ks.is_empty());
        assert!(ks.db_stats().is_empty());
        assert_eq!(snapshot.len(), 3, "a clone is unaffected by later writes");
    }
}
