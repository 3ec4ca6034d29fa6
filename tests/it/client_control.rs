//! Client control over real sockets, through a gateway in front of three nodes: CLIENT REPLY
//! (pipelines mixing forwarded and gateway commands), CLIENT PAUSE WRITE|ALL and UNPAUSE
//! (measured with timestamps), MONITOR (exact lines, escaping, redaction, database and address,
//! a monitor's own commands, a slow monitor dropped without slowing the client it watches), the
//! output buffer hard limit closing a client that never reads while others go on, and INFO's
//! maxmemory fields from CONFIG.
//!
//! The expected texts are Redis 7.0.15's, checked against a real redis-server. A pause applies to
//! the whole gateway, so the phases share one cluster and run one after another.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tinyredis_tests::{ClusterOptions, RawConn, TestCluster, poll_until, resp_cmd};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::metrics::http_get;

/// Sends one command and asserts the exact reply bytes (and nothing more).
async fn cmd(con: &mut RawConn, args: &[&str], expected: &[u8]) {
    let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    con.expect(&resp_cmd(&args), expected).await;
}

/// Sends several commands in one write.
async fn pipeline(con: &mut RawConn, commands: &[&[&str]]) {
    let mut bytes = Vec::new();
    for args in commands {
        let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        bytes.extend(resp_cmd(&args));
    }
    con.send(&bytes).await;
}

/// Sends a pipeline and asserts the exact bytes of all its replies (and nothing more).
async fn expect_pipeline(con: &mut RawConn, commands: &[&[&str]], expected: &[u8]) {
    pipeline(con, commands).await;
    let got = con.read_reply(expected.len()).await;
    assert_eq!(
        String::from_utf8_lossy(&got),
        String::from_utf8_lossy(expected),
        "replies to {commands:?}"
    );
}

/// The `addr=` of a connection, from its CLIENT INFO.
async fn client_addr(con: &mut RawConn) -> String {
    con.send(&resp_cmd(&[b"CLIENT", b"INFO"])).await;
    let info = String::from_utf8_lossy(&con.read_reply(60).await).to_string();
    info.split(' ')
        .find_map(|f| f.strip_prefix("addr="))
        .expect("addr= in CLIENT INFO")
        .to_string()
}

/// A connection whose receive buffer is tiny, so that the gateway's replies to it back up fast.
async fn slow_reader(addr: &str) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("SO_RCVBUF");
    socket
        .connect(addr.parse().expect("gateway address"))
        .await
        .expect("connect")
}

/// The text of one INFO section.
async fn info_section(con: &mut RawConn, section: &str) -> String {
    con.send(&resp_cmd(&[b"INFO", section.as_bytes()])).await;
    String::from_utf8_lossy(&con.read_reply(100).await).to_string()
}

/// Reads until the output ends with `suffix`; returns it all.
async fn read_until(con: &mut RawConn, suffix: &[u8]) -> Vec<u8> {
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut out = Vec::new();
    while !out.ends_with(suffix) {
        assert!(
            Instant::now() < deadline,
            "no {suffix:?} at the end of {out:?}"
        );
        out.extend(con.read_reply(1).await);
    }
    out
}

/// Replaces the `<secs>.<usecs>` of each MONITOR line by `T`, after checking that it is Redis's
/// format (10 digits, a dot, 6 digits) and within a minute of now.
fn mask_times(text: &str) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs_f64();
    text.split_inclusive("\r\n")
        .map(|line| {
            let Some(rest) = line.strip_prefix('+') else {
                return line.to_string();
            };
            let Some((time, after)) = rest.split_once(' ') else {
                return line.to_string();
            };
            let (secs, usecs) = time.split_once('.').expect("secs.usecs");
            assert!(
                secs.len() == 10
                    && usecs.len() == 6
                    && time.replace('.', "").parse::<u64>().is_ok(),
                "timestamp of {line:?}"
            );
            let t: f64 = time.parse().expect("timestamp");
            assert!((now - t).abs() < 60.0, "timestamp of {line:?} is now");
            format!("+T {after}")
        })
        .collect()
}

/// Reads MONITOR output until it holds `expected` (whose lines start with `+T `), then asserts
/// equality with the timestamps masked.
async fn expect_lines(monitor: &mut RawConn, expected: &str) {
    // `+T` stands for 17 bytes of timestamp.
    let lines = expected.matches("+T ").count();
    let got = monitor.read_reply(expected.len() + lines * 16).await;
    assert_eq!(
        mask_times(&String::from_utf8_lossy(&got)),
        expected,
        "MONITOR output"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_reply_pause_monitor_and_output_limits() {
    let cluster = TestCluster::start_with(ClusterOptions::new(3).metrics())
        .await
        .expect("cluster");
    let addr = cluster.gateway_addr();
    client_reply(&addr).await;
    client_pause(&addr).await;
    monitor(&addr).await;
    monitor_dropped_when_slow(&cluster, &addr).await;
    output_buffer_hard_limit(&cluster, &addr).await;
    info_maxmemory(&addr).await;
}

async fn client_reply(addr: &str) {
    let mut c = RawConn::connect(addr).await;

    tracing::info!("phase: CLIENT REPLY argument errors");
    cmd(
        &mut c,
        &["CLIENT", "REPLY", "foo"],
        b"-ERR syntax error\r\n",
    )
    .await;
    cmd(
        &mut c,
        &["CLIENT", "REPLY"],
        b"-ERR wrong number of arguments for 'client|reply' command\r\n",
    )
    .await;
    cmd(
        &mut c,
        &["CLIENT", "REPLY", "on", "x"],
        b"-ERR wrong number of arguments for 'client|reply' command\r\n",
    )
    .await;
    cmd(&mut c, &["CLIENT", "REPLY", "ON"], b"+OK\r\n").await;

    tracing::info!("phase: SKIP and OFF in a pipeline of forwarded and gateway commands");
    expect_pipeline(
        &mut c,
        &[
            &["SET", "a", "1"],
            &["CLIENT", "REPLY", "SKIP"],
            &["GET", "a"],
            &["GET", "a"],
            &["CLIENT", "REPLY", "OFF"],
            &["INCR", "a"],
            &["PING"],
            &["GET", "a"],
            &["CLIENT", "REPLY", "SKIP"],
            &["CLIENT", "REPLY", "bad"],
            &["NOSUCH"],
            &["CLIENT", "REPLY", "ON"],
            &["GET", "a"],
        ],
        b"+OK\r\n$1\r\n1\r\n+OK\r\n$1\r\n2\r\n",
    )
    .await;
    // The skipped command may be a gateway command between forwarded ones, or a forwarded one
    // inside a segment; a SKIP right after SKIP is itself the skipped command.
    expect_pipeline(
        &mut c,
        &[
            &["GET", "a"],
            &["CLIENT", "REPLY", "SKIP"],
            &["PING"],
            &["INCR", "a"],
            &["CLIENT", "REPLY", "SKIP"],
            &["INCR", "a"],
            &["INCR", "a"],
            &["CLIENT", "REPLY", "SKIP"],
            &["CLIENT", "REPLY", "SKIP"],
            &["GET", "a"],
            &["ECHO", "seen"],
        ],
        b"$1\r\n2\r\n:3\r\n:5\r\n$4\r\nseen\r\n",
    )
    .await;
    // Refused commands (unknown, arity) are skipped like any other.
    expect_pipeline(
        &mut c,
        &[
            &["CLIENT", "REPLY", "SKIP"],
            &["NOSUCH"],
            &["PING", "1"],
            &["CLIENT", "REPLY", "SKIP"],
            &["GET"],
            &["PING", "2"],
        ],
        b"$1\r\n1\r\n$1\r\n2\r\n",
    )
    .await;

    tracing::info!("phase: RESET turns replies on; SKIP inside MULTI skips the command after EXEC");
    expect_pipeline(
        &mut c,
        &[
            &["CLIENT", "REPLY", "OFF"],
            &["RESET"],
            &["CLIENT", "REPLY", "SKIP"],
            &["RESET"],
            &["PING", "3"],
        ],
        b"+RESET\r\n$1\r\n3\r\n",
    )
    .await;
    expect_pipeline(
        &mut c,
        &[
            &["MULTI"],
            &["CLIENT", "REPLY", "SKIP"],
            &["GET", "a"],
            &["EXEC"],
            &["PING", "skipped"],
            &["PING", "4"],
        ],
        b"+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n+OK\r\n$1\r\n5\r\n$1\r\n4\r\n",
    )
    .await;

    tracing::info!("phase: RESP3 replies are skipped whole; each reply keeps its protocol");
    c.send(&resp_cmd(&[b"CLIENT", b"ID"])).await;
    let id = String::from_utf8_lossy(&c.read_reply(3).await).to_string();
    let id = id.trim_start_matches(':').trim_end();
    let hello = |proto: u8| {
        let head = if proto == 3 { "%7" } else { "*14" };
        format!(
            "{head}\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n\
             $5\r\nproto\r\n:{proto}\r\n$2\r\nid\r\n:{id}\r\n$4\r\nmode\r\n$10\r\n\
             standalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n"
        )
    };
    let expected = format!("{}_\r\n{}$-1\r\n", hello(3), hello(2));
    expect_pipeline(
        &mut c,
        &[
            &["HELLO", "3"],
            &["CLIENT", "REPLY", "SKIP"],
            &["HGETALL", "nosuch"],
            &["GET", "nosuch"],
            &["HELLO", "2"],
            &["GET", "nosuch"],
            &["CLIENT", "REPLY", "OFF"],
        ],
        expected.as_bytes(),
    )
    .await;
    cmd(&mut c, &["CLIENT", "REPLY", "ON"], b"+OK\r\n").await;
}

async fn client_pause(addr: &str) {
    let mut admin = RawConn::connect(addr).await;
    let mut writer = RawConn::connect(addr).await;
    let mut reader = RawConn::connect(addr).await;

    tracing::info!("phase: CLIENT PAUSE argument errors");
    for (args, error) in [
        (
            &["CLIENT", "PAUSE", "abc"][..],
            "-ERR timeout is not an integer or out of range\r\n",
        ),
        (
            &["CLIENT", "PAUSE", "1.5"],
            "-ERR timeout is not an integer or out of range\r\n",
        ),
        (&["CLIENT", "PAUSE", "-1"], "-ERR timeout is negative\r\n"),
        (
            &["CLIENT", "PAUSE", "100", "foo"],
            "-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n",
        ),
        (
            &["CLIENT", "PAUSE", "abc", "foo"],
            "-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n",
        ),
        (
            &["CLIENT", "PAUSE", "1", "2", "3"],
            "-ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP.\r\n",
        ),
        (
            &["CLIENT", "PAUSE"],
            "-ERR wrong number of arguments for 'client|pause' command\r\n",
        ),
        (
            &["CLIENT", "UNPAUSE", "x"],
            "-ERR wrong number of arguments for 'client|unpause' command\r\n",
        ),
    ] {
        cmd(&mut admin, args, error.as_bytes()).await;
    }
    // A timeout of 0 ends at once; one too large to add to the clock wraps into the past in
    // Redis, which then does not pause either.
    cmd(&mut admin, &["CLIENT", "PAUSE", "0"], b"+OK\r\n").await;
    cmd(
        &mut admin,
        &["CLIENT", "PAUSE", "9223372036854775807", "WRITE"],
        b"+OK\r\n",
    )
    .await;
    cmd(&mut writer, &["SET", "p", "0"], b"+OK\r\n").await;

    // Durations are measured from before the CLIENT PAUSE is sent: a held reply cannot come
    // earlier than the pause's length after that.
    tracing::info!("phase: PAUSE WRITE: reads go on, a write waits for the timeout");
    let t0 = Instant::now();
    cmd(
        &mut admin,
        &["CLIENT", "PAUSE", "1500", "write"],
        b"+OK\r\n",
    )
    .await;
    pipeline(
        &mut writer,
        &[&["GET", "p"], &["SET", "p", "1"], &["GET", "p"]],
    )
    .await;
    // The read before the write is answered at once.
    let first = writer.read_reply(7).await;
    assert_eq!(first, b"$1\r\n0\r\n");
    assert!(t0.elapsed() < Duration::from_millis(1000));
    // Other clients' reads go on meanwhile; the waiting client counts as blocked.
    cmd(&mut reader, &["GET", "p"], b"$1\r\n0\r\n").await;
    let info = info_section(&mut reader, "clients").await;
    assert!(info.contains("\r\nblocked_clients:1\r\n"), "{info}");
    reader.send(&resp_cmd(&[b"CLIENT", b"LIST"])).await;
    let list = String::from_utf8_lossy(&reader.read_reply(600).await).to_string();
    assert!(
        list.contains(" flags=b db=0 ") && list.contains(" cmd=set "),
        "{list}"
    );
    let rest = writer.read_reply(12).await;
    let waited = t0.elapsed();
    assert_eq!(rest, b"+OK\r\n$1\r\n1\r\n");
    assert!(
        waited >= Duration::from_millis(1500) && waited < Duration::from_millis(4500),
        "the write came {waited:?} after a 1500 ms pause"
    );
    let info = info_section(&mut reader, "clients").await;
    assert!(info.contains("\r\nblocked_clients:0\r\n"), "{info}");

    tracing::info!("phase: UNPAUSE lets a waiting write go at once");
    cmd(
        &mut admin,
        &["CLIENT", "PAUSE", "60000", "WRITE"],
        b"+OK\r\n",
    )
    .await;
    writer.send(&resp_cmd(&[b"INCR", b"p"])).await;
    let early = tokio::time::timeout(Duration::from_millis(500), writer.read_reply(1)).await;
    assert!(early.is_err(), "the write waits: {early:?}");
    let unpaused_at = Instant::now();
    cmd(&mut admin, &["CLIENT", "UNPAUSE"], b"+OK\r\n").await;
    assert_eq!(writer.read_reply(4).await, b":2\r\n");
    assert!(unpaused_at.elapsed() < Duration::from_millis(1500));

    tracing::info!("phase: EXEC of a transaction with a write waits; a read-only one does not");
    expect_pipeline(
        &mut writer,
        &[&["MULTI"], &["INCR", "p"]],
        b"+OK\r\n+QUEUED\r\n",
    )
    .await;
    let t0 = Instant::now();
    cmd(&mut admin, &["CLIENT", "PAUSE", "800", "WRITE"], b"+OK\r\n").await;
    cmd(&mut writer, &["EXEC"], b"*1\r\n:3\r\n").await;
    assert!(t0.elapsed() >= Duration::from_millis(800));
    cmd(
        &mut admin,
        &["CLIENT", "PAUSE", "60000", "WRITE"],
        b"+OK\r\n",
    )
    .await;
    let started = Instant::now();
    expect_pipeline(
        &mut writer,
        &[&["MULTI"], &["GET", "p"], &["EXEC"]],
        b"+OK\r\n+QUEUED\r\n*1\r\n$1\r\n3\r\n",
    )
    .await;
    assert!(started.elapsed() < Duration::from_millis(1500));
    // SORT carries Redis's write flag: it waits even without STORE.
    writer.send(&resp_cmd(&[b"SORT", b"nosuch"])).await;
    let early = tokio::time::timeout(Duration::from_millis(500), writer.read_reply(1)).await;
    assert!(early.is_err(), "SORT waits: {early:?}");
    cmd(&mut admin, &["CLIENT", "UNPAUSE"], b"+OK\r\n").await;
    assert_eq!(writer.read_reply(4).await, b"*0\r\n");

    tracing::info!("phase: PAUSE ALL holds every command; a stricter pause replaces a weaker one");
    let t0 = Instant::now();
    cmd(
        &mut admin,
        &["CLIENT", "PAUSE", "1500", "WRITE"],
        b"+OK\r\n",
    )
    .await;
    cmd(&mut admin, &["CLIENT", "PAUSE", "200", "ALL"], b"+OK\r\n").await;
    // ALL (the stricter kind) until the later end: even PING waits until 1.5 s.
    cmd(&mut reader, &["PING"], b"+PONG\r\n").await;
    let waited = t0.elapsed();
    assert!(
        waited >= Duration::from_millis(1500) && waited < Duration::from_millis(4500),
        "PING came {waited:?} after the pauses"
    );
}

async fn monitor(addr: &str) {
    let mut c = RawConn::connect(addr).await;
    let c_addr = client_addr(&mut c).await;
    let mut m = RawConn::connect(addr).await;
    let m_addr = client_addr(&mut m).await;

    tracing::info!("phase: MONITOR shows other clients' commands as Redis does");
    cmd(&mut m, &["MONITOR"], b"+OK\r\n").await;
    let value = "a\nb\r\t\u{7}\u{8}\"\\ \u{0}\u{7f}é";
    pipeline(
        &mut c,
        &[
            &["SET", "mk", value],
            &["SELECT", "3"],
            &["get", "mk"],
            &["AUTH", "secret"],
            &["AUTH", "someone", "secret"],
            &["HELLO", "2", "AUTH", "default", "secret", "SETNAME", "n1"],
            &["CONFIG", "GET", "maxmemory"],
            &["CLIENT", "LIST"],
            &["CLIENT", "SETNAME", "n2"],
            &["NOSUCH"],
            &["GET"],
            &["MULTI"],
            &["SET", "x", "1"],
            &["SELECT", "0"],
            &["EXEC"],
            &["MULTI"],
            &["NOSUCH"],
            &["EXEC"],
            &["INCR", "mk"],
            &["ECHO", "end"],
        ],
    )
    .await;
    read_until(&mut c, b"$3\r\nend\r\n").await;
    let c_lines = [
        format!(r#"[0 {c_addr}] "SET" "mk" "a\nb\r\t\a\b\"\\ \x00\x7f\xc3\xa9""#),
        format!(r#"[3 {c_addr}] "SELECT" "3""#),
        format!(r#"[3 {c_addr}] "get" "mk""#),
        format!(r#"[3 {c_addr}] "AUTH" "(redacted)""#),
        format!(r#"[3 {c_addr}] "AUTH" "(redacted)" "(redacted)""#),
        format!(r#"[3 {c_addr}] "HELLO" "2" "AUTH" "(redacted)" "(redacted)" "SETNAME" "n1""#),
        format!(r#"[3 {c_addr}] "CLIENT" "SETNAME" "n2""#),
        format!(r#"[3 {c_addr}] "MULTI""#),
        format!(r#"[3 {c_addr}] "SET" "x" "1""#),
        format!(r#"[0 {c_addr}] "SELECT" "0""#),
        format!(r#"[0 {c_addr}] "EXEC""#),
        format!(r#"[0 {c_addr}] "MULTI""#),
        format!(r#"[0 {c_addr}] "EXEC""#),
        format!(r#"[0 {c_addr}] "INCR" "mk""#),
        format!(r#"[0 {c_addr}] "ECHO" "end""#),
    ];
    let expected: String = c_lines.iter().map(|l| format!("+T {l}\r\n")).collect();
    expect_lines(&mut m, &expected).await;

    tracing::info!("phase: a monitor may run commands but not touch the keyspace");
    expect_pipeline(
        &mut m,
        &[&["GET", "x"], &["MONITOR"], &["SET", "x", "2"]],
        b"-ERR Replica can't interact with the keyspace\r\n\
          -ERR Replica can't interact with the keyspace\r\n",
    )
    .await;
    // Its own commands show up too, each line after the command's reply.
    m.send(&resp_cmd(&[b"PING"])).await;
    let expected = format!("+PONG\r\n+T [0 {m_addr}] \"PING\"\r\n");
    expect_lines(&mut m, &expected).await;
    // A monitor is never paused.
    cmd(&mut c, &["CLIENT", "PAUSE", "5000", "ALL"], b"+OK\r\n").await;
    let started = Instant::now();
    m.send(&resp_cmd(&[b"ECHO", b"x"])).await;
    expect_lines(
        &mut m,
        &format!("$1\r\nx\r\n+T [0 {m_addr}] \"ECHO\" \"x\"\r\n"),
    )
    .await;
    assert!(started.elapsed() < Duration::from_millis(2000));
    cmd(&mut m, &["CLIENT", "UNPAUSE"], b"+OK\r\n").await;

    tracing::info!("phase: MONITOR inside MULTI is refused; RESET ends monitoring");
    let mut t = RawConn::connect(addr).await;
    let t_addr = client_addr(&mut t).await;
    expect_pipeline(
        &mut t,
        &[&["MULTI"], &["MONITOR"], &["EXEC"]],
        b"+OK\r\n+QUEUED\r\n*1\r\n-ERR MONITOR isn't allowed for DENY BLOCKING client\r\n",
    )
    .await;
    let expected = format!(
        "+T [0 {t_addr}] \"CLIENT\" \"INFO\"\r\n+T [0 {t_addr}] \"MULTI\"\r\n\
         +T [0 {t_addr}] \"EXEC\"\r\n"
    );
    expect_lines(&mut m, &expected).await;
    cmd(&mut m, &["RESET"], b"+RESET\r\n").await;
    cmd(&mut c, &["PING"], b"+PONG\r\n").await;
    cmd(&mut m, &["GET", "nosuch"], b"$-1\r\n").await;

    tracing::info!("phase: a monitor that leaves costs the others nothing");
    let mut gone = RawConn::connect(addr).await;
    cmd(&mut gone, &["MONITOR"], b"+OK\r\n").await;
    drop(gone);
    cmd(&mut m, &["MONITOR"], b"+OK\r\n").await;
    cmd(&mut c, &["ECHO", "after"], b"$5\r\nafter\r\n").await;
    expect_lines(&mut m, &format!("+T [0 {c_addr}] \"ECHO\" \"after\"\r\n")).await;
    cmd(&mut m, &["QUIT"], b"+OK\r\n").await;
    assert!(m.wait_closed().await, "QUIT closes a monitor");
    poll_until("the monitors to leave", Duration::from_secs(5), || {
        let addr = addr.to_string();
        async move {
            let mut probe = RawConn::connect(&addr).await;
            probe.send(&resp_cmd(&[b"CLIENT", b"LIST"])).await;
            let list = String::from_utf8_lossy(&probe.read_reply(200).await).to_string();
            Ok((!list.contains("flags=O")).then_some(()))
        }
    })
    .await
    .expect("no monitor left");
}

async fn monitor_dropped_when_slow(cluster: &TestCluster, addr: &str) {
    tracing::info!("phase: a monitor that does not read is dropped, the client it watches goes on");
    let mut c = RawConn::connect(addr).await;
    cmd(
        &mut c,
        &[
            "CONFIG",
            "SET",
            "client-output-buffer-limit",
            "normal 1mb 512kb 1",
        ],
        b"+OK\r\n",
    )
    .await;
    let mut slow = slow_reader(addr).await;
    slow.write_all(&resp_cmd(&[b"MONITOR"]))
        .await
        .expect("MONITOR");
    // MONITOR's reply arrives before the flood.
    let mut ok = [0u8; 5];
    slow.read_exact(&mut ok).await.expect("+OK");
    assert_eq!(&ok, b"+OK\r\n");
    // 40 MB of lines: far more than the socket buffers and the 1 MB limit. (50 replies, 500 KB,
    // at a time: the watched client stays under the limits itself.)
    let payload = vec![b'x'; 10_000];
    let batch = resp_cmd(&[b"ECHO", &payload]).repeat(50);
    let mut watched = TcpStream::connect(addr).await.expect("connect");
    let mut replies = vec![0u8; 50 * (payload.len() + 10)];
    let started = Instant::now();
    for _ in 0..80 {
        watched.write_all(&batch).await.expect("pipeline");
        watched.read_exact(&mut replies).await.expect("replies");
    }
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(20),
        "the watched client took {elapsed:?}"
    );
    // The monitor was closed: reading drains what it got and ends.
    let drained = tokio::time::timeout(Duration::from_secs(10), async {
        let mut buf = vec![0u8; 1 << 16];
        let mut total = 0usize;
        loop {
            match slow.read(&mut buf).await {
                Ok(0) | Err(_) => return total,
                Ok(n) => total += n,
            }
        }
    })
    .await
    .expect("the slow monitor is closed");
    assert!(
        drained < 30_000_000,
        "the monitor got {drained} bytes before closing"
    );
    let log = std::fs::read_to_string(cluster.dir().join("gateway.log")).expect("gateway log");
    assert!(
        log.contains("monitor client closed for overcoming of output buffer limits"),
        "gateway log"
    );
    cmd(&mut c, &["PING"], b"+PONG\r\n").await;
}

async fn output_buffer_hard_limit(cluster: &TestCluster, addr: &str) {
    tracing::info!("phase: a client that never reads is closed at the hard limit");
    let mut c = RawConn::connect(addr).await;
    let value = "v".repeat(100_000);
    cmd(&mut c, &["SET", "big", &value], b"+OK\r\n").await;
    let mut hog = slow_reader(addr).await;
    let mut requests = Vec::new();
    for _ in 0..100 {
        requests.extend(resp_cmd(&[b"GET", b"big"]));
    }
    hog.write_all(&requests).await.expect("pipeline");
    // Others go on while it is closed.
    cmd(&mut c, &["GET", "nosuch"], b"$-1\r\n").await;
    let got = tokio::time::timeout(Duration::from_secs(10), async {
        let mut buf = vec![0u8; 1 << 16];
        let mut total = 0usize;
        loop {
            match hog.read(&mut buf).await {
                Ok(0) | Err(_) => return total,
                Ok(n) => total += n,
            }
        }
    })
    .await
    .expect("the client is closed");
    assert!(got < 1_100_000, "it got {got} bytes of 10 MB of replies");
    let log = std::fs::read_to_string(cluster.dir().join("gateway.log")).expect("gateway log");
    assert!(
        log.contains("scheduled to be closed ASAP for overcoming of output buffer limits."),
        "gateway log"
    );
    let metrics = cluster.gateway_metrics_addr().expect("metrics address");
    let (_, page) = http_get(&metrics, "/metrics").await.expect("scrape");
    let count: u64 = page
        .lines()
        .find_map(|l| {
            l.strip_prefix("tinyredis_gateway_client_output_buffer_limit_disconnections_total ")
        })
        .expect("disconnections metric")
        .parse()
        .expect("a count");
    // The slow monitor of the previous phase, and this client.
    assert_eq!(count, 2, "{page}");
    cmd(&mut c, &["STRLEN", "big"], b":100000\r\n").await;
    cmd(
        &mut c,
        &[
            "CONFIG",
            "SET",
            "client-output-buffer-limit",
            "normal 0 0 0",
        ],
        b"+OK\r\n",
    )
    .await;
    // Without a limit the same pipeline is served whole.
    let mut reader = RawConn::connect(addr).await;
    reader.send(&requests).await;
    let all = reader.read_reply(100 * (value.len() + 11)).await;
    assert_eq!(all.len(), 100 * (value.len() + 11));
}

async fn info_maxmemory(addr: &str) {
    tracing::info!("phase: INFO memory shows maxmemory and its policy from CONFIG");
    let mut c = RawConn::connect(addr).await;
    let field = |info: &str, name: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}:")))
            .unwrap_or_else(|| panic!("{name} in {info}"))
            .to_string()
    };
    let info = info_section(&mut c, "memory").await;
    assert_eq!(field(&info, "maxmemory"), "0");
    assert_eq!(field(&info, "maxmemory_human"), "0B");
    assert_eq!(field(&info, "maxmemory_policy"), "noeviction");
    cmd(
        &mut c,
        &[
            "CONFIG",
            "SET",
            "maxmemory",
            "100mb",
            "maxmemory-policy",
            "allkeys-lru",
        ],
        b"+OK\r\n",
    )
    .await;
    let info = info_section(&mut c, "memory").await;
    assert_eq!(field(&info, "maxmemory"), "104857600");
    assert_eq!(field(&info, "maxmemory_human"), "100.00M");
    assert_eq!(field(&info, "maxmemory_policy"), "allkeys-lru");
}
