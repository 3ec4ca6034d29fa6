use bytes::Bytes;
use tinyredis_common::Reply;
use tinyredis_common::ReplyError;

use crate::commands::WriteCtx;
use crate::commands::execute_write;
use crate::commands::test_util::*;

/// Runs a command whose arguments may be binary (a DUMP payload) through the write path.
fn run_bytes(h: &mut Harness, args: &[&[u8]]) -> Reply {
    let argv: Vec<Bytes> = args.iter().map(|a| Bytes::copy_from_slice(a)).collect();
    let ctx = WriteCtx {
        now_ms: h.now_ms,
        seed: 0,
    };
    execute_write(&mut h.ks, h.db, &argv, &ctx)
}

fn dump_of(h: &mut Harness, key: &str) -> Vec<u8> {
    match h.run(&["DUMP", key]) {
        Reply::Bulk(payload) => payload.to_vec(),
        other => panic!("DUMP {key}: {other:?}"),
    }
}

#[test]
fn dump_and_restore_every_type() {
    let mut h = Harness::default();
    h.check(&[
        (&["SET", "s", "bar"], Reply::Ok),
        (&["RPUSH", "l", "a", "1", "b"], int(3)),
        (&["HSET", "h", "f", "v", "g", "w"], int(2)),
        (&["SADD", "set", "1", "x"], int(2)),
        (&["ZADD", "z", "1.5", "a", "-2", "b"], int(2)),
        (&["DUMP", "missing"], Reply::Nil),
    ]);
    for key in ["s", "l", "h", "set", "z"] {
        let payload = dump_of(&mut h, key);
        let copy = format!("{key}-copy");
        assert_eq!(
            run_bytes(&mut h, &[b"RESTORE", copy.as_bytes(), b"0", &payload]),
            Reply::Ok
        );
        let original =
            h.ks.db(0)
                .unwrap()
                .get_value(key.as_bytes(), h.now_ms)
                .cloned();
        let restored =
            h.ks.db(0)
                .unwrap()
                .get_value(copy.as_bytes(), h.now_ms)
                .cloned();
        assert_eq!(original, restored, "{key}");
        assert_eq!(h.run(&["TTL", &copy]), int(-1));
    }
}

#[test]
fn restore_ttl_and_options() {
    let mut h = Harness::default();
    h.run(&["SET", "foo", "bar"]);
    let payload = dump_of(&mut h, "foo");
    let restore = |h: &mut Harness, extra: &[&[u8]]| {
        let mut args: Vec<&[u8]> = vec![b"RESTORE", b"foo"];
        args.extend_from_slice(extra);
        run_bytes(h, &args)
    };
    // BUSYKEY comes before the TTL and payload checks.
    assert_eq!(restore(&mut h, &[b"0", b"..."]), error(ReplyError::BusyKey));
    assert_eq!(
        restore(&mut h, &[b"0", b"...", b"invalid-option"]),
        error(ReplyError::Syntax)
    );
    h.run(&["DEL", "foo"]);
    assert_eq!(
        restore(&mut h, &[b"x", &payload]),
        error(ReplyError::NotInteger)
    );
    assert_eq!(
        restore(&mut h, &[b"-1", &payload]),
        err_text("Invalid TTL value, must be >= 0")
    );
    assert_eq!(
        restore(&mut h, &[b"0", b"..."]),
        err_text("DUMP payload version or checksum are wrong")
    );
    let mut bad = vec![
        0u8, 0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf7, 10, 0,
    ];
    let crc = crate::keyspace::rdb::crc64::crc64(0, &bad);
    bad.extend_from_slice(&crc.to_le_bytes());
    assert_eq!(restore(&mut h, &[b"0", &bad]), err_text("Bad data format"));
    assert_eq!(
        restore(&mut h, &[b"0", &payload, b"IDLETIME", b"-1"]),
        err_text("Invalid IDLETIME value, must be >= 0")
    );
    assert_eq!(
        restore(&mut h, &[b"0", &payload, b"FREQ", b"256"]),
        err_text("Invalid FREQ value, must be >= 0 and <= 255")
    );
    assert_eq!(
        restore(&mut h, &[b"0", &payload, b"FREQ", b"1", b"IDLETIME", b"1"]),
        error(ReplyError::Syntax)
    );

    // A relative TTL counts from the entry's time.
    assert_eq!(restore(&mut h, &[b"5000", &payload]), Reply::Ok);
    assert_eq!(h.run(&["PTTL", "foo"]), int(5000));
    // REPLACE, ABSTTL, IDLETIME and FREQ together.
    let at = (h.now_ms + 3000).to_string();
    assert_eq!(
        restore(
            &mut h,
            &[
                at.as_bytes(),
                &payload,
                b"REPLACE",
                b"ABSTTL",
                b"IDLETIME",
                b"10"
            ]
        ),
        Reply::Ok
    );
    assert_eq!(h.run(&["PTTL", "foo"]), int(3000));
    assert_eq!(
        restore(&mut h, &[b"0", &payload, b"replace", b"freq", b"100"]),
        Reply::Ok
    );
    assert_eq!(h.run(&["TTL", "foo"]), int(-1));
    // An absolute time in the past: OK, and with REPLACE the old key is gone.
    let past = (h.now_ms - 1).to_string();
    assert_eq!(
        restore(&mut h, &[past.as_bytes(), &payload, b"ABSTTL", b"REPLACE"]),
        Reply::Ok
    );
    assert_eq!(h.run(&["EXISTS", "foo"]), int(0));
    // A TTL that overflows when added to the time wraps, as in Redis, and is already past.
    assert_eq!(
        restore(&mut h, &[b"9223372036854775807", &payload]),
        Reply::Ok
    );
    assert_eq!(h.run(&["EXISTS", "foo"]), int(0));
    // An expired key does not make RESTORE busy.
    h.run(&["SET", "foo", "old", "PX", "10"]);
    h.advance(10);
    assert_eq!(restore(&mut h, &[b"0", &payload]), Reply::Ok);
    assert_eq!(h.run(&["GET", "foo"]), bulk("bar"));
}

#[test]
fn small_hashes_dump_and_restore_in_insertion_order() {
    let mut h = Harness::default();
    h.check(&[
        (&["HSET", "h", "zz", "1", "a", "2", "m", "3"], int(3)),
        (&["HSET", "h", "a", "20"], int(0)),
    ]);
    let payload = dump_of(&mut h, "h");
    assert_eq!(
        run_bytes(&mut h, &[b"RESTORE", b"copy", b"0", &payload]),
        Reply::Ok
    );
    let keys = Reply::Array(vec![bulk("zz"), bulk("a"), bulk("m")]);
    assert_eq!(h.run(&["HKEYS", "copy"]), keys);
    assert_eq!(h.run(&["OBJECT", "ENCODING", "copy"]), bulk("listpack"));
    // Past the entry limit, RESTORE converts the hash, as Redis does.
    let mut limits = *h.ks.limits();
    limits.hash_max_entries = 2;
    h.ks.set_limits(limits);
    assert_eq!(
        run_bytes(&mut h, &[b"RESTORE", b"big", b"0", &payload]),
        Reply::Ok
    );
    assert_eq!(h.run(&["OBJECT", "ENCODING", "big"]), bulk("hashtable"));
    assert_eq!(h.run(&["HGET", "big", "a"]), bulk("20"));
    // A string is restored as SET stores it, whatever its encoding when dumped.
    h.run(&["SET", "s", "12"]);
    h.run(&["APPEND", "s", "3"]);
    assert_eq!(h.run(&["OBJECT", "ENCODING", "s"]), bulk("raw"));
    let payload = dump_of(&mut h, "s");
    assert_eq!(
        run_bytes(&mut h, &[b"RESTORE", b"s2", b"0", &payload]),
        Reply::Ok
    );
    assert_eq!(h.run(&["OBJECT", "ENCODING", "s2"]), bulk("int"));
}
