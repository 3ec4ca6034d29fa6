//! Logging setup and process signals shared by both binaries.
//!
//! [`TelemetrySettings`] are the logging and metrics settings both binaries accept (flags, variables, file keys; see
//! [`crate::config`]); [`TelemetrySettings::resolve`] validates them into a [`TelemetryConfig`], which
//! [`init_logging`] installs: text (or JSON) on stdout, optionally JSON into a daily-rotated file
//! with a bounded number of kept files, an EnvFilter per module, and [`sampling`] of repeated
//! identical lines.

pub mod metrics;
pub mod sampling;

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde::{Deserialize, Serialize};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::{ConfigError, HumanDuration};
use sampling::{SamplingConfig, SamplingLayer};

/// Files kept in `--log-dir` by default (one per day).
pub const DEFAULT_LOG_MAX_FILES: usize = 7;
/// Default sampling tick.
pub const DEFAULT_LOG_SAMPLING_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);
/// Identical lines written per tick before sampling starts (the old Go server's default).
pub const DEFAULT_LOG_SAMPLING_INITIAL: u64 = 100;
/// After that, one of every this many identical lines is written.
pub const DEFAULT_LOG_SAMPLING_THEREAFTER: u64 = 100;

/// How lines on stdout look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable text.
    #[default]
    Text,
    /// One JSON object per line (for log collectors).
    Json,
}

/// The logging and metrics settings shared by both binaries; `None` means "not given here".
#[derive(Debug, Clone, Default, Args, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct TelemetrySettings {
    /// Log level or per-module filter (EnvFilter syntax, e.g. info or info,openraft=warn).
    #[arg(long, env = "TINYREDIS_LOG_LEVEL", value_name = "FILTER")]
    pub log_level: Option<String>,
    /// Format of the lines on stdout [default: text].
    #[arg(long, env = "TINYREDIS_LOG_FORMAT", value_enum)]
    pub log_format: Option<LogFormat>,
    /// Also write JSON lines to a daily-rotated file in this directory [default: none].
    #[arg(long, env = "TINYREDIS_LOG_DIR", value_name = "DIR")]
    pub log_dir: Option<PathBuf>,
    /// Rotated files kept in --log-dir; older ones are deleted [default: 7].
    #[arg(long, env = "TINYREDIS_LOG_MAX_FILES", value_name = "N")]
    pub log_max_files: Option<usize>,
    /// Sample repeated identical lines [default: true]; --log-sampling=false writes them all.
    #[arg(long, env = "TINYREDIS_LOG_SAMPLING", num_args = 0..=1, require_equals = true,
          default_missing_value = "true", value_name = "BOOL")]
    pub log_sampling: Option<bool>,
    /// Sampling tick: counts of identical lines restart every interval [default: 1s].
    #[arg(long, env = "TINYREDIS_LOG_SAMPLING_INTERVAL", value_name = "DURATION")]
    pub log_sampling_interval: Option<HumanDuration>,
    /// Identical lines written per tick before sampling starts [default: 100].
    #[arg(long, env = "TINYREDIS_LOG_SAMPLING_INITIAL", value_name = "N")]
    pub log_sampling_initial: Option<u64>,
    /// After that, one of every N identical lines per tick is written (0: none) [default: 100].
    #[arg(long, env = "TINYREDIS_LOG_SAMPLING_THEREAFTER", value_name = "N")]
    pub log_sampling_thereafter: Option<u64>,
    /// Serve /metrics (Prometheus), /livez and /readyz over HTTP on this address [default: off].
    #[arg(long, env = "TINYREDIS_METRICS_LISTEN", value_name = "ADDR")]
    pub metrics_listen: Option<String>,
}

impl TelemetrySettings {
    /// Fills in defaults (`default_level` is the binary's filter) and validates.
    pub fn resolve(self, default_level: &str) -> Result<TelemetryConfig, ConfigError> {
        let log_level = self.log_level.unwrap_or_else(|| default_level.to_string());
        EnvFilter::try_new(&log_level)
            .map_err(|e| ConfigError::new("log-level", format!("{log_level:?}: {e}")))?;
        let log_max_files = self.log_max_files.unwrap_or(DEFAULT_LOG_MAX_FILES);
        if log_max_files == 0 {
            return Err(ConfigError::new("log-max-files", "must be at least 1"));
        }
        if let Some(dir) = &self.log_dir
            && dir.as_os_str().is_empty()
        {
            return Err(ConfigError::new("log-dir", "must not be empty"));
        }
        let interval = self
            .log_sampling_interval
            .map_or(DEFAULT_LOG_SAMPLING_INTERVAL, |d| d.0);
        if interval.is_zero() {
            return Err(ConfigError::new(
                "log-sampling-interval",
                "must be longer than zero",
            ));
        }
        let sampling = self.log_sampling.unwrap_or(true).then_some(SamplingConfig {
            interval,
            initial: self
                .log_sampling_initial
                .unwrap_or(DEFAULT_LOG_SAMPLING_INITIAL),
            thereafter: self
                .log_sampling_thereafter
                .unwrap_or(DEFAULT_LOG_SAMPLING_THEREAFTER),
        });
        let metrics_listen = match &self.metrics_listen {
            None => None,
            Some(a) if a.is_empty() => None,
            Some(a) => Some(crate::config::check_listen("metrics-listen", a)?),
        };
        Ok(TelemetryConfig {
            metrics_listen,
            log_level,
            log_format: self.log_format.unwrap_or_default(),
            log_dir: self.log_dir,
            log_max_files,
            sampling,
        })
    }
}

/// Validated logging configuration.
#[derive(Debug, Clone)]
pub struct TelemetryConfig {
    /// An EnvFilter directive.
    pub log_level: String,
    /// Format on stdout.
    pub log_format: LogFormat,
    /// Directory of the rotated JSON log files, if any.
    pub log_dir: Option<PathBuf>,
    /// Rotated files kept.
    pub log_max_files: usize,
    /// Sampling of repeated lines; `None` writes every line.
    pub sampling: Option<SamplingConfig>,
    /// Where to serve metrics and probes; `None`: nowhere, and no metrics are recorded.
    pub metrics_listen: Option<SocketAddr>,
}

/// Keeps the log file writer running; dropping it flushes what is buffered. Hold it for the life
/// of the process.
#[must_use = "dropping the guard stops writing the log file"]
pub struct LogGuard {
    _file: Option<tracing_appender::non_blocking::WorkerGuard>,
}

/// Installs the process's subscriber: filter, sampler, stdout writer and, with a log dir, the
/// rotated JSON file writer (files named `<binary>.<date>.log`). Colors only when stdout is a
/// terminal, so redirected logs stay readable.
pub fn init_logging(binary: &str, config: &TelemetryConfig) -> Result<LogGuard, String> {
    let filter = EnvFilter::try_new(&config.log_level)
        .map_err(|e| format!("invalid setting log-level {:?}: {e}", config.log_level))?;
    let stdout = match config.log_format {
        LogFormat::Text => tracing_subscriber::fmt::layer()
            .with_target(true)
            .with_ansi(std::io::stdout().is_terminal())
            .boxed(),
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .with_current_span(false)
            .boxed(),
    };
    let (file, guard) = match &config.log_dir {
        None => (None, None),
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("invalid setting log-dir: {}: {e}", dir.display()))?;
            let appender = tracing_appender::rolling::Builder::new()
                .rotation(tracing_appender::rolling::Rotation::DAILY)
                .filename_prefix(binary)
                .filename_suffix("log")
                .max_log_files(config.log_max_files)
                .build(dir)
                .map_err(|e| format!("invalid setting log-dir: {}: {e}", dir.display()))?;
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let layer = tracing_subscriber::fmt::layer()
                .json()
                .with_current_span(false)
                .with_writer(writer)
                .boxed();
            (Some(layer), Some(guard))
        }
    };
    tracing_subscriber::registry()
        .with(filter)
        .with(config.sampling.map(SamplingLayer::new))
        .with(stdout)
        .with(file)
        .try_init()
        .map_err(|e| e.to_string())?;
    Ok(LogGuard { _file: guard })
}

/// Resolves when the process receives SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) {
            (Ok(mut int), Ok(mut term)) => {
                tokio::select! {
                    _ = int.recv() => {}
                    _ = term.recv() => {}
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
