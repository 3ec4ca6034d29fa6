use bytes::Bytes;
use tinyredis_common::Reply;
use tinyredis_common::ReplyError;

use crate::commands::test_util::*;

fn invalid(name: &[u8]) -> Reply {
    error(ReplyError::invalid_expire_time(name))
}

#[test]
fn del_and_exists() {
    let mut h = Harness::default();
    h.check(&[
        (&["MSET", "a", "1", "b", "2", "c", "3"], Reply::Ok),
        (&["EXISTS", "a", "a", "missing", "b"], int(3)),
        (&["DEL", "a", "a", "missing"], int(1)),
        (&["EXISTS", "a"], int(0)),
        (&["DEL", "b", "c"], int(2)),
        (&["DBSIZE"], int(0)),
    ]);
}

#[test]
fn del_does_not_count_expired_keys_but_removes_them() {
    let mut h = Harness::default();
    h.check(&[
        (&["SET", "k", "v", "PX", "10"], Reply::Ok),
        (&["SET", "p", "v"], Reply::Ok),
    ]);
    h.advance(10);
    h.check(&[
        // Like Redis, DBSIZE counts keys that expired but were not removed yet.
        (&["DBSIZE"], int(2)),
        (&["DEL", "k", "p"], int(1)),
        (&["DBSIZE"], int(0)),
    ]);
}

#[test]
fn type_and_dbsize() {
    let mut h = Harness::default();
    h.check(&[
        (&["TYPE", "k"], Reply::simple("none")),
        (&["SET", "k", "v"], Reply::Ok),
        (&["TYPE", "k"], Reply::Simple(Bytes::from_static(b"string"))),
        (&["DBSIZE"], int(1)),
        (&["DBSIZE", "x"], error(ReplyError::wrong_arity(b"dbsize"))),
    ]);
}

#[test]
fn ttl_and_pttl() {
    let mut h = Harness::default();
    h.check(&[
        (&["TTL", "k"], int(-2)),
        (&["PTTL", "k"], int(-2)),
        (&["SET", "k", "v"], Reply::Ok),
        (&["TTL", "k"], int(-1)),
        (&["PTTL", "k"], int(-1)),
        // TTL rounds to the nearest second: (ms + 500) / 1000.
        (&["PEXPIRE", "k", "1499"], int(1)),
        (&["TTL", "k"], int(1)),
        (&["PEXPIRE", "k", "1500"], int(1)),
        (&["TTL", "k"], int(2)),
        (&["PEXPIRE", "k", "499"], int(1)),
        (&["TTL", "k"], int(0)),
        (&["PTTL", "k"], int(499)),
    ]);
}

#[test]
fn persist() {
    let mut h = Harness::default();
    h.check(&[
        (&["PERSIST", "k"], int(0)),
        (&["SET", "k", "v"], Reply::Ok),
        (&["PERSIST", "k"], int(0)),
        (&["EXPIRE", "k", "100"], int(1)),
        (&["PERSIST", "k"], int(1)),
        (&["TTL", "k"], int(-1)),
        (&["PEXPIRE", "k", "10"], int(1)),
    ]);
    h.advance(10);
    h.check(&[(&["PERSIST", "k"], int(0)), (&["EXISTS", "k"], int(0))]);
}

#[test]
fn flushdb_and_flushall() {
    let mut h = Harness::default();
    h.check(&[(&["SET", "a", "1"], Reply::Ok)]);
    h.db = 1;
    h.check(&[
        (&["SET", "b", "1"], Reply::Ok),
        (&["FLUSHDB", "now"], error(ReplyError::Syntax)),
        (&["FLUSHDB", "ASYNC", "SYNC"], error(ReplyError::Syntax)),
        (&["FLUSHDB", "async"], Reply::Ok),
        (&["DBSIZE"], int(0)),
    ]);
    h.db = 0;
    h.check(&[
        (&["DBSIZE"], int(1)),
        (&["FLUSHALL", "bad"], error(ReplyError::Syntax)),
        (&["SET", "x", "1"], Reply::Ok),
        (&["FLUSHDB", "SYNC"], Reply::Ok),
        (&["SET", "y", "1"], Reply::Ok),
    ]);
    h.db = 2;
    h.check(&[(&["SET", "z", "1"], Reply::Ok), (&["FLUSHALL"], Reply::Ok)]);
    assert!(h.ks.is_empty());
    h.check(&[(&["FLUSHALL", "Sync"], Reply::Ok)]);
}

#[test]
fn expire_basics() {
    let mut h = Harness::default();
    h.check(&[
        (&["EXPIRE", "k", "100"], int(0)),
        (&["SET", "k", "v"], Reply::Ok),
        (&["EXPIRE", "k", "100"], int(1)),
        (&["TTL", "k"], int(100)),
        (&["PEXPIRE", "k", "2500"], int(1)),
        (&["PTTL", "k"], int(2500)),
        // A time at or before now deletes the key and still replies 1.
        (&["EXPIRE", "k", "0"], int(1)),
        (&["EXISTS", "k"], int(0)),
        (&["SET", "k", "v"], Reply::Ok),
        (&["PEXPIRE", "k", "-1000"], int(1)),
        (&["DBSIZE"], int(0)),
        (&["EXPIRE", "k", "-1"], int(0)),
    ]);
}

#[test]
fn expire_flags() {
    let mut h = Harness::default();
    h.check(&[
        (&["SET", "k", "v"], Reply::Ok),
        // No TTL: XX and GT fail (no TTL is infinite), LT and NX succeed.
        (&["EXPIRE", "k", "100", "XX"], int(0)),
        (&["EXPIRE", "k", "100", "GT"], int(0)),
        (&["TTL", "k"], int(-1)),
        (&["EXPIRE", "k", "100", "LT"], int(1)),
        (&["TTL", "k"], int(100)),
        (&["PERSIST", "k"], int(1)),
        (&["EXPIRE", "k", "100", "nx"], int(1)),
        (&["EXPIRE", "k", "200", "NX"], int(0)),
        (&["EXPIRE", "k", "200", "XX"], int(1)),
        (&["TTL", "k"], int(200)),
        (&["EXPIRE", "k", "100", "GT"], int(0)),
        (&["EXPIRE", "k", "200", "GT"], int(0)),
        (&["EXPIRE", "k", "300", "gt"], int(1)),
        (&["EXPIRE", "k", "300", "LT"], int(0)),
        (&["EXPIRE", "k", "400", "LT"], int(0)),
        (&["EXPIRE", "k", "250", "lt"], int(1)),
        (&["TTL", "k"], int(250)),
        // XX with GT, repeated flags.
        (&["EXPIRE", "k", "260", "XX", "GT", "gt"], int(1)),
        (&["TTL", "k"], int(260)),
        // LT with a past time deletes.
        (&["EXPIRE", "k", "-5", "LT"], int(1)),
        (&["EXISTS", "k"], int(0)),
    ]);
}

#[test]
fn expire_errors() {
    let mut h = Harness::default();
    let nx_conflict = err_text("NX and XX, GT or LT options at the same time are not compatible");
    let gt_lt = err_text("GT and LT options at the same time are not compatible");
    let unsupported = |opt: &str| {
        error(ReplyError::UnsupportedOption(Bytes::copy_from_slice(
            opt.as_bytes(),
        )))
    };
    h.check(&[
        (&["SET", "k", "v"], Reply::Ok),
        (&["EXPIRE", "k", "10", "NX", "XX"], nx_conflict.clone()),
        (&["EXPIRE", "k", "10", "NX", "GT"], nx_conflict.clone()),
        (&["EXPIRE", "k", "10", "LT", "NX"], nx_conflict.clone()),
        (&["EXPIRE", "k", "10", "GT", "LT"], gt_lt.clone()),
        (&["PEXPIRE", "k", "10", "GT", "XX", "LT"], gt_lt),
        (&["EXPIRE", "k", "10", "foo"], unsupported("foo")),
        // Options are checked first: an unknown one wins over a conflict or a bad time.
        (
            &["EXPIRE", "k", "abc", "NX", "XX", "bar"],
            unsupported("bar"),
        ),
        (&["EXPIRE", "k", "abc", "NX", "XX"], nx_conflict),
        (&["EXPIRE", "k", "abc"], error(ReplyError::NotInteger)),
        (&["EXPIRE", "k", "1.5"], error(ReplyError::NotInteger)),
        (&["EXPIRE", "k", "9223372036854776"], invalid(b"expire")),
        (&["EXPIRE", "k", "-9223372036854776"], invalid(b"expire")),
        // Fits after conversion but overflows when now is added.
        (&["EXPIRE", "k", "9223372036854775"], invalid(b"expire")),
        (
            &["PEXPIRE", "k", "9223372036854775807"],
            invalid(b"pexpire"),
        ),
        // Errors come before the key lookup.
        (
            &["PEXPIRE", "missing", "9223372036854775807"],
            invalid(b"pexpire"),
        ),
        (&["EXPIRE", "missing", "10", "foo"], unsupported("foo")),
        // None of the failures changed the key.
        (&["TTL", "k"], int(-1)),
        // Very negative times that do not overflow delete the key.
        (&["PEXPIRE", "k", "-9223372036854775808"], int(1)),
        (&["EXISTS", "k"], int(0)),
    ]);
}

// Keys (more).

/// START_MS in seconds (START_MS is a whole number of seconds).
const START_S: u64 = START_MS / 1000;

#[test]
fn unlink_and_touch() {
    let mut h = Harness::default();
    h.check(&[
        (&["MSET", "a", "1", "b", "2"], Reply::Ok),
        (&["SET", "t", "v", "PX", "10"], Reply::Ok),
        (&["TOUCH", "a", "a", "missing", "b", "t"], int(4)),
        (&["UNLINK", "a", "missing"], int(1)),
        (&["UNLINK", "b", "b"], int(1)),
        (&["TOUCH", "a", "b"], int(0)),
        (&["UNLINK"], error(ReplyError::wrong_arity(b"unlink"))),
        (&["TOUCH"], error(ReplyError::wrong_arity(b"touch"))),
    ]);
    h.advance(10);
    h.check(&[(&["TOUCH", "t"], int(0)), (&["UNLINK", "t"], int(0))]);
}

#[test]
fn expireat_and_pexpireat() {
    let mut h = Harness::default();
    let at = |s: u64| s.to_string();
    h.check(&[
        (&["EXPIREAT", "k", &at(START_S + 100)], int(0)),
        (&["EXPIRETIME", "k"], int(-2)),
        (&["PEXPIRETIME", "k"], int(-2)),
        (&["SET", "k", "v"], Reply::Ok),
        (&["EXPIRETIME", "k"], int(-1)),
        (&["PEXPIRETIME", "k"], int(-1)),
        (&["EXPIREAT", "k", &at(START_S + 100)], int(1)),
        (&["TTL", "k"], int(100)),
        (&["EXPIRETIME", "k"], int((START_S + 100) as i64)),
        (&["PEXPIRETIME", "k"], int((START_MS + 100_000) as i64)),
        (&["PEXPIREAT", "k", &at(START_MS + 1500)], int(1)),
        (&["PTTL", "k"], int(1500)),
        // EXPIRETIME rounds to the nearest second, as TTL does.
        (&["EXPIRETIME", "k"], int((START_S + 2) as i64)),
        (&["PEXPIREAT", "k", &at(START_MS + 1499)], int(1)),
        (&["EXPIRETIME", "k"], int((START_S + 1) as i64)),
        // Flags compare absolute times.
        (&["PEXPIREAT", "k", &at(START_MS + 1000), "GT"], int(0)),
        (&["PEXPIREAT", "k", &at(START_MS + 2000), "gt"], int(1)),
        (&["PEXPIREAT", "k", &at(START_MS + 3000), "LT"], int(0)),
        (&["EXPIREAT", "k", &at(START_S + 1), "LT"], int(1)),
        (&["EXPIREAT", "k", &at(START_S + 5), "NX"], int(0)),
        (&["EXPIREAT", "k", &at(START_S + 5), "XX"], int(1)),
        (&["PEXPIRETIME", "k"], int((START_MS + 5000) as i64)),
        (&["PERSIST", "k"], int(1)),
        (&["EXPIREAT", "k", &at(START_S + 5), "XX"], int(0)),
        (&["EXPIREAT", "k", &at(START_S + 5), "GT"], int(0)),
        (&["EXPIREAT", "k", &at(START_S + 5), "LT"], int(1)),
        (&["PEXPIREAT", "k", "9223372036854775807"], int(1)),
        (&["PEXPIRETIME", "k"], int(i64::MAX)),
        // A time in the past deletes the key.
        (&["EXPIREAT", "k", &at(START_S)], int(1)),
        (&["EXISTS", "k"], int(0)),
        (&["SET", "k", "v"], Reply::Ok),
        (&["PEXPIREAT", "k", "-1"], int(1)),
        (&["EXISTS", "k"], int(0)),
    ]);
}

#[test]
fn expireat_errors() {
    let mut h = Harness::default();
    h.check(&[
        (&["SET", "k", "v"], Reply::Ok),
        (&["EXPIREAT", "k", "x"], error(ReplyError::NotInteger)),
        (&["PEXPIREAT", "k", "1.5"], error(ReplyError::NotInteger)),
        (
            &["EXPIREAT", "k", "10", "foo"],
            error(ReplyError::UnsupportedOption(Bytes::from_static(b"foo"))),
        ),
        (
            &["EXPIREAT", "k", "10", "GT", "LT"],
            err_text("GT and LT options at the same time are not compatible"),
        ),
        (&["EXPIREAT", "k", "9223372036854776"], invalid(b"expireat")),
        (
            &["EXPIREAT", "k", "-9223372036854776"],
            invalid(b"expireat"),
        ),
        // Unlike EXPIRE, nothing is added: the largest time in seconds is valid.
        (&["EXPIREAT", "k", "9223372036854775"], int(1)),
        (&["PEXPIRETIME", "k"], int(9_223_372_036_854_775_000)),
        (&["EXPIREAT"], error(ReplyError::wrong_arity(b"expireat"))),
        (
            &["PEXPIREAT", "k"],
            error(ReplyError::wrong_arity(b"pexpireat")),
        ),
        (
            &["EXPIRETIME", "k", "x"],
            error(ReplyError::wrong_arity(b"expiretime")),
        ),
    ]);
}

#[test]
fn expiretime_of_expired_keys() {
    let mut h = Harness::default();
    h.check(&[(&["SET", "k", "v", "PX", "10"], Reply::Ok)]);
    h.advance(10);
    h.check(&[
        (&["EXPIRETIME", "k"], int(-2)),
        (&["PEXPIRETIME", "k"], int(-2)),
    ]);
}

#[test]
fn rename_and_renamenx() {
    let mut h = Harness::default();
    h.check(&[
        (&["RENAME", "missing", "x"], error(ReplyError::NoSuchKey)),
        (&["RENAMENX", "missing", "x"], error(ReplyError::NoSuchKey)),
        (
            &["RENAME", "missing", "missing"],
            error(ReplyError::NoSuchKey),
        ),
        (&["SET", "a", "1", "PX", "5000"], Reply::Ok),
        (&["RENAME", "a", "a"], Reply::Ok),
        (&["RENAMENX", "a", "a"], int(0)),
        (&["PTTL", "a"], int(5000)),
        (&["RENAME", "a", "b"], Reply::Ok),
        (&["EXISTS", "a"], int(0)),
        (&["GET", "b"], bulk("1")),
        (&["PTTL", "b"], int(5000)),
        (&["SET", "c", "3"], Reply::Ok),
        (&["RENAMENX", "b", "c"], int(0)),
        (&["GET", "b"], bulk("1")),
        (&["GET", "c"], bulk("3")),
        (&["RENAME", "b", "c"], Reply::Ok),
        (&["GET", "c"], bulk("1")),
        (&["PTTL", "c"], int(5000)),
        // The destination's TTL goes with its old value.
        (&["SET", "d", "4"], Reply::Ok),
        (&["RENAME", "d", "c"], Reply::Ok),
        (&["PTTL", "c"], int(-1)),
        (&["RENAMENX", "c", "e"], int(1)),
        (&["GET", "e"], bulk("4")),
        (&["DBSIZE"], int(1)),
        // Any type.
        (&["RPUSH", "l", "x", "y"], int(2)),
        (&["RENAME", "l", "e"], Reply::Ok),
        (
            &["LRANGE", "e", "0", "-1"],
            Reply::Array(vec![bulk("x"), bulk("y")]),
        ),
        (&["RENAME", "e"], error(ReplyError::wrong_arity(b"rename"))),
        // Expired keys are absent on both sides.
        (&["SET", "old", "v", "PX", "10"], Reply::Ok),
        (&["SET", "src", "v"], Reply::Ok),
    ]);
    h.advance(10);
    h.check(&[
        (&["RENAME", "old", "x"], error(ReplyError::NoSuchKey)),
        (&["RENAMENX", "src", "old"], int(1)),
        (&["GET", "old"], bulk("v")),
        (&["PTTL", "old"], int(-1)),
    ]);
}

#[test]
fn move_between_databases() {
    let mut h = Harness::default();
    let same = err_text("source and destination objects are the same");
    h.check(&[
        (&["MOVE", "k", "x"], error(ReplyError::NotInteger)),
        (&["MOVE", "k", "16"], error(ReplyError::DbIndexOutOfRange)),
        (&["MOVE", "k", "-1"], error(ReplyError::DbIndexOutOfRange)),
        (
            &["MOVE", "k", "2147483648"],
            err_text("value is out of range, value must between -2147483648 and 2147483647"),
        ),
        // Checked before the key is looked up.
        (&["MOVE", "k", "0"], same.clone()),
        (&["MOVE", "k", "1"], int(0)),
        (&["SET", "k", "v", "PX", "5000"], Reply::Ok),
        (&["MOVE", "k", "0"], same),
        (&["MOVE", "k", "1"], int(1)),
        (&["EXISTS", "k"], int(0)),
        (&["SET", "k", "w"], Reply::Ok),
        // The target already has the key: nothing moves.
        (&["MOVE", "k", "1"], int(0)),
        (&["GET", "k"], bulk("w")),
    ]);
    h.db = 1;
    h.check(&[
        (&["GET", "k"], bulk("v")),
        (&["PTTL", "k"], int(5000)),
        (&["SET", "gone", "v", "PX", "10"], Reply::Ok),
    ]);
    h.advance(10);
    h.db = 0;
    h.check(&[
        (&["SET", "gone", "new"], Reply::Ok),
        // An expired key in the target does not block the move.
        (&["MOVE", "gone", "1"], int(1)),
    ]);
    h.db = 1;
    h.check(&[
        (&["GET", "gone"], bulk("new")),
        (&["PTTL", "gone"], int(-1)),
    ]);
    // The expiry index moved with the key: the leader finds it expired in database 1.
    assert_eq!(
        h.ks.expired_sample(START_MS + 1_000_000, 10),
        vec![(1, Bytes::from_static(b"k"))]
    );
}

#[test]
fn copy_within_and_across_databases() {
    let mut h = Harness::default();
    let same = err_text("source and destination objects are the same");
    h.check(&[
        (&["COPY", "a", "b"], int(0)),
        (&["SET", "a", "1", "PX", "5000"], Reply::Ok),
        (&["COPY", "a", "a"], same.clone()),
        (&["COPY", "a", "a", "DB", "0"], same),
        (&["COPY", "a", "b"], int(1)),
        (&["GET", "b"], bulk("1")),
        (&["PTTL", "b"], int(5000)),
        (&["COPY", "a", "b"], int(0)),
        (&["SET", "a", "2"], Reply::Ok),
        (&["COPY", "a", "b", "REPLACE"], int(1)),
        (&["GET", "b"], bulk("2")),
        (&["PTTL", "b"], int(-1)),
        (&["COPY", "a", "a", "DB", "1", "replace"], int(1)),
        (&["COPY", "a", "x", "DB"], error(ReplyError::Syntax)),
        (&["COPY", "a", "x", "FOO"], error(ReplyError::Syntax)),
        (
            &["COPY", "a", "x", "DB", "16"],
            error(ReplyError::DbIndexOutOfRange),
        ),
        (
            &["COPY", "a", "x", "DB", "y"],
            error(ReplyError::NotInteger),
        ),
        (&["COPY", "a"], error(ReplyError::wrong_arity(b"copy"))),
        // A copy is independent of its source.
        (&["RPUSH", "l", "1", "2"], int(2)),
        (&["COPY", "l", "l2"], int(1)),
        (&["RPUSH", "l2", "3"], int(3)),
        (&["LLEN", "l"], int(2)),
        (&["SET", "s", "abc"], Reply::Ok),
        (&["COPY", "s", "s2"], int(1)),
        (&["APPEND", "s2", "def"], int(6)),
        (&["GET", "s"], bulk("abc")),
        (&["SETRANGE", "s", "0", "X"], int(3)),
        (&["GET", "s2"], bulk("abcdef")),
        (&["GET", "s"], bulk("Xbc")),
    ]);
    h.db = 1;
    h.check(&[(&["GET", "a"], bulk("2"))]);
}

#[test]
fn swapdb_moves_keys_and_expiries() {
    let mut h = Harness::default();
    h.check(&[(&["SET", "a", "1", "PX", "5000"], Reply::Ok)]);
    h.db = 1;
    h.check(&[(&["SET", "b", "2"], Reply::Ok)]);
    h.db = 0;
    h.check(&[
        (&["SWAPDB", "0", "1"], Reply::Ok),
        (&["GET", "a"], Reply::Nil),
        (&["GET", "b"], bulk("2")),
        (&["SWAPDB", "0", "0"], Reply::Ok),
        (&["GET", "b"], bulk("2")),
        (&["SWAPDB", "x", "1"], err_text("invalid first DB index")),
        (&["SWAPDB", "0", "x"], err_text("invalid second DB index")),
        (&["SWAPDB", "x", "y"], err_text("invalid first DB index")),
        (
            &["SWAPDB", "2147483648", "0"],
            err_text("invalid first DB index"),
        ),
        (&["SWAPDB", "0", "16"], error(ReplyError::DbIndexOutOfRange)),
        (&["SWAPDB", "-1", "0"], error(ReplyError::DbIndexOutOfRange)),
        (&["SWAPDB", "0"], error(ReplyError::wrong_arity(b"swapdb"))),
    ]);
    h.db = 1;
    h.check(&[(&["GET", "a"], bulk("1")), (&["PTTL", "a"], int(5000))]);
    assert_eq!(
        h.ks.expired_sample(START_MS + 5000, 10),
        vec![(1, Bytes::from_static(b"a"))]
    );
    assert_eq!(h.ks.db_stats(), vec![(0, 1, 0), (1, 1, 1)]);
}
