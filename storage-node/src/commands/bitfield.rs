//! `BITFIELD` and `BITFIELD_RO` (Redis 7.0 `bitfieldGeneric` in `bitops.c`): signed and unsigned
//! integers of 1 to 64 bits (unsigned up to 63) at any bit offset of a string, read, written and
//! incremented with WRAP, SAT or FAIL overflow handling.
//!
//! The arithmetic mirrors Redis's C code on 64-bit integers, wrapping where C wraps, so that the
//! replies match in every overflow corner.

use bytes::Bytes;
use tinyredis_common::Reply;
use tinyredis_common::ReplyError;

use crate::commands::ReadCtx;
use crate::commands::WriteCtx;
use crate::commands::args::i64_arg;
use crate::commands::args::is_option;
use crate::commands::args::parse_i64;
use crate::commands::bits::bit_offset_arg;
use crate::commands::bits::edit_bits;
use crate::commands::bits::reply_of;
use crate::commands::string::read_string;
use crate::keyspace::Db;

/// `BITFIELD key [GET type offset] [SET type offset value] [INCRBY type offset increment]
/// [OVERFLOW WRAP|SAT|FAIL] ...`: one reply per GET, SET (the old value) and INCRBY (the new
/// value), nil for a SET or INCRBY refused by OVERFLOW FAIL. Any SET or INCRBY creates the key and
/// grows the string to its highest written bit, even if every write then fails.
pub fn bitfield(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    reply_of((|| {
        let ops = parse_ops(&argv[2..])?;
        let Some(max_bit) = ops.iter().filter_map(Op::last_written_bit).max() else {
            db.set_changes(0);
            return read_only(db, &argv[1], &ops, ctx.now_ms);
        };
        let (replies, changes) = edit_bits(db, &argv[1], max_bit, ctx.now_ms, |buf, grown| {
            let mut changes = 0;
            let replies = ops
                .iter()
                .map(|op| {
                    let (reply, changed) = op.apply(buf);
                    // As Redis: each SET or INCRBY that wrote counts, all of them when the
                    // string was created or grown.
                    if changed || (grown && op.last_written_bit().is_some()) {
                        changes += 1;
                    }
                    reply
                })
                .collect();
            (replies, changes)
        })?;
        db.set_changes(changes);
        Ok(Reply::Array(replies))
    })())
}

/// `BITFIELD_RO key [GET type offset] ...`: BITFIELD with GET only.
pub fn bitfield_ro(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    reply_of((|| {
        let ops = parse_ops(&argv[2..])?;
        if ops.iter().any(|op| op.last_written_bit().is_some()) {
            return Err(ReplyError::err(
                "BITFIELD_RO only supports the GET subcommand",
            ));
        }
        read_only(db, &argv[1], &ops, ctx.now_ms)
    })())
}

/// Runs GETs on the string at `key` (missing reads as zeros).
fn read_only(db: &Db, key: &[u8], ops: &[Op], now_ms: u64) -> Result<Reply, ReplyError> {
    let value = read_string(db, key, now_ms)?.unwrap_or_default();
    Ok(Reply::Array(ops.iter().map(|op| op.get(&value)).collect()))
}

/// How a SET or INCRBY handles a value that does not fit the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Overflow {
    Wrap,
    Sat,
    Fail,
}

/// What a subcommand does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Get,
    Set(i64),
    IncrBy(i64),
}

/// One GET, SET or INCRBY with its field and the OVERFLOW mode in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Op {
    action: Action,
    signed: bool,
    bits: u32,
    offset: u64,
    overflow: Overflow,
}

/// Parses the subcommands in order, as Redis does: the first bad one decides the error.
fn parse_ops(args: &[Bytes]) -> Result<Vec<Op>, ReplyError> {
    let mut ops = Vec::new();
    let mut overflow = Overflow::Wrap;
    let mut idx = 0;
    while idx < args.len() {
        let (sub, remaining) = (&args[idx][..], args.len() - idx - 1);
        let action_kind = if is_option(sub, "GET") && remaining >= 2 {
            0
        } else if is_option(sub, "SET") && remaining >= 3 {
            1
        } else if is_option(sub, "INCRBY") && remaining >= 3 {
            2
        } else if is_option(sub, "OVERFLOW") && remaining >= 1 {
            let mode = &args[idx + 1][..];
            overflow = if is_option(mode, "WRAP") {
                Overflow::Wrap
            } else if is_option(mode, "SAT") {
                Overflow::Sat
            } else if is_option(mode, "FAIL") {
                Overflow::Fail
            } else {
                return Err(ReplyError::err("Invalid OVERFLOW type specified"));
            };
            idx += 2;
            continue;
        } else {
            return Err(ReplyError::Syntax);
        };
        let (signed, bits) = field_type(&args[idx + 1])?;
        let offset = bit_offset_arg(&args[idx + 2], Some(bits))?;
        let action = match action_kind {
            0 => Action::Get,
            1 => Action::Set(i64_arg(&args[idx + 3])?),
            _ => Action::IncrBy(i64_arg(&args[idx + 3])?),
        };
        ops.push(Op {
            action,
            signed,
            bits,
            offset,
            overflow,
        });
        idx += if action == Action::Get { 3 } else { 4 };
    }
    Ok(ops)
}

/// Redis's `getBitfieldTypeFromArgument`: `i1` to `i64` or `u1` to `u63`. Like the C code, the
/// width's text ends at the first NUL byte.
fn field_type(arg: &[u8]) -> Result<(bool, u32), ReplyError> {
    let invalid = || {
        ReplyError::err(
            "Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.",
        )
    };
    let signed = match arg.first() {
        Some(b'i') => true,
        Some(b'u') => false,
        _ => return Err(invalid()),
    };
    let width = &arg[1..];
    let width = &width[..width.iter().position(|&b| b == 0).unwrap_or(width.len())];
    match parse_i64(width) {
        Some(bits) if bits >= 1 && bits <= if signed { 64 } else { 63 } => {
            Ok((signed, bits as u32))
        }
        _ => Err(invalid()),
    }
}

impl Op {
    /// The highest bit a SET or INCRBY writes; `None` for a GET.
    fn last_written_bit(&self) -> Option<u64> {
        (self.action != Action::Get).then(|| self.offset + u64::from(self.bits) - 1)
    }

    /// A GET on a string that may be shorter than the field (missing bytes read as zeros).
    fn get(&self, src: &[u8]) -> Reply {
        let byte = (self.offset >> 3) as usize;
        let mut buf = [0u8; 9];
        if let Some(rest) = src.get(byte..) {
            let avail = rest.len().min(9);
            buf[..avail].copy_from_slice(&rest[..avail]);
        }
        Reply::Integer(self.read(&buf, self.offset & 7))
    }

    /// Reads the field at bit `offset` of `p`, sign-extended when signed.
    fn read(&self, p: &[u8], offset: u64) -> i64 {
        let raw = get_unsigned(p, offset, self.bits);
        if self.signed {
            sign_extend(raw, self.bits)
        } else {
            raw as i64
        }
    }

    /// Runs the operation on a string already grown to hold the field.
    /// Runs the subcommand on `buf`; returns its reply and whether it changed the field.
    fn apply(&self, buf: &mut [u8]) -> (Reply, bool) {
        let (value, incr, is_incr) = match self.action {
            Action::Get => return (self.get(buf), false),
            Action::Set(value) => (value, 0, false),
            Action::IncrBy(incr) => (0, incr, true),
        };
        let old = self.read(buf, self.offset);
        let (base, incr) = if is_incr { (old, incr) } else { (value, 0) };
        let outcome = if self.signed {
            signed_overflow(base, incr, self.bits, self.overflow)
        } else {
            unsigned_overflow(base as u64, incr, self.bits, self.overflow).map(|v| v as i64)
        };
        let new = match outcome {
            Fits::Yes => base.wrapping_add(incr),
            Fits::Limited(limit) => limit,
            Fits::Fail => return (Reply::Nil, false),
        };
        set_unsigned(buf, self.offset, self.bits, new as u64);
        let changed = (old as u64 & mask(self.bits)) != (new as u64 & mask(self.bits));
        let reply = if is_incr { new } else { old };
        // An unsigned field's value is below 2^63, so it is the same as an i64.
        let reply = Reply::Integer(if self.signed {
            reply
        } else {
            reply & mask(self.bits) as i64
        });
        (reply, changed)
    }
}

/// The result of an overflow check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fits<T> {
    /// `value + incr` fits the field.
    Yes,
    /// It does not: store this (WRAP or SAT).
    Limited(T),
    /// It does not, and OVERFLOW FAIL refuses the write.
    Fail,
}

impl<T> Fits<T> {
    fn map<U>(self, f: impl FnOnce(T) -> U) -> Fits<U> {
        match self {
            Fits::Yes => Fits::Yes,
            Fits::Limited(v) => Fits::Limited(f(v)),
            Fits::Fail => Fits::Fail,
        }
    }
}

/// All ones in the low `bits` bits.
fn mask(bits: u32) -> u64 {
    if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

/// Redis's `checkUnsignedBitfieldOverflow`.
fn unsigned_overflow(value: u64, incr: i64, bits: u32, mode: Overflow) -> Fits<u64> {
    let max = mask(bits);
    let max_incr = max.wrapping_sub(value) as i64;
    let min_incr = value.wrapping_neg() as i64;
    let limit = if value > max || (incr > 0 && incr > max_incr) {
        max
    } else if incr < 0 && incr < min_incr {
        0
    } else {
        return Fits::Yes;
    };
    match mode {
        Overflow::Wrap => Fits::Limited(value.wrapping_add(incr as u64) & max),
        Overflow::Sat => Fits::Limited(limit),
        Overflow::Fail => Fits::Fail,
    }
}

/// Redis's `checkSignedBitfieldOverflow`.
fn signed_overflow(value: i64, incr: i64, bits: u32, mode: Overflow) -> Fits<i64> {
    let max = if bits == 64 {
        i64::MAX
    } else {
        (1i64 << (bits - 1)) - 1
    };
    let min = -max - 1;
    let max_incr = (max as u64).wrapping_sub(value as u64) as i64;
    let min_incr = min.wrapping_sub(value);
    let limit = if value > max
        || (bits != 64 && incr > max_incr)
        || (value >= 0 && incr > 0 && incr > max_incr)
    {
        max
    } else if value < min
        || (bits != 64 && incr < min_incr)
        || (value < 0 && incr < 0 && incr < min_incr)
    {
        min
    } else {
        return Fits::Yes;
    };
    match mode {
        Overflow::Wrap => {
            Fits::Limited(sign_extend((value as u64).wrapping_add(incr as u64), bits))
        }
        Overflow::Sat => Fits::Limited(limit),
        Overflow::Fail => Fits::Fail,
    }
}

/// Interprets the low `bits` bits of `raw` as a two's complement integer.
fn sign_extend(raw: u64, bits: u32) -> i64 {
    if bits < 64 && raw & (1 << (bits - 1)) != 0 {
        (raw | !mask(bits)) as i64
    } else if bits < 64 {
        (raw & mask(bits)) as i64
    } else {
        raw as i64
    }
}

/// Redis's `getUnsignedBitfield`: `bits` bits from bit `offset`, most significant first.
fn get_unsigned(p: &[u8], offset: u64, bits: u32) -> u64 {
    (offset..offset + u64::from(bits)).fold(0, |value, bit| {
        let byte = p[(bit >> 3) as usize];
        (value << 1) | u64::from((byte >> (7 - (bit & 7))) & 1)
    })
}

/// Redis's `setUnsignedBitfield`: writes the low `bits` bits of `value` from bit `offset`.
fn set_unsigned(p: &mut [u8], offset: u64, bits: u32, value: u64) {
    for j in 0..u64::from(bits) {
        let on = value & (1 << (u64::from(bits) - 1 - j)) != 0;
        let bit = offset + j;
        let mask = 0x80u8 >> (bit & 7);
        let byte = &mut p[(bit >> 3) as usize];
        if on {
            *byte |= mask;
        } else {
            *byte &= !mask;
        }
    }
}

#[cfg(test)]
mod bitfield_test;
