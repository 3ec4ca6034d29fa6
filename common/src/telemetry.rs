//! Logging setup shared by both binaries.

use tracing_subscriber::EnvFilter;

/// Installs a text subscriber on stdout filtered by `level` (a level such as `info`, or a full
/// `EnvFilter` directive such as `info,openraft=warn`).
pub fn init_logging(level: &str) -> Result<(), String> {
    let filter = EnvFilter::try_new(level).map_err(|e| format!("invalid --log-level {level:?}: {e}"))?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(true)
        .try_init()
        .map_err(|e| e.to_string())
}
