//! Commands over the whole key space of a database: KEYS, SCAN and RANDOMKEY (Redis 7.0 `db.c`).
//!
//! Keys are kept in [`crate::keyspace::db`]'s deterministic order (by fixed-seed hash, then bytes),
//! which gives:
//!
//! - SCAN cursors that survive writes: a cursor is the hash of the next key ([`Db::scan`]), so a
//!   key present for the whole scan is returned at least once, whatever is added or removed
//!   meanwhile, and a cursor means the same on every replica and every leader. COUNT is the
//!   number of keys visited per call (default 10); MATCH and TYPE filter the visited keys
//!   afterwards, and expired keys are skipped, as in Redis, so a call may return fewer keys than
//!   COUNT, or none, before the end.
//! - RANDOMKEY as a pick at a random hash. It is a read, so it draws from the node's random
//!   source ([`read_rng`]): it changes nothing.

use bytes::Bytes;
use tinyredis_common::Reply;

use crate::commands::ReadCtx;
use crate::commands::random::read_rng;
use crate::commands::scan::{parse_cursor, parse_options};
use crate::keyspace::Db;
use crate::keyspace::ordered::SplitMix64;
use tinyredis_common::glob::glob_match;

/// Random picks RANDOMKEY tries before walking (Redis's `dbRandomKey` tries 100 times).
const RANDOM_TRIES: usize = 100;

/// Keys RANDOMKEY walks, after its random picks found only expired keys, before giving up.
const RANDOM_WALK: usize = 1024;

/// `KEYS pattern`: every live key matching the glob pattern (`*` matches every key, even the empty
/// one, as in Redis), in key order.
pub fn keys(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    let pattern = &argv[1][..];
    let all = pattern == b"*";
    let keys = db
        .iter()
        .filter(|(key, entry)| {
            !entry.is_expired(ctx.now_ms) && (all || glob_match(pattern, key, false))
        })
        .map(|(key, _)| Reply::Bulk(key.to_bytes()))
        .collect();
    Reply::Array(keys)
}

/// `SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]`: `[next cursor, [keys]]`, the next
/// cursor 0 at the end. The cursor is parsed as Redis's `strtoul` (`ERR invalid cursor`).
pub fn scan(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    let cursor = match parse_cursor(&argv[1]) {
        Ok(cursor) => cursor,
        Err(err) => return Reply::Error(err),
    };
    let options = match parse_options(&argv[2..], true) {
        Ok(options) => options,
        Err(err) => return Reply::Error(err),
    };
    let (next, batch) = db.scan(cursor, options.count);
    let keys = batch
        .into_iter()
        .filter(|(key, entry)| {
            options
                .pattern
                .is_none_or(|pattern| glob_match(pattern, key, false))
                && options.type_name.is_none_or(|wanted| {
                    wanted.eq_ignore_ascii_case(entry.value.type_name().as_bytes())
                })
                && !entry.is_expired(ctx.now_ms)
        })
        .map(|(key, _)| Reply::Bulk(key.to_bytes()))
        .collect();
    let mut buf = itoa::Buffer::new();
    let next = Bytes::copy_from_slice(buf.format(next).as_bytes());
    Reply::Array(vec![Reply::Bulk(next), Reply::Array(keys)])
}

/// `RANDOMKEY`: a random live key, nil when there is none.
pub fn randomkey(db: &Db, _argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    random_key(db, ctx.now_ms, &mut read_rng(ctx))
}

/// Picks the first key at or after a random hash (wrapping around), skipping expired keys.
///
/// When every key is expired the reply is nil, as a Redis master's (which deletes expired keys as
/// it meets them). Otherwise the cost is bounded whatever the share of expired keys: after
/// [`RANDOM_TRIES`] picks and a walk of [`RANDOM_WALK`] keys that met only expired keys, it
/// replies the last key it picked although it is expired, as a Redis replica does after 100 tries.
fn random_key(db: &Db, now_ms: u64, rng: &mut SplitMix64) -> Reply {
    if db.is_empty() || db.all_expired(now_ms) {
        return Reply::Nil;
    }
    let mut last = None;
    for _ in 0..RANDOM_TRIES {
        let Some((key, entry)) = db.iter_from(rng.next_u64()).next() else {
            return Reply::Nil;
        };
        if !entry.is_expired(now_ms) {
            return Reply::Bulk(key.to_bytes());
        }
        last = Some(key);
    }
    let live = db
        .iter_from(rng.next_u64())
        .take(RANDOM_WALK)
        .find(|(_, entry)| !entry.is_expired(now_ms));
    match live.map(|(key, _)| key).or(last) {
        Some(key) => Reply::Bulk(key.to_bytes()),
        None => Reply::Nil,
    }
}

#[cfg(test)]
mod key_scan_test;
