use bytes::Bytes;
use tinyredis_common::Reply;
use tinyredis_common::ReplyError;

use super::zset_encoding;
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
fn zset_thresholds() {
    assert_eq!(zset_encoding(1, 1), "listpack");
    assert_eq!(zset_encoding(128, 64), "listpack");
    assert_eq!(zset_encoding(129, 1), "skiplist");
    assert_eq!(zset_encoding(1, 65), "skiplist");
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
