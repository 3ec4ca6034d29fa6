//! Redis 7.0's data model details, end to end: small hashes in insertion order (HGETALL, HKEYS,
//! HVALS, HSCAN, HRANDFIELD), their conversion at `hash-max-listpack-entries`, intsets listed in
//! numeric order, and the `int` / `embstr` / `raw` encodings of strings after each kind of write.
//!
//! The main check is differential: one script of commands runs against a tinyredis cluster and
//! against a real redis-server 7.0, and every reply must be equal. The last test checks that
//! the insertion order and the string encodings survive a snapshot and a restart of every node.

use redis::Value;
use redis::aio::MultiplexedConnection;
use tinyredis_tests::ClusterOptions;
use tinyredis_tests::TestCluster;

use crate::sort_dump::RedisServer;
use crate::util::bulk;
use crate::util::expect;
use crate::util::int;
use crate::util::ok;

/// Commands whose replies Redis 7.0 fully determines (no randomness), in the order they run.
const SCRIPT: &[&[&str]] = &[
    // Small hashes: insertion order through overwrites, deletions and re-insertions.
    &["HSET", "h", "zebra", "1", "apple", "2", "mango", "3"],
    &["HGETALL", "h"],
    &["HSET", "h", "apple", "20", "kiwi", "4"],
    &["HDEL", "h", "zebra"],
    &["HSET", "h", "zebra", "5"],
    &["HINCRBY", "h", "mango", "10"],
    &["HINCRBYFLOAT", "h", "pear", "1.5"],
    &["HSETNX", "h", "apple", "x"],
    &["HGETALL", "h"],
    &["HKEYS", "h"],
    &["HVALS", "h"],
    &["HSCAN", "h", "0"],
    &["HSCAN", "h", "0", "COUNT", "1"],
    &["HSCAN", "h", "7", "MATCH", "*a*", "COUNT", "2"],
    &["HRANDFIELD", "h", "100"],
    &["HRANDFIELD", "h", "5", "WITHVALUES"],
    &["OBJECT", "ENCODING", "h"],
    // Conversion at the entry limit, never back.
    &["CONFIG", "SET", "hash-max-listpack-entries", "4"],
    &["HSET", "small", "d", "1", "c", "2", "b", "3", "a", "4"],
    &["OBJECT", "ENCODING", "small"],
    &["HKEYS", "small"],
    &["HSET", "small", "e", "5"],
    &["OBJECT", "ENCODING", "small"],
    &["HDEL", "small", "a", "b", "c"],
    &["OBJECT", "ENCODING", "small"],
    &["HLEN", "small"],
    &["CONFIG", "SET", "hash-max-listpack-entries", "512"],
    // Conversion at the value limit.
    &[
        "HSET",
        "long",
        "f",
        "0123456789012345678901234567890123456789012345678901234567890123",
    ],
    &["OBJECT", "ENCODING", "long"],
    &[
        "HSET",
        "long",
        "g",
        "01234567890123456789012345678901234567890123456789012345678901234",
    ],
    &["OBJECT", "ENCODING", "long"],
    // Intsets are listed in numeric order; other sets are not compared in order.
    &["SADD", "ints", "100", "-5", "7", "0", "42", "-1000"],
    &["SMEMBERS", "ints"],
    &["SSCAN", "ints", "0"],
    &["SSCAN", "ints", "3", "COUNT", "1", "MATCH", "*0*"],
    &["SRANDMEMBER", "ints", "10"],
    &["SINTER", "ints", "ints"],
    &["OBJECT", "ENCODING", "ints"],
    // Small sorted sets are scanned whole, in score order.
    &["ZADD", "z", "3", "c", "1", "a", "2", "b"],
    &["ZSCAN", "z", "0", "COUNT", "1"],
    // Strings: SET encodes; in-place edits and raw objects stay raw until replaced.
    &["SET", "s", "1234"],
    &["OBJECT", "ENCODING", "s"],
    &["SETRANGE", "s", "0", ""],
    &["OBJECT", "ENCODING", "s"],
    &["SETRANGE", "s", "0", "2"],
    &["OBJECT", "ENCODING", "s"],
    &["GET", "s"],
    &["INCR", "s"],
    &["OBJECT", "ENCODING", "s"],
    &["APPEND", "s", "5"],
    &["OBJECT", "ENCODING", "s"],
    &["SET", "s", "short"],
    &["OBJECT", "ENCODING", "s"],
    &["APPEND", "s", ""],
    &["OBJECT", "ENCODING", "s"],
    &["APPEND", "fresh", "77"],
    &["OBJECT", "ENCODING", "fresh"],
    &["SETRANGE", "made", "1", "9"],
    &["OBJECT", "ENCODING", "made"],
    &["INCRBYFLOAT", "f", "3"],
    &["OBJECT", "ENCODING", "f"],
    &["OBJECT", "REFCOUNT", "f"],
    &["INCRBYFLOAT", "f", "0.5"],
    &["OBJECT", "ENCODING", "f"],
    &["SET", "bits", "7"],
    &["SETBIT", "bits", "0", "0"],
    &["OBJECT", "ENCODING", "bits"],
    &["SET", "bf", "1"],
    &["BITFIELD", "bf", "GET", "u8", "0"],
    &["OBJECT", "ENCODING", "bf"],
    &["BITFIELD", "bf", "SET", "u8", "0", "50"],
    &["OBJECT", "ENCODING", "bf"],
    &["BITOP", "OR", "dest", "bf"],
    &["OBJECT", "ENCODING", "dest"],
    &["PFADD", "hll", "a"],
    &["OBJECT", "ENCODING", "hll"],
    &["COPY", "s", "s2"],
    &["OBJECT", "ENCODING", "s2"],
    &[
        "SET",
        "big",
        "123456789012345678901234567890123456789012345",
    ],
    &["OBJECT", "ENCODING", "big"],
];

/// Runs one command and returns its reply, with an error reply as its text.
async fn reply(c: &mut MultiplexedConnection, args: &[&str]) -> Result<Value, String> {
    let mut cmd = redis::cmd(args[0]);
    for arg in &args[1..] {
        cmd.arg(*arg);
    }
    cmd.query_async(c).await.map_err(|e| e.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_match_redis() {
    let cluster = TestCluster::start(3).await.expect("cluster start");
    let mut tiny = cluster.redis_async().await.expect("connect");
    let redis_server = RedisServer::start().await;
    let mut real = redis_server.connect().await;

    tracing::info!("phase: the same script on tinyredis and redis-server");
    for args in SCRIPT {
        let expected = reply(&mut real, args).await;
        let got = reply(&mut tiny, args).await;
        assert_eq!(got, expected, "reply to {args:?}");
    }

    tracing::info!("phase: a small hash moves to redis-server and back in insertion order");
    // Connections are handles to one multiplexed socket each: clones share it.
    for (mut from, mut to) in [(tiny.clone(), real.clone()), (real, tiny)] {
        let (from, to) = (&mut from, &mut to);
        let payload: Vec<u8> = redis::cmd("DUMP")
            .arg("h")
            .query_async(from)
            .await
            .expect("DUMP");
        let _: Value = redis::cmd("RESTORE")
            .arg("h")
            .arg(0)
            .arg(&payload)
            .arg("REPLACE")
            .query_async(to)
            .await
            .expect("RESTORE");
        assert_eq!(
            reply(to, &["HGETALL", "h"]).await,
            reply(from, &["HGETALL", "h"]).await,
        );
        assert_eq!(
            reply(to, &["OBJECT", "ENCODING", "h"]).await,
            Ok(bulk("listpack"))
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn insertion_order_and_string_encodings_survive_snapshots_and_restarts() {
    let opts = ClusterOptions::new(3).node_args(["--keep-logs-after-snapshot", "0"]);
    let mut cluster = TestCluster::start_with(opts).await.expect("cluster start");
    let mut c = cluster.redis_async().await.expect("connect");
    let fields = ["zz", "b", "m", "a", "q"];

    tracing::info!("phase: write a small hash, an intset and strings of each encoding");
    {
        for (idx, field) in fields.iter().enumerate() {
            expect(&mut c, &["HSET", "h", field, &idx.to_string()], int(1)).await;
        }
        expect(&mut c, &["HSET", "h", "b", "again"], int(0)).await;
        expect(&mut c, &["SADD", "ints", "30", "-2", "10"], int(3)).await;
        ok(&mut c, &["SET", "raw", "1234"]).await;
        expect(&mut c, &["SETRANGE", "raw", "0", "9"], int(4)).await;
        ok(&mut c, &["INCRBYFLOAT", "text", "2"]).await;
        ok(&mut c, &["SET", "int", "77"]).await;
    }

    tracing::info!("phase: snapshot every node (logs purged), then kill and restart them all");
    {
        let leader = cluster.wait_for_leader().await.expect("leader");
        let target = cluster.applied_index(leader).await.expect("status");
        for id in cluster.node_ids() {
            cluster
                .wait_applied(id, target, std::time::Duration::from_secs(30))
                .await
                .expect("node applied");
            cluster.trigger_snapshot(id).await.expect("snapshot");
        }
        cluster.kill_all();
        cluster.restart_all().await.expect("restart all");
        cluster
            .wait_for_leader()
            .await
            .expect("leader after restart");
    }

    tracing::info!("phase: order and encodings are as before");
    {
        let expected_hash: Vec<Value> = fields
            .iter()
            .enumerate()
            .flat_map(|(idx, field)| {
                let value = if *field == "b" {
                    "again".to_string()
                } else {
                    idx.to_string()
                };
                [bulk(field), bulk(&value)]
            })
            .collect();
        expect(&mut c, &["HGETALL", "h"], Value::Array(expected_hash)).await;
        expect(
            &mut c,
            &["SMEMBERS", "ints"],
            Value::Array(vec![bulk("-2"), bulk("10"), bulk("30")]),
        )
        .await;
        for (key, encoding) in [
            ("h", "listpack"),
            ("ints", "intset"),
            ("raw", "raw"),
            ("text", "embstr"),
            ("int", "int"),
        ] {
            expect(&mut c, &["OBJECT", "ENCODING", key], bulk(encoding)).await;
        }
        expect(&mut c, &["GET", "raw"], bulk("9234")).await;
    }

    tracing::info!("phase: a new leader serves the same order");
    {
        let leader = cluster.wait_for_leader().await.expect("leader");
        cluster.kill_node(leader);
        cluster.wait_for_leader().await.expect("new leader");
        expect(
            &mut c,
            &["HKEYS", "h"],
            Value::Array(fields.iter().map(|f| bulk(f)).collect()),
        )
        .await;
        expect(&mut c, &["OBJECT", "ENCODING", "raw"], bulk("raw")).await;
    }
}
