//! Collection encodings: which of Redis's two representations a hash, set or sorted set has, as
//! `OBJECT ENCODING` and `DUMP` report it.
//!
//! Redis starts a hash or sorted set as a `listpack` (a set as an `intset`) and converts it to
//! `hashtable` (`skiplist`) on the write that takes it past its limits: too many elements, an
//! element too long, or (for sets) a member that is not an integer. The conversion is one way: a
//! collection that shrinks keeps its big encoding. The limits are the cluster-wide CONFIG
//! parameters ([`EncodingLimits`]), part of the replicated state, so every replica converts on the
//! same write.
//!
//! A hash has one representation per encoding ([`crate::keyspace::hash::Hash`]: packed fields in
//! insertion order, or a table); sets and sorted sets keep one representation and record the
//! encoding as a flag on the collection ([`crate::keyspace::ordered::MemberMap::is_big`]). Either
//! way, [`promote`] converts after each write that can grow a collection, and snapshots carry the
//! encoding. Lists are always `quicklist` in 7.0.

use tinyredis_common::num::parse_i64;

use crate::keyspace::Value;
use crate::keyspace::compact::CompactBytes;

/// The thresholds of the compact encodings (Redis 7.0's CONFIG parameters of the same names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodingLimits {
    /// `hash-max-listpack-entries`.
    pub hash_max_entries: u64,
    /// `hash-max-listpack-value`: the longest field or value of a listpack hash.
    pub hash_max_value: u64,
    /// `set-max-intset-entries`.
    pub set_max_intset_entries: u64,
    /// `zset-max-listpack-entries`.
    pub zset_max_entries: u64,
    /// `zset-max-listpack-value`: the longest member of a listpack sorted set.
    pub zset_max_value: u64,
}

impl Default for EncodingLimits {
    /// Redis 7.0's defaults.
    fn default() -> EncodingLimits {
        EncodingLimits {
            hash_max_entries: 512,
            hash_max_value: 64,
            set_max_intset_entries: 512,
            zset_max_entries: 128,
            zset_max_value: 64,
        }
    }
}

impl EncodingLimits {
    /// Reads the limits from the cluster settings (`get` returns a parameter's stored value); a
    /// parameter never set, or unreadable, keeps its default.
    pub fn from_settings<'a>(get: impl Fn(&str) -> Option<&'a str>) -> EncodingLimits {
        let d = EncodingLimits::default();
        let num = |name: &str, default: u64| {
            get(name)
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(default)
        };
        EncodingLimits {
            hash_max_entries: num("hash-max-listpack-entries", d.hash_max_entries),
            hash_max_value: num("hash-max-listpack-value", d.hash_max_value),
            set_max_intset_entries: num("set-max-intset-entries", d.set_max_intset_entries),
            zset_max_entries: num("zset-max-listpack-entries", d.zset_max_entries),
            zset_max_value: num("zset-max-listpack-value", d.zset_max_value),
        }
    }
}

/// Returns true when a compact collection with these contents is past `limits` and must take its
/// big encoding. Strings and lists have no such conversion.
pub fn exceeds(value: &Value, limits: &EncodingLimits) -> bool {
    let too_long = |len: usize, max: u64| len as u64 > max;
    match value {
        Value::String(..) | Value::List(_) => false,
        Value::Hash(hash) => {
            too_long(hash.len(), limits.hash_max_entries)
                || hash.len() > crate::keyspace::hash::packed::MAX_LEN
                || hash.iter().any(|(field, value)| {
                    too_long(field.len(), limits.hash_max_value)
                        || too_long(value.len(), limits.hash_max_value)
                })
        }
        Value::Set(set) => {
            too_long(set.len(), limits.set_max_intset_entries)
                || set
                    .iter()
                    .any(|(member, ())| parse_i64(&member.member).is_none())
        }
        Value::ZSet(zset) => {
            too_long(zset.len(), limits.zset_max_entries)
                || zset
                    .iter()
                    .any(|(member, _)| too_long(member.len(), limits.zset_max_value))
        }
    }
}

/// Returns true when the value has the big encoding of its type (`hashtable`, `skiplist`).
pub fn is_big(value: &Value) -> bool {
    match value {
        Value::String(..) | Value::List(_) => false,
        Value::Hash(hash) => hash.is_big(),
        Value::Set(set) => set.is_big(),
        Value::ZSet(zset) => zset.is_big(),
    }
}

/// Marks a collection as converted to its big encoding (no effect on strings and lists).
pub fn set_big(value: &mut Value) {
    match value {
        Value::String(..) | Value::List(_) => {}
        Value::Hash(hash) => hash.convert_to_table(),
        Value::Set(set) => set.set_big(),
        Value::ZSet(zset) => zset.set_big(),
    }
}

/// Converts the value of `key` in `db` to its big encoding if it is a compact collection past
/// `limits` (the step Redis takes inside each write that adds elements).
pub fn promote(db: &mut crate::keyspace::Db, key: &[u8], now_ms: u64, limits: &EncodingLimits) {
    let needed = db
        .get_value(key, now_ms)
        .is_some_and(|value| !is_big(value) && exceeds(value, limits));
    if needed && let Some(value) = db.value_mut(key, now_ms) {
        set_big(value);
    }
}

/// Gives every compact collection of the keyspace the encoding its contents call for: used when
/// loading data whose encodings were not recorded (a snapshot of an older format).
pub fn promote_all(ks: &mut crate::keyspace::Keyspace, limits: &EncodingLimits) {
    for idx in 0..ks.dbs().len() {
        let Some(db) = ks.db_mut(idx) else { continue };
        let keys: Vec<CompactBytes> = db
            .iter()
            .filter(|(_, entry)| !is_big(&entry.value) && exceeds(&entry.value, limits))
            .map(|(key, _)| key.clone())
            .collect();
        for key in keys {
            if let Some(value) = db.value_mut(&key, 0) {
                set_big(value);
            }
        }
    }
}
