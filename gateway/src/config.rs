//! The gateway's settings: flags, `TINYREDIS_…` variables and config-file keys (one list, see
//! `tinyredis_common::config`), their defaults ([`GatewayConfig::default`]) and validation.

use std::time::Duration;

use bytes::Bytes;
use clap::Args;
use serde::{Deserialize, Serialize};
use tinyredis_common::acl::{DEFAULT_USER, User, hash_password_rule, merge_selector_args};
use tinyredis_common::config::{ConfigError, check_host_port, check_listen};
use tinyredis_common::telemetry::{TelemetryConfig, TelemetrySettings};

use crate::cmd::config::{lookup_param, normalize_param, parse_output_buffer_limit_change};
use crate::server::GatewayConfig;
use crate::settings::Bootstrap;

/// Default log filter of a gateway.
pub const DEFAULT_LOG_LEVEL: &str = "info";

/// Every setting of `tinyredis-gateway`; `None` means "not given here" (the default applies).
/// Defaults are documented in `deploy/tinyredis-gateway.toml`.
#[derive(Debug, Clone, Default, Args, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct GatewaySettings {
    /// RESP listen address [default: 127.0.0.1:6379].
    #[arg(long, env = "TINYREDIS_LISTEN")]
    pub listen: Option<String>,
    /// Storage nodes to start from (any members; the rest is learned) [default: 127.0.0.1:7001].
    #[arg(long, env = "TINYREDIS_NODES", value_delimiter = ',')]
    pub nodes: Option<Vec<String>>,
    /// Seconds a command may wait for a Raft leader before failing with CLUSTERDOWN [default: 10].
    #[arg(long, env = "TINYREDIS_FAILOVER_TIMEOUT", value_name = "SECONDS")]
    pub failover_timeout: Option<f64>,
    /// Initial `maxclients`: connections accepted at once [default: 10000].
    #[arg(long, env = "TINYREDIS_MAXCLIENTS")]
    pub maxclients: Option<u64>,
    /// Initial `timeout`: seconds of idleness before a client is closed, 0 never [default: 0].
    #[arg(long, env = "TINYREDIS_TIMEOUT", value_name = "SECONDS")]
    pub timeout: Option<u64>,
    /// Initial `proto-max-bulk-len`: the longest bulk argument (memory value) [default: 512mb].
    #[arg(long, env = "TINYREDIS_PROTO_MAX_BULK_LEN", value_name = "BYTES")]
    pub proto_max_bulk_len: Option<String>,
    /// Initial `client-query-buffer-limit`: most unprocessed input per client [default: 1gb].
    #[arg(
        long,
        env = "TINYREDIS_CLIENT_QUERY_BUFFER_LIMIT",
        value_name = "BYTES"
    )]
    pub client_query_buffer_limit: Option<String>,
    /// Initial `client-output-buffer-limit` (class hard soft seconds)
    /// [default: "normal 256mb 64mb 60"].
    #[arg(
        long,
        env = "TINYREDIS_CLIENT_OUTPUT_BUFFER_LIMIT",
        value_name = "LIMITS"
    )]
    pub client_output_buffer_limit: Option<String>,
    /// Initial `slowlog-log-slower-than`, microseconds [default: 10000].
    #[arg(long, env = "TINYREDIS_SLOWLOG_LOG_SLOWER_THAN", value_name = "MICROS")]
    pub slowlog_log_slower_than: Option<i64>,
    /// Initial `slowlog-max-len` [default: 128].
    #[arg(long, env = "TINYREDIS_SLOWLOG_MAX_LEN")]
    pub slowlog_max_len: Option<u64>,
    /// `requirepass` (the default user's password) to store in the cluster if it never had one;
    /// afterwards CONFIG SET requirepass on any gateway changes it [default: none].
    #[arg(long, env = "TINYREDIS_REQUIREPASS", value_name = "PASSWORD")]
    pub requirepass: Option<String>,
    /// An ACL user to create in the cluster if it does not exist yet: its name and ACL SETUSER
    /// rules, e.g. "alice on >secret ~app:* +@all". Repeat the flag for more users; the file
    /// takes a list [default: none].
    #[arg(long, env = "TINYREDIS_USER", value_name = "USER_RULES")]
    pub user: Option<Vec<String>>,
    #[command(flatten)]
    #[serde(flatten)]
    pub telemetry: TelemetrySettings,
}

impl GatewaySettings {
    /// Fills in defaults and validates: the gateway's configuration and its telemetry's.
    pub fn resolve(self) -> Result<(GatewayConfig, TelemetryConfig), ConfigError> {
        let d = GatewayConfig::default();
        let failover_timeout = match self.failover_timeout {
            None => d.failover_timeout,
            Some(s) if s.is_finite() && s > 0.0 && s < 1e9 => Duration::from_secs_f64(s),
            Some(s) => {
                return Err(ConfigError::new(
                    "failover-timeout",
                    format!("{s} is not a positive number of seconds"),
                ));
            }
        };
        let mut limits = d.limits;
        let mut settings = d.settings;
        let number = |name: &str, value: String| -> Result<u64, ConfigError> {
            let v = runtime_param(name, &value)?;
            Ok(v.parse().unwrap_or_default())
        };
        if let Some(v) = self.maxclients {
            settings.maxclients = number("maxclients", v.to_string())?;
        }
        if let Some(v) = self.timeout {
            settings.timeout_secs = number("timeout", v.to_string())?;
        }
        if let Some(v) = self.proto_max_bulk_len {
            let n = number("proto-max-bulk-len", v)?;
            limits.max_bulk_len = usize::try_from(n).unwrap_or(usize::MAX);
        }
        if let Some(v) = self.client_query_buffer_limit {
            settings.client_query_buffer_limit = number("client-query-buffer-limit", v)?;
        }
        if let Some(v) = self.client_output_buffer_limit {
            runtime_param("client-output-buffer-limit", &v)?;
            if let Ok([Some(normal), ..]) = parse_output_buffer_limit_change(v.as_bytes()) {
                settings.output_buffer_limit = normal;
            }
        }
        if let Some(v) = self.slowlog_log_slower_than {
            let v = runtime_param("slowlog-log-slower-than", &v.to_string())?;
            settings.slowlog_log_slower_than = v.parse().unwrap_or_default();
        }
        if let Some(v) = self.slowlog_max_len {
            settings.slowlog_max_len = number("slowlog-max-len", v.to_string())?;
        }
        let bootstrap = Bootstrap {
            requirepass: self.requirepass,
            users: self
                .user
                .unwrap_or_default()
                .iter()
                .map(|line| bootstrap_user(line))
                .collect::<Result<_, _>>()?,
        };
        let config = GatewayConfig {
            listen: self.listen.unwrap_or(d.listen),
            nodes: self.nodes.unwrap_or(d.nodes),
            failover_timeout,
            limits,
            settings,
            metrics_listen: None,
            bootstrap,
        };
        config.validate()?;
        let telemetry = self.telemetry.resolve(DEFAULT_LOG_LEVEL)?;
        let config = GatewayConfig {
            metrics_listen: telemetry.metrics_listen,
            ..config
        };
        Ok((config, telemetry))
    }
}

/// Parses a `user` setting, `<name> <rule> …`: the rules must be ones ACL SETUSER accepts, and
/// plaintext passwords are hashed at once so the configuration keeps none in memory.
fn bootstrap_user(line: &str) -> Result<(Bytes, Vec<Bytes>), ConfigError> {
    let mut words = line.split_ascii_whitespace();
    let Some(name) = words.next() else {
        return Err(ConfigError::new(
            "user",
            "empty: expected a user name and its ACL rules",
        ));
    };
    let rules: Vec<&str> = words.collect();
    let mut user = if name.as_bytes() == DEFAULT_USER {
        User::default_user()
    } else {
        User::new()
    };
    user.set_rules(&rules)
        .map_err(|e| ConfigError::new("user", format!("user {name}: {e}")))?;
    let merged = merge_selector_args(&rules)
        .map_err(|_| ConfigError::new("user", format!("user {name}: unmatched parenthesis")))?;
    let rules = merged
        .into_iter()
        .map(|r| Bytes::from(hash_password_rule(&r).unwrap_or(r)))
        .collect();
    Ok((Bytes::copy_from_slice(name.as_bytes()), rules))
}

/// Checks an initial value of a runtime parameter with CONFIG SET's rules (so a value the file
/// accepts is one CONFIG SET accepts) and returns it normalized.
fn runtime_param(name: &str, value: &str) -> Result<String, ConfigError> {
    let param = lookup_param(name.as_bytes())
        .ok_or_else(|| ConfigError::new(name, "not a runtime parameter"))?;
    normalize_param(param, value.as_bytes()).map_err(|detail| ConfigError::new(name, detail))
}

impl GatewayConfig {
    /// Checks every setting, naming the first bad one.
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_listen("listen", &self.listen)?;
        if self.nodes.is_empty() {
            return Err(ConfigError::new(
                "nodes",
                "at least one storage node is needed",
            ));
        }
        for n in &self.nodes {
            check_host_port("nodes", n)?;
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
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../deploy/tinyredis-gateway.toml"
        );
        let text = std::fs::read_to_string(path).expect("template");
        for key in known_keys::<GatewaySettings>() {
            let documented = text.lines().any(|l| {
                l.trim_start_matches(['#', ' '])
                    .strip_prefix(key.as_str())
                    .is_some_and(|rest| rest.starts_with(" ="))
            });
            assert!(documented, "{key} is not in {path}");
        }
        let table =
            read_file::<GatewaySettings>(std::path::Path::new(path)).expect("template parses");
        let from_template = overlay(GatewaySettings::default(), table)
            .expect("overlay")
            .resolve()
            .expect("template is valid");
        let defaults = GatewaySettings::default()
            .resolve()
            .expect("defaults are valid");
        assert_eq!(format!("{from_template:?}"), format!("{defaults:?}"));
    }

    #[test]
    fn defaults_are_valid() {
        let (c, t) = GatewaySettings::default().resolve().expect("defaults");
        assert_eq!(c.listen, "127.0.0.1:6379");
        assert_eq!(c.failover_timeout, Duration::from_secs(10));
        assert_eq!(t.log_level, "info");
    }

    #[test]
    fn bootstrap_users_are_checked_and_hashed() {
        let (c, _) = GatewaySettings {
            requirepass: Some("pw".into()),
            user: Some(vec!["alice on >secret ~app:* +@all".into()]),
            ..Default::default()
        }
        .resolve()
        .expect("valid");
        assert_eq!(c.bootstrap.requirepass.as_deref(), Some("pw"));
        let (name, rules) = &c.bootstrap.users[0];
        assert_eq!(name.as_ref(), b"alice");
        let hash = tinyredis_common::acl::hash_password(b"secret");
        assert_eq!(rules[1].as_ref(), format!("#{hash}").as_bytes());
        let debug = format!("{c:?}");
        assert!(
            !debug.contains("secret") && !debug.contains("\"pw\""),
            "{debug}"
        );
        let bad = GatewaySettings {
            user: Some(vec!["bob on +nosuch".into()]),
            ..Default::default()
        }
        .resolve()
        .map(|_| ())
        .expect_err("unknown command")
        .to_string();
        assert_eq!(
            bad,
            "invalid setting user: user bob: Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in ACL"
        );
    }

    #[test]
    fn errors_name_the_setting() {
        let cases: Vec<(GatewaySettings, &str)> = vec![
            (
                GatewaySettings {
                    failover_timeout: Some(-1.0),
                    ..Default::default()
                },
                "invalid setting failover-timeout:",
            ),
            (
                GatewaySettings {
                    nodes: Some(vec![]),
                    ..Default::default()
                },
                "invalid setting nodes:",
            ),
            (
                GatewaySettings {
                    nodes: Some(vec!["node-1:70000".into()]),
                    ..Default::default()
                },
                "invalid setting nodes:",
            ),
            (
                GatewaySettings {
                    listen: Some("*:6379".into()),
                    ..Default::default()
                },
                "invalid setting listen:",
            ),
            (
                GatewaySettings {
                    telemetry: TelemetrySettings {
                        log_level: Some("info,=[".into()),
                        ..Default::default()
                    },
                    ..Default::default()
                },
                "invalid setting log-level:",
            ),
        ];
        for (settings, want) in cases {
            let got = settings.resolve().map(|_| ()).expect_err(want).to_string();
            assert!(got.starts_with(want), "{got:?} should start with {want:?}");
        }
    }
}
