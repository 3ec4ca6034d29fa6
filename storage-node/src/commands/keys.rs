//! Generic key commands: DEL EXISTS EXPIRE PEXPIRE TTL PTTL PERSIST TYPE DBSIZE FLUSHDB FLUSHALL
//! (Redis 7.0 `db.c` and `expire.c`).
//!
//! Handlers are called by [`crate::commands`] after the arity check, so `argv` has at least the
//! number of arguments the command table requires.

use bytes::Bytes;
use tinyredis_common::Reply;
use tinyredis_common::ReplyError;

use crate::commands::ReadCtx;
use crate::commands::WriteCtx;
use crate::commands::args::i64_arg;
use crate::commands::args::is_option;
use crate::commands::args::now_i64;
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
        .is_some_and(|entry| entry.expire_at.is_some());
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
pub fn flushall(ks: &mut Keyspace, argv: &[Bytes], _ctx: &WriteCtx) -> Reply {
    if let Err(err) = check_flush_args(argv) {
        return Reply::Error(err);
    }
    ks.flush_all();
    Reply::Ok
}

/// `EXPIRE key seconds [NX|XX|GT|LT]`.
pub fn expire(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    expire_generic(db, argv, ctx, TimeUnit::Seconds)
}

/// `PEXPIRE key milliseconds [NX|XX|GT|LT]`.
pub fn pexpire(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    expire_generic(db, argv, ctx, TimeUnit::Milliseconds)
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
    let Some(expire_at) = entry.expire_at else {
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

/// EXPIRE and PEXPIRE, as Redis's `expireGenericCommand` with the current time as base: 1 when the
/// TTL was set (or the key deleted because the time is already past), 0 when the key is missing or
/// a flag's condition is not met.
fn expire_generic(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx, unit: TimeUnit) -> Reply {
    let name: &'static [u8] = match unit {
        TimeUnit::Seconds => b"expire",
        TimeUnit::Milliseconds => b"pexpire",
    };
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
    let Some(when) = when.checked_add(now) else {
        return invalid();
    };

    let key = &argv[1];
    let Some(entry) = db.get_for_write(key, ctx.now_ms) else {
        return Reply::Integer(0);
    };
    // Stored times come from positive i64 values, so the conversion is exact.
    let current = entry
        .expire_at
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

#[cfg(test)]
mod keys_test;
