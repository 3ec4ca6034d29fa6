//! Hash commands: HSET HSETNX HGET HMGET HMSET HDEL HLEN HSTRLEN HEXISTS HKEYS HVALS HGETALL HINCRBY
//! HINCRBYFLOAT HRANDFIELD HSCAN (Redis 7.0 `t_hash.c`).
//!
//! Handlers are called by [`crate::commands`] after the arity check, so `argv` has at least the
//! number of arguments the command table requires. A hash is never stored empty: HDEL deletes the
//! key with its last field. Modifying a hash keeps the key's TTL.

use bytes::Bytes;
use tinyredis_common::Reply;
use tinyredis_common::ReplyError;

use crate::commands::ReadCtx;
use crate::commands::WriteCtx;
use crate::commands::args::i64_arg;
use crate::commands::args::is_option;
use crate::commands::args::parse_i64;
use crate::commands::long_double::LongDouble;
use crate::commands::random::parse_random_count;
use crate::commands::random::read_rng;
use crate::commands::random::sample;
use crate::commands::random::sample_in_order;
use crate::commands::scan::empty_scan_reply;
use crate::commands::scan::parse_cursor;
use crate::commands::scan::parse_options;
use crate::commands::scan::scan_reply;
use crate::commands::scan::whole_scan_reply;
use crate::keyspace::Db;
use crate::keyspace::Value;
use crate::keyspace::hash::Hash;
use crate::keyspace::ordered::SplitMix64;

/// `HSET key field value [field value ...]`: the number of fields created.
pub fn hset(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    match set_fields(db, argv, ctx, b"hset") {
        Ok(n_created) => Reply::Integer(n_created),
        Err(err) => Reply::Error(err),
    }
}

/// `HMSET key field value [field value ...]`: like HSET, replying OK.
pub fn hmset(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    match set_fields(db, argv, ctx, b"hmset") {
        Ok(_) => Reply::Ok,
        Err(err) => Reply::Error(err),
    }
}

/// `HSETNX key field value`: 1 when the field was created, 0 when it already existed.
pub fn hsetnx(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    let (key, field) = (&argv[1], &argv[2]);
    let exists = match read_hash(db.get_for_write(key, ctx.now_ms).map(|e| &e.value)) {
        Ok(hash) => hash.is_some_and(|hash| hash.contains(field)),
        Err(err) => return Reply::Error(err),
    };
    if exists {
        return Reply::Integer(0);
    }
    match hash_for_write(db, key, ctx) {
        Ok(hash) => {
            hash.insert(field, &argv[3]);
            Reply::Integer(1)
        }
        Err(err) => Reply::Error(err),
    }
}

/// `HGET key field`: the value, nil when the key or the field is missing.
pub fn hget(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    match live_hash(db, &argv[1], ctx) {
        Ok(hash) => Reply::from(hash.and_then(|hash| hash.get(&argv[2]))),
        Err(err) => Reply::Error(err),
    }
}

/// `HMGET key field [field ...]`: one value or nil per field; a missing key reads as empty.
pub fn hmget(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    match live_hash(db, &argv[1], ctx) {
        Ok(hash) => Reply::Array(
            argv[2..]
                .iter()
                .map(|field| Reply::from(hash.and_then(|hash| hash.get(field))))
                .collect(),
        ),
        Err(err) => Reply::Error(err),
    }
}

/// `HDEL key field [field ...]`: the number of fields removed; the key goes with its last field.
pub fn hdel(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    let key = &argv[1];
    let Some(value) = db.value_mut(key, ctx.now_ms) else {
        return Reply::Integer(0);
    };
    let Some(hash) = value.as_hash_mut() else {
        return Reply::Error(ReplyError::WrongType);
    };
    let n_removed = argv[2..].iter().filter(|field| hash.remove(field)).count();
    if hash.is_empty() {
        db.remove(key);
    }
    Reply::Integer(n_removed as i64)
}

/// `HLEN key`: the number of fields, 0 for a missing key.
pub fn hlen(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    match live_hash(db, &argv[1], ctx) {
        Ok(hash) => Reply::Integer(hash.map_or(0, Hash::len) as i64),
        Err(err) => Reply::Error(err),
    }
}

/// `HSTRLEN key field`: the length of the value, 0 when the key or the field is missing.
pub fn hstrlen(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    match live_hash(db, &argv[1], ctx) {
        Ok(hash) => {
            let len = hash
                .and_then(|hash| hash.get(&argv[2]))
                .map_or(0, |value| value.len());
            Reply::Integer(len as i64)
        }
        Err(err) => Reply::Error(err),
    }
}

/// `HEXISTS key field`: 1 when the field exists, else 0.
pub fn hexists(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    match live_hash(db, &argv[1], ctx) {
        Ok(hash) => Reply::Integer(i64::from(hash.is_some_and(|hash| hash.contains(&argv[2])))),
        Err(err) => Reply::Error(err),
    }
}

/// `HKEYS key`: every field, in the hash's order (insertion order for a small hash).
pub fn hkeys(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    match live_hash(db, &argv[1], ctx) {
        Ok(hash) => Reply::Array(
            hash.into_iter()
                .flat_map(Hash::entries)
                .map(|(field, _)| Reply::Bulk(field))
                .collect(),
        ),
        Err(err) => Reply::Error(err),
    }
}

/// `HVALS key`: every value, in the hash's order (insertion order for a small hash).
pub fn hvals(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    match live_hash(db, &argv[1], ctx) {
        Ok(hash) => Reply::Array(
            hash.into_iter()
                .flat_map(Hash::entries)
                .map(|(_, value)| Reply::Bulk(value))
                .collect(),
        ),
        Err(err) => Reply::Error(err),
    }
}

/// `HGETALL key`: every field and value, as a map (a flat array in RESP2), in the hash's order
/// (insertion order for a small hash).
pub fn hgetall(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    match live_hash(db, &argv[1], ctx) {
        Ok(hash) => Reply::Map(
            hash.into_iter()
                .flat_map(Hash::entries)
                .map(|(field, value)| (Reply::Bulk(field), Reply::Bulk(value)))
                .collect(),
        ),
        Err(err) => Reply::Error(err),
    }
}

/// `HINCRBY key field increment`: the new value. The increment is parsed first; a value that is not
/// an integer is `ERR hash value is not an integer`, and overflow is refused.
pub fn hincrby(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    let increment = match i64_arg(&argv[3]) {
        Ok(n) => n,
        Err(err) => return Reply::Error(err),
    };
    let (key, field) = (&argv[1], &argv[2]);
    let current = match read_hash(db.get_for_write(key, ctx.now_ms).map(|e| &e.value)) {
        Ok(hash) => hash
            .and_then(|hash| hash.get(field))
            .map(|value| parse_i64(&value)),
        Err(err) => return Reply::Error(err),
    };
    let current = match current {
        None => 0,
        Some(Some(n)) => n,
        Some(None) => return Reply::Error(ReplyError::err("hash value is not an integer")),
    };
    let Some(new) = current.checked_add(increment) else {
        return Reply::Error(ReplyError::Overflow);
    };
    let mut buf = itoa::Buffer::new();
    let text = buf.format(new).as_bytes();
    match hash_for_write(db, key, ctx) {
        Ok(hash) => {
            hash.insert(field, text);
            Reply::Integer(new)
        }
        Err(err) => Reply::Error(err),
    }
}

/// `HINCRBYFLOAT key field increment`: the new value as Redis formats it (17 decimals in C's
/// 80-bit `long double`, trailing zeros removed; see [`LongDouble`]).
pub fn hincrbyfloat(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    let Some(increment) = LongDouble::parse(&argv[3]) else {
        return Reply::Error(ReplyError::NotFloat);
    };
    if !increment.is_finite() {
        return Reply::Error(ReplyError::err("value is NaN or Infinity"));
    }
    let (key, field) = (&argv[1], &argv[2]);
    let current = match read_hash(db.get_for_write(key, ctx.now_ms).map(|e| &e.value)) {
        Ok(hash) => hash
            .and_then(|hash| hash.get(field))
            .map(|value| LongDouble::parse(&value)),
        Err(err) => return Reply::Error(err),
    };
    let current = match current {
        None => LongDouble::from_i64(0),
        Some(Some(value)) => value,
        Some(None) => return Reply::Error(ReplyError::err("hash value is not a float")),
    };
    let new = current + increment;
    if !new.is_finite() {
        return Reply::Error(ReplyError::err("increment would produce NaN or Infinity"));
    }
    let text = Bytes::from(new.to_human_string());
    match hash_for_write(db, key, ctx) {
        Ok(hash) => {
            hash.insert(field, &text);
            Reply::Bulk(text)
        }
        Err(err) => Reply::Error(err),
    }
}

/// `HRANDFIELD key [count [WITHVALUES]]`: a random field (nil for a missing key), or with a count an
/// array of fields chosen as SRANDMEMBER does (see [`crate::commands::random`]); WITHVALUES replies
/// field-value pairs (flat in RESP2, nested in RESP3). A count at least the size replies the whole
/// hash in its order.
pub fn hrandfield(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    let Some(count_arg) = argv.get(2) else {
        return match live_hash(db, &argv[1], ctx) {
            Ok(hash) => Reply::from(hash.and_then(|hash| random_field(hash, &mut read_rng(ctx)))),
            Err(err) => Reply::Error(err),
        };
    };
    let count = match parse_random_count(count_arg) {
        Ok(count) => count,
        Err(err) => return Reply::Error(err),
    };
    let with_values = match argv.get(3) {
        None => false,
        Some(opt) if argv.len() == 4 && is_option(opt, "WITHVALUES") => true,
        Some(_) => return Reply::Error(ReplyError::Syntax),
    };
    if with_values && !(-i64::MAX / 2..=i64::MAX / 2).contains(&count) {
        return Reply::Error(ReplyError::err("value is out of range"));
    }
    let hash = match live_hash(db, &argv[1], ctx) {
        Ok(Some(hash)) => hash,
        Ok(None) => return Reply::Array(Vec::new()),
        Err(err) => return Reply::Error(err),
    };
    let picked = match random_fields(hash, count, &mut read_rng(ctx)) {
        Ok(picked) => picked,
        Err(err) => return Reply::Error(err),
    };
    if with_values {
        // A flat array in RESP2, an array of [field, value] arrays in RESP3, as Redis 7 replies.
        let pairs = picked
            .into_iter()
            .map(|(field, value)| (Reply::Bulk(field), Reply::Bulk(value)));
        return Reply::Pairs(pairs.collect());
    }
    let fields = picked.into_iter().map(|(field, _)| Reply::Bulk(field));
    Reply::Array(fields.collect())
}

/// One random field of a non-empty hash: by position in a packed hash, else from the table.
fn random_field(hash: &Hash, rng: &mut SplitMix64) -> Option<Bytes> {
    match hash {
        Hash::Packed(_) => {
            let idx = rng.below(hash.len().max(1));
            hash.entries().nth(idx).map(|(field, _)| field)
        }
        Hash::Table(table) => table
            .random_member(rng)
            .map(|(field, _)| field.member.clone()),
    }
}

/// The fields and values HRANDFIELD picks for `count` (see [`sample`]).
fn random_fields(
    hash: &Hash,
    count: i64,
    rng: &mut SplitMix64,
) -> Result<Vec<(Bytes, Bytes)>, ReplyError> {
    match hash {
        Hash::Packed(_) => {
            let all: Vec<(Bytes, Bytes)> = hash.entries().collect();
            let picked = sample_in_order(&all.iter().collect::<Vec<_>>(), count, rng)?;
            Ok(picked.into_iter().cloned().collect())
        }
        Hash::Table(table) => Ok(sample(table, count, rng)?
            .into_iter()
            .map(|(field, value)| (field.member.clone(), value.clone()))
            .collect()),
    }
}

/// `HSCAN key cursor [MATCH pattern] [COUNT count]`: `[next cursor, [field, value, ...]]`; see
/// [`crate::commands::scan`]. The cursor is checked first; a missing key replies `[0, []]` without
/// looking at the options. A small (packed) hash is returned whole, in insertion order, with
/// cursor 0 whatever the cursor and COUNT, as Redis returns a listpack.
pub fn hscan(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    let cursor = match parse_cursor(&argv[2]) {
        Ok(cursor) => cursor,
        Err(err) => return Reply::Error(err),
    };
    let hash = match live_hash(db, &argv[1], ctx) {
        Ok(Some(hash)) => hash,
        Ok(None) => return empty_scan_reply(),
        Err(err) => return Reply::Error(err),
    };
    let options = match parse_options(&argv[3..], false) {
        Ok(options) => options,
        Err(err) => return Reply::Error(err),
    };
    let Some(table) = hash.as_table() else {
        return whole_scan_reply(hash.entries(), &options, |field, value, out| {
            out.push(Reply::Bulk(field));
            out.push(Reply::Bulk(value));
        });
    };
    scan_reply(table, cursor, &options, |field, value, out| {
        out.push(Reply::Bulk(field.member.clone()));
        out.push(Reply::Bulk(value.clone()));
    })
}

/// HSET and HMSET: checks the pairs, then sets every field; returns the number created.
fn set_fields(
    db: &mut Db,
    argv: &[Bytes],
    ctx: &WriteCtx,
    name: &'static [u8],
) -> Result<i64, ReplyError> {
    if argv.len() % 2 == 1 {
        return Err(ReplyError::WrongArity(Bytes::from_static(name)));
    }
    let hash = hash_for_write(db, &argv[1], ctx)?;
    let n_created = argv[2..]
        .chunks_exact(2)
        .filter(|pair| hash.insert(&pair[0], &pair[1]))
        .count();
    Ok(n_created as i64)
}

/// Returns the live hash at `key` for reading: `None` when missing, WRONGTYPE for other types.
fn live_hash<'a>(db: &'a Db, key: &[u8], ctx: &ReadCtx) -> Result<Option<&'a Hash>, ReplyError> {
    read_hash(db.get_value(key, ctx.now_ms))
}

/// Checks the type of an optional value: `None` stays `None`, a hash is returned, other types are
/// WRONGTYPE.
fn read_hash(value: Option<&Value>) -> Result<Option<&Hash>, ReplyError> {
    match value {
        None => Ok(None),
        Some(value) => value.as_hash().map(Some).ok_or(ReplyError::WrongType),
    }
}

/// Returns the hash at `key` for modification, creating an empty one (without TTL) when the key is
/// missing or expired; WRONGTYPE for other types. The caller must add a field to a created hash.
fn hash_for_write<'a>(
    db: &'a mut Db,
    key: &[u8],
    ctx: &WriteCtx,
) -> Result<&'a mut Hash, ReplyError> {
    if db.get_for_write(key, ctx.now_ms).is_none() {
        db.insert(key, Value::Hash(Hash::default()), None);
    }
    db.value_mut(key, ctx.now_ms)
        .and_then(Value::as_hash_mut)
        .ok_or(ReplyError::WrongType)
}

#[cfg(test)]
mod hash_test;
