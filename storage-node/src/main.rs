//! `tinyredis-node`: a Raft storage node of tinyredis.

use std::path::PathBuf;

use clap::Parser;
use tinyredis_node::node::{self, NodeConfig};

/// A tinyredis storage node: Raft log and snapshots in RocksDB, keyspace in memory.
#[derive(Debug, Parser)]
#[command(name = "tinyredis-node", version)]
struct Cli {
    /// This node's id (a positive integer, unique in the cluster). Required for a new data dir.
    #[arg(long)]
    node_id: Option<u64>,
    /// Data directory: Raft log, vote and snapshots.
    #[arg(long, default_value = "data/node")]
    data_dir: PathBuf,
    /// gRPC listen address (gateways, peers and admin).
    #[arg(long, default_value = "127.0.0.1:7001")]
    listen: String,
    /// Address other nodes and gateways use to reach this node (default: --listen).
    #[arg(long)]
    advertise: Option<String>,
    /// Create a new cluster with this node as its only voter (ignored if the data dir has state).
    #[arg(long, conflicts_with = "join")]
    bootstrap: bool,
    /// Join the cluster through any of these members (ignored once the node has joined).
    #[arg(long, value_delimiter = ',')]
    join: Vec<String>,
    /// Log level or filter directive (e.g. info, debug, info,openraft=warn).
    #[arg(long, default_value = "info,openraft=warn")]
    log_level: String,
    /// Raft heartbeat interval in milliseconds.
    #[arg(long, default_value_t = 100)]
    heartbeat_ms: u64,
    /// Minimum election timeout in milliseconds.
    #[arg(long, default_value_t = 500)]
    election_timeout_min_ms: u64,
    /// Maximum election timeout in milliseconds.
    #[arg(long, default_value_t = 1000)]
    election_timeout_max_ms: u64,
    /// Build a snapshot every this many log entries.
    #[arg(long, default_value_t = 20_000)]
    snapshot_logs: u64,
    /// Log entries kept behind a snapshot for lagging followers.
    #[arg(long, default_value_t = 1_000)]
    keep_logs_after_snapshot: u64,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    if let Err(e) = tinyredis_common::telemetry::init_logging(&cli.log_level) {
        eprintln!("tinyredis-node: {e}");
        return std::process::ExitCode::from(2);
    }
    let config = NodeConfig {
        node_id: cli.node_id,
        data_dir: cli.data_dir,
        listen: cli.listen,
        advertise: cli.advertise,
        bootstrap: cli.bootstrap,
        join: cli.join,
        heartbeat_ms: cli.heartbeat_ms,
        election_timeout_min_ms: cli.election_timeout_min_ms,
        election_timeout_max_ms: cli.election_timeout_max_ms,
        snapshot_logs: cli.snapshot_logs,
        keep_logs_after_snapshot: cli.keep_logs_after_snapshot,
    };
    match node::run(config, tinyredis_common::telemetry::shutdown_signal()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("tinyredis-node: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
