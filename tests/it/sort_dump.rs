//! SORT, SORT_RO, DUMP and RESTORE end to end: a gateway in front of three nodes, replies as
//! redis-server 7.0.15 sends them. A SORT without STORE is served as a read (no log entry); with
//! STORE it goes through the log and every replica stores the same list. Keys of every type and
//! encoding move from tinyredis to a real redis-server and back with DUMP and RESTORE.

use std::time::Duration;

use redis::Value;
use tinyredis_tests::TestCluster;

use crate::util::bulk;
use crate::util::expect;
use crate::util::expect_err;
use crate::util::int;

fn bulks(items: &[&str]) -> Value {
    Value::Array(items.iter().map(|item| bulk(item)).collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sort_reads_and_stores() {
    let mut cluster = TestCluster::start(3).await.expect("cluster start");
    let mut c = cluster.redis_async().await.expect("connect");

    tracing::info!("phase: numeric, alphabetical, LIMIT, BY and GET");
    {
        expect(&mut c, &["RPUSH", "l", "3", "1", "2", "10", "1.5"], int(5)).await;
        expect(
            &mut c,
            &["MSET", "w_3", "30", "w_1", "10", "w_2", "5"],
            Value::Okay,
        )
        .await;
        expect(&mut c, &["HSET", "h_10", "f", "x"], int(1)).await;
        expect(&mut c, &["SORT", "l"], bulks(&["1", "1.5", "2", "3", "10"])).await;
        expect(
            &mut c,
            &["SORT", "l", "ALPHA", "DESC"],
            bulks(&["3", "2", "10", "1.5", "1"]),
        )
        .await;
        expect(
            &mut c,
            &["SORT_RO", "l", "LIMIT", "1", "2"],
            bulks(&["1.5", "2"]),
        )
        .await;
        expect(
            &mut c,
            &[
                "SORT", "l", "BY", "w_*", "GET", "#", "GET", "h_*->f", "LIMIT", "0", "3",
            ],
            // Missing BY keys are 0, ties ordered by the elements' bytes.
            Value::Array(vec![
                bulk("1.5"),
                Value::Nil,
                bulk("10"),
                bulk("x"),
                bulk("2"),
                Value::Nil,
            ]),
        )
        .await;
        expect(
            &mut c,
            &["SORT", "l", "BY", "nosort", "DESC"],
            bulks(&["1.5", "10", "2", "1", "3"]),
        )
        .await;
    }

    tracing::info!("phase: errors");
    {
        expect_err(
            &mut c,
            &["SORT", "l", "BY", "h_*->f"],
            "ERR One or more scores can't be converted into double",
        )
        .await;
        expect_err(
            &mut c,
            &["SORT", "w_1"],
            "WRONGTYPE Operation against a key holding the wrong kind of value",
        )
        .await;
        expect_err(&mut c, &["SORT", "l", "LIMIT", "1"], "ERR syntax error").await;
        expect_err(&mut c, &["SORT_RO", "l", "STORE", "d"], "ERR syntax error").await;
    }

    tracing::info!("phase: COMMAND GETKEYS finds the STORE destination as Redis does");
    {
        expect(
            &mut c,
            &[
                "COMMAND", "GETKEYS", "sort", "abc", "store", "invalid", "store", "def",
            ],
            bulks(&["abc", "def"]),
        )
        .await;
        expect(
            &mut c,
            &["COMMAND", "GETKEYS", "sort", "abc", "get", "store"],
            bulks(&["abc"]),
        )
        .await;
        expect(
            &mut c,
            &["COMMAND", "GETKEYS", "sort_ro", "abc"],
            bulks(&["abc"]),
        )
        .await;
    }

    tracing::info!("phase: SORT without STORE adds no log entry");
    let leader = cluster.wait_for_leader().await.expect("leader");
    {
        let before = cluster.applied_index(leader).await.expect("status");
        expect(&mut c, &["SORT", "l", "LIMIT", "0", "1"], bulks(&["1"])).await;
        expect(&mut c, &["SORT_RO", "l", "LIMIT", "0", "1"], bulks(&["1"])).await;
        let after = cluster.applied_index(leader).await.expect("status");
        assert_eq!(before, after, "a SORT without STORE went through the log");
    }

    tracing::info!("phase: STORE replaces the destination on every replica");
    {
        expect(&mut c, &["SET", "dest", "old", "EX", "100"], Value::Okay).await;
        expect(&mut c, &["SORT", "l", "DESC", "STORE", "dest"], int(5)).await;
        expect(&mut c, &["TTL", "dest"], int(-1)).await;
        expect(
            &mut c,
            &["LRANGE", "dest", "0", "-1"],
            bulks(&["10", "3", "2", "1.5", "1"]),
        )
        .await;
        expect(&mut c, &["SORT", "missing", "STORE", "dest"], int(0)).await;
        expect(&mut c, &["EXISTS", "dest"], int(0)).await;
        expect(&mut c, &["SORT", "l", "STORE", "dest"], int(5)).await;
        let index = cluster.applied_index(leader).await.expect("status");
        for id in cluster.node_ids() {
            cluster
                .wait_applied(id, index, Duration::from_secs(10))
                .await
                .expect("replica applies the SORT ... STORE");
        }
    }

    tracing::info!("phase: SORT ... STORE inside MULTI");
    {
        expect(&mut c, &["MULTI"], Value::Okay).await;
        expect(
            &mut c,
            &["SORT", "l", "LIMIT", "0", "2", "STORE", "top"],
            Value::SimpleString("QUEUED".into()),
        )
        .await;
        expect(
            &mut c,
            &["LRANGE", "top", "0", "-1"],
            Value::SimpleString("QUEUED".into()),
        )
        .await;
        expect(
            &mut c,
            &["EXEC"],
            Value::Array(vec![int(2), bulks(&["1", "1.5"])]),
        )
        .await;
    }
}

/// A real redis-server 7.0 on a free port, stopped when dropped. CI installs it
/// (`scripts/install-deps.sh`); a machine without it fails the test instead of skipping it.
pub(crate) struct RedisServer {
    child: std::process::Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl RedisServer {
    pub(crate) async fn start() -> RedisServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = tinyredis_tests::free_port();
        let child = std::process::Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--dir"])
            .arg(dir.path())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server must be installed (scripts/install-deps.sh installs it)");
        let server = RedisServer {
            child,
            port,
            _dir: dir,
        };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("redis-server did not start on port {port}");
    }

    pub(crate) async fn connect(&self) -> redis::aio::MultiplexedConnection {
        redis::Client::open(format!("redis://127.0.0.1:{}", self.port))
            .expect("client")
            .get_multiplexed_async_connection()
            .await
            .expect("connect to redis-server")
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Fills `c` with one key per type and encoding: small (listpack, intset, int strings) and large
/// (hashtable, skiplist, several quicklist nodes, long strings).
async fn fill(c: &mut redis::aio::MultiplexedConnection) {
    let big = "x".repeat(300);
    let mut cmds: Vec<Vec<String>> = vec![
        vec!["SET".into(), "str".into(), "bar".into()],
        vec!["SET".into(), "int".into(), "-123456".into()],
        vec!["SET".into(), "long".into(), big.repeat(10)],
        vec![
            "RPUSH".into(),
            "list".into(),
            "a".into(),
            "1".into(),
            "-70000".into(),
            big.clone(),
        ],
        vec![
            "HSET".into(),
            "hash".into(),
            "f".into(),
            "v".into(),
            "n".into(),
            "12".into(),
            "a".into(),
            "-1".into(),
        ],
        vec!["HSET".into(), "bighash".into(), "f".into(), big.clone()],
        vec![
            "SADD".into(),
            "ints".into(),
            "3".into(),
            "-1".into(),
            "9223372036854775807".into(),
        ],
        vec![
            "SADD".into(),
            "set".into(),
            "a".into(),
            "b".into(),
            "1".into(),
        ],
        vec![
            "ZADD".into(),
            "zset".into(),
            "1.5".into(),
            "a".into(),
            "-inf".into(),
            "b".into(),
            "3".into(),
            "c".into(),
        ],
        vec![
            "ZADD".into(),
            "bigzset".into(),
            "0.1".into(),
            big.clone(),
            "2".into(),
            "y".into(),
        ],
    ];
    let mut long_list = vec!["RPUSH".to_string(), "longlist".to_string()];
    long_list.extend((0..3000).map(|i| format!("element-{i}")));
    cmds.push(long_list);
    let mut many = vec!["HSET".to_string(), "manyfields".to_string()];
    many.extend((0..600).flat_map(|i| [format!("f{i}"), i.to_string()]));
    cmds.push(many);
    for cmd in cmds {
        let mut query = redis::cmd(&cmd[0]);
        for arg in &cmd[1..] {
            query.arg(arg);
        }
        let _: Value = query.query_async(c).await.expect("fill");
    }
}

const KEYS: &[&str] = &[
    "str",
    "int",
    "long",
    "list",
    "hash",
    "bighash",
    "ints",
    "set",
    "zset",
    "bigzset",
    "longlist",
    "manyfields",
];

/// A key's type, encoding and contents in a canonical text (hash tables sorted).
async fn describe(c: &mut redis::aio::MultiplexedConnection, key: &str) -> String {
    let kind: String = redis::cmd("TYPE")
        .arg(key)
        .query_async(c)
        .await
        .expect("TYPE");
    let encoding: String = redis::cmd("OBJECT")
        .arg("ENCODING")
        .arg(key)
        .query_async(c)
        .await
        .expect("OBJECT ENCODING");
    let ttl: i64 = redis::cmd("TTL")
        .arg(key)
        .query_async(c)
        .await
        .expect("TTL");
    let mut contents: Vec<String> = match kind.as_str() {
        "string" => vec![
            redis::cmd("GET")
                .arg(key)
                .query_async(c)
                .await
                .expect("GET"),
        ],
        "list" => redis::cmd("LRANGE")
            .arg(key)
            .arg(0)
            .arg(-1)
            .query_async(c)
            .await
            .expect("LRANGE"),
        "hash" => redis::cmd("HGETALL")
            .arg(key)
            .query_async(c)
            .await
            .expect("HGETALL"),
        "set" => redis::cmd("SMEMBERS")
            .arg(key)
            .query_async(c)
            .await
            .expect("SMEMBERS"),
        "zset" => redis::cmd("ZRANGE")
            .arg(key)
            .arg(0)
            .arg(-1)
            .arg("WITHSCORES")
            .query_async(c)
            .await
            .expect("ZRANGE"),
        other => panic!("unexpected type {other}"),
    };
    // A listpack hash (insertion order) and an intset (numeric order) are compared in order; the
    // order of a hash table is each server's own.
    match (kind.as_str(), encoding.as_str()) {
        ("hash", "hashtable") => {
            let mut pairs: Vec<String> = contents.chunks(2).map(|p| p.join("=")).collect();
            pairs.sort();
            contents = pairs;
        }
        ("set", "hashtable") => contents.sort(),
        _ => {}
    }
    // Both sides expire in about 100 s; the exact second depends on timing.
    let ttl = if (90..=100).contains(&ttl) {
        "about 100".to_string()
    } else {
        ttl.to_string()
    };
    format!("{kind} {encoding} ttl={ttl} {}", contents.join(","))
}

/// Moves every key of [`KEYS`] from `from` to `to` with DUMP and RESTORE (with a TTL) and checks
/// that both sides describe it the same way.
async fn migrate(
    from: &mut redis::aio::MultiplexedConnection,
    to: &mut redis::aio::MultiplexedConnection,
) {
    for key in KEYS {
        let payload: Vec<u8> = redis::cmd("DUMP")
            .arg(key)
            .query_async(from)
            .await
            .expect("DUMP");
        let _: Value = redis::cmd("RESTORE")
            .arg(key)
            .arg(100_000)
            .arg(&payload)
            .arg("REPLACE")
            .query_async(to)
            .await
            .unwrap_or_else(|e| panic!("RESTORE {key}: {e}"));
        let _: Value = redis::cmd("EXPIRE")
            .arg(key)
            .arg(100)
            .query_async(from)
            .await
            .expect("EXPIRE");
        assert_eq!(describe(from, key).await, describe(to, key).await, "{key}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dump_restore_between_tinyredis_and_redis() {
    let cluster = TestCluster::start(3).await.expect("cluster start");
    let mut tiny = cluster.redis_async().await.expect("connect");
    let redis_server = RedisServer::start().await;
    let mut real = redis_server.connect().await;

    tracing::info!("phase: tinyredis DUMP, redis-server RESTORE");
    {
        fill(&mut tiny).await;
        migrate(&mut tiny, &mut real).await;
    }

    tracing::info!("phase: redis-server DUMP (LZF-compressed), tinyredis RESTORE");
    {
        let _: Value = redis::cmd("FLUSHALL")
            .query_async(&mut tiny)
            .await
            .expect("FLUSHALL");
        let _: Value = redis::cmd("FLUSHALL")
            .query_async(&mut real)
            .await
            .expect("FLUSHALL");
        fill(&mut real).await;
        migrate(&mut real, &mut tiny).await;
    }

    tracing::info!("phase: RESTORE errors");
    {
        expect_err(
            &mut tiny,
            &["RESTORE", "str", "0", "x"],
            "BUSYKEY Target key name already exists.",
        )
        .await;
        expect_err(
            &mut tiny,
            &["RESTORE", "new", "-1", "x"],
            "ERR Invalid TTL value, must be >= 0",
        )
        .await;
        expect_err(
            &mut tiny,
            &["RESTORE", "new", "0", "x"],
            "ERR DUMP payload version or checksum are wrong",
        )
        .await;
        expect_err(
            &mut tiny,
            &["RESTORE", "new", "0", "x", "bogus"],
            "ERR syntax error",
        )
        .await;
        expect(&mut tiny, &["DUMP", "missing"], Value::Nil).await;
    }
}
