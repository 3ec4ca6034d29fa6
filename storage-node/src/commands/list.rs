//! List commands: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LRANGE LINDEX LSET LTRIM LINSERT LREM LPOS
//! LMOVE RPOPLPUSH LMPOP (Redis 7.0 `t_list.c`; the blocking variants are in `blocking.rs`).
//!
//! Handlers are called by [`crate::commands`] after the arity check, so `argv` has at least the
//! number of arguments the command table requires. Each handler checks its arguments and the key in
//! the same order as Redis, because that order decides which error (or nil) a client sees when
//! several things are wrong at once.
//!
//! A command that removes the last element of a list deletes the key, as Redis does: a stored list
//! is never empty.

use bytes::Bytes;
use tinyredis_common::Reply;
use tinyredis_common::ReplyError;

use crate::commands::ReadCtx;
use crate::commands::WriteCtx;
use crate::commands::args::bounded_arg;
use crate::commands::args::i64_arg;
use crate::commands::args::is_option;
use crate::commands::args::mpop_args;
use crate::commands::args::parse_i64;
use crate::keyspace::Db;
use crate::keyspace::Value;
use crate::keyspace::list::End;
use crate::keyspace::list::List;

/// `LPUSH key element [element ...]`: the list's length after pushing each element at the head.
pub fn lpush(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    push(db, argv, ctx, End::Left, false)
}

/// `RPUSH key element [element ...]`: the list's length after pushing each element at the tail.
pub fn rpush(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    push(db, argv, ctx, End::Right, false)
}

/// `LPUSHX key element [element ...]`: like LPUSH, but 0 and no effect when the key is missing.
pub fn lpushx(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    push(db, argv, ctx, End::Left, true)
}

/// `RPUSHX key element [element ...]`: like RPUSH, but 0 and no effect when the key is missing.
pub fn rpushx(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    push(db, argv, ctx, End::Right, true)
}

/// `LPOP key [count]`: see [`pop`].
pub fn lpop(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    pop(db, argv, ctx, End::Left, b"lpop")
}

/// `RPOP key [count]`: see [`pop`].
pub fn rpop(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    pop(db, argv, ctx, End::Right, b"rpop")
}

/// `LLEN key`: the length, 0 when missing.
pub fn llen(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    match read_list(db, &argv[1], ctx.now_ms) {
        Ok(list) => Reply::Integer(list.map_or(0, |list| list.len() as i64)),
        Err(err) => Reply::Error(err),
    }
}

/// `LRANGE key start stop`: the elements from `start` to `stop` inclusive (negative indexes count
/// from the tail; out-of-range indexes are clamped); an empty array when missing. The indexes are
/// parsed before the key is looked up.
pub fn lrange(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    let (start, stop) = match (i64_arg(&argv[2]), i64_arg(&argv[3])) {
        (Ok(start), Ok(stop)) => (start, stop),
        (Err(err), _) | (_, Err(err)) => return Reply::Error(err),
    };
    let list = match read_list(db, &argv[1], ctx.now_ms) {
        Ok(Some(list)) => list,
        Ok(None) => return Reply::Array(Vec::new()),
        Err(err) => return Reply::Error(err),
    };
    match list.resolve_range(start, stop) {
        Some(range) => Reply::Array(list.range(range).cloned().map(Reply::Bulk).collect()),
        None => Reply::Array(Vec::new()),
    }
}

/// `LINDEX key index`: the element at `index` (negative counts from the tail), nil when out of
/// range or missing. The key is looked up before the index is parsed.
pub fn lindex(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    let list = match read_list(db, &argv[1], ctx.now_ms) {
        Ok(Some(list)) => list,
        Ok(None) => return Reply::Nil,
        Err(err) => return Reply::Error(err),
    };
    let index = match i64_arg(&argv[2]) {
        Ok(index) => index,
        Err(err) => return Reply::Error(err),
    };
    let element = list.resolve_index(index).and_then(|idx| list.get(idx));
    Reply::from(element.cloned())
}

/// `LSET key index element`: OK; `ERR no such key` when missing, `ERR index out of range` when the
/// index is outside the list.
pub fn lset(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    let list = match write_list(db, &argv[1], ctx.now_ms) {
        Ok(Some(list)) => list,
        Ok(None) => return Reply::Error(ReplyError::NoSuchKey),
        Err(err) => return Reply::Error(err),
    };
    let index = match i64_arg(&argv[2]) {
        Ok(index) => index,
        Err(err) => return Reply::Error(err),
    };
    match list.resolve_index(index) {
        Some(idx) if list.set(idx, &argv[3]) => Reply::Ok,
        _ => Reply::Error(ReplyError::err("index out of range")),
    }
}

/// `LTRIM key start stop`: keeps only the elements from `start` to `stop` (indexes as in LRANGE),
/// deleting the key when nothing is left; always OK (also when missing).
pub fn ltrim(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    let (start, stop) = match (i64_arg(&argv[2]), i64_arg(&argv[3])) {
        (Ok(start), Ok(stop)) => (start, stop),
        (Err(err), _) | (_, Err(err)) => return Reply::Error(err),
    };
    let key = &argv[1];
    let list = match write_list(db, key, ctx.now_ms) {
        Ok(Some(list)) => list,
        Ok(None) => return Reply::Ok,
        Err(err) => return Reply::Error(err),
    };
    match list.resolve_range(start, stop) {
        Some(range) => list.retain_range(range),
        None => list.clear(),
    }
    delete_if_empty(db, key, ctx.now_ms);
    Reply::Ok
}

/// `LINSERT key BEFORE|AFTER pivot element`: the new length, -1 when the pivot is not found, 0
/// when the key is missing. The position keyword is checked before the key.
pub fn linsert(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    let after = if is_option(&argv[2], "AFTER") {
        true
    } else if is_option(&argv[2], "BEFORE") {
        false
    } else {
        return Reply::Error(ReplyError::Syntax);
    };
    let list = match write_list(db, &argv[1], ctx.now_ms) {
        Ok(Some(list)) => list,
        Ok(None) => return Reply::Integer(0),
        Err(err) => return Reply::Error(err),
    };
    let Some(pivot_idx) = list.positions(&argv[3], End::Left, usize::MAX).next() else {
        return Reply::Integer(-1);
    };
    list.insert(pivot_idx + usize::from(after), &argv[4]);
    Reply::Integer(list.len() as i64)
}

/// `LREM key count element`: removes the first `count` elements equal to `element` (from the tail
/// when `count` is negative, all of them when 0) and returns how many were removed.
pub fn lrem(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    let count = match i64_arg(&argv[2]) {
        Ok(count) => count,
        Err(err) => return Reply::Error(err),
    };
    let key = &argv[1];
    let list = match write_list(db, key, ctx.now_ms) {
        Ok(Some(list)) => list,
        Ok(None) => return Reply::Integer(0),
        Err(err) => return Reply::Error(err),
    };
    let from = if count < 0 { End::Right } else { End::Left };
    // `unsigned_abs` keeps `i64::MIN` meaningful (2^63: no limit in practice), as Redis's `-count`
    // on a `long` does.
    let limit = (count != 0).then(|| usize::try_from(count.unsigned_abs()).unwrap_or(usize::MAX));
    let n_removed = list.remove_matching(&argv[3], from, limit);
    delete_if_empty(db, key, ctx.now_ms);
    Reply::Integer(n_removed as i64)
}

/// `LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]`.
///
/// Without COUNT: the index of the `rank`-th match (negative rank: counting matches from the tail),
/// nil when there is none. With COUNT: an array of up to `num-matches` indexes (0: all) starting at
/// that match. MAXLEN bounds the number of elements scanned (0: all). Indexes always count from the
/// head. Options are parsed before the key is looked up.
pub fn lpos(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    let opts = match LposOptions::parse(&argv[3..]) {
        Ok(opts) => opts,
        Err(err) => return Reply::Error(err),
    };
    let list = match read_list(db, &argv[1], ctx.now_ms) {
        Ok(Some(list)) => list,
        Ok(None) if opts.count.is_some() => return Reply::Array(Vec::new()),
        Ok(None) => return Reply::Nil,
        Err(err) => return Reply::Error(err),
    };
    let from = if opts.rank < 0 { End::Right } else { End::Left };
    let max_scanned = match opts.maxlen {
        0 => usize::MAX,
        maxlen => usize::try_from(maxlen).unwrap_or(usize::MAX),
    };
    // The rank is never 0 and never `i64::MIN` (refused by the parser).
    let skip = usize::try_from(opts.rank.unsigned_abs() - 1).unwrap_or(usize::MAX);
    let mut matches = list.positions(&argv[2], from, max_scanned).skip(skip);
    match opts.count {
        None => matches
            .next()
            .map_or(Reply::Nil, |idx| Reply::Integer(idx as i64)),
        Some(count) => {
            let take = match count {
                0 => usize::MAX,
                count => usize::try_from(count).unwrap_or(usize::MAX),
            };
            let indexes = matches.take(take).map(|idx| Reply::Integer(idx as i64));
            Reply::Array(indexes.collect())
        }
    }
}

/// `LMOVE source destination LEFT|RIGHT LEFT|RIGHT`: see [`move_element`].
pub fn lmove(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    let from = match end_arg(&argv[3]) {
        Ok(end) => end,
        Err(err) => return Reply::Error(err),
    };
    let to = match end_arg(&argv[4]) {
        Ok(end) => end,
        Err(err) => return Reply::Error(err),
    };
    move_element(db, &argv[1], &argv[2], from, to, ctx)
}

/// `RPOPLPUSH source destination`: `LMOVE source destination RIGHT LEFT`.
pub fn rpoplpush(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    move_element(db, &argv[1], &argv[2], End::Right, End::Left, ctx)
}

/// `LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]`.
///
/// Pops up to `count` (default 1) elements from the first key holding a non-empty list and replies
/// `[key, [elements...]]`; the nil array when every key is missing. A key of another type met before
/// a list is WRONGTYPE.
pub fn lmpop(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    let args = match mpop_args(argv, 1, |arg| end_arg(arg).ok().map(|end| end == End::Left)) {
        Ok(args) => args,
        Err(err) => return Reply::Error(err),
    };
    let end = if args.side { End::Left } else { End::Right };
    let count = usize::try_from(args.count).unwrap_or(usize::MAX);

    for key in &argv[args.keys] {
        let list = match write_list(db, key, ctx.now_ms) {
            Ok(Some(list)) => list,
            Ok(None) => continue,
            Err(err) => return Reply::Error(err),
        };
        let popped = list.pop_many(end, count);
        if popped.is_empty() {
            continue;
        }
        delete_if_empty(db, key, ctx.now_ms);
        // A copy: the reply of a write may be kept (for retries) and must not pin the request.
        let key = Reply::Bulk(Bytes::copy_from_slice(key));
        let elements = popped.into_iter().map(Reply::Bulk).collect();
        return Reply::Array(vec![key, Reply::Array(elements)]);
    }
    Reply::NilArray
}

/// LPUSH, RPUSH and (with `only_existing`) LPUSHX, RPUSHX.
fn push(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx, end: End, only_existing: bool) -> Reply {
    let (key, elements) = (&argv[1], &argv[2..]);
    match write_list(db, key, ctx.now_ms) {
        Ok(Some(list)) => {
            for element in elements {
                list.push(end, element);
            }
            Reply::Integer(list.len() as i64)
        }
        Ok(None) if only_existing => Reply::Integer(0),
        Ok(None) => {
            let mut list = List::default();
            for element in elements {
                list.push(end, element);
            }
            let len = list.len();
            db.insert(key, Value::List(Box::new(list)), None);
            Reply::Integer(len as i64)
        }
        Err(err) => Reply::Error(err),
    }
}

/// LPOP and RPOP, as Redis's `popGenericCommand`.
///
/// Without a count: the popped element, nil when missing. With a count: an array of up to `count`
/// elements in popping order, the nil array when missing, an empty array for a count of 0. The
/// count is parsed before the key is looked up; a bad count is `ERR value is out of range, must be
/// positive` (also when it is not a number).
fn pop(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx, end: End, name: &'static [u8]) -> Reply {
    if argv.len() > 3 {
        return Reply::Error(ReplyError::WrongArity(Bytes::from_static(name)));
    }
    let count = match argv.get(2) {
        None => None,
        Some(arg) => match bounded_arg(arg, 0, "value is out of range, must be positive") {
            Ok(count) => Some(usize::try_from(count).unwrap_or(usize::MAX)),
            Err(err) => return Reply::Error(err),
        },
    };
    let key = &argv[1];
    let list = match write_list(db, key, ctx.now_ms) {
        Ok(Some(list)) => list,
        Ok(None) if count.is_some() => return Reply::NilArray,
        Ok(None) => return Reply::Nil,
        Err(err) => return Reply::Error(err),
    };
    let reply = match count {
        None => Reply::from(list.pop(end)),
        Some(count) => Reply::Array(
            list.pop_many(end, count)
                .into_iter()
                .map(Reply::Bulk)
                .collect(),
        ),
    };
    delete_if_empty(db, key, ctx.now_ms);
    reply
}

/// LMOVE and RPOPLPUSH, as Redis's `lmoveGenericCommand`: pops from `from` of `source`, pushes at
/// `to` of `destination` (created when missing, keeping its TTL when it exists) and returns the
/// element; nil when the source is missing.
///
/// The destination's type is checked before anything changes. When source and destination are the
/// same key, the list is rotated and keeps its TTL, even with a single element.
fn move_element(
    db: &mut Db,
    source: &[u8],
    destination: &[u8],
    from: End,
    to: End,
    ctx: &WriteCtx,
) -> Reply {
    match write_list(db, source, ctx.now_ms) {
        Ok(Some(_)) => {}
        Ok(None) => return Reply::Nil,
        Err(err) => return Reply::Error(err),
    }
    if let Err(err) = write_list(db, destination, ctx.now_ms) {
        return Reply::Error(err);
    }
    // The source is a live, non-empty list (checked above).
    let Some(element) = write_list(db, source, ctx.now_ms)
        .ok()
        .flatten()
        .and_then(|list| list.pop(from))
    else {
        return Reply::Nil;
    };
    // Push before deleting an emptied source: with `source == destination` the list is never deleted.
    match write_list(db, destination, ctx.now_ms) {
        Ok(Some(list)) => list.push_owned(to, element.clone()),
        // An error cannot happen here: the destination's type was checked above.
        Ok(None) | Err(_) => {
            let mut list = List::default();
            list.push_owned(to, element.clone());
            db.insert(destination, Value::List(Box::new(list)), None);
        }
    }
    delete_if_empty(db, source, ctx.now_ms);
    Reply::Bulk(element)
}

/// Returns the live list at `key`: `None` when missing, WRONGTYPE for other types.
fn read_list<'a>(db: &'a Db, key: &[u8], now_ms: u64) -> Result<Option<&'a List>, ReplyError> {
    match db.get_value(key, now_ms) {
        None => Ok(None),
        Some(value) => value.as_list().map(Some).ok_or(ReplyError::WrongType),
    }
}

/// Write-path lookup of the list at `key` (an expired key is removed first): `None` when missing,
/// WRONGTYPE for other types.
fn write_list<'a>(
    db: &'a mut Db,
    key: &[u8],
    now_ms: u64,
) -> Result<Option<&'a mut List>, ReplyError> {
    match db.value_mut(key, now_ms) {
        None => Ok(None),
        Some(value) => value.as_list_mut().map(Some).ok_or(ReplyError::WrongType),
    }
}

/// Deletes `key` when it holds an empty list: Redis never keeps an empty list.
fn delete_if_empty(db: &mut Db, key: &[u8], now_ms: u64) {
    let empty = db
        .get_for_write(key, now_ms)
        .and_then(|entry| entry.value.as_list())
        .is_some_and(List::is_empty);
    if empty {
        db.remove(key);
    }
}

/// Parses `LEFT` or `RIGHT` (any case), as Redis's `getListPositionFromObjectOrReply`.
fn end_arg(arg: &[u8]) -> Result<End, ReplyError> {
    if is_option(arg, "RIGHT") {
        Ok(End::Right)
    } else if is_option(arg, "LEFT") {
        Ok(End::Left)
    } else {
        Err(ReplyError::Syntax)
    }
}

/// The options of LPOS.
#[derive(Debug)]
struct LposOptions {
    /// Which match to start from: 1 the first, -1 the first from the tail; never 0 or `i64::MIN`.
    rank: i64,
    /// `COUNT`: `None` when not given (reply with one index), 0 for all matches.
    count: Option<i64>,
    /// `MAXLEN`: how many elements to scan at most, 0 for all.
    maxlen: i64,
}

impl LposOptions {
    /// Parses the options as Redis's `lposCommand` does: each may repeat (the last wins), and each
    /// value is checked as soon as it is read.
    fn parse(opts: &[Bytes]) -> Result<LposOptions, ReplyError> {
        let mut res = LposOptions {
            rank: 1,
            count: None,
            maxlen: 0,
        };
        let mut opts = opts.iter();
        while let Some(opt) = opts.next() {
            let Some(value) = opts.as_slice().first() else {
                return Err(ReplyError::Syntax);
            };
            if is_option(opt, "RANK") {
                // Redis 7.0 negates `i64::MIN` (undefined behaviour); later versions refuse it
                // with this range error, which is what we do.
                let rank = parse_i64(value).ok_or(ReplyError::NotInteger)?;
                if rank == i64::MIN {
                    return Err(ReplyError::err(
                        "value is out of range, value must between -9223372036854775807 and \
                         9223372036854775807",
                    ));
                }
                if rank == 0 {
                    return Err(ReplyError::err(
                        "RANK can't be zero: use 1 to start from the first match, 2 from the \
                         second ... or use negative to start from the end of the list",
                    ));
                }
                res.rank = rank;
            } else if is_option(opt, "COUNT") {
                res.count = Some(bounded_arg(value, 0, "COUNT can't be negative")?);
            } else if is_option(opt, "MAXLEN") {
                res.maxlen = bounded_arg(value, 0, "MAXLEN can't be negative")?;
            } else {
                return Err(ReplyError::Syntax);
            }
            opts.next();
        }
        Ok(res)
    }
}

#[cfg(test)]
mod list_test;
