//! String commands: GET SET MGET MSET INCR INCRBY DECR DECRBY (Redis 7.0 `t_string.c`).
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
use crate::commands::args::parse_i64;
use crate::keyspace::Db;
use crate::keyspace::Value;

/// `GET key`: the string value, nil when missing, WRONGTYPE for other types.
pub fn get(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    match read_string(db, &argv[1], ctx.now_ms) {
        Ok(value) => Reply::from(value),
        Err(err) => Reply::Error(err),
    }
}

/// `MGET key [key ...]`: one bulk or nil per key; keys of other types read as nil.
pub fn mget(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    let values = argv[1..]
        .iter()
        .map(|key| {
            let value = db.get_value(key, ctx.now_ms).and_then(Value::as_string);
            Reply::from(value.cloned())
        })
        .collect();
    Reply::Array(values)
}

/// `SET key value [NX|XX] [GET] [EX s|PX ms|EXAT unix-s|PXAT unix-ms|KEEPTTL]`.
///
/// Replies OK, or nil when NX/XX is not met; with GET, the old value (nil if missing) either way.
/// Without KEEPTTL or an expiry option the key loses its TTL. An absolute expiry already in the past
/// stores nothing (the key would be expired at once).
pub fn set(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    let opts = match SetOptions::parse(&argv[3..]) {
        Ok(opts) => opts,
        Err(err) => return Reply::Error(err),
    };
    let expire_at = match opts.expire {
        Some((kind, arg)) => match set_expire_at(kind, arg, ctx.now_ms) {
            Ok(at) => Some(at),
            Err(err) => return Reply::Error(err),
        },
        None => None,
    };
    let (key, value) = (&argv[1], &argv[2]);

    let current = db.get_for_write(key, ctx.now_ms);
    let old_value = match (opts.get, current) {
        (true, Some(entry)) => match entry.value.as_string() {
            Some(bytes) => Some(bytes.clone()),
            None => return Reply::Error(ReplyError::WrongType),
        },
        _ => None,
    };
    let found = current.is_some();
    let current_expire = current.and_then(|entry| entry.expire_at);

    let reply = if opts.get {
        Reply::from(old_value)
    } else {
        Reply::Ok
    };
    if (opts.nx && found) || (opts.xx && !found) {
        return if opts.get { reply } else { Reply::Nil };
    }

    let expire_at = match expire_at {
        Some(at) => Some(at),
        None if opts.keep_ttl => current_expire,
        None => None,
    };
    if expire_at.is_some_and(|at| at <= ctx.now_ms) {
        db.remove(key);
    } else {
        db.insert(key, Value::string(value), expire_at);
    }
    reply
}

/// `MSET key value [key value ...]`: sets every pair and clears their TTLs; always OK.
pub fn mset(db: &mut Db, argv: &[Bytes], _ctx: &WriteCtx) -> Reply {
    let pairs = &argv[1..];
    if !pairs.len().is_multiple_of(2) {
        return Reply::Error(ReplyError::WrongArity(Bytes::from_static(b"mset")));
    }
    for pair in pairs.chunks_exact(2) {
        db.insert(&pair[0], Value::string(&pair[1]), None);
    }
    Reply::Ok
}

/// `INCR key`.
pub fn incr(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    incr_by(db, &argv[1], 1, ctx)
}

/// `DECR key`.
pub fn decr(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    incr_by(db, &argv[1], -1, ctx)
}

/// `INCRBY key increment`.
pub fn incrby(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    match i64_arg(&argv[2]) {
        Ok(delta) => incr_by(db, &argv[1], delta, ctx),
        Err(err) => Reply::Error(err),
    }
}

/// `DECRBY key decrement`; `i64::MIN` cannot be negated and is refused.
pub fn decrby(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    match i64_arg(&argv[2]) {
        Ok(i64::MIN) => Reply::Error(ReplyError::err("decrement would overflow")),
        Ok(delta) => incr_by(db, &argv[1], -delta, ctx),
        Err(err) => Reply::Error(err),
    }
}

/// Adds `delta` to the integer stored at `key` (0 when missing), keeping its TTL.
fn incr_by(db: &mut Db, key: &[u8], delta: i64, ctx: &WriteCtx) -> Reply {
    let current = match db.get_for_write(key, ctx.now_ms) {
        None => 0,
        Some(entry) => match entry.value.as_string() {
            None => return Reply::Error(ReplyError::WrongType),
            Some(bytes) => match parse_i64(bytes) {
                Some(n) => n,
                None => return Reply::Error(ReplyError::NotInteger),
            },
        },
    };
    let Some(new) = current.checked_add(delta) else {
        return Reply::Error(ReplyError::Overflow);
    };
    db.insert_keep_ttl(key, Value::string_from_i64(new), ctx.now_ms);
    Reply::Integer(new)
}

/// Returns the live string at `key`: `None` when missing, WRONGTYPE for other types.
fn read_string(db: &Db, key: &[u8], now_ms: u64) -> Result<Option<Bytes>, ReplyError> {
    match db.get_value(key, now_ms) {
        None => Ok(None),
        Some(value) => value
            .as_string()
            .map(|bytes| Some(bytes.clone()))
            .ok_or(ReplyError::WrongType),
    }
}

/// The expiry option of SET.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ExpireKind {
    /// `EX seconds`.
    Ex,
    /// `PX milliseconds`.
    Px,
    /// `EXAT unix-seconds`.
    ExAt,
    /// `PXAT unix-milliseconds`.
    PxAt,
}

/// The options of SET after the value.
#[derive(Debug, Default)]
struct SetOptions<'a> {
    nx: bool,
    xx: bool,
    get: bool,
    keep_ttl: bool,
    expire: Option<(ExpireKind, &'a [u8])>,
}

impl<'a> SetOptions<'a> {
    /// Parses the options as Redis's `parseExtendedStringArgumentsOrReply` does: options may repeat,
    /// the same expiry option given twice keeps the last value, and conflicting options (NX with XX,
    /// KEEPTTL with an expiry, two different expiry kinds) or a missing expiry value are a syntax error.
    fn parse(opts: &'a [Bytes]) -> Result<SetOptions<'a>, ReplyError> {
        let mut res = SetOptions::default();
        let mut idx = 0;
        while idx < opts.len() {
            let opt = &opts[idx][..];
            let next = opts.get(idx + 1);
            let kind = res.expire.map(|(kind, _)| kind);
            // An expiry option is allowed when no other expiry kind (and no KEEPTTL) was given.
            let expire_ok = |wanted: ExpireKind| !res.keep_ttl && kind.is_none_or(|k| k == wanted);
            if is_option(opt, "NX") && !res.xx {
                res.nx = true;
            } else if is_option(opt, "XX") && !res.nx {
                res.xx = true;
            } else if is_option(opt, "GET") {
                res.get = true;
            } else if is_option(opt, "KEEPTTL") && kind.is_none() {
                res.keep_ttl = true;
            } else if let Some(wanted) = expire_kind(opt)
                && expire_ok(wanted)
                && let Some(value) = next
            {
                res.expire = Some((wanted, &value[..]));
                idx += 1;
            } else {
                return Err(ReplyError::Syntax);
            }
            idx += 1;
        }
        Ok(res)
    }
}

fn expire_kind(opt: &[u8]) -> Option<ExpireKind> {
    if is_option(opt, "EX") {
        Some(ExpireKind::Ex)
    } else if is_option(opt, "PX") {
        Some(ExpireKind::Px)
    } else if is_option(opt, "EXAT") {
        Some(ExpireKind::ExAt)
    } else if is_option(opt, "PXAT") {
        Some(ExpireKind::PxAt)
    } else {
        None
    }
}

/// Converts SET's expiry argument to an absolute time in unix ms, as Redis's
/// `getExpireMillisecondsOrReply` does: not an integer → NotInteger; ≤ 0, or overflowing when converted
/// to milliseconds or made absolute → `invalid expire time in 'set' command`.
fn set_expire_at(kind: ExpireKind, arg: &[u8], now_ms: u64) -> Result<u64, ReplyError> {
    let invalid = || ReplyError::InvalidExpireTime(Bytes::from_static(b"set"));
    let n = i64_arg(arg)?;
    let seconds = matches!(kind, ExpireKind::Ex | ExpireKind::ExAt);
    if n <= 0 || (seconds && n > i64::MAX / 1000) {
        return Err(invalid());
    }
    let ms = if seconds { n * 1000 } else { n };
    let at = match kind {
        ExpireKind::Ex | ExpireKind::Px => ms.checked_add(now_i64(now_ms)).ok_or_else(invalid)?,
        ExpireKind::ExAt | ExpireKind::PxAt => ms,
    };
    // `at` is positive: `ms` is, and `now_i64` is never negative.
    u64::try_from(at).map_err(|_| invalid())
}

#[cfg(test)]
mod string_test;
