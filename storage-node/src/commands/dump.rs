//! `DUMP` and `RESTORE` (Redis 7.0 `cluster.c`): a key's value in Redis's RDB serialization
//! ([`crate::keyspace::rdb`]), so keys move between tinyredis and Redis in both directions.
//!
//! RESTORE is a write applied from the log: a relative TTL counts from the entry's time, never
//! from a clock. tinyredis keeps no access times or frequencies, so IDLETIME and FREQ are checked
//! as Redis checks them and otherwise have no effect.

use bytes::Bytes;
use tinyredis_common::Reply;
use tinyredis_common::ReplyError;

use crate::commands::ReadCtx;
use crate::commands::WriteCtx;
use crate::commands::args::i64_arg;
use crate::commands::args::is_option;
use crate::commands::args::now_i64;
use crate::keyspace::Db;
use crate::keyspace::rdb;
use crate::keyspace::rdb::RestoreError;

/// `DUMP key`: the serialized value, or nil when the key is missing.
pub fn dump(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    match db.get_value(&argv[1], ctx.now_ms) {
        Some(value) => Reply::Bulk(Bytes::from(rdb::dump(value))),
        None => Reply::Nil,
    }
}

/// `RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]`.
///
/// Checks in Redis's order: the options, then BUSYKEY (without REPLACE), the TTL, the payload's
/// version and checksum, the payload itself. A TTL of 0 means no expiry; a TTL already in the
/// past replies OK without creating the key (and, with REPLACE, deletes the old one).
pub fn restore(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    let mut replace = false;
    let mut absttl = false;
    let mut idletime = false;
    let mut freq = false;
    let mut idx = 4;
    while idx < argv.len() {
        let opt = &argv[idx];
        let has_value = idx + 1 < argv.len();
        if is_option(opt, "REPLACE") {
            replace = true;
        } else if is_option(opt, "ABSTTL") {
            absttl = true;
        } else if is_option(opt, "IDLETIME") && has_value && !freq {
            match i64_arg(&argv[idx + 1]) {
                Ok(n) if n < 0 => {
                    return Reply::Error(ReplyError::err("Invalid IDLETIME value, must be >= 0"));
                }
                Ok(_) => idletime = true,
                Err(err) => return Reply::Error(err),
            }
            idx += 1;
        } else if is_option(opt, "FREQ") && has_value && !idletime {
            match i64_arg(&argv[idx + 1]) {
                Ok(n) if !(0..=255).contains(&n) => {
                    return Reply::Error(ReplyError::err(
                        "Invalid FREQ value, must be >= 0 and <= 255",
                    ));
                }
                Ok(_) => freq = true,
                Err(err) => return Reply::Error(err),
            }
            idx += 1;
        } else {
            return Reply::Error(ReplyError::Syntax);
        }
        idx += 1;
    }

    let key = &argv[1];
    if !replace && db.get_for_write(key, ctx.now_ms).is_some() {
        return Reply::Error(ReplyError::BusyKey);
    }
    let ttl = match i64_arg(&argv[2]) {
        Ok(ttl) if ttl < 0 => {
            return Reply::Error(ReplyError::err("Invalid TTL value, must be >= 0"));
        }
        Ok(ttl) => ttl,
        Err(err) => return Reply::Error(err),
    };
    let value = match rdb::restore(&argv[3]) {
        Ok(value) => value,
        Err(RestoreError::VersionOrChecksum) => {
            return Reply::Error(ReplyError::err(
                "DUMP payload version or checksum are wrong",
            ));
        }
        Err(RestoreError::BadFormat) => {
            return Reply::Error(ReplyError::err("Bad data format"));
        }
    };

    if replace {
        db.remove(key);
    }
    let now = now_i64(ctx.now_ms);
    // C's signed addition wraps; a wrapped (negative) time is already past, as in Redis.
    let when = if ttl != 0 && !absttl {
        ttl.wrapping_add(now)
    } else {
        ttl
    };
    if when != 0 && when <= now {
        return Reply::Ok;
    }
    // `when > now >= 0` here, so it is a valid u64.
    let expire_at = (when != 0).then_some(when.unsigned_abs());
    db.insert(key, value, expire_at);
    Reply::Ok
}

#[cfg(test)]
mod dump_test;
