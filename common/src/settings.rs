//! Cluster-wide settings: the configuration every gateway shares, replicated through the Raft log.
//!
//! A gateway is stateless (DESIGN.md invariant 2), so what must look the same from every gateway
//! lives in the state machine as [`ClusterSettings`]: the CONFIG parameters that describe the
//! cluster rather than one gateway process (`maxmemory`, `save`, …). Gateways change them by
//! sending an internal write command (`CONFIG SET name value …` with canonical names and values
//! the gateway already validated) in an ordinary write segment, so the change is one log entry with
//! the usual exactly-once retry; [`ClusterSettings::apply`] is its deterministic apply. Gateways
//! read the settings through the `Kv.Settings` RPC, which long-polls on [`ClusterSettings::version`].
//!
//! Client commands named CONFIG never reach a node: the command table routes them to the gateway,
//! so only a gateway can send these internal commands.

use std::collections::BTreeMap;

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::{Reply, ReplyError};

/// The cluster-wide part of the configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterSettings {
    /// The log index of the entry that last changed the settings; 0 when never changed.
    pub version: u64,
    /// Cluster-wide CONFIG parameters set with CONFIG SET, by canonical (lowercase) name, as the
    /// normalized text CONFIG GET shows. A parameter absent here has its default value.
    pub config: BTreeMap<String, String>,
}

impl ClusterSettings {
    /// The compact binary encoding used on the wire (postcard).
    pub fn encode(&self) -> Vec<u8> {
        // Serializing plain maps and strings into a vector cannot fail.
        postcard::to_stdvec(self).unwrap_or_default()
    }

    /// Decodes [`ClusterSettings::encode`]'s output; `None` if the bytes are not valid.
    pub fn decode(bytes: &[u8]) -> Option<ClusterSettings> {
        postcard::from_bytes(bytes).ok()
    }

    /// The value of a cluster-wide parameter, if it was ever set.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.config.get(name).map(String::as_str)
    }

    /// Applies an internal settings command from a log entry at `index`. Returns `None` when
    /// `argv` is not a settings command (then it is an ordinary keyspace command).
    ///
    /// Deterministic: the result depends only on the settings and the arguments.
    pub fn apply(&mut self, index: u64, argv: &[Bytes]) -> Option<Reply> {
        let name = argv.first()?;
        if !name.eq_ignore_ascii_case(b"config") {
            return None;
        }
        let sub = argv.get(1)?;
        if !sub.eq_ignore_ascii_case(b"set") || argv.len() < 4 || !argv.len().is_multiple_of(2) {
            return Some(Reply::Error(ReplyError::err(
                "invalid internal settings command",
            )));
        }
        for pair in argv[2..].chunks_exact(2) {
            let key = String::from_utf8_lossy(&pair[0]).to_ascii_lowercase();
            let value = String::from_utf8_lossy(&pair[1]).into_owned();
            self.config.insert(key, value);
        }
        self.version = index;
        Some(Reply::Ok)
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
