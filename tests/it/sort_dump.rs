//! SORT and SORT_RO end to end: a gateway in front of three nodes, replies as redis-server 7.0.15
//! sends them. A SORT without STORE is served as a read (no log entry); with STORE it goes through
//! the log and every replica stores the same list.

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
