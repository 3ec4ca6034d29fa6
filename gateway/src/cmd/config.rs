//! `CONFIG GET|SET|RESETSTAT|REWRITE|HELP` with Redis 7.0's semantics.
//!
//! - GET takes one or more patterns (Redis's glob, without case; a name without glob characters is
//!   looked up exactly and echoed as given) and replies a map (a flat array in RESP2), each
//!   parameter once.
//! - SET takes pairs and applies all or none: every name is checked first (unknown, immutable,
//!   duplicate), then every value, then the cluster-wide pairs are written to the Raft log as one
//!   entry, and only when that succeeded the per-gateway pairs are applied.
//!
//! Which parameters are cluster-wide and which per gateway is in [`params::PARAMS`]; see
//! `settings.rs` for why.

mod params;

use bytes::Bytes;
use tinyredis_common::glob::glob_match;
use tinyredis_common::settings::config_set_command;
use tinyredis_common::{Reply, ReplyError};
use tinyredis_proto::pb;

pub use params::{
    OutputBufferLimitChange, OutputBufferLimits, PARAMS, PUBSUB_OUTPUT_BUFFER_LIMIT, Param,
    REPLICA_OUTPUT_BUFFER_LIMIT, Scope,
};
pub use params::{
    lookup as lookup_param, normalize as normalize_param, parse_output_buffer_limit_change,
};

use crate::server::Shared;

const HELP: &[&str] = &[
    "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "GET <pattern>",
    "    Return parameters matching the glob-like <pattern> and their values.",
    "SET <directive> <value>",
    "    Set the configuration <directive> to <value>.",
    "RESETSTAT",
    "    Reset statistics reported by the INFO command.",
    "REWRITE",
    "    Rewrite the configuration file.",
    "HELP",
    "    Prints this help.",
];

/// Dispatches CONFIG and its subcommands.
pub async fn config(shared: &Shared, argv: &[Bytes]) -> Reply {
    let sub = &argv[1];
    let is = |name: &str| sub.eq_ignore_ascii_case(name.as_bytes());
    let arity = |name: &str| {
        Reply::Error(ReplyError::WrongArity(Bytes::from(format!(
            "config|{name}"
        ))))
    };
    if is("get") {
        if argv.len() < 3 {
            return arity("get");
        }
        get(shared, &argv[2..])
    } else if is("set") {
        if argv.len() < 4 {
            return arity("set");
        }
        set(shared, &argv[2..]).await
    } else if is("resetstat") {
        if argv.len() != 2 {
            return arity("resetstat");
        }
        shared.stats.reset();
        Reply::Ok
    } else if is("rewrite") {
        if argv.len() != 2 {
            return arity("rewrite");
        }
        // The gateway's settings come from flags; there is no file CONFIG REWRITE could update.
        Reply::Error(ReplyError::err(
            "The server is running without a config file",
        ))
    } else if is("help") {
        if argv.len() != 2 {
            return arity("help");
        }
        super::help(HELP)
    } else {
        Reply::Error(ReplyError::UnknownSubcommand {
            command: Bytes::from_static(b"CONFIG"),
            subcommand: sub.clone(),
        })
    }
}

/// `CONFIG GET pattern [pattern ...]`. A name matched by several patterns is listed once; an
/// alias is listed under its own name, as Redis 7.0 does.
fn get(shared: &Shared, patterns: &[Bytes]) -> Reply {
    let mut found: Vec<(Bytes, &'static str, &'static Param)> = Vec::new();
    let seen = |found: &Vec<(Bytes, &'static str, &'static Param)>, name: &str| {
        found.iter().any(|(_, n, _)| *n == name)
    };
    for pattern in patterns {
        if !pattern.iter().any(|c| matches!(c, b'*' | b'?' | b'[')) {
            if let Some((name, p)) = params::lookup_named(pattern)
                && !seen(&found, name)
            {
                found.push((pattern.clone(), name, p));
            }
            continue;
        }
        for (name, p) in params::all_names() {
            if !seen(&found, name) && glob_match(pattern, name.as_bytes(), true) {
                found.push((Bytes::from_static(name.as_bytes()), name, p));
            }
        }
    }
    Reply::Map(
        found
            .into_iter()
            .map(|(name, _, p)| (Reply::Bulk(name), Reply::bulk(value(shared, p))))
            .collect(),
    )
}

/// The current value of a parameter, as CONFIG GET shows it.
pub fn value(shared: &Shared, param: &Param) -> String {
    let s = &shared.settings;
    match param.name {
        "port" => shared.port.to_string(),
        "databases" => tinyredis_common::NUM_DATABASES.to_string(),
        "maxclients" => s.maxclients().to_string(),
        "timeout" => s.timeout_secs().to_string(),
        "proto-max-bulk-len" => s.proto_max_bulk_len().to_string(),
        "client-query-buffer-limit" => s.client_query_buffer_limit().to_string(),
        "client-output-buffer-limit" => s.output_buffer_limits().to_string(),
        "slowlog-log-slower-than" => s.slowlog_log_slower_than().to_string(),
        "slowlog-max-len" => s.slowlog_max_len().to_string(),
        _ => match param.scope {
            Scope::Cluster => s
                .cluster()
                .get(param.name)
                .unwrap_or(param.default)
                .to_string(),
            Scope::Gateway | Scope::Immutable => param.default.to_string(),
        },
    }
}

fn set_failed(name: &[u8], detail: &str) -> Reply {
    let text = format!(
        "CONFIG SET failed (possibly related to argument '{}') - {detail}",
        String::from_utf8_lossy(name)
    );
    Reply::Error(ReplyError::Err(Bytes::from(text)))
}

/// `CONFIG SET name value [name value ...]`: all or nothing.
async fn set(shared: &Shared, args: &[Bytes]) -> Reply {
    if !args.len().is_multiple_of(2) {
        return Reply::Error(ReplyError::Syntax);
    }
    // Names first, in order: the first problem is the one reported.
    let mut chosen: Vec<(&'static str, &'static Param, &Bytes)> =
        Vec::with_capacity(args.len() / 2);
    for pair in args.chunks_exact(2) {
        let Some((name, p)) = params::lookup_named(&pair[0]) else {
            let text = format!(
                "Unknown option or number of arguments for CONFIG SET - '{}'",
                String::from_utf8_lossy(&pair[0])
            );
            return Reply::Error(ReplyError::Err(Bytes::from(text)));
        };
        if p.scope == Scope::Immutable {
            return set_failed(&pair[0], "can't set immutable config");
        }
        // As Redis, a parameter and its alias in one call are two names: the last value wins.
        if chosen.iter().any(|(n, _, _)| *n == name) {
            return set_failed(&pair[0], "duplicate parameter");
        }
        chosen.retain(|(_, q, _)| !std::ptr::eq(*q, p));
        chosen.push((name, p, &pair[1]));
    }
    // Then every value.
    let mut normalized = Vec::with_capacity(chosen.len());
    for (name, p, value) in &chosen {
        match params::normalize(p, value) {
            Ok(v) => normalized.push((*p, v, *value)),
            Err(detail) => return set_failed(name.as_bytes(), &detail),
        }
    }
    // Cluster-wide values go through the log as one entry; nothing is applied if that fails.
    let cluster: Vec<(&str, String)> = normalized
        .iter()
        .filter(|(p, _, _)| p.scope == Scope::Cluster)
        .map(|(p, v, _)| (p.name, v.clone()))
        .collect();
    if !cluster.is_empty() {
        let reply = write_settings(shared, config_set_command(&cluster)).await;
        if reply.is_error() {
            return reply;
        }
    }
    for (p, v, raw) in &normalized {
        apply_gateway(shared, p, v, raw);
    }
    Reply::Ok
}

/// Writes an internal settings command (see `tinyredis_common::settings`) to the Raft log as
/// one entry and returns its reply; on success this gateway's copy of the settings is refreshed
/// at once, so the connection reads its own write.
pub async fn write_settings(shared: &Shared, argv: Vec<Bytes>) -> Reply {
    let req = pb::ExecuteRequest {
        client_id: 0,
        seq: 0,
        db: 0,
        write: true,
        commands: vec![pb::Command { argv }],
        transaction: false,
    };
    let reply = match shared.router.execute(&req).await {
        Ok(replies) => replies.into_iter().next().unwrap_or(Reply::Nil),
        Err(e) => return Reply::Error(e.to_reply_error()),
    };
    if !reply.is_error()
        && let Some(new) = shared
            .router
            .settings(0, std::time::Duration::ZERO, false)
            .await
    {
        shared.settings.update_cluster(new);
    }
    reply
}

/// Applies a checked per-gateway value.
fn apply_gateway(shared: &Shared, param: &Param, value: &str, raw: &[u8]) {
    let s = &shared.settings;
    let unsigned = || value.parse::<u64>().unwrap_or_default();
    match param.name {
        "maxclients" => s.set_maxclients(unsigned()),
        "timeout" => s.set_timeout_secs(unsigned()),
        "proto-max-bulk-len" => s.set_proto_max_bulk_len(unsigned()),
        "client-query-buffer-limit" => s.set_client_query_buffer_limit(unsigned()),
        "slowlog-log-slower-than" => {
            let usec = value.parse().unwrap_or_default();
            s.set_slowlog_log_slower_than(usec);
            shared.slowlog.set_slower_than_usec(usec);
        }
        "slowlog-max-len" => {
            s.set_slowlog_max_len(unsigned());
            shared
                .slowlog
                .set_max_len(usize::try_from(unsigned()).unwrap_or(usize::MAX));
        }
        "client-output-buffer-limit" => {
            if let Ok(change) = params::parse_output_buffer_limit_change(raw) {
                s.change_output_buffer_limits(change);
            }
        }
        _ => {}
    }
}
