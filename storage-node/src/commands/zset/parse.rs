//! Score and range parsing for the sorted set commands, with Redis 7.0's exact rules.
//!
//! Redis parses doubles with glibc's `strtod` in two ways, which accept different texts:
//!
//! - [`parse_score`] is `string2d` (ZADD and ZINCRBY scores, WEIGHTS): the whole argument must be
//!   a number, with no leading space; NaN, overflow (`1e400`) and underflow to zero (`1e-400`) are
//!   refused, while `inf`, `-infinity`, hexadecimal (`0x1p-2`) and subnormal values are accepted.
//! - [`parse_score_bound`] is `zslParseRange` (ZRANGEBYSCORE, ZCOUNT, …): an optional `(`, then
//!   `strtod` must stop at the end of the C string (the first NUL byte). So leading spaces are
//!   accepted, an empty text is 0, out-of-range values become `±inf` or 0, and only NaN is refused.
//!
//! [`parse_lex_bound`] is `zslParseLexRangeItem`: `-`, `+`, `(member` or `[member`.

use bytes::Bytes;

use crate::keyspace::zset::LexEdge;

/// Parses a score as Redis's `string2d`; `None` when Redis would reply that it is not a float.
pub fn parse_score(text: &[u8]) -> Option<f64> {
    if text.first().is_none_or(|&b| is_c_space(b)) {
        return None;
    }
    let parsed = strtod(text);
    let out_of_range = parsed.erange && (parsed.value.is_infinite() || parsed.value == 0.0);
    (parsed.len == text.len() && !out_of_range && !parsed.value.is_nan()).then_some(parsed.value)
}

/// Parses one end of a score range as Redis's `zslParseRange`: `(x` is exclusive. Returns the value
/// and whether it is exclusive, or `None` for `ERR min or max is not a float`.
pub fn parse_score_bound(text: &[u8]) -> Option<(f64, bool)> {
    // The argument is read as a C string: it ends at the first NUL byte.
    let text = text.split(|&b| b == 0).next().unwrap_or_default();
    let (exclusive, number) = match text.split_first() {
        Some((b'(', rest)) => (true, rest),
        _ => (false, text),
    };
    let parsed = strtod(number);
    (parsed.len == number.len() && !parsed.value.is_nan()).then_some((parsed.value, exclusive))
}

/// Parses one end of a lexicographic range as Redis's `zslParseLexRangeItem`: returns the edge and
/// whether it is exclusive (`-` and `+` are), or `None` for
/// `ERR min or max not valid string range item`.
pub fn parse_lex_bound(text: &Bytes) -> Option<(LexEdge, bool)> {
    // `-` and `+` must be followed by the end of the C string.
    let alone = text.get(1).is_none_or(|&b| b == 0);
    match text.first() {
        Some(b'+') if alone => Some((LexEdge::Max, true)),
        Some(b'-') if alone => Some((LexEdge::Min, true)),
        Some(b'(') => Some((LexEdge::Value(text.slice(1..)), true)),
        Some(b'[') => Some((LexEdge::Value(text.slice(1..)), false)),
        _ => None,
    }
}

/// C's `isspace` in the C locale.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// The result of [`strtod`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Strtod {
    /// The value read (0 when nothing was read).
    pub value: f64,
    /// The number of bytes read, leading spaces included; 0 when nothing was read.
    pub len: usize,
    /// True when glibc would set `errno` to `ERANGE` with a result of `±inf` or 0: a finite text
    /// too large for a double, or a nonzero text too small for one.
    pub erange: bool,
}

/// glibc's `strtod` in the C locale over `text`: leading spaces, an optional sign, then the longest
/// prefix that is a decimal number (`1`, `1.`, `.5`, `1e-3`), a hexadecimal one (`0x1.8p3`,
/// `0X10`), `inf`, `infinity` or `nan` (optionally `nan(chars)`), letters in any case. Both
/// conversions round to nearest, ties to even, as glibc does.
pub fn strtod(text: &[u8]) -> Strtod {
    const NOTHING: Strtod = Strtod {
        value: 0.0,
        len: 0,
        erange: false,
    };
    let mut pos = text.iter().take_while(|&&b| is_c_space(b)).count();
    let negative = match text.get(pos) {
        Some(b'-') => {
            pos += 1;
            true
        }
        Some(b'+') => {
            pos += 1;
            false
        }
        _ => false,
    };
    let rest = &text[pos..];
    let signed = |value: f64| if negative { -value } else { value };
    let starts_with =
        |word: &[u8]| rest.len() >= word.len() && rest[..word.len()].eq_ignore_ascii_case(word);

    if starts_with(b"infinity") || starts_with(b"inf") {
        let len = if starts_with(b"infinity") { 8 } else { 3 };
        return Strtod {
            value: signed(f64::INFINITY),
            len: pos + len,
            erange: false,
        };
    }
    if starts_with(b"nan") {
        let mut len = 3;
        // `nan(n-char-sequence)`: only consumed when the parenthesis is closed.
        if rest.get(3) == Some(&b'(') {
            let chars = rest[4..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                .count();
            if rest.get(4 + chars) == Some(&b')') {
                len = 4 + chars + 1;
            }
        }
        return Strtod {
            value: f64::NAN,
            len: pos + len,
            erange: false,
        };
    }
    // "0x" without hexadecimal digits is read as decimal: only the "0" is a number.
    if rest.len() >= 2
        && rest[0] == b'0'
        && (rest[1] | 0x20) == b'x'
        && let Some((value, len, erange)) = hex(&rest[2..])
    {
        return Strtod {
            value: signed(value),
            len: pos + 2 + len,
            erange,
        };
    }

    // Decimal: digits, an optional point and digits (at least one digit in all), then an exponent
    // only when it has digits.
    let int_digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let mut len = int_digits;
    let mut frac_digits = 0;
    if rest.get(len) == Some(&b'.') {
        frac_digits = rest[len + 1..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if int_digits + frac_digits > 0 {
            len += 1 + frac_digits;
        }
    }
    if int_digits + frac_digits == 0 {
        return NOTHING;
    }
    if matches!(rest.get(len), Some(b'e' | b'E')) {
        let mut exp_len = 1;
        if matches!(rest.get(len + 1), Some(b'+' | b'-')) {
            exp_len += 1;
        }
        let exp_digits = rest[(len + exp_len).min(rest.len())..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if exp_digits > 0 {
            len += exp_len + exp_digits;
        }
    }
    let number = &rest[..len];
    // The prefix is ASCII and matches Rust's float grammar, which rounds correctly like glibc.
    let value = std::str::from_utf8(number)
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(0.0);
    let nonzero = number
        .iter()
        .take_while(|&&b| b != b'e' && b != b'E')
        .any(|&b| (b'1'..=b'9').contains(&b));
    Strtod {
        value: signed(value),
        len: pos + len,
        erange: value.is_infinite() || (value == 0.0 && nonzero),
    }
}

/// Reads the hexadecimal significand and optional binary exponent after `0x`: returns the value,
/// the bytes read and the `ERANGE` flag, or `None` when there is no hexadecimal digit.
fn hex(text: &[u8]) -> Option<(f64, usize, bool)> {
    // The first 16 significant digits (64 bits), a sticky flag for nonzero digits beyond them, and
    // the binary exponent of the significand's lowest bit.
    let mut significand: u64 = 0;
    let mut n_significant = 0;
    let mut sticky = false;
    let mut exponent: i64 = 0;
    let mut n_digits = 0;
    let mut pos = 0;
    let mut after_point = false;
    while let Some(&b) = text.get(pos) {
        if b == b'.' && !after_point {
            after_point = true;
            pos += 1;
            continue;
        }
        let Some(digit) = (b as char).to_digit(16) else {
            break;
        };
        n_digits += 1;
        pos += 1;
        if significand == 0 && digit == 0 {
            if after_point {
                exponent -= 4;
            }
        } else if n_significant < 16 {
            significand = significand << 4 | u64::from(digit);
            n_significant += 1;
            if after_point {
                exponent -= 4;
            }
        } else {
            sticky |= digit != 0;
            if !after_point {
                exponent += 4;
            }
        }
    }
    if n_digits == 0 {
        return None;
    }
    // A point not followed by digits is still part of the number ("0x1." is 1).
    let mut len = pos;
    if matches!(text.get(len), Some(b'p' | b'P')) {
        let mut exp_len = 1;
        let exp_negative = match text.get(len + 1) {
            Some(b'-') => {
                exp_len += 1;
                true
            }
            Some(b'+') => {
                exp_len += 1;
                false
            }
            _ => false,
        };
        let digits: Vec<u8> = text[(len + exp_len).min(text.len())..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .copied()
            .collect();
        if !digits.is_empty() {
            // Saturate: anything beyond a few thousand is already out of range.
            let magnitude = digits.iter().fold(0i64, |acc, &d| {
                (acc * 10 + i64::from(d - b'0')).min(1 << 20)
            });
            exponent += if exp_negative { -magnitude } else { magnitude };
            len += exp_len + digits.len();
        }
    }
    if significand == 0 {
        return Some((0.0, len, false));
    }
    let (value, erange) = round_binary(significand, sticky, exponent);
    Some((value, len, erange))
}

/// Rounds `(significand + sticky) × 2^exponent` (`significand > 0`) to the nearest double, ties to
/// even; the flag is true when the result overflowed to infinity or underflowed to zero.
fn round_binary(significand: u64, sticky: bool, exponent: i64) -> (f64, bool) {
    let shift = significand.leading_zeros();
    let normalized = significand << shift;
    // The value is `normalized / 2^63 × 2^top`, with `normalized / 2^63` in [1, 2).
    let mut top = exponent - i64::from(shift) + 63;
    if top > 1023 {
        return (f64::INFINITY, true);
    }
    // Significand bits available: 53 for a normal result, fewer for a subnormal one.
    let keep = if top >= -1022 { 53 } else { 53 - (-1022 - top) };
    if keep < 0 {
        return (0.0, true);
    }
    let drop = 64 - keep as u32;
    let (mut kept, rest) = if drop == 64 {
        (0, normalized)
    } else {
        (normalized >> drop, normalized & ((1u64 << drop) - 1))
    };
    let half = 1u64 << (drop - 1);
    if rest > half || (rest == half && (sticky || kept & 1 == 1)) {
        kept += 1;
    }
    if keep == 53 {
        if kept == 1 << 53 {
            kept >>= 1;
            top += 1;
            if top > 1023 {
                return (f64::INFINITY, true);
            }
        }
        let bits = ((top + 1023) as u64) << 52 | (kept & ((1 << 52) - 1));
        (f64::from_bits(bits), false)
    } else {
        // A subnormal: the lowest bit weighs 2^-1074, and a carry into bit 52 is the smallest
        // normal double, whose bit pattern is the same integer.
        (f64::from_bits(kept), kept == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string2d_rules() {
        let ok: &[(&str, f64)] = &[
            ("1", 1.0),
            ("-1.5", -1.5),
            ("+.5", 0.5),
            ("1.", 1.0),
            (".5e1", 5.0),
            ("1e+2", 100.0),
            ("00012", 12.0),
            ("inf", f64::INFINITY),
            ("+inf", f64::INFINITY),
            ("-Infinity", f64::NEG_INFINITY),
            ("INFINITY", f64::INFINITY),
            ("0x10", 16.0),
            ("0X1P3", 8.0),
            ("0x1p-2", 0.25),
            ("0x.8p1", 1.0),
            ("-0x1.8", -1.5),
            ("0x1.", 1.0),
            ("4.9e-324", 5e-324),
            ("0e-999", 0.0),
            ("1.7976931348623157e308", f64::MAX),
            ("0.1", 0.1),
            ("0x1.fffffffffffff8p1023", f64::INFINITY),
        ];
        for (text, expected) in ok {
            // The last case overflows: refused. Check the others.
            if expected.is_infinite() && text.starts_with("0x") {
                assert_eq!(parse_score(text.as_bytes()), None, "{text:?}");
                continue;
            }
            assert_eq!(
                parse_score(text.as_bytes()).map(f64::to_bits),
                Some(expected.to_bits()),
                "{text:?}"
            );
        }
        let bad = [
            "",
            " 1",
            "1 ",
            "\t1",
            "1e-400",
            "1e400",
            "nan",
            "-nan",
            "NaN(1)",
            "1_0",
            "0x",
            "0x1p",
            "1e",
            ".",
            "+",
            "-",
            "e5",
            "infinit",
            "infx",
            "1\u{0}",
            "0x1p99999",
            "0x1p-99999",
            "1.7976931348623159e308",
        ];
        for text in bad {
            assert_eq!(parse_score(text.as_bytes()), None, "{text:?}");
        }
    }

    #[test]
    fn hexadecimal_rounding() {
        let cases: &[(&str, f64)] = &[
            // 2^53 + 1 rounds to even (2^53), 2^53 + 3 rounds up.
            ("0x20000000000001", 9007199254740992.0),
            ("0x20000000000003", 9007199254740996.0),
            // A sticky digit far beyond the 16th breaks the tie upwards.
            (
                "0x200000000000010000000001",
                9007199254740994.0 * 2f64.powi(40),
            ),
            ("0x1p-1074", 5e-324),
            ("0x1p-1075", 0.0),
            ("0x1.8p-1075", 5e-324),
            ("0x1p-1022", f64::MIN_POSITIVE),
            ("0x1.fffffffffffffp1023", f64::MAX),
            ("0x0.0000000000000000000000001p0", 2f64.powi(-100)),
            ("0x.1", 0.0625),
        ];
        for (text, expected) in cases {
            let parsed = strtod(text.as_bytes());
            assert_eq!(parsed.len, text.len(), "{text}");
            assert_eq!(parsed.value.to_bits(), expected.to_bits(), "{text}");
        }
        assert!(strtod(b"0x1p-1075").erange);
        assert!(!strtod(b"0x1.8p-1075").erange);
        assert!(strtod(b"0x1p1024").erange);
    }

    #[test]
    fn strtod_prefixes() {
        let cases: &[(&str, usize)] = &[
            ("", 0),
            ("   ", 0),
            ("  1", 3),
            ("1e", 1),
            ("1e+", 1),
            ("1.5x", 3),
            ("0x", 1),
            ("0xg", 1),
            ("0x1p", 3),
            ("nan(abc)", 8),
            ("nan(ab", 3),
            ("infinit", 3),
            ("-", 0),
            (".", 0),
        ];
        for (text, len) in cases {
            assert_eq!(strtod(text.as_bytes()).len, *len, "{text:?}");
        }
    }

    #[test]
    fn range_bounds_follow_zsl_parse_range() {
        let ok: &[(&[u8], f64, bool)] = &[
            (b"1", 1.0, false),
            (b"(1", 1.0, true),
            (b"", 0.0, false),
            (b"(", 0.0, true),
            (b" 1", 1.0, false),
            (b"(-inf", f64::NEG_INFINITY, true),
            (b"+inf", f64::INFINITY, false),
            (b"1e999", f64::INFINITY, false),
            (b"1e-999", 0.0, false),
            (b"1\0junk", 1.0, false),
            (b"\0", 0.0, false),
            (b"0x10", 16.0, false),
        ];
        for (text, value, exclusive) in ok {
            assert_eq!(
                parse_score_bound(text),
                Some((*value, *exclusive)),
                "{:?}",
                text.escape_ascii().to_string()
            );
        }
        let bad: &[&[u8]] = &[b"x", b"1 ", b" ", b"((1", b"nan", b"(nan", b"[1", b"1e"];
        for text in bad {
            assert_eq!(
                parse_score_bound(text),
                None,
                "{:?}",
                text.escape_ascii().to_string()
            );
        }
    }

    #[test]
    fn lex_bounds_follow_zsl_parse_lex_range_item() {
        let b = |s: &'static [u8]| Bytes::from_static(s);
        let cases: Vec<(Bytes, Option<(LexEdge, bool)>)> = vec![
            (b(b"-"), Some((LexEdge::Min, true))),
            (b(b"+"), Some((LexEdge::Max, true))),
            (b(b"+\0x"), Some((LexEdge::Max, true))),
            (b(b"[a"), Some((LexEdge::Value(b(b"a")), false))),
            (b(b"(a\0b"), Some((LexEdge::Value(b(b"a\0b")), true))),
            (b(b"["), Some((LexEdge::Value(b(b"")), false))),
            (b(b"+a"), None),
            (b(b"-a"), None),
            (b(b"a"), None),
            (b(b""), None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_lex_bound(&text), expected, "{text:?}");
        }
    }
}
