use bytes::Bytes;
use tinyredis_common::Reply;
use tinyredis_common::ReplyError;

use crate::commands::test_util::*;

fn encoding(h: &mut Harness, key: &str) -> Reply {
    h.run(&["OBJECT", "ENCODING", key])
}

#[test]
fn string_encodings_and_refcounts() {
    let mut h = Harness::default();
    let long44 = "a".repeat(44);
    let long45 = "a".repeat(45);
    // (value, encoding, refcount)
    let cases: &[(&str, &str, i64)] = &[
        ("12345", "int", 1),
        ("0", "int", 2_147_483_647),
        ("9999", "int", 2_147_483_647),
        ("10000", "int", 1),
        ("-1", "int", 1),
        ("-9223372036854775808", "int", 1),
        ("9223372036854775807", "int", 1),
        // Not string2l: too large, leading zero, sign, spaces.
        ("9223372036854775808", "embstr", 1),
        ("0123", "embstr", 1),
        ("+1", "embstr", 1),
        (" 1", "embstr", 1),
        ("-0", "embstr", 1),
        ("", "embstr", 1),
        ("hello", "embstr", 1),
        (&long44, "embstr", 1),
        (&long45, "raw", 1),
    ];
    for (value, enc, refcount) in cases {
        h.run(&["SET", "k", value]);
        assert_eq!(encoding(&mut h, "k"), bulk(enc), "{value:?}");
        assert_eq!(
            h.run(&["OBJECT", "REFCOUNT", "k"]),
            int(*refcount),
            "{value:?}"
        );
    }
}

#[test]
fn string_encodings_follow_how_the_value_was_written() {
    let mut h = Harness::default();
    // (command, key whose encoding is checked, encoding Redis 7.0 reports afterwards)
    let steps: &[(&[&str], &str, &str)] = &[
        (&["SET", "s", "1234"], "s", "int"),
        // An empty SETRANGE changes nothing.
        (&["SETRANGE", "s", "0", ""], "s", "int"),
        (&["SETRANGE", "s", "0", "2"], "s", "raw"),
        (&["INCR", "s"], "s", "int"),
        (&["APPEND", "s", "5"], "s", "raw"),
        (&["GETEX", "s", "PERSIST"], "s", "raw"),
        (&["SET", "s", "short"], "s", "embstr"),
        (&["APPEND", "s", ""], "s", "raw"),
        (&["COPY", "s", "copy"], "copy", "raw"),
        (&["RENAME", "copy", "moved"], "moved", "raw"),
        (&["MSET", "moved", "12"], "moved", "int"),
        // APPEND to a missing key stores its argument as SET would.
        (&["APPEND", "fresh", "77"], "fresh", "int"),
        (&["SETRANGE", "made", "0", "12"], "made", "raw"),
        (&["INCRBYFLOAT", "f", "3"], "f", "embstr"),
        (&["INCRBY", "f", "0"], "f", "int"),
        (&["INCRBYFLOAT", "f", "1.5"], "f", "embstr"),
        (&["SET", "bits", "1"], "bits", "int"),
        (&["GETBIT", "bits", "0"], "bits", "int"),
        (&["BITFIELD", "bits", "GET", "u8", "0"], "bits", "int"),
        (&["SETBIT", "bits", "0", "0"], "bits", "raw"),
        (&["SET", "bits", "1"], "bits", "int"),
        (&["BITFIELD", "bits", "SET", "u8", "0", "49"], "bits", "raw"),
        (&["BITOP", "NOT", "dest", "fresh"], "dest", "raw"),
        (&["SETBIT", "newbits", "3", "1"], "newbits", "raw"),
        (&["PFADD", "hll"], "hll", "raw"),
        (&["GETSET", "hll", "5"], "hll", "int"),
    ];
    for (args, key, expected) in steps {
        let reply = h.run(args);
        assert!(!matches!(reply, Reply::Error(_)), "{args:?}: {reply:?}");
        assert_eq!(encoding(&mut h, key), bulk(expected), "after {args:?}");
    }
    // A string that is no integer to Redis is not shared, whatever its form.
    assert_eq!(h.run(&["SET", "n", "5"]), Reply::Ok);
    assert_eq!(h.run(&["OBJECT", "REFCOUNT", "n"]), int(2_147_483_647));
    h.run(&["SETRANGE", "n", "0", "6"]);
    assert_eq!(h.run(&["OBJECT", "REFCOUNT", "n"]), int(1));
}

#[test]
fn pfcount_leaves_a_string_raw_even_from_its_cache() {
    let mut h = Harness::default();
    h.run(&["PFADD", "hll", "a"]);
    // Counting fills the cache; the copy made next has a valid cache.
    assert_eq!(h.run(&["PFCOUNT", "hll"]), int(1));
    let sketch = match h.run(&["GET", "hll"]) {
        Reply::Bulk(bytes) => bytes,
        other => panic!("{other:?}"),
    };
    assert!(
        sketch.len() <= 44,
        "a small sparse HLL is short enough for embstr"
    );
    h.run_argv(vec![
        Bytes::from_static(b"SET"),
        Bytes::from_static(b"copy"),
        sketch.clone(),
    ]);
    assert_eq!(encoding(&mut h, "copy"), bulk("embstr"));
    assert_eq!(h.run(&["PFCOUNT", "copy"]), int(1));
    assert_eq!(encoding(&mut h, "copy"), bulk("raw"));
    assert_eq!(h.run(&["GET", "copy"]), Reply::Bulk(sketch));
}

#[test]
fn collection_encodings() {
    let mut h = Harness::default();
    let long = "f".repeat(65);
    let max = "f".repeat(64);
    h.check(&[
        (&["RPUSH", "list", "a"], int(1)),
        (&["OBJECT", "ENCODING", "list"], bulk("quicklist")),
        (&["HSET", "hash", "f", "v", &max, &max], int(2)),
        (&["OBJECT", "ENCODING", "hash"], bulk("listpack")),
        (&["HSET", "hash", "g", &long], int(1)),
        (&["OBJECT", "ENCODING", "hash"], bulk("hashtable")),
        (&["HSET", "hash2", &long, "v"], int(1)),
        (&["OBJECT", "ENCODING", "hash2"], bulk("hashtable")),
        (&["SADD", "ints", "1", "-2", "300000000000"], int(3)),
        (&["OBJECT", "ENCODING", "ints"], bulk("intset")),
        (&["SADD", "ints", "01"], int(1)),
        (&["OBJECT", "ENCODING", "ints"], bulk("hashtable")),
        (&["SADD", "words", "a"], int(1)),
        (&["OBJECT", "ENCODING", "words"], bulk("hashtable")),
        (&["OBJECT", "REFCOUNT", "words"], int(1)),
    ]);
    // Sizes: hashes up to 512 fields, sets up to 512 integers.
    for i in 0..512 {
        h.run(&["HSET", "big", &format!("f{i}"), "v"]);
        h.run(&["SADD", "bigset", &i.to_string()]);
    }
    assert_eq!(encoding(&mut h, "big"), bulk("listpack"));
    assert_eq!(encoding(&mut h, "bigset"), bulk("intset"));
    h.run(&["HSET", "big", "one-more", "v"]);
    h.run(&["SADD", "bigset", "512"]);
    assert_eq!(encoding(&mut h, "big"), bulk("hashtable"));
    assert_eq!(encoding(&mut h, "bigset"), bulk("hashtable"));
}

#[test]
fn zset_thresholds_and_one_way_conversions() {
    let mut h = Harness::default();
    let long = "m".repeat(65);
    for i in 0..128 {
        h.run(&["ZADD", "z", &i.to_string(), &format!("m{i}")]);
    }
    h.run(&["ZADD", "edge", "1", &"m".repeat(64)]);
    assert_eq!(encoding(&mut h, "z"), bulk("listpack"));
    assert_eq!(encoding(&mut h, "edge"), bulk("listpack"));
    h.run(&["ZADD", "z", "1", "one-more"]);
    h.run(&["ZADD", "long", "1", &long]);
    assert_eq!(encoding(&mut h, "z"), bulk("skiplist"));
    assert_eq!(encoding(&mut h, "long"), bulk("skiplist"));
    // Shrinking never converts back; a STORE result is a new value, encoded by its contents.
    h.run(&["ZREMRANGEBYRANK", "z", "0", "100"]);
    assert_eq!(encoding(&mut h, "z"), bulk("skiplist"));
    h.run(&["ZUNIONSTORE", "u", "1", "z"]);
    assert_eq!(encoding(&mut h, "u"), bulk("listpack"));
    h.run(&["SADD", "s2", "a", "1"]);
    h.run(&["SREM", "s2", "a"]);
    assert_eq!(encoding(&mut h, "s2"), bulk("hashtable"));
    h.run(&["SINTERSTORE", "s3", "s2"]);
    assert_eq!(encoding(&mut h, "s3"), bulk("intset"));
    // A copy keeps the encoding.
    h.run(&["COPY", "z", "zc"]);
    assert_eq!(encoding(&mut h, "zc"), bulk("skiplist"));
}

#[test]
fn thresholds_come_from_the_keyspace_limits() {
    let mut h = Harness::default();
    h.ks.set_limits(crate::keyspace::EncodingLimits {
        zset_max_entries: 0,
        hash_max_value: 2,
        ..Default::default()
    });
    h.run(&["ZADD", "z", "1", "a"]);
    h.run(&["HSET", "h", "f", "ab"]);
    h.run(&["HSET", "h2", "f", "abc"]);
    assert_eq!(encoding(&mut h, "z"), bulk("skiplist"));
    assert_eq!(encoding(&mut h, "h"), bulk("listpack"));
    assert_eq!(encoding(&mut h, "h2"), bulk("hashtable"));
}

#[test]
fn idletime_freq_and_missing_keys() {
    let mut h = Harness::default();
    let freq_error = err_text(
        "An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
    );
    h.check(&[
        (&["OBJECT", "ENCODING", "missing"], Reply::Nil),
        (&["OBJECT", "REFCOUNT", "missing"], Reply::Nil),
        (&["OBJECT", "IDLETIME", "missing"], Reply::Nil),
        (&["OBJECT", "FREQ", "missing"], Reply::Nil),
        (&["SET", "k", "v", "PX", "10"], Reply::Ok),
        (&["object", "idletime", "k"], int(0)),
        (&["OBJECT", "FREQ", "k"], freq_error),
    ]);
    h.advance(10);
    h.check(&[(&["OBJECT", "ENCODING", "k"], Reply::Nil)]);
}

#[test]
fn help_and_errors() {
    let mut h = Harness::default();
    let Reply::Array(lines) = h.run(&["object", "help"]) else {
        panic!("help is an array");
    };
    assert_eq!(lines.len(), 15);
    assert_eq!(
        lines[0],
        Reply::simple("OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
    );
    assert_eq!(lines[1], Reply::simple("ENCODING <key>"));
    assert_eq!(lines[13], Reply::simple("HELP"));
    assert_eq!(lines[14], Reply::simple("    Prints this help."));
    let unknown = |sub: &'static str| {
        error(ReplyError::UnknownSubcommand {
            command: Bytes::from_static(b"OBJECT"),
            subcommand: Bytes::from_static(sub.as_bytes()),
        })
    };
    let arity =
        |name: &'static str| error(ReplyError::WrongArity(Bytes::from_static(name.as_bytes())));
    h.check(&[
        (&["OBJECT"], error(ReplyError::wrong_arity(b"object"))),
        (&["OBJECT", "foo"], unknown("foo")),
        (&["OBJECT", "foo", "k"], unknown("foo")),
        (&["OBJECT", "ENCODING"], arity("object|encoding")),
        (&["OBJECT", "encoding", "a", "b"], arity("object|encoding")),
        (&["OBJECT", "REFCOUNT"], arity("object|refcount")),
        (&["OBJECT", "IDLETIME"], arity("object|idletime")),
        (&["OBJECT", "FREQ"], arity("object|freq")),
        (&["OBJECT", "HELP", "x"], arity("object|help")),
    ]);
    assert_eq!(
        ReplyError::UnknownSubcommand {
            command: Bytes::from_static(b"OBJECT"),
            subcommand: Bytes::from_static(b"foo"),
        }
        .to_string(),
        "ERR unknown subcommand 'foo'. Try OBJECT HELP."
    );
}
