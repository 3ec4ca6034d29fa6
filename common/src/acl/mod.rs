//! Redis 7.0's ACL users: rules, their description, and permission checks.
//!
//! - [`User`]: one user (flags, password hashes, a root [`Selector`] and further selectors),
//!   changed by ACL SETUSER rules exactly as Redis's `ACLSetUser` does ([`User::set_rules`]),
//!   described as `ACL LIST` shows it ([`User::describe`]), and checked against a call
//!   ([`User::check`]).
//! - [`Selector`]: commands (a bitmap over the command table's ACL ids, see
//!   [`crate::command::Target`]), key patterns and channel patterns.
//!
//! Both binaries use this module: the storage node applies SETUSER rules deterministically when
//! the internal ACL commands of [`crate::settings`] are applied from the log, and gateways check
//! every command against the users they keep a copy of.
//!
//! **Persisted form.** A user is stored as a rule string ([`User::to_rules`]) that rebuilds it
//! when replayed on a fresh user: its flags, password hashes, patterns, and the command rules
//! given since the last `+@all`/`-@all` (deduplicated). Replaying rules on the command table
//! keeps their meaning when the table grows (a `-@geo` still denies GEO commands added later),
//! which a bitmap or Redis 7.0's bitmap-derived description would not. Passwords are stored only
//! as SHA-256 hex: `>password` is turned into `#hash` before a rule is written anywhere.

mod selector;
mod user;

pub use selector::{KeyPattern, Selector};
pub use user::{Denied, SetUserError, User};

use sha2::{Digest, Sha256};

/// The user every connection starts as.
pub const DEFAULT_USER: &[u8] = b"default";

/// Length of a password hash in hex.
pub const HASH_LEN: usize = 64;

/// Read permission of a key pattern (`%R~`).
pub const KEY_READ: u8 = 1;
/// Write permission of a key pattern (`%W~`).
pub const KEY_WRITE: u8 = 2;
/// Both permissions (`~`).
pub const KEY_ALL: u8 = KEY_READ | KEY_WRITE;

/// Why an ACL SETUSER rule was refused; `Display` is Redis's text (`ACLSetUserStringError`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// `EINVAL`: not a rule, or a pattern with spaces.
    #[error("Syntax error")]
    Syntax,
    /// `ENOENT`: `+cmd`/`-cmd`/`+@cat` naming nothing known.
    #[error("Unknown command or category name in ACL")]
    UnknownCommand,
    /// `EEXIST`: a key pattern after `allkeys`.
    #[error(
        "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns"
    )]
    PatternAfterAllKeys,
    /// `EISDIR`: a channel pattern after `allchannels`.
    #[error(
        "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels"
    )]
    PatternAfterAllChannels,
    /// `ENODEV`: `<pass` or `!hash` of a password the user does not have.
    #[error("The password you are trying to remove from the user does not exist")]
    NoSuchPassword,
    /// `EBADMSG`: `#hash` or `!hash` that is not 64 lowercase hex digits.
    #[error(
        "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"
    )]
    BadHash,
    /// `ECHILD`: `+container|sub|arg`.
    #[error("Allowing first-arg of a subcommand is not supported")]
    FirstArgOfSubcommand,
}

/// The SHA-256 of a password as 64 lowercase hex digits, as Redis stores passwords.
pub fn hash_password(password: &[u8]) -> String {
    let digest = Sha256::digest(password);
    let mut hex = String::with_capacity(HASH_LEN);
    for b in digest {
        hex.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        hex.push(char::from(b"0123456789abcdef"[usize::from(b & 0xf)]));
    }
    hex
}

/// Returns true for a valid password hash: 64 lowercase hex digits.
pub fn is_valid_hash(hash: &[u8]) -> bool {
    hash.len() == HASH_LEN && hash.iter().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
}

/// Returns true when `s` has whitespace (C's `isspace`) or NUL bytes: Redis refuses those in user
/// names and patterns.
pub fn has_spaces(s: &[u8]) -> bool {
    s.iter()
        .any(|&c| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0))
}

/// Rewrites a plaintext password rule (`>pass`, `<pass`) into its hashed form (`#hash`,
/// `!hash`), which has the same effect; other rules are returned unchanged. Used before a rule
/// is written to the log or kept in memory, so that plaintext passwords are stored nowhere.
pub fn hash_password_rule(rule: &[u8]) -> Option<Vec<u8>> {
    let (prefix, password) = match rule.split_first() {
        Some((b'>', rest)) => (b'#', rest),
        Some((b'<', rest)) => (b'!', rest),
        _ => return None,
    };
    let mut out = Vec::with_capacity(1 + HASH_LEN);
    out.push(prefix);
    out.extend_from_slice(hash_password(password).as_bytes());
    Some(out)
}

/// Merges SETUSER arguments that belong to one selector (`(~key` `+get)` → `(~key +get)`), as
/// Redis's `ACLMergeSelectorArguments`. Fails with the index of the argument that opened an
/// unmatched parenthesis.
pub fn merge_selector_args<A: AsRef<[u8]>>(args: &[A]) -> Result<Vec<Vec<u8>>, usize> {
    let mut merged = Vec::with_capacity(args.len());
    let mut open: Option<(usize, Vec<u8>)> = None;
    for (i, arg) in args.iter().enumerate() {
        let arg = arg.as_ref();
        if let Some((_, group)) = open.as_mut() {
            group.push(b' ');
            group.extend_from_slice(arg);
            if arg.last() == Some(&b')')
                && let Some((_, group)) = open.take()
            {
                merged.push(group);
            }
            continue;
        }
        if arg.first() == Some(&b'(') && arg.last() != Some(&b')') {
            open = Some((i, arg.to_vec()));
            continue;
        }
        merged.push(arg.to_vec());
    }
    match open {
        Some((start, _)) => Err(start),
        None => Ok(merged),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_hash_as_redis() {
        // `ACL SETUSER alice >pw` in Redis 7.0.15 shows this hash.
        assert_eq!(
            hash_password(b"pw"),
            "30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4"
        );
        assert!(is_valid_hash(hash_password(b"x").as_bytes()));
        assert!(!is_valid_hash(b"ABC"));
        assert_eq!(
            hash_password_rule(b">foo").unwrap(),
            format!("#{}", hash_password(b"foo")).into_bytes()
        );
        assert_eq!(
            hash_password_rule(b"<foo").unwrap(),
            format!("!{}", hash_password(b"foo")).into_bytes()
        );
        assert_eq!(hash_password_rule(b"~foo"), None);
    }

    #[test]
    fn selector_arguments_merge() {
        let merged = merge_selector_args(&["on", "(~a", "+get", "-set)", "(+@all)"]).unwrap();
        assert_eq!(
            merged,
            vec![
                b"on".to_vec(),
                b"(~a +get -set)".to_vec(),
                b"(+@all)".to_vec()
            ]
        );
        assert_eq!(merge_selector_args(&["on", "(~a", "+get"]), Err(1));
    }
}
