// #[PerformanceCriticalPath]
//! The RESP reply encoder.
//!
//! [`encode`] writes a [`Reply`] into a connection's write buffer as RESP2 or RESP3, following Redis
//! 7.0's `addReply*` functions (networking.c). Integers and lengths are formatted on the stack with
//! `itoa`, fixed replies are static byte strings, and doubles use [`format_double_17g`] (shared with
//! the node), which reproduces C's `%.17g` without allocating.

use std::fmt::Write as _;

use bytes::BytesMut;
use memchr::memchr2;
use tinyredis_common::Reply;
use tinyredis_common::num::format_double_17g;

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
        // `Blocked` is resolved by the connection before anything is encoded; were it ever to
        // slip through, the client would see what a timed-out blocking command replies.
        Reply::NilArray | Reply::Blocked { .. } => match proto {
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
        Reply::Pairs(pairs) => {
            match proto {
                Protocol::Resp2 => encode_header(b'*', pairs.len().saturating_mul(2), out),
                Protocol::Resp3 => encode_header(b'*', pairs.len(), out),
            }
            for (first, second) in pairs {
                if proto == Protocol::Resp3 {
                    encode_header(b'*', 2, out);
                }
                encode(first, proto, out);
                encode(second, proto, out);
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
            (
                Reply::Pairs(vec![
                    (bulk(b"m"), Reply::Double(1.5)),
                    (bulk(b"n"), Reply::Double(2.0)),
                ]),
                Resp2,
                b"*4\r\n$1\r\nm\r\n$3\r\n1.5\r\n$1\r\nn\r\n$1\r\n2\r\n",
            ),
            (
                Reply::Pairs(vec![
                    (bulk(b"m"), Reply::Double(1.5)),
                    (bulk(b"n"), Reply::Double(2.0)),
                ]),
                Resp3,
                b"*2\r\n*2\r\n$1\r\nm\r\n,1.5\r\n*2\r\n$1\r\nn\r\n,2\r\n",
            ),
            (Reply::Pairs(vec![]), Resp3, b"*0\r\n"),
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
}
