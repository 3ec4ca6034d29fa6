//! Generic key commands: DEL EXISTS EXPIRE PEXPIRE TTL PTTL PERSIST TYPE DBSIZE FLUSHDB FLUSHALL
//! UNLINK TOUCH EXPIREAT PEXPIREAT EXPIRETIME PEXPIRETIME RENAME RENAMENX MOVE COPY SWAPDB (Redis
//! 7.0 `db.c` and `expire.c`). KEYS, SCAN and RANDOMKEY are in [`crate::commands::key_scan`],
//! OBJECT in [`crate::commands::object`].
//!
//! Handlers are called by [`crate::commands`] after the arity check, so `argv` has at least the
//! number of arguments the command table requires.

use std::mem;

use bytes::Bytes;
use tinyredis_common::NUM_DATABASES;
use tinyredis_common::Reply;
use tinyredis_common::ReplyError;

use crate::commands::ReadCtx;
use crate::commands::WriteCtx;
use crate::commands::args::i64_arg;
use crate::commands::args::is_option;
use crate::commands::args::now_i64;
use crate::commands::args::parse_i64;
use crate::keyspace::Db;
use crate::keyspace::Keyspace;

/// `DEL key [key ...]`: the number of live keys removed (a key named twice counts once).
pub fn del(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    let mut n_removed = 0;
    for key in &argv[1..] {
        if db.get_for_write(key, ctx.now_ms).is_some() {
            db.remove(key);
            n_removed += 1;
        }
    }
    Reply::Integer(n_removed)
}

/// `EXISTS key [key ...]`: the number of arguments naming a live key (a key named twice counts twice).
pub fn exists(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    let n = argv[1..]
        .iter()
        .filter(|key| db.get(key, ctx.now_ms).is_some())
        .count();
    Reply::Integer(n as i64)
}

/// `TYPE key`: the type name as a simple string, `none` when missing.
pub fn type_(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    let name = db
        .get_value(&argv[1], ctx.now_ms)
        .map_or("none", |value| value.type_name());
    Reply::simple(name)
}

/// `TTL key`: seconds to live, rounded to nearest; -2 when missing, -1 without expiry.
pub fn ttl(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    ttl_generic(db, &argv[1], ctx, TimeUnit::Seconds)
}

/// `PTTL key`: milliseconds to live; -2 when missing, -1 without expiry.
pub fn pttl(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    ttl_generic(db, &argv[1], ctx, TimeUnit::Milliseconds)
}

/// `PERSIST key`: 1 when a TTL was removed, 0 when the key is missing or has none.
pub fn persist(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    let key = &argv[1];
    let has_ttl = db
        .get_for_write(key, ctx.now_ms)
        .is_some_and(|entry| entry.expire_at().is_some());
    if has_ttl {
        db.set_expire(key, None);
    }
    Reply::Integer(i64::from(has_ttl))
}

/// `DBSIZE`: the number of keys in the database.
///
/// Like Redis, this counts expired keys that have not been removed yet; the leader's expiry entries
/// remove them shortly after they expire.
pub fn dbsize(db: &Db, _argv: &[Bytes], _ctx: &ReadCtx) -> Reply {
    Reply::Integer(db.len() as i64)
}

/// `FLUSHDB [ASYNC|SYNC]`.
pub fn flushdb(db: &mut Db, argv: &[Bytes], _ctx: &WriteCtx) -> Reply {
    if let Err(err) = check_flush_args(argv) {
        return Reply::Error(err);
    }
    db.clear();
    Reply::Ok
}

/// `FLUSHALL [ASYNC|SYNC]`.
pub fn flushall(ks: &mut Keyspace, _db: usize, argv: &[Bytes], _ctx: &WriteCtx) -> Reply {
    if let Err(err) = check_flush_args(argv) {
        return Reply::Error(err);
    }
    ks.flush_all();
    Reply::Ok
}

/// `EXPIRE key seconds [NX|XX|GT|LT]`.
pub fn expire(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    expire_generic(db, argv, ctx, TimeUnit::Seconds, Base::Now, b"expire")
}

/// `PEXPIRE key milliseconds [NX|XX|GT|LT]`.
pub fn pexpire(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    expire_generic(db, argv, ctx, TimeUnit::Milliseconds, Base::Now, b"pexpire")
}

/// The unit of a relative time argument or reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TimeUnit {
    Seconds,
    Milliseconds,
}

fn ttl_generic(db: &Db, key: &[u8], ctx: &ReadCtx, unit: TimeUnit) -> Reply {
    let Some(entry) = db.get(key, ctx.now_ms) else {
        return Reply::Integer(-2);
    };
    let Some(expire_at) = entry.expire_at() else {
        return Reply::Integer(-1);
    };
    // Positive because the key is live; saturate in case of absurd stored times.
    let ttl_ms = i64::try_from(expire_at.saturating_sub(ctx.now_ms)).unwrap_or(i64::MAX);
    match unit {
        TimeUnit::Milliseconds => Reply::Integer(ttl_ms),
        TimeUnit::Seconds => Reply::Integer(ttl_ms.saturating_add(500) / 1000),
    }
}

/// FLUSHDB and FLUSHALL take nothing, ASYNC or SYNC; everything runs synchronously here because the
/// old maps are shared with snapshots and freed when the last reference goes.
fn check_flush_args(argv: &[Bytes]) -> Result<(), ReplyError> {
    match argv {
        [_] => Ok(()),
        [_, mode] if is_option(mode, "ASYNC") || is_option(mode, "SYNC") => Ok(()),
        _ => Err(ReplyError::Syntax),
    }
}

/// The condition flags of EXPIRE and PEXPIRE.
#[derive(Debug, Default)]
struct ExpireFlags {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
}

impl ExpireFlags {
    /// Parses the flags as Redis's `parseExtendedExpireArgumentsOrReply` does: an unknown option
    /// first, then incompatible combinations, are errors.
    fn parse(opts: &[Bytes]) -> Result<ExpireFlags, ReplyError> {
        let mut flags = ExpireFlags::default();
        for opt in opts {
            if is_option(opt, "NX") {
                flags.nx = true;
            } else if is_option(opt, "XX") {
                flags.xx = true;
            } else if is_option(opt, "GT") {
                flags.gt = true;
            } else if is_option(opt, "LT") {
                flags.lt = true;
            } else {
                return Err(ReplyError::UnsupportedOption(Bytes::copy_from_slice(opt)));
            }
        }
        if flags.nx && (flags.xx || flags.gt || flags.lt) {
            return Err(ReplyError::err(
                "NX and XX, GT or LT options at the same time are not compatible",
            ));
        }
        if flags.gt && flags.lt {
            return Err(ReplyError::err(
                "GT and LT options at the same time are not compatible",
            ));
        }
        Ok(flags)
    }

    /// Returns true when the flags allow replacing `current` (`None`: no TTL, i.e. infinite) by `when`.
    fn allow(&self, current: Option<i64>, when: i64) -> bool {
        if self.nx && current.is_some() {
            return false;
        }
        if self.xx && current.is_none() {
            return false;
        }
        if self.gt && current.is_none_or(|current| when <= current) {
            return false;
        }
        if self.lt && current.is_some_and(|current| when >= current) {
            return false;
        }
        true
    }
}

/// What the time argument of an expire command is relative to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Base {
    /// EXPIRE, PEXPIRE: a time to live, from the entry's time.
    Now,
    /// EXPIREAT, PEXPIREAT: a unix time.
    Epoch,
}

/// EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT, as Redis's `expireGenericCommand`: 1 when the TTL was
/// set (or the key deleted because the time is already past), 0 when the key is missing or a
/// flag's condition is not met. `name` is the command named in errors.
fn expire_generic(
    db: &mut Db,
    argv: &[Bytes],
    ctx: &WriteCtx,
    unit: TimeUnit,
    base: Base,
    name: &'static [u8],
) -> Reply {
    let invalid = || Reply::Error(ReplyError::InvalidExpireTime(Bytes::from_static(name)));
    let flags = match ExpireFlags::parse(&argv[3..]) {
        Ok(flags) => flags,
        Err(err) => return Reply::Error(err),
    };
    let mut when = match i64_arg(&argv[2]) {
        Ok(n) => n,
        Err(err) => return Reply::Error(err),
    };
    if unit == TimeUnit::Seconds {
        match when.checked_mul(1000) {
            Some(ms) => when = ms,
            None => return invalid(),
        }
    }
    let now = now_i64(ctx.now_ms);
    let base_ms = match base {
        Base::Now => now,
        Base::Epoch => 0,
    };
    let Some(when) = when.checked_add(base_ms) else {
        return invalid();
    };

    let key = &argv[1];
    let Some(entry) = db.get_for_write(key, ctx.now_ms) else {
        return Reply::Integer(0);
    };
    // Stored times come from positive i64 values, so the conversion is exact.
    let current = entry
        .expire_at()
        .map(|at| i64::try_from(at).unwrap_or(i64::MAX));
    if !flags.allow(current, when) {
        return Reply::Integer(0);
    }
    if when <= now {
        db.remove(key);
    } else {
        // `when > now >= 0`, so it is a valid u64.
        db.set_expire(key, Some(when.unsigned_abs()));
    }
    Reply::Integer(1)
}

// Keys (more).

/// `UNLINK key [key ...]`: DEL; the memory is freed when the last snapshot sharing it goes.
pub fn unlink(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    del(db, argv, ctx)
}

/// `TOUCH key [key ...]`: the number of arguments naming a live key. tinyredis keeps no access
/// times, so nothing else happens.
pub fn touch(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    exists(db, argv, ctx)
}

/// `EXPIREAT key unix-time-seconds [NX|XX|GT|LT]`.
pub fn expireat(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    expire_generic(db, argv, ctx, TimeUnit::Seconds, Base::Epoch, b"expireat")
}

/// `PEXPIREAT key unix-time-milliseconds [NX|XX|GT|LT]`.
pub fn pexpireat(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    expire_generic(
        db,
        argv,
        ctx,
        TimeUnit::Milliseconds,
        Base::Epoch,
        b"pexpireat",
    )
}

/// `EXPIRETIME key`: the expiry as a unix time in seconds (rounded to nearest, as Redis does); -2
/// when missing, -1 without expiry.
pub fn expiretime(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    expiretime_generic(db, &argv[1], ctx, TimeUnit::Seconds)
}

/// `PEXPIRETIME key`: the expiry as a unix time in milliseconds; -2 when missing, -1 without expiry.
pub fn pexpiretime(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    expiretime_generic(db, &argv[1], ctx, TimeUnit::Milliseconds)
}

fn expiretime_generic(db: &Db, key: &[u8], ctx: &ReadCtx, unit: TimeUnit) -> Reply {
    let Some(entry) = db.get(key, ctx.now_ms) else {
        return Reply::Integer(-2);
    };
    let Some(expire_at) = entry.expire_at() else {
        return Reply::Integer(-1);
    };
    let at = i64::try_from(expire_at).unwrap_or(i64::MAX);
    match unit {
        TimeUnit::Milliseconds => Reply::Integer(at),
        TimeUnit::Seconds => Reply::Integer(at.saturating_add(500) / 1000),
    }
}

/// `RENAME key newkey`: moves the value and its TTL, replacing `newkey`; `ERR no such key` when
/// `key` is missing (even when both names are the same).
pub fn rename(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    rename_generic(db, argv, ctx, false)
}

/// `RENAMENX key newkey`: RENAME when `newkey` does not exist (1), nothing otherwise (0).
pub fn renamenx(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    rename_generic(db, argv, ctx, true)
}

fn rename_generic(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx, nx: bool) -> Reply {
    let (src, dst) = (&argv[1], &argv[2]);
    let done = if nx { Reply::Integer(1) } else { Reply::Ok };
    let Some(entry) = db.get_for_write(src, ctx.now_ms).cloned() else {
        return Reply::Error(ReplyError::NoSuchKey);
    };
    if src == dst {
        return if nx { Reply::Integer(0) } else { done };
    }
    if nx && db.get_for_write(dst, ctx.now_ms).is_some() {
        return Reply::Integer(0);
    }
    db.remove(src);
    db.insert_entry(dst, entry);
    done
}

/// `MOVE key db`: moves the key (with its TTL) from the selected database to `db`; 1 when moved,
/// 0 when the key is missing or `db` already has it.
pub fn move_(ks: &mut Keyspace, db: usize, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    let target = match db_index(&argv[2]) {
        Ok(target) => target,
        Err(err) => return Reply::Error(err),
    };
    if target == db {
        return Reply::Error(same_object());
    }
    let key = &argv[1];
    let Some(src) = ks.db_mut(db) else {
        return Reply::Error(ReplyError::DbIndexOutOfRange);
    };
    let Some(entry) = src.get_for_write(key, ctx.now_ms).cloned() else {
        return Reply::Integer(0);
    };
    let Some(dst) = ks.db_mut(target) else {
        return Reply::Error(ReplyError::DbIndexOutOfRange);
    };
    if dst.get_for_write(key, ctx.now_ms).is_some() {
        return Reply::Integer(0);
    }
    dst.insert_entry(key, entry);
    if let Some(src) = ks.db_mut(db) {
        src.remove(key);
    }
    Reply::Integer(1)
}

/// `COPY source destination [DB destination-db] [REPLACE]`: copies the value and its TTL; 1 when
/// copied, 0 when the source is missing or the destination exists without REPLACE.
pub fn copy(ks: &mut Keyspace, db: usize, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    let mut replace = false;
    let mut target = db;
    let mut idx = 3;
    while idx < argv.len() {
        if is_option(&argv[idx], "REPLACE") {
            replace = true;
        } else if is_option(&argv[idx], "DB") && idx + 1 < argv.len() {
            target = match db_index(&argv[idx + 1]) {
                Ok(target) => target,
                Err(err) => return Reply::Error(err),
            };
            idx += 1;
        } else {
            return Reply::Error(ReplyError::Syntax);
        }
        idx += 1;
    }
    let (key, new_key) = (&argv[1], &argv[2]);
    if target == db && key == new_key {
        return Reply::Error(same_object());
    }
    let Some(src) = ks.db_mut(db) else {
        return Reply::Error(ReplyError::DbIndexOutOfRange);
    };
    // Values are persistent structures: a clone shares nodes but is an independent copy.
    let Some(entry) = src.get_for_write(key, ctx.now_ms).cloned() else {
        return Reply::Integer(0);
    };
    let Some(dst) = ks.db_mut(target) else {
        return Reply::Error(ReplyError::DbIndexOutOfRange);
    };
    if !replace && dst.get_for_write(new_key, ctx.now_ms).is_some() {
        return Reply::Integer(0);
    }
    dst.insert_entry(new_key, entry);
    Reply::Integer(1)
}

/// `SWAPDB index1 index2`: exchanges two databases, keys and expiries together.
pub fn swapdb(ks: &mut Keyspace, _db: usize, argv: &[Bytes], _ctx: &WriteCtx) -> Reply {
    let parse = |arg: &[u8], message: &'static str| {
        parse_i64(arg)
            .filter(|n| i32::try_from(*n).is_ok())
            .ok_or_else(|| ReplyError::err(message))
    };
    let (first, second) = match (
        parse(&argv[1], "invalid first DB index"),
        parse(&argv[2], "invalid second DB index"),
    ) {
        (Ok(first), Ok(second)) => (first, second),
        (Err(err), _) | (_, Err(err)) => return Reply::Error(err),
    };
    let in_range = |n: i64| usize::try_from(n).ok().filter(|&n| ks.db(n).is_some());
    let (Some(first), Some(second)) = (in_range(first), in_range(second)) else {
        return Reply::Error(ReplyError::DbIndexOutOfRange);
    };
    // Both databases exist (checked above), so every step below succeeds; the empty `Db` left
    // for a moment in `first` costs nothing.
    if first != second
        && let Some(a) = ks.db_mut(first).map(mem::take)
        && let Some(b) = ks.db_mut(second).map(|slot| mem::replace(slot, a))
        && let Some(slot) = ks.db_mut(first)
    {
        *slot = b;
    }
    Reply::Ok
}

/// Parses a database index as Redis's `getIntFromObjectOrReply` then `selectDb`: not an integer is
/// `ERR value is not an integer or out of range`, outside C's `int` an out-of-range error, and
/// outside the databases `ERR DB index is out of range`.
fn db_index(arg: &[u8]) -> Result<usize, ReplyError> {
    let n = parse_i64(arg).ok_or(ReplyError::NotInteger)?;
    if i32::try_from(n).is_err() {
        return Err(ReplyError::err(
            "value is out of range, value must between -2147483648 and 2147483647",
        ));
    }
    usize::try_from(n)
        .ok()
        .filter(|&n| n < NUM_DATABASES)
        .ok_or(ReplyError::DbIndexOutOfRange)
}

/// `ERR source and destination objects are the same` (MOVE to the same database, COPY onto itself).
fn same_object() -> ReplyError {
    ReplyError::err("source and destination objects are the same")
}

#[cfg(test)]
mod keys_test;
