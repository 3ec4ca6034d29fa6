//! Bitmaps (SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO) and HyperLogLog (PFADD
//! PFCOUNT PFMERGE PFDEBUG), end to end through a gateway in front of three nodes. Each reply is
//! compared byte for byte with the one redis-server 7.0.15 sent for the same sequence, in RESP2
//! and in RESP3; HLL values are compared as raw bytes, so a value moves between tinyredis and
//! Redis with GET and SET. PFCOUNT writes its cached cardinality through the log: after the
//! leader is killed, the new leader holds the very same bytes.

use std::collections::BTreeMap;

use tinyredis_tests::escape;

use crate::types::{OK, Wire, int, start};

/// Marks a row whose RESP3 reply is the same as its RESP2 reply.
const SAME: &str = "";

/// Decodes `\xHH` escapes, so that tables hold binary arguments and replies in `&str` literals.
fn unescape(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut idx = 0;
    while idx < bytes.len() {
        let hex = bytes
            .get(idx..idx + 4)
            .filter(|s| s.starts_with(b"\\x"))
            .and_then(|s| std::str::from_utf8(&s[2..]).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(b) => {
                out.push(b);
                idx += 4;
            }
            None => {
                out.push(bytes[idx]);
                idx += 1;
            }
        }
    }
    out
}

/// Runs a table of `(command, RESP2 reply, RESP3 reply)` rows on a fresh database, once in each
/// protocol.
async fn check_table(w: &mut Wire, rows: &[(&str, &str, &str)]) {
    for resp3 in [false, true] {
        if resp3 {
            w.hello3().await;
        }
        w.check("FLUSHALL", OK).await;
        for &(cmd, resp2_reply, resp3_reply) in rows {
            let args: Vec<Vec<u8>> = cmd.split(' ').map(unescape).collect();
            let expected = if resp3 && resp3_reply != SAME {
                resp3_reply
            } else {
                resp2_reply
            };
            let got = w.call(&args).await;
            assert_eq!(
                escape(&got),
                escape(&unescape(expected)),
                "reply to {cmd:?} (RESP{})",
                if resp3 { 3 } else { 2 }
            );
        }
    }
}

/// Every bitmap command with its edge cases: offsets past the end and beyond 512 MB, BIT and BYTE
/// ranges, negative indexes, BITOP's zero padding and deletion of an empty result, BITFIELD's
/// overflow modes and `#` offsets, integer-looking strings read as their text, WRONGTYPE.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bitmaps() {
    let (_cluster, mut w) = start().await;
    check_table(
        &mut w,
        &[
            ("SETBIT b 7 1", ":0\r\n", SAME),
            ("SETBIT b 100 1", ":0\r\n", SAME),
            ("GETBIT b 100", ":1\r\n", SAME),
            ("GET b", "$13\r\n\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x08\r\n", SAME),
            ("SETBIT b 4294967296 1", "-ERR bit offset is not an integer or out of range\r\n", SAME),
            ("SETBIT b 0 2", "-ERR bit is not an integer or out of range\r\n", SAME),
            ("BITCOUNT b", ":2\r\n", SAME),
            ("BITCOUNT b 0 0 BIT", ":0\r\n", SAME),
            ("BITCOUNT b 1 -1 BYTE", ":1\r\n", SAME),
            ("BITCOUNT b 0", "-ERR syntax error\r\n", SAME),
            ("BITPOS b 1", ":7\r\n", SAME),
            ("BITPOS b 0 0 -1 BIT", ":0\r\n", SAME),
            ("BITPOS b 1 8 -1 BIT", ":100\r\n", SAME),
            ("SET s \\xff\\xf0\\x00", "+OK\r\n", SAME),
            ("BITPOS s 0", ":12\r\n", SAME),
            ("BITPOS s 0 0 1", ":12\r\n", SAME),
            ("BITOP NOT n s", ":3\r\n", SAME),
            ("GET n", "$3\r\n\\x00\\x0f\\xff\r\n", SAME),
            ("BITOP AND d s n", ":3\r\n", SAME),
            ("GET d", "$3\r\n\\x00\\x00\\x00\r\n", SAME),
            ("BITOP XOR d s b nokey", ":13\r\n", SAME),
            ("STRLEN d", ":13\r\n", SAME),
            ("BITOP OR d nokey", ":0\r\n", SAME),
            ("EXISTS d", ":0\r\n", SAME),
            ("BITOP NOT d s b", "-ERR BITOP NOT must be called with a single source key.\r\n", SAME),
            ("BITFIELD f SET u8 0 200 INCRBY u8 0 100 OVERFLOW SAT INCRBY u8 0 100 OVERFLOW FAIL INCRBY u8 0 1 GET i8 0", "*5\r\n:0\r\n:44\r\n:144\r\n:145\r\n:-111\r\n", SAME),
            ("BITFIELD f SET i5 #3 -3 GET i5 #3 GET u63 0", "*3\r\n:0\r\n:-3\r\n:5224430654447419392\r\n", SAME),
            ("BITFIELD f OVERFLOW FAIL INCRBY u8 0 200 GET u8 0", "*2\r\n$-1\r\n:145\r\n", "*2\r\n_\r\n:145\r\n"),
            ("BITFIELD f GET u64 0", "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n", SAME),
            ("BITFIELD f OVERFLOW bad", "-ERR Invalid OVERFLOW type specified\r\n", SAME),
            ("BITFIELD_RO f GET u8 0 GET i16 #1", "*2\r\n:145\r\n:-12288\r\n", SAME),
            ("BITFIELD_RO f SET u8 0 1", "-ERR BITFIELD_RO only supports the GET subcommand\r\n", SAME),
            ("SET i 255", "+OK\r\n", SAME),
            ("GETBIT i 2", ":1\r\n", SAME),
            ("BITCOUNT i", ":11\r\n", SAME),
            ("BITFIELD i GET u8 0 INCRBY u8 8 1", "*2\r\n:50\r\n:54\r\n", SAME),
            ("GET i", "$3\r\n265\r\n", SAME),
            ("LPUSH l x", ":1\r\n", SAME),
            ("SETBIT l 0 1", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", SAME),
            ("BITCOUNT l", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", SAME),
            ("BITFIELD l GET u8 0", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", SAME),
        ],
    )
    .await;
    w.finish().await;
}

/// PFADD PFCOUNT PFMERGE PFDEBUG with Redis's exact bytes (sparse and dense encodings, the cached
/// cardinality invalidated by PFADD and written by PFCOUNT), the HLL type checks and corruption
/// detection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hyperloglog() {
    let (_cluster, mut w) = start().await;
    check_table(
        &mut w,
        &[
            ("PFADD h", ":1\r\n", SAME),
            ("PFADD h a b c", ":1\r\n", SAME),
            ("PFADD h a b c", ":0\r\n", SAME),
            ("GETRANGE h 15 15", "$1\r\n\\x80\r\n", SAME),
            ("PFCOUNT h", ":3\r\n", SAME),
            ("GETRANGE h 15 15", "$1\r\n\\x00\r\n", SAME),
            ("GET h", "$27\r\nHYLL\\x01\\x00\\x00\\x00\\x03\\x00\\x00\\x00\\x00\\x00\\x00\\x00`\\xf3\\x80P\\xb1\\x84K\\xfb\\x80BZ\r\n", SAME),
            ("PFADD h a b c", ":0\r\n", SAME),
            ("GETRANGE h 15 15", "$1\r\n\\x00\r\n", SAME),
            ("PFADD h 1 2 3", ":1\r\n", SAME),
            ("GETRANGE h 15 15", "$1\r\n\\x80\r\n", SAME),
            ("PFCOUNT h", ":6\r\n", SAME),
            ("PFADD h2 c d e", ":1\r\n", SAME),
            ("PFCOUNT h h2", ":8\r\n", SAME),
            ("PFMERGE m h h2", "+OK\r\n", SAME),
            ("GET m", "$42\r\nHYLL\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x80\\x5c{\\x80@\\xe9\\x80C\\x8b\\x80I\\xe7\\x80F\\xc8\\x84I\\x8c\\x80@\\xd4\\x8cA\\x97\\x80BZ\r\n", SAME),
            ("PFCOUNT m", ":8\r\n", SAME),
            ("SET s foo", "+OK\r\n", SAME),
            ("PFADD s a", "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n", SAME),
            ("PFCOUNT h s", "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n", SAME),
            ("PFMERGE s h", "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n", SAME),
            ("LPUSH l a", ":1\r\n", SAME),
            ("PFCOUNT l", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", SAME),
            ("APPEND m hello", ":47\r\n", SAME),
            ("PFCOUNT m", ":8\r\n", SAME),
            ("SETRANGE h 0 0123", ":36\r\n", SAME),
            ("PFCOUNT h", "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n", SAME),
            ("PFDEBUG ENCODING h2", "+sparse\r\n", SAME),
            ("PFDEBUG DECODE h2", "$45\r\nZ:7292 v:1,1 Z:1143 v:1,1 Z:6720 v:1,1 Z:1226\r\n", SAME),
            ("PFDEBUG TODENSE h2", ":1\r\n", SAME),
            ("PFDEBUG ENCODING h2", "+dense\r\n", SAME),
            ("STRLEN h2", ":12304\r\n", SAME),
            ("PFCOUNT h2", ":3\r\n", SAME),
        ],
    )
    .await;
    w.finish().await;
}

/// The raw bytes of every key.
async fn values(w: &mut Wire, keys: &[&str]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for key in keys {
        out.insert(key.to_string(), escape(&w.call(&["GET", key]).await));
    }
    out
}

/// HLLs (one promoted to dense, one whose cache only PFCOUNT wrote) and bitmaps written through
/// the log are the same on the new leader after the old one is killed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_hold_the_same_bytes() {
    let (mut cluster, mut w) = start().await;
    tracing::info!("phase: load");
    for chunk in 0..30 {
        let elements: Vec<String> = (0..100).map(|i| format!("e{}", chunk * 100 + i)).collect();
        let mut args = vec!["PFADD", "dense"];
        args.extend(elements.iter().map(String::as_str));
        w.check_args(&args, int(1)).await;
        let mut args = vec!["PFADD", "sparse"];
        args.extend(elements.iter().take(3).map(String::as_str));
        w.value_args(&args).await;
    }
    w.check("PFDEBUG ENCODING dense", "+dense\r\n").await;
    w.check("PFDEBUG ENCODING sparse", "+sparse\r\n").await;
    w.check("PFCOUNT dense", int(2979)).await;
    w.check("PFCOUNT sparse", int(90)).await;
    w.check("PFMERGE merged sparse dense", OK).await;
    w.check("SETBIT bits 1000 1", int(0)).await;
    w.check("BITFIELD bits INCRBY i5 #7 9", "*1\r\n:9\r\n")
        .await;
    w.check("BITOP NOT inverted bits", int(126)).await;
    let keys = ["dense", "sparse", "merged", "bits", "inverted"];
    let before = values(&mut w, &keys).await;

    tracing::info!("phase: kill the leader, read through the new one");
    let leader = cluster.wait_for_leader().await.expect("leader");
    cluster.kill_node(leader);
    let after = values(&mut w, &keys).await;
    assert_eq!(before, after, "values on the new leader");
    w.check("GETRANGE dense 15 15", "$1\r\n\x00\r\n").await;
    w.check("PFCOUNT merged", int(2979)).await;
    w.finish().await;
}
