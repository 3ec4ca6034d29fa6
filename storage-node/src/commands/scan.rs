//! The cursor and options of HSCAN, SSCAN and ZSCAN (Redis 7.0 `parseScanCursorOrReply` and
//! `scanGenericCommand` in `db.c`), over a [`MemberMap`], or whole for the compact encodings
//! ([`whole_scan_reply`]).
//!
//! A cursor is the [`crate::keyspace::ordered::MemberKey`] hash of the next member to return (see
//! [`MemberMap::scan`]), so it stays valid across writes and is the same on every replica. COUNT is
//! the number of members visited per call (pairs, for hashes), and MATCH filters the visited members
//! afterwards, as in Redis, so a call may return fewer members than COUNT, or none, before the end.

use bytes::Bytes;
use tinyredis_common::Reply;
use tinyredis_common::ReplyError;

use crate::commands::args::i64_arg;
use crate::commands::args::is_option;
use crate::keyspace::ordered::MemberKey;
use crate::keyspace::ordered::MemberMap;
use tinyredis_common::glob::glob_match;

/// Members visited per call when COUNT is not given.
const DEFAULT_COUNT: usize = 10;

/// The options of a scan after its cursor.
#[derive(Debug, PartialEq, Eq)]
pub struct ScanOptions<'a> {
    /// Members to visit in this call (at least 1).
    pub count: usize,
    /// The MATCH pattern; `None` when absent or `*`.
    pub pattern: Option<&'a [u8]>,
    /// The TYPE filter of SCAN (a type name, compared without case); always `None` for the
    /// collection scans, which do not accept TYPE.
    pub type_name: Option<&'a [u8]>,
}

/// Parses a cursor as Redis does with `strtoul(…, 10)`: an optional sign (a `-` negates modulo
/// 2^64), decimal digits, nothing else up to the first NUL byte; no leading space, no overflow. The
/// empty string is cursor 0. Anything else is `ERR invalid cursor`.
pub fn parse_cursor(text: &[u8]) -> Result<u64, ReplyError> {
    let invalid = || ReplyError::err("invalid cursor");
    // C stops at the first NUL.
    let text = text.split(|&b| b == 0).next().unwrap_or_default();
    if text.is_empty() {
        return Ok(0);
    }
    let (negative, digits) = match text[0] {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(invalid());
    }
    let mut value: u64 = 0;
    for &digit in digits {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(digit - b'0')))
            .ok_or_else(invalid)?;
    }
    Ok(if negative {
        value.wrapping_neg()
    } else {
        value
    })
}

/// Parses `[MATCH pattern] [COUNT count]` (and, for SCAN, `[TYPE type]`) in any order, repeated
/// options winning, as `scanGenericCommand`: a COUNT that is not an integer is
/// `ERR value is not an integer or out of range`, one below 1 a syntax error, and an unknown option
/// or a missing value a syntax error. An unknown type name is no error: it matches nothing.
pub fn parse_options(args: &[Bytes], allow_type: bool) -> Result<ScanOptions<'_>, ReplyError> {
    let mut options = ScanOptions {
        count: DEFAULT_COUNT,
        pattern: None,
        type_name: None,
    };
    let mut idx = 0;
    while idx < args.len() {
        let has_value = args.len() - idx >= 2;
        if is_option(&args[idx], "COUNT") && has_value {
            let count = i64_arg(&args[idx + 1])?;
            if count < 1 {
                return Err(ReplyError::Syntax);
            }
            options.count = usize::try_from(count).unwrap_or(usize::MAX);
        } else if is_option(&args[idx], "MATCH") && has_value {
            let pattern = &args[idx + 1][..];
            options.pattern = (pattern != b"*").then_some(pattern);
        } else if allow_type && is_option(&args[idx], "TYPE") && has_value {
            options.type_name = Some(&args[idx + 1][..]);
        } else {
            return Err(ReplyError::Syntax);
        }
        idx += 2;
    }
    Ok(options)
}

/// Runs one scan step over `map` and builds the reply `[next cursor, [elements]]`, where `emit`
/// appends the elements of one member that passed MATCH (the member, plus its value for hashes).
pub fn scan_reply<V: Clone>(
    map: &MemberMap<V>,
    cursor: u64,
    options: &ScanOptions<'_>,
    mut emit: impl FnMut(&MemberKey, &V, &mut Vec<Reply>),
) -> Reply {
    let (next, batch) = map.scan(cursor, options.count);
    let mut elements = Vec::with_capacity(batch.len());
    for (key, value) in batch {
        if options
            .pattern
            .is_none_or(|pattern| glob_match(pattern, &key.member, false))
        {
            emit(key, value, &mut elements);
        }
    }
    Reply::Array(vec![cursor_reply(next), Reply::Array(elements)])
}

/// The reply of a scan of a collection with a compact encoding (a listpack hash or sorted set, an
/// intset), which Redis's `scanGenericCommand` returns whole in one call: every member of `items`
/// (in the collection's order) that passes MATCH, with cursor 0, whatever the cursor and COUNT.
/// `emit` appends the elements of one member (the member, plus its value or score).
pub fn whole_scan_reply<T>(
    items: impl IntoIterator<Item = (Bytes, T)>,
    options: &ScanOptions<'_>,
    mut emit: impl FnMut(Bytes, T, &mut Vec<Reply>),
) -> Reply {
    let mut elements = Vec::new();
    for (member, extra) in items {
        if options
            .pattern
            .is_none_or(|pattern| glob_match(pattern, &member, false))
        {
            emit(member, extra, &mut elements);
        }
    }
    Reply::Array(vec![cursor_reply(0), Reply::Array(elements)])
}

/// The reply of a scan of a missing key: `[0, []]`.
pub fn empty_scan_reply() -> Reply {
    Reply::Array(vec![cursor_reply(0), Reply::Array(Vec::new())])
}

fn cursor_reply(cursor: u64) -> Reply {
    let mut buf = itoa::Buffer::new();
    Reply::Bulk(Bytes::copy_from_slice(buf.format(cursor).as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_parse_like_strtoul() {
        let ok: &[(&[u8], u64)] = &[
            (b"0", 0),
            (b"", 0),
            (b"42", 42),
            (b"+42", 42),
            (b"007", 7),
            (b"18446744073709551615", u64::MAX),
            (b"-1", u64::MAX),
            (b"-18446744073709551615", 1),
            (b"12\0junk", 12),
        ];
        for (text, cursor) in ok {
            assert_eq!(parse_cursor(text), Ok(*cursor), "{text:?}");
        }
        let bad: &[&[u8]] = &[
            b" 1",
            b"1 ",
            b"+",
            b"-",
            b"x",
            b"0x10",
            b"1.0",
            b"18446744073709551616",
            b"-18446744073709551616",
        ];
        for text in bad {
            assert_eq!(
                parse_cursor(text),
                Err(ReplyError::err("invalid cursor")),
                "{text:?}"
            );
        }
    }

    #[test]
    fn options() {
        let args = |list: &[&str]| -> Vec<Bytes> {
            list.iter()
                .map(|s| Bytes::copy_from_slice(s.as_bytes()))
                .collect()
        };
        let parse = |list: &[&str]| {
            let argv = args(list);
            parse_options(&argv, false).map(|o| (o.count, o.pattern.map(<[u8]>::to_vec)))
        };
        assert_eq!(parse(&[]), Ok((10, None)));
        assert_eq!(
            parse(&["count", "5", "MATCH", "a*"]),
            Ok((5, Some(b"a*".to_vec())))
        );
        assert_eq!(parse(&["MATCH", "*"]), Ok((10, None)));
        assert_eq!(parse(&["COUNT", "1", "COUNT", "3"]), Ok((3, None)));
        assert_eq!(parse(&["COUNT", "0"]), Err(ReplyError::Syntax));
        assert_eq!(parse(&["COUNT", "-1"]), Err(ReplyError::Syntax));
        assert_eq!(parse(&["COUNT", "x"]), Err(ReplyError::NotInteger));
        assert_eq!(parse(&["COUNT"]), Err(ReplyError::Syntax));
        assert_eq!(parse(&["MATCH"]), Err(ReplyError::Syntax));
        assert_eq!(parse(&["TYPE", "string"]), Err(ReplyError::Syntax));
        assert_eq!(parse(&["NOVALUES"]), Err(ReplyError::Syntax));
    }
}
