//! Settings loading shared by both binaries: a TOML file, `TINYREDIS_…` environment variables and
//! command-line flags, with the precedence flags > environment > file > defaults.
//!
//! Each binary declares its settings once, as a clap [`Args`] struct whose fields are all
//! `Option`s (`None` = not given) and that is also serde-(de)serializable with kebab-case names.
//! clap reads the flags and the environment (flags win, through clap's `env` attribute); the file is
//! read into the same struct; [`load`] overlays the two (a given flag or variable replaces the file's
//! value) and the binary fills the remaining `None`s with its defaults. So a setting's flag
//! `--foo-bar`, file key `foo-bar` and variable `TINYREDIS_FOO_BAR` always correspond, and the list
//! of accepted file keys is the list of flags.
//!
//! Every error is one line that names the offending setting ([`ConfigError`]).

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use clap::{Args, CommandFactory, FromArgMatches, Parser};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Prefix of every environment variable that sets a setting (`TINYREDIS_LOG_LEVEL`, …).
pub const ENV_PREFIX: &str = "TINYREDIS_";

/// A setting that cannot be used, or a config file that cannot be read: one line for the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The setting's name (its file key, which is also its flag without `--`), or the file path.
    pub setting: String,
    /// What is wrong with it.
    pub message: String,
}

impl ConfigError {
    /// An error about `setting`.
    pub fn new(setting: impl Into<String>, message: impl Into<String>) -> ConfigError {
        ConfigError {
            setting: setting.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid setting {}: {}", self.setting, self.message)
    }
}

impl std::error::Error for ConfigError {}

/// The options every binary has besides its settings: where the file is and whether to only check.
#[derive(Debug, Clone, Args)]
pub struct ConfigFileArgs {
    /// TOML config file (keys are the flag names without `--`). Flags and TINYREDIS_* variables
    /// override it.
    #[arg(long, env = "TINYREDIS_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Validate the configuration (file, environment, flags), print the result and exit.
    #[arg(long)]
    pub config_check: bool,
}

/// What [`load`] parsed: the merged settings and the file options.
pub struct Loaded<S> {
    /// Flags and environment over the file's values; `None` where nothing set a value.
    pub settings: S,
    /// `--config` and `--config-check`.
    pub file: ConfigFileArgs,
}

/// How [`load`] ended without settings to run with.
pub enum LoadError {
    /// `--help` or `--version`: print this text to stdout and exit 0.
    Exit(String),
    /// A bad flag, variable or file: print this one line to stderr and exit non-zero.
    Invalid(String),
}

/// The command line of a binary: its settings `S` plus [`ConfigFileArgs`].
#[derive(Debug, Parser)]
struct Cli<S: Args> {
    #[command(flatten)]
    settings: S,
    #[command(flatten)]
    file: ConfigFileArgs,
}

/// Parses the command line and environment of binary `name` (with `about` as its help text), reads
/// the `--config` file if any, and overlays them.
pub fn load<S>(
    name: &'static str,
    about: &'static str,
    args: impl IntoIterator<Item = std::ffi::OsString>,
) -> Result<Loaded<S>, LoadError>
where
    S: Args + Serialize + DeserializeOwned,
{
    let command = Cli::<S>::command()
        .name(name)
        .bin_name(name)
        .about(about)
        .version(crate::TINYREDIS_VERSION);
    let matches = command
        .try_get_matches_from(args)
        .map_err(|e| match e.kind() {
            clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                LoadError::Exit(e.render().to_string())
            }
            _ => LoadError::Invalid(first_line(&e.render().to_string())),
        })?;
    let cli = Cli::<S>::from_arg_matches(&matches)
        .map_err(|e| LoadError::Invalid(first_line(&e.render().to_string())))?;
    let settings = match &cli.file.config {
        None => cli.settings,
        Some(path) => {
            let file = read_file::<S>(path).map_err(|e| LoadError::Invalid(e.to_string()))?;
            overlay(cli.settings, file).map_err(|e| LoadError::Invalid(e.to_string()))?
        }
    };
    Ok(Loaded {
        settings,
        file: cli.file,
    })
}

/// clap's errors end with usage hints; the first line says what is wrong.
fn first_line(text: &str) -> String {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("invalid command line")
        .trim_start_matches("error: ")
        .to_string()
}

/// The file keys settings `S` accept: the long names of its flags.
pub fn known_keys<S: Args>() -> Vec<String> {
    S::augment_args(clap::Command::new("keys"))
        .get_arguments()
        .filter_map(|a| a.get_long().map(str::to_string))
        .collect()
}

/// Reads a settings file into a table, refusing keys that are not settings of `S` and values of
/// the wrong type, naming the key in the error.
pub fn read_file<S>(path: &Path) -> Result<toml::Table, ConfigError>
where
    S: Args + DeserializeOwned,
{
    let setting = || format!("config ({})", path.display());
    let text =
        std::fs::read_to_string(path).map_err(|e| ConfigError::new(setting(), e.to_string()))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| ConfigError::new(setting(), one_line(&e, &text)))?;
    let known = known_keys::<S>();
    for (key, value) in &table {
        if !known.iter().any(|k| k == key) {
            return Err(ConfigError::new(
                key.clone(),
                format!("unknown setting in {}", path.display()),
            ));
        }
        // Checked one key at a time so that a wrong type names its key.
        let single = toml::Value::Table(toml::Table::from_iter([(key.clone(), value.clone())]));
        if let Err(e) = single.try_into::<S>() {
            return Err(ConfigError::new(
                key.clone(),
                format!("{} (in {})", e.message().trim(), path.display()),
            ));
        }
    }
    Ok(table)
}

/// A TOML syntax error as one line: the message and the line number.
fn one_line(e: &toml::de::Error, text: &str) -> String {
    match e.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!("line {line}: {}", e.message().trim())
        }
        None => e.message().trim().to_string(),
    }
}

/// Overlays the flags and environment (`given`) on the file's table: a value given there replaces
/// the file's.
pub fn overlay<S>(given: S, mut file: toml::Table) -> Result<S, ConfigError>
where
    S: Serialize + DeserializeOwned,
{
    let given = toml::Table::try_from(&given)
        .map_err(|e| ConfigError::new("command line", e.to_string()))?;
    file.extend(given);
    toml::Value::Table(file)
        .try_into::<S>()
        .map_err(|e| ConfigError::new("config", e.message().trim().to_string()))
}

/// Checks that `value` is an IP socket address to listen on (`0.0.0.0:7001`, `[::]:6379`).
pub fn check_listen(setting: &str, value: &str) -> Result<SocketAddr, ConfigError> {
    value.parse().map_err(|_| {
        ConfigError::new(
            setting,
            format!("{value:?} is not an IP address with a port (like 0.0.0.0:7001)"),
        )
    })
}

/// Checks that `value` is `host:port` with a host name or IP and a non-zero port (an address other
/// machines dial, such as `node-0.tinyredis:7001`).
pub fn check_host_port(setting: &str, value: &str) -> Result<(), ConfigError> {
    let bad = || {
        ConfigError::new(
            setting,
            format!("{value:?} is not a host:port address (like node-1.example:7001)"),
        )
    };
    if value.parse::<SocketAddr>().is_ok_and(|a| a.port() != 0) {
        return Ok(());
    }
    let (host, port) = value.rsplit_once(':').ok_or_else(bad)?;
    let port_ok = port.parse::<u16>().is_ok_and(|p| p != 0);
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_');
    if port_ok && host_ok {
        Ok(())
    } else {
        Err(bad())
    }
}

/// A duration written the human way (`1s`, `500ms`, `2m`), as flags, variables and file values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HumanDuration(pub std::time::Duration);

impl FromStr for HumanDuration {
    type Err = String;

    fn from_str(s: &str) -> Result<HumanDuration, String> {
        humantime::parse_duration(s)
            .map(HumanDuration)
            .map_err(|e| format!("{s:?} is not a duration like 1s or 500ms: {e}"))
    }
}

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        humantime::format_duration(self.0).fmt(f)
    }
}

impl Serialize for HumanDuration {
    fn serialize<Se: Serializer>(&self, s: Se) -> Result<Se::Ok, Se::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for HumanDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<HumanDuration, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[path = "config_test.rs"]
mod config_test;

/// What a binary has once its settings are loaded and telemetry is up.
pub struct Started<C> {
    /// The binary's resolved configuration.
    pub config: C,
    /// Keeps the log writers flushing; hold it until the process exits.
    pub log_guard: crate::telemetry::LogGuard,
}

/// The common start of both binaries: loads settings from flags, environment and file, resolves
/// them, honours `--config-check`, installs the metrics recorder if `--metrics-listen` is set and
/// starts logging. `Err` is the exit code to return; what to say has been printed already.
pub fn start<S, C, E>(
    name: &'static str,
    about: &'static str,
    component: &'static str,
    resolve: impl FnOnce(S) -> Result<(C, crate::telemetry::TelemetryConfig), E>,
) -> Result<Started<C>, std::process::ExitCode>
where
    S: Args + Serialize + DeserializeOwned,
    E: std::fmt::Display,
{
    use std::process::ExitCode;
    let loaded = match load::<S>(name, about, std::env::args_os()) {
        Ok(l) => l,
        Err(LoadError::Exit(text)) => {
            print!("{text}");
            return Err(ExitCode::SUCCESS);
        }
        Err(LoadError::Invalid(line)) => {
            eprintln!("{name}: {line}");
            return Err(ExitCode::from(2));
        }
    };
    let (config, telemetry) = resolve(loaded.settings).map_err(|e| {
        eprintln!("{name}: {e}");
        ExitCode::from(2)
    })?;
    if loaded.file.config_check {
        println!("{name}: configuration OK");
        return Err(ExitCode::SUCCESS);
    }
    if telemetry.metrics_listen.is_some()
        && let Err(e) = crate::telemetry::metrics::install_recorder(component)
    {
        eprintln!("{name}: metrics: {e}");
        return Err(ExitCode::FAILURE);
    }
    let log_guard = crate::telemetry::init_logging(name, &telemetry).map_err(|e| {
        eprintln!("{name}: {e}");
        ExitCode::from(2)
    })?;
    Ok(Started { config, log_guard })
}
