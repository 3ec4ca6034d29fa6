//! Redis's number rules, shared by the gateway and the node: integer parsing (`string2ll`: protocol
//! lengths, SELECT, command arguments) and C's `%.17g` formatting of doubles (the gateway's double
//! replies, the node's sorted-set scores in ZSCAN).

use std::fmt::{self, Write as _};

/// Parses a decimal integer with Redis's `string2ll` rules: an optional `-`, then either `0` alone or
/// digits without a leading zero, at most 20 bytes in all, fitting in an `i64`. Nothing else (no
/// `+`, no spaces, no `-0`) is accepted.
pub fn parse_i64(text: &[u8]) -> Option<i64> {
    if text.is_empty() || text.len() > 20 {
        return None;
    }
    if text == b"0" {
        return Some(0);
    }
    let (negative, digits) = match text.split_first() {
        Some((b'-', digits)) => (true, digits),
        _ => (false, text),
    };
    match digits.first() {
        Some(b'1'..=b'9') => {}
        _ => return None,
    }
    let mut magnitude: u64 = 0;
    for &digit in digits {
        if !digit.is_ascii_digit() {
            return None;
        }
        magnitude = magnitude
            .checked_mul(10)?
            .checked_add(u64::from(digit - b'0'))?;
    }
    if negative {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
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
    let e_idx = unsigned
        .iter()
        .position(|&b| b == b'e')
        .unwrap_or(unsigned.len());
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
        // At least two digits, at most three (the largest decimal exponent of a double is 324).
        let magnitude = exponent.unsigned_abs();
        let digits = [magnitude / 100, magnitude / 10 % 10, magnitude % 10].map(|d| b'0' + d as u8);
        let skip = if magnitude >= 100 { 0 } else { 1 };
        text.push(&digits[skip..]);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string2ll_rules() {
        let ok: &[(&[u8], i64)] = &[
            (b"0", 0),
            (b"1", 1),
            (b"-1", -1),
            (b"9223372036854775807", i64::MAX),
            (b"-9223372036854775808", i64::MIN),
        ];
        for (text, n) in ok {
            assert_eq!(
                parse_i64(text),
                Some(*n),
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
        let bad: &[&[u8]] = &[
            b"",
            b"-",
            b"+1",
            b"01",
            b"-0",
            b" 1",
            b"1 ",
            b"1a",
            b"9223372036854775808",
            b"-9223372036854775809",
            b"00",
            b"1.0",
        ];
        for text in bad {
            assert_eq!(parse_i64(text), None, "{:?}", String::from_utf8_lossy(text));
        }
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
