//! Write batching: the write segments of many connections that reach the gateway together travel
//! in one call and become one Raft log entry. Each segment must still behave exactly as if it had
//! its own entry: its replies, its order within its connection, its randomness (the same on every
//! replica, so a new leader holds what the old one answered), and exactly-once retries.

use std::collections::BTreeSet;
use std::time::Duration;

use redis::Value;
use tinyredis_tests::TestCluster;

use crate::util::{as_int, bulk, ok};

/// Connections writing at the same moment.
const CONNECTIONS: usize = 40;

/// Pipelines each connection sends, one after another.
const ROUNDS: usize = 10;

/// Members of the set the connections SPOP from (more than the pops, so none comes back nil).
const POOL: usize = 1000;

/// What one connection saw.
struct Seen {
    /// Members its SPOPs returned.
    popped: Vec<String>,
    /// The replies of its INCRs of the shared counter.
    shared: Vec<i64>,
}

/// Sends [`ROUNDS`] pipelines on connection `i`: INCR of a shared counter, RPUSH to its own list,
/// SPOP from the shared set, INCR of its own counter; checks each reply that depends only on this
/// connection.
async fn writer(mut con: redis::aio::MultiplexedConnection, i: usize) -> Seen {
    let mut seen = Seen {
        popped: Vec::new(),
        shared: Vec::new(),
    };
    let list = format!("b:list:{i}");
    let own = format!("b:own:{i}");
    for round in 0..ROUNDS {
        let mut pipe = redis::pipe();
        pipe.cmd("INCR").arg("b:shared");
        pipe.cmd("RPUSH")
            .arg(&list)
            .arg(format!("{round}a"))
            .arg(format!("{round}b"));
        pipe.cmd("SPOP").arg("b:pool");
        pipe.cmd("INCR").arg(&own);
        let replies: Vec<Value> = pipe.query_async(&mut con).await.expect("pipeline");
        assert_eq!(replies.len(), 4);
        seen.shared.push(as_int(&replies[0]));
        assert_eq!(
            as_int(&replies[1]),
            2 * (round as i64 + 1),
            "RPUSH on connection {i} sees its own earlier pushes"
        );
        match &replies[2] {
            Value::BulkString(m) => seen.popped.push(String::from_utf8_lossy(m).into_owned()),
            other => panic!("SPOP on connection {i} returned {other:?}"),
        }
        assert_eq!(
            as_int(&replies[3]),
            round as i64 + 1,
            "INCR of connection {i}'s own counter"
        );
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_of_many_connections_batched_into_entries() {
    let mut cluster = TestCluster::start(3).await.expect("cluster start");
    let leader = cluster.wait_for_leader().await.expect("leader");
    let mut c = cluster.redis_async().await.expect("connect");

    tracing::info!("phase: fill the pool");
    let mut sadd = redis::cmd("SADD");
    sadd.arg("b:pool");
    for m in 0..POOL {
        sadd.arg(format!("m{m}"));
    }
    let added: i64 = sadd.query_async(&mut c).await.expect("SADD");
    assert_eq!(added, POOL as i64);
    let index_before = cluster.applied_index(leader).await.expect("applied index");

    tracing::info!(
        CONNECTIONS,
        ROUNDS,
        "phase: every connection writes at once"
    );
    let mut cons = Vec::new();
    for _ in 0..CONNECTIONS {
        cons.push(cluster.redis_async().await.expect("connect"));
    }
    let writers: Vec<_> = cons
        .into_iter()
        .enumerate()
        .map(|(i, con)| tokio::spawn(writer(con, i)))
        .collect();
    let mut seen = Vec::with_capacity(CONNECTIONS);
    for w in writers {
        seen.push(w.await.expect("writer"));
    }
    let index_after = cluster.applied_index(leader).await.expect("applied index");
    let segments = CONNECTIONS * ROUNDS;
    tracing::info!(
        segments,
        entries = index_after - index_before,
        "write segments and the log entries that carried them"
    );

    tracing::info!("phase: the shared counter and the pops are consistent");
    let mut shared: Vec<i64> = seen.iter().flat_map(|s| s.shared.iter().copied()).collect();
    shared.sort_unstable();
    let expected: Vec<i64> = (1..=segments as i64).collect();
    assert_eq!(
        shared, expected,
        "every INCR of the shared counter counted once"
    );
    let popped: BTreeSet<String> = seen.iter().flat_map(|s| s.popped.iter().cloned()).collect();
    assert_eq!(popped.len(), segments, "no member was popped twice");

    let check = |c: redis::aio::MultiplexedConnection| {
        let popped = popped.clone();
        async move {
            let mut c = c;
            let members: Vec<String> = redis::cmd("SMEMBERS")
                .arg("b:pool")
                .query_async(&mut c)
                .await
                .expect("SMEMBERS");
            let members: BTreeSet<String> = members.into_iter().collect();
            assert_eq!(members.len(), POOL - segments);
            assert!(
                members.is_disjoint(&popped),
                "a popped member is still in the set"
            );
            assert_eq!(
                ok(&mut c, &["GET", "b:shared"]).await,
                bulk(&segments.to_string())
            );
            for i in [0, CONNECTIONS / 2, CONNECTIONS - 1] {
                let list: Vec<String> = redis::cmd("LRANGE")
                    .arg(format!("b:list:{i}"))
                    .arg(0)
                    .arg(-1)
                    .query_async(&mut c)
                    .await
                    .expect("LRANGE");
                let expected: Vec<String> = (0..ROUNDS)
                    .flat_map(|r| [format!("{r}a"), format!("{r}b")])
                    .collect();
                assert_eq!(list, expected, "connection {i}'s pushes in its order");
            }
        }
    };
    check(c.clone()).await;

    tracing::info!(
        leader,
        "phase: kill the leader; the new one applied the same batches and the same pops"
    );
    cluster.kill_node(leader);
    let new_leader = cluster
        .wait_for_leader_within(Duration::from_secs(10))
        .await
        .expect("new leader");
    assert_ne!(new_leader, leader);
    let c = cluster.redis_async().await.expect("connect");
    check(c).await;
}
