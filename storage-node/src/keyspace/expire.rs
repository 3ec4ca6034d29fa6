//! Replicated expiry: finding expired keys and removing them through the log.
//!
//! Keys are never removed on a node's own clock (DESIGN invariant 4). The leader periodically calls
//! [`Keyspace::expired_sample`] with its current time, proposes the deletion of the keys it returns,
//! and every replica applies that entry with [`Keyspace::remove_expired`] at the entry's timestamp.
//! Between the two, reads already treat the keys as absent.

use bytes::Bytes;

use crate::keyspace::Keyspace;

impl Keyspace {
    /// Returns up to `limit` `(db, key)` pairs of keys whose expiry is at or before `now_ms`.
    ///
    /// The cost is proportional to the number of keys returned, not to the size of the keyspace:
    /// each database keeps its expiries ordered by time. Databases are visited in order, so a large
    /// backlog in one database is drained before later ones; every call makes progress once the
    /// returned keys are removed.
    pub fn expired_sample(&self, now_ms: u64, limit: usize) -> Vec<(usize, Bytes)> {
        let mut res = Vec::new();
        for (db_idx, db) in self.dbs().iter().enumerate() {
            if res.len() >= limit {
                break;
            }
            let expired = db
                .expiries()
                .take_while(|(at, _)| *at <= now_ms)
                .take(limit - res.len())
                .map(|(_, key)| (db_idx, key.to_bytes()));
            res.extend(expired);
        }
        res
    }

    /// Removes `key` from database `db` if it is still expired at `now_ms`; returns true when it was
    /// removed.
    ///
    /// A key rewritten with a later or no expiry between the leader's sample and this entry's apply
    /// is left alone.
    pub fn remove_expired(&mut self, db: usize, key: &[u8], now_ms: u64) -> bool {
        self.db_mut(db)
            .is_some_and(|db| db.evict_if_expired(key, now_ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keyspace::Value;

    #[test]
    fn sample_returns_only_expired_keys_soonest_first_within_limit() {
        let mut ks = Keyspace::default();
        let db0 = ks.db_mut(0).unwrap();
        db0.insert(b"late", Value::string(b"v"), Some(300));
        db0.insert(b"early", Value::string(b"v"), Some(100));
        db0.insert(b"none", Value::string(b"v"), None);
        ks.db_mut(3)
            .unwrap()
            .insert(b"other", Value::string(b"v"), Some(150));

        assert!(ks.expired_sample(99, 10).is_empty());
        assert_eq!(
            ks.expired_sample(200, 10),
            vec![
                (0, Bytes::from_static(b"early")),
                (3, Bytes::from_static(b"other"))
            ]
        );
        assert_eq!(ks.expired_sample(1000, 2).len(), 2);
        assert_eq!(ks.expired_sample(1000, 10).len(), 3);
        assert!(ks.expired_sample(1000, 0).is_empty());
    }

    #[test]
    fn remove_expired_checks_the_expiry_again() {
        let mut ks = Keyspace::default();
        let db = ks.db_mut(1).unwrap();
        db.insert(b"k", Value::string(b"v"), Some(100));
        db.insert(b"p", Value::string(b"v"), None);

        assert!(!ks.remove_expired(1, b"k", 99), "not yet expired");
        assert!(!ks.remove_expired(1, b"p", 1000), "no expiry");
        assert!(!ks.remove_expired(1, b"missing", 1000));
        assert!(!ks.remove_expired(99, b"k", 1000), "db out of range");
        assert!(ks.remove_expired(1, b"k", 100));
        assert!(!ks.remove_expired(1, b"k", 100), "already removed");
        assert_eq!(ks.db(1).unwrap().len(), 1);
        ks.db(1).unwrap().assert_consistent();
    }
}
