use bytes::Bytes;
use tinyredis_common::Reply;
use tinyredis_common::ReplyError;

use crate::commands::test_util::*;

/// An array of bulk strings.
fn bulks(items: &[&str]) -> Reply {
    Reply::Array(items.iter().map(|s| bulk(s)).collect())
}

/// An array of integers.
fn ints(items: &[i64]) -> Reply {
    Reply::Array(items.iter().map(|&n| int(n)).collect())
}

/// The reply of LMPOP: the key and the popped elements.
fn key_and(key: &str, items: &[&str]) -> Reply {
    Reply::Array(vec![bulk(key), bulks(items)])
}

fn wrongtype() -> Reply {
    error(ReplyError::WrongType)
}

fn syntax() -> Reply {
    error(ReplyError::Syntax)
}

fn not_integer() -> Reply {
    error(ReplyError::NotInteger)
}

fn empty() -> Reply {
    Reply::Array(Vec::new())
}

const MUST_BE_POSITIVE: &str = "value is out of range, must be positive";
const RANK_ZERO: &str = "RANK can't be zero: use 1 to start from the first match, 2 from the second \
                         ... or use negative to start from the end of the list";

#[test]
fn push_and_length() {
    let mut h = Harness::default();
    h.check(&[
        (&["LPUSH", "k", "a"], int(1)),
        (&["LPUSH", "k", "b", "c"], int(3)),
        (&["RPUSH", "k", "d", "e"], int(5)),
        (
            &["LRANGE", "k", "0", "-1"],
            bulks(&["c", "b", "a", "d", "e"]),
        ),
        (&["LLEN", "k"], int(5)),
        (&["LLEN", "missing"], int(0)),
        (&["TYPE", "k"], Reply::simple("list")),
        (&["rpush", "bin", "", "\r\n\0"], int(2)),
        (&["LRANGE", "bin", "0", "-1"], bulks(&["", "\r\n\0"])),
        (&["LPUSH", "k"], error(ReplyError::wrong_arity(b"lpush"))),
        (&["LLEN", "k", "x"], error(ReplyError::wrong_arity(b"llen"))),
    ]);
}

#[test]
fn pushx_only_on_existing_lists() {
    let mut h = Harness::default();
    h.check(&[
        (&["LPUSHX", "k", "a"], int(0)),
        (&["RPUSHX", "k", "a", "b"], int(0)),
        (&["EXISTS", "k"], int(0)),
        (&["RPUSH", "k", "m"], int(1)),
        (&["LPUSHX", "k", "b", "a"], int(3)),
        (&["RPUSHX", "k", "y", "z"], int(5)),
        (
            &["LRANGE", "k", "0", "-1"],
            bulks(&["a", "b", "m", "y", "z"]),
        ),
        (&["SET", "s", "v"], Reply::Ok),
        (&["LPUSHX", "s", "a"], wrongtype()),
        (&["RPUSHX", "s", "a"], wrongtype()),
    ]);
}

#[test]
fn every_command_refuses_other_types() {
    let mut h = Harness::default();
    h.check(&[
        (&["SET", "s", "v"], Reply::Ok),
        (&["RPUSH", "l", "a"], int(1)),
    ]);
    let cases: &[&[&str]] = &[
        &["LPUSH", "s", "a"],
        &["RPUSH", "s", "a"],
        &["LPOP", "s"],
        &["RPOP", "s", "2"],
        &["LLEN", "s"],
        &["LRANGE", "s", "0", "-1"],
        &["LINDEX", "s", "0"],
        &["LSET", "s", "0", "x"],
        &["LTRIM", "s", "0", "-1"],
        &["LINSERT", "s", "BEFORE", "a", "b"],
        &["LREM", "s", "0", "a"],
        &["LPOS", "s", "a"],
        &["LMOVE", "s", "l", "LEFT", "LEFT"],
        &["LMOVE", "l", "s", "LEFT", "LEFT"],
        &["RPOPLPUSH", "s", "l"],
        &["RPOPLPUSH", "l", "s"],
        &["LMPOP", "1", "s", "LEFT"],
        &["LMPOP", "2", "missing", "s", "LEFT"],
    ];
    for args in cases {
        assert_eq!(h.run(args), wrongtype(), "{args:?}");
    }
    // Nothing changed, in particular not the source of an LMOVE to a string.
    h.check(&[
        (&["GET", "s"], bulk("v")),
        (&["LRANGE", "l", "0", "-1"], bulks(&["a"])),
        // A list met before the string is popped: the string is never looked at.
        (&["LMPOP", "2", "l", "s", "LEFT"], key_and("l", &["a"])),
    ]);
}

#[test]
fn pop_single_and_with_count() {
    let mut h = Harness::default();
    h.check(&[
        (&["LPOP", "k"], Reply::Nil),
        (&["RPOP", "k"], Reply::Nil),
        (&["LPOP", "k", "2"], Reply::NilArray),
        (&["RPOP", "k", "0"], Reply::NilArray),
        (&["RPUSH", "k", "a", "b", "c", "d", "e", "f"], int(6)),
        (&["LPOP", "k"], bulk("a")),
        (&["RPOP", "k"], bulk("f")),
        (&["LPOP", "k", "0"], empty()),
        (&["LPOP", "k", "2"], bulks(&["b", "c"])),
        (&["RPOP", "k", "1"], bulks(&["e"])),
        (&["LLEN", "k"], int(1)),
        // Popping the last element deletes the key.
        (&["RPOP", "k", "100"], bulks(&["d"])),
        (&["EXISTS", "k"], int(0)),
        (&["TYPE", "k"], Reply::simple("none")),
        (&["RPUSH", "k", "a", "b", "c"], int(3)),
        (&["RPOP", "k", "3"], bulks(&["c", "b", "a"])),
        (&["EXISTS", "k"], int(0)),
        (&["RPUSH", "k", "x"], int(1)),
        (&["LPOP", "k"], bulk("x")),
        (&["EXISTS", "k"], int(0)),
    ]);
}

#[test]
fn pop_count_errors() {
    let mut h = Harness::default();
    h.check(&[
        // The count is checked before the key, and "not a number" has the range error's text.
        (&["LPOP", "k", "-1"], err_text(MUST_BE_POSITIVE)),
        (&["RPOP", "k", "abc"], err_text(MUST_BE_POSITIVE)),
        (&["LPOP", "k", "1.5"], err_text(MUST_BE_POSITIVE)),
        (&["SET", "s", "v"], Reply::Ok),
        (&["LPOP", "s", "-1"], err_text(MUST_BE_POSITIVE)),
        (&["LPOP", "s", "0"], wrongtype()),
        (
            &["LPOP", "k", "1", "2"],
            error(ReplyError::wrong_arity(b"lpop")),
        ),
        (
            &["RPOP", "k", "1", "2"],
            error(ReplyError::wrong_arity(b"rpop")),
        ),
        (&["LPOP"], error(ReplyError::wrong_arity(b"lpop"))),
        (&["RPUSH", "k", "a"], int(1)),
        (&["LPOP", "k", "9223372036854775807"], bulks(&["a"])),
    ]);
}

#[test]
fn lrange_indexes() {
    let mut h = Harness::default();
    h.check(&[(&["RPUSH", "k", "a", "b", "c", "d"], int(4))]);
    let cases: &[(&str, &str, &[&str])] = &[
        ("0", "-1", &["a", "b", "c", "d"]),
        ("0", "0", &["a"]),
        ("1", "2", &["b", "c"]),
        ("-2", "-1", &["c", "d"]),
        ("-100", "100", &["a", "b", "c", "d"]),
        ("-100", "-4", &["a"]),
        ("-100", "-5", &[]),
        ("2", "1", &[]),
        ("4", "10", &[]),
        ("3", "3", &["d"]),
        ("0", "-5", &[]),
        (
            "-9223372036854775808",
            "9223372036854775807",
            &["a", "b", "c", "d"],
        ),
    ];
    for (start, stop, expected) in cases {
        assert_eq!(
            h.run(&["LRANGE", "k", start, stop]),
            bulks(expected),
            "{start} {stop}"
        );
    }
    h.check(&[
        (&["LRANGE", "missing", "0", "-1"], empty()),
        // The indexes are parsed before the key is looked up.
        (&["LRANGE", "missing", "a", "-1"], not_integer()),
        (&["LRANGE", "k", "0", "1.0"], not_integer()),
        (&["LRANGE", "k", "+1", "2"], not_integer()),
        (&["SET", "s", "v"], Reply::Ok),
        (&["LRANGE", "s", "x", "1"], not_integer()),
    ]);
}

#[test]
fn lindex() {
    let mut h = Harness::default();
    h.check(&[
        (&["RPUSH", "k", "a", "b", "c"], int(3)),
        (&["LINDEX", "k", "0"], bulk("a")),
        (&["LINDEX", "k", "2"], bulk("c")),
        (&["LINDEX", "k", "3"], Reply::Nil),
        (&["LINDEX", "k", "-1"], bulk("c")),
        (&["LINDEX", "k", "-3"], bulk("a")),
        (&["LINDEX", "k", "-4"], Reply::Nil),
        (&["LINDEX", "k", "-9223372036854775808"], Reply::Nil),
        (&["LINDEX", "k", "9223372036854775807"], Reply::Nil),
        (&["LINDEX", "k", "x"], not_integer()),
        // The key is looked up before the index is parsed.
        (&["LINDEX", "missing", "x"], Reply::Nil),
        (&["LINDEX", "missing", "0"], Reply::Nil),
    ]);
}

#[test]
fn lset() {
    let mut h = Harness::default();
    let out_of_range = err_text("index out of range");
    h.check(&[
        (&["LSET", "k", "0", "x"], error(ReplyError::NoSuchKey)),
        // The key is looked up before the index is parsed.
        (&["LSET", "k", "x", "x"], error(ReplyError::NoSuchKey)),
        (&["RPUSH", "k", "a", "b", "c"], int(3)),
        (&["LSET", "k", "0", "A"], Reply::Ok),
        (&["LSET", "k", "-1", "C"], Reply::Ok),
        (&["LSET", "k", "1", ""], Reply::Ok),
        (&["LRANGE", "k", "0", "-1"], bulks(&["A", "", "C"])),
        (&["LSET", "k", "3", "x"], out_of_range.clone()),
        (&["LSET", "k", "-4", "x"], out_of_range.clone()),
        (&["LSET", "k", "-9223372036854775808", "x"], out_of_range),
        (&["LSET", "k", "x", "x"], not_integer()),
        (&["LRANGE", "k", "0", "-1"], bulks(&["A", "", "C"])),
    ]);
}

#[test]
fn ltrim() {
    let cases: &[(&str, &str, &[&str])] = &[
        ("0", "-1", &["a", "b", "c", "d", "e"]),
        ("1", "-2", &["b", "c", "d"]),
        ("0", "0", &["a"]),
        ("-2", "100", &["d", "e"]),
        ("-100", "1", &["a", "b"]),
        ("3", "1", &[]),
        ("5", "10", &[]),
        ("0", "-6", &[]),
    ];
    for (start, stop, expected) in cases {
        let mut h = Harness::default();
        h.check(&[
            (&["RPUSH", "k", "a", "b", "c", "d", "e"], int(5)),
            (&["LTRIM", "k", start, stop], Reply::Ok),
            (&["LRANGE", "k", "0", "-1"], bulks(expected)),
            (&["EXISTS", "k"], int(i64::from(!expected.is_empty()))),
        ]);
    }
    let mut h = Harness::default();
    h.check(&[
        (&["LTRIM", "missing", "0", "1"], Reply::Ok),
        (&["EXISTS", "missing"], int(0)),
        (&["LTRIM", "missing", "a", "1"], not_integer()),
        (&["LTRIM", "missing", "0", "b"], not_integer()),
    ]);
}

#[test]
fn linsert() {
    let mut h = Harness::default();
    h.check(&[
        (&["LINSERT", "k", "BEFORE", "a", "x"], int(0)),
        (&["EXISTS", "k"], int(0)),
        // The position keyword is checked before the key.
        (&["LINSERT", "k", "MIDDLE", "a", "x"], syntax()),
        (&["RPUSH", "k", "a", "b", "a"], int(3)),
        (&["LINSERT", "k", "before", "a", "x"], int(4)),
        (&["LINSERT", "k", "AFTER", "a", "y"], int(5)),
        (&["LINSERT", "k", "After", "b", "z"], int(6)),
        (
            &["LRANGE", "k", "0", "-1"],
            bulks(&["x", "a", "y", "b", "z", "a"]),
        ),
        (&["LINSERT", "k", "BEFORE", "nope", "w"], int(-1)),
        (&["LINSERT", "k", "AFTER", "a", "end"], int(7)),
        (&["LINSERT", "k", "AFTER", "z", "last"], int(8)),
        (&["LINDEX", "k", "6"], bulk("last")),
        (&["LINSERT", "k", "AFTERX", "a", "y"], syntax()),
    ]);
}

#[test]
fn lrem() {
    let fresh = || {
        let mut h = Harness::default();
        h.check(&[(&["RPUSH", "k", "x", "a", "x", "b", "x", "c"], int(6))]);
        h
    };
    let cases: &[(&str, i64, &[&str])] = &[
        ("0", 3, &["a", "b", "c"]),
        ("1", 1, &["a", "x", "b", "x", "c"]),
        ("2", 2, &["a", "b", "x", "c"]),
        ("-1", 1, &["x", "a", "x", "b", "c"]),
        ("-2", 2, &["x", "a", "b", "c"]),
        ("100", 3, &["a", "b", "c"]),
        ("-9223372036854775808", 3, &["a", "b", "c"]),
    ];
    for (count, removed, rest) in cases {
        let mut h = fresh();
        h.check(&[
            (&["LREM", "k", count, "x"], int(*removed)),
            (&["LRANGE", "k", "0", "-1"], bulks(rest)),
        ]);
    }
    let mut h = fresh();
    h.check(&[
        (&["LREM", "k", "0", "nope"], int(0)),
        (&["LREM", "k", "x", "a"], not_integer()),
        (&["LREM", "missing", "x", "a"], not_integer()),
        (&["LREM", "missing", "1", "a"], int(0)),
        (&["RPUSH", "same", "a", "a"], int(2)),
        (&["LREM", "same", "0", "a"], int(2)),
        (&["EXISTS", "same"], int(0)),
    ]);
}

#[test]
fn lpos() {
    let mut h = Harness::default();
    h.check(&[
        (
            &["RPUSH", "k", "a", "b", "c", "1", "2", "3", "c", "c"],
            int(8),
        ),
        (&["LPOS", "k", "c"], int(2)),
        (&["LPOS", "k", "nope"], Reply::Nil),
        (&["LPOS", "k", "c", "RANK", "2"], int(6)),
        (&["LPOS", "k", "c", "RANK", "3"], int(7)),
        (&["LPOS", "k", "c", "RANK", "4"], Reply::Nil),
        (&["LPOS", "k", "c", "RANK", "-1"], int(7)),
        (&["LPOS", "k", "c", "RANK", "-3"], int(2)),
        (
            &["LPOS", "k", "c", "RANK", "9223372036854775807"],
            Reply::Nil,
        ),
        (
            &["LPOS", "k", "c", "RANK", "-9223372036854775807"],
            Reply::Nil,
        ),
        (&["LPOS", "k", "c", "COUNT", "2"], ints(&[2, 6])),
        (&["LPOS", "k", "c", "COUNT", "0"], ints(&[2, 6, 7])),
        (&["LPOS", "k", "c", "COUNT", "100"], ints(&[2, 6, 7])),
        (&["LPOS", "k", "nope", "COUNT", "0"], empty()),
        (
            &["LPOS", "k", "c", "RANK", "-1", "COUNT", "2"],
            ints(&[7, 6]),
        ),
        (
            &["LPOS", "k", "c", "RANK", "2", "COUNT", "0"],
            ints(&[6, 7]),
        ),
        (
            &["LPOS", "k", "c", "rank", "-2", "count", "0"],
            ints(&[6, 2]),
        ),
        // MAXLEN bounds the elements scanned, from the starting end.
        (&["LPOS", "k", "c", "MAXLEN", "2"], Reply::Nil),
        (&["LPOS", "k", "c", "MAXLEN", "3"], int(2)),
        (&["LPOS", "k", "c", "MAXLEN", "0"], int(2)),
        (
            &["LPOS", "k", "c", "COUNT", "0", "MAXLEN", "7"],
            ints(&[2, 6]),
        ),
        (&["LPOS", "k", "c", "RANK", "-1", "MAXLEN", "1"], int(7)),
        (&["LPOS", "k", "a", "RANK", "-1", "MAXLEN", "7"], Reply::Nil),
        (&["LPOS", "k", "a", "RANK", "-1", "MAXLEN", "8"], int(0)),
        (
            &["LPOS", "k", "c", "RANK", "-1", "COUNT", "0", "MAXLEN", "6"],
            ints(&[7, 6, 2]),
        ),
        (
            &["LPOS", "k", "c", "RANK", "-1", "COUNT", "0", "MAXLEN", "5"],
            ints(&[7, 6]),
        ),
        (&["LPOS", "k", "c", "MAXLEN", "9223372036854775807"], int(2)),
        // Options repeat; the last value wins.
        (&["LPOS", "k", "c", "RANK", "1", "RANK", "2"], int(6)),
        (&["LPOS", "missing", "c"], Reply::Nil),
        (&["LPOS", "missing", "c", "COUNT", "1"], empty()),
    ]);
}

#[test]
fn lpos_errors() {
    let mut h = Harness::default();
    h.check(&[
        (&["RPUSH", "k", "a"], int(1)),
        (&["SET", "s", "v"], Reply::Ok),
    ]);
    let cases: &[(&[&str], Reply)] = &[
        (&["LPOS", "k", "a", "RANK", "0"], err_text(RANK_ZERO)),
        (&["LPOS", "k", "a", "RANK", "x"], not_integer()),
        (
            &["LPOS", "k", "a", "RANK", "-9223372036854775808"],
            err_text(
                "value is out of range, value must between -9223372036854775807 and \
                 9223372036854775807",
            ),
        ),
        (
            &["LPOS", "k", "a", "COUNT", "-1"],
            err_text("COUNT can't be negative"),
        ),
        (
            &["LPOS", "k", "a", "COUNT", "x"],
            err_text("COUNT can't be negative"),
        ),
        (
            &["LPOS", "k", "a", "MAXLEN", "-1"],
            err_text("MAXLEN can't be negative"),
        ),
        (
            &["LPOS", "k", "a", "MAXLEN", "x"],
            err_text("MAXLEN can't be negative"),
        ),
        (&["LPOS", "k", "a", "RANK"], syntax()),
        (&["LPOS", "k", "a", "COUNT"], syntax()),
        (&["LPOS", "k", "a", "FOO", "1"], syntax()),
        (&["LPOS", "k", "a", "RANK", "1", "FOO"], syntax()),
        // Options are parsed before the key is looked up.
        (&["LPOS", "missing", "a", "RANK", "0"], err_text(RANK_ZERO)),
        (&["LPOS", "s", "a", "FOO"], syntax()),
        (&["LPOS", "s", "a", "COUNT", "1"], wrongtype()),
        (&["LPOS", "k"], error(ReplyError::wrong_arity(b"lpos"))),
    ];
    h.check(cases);
}

#[test]
fn lmove_every_direction() {
    // (from, to, moved element, source after, destination after)
    type Case<'a> = (&'a str, &'a str, &'a str, &'a [&'a str], &'a [&'a str]);
    let cases: &[Case] = &[
        ("LEFT", "LEFT", "a", &["b", "c"], &["a", "x"]),
        ("LEFT", "RIGHT", "a", &["b", "c"], &["x", "a"]),
        ("RIGHT", "LEFT", "c", &["a", "b"], &["c", "x"]),
        ("right", "right", "c", &["a", "b"], &["x", "c"]),
    ];
    for (from, to, moved, source, destination) in cases {
        let mut h = Harness::default();
        h.check(&[
            (&["RPUSH", "src", "a", "b", "c"], int(3)),
            (&["RPUSH", "dst", "x"], int(1)),
            (&["LMOVE", "src", "dst", from, to], bulk(moved)),
            (&["LRANGE", "src", "0", "-1"], bulks(source)),
            (&["LRANGE", "dst", "0", "-1"], bulks(destination)),
        ]);
    }
}

#[test]
fn lmove_edge_cases() {
    let mut h = Harness::default();
    h.check(&[
        (&["LMOVE", "src", "dst", "LEFT", "RIGHT"], Reply::Nil),
        (&["EXISTS", "dst"], int(0)),
        // The directions are checked before anything else.
        (&["LMOVE", "src", "dst", "UP", "RIGHT"], syntax()),
        (&["LMOVE", "src", "dst", "LEFT", "DOWN"], syntax()),
        // A missing destination is created; an emptied source is deleted.
        (&["RPUSH", "src", "a", "b"], int(2)),
        (&["LMOVE", "src", "dst", "LEFT", "RIGHT"], bulk("a")),
        (&["LMOVE", "src", "dst", "LEFT", "RIGHT"], bulk("b")),
        (&["EXISTS", "src"], int(0)),
        (&["LRANGE", "dst", "0", "-1"], bulks(&["a", "b"])),
        // Same key: a rotation.
        (&["LMOVE", "dst", "dst", "LEFT", "RIGHT"], bulk("a")),
        (&["LRANGE", "dst", "0", "-1"], bulks(&["b", "a"])),
        (&["RPOPLPUSH", "dst", "dst"], bulk("a")),
        (&["LRANGE", "dst", "0", "-1"], bulks(&["a", "b"])),
        // A missing source with a destination of the wrong type is just nil.
        (&["SET", "s", "v"], Reply::Ok),
        (&["LMOVE", "missing", "s", "LEFT", "LEFT"], Reply::Nil),
        (&["RPOPLPUSH", "missing", "s"], Reply::Nil),
    ]);
}

#[test]
fn lmove_keeps_the_destination_ttl() {
    let mut h = Harness::default();
    h.check(&[
        (&["RPUSH", "src", "a", "b"], int(2)),
        (&["RPUSH", "dst", "x"], int(1)),
        (&["PEXPIRE", "dst", "1000"], int(1)),
        (&["LMOVE", "src", "dst", "LEFT", "LEFT"], bulk("a")),
        (&["PTTL", "dst"], int(1000)),
        // A single-element list moved onto itself is never deleted, so it keeps its TTL.
        (&["RPUSH", "one", "a"], int(1)),
        (&["PEXPIRE", "one", "500"], int(1)),
        (&["LMOVE", "one", "one", "LEFT", "RIGHT"], bulk("a")),
        (&["PTTL", "one"], int(500)),
        (&["LRANGE", "one", "0", "-1"], bulks(&["a"])),
    ]);
}

#[test]
fn rpoplpush() {
    let mut h = Harness::default();
    h.check(&[
        (&["RPOPLPUSH", "src", "dst"], Reply::Nil),
        (&["RPUSH", "src", "a", "b", "c"], int(3)),
        (&["RPOPLPUSH", "src", "dst"], bulk("c")),
        (&["RPOPLPUSH", "src", "dst"], bulk("b")),
        (&["LRANGE", "dst", "0", "-1"], bulks(&["b", "c"])),
        (
            &["RPOPLPUSH", "src", "dst", "x"],
            error(ReplyError::wrong_arity(b"rpoplpush")),
        ),
    ]);
}

#[test]
fn lmpop() {
    let mut h = Harness::default();
    h.check(&[
        (&["LMPOP", "2", "a", "b", "LEFT"], Reply::NilArray),
        (
            &["LMPOP", "1", "a", "RIGHT", "COUNT", "10"],
            Reply::NilArray,
        ),
        (&["RPUSH", "b", "1", "2", "3", "4", "5"], int(5)),
        (&["LMPOP", "2", "a", "b", "LEFT"], key_and("b", &["1"])),
        (
            &["LMPOP", "2", "a", "b", "right", "count", "2"],
            key_and("b", &["5", "4"]),
        ),
        (&["RPUSH", "a", "x"], int(1)),
        (
            &["LMPOP", "2", "a", "b", "LEFT", "COUNT", "10"],
            key_and("a", &["x"]),
        ),
        (&["EXISTS", "a"], int(0)),
        (
            &["LMPOP", "2", "a", "b", "LEFT", "COUNT", "10"],
            key_and("b", &["2", "3"]),
        ),
        (&["EXISTS", "b"], int(0)),
        // The same key twice.
        (&["RPUSH", "k", "a", "b", "c", "d", "e", "f"], int(6)),
        (
            &["LMPOP", "2", "k", "k", "left", "count", "2"],
            key_and("k", &["a", "b"]),
        ),
        (
            &["LMPOP", "2", "k", "k", "right", "count", "2"],
            key_and("k", &["f", "e"]),
        ),
        (&["LLEN", "k"], int(2)),
    ]);
}

#[test]
fn lmpop_errors() {
    let mut h = Harness::default();
    let numkeys = err_text("numkeys should be greater than 0");
    let count = err_text("count should be greater than 0");
    let arity = error(ReplyError::wrong_arity(b"lmpop"));
    let cases: &[(&[&str], Reply)] = &[
        (&["LMPOP"], arity.clone()),
        (&["LMPOP", "1"], arity.clone()),
        (&["LMPOP", "1", "k"], arity),
        (&["LMPOP", "0", "k", "LEFT"], numkeys.clone()),
        (&["LMPOP", "a", "k", "LEFT"], numkeys.clone()),
        (&["LMPOP", "-1", "k", "RIGHT"], numkeys),
        (&["LMPOP", "1", "k", "bad_where"], syntax()),
        (&["LMPOP", "1", "k", "LEFT", "bar_arg"], syntax()),
        (&["LMPOP", "1", "k", "RIGHT", "LEFT"], syntax()),
        (&["LMPOP", "1", "k", "COUNT"], syntax()),
        (&["LMPOP", "1", "k", "LEFT", "COUNT"], syntax()),
        (
            &["LMPOP", "1", "k", "LEFT", "COUNT", "1", "COUNT", "2"],
            syntax(),
        ),
        (&["LMPOP", "2", "k", "k2", "bad_arg"], syntax()),
        (&["LMPOP", "2", "k", "LEFT"], syntax()),
        (&["LMPOP", "9223372036854775807", "k", "LEFT"], syntax()),
        (&["LMPOP", "1", "k", "LEFT", "COUNT", "0"], count.clone()),
        (&["LMPOP", "1", "k", "RIGHT", "COUNT", "a"], count.clone()),
        (&["LMPOP", "1", "k", "LEFT", "COUNT", "-1"], count.clone()),
        (&["LMPOP", "2", "k", "k2", "RIGHT", "COUNT", "-1"], count),
    ];
    h.check(cases);
}

#[test]
fn expired_lists_are_absent() {
    let mut h = Harness::default();
    h.check(&[
        (&["RPUSH", "k", "a", "b"], int(2)),
        (&["PEXPIRE", "k", "10"], int(1)),
        (&["RPUSH", "dst", "x"], int(1)),
        (&["PEXPIRE", "dst", "10"], int(1)),
    ]);
    h.advance(10);
    h.check(&[
        (&["LLEN", "k"], int(0)),
        (&["LRANGE", "k", "0", "-1"], empty()),
        (&["LINDEX", "k", "0"], Reply::Nil),
        (&["LPOS", "k", "a"], Reply::Nil),
        (&["LPOP", "k"], Reply::Nil),
        (&["LSET", "k", "0", "x"], error(ReplyError::NoSuchKey)),
        (&["LPUSHX", "k", "x"], int(0)),
        (&["LMPOP", "1", "k", "LEFT"], Reply::NilArray),
        // A new list under an expired key has no TTL; an expired destination is replaced.
        (&["RPUSH", "k", "c"], int(1)),
        (&["PTTL", "k"], int(-1)),
        (&["LMOVE", "k", "dst", "LEFT", "LEFT"], bulk("c")),
        (&["LRANGE", "dst", "0", "-1"], bulks(&["c"])),
        (&["PTTL", "dst"], int(-1)),
    ]);
}

#[test]
fn pop_reply_does_not_pin_the_request() {
    let mut h = Harness::default();
    h.check(&[(&["RPUSH", "k", "a"], int(1))]);
    let argv: Vec<Bytes> = argv(&["LMPOP", "1", "k", "LEFT"]);
    let reply = crate::commands::execute_write(
        &mut h.ks,
        0,
        &argv,
        &crate::commands::WriteCtx {
            now_ms: START_MS,
            seed: 0,
        },
    );
    let Reply::Array(parts) = reply else {
        panic!("unexpected reply {reply:?}");
    };
    let Reply::Bulk(key) = &parts[0] else {
        panic!("unexpected key {:?}", parts[0]);
    };
    assert_eq!(&key[..], b"k");
    assert!(!argv[2].as_ptr_range().contains(&key.as_ptr()));
}

#[test]
fn replaying_the_same_writes_gives_the_same_keyspace() {
    let script: &[&[&str]] = &[
        &["RPUSH", "a", "1", "2", "3", "4"],
        &["LPUSH", "b", "x", "y"],
        &["LMOVE", "a", "b", "RIGHT", "LEFT"],
        &["LINSERT", "b", "AFTER", "x", "z"],
        &["LREM", "a", "-1", "2"],
        &["LSET", "a", "0", "one"],
        &["LTRIM", "b", "1", "-1"],
        &["LMPOP", "2", "c", "a", "LEFT", "COUNT", "1"],
        &["RPOPLPUSH", "b", "c"],
        &["LPOP", "b", "5"],
    ];
    let mut first = Harness::default();
    let mut second = Harness::default();
    for args in script {
        assert_eq!(first.run(args), second.run(args), "{args:?}");
    }
    assert_eq!(first.ks.digest(), second.ks.digest());
    first.check(&[
        (&["LRANGE", "a", "0", "-1"], bulks(&["3"])),
        (&["LRANGE", "c", "0", "-1"], bulks(&["z"])),
        (&["EXISTS", "b"], int(0)),
    ]);
}
