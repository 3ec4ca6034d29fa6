//! The RESP2 wire protocol as the gateway speaks it, checked byte for byte over raw sockets:
//! inline commands, pipelining, empty requests, protocol errors and binary-safe values.

use std::time::Duration;

use tinyredis_tests::{RawConn, TestCluster, escape, raw, raw_expect, resp_cmd};

/// Builds the expected reply of a bulk string.
fn bulk_reply(v: &[u8]) -> Vec<u8> {
    let mut out = format!("${}\r\n", v.len()).into_bytes();
    out.extend_from_slice(v);
    out.extend_from_slice(b"\r\n");
    out
}

/// Sends `request` on a new connection and asserts the reply is `expected` and the gateway then
/// closes the connection.
async fn expect_protocol_error(addr: &str, request: &[u8], expected: &[u8]) {
    let mut r = RawConn::connect(addr).await;
    r.send(request).await;
    let got = r.read_reply(expected.len()).await;
    assert_eq!(
        escape(&got),
        escape(expected),
        "reply to {}",
        escape(request)
    );
    assert!(
        r.wait_closed().await,
        "connection not closed after {}",
        escape(request)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resp_protocol() {
    // The parser lives in the gateway; one storage node behind it is enough.
    let cluster = TestCluster::start(1).await.expect("cluster start");
    let gw = cluster.gateway_addr();

    tracing::info!("phase: inline commands");
    raw_expect(&gw, b"PING\r\n", b"+PONG\r\n").await;
    raw_expect(&gw, b"ping\n", b"+PONG\r\n").await;
    raw_expect(&gw, b"SET a b\r\n", b"+OK\r\n").await;
    raw_expect(&gw, b"GET a\r\n", b"$1\r\nb\r\n").await;
    raw_expect(&gw, b"  GET   a  \r\n", b"$1\r\nb\r\n").await;
    raw_expect(
        &gw,
        b"SET \"key with spaces\" \"hello world\"\r\n",
        b"+OK\r\n",
    )
    .await;
    raw_expect(&gw, b"GET 'key with spaces'\r\n", b"$11\r\nhello world\r\n").await;
    raw_expect(&gw, b"ECHO \"a\\x41\\tb\\n\"\r\n", b"$5\r\naA\tb\n\r\n").await;
    raw_expect(&gw, b"ECHO 'it\\'s'\r\n", b"$4\r\nit's\r\n").await;
    raw_expect(&gw, b"ECHO \"\"\r\n", b"$0\r\n\r\n").await;
    raw_expect(&gw, b"PING \"two words\"\r\n", b"$9\r\ntwo words\r\n").await;
    raw_expect(
        &gw,
        b"NOPE x\r\n",
        b"-ERR unknown command 'NOPE', with args beginning with: 'x' \r\n",
    )
    .await;
    expect_protocol_error(
        &gw,
        b"ECHO \"unterminated\r\n",
        b"-ERR Protocol error: unbalanced quotes in request\r\n",
    )
    .await;

    tracing::info!("phase: blank lines and empty multibulks are ignored");
    raw_expect(&gw, b"\r\nPING\r\n", b"+PONG\r\n").await;
    raw_expect(&gw, b"\r\n\r\n   \r\nPING\r\n", b"+PONG\r\n").await;
    raw_expect(&gw, b"*0\r\nPING\r\n", b"+PONG\r\n").await;
    raw_expect(&gw, b"*-1\r\nPING\r\n", b"+PONG\r\n").await;

    tracing::info!("phase: pipelining");
    {
        let mut req = Vec::new();
        let mut expected = Vec::new();
        for i in 0..100 {
            let k = format!("p:{i}");
            let v = format!("value-{i}");
            req.extend(resp_cmd(&[b"SET", k.as_bytes(), v.as_bytes()]));
            expected.extend_from_slice(b"+OK\r\n");
            // Reads right after writes in the same pipeline see them.
            req.extend(resp_cmd(&[b"GET", k.as_bytes()]));
            expected.extend(bulk_reply(v.as_bytes()));
            req.extend(resp_cmd(&[b"INCR", b"p:counter"]));
            expected.extend(format!(":{}\r\n", i + 1).into_bytes());
        }
        req.extend_from_slice(b"PING\r\n");
        expected.extend_from_slice(b"+PONG\r\n");
        req.extend(resp_cmd(&[b"DEL", b"p:0", b"p:1"]));
        expected.extend_from_slice(b":2\r\n");
        req.extend(resp_cmd(&[b"GET", b"p:0"]));
        expected.extend_from_slice(b"$-1\r\n");
        req.extend(resp_cmd(&[b"EXISTS", b"p:1", b"p:2"]));
        expected.extend_from_slice(b":1\r\n");
        req.extend(resp_cmd(&[b"GET", b"p:counter"]));
        expected.extend_from_slice(b"$3\r\n100\r\n");
        let got = raw(&gw, &req, expected.len()).await;
        assert_eq!(escape(&got), escape(&expected), "pipelined replies");
    }
    {
        // A pipeline mixing errors, gateway-local commands and database switches keeps its order.
        let mut r = RawConn::connect(&gw).await;
        let mut req = Vec::new();
        req.extend(resp_cmd(&[b"SET", b"pp", b"db0"]));
        req.extend(resp_cmd(&[b"SELECT", b"3"]));
        req.extend(resp_cmd(&[b"GET", b"pp"]));
        req.extend(resp_cmd(&[b"SET", b"pp", b"db3"]));
        req.extend(resp_cmd(&[b"INCR", b"pp"]));
        req.extend(resp_cmd(&[b"SELECT", b"0"]));
        req.extend(resp_cmd(&[b"GET", b"pp"]));
        req.extend(resp_cmd(&[b"ECHO", b"e"]));
        req.extend(resp_cmd(&[b"GET"]));
        req.extend(resp_cmd(&[b"SELECT", b"3"]));
        req.extend(resp_cmd(&[b"GET", b"pp"]));
        r.expect(
            &req,
            b"+OK\r\n+OK\r\n$-1\r\n+OK\r\n-ERR value is not an integer or out of range\r\n+OK\r\n\
              $3\r\ndb0\r\n$1\r\ne\r\n-ERR wrong number of arguments for 'get' command\r\n+OK\r\n$3\r\ndb3\r\n",
        )
        .await;
    }

    tracing::info!("phase: a request split across many writes");
    {
        let mut r = RawConn::connect(&gw).await;
        let req = resp_cmd(&[b"SET", b"split", b"0123456789"]);
        for chunk in req.chunks(3) {
            r.send(chunk).await;
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(r.read_reply(5).await, b"+OK\r\n");
        let req = b"GET sp";
        r.send(req).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
        r.send(b"lit\r").await;
        tokio::time::sleep(Duration::from_millis(20)).await;
        r.send(b"\n").await;
        assert_eq!(
            escape(&r.read_reply(16).await),
            escape(b"$10\r\n0123456789\r\n")
        );
    }

    tracing::info!("phase: binary-safe keys and values");
    {
        let key: &[u8] = b"bin\0key\r\n";
        let value: Vec<u8> = b"\r\n\0\xff\xfe$3\r\n*1\r\nmid\0dle\r\n".to_vec();
        let mut r = RawConn::connect(&gw).await;
        r.expect(&resp_cmd(&[b"SET", key, &value]), b"+OK\r\n")
            .await;
        r.expect(&resp_cmd(&[b"GET", key]), &bulk_reply(&value))
            .await;
        r.expect(&resp_cmd(&[b"EXISTS", b"bin\0key"]), b":0\r\n")
            .await;
        r.expect(&resp_cmd(&[b"ECHO", &value]), &bulk_reply(&value))
            .await;
        let mut all: Vec<u8> = (0..=255u8).collect();
        all.extend((0..=255u8).rev());
        r.expect(&resp_cmd(&[b"SET", b"allbytes", &all]), b"+OK\r\n")
            .await;
        r.expect(&resp_cmd(&[b"GET", b"allbytes"]), &bulk_reply(&all))
            .await;
        // The redis crate sees the same bytes.
        let mut c = cluster.redis_async().await.expect("connect");
        let got: Vec<u8> = redis::cmd("GET")
            .arg(key)
            .query_async(&mut c)
            .await
            .expect("GET");
        assert_eq!(got, value);
        // A 1 MB value.
        let big: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
        r.expect(&resp_cmd(&[b"SET", b"big", &big]), b"+OK\r\n")
            .await;
        r.expect(&resp_cmd(&[b"GET", b"big"]), &bulk_reply(&big))
            .await;
    }

    tracing::info!("phase: protocol errors close the connection");
    expect_protocol_error(
        &gw,
        b"*1\r\n$-5\r\n",
        b"-ERR Protocol error: invalid bulk length\r\n",
    )
    .await;
    expect_protocol_error(
        &gw,
        b"*2000000\r\n",
        b"-ERR Protocol error: invalid multibulk length\r\n",
    )
    .await;
    expect_protocol_error(
        &gw,
        b"*abc\r\n",
        b"-ERR Protocol error: invalid multibulk length\r\n",
    )
    .await;
    expect_protocol_error(
        &gw,
        b"*1\r\n$abc\r\n",
        b"-ERR Protocol error: invalid bulk length\r\n",
    )
    .await;
    expect_protocol_error(
        &gw,
        b"*1\r\nfoo\r\n",
        b"-ERR Protocol error: expected '$', got 'f'\r\n",
    )
    .await;
    expect_protocol_error(
        &gw,
        b"*2\r\n$3\r\nSET\r\n$600000000\r\n",
        b"-ERR Protocol error: invalid bulk length\r\n",
    )
    .await;
    // Requests before the bad one in the same read are answered first.
    expect_protocol_error(
        &gw,
        b"PING\r\nSET before-error 1\r\n*1\r\n$-5\r\n",
        b"+PONG\r\n+OK\r\n-ERR Protocol error: invalid bulk length\r\n",
    )
    .await;
    // The gateway still serves other connections, and the earlier write was applied.
    raw_expect(&gw, b"GET before-error\r\n", b"$1\r\n1\r\n").await;
    raw_expect(&gw, &resp_cmd(&[b"PING"]), b"+PONG\r\n").await;
    let mut c = cluster.redis_async().await.expect("connect");
    let v: String = redis::cmd("GET")
        .arg("a")
        .query_async(&mut c)
        .await
        .expect("GET");
    assert_eq!(v, "b");
}
