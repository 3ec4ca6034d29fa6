//! Failover: kill -9 of the leader under load (clients see latency, never errors, and every
//! acknowledged INCR is applied exactly once), and kill -9 / restart of a follower (it catches up).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use redis::Value;
use tinyredis_tests::{ClusterOptions, RawConn, TestCluster, resp_cmd};

use crate::util::{as_int, bulk, expect};

/// What one INCR client saw.
struct ClientReport {
    /// The values its INCRs returned, in order.
    values: Vec<i64>,
    /// When each of those INCRs completed, relative to the test start.
    completed: Vec<Duration>,
    /// Errors it got (expected: none).
    errors: Vec<String>,
    /// GETs (issued after every fourth INCR) that returned less than the INCR before them.
    stale_reads: Vec<String>,
    /// Number of those GETs.
    reads: usize,
    /// Its slowest command and when that command started, relative to the test start.
    max_latency: Duration,
    max_latency_started: Duration,
}

/// Runs INCR on `key` in a loop on its own connection until `stop` is set; after every fourth
/// INCR it also reads the key back, which must show at least the value the INCR returned.
async fn incr_client(
    mut con: redis::aio::MultiplexedConnection,
    key: &'static str,
    stop: Arc<AtomicBool>,
    t0: Instant,
) -> ClientReport {
    let mut report = ClientReport {
        values: Vec::new(),
        completed: Vec::new(),
        errors: Vec::new(),
        stale_reads: Vec::new(),
        reads: 0,
        max_latency: Duration::ZERO,
        max_latency_started: Duration::ZERO,
    };
    while !stop.load(Ordering::Relaxed) {
        let started = Instant::now();
        let res: redis::RedisResult<i64> = redis::cmd("INCR").arg(key).query_async(&mut con).await;
        let latency = started.elapsed();
        if latency > report.max_latency {
            report.max_latency = latency;
            report.max_latency_started = started - t0;
        }
        match res {
            Ok(v) => {
                report.values.push(v);
                report.completed.push(t0.elapsed());
                if report.values.len().is_multiple_of(4) {
                    let started = Instant::now();
                    let res: redis::RedisResult<i64> =
                        redis::cmd("GET").arg(key).query_async(&mut con).await;
                    let latency = started.elapsed();
                    if latency > report.max_latency {
                        report.max_latency = latency;
                        report.max_latency_started = started - t0;
                    }
                    report.reads += 1;
                    match res {
                        Ok(got) if got >= v => {}
                        Ok(got) => report.stale_reads.push(format!("GET {got} after INCR {v}")),
                        Err(e) => report.errors.push(format!("GET: {e}")),
                    }
                }
            }
            Err(e) => {
                report.errors.push(e.to_string());
                if report.errors.len() > 20 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
    report
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leader_kill_under_incr_load() {
    const CLIENTS: usize = 4;
    const KEY: &str = "failover:counter";
    let mut cluster = TestCluster::start(3).await.expect("cluster start");
    let old_leader = cluster.wait_for_leader().await.expect("leader");
    tracing::info!(old_leader, "phase: start {CLIENTS} INCR clients");

    let stop = Arc::new(AtomicBool::new(false));
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let con = cluster.redis_async().await.expect("connect");
        tasks.push(tokio::spawn(incr_client(con, KEY, stop.clone(), t0)));
    }
    tokio::time::sleep(Duration::from_secs(1)).await;

    tracing::info!(old_leader, "phase: kill -9 the leader under load");
    let killed_at = t0.elapsed();
    cluster.kill_node(old_leader);
    let new_leader = cluster
        .wait_for_leader_within(Duration::from_secs(20))
        .await
        .expect("a new leader");
    let elected_after = t0.elapsed() - killed_at;
    assert_ne!(new_leader, old_leader, "the killed node cannot be leader");
    tracing::info!(
        new_leader,
        elected_after_ms = elected_after.as_millis() as u64,
        "new leader elected"
    );
    // Keep the load running for ~3 s after the kill.
    tokio::time::sleep(Duration::from_secs(3).saturating_sub(t0.elapsed() - killed_at)).await;
    stop.store(true, Ordering::Relaxed);

    tracing::info!("phase: check the clients' results");
    let mut reports = Vec::new();
    for t in tasks {
        reports.push(
            tokio::time::timeout(Duration::from_secs(30), t)
                .await
                .expect("client finished")
                .expect("client task"),
        );
    }
    let errors: Vec<&String> = reports.iter().flat_map(|r| &r.errors).collect();
    assert!(
        errors.is_empty(),
        "clients saw errors across the failover: {errors:?}"
    );
    let stale: Vec<&String> = reports.iter().flat_map(|r| &r.stale_reads).collect();
    assert!(
        stale.is_empty(),
        "reads did not see acknowledged writes: {stale:?}"
    );
    let reads: usize = reports.iter().map(|r| r.reads).sum();
    let total: usize = reports.iter().map(|r| r.values.len()).sum();
    let worst = reports
        .iter()
        .max_by_key(|r| r.max_latency)
        .expect("reports");
    // The longest stretch without any acknowledged INCR, across all clients.
    let mut done: Vec<Duration> = reports
        .iter()
        .flat_map(|r| r.completed.iter().copied())
        .collect();
    done.sort_unstable();
    let gap = done
        .windows(2)
        .map(|w| w[1] - w[0])
        .max()
        .unwrap_or_default();
    let msg = format!(
        "failover: leader {old_leader} killed at {:.3}s, new leader {new_leader} seen {:.3}s later; \
         {total} INCRs (and {reads} GETs) acknowledged by {CLIENTS} clients; longest single command took {:.3}s (started at {:.3}s); \
         longest gap without any acknowledged INCR {:.3}s",
        killed_at.as_secs_f64(),
        elected_after.as_secs_f64(),
        worst.max_latency.as_secs_f64(),
        worst.max_latency_started.as_secs_f64(),
        gap.as_secs_f64(),
    );
    println!("{msg}");
    tracing::info!("{msg}");
    assert!(total > 0, "no INCR succeeded");
    for (i, r) in reports.iter().enumerate() {
        assert!(
            r.values.windows(2).all(|w| w[0] < w[1]),
            "client {i} saw INCR results go backwards"
        );
        let after_kill = r.completed.iter().filter(|&&t| t > killed_at).count();
        assert!(
            after_kill > 0,
            "client {i} got no reply after the leader was killed"
        );
    }

    // Every acknowledged INCR was applied exactly once: the replies are exactly 1..=total.
    let mut all: Vec<i64> = reports
        .iter()
        .flat_map(|r| r.values.iter().copied())
        .collect();
    all.sort_unstable();
    let expected: Vec<i64> = (1..=total as i64).collect();
    if all != expected {
        let dups: Vec<i64> = all
            .windows(2)
            .filter(|w| w[0] == w[1])
            .map(|w| w[0])
            .collect();
        panic!(
            "INCR replies are not exactly 1..={total}: {} values, duplicates {dups:?}, max {:?}",
            all.len(),
            all.last()
        );
    }
    let mut c = cluster.redis_async().await.expect("connect");
    expect(&mut c, &["GET", KEY], bulk(&total.to_string())).await;

    tracing::info!(
        old_leader,
        "phase: the old leader restarts and catches up as a follower"
    );
    cluster
        .restart_node(old_leader)
        .await
        .expect("restart old leader");
    expect(&mut c, &["INCR", KEY], Value::Int(total as i64 + 1)).await;
    let leader = cluster.wait_for_leader().await.expect("leader");
    let target = cluster.applied_index(leader).await.expect("status");
    let st = cluster
        .wait_applied(old_leader, target, Duration::from_secs(30))
        .await
        .expect("old leader catches up");
    assert!(
        st.role == "follower" || st.role == "leader",
        "old leader's role {}",
        st.role
    );
    let keys = st
        .keyspace
        .iter()
        .find(|d| d.db == 0)
        .map(|d| d.keys)
        .unwrap_or(0);
    assert_eq!(keys, 1, "the old leader's keyspace");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follower_kill_and_restart_catches_up() {
    let mut cluster = TestCluster::start(3).await.expect("cluster start");
    let leader = cluster.wait_for_leader().await.expect("leader");
    let follower = cluster
        .node_ids()
        .into_iter()
        .find(|&id| id != leader)
        .expect("a follower");
    let mut c = cluster.redis_async().await.expect("connect");

    tracing::info!(leader, follower, "phase: write with all nodes up");
    write_keys(&mut c, 0..50).await;

    tracing::info!(
        follower,
        "phase: kill -9 the follower, keep writing (2 of 3 are a quorum)"
    );
    cluster.kill_node(follower);
    let t = Instant::now();
    write_keys(&mut c, 50..150).await;
    tracing::info!(
        elapsed_ms = t.elapsed().as_millis() as u64,
        "100 writes with a follower down"
    );
    expect(&mut c, &["INCRBY", "f:counter", "7"], Value::Int(7)).await;

    tracing::info!(follower, "phase: restart the follower, write more");
    cluster
        .restart_node(follower)
        .await
        .expect("restart follower");
    write_keys(&mut c, 150..200).await;
    expect(&mut c, &["INCRBY", "f:counter", "3"], Value::Int(10)).await;

    tracing::info!(
        follower,
        "phase: the follower's applied index reaches the leader's"
    );
    let leader_now = cluster.wait_for_leader().await.expect("leader");
    let leader_st = cluster
        .node_status(leader_now)
        .await
        .expect("leader status");
    let target = leader_st.applied_index.expect("leader applied index");
    let st = cluster
        .wait_applied(follower, target, Duration::from_secs(30))
        .await
        .expect("follower catches up");
    tracing::info!(
        follower,
        applied = ?st.applied_index,
        leader_applied = target,
        "follower caught up"
    );
    assert_eq!(
        st.leader_id,
        Some(leader_now),
        "the follower knows the leader"
    );
    let keys = |s: &tinyredis_tests::pb::NodeStatus| {
        s.keyspace
            .iter()
            .find(|d| d.db == 0)
            .map(|d| d.keys)
            .unwrap_or(0)
    };
    assert_eq!(keys(&st), 201, "the follower's keyspace holds every key");
    assert_eq!(
        keys(&leader_st),
        201,
        "the leader's keyspace holds every key"
    );
    for i in [0, 75, 149, 199] {
        expect(&mut c, &["GET", &format!("f:{i}")], bulk(&format!("v{i}"))).await;
    }
    let n = as_int(&crate::util::ok(&mut c, &["DBSIZE"]).await);
    assert_eq!(n, 201);
}

/// Writes `f:<i>` = `v<i>` for each i, one acknowledged SET at a time.
async fn write_keys(c: &mut redis::aio::MultiplexedConnection, range: std::ops::Range<usize>) {
    for i in range {
        expect(
            c,
            &["SET", &format!("f:{i}"), &format!("v{i}")],
            Value::Okay,
        )
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_quorum_gives_clusterdown_then_recovers() {
    let opts = ClusterOptions::new(3).failover_timeout(2.0);
    let mut cluster = TestCluster::start_with(opts).await.expect("cluster start");
    let gw = cluster.gateway_addr();
    let mut c = cluster.redis_async().await.expect("connect");
    expect(&mut c, &["SET", "q:before", "1"], Value::Okay).await;

    let leader = cluster.wait_for_leader().await.expect("leader");
    let followers: Vec<u64> = cluster
        .node_ids()
        .into_iter()
        .filter(|&id| id != leader)
        .collect();
    tracing::info!(
        leader,
        ?followers,
        "phase: kill -9 both followers; the leader alone has no quorum"
    );
    for &f in &followers {
        cluster.kill_node(f);
    }

    tracing::info!("phase: writes and reads fail with CLUSTERDOWN after the 2 s failover timeout");
    for (req, what) in [
        (resp_cmd(&[b"SET", b"q:during", b"1"]), "write"),
        (resp_cmd(&[b"GET", b"q:before"]), "read"),
    ] {
        let t = Instant::now();
        let mut r = RawConn::connect(&gw).await;
        r.send(&req).await;
        let got = r.read_reply(1).await;
        let elapsed = t.elapsed();
        let text = String::from_utf8_lossy(&got).to_string();
        tracing::info!(what, elapsed_ms = elapsed.as_millis() as u64, reply = %text.trim_end(), "reply without quorum");
        assert!(
            text.starts_with("-CLUSTERDOWN "),
            "{what} without quorum: {text:?}"
        );
        assert!(
            text.ends_with("\r\n") && text.matches("\r\n").count() == 1,
            "one error line: {text:?}"
        );
        assert!(
            elapsed >= Duration::from_millis(1900) && elapsed < Duration::from_secs(6),
            "{what} failed after {elapsed:?}, expected about the 2 s failover timeout"
        );
        // The connection stays usable.
        r.expect(&resp_cmd(&[b"PING"]), b"+PONG\r\n").await;
    }
    match crate::util::q(&mut c, &["INCR", "q:n"]).await {
        Ok(v) => panic!("INCR without quorum returned {v:?}"),
        Err(e) => assert_eq!(e.code(), Some("CLUSTERDOWN"), "INCR without quorum: {e}"),
    }

    tracing::info!(
        follower = followers[0],
        "phase: restart one follower; the cluster serves again"
    );
    cluster
        .restart_node(followers[0])
        .await
        .expect("restart follower");
    cluster.wait_for_leader().await.expect("leader");
    expect(&mut c, &["GET", "q:before"], bulk("1")).await;
    expect(&mut c, &["SET", "q:after", "2"], Value::Okay).await;
    expect(&mut c, &["GET", "q:after"], bulk("2")).await;
}
