use clap::Args;
use serde::{Deserialize, Serialize};

use super::*;

/// Settings shaped like a binary's: options, a list, a flag, a duration.
#[derive(Debug, Clone, Default, Args, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case")]
struct Sample {
    #[arg(long)]
    listen: Option<String>,
    #[arg(long, value_delimiter = ',')]
    nodes: Option<Vec<String>>,
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    enabled: Option<bool>,
    #[arg(long)]
    interval: Option<HumanDuration>,
    #[arg(long)]
    count: Option<u64>,
}

fn write(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("c.toml");
    std::fs::write(&path, text).expect("write");
    (dir, path)
}

fn args(list: &[&str]) -> Vec<std::ffi::OsString> {
    std::iter::once("prog")
        .chain(list.iter().copied())
        .map(Into::into)
        .collect()
}

fn load_sample(list: &[&str]) -> Result<Sample, String> {
    match load::<Sample>("prog", "test", args(list)) {
        Ok(l) => Ok(l.settings),
        Err(LoadError::Invalid(e)) | Err(LoadError::Exit(e)) => Err(e),
    }
}

#[test]
fn flags_override_the_file_and_the_file_overrides_defaults() {
    let (_dir, path) =
        write("listen = \"0.0.0.0:1\"\nnodes = [\"a:1\", \"b:2\"]\ninterval = \"2s\"\ncount = 5\n");
    let path = path.to_str().expect("utf-8");
    let s = load_sample(&["--config", path, "--listen", "127.0.0.1:9", "--enabled"]).expect("load");
    assert_eq!(s.listen.as_deref(), Some("127.0.0.1:9"));
    assert_eq!(s.nodes, Some(vec!["a:1".to_string(), "b:2".to_string()]));
    assert_eq!(s.enabled, Some(true));
    assert_eq!(
        s.interval,
        Some(HumanDuration(std::time::Duration::from_secs(2)))
    );
    assert_eq!(s.count, Some(5));

    let s =
        load_sample(&["--config", path, "--enabled=false", "--nodes", "c:3,d:4"]).expect("load");
    assert_eq!(s.enabled, Some(false));
    assert_eq!(s.nodes, Some(vec!["c:3".to_string(), "d:4".to_string()]));
    assert_eq!(s.listen.as_deref(), Some("0.0.0.0:1"));

    let s = load_sample(&[]).expect("load");
    assert_eq!(s, Sample::default());
}

#[test]
fn file_errors_are_one_line_naming_the_key() {
    for (text, want) in [
        ("listen = 5\n", "invalid setting listen: invalid type"),
        (
            "colour = \"red\"\n",
            "invalid setting colour: unknown setting",
        ),
        ("interval = \"soon\"\n", "invalid setting interval:"),
        ("count = -1\n", "invalid setting count:"),
        ("listen = \n", "invalid setting config ("),
    ] {
        let (_dir, path) = write(text);
        let err = load_sample(&["--config", path.to_str().expect("utf-8")]).expect_err(text);
        assert!(
            err.starts_with(want),
            "{text:?}: {err:?} should start with {want:?}"
        );
        assert!(!err.contains('\n'), "{err:?} is one line");
    }
    let err = load_sample(&["--config", "/nonexistent/x.toml"]).expect_err("missing file");
    assert!(
        err.starts_with("invalid setting config (/nonexistent/x.toml)"),
        "{err}"
    );
    let err = load_sample(&["--count", "x"]).expect_err("bad flag");
    assert!(err.contains("--count"), "{err}");
    assert!(!err.contains('\n'), "{err:?} is one line");
}

#[test]
fn known_keys_are_the_flags() {
    let mut keys = known_keys::<Sample>();
    keys.sort();
    assert_eq!(keys, ["count", "enabled", "interval", "listen", "nodes"]);
}

#[test]
fn host_port_checks() {
    for ok in [
        "127.0.0.1:1",
        "[::1]:6379",
        "node-0.tinyredis-peer.default.svc:7001",
        "h:65535",
    ] {
        assert!(check_host_port("x", ok).is_ok(), "{ok}");
    }
    for bad in ["", "host", ":1", "h:0", "h:70000", "a b:1", "http://h:1"] {
        assert!(check_host_port("x", bad).is_err(), "{bad}");
    }
    assert!(check_listen("x", "0.0.0.0:7001").is_ok());
    assert!(check_listen("x", "localhost:7001").is_err());
}
