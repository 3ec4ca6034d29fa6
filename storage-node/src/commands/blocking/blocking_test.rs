//! The blocking commands' immediate paths, errors, null forms and timeouts, against Redis 7.0.15.

use bytes::Bytes;
use tinyredis_common::Reply;
use tinyredis_common::ReplyError;

use super::*;
use crate::commands::execute_write_blocking;
use crate::commands::test_util::{Harness, argv};

fn bulk(s: &str) -> Reply {
    Reply::Bulk(Bytes::copy_from_slice(s.as_bytes()))
}

fn arr(items: Vec<Reply>) -> Reply {
    Reply::Array(items)
}

fn err(text: &'static str) -> Reply {
    Reply::Error(ReplyError::err(text))
}

/// Runs a command that may block.
fn run(h: &mut Harness, args: &[&str]) -> Blocking {
    let ctx = WriteCtx {
        now_ms: h.now_ms,
        seed: 0,
    };
    execute_write_blocking(&mut h.ks, h.db, &argv(args), &ctx)
}

fn reply(h: &mut Harness, args: &[&str]) -> Reply {
    match run(h, args) {
        Blocking::Reply(reply) => reply,
        Blocking::Block(block) => panic!("{args:?} blocked: {block:?}"),
    }
}

fn block(h: &mut Harness, args: &[&str]) -> Block {
    match run(h, args) {
        Blocking::Block(block) => block,
        Blocking::Reply(reply) => panic!("{args:?} replied {reply:?}"),
    }
}

fn keys(names: &[&str]) -> Vec<Bytes> {
    names
        .iter()
        .map(|k| Bytes::copy_from_slice(k.as_bytes()))
        .collect()
}

#[test]
fn timeouts_as_redis_computes_them() {
    let ok = |text: &str, ms: u64| assert_eq!(parse_timeout(text.as_bytes()), Ok(ms), "{text}");
    let negative = |text: &str| {
        assert_eq!(
            parse_timeout(text.as_bytes()),
            Err(ReplyError::err("timeout is negative")),
            "{text}"
        )
    };
    let not_float = |text: &str| {
        assert_eq!(
            parse_timeout(text.as_bytes()),
            Err(ReplyError::err("timeout is not a float or out of range")),
            "{text}"
        )
    };
    ok("0", 0);
    ok("1", 1000);
    ok("0.1", 100);
    ok("0.001", 1);
    ok("0.01", 10);
    ok("1.5", 1500);
    ok("0.0001", 1);
    ok("1e-10", 1);
    ok("0x10", 16_000);
    ok("0x1p-2", 250);
    ok("-0", 0);
    ok("-0.0001", 0);
    // 0.001 as a long double is a hair below 1/1000: -0.001 s is -0.99… ms, rounded up to 0.
    ok("-0.001", 0);
    ok("9223372036854775", 9_223_372_036_854_775_000);
    negative("-1");
    negative("-0.002");
    negative("-0.5");
    negative("inf");
    negative("-inf");
    negative("1e30");
    negative("1e4000");
    negative("9223372036854775807");
    not_float("nan");
    not_float("");
    not_float(" 1");
    not_float("1 ");
    not_float("abc");
}

#[test]
fn pops_at_once_when_something_is_there() {
    let mut h = Harness::default();
    h.run(&["RPUSH", "l1", "a", "b", "c"]);
    h.run(&["RPUSH", "l2", "d"]);
    assert_eq!(
        reply(&mut h, &["BLPOP", "nokey", "l1", "l2", "0"]),
        arr(vec![bulk("l1"), bulk("a")])
    );
    assert_eq!(
        reply(&mut h, &["BRPOP", "l2", "l1", "1"]),
        arr(vec![bulk("l2"), bulk("d")])
    );
    assert_eq!(h.run(&["EXISTS", "l2"]), Reply::Integer(0));
    assert_eq!(
        reply(
            &mut h,
            &["BLMPOP", "0", "2", "l2", "l1", "RIGHT", "COUNT", "5"]
        ),
        arr(vec![bulk("l1"), arr(vec![bulk("c"), bulk("b")])])
    );
    h.run(&["RPUSH", "src", "x", "y"]);
    assert_eq!(reply(&mut h, &["BRPOPLPUSH", "src", "dst", "0"]), bulk("y"));
    assert_eq!(
        reply(&mut h, &["BLMOVE", "src", "dst", "LEFT", "RIGHT", "0"]),
        bulk("x")
    );
    assert_eq!(
        h.run(&["LRANGE", "dst", "0", "-1"]),
        arr(vec![bulk("y"), bulk("x")])
    );
    h.run(&["ZADD", "z", "1", "a", "2", "b", "3", "c"]);
    assert_eq!(
        reply(&mut h, &["BZPOPMIN", "nokey", "z", "0"]),
        arr(vec![bulk("z"), bulk("a"), Reply::Double(1.0)])
    );
    assert_eq!(
        reply(&mut h, &["BZPOPMAX", "z", "0"]),
        arr(vec![bulk("z"), bulk("c"), Reply::Double(3.0)])
    );
    assert_eq!(
        reply(&mut h, &["BZMPOP", "0", "1", "z", "MIN", "COUNT", "9"]),
        arr(vec![
            bulk("z"),
            arr(vec![arr(vec![bulk("b"), Reply::Double(2.0)])])
        ])
    );
}

#[test]
fn blocks_when_every_key_is_empty() {
    let mut h = Harness::default();
    let b = block(&mut h, &["BLPOP", "a", "b", "a", "1.5"]);
    assert_eq!(b.keys, keys(&["a", "b"]));
    assert_eq!(b.op, WaitOp::Pop { left: true });
    assert_eq!(b.timeout_ms, 1500);
    assert_eq!(b.nil(), Reply::NilArray);

    let b = block(&mut h, &["BRPOP", "a", "0"]);
    assert_eq!(b.op, WaitOp::Pop { left: false });
    assert_eq!(b.timeout_ms, 0);

    let b = block(
        &mut h,
        &["BLMPOP", "2", "2", "a", "b", "RIGHT", "COUNT", "3"],
    );
    assert_eq!(b.keys, keys(&["a", "b"]));
    assert_eq!(
        b.op,
        WaitOp::Mpop {
            left: false,
            count: 3
        }
    );
    assert_eq!(b.timeout_ms, 2000);

    // A missing source blocks whatever the destination holds.
    h.run(&["SET", "dst", "string"]);
    let b = block(&mut h, &["BLMOVE", "src", "dst", "RIGHT", "LEFT", "0"]);
    assert_eq!(b.keys, keys(&["src"]));
    assert_eq!(
        b.op,
        WaitOp::Move {
            destination: Bytes::from_static(b"dst"),
            from_left: false,
            to_left: true
        }
    );
    assert_eq!(b.nil(), Reply::Nil);
    let b = block(&mut h, &["BRPOPLPUSH", "src", "dst", "0"]);
    assert_eq!(
        b.op,
        WaitOp::Move {
            destination: Bytes::from_static(b"dst"),
            from_left: false,
            to_left: true
        }
    );

    let b = block(&mut h, &["BZPOPMAX", "z1", "z2", "0"]);
    assert_eq!(b.keys, keys(&["z1", "z2"]));
    assert_eq!(b.op, WaitOp::Zpop { max: true });
    // Only the keys are waited on, never numkeys, the side or COUNT's value (#10762).
    let b = block(
        &mut h,
        &["BZMPOP", "0", "1", "myzset", "MIN", "COUNT", "10"],
    );
    assert_eq!(b.keys, keys(&["myzset"]));
    assert_eq!(
        b.op,
        WaitOp::Zmpop {
            max: false,
            count: 10
        }
    );
}

#[test]
fn outside_the_blocking_path_they_reply_null() {
    // As inside MULTI: execute_write never blocks.
    let mut h = Harness::default();
    h.check(&[
        (&["BLPOP", "a", "0"], Reply::NilArray),
        (&["BLMPOP", "0", "1", "a", "LEFT"], Reply::NilArray),
        (&["BRPOPLPUSH", "a", "b", "0"], Reply::Nil),
        (&["BLMOVE", "a", "b", "LEFT", "LEFT", "0"], Reply::Nil),
        (&["BZPOPMIN", "a", "0"], Reply::NilArray),
        (&["BZMPOP", "0", "1", "a", "MAX"], Reply::NilArray),
    ]);
    h.run(&["LPUSH", "xlist", "foo", "bar"]);
    h.check(&[
        (
            &["BLPOP", "xlist", "0"],
            arr(vec![bulk("xlist"), bulk("bar")]),
        ),
        (
            &["BLPOP", "xlist", "0"],
            arr(vec![bulk("xlist"), bulk("foo")]),
        ),
        (&["BLPOP", "xlist", "0"], Reply::NilArray),
    ]);
}

#[test]
fn errors_in_redis_order() {
    let mut h = Harness::default();
    h.run(&["SET", "s", "x"]);
    h.run(&["RPUSH", "l", "a"]);
    let wrongtype = Reply::Error(ReplyError::WrongType);
    // The timeout is checked before any key.
    assert_eq!(
        reply(&mut h, &["BLPOP", "l", "-1"]),
        err("timeout is negative")
    );
    assert_eq!(
        reply(&mut h, &["BLPOP", "l", "abc"]),
        err("timeout is not a float or out of range")
    );
    assert_eq!(h.run(&["LLEN", "l"]), Reply::Integer(1));
    // A key of another type before a non-empty list is WRONGTYPE; after it, it is never seen.
    assert_eq!(reply(&mut h, &["BLPOP", "nokey", "s", "l", "0"]), wrongtype);
    assert_eq!(
        reply(&mut h, &["BRPOP", "l", "s", "0"]),
        arr(vec![bulk("l"), bulk("a")])
    );
    assert_eq!(reply(&mut h, &["BZPOPMIN", "s", "0"]), wrongtype);
    assert_eq!(
        reply(&mut h, &["BZMPOP", "1", "2", "nokey", "s", "MIN"]),
        wrongtype
    );
    assert_eq!(reply(&mut h, &["BRPOPLPUSH", "s", "d", "1"]), wrongtype);
    // The destination is checked when the source has elements.
    h.run(&["RPUSH", "l", "a"]);
    assert_eq!(reply(&mut h, &["BRPOPLPUSH", "l", "s", "1"]), wrongtype);
    assert_eq!(h.run(&["LLEN", "l"]), Reply::Integer(1));
    // BLMOVE: the positions before the timeout.
    assert_eq!(
        reply(&mut h, &["BLMOVE", "l", "d", "UP", "LEFT", "x"]),
        Reply::Error(ReplyError::Syntax)
    );
    assert_eq!(
        reply(&mut h, &["BLMOVE", "l", "d", "LEFT", "LEFT", "x"]),
        err("timeout is not a float or out of range")
    );
    // BLMPOP and BZMPOP: numkeys, the side and the options before the timeout.
    let cases: &[(&[&str], Reply)] = &[
        (
            &["BLMPOP", "x", "0", "l", "LEFT"],
            err("numkeys should be greater than 0"),
        ),
        (
            &["BLMPOP", "x", "a", "l", "LEFT"],
            err("numkeys should be greater than 0"),
        ),
        (
            &["BLMPOP", "x", "2", "l", "LEFT"],
            Reply::Error(ReplyError::Syntax),
        ),
        (
            &["BLMPOP", "x", "1", "l", "UP"],
            Reply::Error(ReplyError::Syntax),
        ),
        (
            &["BLMPOP", "x", "1", "l", "LEFT", "COUNT", "0"],
            err("count should be greater than 0"),
        ),
        (
            &["BLMPOP", "x", "1", "l", "LEFT", "COUNT", "1", "COUNT", "2"],
            Reply::Error(ReplyError::Syntax),
        ),
        (
            &["BLMPOP", "x", "1", "l", "LEFT", "COUNT"],
            Reply::Error(ReplyError::Syntax),
        ),
        (
            &["BLMPOP", "x", "1", "l", "LEFT"],
            err("timeout is not a float or out of range"),
        ),
        (
            &["BZMPOP", "1", "-1", "z", "MAX"],
            err("numkeys should be greater than 0"),
        ),
        (
            &["BZMPOP", "1", "1", "z", "bad_where"],
            Reply::Error(ReplyError::Syntax),
        ),
        (
            &["BZMPOP", "1", "1", "z", "MAX", "MIN"],
            Reply::Error(ReplyError::Syntax),
        ),
        (
            &["BZMPOP", "1", "1", "z", "COUNT"],
            Reply::Error(ReplyError::Syntax),
        ),
        (
            &["BZMPOP", "1", "1", "z", "MAX", "COUNT", "a"],
            err("count should be greater than 0"),
        ),
        (
            &["BZMPOP", "-1", "1", "z", "MAX"],
            err("timeout is negative"),
        ),
        (
            &["BLMPOP", "0", "9223372036854775807", "l", "LEFT"],
            Reply::Error(ReplyError::Syntax),
        ),
    ];
    for (args, expected) in cases {
        assert_eq!(&reply(&mut h, args), expected, "{args:?}");
    }
    assert_eq!(h.run(&["LLEN", "l"]), Reply::Integer(1));
}

#[test]
fn serving_a_waiter_from_the_ready_key() {
    let mut h = Harness::default();
    let ctx = WriteCtx {
        now_ms: h.now_ms,
        seed: 0,
    };
    let key = Bytes::from_static(b"k");
    // Nothing there.
    assert_eq!(
        serve(&mut h.ks, 0, &key, &WaitOp::Pop { left: true }, &ctx),
        Serve::Empty
    );
    h.run(&["RPUSH", "k", "a", "b", "c"]);
    assert_eq!(
        serve(&mut h.ks, 0, &key, &WaitOp::Zpop { max: false }, &ctx),
        Serve::OtherKind
    );
    assert_eq!(
        serve(&mut h.ks, 0, &key, &WaitOp::Pop { left: false }, &ctx),
        Serve::Served {
            reply: arr(vec![bulk("k"), bulk("c")]),
            pushed: None
        }
    );
    let op = WaitOp::Move {
        destination: Bytes::from_static(b"d"),
        from_left: true,
        to_left: false,
    };
    assert_eq!(
        serve(&mut h.ks, 0, &key, &op, &ctx),
        Serve::Served {
            reply: bulk("a"),
            pushed: Some(Bytes::from_static(b"d"))
        }
    );
    h.run(&["SET", "d", "x"]);
    assert_eq!(
        serve(&mut h.ks, 0, &key, &op, &ctx),
        Serve::Served {
            reply: Reply::Error(ReplyError::WrongType),
            pushed: None
        }
    );
    assert_eq!(
        serve(
            &mut h.ks,
            0,
            &key,
            &WaitOp::Mpop {
                left: true,
                count: 10
            },
            &ctx
        ),
        Serve::Served {
            reply: arr(vec![bulk("k"), arr(vec![bulk("b")])]),
            pushed: None
        }
    );
    assert_eq!(h.run(&["EXISTS", "k"]), Reply::Integer(0));
    h.run(&["ZADD", "k", "1", "a", "2", "b"]);
    assert_eq!(
        serve(&mut h.ks, 0, &key, &WaitOp::Zpop { max: true }, &ctx),
        Serve::Served {
            reply: arr(vec![bulk("k"), bulk("b"), Reply::Double(2.0)]),
            pushed: None
        }
    );
    assert_eq!(
        serve(
            &mut h.ks,
            0,
            &key,
            &WaitOp::Zmpop {
                max: false,
                count: 2
            },
            &ctx
        ),
        Serve::Served {
            reply: arr(vec![
                bulk("k"),
                arr(vec![arr(vec![bulk("a"), Reply::Double(1.0)])])
            ]),
            pushed: None
        }
    );
}
