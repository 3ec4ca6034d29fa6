//! Durability: every acknowledged write survives kill -9 of all nodes; a node that joins after the
//! log was compacted gets the leader's snapshot and serves the full data set.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use redis::Value;
use tinyredis_tests::{ClusterOptions, TestCluster, pb};

use crate::util::{as_int, bulk, expect, int, ok};

/// The number of keys each test writes.
const KEYS: usize = 500;
/// Concurrent writer connections.
const WRITERS: usize = 4;

/// Writes `KEYS` keys `<prefix><i>` through `WRITERS` connections, each SET acknowledged before
/// the next; returns what was acknowledged.
async fn write_acknowledged(
    cluster: &TestCluster,
    prefix: &str,
    count: usize,
) -> BTreeMap<String, String> {
    let mut tasks = Vec::new();
    for w in 0..WRITERS {
        let mut con = cluster.redis_async().await.expect("connect");
        let prefix = prefix.to_string();
        tasks.push(tokio::spawn(async move {
            let mut acked = Vec::new();
            for i in (w..count).step_by(WRITERS) {
                let key = format!("{prefix}{i}");
                let value = format!("value-{i}-{}", "x".repeat(i % 40));
                let res: Value = redis::cmd("SET")
                    .arg(&key)
                    .arg(&value)
                    .query_async(&mut con)
                    .await
                    .unwrap_or_else(|e| panic!("SET {key}: {e}"));
                assert_eq!(res, Value::Okay, "SET {key}");
                acked.push((key, value));
            }
            acked
        }));
    }
    let mut all = BTreeMap::new();
    for t in tasks {
        all.extend(t.await.expect("writer task"));
    }
    all
}

/// Reads every key of `expected` through the gateway (MGET in chunks) and compares.
async fn verify_all(
    con: &mut redis::aio::MultiplexedConnection,
    expected: &BTreeMap<String, String>,
) {
    let entries: Vec<(&String, &String)> = expected.iter().collect();
    let mut missing = Vec::new();
    for chunk in entries.chunks(100) {
        let mut cmd = redis::cmd("MGET");
        for (k, _) in chunk {
            cmd.arg(k.as_str());
        }
        let got: Vec<Option<String>> = cmd.query_async(con).await.expect("MGET");
        assert_eq!(got.len(), chunk.len());
        for ((k, v), g) in chunk.iter().zip(got) {
            if g.as_deref() != Some(v.as_str()) {
                missing.push(format!("{k}: expected {v:?}, got {g:?}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged keys lost or wrong, e.g. {:?}",
        missing.len(),
        expected.len(),
        &missing[..missing.len().min(5)]
    );
}

fn db0_keys(st: &pb::NodeStatus) -> u64 {
    st.keyspace
        .iter()
        .find(|d| d.db == 0)
        .map(|d| d.keys)
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_all_nodes_and_restart() {
    let mut cluster = TestCluster::start(3).await.expect("cluster start");
    let mut c = cluster.redis_async().await.expect("connect");

    tracing::info!("phase: write {KEYS} acknowledged keys and a few special ones");
    let t = Instant::now();
    let expected = write_acknowledged(&cluster, "dur:", KEYS).await;
    tracing::info!(
        elapsed_ms = t.elapsed().as_millis() as u64,
        "{} keys written",
        expected.len()
    );
    expect(&mut c, &["INCRBY", "dur:counter", "41"], int(41)).await;
    expect(&mut c, &["INCR", "dur:counter"], int(42)).await;
    expect(&mut c, &["SET", "dur:ttl", "t", "EX", "3600"], Value::Okay).await;
    expect(&mut c, &["SET", "dur:deleted", "d"], Value::Okay).await;
    expect(&mut c, &["DEL", "dur:deleted"], int(1)).await;
    let mut r = tinyredis_tests::RawConn::connect(&cluster.gateway_addr()).await;
    r.expect(&tinyredis_tests::resp_cmd(&[b"SELECT", b"5"]), b"+OK\r\n")
        .await;
    r.expect(
        &tinyredis_tests::resp_cmd(&[b"SET", b"dur:db5", b"five"]),
        b"+OK\r\n",
    )
    .await;
    drop(r);
    let total_db0 = KEYS as i64 + 2;
    expect(&mut c, &["DBSIZE"], int(total_db0)).await;

    tracing::info!("phase: kill -9 every node");
    cluster.kill_all();

    // A client writing during the outage sees latency, not an error (the outage is shorter than
    // the gateway's failover timeout).
    let mut during = cluster.redis_async().await.expect("connect");
    let outage_write = tokio::spawn(async move {
        let t = Instant::now();
        let res: redis::RedisResult<Value> = redis::cmd("SET")
            .arg("dur:outage")
            .arg("written-while-down")
            .query_async(&mut during)
            .await;
        (res, t.elapsed())
    });
    tokio::time::sleep(Duration::from_millis(500)).await;

    tracing::info!("phase: restart every node");
    let t = Instant::now();
    cluster.restart_all().await.expect("restart all");
    let leader = cluster
        .wait_for_leader()
        .await
        .expect("leader after restart");
    tracing::info!(
        leader,
        elapsed_ms = t.elapsed().as_millis() as u64,
        "leader elected after full restart"
    );
    let (res, took) = tokio::time::timeout(Duration::from_secs(30), outage_write)
        .await
        .expect("the write sent during the outage completes")
        .expect("task");
    tracing::info!(
        took_ms = took.as_millis() as u64,
        "write sent during the outage answered"
    );
    assert_eq!(res.expect("write sent during the outage"), Value::Okay);

    tracing::info!("phase: every acknowledged write is back (through the same gateway)");
    // The gateway kept running through the outage; the same connection must work again.
    let t = Instant::now();
    expect(&mut c, &["DBSIZE"], int(total_db0 + 1)).await;
    tracing::info!(
        elapsed_ms = t.elapsed().as_millis() as u64,
        "first command after the restart answered"
    );
    verify_all(&mut c, &expected).await;
    expect(&mut c, &["GET", "dur:counter"], bulk("42")).await;
    expect(&mut c, &["EXISTS", "dur:deleted"], int(0)).await;
    expect(&mut c, &["GET", "dur:outage"], bulk("written-while-down")).await;
    let ttl = as_int(&ok(&mut c, &["TTL", "dur:ttl"]).await);
    assert!(
        (3000..=3600).contains(&ttl),
        "TTL survived the restart: {ttl}"
    );
    let mut r = tinyredis_tests::RawConn::connect(&cluster.gateway_addr()).await;
    r.expect(&tinyredis_tests::resp_cmd(&[b"SELECT", b"5"]), b"+OK\r\n")
        .await;
    r.expect(
        &tinyredis_tests::resp_cmd(&[b"GET", b"dur:db5"]),
        b"$4\r\nfive\r\n",
    )
    .await;

    tracing::info!("phase: the cluster takes writes again and all nodes converge");
    expect(&mut c, &["INCR", "dur:counter"], int(43)).await;
    let leader = cluster.wait_for_leader().await.expect("leader");
    let target = cluster.applied_index(leader).await.expect("status");
    for id in cluster.node_ids() {
        let st = cluster
            .wait_applied(id, target, Duration::from_secs(30))
            .await
            .expect("node catches up after the restart");
        assert_eq!(db0_keys(&st), total_db0 as u64 + 1, "node {id} keyspace");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshot_then_join_new_node() {
    let opts = ClusterOptions::new(3).node_args(["--keep-logs-after-snapshot", "0"]);
    let mut cluster = TestCluster::start_with(opts).await.expect("cluster start");
    let mut c = cluster.redis_async().await.expect("connect");

    tracing::info!("phase: write keys");
    let mut expected = write_acknowledged(&cluster, "snap:", 300).await;

    tracing::info!("phase: snapshot on the leader (log purged behind it)");
    let leader = cluster.wait_for_leader().await.expect("leader");
    let before = cluster.node_status(leader).await.expect("status");
    cluster.trigger_snapshot(leader).await.expect("snapshot");
    let after = cluster.node_status(leader).await.expect("status");
    let snap_index = after.snapshot_index.expect("leader has a snapshot");
    assert!(
        snap_index >= before.applied_index.unwrap_or(0),
        "snapshot index {snap_index} covers the applied log {:?}",
        before.applied_index
    );
    tracing::info!(leader, snap_index, "snapshot built");

    tracing::info!("phase: write a few more keys after the snapshot");
    for i in 300..320 {
        let (k, v) = (format!("snap:{i}"), format!("after-snapshot-{i}"));
        expect(&mut c, &["SET", &k, &v], Value::Okay).await;
        expected.insert(k, v);
    }
    expect(&mut c, &["DEL", "snap:0"], int(1)).await;
    expected.remove("snap:0");

    tracing::info!("phase: add node 4; it must be fed from the snapshot");
    let t = Instant::now();
    cluster.add_node(4).await.expect("node 4 joins");
    tracing::info!(
        elapsed_ms = t.elapsed().as_millis() as u64,
        "node 4 is a caught-up voter"
    );
    let leader_now = cluster.wait_for_leader().await.expect("leader");
    let leader_st = cluster
        .node_status(leader_now)
        .await
        .expect("leader status");
    let voters = leader_st
        .members
        .iter()
        .filter(|m| m.kind == "voter")
        .count();
    assert_eq!(voters, 4, "members: {:?}", leader_st.members);
    let st4 = cluster
        .wait_applied(
            4,
            leader_st.applied_index.unwrap_or(0),
            Duration::from_secs(30),
        )
        .await
        .expect("node 4 applied index");
    tracing::info!(
        applied = ?st4.applied_index,
        snapshot = ?st4.snapshot_index,
        leader_applied = ?leader_st.applied_index,
        "node 4 status"
    );
    let snap4 = st4
        .snapshot_index
        .expect("node 4 installed a snapshot (the log it needed was purged)");
    assert!(
        snap4 >= snap_index,
        "node 4 snapshot index {snap4} < leader's {snap_index}"
    );
    assert_eq!(db0_keys(&st4), expected.len() as u64, "node 4's keyspace");
    assert!(
        st4.role == "follower" || st4.role == "leader",
        "node 4 role {}",
        st4.role
    );

    tracing::info!(
        leader_now,
        "phase: kill the leader; 3 of 4 voters remain and serve every key"
    );
    cluster.kill_node(leader_now);
    let new_leader = cluster.wait_for_leader().await.expect("new leader");
    assert_ne!(new_leader, leader_now);
    tracing::info!(new_leader, "new leader after killing the old one");
    verify_all(&mut c, &expected).await;
    expect(&mut c, &["EXISTS", "snap:0"], int(0)).await;
    expect(&mut c, &["DBSIZE"], int(expected.len() as i64)).await;
    expect(&mut c, &["SET", "snap:final", "1"], Value::Okay).await;
    let target = cluster.applied_index(new_leader).await.expect("status");
    let st4 = cluster
        .wait_applied(4, target, Duration::from_secs(30))
        .await
        .expect("node 4 follows");
    expected.insert("snap:final".into(), "1".into());
    assert_eq!(
        db0_keys(&st4),
        expected.len() as u64,
        "node 4's keyspace after the failover"
    );

    tracing::info!("phase: kill -9 all four nodes, restart them (state from snapshot + log)");
    cluster.kill_all();
    cluster.restart_all().await.expect("restart all");
    let leader = cluster
        .wait_for_leader()
        .await
        .expect("leader after restart");
    tracing::info!(leader, "leader after the full restart");
    verify_all(&mut c, &expected).await;
    expect(&mut c, &["DBSIZE"], int(expected.len() as i64)).await;
    let target = cluster.applied_index(leader).await.expect("status");
    for id in cluster.node_ids() {
        let st = cluster
            .wait_applied(id, target, Duration::from_secs(30))
            .await
            .expect("node catches up after the restart");
        assert_eq!(
            db0_keys(&st),
            expected.len() as u64,
            "node {id} keyspace after the restart"
        );
    }
}
