//! One ACL user (Redis 7.0's `user`): flags, password hashes and selectors.

use std::fmt;

use super::selector::Denial;
use super::{RuleError, Selector, hash_password, is_valid_hash, merge_selector_args};
use crate::command::{KeyRef, Target};

/// Why a user may not run a call, as Redis reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// No selector allows the command (`ACL_DENIED_CMD`).
    Command,
    /// The key at this argument position is not allowed (`ACL_DENIED_KEY`).
    Key(usize),
}

/// Why ACL SETUSER failed; `Display` is Redis's text after `ERR `.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetUserError {
    /// A rule was refused.
    Modifier {
        /// The rule as given (a whole selector for `(…)`).
        modifier: Vec<u8>,
        /// Why.
        error: RuleError,
    },
    /// A selector's `(` was never closed; holds the argument that opened it.
    UnmatchedParenthesis(Vec<u8>),
}

impl fmt::Display for SetUserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetUserError::Modifier { modifier, error } => write!(
                f,
                "Error in ACL SETUSER modifier '{}': {error}",
                String::from_utf8_lossy(modifier)
            ),
            SetUserError::UnmatchedParenthesis(arg) => write!(
                f,
                "Unmatched parenthesis in acl selector starting at '{}'.",
                String::from_utf8_lossy(arg)
            ),
        }
    }
}

/// An ACL user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    enabled: bool,
    nopass: bool,
    /// `sanitize-payload` (`Some(true)`), `skip-sanitize-payload` (`Some(false)`), or neither.
    sanitize: Option<bool>,
    /// SHA-256 hex hashes, in the order they were added.
    passwords: Vec<String>,
    root: Selector,
    selectors: Vec<Selector>,
}

impl Default for User {
    fn default() -> User {
        User::new()
    }
}

impl User {
    /// A new user as ACL SETUSER creates it: `off`, no passwords, no permissions.
    pub fn new() -> User {
        User {
            enabled: false,
            nopass: false,
            sanitize: None,
            passwords: Vec::new(),
            root: Selector::new(),
            selectors: Vec::new(),
        }
    }

    /// The `default` user as Redis creates it: `on nopass ~* &* +@all`.
    pub fn default_user() -> User {
        let mut u = User::new();
        for rule in ["+@all", "~*", "&*", "on", "nopass"] {
            // Fixed, valid rules.
            let _ = u.set(rule.as_bytes());
        }
        u
    }

    /// Rebuilds a user from [`User::to_rules`]'s output. A rule that no longer applies (a
    /// command gone from the table) is skipped rather than losing the user.
    pub fn from_rules(rules: &[u8]) -> User {
        let args: Vec<&[u8]> = rules
            .split(|c| c.is_ascii_whitespace())
            .filter(|a| !a.is_empty())
            .collect();
        let mut user = User::new();
        let merged = merge_selector_args(&args).unwrap_or_else(|_| {
            args.iter()
                .filter(|a| !a.starts_with(b"("))
                .map(|a| a.to_vec())
                .collect()
        });
        for rule in merged {
            if let Err(e) = user.set(&rule) {
                tracing::warn!(rule = %String::from_utf8_lossy(&rule), error = %e, "skipping a stored ACL rule that no longer applies");
            }
        }
        user
    }

    /// Returns true when the user may authenticate (`on`).
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// Returns true when any password is accepted (`nopass`).
    pub fn is_nopass(&self) -> bool {
        self.nopass
    }

    /// The password hashes.
    pub fn passwords(&self) -> &[String] {
        &self.passwords
    }

    /// The root selector (the rules given outside parentheses).
    pub fn root(&self) -> &Selector {
        &self.root
    }

    /// The selectors added with `(…)`.
    pub fn selectors(&self) -> &[Selector] {
        &self.selectors
    }

    /// The user's flags, as ACL GETUSER lists them and in Redis's order.
    pub fn flags(&self) -> Vec<&'static str> {
        let mut flags = Vec::with_capacity(3);
        flags.push(if self.enabled { "on" } else { "off" });
        if self.nopass {
            flags.push("nopass");
        }
        match self.sanitize {
            Some(false) => flags.push("skip-sanitize-payload"),
            Some(true) => flags.push("sanitize-payload"),
            None => {}
        }
        flags
    }

    /// Returns true when the user can run everything: checks can be skipped.
    pub fn unrestricted(&self) -> bool {
        self.root.unrestricted()
    }

    /// Applies one rule (`ACLSetUser`). On error the user may be partly changed: callers work
    /// on a copy (see [`User::set_rules`]).
    pub fn set(&mut self, op: &[u8]) -> Result<(), RuleError> {
        let is = |word: &str| op.eq_ignore_ascii_case(word.as_bytes());
        if op.is_empty() {
            return Ok(());
        }
        if is("on") {
            self.enabled = true;
        } else if is("off") {
            self.enabled = false;
        } else if is("skip-sanitize-payload") {
            self.sanitize = Some(false);
        } else if is("sanitize-payload") {
            self.sanitize = Some(true);
        } else if is("nopass") {
            self.nopass = true;
            self.passwords.clear();
        } else if is("resetpass") {
            self.nopass = false;
            self.passwords.clear();
        } else if op[0] == b'>' || op[0] == b'#' {
            let hash = if op[0] == b'>' {
                hash_password(&op[1..])
            } else {
                if !is_valid_hash(&op[1..]) {
                    return Err(RuleError::BadHash);
                }
                String::from_utf8_lossy(&op[1..]).into_owned()
            };
            if !self.passwords.contains(&hash) {
                self.passwords.push(hash);
            }
            self.nopass = false;
        } else if op[0] == b'<' || op[0] == b'!' {
            let hash = if op[0] == b'<' {
                hash_password(&op[1..])
            } else {
                if !is_valid_hash(&op[1..]) {
                    return Err(RuleError::BadHash);
                }
                String::from_utf8_lossy(&op[1..]).into_owned()
            };
            let Some(pos) = self.passwords.iter().position(|p| *p == hash) else {
                return Err(RuleError::NoSuchPassword);
            };
            self.passwords.remove(pos);
        } else if op[0] == b'(' && op[op.len() - 1] == b')' {
            let inner = &op[1..op.len().saturating_sub(1).max(1)];
            let mut selector = Selector::new();
            for rule in inner
                .split(|c| c.is_ascii_whitespace())
                .filter(|a| !a.is_empty())
            {
                selector.apply(rule)?;
            }
            self.selectors.push(selector);
        } else if is("clearselectors") {
            self.selectors.clear();
        } else if is("reset") {
            self.nopass = false;
            self.passwords.clear();
            for rule in ["resetkeys", "resetchannels", "-@all"] {
                self.root.apply(rule.as_bytes())?;
            }
            self.enabled = false;
            self.sanitize = Some(true);
            self.selectors.clear();
        } else {
            self.root.apply(op)?;
        }
        Ok(())
    }

    /// Applies ACL SETUSER's rules all or nothing (`ACLStringSetUser`): selector arguments are
    /// merged first, then every rule is applied to a copy, which replaces the user only if all
    /// succeeded.
    pub fn set_rules<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Result<(), SetUserError> {
        let merged = merge_selector_args(args)
            .map_err(|i| SetUserError::UnmatchedParenthesis(args[i].as_ref().to_vec()))?;
        let mut copy = self.clone();
        for rule in merged {
            copy.set(&rule).map_err(|error| SetUserError::Modifier {
                modifier: rule.clone(),
                error,
            })?;
        }
        *self = copy;
        Ok(())
    }

    /// Rules that rebuild this user on a new one (see the module docs): `on`/`off`, `nopass`,
    /// the payload flag, `#hash` for each password, the root selector, then each `(selector)`.
    pub fn to_rules(&self) -> Vec<u8> {
        let mut rules: Vec<Vec<u8>> = Vec::new();
        for flag in self.flags() {
            rules.push(flag.as_bytes().to_vec());
        }
        for p in &self.passwords {
            rules.push(format!("#{p}").into_bytes());
        }
        rules.extend(self.root.to_rules());
        for s in &self.selectors {
            let mut group = b"(".to_vec();
            group.extend_from_slice(&s.to_rules().join(&b' '));
            group.push(b')');
            rules.push(group);
        }
        rules.join(&b' ')
    }

    /// The user as `ACL LIST` shows it after `user <name> ` (`ACLDescribeUser`).
    pub fn describe(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for flag in self.flags() {
            out.extend_from_slice(flag.as_bytes());
            out.push(b' ');
        }
        for p in &self.passwords {
            out.push(b'#');
            out.extend_from_slice(p.as_bytes());
            out.push(b' ');
        }
        out.extend_from_slice(&self.root.describe());
        for s in &self.selectors {
            out.extend_from_slice(b" (");
            out.extend_from_slice(&s.describe());
            out.push(b')');
        }
        out
    }

    /// Checks a password (`ACLCheckUserCredentials`): the user must be `on`, and `nopass` or
    /// have the password's hash.
    pub fn check_password(&self, password: &[u8]) -> bool {
        if !self.enabled {
            return false;
        }
        if self.nopass {
            return true;
        }
        let hash = hash_password(password);
        // Compares every stored hash in full, whatever matches, so timing says nothing.
        let mut found = false;
        for p in &self.passwords {
            let same = p
                .bytes()
                .zip(hash.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
                && p.len() == hash.len();
            found |= same;
        }
        found
    }

    /// Checks a call (`ACLCheckAllUserCommandPerm`): allowed when any selector allows it;
    /// otherwise the most relevant denial (a key over the command, the last key position).
    pub fn check<A: AsRef<[u8]>>(&self, target: Target, argv: &[A]) -> Result<(), Denied> {
        let mut keys: Option<Vec<KeyRef>> = None;
        let mut worst = Denial::Command;
        for selector in std::iter::once(&self.root).chain(&self.selectors) {
            match selector.check(target, argv, &mut keys) {
                Ok(()) => return Ok(()),
                Err(d) => worst = worst.max(d),
            }
        }
        Err(match worst {
            Denial::Command => Denied::Command,
            Denial::Key(pos) => Denied::Key(pos),
        })
    }

    /// Returns true when some selector allows the call and reaches every key with the access
    /// `spec_flags` needs (`ACLUserCheckCmdWithUnrestrictedKeyAccess`, for SORT's BY and GET).
    pub fn has_unrestricted_key_access<A: AsRef<[u8]>>(
        &self,
        target: Target,
        argv: &[A],
        spec_flags: u16,
    ) -> bool {
        let mut keys: Option<Vec<KeyRef>> = None;
        std::iter::once(&self.root).chain(&self.selectors).any(|s| {
            s.check(target, argv, &mut keys).is_ok() && s.has_unrestricted_key_access(spec_flags)
        })
    }
}

#[cfg(test)]
#[path = "user_test.rs"]
mod tests;
