//! C's `long double` as Redis 7.0 uses it for HINCRBYFLOAT (and INCRBYFLOAT): parsing
//! (`string2ld`), addition and the "human" formatting of `ld2string` (`%.17Lf` without trailing
//! zeros), emulated exactly in software.
//!
//! Redis on x86-64 computes in the x87 80-bit extended format (64-bit significand, 15-bit exponent),
//! whose extra precision is what makes `HINCRBYFLOAT k f 10.1` reply `10.1` and `0.1 + 0.2` reply
//! `0.3`; doing the same in `f64` would reply `10.09999999999999964` and `0.30000000000000004`.
//! [`LongDouble`] reproduces that format bit for bit with correctly rounded (round half to even)
//! parsing and addition, as glibc's `strtold` and the x87 do, and formats with exact decimal
//! expansion, as glibc's `printf` does. Being pure integer arithmetic, it also gives the same answer
//! on every replica whatever its CPU (on aarch64, C's `long double` is a different format).

use std::cmp::Ordering;

/// Longest text `string2ld` accepts: Redis's `MAX_LONG_DOUBLE_CHARS` (5 KiB) minus the NUL.
const MAX_TEXT_LEN: usize = 5 * 1024 - 1;
/// Number of significand bits of the x87 extended format (the integer bit is explicit).
const SIGNIFICAND_BITS: i64 = 64;
/// The exponent of the significand's lowest bit for the smallest normal and every subnormal value:
/// the smallest positive value is `1 × 2^MIN_EXPONENT` (about 3.6e-4951).
const MIN_EXPONENT: i64 = -16445;
/// The largest exponent of the significand's lowest bit: the largest finite value is
/// `(2^64 - 1) × 2^MAX_EXPONENT` (about 1.19e4932).
const MAX_EXPONENT: i64 = 16320;
/// Digits after the point in `%.17Lf`.
const FRACTION_DIGITS: usize = 17;

/// A value of the x87 80-bit extended-precision format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LongDouble {
    /// Zero, with its sign.
    Zero {
        /// True for `-0`.
        negative: bool,
    },
    /// A finite nonzero value, `significand × 2^exponent`.
    Finite {
        /// True for a negative value.
        negative: bool,
        /// The significand; its top bit is set unless the value is subnormal.
        significand: u64,
        /// The exponent of the significand's lowest bit, in `MIN_EXPONENT..=MAX_EXPONENT`.
        exponent: i32,
    },
    /// An infinity.
    Infinite {
        /// True for `-inf`.
        negative: bool,
    },
    /// Not a number.
    NaN,
}

impl LongDouble {
    /// Parses `text` as Redis's `string2ld` does: the whole text must be a number for glibc's
    /// `strtold` (decimal or hexadecimal, `inf` or `infinity` in any case, with an optional sign), no
    /// leading space, at most 5119 bytes, not NaN, and neither overflowing nor rounding a nonzero
    /// value to zero. Returns `None` when Redis would refuse the text.
    pub fn parse(text: &[u8]) -> Option<LongDouble> {
        if text.is_empty() || text.len() > MAX_TEXT_LEN || is_c_space(text[0]) {
            return None;
        }
        let (negative, rest) = match text[0] {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        if rest.eq_ignore_ascii_case(b"inf") || rest.eq_ignore_ascii_case(b"infinity") {
            return Some(LongDouble::Infinite { negative });
        }
        if rest.len() > 2
            && rest[0] == b'0'
            && (rest[1] == b'x' || rest[1] == b'X')
            && has_hex_digits(&rest[2..])
        {
            parse_hex(negative, &rest[2..])
        } else {
            parse_decimal(negative, rest)
        }
    }

    /// Converts an integer exactly (the 64-bit significand holds every `i64`).
    pub fn from_i64(n: i64) -> LongDouble {
        round(n < 0, &Big::from_u64(n.unsigned_abs()), false, 0)
    }

    /// Returns true for a finite value (zero included).
    pub fn is_finite(self) -> bool {
        matches!(self, LongDouble::Zero { .. } | LongDouble::Finite { .. })
    }

    /// Formats the value as Redis's `ld2string(…, LD_STR_HUMAN)`: `%.17Lf`, then trailing zeros and
    /// a trailing point removed, and `-0` written `0`; infinities are `inf` and `-inf`.
    pub fn to_human_string(self) -> String {
        let (negative, significand, exponent) = match self {
            LongDouble::Infinite { negative: false } => return "inf".to_owned(),
            LongDouble::Infinite { negative: true } => return "-inf".to_owned(),
            // printf gives "nan" or "-nan"; Redis never formats a NaN here.
            LongDouble::NaN => return "nan".to_owned(),
            LongDouble::Zero { negative } => (negative, 0, 0),
            LongDouble::Finite {
                negative,
                significand,
                exponent,
            } => (negative, significand, exponent),
        };
        // The value times 10^17, rounded half to even to an integer, is the digit string of %.17Lf.
        let scaled = Big::from_u64(significand).mul_pow10(FRACTION_DIGITS as u32);
        let rounded = if exponent >= 0 {
            scaled.shl(exponent as usize)
        } else {
            let shift = exponent.unsigned_abs() as usize;
            let mut rounded = scaled.shr(shift);
            let half = scaled.bit(shift - 1);
            let below_half = scaled.any_below(shift - 1);
            if half && (below_half || rounded.bit(0)) {
                rounded = rounded.add(&Big::from_u64(1));
            }
            rounded
        };
        let mut digits = rounded.to_decimal();
        if digits.len() <= FRACTION_DIGITS {
            let padding = FRACTION_DIGITS + 1 - digits.len();
            digits.insert_str(0, &"0".repeat(padding));
        }
        let point = digits.len() - FRACTION_DIGITS;
        let mut res = String::with_capacity(digits.len() + 2);
        if negative {
            res.push('-');
        }
        res.push_str(&digits[..point]);
        let fraction = digits[point..].trim_end_matches('0');
        if !fraction.is_empty() {
            res.push('.');
            res.push_str(fraction);
        }
        if res == "-0" {
            res.remove(0);
        }
        res
    }
}

impl std::ops::Add for LongDouble {
    type Output = LongDouble;

    /// Returns `self + other`, correctly rounded (round half to even) as the x87 adds in extended
    /// precision. `inf + -inf` is NaN; `x + -x` is `+0`.
    fn add(self, other: LongDouble) -> LongDouble {
        LongDouble::add(self, other)
    }
}

impl LongDouble {
    /// Returns `self + other`, correctly rounded (round half to even) as the x87 adds in extended
    /// precision. `inf + -inf` is NaN; `x + -x` is `+0`. Also available as `+`.
    #[allow(
        clippy::should_implement_trait,
        reason = "`Add` is implemented too; callers need no import"
    )]
    pub fn add(self, other: LongDouble) -> LongDouble {
        use LongDouble::*;
        match (self, other) {
            (NaN, _) | (_, NaN) => NaN,
            (Infinite { negative: a }, Infinite { negative: b }) if a != b => NaN,
            (Infinite { negative }, _) | (_, Infinite { negative }) => Infinite { negative },
            (Zero { negative: a }, Zero { negative: b }) => Zero { negative: a && b },
            (Zero { .. }, finite) | (finite, Zero { .. }) => finite,
            (
                Finite {
                    negative: a_negative,
                    significand: a_significand,
                    exponent: a_exponent,
                },
                Finite {
                    negative: b_negative,
                    significand: b_significand,
                    exponent: b_exponent,
                },
            ) => {
                // Align both on the smaller exponent and add exactly; the difference of exponents is
                // at most about 32k bits.
                let exponent = a_exponent.min(b_exponent);
                let a = Big::from_u64(a_significand).shl((a_exponent - exponent) as usize);
                let b = Big::from_u64(b_significand).shl((b_exponent - exponent) as usize);
                let (negative, sum) = if a_negative == b_negative {
                    (a_negative, a.add(&b))
                } else {
                    match a.cmp(&b) {
                        Ordering::Greater => (a_negative, a.sub(&b)),
                        Ordering::Less => (b_negative, b.sub(&a)),
                        Ordering::Equal => return Zero { negative: false },
                    }
                };
                round(negative, &sum, false, i64::from(exponent))
            }
        }
    }
}

/// C's `isspace` in the "C" locale.
fn is_c_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Returns true when a hexadecimal significand starts here (a digit, or a point and a digit), as
/// strtold requires after `0x`; otherwise it parses only the `0`.
fn has_hex_digits(text: &[u8]) -> bool {
    match text {
        [b'.', next, ..] => next.is_ascii_hexdigit(),
        [first, ..] => first.is_ascii_hexdigit(),
        [] => false,
    }
}

/// Parses the optional exponent of a number (`e` or `p`, an optional sign, at least one digit)
/// filling the whole of `text`, saturating far beyond any meaningful value. Returns `None` when
/// `text` is not exactly such an exponent.
fn parse_exponent(text: &[u8], marker: u8) -> Option<i64> {
    if text.is_empty() {
        return Some(0);
    }
    if !text[0].eq_ignore_ascii_case(&marker) {
        return None;
    }
    let (negative, digits) = match text.get(1) {
        Some(b'-') => (true, &text[2..]),
        Some(b'+') => (false, &text[2..]),
        _ => (false, &text[1..]),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    const SATURATED: i64 = 1 << 40;
    let magnitude = digits.iter().fold(0i64, |acc, &d| {
        (acc * 10 + i64::from(d - b'0')).min(SATURATED)
    });
    Some(if negative { -magnitude } else { magnitude })
}

/// Parses a decimal number without its sign: digits with an optional point (at least one digit),
/// then an optional exponent. Returns `None` for a text that is not such a number, and for a nonzero
/// value that overflows or rounds to zero (strtold's ERANGE, which string2ld refuses).
fn parse_decimal(negative: bool, text: &[u8]) -> Option<LongDouble> {
    let n_int = text.iter().take_while(|b| b.is_ascii_digit()).count();
    let mut idx = n_int;
    let mut n_frac = 0;
    if text.get(idx) == Some(&b'.') {
        idx += 1;
        n_frac = text[idx..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        idx += n_frac;
    }
    if n_int + n_frac == 0 {
        return None;
    }
    let exponent = parse_exponent(&text[idx..], b'e')?;
    let digits = text[..n_int]
        .iter()
        .chain(text[n_int..].iter().skip(1).take(n_frac));
    // The significant digits, without leading zeros, and the exponent of the last one.
    let mut significant: Vec<u8> = digits.skip_while(|&&d| d == b'0').copied().collect();
    let mut exponent10 = exponent - n_frac as i64;
    while significant.last() == Some(&b'0') {
        significant.pop();
        exponent10 += 1;
    }
    if significant.is_empty() {
        return Some(LongDouble::Zero { negative });
    }
    // Far outside the range: 10^4933 overflows, and below 10^-4960 rounds to zero (the smallest
    // subnormal is about 3.6e-4951). Closer cases are computed exactly.
    let magnitude = significant.len() as i64 + exponent10;
    if !(-4960..=4934).contains(&magnitude) {
        return None;
    }
    let mut value = Big::default();
    for chunk in significant.chunks(9) {
        let chunk_value = chunk
            .iter()
            .fold(0u32, |acc, &d| acc * 10 + u32::from(d - b'0'));
        value = value.mul_small(10u32.pow(chunk.len() as u32));
        value = value.add(&Big::from_u64(u64::from(chunk_value)));
    }
    if exponent10 >= 0 {
        let value = value.mul_pow10(exponent10 as u32);
        return in_range(round(negative, &value, false, 0));
    }
    // value / 10^k: divide with enough quotient bits (at least 66) for a correct rounding, keeping
    // the remainder as a sticky bit.
    let divisor = Big::from_u64(1).mul_pow10(exponent10.unsigned_abs() as u32);
    let shift = divisor.bit_len() as i64 + 66 - value.bit_len() as i64;
    let (dividend, divisor) = if shift >= 0 {
        (value.shl(shift as usize), divisor)
    } else {
        (value, divisor.shl(shift.unsigned_abs() as usize))
    };
    let (quotient, remainder_is_zero) = divide_small_quotient(&dividend, &divisor);
    in_range(round(negative, &quotient, !remainder_is_zero, -shift))
}

/// Returns a rounded nonzero value unless it overflowed to an infinity or underflowed to zero,
/// where strtold reports ERANGE.
fn in_range(value: LongDouble) -> Option<LongDouble> {
    match value {
        LongDouble::Finite { .. } => Some(value),
        _ => None,
    }
}

/// Parses a hexadecimal number after its `0x`: hex digits with an optional point, then an
/// optional binary exponent (`p`). Out-of-range values are `None`, as for decimals.
fn parse_hex(negative: bool, text: &[u8]) -> Option<LongDouble> {
    let n_int = text.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    let mut idx = n_int;
    let mut n_frac = 0;
    if text.get(idx) == Some(&b'.') {
        idx += 1;
        n_frac = text[idx..]
            .iter()
            .take_while(|b| b.is_ascii_hexdigit())
            .count();
        idx += n_frac;
    }
    let exponent = parse_exponent(&text[idx..], b'p')?;
    let digits = text[..n_int]
        .iter()
        .chain(text[n_int..].iter().skip(1).take(n_frac));
    let mut value = Big::default();
    for &digit in digits {
        let nibble = (digit as char).to_digit(16).unwrap_or(0);
        value = value.shl(4).add(&Big::from_u64(u64::from(nibble)));
    }
    if value.is_zero() {
        return Some(LongDouble::Zero { negative });
    }
    in_range(round(negative, &value, false, exponent - 4 * n_frac as i64))
}

/// Divides where the quotient is known to be below 2^128; returns the quotient and whether the
/// remainder is zero.
fn divide_small_quotient(dividend: &Big, divisor: &Big) -> (Big, bool) {
    let mut remainder = dividend.clone();
    let mut quotient: u128 = 0;
    let top = dividend.bit_len().saturating_sub(divisor.bit_len());
    for k in (0..=top).rev() {
        let shifted = divisor.shl(k);
        if remainder.cmp(&shifted) != Ordering::Less {
            remainder = remainder.sub(&shifted);
            quotient |= 1u128 << k;
        }
    }
    let quotient =
        Big::from_u64(quotient as u64).add(&Big::from_u64((quotient >> 64) as u64).shl(64));
    (quotient, remainder.is_zero())
}

/// Rounds `(value + δ) × 2^exponent` to the extended format, where `δ` is some number strictly
/// between 0 and 1 when `sticky` and 0 otherwise: to 64 significant bits, or fewer for subnormal
/// results, half to even. Overflow gives an infinity and underflow a zero.
fn round(negative: bool, value: &Big, sticky: bool, exponent: i64) -> LongDouble {
    if value.is_zero() {
        return LongDouble::Zero { negative };
    }
    let mut shift = value.bit_len() as i64 - SIGNIFICAND_BITS;
    let mut result_exponent = exponent + shift;
    if result_exponent < MIN_EXPONENT {
        shift += MIN_EXPONENT - result_exponent;
        result_exponent = MIN_EXPONENT;
    }
    let mut significand = if shift <= 0 {
        // Exact: the value has at most 64 bits.
        value.low_u64() << shift.unsigned_abs()
    } else {
        let shift = shift as usize;
        let mut significand = value.shr(shift).low_u64();
        let half = value.bit(shift - 1);
        let below_half = sticky || value.any_below(shift - 1);
        if half && (below_half || significand & 1 == 1) {
            significand = match significand.checked_add(1) {
                Some(s) => s,
                None => {
                    result_exponent += 1;
                    1 << 63
                }
            };
        }
        significand
    };
    if significand == 0 {
        return LongDouble::Zero { negative };
    }
    if result_exponent > MAX_EXPONENT {
        return LongDouble::Infinite { negative };
    }
    // A subnormal value rounded up to 2^64 × 2^MIN cannot happen (it has fewer than 64 bits), and a
    // normal result has 64 bits, so the significand needs no further normalization.
    if significand >> 63 == 0 && result_exponent > MIN_EXPONENT {
        let lead = significand.leading_zeros() as i64;
        let lead = lead.min(result_exponent - MIN_EXPONENT);
        significand <<= lead;
        result_exponent -= lead;
    }
    LongDouble::Finite {
        negative,
        significand,
        exponent: result_exponent as i32,
    }
}

/// A minimal unsigned big integer: little-endian 32-bit limbs without high zero limbs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Big {
    limbs: Vec<u32>,
}

impl Big {
    fn from_u64(n: u64) -> Big {
        let mut big = Big {
            limbs: vec![n as u32, (n >> 32) as u32],
        };
        big.trim();
        big
    }

    fn trim(&mut self) {
        while self.limbs.last() == Some(&0) {
            self.limbs.pop();
        }
    }

    fn is_zero(&self) -> bool {
        self.limbs.is_empty()
    }

    fn bit_len(&self) -> usize {
        match self.limbs.last() {
            None => 0,
            Some(&top) => self.limbs.len() * 32 - top.leading_zeros() as usize,
        }
    }

    fn bit(&self, idx: usize) -> bool {
        self.limbs
            .get(idx / 32)
            .is_some_and(|limb| (limb >> (idx % 32)) & 1 == 1)
    }

    /// Returns true when any bit below `idx` is set.
    fn any_below(&self, idx: usize) -> bool {
        let full = (idx / 32).min(self.limbs.len());
        if self.limbs[..full].iter().any(|&limb| limb != 0) {
            return true;
        }
        let partial = idx % 32;
        partial > 0
            && self
                .limbs
                .get(full)
                .is_some_and(|limb| limb & ((1u32 << partial) - 1) != 0)
    }

    fn low_u64(&self) -> u64 {
        let low = u64::from(self.limbs.first().copied().unwrap_or(0));
        let high = u64::from(self.limbs.get(1).copied().unwrap_or(0));
        low | (high << 32)
    }

    fn shl(&self, bits: usize) -> Big {
        if self.is_zero() {
            return Big::default();
        }
        let (limb_shift, bit_shift) = (bits / 32, bits % 32);
        let mut limbs = vec![0u32; limb_shift];
        limbs.reserve(self.limbs.len() + 1);
        let mut carry = 0u32;
        for &limb in &self.limbs {
            if bit_shift == 0 {
                limbs.push(limb);
            } else {
                limbs.push((limb << bit_shift) | carry);
                carry = limb >> (32 - bit_shift);
            }
        }
        limbs.push(carry);
        let mut big = Big { limbs };
        big.trim();
        big
    }

    fn shr(&self, bits: usize) -> Big {
        let (limb_shift, bit_shift) = (bits / 32, bits % 32);
        if limb_shift >= self.limbs.len() {
            return Big::default();
        }
        let source = &self.limbs[limb_shift..];
        let mut limbs = Vec::with_capacity(source.len());
        for (idx, &limb) in source.iter().enumerate() {
            if bit_shift == 0 {
                limbs.push(limb);
            } else {
                let next = source.get(idx + 1).copied().unwrap_or(0);
                limbs.push((limb >> bit_shift) | (next << (32 - bit_shift)));
            }
        }
        let mut big = Big { limbs };
        big.trim();
        big
    }

    fn add(&self, other: &Big) -> Big {
        let len = self.limbs.len().max(other.limbs.len());
        let mut limbs = Vec::with_capacity(len + 1);
        let mut carry = 0u64;
        for idx in 0..len {
            let sum = u64::from(self.limbs.get(idx).copied().unwrap_or(0))
                + u64::from(other.limbs.get(idx).copied().unwrap_or(0))
                + carry;
            limbs.push(sum as u32);
            carry = sum >> 32;
        }
        limbs.push(carry as u32);
        let mut big = Big { limbs };
        big.trim();
        big
    }

    /// Returns `self - other`; `self` must not be smaller.
    fn sub(&self, other: &Big) -> Big {
        let mut limbs = Vec::with_capacity(self.limbs.len());
        let mut borrow = 0i64;
        for idx in 0..self.limbs.len() {
            let mut diff = i64::from(self.limbs[idx])
                - i64::from(other.limbs.get(idx).copied().unwrap_or(0))
                - borrow;
            borrow = 0;
            if diff < 0 {
                diff += 1 << 32;
                borrow = 1;
            }
            limbs.push(diff as u32);
        }
        let mut big = Big { limbs };
        big.trim();
        big
    }

    fn cmp(&self, other: &Big) -> Ordering {
        self.limbs
            .len()
            .cmp(&other.limbs.len())
            .then_with(|| self.limbs.iter().rev().cmp(other.limbs.iter().rev()))
    }

    fn mul_small(&self, factor: u32) -> Big {
        let mut limbs = Vec::with_capacity(self.limbs.len() + 1);
        let mut carry = 0u64;
        for &limb in &self.limbs {
            let product = u64::from(limb) * u64::from(factor) + carry;
            limbs.push(product as u32);
            carry = product >> 32;
        }
        limbs.push(carry as u32);
        let mut big = Big { limbs };
        big.trim();
        big
    }

    fn mul_pow10(&self, mut power: u32) -> Big {
        let mut big = self.clone();
        while power >= 9 {
            big = big.mul_small(1_000_000_000);
            power -= 9;
        }
        big.mul_small(10u32.pow(power))
    }

    /// Divides in place by `divisor` and returns the remainder.
    fn div_rem_small(&mut self, divisor: u32) -> u32 {
        let mut remainder = 0u64;
        for limb in self.limbs.iter_mut().rev() {
            let current = (remainder << 32) | u64::from(*limb);
            *limb = (current / u64::from(divisor)) as u32;
            remainder = current % u64::from(divisor);
        }
        self.trim();
        remainder as u32
    }

    fn to_decimal(&self) -> String {
        let mut chunks = Vec::new();
        let mut rest = self.clone();
        while !rest.is_zero() {
            chunks.push(rest.div_rem_small(1_000_000_000));
        }
        let Some((top, lower)) = chunks.split_last() else {
            return "0".to_owned();
        };
        let mut res = top.to_string();
        for chunk in lower.iter().rev() {
            res.push_str(&format!("{chunk:09}"));
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incr(current: &str, increment: &str) -> String {
        let a = LongDouble::parse(current.as_bytes()).unwrap();
        let b = LongDouble::parse(increment.as_bytes()).unwrap();
        (a + b).to_human_string()
    }

    #[test]
    fn human_formatting_like_redis() {
        // Expected values are Redis 7.0 on x86-64 (the INCRBYFLOAT and HINCRBYFLOAT test suites
        // and the documented examples).
        let cases: &[(&str, &str, &str)] = &[
            ("0", "10.5", "10.5"),
            ("10.5", "0.1", "10.6"),
            ("5.0e3", "2.0e2", "5200"),
            ("0", "3.0e3", "3000"),
            ("0", "10.1", "10.1"),
            ("0.1", "0.2", "0.3"),
            ("1", "-1.1", "-0.1"),
            ("1.5", "1.5", "3"),
            ("17179869184", "1.5", "17179869185.5"),
            ("17179869184", "17179869184", "34359738368"),
            ("0", "1", "1"),
            ("0", "0.25", "0.25"),
            ("1", "-1", "0"),
            ("-1", "0", "-1"),
            ("0", "-0", "0"),
            ("0", "1e-20", "0"),
            ("0", "1e20", "100000000000000000000"),
            ("0", "0x10", "16"),
            ("0", "0x1p-2", "0.25"),
            ("0", "  1".trim(), "1"),
            ("0", "+.5", "0.5"),
            ("0", "5.", "5"),
            ("0", "1E+2", "100"),
            ("3.14159265358979323846", "0", "3.14159265358979324"),
            ("0", "0.123456789012345678901", "0.12345678901234568"),
        ];
        for (current, increment, expected) in cases {
            assert_eq!(
                &incr(current, increment),
                expected,
                "{current} + {increment}"
            );
        }
    }

    #[test]
    fn parse_like_string2ld() {
        let good: &[&str] = &[
            "0",
            "-0",
            "1",
            "+1",
            "1.",
            ".5",
            "1e5",
            "1E-5",
            "1e+5",
            "0x1p3",
            "0X.8P1",
            "inf",
            "-INF",
            "Infinity",
            "1e4931",
            "1e-4950",
            "00001",
            "0.0e99999999999999999999",
        ];
        for text in good {
            assert!(LongDouble::parse(text.as_bytes()).is_some(), "{text:?}");
        }
        let bad: &[&str] = &[
            "",
            " 1",
            "\t1",
            "1 ",
            "abc",
            "1a",
            "1e",
            "1e+",
            ".",
            "-",
            "+",
            "e5",
            "0x",
            "0xg",
            "nan",
            "NaN",
            "-nan",
            "infin",
            "1e4933",
            "1e-4952",
            "1e99999999999999999999",
            "--1",
            "1..2",
            "1,5",
            "0x1p",
            "١",
        ];
        for text in bad {
            assert_eq!(LongDouble::parse(text.as_bytes()), None, "{text:?}");
        }
        // 5119 bytes at most.
        let mut longest = b"1.".to_vec();
        longest.resize(5119, b'0');
        assert_eq!(LongDouble::parse(&longest), Some(LongDouble::from_i64(1)));
        longest.push(b'0');
        assert_eq!(LongDouble::parse(&longest), None);
        let mut long_zeros = vec![b'0'; 5000];
        long_zeros.extend_from_slice(b"1.5");
        assert_eq!(
            LongDouble::parse(&long_zeros).map(|v| v.to_human_string()),
            Some("1.5".to_owned())
        );
    }

    #[test]
    fn extended_precision_details() {
        // 2^64 + 1 is not representable: it rounds to even.
        let big = LongDouble::parse(b"18446744073709551617").unwrap();
        assert_eq!(big.to_human_string(), "18446744073709551616");
        // i64 values are exact.
        for n in [0, 1, -1, i64::MAX, i64::MIN, 123_456_789_012_345_678] {
            assert_eq!(LongDouble::from_i64(n).to_human_string(), n.to_string());
            assert_eq!(
                LongDouble::parse(n.to_string().as_bytes()),
                Some(LongDouble::from_i64(n))
            );
        }
        // The largest finite value, and overflow by addition.
        let max = LongDouble::parse(b"1.18973149535723176502e+4932").unwrap();
        assert!(max.is_finite());
        assert!(!(max + max).is_finite());
        let inf = LongDouble::parse(b"inf").unwrap();
        let minus_inf = LongDouble::parse(b"-inf").unwrap();
        assert_eq!(inf + minus_inf, LongDouble::NaN);
        assert_eq!(inf + LongDouble::from_i64(1), inf);
        // Subnormals keep their reduced precision: the smallest one plus itself is exact.
        let tiny = LongDouble::parse(b"4e-4951").unwrap();
        assert_eq!(
            tiny,
            LongDouble::Finite {
                negative: false,
                significand: 1,
                exponent: MIN_EXPONENT as i32
            }
        );
        assert_eq!((tiny + tiny).to_human_string(), "0");
        // Rounding half to even at the 17th decimal: 1 + 2^-18 = 1.000003814697265625.
        let tie = LongDouble::parse(b"0x1.00004p0").unwrap();
        assert_eq!(tie.to_human_string(), "1.00000381469726562");
        let above = LongDouble::parse(b"0x1.000040000000001p0").unwrap();
        assert_eq!(above.to_human_string(), "1.00000381469726563");
    }

    #[test]
    fn parsing_is_correctly_rounded() {
        // Decimal texts of f64 values must parse to those values exactly (f64 ⊂ extended).
        let mut state: u64 = 99;
        for _ in 0..2000 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let value = f64::from_bits(state >> 1);
            if !value.is_finite() || !(1e-250..1e250).contains(&value) {
                continue;
            }
            let text = format!("{value:e}");
            let parsed = LongDouble::parse(text.as_bytes()).unwrap();
            let LongDouble::Finite {
                significand,
                exponent,
                ..
            } = parsed
            else {
                panic!("{text} parsed as {parsed:?}");
            };
            // The shortest round-trip text is not the exact f64 value, but it is within half an f64
            // ulp of it, so the extended value converts back to the same f64.
            assert_eq!((significand as f64) * 2f64.powi(exponent), value, "{text}");
        }
    }
}
