//! `tinyredis-gateway`: the RESP front end of tinyredis.

use std::time::Duration;

use clap::Parser;
use tinyredis_gateway::resp::Limits;
use tinyredis_gateway::server::{self, GatewayConfig};

/// A stateless tinyredis gateway: speaks RESP to clients and forwards to the Raft leader.
#[derive(Debug, Parser)]
#[command(name = "tinyredis-gateway", version)]
struct Cli {
    /// RESP listen address.
    #[arg(long, default_value = server::DEFAULT_LISTEN)]
    listen: String,
    /// Storage nodes to start from (any members; the rest is learned from the cluster).
    #[arg(long, value_delimiter = ',', default_value = "127.0.0.1:7001")]
    nodes: Vec<String>,
    /// Seconds a command may wait for a Raft leader before failing with CLUSTERDOWN.
    #[arg(long, default_value_t = 10.0)]
    failover_timeout: f64,
    /// Log level or filter directive (e.g. info, debug).
    #[arg(long, default_value = "info")]
    log_level: String,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    if let Err(e) = tinyredis_common::telemetry::init_logging(&cli.log_level) {
        eprintln!("tinyredis-gateway: {e}");
        return std::process::ExitCode::from(2);
    }
    if !(cli.failover_timeout.is_finite() && cli.failover_timeout > 0.0) {
        eprintln!("tinyredis-gateway: --failover-timeout must be a positive number of seconds");
        return std::process::ExitCode::from(2);
    }
    let config = GatewayConfig {
        listen: cli.listen,
        nodes: cli.nodes,
        failover_timeout: Duration::from_secs_f64(cli.failover_timeout),
        limits: Limits::default(),
    };
    match server::run(config, tinyredis_common::telemetry::shutdown_signal()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tinyredis-gateway: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
