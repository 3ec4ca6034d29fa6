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
fn plain_set_replaces_any_entry() {
    let mut h = Harness::default();
    h.check(&[
        (&["RPUSH", "list", "a"], int(1)),
        (&["SET", "list", "v"], Reply::Ok),
        (&["TYPE", "list"], Reply::simple("string")),
        (&["SET", "ttl", "v", "EX", "100"], Reply::Ok),
        (&["SET", "ttl", "w"], Reply::Ok),
        (&["TTL", "ttl"], int(-1)),
        (&["SET", "gone", "v", "PX", "10"], Reply::Ok),
        (&["SET", "kept", "v", "PX", "10"], Reply::Ok),
    ]);
    h.advance(10);
    h.check(&[
        (&["SET", "gone", "w"], Reply::Ok),
        (&["GET", "gone"], bulk("w")),
        (&["TTL", "gone"], int(-1)),
        // KEEPTTL keeps nothing of an expired key.
        (&["SET", "kept", "w", "KEEPTTL"], Reply::Ok),
        (&["TTL", "kept"], int(-1)),
        (&["RPUSH", "list2", "a"], int(1)),
        (&["SET", "list2", "v", "GET"], error(ReplyError::WrongType)),
        (&["TYPE", "list2"], Reply::simple("list")),
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

// Strings (more).

#[test]
fn getex_options() {
    let mut h = Harness::default();
    h.check(&[
        (&["GETEX", "k"], Reply::Nil),
        (&["GETEX", "k", "EX", "10"], Reply::Nil),
        (&["EXISTS", "k"], int(0)),
        (&["SET", "k", "v"], Reply::Ok),
        (&["GETEX", "k"], bulk("v")),
        (&["TTL", "k"], int(-1)),
        (&["GETEX", "k", "EX", "10"], bulk("v")),
        (&["TTL", "k"], int(10)),
        (&["GETEX", "k", "px", "1500"], bulk("v")),
        (&["PTTL", "k"], int(1500)),
        (&["GETEX", "k"], bulk("v")),
        (&["PTTL", "k"], int(1500)),
        (&["GETEX", "k", "PERSIST"], bulk("v")),
        (&["TTL", "k"], int(-1)),
        (&["GETEX", "k", "PERSIST", "persist"], bulk("v")),
        (
            &["GETEX", "k", "EXAT", &(START_MS / 1000 + 100).to_string()],
            bulk("v"),
        ),
        (&["TTL", "k"], int(100)),
        (
            &["GETEX", "k", "PXAT", &(START_MS + 200).to_string()],
            bulk("v"),
        ),
        (&["PTTL", "k"], int(200)),
        // The same option twice: the last value wins.
        (&["GETEX", "k", "EX", "1", "EX", "7"], bulk("v")),
        (&["TTL", "k"], int(7)),
        // A time in the past: the value, then the key is deleted.
        (&["GETEX", "k", "PXAT", &START_MS.to_string()], bulk("v")),
        (&["EXISTS", "k"], int(0)),
        (&["SET", "k", "v"], Reply::Ok),
        (&["GETEX", "k", "EXAT", "1"], bulk("v")),
        (&["EXISTS", "k"], int(0)),
    ]);
}

#[test]
fn getex_errors() {
    let mut h = Harness::default();
    let invalid = error(ReplyError::invalid_expire_time(b"getex"));
    let syntax = error(ReplyError::Syntax);
    h.check(&[
        (&["SET", "k", "v", "EX", "100"], Reply::Ok),
        (&["GETEX", "k", "EX"], syntax.clone()),
        (&["GETEX", "k", "EX", "1", "PX", "1"], syntax.clone()),
        (&["GETEX", "k", "EX", "1", "PERSIST"], syntax.clone()),
        (&["GETEX", "k", "PERSIST", "EX", "1"], syntax.clone()),
        (&["GETEX", "k", "KEEPTTL"], syntax.clone()),
        (&["GETEX", "k", "NX"], syntax.clone()),
        (&["GETEX", "k", "GET"], syntax.clone()),
        (&["GETEX", "k", "foo"], syntax.clone()),
        (&["GETEX", "k", "EX", "0"], invalid.clone()),
        (&["GETEX", "k", "PX", "-1"], invalid.clone()),
        (&["GETEX", "k", "EX", "9223372036854776"], invalid.clone()),
        (
            &["GETEX", "k", "PX", "9223372036854775807"],
            invalid.clone(),
        ),
        (&["GETEX", "k", "EX", "x"], error(ReplyError::NotInteger)),
        // The syntax is checked before the key, the time value after it.
        (&["GETEX", "missing", "foo"], syntax),
        (&["GETEX", "missing", "EX", "x"], Reply::Nil),
        (&["GETEX", "missing", "EX", "0"], Reply::Nil),
        (&["TTL", "k"], int(100)),
        (&["RPUSH", "l", "x"], int(1)),
        (&["GETEX", "l"], error(ReplyError::WrongType)),
        (&["GETEX", "l", "EX", "x"], error(ReplyError::WrongType)),
        (&["GETEX"], error(ReplyError::wrong_arity(b"getex"))),
    ]);
}

#[test]
fn getdel_getset_setnx() {
    let mut h = Harness::default();
    h.check(&[
        (&["GETDEL", "k"], Reply::Nil),
        (&["SET", "k", "v"], Reply::Ok),
        (&["GETDEL", "k"], bulk("v")),
        (&["EXISTS", "k"], int(0)),
        (&["GETSET", "k", "1"], Reply::Nil),
        (&["GET", "k"], bulk("1")),
        (&["EXPIRE", "k", "100"], int(1)),
        (&["GETSET", "k", "2"], bulk("1")),
        // GETSET clears the TTL, like SET.
        (&["TTL", "k"], int(-1)),
        (&["SETNX", "k", "3"], int(0)),
        (&["GET", "k"], bulk("2")),
        (&["SETNX", "n", "3"], int(1)),
        (&["GET", "n"], bulk("3")),
        (&["RPUSH", "l", "x"], int(1)),
        (&["GETDEL", "l"], error(ReplyError::WrongType)),
        (&["GETSET", "l", "v"], error(ReplyError::WrongType)),
        (&["LLEN", "l"], int(1)),
        (&["SETNX", "l", "v"], int(0)),
        (
            &["GETDEL", "k", "x"],
            error(ReplyError::wrong_arity(b"getdel")),
        ),
        (&["GETSET", "k"], error(ReplyError::wrong_arity(b"getset"))),
        (&["SETNX", "k"], error(ReplyError::wrong_arity(b"setnx"))),
        (&["SET", "t", "old", "PX", "10"], Reply::Ok),
    ]);
    h.advance(10);
    h.check(&[
        // Expired keys are missing.
        (&["SETNX", "t", "new"], int(1)),
        (&["GET", "t"], bulk("new")),
        (&["TTL", "t"], int(-1)),
        (&["SET", "t2", "old", "PX", "10"], Reply::Ok),
    ]);
    h.advance(10);
    h.check(&[
        (&["GETDEL", "t2"], Reply::Nil),
        (&["GETSET", "t2", "x"], Reply::Nil),
    ]);
}

#[test]
fn setex_and_psetex() {
    let mut h = Harness::default();
    h.check(&[
        (&["SETEX", "k", "10", "v"], Reply::Ok),
        (&["GET", "k"], bulk("v")),
        (&["TTL", "k"], int(10)),
        (&["PSETEX", "k", "1500", "w"], Reply::Ok),
        (&["PTTL", "k"], int(1500)),
        (&["GET", "k"], bulk("w")),
        (
            &["SETEX", "k", "0", "v"],
            error(ReplyError::invalid_expire_time(b"setex")),
        ),
        (
            &["SETEX", "k", "-1", "v"],
            error(ReplyError::invalid_expire_time(b"setex")),
        ),
        (
            &["SETEX", "k", "9223372036854776", "v"],
            error(ReplyError::invalid_expire_time(b"setex")),
        ),
        (
            &["PSETEX", "k", "0", "v"],
            error(ReplyError::invalid_expire_time(b"psetex")),
        ),
        (
            &["PSETEX", "k", "9223372036854775807", "v"],
            error(ReplyError::invalid_expire_time(b"psetex")),
        ),
        (&["SETEX", "k", "x", "v"], error(ReplyError::NotInteger)),
        (&["GET", "k"], bulk("w")),
        // Any type is replaced.
        (&["RPUSH", "l", "x"], int(1)),
        (&["SETEX", "l", "5", "v"], Reply::Ok),
        (&["GET", "l"], bulk("v")),
        (
            &["SETEX", "k", "10"],
            error(ReplyError::wrong_arity(b"setex")),
        ),
    ]);
    h.advance(1500);
    h.check(&[(&["GET", "k"], Reply::Nil)]);
}

#[test]
fn msetnx() {
    let mut h = Harness::default();
    h.check(&[
        (&["MSETNX", "a", "1", "b", "2"], int(1)),
        (
            &["MGET", "a", "b"],
            Reply::Array(vec![bulk("1"), bulk("2")]),
        ),
        (&["MSETNX", "x1", "xxx", "y2", "yyy", "a", "zzz"], int(0)),
        (&["EXISTS", "x1", "y2"], int(0)),
        (&["GET", "a"], bulk("1")),
        // The same key twice: the last value wins.
        (&["MSETNX", "x1", "xxx", "x1", "yyy"], int(1)),
        (&["GET", "x1"], bulk("yyy")),
        (&["MSETNX", "x1", "xxx", "x1", "zzz"], int(0)),
        (&["GET", "x1"], bulk("yyy")),
        (&["MSETNX", "a"], error(ReplyError::wrong_arity(b"msetnx"))),
        (
            &["MSETNX", "a", "1", "b"],
            error(ReplyError::wrong_arity(b"msetnx")),
        ),
        (&["SET", "t", "v", "PX", "10"], Reply::Ok),
    ]);
    h.advance(10);
    h.check(&[
        (&["MSETNX", "t", "new", "u", "1"], int(1)),
        (&["GET", "t"], bulk("new")),
        (&["TTL", "t"], int(-1)),
    ]);
}

#[test]
fn append_and_strlen() {
    let mut h = Harness::default();
    h.check(&[
        (&["STRLEN", "k"], int(0)),
        (&["APPEND", "k", "bar"], int(3)),
        (&["APPEND", "k", "100"], int(6)),
        (&["GET", "k"], bulk("bar100")),
        (&["STRLEN", "k"], int(6)),
        (&["APPEND", "k", ""], int(6)),
        (&["APPEND", "e", ""], int(0)),
        (&["EXISTS", "e"], int(1)),
        (&["SET", "n", "1"], Reply::Ok),
        (&["INCR", "n"], int(2)),
        (&["APPEND", "n", "5"], int(2)),
        (&["INCR", "n"], int(26)),
        // APPEND keeps the TTL.
        (&["EXPIRE", "k", "100"], int(1)),
        (&["APPEND", "k", "!"], int(7)),
        (&["TTL", "k"], int(100)),
        (&["RPUSH", "l", "x"], int(1)),
        (&["APPEND", "l", "x"], error(ReplyError::WrongType)),
        (&["STRLEN", "l"], error(ReplyError::WrongType)),
        (&["APPEND", "k"], error(ReplyError::wrong_arity(b"append"))),
        (
            &["STRLEN", "k", "x"],
            error(ReplyError::wrong_arity(b"strlen")),
        ),
        (&["SET", "t", "old", "PX", "10"], Reply::Ok),
    ]);
    h.advance(10);
    h.check(&[
        (&["STRLEN", "t"], int(0)),
        (&["APPEND", "t", "new"], int(3)),
        (&["GET", "t"], bulk("new")),
        (&["TTL", "t"], int(-1)),
    ]);
}

#[test]
fn append_many_times_builds_the_concatenation() {
    let mut h = Harness::default();
    let mut expected = String::new();
    for i in 0..500 {
        let piece = format!("{i},");
        expected.push_str(&piece);
        assert_eq!(h.run(&["APPEND", "k", &piece]), int(expected.len() as i64));
        if i % 100 == 0 {
            // A snapshot (a clone of the keyspace) keeps its own value.
            let snapshot = h.ks.clone();
            h.run(&["APPEND", "k", "x"]);
            expected.push('x');
            let before = snapshot.db(0).unwrap().get_value(b"k", START_MS).cloned();
            assert_eq!(
                before.and_then(|v| v.as_string().map(|b| b.len())),
                Some(expected.len() - 1)
            );
        }
    }
    assert_eq!(h.run(&["GET", "k"]), bulk(&expected));
}

#[test]
fn getrange_and_substr() {
    let mut h = Harness::default();
    h.check(&[
        (&["GETRANGE", "k", "0", "-1"], bulk("")),
        (&["SET", "k", "Hello World"], Reply::Ok),
        (&["GETRANGE", "k", "0", "3"], bulk("Hell")),
        (&["GETRANGE", "k", "0", "-1"], bulk("Hello World")),
        (&["GETRANGE", "k", "-4", "-1"], bulk("orld")),
        (&["GETRANGE", "k", "5", "3"], bulk("")),
        (&["GETRANGE", "k", "5", "5000"], bulk(" World")),
        (&["GETRANGE", "k", "-5000", "10000"], bulk("Hello World")),
        (&["GETRANGE", "k", "-1", "-5"], bulk("")),
        (&["GETRANGE", "k", "-100", "-50"], bulk("H")),
        (&["GETRANGE", "k", "0", "4294967297"], bulk("Hello World")),
        (
            &[
                "GETRANGE",
                "k",
                "-9223372036854775808",
                "9223372036854775807",
            ],
            bulk("Hello World"),
        ),
        (&["SUBSTR", "k", "6", "-1"], bulk("World")),
        (&["SET", "n", "1234"], Reply::Ok),
        (&["GETRANGE", "n", "0", "2"], bulk("123")),
        (&["GETRANGE", "n", "-3", "-1"], bulk("234")),
        (&["GETRANGE", "n", "3", "5000"], bulk("4")),
        (&["SET", "e", ""], Reply::Ok),
        (&["GETRANGE", "e", "0", "-1"], bulk("")),
        (&["GETRANGE", "k", "x", "1"], error(ReplyError::NotInteger)),
        (
            &["GETRANGE", "k", "0", "1.5"],
            error(ReplyError::NotInteger),
        ),
        // The range is parsed before the key is looked up.
        (
            &["GETRANGE", "missing", "x", "1"],
            error(ReplyError::NotInteger),
        ),
        (&["RPUSH", "l", "x"], int(1)),
        (&["GETRANGE", "l", "0", "1"], error(ReplyError::WrongType)),
        (&["SUBSTR", "l", "0", "1"], error(ReplyError::WrongType)),
        (
            &["GETRANGE", "k", "0"],
            error(ReplyError::wrong_arity(b"getrange")),
        ),
        (
            &["SUBSTR", "k", "0"],
            error(ReplyError::wrong_arity(b"substr")),
        ),
    ]);
}

#[test]
fn setrange() {
    let mut h = Harness::default();
    let too_long = err_text("string exceeds maximum allowed size (proto-max-bulk-len)");
    let out_of_range = err_text("offset is out of range");
    h.check(&[
        (&["SETRANGE", "k", "0", "foo"], int(3)),
        (&["GET", "k"], bulk("foo")),
        (&["SETRANGE", "e", "0", ""], int(0)),
        (&["EXISTS", "e"], int(0)),
        (&["SETRANGE", "z", "1", "foo"], int(4)),
        (&["GET", "z"], bulk("\0foo")),
        (&["SETRANGE", "k", "0", "b"], int(3)),
        (&["GET", "k"], bulk("boo")),
        (&["SETRANGE", "k", "0", ""], int(3)),
        (&["SETRANGE", "k", "1", "b"], int(3)),
        (&["GET", "k"], bulk("bbo")),
        (&["SETRANGE", "k", "4", "bar"], int(7)),
        (&["GET", "k"], bulk("bbo\0bar")),
        (&["SET", "n", "1234"], Reply::Ok),
        (&["SETRANGE", "n", "1", "x"], int(4)),
        (&["GET", "n"], bulk("1x34")),
        // SETRANGE keeps the TTL.
        (&["EXPIRE", "k", "100"], int(1)),
        (&["SETRANGE", "k", "0", "X"], int(7)),
        (&["TTL", "k"], int(100)),
        (&["SETRANGE", "k", "-1", "x"], out_of_range.clone()),
        (&["SETRANGE", "missing", "-1", ""], out_of_range),
        (&["SETRANGE", "k", "x", "x"], error(ReplyError::NotInteger)),
        (&["SETRANGE", "k", "536870908", "world"], too_long.clone()),
        (
            &["SETRANGE", "missing", "536870908", "world"],
            too_long.clone(),
        ),
        (
            &["SETRANGE", "k", "9223372036854775807", "A"],
            too_long.clone(),
        ),
        (&["SETRANGE", "k", "2147483647", "A"], too_long),
        // An empty value changes nothing, whatever the offset.
        (&["SETRANGE", "k", "9223372036854775807", ""], int(7)),
        (&["SETRANGE", "missing", "9223372036854775807", ""], int(0)),
        (&["RPUSH", "l", "x"], int(1)),
        (&["SETRANGE", "l", "0", "x"], error(ReplyError::WrongType)),
        (&["SETRANGE", "l", "0", ""], error(ReplyError::WrongType)),
        (
            &["SETRANGE", "k", "0"],
            error(ReplyError::wrong_arity(b"setrange")),
        ),
    ]);
}

#[test]
fn setrange_at_the_size_limit() {
    let mut h = Harness::default();
    // The largest string allowed is exactly 512 MB; one more byte is refused.
    h.check(&[
        (
            &["SETRANGE", "big", "536870912", "x"],
            err_text("string exceeds maximum allowed size (proto-max-bulk-len)"),
        ),
        (&["SETRANGE", "big", "1048575", "x"], int(1_048_576)),
        (&["STRLEN", "big"], int(1_048_576)),
        (&["GETRANGE", "big", "-2", "-1"], bulk("\0x")),
    ]);
}

#[test]
fn incrbyfloat() {
    let mut h = Harness::default();
    let not_float = error(ReplyError::NotFloat);
    let nan_inf = err_text("increment would produce NaN or Infinity");
    h.check(&[
        (&["INCRBYFLOAT", "k", "1"], bulk("1")),
        (&["GET", "k"], bulk("1")),
        (&["INCRBYFLOAT", "k", "0.25"], bulk("1.25")),
        (&["SET", "k", "1.5"], Reply::Ok),
        (&["INCRBYFLOAT", "k", "1.5"], bulk("3")),
        (&["SET", "k", "17179869184"], Reply::Ok),
        (&["INCRBYFLOAT", "k", "1.5"], bulk("17179869185.5")),
        (&["SET", "k", "17179869184"], Reply::Ok),
        (&["INCRBYFLOAT", "k", "17179869184"], bulk("34359738368")),
        // Redis's documentation examples, with long double precision.
        (&["SET", "k", "10.50"], Reply::Ok),
        (&["INCRBYFLOAT", "k", "0.1"], bulk("10.6")),
        (&["INCRBYFLOAT", "k", "-5"], bulk("5.6")),
        (&["SET", "k", "5.0e3"], Reply::Ok),
        (&["INCRBYFLOAT", "k", "2.0e2"], bulk("5200")),
        (&["SET", "k", "1"], Reply::Ok),
        (&["INCRBYFLOAT", "k", "-1.1"], bulk("-0.1")),
        (&["SET", "k", "0.1"], Reply::Ok),
        (&["INCRBYFLOAT", "k", "0.2"], bulk("0.3")),
        // No negative zero.
        (&["DEL", "k"], int(1)),
        (
            &["INCRBYFLOAT", "k", "0.024390243902439025"],
            bulk("0.02439024390243902"),
        ),
        (&["INCRBYFLOAT", "k", "-0.024390243902439025"], bulk("0")),
        (&["INCRBYFLOAT", "k", "-0"], bulk("0")),
        // Errors.
        (&["SET", "s", "    11"], Reply::Ok),
        (&["INCRBYFLOAT", "s", "1.0"], not_float.clone()),
        (&["SET", "s", "11    "], Reply::Ok),
        (&["INCRBYFLOAT", "s", "1.0"], not_float.clone()),
        (&["SET", "s", "abc"], Reply::Ok),
        (&["INCRBYFLOAT", "s", "1.0"], not_float.clone()),
        (&["INCRBYFLOAT", "k", "abc"], not_float.clone()),
        (&["INCRBYFLOAT", "k", ""], not_float.clone()),
        (&["INCRBYFLOAT", "k", "nan"], not_float.clone()),
        (&["SET", "z", "1"], Reply::Ok),
        (&["SETRANGE", "z", "2", "2"], int(3)),
        (&["INCRBYFLOAT", "z", "1"], not_float.clone()),
        (&["SET", "k", "0"], Reply::Ok),
        (&["INCRBYFLOAT", "k", "+inf"], nan_inf.clone()),
        (&["INCRBYFLOAT", "k", "-inf"], nan_inf.clone()),
        (&["SET", "k", "1e4932"], Reply::Ok),
        (&["INCRBYFLOAT", "k", "1e4932"], nan_inf),
        (&["GET", "k"], bulk("1e4932")),
        (&["RPUSH", "l", "1"], int(1)),
        (&["INCRBYFLOAT", "l", "1"], error(ReplyError::WrongType)),
        (&["INCRBYFLOAT", "l", "x"], error(ReplyError::WrongType)),
        (
            &["INCRBYFLOAT", "k"],
            error(ReplyError::wrong_arity(b"incrbyfloat")),
        ),
        // Hexadecimal and exponents are floats for strtold.
        (&["SET", "h", "0x10"], Reply::Ok),
        (&["INCRBYFLOAT", "h", "1e1"], bulk("26")),
        // The TTL is kept.
        (&["SET", "t", "1", "EX", "100"], Reply::Ok),
        (&["INCRBYFLOAT", "t", "1"], bulk("2")),
        (&["TTL", "t"], int(100)),
    ]);
}
