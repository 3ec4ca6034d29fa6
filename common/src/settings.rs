//! Cluster-wide settings: the configuration every gateway shares, replicated through the Raft log.
//!
//! A gateway is stateless (DESIGN.md invariant 2), so what must look the same from every gateway
//! lives in the state machine as [`ClusterSettings`]: the CONFIG parameters that describe the
//! cluster rather than one gateway process (`maxmemory`, `save`, `requirepass`, …) and the ACL
//! users. Gateways change them by
//! sending an internal write command (`CONFIG SET name value …` with canonical names and values
//! the gateway already validated) in an ordinary write segment, so the change is one log entry with
//! the usual exactly-once retry; [`ClusterSettings::apply`] is its deterministic apply. Gateways
//! read the settings through the `Kv.Settings` RPC, which long-polls on [`ClusterSettings::version`].
//!
//! Client commands named CONFIG and ACL never reach a node: the command table routes them to the
//! gateway, so only a gateway can send these internal commands.

use std::collections::BTreeMap;

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::acl::{DEFAULT_USER, User, has_spaces, hash_password};
use crate::{Reply, ReplyError};

/// The cluster-wide part of the configuration.
///
/// Encoded with postcard, whose structs are their fields in order, so the format is versioned by
/// appending: version 1 had `version` and `config`; version 2 (ACL users) appends `users`. A
/// version-1 decoder reads version-2 bytes (trailing bytes are ignored), and
/// [`ClusterSettings::decode`] reads version-1 bytes (users start as Redis's defaults).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterSettings {
    /// The log index of the entry that last changed the settings; 0 when never changed.
    pub version: u64,
    /// Cluster-wide CONFIG parameters set with CONFIG SET, by canonical (lowercase) name, as the
    /// normalized text CONFIG GET shows. A parameter absent here has its default value.
    pub config: BTreeMap<String, String>,
    /// ACL users by name. A user absent here does not exist, except `default`, which is Redis's
    /// `on nopass ~* &* +@all` until changed.
    pub users: BTreeMap<Bytes, StoredUser>,
}

/// One ACL user as the state machine keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredUser {
    /// The log index of the entry that created the user (0 for `default`). A user deleted and
    /// created again gets a new one, so gateways close connections authenticated as the old one.
    pub created: u64,
    /// Rules that rebuild the user ([`User::to_rules`]); passwords only as hashes.
    pub rules: Bytes,
}

/// [`ClusterSettings`] before ACL users (format version 1).
#[derive(Deserialize)]
struct ClusterSettingsV1 {
    version: u64,
    config: BTreeMap<String, String>,
}

impl From<ClusterSettingsV1> for ClusterSettings {
    fn from(v1: ClusterSettingsV1) -> ClusterSettings {
        ClusterSettings {
            version: v1.version,
            config: v1.config,
            users: BTreeMap::new(),
        }
    }
}

/// Redis's error for a user name with spaces.
const BAD_USERNAME: &str = "Usernames can't contain spaces or null characters";

impl ClusterSettings {
    /// The compact binary encoding used on the wire (postcard).
    pub fn encode(&self) -> Vec<u8> {
        // Serializing plain maps and strings into a vector cannot fail.
        postcard::to_stdvec(self).unwrap_or_default()
    }

    /// Decodes [`ClusterSettings::encode`]'s output, of this version or the previous one;
    /// `None` if the bytes are not valid.
    pub fn decode(bytes: &[u8]) -> Option<ClusterSettings> {
        postcard::from_bytes(bytes).ok().or_else(|| {
            postcard::from_bytes::<ClusterSettingsV1>(bytes)
                .ok()
                .map(ClusterSettings::from)
        })
    }

    /// The value of a cluster-wide parameter, if it was ever set.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.config.get(name).map(String::as_str)
    }

    /// The user named `name`, if it exists.
    pub fn user(&self, name: &[u8]) -> Option<User> {
        match self.users.get(name) {
            Some(stored) => Some(User::from_rules(&stored.rules)),
            None if name == DEFAULT_USER => Some(User::default_user()),
            None => None,
        }
    }

    /// Every user with its creation index, by name (`default` included).
    pub fn all_users(&self) -> BTreeMap<Bytes, (u64, User)> {
        let mut all: BTreeMap<Bytes, (u64, User)> = self
            .users
            .iter()
            .map(|(name, stored)| {
                (
                    name.clone(),
                    (stored.created, User::from_rules(&stored.rules)),
                )
            })
            .collect();
        all.entry(Bytes::from_static(DEFAULT_USER))
            .or_insert_with(|| (0, User::default_user()));
        all
    }

    /// Applies an internal settings command from a log entry at `index`. Returns `None` when
    /// `argv` is not a settings command (then it is an ordinary keyspace command).
    ///
    /// The commands, built only by gateways (client commands named CONFIG and ACL never reach a
    /// node), are `CONFIG SET name value …`, `CONFIG INIT name value` (set only if never set:
    /// a gateway's bootstrap value), `ACL SETUSER name rule …`, `ACL INITUSER name rule …`
    /// (only if the user does not exist yet) and `ACL DELUSER name …`.
    ///
    /// Deterministic: the result depends only on the settings and the arguments.
    pub fn apply(&mut self, index: u64, argv: &[Bytes]) -> Option<Reply> {
        let name = argv.first()?;
        let sub = || argv.get(1).map(|s| s.to_ascii_lowercase());
        let reply = if name.eq_ignore_ascii_case(b"config") {
            match sub().as_deref() {
                Some(b"set") if argv.len() >= 4 && argv.len().is_multiple_of(2) => {
                    for pair in argv[2..].chunks_exact(2) {
                        self.set_config(index, &pair[0], &pair[1]);
                    }
                    Reply::Ok
                }
                Some(b"init") if argv.len() == 4 => {
                    let key = String::from_utf8_lossy(&argv[2]).to_ascii_lowercase();
                    if self.config.contains_key(&key) {
                        return Some(Reply::Integer(0));
                    }
                    self.set_config(index, &argv[2], &argv[3]);
                    Reply::Integer(1)
                }
                _ => Reply::Error(ReplyError::err("invalid internal settings command")),
            }
        } else if name.eq_ignore_ascii_case(b"acl") {
            match sub().as_deref() {
                Some(b"setuser") if argv.len() >= 3 => {
                    match self.set_user(index, &argv[2], &argv[3..]) {
                        Ok(()) => Reply::Ok,
                        Err(e) => return Some(e),
                    }
                }
                Some(b"inituser") if argv.len() >= 3 => {
                    let exists = self.users.contains_key(&argv[2]);
                    if exists {
                        return Some(Reply::Integer(0));
                    }
                    match self.set_user(index, &argv[2], &argv[3..]) {
                        Ok(()) => Reply::Integer(1),
                        Err(e) => return Some(e),
                    }
                }
                Some(b"deluser") if argv.len() >= 3 => {
                    if argv[2..].iter().any(|n| n.as_ref() == DEFAULT_USER) {
                        return Some(Reply::Error(ReplyError::err(
                            "The 'default' user cannot be removed",
                        )));
                    }
                    let deleted = argv[2..]
                        .iter()
                        .filter(|n| self.users.remove(*n).is_some())
                        .count();
                    if deleted == 0 {
                        return Some(Reply::Integer(0));
                    }
                    Reply::Integer(deleted as i64)
                }
                _ => Reply::Error(ReplyError::err("invalid internal settings command")),
            }
        } else {
            return None;
        };
        if !reply.is_error() {
            self.version = index;
        }
        Some(reply)
    }

    /// Sets one parameter. `requirepass` also sets the default user's password, as Redis does:
    /// `resetpass`, then the password, or `nopass` when it is empty.
    fn set_config(&mut self, index: u64, key: &[u8], value: &[u8]) {
        let key = String::from_utf8_lossy(key).to_ascii_lowercase();
        if key == "requirepass" {
            let pass_rule = if value.is_empty() {
                b"nopass".to_vec()
            } else {
                format!("#{}", hash_password(value)).into_bytes()
            };
            let rules = [b"resetpass".to_vec(), pass_rule];
            // Both rules are always valid.
            let _ = self.set_user(index, &Bytes::from_static(DEFAULT_USER), &rules);
        }
        self.config
            .insert(key, String::from_utf8_lossy(value).into_owned());
    }

    /// ACL SETUSER: applies the rules to the user (created if new) all or nothing.
    fn set_user<A: AsRef<[u8]>>(
        &mut self,
        index: u64,
        name: &Bytes,
        rules: &[A],
    ) -> Result<(), Reply> {
        if has_spaces(name) {
            return Err(Reply::Error(ReplyError::err(BAD_USERNAME)));
        }
        let created = match self.users.get(name) {
            Some(stored) => stored.created,
            None if name.as_ref() == DEFAULT_USER => 0,
            None => index,
        };
        let mut user = self.user(name).unwrap_or_default();
        user.set_rules(rules)
            .map_err(|e| Reply::Error(ReplyError::Err(Bytes::from(e.to_string()))))?;
        self.users.insert(
            name.clone(),
            StoredUser {
                created,
                rules: Bytes::from(user.to_rules()),
            },
        );
        Ok(())
    }
}

/// Builds the internal command that sets cluster-wide parameters (already validated and
/// normalized by the gateway).
pub fn config_set_command(pairs: &[(&str, String)]) -> Vec<Bytes> {
    let mut argv = Vec::with_capacity(2 + pairs.len() * 2);
    argv.push(Bytes::from_static(b"config"));
    argv.push(Bytes::from_static(b"set"));
    for (name, value) in pairs {
        argv.push(Bytes::copy_from_slice(name.as_bytes()));
        argv.push(Bytes::copy_from_slice(value.as_bytes()));
    }
    argv
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(line: &str) -> Vec<Bytes> {
        line.split(' ')
            .map(|a| Bytes::copy_from_slice(a.as_bytes()))
            .collect()
    }

    #[test]
    fn acl_users_apply_and_round_trip() {
        let mut s = ClusterSettings::default();
        assert!(s.user(b"default").unwrap().check_password(b"x"));
        assert_eq!(
            s.apply(3, &cmd("acl setuser alice on >pw ~* +@all")),
            Some(Reply::Ok)
        );
        assert_eq!(s.version, 3);
        let alice = s.user(b"alice").unwrap();
        assert!(alice.check_password(b"pw"));
        assert!(!String::from_utf8_lossy(&s.users[&b"alice"[..]].rules).contains("pw "));
        // A failing SETUSER changes nothing.
        let err = s.apply(4, &cmd("acl setuser alice off +nosuch")).unwrap();
        assert!(err.is_error());
        assert_eq!(s.version, 3);
        assert!(s.user(b"alice").unwrap().is_enabled());
        // INITUSER only creates.
        assert_eq!(
            s.apply(5, &cmd("acl inituser alice off")),
            Some(Reply::Integer(0))
        );
        assert_eq!(
            s.apply(6, &cmd("acl inituser bob on nopass")),
            Some(Reply::Integer(1))
        );
        assert_eq!(s.users[&b"bob"[..]].created, 6);
        assert_eq!(s.users[&b"alice"[..]].created, 3);
        assert_eq!(
            s.apply(7, &cmd("acl deluser default bob")),
            Some(Reply::Error(ReplyError::err(
                "The 'default' user cannot be removed"
            )))
        );
        assert_eq!(
            s.apply(8, &cmd("acl deluser bob nobody")),
            Some(Reply::Integer(1))
        );
        assert!(s.user(b"bob").is_none());
        assert_eq!(
            s.apply(9, &cmd("acl setuser a\0b on")),
            Some(Reply::Error(ReplyError::err(BAD_USERNAME)))
        );
        let round = ClusterSettings::decode(&s.encode()).unwrap();
        assert_eq!(round, s);
    }

    #[test]
    fn requirepass_sets_the_default_password() {
        let mut s = ClusterSettings::default();
        s.apply(2, &config_set_command(&[("requirepass", "secret".into())]));
        assert_eq!(s.get("requirepass"), Some("secret"));
        let d = s.user(b"default").unwrap();
        assert!(!d.is_nopass() && d.check_password(b"secret") && !d.check_password(b"x"));
        s.apply(3, &cmd("config init requirepass other"));
        assert!(s.user(b"default").unwrap().check_password(b"secret"));
        s.apply(4, &config_set_command(&[("requirepass", String::new())]));
        assert!(s.user(b"default").unwrap().is_nopass());
        assert_eq!(
            String::from_utf8(s.user(b"default").unwrap().describe()).unwrap(),
            "on nopass ~* &* +@all"
        );
    }

    #[test]
    fn decodes_the_previous_format() {
        #[derive(Serialize)]
        struct V1 {
            version: u64,
            config: BTreeMap<String, String>,
        }
        let mut config = BTreeMap::new();
        config.insert("maxmemory".to_string(), "5".to_string());
        let bytes = postcard::to_stdvec(&V1 { version: 9, config }).unwrap();
        let s = ClusterSettings::decode(&bytes).unwrap();
        assert_eq!(s.version, 9);
        assert_eq!(s.get("maxmemory"), Some("5"));
        assert!(s.users.is_empty());
        // And a version-1 reader ignores the users.
        let mut new = s.clone();
        new.apply(10, &cmd("acl setuser u on"));
        let old: V1Reader = postcard::from_bytes(&new.encode()).unwrap();
        assert_eq!(old.version, 10);
    }

    #[derive(Deserialize)]
    struct V1Reader {
        version: u64,
        #[allow(dead_code)]
        config: BTreeMap<String, String>,
    }

    #[test]
    fn apply_sets_and_versions() {
        let mut s = ClusterSettings::default();
        let argv = config_set_command(&[("maxmemory", "100".into()), ("save", "".into())]);
        assert_eq!(s.apply(7, &argv), Some(Reply::Ok));
        assert_eq!(s.version, 7);
        assert_eq!(s.get("maxmemory"), Some("100"));
        assert_eq!(s.get("save"), Some(""));
        assert_eq!(s.apply(8, &[Bytes::from_static(b"set")]), None);
        assert_eq!(s.version, 7);
        let round = ClusterSettings::decode(&s.encode()).unwrap();
        assert_eq!(round, s);
    }
}
