use std::collections::BTreeMap;
use std::collections::BTreeSet;

use bytes::Bytes;
use tinyredis_common::Reply;
use tinyredis_common::ReplyError;

use crate::commands::test_util::*;
use crate::keyspace::ordered::member_hash;

fn wrongtype() -> Reply {
    error(ReplyError::WrongType)
}

fn nil_array() -> Reply {
    Reply::Array(Vec::new())
}

/// Sorts fields into a big hash's order (by member hash, then bytes).
fn in_hash_order<T>(items: &mut [(&str, T)]) {
    items.sort_by_key(|(field, _)| (member_hash(field.as_bytes()), field.as_bytes()));
}

/// The HGETALL reply of a small hash holding `pairs`, in their (insertion) order.
fn map(pairs: &[(&str, &str)]) -> Reply {
    Reply::Map(pairs.iter().map(|(f, v)| (bulk(f), bulk(v))).collect())
}

/// An array of bulks of a small hash's `pairs` in insertion order (HKEYS, or HVALS with values
/// picked).
fn fields_array<'a>(
    pairs: &[(&'a str, &'a str)],
    pick: fn(&(&'a str, &'a str)) -> &'a str,
) -> Reply {
    Reply::Array(pairs.iter().map(|pair| bulk(pick(pair))).collect())
}

/// Makes every hash of `h` with more than `max_entries` fields a big one (a table), as
/// `CONFIG SET hash-max-listpack-entries` does.
fn set_max_entries(h: &mut Harness, max_entries: u64) {
    let mut limits = *h.ks.limits();
    limits.hash_max_entries = max_entries;
    h.ks.set_limits(limits);
}

fn array(items: &[Reply]) -> Reply {
    Reply::Array(items.to_vec())
}

#[test]
fn set_get_and_friends() {
    let mut h = Harness::default();
    h.check(&[
        (&["HGET", "h", "f"], Reply::Nil),
        (&["HLEN", "h"], int(0)),
        (&["HEXISTS", "h", "f"], int(0)),
        (&["HSTRLEN", "h", "f"], int(0)),
        (&["HSET", "h", "f", "v", "g", "w"], int(2)),
        (&["TYPE", "h"], Reply::simple("hash")),
        (&["HSET", "h", "f", "v2", "x", "y"], int(1)),
        (&["hget", "h", "f"], bulk("v2")),
        (&["HGET", "h", "nope"], Reply::Nil),
        (&["HLEN", "h"], int(3)),
        (&["HEXISTS", "h", "g"], int(1)),
        (&["HEXISTS", "h", "G"], int(0)),
        (&["HSTRLEN", "h", "f"], int(2)),
        (&["HSTRLEN", "h", "nope"], int(0)),
        // The same field twice in one HSET: created once, last value wins.
        (&["HSET", "h", "d", "1", "d", "2"], int(1)),
        (&["HGET", "h", "d"], bulk("2")),
        (&["HMSET", "h", "f", "m", "n", "o"], Reply::Ok),
        (&["HGET", "h", "f"], bulk("m")),
        (
            &["HMGET", "h", "f", "nope", "n"],
            array(&[bulk("m"), Reply::Nil, bulk("o")]),
        ),
        (
            &["HMGET", "missing", "a", "b"],
            array(&[Reply::Nil, Reply::Nil]),
        ),
        (&["HSETNX", "h", "f", "zzz"], int(0)),
        (&["HGET", "h", "f"], bulk("m")),
        (&["HSETNX", "h", "new", "1"], int(1)),
        (&["HSETNX", "fresh", "a", "1"], int(1)),
        (&["HGET", "fresh", "a"], bulk("1")),
        // Binary-safe and empty fields and values.
        (&["HSET", "bin", "", ""], int(1)),
        (&["HGET", "bin", ""], bulk("")),
        (&["HSTRLEN", "bin", ""], int(0)),
        (&["HEXISTS", "bin", ""], int(1)),
        (&["HSET", "bin", "\0\r\n", "\u{ff}"], int(1)),
        (&["HGET", "bin", "\0\r\n"], bulk("\u{ff}")),
    ]);
}

#[test]
fn arity_errors() {
    let mut h = Harness::default();
    h.check(&[
        (&["HSET", "h", "f"], error(ReplyError::wrong_arity(b"hset"))),
        (
            &["HSET", "h", "f", "v", "g"],
            error(ReplyError::wrong_arity(b"hset")),
        ),
        (
            &["HMSET", "h", "f", "v", "g"],
            error(ReplyError::wrong_arity(b"hmset")),
        ),
        (
            &["HSETNX", "h", "f"],
            error(ReplyError::wrong_arity(b"hsetnx")),
        ),
        (&["HGET", "h"], error(ReplyError::wrong_arity(b"hget"))),
        (&["HMGET", "h"], error(ReplyError::wrong_arity(b"hmget"))),
        (&["HDEL", "h"], error(ReplyError::wrong_arity(b"hdel"))),
        (&["HLEN", "h", "x"], error(ReplyError::wrong_arity(b"hlen"))),
        (
            &["HINCRBY", "h", "f"],
            error(ReplyError::wrong_arity(b"hincrby")),
        ),
        (
            &["HRANDFIELD"],
            error(ReplyError::wrong_arity(b"hrandfield")),
        ),
        (&["HSCAN", "h"], error(ReplyError::wrong_arity(b"hscan"))),
        (&["EXISTS", "h"], int(0)),
    ]);
}

#[test]
fn wrong_type_everywhere() {
    let mut h = Harness::default();
    h.check(&[(&["SET", "s", "v"], Reply::Ok)]);
    let cases: &[&[&str]] = &[
        &["HSET", "s", "f", "v"],
        &["HMSET", "s", "f", "v"],
        &["HSETNX", "s", "f", "v"],
        &["HGET", "s", "f"],
        &["HMGET", "s", "f"],
        &["HDEL", "s", "f"],
        &["HLEN", "s"],
        &["HSTRLEN", "s", "f"],
        &["HEXISTS", "s", "f"],
        &["HKEYS", "s"],
        &["HVALS", "s"],
        &["HGETALL", "s"],
        &["HINCRBY", "s", "f", "1"],
        &["HINCRBYFLOAT", "s", "f", "1"],
        &["HRANDFIELD", "s"],
        &["HRANDFIELD", "s", "2"],
        &["HRANDFIELD", "s", "0"],
        &["HRANDFIELD", "s", "-2", "WITHVALUES"],
        &["HSCAN", "s", "0"],
    ];
    for args in cases {
        assert_eq!(h.run(args), wrongtype(), "{args:?}");
    }
    assert_eq!(h.run(&["GET", "s"]), bulk("v"), "the string is untouched");
    h.check(&[
        (&["HSET", "h", "f", "v"], int(1)),
        (&["GET", "h"], wrongtype()),
        (&["INCR", "h"], wrongtype()),
        (&["SADD", "h", "m"], wrongtype()),
        (&["LPUSH", "h", "m"], wrongtype()),
        // Argument errors come before the type check where Redis checks them first.
        (&["HINCRBY", "s", "f", "x"], error(ReplyError::NotInteger)),
        (
            &["HINCRBYFLOAT", "s", "f", "x"],
            error(ReplyError::NotFloat),
        ),
        (&["HRANDFIELD", "s", "x"], error(ReplyError::NotInteger)),
        (&["HRANDFIELD", "s", "1", "x"], error(ReplyError::Syntax)),
        (&["HSCAN", "s", "x"], err_text("invalid cursor")),
        (&["HSET", "s", "f"], error(ReplyError::wrong_arity(b"hset"))),
    ]);
}

#[test]
fn hdel_removes_fields_then_the_key() {
    let mut h = Harness::default();
    h.check(&[
        (&["HDEL", "h", "f"], int(0)),
        (&["HSET", "h", "a", "1", "b", "2", "c", "3"], int(3)),
        (&["HDEL", "h", "a", "a", "nope"], int(1)),
        (&["HLEN", "h"], int(2)),
        (&["HDEL", "h", "b", "c", "d"], int(2)),
        (&["EXISTS", "h"], int(0)),
        (&["TYPE", "h"], Reply::simple("none")),
        (&["HLEN", "h"], int(0)),
    ]);
}

#[test]
fn keys_values_and_getall() {
    let mut h = Harness::default();
    let pairs = [("a", "1"), ("b", "2"), ("c", "3"), ("dd", ""), ("", "e")];
    h.check(&[
        (&["HKEYS", "h"], nil_array()),
        (&["HVALS", "h"], nil_array()),
        (&["HGETALL", "h"], Reply::Map(Vec::new())),
        (
            &["HSET", "h", "a", "1", "b", "2", "c", "3", "dd", "", "", "e"],
            int(5),
        ),
        (&["HKEYS", "h"], fields_array(&pairs, |p| p.0)),
        (&["HVALS", "h"], fields_array(&pairs, |p| p.1)),
        (&["HGETALL", "h"], map(&pairs)),
    ]);
    // A small hash lists its fields in insertion order: a new value keeps the field's place, a
    // field removed and set again goes to the end.
    h.check(&[
        (&["HSET", "h", "b", "20"], int(0)),
        (&["HDEL", "h", "a"], int(1)),
        (&["HSET", "h", "a", "10"], int(1)),
        (&["HINCRBY", "h", "c", "1"], int(4)),
        (
            &["HGETALL", "h"],
            map(&[("b", "20"), ("c", "4"), ("dd", ""), ("", "e"), ("a", "10")]),
        ),
        (&["OBJECT", "ENCODING", "h"], bulk("listpack")),
    ]);
    // A big hash lists its fields in member order, whatever the insertion order.
    let mut big = [("a", "1"), ("b", "2"), ("c", "3"), ("dd", ""), ("", "e")];
    let mut forward = Harness::default();
    let mut backward = Harness::default();
    for harness in [&mut forward, &mut backward] {
        set_max_entries(harness, 2);
    }
    forward.run(&["HSET", "h", "a", "1", "b", "2", "c", "3", "dd", "", "", "e"]);
    backward.run(&["HSET", "h", "", "e", "dd", "", "c", "3"]);
    backward.run(&["HSET", "h", "b", "2", "a", "1"]);
    in_hash_order(&mut big);
    assert_eq!(forward.run(&["OBJECT", "ENCODING", "h"]), bulk("hashtable"));
    assert_eq!(forward.run(&["HGETALL", "h"]), map(&big));
    assert_eq!(backward.run(&["HGETALL", "h"]), map(&big));
}

#[test]
fn conversion_at_the_limits_keeps_contents_and_never_goes_back() {
    let mut h = Harness::default();
    set_max_entries(&mut h, 3);
    h.check(&[
        (&["HSET", "h", "z", "1", "y", "2", "x", "3"], int(3)),
        (&["OBJECT", "ENCODING", "h"], bulk("listpack")),
        (&["HKEYS", "h"], array(&[bulk("z"), bulk("y"), bulk("x")])),
        (&["HSET", "h", "w", "4"], int(1)),
        (&["OBJECT", "ENCODING", "h"], bulk("hashtable")),
        (&["HDEL", "h", "w", "x"], int(2)),
        (&["OBJECT", "ENCODING", "h"], bulk("hashtable")),
        (&["HGET", "h", "z"], bulk("1")),
        (&["HLEN", "h"], int(2)),
        // A value longer than hash-max-listpack-value (64) converts too.
        (&["HSET", "v", "f", &"x".repeat(64)], int(1)),
        (&["OBJECT", "ENCODING", "v"], bulk("listpack")),
        (&["HSET", "v", "g", &"x".repeat(65)], int(1)),
        (&["OBJECT", "ENCODING", "v"], bulk("hashtable")),
        (&["HSTRLEN", "v", "g"], int(65)),
    ]);
}

#[test]
fn hincrby() {
    let mut h = Harness::default();
    let not_integer = err_text("hash value is not an integer");
    h.check(&[
        (&["HINCRBY", "h", "n", "5"], int(5)),
        (&["HINCRBY", "h", "n", "-7"], int(-2)),
        (&["HGET", "h", "n"], bulk("-2")),
        (&["HINCRBY", "h", "n", "0"], int(-2)),
        (&["HINCRBY", "h", "n", "x"], error(ReplyError::NotInteger)),
        (&["HINCRBY", "h", "n", "1.5"], error(ReplyError::NotInteger)),
        (&["HINCRBY", "h", "n", "+1"], error(ReplyError::NotInteger)),
        (&["HINCRBY", "h", "n", " 1"], error(ReplyError::NotInteger)),
        (
            &[
                "HSET",
                "h",
                "s",
                "abc",
                "f",
                "1.5",
                "sp",
                " 1",
                "big",
                "9223372036854775807",
            ],
            int(4),
        ),
        (&["HINCRBY", "h", "s", "1"], not_integer.clone()),
        (&["HINCRBY", "h", "f", "1"], not_integer.clone()),
        (&["HINCRBY", "h", "sp", "1"], not_integer),
        (&["HINCRBY", "h", "big", "1"], error(ReplyError::Overflow)),
        (&["HGET", "h", "big"], bulk("9223372036854775807")),
        (&["HINCRBY", "h", "big", "-9223372036854775807"], int(0)),
        (
            &["HINCRBY", "h", "min", "-9223372036854775808"],
            int(i64::MIN),
        ),
        (&["HINCRBY", "h", "min", "-1"], error(ReplyError::Overflow)),
        (&["HINCRBY", "h", "min", "9223372036854775807"], int(-1)),
        // A failed increment on a missing key creates nothing.
        (
            &["HINCRBY", "nokey", "f", "x"],
            error(ReplyError::NotInteger),
        ),
        (&["EXISTS", "nokey"], int(0)),
    ]);
}

#[test]
fn hincrbyfloat() {
    let mut h = Harness::default();
    let not_float = err_text("hash value is not a float");
    h.check(&[
        (&["HINCRBYFLOAT", "h", "f", "10.5"], bulk("10.5")),
        (&["HINCRBYFLOAT", "h", "f", "0.1"], bulk("10.6")),
        (&["HGET", "h", "f"], bulk("10.6")),
        (&["HSET", "h", "g", "5.0e3"], int(1)),
        (&["HINCRBYFLOAT", "h", "g", "2.0e2"], bulk("5200")),
        (&["HINCRBYFLOAT", "h", "z", "3.0e3"], bulk("3000")),
        (&["HINCRBYFLOAT", "h", "p", "0.1"], bulk("0.1")),
        (&["HINCRBYFLOAT", "h", "p", "0.2"], bulk("0.3")),
        (&["HINCRBYFLOAT", "h", "one", "1"], bulk("1")),
        (&["HINCRBYFLOAT", "h", "one", "-1.1"], bulk("-0.1")),
        (
            &["HINCRBYFLOAT", "h", "i", "17179869184"],
            bulk("17179869184"),
        ),
        (&["HINCRBYFLOAT", "h", "i", "1.5"], bulk("17179869185.5")),
        (
            &["HINCRBYFLOAT", "h", "e", "1e20"],
            bulk("100000000000000000000"),
        ),
        (&["HINCRBYFLOAT", "h", "x", "0x10"], bulk("16")),
        // An integer result is stored as integer text, usable by HINCRBY.
        (&["HINCRBYFLOAT", "h", "n", "2.5"], bulk("2.5")),
        (&["HINCRBYFLOAT", "h", "n", "0.5"], bulk("3")),
        (&["HINCRBY", "h", "n", "1"], int(4)),
        (
            &["HINCRBY", "h", "f", "1"],
            err_text("hash value is not an integer"),
        ),
        // Errors.
        (
            &["HINCRBYFLOAT", "h", "f", "abc"],
            error(ReplyError::NotFloat),
        ),
        (&["HINCRBYFLOAT", "h", "f", ""], error(ReplyError::NotFloat)),
        (
            &["HINCRBYFLOAT", "h", "f", " 1"],
            error(ReplyError::NotFloat),
        ),
        (
            &["HINCRBYFLOAT", "h", "f", "1 "],
            error(ReplyError::NotFloat),
        ),
        (
            &["HINCRBYFLOAT", "h", "f", "nan"],
            error(ReplyError::NotFloat),
        ),
        (
            &["HINCRBYFLOAT", "h", "f", "inf"],
            err_text("value is NaN or Infinity"),
        ),
        (
            &["HINCRBYFLOAT", "h", "f", "-Infinity"],
            err_text("value is NaN or Infinity"),
        ),
        (
            &["HINCRBYFLOAT", "h", "f", "1e5000"],
            error(ReplyError::NotFloat),
        ),
        (&["HSET", "h", "s", "abc", "sp", " 1", "inf", "inf"], int(3)),
        (&["HINCRBYFLOAT", "h", "s", "1"], not_float.clone()),
        (&["HINCRBYFLOAT", "h", "sp", "1"], not_float),
        (
            &["HINCRBYFLOAT", "h", "inf", "1"],
            err_text("increment would produce NaN or Infinity"),
        ),
        (&["HSET", "h", "max", "1.1e4932"], int(1)),
        (
            &["HINCRBYFLOAT", "h", "max", "1.1e4932"],
            err_text("increment would produce NaN or Infinity"),
        ),
        (&["HGET", "h", "max"], bulk("1.1e4932")),
        (
            &["HINCRBYFLOAT", "nokey", "f", "inf"],
            err_text("value is NaN or Infinity"),
        ),
        (&["EXISTS", "nokey"], int(0)),
    ]);
}

#[test]
fn hrandfield() {
    let mut h = Harness::default();
    let out_of_range_long = err_text(
        "value is out of range, value must between -9223372036854775807 and 9223372036854775807",
    );
    h.check(&[
        (&["HRANDFIELD", "h"], Reply::Nil),
        (&["HRANDFIELD", "h", "5"], nil_array()),
        (&["HRANDFIELD", "h", "-5", "WITHVALUES"], nil_array()),
        (&["HRANDFIELD", "h", "x"], error(ReplyError::NotInteger)),
        (
            &["HRANDFIELD", "h", "-9223372036854775808"],
            out_of_range_long.clone(),
        ),
        (
            &["HRANDFIELD", "h", "1", "WITHVALUE"],
            error(ReplyError::Syntax),
        ),
        (
            &["HRANDFIELD", "h", "1", "WITHVALUES", "x"],
            error(ReplyError::Syntax),
        ),
        (
            &["HRANDFIELD", "h", "-9223372036854775807", "WITHVALUES"],
            err_text("value is out of range"),
        ),
        (
            &["HRANDFIELD", "h", "4611686018427387904", "withvalues"],
            err_text("value is out of range"),
        ),
        (&["HSET", "h", "a", "1", "b", "2", "c", "3"], int(3)),
        (&["HRANDFIELD", "h", "0"], nil_array()),
        (
            &["HRANDFIELD", "h", "0", "WITHVALUES"],
            Reply::Pairs(Vec::new()),
        ),
        // A count of at least the size returns every field, in order.
        (
            &["HRANDFIELD", "h", "3"],
            fields_array(&[("a", "1"), ("b", "2"), ("c", "3")], |p| p.0),
        ),
        (
            &["HRANDFIELD", "h", "100"],
            fields_array(&[("a", "1"), ("b", "2"), ("c", "3")], |p| p.0),
        ),
        // A huge negative count is refused instead of building a huge reply.
        (
            &["HRANDFIELD", "h", "-1000000001"],
            err_text("value is out of range"),
        ),
    ]);
    let all: BTreeMap<&str, &str> = [("a", "1"), ("b", "2"), ("c", "3")].into();
    for _ in 0..50 {
        let field = h.run(&["HRANDFIELD", "h"]);
        let Reply::Bulk(field) = field else {
            panic!("{field:?}");
        };
        assert!(all.contains_key(std::str::from_utf8(&field).unwrap()));

        let fields = bulk_texts(&h.run(&["HRANDFIELD", "h", "2"]));
        assert_eq!(fields.len(), 2);
        assert_ne!(
            fields[0], fields[1],
            "a positive count gives distinct fields"
        );

        let fields = bulk_texts(&h.run(&["HRANDFIELD", "h", "-10"]));
        assert_eq!(fields.len(), 10);
        assert!(fields.iter().all(|f| all.contains_key(f.as_str())));

        let reply = h.run(&["HRANDFIELD", "h", "-4", "WITHVALUES"]);
        assert!(
            matches!(&reply, Reply::Pairs(pairs) if pairs.len() == 4),
            "{reply:?}"
        );
        let flat = bulk_texts(&reply);
        assert_eq!(flat.len(), 8);
        for pair in flat.chunks(2) {
            assert_eq!(all[pair[0].as_str()], pair[1]);
        }
        let flat = bulk_texts(&h.run(&["HRANDFIELD", "h", "2", "WITHVALUES"]));
        assert_eq!(flat.len(), 4);
        assert_ne!(flat[0], flat[2]);
    }
    // Repeats do happen with a negative count larger than the hash.
    let fields = bulk_texts(&h.run(&["HRANDFIELD", "h", "-100"]));
    assert!(fields.iter().collect::<BTreeSet<_>>().len() <= 3);
}

#[test]
fn hscan() {
    let mut h = Harness::default();
    h.check(&[
        (&["HSCAN", "h", "0"], array(&[bulk("0"), nil_array()])),
        // A missing key does not look at the options.
        (
            &["HSCAN", "h", "0", "COUNT", "0"],
            array(&[bulk("0"), nil_array()]),
        ),
        (&["HSCAN", "h", "x"], err_text("invalid cursor")),
        (&["HSCAN", "h", "-1x"], err_text("invalid cursor")),
        (&["HSET", "h", "a", "1", "b", "2"], int(2)),
        (
            &["HSCAN", "h", "0", "COUNT", "0"],
            error(ReplyError::Syntax),
        ),
        (
            &["HSCAN", "h", "0", "COUNT", "x"],
            error(ReplyError::NotInteger),
        ),
        (&["HSCAN", "h", "0", "COUNT"], error(ReplyError::Syntax)),
        (&["HSCAN", "h", "0", "NOVALUES"], error(ReplyError::Syntax)),
        (
            &["HSCAN", "h", "0", "TYPE", "hash"],
            error(ReplyError::Syntax),
        ),
    ]);
    // A small hash comes whole, in insertion order, with cursor 0, whatever the cursor and COUNT.
    h.run(&["HSET", "h", "0", "x"]);
    let flat = array(&[
        bulk("a"),
        bulk("1"),
        bulk("b"),
        bulk("2"),
        bulk("0"),
        bulk("x"),
    ]);
    for args in [
        &["HSCAN", "h", "0"][..],
        &["HSCAN", "h", "0", "COUNT", "1"],
        &["HSCAN", "h", "12345", "COUNT", "2"],
    ] {
        assert_eq!(h.run(args), array(&[bulk("0"), flat.clone()]), "{args:?}");
    }
    assert_eq!(
        h.run(&["HSCAN", "h", "0", "MATCH", "b", "COUNT", "1"]),
        array(&[bulk("0"), array(&[bulk("b"), bulk("2")])])
    );

    // Big hashes are scanned by cursor.
    set_max_entries(&mut h, 16);

    // A full scan with a small COUNT returns every field once, with its value.
    for i in 0..100 {
        let (field, value) = (format!("field:{i}"), format!("value:{i}"));
        h.run(&["HSET", "big", &field, &value]);
    }
    let mut cursor = "0".to_owned();
    let mut seen = BTreeMap::new();
    let mut n_calls = 0;
    loop {
        let reply = h.run(&["HSCAN", "big", &cursor, "COUNT", "7"]);
        let Reply::Array(parts) = reply else {
            panic!("{reply:?}");
        };
        let Reply::Bulk(next) = &parts[0] else {
            panic!("{parts:?}");
        };
        let flat = bulk_texts(&parts[1]);
        assert!(flat.len() <= 2 * 7 + 2 || next.as_ref() == b"0");
        for pair in flat.chunks(2) {
            assert_eq!(pair[1], pair[0].replace("field", "value"));
            assert!(seen.insert(pair[0].clone(), ()).is_none(), "returned twice");
        }
        n_calls += 1;
        cursor = String::from_utf8(next.to_vec()).unwrap();
        if cursor == "0" {
            break;
        }
    }
    assert_eq!(seen.len(), 100);
    assert!(n_calls >= 100 / 7);

    // MATCH filters after visiting: a full scan still returns exactly the matching fields.
    let mut cursor = "0".to_owned();
    let mut matched = BTreeSet::new();
    loop {
        let reply = h.run(&["HSCAN", "big", &cursor, "MATCH", "field:1*", "COUNT", "10"]);
        let Reply::Array(parts) = reply else {
            panic!("{reply:?}");
        };
        for pair in bulk_texts(&parts[1]).chunks(2) {
            matched.insert(pair[0].clone());
        }
        let Reply::Bulk(next) = &parts[0] else {
            panic!("{parts:?}");
        };
        cursor = String::from_utf8(next.to_vec()).unwrap();
        if cursor == "0" {
            break;
        }
    }
    let expected: BTreeSet<String> = (0..100)
        .map(|i| format!("field:{i}"))
        .filter(|f| f.starts_with("field:1"))
        .collect();
    assert_eq!(matched, expected);
}

#[test]
fn expiry_and_ttl() {
    let mut h = Harness::default();
    h.check(&[
        (&["HSET", "h", "f", "1"], int(1)),
        (&["PEXPIRE", "h", "100"], int(1)),
        // Modifying keeps the TTL.
        (&["HSET", "h", "g", "2"], int(1)),
        (&["HINCRBY", "h", "f", "1"], int(2)),
        (&["HDEL", "h", "g"], int(1)),
        (&["PTTL", "h"], int(100)),
    ]);
    h.advance(100);
    h.check(&[
        (&["HGET", "h", "f"], Reply::Nil),
        (&["HLEN", "h"], int(0)),
        (&["HGETALL", "h"], Reply::Map(Vec::new())),
        (&["HSCAN", "h", "0"], array(&[bulk("0"), nil_array()])),
        (&["HRANDFIELD", "h"], Reply::Nil),
        // Writing an expired key starts a fresh hash without TTL.
        (&["HINCRBY", "h", "f", "1"], int(1)),
        (&["HLEN", "h"], int(1)),
        (&["PTTL", "h"], int(-1)),
    ]);
}

#[test]
fn stored_fields_and_values_are_copies() {
    let mut h = Harness::default();
    let request = Bytes::from(b"HSETkeyfieldvalue".to_vec());
    let argv = vec![
        request.slice(0..4),
        request.slice(4..7),
        request.slice(7..12),
        request.slice(12..17),
    ];
    let ctx = crate::commands::WriteCtx {
        now_ms: START_MS,
        seed: 0,
    };
    assert_eq!(
        crate::commands::execute_write(&mut h.ks, 0, &argv, &ctx),
        int(1)
    );
    let value = h.ks.db(0).unwrap().get_value(b"key", START_MS).unwrap();
    let (field, stored) = value.as_hash().unwrap().iter().next().unwrap();
    for bytes in [field, stored] {
        assert!(!request.as_ptr_range().contains(&bytes.as_ptr()));
    }
}
