//! Logs: JSON on stdout with `--log-format json`, JSON into a rotated file with `--log-dir`.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tinyredis_tests::{binary, free_addr};

#[tokio::test]
async fn json_logs_on_stdout_and_in_the_log_dir() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log_dir = dir.path().join("logs");
    let addr = free_addr();
    let child = Command::new(binary("tinyredis-gateway"))
        .args([
            "--listen",
            &addr,
            "--nodes",
            "127.0.0.1:1",
            "--log-format",
            "json",
        ])
        .arg("--log-dir")
        .arg(&log_dir)
        .args(["--log-max-files", "3", "--log-level", "info"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn gateway");
    let pid = child.id();
    // Wait until it accepts connections, then stop it with SIGTERM (a graceful stop flushes logs).
    let deadline = Instant::now() + Duration::from_secs(20);
    while tokio::net::TcpStream::connect(&addr).await.is_err() {
        assert!(Instant::now() < deadline, "gateway did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // SAFETY: plain kill(2) on the child we spawned.
    unsafe { libc::kill(pid as i32, libc::SIGTERM) };
    let out = child.wait_with_output().expect("gateway output");
    assert!(out.status.success(), "gateway exit: {:?}", out.status);

    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(!lines.is_empty(), "no log lines on stdout");
    for line in &lines {
        let v: serde_json::Value = serde_json::from_str(line).expect("stdout line is JSON");
        assert!(v["level"].is_string() && v["fields"].is_object(), "{line}");
    }
    assert!(
        stdout.contains("gateway accepting RESP connections"),
        "{stdout}"
    );

    let files: Vec<_> = std::fs::read_dir(&log_dir)
        .expect("log dir exists")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0]
        .file_name()
        .expect("name")
        .to_string_lossy()
        .to_string();
    assert!(
        name.starts_with("tinyredis-gateway.") && name.ends_with(".log"),
        "{name}"
    );
    let text = std::fs::read_to_string(&files[0]).expect("log file");
    assert!(
        text.contains("gateway accepting RESP connections"),
        "{text}"
    );
    assert!(text.contains("gateway shutting down"), "{text}");
    for line in text.lines() {
        serde_json::from_str::<serde_json::Value>(line).expect("file line is JSON");
    }
}
