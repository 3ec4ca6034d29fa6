//! Blocking commands: BLPOP BRPOP BRPOPLPUSH BLMOVE BLMPOP BZPOPMIN BZPOPMAX BZMPOP (Redis 7.0's
//! `blockingPopGenericCommand`, `blmoveGenericCommand`, `lmpopGenericCommand`,
//! `blockingGenericZpopCommand` and `zmpopGenericCommand`).
//!
//! Each handler checks its arguments in Redis's order (so the same error wins when several are
//! wrong), parses the timeout, then runs the command's non-blocking form (LMPOP, LMOVE, RPOPLPUSH,
//! ZMPOP) on its keys: those walk the keys exactly as the blocking forms do (a missing key is
//! skipped, a key of another type is WRONGTYPE, the first non-empty key is popped). When that
//! form finds something, or fails, its reply is reshaped as the blocking command replies. When
//! every key is empty, the handler returns a [`Block`]: the keys to wait on and the [`WaitOp`] that
//! serves the client once one of them is ready. Whether the client then blocks is the state
//! machine's decision (`crate::blocking`): inside MULTI it does not, and the command replies its
//! null instead ([`Block::nil`]).

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use tinyredis_common::Reply;
use tinyredis_common::ReplyError;

use crate::commands::WriteCtx;
use crate::commands::args::is_option;
use crate::commands::args::mpop_args;
use crate::commands::list;
use crate::commands::long_double::LongDouble;
use crate::commands::zset;
use crate::keyspace::Db;
use crate::keyspace::Keyspace;
use crate::keyspace::Value;

/// What a blocking command's handler decided.
#[derive(Debug, Clone, PartialEq)]
pub enum Blocking {
    /// The command is done: something was popped, or an error.
    Reply(Reply),
    /// Every key is empty: the client waits (or, where it may not block, gets [`Block::nil`]).
    Block(Block),
}

/// A blocking command that found nothing to pop.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// The keys to wait on, in argument order, each once.
    pub keys: Vec<Bytes>,
    /// How to serve the client when one of the keys becomes ready.
    pub op: WaitOp,
    /// The timeout in milliseconds as Redis computes it from the argument; 0 waits forever.
    pub timeout_ms: u64,
}

impl Block {
    /// The reply of the command when it may not block (inside MULTI): BLMOVE and BRPOPLPUSH
    /// reply a null bulk string, the others a null array, as Redis's `CLIENT_DENY_BLOCKING`
    /// paths do.
    pub fn nil(&self) -> Reply {
        match self.op {
            WaitOp::Move { .. } => Reply::Nil,
            _ => Reply::NilArray,
        }
    }
}

/// The type of value a waiter pops from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitKind {
    /// A list (BLPOP, BRPOP, BLMPOP, BLMOVE, BRPOPLPUSH).
    List,
    /// A sorted set (BZPOPMIN, BZPOPMAX, BZMPOP).
    ZSet,
}

/// How a blocked client is served from the key that became ready: the non-blocking form of its
/// command on that key alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum WaitOp {
    /// BLPOP (`left`) or BRPOP: `[key, element]`.
    Pop {
        /// Pop from the head.
        left: bool,
    },
    /// BLMPOP: `[key, [element, ...]]`.
    Mpop {
        /// Pop from the head.
        left: bool,
        /// At most this many elements.
        count: u64,
    },
    /// BLMOVE and BRPOPLPUSH: the element, pushed onto `destination` (WRONGTYPE, and nothing
    /// popped, when the destination is not a list).
    Move {
        /// The list to push onto.
        destination: Bytes,
        /// Pop from the head of the source.
        from_left: bool,
        /// Push at the head of the destination.
        to_left: bool,
    },
    /// BZPOPMIN or BZPOPMAX (`max`): `[key, member, score]`.
    Zpop {
        /// Pop the highest score.
        max: bool,
    },
    /// BZMPOP: `[key, [[member, score], ...]]`.
    Zmpop {
        /// Pop the highest scores.
        max: bool,
        /// At most this many members.
        count: u64,
    },
}

impl WaitOp {
    /// The type of value this waiter pops from.
    pub fn kind(&self) -> WaitKind {
        match self {
            WaitOp::Pop { .. } | WaitOp::Mpop { .. } | WaitOp::Move { .. } => WaitKind::List,
            WaitOp::Zpop { .. } | WaitOp::Zmpop { .. } => WaitKind::ZSet,
        }
    }
}

/// What serving one waiter from a ready key did.
#[derive(Debug, Clone, PartialEq)]
pub enum Serve {
    /// The key holds nothing this kind of waiter could pop (missing, expired, another type).
    Empty,
    /// The key holds the other kind of value (a list for a sorted-set waiter, or the reverse).
    OtherKind,
    /// The waiter got its reply.
    Served {
        /// The reply of the blocked command.
        reply: Reply,
        /// The list a BLMOVE pushed onto, which may now serve its own waiters.
        pushed: Option<Bytes>,
    },
}

/// Serves a waiter blocked with `op` from `key` of database `db`, which became ready.
pub fn serve(ks: &mut Keyspace, db: usize, key: &Bytes, op: &WaitOp, ctx: &WriteCtx) -> Serve {
    let kind = match ks.db(db).and_then(|d| d.get_value(key, ctx.now_ms)) {
        Some(Value::List(_)) => WaitKind::List,
        Some(Value::ZSet(_)) => WaitKind::ZSet,
        _ => return Serve::Empty,
    };
    if kind != op.kind() {
        return Serve::OtherKind;
    }
    let Some(db) = ks.db_mut(db) else {
        return Serve::Empty;
    };
    let one = || Bytes::from_static(b"1");
    match op {
        WaitOp::Pop { left } => {
            let argv = [
                Bytes::from_static(b"LMPOP"),
                one(),
                key.clone(),
                side(*left),
                Bytes::from_static(b"COUNT"),
                one(),
            ];
            single_from_nested(list::lmpop(db, &argv, ctx))
        }
        WaitOp::Mpop { left, count } => {
            let argv = [
                Bytes::from_static(b"LMPOP"),
                one(),
                key.clone(),
                side(*left),
                Bytes::from_static(b"COUNT"),
                Bytes::from(count.to_string()),
            ];
            served(list::lmpop(db, &argv, ctx))
        }
        WaitOp::Move {
            destination,
            from_left,
            to_left,
        } => {
            let argv = [
                Bytes::from_static(b"LMOVE"),
                key.clone(),
                destination.clone(),
                side(*from_left),
                side(*to_left),
            ];
            let reply = list::lmove(db, &argv, ctx);
            let pushed = matches!(reply, Reply::Bulk(_)).then(|| destination.clone());
            Serve::Served { reply, pushed }
        }
        WaitOp::Zpop { max } => {
            let argv = [
                Bytes::from_static(b"ZMPOP"),
                one(),
                key.clone(),
                extreme(*max),
                Bytes::from_static(b"COUNT"),
                one(),
            ];
            single_from_nested(zset::zmpop(db, &argv, ctx))
        }
        WaitOp::Zmpop { max, count } => {
            let argv = [
                Bytes::from_static(b"ZMPOP"),
                one(),
                key.clone(),
                extreme(*max),
                Bytes::from_static(b"COUNT"),
                Bytes::from(count.to_string()),
            ];
            served(zset::zmpop(db, &argv, ctx))
        }
    }
}

fn served(reply: Reply) -> Serve {
    Serve::Served {
        reply,
        pushed: None,
    }
}

fn single_from_nested(reply: Reply) -> Serve {
    served(flatten_single(reply))
}

/// `BLPOP key [key ...] timeout`: `[key, element]` from the head of the first non-empty list.
pub fn blpop(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Blocking {
    pop_first(db, argv, ctx, true)
}

/// `BRPOP key [key ...] timeout`: `[key, element]` from the tail of the first non-empty list.
pub fn brpop(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Blocking {
    pop_first(db, argv, ctx, false)
}

/// `BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]`: as LMPOP.
pub fn blmpop(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Blocking {
    mpop_first(
        db,
        argv,
        ctx,
        ["LEFT", "RIGHT"],
        b"LMPOP",
        list::lmpop,
        |left, count| WaitOp::Mpop { left, count },
    )
}

/// `BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout`: as LMOVE.
pub fn blmove(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Blocking {
    let (Some(from_left), Some(to_left)) = (left_arg(&argv[3]), left_arg(&argv[4])) else {
        return Blocking::Reply(Reply::Error(ReplyError::Syntax));
    };
    move_first(db, argv, &argv[5], from_left, to_left, ctx)
}

/// `BRPOPLPUSH source destination timeout`: `BLMOVE source destination RIGHT LEFT timeout`.
pub fn brpoplpush(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Blocking {
    move_first(db, argv, &argv[3], false, true, ctx)
}

/// `BZPOPMIN key [key ...] timeout`: `[key, member, score]` of the lowest score of the first
/// non-empty sorted set.
pub fn bzpopmin(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Blocking {
    zpop_first(db, argv, ctx, false)
}

/// `BZPOPMAX key [key ...] timeout`: `[key, member, score]` of the highest score.
pub fn bzpopmax(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Blocking {
    zpop_first(db, argv, ctx, true)
}

/// `BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]`: as ZMPOP.
pub fn bzmpop(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Blocking {
    mpop_first(
        db,
        argv,
        ctx,
        ["MAX", "MIN"],
        b"ZMPOP",
        zset::zmpop,
        |max, count| WaitOp::Zmpop { max, count },
    )
}

/// BLMPOP and BZMPOP: checks the arguments (`sides` names the side that is `true`, then the
/// other), runs the non-blocking `run` (LMPOP or ZMPOP, named `command`) on the same arguments
/// after the timeout, and blocks with the wait `op` builds when it finds nothing.
fn mpop_first(
    db: &mut Db,
    argv: &[Bytes],
    ctx: &WriteCtx,
    sides: [&str; 2],
    command: &'static [u8],
    run: fn(&mut Db, &[Bytes], &WriteCtx) -> Reply,
    op: fn(bool, u64) -> WaitOp,
) -> Blocking {
    // Checked in the order of `lmpopGenericCommand` and `zmpopGenericCommand`: numkeys, the
    // side, the options; the timeout comes after.
    let spec = match mpop_args(argv, 2, |arg| {
        if is_option(arg, sides[0]) {
            Some(true)
        } else if is_option(arg, sides[1]) {
            Some(false)
        } else {
            None
        }
    }) {
        Ok(spec) => spec,
        Err(err) => return Blocking::Reply(Reply::Error(err)),
    };
    let timeout_ms = match parse_timeout(&argv[1]) {
        Ok(ms) => ms,
        Err(err) => return Blocking::Reply(Reply::Error(err)),
    };
    let mut mpop_argv = Vec::with_capacity(argv.len() - 1);
    mpop_argv.push(Bytes::from_static(command));
    mpop_argv.extend_from_slice(&argv[2..]);
    match run(db, &mpop_argv, ctx) {
        Reply::NilArray => Blocking::Block(Block {
            keys: unique(argv[spec.keys].to_vec()),
            op: op(spec.side, spec.count),
            timeout_ms,
        }),
        reply => Blocking::Reply(reply),
    }
}

/// BLPOP and BRPOP: the timeout is checked first, then the keys as LMPOP walks them.
fn pop_first(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx, left: bool) -> Blocking {
    let (keys, timeout) = argv[1..].split_at(argv.len() - 2);
    let timeout_ms = match parse_timeout(&timeout[0]) {
        Ok(ms) => ms,
        Err(err) => return Blocking::Reply(Reply::Error(err)),
    };
    let lmpop_argv = mpop_argv(b"LMPOP", keys, side(left));
    match list::lmpop(db, &lmpop_argv, ctx) {
        Reply::NilArray => Blocking::Block(Block {
            keys: unique(keys.to_vec()),
            op: WaitOp::Pop { left },
            timeout_ms,
        }),
        reply => Blocking::Reply(flatten_single(reply)),
    }
}

/// BZPOPMIN and BZPOPMAX: the timeout is checked first, then the keys as ZMPOP walks them.
fn zpop_first(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx, max: bool) -> Blocking {
    let (keys, timeout) = argv[1..].split_at(argv.len() - 2);
    let timeout_ms = match parse_timeout(&timeout[0]) {
        Ok(ms) => ms,
        Err(err) => return Blocking::Reply(Reply::Error(err)),
    };
    let zmpop_argv = mpop_argv(b"ZMPOP", keys, extreme(max));
    match zset::zmpop(db, &zmpop_argv, ctx) {
        Reply::NilArray => Blocking::Block(Block {
            keys: unique(keys.to_vec()),
            op: WaitOp::Zpop { max },
            timeout_ms,
        }),
        reply => Blocking::Reply(flatten_single(reply)),
    }
}

/// BLMOVE and BRPOPLPUSH after their positions are parsed: the timeout, then LMOVE, which replies
/// nil only when the source is missing (the source's type, then the destination's, are checked
/// before anything moves). A missing source blocks whatever the destination holds; the
/// destination's type is checked again when the client is served.
fn move_first(
    db: &mut Db,
    argv: &[Bytes],
    timeout: &[u8],
    from_left: bool,
    to_left: bool,
    ctx: &WriteCtx,
) -> Blocking {
    let timeout_ms = match parse_timeout(timeout) {
        Ok(ms) => ms,
        Err(err) => return Blocking::Reply(Reply::Error(err)),
    };
    let lmove_argv = [
        Bytes::from_static(b"LMOVE"),
        argv[1].clone(),
        argv[2].clone(),
        side(from_left),
        side(to_left),
    ];
    match list::lmove(db, &lmove_argv, ctx) {
        Reply::Nil => Blocking::Block(Block {
            keys: vec![argv[1].clone()],
            op: WaitOp::Move {
                destination: copy(&argv[2]),
                from_left,
                to_left,
            },
            timeout_ms,
        }),
        reply => Blocking::Reply(reply),
    }
}

/// `LMPOP`/`ZMPOP numkeys key... side COUNT 1` for BLPOP-like commands.
fn mpop_argv(name: &'static [u8], keys: &[Bytes], side: Bytes) -> Vec<Bytes> {
    let mut argv = Vec::with_capacity(keys.len() + 5);
    argv.push(Bytes::from_static(name));
    argv.push(Bytes::from(keys.len().to_string()));
    argv.extend_from_slice(keys);
    argv.push(side);
    argv.push(Bytes::from_static(b"COUNT"));
    argv.push(Bytes::from_static(b"1"));
    argv
}

/// Reshapes LMPOP's `[key, [element]]` into BLPOP's `[key, element]`, and ZMPOP's
/// `[key, [[member, score]]]` into BZPOPMIN's `[key, member, score]`; other replies (errors)
/// are kept.
fn flatten_single(reply: Reply) -> Reply {
    let outer = match reply {
        Reply::Array(outer) if outer.len() == 2 => outer,
        other => return other,
    };
    let mut outer = outer.into_iter();
    let (Some(key), Some(Reply::Array(inner))) = (outer.next(), outer.next()) else {
        return Reply::Error(ReplyError::err("internal error: unexpected pop reply"));
    };
    let mut flat = vec![key];
    match inner.into_iter().next() {
        Some(Reply::Array(pair)) => flat.extend(pair),
        Some(element) => flat.push(element),
        None => return Reply::Error(ReplyError::err("internal error: empty pop reply")),
    }
    Reply::Array(flat)
}

/// The keys once each, in order of first appearance, copied so that a waiter kept in the state
/// machine does not pin the request it came in.
fn unique(keys: Vec<Bytes>) -> Vec<Bytes> {
    let mut out: Vec<Bytes> = Vec::with_capacity(keys.len());
    for key in keys {
        if !out.contains(&key) {
            out.push(copy(&key));
        }
    }
    out
}

fn copy(bytes: &Bytes) -> Bytes {
    Bytes::copy_from_slice(bytes)
}

fn side(left: bool) -> Bytes {
    Bytes::from_static(if left { b"LEFT" } else { b"RIGHT" })
}

fn extreme(max: bool) -> Bytes {
    Bytes::from_static(if max { b"MAX" } else { b"MIN" })
}

/// Parses LEFT or RIGHT (any case): `Some(true)` for LEFT.
fn left_arg(arg: &[u8]) -> Option<bool> {
    if is_option(arg, "LEFT") {
        Some(true)
    } else if is_option(arg, "RIGHT") {
        Some(false)
    } else {
        None
    }
}

/// Parses a blocking command's timeout in seconds into milliseconds, as Redis 7.0's
/// `getTimeoutFromObjectOrReply(…, UNIT_SECONDS)` does on x86-64: the text is read as a C
/// `long double` (`string2ld`: decimal or hexadecimal, `inf`), multiplied by 1000 in that
/// format, rounded up (`ceill`) and converted to `long long`, where a value out of range becomes
/// `LLONG_MIN`. A negative result is "timeout is negative" (so are infinities and values of 2^63
/// ms or more); 0 waits forever.
pub fn parse_timeout(arg: &[u8]) -> Result<u64, ReplyError> {
    let negative = || ReplyError::err("timeout is negative");
    let value = LongDouble::parse(arg)
        .ok_or_else(|| ReplyError::err("timeout is not a float or out of range"))?;
    let (is_negative, significand, exponent) = match value {
        LongDouble::Zero { .. } => return Ok(0),
        LongDouble::Infinite { .. } => return Err(negative()),
        LongDouble::NaN => return Err(ReplyError::err("timeout is not a float or out of range")),
        LongDouble::Finite {
            negative,
            significand,
            exponent,
        } => (negative, significand, exponent),
    };
    // The exact product, then rounded (half to even) to the format's 64-bit significand.
    let product = u128::from(significand) * 1000;
    let bits = 128 - product.leading_zeros();
    let (mut mantissa, mut exp) = (product, i64::from(exponent));
    if bits > 64 {
        let shift = bits - 64;
        let rest = product & ((1u128 << shift) - 1);
        let half = 1u128 << (shift - 1);
        mantissa = product >> shift;
        if rest > half || (rest == half && mantissa & 1 == 1) {
            mantissa += 1;
        }
        exp += i64::from(shift);
    }
    // Integer part and whether a fraction remains.
    let (int_part, fraction) = if exp >= 0 {
        if exp >= 64 {
            return Err(negative());
        }
        (mantissa << exp, false)
    } else {
        let shift = exp.unsigned_abs();
        if shift >= 128 {
            (0, true)
        } else {
            (mantissa >> shift, mantissa & ((1u128 << shift) - 1) != 0)
        }
    };
    if is_negative {
        // ceil(-x) = -floor(x): -0.5 is -0, which is 0 (forever).
        return if int_part == 0 {
            Ok(0)
        } else {
            Err(negative())
        };
    }
    let ms = int_part + u128::from(fraction);
    if ms >= 1u128 << 63 {
        return Err(negative());
    }
    Ok(ms as u64)
}

#[cfg(test)]
mod blocking_test;
