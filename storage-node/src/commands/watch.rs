//! The storage-node half of WATCH: digests of watched keys, and the check that opens a
//! transaction's log entry (or read) and aborts it when a watched key changed.
//!
//! The gateway answers WATCH by reading the digest of each key (the hash of its type, encoding,
//! value and expiry, [`entry_digest`]) and keeps them with the connection; EXEC sends them back
//! as the first command of the transaction. Applied on every replica alike, the check compares
//! each digest with the key's current one: any difference (a write, a deletion, an expiry, a
//! FLUSHALL, a SWAPDB) aborts the transaction, and EXEC replies a null array as Redis does.
//!
//! Unlike Redis, which flags a watched key on every write, a key written back to the very value
//! (and expiry) it had at WATCH time does not abort the transaction: the digest cannot see that
//! it was touched. Nothing else is kept per key, so WATCH costs no memory on the nodes and
//! survives leader changes and gateway restarts.
//!
//! The internal command is `WATCH` itself (a gateway-only command, so no client can send this
//! form to a node):
//! - `WATCH DIGEST db key [db key ...]` replies one digest per key (decimal text; 0 when the key
//!   is missing);
//! - `WATCH CHECK db key digest [db key digest ...]` replies OK when every key still has its
//!   digest, else the [`failed_reply`] marker, and the commands after it are not executed.

use bytes::Bytes;
use tinyredis_common::Reply;
use tinyredis_common::ReplyError;
use tinyredis_common::num::parse_i64;

use crate::keyspace::Keyspace;
use crate::keyspace::snapshot::entry_digest;

/// The reply standing for a failed check, first of the transaction's replies.
pub fn failed_reply() -> Reply {
    Reply::Error(ReplyError::watch_failed())
}

/// Outcome of an internal WATCH command.
pub enum Outcome {
    /// Not a WATCH command: execute it normally.
    NotWatch,
    /// The reply of a DIGEST, a passed CHECK, or a malformed request.
    Reply(Reply),
    /// A CHECK found a changed key: the rest of the transaction must not run.
    WatchFailed,
}

/// Executes `argv` if it is an internal WATCH command.
pub fn execute(ks: &Keyspace, argv: &[Bytes], now_ms: u64) -> Outcome {
    if !argv
        .first()
        .is_some_and(|a| a.eq_ignore_ascii_case(b"watch"))
    {
        return Outcome::NotWatch;
    }
    let malformed = || Outcome::Reply(Reply::Error(ReplyError::err("invalid internal WATCH")));
    let Some(sub) = argv.get(1) else {
        return malformed();
    };
    let args = &argv[2..];
    if sub.eq_ignore_ascii_case(b"digest") && args.len().is_multiple_of(2) {
        let mut digests = Vec::with_capacity(args.len() / 2);
        for pair in args.chunks_exact(2) {
            let Some(digest) = digest(ks, &pair[0], &pair[1], now_ms) else {
                return malformed();
            };
            digests.push(Reply::Bulk(Bytes::from(digest.to_string())));
        }
        Outcome::Reply(Reply::Array(digests))
    } else if sub.eq_ignore_ascii_case(b"check") && args.len().is_multiple_of(3) {
        for triple in args.chunks_exact(3) {
            let Some(current) = digest(ks, &triple[0], &triple[1], now_ms) else {
                return malformed();
            };
            if current.to_string().as_bytes() != &triple[2][..] {
                return Outcome::WatchFailed;
            }
        }
        Outcome::Reply(Reply::Ok)
    } else {
        malformed()
    }
}

/// The digest of `key` in database `db` at `now_ms` (0 when missing or expired), or `None` for
/// a bad database number.
fn digest(ks: &Keyspace, db: &[u8], key: &[u8], now_ms: u64) -> Option<u64> {
    let db = usize::try_from(parse_i64(db)?).ok()?;
    let db = ks.db(db)?;
    Some(db.get(key, now_ms).map_or(0, entry_digest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keyspace::Value;

    fn argv(args: &[&str]) -> Vec<Bytes> {
        args.iter()
            .map(|a| Bytes::copy_from_slice(a.as_bytes()))
            .collect()
    }

    fn digests(ks: &Keyspace, keys: &[&str], now_ms: u64) -> Vec<String> {
        let mut args = vec!["WATCH", "DIGEST"];
        for key in keys {
            args.extend(["0", key]);
        }
        match execute(ks, &argv(&args), now_ms) {
            Outcome::Reply(Reply::Array(items)) => items
                .into_iter()
                .map(|r| match r {
                    Reply::Bulk(b) => String::from_utf8(b.to_vec()).unwrap(),
                    other => panic!("{other:?}"),
                })
                .collect(),
            _ => panic!("not a digest reply"),
        }
    }

    fn check(ks: &Keyspace, key: &str, digest: &str, now_ms: u64) -> bool {
        match execute(ks, &argv(&["WATCH", "CHECK", "0", key, digest]), now_ms) {
            Outcome::Reply(Reply::Ok) => true,
            Outcome::WatchFailed => false,
            _ => panic!("not a check reply"),
        }
    }

    #[test]
    fn digests_follow_value_and_expiry() {
        let mut ks = Keyspace::default();
        let d = digests(&ks, &["k"], 0);
        assert_eq!(d, ["0"]);
        assert!(check(&ks, "k", &d[0], 0));
        ks.db_mut(0)
            .unwrap()
            .insert(b"k", Value::string(b"v"), None);
        assert!(!check(&ks, "k", &d[0], 0), "created");
        let d = digests(&ks, &["k"], 0);
        assert!(check(&ks, "k", &d[0], 0));
        ks.db_mut(0)
            .unwrap()
            .insert(b"k", Value::string(b"w"), None);
        assert!(!check(&ks, "k", &d[0], 0), "changed");
        ks.db_mut(0)
            .unwrap()
            .insert(b"k", Value::string(b"v"), Some(100));
        assert!(!check(&ks, "k", &d[0], 0), "same value, new expiry");
        let d = digests(&ks, &["k"], 50);
        assert!(!check(&ks, "k", &d[0], 100), "expired since");
        assert!(matches!(
            execute(&ks, &argv(&["WATCH", "CHECK", "99", "k", "0"]), 0),
            Outcome::Reply(Reply::Error(_))
        ));
        assert!(matches!(
            execute(&ks, &argv(&["GET", "k"]), 0),
            Outcome::NotWatch
        ));
    }
}
