//! Bitmap commands: SETBIT GETBIT BITCOUNT BITPOS BITOP (Redis 7.0 `bitops.c`; BITFIELD is in
//! [`crate::commands::bitfield`]).
//!
//! Bitmaps are plain strings: bit 0 is the most significant bit of the first byte. A string Redis
//! keeps `int`-encoded is read as its decimal text, which is what tinyredis stores anyway. Writes
//! grow the string with zero bytes up to the addressed bit, within Redis's 512 MB
//! `proto-max-bulk-len` (an offset beyond it is refused before anything is allocated).

use bytes::Bytes;
use bytes::BytesMut;
use tinyredis_common::Reply;
use tinyredis_common::ReplyError;

use crate::commands::ReadCtx;
use crate::commands::WriteCtx;
use crate::commands::args::i64_arg;
use crate::commands::args::is_option;
use crate::commands::args::parse_i64;
use crate::commands::string::PROTO_MAX_BULK_LEN;
use crate::commands::string::edit_string_with;
use crate::commands::string::read_string;
use crate::commands::string::write_string;
use crate::keyspace::Db;
use crate::keyspace::Value;
use crate::keyspace::compact::CompactBytes;
use crate::keyspace::string::StringForm;

/// Turns a handler's result into its reply.
pub(crate) fn reply_of(result: Result<Reply, ReplyError>) -> Reply {
    result.unwrap_or_else(Reply::Error)
}

/// Redis's `getBitOffsetFromArgument`: a non-negative bit offset whose byte is below
/// `proto-max-bulk-len`. With `hash_bits` (BITFIELD), `#n` means `n` times the field width,
/// multiplied with C's wrapping arithmetic.
pub(crate) fn bit_offset_arg(arg: &[u8], hash_bits: Option<u32>) -> Result<u64, ReplyError> {
    let invalid = || ReplyError::err("bit offset is not an integer or out of range");
    let (digits, factor) = match (arg.first(), hash_bits) {
        (Some(b'#'), Some(bits)) => (&arg[1..], i64::from(bits)),
        _ => (arg, 1),
    };
    let offset = parse_i64(digits).ok_or_else(invalid)?.wrapping_mul(factor);
    if offset < 0 || (offset >> 3) as u64 >= PROTO_MAX_BULK_LEN {
        return Err(invalid());
    }
    Ok(offset as u64)
}

/// Redis's `lookupStringForBitCommand` followed by an edit: the string at `key`, created when
/// missing and grown with zero bytes so that bit `max_bit` exists, is handed to `edit` in place,
/// with whether it was created or grown (a change in itself). WRONGTYPE for other types.
pub(crate) fn edit_bits<R>(
    db: &mut Db,
    key: &[u8],
    max_bit: u64,
    now_ms: u64,
    edit: impl FnOnce(&mut BytesMut, bool) -> R,
) -> Result<R, ReplyError> {
    let created = write_string(db, key, now_ms)?.is_none();
    if created {
        db.insert(
            key,
            Value::string_with_form(Bytes::new(), StringForm::Raw),
            None,
        );
    }
    // The offset was checked against PROTO_MAX_BULK_LEN, so this fits in usize.
    let len = (max_bit >> 3) as usize + 1;
    let res = edit_string_with(db, key, now_ms, |buf| {
        // Redis's `lookupStringForBitCommand` dirty flag: a new or longer string is a change
        // whatever the bits written.
        let grown = created || buf.len() < len;
        if buf.len() < len {
            buf.resize(len, 0);
        }
        edit(buf, grown)
    });
    // The key holds a live string: it was checked or inserted just above.
    res.ok_or(ReplyError::WrongType)
}

/// `SETBIT key offset value`: sets or clears one bit (growing the string as needed) and replies
/// the bit's previous value.
pub fn setbit(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    reply_of((|| {
        let offset = bit_offset_arg(&argv[2], None)?;
        let invalid = || ReplyError::err("bit is not an integer or out of range");
        let on = parse_i64(&argv[3]).ok_or_else(invalid)?;
        if on & !1 != 0 {
            return Err(invalid());
        }
        let (old, changed) = edit_bits(db, &argv[1], offset, ctx.now_ms, |buf, grown| {
            let (byte, mask) = bit_position(offset);
            let old = buf[byte] & mask != 0;
            if on == 1 {
                buf[byte] |= mask;
            } else {
                buf[byte] &= !mask;
            }
            (old, grown || old != (on == 1))
        })?;
        if !changed {
            db.set_changes(0);
        }
        Ok(Reply::Integer(i64::from(old)))
    })())
}

/// The byte index and the mask of bit `offset`.
fn bit_position(offset: u64) -> (usize, u8) {
    ((offset >> 3) as usize, 0x80 >> (offset & 7))
}

/// `GETBIT key offset`: the bit's value, 0 beyond the end or when the key is missing.
pub fn getbit(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    reply_of((|| {
        let offset = bit_offset_arg(&argv[2], None)?;
        let value = read_string(db, &argv[1], ctx.now_ms)?.unwrap_or_default();
        let (byte, mask) = bit_position(offset);
        let bit = value.get(byte).is_some_and(|b| b & mask != 0);
        Ok(Reply::Integer(i64::from(bit)))
    })())
}

/// The unit of BITCOUNT's and BITPOS's range.
fn parse_unit(arg: &[u8]) -> Result<bool, ReplyError> {
    if is_option(arg, "BIT") {
        Ok(true)
    } else if is_option(arg, "BYTE") {
        Ok(false)
    } else {
        Err(ReplyError::Syntax)
    }
}

/// Resolves a range of `len` units as `bitcountCommand` and `bitposCommand` do: negative indexes
/// count from the end, both ends are clamped; `None` when empty.
fn clamp_range(len: i64, mut start: i64, mut end: i64) -> Option<(u64, u64)> {
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
    (start <= end).then_some((start as u64, end as u64))
}

/// `BITCOUNT key [start end [BYTE|BIT]]`: the number of set bits, in the whole string or in a
/// range of bytes or bits. A missing key is 0 whatever the arguments.
pub fn bitcount(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    reply_of((|| {
        let Some(value) = read_string(db, &argv[1], ctx.now_ms)? else {
            return Ok(Reply::Integer(0));
        };
        let bits = match argv.len() {
            2 => clamp_range(value.len() as i64, 0, -1).map(|(s, e)| (s * 8, e * 8 + 7)),
            4 | 5 => {
                let (start, end) = (i64_arg(&argv[2])?, i64_arg(&argv[3])?);
                if start < 0 && end < 0 && start > end {
                    return Ok(Reply::Integer(0));
                }
                let in_bits = match argv.get(4) {
                    Some(unit) => parse_unit(unit)?,
                    None => false,
                };
                let len = value.len() as i64;
                if in_bits {
                    clamp_range(len * 8, start, end)
                } else {
                    clamp_range(len, start, end).map(|(s, e)| (s * 8, e * 8 + 7))
                }
            }
            _ => return Err(ReplyError::Syntax),
        };
        Ok(Reply::Integer(bits.map_or(0, |(from, to)| {
            count_bits(&value, from, to) as i64
        })))
    })())
}

/// The number of set bits from bit `from` to bit `to` inclusive (both within `p`).
fn count_bits(p: &[u8], from: u64, to: u64) -> u64 {
    let (first, last) = ((from >> 3) as usize, (to >> 3) as usize);
    let head = 0xffu8 >> (from & 7);
    let tail = 0xffu8 << (7 - (to & 7));
    if first == last {
        return u64::from((p[first] & head & tail).count_ones());
    }
    let mut count = u64::from((p[first] & head).count_ones() + (p[last] & tail).count_ones());
    let middle = &p[first + 1..last];
    let mut words = middle.chunks_exact(8);
    for word in &mut words {
        let word = u64::from_ne_bytes(word.try_into().unwrap_or([0; 8]));
        count += u64::from(word.count_ones());
    }
    count += words
        .remainder()
        .iter()
        .map(|b| u64::from(b.count_ones()))
        .sum::<u64>();
    count
}

/// `BITPOS key bit [start [end [BYTE|BIT]]]`: the position of the first bit set to `bit` in the
/// range. Looking for 0 without an end finds the first bit past the range when the range is all
/// ones (the string counts as padded with zeros); with an end, or looking for 1, not found is -1.
pub fn bitpos(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    reply_of((|| {
        let bit = i64_arg(&argv[2])?;
        if bit != 0 && bit != 1 {
            return Err(ReplyError::err("The bit argument must be 1 or 0."));
        }
        let bit = bit == 1;
        let Some(value) = read_string(db, &argv[1], ctx.now_ms)? else {
            return Ok(Reply::Integer(if bit { -1 } else { 0 }));
        };
        let len = value.len() as i64;
        let mut end_given = false;
        let bits = match argv.len() {
            3 => clamp_range(len, 0, -1).map(|(s, e)| (s * 8, e * 8 + 7)),
            4..=6 => {
                let start = i64_arg(&argv[3])?;
                let in_bits = match argv.get(5) {
                    Some(unit) => parse_unit(unit)?,
                    None => false,
                };
                let end = match argv.get(4) {
                    Some(end) => {
                        end_given = true;
                        i64_arg(end)?
                    }
                    None if in_bits => len * 8 + 7,
                    None => len - 1,
                };
                if in_bits {
                    clamp_range(len * 8, start, end)
                } else {
                    clamp_range(len, start, end).map(|(s, e)| (s * 8, e * 8 + 7))
                }
            }
            _ => return Err(ReplyError::Syntax),
        };
        let Some((from, to)) = bits else {
            return Ok(Reply::Integer(-1));
        };
        let pos = match first_bit(&value, from, to, bit) {
            Some(pos) => pos as i64,
            None if bit || end_given => -1,
            // Past the last byte of the range: the zero padding on the right.
            None => (((to >> 3) + 1) * 8) as i64,
        };
        Ok(Reply::Integer(pos))
    })())
}

/// The position of the first bit equal to `bit` from bit `from` to bit `to` inclusive (both
/// within `p`).
fn first_bit(p: &[u8], from: u64, to: u64, bit: bool) -> Option<u64> {
    let (first, last) = ((from >> 3) as usize, (to >> 3) as usize);
    // Looks for a 1 in the bytes, complemented when looking for a 0.
    let byte = |idx: usize| if bit { p[idx] } else { !p[idx] };
    let found = |idx: usize, b: u8| (b != 0).then(|| idx as u64 * 8 + u64::from(b.leading_zeros()));
    let head = 0xffu8 >> (from & 7);
    let tail = 0xffu8 << (7 - (to & 7));
    if first == last {
        return found(first, byte(first) & head & tail);
    }
    if let Some(pos) = found(first, byte(first) & head) {
        return Some(pos);
    }
    let skip = if bit { 0 } else { 0xff };
    if let Some(idx) = p[first + 1..last].iter().position(|&b| b != skip) {
        let idx = first + 1 + idx;
        return found(idx, byte(idx));
    }
    found(last, byte(last) & tail)
}

/// The operation of BITOP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BitOp {
    And,
    Or,
    Xor,
    Not,
}

/// `BITOP AND|OR|XOR|NOT destkey key [key ...]`: stores the bitwise operation of the sources
/// (missing keys and shorter strings read as zero bytes) at `destkey`, clearing its TTL, and
/// replies its length; an empty result deletes `destkey`. NOT takes exactly one source.
pub fn bitop(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    reply_of((|| {
        let op = match &argv[1][..] {
            name if is_option(name, "AND") => BitOp::And,
            name if is_option(name, "OR") => BitOp::Or,
            name if is_option(name, "XOR") => BitOp::Xor,
            name if is_option(name, "NOT") => BitOp::Not,
            _ => return Err(ReplyError::Syntax),
        };
        if op == BitOp::Not && argv.len() != 4 {
            return Err(ReplyError::err(
                "BITOP NOT must be called with a single source key.",
            ));
        }
        let sources = argv[3..]
            .iter()
            .map(|key| match db.get_value(key, ctx.now_ms) {
                None => Ok(Bytes::new()),
                Some(value) => value
                    .as_string()
                    .map(CompactBytes::to_bytes)
                    .ok_or(ReplyError::WrongType),
            })
            .collect::<Result<Vec<Bytes>, ReplyError>>()?;
        let max_len = sources.iter().map(Bytes::len).max().unwrap_or(0);
        let dest = &argv[2];
        if max_len == 0 {
            db.remove(dest);
            return Ok(Reply::Integer(0));
        }
        let mut res = vec![0u8; max_len];
        res[..sources[0].len()].copy_from_slice(&sources[0]);
        match op {
            BitOp::Not => res.iter_mut().for_each(|b| *b = !*b),
            BitOp::And => {
                for src in &sources[1..] {
                    res.iter_mut()
                        .zip(src.iter().chain(std::iter::repeat(&0)))
                        .for_each(|(r, s)| *r &= s);
                }
            }
            BitOp::Or | BitOp::Xor => {
                for src in &sources[1..] {
                    let pairs = res.iter_mut().zip(src.iter());
                    if op == BitOp::Or {
                        pairs.for_each(|(r, s)| *r |= s);
                    } else {
                        pairs.for_each(|(r, s)| *r ^= s);
                    }
                }
            }
        }
        // Redis builds the destination as a raw object (`createObject`).
        db.insert(
            dest,
            Value::string_with_form(Bytes::from(res), StringForm::Raw),
            None,
        );
        Ok(Reply::Integer(max_len as i64))
    })())
}

#[cfg(test)]
mod bits_test;
