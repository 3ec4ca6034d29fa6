//! One logical database: keys mapped to [`Entry`]s, plus an index of the keys with an expiry.
//!
//! Both maps are persistent (`imbl`) collections, so cloning a [`Db`] shares all nodes and costs O(1);
//! a later write copies only the path it touches.
//!
//! Keys are ordered by their fixed-seed [`member_hash`], then their bytes, the same order as hash
//! fields and set members (see [`crate::keyspace::ordered`]). The order is the same on
//! every replica and does not depend on insertion history, which gives SCAN cursors that survive
//! writes ([`Db::scan`]: a cursor is the hash of the next key) and deterministic random picks
//! ([`Db::iter_from`]). Lookups hash the caller's bytes and borrow them ([`KeyRef`]); nothing is
//! copied to look a key up.
//!
//! Expiry is logical: a key whose `expire_at <= now_ms` is absent for every command. Read methods
//! ([`Db::get`]) skip such keys without removing them; write-path methods ([`Db::get_for_write`],
//! [`Db::value_mut`], [`Db::evict_if_expired`]) remove them first, which is deterministic because a
//! write's `now_ms` is its Raft entry's timestamp.

use std::cmp::Ordering;
use std::mem;
use std::num::NonZeroU64;

use equivalent::Comparable;
use equivalent::Equivalent;
use imbl::OrdMap;
use imbl::OrdSet;

use crate::keyspace::Value;
use crate::keyspace::compact::CompactBytes;
use crate::keyspace::ordered::member_hash;

/// Bytes of one key's slot in a database's tree node: its [`StoredKey`] and its [`Entry`] (72),
/// all a key of up to 22 bytes with a string value of up to 22 bytes costs besides its share of
/// the node.
pub const KEY_SLOT_SIZE: usize = std::mem::size_of::<StoredKey>() + std::mem::size_of::<Entry>();

/// A key as the map stores it: its [`member_hash`] and its bytes, ordered by hash, then bytes.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct StoredKey {
    hash: u64,
    name: CompactBytes,
}

impl StoredKey {
    /// Returns the smallest key with hash `hash`: a range starting there begins with the first
    /// key whose hash is at least `hash`.
    fn start_of(hash: u64) -> StoredKey {
        StoredKey {
            hash,
            name: CompactBytes::empty(),
        }
    }
}

/// A borrowed key for lookups in the ordered key map: the key's [`member_hash`] and its bytes,
/// compared with a [`StoredKey`] exactly as `StoredKey`'s own order does.
#[derive(Clone, Copy, Debug)]
struct KeyRef<'a> {
    hash: u64,
    key: &'a [u8],
}

impl<'a> KeyRef<'a> {
    fn new(key: &'a [u8]) -> KeyRef<'a> {
        KeyRef {
            hash: member_hash(key),
            key,
        }
    }
}

impl Equivalent<StoredKey> for KeyRef<'_> {
    fn equivalent(&self, stored: &StoredKey) -> bool {
        self.hash == stored.hash && self.key == &stored.name[..]
    }
}

impl Comparable<StoredKey> for KeyRef<'_> {
    fn compare(&self, stored: &StoredKey) -> Ordering {
        self.hash
            .cmp(&stored.hash)
            .then_with(|| self.key.cmp(&stored.name[..]))
    }
}

/// A stored value and its expiry.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The value.
    pub value: Value,
    /// Absolute expiry time in unix milliseconds (see [`Entry::expire_at`]), in 8 bytes.
    expiry: Option<NonZeroU64>,
}

impl Entry {
    /// An entry expiring at `expire_at` (unix milliseconds; `None` for no TTL). Unix time 0 is
    /// stored as 1, which is as far in the past for every command.
    pub fn new(value: Value, expire_at: Option<u64>) -> Entry {
        let mut entry = Entry {
            value,
            expiry: None,
        };
        entry.set_expire_at(expire_at);
        entry
    }

    /// Sets the expiry (see [`Entry::new`]); the map's expiry index is [`Db::set_expire`]'s.
    fn set_expire_at(&mut self, expire_at: Option<u64>) {
        self.expiry = expire_at.map(|at| NonZeroU64::new(at).unwrap_or(NonZeroU64::MIN));
    }

    /// Absolute expiry time in unix milliseconds; `None` for a key without a TTL.
    pub fn expire_at(&self) -> Option<u64> {
        self.expiry.map(NonZeroU64::get)
    }

    /// Returns true when the entry is logically absent at `now_ms`.
    pub fn is_expired(&self, now_ms: u64) -> bool {
        self.expire_at().is_some_and(|at| at <= now_ms)
    }
}

/// Moves `key` in the expiry index from `old` to `new` (either `None`: not indexed).
fn reindex_expiry(
    expires: &mut OrdSet<(u64, CompactBytes)>,
    key: &CompactBytes,
    old: Option<u64>,
    new: Option<u64>,
) {
    if old == new {
        return;
    }
    if let Some(at) = old {
        expires.remove(&(at, key.clone()));
    }
    if let Some(at) = new {
        expires.insert((at, key.clone()));
    }
}

/// One logical database (`SELECT n`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Db {
    /// Every stored key, including expired keys that no log entry has removed yet, in
    /// [`StoredKey`] order.
    map: OrdMap<StoredKey, Entry>,
    /// `(expire_at, key)` for every key of `map` whose entry has `expire_at: Some(_)`, ordered so the
    /// soonest expiries come first. Kept exactly in sync with `map` by every mutating method.
    expires: OrdSet<(u64, CompactBytes)>,
    /// How many changes the write command being applied made, when it says so itself (Redis's
    /// `server.dirty` increments); taken by [`crate::commands::execute_write`] after each command.
    changes: Option<u64>,
}

impl Db {
    /// Records how many changes the command being applied made (see [`Keyspace::changes`]); a
    /// command that does not call this counts one change if it succeeds.
    ///
    /// [`Keyspace::changes`]: crate::keyspace::Keyspace::changes
    pub fn set_changes(&mut self, n: u64) {
        self.changes = Some(n);
    }

    /// Takes the count recorded by [`Db::set_changes`].
    pub fn take_changes(&mut self) -> Option<u64> {
        self.changes.take()
    }

    /// Returns the number of stored keys, including expired keys not yet removed (Redis's `DBSIZE`).
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Returns true when no key is stored.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Returns the number of stored keys that carry an expiry.
    pub fn expires_len(&self) -> usize {
        self.expires.len()
    }

    /// Returns the live entry of `key` at `now_ms`, or `None` when it is missing or expired.
    pub fn get(&self, key: &[u8], now_ms: u64) -> Option<&Entry> {
        self.map
            .get(&KeyRef::new(key))
            .filter(|entry| !entry.is_expired(now_ms))
    }

    /// Returns the live value of `key` at `now_ms`.
    pub fn get_value(&self, key: &[u8], now_ms: u64) -> Option<&Value> {
        self.get(key, now_ms).map(|entry| &entry.value)
    }

    /// Removes `key` if it is stored but expired at `now_ms`; returns true when it removed it.
    pub fn evict_if_expired(&mut self, key: &[u8], now_ms: u64) -> bool {
        if self
            .map
            .get(&KeyRef::new(key))
            .is_some_and(|entry| entry.is_expired(now_ms))
        {
            self.remove(key);
            true
        } else {
            false
        }
    }

    /// Write-path lookup: removes `key` if it is expired, then returns its live entry.
    pub fn get_for_write(&mut self, key: &[u8], now_ms: u64) -> Option<&Entry> {
        let lookup = KeyRef::new(key);
        // A missing key costs one lookup; a live one a second, on nodes the first brought into
        // the cache (the borrow checker does not let the first result be returned).
        if self.map.get(&lookup)?.is_expired(now_ms) {
            self.remove(key);
            return None;
        }
        self.map.get(&lookup)
    }

    /// Write-path lookup of a value to modify in place: removes `key` if it is expired, then returns
    /// its live value. The expiry cannot be changed through it; use [`Db::set_expire`].
    pub fn value_mut(&mut self, key: &[u8], now_ms: u64) -> Option<&mut Value> {
        self.evict_if_expired(key, now_ms);
        self.map
            .get_mut(&KeyRef::new(key))
            .map(|entry| &mut entry.value)
    }

    /// Stores `value` under `key` with the given expiry, replacing any previous entry (expired or
    /// not), and returns the previous entry.
    ///
    /// The key is copied when it is new, so the stored key never pins the caller's buffer; the value
    /// must already be an owned copy (see [`Value::string`]).
    pub fn insert(&mut self, key: &[u8], value: Value, expire_at: Option<u64>) -> Option<Entry> {
        self.insert_entry(key, Entry::new(value, expire_at))
    }

    /// Stores `entry` under `key` (see [`Db::insert`]): moves a key's entry, expiry included, to
    /// another name or database (RENAME, MOVE, COPY).
    pub fn insert_entry(&mut self, key: &[u8], entry: Entry) -> Option<Entry> {
        let expire_at = entry.expire_at();
        let lookup = KeyRef::new(key);
        if let Some((stored_key, stored)) = self.map.get_key_value_mut(&lookup) {
            let old = mem::replace(stored, entry);
            reindex_expiry(
                &mut self.expires,
                &stored_key.name,
                old.expire_at(),
                expire_at,
            );
            return Some(old);
        }
        let key = CompactBytes::new(key);
        reindex_expiry(&mut self.expires, &key, None, expire_at);
        let stored_key = StoredKey {
            hash: lookup.hash,
            name: key,
        };
        self.map.insert(stored_key, entry);
        None
    }

    /// Stores `value` under `key`, keeping the current expiry if the key is live at `now_ms` (as
    /// `INCR` does); a missing or expired key is stored without expiry.
    pub fn insert_keep_ttl(&mut self, key: &[u8], value: Value, now_ms: u64) {
        self.evict_if_expired(key, now_ms);
        match self.map.get_mut(&KeyRef::new(key)) {
            Some(entry) => entry.value = value,
            None => {
                self.insert(key, value, None);
            }
        }
    }

    /// Sets or clears the expiry of a stored key; returns false when the key is not stored.
    ///
    /// This does not check whether the key is already expired: callers on the write path look it up
    /// with [`Db::get_for_write`] first.
    pub fn set_expire(&mut self, key: &[u8], expire_at: Option<u64>) -> bool {
        let Some((stored_key, entry)) = self.map.get_key_value_mut(&KeyRef::new(key)) else {
            return false;
        };
        let old = entry.expire_at();
        entry.set_expire_at(expire_at);
        reindex_expiry(&mut self.expires, &stored_key.name, old, entry.expire_at());
        true
    }

    /// Removes `key` whether or not it is expired and returns its entry.
    pub fn remove(&mut self, key: &[u8]) -> Option<Entry> {
        let (stored_key, entry) = self.map.remove_with_key(&KeyRef::new(key))?;
        if let Some(at) = entry.expire_at() {
            self.expires.remove(&(at, stored_key.name));
        }
        Some(entry)
    }

    /// Removes every key (FLUSHDB).
    pub fn clear(&mut self) {
        self.map.clear();
        self.expires.clear();
    }

    /// Iterates over every stored entry, expired or not, in key order (by hash, then bytes).
    pub fn iter(&self) -> impl Iterator<Item = (&CompactBytes, &Entry)> {
        self.map.iter().map(|(key, entry)| (&key.name, entry))
    }

    // Keys (more).

    /// Iterates over every stored entry, expired or not, in key order starting at the first key
    /// whose hash is at least `hash` and wrapping around to the first key: with a random `hash`,
    /// the first item is a random key (RANDOMKEY), the same on every replica for the same `hash`.
    pub fn iter_from(&self, hash: u64) -> impl Iterator<Item = (&CompactBytes, &Entry)> {
        let start = StoredKey::start_of(hash);
        self.map
            .range(start.clone()..)
            .chain(self.map.range(..start))
            .map(|(key, entry)| (&key.name, entry))
    }

    /// Returns one step of a SCAN: the stored entries (expired or not) from `cursor` on, at least
    /// `count` of them when that many remain (more when the last one shares its hash with the next
    /// ones, so that a cursor never splits a run of equal hashes), and the cursor of the next step,
    /// 0 at the end.
    ///
    /// A cursor is the hash of the next key to return; 0 starts a scan. A key present from the first
    /// step to the last is returned at least once, whatever is added or removed meanwhile; one added
    /// or removed meanwhile may or may not be, as with Redis's SCAN.
    pub fn scan(&self, cursor: u64, count: usize) -> (u64, Vec<(&CompactBytes, &Entry)>) {
        let count = count.max(1);
        let mut res: Vec<(&StoredKey, &Entry)> = Vec::with_capacity(count.min(self.len()));
        for (key, entry) in self.map.range(StoredKey::start_of(cursor)..) {
            if res.len() >= count && res.last().is_some_and(|(last, _)| last.hash != key.hash) {
                return (key.hash, Self::members(res));
            }
            res.push((key, entry));
        }
        (0, Self::members(res))
    }

    fn members<'a>(entries: Vec<(&'a StoredKey, &'a Entry)>) -> Vec<(&'a CompactBytes, &'a Entry)> {
        entries
            .into_iter()
            .map(|(key, entry)| (&key.name, entry))
            .collect()
    }

    /// Returns true when every stored key is expired at `now_ms` (and at least one is stored): all
    /// keys carry an expiry and the latest one has passed. O(log n).
    pub fn all_expired(&self, now_ms: u64) -> bool {
        !self.is_empty()
            && self.expires.len() == self.map.len()
            && self.expires.get_max().is_some_and(|(at, _)| *at <= now_ms)
    }

    /// Iterates over `(expire_at, key)` of the keys with an expiry, soonest first.
    pub fn expiries(&self) -> impl Iterator<Item = &(u64, CompactBytes)> {
        self.expires.iter()
    }

    /// Checks that the expiry index matches the map exactly; for tests.
    #[cfg(test)]
    pub(crate) fn assert_consistent(&self) {
        let with_expiry = self
            .map
            .iter()
            .filter(|(_, entry)| entry.expire_at().is_some())
            .count();
        assert_eq!(with_expiry, self.expires.len(), "expiry index size");
        for (key, _) in self.map.iter() {
            assert_eq!(key.hash, member_hash(&key.name), "stored hash of {key:?}");
        }
        for (at, key) in self.expires.iter() {
            let entry = self
                .map
                .get(&KeyRef::new(key))
                .expect("indexed key is stored");
            assert_eq!(entry.expire_at(), Some(*at), "indexed expiry of {key:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;

    fn string(s: &str) -> Value {
        Value::string(s.as_bytes())
    }

    #[test]
    fn a_slot_of_the_key_map_is_72_bytes() {
        // The key's hash and handle, the value and the expiry: what every key costs in the tree.
        assert_eq!(size_of::<StoredKey>(), 32);
        assert_eq!(size_of::<Entry>(), 40);
        assert_eq!(KEY_SLOT_SIZE, 72);
    }

    #[test]
    fn insert_get_remove_keep_the_index_in_sync() {
        let mut db = Db::default();
        assert_eq!(db.insert(b"a", string("1"), Some(100)), None);
        assert_eq!(db.insert(b"b", string("2"), None), None);
        db.assert_consistent();
        assert_eq!(db.len(), 2);
        assert_eq!(db.expires_len(), 1);

        // Replacing changes the value and the expiry.
        let old = db.insert(b"a", string("3"), Some(200)).unwrap();
        assert_eq!(old.expire_at(), Some(100));
        db.assert_consistent();
        assert_eq!(db.expiries().next(), Some(&(200, CompactBytes::new(b"a"))));

        assert!(db.set_expire(b"b", Some(50)));
        assert!(db.set_expire(b"a", None));
        assert!(!db.set_expire(b"missing", Some(1)));
        db.assert_consistent();
        assert_eq!(db.expires_len(), 1);

        assert!(db.remove(b"b").is_some());
        assert!(db.remove(b"b").is_none());
        db.assert_consistent();
        assert_eq!(db.expires_len(), 0);
    }

    #[test]
    fn expired_keys_are_invisible_and_evicted_only_on_the_write_path() {
        let mut db = Db::default();
        db.insert(b"k", string("v"), Some(100));
        assert!(db.get(b"k", 99).is_some());
        assert!(db.get(b"k", 100).is_none());
        assert_eq!(db.len(), 1, "reads do not remove");
        assert!(db.get_for_write(b"k", 100).is_none());
        assert_eq!(db.len(), 0, "writes remove");
        db.assert_consistent();
    }

    #[test]
    fn insert_keep_ttl() {
        let mut db = Db::default();
        db.insert(b"k", string("1"), Some(100));
        db.insert_keep_ttl(b"k", string("2"), 50);
        assert_eq!(db.get(b"k", 50).unwrap().expire_at(), Some(100));
        // An expired key is replaced by a key without expiry.
        db.insert_keep_ttl(b"k", string("3"), 100);
        assert_eq!(db.get(b"k", 100).unwrap().expire_at(), None);
        db.assert_consistent();
    }

    #[test]
    fn stored_keys_and_values_do_not_pin_the_request_buffer() {
        let request = Bytes::from(vec![b'x'; 1024]);
        let mut db = Db::default();
        db.insert(&request[..3], Value::string(&request[3..6]), None);
        let (key, entry) = db.iter().next().unwrap();
        // A copy is its own small allocation, not a view into the request.
        assert!(!request.as_ptr_range().contains(&key.as_ptr()));
        let value = entry.value.as_string().unwrap();
        assert!(!request.as_ptr_range().contains(&value.as_ptr()));
    }

    // Keys (more).

    #[test]
    fn keys_are_in_hash_order_whatever_the_insertion_order() {
        let mut a = Db::default();
        let mut b = Db::default();
        for i in 0..200 {
            a.insert(format!("k{i}").as_bytes(), string("v"), None);
        }
        for i in (0..200).rev() {
            b.insert(format!("k{i}").as_bytes(), string("v"), None);
        }
        assert_eq!(a, b);
        let order: Vec<_> = a.iter().map(|(key, _)| key.clone()).collect();
        assert_eq!(
            order,
            b.iter().map(|(key, _)| key.clone()).collect::<Vec<_>>()
        );
        let hashes: Vec<u64> = order.iter().map(|key| member_hash(key)).collect();
        assert!(hashes.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn scan_steps_cover_every_key_once() {
        let mut db = Db::default();
        for i in 0..100 {
            db.insert(format!("k{i}").as_bytes(), string("v"), Some(5));
        }
        for count in [0, 1, 9, 100, 1000] {
            let mut cursor = 0;
            let mut seen = Vec::new();
            loop {
                let (next, batch) = db.scan(cursor, count);
                assert!(batch.len() >= count.clamp(1, 100) || next == 0);
                // Expired keys are still stored and scanned; commands filter them.
                seen.extend(batch.into_iter().map(|(key, _)| key.clone()));
                if next == 0 {
                    break;
                }
                cursor = next;
            }
            let distinct: std::collections::BTreeSet<_> = seen.iter().collect();
            assert_eq!((seen.len(), distinct.len()), (100, 100), "count {count}");
        }
        assert_eq!(Db::default().scan(0, 10), (0, Vec::new()));
    }

    #[test]
    fn iter_from_starts_at_a_hash_and_wraps() {
        let mut db = Db::default();
        for i in 0..10 {
            db.insert(format!("k{i}").as_bytes(), string("v"), None);
        }
        let order: Vec<CompactBytes> = db.iter().map(|(key, _)| key.clone()).collect();
        let third = member_hash(&order[3]);
        let from: Vec<CompactBytes> = db.iter_from(third).map(|(key, _)| key.clone()).collect();
        assert_eq!(from, [&order[3..], &order[..3]].concat());
        let from_zero: Vec<CompactBytes> = db.iter_from(0).map(|(key, _)| key.clone()).collect();
        assert_eq!(from_zero, order);
        let last = member_hash(&order[9]);
        if last < u64::MAX {
            assert_eq!(db.iter_from(last + 1).next().unwrap().0, &order[0]);
        }
        assert!(Db::default().iter_from(7).next().is_none());
    }

    #[test]
    fn all_expired() {
        let mut db = Db::default();
        assert!(!db.all_expired(0), "an empty db has no expired key");
        db.insert(b"a", string("1"), Some(10));
        db.insert(b"b", string("1"), Some(20));
        assert!(!db.all_expired(19));
        assert!(db.all_expired(20));
        db.insert(b"c", string("1"), None);
        assert!(!db.all_expired(1000));
    }

    #[test]
    fn clone_is_independent() {
        let mut a = Db::default();
        a.insert(b"k", string("v"), None);
        let b = a.clone();
        a.insert(b"k", string("w"), Some(5));
        assert_eq!(b.get_value(b"k", 0), Some(&string("v")));
        assert_ne!(a, b);
    }
}
