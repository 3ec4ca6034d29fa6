//! The gateway's Prometheus metrics and health probes.
//!
//! Command figures are not recorded twice: the per-command counters and latency histograms that
//! INFO commandstats/latencystats use ([`crate::stats`], a fixed array indexed by `CommandId`)
//! are rendered at scrape time as Prometheus families, labelled with the command table's static
//! names only (never client input). The router records backend call latency, retries and leader
//! changes through the `metrics` facade (static labels, no allocation). CONFIG RESETSTAT resets the
//! command counters, which Prometheus treats like a restart.

use std::fmt::Write;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tinyredis_common::command::COMMANDS;
use tinyredis_common::telemetry::metrics::{BoxFuture, Probes, family};

use crate::server::Shared;
use crate::stats::Histogram;

/// Time of one call to a storage node, by `op` (`read` or `write`).
pub const BACKEND_DURATION: &str = "tinyredis_gateway_backend_request_duration_seconds";
/// Calls to storage nodes by `result`: `ok`, `not_leader`, `error`.
pub const BACKEND_REQUESTS: &str = "tinyredis_gateway_backend_requests_total";
/// Attempts repeated by the router, by `reason`: `not_leader`, `transport`, `no_node`.
pub const RETRIES: &str = "tinyredis_gateway_retries_total";
/// Times the router switched to another leader.
pub const LEADER_CHANGES: &str = "tinyredis_gateway_leader_changes_total";
/// Segments that failed with CLUSTERDOWN after the failover deadline.
pub const CLUSTER_DOWN: &str = "tinyredis_gateway_cluster_down_total";

/// Upper bounds of the command latency buckets, in nanoseconds: powers of two from 2¹⁶ ns
/// (65.5 µs) to 2³¹ ns (2.1 s). They fall on [`Histogram`] bucket edges, so counts are exact.
const BUCKET_BOUNDS_NS: [u64; 16] = {
    let mut b = [0u64; 16];
    let mut i = 0;
    while i < 16 {
        b[i] = 1u64 << (16 + i);
        i += 1;
    }
    b
};

/// Describes the router's metrics (HELP lines).
pub fn describe() {
    use metrics::{describe_counter, describe_histogram};
    describe_histogram!(
        BACKEND_DURATION,
        metrics::Unit::Seconds,
        "Time of one gRPC call to a storage node (a pipeline segment)."
    );
    describe_counter!(BACKEND_REQUESTS, "gRPC calls to storage nodes by result.");
    describe_counter!(
        RETRIES,
        "Segment attempts repeated by the router, by reason."
    );
    describe_counter!(LEADER_CHANGES, "Times the router switched to a new leader.");
    describe_counter!(
        CLUSTER_DOWN,
        "Segments failed with CLUSTERDOWN: no leader within the failover timeout."
    );
}

/// The gateway's `/metrics` additions and `/readyz`.
pub struct GatewayProbes {
    /// What every connection shares.
    pub shared: Arc<Shared>,
}

impl Probes for GatewayProbes {
    fn render(&self, out: &mut String) {
        render_stats(&self.shared, out);
    }

    fn ready(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(self.shared.router.check_leader(Duration::from_secs(2)))
    }
}

/// Renders the command statistics and connection counters.
fn render_stats(shared: &Shared, out: &mut String) {
    let stats = &shared.stats;
    let counter = |out: &mut String, name: &str, help: &str, value: u64| {
        family(out, name, "counter", help);
        let _ = writeln!(out, "{name} {value}");
    };
    family(
        out,
        "tinyredis_gateway_connected_clients",
        "gauge",
        "Open client connections.",
    );
    let _ = writeln!(
        out,
        "tinyredis_gateway_connected_clients {}",
        shared.clients.len()
    );
    counter(
        out,
        "tinyredis_gateway_connections_received_total",
        "Client connections accepted.",
        stats.connections_received.load(Ordering::Relaxed),
    );
    counter(
        out,
        "tinyredis_gateway_rejected_connections_total",
        "Client connections refused (maxclients).",
        stats.rejected_connections.load(Ordering::Relaxed),
    );
    counter(
        out,
        "tinyredis_gateway_net_input_bytes_total",
        "Bytes read from clients.",
        stats.net_input_bytes.load(Ordering::Relaxed),
    );
    counter(
        out,
        "tinyredis_gateway_net_output_bytes_total",
        "Bytes written to clients.",
        stats.net_output_bytes.load(Ordering::Relaxed),
    );
    counter(
        out,
        "tinyredis_gateway_client_output_buffer_limit_disconnections_total",
        "Clients closed for overcoming client-output-buffer-limit (monitors included).",
        stats
            .output_buffer_limit_disconnections
            .load(Ordering::Relaxed),
    );
    counter(
        out,
        "tinyredis_gateway_commands_processed_total",
        "Commands processed, rejected ones included.",
        stats.total_commands.load(Ordering::Relaxed),
    );

    let used: Vec<_> = COMMANDS
        .iter()
        .map(|spec| (spec.name, stats.command(spec.id)))
        .filter(|(_, c)| {
            c.calls.load(Ordering::Relaxed) > 0 || c.rejected_calls.load(Ordering::Relaxed) > 0
        })
        .collect();
    for (name, help, field) in [
        (
            "tinyredis_gateway_commands_total",
            "Calls per command (that ran, whatever the reply).",
            0,
        ),
        (
            "tinyredis_gateway_command_failed_calls_total",
            "Calls per command that replied an error.",
            1,
        ),
        (
            "tinyredis_gateway_command_rejected_calls_total",
            "Calls per command refused before running (arity, transaction state).",
            2,
        ),
    ] {
        family(out, name, "counter", help);
        for (cmd, c) in &used {
            let v = match field {
                0 => &c.calls,
                1 => &c.failed_calls,
                _ => &c.rejected_calls,
            };
            let _ = writeln!(out, "{name}{{cmd=\"{cmd}\"}} {}", v.load(Ordering::Relaxed));
        }
    }
    family(
        out,
        "tinyredis_gateway_errors_total",
        "counter",
        "Error replies by prefix (ERR, WRONGTYPE, CLUSTERDOWN, ...).",
    );
    for (prefix, n) in stats.errors() {
        let _ = writeln!(
            out,
            "tinyredis_gateway_errors_total{{err=\"{prefix}\"}} {n}"
        );
    }
    let name = "tinyredis_gateway_command_duration_seconds";
    family(
        out,
        name,
        "histogram",
        "Latency per command as the gateway sees it (a forwarded segment's round trip shared by its commands).",
    );
    for (cmd, c) in &used {
        let Some(h) = c.histogram() else { continue };
        render_histogram(out, name, cmd, h, c.usec.load(Ordering::Relaxed));
    }
}

fn render_histogram(out: &mut String, name: &str, cmd: &str, h: &Histogram, usec: u64) {
    for bound in BUCKET_BOUNDS_NS {
        let le = bound as f64 / 1e9;
        let _ = writeln!(
            out,
            "{name}_bucket{{cmd=\"{cmd}\",le=\"{le}\"}} {}",
            h.count_below(bound)
        );
    }
    let total = h.total();
    let _ = writeln!(out, "{name}_bucket{{cmd=\"{cmd}\",le=\"+Inf\"}} {total}");
    let _ = writeln!(out, "{name}_sum{{cmd=\"{cmd}\"}} {}", usec as f64 / 1e6);
    let _ = writeln!(out, "{name}_count{{cmd=\"{cmd}\"}} {total}");
}
