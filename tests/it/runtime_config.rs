//! Runtime CONFIG GET/SET/RESETSTAT/REWRITE over real sockets: reply shapes in RESP2 and RESP3, Redis's
//! exact errors, all-or-nothing SET, cluster-wide values seen by a second gateway, per-gateway
//! values that really take effect (timeout, maxclients, proto-max-bulk-len,
//! client-query-buffer-limit). One cluster for the whole file.

use std::time::Duration;

use redis::Value;
use tinyredis_tests::{RawConn, TestCluster, poll_until, resp_cmd};
use tokio::io::AsyncWriteExt;

use crate::util::{bulk, expect, expect_err, ok};

fn config_get_reply(pairs: &[(&str, &str)]) -> Value {
    Value::Array(pairs.iter().flat_map(|(k, v)| [bulk(k), bulk(v)]).collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_get_set_and_limits() {
    let cluster = TestCluster::start(1).await.expect("cluster");
    let addr = cluster.gateway_addr();
    let mut con = cluster.redis_async().await.unwrap();

    tracing::info!("phase: reply shapes, RESP2 flat array and RESP3 map");
    {
        let mut raw = RawConn::connect(&addr).await;
        raw.expect(
            &resp_cmd(&[b"CONFIG", b"GET", b"maxmemory"]),
            b"*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n",
        )
        .await;
        // A name without glob characters is echoed as given.
        raw.expect(
            &resp_cmd(&[b"CONFIG", b"GET", b"DATABASES"]),
            b"*2\r\n$9\r\nDATABASES\r\n$2\r\n16\r\n",
        )
        .await;
        raw.expect(&resp_cmd(&[b"CONFIG", b"GET", b"nosuch"]), b"*0\r\n")
            .await;
        raw.send(&resp_cmd(&[b"HELLO", b"3"])).await;
        let _ = raw.read_reply(1).await;
        raw.expect(
            &resp_cmd(&[b"CONFIG", b"GET", b"appendonly"]),
            b"%1\r\n$10\r\nappendonly\r\n$2\r\nno\r\n",
        )
        .await;
    }

    tracing::info!("phase: patterns, several at once, each parameter once");
    {
        expect(
            &mut con,
            &["CONFIG", "GET", "maxmemory", "MAXMEM*", "save"],
            config_get_reply(&[
                ("maxmemory", "0"),
                ("maxmemory-policy", "noeviction"),
                ("save", "3600 1 300 100 60 10000"),
            ]),
        )
        .await;
        expect(
            &mut con,
            &["CONFIG", "GET", "slowlog-*"],
            config_get_reply(&[
                ("slowlog-log-slower-than", "10000"),
                ("slowlog-max-len", "128"),
            ]),
        )
        .await;
        let Value::Array(all) = ok(&mut con, &["CONFIG", "GET", "*"]).await else {
            panic!("CONFIG GET * is not an array")
        };
        for name in [
            "databases",
            "maxmemory",
            "maxclients",
            "timeout",
            "save",
            "appendonly",
            "slowlog-log-slower-than",
            "slowlog-max-len",
            "proto-max-bulk-len",
            "client-query-buffer-limit",
            "client-output-buffer-limit",
            "io-threads",
        ] {
            assert!(all.contains(&bulk(name)), "CONFIG GET * lacks {name}");
        }
    }

    tracing::info!("phase: errors, exactly as Redis 7.0");
    {
        let cases: &[(&[&str], &str)] = &[
            (
                &["CONFIG", "SET", "foo", "bar"],
                "ERR Unknown option or number of arguments for CONFIG SET - 'foo'",
            ),
            (
                &["CONFIG", "SET", "maxmemory", "abc"],
                "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value",
            ),
            (
                &["CONFIG", "SET", "maxclients", "0"],
                "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive",
            ),
            (
                &["CONFIG", "SET", "timeout", "x"],
                "ERR CONFIG SET failed (possibly related to argument 'timeout') - argument couldn't be parsed into an integer",
            ),
            (
                &["CONFIG", "SET", "databases", "4"],
                "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config",
            ),
            (
                &["CONFIG", "SET", "maxmemory", "1", "MAXMEMORY", "2"],
                "ERR CONFIG SET failed (possibly related to argument 'MAXMEMORY') - duplicate parameter",
            ),
            (
                &["CONFIG", "SET", "appendonly", "maybe"],
                "ERR CONFIG SET failed (possibly related to argument 'appendonly') - argument must be 'yes' or 'no'",
            ),
            (
                &["CONFIG", "SET", "save", "100 10 200"],
                "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters",
            ),
            (
                &["CONFIG", "SET", "proto-max-bulk-len", "10"],
                "ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be between 1048576 and 9223372036854775807 inclusive",
            ),
            (
                &["CONFIG", "SET", "maxmemory", "1", "timeout"],
                "ERR syntax error",
            ),
            (
                &["CONFIG", "SET", "maxmemory"],
                "ERR wrong number of arguments for 'config|set' command",
            ),
            (
                &["CONFIG", "GET"],
                "ERR wrong number of arguments for 'config|get' command",
            ),
            (
                &["CONFIG", "FOO"],
                "ERR unknown subcommand 'FOO'. Try CONFIG HELP.",
            ),
            (
                &["CONFIG", "REWRITE"],
                "ERR The server is running without a config file",
            ),
        ];
        for (args, text) in cases {
            expect_err(&mut con, args, text).await;
        }
        expect(&mut con, &["CONFIG", "RESETSTAT"], Value::Okay).await;
    }

    tracing::info!("phase: SET is all or nothing; values are normalized");
    {
        expect_err(
            &mut con,
            &["CONFIG", "SET", "maxmemory", "10mb", "timeout", "x"],
            "ERR CONFIG SET failed (possibly related to argument 'timeout') - argument couldn't be parsed into an integer",
        )
        .await;
        expect(
            &mut con,
            &["CONFIG", "GET", "maxmemory"],
            config_get_reply(&[("maxmemory", "0")]),
        )
        .await;
        expect(
            &mut con,
            &[
                "CONFIG",
                "SET",
                "maxmemory",
                "10mb",
                "maxmemory-policy",
                "ALLKEYS-LRU",
                "slowlog-max-len",
                "64",
            ],
            Value::Okay,
        )
        .await;
        expect(
            &mut con,
            &[
                "CONFIG",
                "GET",
                "maxmemory",
                "maxmemory-policy",
                "slowlog-max-len",
            ],
            config_get_reply(&[
                ("maxmemory", "10485760"),
                ("maxmemory-policy", "allkeys-lru"),
                ("slowlog-max-len", "64"),
            ]),
        )
        .await;
    }

    tracing::info!("phase: cluster-wide values reach a second gateway, per-gateway ones do not");
    {
        let gw2 = cluster.spawn_gateway(&[]).await.expect("second gateway");
        let mut con2 = gw2.redis_async().await.unwrap();
        poll_until(
            "second gateway sees maxmemory",
            Duration::from_secs(10),
            || {
                let mut con2 = con2.clone();
                async move {
                    let v = ok(&mut con2, &["CONFIG", "GET", "maxmemory"]).await;
                    Ok((v == config_get_reply(&[("maxmemory", "10485760")])).then_some(()))
                }
            },
        )
        .await
        .unwrap();
        expect(
            &mut con2,
            &["CONFIG", "GET", "slowlog-max-len"],
            config_get_reply(&[("slowlog-max-len", "128")]),
        )
        .await;
        // A change made on the second gateway is seen by the first.
        expect(&mut con2, &["CONFIG", "SET", "save", ""], Value::Okay).await;
        poll_until("first gateway sees save", Duration::from_secs(10), || {
            let mut con = con.clone();
            async move {
                let v = ok(&mut con, &["CONFIG", "GET", "save"]).await;
                Ok((v == config_get_reply(&[("save", "")])).then_some(()))
            }
        })
        .await
        .unwrap();

        tracing::info!("phase: maxclients refuses the connection over the limit, and only it");
        let mut first = RawConn::connect(&gw2.addr).await;
        first.expect(b"PING\r\n", b"+PONG\r\n").await;
        // con2 and `first` are connected: allow exactly these two.
        expect(
            &mut con2,
            &["CONFIG", "SET", "maxclients", "2"],
            Value::Okay,
        )
        .await;
        let mut refused = RawConn::connect(&gw2.addr).await;
        assert_eq!(
            refused.read_reply(36).await,
            b"-ERR max number of clients reached\r\n"
        );
        assert!(refused.wait_closed().await);
        first.expect(b"PING\r\n", b"+PONG\r\n").await;
        expect(
            &mut con2,
            &["CONFIG", "SET", "maxclients", "10000"],
            Value::Okay,
        )
        .await;
        let mut again = RawConn::connect(&gw2.addr).await;
        again.expect(b"PING\r\n", b"+PONG\r\n").await;
    }

    tracing::info!("phase: timeout closes idle clients, not busy ones");
    {
        let mut idle = RawConn::connect(&addr).await;
        idle.expect(b"PING\r\n", b"+PONG\r\n").await;
        expect(&mut con, &["CONFIG", "SET", "timeout", "1"], Value::Okay).await;
        assert!(idle.wait_closed().await, "idle client was not closed");
        // The multiplexed connection was idle too, and closed; a new one works.
        con = cluster.redis_async().await.unwrap();
        expect(&mut con, &["CONFIG", "SET", "timeout", "0"], Value::Okay).await;
        expect(
            &mut con,
            &["CONFIG", "GET", "timeout"],
            config_get_reply(&[("timeout", "0")]),
        )
        .await;
    }

    tracing::info!("phase: proto-max-bulk-len refuses a longer bulk with Redis's protocol error");
    {
        expect(
            &mut con,
            &["CONFIG", "SET", "proto-max-bulk-len", "1mb"],
            Value::Okay,
        )
        .await;
        let mut raw = RawConn::connect(&addr).await;
        raw.expect(
            b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n",
            b"-ERR Protocol error: invalid bulk length\r\n",
        )
        .await;
        assert!(raw.wait_closed().await);
        expect(
            &mut con,
            &["CONFIG", "SET", "proto-max-bulk-len", "512mb"],
            Value::Okay,
        )
        .await;
    }

    tracing::info!("phase: client-query-buffer-limit closes the client, silently, as Redis does");
    {
        expect(
            &mut con,
            &["CONFIG", "SET", "client-query-buffer-limit", "1mb"],
            Value::Okay,
        )
        .await;
        let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
        let _ = stream
            .write_all(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n")
            .await;
        let chunk = vec![b'x'; 64 * 1024];
        let mut closed = false;
        for _ in 0..64 {
            if stream.write_all(&chunk).await.is_err() {
                closed = true;
                break;
            }
        }
        if !closed {
            let mut buf = [0u8; 64];
            let n = tokio::time::timeout(
                Duration::from_secs(5),
                tokio::io::AsyncReadExt::read(&mut stream, &mut buf),
            )
            .await
            .expect("gateway did not close the client")
            .unwrap_or(0);
            assert_eq!(n, 0, "expected a close without a reply");
        }
        // A long pipeline of small commands is fine: only unprocessed input counts.
        let mut raw = RawConn::connect(&addr).await;
        raw.send(&b"PING\r\n".repeat(300_000)).await;
        let got = raw.read_reply(7 * 300_000).await;
        assert_eq!(got.len(), 7 * 300_000);
        expect(
            &mut con,
            &["CONFIG", "SET", "client-query-buffer-limit", "1gb"],
            Value::Okay,
        )
        .await;
    }

    tracing::info!("phase: encoding thresholds, their 7.0 aliases, and OBJECT ENCODING");
    {
        expect(
            &mut con,
            &[
                "CONFIG",
                "GET",
                "zset-max-ziplist-entries",
                "zset-max-listpack-entries",
            ],
            config_get_reply(&[
                ("zset-max-ziplist-entries", "128"),
                ("zset-max-listpack-entries", "128"),
            ]),
        )
        .await;
        expect_err(
            &mut con,
            &["CONFIG", "SET", "HASH-max-ziplist-entries", "-1"],
            "ERR CONFIG SET failed (possibly related to argument 'hash-max-ziplist-entries') - argument must be between 0 and 9223372036854775807 inclusive",
        )
        .await;
        expect(
            &mut con,
            &[
                "CONFIG",
                "SET",
                "zset-max-ziplist-entries",
                "0",
                "hash-max-ziplist-value",
                "1kb",
            ],
            Value::Okay,
        )
        .await;
        expect(
            &mut con,
            &[
                "CONFIG",
                "GET",
                "zset-max-listpack-entries",
                "hash-max-listpack-value",
            ],
            config_get_reply(&[
                ("zset-max-listpack-entries", "0"),
                ("hash-max-listpack-value", "1024"),
            ]),
        )
        .await;
        let Value::Array(all) = ok(&mut con, &["CONFIG", "GET", "*ziplist*"]).await else {
            panic!("CONFIG GET *ziplist* is not an array")
        };
        assert_eq!(all.len(), 10, "five aliases: {all:?}");
        ok(&mut con, &["ZADD", "enc:z", "1", "a"]).await;
        expect(&mut con, &["OBJECT", "ENCODING", "enc:z"], bulk("skiplist")).await;
        let long = "v".repeat(1000);
        ok(&mut con, &["HSET", "enc:h", "f", &long]).await;
        expect(&mut con, &["OBJECT", "ENCODING", "enc:h"], bulk("listpack")).await;
        expect(
            &mut con,
            &[
                "CONFIG",
                "SET",
                "zset-max-listpack-entries",
                "128",
                "hash-max-listpack-value",
                "64",
            ],
            Value::Okay,
        )
        .await;
        // Conversions happen on writes and are never undone.
        expect(&mut con, &["OBJECT", "ENCODING", "enc:z"], bulk("skiplist")).await;
        ok(&mut con, &["ZADD", "enc:z2", "1", "a"]).await;
        expect(
            &mut con,
            &["OBJECT", "ENCODING", "enc:z2"],
            bulk("listpack"),
        )
        .await;
        ok(&mut con, &["HSET", "enc:h", "g", "1"]).await;
        expect(
            &mut con,
            &["OBJECT", "ENCODING", "enc:h"],
            bulk("hashtable"),
        )
        .await;
        ok(&mut con, &["HDEL", "enc:h", "f"]).await;
        expect(
            &mut con,
            &["OBJECT", "ENCODING", "enc:h"],
            bulk("hashtable"),
        )
        .await;
    }
}
