//! Configuration: the templates in deploy/ pass `--config-check`, bad settings fail with one line
//! naming the setting, and flags > environment > file.

use std::path::{Path, PathBuf};
use std::process::Command;

use tinyredis_tests::binary;

/// The repository's `deploy/` directory.
pub fn deploy_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy")
}

/// Runs `bin --config-check` with `args` and extra environment; returns (success, stdout+stderr).
pub fn config_check(bin: &str, args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let mut cmd = Command::new(binary(bin));
    cmd.args(args).arg("--config-check");
    // Variables from the developer's shell must not change the outcome.
    for (k, _) in std::env::vars() {
        if k.starts_with("TINYREDIS_") && k != "TINYREDIS_BIN_DIR" {
            cmd.env_remove(k);
        }
    }
    cmd.envs(env.iter().copied());
    let out = cmd.output().expect("running --config-check");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write config");
    path.display().to_string()
}

#[test]
fn templates_pass_config_check() {
    for (bin, file) in [
        ("tinyredis-node", "tinyredis-node.toml"),
        ("tinyredis-gateway", "tinyredis-gateway.toml"),
    ] {
        let path = deploy_dir().join(file);
        let path = path.to_str().expect("utf-8 path");
        let (ok, out) = config_check(bin, &["--config", path], &[]);
        assert!(ok, "{bin} --config {path}: {out}");
        assert_eq!(out, format!("{bin}: configuration OK\n"));
        // The same file through the environment.
        let (ok, out) = config_check(bin, &[], &[("TINYREDIS_CONFIG", path)]);
        assert!(ok, "{bin} TINYREDIS_CONFIG={path}: {out}");
    }
}

#[test]
fn bad_settings_fail_with_one_line_naming_the_setting() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases: &[(&str, &str, &str)] = &[
        (
            "tinyredis-node",
            "heartbeat-ms = \"fast\"\n",
            "invalid setting heartbeat-ms:",
        ),
        (
            "tinyredis-node",
            "hearbeat-ms = 10\n",
            "invalid setting hearbeat-ms: unknown setting",
        ),
        (
            "tinyredis-node",
            "node-id = 0\n",
            "invalid setting node-id: must be at least 1",
        ),
        (
            "tinyredis-node",
            "listen = \"0.0.0.0:7001\"\n",
            "invalid setting advertise:",
        ),
        (
            "tinyredis-node",
            "election-timeout-min-ms = 900\nelection-timeout-max-ms = 800\n",
            "invalid setting election-timeout-max-ms:",
        ),
        (
            "tinyredis-node",
            "log-level = \"info,[\"\n",
            "invalid setting log-level:",
        ),
        (
            "tinyredis-gateway",
            "nodes = \"a:1\"\n",
            "invalid setting nodes:",
        ),
        (
            "tinyredis-gateway",
            "failover-timeout = 0\n",
            "invalid setting failover-timeout:",
        ),
        (
            "tinyredis-gateway",
            "listen = [\n",
            "invalid setting config (",
        ),
    ];
    for (i, (bin, text, want)) in cases.iter().enumerate() {
        let path = write(dir.path(), &format!("bad{i}.toml"), text);
        let (ok, out) = config_check(bin, &["--config", &path], &[]);
        assert!(!ok, "{bin} accepted {text:?}");
        let line = out.trim_end();
        assert!(
            !line.contains('\n'),
            "{bin} {text:?}: more than one line: {out:?}"
        );
        assert!(
            line.starts_with(&format!("{bin}: {want}")),
            "{bin} {text:?}: {line:?} should start with {want:?}"
        );
    }
    let (ok, out) = config_check(
        "tinyredis-node",
        &["--config", "/nonexistent/node.toml"],
        &[],
    );
    assert!(
        !ok && out.contains("invalid setting config (/nonexistent/node.toml)"),
        "{out}"
    );
    let (ok, out) = config_check("tinyredis-gateway", &["--failover-timeout", "soon"], &[]);
    assert!(!ok && out.contains("--failover-timeout"), "{out}");
}

#[test]
fn flags_override_environment_override_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad_file = write(dir.path(), "bad.toml", "heartbeat-ms = 1000\n");
    let good_file = write(dir.path(), "good.toml", "heartbeat-ms = 50\n");
    let node = "tinyredis-node";
    // The file alone is bad (heartbeat not below the election timeout).
    assert!(!config_check(node, &["--config", &bad_file], &[]).0);
    // The environment fixes it, a flag fixes it.
    let fix_env = [("TINYREDIS_HEARTBEAT_MS", "50")];
    assert!(config_check(node, &["--config", &bad_file], &fix_env).0);
    assert!(config_check(node, &["--config", &bad_file, "--heartbeat-ms", "50"], &[]).0);
    // A bad environment value beats a good file, and a good flag beats a bad environment value.
    let break_env = [("TINYREDIS_HEARTBEAT_MS", "1000")];
    let (ok, out) = config_check(node, &["--config", &good_file], &break_env);
    assert!(
        !ok && out.contains("invalid setting election-timeout-min-ms"),
        "{out}"
    );
    assert!(
        config_check(
            node,
            &["--config", &good_file, "--heartbeat-ms=50"],
            &break_env
        )
        .0
    );
    // Lists and flags from the environment: the gateway's nodes, the node's bootstrap.
    let gw = "tinyredis-gateway";
    assert!(config_check(gw, &[], &[("TINYREDIS_NODES", "n1:7001,n2:7001")]).0);
    let (ok, out) = config_check(gw, &[], &[("TINYREDIS_NODES", "n1:7001,n2")]);
    assert!(!ok && out.contains("invalid setting nodes"), "{out}");
    let (ok, out) = config_check(
        node,
        &["--join", "n1:7001"],
        &[("TINYREDIS_BOOTSTRAP", "true")],
    );
    assert!(!ok && out.contains("invalid setting join"), "{out}");
    // The existing flags keep their names and forms.
    assert!(
        config_check(
            node,
            &[
                "--node-id",
                "1",
                "--data-dir",
                "/tmp/x",
                "--listen",
                "127.0.0.1:7001",
                "--advertise",
                "127.0.0.1:7001",
                "--bootstrap",
                "--heartbeat-ms",
                "50",
                "--election-timeout-min-ms",
                "300",
                "--election-timeout-max-ms",
                "600",
                "--snapshot-logs",
                "100",
                "--keep-logs-after-snapshot",
                "0",
                "--log-level",
                "debug",
            ],
            &[],
        )
        .0
    );
    assert!(
        config_check(
            gw,
            &[
                "--listen",
                "127.0.0.1:6379",
                "--nodes",
                "127.0.0.1:7001,127.0.0.1:7002",
                "--failover-timeout",
                "2.5",
                "--log-level",
                "info",
            ],
            &[],
        )
        .0
    );
}
