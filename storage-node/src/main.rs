//! `tinyredis-node`: a Raft storage node of tinyredis.
//!
//! Settings come from flags, `TINYREDIS_…` variables and a TOML file (`--config`), in that order of
//! precedence; `--config-check` validates them and exits.

use std::process::ExitCode;

use tinyredis_common::config;
use tinyredis_node::config::NodeSettings;
use tinyredis_node::node;

const NAME: &str = "tinyredis-node";

/// jemalloc: less fragmentation than glibc's per-thread arenas under many small, long-lived
/// allocations (keys and values), so memory use tracks the data.
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let started = match config::start(
        NAME,
        "A tinyredis storage node: Raft log and snapshots in RocksDB, keyspace in memory.",
        "node",
        NodeSettings::resolve,
    ) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let _log_guard = started.log_guard;
    let node_config = started.config;
    match node::run(node_config, tinyredis_common::telemetry::shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("{NAME}: {e:#}");
            ExitCode::FAILURE
        }
    }
}
