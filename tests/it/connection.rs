//! Connection-level commands answered by the gateway: HELLO and RESP3, CLIENT, COMMAND, RESET,
//! TIME, checked byte for byte over raw sockets and with the redis crate.

use tinyredis_tests::{RawConn, TestCluster, resp_cmd};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hello_resp3_client_command() {
    let cluster = TestCluster::start(1).await.expect("cluster start");
    let gw = cluster.gateway_addr();

    tracing::info!("phase: HELLO switches to RESP3 and describes the server");
    let mut c = RawConn::connect(&gw).await;
    let mut hello = resp_cmd(&[b"HELLO", b"3", b"SETNAME", b"app1"]);
    let client_id = {
        c.send(&hello).await;
        let reply = c.read_reply(120).await;
        let text = String::from_utf8_lossy(&reply).to_string();
        assert!(text.starts_with("%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:"), "{text:?}");
        assert!(text.ends_with("$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n"), "{text:?}");
        let id_start = text.find("id\r\n:").unwrap() + 5;
        text[id_start..]
            .split("\r\n")
            .next()
            .unwrap()
            .parse::<i64>()
            .unwrap()
    };
    tracing::info!("phase: RESP3 replies: null, map via HELLO, verbatim INFO");
    c.expect(&resp_cmd(&[b"GET", b"nosuch"]), b"_\r\n").await;
    c.expect(&resp_cmd(&[b"CLIENT", b"GETNAME"]), b"$4\r\napp1\r\n")
        .await;
    c.expect(
        &resp_cmd(&[b"CLIENT", b"ID"]),
        format!(":{client_id}\r\n").as_bytes(),
    )
    .await;
    c.send(&resp_cmd(&[b"INFO", b"server"])).await;
    let info = c.read_reply(20).await;
    assert!(
        info.starts_with(b"="),
        "INFO in RESP3 is a verbatim string: {:?}",
        String::from_utf8_lossy(&info)
    );

    tracing::info!("phase: unsupported protocol versions and bad options");
    c.expect(
        &resp_cmd(&[b"HELLO", b"4"]),
        b"-NOPROTO unsupported protocol version\r\n",
    )
    .await;
    c.expect(
        &resp_cmd(&[b"HELLO", b"x"]),
        b"-ERR Protocol version is not an integer or out of range\r\n",
    )
    .await;
    c.expect(
        &resp_cmd(&[b"HELLO", b"3", b"FOO"]),
        b"-ERR Syntax error in HELLO option 'FOO'\r\n",
    )
    .await;
    c.expect(
        &resp_cmd(&[b"HELLO", b"3", b"AUTH", b"bob", b"pw"]),
        b"-WRONGPASS invalid username-password pair or user is disabled.\r\n",
    )
    .await;

    tracing::info!("phase: HELLO 2 goes back to RESP2 and answers a flat array");
    hello = resp_cmd(&[b"HELLO", b"2"]);
    c.send(&hello).await;
    let reply = c.read_reply(20).await;
    assert!(
        reply.starts_with(b"*14\r\n"),
        "{:?}",
        String::from_utf8_lossy(&reply)
    );
    c.expect(&resp_cmd(&[b"GET", b"nosuch"]), b"$-1\r\n").await;

    tracing::info!("phase: CLIENT SETNAME, LIST, SETINFO, errors");
    c.expect(
        &resp_cmd(&[b"CLIENT", b"SETNAME", b"bad name"]),
        b"-ERR Client names cannot contain spaces, newlines or special characters.\r\n",
    )
    .await;
    c.expect(
        &resp_cmd(&[b"CLIENT", b"SETINFO", b"LIB-NAME", b"mylib"]),
        b"+OK\r\n",
    )
    .await;
    c.expect(
        &resp_cmd(&[b"CLIENT", b"NOSUCH"]),
        b"-ERR unknown subcommand 'NOSUCH'. Try CLIENT HELP.\r\n",
    )
    .await;
    c.expect(
        &resp_cmd(&[b"CLIENT", b"SETNAME"]),
        b"-ERR wrong number of arguments for 'client|setname' command\r\n",
    )
    .await;
    let mut client = cluster.redis_async().await.expect("redis client");
    let list: String = redis::cmd("CLIENT")
        .arg("LIST")
        .query_async(&mut client)
        .await
        .unwrap();
    assert!(
        list.lines().any(|l| l.contains(&format!("id={client_id} "))
            && l.contains("name=app1")
            && l.contains("lib-name=mylib")),
        "{list}"
    );

    tracing::info!("phase: CLIENT KILL closes another connection");
    let killed: i64 = redis::cmd("CLIENT")
        .arg("KILL")
        .arg("ID")
        .arg(client_id)
        .query_async(&mut client)
        .await
        .unwrap();
    assert_eq!(killed, 1);
    assert!(c.wait_closed().await, "killed connection must be closed");

    tracing::info!("phase: COMMAND from the command table");
    let count: i64 = redis::cmd("COMMAND")
        .arg("COUNT")
        .query_async(&mut client)
        .await
        .unwrap();
    assert!(count >= 30, "{count}");
    let info: redis::Value = redis::cmd("COMMAND")
        .arg("INFO")
        .arg("get")
        .arg("nosuch")
        .query_async(&mut client)
        .await
        .unwrap();
    let redis::Value::Array(items) = info else {
        panic!("{info:?}")
    };
    assert_eq!(items.len(), 2);
    assert_eq!(items[1], redis::Value::Nil);
    let redis::Value::Array(get) = &items[0] else {
        panic!("{:?}", items[0])
    };
    assert_eq!(get[0], redis::Value::BulkString(b"get".to_vec()));
    assert_eq!(get[1], redis::Value::Int(2));
    assert_eq!(get[3], redis::Value::Int(1));
    let keys: Vec<String> = redis::cmd("COMMAND")
        .arg("GETKEYS")
        .arg("MSET")
        .arg("a")
        .arg("1")
        .arg("b")
        .arg("2")
        .query_async(&mut client)
        .await
        .unwrap();
    assert_eq!(keys, vec!["a", "b"]);

    tracing::info!("phase: RESET and TIME");
    let mut r = RawConn::connect(&gw).await;
    r.expect(&resp_cmd(&[b"SELECT", b"3"]), b"+OK\r\n").await;
    r.expect(&resp_cmd(&[b"RESET"]), b"+RESET\r\n").await;
    r.send(&resp_cmd(&[b"CLIENT", b"INFO"])).await;
    let info = String::from_utf8_lossy(&r.read_reply(100).await).to_string();
    assert!(
        info.contains(" db=0 ") && info.contains(" resp=2"),
        "{info}"
    );
    let time: Vec<String> = redis::cmd("TIME").query_async(&mut client).await.unwrap();
    assert_eq!(time.len(), 2);
    assert!(time[0].parse::<u64>().unwrap() > 1_700_000_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multi_exec_discard() {
    let cluster = TestCluster::start(3).await.expect("cluster start");
    let gw = cluster.gateway_addr();
    let mut c = RawConn::connect(&gw).await;

    tracing::info!("phase: a transaction with writes, reads, SELECT and a local command");
    c.expect(&resp_cmd(&[b"MULTI"]), b"+OK\r\n").await;
    for cmd in [
        &[b"SET".as_slice(), b"a", b"1"][..],
        &[b"INCR", b"a"],
        &[b"GET", b"a"],
        &[b"SELECT", b"2"],
        &[b"SET", b"b", b"x"],
        &[b"PING"],
    ] {
        c.expect(&resp_cmd(cmd), b"+QUEUED\r\n").await;
    }
    c.expect(
        &resp_cmd(&[b"EXEC"]),
        b"*6\r\n+OK\r\n:2\r\n$1\r\n2\r\n+OK\r\n+OK\r\n+PONG\r\n",
    )
    .await;
    // SELECT inside the transaction applies to the connection afterwards.
    c.expect(&resp_cmd(&[b"GET", b"b"]), b"$1\r\nx\r\n").await;
    c.expect(&resp_cmd(&[b"SELECT", b"0"]), b"+OK\r\n").await;
    c.expect(&resp_cmd(&[b"GET", b"b"]), b"$-1\r\n").await;

    tracing::info!("phase: queueing errors abort the transaction");
    c.expect(&resp_cmd(&[b"MULTI"]), b"+OK\r\n").await;
    c.expect(&resp_cmd(&[b"SET", b"a", b"100"]), b"+QUEUED\r\n")
        .await;
    c.expect(
        &resp_cmd(&[b"NOSUCH", b"x"]),
        b"-ERR unknown command 'NOSUCH', with args beginning with: 'x' \r\n",
    )
    .await;
    c.expect(
        &resp_cmd(&[b"EXEC"]),
        b"-EXECABORT Transaction discarded because of previous errors.\r\n",
    )
    .await;
    c.expect(&resp_cmd(&[b"MULTI"]), b"+OK\r\n").await;
    c.expect(
        &resp_cmd(&[b"GET"]),
        b"-ERR wrong number of arguments for 'get' command\r\n",
    )
    .await;
    c.expect(
        &resp_cmd(&[b"EXEC"]),
        b"-EXECABORT Transaction discarded because of previous errors.\r\n",
    )
    .await;
    c.expect(&resp_cmd(&[b"GET", b"a"]), b"$1\r\n2\r\n").await;

    tracing::info!("phase: runtime errors are elements of the EXEC reply");
    c.expect(&resp_cmd(&[b"MULTI"]), b"+OK\r\n").await;
    c.expect(&resp_cmd(&[b"SET", b"s", b"foo"]), b"+QUEUED\r\n")
        .await;
    c.expect(&resp_cmd(&[b"INCR", b"s"]), b"+QUEUED\r\n").await;
    c.expect(
        &resp_cmd(&[b"EXEC"]),
        b"*2\r\n+OK\r\n-ERR value is not an integer or out of range\r\n",
    )
    .await;

    tracing::info!("phase: MULTI/EXEC/DISCARD misuse");
    c.expect(&resp_cmd(&[b"EXEC"]), b"-ERR EXEC without MULTI\r\n")
        .await;
    c.expect(&resp_cmd(&[b"DISCARD"]), b"-ERR DISCARD without MULTI\r\n")
        .await;
    c.expect(&resp_cmd(&[b"MULTI"]), b"+OK\r\n").await;
    c.expect(
        &resp_cmd(&[b"MULTI"]),
        b"-ERR MULTI calls can not be nested\r\n",
    )
    .await;
    c.expect(&resp_cmd(&[b"SET", b"d", b"1"]), b"+QUEUED\r\n")
        .await;
    c.expect(&resp_cmd(&[b"DISCARD"]), b"+OK\r\n").await;
    c.expect(&resp_cmd(&[b"EXISTS", b"d"]), b":0\r\n").await;
    c.expect(&resp_cmd(&[b"MULTI"]), b"+OK\r\n").await;
    c.expect(&resp_cmd(&[b"GET", b"a"]), b"+QUEUED\r\n").await;
    c.expect(&resp_cmd(&[b"EXISTS", b"a", b"d"]), b"+QUEUED\r\n")
        .await;
    c.expect(&resp_cmd(&[b"EXEC"]), b"*2\r\n$1\r\n2\r\n:1\r\n")
        .await;

    tracing::info!("phase: an atomic pipeline from the redis crate");
    let mut client = cluster.redis_async().await.expect("redis client");
    let (v, n): (String, i64) = redis::pipe()
        .atomic()
        .set("p", "v")
        .ignore()
        .get("p")
        .incr("n", 5)
        .query_async(&mut client)
        .await
        .unwrap();
    assert_eq!((v.as_str(), n), ("v", 5));
}
