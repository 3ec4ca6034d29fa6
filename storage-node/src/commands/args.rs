//! Argument parsing shared by the command modules, with Redis's exact rules.

use tinyredis_common::ReplyError;

/// Redis's `string2ll`, shared with the gateway: no `+`, no leading zeros, no spaces, no "-0", at most
/// 20 bytes, within `i64`.
pub use tinyredis_common::num::parse_i64;

/// Parses an integer argument, replying `ERR value is not an integer or out of range` on failure.
pub fn i64_arg(text: &[u8]) -> Result<i64, ReplyError> {
    parse_i64(text).ok_or(ReplyError::NotInteger)
}

/// Parses an integer that must be at least `min`, replying `ERR <message>` otherwise, a
/// non-integer included (Redis's `getRangeLongFromObjectOrReply` with a message, as for LMPOP's
/// and ZMPOP's numkeys and COUNT).
pub fn bounded_arg(arg: &[u8], min: i64, message: &'static str) -> Result<i64, ReplyError> {
    parse_i64(arg)
        .filter(|&n| n >= min)
        .ok_or_else(|| ReplyError::err(message))
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

/// The arguments of LMPOP, ZMPOP and their blocking forms: `numkeys key [key ...] <side> [COUNT
/// count]`, numkeys at `argv[numkeys_idx]`.
#[derive(Debug)]
pub struct MpopArgs {
    /// Where the keys are in `argv`.
    pub keys: std::ops::Range<usize>,
    /// The side `side` read (LEFT/RIGHT, MIN/MAX).
    pub side: bool,
    /// COUNT, 1 by default.
    pub count: u64,
}

/// Parses [`MpopArgs`] in the order of Redis's `lmpopGenericCommand` and `zmpopGenericCommand`:
/// numkeys, then the side (`side` returns `None` for a word that is not one), then COUNT.
pub fn mpop_args(
    argv: &[bytes::Bytes],
    numkeys_idx: usize,
    side: impl Fn(&[u8]) -> Option<bool>,
) -> Result<MpopArgs, ReplyError> {
    let numkeys = bounded_arg(&argv[numkeys_idx], 1, "numkeys should be greater than 0")?;
    let first_key = numkeys_idx + 1;
    // The side follows the keys; Redis's `where_idx >= argc` check.
    let where_idx = usize::try_from(numkeys)
        .ok()
        .and_then(|n| n.checked_add(first_key))
        .filter(|&idx| idx < argv.len())
        .ok_or(ReplyError::Syntax)?;
    let side = side(&argv[where_idx]).ok_or(ReplyError::Syntax)?;
    let mut count = None;
    let mut idx = where_idx + 1;
    while let Some(arg) = argv.get(idx) {
        if count.is_none() && is_option(arg, "COUNT") && idx + 1 < argv.len() {
            count = Some(bounded_arg(
                &argv[idx + 1],
                1,
                "count should be greater than 0",
            )?);
            idx += 2;
        } else {
            return Err(ReplyError::Syntax);
        }
    }
    Ok(MpopArgs {
        keys: first_key..where_idx,
        side,
        count: count.map_or(1, |n| n.unsigned_abs()),
    })
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
