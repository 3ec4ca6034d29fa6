//! Lists, hashes, sets, sorted sets and the newer key and string commands, end to end: a real
//! gateway in front of three nodes, each reply compared byte for byte with the one Redis 7.0 sends
//! (the expected replies were recorded from redis-server 7.0.15). The checks cover edge cases
//! (negative and out-of-range indexes, emptied collections deleted, exact error texts, WRONGTYPE),
//! RESP3 reply shapes after `HELLO 3`, SCAN while keys come and go, and random commands (SPOP,
//! SRANDMEMBER, HRANDFIELD, RANDOMKEY inside MULTI) leaving the same data on every replica.
//!
//! [`Wire`] reads exactly one RESP frame per command, with no idle wait, so the hundreds of checks
//! stay fast; the members of unordered replies (SMEMBERS, KEYS, SCAN, ...) are compared as sets.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::RangeInclusive;
use std::time::Duration;

use tinyredis_tests::{TestCluster, escape, resp_cmd};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long a reply may take; longer than the gateway's failover timeout (20 s in test clusters),
/// so a command sent during a leader change gets its reply.
const REPLY_TIMEOUT: Duration = Duration::from_secs(30);

pub(crate) const OK: &str = "+OK\r\n";
const QUEUED: &str = "+QUEUED\r\n";
/// The null bulk string of RESP2.
const NIL: &str = "$-1\r\n";
/// The null array of RESP2.
const NIL_ARRAY: &str = "*-1\r\n";
/// The null of RESP3.
const NULL: &str = "_\r\n";
const EMPTY: &str = "*0\r\n";
const WRONGTYPE: &str = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
const SYNTAX: &str = "-ERR syntax error\r\n";
const NOT_INT: &str = "-ERR value is not an integer or out of range\r\n";

/// An integer reply.
pub(crate) fn int(i: i64) -> String {
    format!(":{i}\r\n")
}

/// A bulk string reply.
pub(crate) fn bulk(s: &str) -> String {
    format!("${}\r\n{s}\r\n", s.len())
}

/// An array of bulk strings.
fn arr(items: &[&str]) -> String {
    let mut out = format!("*{}\r\n", items.len());
    for item in items {
        out.push_str(&bulk(item));
    }
    out
}

/// An error reply with this text (e.g. `ERR no such key`).
pub(crate) fn err(text: &str) -> String {
    format!("-{text}\r\n")
}

/// A parsed reply, for the checks that cannot compare bytes (unordered members, SCAN cursors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Resp {
    /// A one-line reply (`+`, `-`, `:`, `,`, `#`, `(`): its type byte and text.
    Line(u8, String),
    /// A bulk or verbatim string.
    Bulk(Vec<u8>),
    /// `$-1`, `*-1` or `_`.
    Null,
    /// An aggregate (`*`, `~`, `%`, `>`): its type byte and elements (a map's keys and values
    /// alternate).
    Agg(u8, Vec<Resp>),
}

impl Resp {
    /// The text of a bulk string; panics otherwise.
    pub(crate) fn text(&self) -> String {
        match self {
            Resp::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
            other => panic!("expected a bulk string, got {other:?}"),
        }
    }

    /// The elements of an aggregate; panics otherwise.
    pub(crate) fn items(&self) -> &[Resp] {
        match self {
            Resp::Agg(_, items) => items,
            other => panic!("expected an aggregate, got {other:?}"),
        }
    }

    /// The texts of an aggregate of bulk strings.
    pub(crate) fn texts(&self) -> Vec<String> {
        self.items().iter().map(Resp::text).collect()
    }

    /// The integer of an integer reply; panics otherwise.
    pub(crate) fn int(&self) -> i64 {
        match self {
            Resp::Line(b':', n) => n.parse().expect("integer reply"),
            other => panic!("expected an integer, got {other:?}"),
        }
    }
}

/// Parses the frame at the start of `buf`: the reply and its length, or `None` if incomplete.
fn parse(buf: &[u8]) -> Option<(Resp, usize)> {
    let &kind = buf.first()?;
    let eol = buf.windows(2).position(|w| w == b"\r\n")?;
    let head = std::str::from_utf8(&buf[1..eol])
        .unwrap_or_else(|_| panic!("RESP line is not UTF-8: {}", escape(buf)));
    let pos = eol + 2;
    let len = || -> i64 {
        head.parse()
            .unwrap_or_else(|_| panic!("bad RESP length in {}", escape(buf)))
    };
    match kind {
        b'$' | b'=' => {
            let n = len();
            if n < 0 {
                return Some((Resp::Null, pos));
            }
            let end = pos + n as usize;
            if buf.len() < end + 2 {
                return None;
            }
            assert_eq!(&buf[end..end + 2], b"\r\n", "bulk string not ended by CRLF");
            Some((Resp::Bulk(buf[pos..end].to_vec()), end + 2))
        }
        b'*' | b'~' | b'%' | b'>' => {
            let n = len();
            if n < 0 {
                return Some((Resp::Null, pos));
            }
            let count = if kind == b'%' { 2 * n } else { n };
            let mut items = Vec::new();
            let mut at = pos;
            for _ in 0..count {
                let (item, item_len) = parse(&buf[at..])?;
                items.push(item);
                at += item_len;
            }
            Some((Resp::Agg(kind, items), at))
        }
        b'_' => Some((Resp::Null, pos)),
        b'+' | b'-' | b':' | b',' | b'#' | b'(' => Some((Resp::Line(kind, head.to_string()), pos)),
        _ => panic!("not a RESP reply: {}", escape(buf)),
    }
}

/// A RESP connection to the gateway that reads exactly one reply per command.
pub(crate) struct Wire {
    stream: TcpStream,
    /// Bytes received and not yet returned as a reply.
    buf: Vec<u8>,
}

impl Wire {
    /// Connects to `addr` (panics on failure).
    pub(crate) async fn connect(addr: &str) -> Wire {
        let stream = tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(addr))
            .await
            .expect("connect timed out")
            .unwrap_or_else(|e| panic!("connect to {addr}: {e}"));
        stream.set_nodelay(true).expect("TCP_NODELAY");
        Wire {
            stream,
            buf: Vec::new(),
        }
    }

    /// Sends one command and returns the bytes of its reply.
    pub(crate) async fn call<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Vec<u8> {
        let args: Vec<&[u8]> = args.iter().map(AsRef::as_ref).collect();
        self.stream
            .write_all(&resp_cmd(&args))
            .await
            .expect("write to the gateway");
        let deadline = tokio::time::Instant::now() + REPLY_TIMEOUT;
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            if let Some((_, len)) = parse(&self.buf) {
                return self.buf.drain(..len).collect();
            }
            let shown = || escape(&resp_cmd(&args));
            match tokio::time::timeout_at(deadline, self.stream.read(&mut chunk)).await {
                Ok(Ok(0)) => panic!(
                    "the gateway closed the connection before replying to {} (got {})",
                    shown(),
                    escape(&self.buf)
                ),
                Ok(Ok(n)) => self.buf.extend_from_slice(&chunk[..n]),
                Ok(Err(e)) => panic!("reading the reply to {}: {e}", shown()),
                Err(_) => panic!(
                    "no complete reply to {} within {REPLY_TIMEOUT:?} (got {})",
                    shown(),
                    escape(&self.buf)
                ),
            }
        }
    }

    /// Sends a command without reading its reply (a blocking command: see [`Wire::reply_within`]).
    pub(crate) async fn send<A: AsRef<[u8]>>(&mut self, args: &[A]) {
        let args: Vec<&[u8]> = args.iter().map(AsRef::as_ref).collect();
        self.stream
            .write_all(&resp_cmd(&args))
            .await
            .expect("write to the gateway");
    }

    /// The bytes of the next reply, or `None` when none is complete within `timeout`.
    pub(crate) async fn reply_within(&mut self, timeout: Duration) -> Option<Vec<u8>> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            if let Some((_, len)) = parse(&self.buf) {
                return Some(self.buf.drain(..len).collect());
            }
            match tokio::time::timeout_at(deadline, self.stream.read(&mut chunk)).await {
                Ok(Ok(0)) => panic!(
                    "the gateway closed the connection (got {})",
                    escape(&self.buf)
                ),
                Ok(Ok(n)) => self.buf.extend_from_slice(&chunk[..n]),
                Ok(Err(e)) => panic!("reading a reply: {e}"),
                Err(_) => return None,
            }
        }
    }

    /// Sends a command given as space-separated words and returns its parsed reply.
    pub(crate) async fn value(&mut self, cmd: &str) -> Resp {
        let args: Vec<&str> = cmd.split(' ').collect();
        self.value_args(&args).await
    }

    /// Sends a command and returns its parsed reply.
    pub(crate) async fn value_args<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Resp {
        let reply = self.call(args).await;
        parse(&reply).expect("a complete reply").0
    }

    /// Sends a command given as space-separated words; asserts the exact reply.
    pub(crate) async fn check(&mut self, cmd: &str, expected: impl AsRef<str>) {
        let args: Vec<&str> = cmd.split(' ').collect();
        self.check_args(&args, expected).await;
    }

    /// Sends a command; asserts the exact reply.
    pub(crate) async fn check_args(&mut self, args: &[&str], expected: impl AsRef<str>) {
        let got = self.call(args).await;
        assert_eq!(
            escape(&got),
            escape(expected.as_ref().as_bytes()),
            "reply to {args:?}"
        );
    }

    /// Asserts that a command replies an array (or RESP3 set) of exactly these bulk strings, in
    /// any order.
    pub(crate) async fn check_unordered(&mut self, cmd: &str, expected: &[&str]) {
        let got = match self.value(cmd).await {
            Resp::Agg(b'*' | b'~', items) => {
                let mut texts: Vec<String> = items.iter().map(Resp::text).collect();
                texts.sort();
                texts
            }
            other => panic!("reply to {cmd:?}: expected an array, got {other:?}"),
        };
        let mut expected: Vec<&str> = expected.to_vec();
        expected.sort_unstable();
        assert_eq!(got, expected, "members in the reply to {cmd:?}");
    }

    /// Asserts that a SCAN-like command replies this cursor and exactly these elements, in any
    /// order.
    pub(crate) async fn check_scan(&mut self, cmd: &str, cursor: &str, expected: &[&str]) {
        let reply = self.value(cmd).await;
        let items = reply.items();
        assert_eq!(items.len(), 2, "reply to {cmd:?}: {reply:?}");
        assert_eq!(items[0].text(), cursor, "cursor in the reply to {cmd:?}");
        let mut got = items[1].texts();
        got.sort();
        let mut expected: Vec<&str> = expected.to_vec();
        expected.sort_unstable();
        assert_eq!(got, expected, "elements in the reply to {cmd:?}");
    }

    /// Asserts that a command replies an integer within `range` (TTLs).
    pub(crate) async fn check_int_in(&mut self, cmd: &str, range: RangeInclusive<i64>) {
        let n = self.value(cmd).await.int();
        assert!(range.contains(&n), "reply to {cmd:?}: {n} not in {range:?}");
    }

    /// Switches the connection to RESP3.
    pub(crate) async fn hello3(&mut self) {
        let got = self.call(&["HELLO", "3"]).await;
        let text = String::from_utf8_lossy(&got);
        assert!(
            text.starts_with("%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n")
                && text.contains("$5\r\nproto\r\n:3\r\n"),
            "HELLO 3: {text:?}"
        );
    }

    /// One page of a SCAN-like command: the next cursor and the elements.
    pub(crate) async fn scan_page(&mut self, args: &[&str]) -> (String, Vec<String>) {
        let reply = self.value_args(args).await;
        let items = reply.items();
        assert_eq!(items.len(), 2, "reply to {args:?}: {reply:?}");
        (items[0].text(), items[1].texts())
    }

    /// Runs a SCAN-like command (`head` then the cursor then `tail`) from cursor 0 to the end and
    /// returns every element it returned and the number of calls.
    pub(crate) async fn scan_all(&mut self, head: &[&str], tail: &[&str]) -> (Vec<String>, usize) {
        let mut cursor = "0".to_string();
        let mut all = Vec::new();
        let mut calls = 0;
        loop {
            let mut args: Vec<&str> = head.to_vec();
            args.push(&cursor);
            args.extend_from_slice(tail);
            let (next, items) = self.scan_page(&args).await;
            all.extend(items);
            calls += 1;
            assert!(calls < 1000, "{head:?} does not end");
            if next == "0" {
                return (all, calls);
            }
            cursor = next;
        }
    }

    /// Checks that nothing unexpected was sent after the last reply.
    pub(crate) async fn finish(mut self) {
        self.check("PING", "+PONG\r\n").await;
        assert!(self.buf.is_empty(), "extra bytes: {}", escape(&self.buf));
    }
}

/// Pairs of an aggregate whose elements alternate (HGETALL, HSCAN, ZSCAN, WITHVALUES).
fn pairs(items: &[Resp]) -> BTreeMap<String, String> {
    assert!(
        items.len().is_multiple_of(2),
        "odd number of elements: {items:?}"
    );
    items
        .chunks(2)
        .map(|p| (p[0].text(), p[1].text()))
        .collect()
}

/// A cluster of three nodes behind a gateway, and a connection to the gateway.
pub(crate) async fn start() -> (TestCluster, Wire) {
    let cluster = TestCluster::start(3).await.expect("cluster start");
    let w = Wire::connect(&cluster.gateway_addr()).await;
    (cluster, w)
}

/// LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LRANGE LINDEX LSET LTRIM LINSERT LREM LPOS LMOVE
/// RPOPLPUSH LMPOP; a list of 1000 elements; RESP3 nulls.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists() {
    let (cluster, mut w) = start().await;
    tracing::info!("phase: LPUSH RPUSH LLEN LRANGE with negative and out-of-range indexes");
    w.check("RPUSH l a b c", int(3)).await;
    w.check("LPUSH l x y", int(5)).await;
    w.check("LRANGE l 0 -1", arr(&["y", "x", "a", "b", "c"]))
        .await;
    w.check("LLEN l", int(5)).await;
    w.check("LLEN nolist", int(0)).await;
    w.check("LRANGE l -2 -1", arr(&["b", "c"])).await;
    w.check("LRANGE l -100 100", arr(&["y", "x", "a", "b", "c"]))
        .await;
    w.check("LRANGE l 1 1", arr(&["x"])).await;
    w.check("LRANGE l 5 10", EMPTY).await;
    w.check("LRANGE l 3 1", EMPTY).await;
    w.check("LRANGE l -1 -2", EMPTY).await;
    w.check("LRANGE nolist 0 -1", EMPTY).await;
    w.check("LRANGE l 0 abc", NOT_INT).await;
    tracing::info!("phase: LINDEX LSET");
    w.check("LINDEX l 0", bulk("y")).await;
    w.check("LINDEX l -1", bulk("c")).await;
    w.check("LINDEX l -5", bulk("y")).await;
    w.check("LINDEX l 5", NIL).await;
    w.check("LINDEX l -6", NIL).await;
    w.check("LINDEX nolist 0", NIL).await;
    w.check("LINDEX l abc", NOT_INT).await;
    w.check("LSET l 0 Y", OK).await;
    w.check("LSET l -1 C", OK).await;
    w.check("LSET l 5 z", err("ERR index out of range")).await;
    w.check("LSET l -6 z", err("ERR index out of range")).await;
    w.check("LSET nolist 0 z", err("ERR no such key")).await;
    w.check("LRANGE l 0 -1", arr(&["Y", "x", "a", "b", "C"]))
        .await;
    tracing::info!("phase: LPUSHX RPUSHX only push onto existing lists");
    w.check("LPUSHX nolist a", int(0)).await;
    w.check("RPUSHX nolist a b", int(0)).await;
    w.check("EXISTS nolist", int(0)).await;
    w.check("LPUSHX l p1 p2", int(7)).await;
    w.check("RPUSHX l r1", int(8)).await;
    w.check(
        "LRANGE l 0 -1",
        arr(&["p2", "p1", "Y", "x", "a", "b", "C", "r1"]),
    )
    .await;
    tracing::info!("phase: LINSERT");
    w.check("LINSERT l BEFORE a ins", int(9)).await;
    w.check("LINSERT l after r1 last", int(10)).await;
    w.check("LINSERT l AFTER nothere q", int(-1)).await;
    w.check("LINSERT nolist BEFORE a b", int(0)).await;
    w.check("EXISTS nolist", int(0)).await;
    w.check("LINSERT l MIDDLE a b", SYNTAX).await;
    w.check(
        "LRANGE l 0 -1",
        arr(&["p2", "p1", "Y", "x", "ins", "a", "b", "C", "r1", "last"]),
    )
    .await;
    tracing::info!(
        "phase: LPOP RPOP with and without count; popping the last element deletes the key"
    );
    w.check("LPOP l", bulk("p2")).await;
    w.check("RPOP l", bulk("last")).await;
    w.check("LPOP l 2", arr(&["p1", "Y"])).await;
    w.check("RPOP l 2", arr(&["r1", "C"])).await;
    w.check("LPOP l 0", EMPTY).await;
    w.check(
        "LPOP l -1",
        err("ERR value is out of range, must be positive"),
    )
    .await;
    w.check(
        "LPOP l abc",
        err("ERR value is out of range, must be positive"),
    )
    .await;
    w.check("LRANGE l 0 -1", arr(&["x", "ins", "a", "b"])).await;
    w.check("LPOP l 10", arr(&["x", "ins", "a", "b"])).await;
    w.check("EXISTS l", int(0)).await;
    w.check("LPOP l", NIL).await;
    w.check("LPOP l 2", NIL_ARRAY).await;
    w.check("RPOP nolist 0", NIL_ARRAY).await;
    w.check("LLEN l", int(0)).await;
    tracing::info!("phase: LREM");
    w.check("RPUSH r a b a c a d a", int(7)).await;
    w.check("LREM r 2 a", int(2)).await;
    w.check("LRANGE r 0 -1", arr(&["b", "c", "a", "d", "a"]))
        .await;
    w.check("LREM r -1 a", int(1)).await;
    w.check("LRANGE r 0 -1", arr(&["b", "c", "a", "d"])).await;
    w.check("LREM r 0 a", int(1)).await;
    w.check("LRANGE r 0 -1", arr(&["b", "c", "d"])).await;
    w.check("LREM r 0 zz", int(0)).await;
    w.check("LREM nolist 0 a", int(0)).await;
    w.check("LREM r x a", NOT_INT).await;
    w.check("LREM r 0 b", int(1)).await;
    w.check("LREM r 0 c", int(1)).await;
    w.check("LREM r 0 d", int(1)).await;
    w.check("EXISTS r", int(0)).await;
    tracing::info!("phase: LPOS with RANK COUNT MAXLEN");
    w.check("RPUSH p a b c 1 2 3 c c", int(8)).await;
    w.check("LPOS p c", int(2)).await;
    w.check("LPOS p c RANK 2", int(6)).await;
    w.check("LPOS p c RANK -1", int(7)).await;
    w.check("LPOS p c RANK 4", NIL).await;
    w.check("LPOS p c COUNT 2", "*2\r\n:2\r\n:6\r\n").await;
    w.check("LPOS p c COUNT 0", "*3\r\n:2\r\n:6\r\n:7\r\n")
        .await;
    w.check("LPOS p c RANK -1 COUNT 2", "*2\r\n:7\r\n:6\r\n")
        .await;
    w.check("LPOS p c COUNT 0 MAXLEN 3", "*1\r\n:2\r\n").await;
    w.check("LPOS p c RANK -1 MAXLEN 2", int(7)).await;
    w.check("LPOS p zz", NIL).await;
    w.check("LPOS p zz COUNT 0", EMPTY).await;
    w.check("LPOS nolist a", NIL).await;
    w.check("LPOS nolist a COUNT 0", EMPTY).await;
    w.check("LPOS p c RANK 0", err("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list")).await;
    w.check("LPOS p c MAXLEN -1", err("ERR MAXLEN can't be negative"))
        .await;
    w.check("LPOS p c COUNT -1", err("ERR COUNT can't be negative"))
        .await;
    w.check("LPOS p c FOO 1", SYNTAX).await;
    w.check("LPOS p c COUNT", SYNTAX).await;
    tracing::info!("phase: LTRIM");
    w.check("RPUSH t 1 2 3 4 5", int(5)).await;
    w.check("LTRIM t 1 -2", OK).await;
    w.check("LRANGE t 0 -1", arr(&["2", "3", "4"])).await;
    w.check("LTRIM t -2 100", OK).await;
    w.check("LRANGE t 0 -1", arr(&["3", "4"])).await;
    w.check("LTRIM t 5 10", OK).await;
    w.check("EXISTS t", int(0)).await;
    w.check("LTRIM nolist 0 1", OK).await;
    w.check("LTRIM t a 1", NOT_INT).await;
    tracing::info!("phase: LMOVE RPOPLPUSH LMPOP");
    w.check("RPUSH m1 a b c", int(3)).await;
    w.check("LMOVE m1 m2 LEFT RIGHT", bulk("a")).await;
    w.check("LMOVE m1 m2 RIGHT LEFT", bulk("c")).await;
    w.check("LRANGE m1 0 -1", arr(&["b"])).await;
    w.check("LRANGE m2 0 -1", arr(&["c", "a"])).await;
    w.check("RPUSH rot 1 2 3", int(3)).await;
    w.check("LMOVE rot rot LEFT RIGHT", bulk("1")).await;
    w.check("LRANGE rot 0 -1", arr(&["2", "3", "1"])).await;
    w.check("LMOVE rot rot right left", bulk("1")).await;
    w.check("LRANGE rot 0 -1", arr(&["1", "2", "3"])).await;
    w.check("LMOVE m1 m2 UP DOWN", SYNTAX).await;
    w.check("LMOVE m1 m2 LEFT RIGHT", bulk("b")).await;
    w.check("EXISTS m1", int(0)).await;
    w.check("LMOVE m1 m2 LEFT RIGHT", NIL).await;
    w.check("LRANGE m2 0 -1", arr(&["c", "a", "b"])).await;
    w.check("RPOPLPUSH m2 m2", bulk("b")).await;
    w.check("LRANGE m2 0 -1", arr(&["b", "c", "a"])).await;
    w.check("RPOPLPUSH nolist m2", NIL).await;
    w.check("EXISTS nolist", int(0)).await;
    w.check(
        "LMPOP 2 nolist m2 LEFT",
        "*2\r\n$2\r\nm2\r\n*1\r\n$1\r\nb\r\n",
    )
    .await;
    w.check(
        "LMPOP 2 nolist m2 RIGHT COUNT 10",
        "*2\r\n$2\r\nm2\r\n*2\r\n$1\r\na\r\n$1\r\nc\r\n",
    )
    .await;
    w.check("EXISTS m2", int(0)).await;
    w.check("LMPOP 1 nolist LEFT", NIL_ARRAY).await;
    w.check(
        "LMPOP 0 a LEFT",
        err("ERR numkeys should be greater than 0"),
    )
    .await;
    w.check(
        "LMPOP -1 a LEFT",
        err("ERR numkeys should be greater than 0"),
    )
    .await;
    w.check("LMPOP 2 a LEFT", SYNTAX).await;
    w.check(
        "LMPOP 1 a LEFT COUNT 0",
        err("ERR count should be greater than 0"),
    )
    .await;
    w.check("LMPOP 1 a MIDDLE", SYNTAX).await;
    w.check("LMPOP 1 a LEFT COUNT 1 COUNT 2", SYNTAX).await;
    tracing::info!(
        "phase: WRONGTYPE on a string key, and against a list key from other types' commands"
    );
    w.check("SET s v", OK).await;
    w.check("LPUSH s a", WRONGTYPE).await;
    w.check("RPUSH s a", WRONGTYPE).await;
    w.check("LPUSHX s a", WRONGTYPE).await;
    w.check("LRANGE s 0 -1", WRONGTYPE).await;
    w.check("LLEN s", WRONGTYPE).await;
    w.check("LPOP s", WRONGTYPE).await;
    w.check("LINDEX s 0", WRONGTYPE).await;
    w.check("LSET s 0 x", WRONGTYPE).await;
    w.check("LINSERT s BEFORE a b", WRONGTYPE).await;
    w.check("LREM s 0 a", WRONGTYPE).await;
    w.check("LPOS s a", WRONGTYPE).await;
    w.check("LTRIM s 0 1", WRONGTYPE).await;
    w.check("RPUSH dst a", int(1)).await;
    w.check("LMOVE s dst LEFT LEFT", WRONGTYPE).await;
    w.check("LMOVE dst s LEFT LEFT", WRONGTYPE).await;
    w.check("LRANGE dst 0 -1", arr(&["a"])).await;
    w.check("LMPOP 2 s dst LEFT", WRONGTYPE).await;
    w.check("LMPOP 2 nolist s LEFT", WRONGTYPE).await;
    w.check("GET dst", WRONGTYPE).await;
    w.check("GET s", bulk("v")).await;
    w.check("TYPE dst", "+list\r\n").await;
    tracing::info!("phase: arity");
    w.check(
        "RPUSH",
        err("ERR wrong number of arguments for 'rpush' command"),
    )
    .await;
    w.check(
        "LPUSH l",
        err("ERR wrong number of arguments for 'lpush' command"),
    )
    .await;
    w.check(
        "LRANGE l 0",
        err("ERR wrong number of arguments for 'lrange' command"),
    )
    .await;
    w.check(
        "LPOS l",
        err("ERR wrong number of arguments for 'lpos' command"),
    )
    .await;
    w.check(
        "LMOVE a b LEFT",
        err("ERR wrong number of arguments for 'lmove' command"),
    )
    .await;
    w.check(
        "LMPOP 1 a",
        err("ERR wrong number of arguments for 'lmpop' command"),
    )
    .await;
    tracing::info!("phase: a list of 1000 elements");
    let elements: Vec<String> = (0..1000).map(|i| i.to_string()).collect();
    let mut rpush = vec!["RPUSH", "big"];
    rpush.extend(elements.iter().map(String::as_str));
    w.check_args(&rpush, int(1000)).await;
    w.check("LLEN big", int(1000)).await;
    w.check("OBJECT ENCODING big", bulk("quicklist")).await;
    w.check("LINDEX big -1000", bulk("0")).await;
    w.check("LINDEX big 999", bulk("999")).await;
    w.check("LINDEX big 1000", NIL).await;
    w.check("LRANGE big 998 2000", arr(&["998", "999"])).await;
    w.check("LRANGE big -3 -2", arr(&["997", "998"])).await;
    let all = w.value("LRANGE big 0 -1").await.texts();
    assert_eq!(all, elements);
    w.check("LPOS big 999 MAXLEN 100", NIL).await;
    w.check("LPOS big 999 RANK -1 MAXLEN 100", int(999)).await;
    w.check("LTRIM big 100 -101", OK).await;
    w.check("LLEN big", int(800)).await;
    w.check("LINDEX big 0", bulk("100")).await;
    w.check("LINDEX big -1", bulk("899")).await;
    w.check("LREM big 0 500", int(1)).await;
    w.check("LINSERT big BEFORE 501 500", int(800)).await;
    w.check("LINDEX big 400", bulk("500")).await;

    let mut w3 = Wire::connect(&cluster.gateway_addr()).await;
    w3.hello3().await;
    tracing::info!("phase: RESP3: null replies of list commands");
    w3.check("LINDEX r3:nol 0", NULL).await;
    w3.check("LPOP r3:nol", NULL).await;
    w3.check("LPOP r3:nol 2", NULL).await;
    w3.check("RPOP r3:nol 0", NULL).await;
    w3.check("LMPOP 1 r3:nol LEFT", NULL).await;
    w3.check("LPOS r3:nol a", NULL).await;
    w3.check("LMOVE r3:nol r3:l LEFT LEFT", NULL).await;
    w3.check("RPUSH r3:l a", int(1)).await;
    w3.check("LPOS r3:l a COUNT 0", "*1\r\n:0\r\n").await;
    w3.check("LPOP r3:l 5", arr(&["a"])).await;
    w3.check("LRANGE r3:l 0 -1", EMPTY).await;
    w3.finish().await;
    w.finish().await;
}

/// HSET HSETNX HGET HMGET HMSET HDEL HLEN HSTRLEN HEXISTS HKEYS HVALS HGETALL HINCRBY HINCRBYFLOAT
/// HRANDFIELD HSCAN; a hash of 600 fields; RESP3 maps.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hashes() {
    let (cluster, mut w) = start().await;
    tracing::info!("phase: HSET HMSET HGET HMGET HLEN HSTRLEN HEXISTS HSETNX");
    w.check("HSET h f1 v1 f2 v2", int(2)).await;
    w.check("HSET h f1 v1b f3 v3", int(1)).await;
    w.check("HSET h f1 v1b", int(0)).await;
    w.check("HGET h f1", bulk("v1b")).await;
    w.check("HGET h nof", NIL).await;
    w.check("HGET noh f", NIL).await;
    w.check(
        "HMGET h f1 nof f3",
        "*3\r\n$3\r\nv1b\r\n$-1\r\n$2\r\nv3\r\n",
    )
    .await;
    w.check("HMGET noh a b", "*2\r\n$-1\r\n$-1\r\n").await;
    w.check("HMSET h f4 v4 f5 v5", OK).await;
    w.check("HLEN h", int(5)).await;
    w.check("HLEN noh", int(0)).await;
    w.check("HSTRLEN h f1", int(3)).await;
    w.check("HSTRLEN h nof", int(0)).await;
    w.check("HSTRLEN noh f", int(0)).await;
    w.check("HEXISTS h f1", int(1)).await;
    w.check("HEXISTS h nof", int(0)).await;
    w.check("HEXISTS noh f", int(0)).await;
    w.check("HSETNX h f1 x", int(0)).await;
    w.check("HSETNX h f6 v6", int(1)).await;
    w.check("HGET h f1", bulk("v1b")).await;
    w.check("HGET h f6", bulk("v6")).await;
    w.check("HSETNX newh f v", int(1)).await;
    w.check("HGET newh f", bulk("v")).await;
    tracing::info!("phase: HDEL deletes the key with its last field");
    w.check("HDEL h f6 nof f5", int(2)).await;
    w.check("HDEL h f6", int(0)).await;
    w.check("HDEL noh f", int(0)).await;
    w.check("HLEN h", int(4)).await;
    w.check("HDEL newh f", int(1)).await;
    w.check("EXISTS newh", int(0)).await;
    w.check("HSET one f v", int(1)).await;
    w.check("HDEL one f f", int(1)).await;
    w.check("EXISTS one", int(0)).await;
    w.check("TYPE one", "+none\r\n").await;
    tracing::info!("phase: HKEYS HVALS HGETALL");
    w.check("HSET hh a 1", int(1)).await;
    w.check("HKEYS hh", arr(&["a"])).await;
    w.check("HVALS hh", arr(&["1"])).await;
    w.check("HGETALL hh", arr(&["a", "1"])).await;
    w.check("HKEYS noh", EMPTY).await;
    w.check("HVALS noh", EMPTY).await;
    w.check("HGETALL noh", EMPTY).await;
    w.check_unordered("HKEYS h", &["f1", "f2", "f3", "f4"])
        .await;
    w.check_unordered("HVALS h", &["v1b", "v2", "v3", "v4"])
        .await;
    tracing::info!("phase: HINCRBY HINCRBYFLOAT");
    w.check("HINCRBY hh a 5", int(6)).await;
    w.check("HINCRBY hh b -3", int(-3)).await;
    w.check("HINCRBY hh a x", NOT_INT).await;
    w.check(
        "HINCRBY hh a 9223372036854775807",
        err("ERR increment or decrement would overflow"),
    )
    .await;
    w.check(
        "HINCRBY hh b -9223372036854775806",
        err("ERR increment or decrement would overflow"),
    )
    .await;
    w.check("HINCRBY hh b -1", int(-4)).await;
    w.check("HGET hh b", bulk("-4")).await;
    w.check("HINCRBY nohi f 7", int(7)).await;
    w.check("HSET hh s abc", int(1)).await;
    w.check("HINCRBY hh s 1", err("ERR hash value is not an integer"))
        .await;
    w.check("HINCRBYFLOAT hh s 1", err("ERR hash value is not a float"))
        .await;
    w.check("HINCRBYFLOAT hh f 10.5", bulk("10.5")).await;
    w.check("HINCRBYFLOAT hh f 0.1", bulk("10.6")).await;
    w.check("HINCRBYFLOAT hh a 1.5", bulk("7.5")).await;
    w.check("HINCRBYFLOAT hh a -0.5", bulk("7")).await;
    w.check("HINCRBYFLOAT hh f 5.0e3", bulk("5010.60000000000000009"))
        .await;
    w.check(
        "HINCRBYFLOAT hh f abc",
        err("ERR value is not a valid float"),
    )
    .await;
    w.check("HINCRBYFLOAT hh f inf", err("ERR value is NaN or Infinity"))
        .await;
    w.check(
        "HINCRBYFLOAT hh f nan",
        err("ERR value is not a valid float"),
    )
    .await;
    w.check("HINCRBYFLOAT hh g 3.0e0", bulk("3")).await;
    w.check("HSET hh big 1e308", int(1)).await;
    w.check("HINCRBYFLOAT hh big 1e308", bulk("199999999999999999993371759311691291321120199694831134415594095989843469737676123744200253843777078640893494450108026446304269499187921167194841628860392837535918200039206381557326219209014213335878306791577877829121087126122536729803237260434173178506889763247582601711514636284849020905456510092687857156096")).await;
    w.check_args(&["HSET", "hh", "sp", " 1"], int(1)).await;
    w.check("HINCRBYFLOAT hh sp 1", err("ERR hash value is not a float"))
        .await;
    w.check("HGET hh f", bulk("5010.60000000000000009")).await;
    w.check("HGET hh g", bulk("3")).await;
    w.check("HGET hh a", bulk("7")).await;
    w.check("HINCRBY hh g 1", int(4)).await;
    w.check("HINCRBY hh a 1", int(8)).await;
    w.check("HDEL hh a b s f g big sp", int(7)).await;
    w.check("EXISTS hh", int(0)).await;
    tracing::info!("phase: HRANDFIELD and HSCAN on one-field hashes (deterministic)");
    w.check("HRANDFIELD noh", NIL).await;
    w.check("HRANDFIELD noh 2", EMPTY).await;
    w.check("HRANDFIELD noh -2 WITHVALUES", EMPTY).await;
    w.check("HSET one f v", int(1)).await;
    w.check("HRANDFIELD one", bulk("f")).await;
    w.check("HRANDFIELD one 1 WITHVALUES", arr(&["f", "v"]))
        .await;
    w.check("HRANDFIELD one -3", arr(&["f", "f", "f"])).await;
    w.check("HRANDFIELD one -2 WITHVALUES", arr(&["f", "v", "f", "v"]))
        .await;
    w.check("HRANDFIELD one 5 WITHVALUES", arr(&["f", "v"]))
        .await;
    w.check("HRANDFIELD one 0", EMPTY).await;
    w.check("HRANDFIELD one 0 WITHVALUES", EMPTY).await;
    w.check("HRANDFIELD one 1 FOO", SYNTAX).await;
    w.check("HRANDFIELD one x", NOT_INT).await;
    w.check("HRANDFIELD one -9223372036854775808 WITHVALUES", err("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")).await;
    w.check_unordered("HRANDFIELD h 100", &["f1", "f2", "f3", "f4"])
        .await;
    w.check(
        "HSCAN one 0",
        "*2\r\n$1\r\n0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n",
    )
    .await;
    w.check("HSCAN noh 0", "*2\r\n$1\r\n0\r\n*0\r\n").await;
    w.check(
        "HSCAN one 0 MATCH f*",
        "*2\r\n$1\r\n0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n",
    )
    .await;
    w.check("HSCAN one 0 MATCH x*", "*2\r\n$1\r\n0\r\n*0\r\n")
        .await;
    w.check("HSCAN one 0 COUNT 0", SYNTAX).await;
    w.check("HSCAN one abc", err("ERR invalid cursor")).await;
    w.check("HSCAN one 0 FOO", SYNTAX).await;
    w.check("HSCAN one 0 COUNT", SYNTAX).await;
    tracing::info!("phase: WRONGTYPE");
    w.check("SET str v", OK).await;
    w.check("HSET str a b", WRONGTYPE).await;
    w.check("HSETNX str a b", WRONGTYPE).await;
    w.check("HMSET str a b", WRONGTYPE).await;
    w.check("HGET str a", WRONGTYPE).await;
    w.check("HMGET str a", WRONGTYPE).await;
    w.check("HGETALL str", WRONGTYPE).await;
    w.check("HKEYS str", WRONGTYPE).await;
    w.check("HVALS str", WRONGTYPE).await;
    w.check("HLEN str", WRONGTYPE).await;
    w.check("HSTRLEN str a", WRONGTYPE).await;
    w.check("HEXISTS str a", WRONGTYPE).await;
    w.check("HDEL str a", WRONGTYPE).await;
    w.check("HRANDFIELD str", WRONGTYPE).await;
    w.check("HSCAN str 0", WRONGTYPE).await;
    w.check("HINCRBY str a 1", WRONGTYPE).await;
    w.check("HINCRBYFLOAT str a 1", WRONGTYPE).await;
    w.check("GET one", WRONGTYPE).await;
    w.check("LPUSH one x", WRONGTYPE).await;
    w.check("SADD one x", WRONGTYPE).await;
    w.check("GET str", bulk("v")).await;
    tracing::info!("phase: arity");
    w.check(
        "HSET h",
        err("ERR wrong number of arguments for 'hset' command"),
    )
    .await;
    w.check(
        "HSET h a",
        err("ERR wrong number of arguments for 'hset' command"),
    )
    .await;
    w.check(
        "HSET h a b c",
        err("ERR wrong number of arguments for 'hset' command"),
    )
    .await;
    w.check(
        "HMSET h a b c",
        err("ERR wrong number of arguments for 'hmset' command"),
    )
    .await;
    w.check(
        "HGET h",
        err("ERR wrong number of arguments for 'hget' command"),
    )
    .await;
    w.check(
        "HMGET h",
        err("ERR wrong number of arguments for 'hmget' command"),
    )
    .await;
    w.check(
        "HDEL h",
        err("ERR wrong number of arguments for 'hdel' command"),
    )
    .await;
    w.check(
        "HSETNX h a",
        err("ERR wrong number of arguments for 'hsetnx' command"),
    )
    .await;
    w.check(
        "HINCRBY h a",
        err("ERR wrong number of arguments for 'hincrby' command"),
    )
    .await;
    w.check(
        "HRANDFIELD",
        err("ERR wrong number of arguments for 'hrandfield' command"),
    )
    .await;
    w.check(
        "HSCAN h",
        err("ERR wrong number of arguments for 'hscan' command"),
    )
    .await;
    tracing::info!("phase: a hash of 600 fields: HSCAN pages, HRANDFIELD");
    let mut hset = vec!["HSET".to_string(), "big".to_string()];
    for i in 0..600 {
        hset.push(format!("f{i}"));
        hset.push(format!("v{i}"));
    }
    w.check_args(
        &hset.iter().map(String::as_str).collect::<Vec<_>>(),
        int(600),
    )
    .await;
    w.check("HLEN big", int(600)).await;
    w.check("OBJECT ENCODING big", bulk("hashtable")).await;
    w.check("HSET small f v", int(1)).await;
    w.check("OBJECT ENCODING small", bulk("listpack")).await;
    w.check_args(&["HSET", "small", "long", &"x".repeat(65)], int(1))
        .await;
    w.check("OBJECT ENCODING small", bulk("hashtable")).await;
    let all = pairs(w.value("HGETALL big").await.items());
    let expected: BTreeMap<String, String> = (0..600)
        .map(|i| (format!("f{i}"), format!("v{i}")))
        .collect();
    assert_eq!(all, expected, "HGETALL of the big hash");
    let (scanned, calls) = w.scan_all(&["HSCAN", "big"], &["COUNT", "20"]).await;
    assert!(calls > 5, "HSCAN COUNT 20 of 600 fields took {calls} calls");
    let scanned_pairs: Vec<(String, String)> = scanned
        .chunks(2)
        .map(|p| (p[0].clone(), p[1].clone()))
        .collect();
    let scanned_map: BTreeMap<String, String> = scanned_pairs.iter().cloned().collect();
    assert_eq!(
        scanned_map, expected,
        "HSCAN returns every field with its value"
    );
    let (matched, _) = w
        .scan_all(&["HSCAN", "big"], &["MATCH", "f1?", "COUNT", "50"])
        .await;
    let matched: BTreeSet<String> = matched.into_iter().collect();
    let expected_matched: BTreeSet<String> = (10..20)
        .flat_map(|i| [format!("f{i}"), format!("v{i}")])
        .collect();
    assert_eq!(matched, expected_matched, "HSCAN MATCH f1?");
    let some = w.value("HRANDFIELD big 5").await.texts();
    assert_eq!(some.iter().collect::<BTreeSet<_>>().len(), 5, "{some:?}");
    assert!(some.iter().all(|f| expected.contains_key(f)), "{some:?}");
    let with_values = w.value("HRANDFIELD big -7 WITHVALUES").await;
    assert_eq!(with_values.items().len(), 14);
    for p in with_values.items().chunks(2) {
        assert_eq!(expected.get(&p[0].text()), Some(&p[1].text()), "{p:?}");
    }
    let everything = w.value("HRANDFIELD big 1000").await.texts();
    assert_eq!(everything.len(), 600);
    assert_eq!(
        everything.into_iter().collect::<BTreeSet<_>>(),
        expected.keys().cloned().collect::<BTreeSet<_>>()
    );

    let mut w3 = Wire::connect(&cluster.gateway_addr()).await;
    w3.hello3().await;
    tracing::info!("phase: RESP3: HGETALL is a map, pairs are arrays of two, nulls are _");
    w3.check("HSET r3:h f v", int(1)).await;
    w3.check("HGETALL r3:h", "%1\r\n$1\r\nf\r\n$1\r\nv\r\n")
        .await;
    w3.check("HGETALL r3:noh", "%0\r\n").await;
    w3.check("HGET r3:h nof", NULL).await;
    w3.check("HMGET r3:h f x", "*2\r\n$1\r\nv\r\n_\r\n").await;
    w3.check("HRANDFIELD r3:noh", NULL).await;
    w3.check("HRANDFIELD r3:h", bulk("f")).await;
    w3.check(
        "HRANDFIELD r3:h 1 WITHVALUES",
        "*1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n",
    )
    .await;
    w3.check(
        "HRANDFIELD r3:h -2 WITHVALUES",
        "*2\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n",
    )
    .await;
    w3.check("HRANDFIELD r3:h 2", arr(&["f"])).await;
    w3.check(
        "HSCAN r3:h 0",
        "*2\r\n$1\r\n0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n",
    )
    .await;
    w3.check("HINCRBYFLOAT r3:h2 f 1.5", bulk("1.5")).await;
    w3.check("MULTI", OK).await;
    w3.check("HGETALL r3:h", QUEUED).await;
    w3.check("HGET r3:h nof", QUEUED).await;
    w3.check("HINCRBYFLOAT r3:h2 f 1", QUEUED).await;
    w3.check(
        "EXEC",
        "*3\r\n%1\r\n$1\r\nf\r\n$1\r\nv\r\n_\r\n$3\r\n2.5\r\n",
    )
    .await;
    w3.finish().await;
    w.finish().await;
}

/// SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP SRANDMEMBER SMOVE SINTER SINTERCARD SUNION
/// SDIFF and the STORE forms, SSCAN; sets of 100 and 600 members; RESP3 sets.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sets() {
    let (cluster, mut w) = start().await;
    tracing::info!("phase: SADD SREM SCARD SISMEMBER SMISMEMBER SMEMBERS");
    w.check("SADD s a b c", int(3)).await;
    w.check("SADD s a d", int(1)).await;
    w.check("SADD s e e", int(1)).await;
    w.check("SCARD s", int(5)).await;
    w.check("SCARD nos", int(0)).await;
    w.check("SISMEMBER s a", int(1)).await;
    w.check("SISMEMBER s z", int(0)).await;
    w.check("SISMEMBER nos a", int(0)).await;
    w.check("SMISMEMBER s a z b", "*3\r\n:1\r\n:0\r\n:1\r\n")
        .await;
    w.check("SMISMEMBER nos a b", "*2\r\n:0\r\n:0\r\n").await;
    w.check_unordered("SMEMBERS s", &["a", "b", "c", "d", "e"])
        .await;
    w.check("SMEMBERS nos", EMPTY).await;
    w.check("SREM s a z", int(1)).await;
    w.check("SREM nos a", int(0)).await;
    tracing::info!("phase: removing the last member deletes the key");
    w.check("SREM s b c d e", int(4)).await;
    w.check("SCARD s", int(0)).await;
    w.check("EXISTS s", int(0)).await;
    w.check("TYPE s", "+none\r\n").await;
    w.check("SMEMBERS s", EMPTY).await;
    tracing::info!("phase: SINTER SUNION SDIFF SINTERCARD");
    w.check("SADD s1 a b c d", int(4)).await;
    w.check("SADD s2 c d e", int(3)).await;
    w.check("SADD s3 d x", int(2)).await;
    w.check_unordered("SINTER s1 s2", &["c", "d"]).await;
    w.check("SINTER s1 s2 s3", arr(&["d"])).await;
    w.check("SINTER s1 nos", EMPTY).await;
    w.check("SINTER nos s1", EMPTY).await;
    w.check_unordered("SINTER s1", &["a", "b", "c", "d"]).await;
    w.check_unordered("SUNION s1 s2 s3", &["a", "b", "c", "d", "e", "x"])
        .await;
    w.check_unordered("SUNION nos s3", &["d", "x"]).await;
    w.check("SUNION nos", EMPTY).await;
    w.check_unordered("SDIFF s1 s2", &["a", "b"]).await;
    w.check_unordered("SDIFF s1 s2 s3", &["a", "b"]).await;
    w.check("SDIFF s1 s1", EMPTY).await;
    w.check("SDIFF nos s1", EMPTY).await;
    w.check_unordered("SDIFF s1 nos", &["a", "b", "c", "d"])
        .await;
    w.check("SINTERCARD 2 s1 s2", int(2)).await;
    w.check("SINTERCARD 3 s1 s2 s3", int(1)).await;
    w.check("SINTERCARD 2 s1 s2 LIMIT 1", int(1)).await;
    w.check("SINTERCARD 2 s1 s2 LIMIT 0", int(2)).await;
    w.check("SINTERCARD 2 s1 nos", int(0)).await;
    w.check("SINTERCARD 1 nos", int(0)).await;
    w.check(
        "SINTERCARD 0 s1",
        err("ERR numkeys should be greater than 0"),
    )
    .await;
    w.check(
        "SINTERCARD 3 s1 s2",
        err("ERR Number of keys can't be greater than number of args"),
    )
    .await;
    w.check(
        "SINTERCARD 2 s1 s2 LIMIT -1",
        err("ERR LIMIT can't be negative"),
    )
    .await;
    w.check("SINTERCARD 2 s1 s2 FOO 1", SYNTAX).await;
    w.check(
        "SINTERCARD x s1",
        err("ERR numkeys should be greater than 0"),
    )
    .await;
    tracing::info!(
        "phase: SINTERSTORE SUNIONSTORE SDIFFSTORE replace the destination, or delete it on an empty result"
    );
    w.check("SINTERSTORE dst s1 s2", int(2)).await;
    w.check_unordered("SMEMBERS dst", &["c", "d"]).await;
    w.check("SET dst2 str EX 100", OK).await;
    w.check("SUNIONSTORE dst2 s2 s3", int(4)).await;
    w.check("TYPE dst2", "+set\r\n").await;
    w.check("TTL dst2", int(-1)).await;
    w.check_unordered("SMEMBERS dst2", &["c", "d", "e", "x"])
        .await;
    w.check("SDIFFSTORE dst s1 s2 s3", int(2)).await;
    w.check_unordered("SMEMBERS dst", &["a", "b"]).await;
    w.check("SINTERSTORE dst s1 nos", int(0)).await;
    w.check("EXISTS dst", int(0)).await;
    w.check("SDIFFSTORE dst2 nos s1", int(0)).await;
    w.check("EXISTS dst2", int(0)).await;
    w.check("SUNIONSTORE s1 s1 s3", int(5)).await;
    w.check_unordered("SMEMBERS s1", &["a", "b", "c", "d", "x"])
        .await;
    tracing::info!("phase: SMOVE");
    w.check("SADD m1 a b", int(2)).await;
    w.check("SADD m2 c", int(1)).await;
    w.check("SMOVE m1 m2 a", int(1)).await;
    w.check("SMOVE m1 m2 zz", int(0)).await;
    w.check("SMOVE nos m2 a", int(0)).await;
    w.check("SMOVE m1 m2 b", int(1)).await;
    w.check("EXISTS m1", int(0)).await;
    w.check_unordered("SMEMBERS m2", &["a", "b", "c"]).await;
    w.check("SMOVE m2 m2 c", int(1)).await;
    w.check("SMOVE m2 m2 zz", int(0)).await;
    w.check("SCARD m2", int(3)).await;
    tracing::info!("phase: SPOP SRANDMEMBER SSCAN on one-member sets (deterministic)");
    w.check("SPOP nos", NIL).await;
    w.check("SPOP nos 3", EMPTY).await;
    w.check("SRANDMEMBER nos", NIL).await;
    w.check("SRANDMEMBER nos 3", EMPTY).await;
    w.check("SRANDMEMBER nos -3", EMPTY).await;
    w.check("SADD one x", int(1)).await;
    w.check("SRANDMEMBER one", bulk("x")).await;
    w.check("SRANDMEMBER one -3", arr(&["x", "x", "x"])).await;
    w.check("SRANDMEMBER one 5", arr(&["x"])).await;
    w.check("SRANDMEMBER one 0", EMPTY).await;
    w.check("SRANDMEMBER one abc", NOT_INT).await;
    w.check("SRANDMEMBER one -9223372036854775808", err("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")).await;
    w.check("SPOP one 0", EMPTY).await;
    w.check(
        "SPOP one -1",
        err("ERR value is out of range, must be positive"),
    )
    .await;
    w.check(
        "SPOP one abc",
        err("ERR value is out of range, must be positive"),
    )
    .await;
    w.check("SSCAN one 0", "*2\r\n$1\r\n0\r\n*1\r\n$1\r\nx\r\n")
        .await;
    w.check("SSCAN nos 0", "*2\r\n$1\r\n0\r\n*0\r\n").await;
    w.check("SSCAN one 0 MATCH x", "*2\r\n$1\r\n0\r\n*1\r\n$1\r\nx\r\n")
        .await;
    w.check("SSCAN one 0 MATCH y*", "*2\r\n$1\r\n0\r\n*0\r\n")
        .await;
    w.check("SSCAN one 0 COUNT 0", SYNTAX).await;
    w.check("SSCAN one notanumber", err("ERR invalid cursor"))
        .await;
    w.check("SPOP one 5", arr(&["x"])).await;
    w.check("EXISTS one", int(0)).await;
    w.check("SADD one x", int(1)).await;
    w.check("SPOP one", bulk("x")).await;
    w.check("EXISTS one", int(0)).await;
    w.check_unordered("SRANDMEMBER m2 10", &["a", "b", "c"])
        .await;
    w.check_unordered("SPOP m2 10", &["a", "b", "c"]).await;
    w.check("EXISTS m2", int(0)).await;
    tracing::info!("phase: WRONGTYPE");
    w.check("SET str v", OK).await;
    w.check("SADD str a", WRONGTYPE).await;
    w.check("SREM str a", WRONGTYPE).await;
    w.check("SMEMBERS str", WRONGTYPE).await;
    w.check("SCARD str", WRONGTYPE).await;
    w.check("SISMEMBER str a", WRONGTYPE).await;
    w.check("SMISMEMBER str a", WRONGTYPE).await;
    w.check("SINTER s1 str", WRONGTYPE).await;
    w.check("SINTER str s1", WRONGTYPE).await;
    w.check("SINTER nos str", WRONGTYPE).await;
    w.check("SUNION s1 str", WRONGTYPE).await;
    w.check("SDIFF str s1", WRONGTYPE).await;
    w.check("SDIFF s1 str", WRONGTYPE).await;
    w.check("SDIFF nos str", WRONGTYPE).await;
    w.check("SINTERCARD 2 s1 str", WRONGTYPE).await;
    w.check("SINTERSTORE dst s1 str", WRONGTYPE).await;
    w.check("SUNIONSTORE str s1", int(5)).await;
    w.check("TYPE str", "+set\r\n").await;
    w.check_unordered("SMEMBERS str", &["a", "b", "c", "d", "x"])
        .await;
    w.check("SET str v", OK).await;
    w.check("SMOVE str s1 a", WRONGTYPE).await;
    w.check("SMOVE s1 str a", WRONGTYPE).await;
    w.check("SPOP str", WRONGTYPE).await;
    w.check("SRANDMEMBER str", WRONGTYPE).await;
    w.check("SSCAN str 0", WRONGTYPE).await;
    w.check("GET s1", WRONGTYPE).await;
    w.check("LPUSH s1 x", WRONGTYPE).await;
    w.check("HSET s1 f v", WRONGTYPE).await;
    tracing::info!("phase: arity");
    w.check(
        "SADD s",
        err("ERR wrong number of arguments for 'sadd' command"),
    )
    .await;
    w.check(
        "SREM s",
        err("ERR wrong number of arguments for 'srem' command"),
    )
    .await;
    w.check(
        "SINTER",
        err("ERR wrong number of arguments for 'sinter' command"),
    )
    .await;
    w.check(
        "SMOVE a b",
        err("ERR wrong number of arguments for 'smove' command"),
    )
    .await;
    w.check(
        "SINTERCARD 1",
        err("ERR wrong number of arguments for 'sintercard' command"),
    )
    .await;
    w.check(
        "SPOP",
        err("ERR wrong number of arguments for 'spop' command"),
    )
    .await;
    w.check("SPOP s 1 2", SYNTAX).await;
    w.check("SRANDMEMBER s 1 2", SYNTAX).await;
    w.check(
        "SSCAN s",
        err("ERR wrong number of arguments for 'sscan' command"),
    )
    .await;
    tracing::info!("phase: big sets: encodings, SSCAN pages, SRANDMEMBER, SPOP");
    let members: Vec<String> = (0..600).map(|i| i.to_string()).collect();
    let mut sadd = vec!["SADD", "ints"];
    sadd.extend(members[..100].iter().map(String::as_str));
    w.check_args(&sadd, int(100)).await;
    w.check("OBJECT ENCODING ints", bulk("intset")).await;
    let mut sadd = vec!["SADD", "big"];
    sadd.extend(members.iter().map(String::as_str));
    w.check_args(&sadd, int(600)).await;
    w.check("OBJECT ENCODING big", bulk("hashtable")).await;
    let all: BTreeSet<String> = members.iter().cloned().collect();
    let (scanned, calls) = w.scan_all(&["SSCAN", "big"], &["COUNT", "20"]).await;
    assert!(
        calls > 5,
        "SSCAN COUNT 20 of 600 members took {calls} calls"
    );
    assert_eq!(
        scanned.into_iter().collect::<BTreeSet<_>>(),
        all,
        "SSCAN returns every member"
    );
    let (matched, _) = w
        .scan_all(&["SSCAN", "big"], &["MATCH", "5?", "COUNT", "100"])
        .await;
    assert_eq!(
        matched.into_iter().collect::<BTreeSet<_>>(),
        (50..60).map(|i| i.to_string()).collect::<BTreeSet<_>>(),
        "SSCAN MATCH 5?"
    );
    let some = w.value("SRANDMEMBER big 10").await.texts();
    assert_eq!(some.iter().collect::<BTreeSet<_>>().len(), 10, "{some:?}");
    assert!(some.iter().all(|m| all.contains(m)), "{some:?}");
    let repeated = w.value("SRANDMEMBER big -10").await.texts();
    assert_eq!(repeated.len(), 10);
    assert!(repeated.iter().all(|m| all.contains(m)), "{repeated:?}");
    let popped = w.value("SPOP big 10").await.texts();
    assert_eq!(
        popped.iter().collect::<BTreeSet<_>>().len(),
        10,
        "{popped:?}"
    );
    w.check("SCARD big", int(590)).await;
    for m in &popped {
        assert!(all.contains(m), "SPOP returned {m}, not a member");
        w.check_args(&["SISMEMBER", "big", m], int(0)).await;
    }
    let one = w.value("SPOP big").await.text();
    w.check_args(&["SISMEMBER", "big", &one], int(0)).await;
    w.check("SCARD big", int(589)).await;
    // SPOP of most of a set (Redis picks the members to keep instead).
    let popped = w.value("SPOP ints 95").await.texts();
    assert_eq!(
        popped.iter().collect::<BTreeSet<_>>().len(),
        95,
        "{popped:?}"
    );
    let left = w.value("SMEMBERS ints").await.texts();
    assert_eq!(left.len(), 5);
    let mut union: Vec<String> = popped.into_iter().chain(left).collect();
    union.sort_by_key(|m| m.parse::<u32>().expect("integer member"));
    assert_eq!(
        union,
        members[..100].to_vec(),
        "popped and left are the set"
    );

    let mut w3 = Wire::connect(&cluster.gateway_addr()).await;
    w3.hello3().await;
    tracing::info!("phase: RESP3: set replies are ~, SPOP of nothing is _");
    w3.check("SADD r3:s a", int(1)).await;
    w3.check("SMEMBERS r3:s", "~1\r\n$1\r\na\r\n").await;
    w3.check("SMEMBERS r3:nos", "~0\r\n").await;
    w3.check("SINTER r3:s r3:nos", "~0\r\n").await;
    w3.check("SUNION r3:s", "~1\r\n$1\r\na\r\n").await;
    w3.check("SDIFF r3:s", "~1\r\n$1\r\na\r\n").await;
    w3.check("SPOP r3:nos", NULL).await;
    w3.check("SPOP r3:nos 2", "~0\r\n").await;
    w3.check("SRANDMEMBER r3:nos", NULL).await;
    w3.check("SRANDMEMBER r3:nos 2", EMPTY).await;
    w3.check("SRANDMEMBER r3:s 1", arr(&["a"])).await;
    w3.check("SMISMEMBER r3:s a b", "*2\r\n:1\r\n:0\r\n").await;
    w3.check("SSCAN r3:s 0", "*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n")
        .await;
    w3.check("MULTI", OK).await;
    w3.check("SMEMBERS r3:s", QUEUED).await;
    w3.check("SPOP r3:nos", QUEUED).await;
    w3.check("SCARD r3:s", QUEUED).await;
    w3.check("EXEC", "*3\r\n~1\r\n$1\r\na\r\n_\r\n:1\r\n").await;
    w3.check("SPOP r3:s 5", "~1\r\n$1\r\na\r\n").await;
    w3.finish().await;
    w.finish().await;
}

/// UNLINK RENAME RENAMENX COPY MOVE SWAPDB KEYS SCAN RANDOMKEY TOUCH EXPIREAT PEXPIREAT EXPIRETIME
/// PEXPIRETIME OBJECT; SCAN of 500 keys while keys are deleted and added.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_and_scan() {
    let (cluster, mut w) = start().await;
    tracing::info!("phase: UNLINK");
    w.check("SET a 1", OK).await;
    w.check("RPUSH b x", int(1)).await;
    w.check("UNLINK a b nokey", int(2)).await;
    w.check("UNLINK a", int(0)).await;
    w.check("EXISTS a b", int(0)).await;
    tracing::info!("phase: RENAME RENAMENX keep the value and its TTL, for every type");
    w.check("SET src v", OK).await;
    w.check("RENAME src dst", OK).await;
    w.check("GET dst", bulk("v")).await;
    w.check("EXISTS src", int(0)).await;
    w.check("RENAME nokey x", err("ERR no such key")).await;
    w.check("RENAMENX nokey x", err("ERR no such key")).await;
    w.check("RENAME dst dst", OK).await;
    w.check("RENAMENX dst dst", int(0)).await;
    w.check("SET other o", OK).await;
    w.check("RENAMENX dst other", int(0)).await;
    w.check("GET other", bulk("o")).await;
    w.check("RENAMENX dst fresh", int(1)).await;
    w.check("GET fresh", bulk("v")).await;
    w.check("SET e v EX 100", OK).await;
    w.check("SET e2 w", OK).await;
    w.check("RENAME e e2", OK).await;
    w.check_int_in("TTL e2", 94..=100).await;
    w.check("RPUSH lst a b", int(2)).await;
    w.check("RENAME lst lst2", OK).await;
    w.check("LRANGE lst2 0 -1", arr(&["a", "b"])).await;
    w.check("HSET h f v", int(1)).await;
    w.check("EXPIRE h 100", int(1)).await;
    w.check("RENAME h h2", OK).await;
    w.check("HGETALL h2", arr(&["f", "v"])).await;
    w.check_int_in("TTL h2", 94..=100).await;
    w.check("SADD st m", int(1)).await;
    w.check("RENAME st lst2", OK).await;
    w.check("TYPE lst2", "+set\r\n").await;
    w.check("SMEMBERS lst2", arr(&["m"])).await;
    tracing::info!("phase: COPY");
    w.check("RPUSH lst a b", int(2)).await;
    w.check("COPY lst lst3", int(1)).await;
    w.check("LRANGE lst3 0 -1", arr(&["a", "b"])).await;
    w.check("RPUSH lst3 c", int(3)).await;
    w.check("LRANGE lst 0 -1", arr(&["a", "b"])).await;
    w.check("COPY lst lst3", int(0)).await;
    w.check("COPY lst lst3 REPLACE", int(1)).await;
    w.check("LRANGE lst3 0 -1", arr(&["a", "b"])).await;
    w.check("COPY nokey z", int(0)).await;
    w.check("COPY h2 h3", int(1)).await;
    w.check_int_in("TTL h3", 94..=100).await;
    w.check("COPY lst lst4 DB 1", int(1)).await;
    w.check("COPY lst lst4 DB 16", err("ERR DB index is out of range"))
        .await;
    w.check("COPY lst lst4 DB -1", err("ERR DB index is out of range"))
        .await;
    w.check("COPY lst lst4 DB x", NOT_INT).await;
    w.check("COPY lst lst4 FOO", SYNTAX).await;
    w.check(
        "COPY lst lst",
        err("ERR source and destination objects are the same"),
    )
    .await;
    w.check(
        "COPY lst lst REPLACE",
        err("ERR source and destination objects are the same"),
    )
    .await;
    w.check(
        "COPY lst lst DB 0",
        err("ERR source and destination objects are the same"),
    )
    .await;
    w.check("SELECT 1", OK).await;
    w.check("LRANGE lst4 0 -1", arr(&["a", "b"])).await;
    w.check("COPY lst4 lst DB 0", int(0)).await;
    w.check("SELECT 0", OK).await;
    tracing::info!("phase: MOVE");
    w.check("SET mv v", OK).await;
    w.check("MOVE mv 1", int(1)).await;
    w.check("EXISTS mv", int(0)).await;
    w.check("MOVE mv 1", int(0)).await;
    w.check("MOVE nokey 1", int(0)).await;
    w.check("SET mv v", OK).await;
    w.check("MOVE mv 1", int(0)).await;
    w.check("GET mv", bulk("v")).await;
    w.check(
        "MOVE mv 0",
        err("ERR source and destination objects are the same"),
    )
    .await;
    w.check("MOVE mv 16", err("ERR DB index is out of range"))
        .await;
    w.check("MOVE mv x", NOT_INT).await;
    w.check("SELECT 1", OK).await;
    w.check("GET mv", bulk("v")).await;
    w.check("DEL mv lst4", int(2)).await;
    w.check("SELECT 0", OK).await;
    tracing::info!("phase: SWAPDB");
    w.check("SET s0 zero", OK).await;
    w.check("SELECT 1", OK).await;
    w.check("SET s1 one", OK).await;
    w.check("SELECT 0", OK).await;
    w.check("SWAPDB 0 1", OK).await;
    w.check("GET s0", NIL).await;
    w.check("GET s1", bulk("one")).await;
    w.check("SWAPDB 1 0", OK).await;
    w.check("GET s0", bulk("zero")).await;
    w.check("SWAPDB 0 16", err("ERR DB index is out of range"))
        .await;
    w.check("SWAPDB x 1", err("ERR invalid first DB index"))
        .await;
    w.check("SWAPDB 0 -1", err("ERR DB index is out of range"))
        .await;
    w.check("SWAPDB 0 0", OK).await;
    w.check("GET s0", bulk("zero")).await;
    tracing::info!("phase: TOUCH");
    w.check("TOUCH fresh nokey other fresh", int(3)).await;
    w.check("TOUCH nokey", int(0)).await;
    tracing::info!("phase: EXPIREAT PEXPIREAT EXPIRETIME PEXPIRETIME");
    w.check("SET exk v", OK).await;
    w.check("EXPIRETIME exk", int(-1)).await;
    w.check("PEXPIRETIME exk", int(-1)).await;
    w.check("EXPIRETIME nokey", int(-2)).await;
    w.check("PEXPIRETIME nokey", int(-2)).await;
    w.check("EXPIREAT exk 4102444800", int(1)).await;
    w.check("EXPIRETIME exk", int(4102444800)).await;
    w.check("PEXPIRETIME exk", int(4102444800000)).await;
    w.check("PEXPIREAT exk 4102444800123", int(1)).await;
    w.check("PEXPIRETIME exk", int(4102444800123)).await;
    w.check("EXPIRETIME exk", int(4102444800)).await;
    w.check("EXPIREAT exk 4102444800 NX", int(0)).await;
    w.check("EXPIREAT exk 4102444801 XX", int(1)).await;
    w.check("EXPIREAT exk 4102444700 GT", int(0)).await;
    w.check("EXPIREAT exk 4102444700 LT", int(1)).await;
    w.check("EXPIRETIME exk", int(4102444700)).await;
    w.check("PERSIST exk", int(1)).await;
    w.check("EXPIREAT exk 4102444700 GT", int(0)).await;
    w.check("EXPIREAT exk 4102444700 NX", int(1)).await;
    w.check("EXPIREAT exk 1", int(1)).await;
    w.check("EXISTS exk", int(0)).await;
    w.check("SET exk v", OK).await;
    w.check("PEXPIREAT exk 1000", int(1)).await;
    w.check("GET exk", NIL).await;
    w.check("EXPIREAT nokey 4102444800", int(0)).await;
    w.check("EXPIREAT fresh abc", NOT_INT).await;
    w.check(
        "EXPIREAT fresh 100 NX XX",
        err("ERR NX and XX, GT or LT options at the same time are not compatible"),
    )
    .await;
    w.check(
        "EXPIREAT fresh 100 GT LT",
        err("ERR GT and LT options at the same time are not compatible"),
    )
    .await;
    w.check("PEXPIREAT fresh 9223372036854775807", int(1)).await;
    w.check(
        "EXPIREAT fresh 9223372036854775807",
        err("ERR invalid expire time in 'expireat' command"),
    )
    .await;
    w.check(
        "EXPIREAT fresh -9223372036854775808",
        err("ERR invalid expire time in 'expireat' command"),
    )
    .await;
    tracing::info!("phase: OBJECT ENCODING of every type");
    w.check("OBJECT ENCODING fresh", bulk("embstr")).await;
    w.check("SET num 123", OK).await;
    w.check("OBJECT ENCODING num", bulk("int")).await;
    w.check(
        "SET longstr aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        OK,
    )
    .await;
    w.check("OBJECT ENCODING longstr", bulk("raw")).await;
    w.check("OBJECT ENCODING lst", bulk("quicklist")).await;
    w.check("HSET hsh a b", int(1)).await;
    w.check("OBJECT ENCODING hsh", bulk("listpack")).await;
    w.check("SADD iset 1 2 3", int(3)).await;
    w.check("OBJECT ENCODING iset", bulk("intset")).await;
    w.check("SADD sset a b", int(2)).await;
    w.check("OBJECT ENCODING sset", bulk("hashtable")).await;
    w.check("OBJECT ENCODING nokey", NIL).await;
    w.check("OBJECT REFCOUNT num", int(2147483647)).await;
    w.check("OBJECT REFCOUNT nokey", NIL).await;
    w.check("OBJECT FREQ fresh", err("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")).await;
    w.check(
        "OBJECT NOSUCH fresh",
        err("ERR unknown subcommand 'NOSUCH'. Try OBJECT HELP."),
    )
    .await;
    w.check(
        "OBJECT ENCODING",
        err("ERR wrong number of arguments for 'object|encoding' command"),
    )
    .await;
    w.check(
        "OBJECT ENCODING a b",
        err("ERR wrong number of arguments for 'object|encoding' command"),
    )
    .await;
    tracing::info!("phase: KEYS RANDOMKEY and small SCANs");
    w.check("FLUSHDB", OK).await;
    w.check("RANDOMKEY", NIL).await;
    w.check("KEYS *", EMPTY).await;
    w.check("SCAN 0", "*2\r\n$1\r\n0\r\n*0\r\n").await;
    w.check("SET only v", OK).await;
    w.check("RANDOMKEY", bulk("only")).await;
    w.check("KEYS *", arr(&["only"])).await;
    w.check("SCAN 0", "*2\r\n$1\r\n0\r\n*1\r\n$4\r\nonly\r\n")
        .await;
    w.check("MSET k1 a k2 b kx c k10 d", OK).await;
    w.check_unordered("KEYS k?", &["k1", "k2", "kx"]).await;
    w.check_unordered("KEYS k[12]", &["k1", "k2"]).await;
    w.check_unordered("KEYS k*0", &["k10"]).await;
    w.check_unordered("KEYS *", &["k1", "k10", "k2", "kx", "only"])
        .await;
    w.check("KEYS nomatch*", EMPTY).await;
    w.check("RPUSH klist a", int(1)).await;
    w.check("SADD kset a", int(1)).await;
    w.check_scan(
        "SCAN 0 COUNT 1000",
        "0",
        &["k1", "k10", "k2", "klist", "kset", "kx", "only"],
    )
    .await;
    w.check_scan("SCAN 0 MATCH k? COUNT 1000", "0", &["k1", "k2", "kx"])
        .await;
    w.check_scan(
        "SCAN 0 TYPE string COUNT 1000",
        "0",
        &["k1", "k10", "k2", "kx", "only"],
    )
    .await;
    w.check_scan("SCAN 0 TYPE list COUNT 1000", "0", &["klist"])
        .await;
    w.check_scan("SCAN 0 TYPE LIST MATCH k* COUNT 1000", "0", &["klist"])
        .await;
    w.check_scan("SCAN 0 TYPE zset COUNT 1000", "0", &[]).await;
    w.check_scan("SCAN 0 TYPE nosuchtype COUNT 1000", "0", &[])
        .await;
    w.check("SCAN abc", err("ERR invalid cursor")).await;
    w.check("SCAN 0 COUNT 0", SYNTAX).await;
    w.check("SCAN 0 COUNT x", NOT_INT).await;
    w.check("SCAN 0 FOO bar", SYNTAX).await;
    w.check("SCAN 0 MATCH", SYNTAX).await;
    tracing::info!("phase: WRONGTYPE is not an issue for key commands; arity");
    w.check("RENAME klist kset", OK).await;
    w.check("TYPE kset", "+list\r\n").await;
    w.check(
        "SCAN",
        err("ERR wrong number of arguments for 'scan' command"),
    )
    .await;
    w.check(
        "RENAME a",
        err("ERR wrong number of arguments for 'rename' command"),
    )
    .await;
    w.check(
        "COPY a",
        err("ERR wrong number of arguments for 'copy' command"),
    )
    .await;
    w.check(
        "MOVE a",
        err("ERR wrong number of arguments for 'move' command"),
    )
    .await;
    w.check(
        "SWAPDB 0",
        err("ERR wrong number of arguments for 'swapdb' command"),
    )
    .await;
    w.check(
        "EXPIREAT a",
        err("ERR wrong number of arguments for 'expireat' command"),
    )
    .await;
    w.check(
        "EXPIRETIME",
        err("ERR wrong number of arguments for 'expiretime' command"),
    )
    .await;
    w.check(
        "KEYS",
        err("ERR wrong number of arguments for 'keys' command"),
    )
    .await;
    w.check(
        "RANDOMKEY x",
        err("ERR wrong number of arguments for 'randomkey' command"),
    )
    .await;
    w.check(
        "OBJECT",
        err("ERR wrong number of arguments for 'object' command"),
    )
    .await;
    w.check(
        "TOUCH",
        err("ERR wrong number of arguments for 'touch' command"),
    )
    .await;
    w.check(
        "UNLINK",
        err("ERR wrong number of arguments for 'unlink' command"),
    )
    .await;
    tracing::info!("phase: SWAPDB is seen by every connection");
    {
        let mut other = Wire::connect(&cluster.gateway_addr()).await;
        other.check("SELECT 1", OK).await;
        other.check("SET swapped one", OK).await;
        w.check("SELECT 0", OK).await;
        w.check("SET swapped zero", OK).await;
        w.check("SWAPDB 0 1", OK).await;
        other.check("GET swapped", bulk("zero")).await;
        w.check("GET swapped", bulk("one")).await;
        w.check("SWAPDB 0 1", OK).await;
        other.check("GET swapped", bulk("one")).await;
        w.check("GET swapped", bulk("zero")).await;
        other.finish().await;
    }

    tracing::info!("phase: SCAN COUNT 50 over 500 keys while keys are deleted and added");
    w.check("FLUSHALL", OK).await;
    let mut mset = vec!["MSET".to_string()];
    for i in 0..500 {
        mset.push(format!("scan:{i}"));
        mset.push(i.to_string());
    }
    w.check_args(&mset.iter().map(String::as_str).collect::<Vec<_>>(), OK)
        .await;
    // Every seventh key is deleted during the scan, eight per call; keys are added too.
    let mut doomed: Vec<String> = (0..500)
        .filter(|i| i % 7 == 0)
        .map(|i| format!("scan:{i}"))
        .collect();
    let stable: BTreeSet<String> = (0..500)
        .filter(|i| i % 7 != 0)
        .map(|i| format!("scan:{i}"))
        .collect();
    let mut ever: BTreeSet<String> = (0..500).map(|i| format!("scan:{i}")).collect();
    let mut seen = BTreeSet::new();
    let mut cursor = "0".to_string();
    let mut calls = 0;
    loop {
        let (next, keys) = w.scan_page(&["SCAN", &cursor, "COUNT", "50"]).await;
        calls += 1;
        assert!(
            keys.len() <= 100,
            "SCAN COUNT 50 returned {} keys",
            keys.len()
        );
        seen.extend(keys);
        if next == "0" {
            break;
        }
        assert!(calls < 200, "SCAN does not end (cursor {next})");
        cursor = next;
        let batch: Vec<String> = doomed.drain(..doomed.len().min(8)).collect();
        if !batch.is_empty() {
            let mut del = vec!["DEL"];
            del.extend(batch.iter().map(String::as_str));
            w.check_args(&del, int(batch.len() as i64)).await;
        }
        let mut add = vec!["MSET".to_string()];
        for j in 0..5 {
            let key = format!("scan:new:{calls}:{j}");
            ever.insert(key.clone());
            add.push(key);
            add.push("x".to_string());
        }
        w.check_args(&add.iter().map(String::as_str).collect::<Vec<_>>(), OK)
            .await;
    }
    tracing::info!(calls, seen = seen.len(), "SCAN done");
    assert!(
        calls >= 5,
        "SCAN COUNT 50 of 500 keys took only {calls} calls"
    );
    let missing: Vec<&String> = stable.difference(&seen).collect();
    assert!(
        missing.is_empty(),
        "SCAN missed {} keys present throughout: {missing:?}",
        missing.len()
    );
    let unknown: Vec<&String> = seen.difference(&ever).collect();
    assert!(
        unknown.is_empty(),
        "SCAN returned unknown keys: {unknown:?}"
    );

    tracing::info!("phase: a full SCAN without writes returns exactly KEYS *");
    let keys: BTreeSet<String> = w.value("KEYS *").await.texts().into_iter().collect();
    w.check("DBSIZE", int(keys.len() as i64)).await;
    let (scanned, calls) = w.scan_all(&["SCAN"], &["COUNT", "50"]).await;
    assert!(calls >= 5, "{calls} calls");
    let scanned_set: BTreeSet<String> = scanned.iter().cloned().collect();
    assert_eq!(scanned_set, keys, "SCAN of an unchanged database");
    let (matched, _) = w
        .scan_all(&["SCAN"], &["MATCH", "scan:1??", "COUNT", "50"])
        .await;
    let expected: BTreeSet<String> = keys
        .iter()
        .filter(|k| k.len() == 8 && k.starts_with("scan:1"))
        .cloned()
        .collect();
    assert_eq!(
        matched.into_iter().collect::<BTreeSet<_>>(),
        expected,
        "SCAN MATCH scan:1??"
    );
    w.check("RPUSH scan:list a", int(1)).await;
    let (typed, _) = w
        .scan_all(&["SCAN"], &["TYPE", "list", "COUNT", "50"])
        .await;
    assert_eq!(typed, vec!["scan:list".to_string()], "SCAN TYPE list");
    let random = w.value("RANDOMKEY").await.text();
    assert!(
        keys.contains(&random) || random == "scan:list",
        "RANDOMKEY returned {random}"
    );

    let mut w3 = Wire::connect(&cluster.gateway_addr()).await;
    w3.hello3().await;
    tracing::info!("phase: RESP3: key commands");
    w3.check("SELECT 9", OK).await;
    w3.check("RANDOMKEY", NULL).await;
    w3.check("OBJECT ENCODING r3:nokey", NULL).await;
    w3.check("OBJECT REFCOUNT r3:nokey", NULL).await;
    w3.check("EXPIRETIME r3:nokey", int(-2)).await;
    w3.check("KEYS *", EMPTY).await;
    w3.check("SCAN 0", "*2\r\n$1\r\n0\r\n*0\r\n").await;
    w3.check("SET r3:k v", OK).await;
    w3.check("RANDOMKEY", bulk("r3:k")).await;
    w3.check("TYPE r3:k", "+string\r\n").await;
    w3.check("SELECT 0", OK).await;
    w3.finish().await;
    w.finish().await;
}

/// GETEX GETDEL GETSET SETNX SETEX PSETEX MSETNX APPEND STRLEN GETRANGE SUBSTR SETRANGE INCRBYFLOAT
/// LCS; RESP3 nulls and maps.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strings_more() {
    let (cluster, mut w) = start().await;
    tracing::info!("phase: GETEX");
    w.check("SET k v", OK).await;
    w.check("GETEX k", bulk("v")).await;
    w.check("TTL k", int(-1)).await;
    w.check("GETEX k EX 100", bulk("v")).await;
    w.check_int_in("TTL k", 94..=100).await;
    w.check("GETEX k PERSIST", bulk("v")).await;
    w.check("TTL k", int(-1)).await;
    w.check("GETEX k PX 50000", bulk("v")).await;
    w.check_int_in("PTTL k", 47499..=50000).await;
    w.check("GETEX k EXAT 4102444800", bulk("v")).await;
    w.check("EXPIRETIME k", int(4102444800)).await;
    w.check("GETEX k PXAT 4102444800123", bulk("v")).await;
    w.check("PEXPIRETIME k", int(4102444800123)).await;
    w.check("GETEX k ex 200", bulk("v")).await;
    w.check_int_in("TTL k", 189..=200).await;
    w.check(
        "GETEX k EX 0",
        err("ERR invalid expire time in 'getex' command"),
    )
    .await;
    w.check(
        "GETEX k EX -1",
        err("ERR invalid expire time in 'getex' command"),
    )
    .await;
    w.check(
        "GETEX k PX 0",
        err("ERR invalid expire time in 'getex' command"),
    )
    .await;
    w.check("GETEX k EX abc", NOT_INT).await;
    w.check("GETEX k EX 10 PX 10", SYNTAX).await;
    w.check("GETEX k PERSIST EX 10", SYNTAX).await;
    w.check("GETEX k EX", SYNTAX).await;
    w.check("GETEX k FOO", SYNTAX).await;
    w.check(
        "GETEX k EX 9223372036854775807",
        err("ERR invalid expire time in 'getex' command"),
    )
    .await;
    w.check_int_in("TTL k", 189..=200).await;
    w.check("GETEX nokey EX 10", NIL).await;
    w.check("GETEX nokey", NIL).await;
    w.check("GETEX k EXAT 1", bulk("v")).await;
    w.check("EXISTS k", int(0)).await;
    tracing::info!("phase: GETDEL GETSET SETNX SETEX PSETEX MSETNX");
    w.check("SET k v EX 100", OK).await;
    w.check("GETDEL k", bulk("v")).await;
    w.check("GETDEL k", NIL).await;
    w.check("EXISTS k", int(0)).await;
    w.check("GETSET g new", NIL).await;
    w.check("GETSET g newer", bulk("new")).await;
    w.check("GET g", bulk("newer")).await;
    w.check("SET g2 v EX 100", OK).await;
    w.check("GETSET g2 w", bulk("v")).await;
    w.check("TTL g2", int(-1)).await;
    w.check("SETNX n a", int(1)).await;
    w.check("SETNX n b", int(0)).await;
    w.check("GET n", bulk("a")).await;
    w.check("SETEX se 100 v", OK).await;
    w.check_int_in("TTL se", 94..=100).await;
    w.check(
        "SETEX se 0 v",
        err("ERR invalid expire time in 'setex' command"),
    )
    .await;
    w.check(
        "SETEX se -1 v",
        err("ERR invalid expire time in 'setex' command"),
    )
    .await;
    w.check("SETEX se abc v", NOT_INT).await;
    w.check(
        "SETEX se 9223372036854775807 v",
        err("ERR invalid expire time in 'setex' command"),
    )
    .await;
    w.check("GET se", bulk("v")).await;
    w.check("PSETEX pe 100000 v", OK).await;
    w.check_int_in("PTTL pe", 94999..=100000).await;
    w.check(
        "PSETEX pe 0 v",
        err("ERR invalid expire time in 'psetex' command"),
    )
    .await;
    w.check(
        "PSETEX pe -5 v",
        err("ERR invalid expire time in 'psetex' command"),
    )
    .await;
    w.check("MSETNX m1 a m2 b", int(1)).await;
    w.check("MGET m1 m2", arr(&["a", "b"])).await;
    w.check("MSETNX m2 x m3 y", int(0)).await;
    w.check("EXISTS m3", int(0)).await;
    w.check("GET m2", bulk("b")).await;
    w.check("MSETNX m4 a m4 b", int(1)).await;
    w.check("GET m4", bulk("b")).await;
    tracing::info!("phase: APPEND STRLEN GETRANGE SUBSTR SETRANGE");
    w.check("APPEND ap Hello", int(5)).await;
    w.check_args(&["APPEND", "ap", " World"], int(11)).await;
    w.check("GET ap", bulk("Hello World")).await;
    w.check("STRLEN ap", int(11)).await;
    w.check("STRLEN nokey", int(0)).await;
    w.check_args(&["APPEND", "ap", ""], int(11)).await;
    w.check("SET num 10", OK).await;
    w.check("APPEND num 5", int(3)).await;
    w.check("GET num", bulk("105")).await;
    w.check("INCR num", int(106)).await;
    w.check("SET t v EX 100", OK).await;
    w.check("APPEND t w", int(2)).await;
    w.check_int_in("TTL t", 94..=100).await;
    w.check("GETRANGE ap 0 4", bulk("Hello")).await;
    w.check("GETRANGE ap -5 -1", bulk("World")).await;
    w.check("GETRANGE ap 0 -1", bulk("Hello World")).await;
    w.check("GETRANGE ap -1 -5", bulk("")).await;
    w.check("GETRANGE ap 5 3", bulk("")).await;
    w.check("GETRANGE ap 100 200", bulk("")).await;
    w.check("GETRANGE ap -100 2", bulk("Hel")).await;
    w.check("GETRANGE ap 10 100", bulk("d")).await;
    w.check("GETRANGE nokey 0 -1", bulk("")).await;
    w.check("GETRANGE ap a 1", NOT_INT).await;
    w.check("SUBSTR ap 0 4", bulk("Hello")).await;
    w.check("SUBSTR ap -3 -1", bulk("rld")).await;
    w.check("SETRANGE sr 5 abc", int(8)).await;
    w.check("GET sr", bulk("\x00\x00\x00\x00\x00abc")).await;
    w.check("STRLEN sr", int(8)).await;
    w.check("SETRANGE ap 6 Redis", int(11)).await;
    w.check("GET ap", bulk("Hello Redis")).await;
    w.check("SETRANGE ap 11 !", int(12)).await;
    w.check("GET ap", bulk("Hello Redis!")).await;
    w.check("SETRANGE ap -1 x", err("ERR offset is out of range"))
        .await;
    w.check_args(&["SETRANGE", "nokey", "0", ""], int(0)).await;
    w.check_args(&["SETRANGE", "nokey", "5", ""], int(0)).await;
    w.check("EXISTS nokey", int(0)).await;
    w.check_args(&["SETRANGE", "ap", "0", ""], int(12)).await;
    w.check(
        "SETRANGE ap 536870912 x",
        err("ERR string exceeds maximum allowed size (proto-max-bulk-len)"),
    )
    .await;
    w.check_args(&["SETRANGE", "ap", "536870911", ""], int(12))
        .await;
    w.check("SETRANGE ap x y", NOT_INT).await;
    w.check("GET ap", bulk("Hello Redis!")).await;
    tracing::info!("phase: INCRBYFLOAT");
    w.check("SET f 10.50", OK).await;
    w.check("INCRBYFLOAT f 0.1", bulk("10.6")).await;
    w.check("INCRBYFLOAT f -5", bulk("5.6")).await;
    w.check("INCRBYFLOAT f 2.0e2", bulk("205.60000000000000001"))
        .await;
    w.check("GET f", bulk("205.60000000000000001")).await;
    w.check("INCRBYFLOAT nof 3", bulk("3")).await;
    w.check("INCRBYFLOAT nof2 -0.25", bulk("-0.25")).await;
    w.check("INCRBYFLOAT f abc", err("ERR value is not a valid float"))
        .await;
    w.check(
        "INCRBYFLOAT f inf",
        err("ERR increment would produce NaN or Infinity"),
    )
    .await;
    w.check(
        "INCRBYFLOAT f -inf",
        err("ERR increment would produce NaN or Infinity"),
    )
    .await;
    w.check("INCRBYFLOAT f nan", err("ERR value is not a valid float"))
        .await;
    w.check_args(
        &["INCRBYFLOAT", "f", ""],
        err("ERR value is not a valid float"),
    )
    .await;
    w.check("SET f2 5.0e3", OK).await;
    w.check("INCRBYFLOAT f2 2.0e2", bulk("5200")).await;
    w.check("SET f3 1e308", OK).await;
    w.check("INCRBYFLOAT f3 1e308", bulk("199999999999999999993371759311691291321120199694831134415594095989843469737676123744200253843777078640893494450108026446304269499187921167194841628860392837535918200039206381557326219209014213335878306791577877829121087126122536729803237260434173178506889763247582601711514636284849020905456510092687857156096")).await;
    w.check("SET f4 abc", OK).await;
    w.check("INCRBYFLOAT f4 1", err("ERR value is not a valid float"))
        .await;
    w.check("SET f5 3", OK).await;
    w.check("INCRBYFLOAT f5 1.1", bulk("4.1")).await;
    w.check("INCRBYFLOAT f5 -4.1", bulk("0")).await;
    w.check("INCRBYFLOAT f5 0.000000000000000001", bulk("0"))
        .await;
    w.check_args(&["SET", "f6", " 1"], OK).await;
    w.check("INCRBYFLOAT f6 1", err("ERR value is not a valid float"))
        .await;
    w.check("SET f7 1 EX 100", OK).await;
    w.check("INCRBYFLOAT f7 1", bulk("2")).await;
    w.check_int_in("TTL f7", 94..=100).await;
    tracing::info!("phase: LCS");
    w.check("MSET key1 ohmytext key2 mynewtext", OK).await;
    w.check("LCS key1 key2", bulk("mytext")).await;
    w.check("LCS key1 key2 LEN", int(6)).await;
    w.check("LCS key1 key2 IDX", "*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n").await;
    w.check("LCS key1 key2 IDX MINMATCHLEN 4", "*4\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n$3\r\nlen\r\n:6\r\n").await;
    w.check("LCS key1 key2 IDX MINMATCHLEN 4 WITHMATCHLEN", "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n").await;
    w.check("LCS key1 key2 IDX WITHMATCHLEN", "*4\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n").await;
    w.check(
        "LCS key1 key2 IDX LEN",
        err("ERR If you want both the length and indexes, please just use IDX."),
    )
    .await;
    w.check(
        "LCS key1 key2 LEN IDX",
        err("ERR If you want both the length and indexes, please just use IDX."),
    )
    .await;
    w.check("LCS key1 nokey", bulk("")).await;
    w.check("LCS nokey nokey2 LEN", int(0)).await;
    w.check(
        "LCS nokey nokey2 IDX",
        "*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n",
    )
    .await;
    w.check("LCS key1 key1", bulk("ohmytext")).await;
    w.check("LCS key1 key2 FOO", SYNTAX).await;
    w.check("LCS key1 key2 MINMATCHLEN x", NOT_INT).await;
    w.check("LCS key1 key2 MINMATCHLEN -1", bulk("mytext"))
        .await;
    tracing::info!("phase: WRONGTYPE");
    w.check("RPUSH lst a", int(1)).await;
    w.check("GETEX lst", WRONGTYPE).await;
    w.check("GETDEL lst", WRONGTYPE).await;
    w.check("GETSET lst x", WRONGTYPE).await;
    w.check("APPEND lst x", WRONGTYPE).await;
    w.check("STRLEN lst", WRONGTYPE).await;
    w.check("GETRANGE lst 0 1", WRONGTYPE).await;
    w.check("SUBSTR lst 0 1", WRONGTYPE).await;
    w.check("SETRANGE lst 0 x", WRONGTYPE).await;
    w.check_args(&["SETRANGE", "lst", "0", ""], WRONGTYPE).await;
    w.check("INCRBYFLOAT lst 1", WRONGTYPE).await;
    w.check(
        "LCS key1 lst",
        err("ERR The specified keys must contain string values"),
    )
    .await;
    w.check(
        "LCS lst key1",
        err("ERR The specified keys must contain string values"),
    )
    .await;
    w.check("SETNX lst x", int(0)).await;
    w.check("MSETNX lst x", int(0)).await;
    w.check("LRANGE lst 0 -1", arr(&["a"])).await;
    w.check("SETEX lst 10 x", OK).await;
    w.check("GET lst", bulk("x")).await;
    tracing::info!("phase: arity");
    w.check(
        "GETEX",
        err("ERR wrong number of arguments for 'getex' command"),
    )
    .await;
    w.check(
        "GETDEL a b",
        err("ERR wrong number of arguments for 'getdel' command"),
    )
    .await;
    w.check(
        "GETSET a",
        err("ERR wrong number of arguments for 'getset' command"),
    )
    .await;
    w.check(
        "SETNX a",
        err("ERR wrong number of arguments for 'setnx' command"),
    )
    .await;
    w.check(
        "SETEX a 1",
        err("ERR wrong number of arguments for 'setex' command"),
    )
    .await;
    w.check(
        "PSETEX a 1",
        err("ERR wrong number of arguments for 'psetex' command"),
    )
    .await;
    w.check(
        "MSETNX",
        err("ERR wrong number of arguments for 'msetnx' command"),
    )
    .await;
    w.check(
        "APPEND a",
        err("ERR wrong number of arguments for 'append' command"),
    )
    .await;
    w.check(
        "STRLEN",
        err("ERR wrong number of arguments for 'strlen' command"),
    )
    .await;
    w.check(
        "GETRANGE a 0",
        err("ERR wrong number of arguments for 'getrange' command"),
    )
    .await;
    w.check(
        "SUBSTR a 0",
        err("ERR wrong number of arguments for 'substr' command"),
    )
    .await;
    w.check(
        "SETRANGE a 0",
        err("ERR wrong number of arguments for 'setrange' command"),
    )
    .await;
    w.check(
        "INCRBYFLOAT a",
        err("ERR wrong number of arguments for 'incrbyfloat' command"),
    )
    .await;
    w.check(
        "LCS a",
        err("ERR wrong number of arguments for 'lcs' command"),
    )
    .await;
    let mut w3 = Wire::connect(&cluster.gateway_addr()).await;
    w3.hello3().await;
    tracing::info!(
        "phase: RESP3: missing strings are _, INCRBYFLOAT stays a bulk string, LCS IDX is a map"
    );
    w3.check("GET r3:nokey", NULL).await;
    w3.check("GETEX r3:nokey", NULL).await;
    w3.check("GETDEL r3:nokey", NULL).await;
    w3.check("GETSET r3:g v", NULL).await;
    w3.check("MGET r3:g r3:nokey", "*2\r\n$1\r\nv\r\n_\r\n")
        .await;
    w3.check("SET r3:n v NX GET", NULL).await;
    w3.check("SET r3:n w NX GET", bulk("v")).await;
    w3.check("INCRBYFLOAT r3:f 1.5", bulk("1.5")).await;
    w3.check("SET r3:a ohmytext", OK).await;
    w3.check("SET r3:b mynewtext", OK).await;
    w3.check("LCS r3:a r3:b IDX MINMATCHLEN 4 WITHMATCHLEN", "%2\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n").await;
    w3.check(
        "LCS r3:nok r3:nok2 IDX",
        "%2\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n",
    )
    .await;
    w3.check("MULTI", OK).await;
    w3.check("GET r3:nokey", QUEUED).await;
    w3.check("INCRBYFLOAT r3:f 1", QUEUED).await;
    w3.check("LCS r3:nok r3:nok2 IDX", QUEUED).await;
    w3.check(
        "EXEC",
        "*3\r\n_\r\n$3\r\n2.5\r\n%2\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n",
    )
    .await;
    w3.finish().await;
    w.finish().await;
}

/// ZADD ... ZSCAN (skipped if the build has no sorted sets); a sorted set of 200 members; RESP3
/// doubles.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sorted_sets() {
    let (cluster, mut w) = start().await;
    let info = w.call(&["COMMAND", "INFO", "zadd"]).await;
    if !info.starts_with(b"*1\r\n*") || info.starts_with(b"*1\r\n*-1") {
        println!(
            "sorted sets are not in this build (COMMAND INFO zadd: {}): skipping sorted_sets",
            escape(&info)
        );
        return;
    }
    tracing::info!("phase: ZADD and its flags");
    w.check("ZADD z 1 a 2 b 3 c", int(3)).await;
    w.check("ZADD z 1.5 a", int(0)).await;
    w.check("ZADD z CH 2 a 4 d", int(2)).await;
    w.check("ZADD z NX 100 a 5 e", int(1)).await;
    w.check("ZADD z XX 10 e 6 f", int(0)).await;
    w.check("ZADD z GT 1 e", int(0)).await;
    w.check("ZADD z LT 1 e", int(0)).await;
    w.check("ZADD z GT CH 20 e 30 f", int(2)).await;
    w.check("ZADD z INCR 5 a", bulk("7")).await;
    w.check("ZADD z INCR 5 nonx XX", SYNTAX).await;
    w.check("ZADD z NX INCR 5 a", NIL).await;
    w.check(
        "ZADD z NX XX 1 a",
        err("ERR XX and NX options at the same time are not compatible"),
    )
    .await;
    w.check(
        "ZADD z GT LT 1 a",
        err("ERR GT, LT, and/or NX options at the same time are not compatible"),
    )
    .await;
    w.check(
        "ZADD z GT NX 1 a",
        err("ERR GT, LT, and/or NX options at the same time are not compatible"),
    )
    .await;
    w.check(
        "ZADD z INCR 1 a 2 b",
        err("ERR INCR option supports a single increment-element pair"),
    )
    .await;
    w.check("ZADD z abc a", err("ERR value is not a valid float"))
        .await;
    w.check("ZADD z nan a", err("ERR value is not a valid float"))
        .await;
    w.check(
        "ZADD z 1",
        err("ERR wrong number of arguments for 'zadd' command"),
    )
    .await;
    w.check("ZADD z 1 a 2", SYNTAX).await;
    w.check("ZADD z inf i -inf ni", int(2)).await;
    w.check(
        "ZADD z INCR -inf i",
        err("ERR resulting score is not a number (NaN)"),
    )
    .await;
    w.check("ZADD z +inf i", int(0)).await;
    w.check(
        "ZRANGE z 0 -1 WITHSCORES",
        arr(&[
            "ni", "-inf", "b", "2", "c", "3", "d", "4", "a", "7", "e", "20", "f", "30", "i", "inf",
        ]),
    )
    .await;
    tracing::info!("phase: ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK ZINCRBY ZCOUNT ZREM");
    w.check("ZCARD z", int(8)).await;
    w.check("ZCARD noz", int(0)).await;
    w.check("ZSCORE z a", bulk("7")).await;
    w.check("ZSCORE z nom", NIL).await;
    w.check("ZSCORE noz a", NIL).await;
    w.check("ZSCORE z i", bulk("inf")).await;
    w.check("ZSCORE z ni", bulk("-inf")).await;
    w.check("ZMSCORE z a nom b", "*3\r\n$1\r\n7\r\n$-1\r\n$1\r\n2\r\n")
        .await;
    w.check("ZMSCORE noz a", "*1\r\n$-1\r\n").await;
    w.check("ZRANK z b", int(1)).await;
    w.check("ZRANK z ni", int(0)).await;
    w.check("ZREVRANK z b", int(6)).await;
    w.check("ZRANK z nom", NIL).await;
    w.check("ZRANK noz a", NIL).await;
    w.check("ZINCRBY z 2.5 b", bulk("4.5")).await;
    w.check("ZINCRBY z 1 newm", bulk("1")).await;
    w.check("ZINCRBY z abc b", err("ERR value is not a valid float"))
        .await;
    w.check(
        "ZINCRBY z -inf i",
        err("ERR resulting score is not a number (NaN)"),
    )
    .await;
    w.check("ZCOUNT z 2 5", int(3)).await;
    w.check("ZCOUNT z (2 5", int(3)).await;
    w.check("ZCOUNT z (2 (5", int(3)).await;
    w.check("ZCOUNT z -inf +inf", int(9)).await;
    w.check("ZCOUNT z 5 2", int(0)).await;
    w.check("ZCOUNT noz 0 1", int(0)).await;
    w.check("ZCOUNT z x 1", err("ERR min or max is not a float"))
        .await;
    w.check("ZCOUNT z [1 2", err("ERR min or max is not a float"))
        .await;
    w.check("ZREM z i ni newm zz", int(3)).await;
    w.check("ZREM noz a", int(0)).await;
    w.check(
        "ZRANGE z 0 -1 WITHSCORES",
        arr(&[
            "c", "3", "d", "4", "b", "4.5", "a", "7", "e", "20", "f", "30",
        ]),
    )
    .await;
    tracing::info!("phase: ZRANGE and friends: indexes, scores, lex, REV, LIMIT");
    w.check("ZRANGE z -2 -1", arr(&["e", "f"])).await;
    w.check("ZRANGE z 100 200", EMPTY).await;
    w.check("ZRANGE z -100 0", arr(&["c"])).await;
    w.check("ZRANGE z 2 1", EMPTY).await;
    w.check("ZRANGE z 0 1 REV", arr(&["f", "e"])).await;
    w.check(
        "ZRANGE z 0 -1 REV WITHSCORES",
        arr(&[
            "f", "30", "e", "20", "a", "7", "b", "4.5", "d", "4", "c", "3",
        ]),
    )
    .await;
    w.check("ZRANGE z (1 5 BYSCORE", arr(&["c", "d", "b"]))
        .await;
    w.check(
        "ZRANGE z 5 (1 BYSCORE REV WITHSCORES",
        arr(&["b", "4.5", "d", "4", "c", "3"]),
    )
    .await;
    w.check("ZRANGE z -inf +inf BYSCORE LIMIT 1 2", arr(&["d", "b"]))
        .await;
    w.check(
        "ZRANGE z -inf +inf BYSCORE LIMIT 1 -1",
        arr(&["d", "b", "a", "e", "f"]),
    )
    .await;
    w.check("ZRANGE z -inf +inf BYSCORE LIMIT 10 2", EMPTY)
        .await;
    w.check(
        "ZRANGE z 0 -1 LIMIT 1 2",
        err(
            "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
        ),
    )
    .await;
    w.check("ZRANGE z 0 -1 BYSCORE BYLEX", SYNTAX).await;
    w.check(
        "ZRANGE z 0 -1 BYLEX",
        err("ERR min or max not valid string range item"),
    )
    .await;
    w.check("ZRANGE noz 0 -1", EMPTY).await;
    w.check("ZRANGE z a b", NOT_INT).await;
    w.check("ZREVRANGE z 0 1 WITHSCORES", arr(&["f", "30", "e", "20"]))
        .await;
    w.check(
        "ZRANGEBYSCORE z 2 (6 WITHSCORES",
        arr(&["c", "3", "d", "4", "b", "4.5"]),
    )
    .await;
    w.check("ZRANGEBYSCORE z 2 6 LIMIT 0 1", arr(&["c"])).await;
    w.check("ZRANGEBYSCORE z (6 2", EMPTY).await;
    w.check(
        "ZREVRANGEBYSCORE z +inf -inf",
        arr(&["f", "e", "a", "b", "d", "c"]),
    )
    .await;
    w.check(
        "ZREVRANGEBYSCORE z 6 (2 WITHSCORES LIMIT 1 5",
        arr(&["d", "4", "c", "3"]),
    )
    .await;
    w.check("ZADD lex 0 a 0 b 0 c 0 d 0 e", int(5)).await;
    w.check("ZRANGEBYLEX lex [b (d", arr(&["b", "c"])).await;
    w.check("ZRANGEBYLEX lex - +", arr(&["a", "b", "c", "d", "e"]))
        .await;
    w.check("ZRANGEBYLEX lex - + LIMIT 1 2", arr(&["b", "c"]))
        .await;
    w.check("ZREVRANGEBYLEX lex + [c", arr(&["e", "d", "c"]))
        .await;
    w.check(
        "ZRANGEBYLEX lex b d",
        err("ERR min or max not valid string range item"),
    )
    .await;
    w.check("ZRANGEBYLEX lex + -", EMPTY).await;
    w.check("ZLEXCOUNT lex [b +", int(4)).await;
    w.check("ZLEXCOUNT lex - +", int(5)).await;
    w.check(
        "ZLEXCOUNT lex a b",
        err("ERR min or max not valid string range item"),
    )
    .await;
    w.check("ZRANGE lex [b [d BYLEX REV", EMPTY).await;
    w.check("ZRANGE lex [d [b BYLEX REV", arr(&["d", "c", "b"]))
        .await;
    tracing::info!("phase: ZRANGESTORE ZREMRANGEBY*; an emptied zset is deleted");
    w.check("ZRANGESTORE rs lex 0 1", int(2)).await;
    w.check("ZRANGE rs 0 -1 WITHSCORES", arr(&["a", "0", "b", "0"]))
        .await;
    w.check("ZRANGESTORE rs lex 10 20", int(0)).await;
    w.check("EXISTS rs", int(0)).await;
    w.check("ZRANGESTORE rs lex [b [c BYLEX", int(2)).await;
    w.check("ZRANGE rs 0 -1", arr(&["b", "c"])).await;
    w.check("ZREMRANGEBYLEX lex - [b", int(2)).await;
    w.check("ZREMRANGEBYRANK lex 0 0", int(1)).await;
    w.check("ZREMRANGEBYRANK lex 5 10", int(0)).await;
    w.check("ZRANGE lex 0 -1", arr(&["d", "e"])).await;
    w.check("ZREMRANGEBYSCORE lex -inf +inf", int(2)).await;
    w.check("EXISTS lex", int(0)).await;
    w.check("ZREMRANGEBYSCORE z 10 +inf", int(2)).await;
    w.check("ZREMRANGEBYSCORE z (0 (1", int(0)).await;
    w.check(
        "ZREMRANGEBYSCORE z x 1",
        err("ERR min or max is not a float"),
    )
    .await;
    w.check(
        "ZREMRANGEBYLEX z x y",
        err("ERR min or max not valid string range item"),
    )
    .await;
    w.check(
        "ZRANGE z 0 -1 WITHSCORES",
        arr(&["c", "3", "d", "4", "b", "4.5", "a", "7"]),
    )
    .await;
    tracing::info!("phase: ZPOPMIN ZPOPMAX ZMPOP");
    w.check("ZPOPMIN z", arr(&["c", "3"])).await;
    w.check("ZPOPMAX z 2", arr(&["a", "7", "b", "4.5"])).await;
    w.check("ZPOPMIN noz", EMPTY).await;
    w.check("ZPOPMIN noz 2", EMPTY).await;
    w.check(
        "ZPOPMIN z -1",
        err("ERR value is out of range, must be positive"),
    )
    .await;
    w.check("ZPOPMIN z 0", EMPTY).await;
    w.check("ZPOPMAX z 10", arr(&["d", "4"])).await;
    w.check("EXISTS z", int(0)).await;
    w.check("ZADD z2 1 x 2 y", int(2)).await;
    w.check(
        "ZMPOP 2 noz z2 MIN",
        "*2\r\n$2\r\nz2\r\n*1\r\n*2\r\n$1\r\nx\r\n$1\r\n1\r\n",
    )
    .await;
    w.check(
        "ZMPOP 1 z2 MAX COUNT 10",
        "*2\r\n$2\r\nz2\r\n*1\r\n*2\r\n$1\r\ny\r\n$1\r\n2\r\n",
    )
    .await;
    w.check("EXISTS z2", int(0)).await;
    w.check("ZMPOP 1 z2 MAX", NIL_ARRAY).await;
    w.check(
        "ZMPOP 0 z2 MAX",
        err("ERR numkeys should be greater than 0"),
    )
    .await;
    w.check("ZMPOP 1 z2 MIDDLE", SYNTAX).await;
    w.check(
        "ZMPOP 1 z2 MIN COUNT 0",
        err("ERR count should be greater than 0"),
    )
    .await;
    tracing::info!("phase: ZUNION ZINTER ZDIFF ZINTERCARD and their STORE forms");
    w.check("ZADD a 1 x 2 y 3 z", int(3)).await;
    w.check("ZADD b 10 y 20 z 30 w", int(3)).await;
    w.check("ZUNION 2 a b", arr(&["x", "y", "z", "w"])).await;
    w.check(
        "ZUNION 2 a b WITHSCORES",
        arr(&["x", "1", "y", "12", "z", "23", "w", "30"]),
    )
    .await;
    w.check(
        "ZUNION 2 a b WEIGHTS 2 1 AGGREGATE MAX WITHSCORES",
        arr(&["x", "2", "y", "10", "z", "20", "w", "30"]),
    )
    .await;
    w.check("ZINTER 2 a b WITHSCORES", arr(&["y", "12", "z", "23"]))
        .await;
    w.check(
        "ZINTER 2 a b AGGREGATE MIN WITHSCORES",
        arr(&["y", "2", "z", "3"]),
    )
    .await;
    w.check("ZINTER 2 a noz", EMPTY).await;
    w.check("ZDIFF 2 a b WITHSCORES", arr(&["x", "1"])).await;
    w.check("ZDIFF 1 noz", EMPTY).await;
    w.check("ZINTERCARD 2 a b", int(2)).await;
    w.check("ZINTERCARD 2 a b LIMIT 1", int(1)).await;
    w.check("ZINTERCARD 2 a noz", int(0)).await;
    w.check(
        "ZINTERCARD 0 a",
        err("ERR at least 1 input key is needed for 'zintercard' command"),
    )
    .await;
    w.check("ZUNIONSTORE u 2 a b", int(4)).await;
    w.check(
        "ZRANGE u 0 -1 WITHSCORES",
        arr(&["x", "1", "y", "12", "z", "23", "w", "30"]),
    )
    .await;
    w.check("ZINTERSTORE u 2 a noz", int(0)).await;
    w.check("EXISTS u", int(0)).await;
    w.check("ZDIFFSTORE u 2 a b", int(1)).await;
    w.check("ZRANGE u 0 -1 WITHSCORES", arr(&["x", "1"])).await;
    w.check("SADD st x y", int(2)).await;
    w.check(
        "ZUNION 2 a st WITHSCORES",
        arr(&["x", "2", "y", "3", "z", "3"]),
    )
    .await;
    w.check("ZINTER 2 a st WITHSCORES", arr(&["x", "2", "y", "3"]))
        .await;
    w.check("ZINTERSTORE u 2 a b WEIGHTS 1", SYNTAX).await;
    w.check(
        "ZUNION 0 a",
        err("ERR at least 1 input key is needed for 'zunion' command"),
    )
    .await;
    w.check("ZUNION 3 a b", SYNTAX).await;
    w.check("ZUNION 2 a b AGGREGATE FOO", SYNTAX).await;
    w.check(
        "ZUNION 2 a b WEIGHTS 1 x",
        err("ERR weight value is not a float"),
    )
    .await;
    tracing::info!(
        "phase: ZRANDMEMBER ZSCAN on one-member zsets (deterministic); score formatting"
    );
    w.check("ZRANDMEMBER noz", NIL).await;
    w.check("ZRANDMEMBER noz 2", EMPTY).await;
    w.check("ZADD one 1.5 only", int(1)).await;
    w.check("ZRANDMEMBER one", bulk("only")).await;
    w.check("ZRANDMEMBER one 1 WITHSCORES", arr(&["only", "1.5"]))
        .await;
    w.check(
        "ZRANDMEMBER one -2 WITHSCORES",
        arr(&["only", "1.5", "only", "1.5"]),
    )
    .await;
    w.check("ZRANDMEMBER one 0", EMPTY).await;
    w.check(
        "ZSCAN one 0",
        "*2\r\n$1\r\n0\r\n*2\r\n$4\r\nonly\r\n$3\r\n1.5\r\n",
    )
    .await;
    w.check("ZSCAN noz 0", "*2\r\n$1\r\n0\r\n*0\r\n").await;
    w.check("ZSCAN one 0 MATCH x*", "*2\r\n$1\r\n0\r\n*0\r\n")
        .await;
    w.check(
        "ZADD dbl 0.1 a 1e20 b -0 c 3.0 d 1.7976931348623157e308 e 0.30000000000000004 f 1e-5 g",
        int(7),
    )
    .await;
    w.check(
        "ZRANGE dbl 0 -1 WITHSCORES",
        arr(&[
            "c",
            "0",
            "g",
            "1.0000000000000001e-05",
            "a",
            "0.10000000000000001",
            "f",
            "0.30000000000000004",
            "d",
            "3",
            "b",
            "1e+20",
            "e",
            "1.7976931348623157e+308",
        ]),
    )
    .await;
    w.check("ZSCORE dbl a", bulk("0.10000000000000001")).await;
    w.check("ZSCORE dbl c", bulk("0")).await;
    w.check("ZINCRBY dbl 0.2 a", bulk("0.30000000000000004"))
        .await;
    tracing::info!("phase: WRONGTYPE");
    w.check("SET str v", OK).await;
    w.check("ZADD str 1 a", WRONGTYPE).await;
    w.check("ZINCRBY str 1 a", WRONGTYPE).await;
    w.check("ZSCORE str a", WRONGTYPE).await;
    w.check("ZMSCORE str a", WRONGTYPE).await;
    w.check("ZRANGE str 0 -1", WRONGTYPE).await;
    w.check("ZRANGEBYSCORE str 0 1", WRONGTYPE).await;
    w.check("ZCARD str", WRONGTYPE).await;
    w.check("ZCOUNT str 0 1", WRONGTYPE).await;
    w.check("ZRANK str a", WRONGTYPE).await;
    w.check("ZREM str a", WRONGTYPE).await;
    w.check("ZUNION 1 str", WRONGTYPE).await;
    w.check("ZUNIONSTORE u 1 str", WRONGTYPE).await;
    w.check("ZPOPMIN str", WRONGTYPE).await;
    w.check("ZMPOP 1 str MIN", WRONGTYPE).await;
    w.check("ZRANDMEMBER str", WRONGTYPE).await;
    w.check("ZSCAN str 0", WRONGTYPE).await;
    w.check("ZRANGESTORE u str 0 -1", WRONGTYPE).await;
    w.check("ZADD one 2 only", int(0)).await;
    w.check("GET one", WRONGTYPE).await;
    w.check("SADD one x", WRONGTYPE).await;
    tracing::info!("phase: arity");
    w.check(
        "ZADD",
        err("ERR wrong number of arguments for 'zadd' command"),
    )
    .await;
    w.check(
        "ZADD z 1",
        err("ERR wrong number of arguments for 'zadd' command"),
    )
    .await;
    w.check(
        "ZSCORE z",
        err("ERR wrong number of arguments for 'zscore' command"),
    )
    .await;
    w.check(
        "ZRANGE z 0",
        err("ERR wrong number of arguments for 'zrange' command"),
    )
    .await;
    w.check(
        "ZINCRBY z 1",
        err("ERR wrong number of arguments for 'zincrby' command"),
    )
    .await;
    w.check(
        "ZRANK z",
        err("ERR wrong number of arguments for 'zrank' command"),
    )
    .await;
    w.check(
        "ZUNION 1",
        err("ERR wrong number of arguments for 'zunion' command"),
    )
    .await;
    w.check(
        "ZPOPMIN",
        err("ERR wrong number of arguments for 'zpopmin' command"),
    )
    .await;
    w.check(
        "ZMPOP 1 z",
        err("ERR wrong number of arguments for 'zmpop' command"),
    )
    .await;
    tracing::info!("phase: a sorted set of 200 members: encoding, ZSCAN pages, ZRANDMEMBER");
    let mut zadd = vec!["ZADD".to_string(), "big".to_string()];
    for i in 0..200 {
        zadd.push(i.to_string());
        zadd.push(format!("m{i}"));
    }
    w.check_args(
        &zadd.iter().map(String::as_str).collect::<Vec<_>>(),
        int(200),
    )
    .await;
    w.check("OBJECT ENCODING big", bulk("skiplist")).await;
    w.check("ZADD small 1 a", int(1)).await;
    w.check("OBJECT ENCODING small", bulk("listpack")).await;
    w.check("ZRANGE big 0 2", arr(&["m0", "m1", "m2"])).await;
    w.check("ZRANGE big -1 -1 WITHSCORES", arr(&["m199", "199"]))
        .await;
    w.check("ZRANK big m150", int(150)).await;
    w.check("ZREVRANK big m150", int(49)).await;
    w.check("ZCOUNT big (10 20", int(10)).await;
    let expected: BTreeMap<String, String> =
        (0..200).map(|i| (format!("m{i}"), i.to_string())).collect();
    let (scanned, calls) = w.scan_all(&["ZSCAN", "big"], &["COUNT", "20"]).await;
    assert!(
        calls > 3,
        "ZSCAN COUNT 20 of 200 members took {calls} calls"
    );
    let scanned: BTreeMap<String, String> = scanned
        .chunks(2)
        .map(|p| (p[0].clone(), p[1].clone()))
        .collect();
    assert_eq!(
        scanned, expected,
        "ZSCAN returns every member with its score"
    );
    let some = w.value("ZRANDMEMBER big 5 WITHSCORES").await;
    let some = pairs(some.items());
    assert_eq!(some.len(), 5);
    for (m, s) in &some {
        assert_eq!(expected.get(m), Some(s), "ZRANDMEMBER returned {m} {s}");
    }
    w.check("ZREMRANGEBYRANK big 0 -2", int(199)).await;
    w.check("ZRANGE big 0 -1 WITHSCORES", arr(&["m199", "199"]))
        .await;

    let mut w3 = Wire::connect(&cluster.gateway_addr()).await;
    w3.hello3().await;
    tracing::info!("phase: RESP3: sorted-set scores are doubles");
    w3.check("ZADD r3:z 1.5 a 2 b 1e20 c", int(3)).await;
    w3.check("ZSCORE r3:z a", ",1.5\r\n").await;
    w3.check("ZSCORE r3:z b", ",2\r\n").await;
    w3.check("ZSCORE r3:z c", ",1e+20\r\n").await;
    w3.check("ZSCORE r3:z nom", NULL).await;
    w3.check("ZMSCORE r3:z a nom", "*2\r\n,1.5\r\n_\r\n").await;
    w3.check(
        "ZRANGE r3:z 0 -1 WITHSCORES",
        "*3\r\n*2\r\n$1\r\na\r\n,1.5\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\nc\r\n,1e+20\r\n",
    )
    .await;
    w3.check("ZRANGE r3:z 0 0", arr(&["a"])).await;
    w3.check("ZINCRBY r3:z 1 a", ",2.5\r\n").await;
    w3.check("ZADD r3:z INCR 1 b", ",3\r\n").await;
    w3.check("ZADD r3:z NX INCR 1 b", NULL).await;
    w3.check("ZPOPMIN r3:z", "*2\r\n$1\r\na\r\n,2.5\r\n").await;
    w3.check("ZPOPMIN r3:z 1", "*1\r\n*2\r\n$1\r\nb\r\n,3\r\n")
        .await;
    w3.check(
        "ZRANDMEMBER r3:z -1 WITHSCORES",
        "*1\r\n*2\r\n$1\r\nc\r\n,1e+20\r\n",
    )
    .await;
    w3.check(
        "ZUNION 1 r3:z WITHSCORES",
        "*1\r\n*2\r\n$1\r\nc\r\n,1e+20\r\n",
    )
    .await;
    w3.check(
        "ZSCAN r3:z 0",
        "*2\r\n$1\r\n0\r\n*2\r\n$1\r\nc\r\n$5\r\n1e+20\r\n",
    )
    .await;
    w3.check("ZADD r3:inf +inf x -inf y", int(2)).await;
    w3.check("ZSCORE r3:inf x", ",inf\r\n").await;
    w3.check("ZSCORE r3:inf y", ",-inf\r\n").await;
    w3.check(
        "ZMPOP 1 r3:z MIN",
        "*2\r\n$4\r\nr3:z\r\n*1\r\n*2\r\n$1\r\nc\r\n,1e+20\r\n",
    )
    .await;
    w3.check("ZPOPMIN r3:z", EMPTY).await;
    w3.check("MULTI", OK).await;
    w3.check("ZSCORE r3:inf x", QUEUED).await;
    w3.check("ZRANGE r3:inf 0 -1 WITHSCORES", QUEUED).await;
    w3.check(
        "EXEC",
        "*2\r\n,inf\r\n*2\r\n*2\r\n$1\r\ny\r\n,-inf\r\n*2\r\n$1\r\nx\r\n,inf\r\n",
    )
    .await;
    w3.finish().await;
    w.finish().await;
}

/// Everything in database 0, read through the gateway: each key's type, contents (set members
/// and hash fields sorted, as their order is not part of the data) and absolute expiry time.
async fn dump(w: &mut Wire) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for key in w.value("KEYS *").await.texts() {
        let ty = w.call(&["TYPE", key.as_str()]).await;
        let contents = match ty.as_slice() {
            b"+string\r\n" => escape(&w.call(&["GET", key.as_str()]).await),
            b"+list\r\n" => escape(&w.call(&["LRANGE", key.as_str(), "0", "-1"]).await),
            b"+set\r\n" => {
                let members: BTreeSet<String> = w
                    .value_args(&["SMEMBERS", key.as_str()])
                    .await
                    .texts()
                    .into_iter()
                    .collect();
                format!("{members:?}")
            }
            b"+hash\r\n" => {
                let fields = pairs(w.value_args(&["HGETALL", key.as_str()]).await.items());
                format!("{fields:?}")
            }
            b"+zset\r\n" => escape(
                &w.call(&["ZRANGE", key.as_str(), "0", "-1", "WITHSCORES"])
                    .await,
            ),
            other => panic!("TYPE {key}: {}", escape(other)),
        };
        let expiry = w.value_args(&["PEXPIRETIME", key.as_str()]).await.int();
        out.insert(
            key,
            format!("{} {contents} expires at {expiry}", escape(&ty)),
        );
    }
    out
}

/// SPOP draws from the Raft entry's seed, so every replica removes the same members; the random
/// reads (SRANDMEMBER, HRANDFIELD, RANDOMKEY) inside a transaction change nothing. After such a
/// workload the leader is killed: through the new leader the data must be what it was, and a SCAN
/// cursor handed out by the old leader must go on on the new one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_commands_same_data_on_every_replica() {
    let (mut cluster, mut w) = start().await;
    let pool: BTreeSet<String> = (0..200).map(|i| format!("m{i}")).collect();
    let fields: BTreeMap<String, String> = (0..100)
        .map(|i| (format!("f{i}"), format!("v{i}")))
        .collect();

    tracing::info!("phase: load");
    let mut sadd = vec!["SADD", "pool"];
    sadd.extend(pool.iter().map(String::as_str));
    w.check_args(&sadd, int(200)).await;
    let ints: Vec<String> = (0..60).map(|i| i.to_string()).collect();
    let mut sadd = vec!["SADD", "ints"];
    sadd.extend(ints.iter().map(String::as_str));
    w.check_args(&sadd, int(60)).await;
    let mut hset = vec!["HSET", "hash"];
    for (f, v) in &fields {
        hset.push(f);
        hset.push(v);
    }
    w.check_args(&hset, int(100)).await;
    w.check("SET ttl v EX 1000", OK).await;
    w.check("RPUSH list a b c", int(3)).await;
    // Keys in database 1 for a SCAN that starts before the leader change and ends after it.
    let scan_keys: BTreeSet<String> = (0..300).map(|i| format!("k{i}")).collect();
    let mut mset = vec!["MSET"];
    for k in &scan_keys {
        mset.push(k);
        mset.push("v");
    }
    w.check("SELECT 1", OK).await;
    w.check_args(&mset, OK).await;
    w.check("SELECT 0", OK).await;
    let keys: BTreeSet<&str> = ["pool", "ints", "hash", "ttl", "list", "log"]
        .into_iter()
        .collect();

    tracing::info!(
        "phase: SPOP, SRANDMEMBER, HRANDFIELD and RANDOMKEY inside MULTI, and SPOP alone"
    );
    let mut popped: BTreeSet<String> = BTreeSet::new();
    let take = |members: Vec<String>, popped: &mut BTreeSet<String>| {
        for m in members {
            assert!(pool.contains(&m), "SPOP returned {m}, not a member");
            assert!(popped.insert(m.clone()), "SPOP returned {m} twice");
        }
    };
    for i in 0..15 {
        w.check("MULTI", OK).await;
        for cmd in [
            "SPOP pool",
            "SPOP pool 3",
            "SRANDMEMBER pool 5",
            "SRANDMEMBER pool -5",
            "HRANDFIELD hash 2 WITHVALUES",
            "HRANDFIELD hash -3",
            "RANDOMKEY",
            "SPOP ints 2",
        ] {
            w.check(cmd, QUEUED).await;
        }
        w.check_args(&["SADD", "log", &i.to_string()], QUEUED).await;
        let exec = w.value("EXEC").await;
        let r = exec.items();
        assert_eq!(r.len(), 9, "EXEC: {exec:?}");
        take(vec![r[0].text()], &mut popped);
        let three = r[1].texts();
        assert_eq!(three.len(), 3, "{three:?}");
        take(three, &mut popped);
        let five = r[2].texts();
        assert_eq!(five.iter().collect::<BTreeSet<_>>().len(), 5, "{five:?}");
        let five_rep = r[3].texts();
        assert_eq!(five_rep.len(), 5);
        for m in five.iter().chain(&five_rep) {
            assert!(
                pool.contains(m) && !popped.contains(m),
                "SRANDMEMBER returned {m}"
            );
        }
        let two = pairs(r[4].items());
        assert_eq!(two.len(), 2, "{:?}", r[4]);
        for (f, v) in &two {
            assert_eq!(fields.get(f), Some(v), "HRANDFIELD returned {f} {v}");
        }
        for f in r[5].texts() {
            assert!(fields.contains_key(&f), "HRANDFIELD returned {f}");
        }
        let random = r[6].text();
        assert!(
            keys.contains(random.as_str()),
            "RANDOMKEY returned {random}"
        );
        assert_eq!(r[7].items().len(), 2, "{:?}", r[7]);
        assert_eq!(r[8], Resp::Line(b':', "1".into()));

        let two = w.value("SPOP pool 2").await.texts();
        assert_eq!(two.len(), 2);
        take(two, &mut popped);
    }
    // Most of a set at once, and the last members of a set.
    let many = w.value("SPOP pool 100").await.texts();
    assert_eq!(many.len(), 100);
    take(many, &mut popped);
    let rest = w.value("SPOP ints 100").await.texts();
    assert_eq!(rest.len(), 60 - 30, "{rest:?}");
    w.check("EXISTS ints", int(0)).await;
    w.check("SADD ints 1 2 3 4 5 6 7 8 9 10", int(10)).await;
    w.check("MULTI", OK).await;
    w.check("SPOP ints 8", QUEUED).await;
    w.check("SPOP ints", QUEUED).await;
    w.check("SMEMBERS ints", QUEUED).await;
    let exec = w.value("EXEC").await;
    let r = exec.items();
    let mut all: Vec<String> = r[0].texts();
    all.push(r[1].text());
    all.extend(r[2].texts());
    all.sort_by_key(|m| m.parse::<u32>().expect("integer member"));
    assert_eq!(all, (1..=10).map(|i| i.to_string()).collect::<Vec<_>>());

    let left: BTreeSet<String> = w.value("SMEMBERS pool").await.texts().into_iter().collect();
    assert_eq!(popped.len(), 15 * 6 + 100);
    assert!(left.is_disjoint(&popped), "popped members still in the set");
    assert_eq!(
        left.union(&popped).cloned().collect::<BTreeSet<_>>(),
        pool,
        "popped and left are the set"
    );
    let before = dump(&mut w).await;
    assert_eq!(before.len(), keys.len(), "{before:#?}");
    w.check("SELECT 1", OK).await;
    let (cursor, first_page) = w.scan_page(&["SCAN", "0", "COUNT", "50"]).await;
    assert_ne!(cursor, "0", "SCAN COUNT 50 of 300 keys ended at once");

    tracing::info!("phase: every node applies the workload; kill -9 the leader");
    let leader = cluster.wait_for_leader().await.expect("leader");
    let applied = cluster.applied_index(leader).await.expect("leader status");
    for id in cluster.node_ids() {
        cluster
            .wait_applied(id, applied, Duration::from_secs(10))
            .await
            .expect("node applies the workload");
    }
    cluster.kill_node(leader);
    let new_leader = cluster
        .wait_for_leader_within(Duration::from_secs(20))
        .await
        .expect("a new leader");
    assert_ne!(new_leader, leader, "the killed node cannot lead");
    tracing::info!(
        leader,
        new_leader,
        "phase: compare the data through the new leader"
    );
    let mut w2 = Wire::connect(&cluster.gateway_addr()).await;
    let after = dump(&mut w2).await;
    assert_eq!(before, after, "data after the leader change");
    // A SCAN cursor from the old leader goes on on the new one.
    w2.check("SELECT 1", OK).await;
    let mut scanned: BTreeSet<String> = first_page.into_iter().collect();
    let mut cursor = cursor;
    loop {
        let (next, keys) = w2.scan_page(&["SCAN", &cursor, "COUNT", "50"]).await;
        scanned.extend(keys);
        if next == "0" {
            break;
        }
        cursor = next;
    }
    assert_eq!(scanned, scan_keys, "SCAN across the leader change");
    w2.check("SELECT 0", OK).await;
    // SPOP keeps working on the new leader, from the members left.
    let more = w2.value("SPOP pool 5").await.texts();
    assert_eq!(more.len(), 5);
    assert!(more.iter().all(|m| left.contains(m)), "{more:?}");
    w2.finish().await;
    drop(w);
}
