//! Memory estimates of stored keys: `MEMORY USAGE`, INFO's `used_memory_dataset`, MEMORY STATS.
//!
//! The figures describe tinyredis's own structures, not Redis's encodings: a key costs its hash,
//! its [`CompactBytes`] and [`Entry`] in the database's tree, plus the tree's per-entry share, and
//! its key and string bytes where they are too long to live inside the slot; a
//! collection element costs its bytes plus the size of the slot that holds it (a `Bytes` handle in
//! a list, a `MemberKey` and value in a big hash or a set, both the member map and the score index
//! in a sorted set); a small (packed) hash costs exactly its buffer. Like Redis's
//! `objectComputeSize`, any other collection is estimated from a sample of its first `samples`
//! elements (0: all of them) scaled to its length.

use std::mem::size_of;

use bytes::Bytes;

use crate::keyspace::Entry;
use crate::keyspace::Keyspace;
use crate::keyspace::Value;
use crate::keyspace::compact::CompactBytes;
use crate::keyspace::db::KEY_SLOT_SIZE;
use crate::keyspace::hash::Hash;
use crate::keyspace::ordered::MemberKey;
use crate::keyspace::ordered::MemberMap;

/// Elements `MEMORY USAGE` samples when no `SAMPLES` option is given (Redis's default).
pub const DEFAULT_SAMPLES: usize = 5;

/// The amortized share of a persistent (`imbl`) tree node per stored element: a node holds up to
/// 64 slots plus child pointers and a reference count, so each element pays about a pointer and a
/// half beyond its own slot.
const TREE_OVERHEAD: usize = 12;

/// Estimated bytes of one key with its value and expiry.
pub fn key_usage(key: &[u8], entry: &Entry, samples: usize) -> u64 {
    let own = KEY_SLOT_SIZE + TREE_OVERHEAD + CompactBytes::heap_size_for(key.len());
    own as u64 + value_heap(&entry.value, samples)
}

/// Estimated bytes of every key of every database, each collection sampled with
/// [`DEFAULT_SAMPLES`] elements so that the cost is proportional to the number of keys.
pub fn dataset_usage(keyspace: &Keyspace) -> u64 {
    keyspace
        .dbs()
        .iter()
        .flat_map(|db| db.iter())
        .map(|(key, entry)| key_usage(key, entry, DEFAULT_SAMPLES))
        .sum()
}

/// Bytes a value owns beyond the `Value` itself.
fn value_heap(value: &Value, samples: usize) -> u64 {
    match value {
        Value::String(s, _) => s.heap_size() as u64,
        Value::List(list) => {
            let slot = size_of::<Bytes>() + TREE_OVERHEAD;
            scaled(list.len(), samples, list.iter().map(|e| slot + e.len()))
        }
        Value::Hash(Hash::Packed(packed)) => packed.buffer_len() as u64,
        Value::Hash(Hash::Table(table)) => {
            (size_of::<MemberMap<Bytes>>() as u64)
                + member_map(table, samples, |v| size_of::<Bytes>() + v.len())
        }
        Value::Set(set) => member_map(set, samples, |_| 0),
        Value::ZSet(zset) => {
            // The member map (member and score) and the score index (score and a second handle to
            // the same member bytes).
            let slot = size_of::<MemberKey>()
                + size_of::<f64>()
                + size_of::<(f64, Bytes)>()
                + 2 * TREE_OVERHEAD;
            scaled(
                zset.len(),
                samples,
                zset.iter().map(|(m, _)| slot + m.len()),
            )
        }
    }
}

/// Estimates a member map from the sizes of its members and of their values.
fn member_map<V: Clone>(map: &MemberMap<V>, samples: usize, value: impl Fn(&V) -> usize) -> u64 {
    let slot = size_of::<MemberKey>() + TREE_OVERHEAD;
    scaled(
        map.len(),
        samples,
        map.iter().map(|(k, v)| slot + k.member.len() + value(v)),
    )
}

/// Sums the first `samples` element sizes (all when `samples` is 0) and scales the sum to `len`
/// elements.
fn scaled(len: usize, samples: usize, sizes: impl Iterator<Item = usize>) -> u64 {
    let take = if samples == 0 { len } else { samples.min(len) };
    if take == 0 {
        return 0;
    }
    let sum: u64 = sizes.take(take).map(|s| s as u64).sum();
    if take == len {
        sum
    } else {
        // Redis scales the sampled average: (sum / samples) * len.
        (sum as f64 / take as f64 * len as f64) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keyspace::list::End;
    use crate::keyspace::list::List;

    fn entry(value: Value) -> Entry {
        Entry::new(value, None)
    }

    #[test]
    fn strings_grow_with_key_and_value() {
        let small = key_usage(b"k", &entry(Value::string(b"v")), 5);
        let big = key_usage(b"k", &entry(Value::string(&[0u8; 1000])), 5);
        // A long value is one shared allocation: its bytes and two counters.
        assert_eq!(big - small, 1016);
        // Short keys and values live inside the tree's slot.
        assert_eq!(key_usage(b"kk", &entry(Value::string(b"vv")), 5), small);
        let long_key = key_usage(&[b'k'; 30], &entry(Value::string(b"v")), 5);
        assert_eq!(long_key - small, 46);
    }

    #[test]
    fn collections_are_sampled_and_scaled() {
        let mut list = List::default();
        for i in 0..100 {
            // Ten large elements first, then small ones: a 5-element sample sees only large ones.
            let len = if i < 10 { 1000 } else { 10 };
            list.push(End::Right, &vec![b'x'; len]);
        }
        let e = entry(Value::List(Box::new(list)));
        let exact = key_usage(b"l", &e, 0);
        let sampled = key_usage(b"l", &e, 5);
        assert!(sampled > exact, "{sampled} vs {exact}");
        assert_eq!(key_usage(b"l", &e, 100), exact);
        assert_eq!(key_usage(b"l", &e, 1000), exact);
    }

    #[test]
    fn dataset_is_the_sum_of_keys() {
        let mut ks = Keyspace::default();
        assert_eq!(dataset_usage(&ks), 0);
        let db = ks.db_mut(0).expect("db 0");
        db.insert(b"a", Value::string(b"1"), None);
        db.insert(b"b", Value::string(b"22"), Some(5));
        let expected = key_usage(b"a", &entry(Value::string(b"1")), 5)
            + key_usage(b"b", &entry(Value::string(b"22")), 5);
        assert_eq!(dataset_usage(&ks), expected);
    }
}
