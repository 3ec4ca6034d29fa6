//! The storage node's settings: flags, `TINYREDIS_…` variables and config-file keys (one list, see
//! `tinyredis_common::config`), their defaults ([`NodeConfig::default`]) and validation.

use std::path::PathBuf;

use clap::Args;
use serde::{Deserialize, Serialize};
use tinyredis_common::config::{ConfigError, check_host_port, check_listen};
use tinyredis_common::telemetry::{TelemetryConfig, TelemetrySettings};

use crate::node::NodeConfig;

/// Default log filter of a node: openraft's info lines are too chatty for operators.
pub const DEFAULT_LOG_LEVEL: &str = "info,openraft=warn";

/// Every setting of `tinyredis-node`; `None` means "not given here" (the default applies).
/// Defaults are documented in `deploy/tinyredis-node.toml`.
#[derive(Debug, Clone, Default, Args, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct NodeSettings {
    /// This node's id (a positive integer, unique in the cluster). Required for a new data dir.
    #[arg(long, env = "TINYREDIS_NODE_ID")]
    pub node_id: Option<u64>,
    /// Data directory: Raft log, vote and snapshots [default: data/node].
    #[arg(long, env = "TINYREDIS_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// gRPC listen address (gateways, peers and admin) [default: 127.0.0.1:7001].
    #[arg(long, env = "TINYREDIS_LISTEN")]
    pub listen: Option<String>,
    /// Address other nodes and gateways use to reach this node [default: --listen].
    #[arg(long, env = "TINYREDIS_ADVERTISE")]
    pub advertise: Option<String>,
    /// Create a new cluster with this node as its only voter (ignored if the data dir has state).
    #[arg(long, env = "TINYREDIS_BOOTSTRAP", num_args = 0..=1, require_equals = true,
          default_missing_value = "true", value_name = "BOOL")]
    pub bootstrap: Option<bool>,
    /// Join the cluster through any of these members (ignored once the node has joined).
    #[arg(long, env = "TINYREDIS_JOIN", value_delimiter = ',')]
    pub join: Option<Vec<String>>,
    /// Raft heartbeat interval in milliseconds [default: 100].
    #[arg(long, env = "TINYREDIS_HEARTBEAT_MS")]
    pub heartbeat_ms: Option<u64>,
    /// Minimum election timeout in milliseconds [default: 300].
    #[arg(long, env = "TINYREDIS_ELECTION_TIMEOUT_MIN_MS")]
    pub election_timeout_min_ms: Option<u64>,
    /// Maximum election timeout in milliseconds [default: 600].
    #[arg(long, env = "TINYREDIS_ELECTION_TIMEOUT_MAX_MS")]
    pub election_timeout_max_ms: Option<u64>,
    /// Build a snapshot every this many log entries [default: 20000].
    #[arg(long, env = "TINYREDIS_SNAPSHOT_LOGS")]
    pub snapshot_logs: Option<u64>,
    /// Log entries kept behind a snapshot for lagging followers [default: 1000].
    #[arg(long, env = "TINYREDIS_KEEP_LOGS_AFTER_SNAPSHOT")]
    pub keep_logs_after_snapshot: Option<u64>,
    /// How the leader confirms a linearizable read: `read-index` (a heartbeat round to a
    /// majority, shared by all reads waiting) or `lease` (no round while the leader lease holds;
    /// safe only while clocks run at nearly the same rate) [default: read-index].
    #[arg(long, env = "TINYREDIS_READ_POLICY", value_name = "POLICY")]
    pub read_policy: Option<String>,
    #[command(flatten)]
    #[serde(flatten)]
    pub telemetry: TelemetrySettings,
}

impl NodeSettings {
    /// Fills in defaults and validates: the node's configuration and its telemetry's.
    pub fn resolve(self) -> Result<(NodeConfig, TelemetryConfig), ConfigError> {
        let d = NodeConfig::default();
        let config = NodeConfig {
            node_id: self.node_id,
            data_dir: self.data_dir.unwrap_or(d.data_dir),
            listen: self.listen.unwrap_or(d.listen),
            advertise: self.advertise,
            bootstrap: self.bootstrap.unwrap_or(d.bootstrap),
            join: self.join.unwrap_or(d.join),
            heartbeat_ms: self.heartbeat_ms.unwrap_or(d.heartbeat_ms),
            election_timeout_min_ms: self
                .election_timeout_min_ms
                .unwrap_or(d.election_timeout_min_ms),
            election_timeout_max_ms: self
                .election_timeout_max_ms
                .unwrap_or(d.election_timeout_max_ms),
            snapshot_logs: self.snapshot_logs.unwrap_or(d.snapshot_logs),
            keep_logs_after_snapshot: self
                .keep_logs_after_snapshot
                .unwrap_or(d.keep_logs_after_snapshot),
            lease_reads: match self.read_policy.as_deref() {
                None | Some("read-index") => false,
                Some("lease") => true,
                Some(other) => {
                    return Err(ConfigError::new(
                        "read-policy",
                        format!("must be read-index or lease, not {other:?}"),
                    ));
                }
            },
            metrics_listen: None,
        };
        config.validate()?;
        let telemetry = self.telemetry.resolve(DEFAULT_LOG_LEVEL)?;
        let config = NodeConfig {
            metrics_listen: telemetry.metrics_listen,
            ..config
        };
        Ok((config, telemetry))
    }
}

impl NodeConfig {
    /// Checks every setting, naming the first bad one.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.node_id == Some(0) {
            return Err(ConfigError::new("node-id", "must be at least 1"));
        }
        if self.data_dir.as_os_str().is_empty() {
            return Err(ConfigError::new("data-dir", "must not be empty"));
        }
        check_listen("listen", &self.listen)?;
        if let Some(a) = &self.advertise {
            check_host_port("advertise", a)?;
        } else if check_listen("listen", &self.listen).is_ok_and(|a| a.ip().is_unspecified()) {
            return Err(ConfigError::new(
                "advertise",
                format!(
                    "required when listen ({}) is a wildcard address: peers cannot dial it",
                    self.listen
                ),
            ));
        }
        if self.bootstrap && !self.join.is_empty() {
            return Err(ConfigError::new(
                "join",
                "cannot be combined with bootstrap: a node either starts a cluster or joins one",
            ));
        }
        for j in &self.join {
            check_host_port("join", j)?;
        }
        if self.heartbeat_ms == 0 {
            return Err(ConfigError::new("heartbeat-ms", "must be at least 1"));
        }
        if self.election_timeout_min_ms <= self.heartbeat_ms {
            return Err(ConfigError::new(
                "election-timeout-min-ms",
                format!("must be greater than heartbeat-ms ({})", self.heartbeat_ms),
            ));
        }
        if self.election_timeout_max_ms <= self.election_timeout_min_ms {
            return Err(ConfigError::new(
                "election-timeout-max-ms",
                format!(
                    "must be greater than election-timeout-min-ms ({})",
                    self.election_timeout_min_ms
                ),
            ));
        }
        if self.snapshot_logs == 0 {
            return Err(ConfigError::new("snapshot-logs", "must be at least 1"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use tinyredis_common::config::{known_keys, overlay, read_file};

    use super::*;

    /// The template in deploy/ lists every setting, and its values are the real defaults.
    #[test]
    fn template_documents_every_setting_and_the_defaults() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/tinyredis-node.toml");
        let text = std::fs::read_to_string(path).expect("template");
        for key in known_keys::<NodeSettings>() {
            let documented = text.lines().any(|l| {
                l.trim_start_matches(['#', ' '])
                    .strip_prefix(key.as_str())
                    .is_some_and(|rest| rest.starts_with(" ="))
            });
            assert!(documented, "{key} is not in {path}");
        }
        let table = read_file::<NodeSettings>(std::path::Path::new(path)).expect("template parses");
        let from_template = overlay(NodeSettings::default(), table)
            .expect("overlay")
            .resolve()
            .expect("template is valid");
        let defaults = NodeSettings::default()
            .resolve()
            .expect("defaults are valid");
        assert_eq!(format!("{from_template:?}"), format!("{defaults:?}"));
    }

    fn resolve(settings: NodeSettings) -> Result<NodeConfig, String> {
        settings
            .resolve()
            .map(|(c, _)| c)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_are_valid() {
        let c = resolve(NodeSettings::default()).expect("defaults");
        assert_eq!(c.listen, "127.0.0.1:7001");
        assert_eq!(c.heartbeat_ms, 100);
    }

    #[test]
    fn errors_name_the_setting() {
        let cases: Vec<(NodeSettings, &str)> = vec![
            (
                NodeSettings {
                    node_id: Some(0),
                    ..Default::default()
                },
                "invalid setting node-id: must be at least 1",
            ),
            (
                NodeSettings {
                    listen: Some("localhost".into()),
                    ..Default::default()
                },
                "invalid setting listen:",
            ),
            (
                NodeSettings {
                    listen: Some("0.0.0.0:7001".into()),
                    ..Default::default()
                },
                "invalid setting advertise: required",
            ),
            (
                NodeSettings {
                    bootstrap: Some(true),
                    join: Some(vec!["a:1".into()]),
                    ..Default::default()
                },
                "invalid setting join:",
            ),
            (
                NodeSettings {
                    join: Some(vec!["nohost".into()]),
                    ..Default::default()
                },
                "invalid setting join:",
            ),
            (
                NodeSettings {
                    election_timeout_min_ms: Some(50),
                    ..Default::default()
                },
                "invalid setting election-timeout-min-ms:",
            ),
        ];
        for (settings, want) in cases {
            let got = resolve(settings).expect_err(want);
            assert!(got.starts_with(want), "{got:?} should start with {want:?}");
        }
    }
}
