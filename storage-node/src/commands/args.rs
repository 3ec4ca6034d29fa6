//! Argument parsing shared by the command modules, with Redis's exact rules.

use tinyredis_common::ReplyError;

/// Longest text [`parse_i64`] accepts (Redis's `LONG_STR_SIZE - 1`): "-9223372036854775808" fits.
const MAX_I64_LEN: usize = 20;

/// Parses a signed 64-bit integer exactly as Redis's `string2ll` does.
///
/// Accepts an optional `-` followed by decimal digits. Rejects the empty string, a leading `+`,
/// leading zeros (but "0" itself is fine), "-0", spaces anywhere, any other byte, more than 20 bytes,
/// and values outside `i64`.
pub fn parse_i64(text: &[u8]) -> Option<i64> {
    if text.is_empty() || text.len() > MAX_I64_LEN {
        return None;
    }
    if text == b"0" {
        return Some(0);
    }
    let (negative, digits) = match text {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, text),
    };
    match digits.first() {
        Some(b'1'..=b'9') => {}
        _ => return None,
    }
    let mut magnitude: u64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        magnitude = magnitude
            .checked_mul(10)?
            .checked_add(u64::from(b - b'0'))?;
    }
    if negative {
        // -(i64::MIN) does not fit in i64, so negate in the unsigned domain.
        if magnitude > i64::MIN.unsigned_abs() {
            return None;
        }
        Some(0i64.wrapping_sub_unsigned(magnitude))
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// Parses an integer argument, replying `ERR value is not an integer or out of range` on failure.
pub fn i64_arg(text: &[u8]) -> Result<i64, ReplyError> {
    parse_i64(text).ok_or(ReplyError::NotInteger)
}

/// Returns true when `arg` equals the option `name`, ignoring ASCII case (Redis's `strcasecmp`).
pub fn is_option(arg: &[u8], name: &str) -> bool {
    arg.eq_ignore_ascii_case(name.as_bytes())
}

/// Converts a timestamp from the Raft entry or the serving node to Redis's signed milliseconds.
///
/// Real clocks are far below `i64::MAX`; the clamp only keeps arithmetic defined for absurd inputs.
pub fn now_i64(now_ms: u64) -> i64 {
    i64::try_from(now_ms).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string2ll_rules() {
        let ok: &[(&str, i64)] = &[
            ("0", 0),
            ("1", 1),
            ("-1", -1),
            ("10", 10),
            ("9223372036854775807", i64::MAX),
            ("-9223372036854775808", i64::MIN),
        ];
        for (text, n) in ok {
            assert_eq!(parse_i64(text.as_bytes()), Some(*n), "{text}");
        }
        let bad = [
            "",
            "-",
            "+1",
            "01",
            "-01",
            "00",
            "-0",
            " 1",
            "1 ",
            "1a",
            "1.0",
            "9223372036854775808",
            "-9223372036854775809",
            "18446744073709551616",
            "99999999999999999999",
            "000000000000000000001",
            "0x10",
        ];
        for text in bad {
            assert_eq!(parse_i64(text.as_bytes()), None, "{text:?}");
        }
        assert_eq!(i64_arg(b"x"), Err(ReplyError::NotInteger));
    }

    #[test]
    fn options_ignore_case() {
        assert!(is_option(b"nX", "NX"));
        assert!(is_option(b"keepttl", "KEEPTTL"));
        assert!(!is_option(b"NXX", "NX"));
    }
}
