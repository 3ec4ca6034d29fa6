//! Redis's glob-style pattern matching (`stringmatchlen` in Redis 7.0 `util.c`), used by MATCH.
//!
//! Syntax, with Redis's exact quirks:
//!
//! - `*` matches any run of bytes, `?` any one byte, `\x` the byte `x`; other bytes match themselves.
//! - `[abc]` matches one of the listed bytes, `[^abc]` one byte not listed, `[a-z]` a range (reversed
//!   ends are swapped; bytes compare as C's signed `char`), `\x` inside a class is `x`, compared
//!   case-sensitively even with `nocase`. A class that is not closed runs to the end of the pattern.
//!   A range's end may be a `]`, in which case the class goes on to the next `]`.
//! - The empty string matches only the empty pattern (so `*` does not match it, as in Redis).
//!
//! Redis matches recursively (exponential on patterns like `*a*a*a*b` without its "skip longer
//! matches" shortcut). This matcher is iterative and backtracks only to the last `*`, which gives the
//! same answers, because every token other than `*` matches exactly one byte, in O(pattern × string)
//! steps at worst and no recursion, whatever the pattern. It keeps Redis's one observable limit:
//! Redis stops recursing after 1000 nested `*` groups, so a pattern needing a 1001st `*` group
//! that is not its last token never matches (see [`MAX_STAR_NESTING`]).

/// Redis's recursion limit (`nesting > 1000` in `stringmatchlen_impl`): each `*` group reached
/// while bytes remain nests one level deeper; a trailing `*` matches without recursing.
const MAX_STAR_NESTING: usize = 1000;

/// Returns true when `string` matches the glob `pattern`; `nocase` compares ASCII letters without
/// case, as `stringmatchlen(…, nocase = 1)`.
pub fn glob_match(pattern: &[u8], string: &[u8], nocase: bool) -> bool {
    // Redis's loop never runs on an empty string, and only an empty pattern is left then.
    if string.is_empty() {
        return pattern.is_empty();
    }
    let mut p = 0;
    let mut s = 0;
    // After the last `*` seen: the pattern position following it and the string position it was
    // last tried at.
    let mut backtrack: Option<(usize, usize)> = None;
    // `*` groups entered so far; backtracking never re-enters a group.
    let mut n_star_groups = 0;
    while s < string.len() {
        if pattern.get(p) == Some(&b'*') {
            while pattern.get(p) == Some(&b'*') {
                p += 1;
            }
            n_star_groups += 1;
            if n_star_groups > MAX_STAR_NESTING && p < pattern.len() {
                return false;
            }
            backtrack = Some((p, s));
            continue;
        }
        if p < pattern.len()
            && let Some(next) = match_token(pattern, p, string[s], nocase)
        {
            p = next;
            s += 1;
            continue;
        }
        // The token failed (or the pattern ended): let the last `*` swallow one more byte.
        match backtrack {
            Some((star_p, star_s)) => {
                backtrack = Some((star_p, star_s + 1));
                p = star_p;
                s = star_s + 1;
            }
            None => return false,
        }
    }
    while pattern.get(p) == Some(&b'*') {
        p += 1;
    }
    p == pattern.len()
}

/// Matches the token at `pattern[p]` (not `*`) against the byte `c`; returns the position after
/// the token when it matches.
fn match_token(pattern: &[u8], p: usize, c: u8, nocase: bool) -> Option<usize> {
    match pattern[p] {
        b'?' => Some(p + 1),
        b'[' => match_class(pattern, p + 1, c, nocase),
        b'\\' if pattern.len() - p >= 2 => same_byte(pattern[p + 1], c, nocase).then_some(p + 2),
        literal => same_byte(literal, c, nocase).then_some(p + 1),
    }
}

/// Matches a class whose body starts at `pattern[i]` (right after `[`) against `c`, following
/// Redis's loop byte for byte; returns the position after the class when it matches.
fn match_class(pattern: &[u8], mut i: usize, c: u8, nocase: bool) -> Option<usize> {
    let negate = pattern.get(i) == Some(&b'^');
    if negate {
        i += 1;
    }
    let mut matched = false;
    loop {
        let remaining = pattern.len() - i;
        if remaining >= 2 && pattern[i] == b'\\' {
            i += 1;
            // Escaped bytes compare exactly, even with `nocase` (as in Redis).
            if pattern[i] == c {
                matched = true;
            }
        } else if remaining >= 1 && pattern[i] == b']' {
            break;
        } else if remaining == 0 {
            // An unclosed class: step back so that the step after the class ends the pattern.
            i -= 1;
            break;
        } else if remaining >= 3 && pattern[i + 1] == b'-' {
            // C compares `char`s, which are signed on the platforms Redis runs on.
            let mut start = i32::from(pattern[i] as i8);
            let mut end = i32::from(pattern[i + 2] as i8);
            let mut byte = i32::from(c as i8);
            if start > end {
                std::mem::swap(&mut start, &mut end);
            }
            if nocase {
                start = c_tolower(start);
                end = c_tolower(end);
                byte = c_tolower(byte);
            }
            i += 2;
            if (start..=end).contains(&byte) {
                matched = true;
            }
        } else if same_byte(pattern[i], c, nocase) {
            matched = true;
        }
        i += 1;
    }
    (matched != negate).then_some(i + 1)
}

/// Compares two bytes, ignoring ASCII case when `nocase` (C's `tolower` in the "C" locale).
fn same_byte(a: u8, b: u8, nocase: bool) -> bool {
    if nocase {
        a.eq_ignore_ascii_case(&b)
    } else {
        a == b
    }
}

/// C's `tolower` in the "C" locale on a `char` value: only `A`..`Z` change.
fn c_tolower(c: i32) -> i32 {
    if (i32::from(b'A')..=i32::from(b'Z')).contains(&c) {
        c + 32
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A direct transcription of Redis 7.0's recursive `stringmatchlen_impl`, to compare against.
    fn redis_reference(pattern: &[u8], string: &[u8], nocase: bool) -> bool {
        fn at(buf: &[u8], idx: usize) -> u8 {
            // C reads the terminating NUL past the end.
            buf.get(idx).copied().unwrap_or(0)
        }
        fn imp(
            pat: &[u8],
            mut p: usize,
            st: &[u8],
            mut s: usize,
            nocase: bool,
            skip: &mut bool,
        ) -> bool {
            let lower = |c: i32| c_tolower(c);
            while p < pat.len() && s < st.len() {
                match pat[p] {
                    b'*' => {
                        while p < pat.len() && at(pat, p + 1) == b'*' {
                            p += 1;
                        }
                        if pat.len() - p == 1 {
                            return true;
                        }
                        while s < st.len() {
                            if imp(pat, p + 1, st, s, nocase, skip) {
                                return true;
                            }
                            if *skip {
                                return false;
                            }
                            s += 1;
                        }
                        *skip = true;
                        return false;
                    }
                    b'?' => s += 1,
                    b'[' => {
                        p += 1;
                        let not = at(pat, p) == b'^';
                        if not {
                            p += 1;
                        }
                        let mut matched = false;
                        loop {
                            let len = pat.len() - p;
                            if at(pat, p) == b'\\' && len >= 2 {
                                p += 1;
                                if pat[p] == st[s] {
                                    matched = true;
                                }
                            } else if at(pat, p) == b']' {
                                break;
                            } else if len == 0 {
                                p -= 1;
                                break;
                            } else if len >= 3 && pat[p + 1] == b'-' {
                                let (mut a, mut b) = (pat[p] as i8 as i32, pat[p + 2] as i8 as i32);
                                let mut c = st[s] as i8 as i32;
                                if a > b {
                                    std::mem::swap(&mut a, &mut b);
                                }
                                if nocase {
                                    a = lower(a);
                                    b = lower(b);
                                    c = lower(c);
                                }
                                p += 2;
                                if c >= a && c <= b {
                                    matched = true;
                                }
                            } else if same_byte(pat[p], st[s], nocase) {
                                matched = true;
                            }
                            p += 1;
                        }
                        if not {
                            matched = !matched;
                        }
                        if !matched {
                            return false;
                        }
                        s += 1;
                    }
                    other => {
                        let mut lit = other;
                        if other == b'\\' && pat.len() - p >= 2 {
                            p += 1;
                            lit = pat[p];
                        }
                        if !same_byte(lit, st[s], nocase) {
                            return false;
                        }
                        s += 1;
                    }
                }
                p += 1;
                if s == st.len() {
                    while at(pat, p) == b'*' {
                        p += 1;
                    }
                    break;
                }
            }
            p == pat.len() && s == st.len()
        }
        imp(pattern, 0, string, 0, nocase, &mut false)
    }

    #[test]
    fn redis_cases() {
        let cases: &[(&str, &str, bool)] = &[
            ("", "", true),
            ("*", "", false),
            ("", "a", false),
            ("*", "anything", true),
            ("**", "x", true),
            ("a*", "a", true),
            ("a*b", "a", false),
            ("h?llo", "hello", true),
            ("h?llo", "hllo", false),
            ("h*llo", "heeeello", true),
            ("h[ae]llo", "hallo", true),
            ("h[ae]llo", "hillo", false),
            ("h[^e]llo", "hallo", true),
            ("h[^e]llo", "hello", false),
            ("h[a-b]llo", "hbllo", true),
            ("h[b-a]llo", "hallo", true),
            ("h[a-b]llo", "hcllo", false),
            ("h\\*llo", "h*llo", true),
            ("h\\*llo", "hello", false),
            ("\\", "\\", true),
            ("a\\", "a\\", true),
            ("[\\]]", "]", true),
            ("[\\", "\\", true),
            ("[abc", "b", true),
            ("[abc", "bc", false),
            ("[", "a", false),
            ("[^", "a", true),
            ("[]", "a", false),
            ("[a-]x]", "]", true),
            ("*[ab", "xxb", true),
            (
                "*a*a*a*a*a*a*a*a*b",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                false,
            ),
            ("user:*:name", "user:42:name", true),
            ("user:*:name", "user:42:age", false),
            ("*.*", "a.b.c", true),
        ];
        for (pattern, string, expected) in cases {
            assert_eq!(
                glob_match(pattern.as_bytes(), string.as_bytes(), false),
                *expected,
                "{pattern:?} vs {string:?}"
            );
            assert_eq!(
                redis_reference(pattern.as_bytes(), string.as_bytes(), false),
                *expected,
                "reference: {pattern:?} vs {string:?}"
            );
        }
    }

    #[test]
    fn nocase() {
        assert!(glob_match(b"HeLLo", b"hello", true));
        assert!(!glob_match(b"HeLLo", b"hello", false));
        assert!(glob_match(b"[A-C]x", b"bX", true));
        assert!(!glob_match(b"[A-C]x", b"bx", false));
        // Escapes inside a class stay case-sensitive.
        assert!(!glob_match(b"[\\A]", b"a", true));
        assert!(glob_match(b"\\A", b"a", true));
    }

    #[test]
    fn high_bytes_compare_as_signed_chars() {
        // [a-\xff] is the signed range -1..=97: it holds \xff and the bytes 0..=97, not \x80.
        assert!(glob_match(b"[a-\xff]", b"\xff", false));
        assert!(glob_match(b"[a-\xff]", b"\x00", false));
        assert!(!glob_match(b"[a-\xff]", b"\x80", false));
        assert!(!glob_match(b"[a-\xff]", b"b", false));
        assert!(glob_match(b"[\x80-\xff]", b"\x90", false));
    }

    #[test]
    fn hostile_patterns_are_fast() {
        let string = vec![b'a'; 10_000];
        let mut pattern = b"*a".repeat(500);
        pattern.extend_from_slice(b"*b");
        let started = std::time::Instant::now();
        assert!(!glob_match(&pattern, &string, false));
        assert!(!glob_match(&[b'['; 5000], &string, false));
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn stops_after_a_thousand_nested_stars_as_redis() {
        // Checked against redis-server 7.0.15 with KEYS.
        for (n, matches) in [(1000, true), (1001, false)] {
            let string = vec![b'a'; n];
            assert_eq!(glob_match(&b"*a".repeat(n), &string, false), matches, "{n}");
            let mut trailing = b"*a".repeat(n - 1);
            trailing.push(b'*');
            assert!(
                glob_match(&trailing, &string, false),
                "{n} with a trailing star"
            );
        }
        // Redis's "pattern matching very long nested loops" regression test.
        assert!(!glob_match(&b"*?".repeat(50_000), &[b'a'; 50_000], false));
    }

    #[test]
    fn agrees_with_the_redis_algorithm_on_random_inputs() {
        // A small alphabet makes matches, classes and escapes frequent.
        const PATTERN_BYTES: &[u8] = b"ab*?[]^-\\A\xff";
        const STRING_BYTES: &[u8] = b"ab]-^\\A\xff";
        let mut state: u64 = 0x1234_5678;
        let mut next = move |n: usize| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) as usize) % n
        };
        for _ in 0..200_000 {
            let pattern: Vec<u8> = (0..next(9))
                .map(|_| PATTERN_BYTES[next(PATTERN_BYTES.len())])
                .collect();
            let string: Vec<u8> = (0..next(7))
                .map(|_| STRING_BYTES[next(STRING_BYTES.len())])
                .collect();
            let nocase = next(2) == 1;
            assert_eq!(
                glob_match(&pattern, &string, nocase),
                redis_reference(&pattern, &string, nocase),
                "{:?} vs {:?} nocase {nocase}",
                String::from_utf8_lossy(&pattern),
                String::from_utf8_lossy(&string),
            );
        }
    }
}
