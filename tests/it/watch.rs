//! WATCH/UNWATCH with MULTI/EXEC over real sockets, through a gateway in front of three nodes:
//! a change by another client (write, expiry, FLUSHALL, SWAPDB) aborts EXEC with a null reply
//! and runs none of its commands; the watch ends with EXEC, DISCARD, UNWATCH and RESET.

use tinyredis_tests::{RawConn, TestCluster, resp_cmd};

async fn cmd(con: &mut RawConn, args: &[&str], expected: &[u8]) {
    let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    con.expect(&resp_cmd(&args), expected).await;
}

/// `MULTI`, the queued commands (each answered QUEUED), then `EXEC` with the expected reply.
async fn transaction(con: &mut RawConn, queued: &[&[&str]], exec: &[u8]) {
    cmd(con, &["MULTI"], b"+OK\r\n").await;
    for args in queued {
        cmd(con, args, b"+QUEUED\r\n").await;
    }
    cmd(con, &["EXEC"], exec).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_aborts_exec_when_a_watched_key_changes() {
    let cluster = TestCluster::start(3).await.expect("cluster");
    let addr = cluster.gateway_addr();
    let mut a = RawConn::connect(&addr).await;
    let mut b = RawConn::connect(&addr).await;

    tracing::info!("phase: a write by another client aborts; nothing queued runs");
    cmd(&mut a, &["SET", "x", "30"], b"+OK\r\n").await;
    cmd(&mut a, &["WATCH", "x", "other"], b"+OK\r\n").await;
    cmd(&mut b, &["SET", "x", "40"], b"+OK\r\n").await;
    transaction(&mut a, &[&["SET", "x", "50"], &["INCR", "n"]], b"*-1\r\n").await;
    cmd(&mut a, &["GET", "x"], b"$2\r\n40\r\n").await;
    cmd(&mut a, &["EXISTS", "n"], b":0\r\n").await;

    tracing::info!("phase: after EXEC the keys are no longer watched");
    cmd(&mut b, &["SET", "x", "41"], b"+OK\r\n").await;
    transaction(&mut a, &[&["PING"]], b"*1\r\n+PONG\r\n").await;

    tracing::info!("phase: unchanged keys let EXEC run, reads and writes alike");
    cmd(&mut a, &["WATCH", "x"], b"+OK\r\n").await;
    cmd(&mut b, &["GET", "x"], b"$2\r\n41\r\n").await;
    transaction(
        &mut a,
        &[&["GET", "x"], &["SET", "y", "1"]],
        b"*2\r\n$2\r\n41\r\n+OK\r\n",
    )
    .await;
    cmd(&mut a, &["WATCH", "x"], b"+OK\r\n").await;
    transaction(&mut a, &[&["GET", "x"]], b"*1\r\n$2\r\n41\r\n").await;
    cmd(&mut a, &["WATCH", "x"], b"+OK\r\n").await;
    transaction(&mut a, &[], b"*0\r\n").await;

    tracing::info!("phase: WATCH inside MULTI is refused without aborting the transaction");
    cmd(&mut a, &["MULTI"], b"+OK\r\n").await;
    cmd(
        &mut a,
        &["WATCH", "x"],
        b"-ERR WATCH inside MULTI is not allowed\r\n",
    )
    .await;
    cmd(&mut a, &["PING"], b"+QUEUED\r\n").await;
    cmd(&mut a, &["EXEC"], b"*1\r\n+PONG\r\n").await;

    tracing::info!("phase: UNWATCH, DISCARD and RESET forget the watched keys");
    cmd(&mut a, &["WATCH", "x"], b"+OK\r\n").await;
    cmd(&mut a, &["UNWATCH"], b"+OK\r\n").await;
    cmd(&mut b, &["SET", "x", "42"], b"+OK\r\n").await;
    transaction(&mut a, &[&["PING"]], b"*1\r\n+PONG\r\n").await;
    cmd(&mut a, &["WATCH", "x"], b"+OK\r\n").await;
    cmd(&mut a, &["MULTI"], b"+OK\r\n").await;
    cmd(&mut a, &["DISCARD"], b"+OK\r\n").await;
    cmd(&mut b, &["SET", "x", "43"], b"+OK\r\n").await;
    transaction(&mut a, &[&["PING"]], b"*1\r\n+PONG\r\n").await;
    cmd(&mut a, &["WATCH", "x"], b"+OK\r\n").await;
    cmd(&mut a, &["RESET"], b"+RESET\r\n").await;
    cmd(&mut b, &["SET", "x", "44"], b"+OK\r\n").await;
    transaction(&mut a, &[&["PING"]], b"*1\r\n+PONG\r\n").await;

    tracing::info!("phase: an EXPIRE, an expiry, FLUSHALL and SWAPDB touch watched keys");
    cmd(&mut a, &["WATCH", "x"], b"+OK\r\n").await;
    cmd(&mut b, &["EXPIRE", "x", "100"], b":1\r\n").await;
    transaction(&mut a, &[&["PING"]], b"*-1\r\n").await;
    cmd(&mut a, &["SET", "x", "1", "PX", "300"], b"+OK\r\n").await;
    cmd(&mut a, &["WATCH", "x"], b"+OK\r\n").await;
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    transaction(&mut a, &[&["PING"]], b"*-1\r\n").await;
    cmd(&mut a, &["SET", "x", "1"], b"+OK\r\n").await;
    cmd(&mut a, &["WATCH", "x"], b"+OK\r\n").await;
    cmd(&mut b, &["FLUSHALL"], b"+OK\r\n").await;
    transaction(&mut a, &[&["PING"]], b"*-1\r\n").await;
    // A key missing before and after FLUSHALL was not touched.
    cmd(&mut a, &["WATCH", "x"], b"+OK\r\n").await;
    cmd(&mut b, &["FLUSHALL"], b"+OK\r\n").await;
    transaction(&mut a, &[&["PING"]], b"*1\r\n+PONG\r\n").await;
    cmd(&mut b, &["SELECT", "1"], b"+OK\r\n").await;
    cmd(&mut b, &["SET", "x", "in-db-1"], b"+OK\r\n").await;
    cmd(&mut a, &["WATCH", "x"], b"+OK\r\n").await;
    cmd(&mut b, &["SWAPDB", "0", "1"], b"+OK\r\n").await;
    transaction(&mut a, &[&["PING"]], b"*-1\r\n").await;

    tracing::info!("phase: a key is watched in the database it was watched in");
    cmd(&mut a, &["WATCH", "x"], b"+OK\r\n").await;
    cmd(&mut a, &["SELECT", "1"], b"+OK\r\n").await;
    cmd(&mut b, &["SET", "x", "db-1-change"], b"+OK\r\n").await;
    transaction(&mut a, &[&["PING"]], b"*1\r\n+PONG\r\n").await;
    cmd(&mut a, &["WATCH", "x"], b"+OK\r\n").await;
    cmd(&mut b, &["SET", "x", "db-1-change-again"], b"+OK\r\n").await;
    transaction(&mut a, &[&["PING"]], b"*-1\r\n").await;

    tracing::info!("phase: RESP3 replies `_` for an aborted EXEC");
    cmd(&mut a, &["SELECT", "0"], b"+OK\r\n").await;
    let mut c = RawConn::connect(&addr).await;
    c.send(&resp_cmd(&[b"HELLO", b"3"])).await;
    let _ = c.read_reply(1).await;
    cmd(&mut c, &["WATCH", "x"], b"+OK\r\n").await;
    cmd(&mut b, &["SELECT", "0"], b"+OK\r\n").await;
    cmd(&mut b, &["SET", "x", "resp3"], b"+OK\r\n").await;
    transaction(&mut c, &[&["PING"]], b"_\r\n").await;
}
