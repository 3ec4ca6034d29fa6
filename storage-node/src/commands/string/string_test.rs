use tinyredis_common::Reply;
use tinyredis_common::ReplyError;

use crate::commands::test_util::*;

fn invalid_set() -> Reply {
    error(ReplyError::invalid_expire_time(b"set"))
}

#[test]
fn get_and_set() {
    let mut h = Harness::default();
    h.check(&[
        (&["GET", "k"], Reply::Nil),
        (&["SET", "k", "v"], Reply::Ok),
        (&["get", "k"], bulk("v")),
        (&["SET", "k", "w"], Reply::Ok),
        (&["GET", "k"], bulk("w")),
        (&["SET", "", ""], Reply::Ok),
        (&["GET", ""], bulk("")),
        (&["GET", "k", "x"], error(ReplyError::wrong_arity(b"get"))),
    ]);
}

#[test]
fn set_nx_xx_get() {
    let mut h = Harness::default();
    h.check(&[
        (&["SET", "k", "1", "XX"], Reply::Nil),
        (&["GET", "k"], Reply::Nil),
        (&["SET", "k", "1", "NX"], Reply::Ok),
        (&["SET", "k", "2", "NX"], Reply::Nil),
        (&["GET", "k"], bulk("1")),
        (&["SET", "k", "3", "xx"], Reply::Ok),
        (&["SET", "k", "4", "GET"], bulk("3")),
        (&["SET", "new", "1", "GET"], Reply::Nil),
        (&["GET", "new"], bulk("1")),
        // NX with GET (Redis 7.0): the old value either way, set only when missing.
        (&["SET", "k", "5", "NX", "GET"], bulk("4")),
        (&["GET", "k"], bulk("4")),
        (&["SET", "nx", "1", "NX", "GET"], Reply::Nil),
        (&["GET", "nx"], bulk("1")),
        (&["SET", "missing", "1", "XX", "GET"], Reply::Nil),
        (&["GET", "missing"], Reply::Nil),
        (&["SET", "k", "6", "XX", "GET"], bulk("4")),
        (&["GET", "k"], bulk("6")),
        // Options may repeat.
        (&["SET", "k", "7", "NX", "nx"], Reply::Nil),
        (&["SET", "k", "8", "GET", "get"], bulk("6")),
    ]);
}

#[test]
fn set_syntax_errors() {
    let mut h = Harness::default();
    let syntax = error(ReplyError::Syntax);
    let cases: &[&[&str]] = &[
        &["SET", "k", "v", "NX", "XX"],
        &["SET", "k", "v", "XX", "NX"],
        &["SET", "k", "v", "EX", "10", "PX", "100"],
        &["SET", "k", "v", "PX", "10", "EXAT", "100"],
        &["SET", "k", "v", "EXAT", "10", "PXAT", "100"],
        &["SET", "k", "v", "KEEPTTL", "EX", "10"],
        &["SET", "k", "v", "EX", "10", "KEEPTTL"],
        &["SET", "k", "v", "EX"],
        &["SET", "k", "v", "PXAT"],
        &["SET", "k", "v", "FOO"],
        &["SET", "k", "v", "NXX"],
        &["SET", "k", "v", "PERSIST"],
        // Syntax is checked before the expiry value.
        &["SET", "k", "v", "EX", "abc", "NX", "XX"],
    ];
    for args in cases {
        assert_eq!(h.run(args), syntax, "{args:?}");
    }
    assert_eq!(h.run(&["GET", "k"]), Reply::Nil, "nothing was set");
}

#[test]
fn set_expiry_options() {
    let mut h = Harness::default();
    let now_s = (START_MS / 1000) as i64;
    h.check(&[
        (&["SET", "k", "v", "EX", "10"], Reply::Ok),
        (&["PTTL", "k"], int(10_000)),
        (&["SET", "k", "v", "px", "1500"], Reply::Ok),
        (&["PTTL", "k"], int(1500)),
        (&["TTL", "k"], int(2)),
        // The same expiry option twice keeps the last value.
        (&["SET", "k", "v", "EX", "10", "EX", "20"], Reply::Ok),
        (&["TTL", "k"], int(20)),
        // A plain SET clears the TTL; KEEPTTL keeps it.
        (&["SET", "k", "v", "EX", "30"], Reply::Ok),
        (&["SET", "k", "w", "KEEPTTL"], Reply::Ok),
        (&["TTL", "k"], int(30)),
        (&["SET", "k", "x"], Reply::Ok),
        (&["TTL", "k"], int(-1)),
        // KEEPTTL on a key without TTL, and on a new key.
        (&["SET", "k", "y", "KEEPTTL"], Reply::Ok),
        (&["TTL", "k"], int(-1)),
        (&["SET", "fresh", "y", "KEEPTTL"], Reply::Ok),
        (&["TTL", "fresh"], int(-1)),
    ]);
    let exat = (now_s + 100).to_string();
    let pxat = (START_MS + 2500).to_string();
    h.check(&[
        (&["SET", "a", "v", "EXAT", &exat], Reply::Ok),
        (&["TTL", "a"], int(100)),
        (&["SET", "b", "v", "PXAT", &pxat], Reply::Ok),
        (&["PTTL", "b"], int(2500)),
    ]);
}

#[test]
fn set_expiry_in_the_past_stores_nothing() {
    let mut h = Harness::default();
    let past_s = ((START_MS / 1000) - 1).to_string();
    let now_ms = START_MS.to_string();
    h.check(&[
        (&["SET", "k", "old"], Reply::Ok),
        (&["SET", "k", "v", "EXAT", &past_s], Reply::Ok),
        (&["GET", "k"], Reply::Nil),
        (&["DBSIZE"], int(0)),
        (&["SET", "k", "old"], Reply::Ok),
        (&["SET", "k", "v", "PXAT", &now_ms, "GET"], bulk("old")),
        (&["EXISTS", "k"], int(0)),
    ]);
}

#[test]
fn set_invalid_expire_times() {
    let mut h = Harness::default();
    h.check(&[
        (
            &["SET", "k", "v", "EX", "abc"],
            error(ReplyError::NotInteger),
        ),
        (
            &["SET", "k", "v", "EX", "1.5"],
            error(ReplyError::NotInteger),
        ),
        (
            &["SET", "k", "v", "EX", "+1"],
            error(ReplyError::NotInteger),
        ),
        (&["SET", "k", "v", "EX", "0"], invalid_set()),
        (&["SET", "k", "v", "EX", "-1"], invalid_set()),
        (&["SET", "k", "v", "PX", "0"], invalid_set()),
        (&["SET", "k", "v", "EXAT", "0"], invalid_set()),
        (&["SET", "k", "v", "PXAT", "-5"], invalid_set()),
        // Seconds that overflow when converted to milliseconds.
        (&["SET", "k", "v", "EX", "9223372036854776"], invalid_set()),
        (
            &["SET", "k", "v", "EXAT", "9223372036854776"],
            invalid_set(),
        ),
        // Milliseconds that overflow when the current time is added.
        (
            &["SET", "k", "v", "PX", "9223372036854775807"],
            invalid_set(),
        ),
        (&["SET", "k", "v", "EX", "9223372036854775"], invalid_set()),
        (&["GET", "k"], Reply::Nil),
        // The largest absolute times are fine.
        (&["SET", "k", "v", "PXAT", "9223372036854775807"], Reply::Ok),
        (&["SET", "k", "v", "EXAT", "9223372036854775"], Reply::Ok),
        (&["GET", "k"], bulk("v")),
    ]);
}

#[test]
fn expired_keys_are_absent_for_reads_and_writes() {
    let mut h = Harness::default();
    h.check(&[
        (&["SET", "k", "v", "PX", "100"], Reply::Ok),
        (&["SET", "n", "5", "PX", "100"], Reply::Ok),
    ]);
    h.advance(99);
    h.check(&[(&["GET", "k"], bulk("v")), (&["PTTL", "k"], int(1))]);
    h.advance(1);
    h.check(&[
        (&["GET", "k"], Reply::Nil),
        (
            &["MGET", "k", "n"],
            Reply::Array(vec![Reply::Nil, Reply::Nil]),
        ),
        (&["EXISTS", "k"], int(0)),
        (&["TTL", "k"], int(-2)),
        (&["TYPE", "k"], Reply::simple("none")),
        // Writes treat the key as missing.
        (&["SET", "k", "2", "XX"], Reply::Nil),
        (&["SET", "k", "2", "NX", "GET"], Reply::Nil),
        (&["GET", "k"], bulk("2")),
        (&["TTL", "k"], int(-1)),
        (&["INCR", "n"], int(1)),
        (&["TTL", "n"], int(-1)),
    ]);
}

#[test]
fn mget_and_mset() {
    let mut h = Harness::default();
    h.check(&[
        (&["MSET", "a", "1", "b", "2"], Reply::Ok),
        (
            &["MGET", "a", "missing", "b", "a"],
            Reply::Array(vec![bulk("1"), Reply::Nil, bulk("2"), bulk("1")]),
        ),
        (
            &["MSET", "a", "1", "b"],
            error(ReplyError::wrong_arity(b"mset")),
        ),
        (&["MSET", "a"], error(ReplyError::wrong_arity(b"mset"))),
        // MSET clears TTLs; a repeated key keeps the last value.
        (&["SET", "t", "v", "EX", "100"], Reply::Ok),
        (&["MSET", "t", "x", "t", "y"], Reply::Ok),
        (&["GET", "t"], bulk("y")),
        (&["TTL", "t"], int(-1)),
    ]);
}

#[test]
fn incr_decr() {
    let mut h = Harness::default();
    h.check(&[
        (&["INCR", "n"], int(1)),
        (&["INCRBY", "n", "10"], int(11)),
        (&["DECR", "n"], int(10)),
        (&["DECRBY", "n", "20"], int(-10)),
        (&["INCRBY", "n", "-5"], int(-15)),
        (&["GET", "n"], bulk("-15")),
        (&["DECRBY", "fresh", "3"], int(-3)),
        (&["SET", "s", "abc"], Reply::Ok),
        (&["INCR", "s"], error(ReplyError::NotInteger)),
        (&["SET", "s", " 1"], Reply::Ok),
        (&["INCR", "s"], error(ReplyError::NotInteger)),
        (&["SET", "s", "01"], Reply::Ok),
        (&["INCR", "s"], error(ReplyError::NotInteger)),
        (&["SET", "s", ""], Reply::Ok),
        (&["INCR", "s"], error(ReplyError::NotInteger)),
        (&["INCRBY", "n", "1.5"], error(ReplyError::NotInteger)),
        (
            &["INCRBY", "n", "9223372036854775808"],
            error(ReplyError::NotInteger),
        ),
        (&["DECRBY", "n", "x"], error(ReplyError::NotInteger)),
        (&["GET", "n"], bulk("-15")),
    ]);
}

#[test]
fn incr_overflow() {
    let mut h = Harness::default();
    h.check(&[
        (&["SET", "max", "9223372036854775807"], Reply::Ok),
        (&["INCR", "max"], error(ReplyError::Overflow)),
        (&["INCRBY", "max", "0"], int(i64::MAX)),
        (&["SET", "min", "-9223372036854775808"], Reply::Ok),
        (&["DECR", "min"], error(ReplyError::Overflow)),
        (&["INCRBY", "min", "-1"], error(ReplyError::Overflow)),
        (&["INCRBY", "min", "9223372036854775807"], int(-1)),
        (
            &["DECRBY", "x", "-9223372036854775808"],
            err_text("decrement would overflow"),
        ),
        (&["DECRBY", "x", "-9223372036854775807"], int(i64::MAX)),
        (&["INCRBY", "y", "-9223372036854775808"], int(i64::MIN)),
        (&["GET", "max"], bulk("9223372036854775807")),
        (&["GET", "min"], bulk("-1")),
    ]);
}

#[test]
fn incr_keeps_the_ttl() {
    let mut h = Harness::default();
    h.check(&[
        (&["SET", "n", "1", "EX", "100"], Reply::Ok),
        (&["INCR", "n"], int(2)),
        (&["INCRBY", "n", "3"], int(5)),
        (&["TTL", "n"], int(100)),
    ]);
}
