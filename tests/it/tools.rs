//! The real Redis tools and clients against a gateway in front of three nodes: redis-cli (with
//! `monitor`), redis-benchmark, redis-py (RESP2 and RESP3), redis-rs (RESP2 and RESP3) and
//! prometheus-redis-exporter. `scripts/install-deps.sh` installs every one of them; a missing
//! tool fails the test, it is never skipped.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use tinyredis_tests::{TestCluster, free_port};

/// Finds a tool on PATH, or fails with how to install it.
fn tool(name: &str) -> PathBuf {
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{name} not found on PATH: run scripts/install-deps.sh"))
}

/// Runs a command to completion (at most `limit`), returning its output.
fn run(cmd: &mut Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"));
    let started = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            panic!(
                "{cmd:?} did not finish within {limit:?}\nstdout: {}\nstderr: {}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs a command that must succeed; returns its stdout.
fn ok(cmd: &mut Command, limit: Duration) -> String {
    let out = run(cmd, limit);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}\nstdout: {stdout}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn host_port(cluster: &TestCluster) -> (String, String) {
    let addr = cluster.gateway_addr();
    let (host, port) = addr.rsplit_once(':').expect("host:port");
    (host.to_string(), port.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_cli_and_redis_benchmark() {
    let cluster = TestCluster::start(3).await.expect("cluster start");
    let (host, port) = host_port(&cluster);
    let cli = tool("redis-cli");
    let redis_cli = |args: &[&str]| {
        let mut cmd = Command::new(&cli);
        cmd.args(["-h", &host, "-p", &port]).args(args);
        ok(&mut cmd, Duration::from_secs(60))
    };

    tracing::info!("phase: redis-cli commands, RESP2 and -3");
    assert_eq!(redis_cli(&["SET", "cli:k", "v"]), "OK\n");
    assert_eq!(redis_cli(&["GET", "cli:k"]), "v\n");
    assert_eq!(redis_cli(&["HSET", "cli:h", "f", "1", "g", "2"]), "2\n");
    assert!(redis_cli(&["-3", "HELLO", "3"]).contains("\nproto 3\n"));
    assert_eq!(redis_cli(&["-3", "HGET", "cli:h", "f"]), "1\n");
    assert!(redis_cli(&["INFO", "server"]).contains("redis_version:7.0.15"));
    // Commands read from stdin, one per line, as a user pipes them.
    let mut piped = Command::new(&cli);
    piped.args(["-h", &host, "-p", &port]).stdin(Stdio::piped());
    let mut child = piped
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn redis-cli");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"PING\nINCR cli:n\nINCR cli:n\n")
        .expect("write stdin");
    let out = child.wait_with_output().expect("redis-cli output");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "PONG\n1\n2\n");

    tracing::info!("phase: --scan, --bigkeys, --memkeys");
    for i in 0..50 {
        redis_cli(&["SET", &format!("cli:scan:{i}"), &"x".repeat(i)]);
    }
    redis_cli(&["RPUSH", "cli:list", "a", "b", "c"]);
    let scanned = redis_cli(&["--scan", "--pattern", "cli:scan:*"]);
    assert_eq!(scanned.lines().count(), 50, "{scanned}");
    let big = redis_cli(&["--bigkeys"]);
    assert!(
        big.contains("Biggest string found '\"cli:scan:49\"' has 49 bytes"),
        "{big}"
    );
    assert!(
        big.contains("Biggest   list found '\"cli:list\"' has 3 items"),
        "{big}"
    );
    let mem = redis_cli(&["--memkeys"]);
    assert!(mem.contains("Biggest string found"), "{mem}");
    assert!(mem.contains("strings with"), "{mem}");

    tracing::info!("phase: redis-cli monitor prints other clients' commands");
    let mut monitor = Command::new(&cli)
        .args(["-h", &host, "-p", &port, "monitor"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn redis-cli monitor");
    let stdout = monitor.stdout.take().expect("stdout");
    let (lines_tx, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            if lines_tx.send(line).is_err() {
                return;
            }
        }
    });
    // redis-cli prints MONITOR's OK once it monitors.
    let first = lines.recv_timeout(Duration::from_secs(10));
    assert_eq!(first.as_deref(), Ok("OK"));
    redis_cli(&["SET", "cli:mon", "a b\n"]);
    let line = lines
        .recv_timeout(Duration::from_secs(10))
        .expect("a MONITOR line");
    let _ = monitor.kill();
    let _ = monitor.wait();
    let (time, rest) = line.split_once(' ').expect("timestamp first");
    assert!(time.len() == 17 && time.as_bytes()[10] == b'.', "{line}");
    assert!(
        rest.starts_with("[0 127.0.0.1:") && rest.ends_with(r#"] "SET" "cli:mon" "a b\n""#),
        "{line}"
    );

    tracing::info!("phase: redis-benchmark's default suite, every test without errors");
    let mut bench = Command::new(tool("redis-benchmark"));
    bench.args(["-h", &host, "-p", &port, "-n", "100", "-c", "4", "--csv"]);
    let csv = ok(&mut bench, Duration::from_secs(600));
    let tests: Vec<&str> = csv
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        .map(|t| t.trim_matches('"'))
        .collect();
    for expected in [
        "PING_INLINE",
        "PING_MBULK",
        "SET",
        "GET",
        "INCR",
        "LPUSH",
        "RPUSH",
        "LPOP",
        "RPOP",
        "SADD",
        "HSET",
        "SPOP",
        "ZADD",
        "ZPOPMIN",
        "LRANGE_100 (first 100 elements)",
        "LRANGE_600 (first 600 elements)",
        "MSET (10 keys)",
    ] {
        assert!(tests.contains(&expected), "{expected} missing from:\n{csv}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_py_resp2_and_resp3() {
    let cluster = TestCluster::start(3).await.expect("cluster start");
    let (host, port) = host_port(&cluster);
    let venv = std::env::var_os("TINYREDIS_PY_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_else(|| "/tmp".into()))
                .join(".cache/tinyredis-pyvenv")
        });
    let python = venv.join("bin/python");
    assert!(
        python.is_file(),
        "{} not found: run scripts/install-deps.sh (it installs redis-py from PyPI)",
        python.display()
    );
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tools/redis_py_check.py");
    let out = ok(
        Command::new(&python).arg(&script).args([&host, &port]),
        Duration::from_secs(300),
    );
    tracing::info!(output = %out, "redis-py");
    assert!(
        out.contains("protocol 2: ok") && out.contains("protocol 3: ok"),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_rs_resp2_and_resp3_and_exporter() {
    let cluster = TestCluster::start(3).await.expect("cluster start");
    let (host, port) = host_port(&cluster);

    tracing::info!("phase: redis-rs over RESP2 and RESP3");
    for protocol in ["resp2", "resp3"] {
        let client = redis::Client::open(format!("redis://{host}:{port}/?protocol={protocol}"))
            .expect("client");
        let mut c = client
            .get_multiplexed_async_connection()
            .await
            .expect("connect");
        let key = format!("rs:{protocol}");
        let _: () = redis::cmd("SET")
            .arg(&key)
            .arg(42)
            .query_async(&mut c)
            .await
            .expect("SET");
        let v: i64 = redis::cmd("INCR")
            .arg(&key)
            .query_async(&mut c)
            .await
            .expect("INCR");
        assert_eq!(v, 43);
        let _: () = redis::cmd("HSET")
            .arg(format!("{key}:h"))
            .arg("f")
            .arg("v")
            .query_async(&mut c)
            .await
            .expect("HSET");
        let map: std::collections::HashMap<String, String> = redis::cmd("HGETALL")
            .arg(format!("{key}:h"))
            .query_async(&mut c)
            .await
            .expect("HGETALL");
        assert_eq!(map.get("f").map(String::as_str), Some("v"));
        let (a, b): (i64, i64) = redis::pipe()
            .atomic()
            .cmd("INCR")
            .arg(&key)
            .cmd("INCR")
            .arg(&key)
            .query_async(&mut c)
            .await
            .expect("MULTI/EXEC");
        assert_eq!((a, b), (44, 45));
        let info: String = redis::cmd("INFO").query_async(&mut c).await.expect("INFO");
        assert!(info.contains("redis_version:7.0.15"));
    }

    tracing::info!("phase: prometheus-redis-exporter scrapes the gateway without errors");
    let metrics_port = free_port();
    let mut exporter = Command::new(tool("prometheus-redis-exporter"))
        .args([
            "--redis.addr",
            &format!("redis://{host}:{port}"),
            "--web.listen-address",
            &format!("127.0.0.1:{metrics_port}"),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn prometheus-redis-exporter");
    let body = scrape(metrics_port, Duration::from_secs(20));
    let _ = exporter.kill();
    let _ = exporter.wait();
    let metric = |name: &str| -> Option<String> {
        body.lines()
            .find(|l| l.starts_with(name) && l[name.len()..].starts_with(' '))
            .map(|l| l[name.len() + 1..].to_string())
    };
    assert_eq!(metric("redis_up").as_deref(), Some("1"), "{body}");
    assert_eq!(
        metric("redis_exporter_last_scrape_error{err=\"\"}").as_deref(),
        Some("0"),
        "{body}"
    );
    assert!(
        metric("redis_db_keys{db=\"db0\"}").is_some_and(|k| k.parse::<f64>().unwrap() >= 4.0),
        "{body}"
    );
    assert!(
        body.contains("redis_commands_total{cmd=\"incr\"}"),
        "{body}"
    );
    assert!(body.contains("redis_memory_used_bytes "), "{body}");
    assert!(body.contains("redis_instance_info{"), "{body}");
}

/// Fetches the exporter's /metrics once it answers (plain HTTP/1.0 over a socket).
fn scrape(port: u16, limit: Duration) -> String {
    let started = Instant::now();
    loop {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            let _ = s.set_read_timeout(Some(Duration::from_secs(30)));
            s.write_all(b"GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n")
                .expect("send");
            let mut resp = String::new();
            s.read_to_string(&mut resp).expect("read");
            if let Some((_, body)) = resp.split_once("\r\n\r\n") {
                return body.to_string();
            }
        }
        assert!(started.elapsed() < limit, "exporter did not serve /metrics");
        std::thread::sleep(Duration::from_millis(100));
    }
}
