//! String commands: GET SET MGET MSET INCR INCRBY DECR DECRBY GETEX GETDEL GETSET SETNX SETEX
//! PSETEX MSETNX APPEND STRLEN GETRANGE SUBSTR SETRANGE INCRBYFLOAT (Redis 7.0 `t_string.c`; LCS is
//! in [`crate::commands::lcs`]).
//!
//! Handlers are called by [`crate::commands`] after the arity check, so `argv` has at least the
//! number of arguments the command table requires.

use bytes::Bytes;
use bytes::BytesMut;
use tinyredis_common::Reply;
use tinyredis_common::ReplyError;

use crate::commands::ReadCtx;
use crate::commands::WriteCtx;
use crate::commands::args::i64_arg;
use crate::commands::args::is_option;
use crate::commands::args::now_i64;
use crate::commands::args::parse_i64;
use crate::commands::long_double::LongDouble;
use crate::keyspace::Db;
use crate::keyspace::Value;
use crate::keyspace::compact::CompactBytes;
use crate::keyspace::string::StringForm;

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
            Reply::from(value.map(CompactBytes::to_bytes))
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
        Some((kind, arg)) => match set_expire_at(kind, arg, ctx.now_ms, b"set") {
            Ok(at) => Some(at),
            Err(err) => return Reply::Error(err),
        },
        None => None,
    };
    let (key, value) = (&argv[1], &argv[2]);

    let mut expire_at = expire_at;
    let mut reply = Reply::Ok;
    // Only GET, NX, XX and KEEPTTL look at the current entry; a plain SET replaces it, expired or
    // not, without reading it first.
    if opts.get || opts.nx || opts.xx || opts.keep_ttl {
        let current = db.get_for_write(key, ctx.now_ms);
        if opts.get {
            reply = match current.map(|entry| entry.value.as_string()) {
                Some(Some(bytes)) => Reply::Bulk(bytes.to_bytes()),
                Some(None) => return Reply::Error(ReplyError::WrongType),
                None => Reply::Nil,
            };
        }
        let found = current.is_some();
        if (opts.nx && found) || (opts.xx && !found) {
            return if opts.get { reply } else { Reply::Nil };
        }
        if opts.keep_ttl && expire_at.is_none() {
            expire_at = current.and_then(|entry| entry.expire_at());
        }
    }
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
pub(crate) fn read_string(db: &Db, key: &[u8], now_ms: u64) -> Result<Option<Bytes>, ReplyError> {
    match db.get_value(key, now_ms) {
        None => Ok(None),
        Some(value) => value
            .as_string()
            .map(|bytes| Some(bytes.to_bytes()))
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
///
/// `name` is the command named in the error (`set`, `setex`, `getex`, …).
fn set_expire_at(
    kind: ExpireKind,
    arg: &[u8],
    now_ms: u64,
    name: &'static [u8],
) -> Result<u64, ReplyError> {
    let invalid = || ReplyError::InvalidExpireTime(Bytes::from_static(name));
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

// Strings (more).

/// Redis's default `proto-max-bulk-len`: the longest string APPEND and SETRANGE may build.
pub const PROTO_MAX_BULK_LEN: u64 = 512 * 1024 * 1024;

/// The error of APPEND and SETRANGE when the result would exceed [`PROTO_MAX_BULK_LEN`].
pub(crate) fn too_long() -> ReplyError {
    ReplyError::err("string exceeds maximum allowed size (proto-max-bulk-len)")
}

/// Redis's `checkStringLength`: refuses a string of `size + append` bytes above the limit.
fn check_string_length(size: u64, append: u64) -> Result<(), ReplyError> {
    match size.checked_add(append) {
        Some(total) if total <= PROTO_MAX_BULK_LEN => Ok(()),
        _ => Err(too_long()),
    }
}

/// Returns the live string at `key` on the write path (removing it first if expired): `None` when
/// missing, WRONGTYPE for other types.
pub(crate) fn write_string(
    db: &mut Db,
    key: &[u8],
    now_ms: u64,
) -> Result<Option<Bytes>, ReplyError> {
    match db.get_for_write(key, now_ms) {
        None => Ok(None),
        Some(entry) => entry
            .value
            .as_string()
            .map(|bytes| Some(bytes.to_bytes()))
            .ok_or(ReplyError::WrongType),
    }
}

/// Modifies the live string at `key` in place through `edit`, which gets the bytes as a
/// `BytesMut`, and returns the new length. See [`edit_string_with`]. The key must hold a live
/// string.
fn edit_string(db: &mut Db, key: &[u8], now_ms: u64, edit: impl FnOnce(&mut BytesMut)) -> usize {
    edit_string_with(db, key, now_ms, |buf| {
        edit(buf);
        buf.len()
    })
    .unwrap_or(0)
}

/// Modifies the live string at `key` in place through `edit` and returns what `edit` returns;
/// `None` when the key does not hold a live string. The buffer is reused when the stored string is
/// not shared (with a snapshot or a reply), so repeated edits cost amortized O(changed bytes), as
/// with Redis's sds; otherwise it is copied first.
///
/// This is Redis's `dbUnshareStringValue`: the string becomes [`StringForm::Raw`], whatever
/// `edit` does.
pub(crate) fn edit_string_with<R>(
    db: &mut Db,
    key: &[u8],
    now_ms: u64,
    edit: impl FnOnce(&mut BytesMut) -> R,
) -> Option<R> {
    let Some(Value::String(stored, form)) = db.value_mut(key, now_ms) else {
        return None;
    };
    *form = StringForm::Raw;
    Some(stored.edit(edit))
}

/// Marks the live string at `key` as [`StringForm::Raw`] without changing its bytes: Redis's
/// `dbUnshareStringValue` where the command then only reads the value (PFCOUNT with a valid
/// cache). No effect when the key does not hold a live string.
pub(crate) fn unshare_string(db: &mut Db, key: &[u8], now_ms: u64) {
    if let Some(Value::String(_, form)) = db.value_mut(key, now_ms) {
        *form = StringForm::Raw;
    }
}

/// `GETEX key [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|PERSIST]`:
/// the value, as GET, and sets or removes its TTL. A time in the past (EXAT, PXAT) deletes the key
/// after replying its value.
pub fn getex(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    let option = match GetexOption::parse(&argv[2..]) {
        Ok(option) => option,
        Err(err) => return Reply::Error(err),
    };
    let key = &argv[1];
    let value = match write_string(db, key, ctx.now_ms) {
        Ok(Some(value)) => value,
        Ok(None) => return Reply::Nil,
        Err(err) => return Reply::Error(err),
    };
    match option {
        GetexOption::Keep => {}
        GetexOption::Persist => {
            db.set_expire(key, None);
        }
        GetexOption::Expire(kind, arg) => {
            let at = match set_expire_at(kind, arg, ctx.now_ms, b"getex") {
                Ok(at) => at,
                Err(err) => return Reply::Error(err),
            };
            if at <= ctx.now_ms {
                db.remove(key);
            } else {
                db.set_expire(key, Some(at));
            }
        }
    }
    Reply::Bulk(value)
}

/// The TTL option of GETEX.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GetexOption<'a> {
    /// No option: the TTL is unchanged.
    Keep,
    /// `PERSIST`.
    Persist,
    /// `EX`, `PX`, `EXAT` or `PXAT` and its argument.
    Expire(ExpireKind, &'a [u8]),
}

impl<'a> GetexOption<'a> {
    /// Parses the options as `parseExtendedStringArgumentsOrReply(…, COMMAND_GET)`: one expiry kind
    /// (repeated, the last value wins) or PERSIST (repeatable), not both; SET's options and a missing
    /// value are a syntax error.
    fn parse(opts: &'a [Bytes]) -> Result<GetexOption<'a>, ReplyError> {
        let mut res = GetexOption::Keep;
        let mut idx = 0;
        while idx < opts.len() {
            let opt = &opts[idx][..];
            if is_option(opt, "PERSIST") && !matches!(res, GetexOption::Expire(..)) {
                res = GetexOption::Persist;
            } else if let Some(wanted) = expire_kind(opt)
                && match res {
                    GetexOption::Keep => true,
                    GetexOption::Persist => false,
                    GetexOption::Expire(kind, _) => kind == wanted,
                }
                && let Some(value) = opts.get(idx + 1)
            {
                res = GetexOption::Expire(wanted, value);
                idx += 1;
            } else {
                return Err(ReplyError::Syntax);
            }
            idx += 1;
        }
        Ok(res)
    }
}

/// `GETDEL key`: the value, and the key deleted; nil when missing.
pub fn getdel(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    let key = &argv[1];
    match write_string(db, key, ctx.now_ms) {
        Ok(Some(value)) => {
            db.remove(key);
            Reply::Bulk(value)
        }
        Ok(None) => Reply::Nil,
        Err(err) => Reply::Error(err),
    }
}

/// `GETSET key value`: sets the value (clearing the TTL) and replies the old one, nil when missing.
pub fn getset(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    let key = &argv[1];
    match write_string(db, key, ctx.now_ms) {
        Ok(old) => {
            db.insert(key, Value::string(&argv[2]), None);
            Reply::from(old)
        }
        Err(err) => Reply::Error(err),
    }
}

/// `SETNX key value`: 1 when the key was missing and is now set, 0 otherwise.
pub fn setnx(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    let key = &argv[1];
    if db.get_for_write(key, ctx.now_ms).is_some() {
        return Reply::Integer(0);
    }
    db.insert(key, Value::string(&argv[2]), None);
    Reply::Integer(1)
}

/// `SETEX key seconds value`.
pub fn setex(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    set_with_ttl(db, argv, ctx, ExpireKind::Ex, b"setex")
}

/// `PSETEX key milliseconds value`.
pub fn psetex(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    set_with_ttl(db, argv, ctx, ExpireKind::Px, b"psetex")
}

/// SETEX and PSETEX: the TTL must be a positive integer (`invalid expire time in '<cmd>' command`
/// otherwise); the key is set whatever its type.
fn set_with_ttl(
    db: &mut Db,
    argv: &[Bytes],
    ctx: &WriteCtx,
    kind: ExpireKind,
    name: &'static [u8],
) -> Reply {
    match set_expire_at(kind, &argv[2], ctx.now_ms, name) {
        Ok(at) => {
            db.insert(&argv[1], Value::string(&argv[3]), Some(at));
            Reply::Ok
        }
        Err(err) => Reply::Error(err),
    }
}

/// `MSETNX key value [key value ...]`: sets every pair (clearing TTLs) and replies 1 when none of
/// the keys exists; otherwise sets nothing and replies 0.
pub fn msetnx(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    let pairs = &argv[1..];
    if !pairs.len().is_multiple_of(2) {
        return Reply::Error(ReplyError::WrongArity(Bytes::from_static(b"msetnx")));
    }
    for pair in pairs.chunks_exact(2) {
        if db.get_for_write(&pair[0], ctx.now_ms).is_some() {
            return Reply::Integer(0);
        }
    }
    for pair in pairs.chunks_exact(2) {
        db.insert(&pair[0], Value::string(&pair[1]), None);
    }
    Reply::Integer(1)
}

/// `APPEND key value`: appends to the string (creating it when missing, keeping its TTL) and
/// replies the new length.
pub fn append(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    let (key, tail) = (&argv[1], &argv[2]);
    let current_len = match write_string(db, key, ctx.now_ms) {
        Ok(None) => {
            db.insert(key, Value::string(tail), None);
            return Reply::Integer(tail.len() as i64);
        }
        Ok(Some(current)) => current.len(),
        Err(err) => return Reply::Error(err),
    };
    if let Err(err) = check_string_length(current_len as u64, tail.len() as u64) {
        return Reply::Error(err);
    }
    let len = edit_string(db, key, ctx.now_ms, |buf| buf.extend_from_slice(tail));
    Reply::Integer(len as i64)
}

/// `STRLEN key`: the length of the string, 0 when missing.
pub fn strlen(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    match read_string(db, &argv[1], ctx.now_ms) {
        Ok(value) => Reply::Integer(value.map_or(0, |v| v.len() as i64)),
        Err(err) => Reply::Error(err),
    }
}

/// `GETRANGE key start end` (and its old name `SUBSTR`): the bytes from `start` to `end`
/// inclusive, negative offsets counting from the end, clamped to the string; an empty string
/// when missing or when the range is empty.
pub fn getrange(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    let (start, end) = match (i64_arg(&argv[2]), i64_arg(&argv[3])) {
        (Ok(start), Ok(end)) => (start, end),
        (Err(err), _) | (_, Err(err)) => return Reply::Error(err),
    };
    let value = match read_string(db, &argv[1], ctx.now_ms) {
        Ok(Some(value)) => value,
        Ok(None) => return Reply::Bulk(Bytes::new()),
        Err(err) => return Reply::Error(err),
    };
    match substring_range(value.len(), start, end) {
        Some((from, to)) => Reply::Bulk(value.slice(from..=to)),
        None => Reply::Bulk(Bytes::new()),
    }
}

/// The inclusive byte range of GETRANGE on a string of `len` bytes, as `getrangeCommand`
/// computes it; `None` when empty.
fn substring_range(len: usize, mut start: i64, mut end: i64) -> Option<(usize, usize)> {
    // Strings are at most 512 MB, far below i64::MAX.
    let len = len as i64;
    if start < 0 && end < 0 && start > end {
        return None;
    }
    if start < 0 {
        start += len;
    }
    if end < 0 {
        end += len;
    }
    start = start.max(0);
    end = end.max(0);
    if end >= len {
        end = len - 1;
    }
    if start > end || len == 0 {
        return None;
    }
    Some((start as usize, end as usize))
}

/// `SETRANGE key offset value`: overwrites the string from `offset` on, padding with zero bytes,
/// and replies the new length. An empty value changes nothing (a missing key stays missing).
pub fn setrange(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    let (key, value) = (&argv[1], &argv[3]);
    let offset = match i64_arg(&argv[2]) {
        Ok(offset) if offset < 0 => return Reply::Error(ReplyError::err("offset is out of range")),
        Ok(offset) => offset.unsigned_abs(),
        Err(err) => return Reply::Error(err),
    };
    let current_len = match write_string(db, key, ctx.now_ms) {
        Ok(None) if value.is_empty() => return Reply::Integer(0),
        Ok(None) => None,
        Ok(Some(current)) if value.is_empty() => return Reply::Integer(current.len() as i64),
        Ok(Some(current)) => Some(current.len()),
        Err(err) => return Reply::Error(err),
    };
    if let Err(err) = check_string_length(offset, value.len() as u64) {
        return Reply::Error(err);
    }
    // Within PROTO_MAX_BULK_LEN, so it fits in usize.
    let offset = offset as usize;
    let end = offset + value.len();
    let overwrite = |buf: &mut BytesMut| {
        if buf.len() < end {
            buf.resize(end, 0);
        }
        buf[offset..end].copy_from_slice(value);
    };
    let len = match current_len {
        None => {
            let mut buf = BytesMut::new();
            overwrite(&mut buf);
            // Redis creates the string as a raw object (`createObject`).
            db.insert(
                key,
                Value::string_with_form(buf.freeze(), StringForm::Raw),
                None,
            );
            end
        }
        Some(_) => edit_string(db, key, ctx.now_ms, overwrite),
    };
    Reply::Integer(len as i64)
}

/// `INCRBYFLOAT key increment`: adds in C's `long double` (x87 extended precision, emulated
/// exactly by [`LongDouble`]) and stores the sum as Redis formats it (`%.17Lf` without trailing
/// zeros), keeping the TTL; replies the stored text.
pub fn incrbyfloat(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    let key = &argv[1];
    let current = match write_string(db, key, ctx.now_ms) {
        Ok(None) => Some(LongDouble::Zero { negative: false }),
        Ok(Some(text)) => LongDouble::parse(&text),
        Err(err) => return Reply::Error(err),
    };
    let (Some(current), Some(increment)) = (current, LongDouble::parse(&argv[2])) else {
        return Reply::Error(ReplyError::NotFloat);
    };
    let sum = current.add(increment);
    if !sum.is_finite() {
        return Reply::Error(ReplyError::err("increment would produce NaN or Infinity"));
    }
    let text = sum.to_human_string();
    // Redis stores the text as created (`createStringObjectFromLongDouble`): never `int`.
    let value = Value::string_with_form(text.as_bytes(), StringForm::Text);
    db.insert_keep_ttl(key, value, ctx.now_ms);
    Reply::Bulk(Bytes::from(text))
}

#[cfg(test)]
mod string_test;
