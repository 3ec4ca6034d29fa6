//! The node's Prometheus metrics and health probes.
//!
//! Two kinds of figures, so the hot path pays nothing for what can be read at scrape time:
//! - **read at scrape time** from [`Node::status`] (Raft term, leader, indexes, key counts per db,
//!   memory) and rendered directly by [`NodeProbes`];
//! - **recorded as events happen** through the `metrics` facade, with handles or static labels so
//!   that nothing allocates: proposals (`node.rs`), log append and WAL fsync (`raft/log_store.rs`),
//!   apply and snapshots (`raft/state_machine.rs`), peer RPCs (`raft/network.rs`), and leader
//!   changes ([`watch_leader`]).
//!
//! Without `metrics-listen` no recorder is installed and every facade call is a no-op.

use std::fmt::Write;
use std::sync::Arc;
use std::time::Duration;

use openraft::rt::WatchReceiver;
use tinyredis_common::telemetry::metrics::{BoxFuture, Probes, family};
use tinyredis_proto::pb;

use crate::node::Node;
use crate::raft::Raft;

/// Proposals (write segments and expiry batches) by outcome: `committed` or `failed`.
pub const PROPOSALS: &str = "tinyredis_raft_proposals_total";
/// Proposals waiting for commit and apply.
pub const PROPOSALS_PENDING: &str = "tinyredis_raft_proposals_pending";
/// Time from proposal to applied reply.
pub const PROPOSAL_DURATION: &str = "tinyredis_raft_proposal_duration_seconds";
/// Time to write one append (a batch of entries) into RocksDB, before the fsync.
pub const APPEND_DURATION: &str = "tinyredis_raft_append_log_duration_seconds";
/// Entries appended to the log.
pub const APPENDED_ENTRIES: &str = "tinyredis_raft_appended_entries_total";
/// Time of one WAL fsync of the group-commit flusher.
pub const WAL_FSYNC_DURATION: &str = "tinyredis_disk_wal_fsync_duration_seconds";
/// Bytes of log entries written.
pub const WAL_WRITE_BYTES: &str = "tinyredis_disk_wal_write_bytes_total";
/// Time to apply one log entry to the keyspace.
pub const APPLY_DURATION: &str = "tinyredis_raft_apply_duration_seconds";
/// Time to build a snapshot file.
pub const SNAPSHOT_BUILD_DURATION: &str = "tinyredis_raft_snapshot_build_duration_seconds";
/// Size of built snapshot files.
pub const SNAPSHOT_SIZE: &str = "tinyredis_snapshot_size_bytes";
/// Snapshots installed from the leader.
pub const SNAPSHOTS_INSTALLED: &str = "tinyredis_raft_snapshots_installed_total";
/// Round trip of Raft RPCs to a peer, labelled by peer id.
pub const PEER_RTT: &str = "tinyredis_network_peer_round_trip_time_seconds";
/// Failed Raft RPCs to a peer, labelled by peer id.
pub const PEER_SEND_FAILURES: &str = "tinyredis_network_peer_sent_failures_total";
/// Time of one confirmation round of the linearizable read barrier.
pub const READ_BARRIER_DURATION: &str = "tinyredis_raft_read_barrier_duration_seconds";
/// Read segments served by the read barrier's rounds (divided by the rounds: reads per round).
pub const READ_BARRIER_READS: &str = "tinyredis_raft_read_barrier_reads_total";
/// Leader changes this node has seen.
pub const LEADER_CHANGES: &str = "tinyredis_raft_leader_changes_seen_total";

/// Describes the event metrics (HELP lines).
pub fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_counter!(PROPOSALS, "Raft proposals by result (committed, failed).");
    describe_gauge!(
        PROPOSALS_PENDING,
        "Raft proposals waiting for commit and apply."
    );
    describe_histogram!(
        PROPOSAL_DURATION,
        metrics::Unit::Seconds,
        "Time from proposing a write to its applied reply."
    );
    describe_histogram!(
        APPEND_DURATION,
        metrics::Unit::Seconds,
        "Time to write one batch of log entries to RocksDB (before fsync)."
    );
    describe_counter!(APPENDED_ENTRIES, "Log entries appended.");
    describe_histogram!(
        WAL_FSYNC_DURATION,
        metrics::Unit::Seconds,
        "Time of one WAL fsync (one per group of appends)."
    );
    describe_counter!(WAL_WRITE_BYTES, "Bytes of log entries written.");
    describe_histogram!(
        APPLY_DURATION,
        metrics::Unit::Seconds,
        "Time to apply one log entry to the keyspace."
    );
    describe_histogram!(
        SNAPSHOT_BUILD_DURATION,
        metrics::Unit::Seconds,
        "Time to build and write a snapshot file."
    );
    describe_histogram!(
        SNAPSHOT_SIZE,
        metrics::Unit::Bytes,
        "Size of built snapshot files."
    );
    describe_counter!(
        SNAPSHOTS_INSTALLED,
        "Snapshots received from the leader and installed."
    );
    describe_histogram!(
        PEER_RTT,
        metrics::Unit::Seconds,
        "Round trip of Raft RPCs (append entries, heartbeats) to a peer."
    );
    describe_counter!(PEER_SEND_FAILURES, "Raft RPCs to a peer that failed.");
    describe_counter!(LEADER_CHANGES, "Leader changes seen by this node.");
    describe_histogram!(
        READ_BARRIER_DURATION,
        metrics::Unit::Seconds,
        "Time of one confirmation round of the linearizable read barrier."
    );
    describe_counter!(
        READ_BARRIER_READS,
        "Read segments confirmed by the read barrier (shared rounds: see its duration's count)."
    );
}

/// Counts leader changes as this node sees them (openraft's metrics channel).
pub async fn watch_leader(raft: Raft) {
    let mut rx = raft.metrics();
    let mut leader = rx.borrow_watched().current_leader;
    let changes = metrics::counter!(LEADER_CHANGES);
    while rx.changed().await.is_ok() {
        let now = rx.borrow_watched().current_leader;
        if now.is_some() && now != leader {
            changes.increment(1);
        }
        leader = now;
    }
}

/// Keeps the gRPC health status of the Kv service (`tinyredis.v1.Kv`) in step with Raft: SERVING
/// while a leader is known, NOT_SERVING otherwise. The overall status ("") stays SERVING: it is
/// what liveness probes ask, and liveness must not depend on the cluster.
pub async fn report_grpc_health(raft: Raft, reporter: tonic_health::server::HealthReporter) {
    use crate::service::kv::KvService;
    type Kv = pb::kv_server::KvServer<KvService>;
    let mut rx = raft.metrics();
    let mut serving = None;
    loop {
        let has_leader = rx.borrow_watched().current_leader.is_some();
        if serving != Some(has_leader) {
            if has_leader {
                reporter.set_serving::<Kv>().await;
            } else {
                reporter.set_not_serving::<Kv>().await;
            }
            serving = Some(has_leader);
        }
        if rx.changed().await.is_err() {
            return;
        }
    }
}

/// The node's `/metrics` additions and `/readyz`.
pub struct NodeProbes {
    /// The running node.
    pub node: Arc<Node>,
}

impl Probes for NodeProbes {
    fn render(&self, out: &mut String) {
        render_status(&self.node.status(), out);
    }

    fn ready(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move { self.node.check_ready(Duration::from_secs(2)).await })
    }

    fn raft_stats(&self) -> BoxFuture<'_, Option<Result<String, String>>> {
        Box::pin(async move { Some(self.node.raft_stats().await) })
    }
}

/// Renders what [`Node::status`] knows as gauges.
pub fn render_status(st: &pb::NodeStatus, out: &mut String) {
    let gauge = |out: &mut String, name: &str, help: &str, value: f64| {
        family(out, name, "gauge", help);
        let _ = writeln!(out, "{name} {value}");
    };
    let leader = st.leader_id.unwrap_or(0);
    gauge(
        out,
        "tinyredis_raft_term",
        "Current Raft term.",
        st.term as f64,
    );
    gauge(
        out,
        "tinyredis_raft_has_leader",
        "1 if this node knows a leader.",
        f64::from(u8::from(st.leader_id.is_some())),
    );
    gauge(
        out,
        "tinyredis_raft_is_leader",
        "1 if this node is the leader.",
        f64::from(u8::from(st.role == "leader")),
    );
    gauge(
        out,
        "tinyredis_raft_leader_id",
        "Id of the leader this node knows (0: none).",
        leader as f64,
    );
    gauge(
        out,
        "tinyredis_raft_last_log_index",
        "Index of the last entry in this node's log.",
        st.last_log_index.unwrap_or(0) as f64,
    );
    gauge(
        out,
        "tinyredis_raft_commit_index",
        "Highest log index known committed.",
        st.committed_index.unwrap_or(0) as f64,
    );
    gauge(
        out,
        "tinyredis_raft_applied_index",
        "Highest log index applied to the keyspace.",
        st.applied_index.unwrap_or(0) as f64,
    );
    gauge(
        out,
        "tinyredis_raft_snapshot_index",
        "Last log index covered by this node's snapshot.",
        st.snapshot_index.unwrap_or(0) as f64,
    );
    let voters = st.members.iter().filter(|m| m.kind == "voter").count();
    gauge(
        out,
        "tinyredis_raft_voters",
        "Voters in the membership this node knows.",
        voters as f64,
    );
    family(out, "tinyredis_db_keys", "gauge", "Keys per database.");
    for db in &st.keyspace {
        let _ = writeln!(out, "tinyredis_db_keys{{db=\"{}\"}} {}", db.db, db.keys);
    }
    family(
        out,
        "tinyredis_db_keys_expiring",
        "gauge",
        "Keys with an expiry per database.",
    );
    for db in &st.keyspace {
        let _ = writeln!(
            out,
            "tinyredis_db_keys_expiring{{db=\"{}\"}} {}",
            db.db, db.expires
        );
    }
    gauge(
        out,
        "tinyredis_memory_used_bytes",
        "Heap bytes allocated by the process (INFO used_memory).",
        st.used_memory as f64,
    );
    gauge(
        out,
        "tinyredis_memory_rss_bytes",
        "Resident set size of the process.",
        st.used_memory_rss as f64,
    );
    gauge(
        out,
        "tinyredis_memory_dataset_bytes",
        "Estimated bytes of keys and values.",
        st.used_memory_dataset as f64,
    );
}
