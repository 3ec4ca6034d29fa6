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
