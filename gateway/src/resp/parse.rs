// #[PerformanceCriticalPath]
//! The RESP request parser.
//!
//! [`parse_request`] follows Redis 7.0's `processMultibulkBuffer` and `processInlineBuffer`
//! (networking.c): the same framing, the same limits and the same error texts. It first checks that a
//! whole request is in the buffer by walking the headers with `memchr` and jumping over each bulk
//! payload by its declared length, so nothing is allocated or copied for a partial request. Only then
//! does it split the request off the buffer and slice its arguments out of it.

use bytes::{Bytes, BytesMut};
use memchr::memchr;
use tinyredis_common::ReplyError;
use tinyredis_common::num::parse_i64;

/// The default for [`Limits::max_bulk_len`]: Redis's `proto-max-bulk-len` default of 512 MB.
const DEFAULT_MAX_BULK_LEN: usize = 512 * 1024 * 1024;

/// The default for [`Limits::max_multibulk_len`]: Redis 6's fixed limit of 1M arguments.
const DEFAULT_MAX_MULTIBULK_LEN: usize = 1024 * 1024;

/// The default for [`Limits::max_inline_len`]: Redis's `PROTO_INLINE_MAX_SIZE` of 64 KB.
const DEFAULT_MAX_INLINE_LEN: usize = 64 * 1024;

/// Size limits that protect the gateway from requests it would have to buffer without bound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The largest accepted bulk argument, in bytes; a longer declared length is refused before
    /// anything is buffered for it.
    pub max_bulk_len: usize,
    /// The largest accepted argument count of a multibulk request.
    pub max_multibulk_len: usize,
    /// The longest inline request line, and the longest multibulk header line, that may sit in the
    /// buffer without its line ending before the request is refused.
    pub max_inline_len: usize,
    /// The client must authenticate first: since CVE-2021-32675 Redis refuses multibulk
    /// requests of more than [`UNAUTHENTICATED_MAX_ARGS`] arguments and bulks longer than
    /// [`UNAUTHENTICATED_MAX_BULK_LEN`] from such a client.
    pub unauthenticated: bool,
}

/// The most arguments of a multibulk request from a client that must authenticate.
pub const UNAUTHENTICATED_MAX_ARGS: i64 = 10;

/// The longest bulk argument from a client that must authenticate.
pub const UNAUTHENTICATED_MAX_BULK_LEN: i64 = 16384;

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_bulk_len: DEFAULT_MAX_BULK_LEN,
            max_multibulk_len: DEFAULT_MAX_MULTIBULK_LEN,
            max_inline_len: DEFAULT_MAX_INLINE_LEN,
            unauthenticated: false,
        }
    }
}

/// A malformed request. The connection must be closed after replying with it, as Redis does, because
/// the parser cannot find the start of the next request.
///
/// Each message is exactly the text Redis puts after `ERR Protocol error: `.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    /// The argument count of a multibulk request is not an integer, or is above
    /// [`Limits::max_multibulk_len`].
    #[error("invalid multibulk length")]
    InvalidMultibulkLength,
    /// A bulk length is not an integer, is negative, or is above [`Limits::max_bulk_len`].
    #[error("invalid bulk length")]
    InvalidBulkLength,
    /// An argument header of a multibulk request starts with the given byte instead of `$`.
    #[error("expected '$', got '{}'", char::from(*.0))]
    ExpectedDollar(u8),
    /// The argument count line of a multibulk request grew past [`Limits::max_inline_len`] without
    /// a `\r`.
    #[error("too big mbulk count string")]
    TooBigMultibulkCount,
    /// A bulk length line grew past [`Limits::max_inline_len`] without a `\r`.
    #[error("too big bulk count string")]
    TooBigBulkCount,
    /// An inline request grew past [`Limits::max_inline_len`] without a `\n`.
    #[error("too big inline request")]
    TooBigInline,
    /// An inline request has an unterminated quote, or a closing quote followed by something other
    /// than whitespace.
    #[error("unbalanced quotes in request")]
    UnbalancedQuotes,
    /// A client that must authenticate sent more than [`UNAUTHENTICATED_MAX_ARGS`] arguments.
    #[error("unauthenticated multibulk length")]
    UnauthenticatedMultibulkLength,
    /// A client that must authenticate sent a bulk longer than [`UNAUTHENTICATED_MAX_BULK_LEN`].
    #[error("unauthenticated bulk length")]
    UnauthenticatedBulkLength,
}

impl ProtocolError {
    /// Returns the error reply Redis sends for this error, `ERR Protocol error: <message>`.
    pub fn to_reply_error(&self) -> ReplyError {
        let text: &'static str = match self {
            ProtocolError::InvalidMultibulkLength => "invalid multibulk length",
            ProtocolError::InvalidBulkLength => "invalid bulk length",
            ProtocolError::TooBigMultibulkCount => "too big mbulk count string",
            ProtocolError::TooBigBulkCount => "too big bulk count string",
            ProtocolError::TooBigInline => "too big inline request",
            ProtocolError::UnbalancedQuotes => "unbalanced quotes in request",
            ProtocolError::UnauthenticatedMultibulkLength => "unauthenticated multibulk length",
            ProtocolError::UnauthenticatedBulkLength => "unauthenticated bulk length",
            ProtocolError::ExpectedDollar(got) => {
                // Redis prints the byte with `%c`, so it goes out raw rather than as UTF-8.
                let mut text = b"expected '$', got '".to_vec();
                text.push(*got);
                text.push(b'\'');
                return ReplyError::Protocol(Bytes::from(text));
            }
        };
        ReplyError::Protocol(Bytes::from_static(text.as_bytes()))
    }
}

/// Takes one request off the front of `buf` and returns its arguments.
///
/// Returns `Ok(None)` when `buf` does not yet hold a whole request; then nothing is consumed or
/// allocated, and the caller should read more bytes and call again. Otherwise the request's bytes are
/// removed from `buf` and its arguments are returned as slices sharing those bytes, with no copy
/// (quoted inline arguments, which need unescaping, are the exception). An empty request (a blank
/// inline line, `*0` or a negative count) yields an empty vector, which the caller skips as Redis does.
///
/// On error nothing is consumed, and the caller should send [`ProtocolError::to_reply_error`] and
/// close the connection.
pub fn parse_request(
    buf: &mut BytesMut,
    limits: &Limits,
) -> Result<Option<Vec<Bytes>>, ProtocolError> {
    match buf.first() {
        None => Ok(None),
        Some(b'*') => parse_multibulk(buf, limits),
        Some(_) => parse_inline(buf, limits),
    }
}

/// The extent of a complete multibulk request at the start of a buffer.
struct MultibulkFrame {
    /// The number of arguments, zero for an empty request.
    n_args: usize,
    /// The number of bytes the request occupies.
    len: usize,
}

/// Parses a request whose first byte is `*`.
fn parse_multibulk(
    buf: &mut BytesMut,
    limits: &Limits,
) -> Result<Option<Vec<Bytes>>, ProtocolError> {
    let Some(frame) = walk_multibulk(buf, limits, |_, _| {})? else {
        return Ok(None);
    };
    let bytes = buf.split_to(frame.len).freeze();
    let mut argv = Vec::with_capacity(frame.n_args);
    // The second walk runs over bytes that the first one accepted, so it reports the same frame.
    let again = walk_multibulk(&bytes, limits, |start, len| {
        argv.push(bytes.slice(start..start + len));
    });
    debug_assert!(matches!(again, Ok(Some(ref f)) if f.len == frame.len && f.n_args == argv.len()));
    Ok(Some(argv))
}

/// Walks the multibulk request at the start of `buf` (whose first byte is `*`), calling
/// `on_arg(start, len)` for each argument's payload, and returns its extent once it is complete.
///
/// Each call costs one `memchr` per header line, whatever the size of the payloads: payloads are
/// jumped over by their declared length and never scanned.
fn walk_multibulk(
    buf: &[u8],
    limits: &Limits,
    mut on_arg: impl FnMut(usize, usize),
) -> Result<Option<MultibulkFrame>, ProtocolError> {
    // Like Redis, a header line ends at the first '\r' and the byte after it is skipped unchecked.
    let Some((count, mut pos)) = header_line(buf) else {
        return if buf.len() > limits.max_inline_len {
            Err(ProtocolError::TooBigMultibulkCount)
        } else {
            Ok(None)
        };
    };
    let count = parse_i64(count.get(1..).unwrap_or_default())
        .ok_or(ProtocolError::InvalidMultibulkLength)?;
    if count > saturating_i64(limits.max_multibulk_len) {
        return Err(ProtocolError::InvalidMultibulkLength);
    }
    if count > UNAUTHENTICATED_MAX_ARGS && limits.unauthenticated {
        return Err(ProtocolError::UnauthenticatedMultibulkLength);
    }
    if count <= 0 {
        return Ok(Some(MultibulkFrame {
            n_args: 0,
            len: pos,
        }));
    }
    let n_args = usize::try_from(count).map_err(|_| ProtocolError::InvalidMultibulkLength)?;
    for _ in 0..n_args {
        let rest = buf.get(pos..).unwrap_or_default();
        let Some((header, header_len)) = header_line(rest) else {
            return if rest.len() > limits.max_inline_len {
                Err(ProtocolError::TooBigBulkCount)
            } else {
                Ok(None)
            };
        };
        match header.first() {
            Some(b'$') => {}
            Some(&got) => return Err(ProtocolError::ExpectedDollar(got)),
            // An empty header is "\r" at the start of `rest`.
            None => return Err(ProtocolError::ExpectedDollar(b'\r')),
        }
        let len = parse_i64(&header[1..])
            .filter(|&len| len >= 0 && len <= saturating_i64(limits.max_bulk_len))
            .ok_or(ProtocolError::InvalidBulkLength)?;
        if len > UNAUTHENTICATED_MAX_BULK_LEN && limits.unauthenticated {
            return Err(ProtocolError::UnauthenticatedBulkLength);
        }
        let len = usize::try_from(len).map_err(|_| ProtocolError::InvalidBulkLength)?;
        pos += header_len;
        // Redis skips the two bytes after the payload without checking that they are "\r\n".
        let needed = len.saturating_add(2);
        if buf.len() - pos < needed {
            return Ok(None);
        }
        on_arg(pos, len);
        pos += needed;
    }
    Ok(Some(MultibulkFrame { n_args, len: pos }))
}

/// Finds the header line at the start of `buf`: returns the line without its ending, and the length
/// of the line including the two ending bytes.
///
/// As in Redis, the line ends at the first `\r`, which must not be the last byte of the buffer.
/// Returns `None` when the line is not complete yet.
fn header_line(buf: &[u8]) -> Option<(&[u8], usize)> {
    let cr = memchr(b'\r', buf)?;
    if cr + 2 > buf.len() {
        return None;
    }
    Some((&buf[..cr], cr + 2))
}

/// Converts a limit to `i64` for comparison with a parsed length.
fn saturating_i64(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// Parses a request whose first byte is not `*`: one line split into arguments like `redis-cli`
/// input.
fn parse_inline(buf: &mut BytesMut, limits: &Limits) -> Result<Option<Vec<Bytes>>, ProtocolError> {
    let Some(newline) = memchr(b'\n', buf) else {
        return if buf.len() > limits.max_inline_len {
            Err(ProtocolError::TooBigInline)
        } else {
            Ok(None)
        };
    };
    let mut line_end = newline;
    if line_end > 0 && buf[line_end - 1] == b'\r' {
        line_end -= 1;
    }
    // Redis splits the line as a C string, so a NUL byte ends it.
    if let Some(nul) = memchr(0, &buf[..line_end]) {
        line_end = nul;
    }
    let args = split_inline_args(&buf[..line_end])?;
    let bytes = buf.split_to(newline + 1).freeze();
    let argv = args
        .into_iter()
        .map(|arg| match arg {
            InlineArg::Span(start, end) => bytes.slice(start..end),
            InlineArg::Unescaped(text) => Bytes::from(text),
        })
        .collect();
    Ok(Some(argv))
}

/// One argument of an inline request, before the request is split off the buffer.
enum InlineArg {
    /// An unquoted argument: this byte range of the line, which is sliced without a copy.
    Span(usize, usize),
    /// An argument with quotes, unescaped into its own bytes.
    Unescaped(Vec<u8>),
}

/// Splits an inline request line into arguments like Redis's `sdssplitargs`.
///
/// Arguments are separated by whitespace. Within double quotes, `\n`, `\r`, `\t`, `\b`, `\a` and
/// `\xHH` are escapes and a backslash takes any other byte literally; within single quotes only `\'`
/// is an escape. A quote may open in the middle of an argument, but a closing quote must be followed
/// by whitespace or the end of the line.
fn split_inline_args(line: &[u8]) -> Result<Vec<InlineArg>, ProtocolError> {
    // Reads like the C original, where the string ends with a NUL: `line` holds no NUL byte.
    let at = |idx: usize| line.get(idx).copied().unwrap_or(0);
    let mut args = Vec::new();
    let mut pos = 0;
    loop {
        while pos < line.len() && is_c_space(line[pos]) {
            pos += 1;
        }
        if pos >= line.len() {
            return Ok(args);
        }
        let start = pos;
        let mut unescaped: Option<Vec<u8>> = None;
        let mut in_double = false;
        let mut in_single = false;
        loop {
            let byte = at(pos);
            if in_double || in_single {
                let text = unescaped.get_or_insert_with(Vec::new);
                if in_double
                    && byte == b'\\'
                    && at(pos + 1) == b'x'
                    && let (Some(high), Some(low)) =
                        (hex_value(at(pos + 2)), hex_value(at(pos + 3)))
                {
                    text.push(high * 16 + low);
                    pos += 4;
                } else if in_double && byte == b'\\' && at(pos + 1) != 0 {
                    text.push(match at(pos + 1) {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 0x08,
                        b'a' => 0x07,
                        other => other,
                    });
                    pos += 2;
                } else if in_single && byte == b'\\' && at(pos + 1) == b'\'' {
                    text.push(b'\'');
                    pos += 2;
                } else if (in_double && byte == b'"') || (in_single && byte == b'\'') {
                    let next = at(pos + 1);
                    if next != 0 && !is_c_space(next) {
                        return Err(ProtocolError::UnbalancedQuotes);
                    }
                    args.push(InlineArg::Unescaped(unescaped.take().unwrap_or_default()));
                    pos += 1;
                    break;
                } else if byte == 0 {
                    return Err(ProtocolError::UnbalancedQuotes);
                } else {
                    text.push(byte);
                    pos += 1;
                }
            } else {
                match byte {
                    b' ' | b'\n' | b'\r' | b'\t' | 0 => {
                        args.push(InlineArg::Span(start, pos));
                        break;
                    }
                    b'"' | b'\'' => {
                        // The unquoted bytes before the quote start the argument's text.
                        unescaped = Some(line[start..pos].to_vec());
                        in_double = byte == b'"';
                        in_single = byte == b'\'';
                    }
                    _ => {}
                }
                pos += 1;
            }
        }
    }
}

/// Returns true for the bytes C's `isspace` accepts in the C locale.
fn is_c_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Returns the value of a hexadecimal digit.
fn hex_value(byte: u8) -> Option<u8> {
    char::from(byte).to_digit(16).map(|v| v as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Limits small enough to reach the "too big" and "invalid length" errors with short inputs.
    const SMALL: Limits = Limits {
        max_bulk_len: 8,
        max_multibulk_len: 3,
        max_inline_len: 16,
        unauthenticated: false,
    };

    /// Parses `input` with default limits and compares the outcome with `expected`; see [`check_with`].
    fn check(input: &[u8], expected: &str) {
        check_with(&Limits::default(), input, expected);
    }

    /// Parses every request in `input` and compares the rendered outcome with `expected`: each request
    /// as `["arg" "arg"]`, then `+n` when `n` bytes of an incomplete request remain, or `!message` for
    /// a protocol error. The same outcome must come out when the bytes arrive in two pieces, whatever
    /// the cut.
    fn check_with(limits: &Limits, input: &[u8], expected: &str) {
        let whole = feed(limits, &[input]);
        assert_eq!(
            whole,
            expected,
            "input {:?}",
            input.escape_ascii().to_string()
        );
        let stride = (input.len() / 512).max(1);
        for cut in (0..=input.len()).step_by(stride) {
            let (head, tail) = input.split_at(cut);
            assert_eq!(
                feed(limits, &[head, tail]),
                whole,
                "input {:?} cut at {cut}",
                input.escape_ascii().to_string()
            );
        }
    }

    /// Appends each piece to one buffer in turn, draining every complete request after each, and
    /// renders the outcome as [`check_with`] describes.
    fn feed(limits: &Limits, pieces: &[&[u8]]) -> String {
        let mut buf = BytesMut::new();
        let mut events = Vec::new();
        for piece in pieces {
            buf.extend_from_slice(piece);
            if let Err(err) = drain(&mut buf, limits, |argv| events.push(render(&argv))) {
                events.push(format!("!{err}"));
                return events.join(" ");
            }
        }
        if !buf.is_empty() {
            events.push(format!("+{}", buf.len()));
        }
        events.join(" ")
    }

    /// Parses requests off `buf` until it needs more bytes or fails, checking that a request always
    /// consumes bytes and that nothing is consumed otherwise.
    fn drain(
        buf: &mut BytesMut,
        limits: &Limits,
        mut on_request: impl FnMut(Vec<Bytes>),
    ) -> Result<(), ProtocolError> {
        loop {
            let before = buf.clone();
            let res = parse_request(buf, limits);
            match res {
                Ok(Some(argv)) => {
                    assert!(buf.len() < before.len(), "a request must consume bytes");
                    assert_eq!(&before[before.len() - buf.len()..], &buf[..]);
                    on_request(argv);
                }
                Ok(None) | Err(_) => {
                    assert_eq!(&before[..], &buf[..], "nothing may be consumed");
                    return res.map(|_| ());
                }
            }
        }
    }

    fn render(argv: &[Bytes]) -> String {
        let args: Vec<String> = argv
            .iter()
            .map(|arg| format!("\"{}\"", arg.escape_ascii()))
            .collect();
        format!("[{}]", args.join(" "))
    }

    #[test]
    fn multibulk() {
        check(b"*1\r\n$4\r\nPING\r\n", r#"["PING"]"#);
        check(b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", r#"["GET" "k"]"#);
        check(b"*2\r\n$3\r\nGET\r\n$0\r\n\r\n", r#"["GET" ""]"#);
        // Bulk payloads are binary-safe: CR, LF and NUL inside them are data.
        check(
            b"*2\r\n$3\r\nSET\r\n$6\r\na\r\n\0\r\n\r\n",
            r#"["SET" "a\r\n\x00\r\n"]"#,
        );
        check(
            b"*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nvv\r\nECHO x\r\n*1\r\n$4\r\nQUIT\r\n",
            r#"["PING"] ["SET" "k" "vv"] ["ECHO" "x"] ["QUIT"]"#,
        );
        // Empty requests are consumed and skipped, as Redis does.
        check(b"*0\r\n", "[]");
        check(b"*-1\r\n", "[]");
        check(b"*-100\r\n*1\r\n$1\r\na\r\n", r#"[] ["a"]"#);
        // The count may reach the limit exactly.
        check_with(
            &SMALL,
            b"*3\r\n$1\r\na\r\n$0\r\n\r\n$8\r\n12345678\r\n",
            r#"["a" "" "12345678"]"#,
        );
        // Like Redis, the byte after a '\r' and the two bytes after a payload are skipped unchecked.
        check(b"*1\rX$4\rXPINGXY", r#"["PING"]"#);
    }

    #[test]
    fn incomplete_multibulk() {
        check(b"*", "+1");
        check(b"*1\r", "+3");
        check(b"*1\r\n", "+4");
        check(b"*1\r\n$4\r", "+7");
        check(b"*1\r\n$4\r\nPING", "+12");
        check(b"*1\r\n$4\r\nPING\r", "+13");
        check(b"*2\r\n$3\r\nGET\r\n", "+13");
        check(b"*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPI", r#"["PING"] +10"#);
        // Lengths at the limits are waited for, not refused.
        check(b"*1048576\r\n", "+10");
        check(b"*1\r\n$536870912\r\n", "+16");
    }

    #[test]
    fn multibulk_errors() {
        check(b"*abc\r\n", "!invalid multibulk length");
        check(b"*\r\n", "!invalid multibulk length");
        check(b"*+1\r\n", "!invalid multibulk length");
        check(b"* 1\r\n", "!invalid multibulk length");
        check(b"*01\r\n", "!invalid multibulk length");
        check(b"*-0\r\n", "!invalid multibulk length");
        check(b"*1 \r\n", "!invalid multibulk length");
        check(b"*99999999999\r\n", "!invalid multibulk length");
        check(b"*99999999999999999999\r\n", "!invalid multibulk length");
        check(b"*1048577\r\n", "!invalid multibulk length");
        check_with(&SMALL, b"*4\r\n", "!invalid multibulk length");
        check(b"*1\r\n$-5\r\n", "!invalid bulk length");
        check(b"*1\r\n$-1\r\n", "!invalid bulk length");
        check(b"*1\r\n$abc\r\n", "!invalid bulk length");
        check(b"*1\r\n$\r\n", "!invalid bulk length");
        check(b"*1\r\n$04\r\nPING\r\n", "!invalid bulk length");
        check(b"*1\r\n$536870913\r\n", "!invalid bulk length");
        check(b"*1\r\n$99999999999999999999\r\n", "!invalid bulk length");
        check_with(&SMALL, b"*1\r\n$9\r\n", "!invalid bulk length");
        check(b"*1\r\n:4\r\nPING\r\n", "!expected '$', got ':'");
        check(b"*1\r\n\r\n", "!expected '$', got '\r'");
        check(b"*2\r\n$1\r\na\r\nb\r\n", "!expected '$', got 'b'");
        check(
            b"*1\r\n$4\r\nPING\r\n*x\r\n",
            r#"["PING"] !invalid multibulk length"#,
        );
        // A header line without '\r' is refused once it is longer than the inline limit.
        check_with(&SMALL, b"*111111111111111", "+16");
        check_with(&SMALL, b"*11111111111111111", "!too big mbulk count string");
        check_with(&SMALL, b"*1\r\n$111111111111111", "+20");
        check_with(
            &SMALL,
            b"*1\r\n$1111111111111111",
            "!too big bulk count string",
        );
        let mut huge = b"*".to_vec();
        huge.resize(70_000, b'1');
        check(&huge, "!too big mbulk count string");
        let mut huge = b"*1\r\n$".to_vec();
        huge.resize(70_000, b'1');
        check(&huge, "!too big bulk count string");
    }

    #[test]
    fn inline() {
        check(b"PING\r\n", r#"["PING"]"#);
        check(b"PING\n", r#"["PING"]"#);
        check(b"set k v\r\n", r#"["set" "k" "v"]"#);
        check(b"  set \t k   v  \r\n", r#"["set" "k" "v"]"#);
        check(b"a\rb\r\n", r#"["a" "b"]"#);
        check(b"PING", "+4");
        check(b"PING\r", "+5");
        check(
            b"PING\r\nPING\r\n*1\r\n$4\r\nPING\r\n",
            r#"["PING"] ["PING"] ["PING"]"#,
        );
        // Blank lines are empty requests and never errors.
        check(b"\r\n", "[]");
        check(b"\n", "[]");
        check(b"   \r\n", "[]");
        check(b"\t \x0b\x0c\r\n", "[]");
        check(b"\r\n\r\nPING\r\n", r#"[] [] ["PING"]"#);
        // Only space, tab, CR, LF and NUL end an unquoted argument.
        check(b"a\x0bb\n", r#"["a\x0bb"]"#);
        // A NUL ends the line's text, as in C.
        check(b"a\0b c\r\nPING\r\n", r#"["a"] ["PING"]"#);
        check(b"\0\r\n", "[]");
        check_with(&SMALL, b"0123456789abcdef", "+16");
        check_with(&SMALL, b"0123456789abcdefg", "!too big inline request");
        // A longer line is accepted if its end arrives before the limit is checked, as in Redis.
        assert_eq!(
            feed(&SMALL, &[b"0123456789abcdefghij\r\n"]),
            r#"["0123456789abcdefghij"]"#
        );
    }

    #[test]
    fn inline_quotes() {
        check(b"set \"a b\" 'c d'\r\n", r#"["set" "a b" "c d"]"#);
        check(b"\"\" ''\r\n", r#"["" ""]"#);
        // The line is: "\x41\x4a\n\r\t\b\a\\\"\q" 'it\'s \n'
        check(
            b"\"\\x41\\x4a\\n\\r\\t\\b\\a\\\\\\\"\\q\" 'it\\'s \\n'\r\n",
            r#"["AJ\n\r\t\x08\x07\\\"q" "it\'s \\n"]"#,
        );
        // "\x" needs two hex digits, or the backslash just escapes the 'x'.
        check(b"\"\\x4g\"\r\n", r#"["x4g"]"#);
        // A quote may open inside an argument, and must close before whitespace or the end.
        check(b"foo\"bar baz\" x\r\n", r#"["foobar baz" "x"]"#);
        check(b"\"a\"\rb\n", r#"["a" "b"]"#);
        check(b"\"abc\"def\r\n", "!unbalanced quotes in request");
        check(b"'abc'def\r\n", "!unbalanced quotes in request");
        check(b"\"abc\r\n", "!unbalanced quotes in request");
        check(b"'abc\r\n", "!unbalanced quotes in request");
        check(b"\"abc\\\"\r\n", "!unbalanced quotes in request");
        check(b"\"a\0\"\r\n", "!unbalanced quotes in request");
        check(
            b"PING\r\n\"\r\n",
            r#"["PING"] !unbalanced quotes in request"#,
        );
    }

    #[test]
    fn errors_become_redis_replies() {
        let cases = [
            (
                ProtocolError::InvalidMultibulkLength,
                "invalid multibulk length",
            ),
            (ProtocolError::InvalidBulkLength, "invalid bulk length"),
            (ProtocolError::ExpectedDollar(b'x'), "expected '$', got 'x'"),
            (
                ProtocolError::TooBigMultibulkCount,
                "too big mbulk count string",
            ),
            (ProtocolError::TooBigBulkCount, "too big bulk count string"),
            (ProtocolError::TooBigInline, "too big inline request"),
            (
                ProtocolError::UnbalancedQuotes,
                "unbalanced quotes in request",
            ),
        ];
        for (err, text) in cases {
            assert_eq!(err.to_string(), text);
            assert_eq!(
                err.to_reply_error().to_string(),
                format!("ERR Protocol error: {text}")
            );
        }
    }

    #[test]
    fn unauthenticated_limits_as_redis() {
        let unauth = Limits {
            unauthenticated: true,
            ..Limits::default()
        };
        // Ten arguments and 16384-byte bulks are still fine.
        let ten = format!("*10\r\n{}", "$1\r\na\r\n".repeat(10));
        check_with(
            &unauth,
            ten.as_bytes(),
            &format!("[{}]", ["\"a\""; 10].join(" ")),
        );
        check_with(
            &unauth,
            b"*11\r\n$1\r\na\r\n",
            "!unauthenticated multibulk length",
        );
        let big = format!("*2\r\n$3\r\nSET\r\n$16384\r\n{}\r\n", "x".repeat(16384));
        let parsed = feed(&unauth, &[big.as_bytes()]);
        assert!(
            parsed.starts_with("[\"SET\" \"xxx") && parsed.ends_with("x\"]"),
            "{parsed}"
        );
        check_with(
            &unauth,
            b"*2\r\n$3\r\nSET\r\n$16385\r\n",
            "!unauthenticated bulk length",
        );
        // The ordinary limits come first, and inline requests have none of these.
        check_with(&unauth, b"*2\r\n$-2\r\n", "!invalid bulk length");
        check_with(
            &unauth,
            b"a b c d e f g h i j k l\r\n",
            "[\"a\" \"b\" \"c\" \"d\" \"e\" \"f\" \"g\" \"h\" \"i\" \"j\" \"k\" \"l\"]",
        );
        assert_eq!(
            ProtocolError::UnauthenticatedBulkLength
                .to_reply_error()
                .to_string(),
            "ERR Protocol error: unauthenticated bulk length"
        );
        assert_eq!(
            ProtocolError::UnauthenticatedMultibulkLength
                .to_reply_error()
                .to_string(),
            "ERR Protocol error: unauthenticated multibulk length"
        );
    }

    #[test]
    fn huge_bulk_length_is_refused_before_buffering() {
        let mut buf = BytesMut::with_capacity(64);
        buf.extend_from_slice(b"*2\r\n$3\r\nSET\r\n$600000000\r\n");
        let capacity = buf.capacity();
        assert_eq!(
            parse_request(&mut buf, &Limits::default()),
            Err(ProtocolError::InvalidBulkLength)
        );
        assert_eq!(buf.capacity(), capacity);
    }

    #[test]
    fn arguments_share_the_read_buffer() {
        let payload = vec![b'\r'; 1 << 20];
        let mut frame = b"*2\r\n$3\r\nSET\r\n$1048576\r\n".to_vec();
        frame.extend_from_slice(&payload);
        frame.extend_from_slice(b"\r\n");
        let mut buf = BytesMut::with_capacity(frame.len());
        // The payload arrives in pieces; every incomplete call consumes nothing.
        for piece in frame.chunks(64 * 1024) {
            assert_eq!(parse_request(&mut buf, &Limits::default()), Ok(None));
            buf.extend_from_slice(piece);
        }
        let start = buf.as_ptr() as usize;
        let range = start..start + buf.len();
        let argv = parse_request(&mut buf, &Limits::default())
            .expect("valid")
            .expect("complete");
        assert!(buf.is_empty());
        assert_eq!(argv[0], &b"SET"[..]);
        assert_eq!(argv[1], payload);
        for arg in &argv {
            assert!(range.contains(&(arg.as_ptr() as usize)), "copied argument");
        }
    }

    /// A xorshift64 generator, so that the random tests are reproducible without a dependency.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        /// Returns a byte, usually one that means something to the parser.
        fn byte(&mut self) -> u8 {
            const INTERESTING: &[u8] = b"*$\r\n\r\n0123456789--\"\"''\\\\x aF\t\0\x0b";
            if self.below(4) == 0 {
                self.next() as u8
            } else {
                INTERESTING[self.below(INTERESTING.len())]
            }
        }
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        let mut n_args = 0;
        let mut errors_seen = std::collections::HashSet::new();
        for round in 0..20_000 {
            let limits = if round % 2 == 0 {
                Limits::default()
            } else {
                SMALL
            };
            let len = rng.below(48);
            let mut input: Vec<u8> = (0..len).map(|_| rng.byte()).collect();
            // Start half of the inputs like a multibulk request, to get past the first header.
            if round % 4 < 2 {
                input.splice(0..0, b"*2\r\n".iter().copied());
            }
            let mut buf = BytesMut::from(&input[..]);
            if let Err(err) = drain(&mut buf, &limits, |argv| n_args += argv.len()) {
                errors_seen.insert(std::mem::discriminant(&err));
            }
        }
        // The inputs must reach deep enough to parse arguments and to hit every kind of error.
        assert!(n_args > 1000, "only {n_args} arguments parsed");
        assert_eq!(errors_seen.len(), 7);
    }

    /// Builds a random pipeline of valid requests in both forms, with the arguments each request
    /// must parse to.
    fn random_pipeline(rng: &mut Rng) -> (Vec<u8>, Vec<Vec<Vec<u8>>>) {
        let mut wire = Vec::new();
        let mut requests = Vec::new();
        for _ in 0..1 + rng.below(5) {
            let argv: Vec<Vec<u8>> = (0..1 + rng.below(4))
                .map(|_| (0..rng.below(12)).map(|_| rng.byte()).collect())
                .collect();
            match rng.below(6) {
                0 => {
                    wire.extend_from_slice(
                        [&b"*0\r\n"[..], b"*-1\r\n", b"\r\n", b"  \n"][rng.below(4)],
                    );
                    requests.push(Vec::new());
                    continue;
                }
                1 | 2 => {
                    for (idx, arg) in argv.iter().enumerate() {
                        if idx > 0 {
                            wire.push(b' ');
                        }
                        wire.push(b'"');
                        for &byte in arg {
                            match byte {
                                b'"' | b'\\' => wire.extend_from_slice(&[b'\\', byte]),
                                b' '..=b'~' => wire.push(byte),
                                _ => wire.extend_from_slice(format!("\\x{byte:02x}").as_bytes()),
                            }
                        }
                        wire.push(b'"');
                    }
                    wire.extend_from_slice(b"\r\n");
                }
                _ => {
                    wire.extend_from_slice(format!("*{}\r\n", argv.len()).as_bytes());
                    for arg in &argv {
                        wire.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
                        wire.extend_from_slice(arg);
                        wire.extend_from_slice(b"\r\n");
                    }
                }
            }
            requests.push(argv);
        }
        (wire, requests)
    }

    #[test]
    fn random_pipelines_parse_the_same_in_any_pieces() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let limits = Limits::default();
        for _ in 0..300 {
            let (wire, requests) = random_pipeline(&mut rng);
            let expected: Vec<String> = requests
                .iter()
                .map(|argv| {
                    render(
                        &argv
                            .iter()
                            .map(|a| Bytes::copy_from_slice(a))
                            .collect::<Vec<_>>(),
                    )
                })
                .collect();
            let expected = expected.join(" ");
            check(&wire, &expected);

            // A truncated pipeline parses to a prefix of the requests and waits for the rest.
            let cut = rng.below(wire.len() + 1);
            let mut buf = BytesMut::from(&wire[..cut]);
            let mut parsed = Vec::new();
            drain(&mut buf, &limits, |argv| parsed.push(argv)).expect("valid prefix");
            assert!(parsed.len() <= requests.len());
            for (argv, expected) in parsed.iter().zip(&requests) {
                assert_eq!(argv, expected);
            }
        }
    }
}
