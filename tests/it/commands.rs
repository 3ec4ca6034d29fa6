//! Every implemented command through a real gateway in front of three nodes, checked against
//! Redis's documented replies (with the `redis` crate, and over raw RESP for exact error texts).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use redis::Value;
use tinyredis_tests::{RawConn, TestCluster, pb, poll_until, raw_expect, resp_cmd};

use crate::util::{as_int, bulk, expect, expect_err, int, ok, q, status, unix_ms, unix_secs};

/// PING, ECHO, SET (every option), GET, DEL, EXISTS, the INCR family, MGET, MSET and TYPE.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn string_commands() {
    let cluster = TestCluster::start(3).await.expect("cluster start");
    let gw = cluster.gateway_addr();
    let mut c = cluster.redis_async().await.expect("connect");

    tracing::info!("phase: PING and ECHO");
    expect(&mut c, &["PING"], status("PONG")).await;
    expect(&mut c, &["PING", "hello world"], bulk("hello world")).await;
    expect(&mut c, &["ECHO", "hi there"], bulk("hi there")).await;
    expect(&mut c, &["ECHO", ""], bulk("")).await;
    raw_expect(&gw, &resp_cmd(&[b"PING"]), b"+PONG\r\n").await;
    raw_expect(&gw, &resp_cmd(&[b"PING", b"msg"]), b"$3\r\nmsg\r\n").await;
    raw_expect(
        &gw,
        &resp_cmd(&[b"ping", b"a", b"b"]),
        b"-ERR wrong number of arguments for 'ping' command\r\n",
    )
    .await;
    raw_expect(
        &gw,
        &resp_cmd(&[b"ECHO"]),
        b"-ERR wrong number of arguments for 'echo' command\r\n",
    )
    .await;

    tracing::info!("phase: SET and GET");
    expect(&mut c, &["SET", "s:k", "v1"], Value::Okay).await;
    expect(&mut c, &["GET", "s:k"], bulk("v1")).await;
    expect(&mut c, &["SET", "s:k", "v2"], Value::Okay).await;
    expect(&mut c, &["GET", "s:k"], bulk("v2")).await;
    expect(&mut c, &["GET", "s:missing"], Value::Nil).await;
    expect(&mut c, &["SET", "s:empty", ""], Value::Okay).await;
    expect(&mut c, &["GET", "s:empty"], bulk("")).await;
    raw_expect(&gw, &resp_cmd(&[b"GET", b"s:missing"]), b"$-1\r\n").await;
    raw_expect(&gw, &resp_cmd(&[b"GET", b"s:k"]), b"$2\r\nv2\r\n").await;
    raw_expect(&gw, &resp_cmd(&[b"SET", b"s:k", b"v2"]), b"+OK\r\n").await;

    tracing::info!("phase: SET NX / XX");
    expect(&mut c, &["SET", "s:nx", "a", "NX"], Value::Okay).await;
    expect(&mut c, &["SET", "s:nx", "b", "NX"], Value::Nil).await;
    expect(&mut c, &["GET", "s:nx"], bulk("a")).await;
    expect(&mut c, &["SET", "s:xx", "a", "XX"], Value::Nil).await;
    expect(&mut c, &["GET", "s:xx"], Value::Nil).await;
    expect(&mut c, &["SET", "s:nx", "c", "XX"], Value::Okay).await;
    expect(&mut c, &["GET", "s:nx"], bulk("c")).await;
    expect(&mut c, &["SET", "s:nx", "d", "nx"], Value::Nil).await;
    raw_expect(&gw, &resp_cmd(&[b"SET", b"s:nx", b"z", b"NX"]), b"$-1\r\n").await;

    tracing::info!("phase: SET GET");
    expect(&mut c, &["SET", "s:get", "new", "GET"], Value::Nil).await;
    expect(&mut c, &["SET", "s:get", "newer", "GET"], bulk("new")).await;
    expect(&mut c, &["GET", "s:get"], bulk("newer")).await;
    // Redis 7: NX and GET together return the old value and do not set when the key exists.
    expect(&mut c, &["SET", "s:get", "x", "NX", "GET"], bulk("newer")).await;
    expect(&mut c, &["GET", "s:get"], bulk("newer")).await;
    expect(&mut c, &["SET", "s:getnx", "x", "NX", "GET"], Value::Nil).await;
    expect(&mut c, &["GET", "s:getnx"], bulk("x")).await;
    expect(&mut c, &["SET", "s:getxx", "x", "XX", "GET"], Value::Nil).await;
    expect(&mut c, &["GET", "s:getxx"], Value::Nil).await;

    tracing::info!("phase: SET EX / PX / EXAT / PXAT / KEEPTTL");
    expect(&mut c, &["SET", "s:ex", "v", "EX", "100"], Value::Okay).await;
    let ttl = as_int(&ok(&mut c, &["TTL", "s:ex"]).await);
    assert!((98..=100).contains(&ttl), "TTL after EX 100: {ttl}");
    expect(&mut c, &["SET", "s:ex", "v2", "KEEPTTL"], Value::Okay).await;
    let ttl = as_int(&ok(&mut c, &["TTL", "s:ex"]).await);
    assert!((98..=100).contains(&ttl), "TTL after KEEPTTL: {ttl}");
    expect(&mut c, &["GET", "s:ex"], bulk("v2")).await;
    expect(&mut c, &["SET", "s:ex", "v3"], Value::Okay).await;
    expect(&mut c, &["TTL", "s:ex"], int(-1)).await;

    expect(&mut c, &["SET", "s:px", "v", "PX", "50000"], Value::Okay).await;
    let pttl = as_int(&ok(&mut c, &["PTTL", "s:px"]).await);
    assert!(
        (45_000..=50_000).contains(&pttl),
        "PTTL after PX 50000: {pttl}"
    );

    let at = (unix_secs() + 100).to_string();
    expect(&mut c, &["SET", "s:exat", "v", "EXAT", &at], Value::Okay).await;
    let ttl = as_int(&ok(&mut c, &["TTL", "s:exat"]).await);
    assert!((97..=100).contains(&ttl), "TTL after EXAT now+100: {ttl}");

    let at = (unix_ms() + 100_000).to_string();
    expect(&mut c, &["SET", "s:pxat", "v", "PXAT", &at], Value::Okay).await;
    let pttl = as_int(&ok(&mut c, &["PTTL", "s:pxat"]).await);
    assert!(
        (95_000..=100_000).contains(&pttl),
        "PTTL after PXAT now+100s: {pttl}"
    );

    // An absolute time in the past: the SET succeeds and the key is gone at once.
    expect(&mut c, &["SET", "s:past", "v", "EXAT", "1"], Value::Okay).await;
    expect(&mut c, &["GET", "s:past"], Value::Nil).await;
    expect(&mut c, &["EXISTS", "s:past"], int(0)).await;
    // Options are case-insensitive.
    expect(
        &mut c,
        &["SET", "s:lc", "v", "ex", "100", "nx"],
        Value::Okay,
    )
    .await;
    assert!(as_int(&ok(&mut c, &["TTL", "s:lc"]).await) > 0);

    tracing::info!("phase: SET errors");
    let syntax = "ERR syntax error";
    expect_err(&mut c, &["SET", "s:e", "v", "NX", "XX"], syntax).await;
    expect_err(
        &mut c,
        &["SET", "s:e", "v", "EX", "10", "PX", "100"],
        syntax,
    )
    .await;
    expect_err(&mut c, &["SET", "s:e", "v", "EX", "10", "KEEPTTL"], syntax).await;
    expect_err(
        &mut c,
        &["SET", "s:e", "v", "KEEPTTL", "PXAT", "100"],
        syntax,
    )
    .await;
    expect_err(&mut c, &["SET", "s:e", "v", "EX"], syntax).await;
    expect_err(&mut c, &["SET", "s:e", "v", "BOGUS"], syntax).await;
    let invalid = "ERR invalid expire time in 'set' command";
    expect_err(&mut c, &["SET", "s:e", "v", "EX", "0"], invalid).await;
    expect_err(&mut c, &["SET", "s:e", "v", "EX", "-5"], invalid).await;
    expect_err(&mut c, &["SET", "s:e", "v", "PX", "0"], invalid).await;
    expect_err(
        &mut c,
        &["SET", "s:e", "v", "EX", "9223372036854775807"],
        invalid,
    )
    .await;
    expect_err(
        &mut c,
        &["SET", "s:e", "v", "EX", "abc"],
        "ERR value is not an integer or out of range",
    )
    .await;
    expect(&mut c, &["EXISTS", "s:e"], int(0)).await;
    raw_expect(
        &gw,
        &resp_cmd(&[b"SET", b"s:e", b"v", b"NX", b"XX"]),
        b"-ERR syntax error\r\n",
    )
    .await;
    raw_expect(
        &gw,
        &resp_cmd(&[b"SET", b"s:e", b"v", b"EX", b"0"]),
        b"-ERR invalid expire time in 'set' command\r\n",
    )
    .await;
    raw_expect(
        &gw,
        &resp_cmd(&[b"SET", b"s:e", b"v", b"PX", b"-1"]),
        b"-ERR invalid expire time in 'set' command\r\n",
    )
    .await;
    raw_expect(
        &gw,
        &resp_cmd(&[b"SET", b"s:e"]),
        b"-ERR wrong number of arguments for 'set' command\r\n",
    )
    .await;

    tracing::info!("phase: DEL and EXISTS");
    expect(
        &mut c,
        &["MSET", "d:a", "1", "d:b", "2", "d:c", "3"],
        Value::Okay,
    )
    .await;
    expect(&mut c, &["EXISTS", "d:a"], int(1)).await;
    expect(&mut c, &["EXISTS", "d:a", "d:a", "d:a"], int(3)).await;
    expect(&mut c, &["EXISTS", "d:a", "d:b", "d:missing"], int(2)).await;
    expect(&mut c, &["EXISTS", "d:missing"], int(0)).await;
    expect(&mut c, &["DEL", "d:a", "d:missing"], int(1)).await;
    expect(&mut c, &["DEL", "d:b", "d:b"], int(1)).await;
    expect(&mut c, &["DEL", "d:a", "d:b"], int(0)).await;
    expect(&mut c, &["EXISTS", "d:a", "d:b", "d:c"], int(1)).await;
    raw_expect(&gw, &resp_cmd(&[b"DEL", b"d:c", b"d:zz"]), b":1\r\n").await;
    raw_expect(&gw, &resp_cmd(&[b"EXISTS", b"d:c"]), b":0\r\n").await;
    raw_expect(
        &gw,
        &resp_cmd(&[b"DEL"]),
        b"-ERR wrong number of arguments for 'del' command\r\n",
    )
    .await;

    tracing::info!("phase: INCR / INCRBY / DECR / DECRBY");
    expect(&mut c, &["INCR", "i:n"], int(1)).await;
    expect(&mut c, &["INCR", "i:n"], int(2)).await;
    expect(&mut c, &["INCRBY", "i:n", "10"], int(12)).await;
    expect(&mut c, &["INCRBY", "i:n", "-20"], int(-8)).await;
    expect(&mut c, &["DECR", "i:n"], int(-9)).await;
    expect(&mut c, &["DECRBY", "i:n", "-19"], int(10)).await;
    expect(&mut c, &["DECRBY", "i:n", "3"], int(7)).await;
    expect(&mut c, &["GET", "i:n"], bulk("7")).await;
    expect(&mut c, &["DECR", "i:fresh"], int(-1)).await;
    expect(&mut c, &["INCRBY", "i:fresh2", "5"], int(5)).await;
    // INCR keeps the key's TTL.
    expect(&mut c, &["SET", "i:ttl", "5", "EX", "100"], Value::Okay).await;
    expect(&mut c, &["INCR", "i:ttl"], int(6)).await;
    let ttl = as_int(&ok(&mut c, &["TTL", "i:ttl"]).await);
    assert!((98..=100).contains(&ttl), "TTL after INCR: {ttl}");

    let not_int = "ERR value is not an integer or out of range";
    expect(&mut c, &["SET", "i:str", "abc"], Value::Okay).await;
    expect_err(&mut c, &["INCR", "i:str"], not_int).await;
    expect_err(&mut c, &["DECR", "i:str"], not_int).await;
    expect(&mut c, &["SET", "i:space", " 1"], Value::Okay).await;
    expect_err(&mut c, &["INCR", "i:space"], not_int).await;
    expect(&mut c, &["SET", "i:float", "1.5"], Value::Okay).await;
    expect_err(&mut c, &["INCRBY", "i:float", "1"], not_int).await;
    expect_err(&mut c, &["INCRBY", "i:n", "abc"], not_int).await;
    expect_err(&mut c, &["INCRBY", "i:n", "1.0"], not_int).await;
    expect_err(&mut c, &["DECRBY", "i:n", "99999999999999999999"], not_int).await;
    expect(&mut c, &["GET", "i:n"], bulk("7")).await;

    let overflow = "ERR increment or decrement would overflow";
    expect(
        &mut c,
        &["SET", "i:max", "9223372036854775807"],
        Value::Okay,
    )
    .await;
    expect_err(&mut c, &["INCR", "i:max"], overflow).await;
    expect_err(&mut c, &["INCRBY", "i:max", "1"], overflow).await;
    expect(&mut c, &["DECR", "i:max"], int(i64::MAX - 1)).await;
    expect(
        &mut c,
        &["SET", "i:min", "-9223372036854775808"],
        Value::Okay,
    )
    .await;
    expect_err(&mut c, &["DECR", "i:min"], overflow).await;
    expect_err(&mut c, &["DECRBY", "i:min", "1"], overflow).await;
    expect(&mut c, &["GET", "i:min"], bulk("-9223372036854775808")).await;
    raw_expect(
        &gw,
        &resp_cmd(&[b"INCR", b"i:str"]),
        b"-ERR value is not an integer or out of range\r\n",
    )
    .await;
    raw_expect(&gw, &resp_cmd(&[b"INCR", b"i:min2"]), b":1\r\n").await;
    raw_expect(
        &gw,
        &resp_cmd(&[b"INCRBY", b"i:max", b"2"]),
        b"-ERR increment or decrement would overflow\r\n",
    )
    .await;
    raw_expect(
        &gw,
        &resp_cmd(&[b"INCRBY", b"i:n"]),
        b"-ERR wrong number of arguments for 'incrby' command\r\n",
    )
    .await;

    tracing::info!("phase: MSET and MGET");
    expect(&mut c, &["MSET", "m:a", "1", "m:b", "2"], Value::Okay).await;
    expect(
        &mut c,
        &["MGET", "m:a", "m:missing", "m:b", "m:a"],
        Value::Array(vec![bulk("1"), Value::Nil, bulk("2"), bulk("1")]),
    )
    .await;
    // The last value of a repeated key wins.
    expect(&mut c, &["MSET", "m:a", "x", "m:a", "y"], Value::Okay).await;
    expect(&mut c, &["GET", "m:a"], bulk("y")).await;
    // MSET clears an existing TTL.
    expect(&mut c, &["SET", "m:ttl", "v", "EX", "100"], Value::Okay).await;
    expect(&mut c, &["MSET", "m:ttl", "w"], Value::Okay).await;
    expect(&mut c, &["TTL", "m:ttl"], int(-1)).await;
    let mset_arity = "ERR wrong number of arguments for 'mset' command";
    expect_err(&mut c, &["MSET", "m:a", "1", "m:b"], mset_arity).await;
    expect_err(&mut c, &["MSET", "m:a"], mset_arity).await;
    expect(&mut c, &["EXISTS", "m:b"], int(1)).await;
    expect(&mut c, &["GET", "m:a"], bulk("y")).await;
    raw_expect(
        &gw,
        &resp_cmd(&[b"MSET", b"m:a", b"1", b"m:b"]),
        b"-ERR wrong number of arguments for 'mset' command\r\n",
    )
    .await;
    raw_expect(
        &gw,
        &resp_cmd(&[b"MGET", b"m:b", b"m:nope"]),
        b"*2\r\n$1\r\n2\r\n$-1\r\n",
    )
    .await;
    raw_expect(
        &gw,
        &resp_cmd(&[b"MGET"]),
        b"-ERR wrong number of arguments for 'mget' command\r\n",
    )
    .await;

    tracing::info!("phase: TYPE");
    expect(&mut c, &["TYPE", "t:missing"], status("none")).await;
    expect(&mut c, &["SET", "t:s", "v"], Value::Okay).await;
    expect(&mut c, &["TYPE", "t:s"], status("string")).await;
    expect(&mut c, &["INCR", "t:i"], int(1)).await;
    expect(&mut c, &["TYPE", "t:i"], status("string")).await;
    raw_expect(&gw, &resp_cmd(&[b"TYPE", b"t:s"]), b"+string\r\n").await;
    raw_expect(&gw, &resp_cmd(&[b"TYPE", b"t:missing"]), b"+none\r\n").await;
}

/// EXPIRE and friends, expiry, DBSIZE, FLUSHDB/FLUSHALL, SELECT, unknown commands, arity errors,
/// INFO and QUIT.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyspace_and_server_commands() {
    let mut cluster = TestCluster::start(3).await.expect("cluster start");
    let gw = cluster.gateway_addr();
    let mut c = cluster.redis_async().await.expect("connect");

    tracing::info!("phase: TTL and PTTL of missing and persistent keys");
    expect(&mut c, &["TTL", "e:missing"], int(-2)).await;
    expect(&mut c, &["PTTL", "e:missing"], int(-2)).await;
    expect(&mut c, &["SET", "e:k", "v"], Value::Okay).await;
    expect(&mut c, &["TTL", "e:k"], int(-1)).await;
    expect(&mut c, &["PTTL", "e:k"], int(-1)).await;

    tracing::info!("phase: EXPIRE / PEXPIRE / PERSIST");
    expect(&mut c, &["EXPIRE", "e:missing", "100"], int(0)).await;
    expect(&mut c, &["PEXPIRE", "e:missing", "100"], int(0)).await;
    expect(&mut c, &["EXPIRE", "e:k", "100"], int(1)).await;
    let ttl = as_int(&ok(&mut c, &["TTL", "e:k"]).await);
    assert!((98..=100).contains(&ttl), "TTL after EXPIRE 100: {ttl}");
    expect(&mut c, &["PEXPIRE", "e:k", "5000"], int(1)).await;
    let pttl = as_int(&ok(&mut c, &["PTTL", "e:k"]).await);
    assert!(
        (3_000..=5_000).contains(&pttl),
        "PTTL after PEXPIRE 5000: {pttl}"
    );
    let ttl = as_int(&ok(&mut c, &["TTL", "e:k"]).await);
    assert!((3..=5).contains(&ttl), "TTL after PEXPIRE 5000: {ttl}");
    expect(&mut c, &["PERSIST", "e:k"], int(1)).await;
    expect(&mut c, &["TTL", "e:k"], int(-1)).await;
    expect(&mut c, &["PERSIST", "e:k"], int(0)).await;
    expect(&mut c, &["PERSIST", "e:missing"], int(0)).await;
    expect(&mut c, &["GET", "e:k"], bulk("v")).await;

    tracing::info!("phase: EXPIRE NX / XX / GT / LT");
    expect(&mut c, &["SET", "e:f", "v"], Value::Okay).await;
    expect(&mut c, &["EXPIRE", "e:f", "100", "XX"], int(0)).await;
    expect(&mut c, &["EXPIRE", "e:f", "100", "GT"], int(0)).await;
    expect(&mut c, &["TTL", "e:f"], int(-1)).await;
    expect(&mut c, &["EXPIRE", "e:f", "100", "NX"], int(1)).await;
    expect(&mut c, &["EXPIRE", "e:f", "200", "NX"], int(0)).await;
    expect(&mut c, &["EXPIRE", "e:f", "200", "XX"], int(1)).await;
    expect(&mut c, &["EXPIRE", "e:f", "100", "GT"], int(0)).await;
    expect(&mut c, &["EXPIRE", "e:f", "300", "GT"], int(1)).await;
    expect(&mut c, &["EXPIRE", "e:f", "400", "LT"], int(0)).await;
    expect(&mut c, &["EXPIRE", "e:f", "150", "lt"], int(1)).await;
    let ttl = as_int(&ok(&mut c, &["TTL", "e:f"]).await);
    assert!((148..=150).contains(&ttl), "TTL after LT 150: {ttl}");
    expect(&mut c, &["SET", "e:g", "v"], Value::Okay).await;
    expect(&mut c, &["PEXPIRE", "e:g", "100000", "LT"], int(1)).await;
    assert!(as_int(&ok(&mut c, &["PTTL", "e:g"]).await) > 90_000);
    expect_err(
        &mut c,
        &["EXPIRE", "e:f", "100", "NX", "XX"],
        "ERR NX and XX, GT or LT options at the same time are not compatible",
    )
    .await;
    expect_err(
        &mut c,
        &["EXPIRE", "e:f", "100", "GT", "LT"],
        "ERR GT and LT options at the same time are not compatible",
    )
    .await;
    expect_err(
        &mut c,
        &["EXPIRE", "e:f", "100", "FOO"],
        "ERR Unsupported option FOO",
    )
    .await;
    expect_err(
        &mut c,
        &["EXPIRE", "e:f", "abc"],
        "ERR value is not an integer or out of range",
    )
    .await;
    expect_err(
        &mut c,
        &["EXPIRE", "e:f", "9223372036854775807"],
        "ERR invalid expire time in 'expire' command",
    )
    .await;
    expect_err(
        &mut c,
        &["PEXPIRE", "e:f", "9223372036854775807"],
        "ERR invalid expire time in 'pexpire' command",
    )
    .await;
    raw_expect(
        &gw,
        &resp_cmd(&[b"EXPIRE", b"e:f"]),
        b"-ERR wrong number of arguments for 'expire' command\r\n",
    )
    .await;
    // A non-positive timeout deletes the key.
    expect(&mut c, &["SET", "e:del", "v"], Value::Okay).await;
    expect(&mut c, &["EXPIRE", "e:del", "0"], int(1)).await;
    expect(&mut c, &["EXISTS", "e:del"], int(0)).await;
    expect(&mut c, &["SET", "e:del", "v"], Value::Okay).await;
    expect(&mut c, &["PEXPIRE", "e:del", "-10"], int(1)).await;
    expect(&mut c, &["GET", "e:del"], Value::Nil).await;

    tracing::info!("phase: keys expire (GET at once, DBSIZE once the leader removed them)");
    expect(&mut c, &["FLUSHALL"], Value::Okay).await;
    expect(&mut c, &["SET", "x:short", "v", "PX", "200"], Value::Okay).await;
    expect(&mut c, &["SET", "x:short2", "v"], Value::Okay).await;
    expect(&mut c, &["PEXPIRE", "x:short2", "200"], int(1)).await;
    expect(&mut c, &["SET", "x:long", "v"], Value::Okay).await;
    expect(&mut c, &["DBSIZE"], int(3)).await;
    let set_at = Instant::now();
    tokio::time::sleep(Duration::from_millis(400).saturating_sub(set_at.elapsed())).await;
    expect(&mut c, &["GET", "x:short"], Value::Nil).await;
    expect(&mut c, &["GET", "x:short2"], Value::Nil).await;
    expect(&mut c, &["TTL", "x:short"], int(-2)).await;
    expect(&mut c, &["EXISTS", "x:short", "x:short2", "x:long"], int(1)).await;
    let mut c2 = c.clone();
    poll_until(
        "DBSIZE to drop to 1 after expiry",
        Duration::from_secs(2),
        || {
            let mut c2 = c2.clone();
            async move {
                let n: i64 = redis::cmd("DBSIZE").query_async(&mut c2).await?;
                Ok((n == 1).then_some(()))
            }
        },
    )
    .await
    .expect("expired keys removed");
    expect(&mut c2, &["DBSIZE"], int(1)).await;

    tracing::info!("phase: TYPE of an expired key, DBSIZE");
    expect(&mut c, &["TYPE", "x:short"], status("none")).await;
    expect(
        &mut c,
        &["MSET", "z:1", "a", "z:2", "b", "z:3", "c"],
        Value::Okay,
    )
    .await;
    expect(&mut c, &["DBSIZE"], int(4)).await;
    raw_expect(&gw, &resp_cmd(&[b"DBSIZE"]), b":4\r\n").await;
    raw_expect(
        &gw,
        &resp_cmd(&[b"DBSIZE", b"x"]),
        b"-ERR wrong number of arguments for 'dbsize' command\r\n",
    )
    .await;

    tracing::info!("phase: SELECT isolates databases; FLUSHDB and FLUSHALL");
    {
        let mut r = RawConn::connect(&gw).await;
        r.expect(&resp_cmd(&[b"SELECT", b"1"]), b"+OK\r\n").await;
        r.expect(&resp_cmd(&[b"GET", b"z:1"]), b"$-1\r\n").await;
        r.expect(&resp_cmd(&[b"DBSIZE"]), b":0\r\n").await;
        r.expect(&resp_cmd(&[b"SET", b"z:1", b"db1"]), b"+OK\r\n")
            .await;
        r.expect(&resp_cmd(&[b"SET", b"only1", b"x"]), b"+OK\r\n")
            .await;
        r.expect(&resp_cmd(&[b"GET", b"z:1"]), b"$3\r\ndb1\r\n")
            .await;
        r.expect(&resp_cmd(&[b"SELECT", b"15"]), b"+OK\r\n").await;
        r.expect(&resp_cmd(&[b"SET", b"in15", b"x"]), b"+OK\r\n")
            .await;
        r.expect(
            &resp_cmd(&[b"SELECT", b"16"]),
            b"-ERR DB index is out of range\r\n",
        )
        .await;
        r.expect(
            &resp_cmd(&[b"SELECT", b"-1"]),
            b"-ERR DB index is out of range\r\n",
        )
        .await;
        r.expect(
            &resp_cmd(&[b"SELECT", b"abc"]),
            b"-ERR value is not an integer or out of range\r\n",
        )
        .await;
        // A failed SELECT leaves the selected database alone.
        r.expect(&resp_cmd(&[b"GET", b"in15"]), b"$1\r\nx\r\n")
            .await;
        r.expect(&resp_cmd(&[b"SELECT", b"1"]), b"+OK\r\n").await;
        r.expect(&resp_cmd(&[b"FLUSHDB"]), b"+OK\r\n").await;
        r.expect(&resp_cmd(&[b"DBSIZE"]), b":0\r\n").await;
        r.expect(&resp_cmd(&[b"SELECT", b"15"]), b"+OK\r\n").await;
        r.expect(&resp_cmd(&[b"DBSIZE"]), b":1\r\n").await;
    }
    // Database 0 was untouched by SELECT 1 and FLUSHDB there.
    expect(&mut c, &["GET", "z:1"], bulk("a")).await;
    expect(&mut c, &["EXISTS", "only1"], int(0)).await;
    expect(&mut c, &["DBSIZE"], int(4)).await;
    expect(&mut c, &["FLUSHDB"], Value::Okay).await;
    expect(&mut c, &["DBSIZE"], int(0)).await;
    expect(&mut c, &["SET", "f:a", "1"], Value::Okay).await;
    expect(&mut c, &["FLUSHDB", "ASYNC"], Value::Okay).await;
    expect(&mut c, &["DBSIZE"], int(0)).await;
    expect(&mut c, &["SET", "f:a", "1"], Value::Okay).await;
    expect(&mut c, &["FLUSHDB", "SYNC"], Value::Okay).await;
    expect(&mut c, &["DBSIZE"], int(0)).await;
    expect_err(&mut c, &["FLUSHDB", "BOGUS"], "ERR syntax error").await;
    expect(&mut c, &["SET", "f:a", "1"], Value::Okay).await;
    {
        let mut r = RawConn::connect(&gw).await;
        r.expect(&resp_cmd(&[b"SELECT", b"15"]), b"+OK\r\n").await;
        r.expect(&resp_cmd(&[b"DBSIZE"]), b":1\r\n").await;
        r.expect(&resp_cmd(&[b"FLUSHALL"]), b"+OK\r\n").await;
        r.expect(&resp_cmd(&[b"DBSIZE"]), b":0\r\n").await;
    }
    expect(&mut c, &["DBSIZE"], int(0)).await;
    expect(&mut c, &["GET", "f:a"], Value::Nil).await;

    tracing::info!("phase: unknown commands and wrong arity");
    raw_expect(
        &gw,
        &resp_cmd(&[b"foo", b"a", b"b"]),
        b"-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n",
    )
    .await;
    raw_expect(
        &gw,
        &resp_cmd(&[b"foo"]),
        b"-ERR unknown command 'foo', with args beginning with: \r\n",
    )
    .await;
    raw_expect(
        &gw,
        &resp_cmd(&[b"FooBar", b"x"]),
        b"-ERR unknown command 'FooBar', with args beginning with: 'x' \r\n",
    )
    .await;
    raw_expect(
        &gw,
        &resp_cmd(&[b"GET"]),
        b"-ERR wrong number of arguments for 'get' command\r\n",
    )
    .await;
    raw_expect(
        &gw,
        &resp_cmd(&[b"get", b"a", b"b"]),
        b"-ERR wrong number of arguments for 'get' command\r\n",
    )
    .await;
    raw_expect(
        &gw,
        &resp_cmd(&[b"TTL"]),
        b"-ERR wrong number of arguments for 'ttl' command\r\n",
    )
    .await;
    raw_expect(
        &gw,
        &resp_cmd(&[b"INCR", b"a", b"b"]),
        b"-ERR wrong number of arguments for 'incr' command\r\n",
    )
    .await;
    raw_expect(
        &gw,
        &resp_cmd(&[b"SELECT"]),
        b"-ERR wrong number of arguments for 'select' command\r\n",
    )
    .await;
    expect_err(
        &mut c,
        &["foo", "a", "b"],
        "ERR unknown command 'foo', with args beginning with: 'a' 'b' ",
    )
    .await;
    expect_err(
        &mut c,
        &["GET"],
        "ERR wrong number of arguments for 'get' command",
    )
    .await;
    // The connection is still usable after errors.
    expect(&mut c, &["PING"], status("PONG")).await;

    tracing::info!("phase: INFO");
    expect(&mut c, &["SET", "i:a", "1"], Value::Okay).await;
    expect(&mut c, &["SET", "i:b", "1", "EX", "1000"], Value::Okay).await;
    // INFO is compared with the leader's Admin status; retry if a leader change (an election on a
    // loaded machine) happened in between.
    let mut attempt = 0;
    let (info, leader, leader_st) = loop {
        attempt += 1;
        let leader = cluster.wait_for_leader().await.expect("leader");
        let leader_st = cluster.node_status(leader).await.expect("leader status");
        let info = match ok(&mut c, &["INFO"]).await {
            Value::BulkString(b) => String::from_utf8(b).expect("INFO is UTF-8"),
            other => panic!("INFO returned {other:?}"),
        };
        let after = cluster.node_status(leader).await.expect("leader status");
        if (after.role == "leader" && after.term == leader_st.term) || attempt == 5 {
            break (info, leader, leader_st);
        }
    };
    tracing::info!("INFO:\n{info}");
    check_info(&info, &cluster, leader, &leader_st, &gw);
    let server_only = match ok(&mut c, &["INFO", "server"]).await {
        Value::BulkString(b) => String::from_utf8(b).expect("UTF-8"),
        other => panic!("INFO server returned {other:?}"),
    };
    assert!(server_only.starts_with("# Server\r\n"), "{server_only:?}");
    assert!(!server_only.contains("# Keyspace"), "{server_only:?}");
    assert!(!server_only.contains("# Replication"), "{server_only:?}");
    let keyspace = match ok(&mut c, &["INFO", "keyspace"]).await {
        Value::BulkString(b) => String::from_utf8(b).expect("UTF-8"),
        other => panic!("INFO keyspace returned {other:?}"),
    };
    assert_eq!(keyspace, "# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=0\r\n");

    tracing::info!("phase: QUIT");
    {
        let mut r = RawConn::connect(&gw).await;
        r.send(&resp_cmd(&[b"QUIT"])).await;
        let got = r.read_reply(5).await;
        assert_eq!(got, b"+OK\r\n");
        assert!(r.wait_closed().await, "connection not closed after QUIT");
    }
    {
        // Commands pipelined after QUIT are not executed.
        let mut r = RawConn::connect(&gw).await;
        r.send(b"SET q:before 1\r\nQUIT\r\nSET q:after 1\r\n").await;
        let got = r.read_reply(10).await;
        assert_eq!(tinyredis_tests::escape(&got), "+OK\\r\\n+OK\\r\\n");
        assert!(r.wait_closed().await, "connection not closed after QUIT");
    }
    expect(&mut c, &["EXISTS", "q:before", "q:after"], int(1)).await;
    // QUIT through the redis crate: +OK.
    let mut quitter = cluster.redis_async().await.expect("connect");
    expect(&mut quitter, &["QUIT"], Value::Okay).await;
    assert!(
        q(&mut quitter, &["PING"]).await.is_err(),
        "PING after QUIT should fail"
    );
}

/// Checks the INFO text against Redis's field names and the cluster's actual state.
fn check_info(
    info: &str,
    cluster: &TestCluster,
    leader: u64,
    leader_st: &pb::NodeStatus,
    gw: &str,
) {
    let headers: Vec<&str> = info.split("\r\n").filter(|l| l.starts_with('#')).collect();
    // These sections, in this order (other sections may come between them).
    let mut wanted = ["# Server", "# Clients", "# Replication", "# Keyspace"]
        .into_iter()
        .peekable();
    for h in &headers {
        if wanted.peek() == Some(h) {
            wanted.next();
        }
    }
    assert!(
        wanted.peek().is_none(),
        "INFO sections {headers:?} lack {:?} (in order)",
        wanted.collect::<Vec<_>>()
    );
    assert!(info.ends_with("\r\n"), "INFO ends with CRLF");
    assert!(
        !info.contains("\n\n") && info.split('\n').all(|l| l.is_empty() || l.ends_with('\r')),
        "INFO lines end with CRLF"
    );
    let fields: HashMap<&str, &str> = info
        .split("\r\n")
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            l.split_once(':')
                .unwrap_or_else(|| panic!("INFO line without ':': {l:?}"))
        })
        .collect();
    let field = |k: &str| {
        *fields
            .get(k)
            .unwrap_or_else(|| panic!("INFO has no {k} field:\n{info}"))
    };
    let num = |k: &str| {
        field(k)
            .parse::<u64>()
            .unwrap_or_else(|_| panic!("INFO {k} is not a number: {:?}", field(k)))
    };

    // Server
    assert!(!field("redis_version").is_empty());
    assert!(!field("tinyredis_version").is_empty());
    assert_eq!(
        Some(num("process_id") as u32),
        cluster.gateway_pid(),
        "process_id is the gateway's pid"
    );
    let port: u64 = gw.rsplit_once(':').expect("port").1.parse().expect("port");
    assert_eq!(num("tcp_port"), port);
    assert!(num("uptime_in_seconds") < 3600);
    // Clients
    assert!(num("connected_clients") >= 1);
    // Replication
    assert_eq!(field("role"), "master");
    assert_eq!(num("leader_id"), leader);
    assert_eq!(field("leader_addr"), cluster.node_addr(leader));
    assert!(
        num("raft_term") >= leader_st.term && leader_st.term > 0,
        "raft_term"
    );
    assert_eq!(num("known_peers"), 3);
    let mut seen = Vec::new();
    for i in 0..3 {
        let peer = field(&format!("peer{i}"));
        let parts: HashMap<&str, &str> = peer
            .split(',')
            .map(|p| {
                p.split_once('=')
                    .unwrap_or_else(|| panic!("bad peer field {peer:?}"))
            })
            .collect();
        let id: u64 = parts["id"].parse().expect("peer id");
        assert_eq!(parts["addr"], cluster.node_addr(id), "peer{i} addr");
        let role = if id == leader { "leader" } else { "follower" };
        assert_eq!(parts["role"], role, "peer{i} role");
        assert_eq!(parts["suffrage"], "voter", "peer{i} suffrage");
        seen.push(id);
    }
    seen.sort_unstable();
    assert_eq!(seen, [1, 2, 3], "peers");
    // Keyspace
    assert_eq!(field("db0"), "keys=2,expires=1,avg_ttl=0");
}
