// #[PerformanceCriticalPath]
//! The RESP reply encoder.
//!
//! [`encode`] writes a [`Reply`] into a connection's write buffer as RESP2 or RESP3, following Redis
//! 7.0's `addReply*` functions (networking.c). Integers and lengths are formatted on the stack with
//! `itoa`, fixed replies are static byte strings, and doubles use [`format_double_17g`], which
//! reproduces C's `%.17g` without allocating.

use std::fmt::{self, Write as _};

use bytes::BytesMut;
use memchr::memchr2;
use tinyredis_common::Reply;

/// The RESP version a connection speaks, chosen by `HELLO`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Protocol {
    /// RESP2, the default: nulls, maps, sets and doubles are projected onto RESP2's types.
    Resp2,
    /// RESP3, after `HELLO 3`: nulls, maps, sets and doubles have their own types.
    Resp3,
}

/// Appends `reply` to `out` as RESP bytes for the protocol `proto`.
///
/// Nothing is allocated apart from the growth of `out`.
pub fn encode(reply: &Reply, proto: Protocol, out: &mut BytesMut) {
    match reply {
        Reply::Ok => out.extend_from_slice(b"+OK\r\n"),
        Reply::Simple(text) => {
            out.extend_from_slice(b"+");
            extend_single_line(out, text);
            out.extend_from_slice(b"\r\n");
        }
        Reply::Error(err) => {
            // The Display impl is Redis's text without the leading '-', and has no line breaks.
            // Writing into a BytesMut cannot fail.
            let _ = write!(out, "-{err}\r\n");
        }
        Reply::Integer(n) => {
            out.extend_from_slice(b":");
            out.extend_from_slice(itoa::Buffer::new().format(*n).as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        Reply::Bulk(bytes) => encode_bulk(bytes, out),
        Reply::Verbatim(text) => match proto {
            Protocol::Resp2 => encode_bulk(text, out),
            Protocol::Resp3 => {
                encode_header(b'=', text.len() + 4, out);
                out.extend_from_slice(b"txt:");
                out.extend_from_slice(text);
                out.extend_from_slice(b"\r\n");
            }
        },
        Reply::Nil => match proto {
            Protocol::Resp2 => out.extend_from_slice(b"$-1\r\n"),
            Protocol::Resp3 => out.extend_from_slice(b"_\r\n"),
        },
        Reply::NilArray => match proto {
            Protocol::Resp2 => out.extend_from_slice(b"*-1\r\n"),
            Protocol::Resp3 => out.extend_from_slice(b"_\r\n"),
        },
        Reply::Array(items) => {
            encode_header(b'*', items.len(), out);
            for item in items {
                encode(item, proto, out);
            }
        }
        Reply::Set(items) => {
            let kind = match proto {
                Protocol::Resp2 => b'*',
                Protocol::Resp3 => b'~',
            };
            encode_header(kind, items.len(), out);
            for item in items {
                encode(item, proto, out);
            }
        }
        Reply::Map(pairs) => {
            match proto {
                Protocol::Resp2 => encode_header(b'*', pairs.len().saturating_mul(2), out),
                Protocol::Resp3 => encode_header(b'%', pairs.len(), out),
            }
            for (key, value) in pairs {
                encode(key, proto, out);
                encode(value, proto, out);
            }
        }
        Reply::Double(value) => {
            let text = format_double_17g(*value);
            match proto {
                Protocol::Resp2 => encode_bulk(text.as_bytes(), out),
                Protocol::Resp3 => {
                    out.extend_from_slice(b",");
                    out.extend_from_slice(text.as_bytes());
                    out.extend_from_slice(b"\r\n");
                }
            }
        }
    }
}

/// The text of a double as [`format_double_17g`] writes it, held on the stack.
#[derive(Clone, Copy, Debug)]
pub struct DoubleText {
    /// The text in its first `len` bytes.
    bytes: [u8; DOUBLE_TEXT_CAPACITY],
    /// The length of the text.
    len: usize,
}

impl DoubleText {
    /// Returns the text as ASCII bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    /// Appends `bytes`; the capacity fits every `%.17g` text, so nothing is ever dropped.
    fn push(&mut self, bytes: &[u8]) {
        let end = (self.len + bytes.len()).min(DOUBLE_TEXT_CAPACITY);
        let n_copied = end - self.len;
        self.bytes[self.len..end].copy_from_slice(&bytes[..n_copied]);
        self.len = end;
    }
}

impl fmt::Write for DoubleText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if self.len + s.len() > DOUBLE_TEXT_CAPACITY {
            return Err(fmt::Error);
        }
        self.push(s.as_bytes());
        Ok(())
    }
}

/// The capacity of [`DoubleText`]. The longest `%.17g` text is 24 bytes (`-1.2345678901234567e-308`).
const DOUBLE_TEXT_CAPACITY: usize = 32;

/// Formats `value` like C's `printf("%.17g", value)`, as Redis 7.0's `addReplyDouble` does:
/// 17 significant digits without trailing zeros, in fixed notation for decimal exponents from -4 to
/// 16 and in exponential notation (`1e+20`, `1.0000000000000001e-05`) otherwise. Infinities are
/// `inf` and `-inf`, and NaN is `nan`.
pub fn format_double_17g(value: f64) -> DoubleText {
    let mut text = DoubleText {
        bytes: [0; DOUBLE_TEXT_CAPACITY],
        len: 0,
    };
    if value.is_nan() {
        text.push(b"nan");
        return text;
    }
    if value.is_infinite() {
        text.push(if value > 0.0 { b"inf" } else { b"-inf" });
        return text;
    }
    // Rust's `{:.16e}` rounds correctly to 17 significant digits, as glibc does: "-1.2345678901234567e-5".
    let mut scientific = DoubleText {
        bytes: [0; DOUBLE_TEXT_CAPACITY],
        len: 0,
    };
    if write!(scientific, "{value:.16e}").is_err() {
        text.push(b"nan");
        return text;
    }
    let scientific = scientific.as_bytes();
    let (negative, unsigned) = match scientific.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, scientific),
    };
    let e_idx = memchr::memchr(b'e', unsigned).unwrap_or(unsigned.len());
    let (mantissa, exponent_text) = unsigned.split_at(e_idx);
    let exponent = parse_exponent(exponent_text.get(1..).unwrap_or_default());

    // The 17 significant digits, then the count of them left once trailing zeros are dropped.
    let mut digits = [b'0'; 17];
    for (slot, &digit) in digits
        .iter_mut()
        .zip(mantissa.iter().filter(|b| b.is_ascii_digit()))
    {
        *slot = digit;
    }
    let n_significant = digits
        .iter()
        .rposition(|&d| d != b'0')
        .map_or(1, |idx| idx + 1);

    if negative {
        text.push(b"-");
    }
    if (-4..17).contains(&exponent) {
        if exponent >= 0 {
            let n_integer = exponent as usize + 1;
            text.push(&digits[..n_integer]);
            if n_significant > n_integer {
                text.push(b".");
                text.push(&digits[n_integer..n_significant]);
            }
        } else {
            text.push(b"0.");
            text.push(&b"000"[..(-exponent - 1) as usize]);
            text.push(&digits[..n_significant]);
        }
    } else {
        text.push(&digits[..1]);
        if n_significant > 1 {
            text.push(b".");
            text.push(&digits[1..n_significant]);
        }
        text.push(if exponent < 0 { b"e-" } else { b"e+" });
        let magnitude = exponent.unsigned_abs();
        if magnitude < 10 {
            text.push(b"0");
        }
        text.push(itoa::Buffer::new().format(magnitude).as_bytes());
    }
    text
}

/// Parses the exponent of Rust's `{:e}` output: an optional `-` and decimal digits.
fn parse_exponent(text: &[u8]) -> i32 {
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    let magnitude = digits
        .iter()
        .filter(|d| d.is_ascii_digit())
        .take(4)
        .fold(0i32, |acc, &d| acc * 10 + i32::from(d - b'0'));
    if negative { -magnitude } else { magnitude }
}

/// Writes an aggregate header such as `*3\r\n`.
fn encode_header(kind: u8, len: usize, out: &mut BytesMut) {
    out.extend_from_slice(&[kind]);
    out.extend_from_slice(itoa::Buffer::new().format(len).as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// Writes a bulk string: `$<len>\r\n<bytes>\r\n`.
fn encode_bulk(bytes: &[u8], out: &mut BytesMut) {
    out.reserve(bytes.len() + 24);
    encode_header(b'$', bytes.len(), out);
    out.extend_from_slice(bytes);
    out.extend_from_slice(b"\r\n");
}

/// Appends `text` with `\r` and `\n` turned into spaces, as Redis does for status replies, so that a
/// simple string can never break the framing.
fn extend_single_line(out: &mut BytesMut, text: &[u8]) {
    if memchr2(b'\r', b'\n', text).is_none() {
        out.extend_from_slice(text);
        return;
    }
    for &byte in text {
        let byte = if byte == b'\r' || byte == b'\n' {
            b' '
        } else {
            byte
        };
        out.extend_from_slice(&[byte]);
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use tinyredis_common::ReplyError;

    use super::*;

    /// Encodes `reply` for `proto` and compares the bytes with `expected`.
    fn check(reply: Reply, proto: Protocol, expected: &[u8]) {
        let mut out = BytesMut::new();
        encode(&reply, proto, &mut out);
        assert_eq!(
            out.as_ref(),
            expected,
            "{reply:?} in {proto:?}: got {:?}, expected {:?}",
            out.escape_ascii().to_string(),
            expected.escape_ascii().to_string()
        );
    }

    #[test]
    fn encodes_every_reply_kind() {
        use Protocol::{Resp2, Resp3};
        let bulk = |text: &'static [u8]| Reply::Bulk(Bytes::from_static(text));
        let cases: Vec<(Reply, Protocol, &[u8])> = vec![
            (Reply::Ok, Resp2, b"+OK\r\n"),
            (Reply::Ok, Resp3, b"+OK\r\n"),
            (Reply::simple("PONG"), Resp2, b"+PONG\r\n"),
            (Reply::simple("a\r\nb"), Resp2, b"+a  b\r\n"),
            (
                Reply::Error(ReplyError::Syntax),
                Resp2,
                b"-ERR syntax error\r\n",
            ),
            (
                Reply::Error(ReplyError::WrongType),
                Resp3,
                b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
            ),
            (
                Reply::Error(ReplyError::Err(Bytes::from_static(b"bad\r\nthing"))),
                Resp2,
                b"-ERR bad  thing\r\n",
            ),
            (Reply::Integer(0), Resp2, b":0\r\n"),
            (Reply::Integer(-42), Resp3, b":-42\r\n"),
            (
                Reply::Integer(i64::MIN),
                Resp2,
                b":-9223372036854775808\r\n",
            ),
            (bulk(b"hello"), Resp2, b"$5\r\nhello\r\n"),
            (bulk(b""), Resp3, b"$0\r\n\r\n"),
            (bulk(b"a\r\n\0b"), Resp2, b"$5\r\na\r\n\0b\r\n"),
            (
                Reply::Verbatim(Bytes::from_static(b"ab")),
                Resp2,
                b"$2\r\nab\r\n",
            ),
            (
                Reply::Verbatim(Bytes::from_static(b"ab")),
                Resp3,
                b"=6\r\ntxt:ab\r\n",
            ),
            (Reply::Nil, Resp2, b"$-1\r\n"),
            (Reply::Nil, Resp3, b"_\r\n"),
            (Reply::NilArray, Resp2, b"*-1\r\n"),
            (Reply::NilArray, Resp3, b"_\r\n"),
            (Reply::Array(vec![]), Resp2, b"*0\r\n"),
            (
                Reply::Array(vec![bulk(b"a"), Reply::Nil, Reply::Integer(1)]),
                Resp2,
                b"*3\r\n$1\r\na\r\n$-1\r\n:1\r\n",
            ),
            (
                Reply::Array(vec![bulk(b"a"), Reply::Nil, Reply::Array(vec![Reply::Ok])]),
                Resp3,
                b"*3\r\n$1\r\na\r\n_\r\n*1\r\n+OK\r\n",
            ),
            (
                Reply::Map(vec![
                    (bulk(b"k"), Reply::Integer(1)),
                    (bulk(b"d"), Reply::Double(1.5)),
                ]),
                Resp2,
                b"*4\r\n$1\r\nk\r\n:1\r\n$1\r\nd\r\n$3\r\n1.5\r\n",
            ),
            (
                Reply::Map(vec![
                    (bulk(b"k"), Reply::Integer(1)),
                    (bulk(b"d"), Reply::Double(1.5)),
                ]),
                Resp3,
                b"%2\r\n$1\r\nk\r\n:1\r\n$1\r\nd\r\n,1.5\r\n",
            ),
            (Reply::Map(vec![]), Resp3, b"%0\r\n"),
            (Reply::Set(vec![bulk(b"x")]), Resp2, b"*1\r\n$1\r\nx\r\n"),
            (Reply::Set(vec![bulk(b"x")]), Resp3, b"~1\r\n$1\r\nx\r\n"),
            (Reply::Double(0.1), Resp2, b"$19\r\n0.10000000000000001\r\n"),
            (Reply::Double(0.1), Resp3, b",0.10000000000000001\r\n"),
            (Reply::Double(3.0), Resp2, b"$1\r\n3\r\n"),
            (Reply::Double(f64::INFINITY), Resp2, b"$3\r\ninf\r\n"),
            (Reply::Double(f64::NEG_INFINITY), Resp2, b"$4\r\n-inf\r\n"),
            (Reply::Double(f64::INFINITY), Resp3, b",inf\r\n"),
            (Reply::Double(f64::NEG_INFINITY), Resp3, b",-inf\r\n"),
            (Reply::Double(f64::NAN), Resp3, b",nan\r\n"),
            (Reply::Double(1e20), Resp3, b",1e+20\r\n"),
        ];
        for (reply, proto, expected) in cases {
            check(reply, proto, expected);
        }
    }

    #[test]
    fn appends_to_existing_output() {
        let mut out = BytesMut::from(&b"+OK\r\n"[..]);
        encode(&Reply::Integer(7), Protocol::Resp2, &mut out);
        assert_eq!(out.as_ref(), b"+OK\r\n:7\r\n");
    }

    /// Expected texts were printed by glibc's `printf("%.17g")`.
    #[test]
    fn formats_doubles_like_c_17g() {
        let cases: &[(f64, &str)] = &[
            (1.5, "1.5"),
            (0.1, "0.10000000000000001"),
            (1e20, "1e+20"),
            (3.0, "3"),
            (1e-5, "1.0000000000000001e-05"),
            (0.0, "0"),
            (-0.0, "-0"),
            (5e-324, "4.9406564584124654e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (-f64::MAX, "-1.7976931348623157e+308"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (1e16, "10000000000000000"),
            (1e17, "1e+17"),
            (9999999999999998.0, "9999999999999998"),
            // Rounding to 17 digits carries into the next power of ten, then the exponent decides.
            (99999999999999999.0, "1e+17"),
            (12345678901234567.0, "12345678901234568"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (0.0001, "0.0001"),
            (0.00012345, "0.00012344999999999999"),
            (0.0000999, "9.9900000000000002e-05"),
            (1.0 / 3.0, "0.33333333333333331"),
            (100.0, "100"),
            (10.0, "10"),
            (0.5, "0.5"),
            (-1.25, "-1.25"),
            (2.675, "2.6749999999999998"),
            (1e23, "9.9999999999999992e+22"),
            (-2.5e-7, "-2.4999999999999999e-07"),
            (1e-300, "1e-300"),
            (1e300, "1.0000000000000001e+300"),
            (1e15 + 0.3, "1000000000000000.2"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
        ];
        for &(value, expected) in cases {
            let text = format_double_17g(value);
            assert_eq!(text.as_bytes(), expected.as_bytes(), "{value:e}");
        }
    }

    /// Checks the formatter's invariants over many doubles: it never overflows its buffer, and its
    /// text reads back as the same value, as 17 significant digits guarantee.
    #[test]
    fn formatted_doubles_round_trip() {
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..100_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let value = f64::from_bits(state);
            let text = format_double_17g(value);
            let text = std::str::from_utf8(text.as_bytes()).expect("ASCII");
            assert!(text.len() <= 24, "{text}");
            if value.is_nan() {
                assert_eq!(text, "nan");
            } else {
                assert_eq!(
                    text.parse::<f64>().map(f64::to_bits),
                    Ok(value.to_bits()),
                    "{text}"
                );
            }
        }
    }
}
