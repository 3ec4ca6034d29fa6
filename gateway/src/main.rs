//! `tinyredis-gateway`: the RESP front end of tinyredis.
//!
//! Settings come from flags, `TINYREDIS_…` variables and a TOML file (`--config`), in that order of
//! precedence; `--config-check` validates them and exits.

use std::process::ExitCode;

use tinyredis_common::config::{self, LoadError};
use tinyredis_gateway::config::GatewaySettings;
use tinyredis_gateway::server;

const NAME: &str = "tinyredis-gateway";

/// jemalloc: less fragmentation than glibc's per-thread arenas under many small, long-lived
/// allocations (keys and values), so memory use tracks the data.
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let loaded = match config::load::<GatewaySettings>(
        NAME,
        "A stateless tinyredis gateway: speaks RESP to clients and forwards to the Raft leader.",
        std::env::args_os(),
    ) {
        Ok(l) => l,
        Err(LoadError::Exit(text)) => {
            print!("{text}");
            return ExitCode::SUCCESS;
        }
        Err(LoadError::Invalid(line)) => {
            eprintln!("{NAME}: {line}");
            return ExitCode::from(2);
        }
    };
    let (gateway_config, telemetry) = match loaded.settings.resolve() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{NAME}: {e}");
            return ExitCode::from(2);
        }
    };
    if loaded.file.config_check {
        println!("{NAME}: configuration OK");
        return ExitCode::SUCCESS;
    }
    if telemetry.metrics_listen.is_some()
        && let Err(e) = tinyredis_common::telemetry::metrics::install_recorder("gateway")
    {
        eprintln!("{NAME}: metrics: {e}");
        return ExitCode::FAILURE;
    }
    let _log_guard = match tinyredis_common::telemetry::init_logging(NAME, &telemetry) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("{NAME}: {e}");
            return ExitCode::from(2);
        }
    };
    match server::run(
        gateway_config,
        tinyredis_common::telemetry::shutdown_signal(),
    )
    .await
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("{NAME}: {e:#}");
            ExitCode::FAILURE
        }
    }
}
