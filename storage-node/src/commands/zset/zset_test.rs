//! Tests of the sorted set commands.
//!
//! The `redis_*` tests are data-driven: each runs a scenario of commands and expects, for every
//! command, the reply Redis 7.0.15 gave to the same scenario (recorded from a real `redis-server`
//! in RESP2 and RESP3: a bulk that is a `,` double in RESP3 is a [`Reply::Double`], a flat
//! member/score array that is nested in RESP3 is a [`Reply::Pairs`]). The other tests check what
//! a recorded reply cannot: `-0`, randomness, determinism, scans of large sets, memory ownership.

use std::collections::BTreeSet;

use bytes::Bytes;
use tinyredis_common::Reply;
use tinyredis_common::ReplyError;

use crate::commands::WriteCtx;
use crate::commands::execute_write;
use crate::commands::test_util::*;
use crate::keyspace::Keyspace;

/// A double reply.
fn dbl(value: f64) -> Reply {
    Reply::Double(value)
}

/// A member-score pairs reply.
fn pairs(items: &[(&str, f64)]) -> Reply {
    Reply::Pairs(
        items
            .iter()
            .map(|(member, score)| (bulk(member), Reply::Double(*score)))
            .collect(),
    )
}

fn arr(items: Vec<Reply>) -> Reply {
    Reply::Array(items)
}

fn simple(text: &str) -> Reply {
    Reply::Simple(Bytes::copy_from_slice(text.as_bytes()))
}

/// Runs each `(command, expected reply)` pair in order. No pairs and an empty array are the same
/// reply on the wire (`*0`), so an empty [`Reply::Pairs`] is compared as an empty array.
fn check(h: &mut Harness, cases: &[(&[&str], Reply)]) {
    for (idx, (args, expected)) in cases.iter().enumerate() {
        let reply = match h.run(args) {
            Reply::Pairs(pairs) if pairs.is_empty() => Reply::Array(Vec::new()),
            reply => reply,
        };
        assert_eq!(&reply, expected, "case #{idx}: {args:?}");
    }
}

/// The bits of a double reply, to tell `-0` from `0`.
fn double_bits(reply: &Reply) -> u64 {
    match reply {
        Reply::Double(value) => value.to_bits(),
        other => panic!("not a double: {other:?}"),
    }
}

/// The text of a bulk reply.
fn text(reply: &Reply) -> String {
    match reply {
        Reply::Bulk(b) => String::from_utf8(b.to_vec()).unwrap(),
        other => panic!("not a bulk: {other:?}"),
    }
}

/// The items of an array reply.
fn items(reply: Reply) -> Vec<Reply> {
    match reply {
        Reply::Array(items) => items,
        other => panic!("not an array: {other:?}"),
    }
}

/// The `(member, score)` items of a pairs reply.
fn pair_items(reply: Reply) -> Vec<(String, f64)> {
    match reply {
        Reply::Pairs(pairs) => pairs
            .into_iter()
            .map(|(member, score)| match score {
                Reply::Double(score) => (text(&member), score),
                other => panic!("not a double: {other:?}"),
            })
            .collect(),
        other => panic!("not pairs: {other:?}"),
    }
}

#[test]
fn negative_zero_is_stored_as_zero_and_replied_as_computed() {
    let mut h = Harness::default();
    // Redis replies the score it computed, and its listpack stores -0 as 0.
    assert_eq!(
        double_bits(&h.run(&["ZINCRBY", "z", "-0", "a"])),
        (-0.0f64).to_bits()
    );
    assert_eq!(double_bits(&h.run(&["ZSCORE", "z", "a"])), 0.0f64.to_bits());
    assert_eq!(
        double_bits(&h.run(&["ZADD", "z", "INCR", "-0", "b"])),
        (-0.0f64).to_bits()
    );
    assert_eq!(h.run(&["ZADD", "z", "-0", "c"]), int(1));
    assert_eq!(double_bits(&h.run(&["ZSCORE", "z", "c"])), 0.0f64.to_bits());
    // A computed -0 is replied as such by ZUNION, and stored as 0 by ZUNIONSTORE.
    let union = pair_items(h.run(&["ZUNION", "1", "z", "WEIGHTS", "-1", "WITHSCORES"]));
    assert!(
        union
            .iter()
            .all(|(_, score)| score.to_bits() == (-0.0f64).to_bits())
    );
    assert_eq!(
        h.run(&["ZUNIONSTORE", "d", "1", "z", "WEIGHTS", "-1"]),
        int(3)
    );
    let stored = pair_items(h.run(&["ZRANGE", "d", "0", "-1", "WITHSCORES"]));
    assert!(
        stored
            .iter()
            .all(|(_, score)| score.to_bits() == 0.0f64.to_bits())
    );
}

#[test]
fn writes_are_deterministic_whatever_the_seed() {
    let script: &[&[&str]] = &[
        &["ZADD", "a", "1", "x", "2", "y", "3", "z", "1.5", "w"],
        &["ZADD", "b", "10", "x", "-inf", "q", "inf", "r"],
        &["SADD", "s", "x", "y", "p"],
        &["ZINCRBY", "a", "0.1", "x"],
        &[
            "ZUNIONSTORE",
            "u",
            "3",
            "a",
            "b",
            "s",
            "WEIGHTS",
            "1",
            "2",
            "3",
        ],
        &["ZINTERSTORE", "i", "2", "a", "s", "AGGREGATE", "MAX"],
        &["ZDIFFSTORE", "d", "2", "a", "b"],
        &[
            "ZRANGESTORE",
            "r",
            "u",
            "(1",
            "+inf",
            "BYSCORE",
            "LIMIT",
            "1",
            "3",
        ],
        &["ZPOPMIN", "u", "2"],
        &["ZPOPMAX", "a"],
        &["ZMPOP", "2", "nokey", "b", "MAX", "COUNT", "2"],
        &["ZREMRANGEBYSCORE", "i", "-inf", "1"],
        &["ZREM", "d", "w"],
    ];
    let run = |seed: u64| {
        let mut ks = Keyspace::default();
        let replies: Vec<Reply> = script
            .iter()
            .enumerate()
            .map(|(idx, args)| {
                let ctx = WriteCtx {
                    now_ms: START_MS + idx as u64,
                    seed: seed.wrapping_mul(idx as u64 + 1),
                };
                execute_write(&mut ks, 0, &argv(args), &ctx)
            })
            .collect();
        (replies, ks)
    };
    let (replies_a, ks_a) = run(1);
    let (replies_b, ks_b) = run(0xdead_beef);
    assert_eq!(replies_a, replies_b);
    assert_eq!(ks_a, ks_b);
    assert_eq!(ks_a.digest(), ks_b.digest());
    assert!(
        replies_a.iter().all(|reply| !reply.is_error()),
        "{replies_a:?}"
    );
}

#[test]
fn zscan_of_a_large_set_visits_every_member() {
    let mut h = Harness::default();
    let mut zadd = vec!["ZADD".to_string(), "z".to_string()];
    for i in 0..1000 {
        zadd.push(format!("{}", i as f64 * 0.25));
        zadd.push(format!("m{i}"));
    }
    let zadd: Vec<&str> = zadd.iter().map(String::as_str).collect();
    assert_eq!(h.run(&zadd), int(1000));
    let mut seen = BTreeSet::new();
    let mut cursor = "0".to_string();
    let mut calls = 0;
    loop {
        let reply = items(h.run(&["ZSCAN", "z", &cursor, "COUNT", "50"]));
        cursor = text(&reply[0]);
        let elements = items(reply[1].clone());
        assert_eq!(elements.len() % 2, 0);
        for pair in elements.chunks(2) {
            let member = text(&pair[0]);
            let idx: f64 = member[1..].parse().unwrap();
            // Scores are listpack texts: integers without a point, others as %.17g.
            assert_eq!(text(&pair[1]), format!("{}", idx * 0.25));
            seen.insert(member);
        }
        calls += 1;
        if cursor == "0" {
            break;
        }
    }
    assert_eq!(seen.len(), 1000);
    assert!(calls >= 20, "about COUNT members per call: {calls} calls");
    // MATCH filters the members of each step.
    let reply = items(h.run(&["ZSCAN", "z", "0", "MATCH", "m99?", "COUNT", "1000"]));
    assert_eq!(text(&reply[0]), "0");
    assert_eq!(items(reply[1].clone()).len(), 20);
}

#[test]
fn zrandmember_draws_members_of_the_set() {
    let mut h = Harness::default();
    h.run(&[
        "ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e",
    ]);
    let all: BTreeSet<String> = ["a", "b", "c", "d", "e"].map(String::from).into();
    for _ in 0..50 {
        let one = text(&h.run(&["ZRANDMEMBER", "z"]));
        assert!(all.contains(&one));

        let distinct: Vec<String> = items(h.run(&["ZRANDMEMBER", "z", "3"]))
            .iter()
            .map(text)
            .collect();
        assert_eq!(distinct.len(), 3);
        assert_eq!(distinct.iter().collect::<BTreeSet<_>>().len(), 3);
        assert!(distinct.iter().all(|m| all.contains(m)));

        let repeated = pair_items(h.run(&["ZRANDMEMBER", "z", "-20", "WITHSCORES"]));
        assert_eq!(repeated.len(), 20);
        for (member, score) in repeated {
            let expected = f64::from(member.as_bytes()[0] - b'a' + 1);
            assert_eq!(score, expected, "{member}");
        }
    }
}

#[test]
fn stored_members_do_not_pin_request_buffers() {
    let request = Bytes::from(vec![b'x'; 4096]);
    let argv: Vec<Bytes> = vec![
        Bytes::from_static(b"ZADD"),
        request.slice(0..1),
        Bytes::from_static(b"1"),
        request.slice(1..9),
    ];
    let mut ks = Keyspace::default();
    let ctx = WriteCtx {
        now_ms: START_MS,
        seed: 0,
    };
    assert_eq!(execute_write(&mut ks, 0, &argv, &ctx), int(1));
    let zset = ks
        .db(0)
        .unwrap()
        .get_value(b"x", START_MS)
        .unwrap()
        .as_zset()
        .unwrap();
    let (member, _) = zset.iter().next().unwrap();
    assert!(!request.as_ptr_range().contains(&member.as_ptr()));
    // The key of ZMPOP's reply is a copy too (write replies are kept for retries).
    let argv: Vec<Bytes> = vec![
        Bytes::from_static(b"ZMPOP"),
        Bytes::from_static(b"1"),
        request.slice(0..1),
        Bytes::from_static(b"MIN"),
    ];
    let reply = items(execute_write(&mut ks, 0, &argv, &ctx));
    match &reply[0] {
        Reply::Bulk(key) => assert!(!request.as_ptr_range().contains(&key.as_ptr())),
        other => panic!("{other:?}"),
    }
}

#[test]
fn lexicographic_ranges_of_a_large_uniform_set() {
    let mut h = Harness::default();
    let mut zadd = vec!["ZADD".to_string(), "z".to_string()];
    for i in 0..500 {
        zadd.push("0".to_string());
        zadd.push(format!("k{i:04}"));
    }
    let zadd: Vec<&str> = zadd.iter().map(String::as_str).collect();
    h.run(&zadd);
    let range: Vec<String> = items(h.run(&["ZRANGEBYLEX", "z", "(k0100", "[k0105"]))
        .iter()
        .map(text)
        .collect();
    assert_eq!(range, ["k0101", "k0102", "k0103", "k0104", "k0105"]);
    assert_eq!(h.run(&["ZLEXCOUNT", "z", "[k0250", "+"]), int(250));
    assert_eq!(h.run(&["ZRANK", "z", "k0300"]), int(300));
    assert_eq!(h.run(&["ZREVRANK", "z", "k0300"]), int(199));
    assert_eq!(h.run(&["ZREMRANGEBYLEX", "z", "-", "(k0400"]), int(400));
    assert_eq!(h.run(&["ZRANGE", "z", "0", "0"]), arr(vec![bulk("k0400")]));
}

#[test]
fn redis_zadd_basics() {
    let mut h = Harness::default();
    check(
        &mut h,
        &[
            (&["ZADD", "z", "1", "a"], int(1)),
            (&["ZADD", "z", "1", "a"], int(0)),
            (&["ZADD", "z", "2", "a"], int(0)),
            (&["ZADD", "z", "CH", "3", "a", "4", "b"], int(2)),
            (&["ZADD", "z", "ch", "3", "a", "4", "b"], int(0)),
            (&["ZADD", "z", "NX", "9", "a", "5", "c"], int(1)),
            (&["ZADD", "z", "XX", "9", "a", "5", "d"], int(0)),
            (&["ZADD", "z", "XX", "CH", "10", "a", "5", "e"], int(1)),
            (
                &["ZRANGE", "z", "0", "-1", "WITHSCORES"],
                pairs(&[("b", 4.0), ("c", 5.0), ("a", 10.0)]),
            ),
            (&["ZADD", "z", "GT", "CH", "1", "a", "20", "b"], int(1)),
            (&["ZADD", "z", "LT", "CH", "1", "a", "30", "b"], int(1)),
            (&["ZADD", "z", "GT", "5", "newgt"], int(1)),
            (&["ZADD", "z", "LT", "XX", "0", "newlt"], int(0)),
            (&["ZADD", "z", "XX", "GT", "100", "a"], int(0)),
            (
                &["ZRANGE", "z", "0", "-1", "WITHSCORES"],
                pairs(&[("c", 5.0), ("newgt", 5.0), ("b", 20.0), ("a", 100.0)]),
            ),
            (
                &["ZADD", "z", "NX", "XX", "1", "a"],
                err_text("XX and NX options at the same time are not compatible"),
            ),
            (
                &["ZADD", "z", "GT", "LT", "1", "a"],
                err_text("GT, LT, and/or NX options at the same time are not compatible"),
            ),
            (
                &["ZADD", "z", "GT", "NX", "1", "a"],
                err_text("GT, LT, and/or NX options at the same time are not compatible"),
            ),
            (
                &["ZADD", "z", "LT", "NX", "1", "a"],
                err_text("GT, LT, and/or NX options at the same time are not compatible"),
            ),
            (&["ZADD", "z", "NX", "XX", "1"], error(ReplyError::Syntax)),
            (&["ZADD", "z", "1", "a", "2"], error(ReplyError::Syntax)),
            (
                &["ZADD", "z", "nx"],
                error(ReplyError::WrongArity(Bytes::from_static(b"zadd"))),
            ),
            (&["ZADD", "z", "x", "a"], error(ReplyError::NotFloat)),
            (
                &["ZADD", "z", "1", "a", "x", "b"],
                error(ReplyError::NotFloat),
            ),
            (&["ZADD", "z", "nan", "a"], error(ReplyError::NotFloat)),
            (
                &["ZADD", "z", "INCR", "1", "a", "2", "b"],
                err_text("INCR option supports a single increment-element pair"),
            ),
            (&["ZADD", "z", "1", "nx"], int(1)),
            (&["ZADD", "missing", "XX", "1", "a"], int(0)),
            (&["EXISTS", "missing"], int(0)),
            (&["ZADD", "missing", "XX", "INCR", "1", "a"], Reply::Nil),
            (&["EXISTS", "missing"], int(0)),
            (&["SET", "str", "x"], Reply::Ok),
            (&["ZADD", "str", "1", "a"], error(ReplyError::WrongType)),
            (&["ZADD", "str", "x", "a"], error(ReplyError::NotFloat)),
            (
                &["ZADD", "str", "NX", "XX", "1", "a"],
                err_text("XX and NX options at the same time are not compatible"),
            ),
            (&["ZCARD", "z"], int(5)),
            (&["ZCARD", "nokey"], int(0)),
            (&["ZCARD", "str"], error(ReplyError::WrongType)),
            (&["TYPE", "z"], simple("zset")),
        ],
    );
}

#[test]
fn redis_zadd_scores() {
    let mut h = Harness::default();
    check(
        &mut h,
        &[
            (
                &["ZADD", "z", "0x10", "hex", "1e-400", "x"],
                error(ReplyError::NotFloat),
            ),
            (
                &[
                    "ZADD",
                    "z",
                    "0x10",
                    "hex",
                    "1.5e3",
                    "e",
                    "-0",
                    "negzero",
                    "inf",
                    "i",
                    "-Infinity",
                    "ni",
                    "4.9e-324",
                    "tiny",
                    ".5",
                    "half",
                    "1.",
                    "one",
                ],
                int(8),
            ),
            (
                &["ZRANGE", "z", "0", "-1", "WITHSCORES"],
                pairs(&[
                    ("ni", f64::NEG_INFINITY),
                    ("negzero", 0.0),
                    ("tiny", 5e-324),
                    ("half", 0.5),
                    ("one", 1.0),
                    ("hex", 16.0),
                    ("e", 1500.0),
                    ("i", f64::INFINITY),
                ]),
            ),
            (&["ZSCORE", "z", "negzero"], dbl(0.0)),
            (&["ZSCORE", "z", "tiny"], dbl(5e-324)),
            (&["ZSCORE", "z", "nope"], Reply::Nil),
            (&["ZSCORE", "nokey", "a"], Reply::Nil),
            (&["ZADD", "z", " 1", "a"], error(ReplyError::NotFloat)),
            (&["ZADD", "z", "1 ", "a"], error(ReplyError::NotFloat)),
            (&["ZADD", "z", "", "a"], error(ReplyError::NotFloat)),
            (&["ZADD", "z", "1e400", "a"], error(ReplyError::NotFloat)),
            (
                &["ZADD", "z", "0x1p-1075", "a"],
                error(ReplyError::NotFloat),
            ),
            (
                &["ZSCAN", "z", "0", "COUNT", "100"],
                arr(vec![
                    bulk("0"),
                    arr(vec![
                        bulk("ni"),
                        bulk("-inf"),
                        bulk("negzero"),
                        bulk("0"),
                        bulk("tiny"),
                        bulk("4.9406564584124654e-324"),
                        bulk("half"),
                        bulk("0.5"),
                        bulk("one"),
                        bulk("1"),
                        bulk("hex"),
                        bulk("16"),
                        bulk("e"),
                        bulk("1500"),
                        bulk("i"),
                        bulk("inf"),
                    ]),
                ]),
            ),
            (
                &[
                    "ZADD",
                    "z",
                    "1e18",
                    "big",
                    "4611686018427387904",
                    "edge",
                    "4611686018427387905",
                    "edge2",
                    "0.1",
                    "tenth",
                    "1e-5",
                    "small",
                ],
                int(5),
            ),
            (
                &[
                    "ZMSCORE", "z", "big", "edge", "edge2", "tenth", "small", "nope",
                ],
                arr(vec![
                    dbl(1e+18),
                    dbl(4.611686018427388e+18),
                    dbl(4.611686018427388e+18),
                    dbl(0.1),
                    dbl(1e-05),
                    Reply::Nil,
                ]),
            ),
        ],
    );
}

#[test]
fn redis_zadd_incr() {
    let mut h = Harness::default();
    check(
        &mut h,
        &[
            (&["ZADD", "z", "INCR", "1", "a"], dbl(1.0)),
            (&["ZADD", "z", "INCR", "2.5", "a"], dbl(3.5)),
            (&["ZADD", "z", "INCR", "NX", "1", "a"], Reply::Nil),
            (&["ZADD", "z", "INCR", "XX", "1", "b"], Reply::Nil),
            (&["ZADD", "z", "INCR", "XX", "1", "a"], dbl(4.5)),
            (&["ZADD", "z", "INCR", "GT", "-1", "a"], Reply::Nil),
            (&["ZADD", "z", "INCR", "LT", "-1", "a"], dbl(3.5)),
            (&["ZADD", "z", "INCR", "GT", "0", "a"], Reply::Nil),
            (&["ZADD", "z", "INCR", "0", "a"], dbl(3.5)),
            (&["ZADD", "z", "inf", "i"], int(1)),
            (
                &["ZADD", "z", "INCR", "-inf", "i"],
                err_text("resulting score is not a number (NaN)"),
            ),
            (&["ZSCORE", "z", "i"], dbl(f64::INFINITY)),
            (
                &["ZINCRBY", "z", "-inf", "i"],
                err_text("resulting score is not a number (NaN)"),
            ),
            (&["ZINCRBY", "z", "1", "i"], dbl(f64::INFINITY)),
            (&["ZINCRBY", "z", "x", "i"], error(ReplyError::NotFloat)),
            (&["ZINCRBY", "z", "nx", "i"], error(ReplyError::Syntax)),
            (&["ZINCRBY", "z", "incr", "i"], error(ReplyError::Syntax)),
            (&["ZINCRBY", "z", "-0", "new"], dbl(-0.0)),
            (&["ZADD", "z", "INCR", "-0", "new2"], dbl(-0.0)),
            (&["ZSCORE", "z", "new"], dbl(0.0)),
            (&["ZINCRBY", "nokey", "5", "m"], dbl(5.0)),
            (&["ZINCRBY", "z", "0.1", "m"], dbl(0.1)),
            (&["ZINCRBY", "z", "0.2", "m"], dbl(0.30000000000000004)),
            (&["ZSCORE", "z", "m"], dbl(0.30000000000000004)),
            (&["SET", "s", "x"], Reply::Ok),
            (&["ZINCRBY", "s", "1", "a"], error(ReplyError::WrongType)),
            (&["ZINCRBY", "s", "x", "a"], error(ReplyError::NotFloat)),
        ],
    );
}

#[test]
fn redis_zrem_zcard() {
    let mut h = Harness::default();
    check(
        &mut h,
        &[
            (
                &[
                    "ZADD", "z", "1", "a", "2", "b", "2", "c", "3", "d", "-inf", "ninf", "+inf",
                    "pinf",
                ],
                int(6),
            ),
            (&["ZREM", "z", "a", "nope", "b"], int(2)),
            (&["ZCARD", "z"], int(4)),
            (&["ZREM", "z", "c", "d", "ninf", "pinf", "x"], int(4)),
            (&["EXISTS", "z"], int(0)),
            (&["ZREM", "z", "a"], int(0)),
            (&["SET", "s", "x"], Reply::Ok),
            (&["ZREM", "s", "a"], error(ReplyError::WrongType)),
        ],
    );
}

#[test]
fn redis_rank() {
    let mut h = Harness::default();
    check(
        &mut h,
        &[
            (
                &[
                    "ZADD", "z", "1", "a", "2", "b", "2", "c", "3", "d", "-inf", "ninf", "+inf",
                    "pinf",
                ],
                int(6),
            ),
            (&["ZRANK", "z", "a"], int(1)),
            (&["ZRANK", "z", "c"], int(3)),
            (&["ZREVRANK", "z", "c"], int(2)),
            (&["ZRANK", "z", "ninf"], int(0)),
            (&["ZREVRANK", "z", "ninf"], int(5)),
            (&["ZRANK", "z", "nope"], Reply::Nil),
            (&["ZRANK", "nokey", "a"], Reply::Nil),
            (&["ZREVRANK", "nokey", "a"], Reply::Nil),
            (&["SET", "s", "x"], Reply::Ok),
            (&["ZRANK", "s", "a"], error(ReplyError::WrongType)),
            (&["ZMSCORE", "s", "a"], error(ReplyError::WrongType)),
            (
                &["ZMSCORE", "nokey", "a", "b"],
                arr(vec![Reply::Nil, Reply::Nil]),
            ),
            (
                &["ZMSCORE", "z", "a", "pinf", "x"],
                arr(vec![dbl(1.0), dbl(f64::INFINITY), Reply::Nil]),
            ),
        ],
    );
}

#[test]
fn redis_zcount() {
    let mut h = Harness::default();
    check(
        &mut h,
        &[
            (
                &[
                    "ZADD", "z", "1", "a", "2", "b", "2", "c", "3", "d", "-inf", "ninf", "+inf",
                    "pinf",
                ],
                int(6),
            ),
            (&["ZCOUNT", "z", "-inf", "+inf"], int(6)),
            (&["ZCOUNT", "z", "2", "2"], int(2)),
            (&["ZCOUNT", "z", "(2", "3"], int(1)),
            (&["ZCOUNT", "z", "2", "(3"], int(2)),
            (&["ZCOUNT", "z", "(2", "(2"], int(0)),
            (&["ZCOUNT", "z", "3", "1"], int(0)),
            (&["ZCOUNT", "z", "", "("], int(0)),
            (&["ZCOUNT", "z", " 1", "1e999"], int(5)),
            (
                &["ZCOUNT", "z", "x", "1"],
                err_text("min or max is not a float"),
            ),
            (
                &["ZCOUNT", "z", "1", "nan"],
                err_text("min or max is not a float"),
            ),
            (
                &["ZCOUNT", "z", "((1", "2"],
                err_text("min or max is not a float"),
            ),
            (
                &["ZCOUNT", "z", "[1", "2"],
                err_text("min or max is not a float"),
            ),
            (&["ZCOUNT", "z", "(inf", "inf"], int(0)),
            (&["ZCOUNT", "z", "inf", "inf"], int(1)),
            (&["ZCOUNT", "z", "-inf", "(-inf"], int(0)),
            (&["ZCOUNT", "nokey", "0", "1"], int(0)),
            (
                &["ZCOUNT", "nokey", "x", "1"],
                err_text("min or max is not a float"),
            ),
            (&["SET", "s", "v"], Reply::Ok),
            (&["ZCOUNT", "s", "0", "1"], error(ReplyError::WrongType)),
            (
                &["ZCOUNT", "s", "x", "1"],
                err_text("min or max is not a float"),
            ),
            (&["ZCOUNT", "z", "0x1", "0X3"], int(4)),
        ],
    );
}

#[test]
fn redis_zlexcount() {
    let mut h = Harness::default();
    check(
        &mut h,
        &[
            (
                &[
                    "ZADD", "z", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e", "0", "", "0",
                    "bb",
                ],
                int(7),
            ),
            (&["ZLEXCOUNT", "z", "-", "+"], int(7)),
            (&["ZLEXCOUNT", "z", "[b", "[d"], int(4)),
            (&["ZLEXCOUNT", "z", "(b", "(d"], int(2)),
            (&["ZLEXCOUNT", "z", "[", "(b"], int(2)),
            (&["ZLEXCOUNT", "z", "(", "+"], int(6)),
            (&["ZLEXCOUNT", "z", "+", "-"], int(0)),
            (&["ZLEXCOUNT", "z", "-", "-"], int(0)),
            (&["ZLEXCOUNT", "z", "+", "+"], int(0)),
            (&["ZLEXCOUNT", "z", "[c", "[b"], int(0)),
            (
                &["ZLEXCOUNT", "z", "a", "b"],
                err_text("min or max not valid string range item"),
            ),
            (
                &["ZLEXCOUNT", "z", "-a", "+"],
                err_text("min or max not valid string range item"),
            ),
            (
                &["ZLEXCOUNT", "z", "", "+"],
                err_text("min or max not valid string range item"),
            ),
            (&["ZLEXCOUNT", "nokey", "-", "+"], int(0)),
            (
                &["ZLEXCOUNT", "nokey", "x", "+"],
                err_text("min or max not valid string range item"),
            ),
            (&["SET", "s", "v"], Reply::Ok),
            (&["ZLEXCOUNT", "s", "-", "+"], error(ReplyError::WrongType)),
            (
                &["ZLEXCOUNT", "s", "x", "+"],
                err_text("min or max not valid string range item"),
            ),
            (&["ZLEXCOUNT", "z", "[b", "[b"], int(1)),
            (&["ZLEXCOUNT", "z", "(b", "[b"], int(0)),
        ],
    );
}

#[test]
fn redis_zrange_rank() {
    let mut h = Harness::default();
    check(
        &mut h,
        &[
            (
                &[
                    "ZADD", "z", "1", "a", "2", "b", "2", "c", "3", "d", "-inf", "ninf", "+inf",
                    "pinf",
                ],
                int(6),
            ),
            (
                &["ZRANGE", "z", "0", "-1"],
                arr(vec![
                    bulk("ninf"),
                    bulk("a"),
                    bulk("b"),
                    bulk("c"),
                    bulk("d"),
                    bulk("pinf"),
                ]),
            ),
            (
                &["ZRANGE", "z", "0", "-1", "WITHSCORES"],
                pairs(&[
                    ("ninf", f64::NEG_INFINITY),
                    ("a", 1.0),
                    ("b", 2.0),
                    ("c", 2.0),
                    ("d", 3.0),
                    ("pinf", f64::INFINITY),
                ]),
            ),
            (
                &["ZRANGE", "z", "-2", "-1"],
                arr(vec![bulk("d"), bulk("pinf")]),
            ),
            (
                &["ZRANGE", "z", "-100", "1"],
                arr(vec![bulk("ninf"), bulk("a")]),
            ),
            (
                &["ZRANGE", "z", "2", "100", "withscores"],
                pairs(&[("b", 2.0), ("c", 2.0), ("d", 3.0), ("pinf", f64::INFINITY)]),
            ),
            (&["ZRANGE", "z", "3", "2"], arr(vec![])),
            (&["ZRANGE", "z", "10", "20"], arr(vec![])),
            (&["ZRANGE", "z", "-1", "-2"], arr(vec![])),
            (&["ZRANGE", "z", "0", "0", "REV"], arr(vec![bulk("pinf")])),
            (
                &["ZRANGE", "z", "1", "3", "REV", "WITHSCORES"],
                pairs(&[("d", 3.0), ("c", 2.0), ("b", 2.0)]),
            ),
            (
                &["ZREVRANGE", "z", "0", "-1"],
                arr(vec![
                    bulk("pinf"),
                    bulk("d"),
                    bulk("c"),
                    bulk("b"),
                    bulk("a"),
                    bulk("ninf"),
                ]),
            ),
            (
                &["ZREVRANGE", "z", "0", "1", "WITHSCORES"],
                pairs(&[("pinf", f64::INFINITY), ("d", 3.0)]),
            ),
            (
                &["ZREVRANGE", "z", "0", "1", "REV"],
                error(ReplyError::Syntax),
            ),
            (&["ZRANGE", "z", "a", "1"], error(ReplyError::NotInteger)),
            (&["ZRANGE", "z", "0", "b"], error(ReplyError::NotInteger)),
            (
                &["ZRANGE", "z", "0", "1", "LIMIT", "0", "1"],
                err_text(
                    "syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
                ),
            ),
            (
                &["ZRANGE", "z", "0", "1", "LIMIT", "0", "-1"],
                arr(vec![bulk("ninf"), bulk("a")]),
            ),
            (
                &["ZRANGE", "z", "0", "1", "LIMIT", "5", "-1"],
                arr(vec![bulk("ninf"), bulk("a")]),
            ),
            (
                &["ZRANGE", "z", "0", "1", "LIMIT", "x", "1"],
                error(ReplyError::NotInteger),
            ),
            (
                &["ZRANGE", "z", "0", "1", "LIMIT", "0"],
                error(ReplyError::Syntax),
            ),
            (
                &["ZRANGE", "z", "0", "1", "LIMIT"],
                error(ReplyError::Syntax),
            ),
            (&["ZRANGE", "z", "0", "1", "FOO"], error(ReplyError::Syntax)),
            (
                &["ZRANGE", "z", "0", "1", "BYSCORE", "BYLEX"],
                error(ReplyError::Syntax),
            ),
            (
                &["ZRANGE", "z", "0", "1", "REV", "REV"],
                error(ReplyError::Syntax),
            ),
            (&["ZRANGE", "nokey", "0", "-1"], arr(vec![])),
            (
                &["ZRANGE", "nokey", "x", "-1"],
                error(ReplyError::NotInteger),
            ),
            (&["SET", "s", "v"], Reply::Ok),
            (&["ZRANGE", "s", "0", "-1"], error(ReplyError::WrongType)),
            (&["ZRANGE", "s", "x", "-1"], error(ReplyError::NotInteger)),
            (
                &["ZREVRANGE", "z", "0", "1", "LIMIT", "0", "1"],
                err_text(
                    "syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
                ),
            ),
            (
                &["ZRANGE", "z", "9223372036854775807", "-9223372036854775808"],
                arr(vec![]),
            ),
            (
                &["ZRANGE", "z", "-9223372036854775808", "9223372036854775807"],
                arr(vec![
                    bulk("ninf"),
                    bulk("a"),
                    bulk("b"),
                    bulk("c"),
                    bulk("d"),
                    bulk("pinf"),
                ]),
            ),
            (
                &["ZRANGE", "z", "0", "-1", "withscores", "withscores"],
                pairs(&[
                    ("ninf", f64::NEG_INFINITY),
                    ("a", 1.0),
                    ("b", 2.0),
                    ("c", 2.0),
                    ("d", 3.0),
                    ("pinf", f64::INFINITY),
                ]),
            ),
        ],
    );
}

#[test]
fn redis_zrange_byscore() {
    let mut h = Harness::default();
    check(
        &mut h,
        &[
            (
                &[
                    "ZADD", "z", "1", "a", "2", "b", "2", "c", "3", "d", "-inf", "ninf", "+inf",
                    "pinf",
                ],
                int(6),
            ),
            (
                &["ZRANGE", "z", "2", "3", "BYSCORE"],
                arr(vec![bulk("b"), bulk("c"), bulk("d")]),
            ),
            (
                &["ZRANGE", "z", "(2", "+inf", "BYSCORE", "WITHSCORES"],
                pairs(&[("d", 3.0), ("pinf", f64::INFINITY)]),
            ),
            (
                &["ZRANGE", "z", "3", "2", "BYSCORE", "REV"],
                arr(vec![bulk("d"), bulk("c"), bulk("b")]),
            ),
            (&["ZRANGE", "z", "2", "3", "BYSCORE", "REV"], arr(vec![])),
            (
                &["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "1", "2"],
                arr(vec![bulk("a"), bulk("b")]),
            ),
            (
                &[
                    "ZRANGE",
                    "z",
                    "+inf",
                    "-inf",
                    "BYSCORE",
                    "REV",
                    "LIMIT",
                    "1",
                    "2",
                    "WITHSCORES",
                ],
                pairs(&[("d", 3.0), ("c", 2.0)]),
            ),
            (
                &["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "-1", "2"],
                arr(vec![]),
            ),
            (
                &["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "0", "0"],
                arr(vec![]),
            ),
            (
                &["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "6", "1"],
                arr(vec![]),
            ),
            (
                &["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "5", "-7"],
                arr(vec![bulk("pinf")]),
            ),
            (
                &["ZRANGEBYSCORE", "z", "-inf", "+inf"],
                arr(vec![
                    bulk("ninf"),
                    bulk("a"),
                    bulk("b"),
                    bulk("c"),
                    bulk("d"),
                    bulk("pinf"),
                ]),
            ),
            (
                &["ZRANGEBYSCORE", "z", "(1", "(3", "WITHSCORES"],
                pairs(&[("b", 2.0), ("c", 2.0)]),
            ),
            (
                &["ZRANGEBYSCORE", "z", "1", "3", "LIMIT", "1", "1"],
                arr(vec![bulk("b")]),
            ),
            (
                &["ZRANGEBYSCORE", "z", "1", "x"],
                err_text("min or max is not a float"),
            ),
            (
                &["ZRANGEBYSCORE", "z", "1", "2", "REV"],
                error(ReplyError::Syntax),
            ),
            (
                &["ZRANGEBYSCORE", "z", "1", "2", "BYSCORE"],
                error(ReplyError::Syntax),
            ),
            (
                &["ZREVRANGEBYSCORE", "z", "+inf", "-inf", "WITHSCORES"],
                pairs(&[
                    ("pinf", f64::INFINITY),
                    ("d", 3.0),
                    ("c", 2.0),
                    ("b", 2.0),
                    ("a", 1.0),
                    ("ninf", f64::NEG_INFINITY),
                ]),
            ),
            (
                &["ZREVRANGEBYSCORE", "z", "2", "(1"],
                arr(vec![bulk("c"), bulk("b")]),
            ),
            (&["ZREVRANGEBYSCORE", "z", "(2", "1"], arr(vec![bulk("a")])),
            (&["ZREVRANGEBYSCORE", "z", "1", "2"], arr(vec![])),
            (&["ZREVRANGEBYSCORE", "z", "inf", "(inf"], arr(vec![])),
            (
                &["ZREVRANGEBYSCORE", "z", "+inf", "-inf", "LIMIT", "2", "2"],
                arr(vec![bulk("c"), bulk("b")]),
            ),
            (
                &["ZRANGEBYSCORE", "z", "2", "2"],
                arr(vec![bulk("b"), bulk("c")]),
            ),
            (
                &["ZRANGEBYSCORE", "z", "(-inf", "(inf"],
                arr(vec![bulk("a"), bulk("b"), bulk("c"), bulk("d")]),
            ),
            (
                &["ZRANGEBYSCORE", "z", "inf", "inf"],
                arr(vec![bulk("pinf")]),
            ),
            (
                &["ZRANGEBYSCORE", "z", "-inf", "-inf"],
                arr(vec![bulk("ninf")]),
            ),
            (
                &["ZRANGEBYSCORE", "nokey", "x", "y"],
                err_text("min or max is not a float"),
            ),
            (
                &["ZRANGEBYSCORE", "z", "1", "3", "LIMIT", "1"],
                error(ReplyError::Syntax),
            ),
            (
                &[
                    "ZRANGEBYSCORE",
                    "z",
                    "1",
                    "3",
                    "WITHSCORES",
                    "LIMIT",
                    "0",
                    "1",
                    "WITHSCORES",
                ],
                pairs(&[("a", 1.0)]),
            ),
        ],
    );
}

#[test]
fn redis_zrange_bylex() {
    let mut h = Harness::default();
    check(
        &mut h,
        &[
            (
                &[
                    "ZADD", "z", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e", "0", "ab", "0",
                    "",
                ],
                int(7),
            ),
            (
                &["ZRANGE", "z", "-", "+", "BYLEX"],
                arr(vec![
                    bulk(""),
                    bulk("a"),
                    bulk("ab"),
                    bulk("b"),
                    bulk("c"),
                    bulk("d"),
                    bulk("e"),
                ]),
            ),
            (
                &["ZRANGE", "z", "[b", "(d", "BYLEX"],
                arr(vec![bulk("b"), bulk("c")]),
            ),
            (
                &["ZRANGE", "z", "+", "-", "BYLEX", "REV"],
                arr(vec![
                    bulk("e"),
                    bulk("d"),
                    bulk("c"),
                    bulk("b"),
                    bulk("ab"),
                    bulk("a"),
                    bulk(""),
                ]),
            ),
            (
                &["ZRANGE", "z", "[d", "(a", "BYLEX", "REV"],
                arr(vec![bulk("d"), bulk("c"), bulk("b"), bulk("ab")]),
            ),
            (
                &["ZRANGE", "z", "-", "+", "BYLEX", "LIMIT", "2", "3"],
                arr(vec![bulk("ab"), bulk("b"), bulk("c")]),
            ),
            (
                &["ZRANGE", "z", "-", "+", "BYLEX", "LIMIT", "-1", "3"],
                arr(vec![]),
            ),
            (
                &["ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES"],
                err_text("syntax error, WITHSCORES not supported in combination with BYLEX"),
            ),
            (
                &["ZRANGE", "z", "-", "+", "BYLEX", "REV", "LIMIT", "1", "2"],
                arr(vec![]),
            ),
            (
                &["ZRANGEBYLEX", "z", "-", "+"],
                arr(vec![
                    bulk(""),
                    bulk("a"),
                    bulk("ab"),
                    bulk("b"),
                    bulk("c"),
                    bulk("d"),
                    bulk("e"),
                ]),
            ),
            (
                &["ZRANGEBYLEX", "z", "(a", "[c"],
                arr(vec![bulk("ab"), bulk("b"), bulk("c")]),
            ),
            (
                &["ZRANGEBYLEX", "z", "[", "[a"],
                arr(vec![bulk(""), bulk("a")]),
            ),
            (
                &["ZRANGEBYLEX", "z", "-", "+", "LIMIT", "0", "2"],
                arr(vec![bulk(""), bulk("a")]),
            ),
            (
                &["ZRANGEBYLEX", "z", "a", "+"],
                err_text("min or max not valid string range item"),
            ),
            (
                &["ZRANGEBYLEX", "z", "-", "+", "WITHSCORES"],
                err_text("syntax error, WITHSCORES not supported in combination with BYLEX"),
            ),
            (
                &["ZREVRANGEBYLEX", "z", "+", "-"],
                arr(vec![
                    bulk("e"),
                    bulk("d"),
                    bulk("c"),
                    bulk("b"),
                    bulk("ab"),
                    bulk("a"),
                    bulk(""),
                ]),
            ),
            (
                &["ZREVRANGEBYLEX", "z", "[c", "(a"],
                arr(vec![bulk("c"), bulk("b"), bulk("ab")]),
            ),
            (
                &["ZREVRANGEBYLEX", "z", "(c", "-", "LIMIT", "1", "10"],
                arr(vec![bulk("ab"), bulk("a"), bulk("")]),
            ),
            (&["ZREVRANGEBYLEX", "z", "-", "+"], arr(vec![])),
            (&["ZRANGEBYLEX", "z", "+", "+"], arr(vec![])),
            (&["ZRANGEBYLEX", "z", "-", "-"], arr(vec![])),
            (&["ZRANGEBYLEX", "z", "[b", "[b"], arr(vec![bulk("b")])),
            (&["ZRANGEBYLEX", "z", "(b", "[b"], arr(vec![])),
            (&["ZRANGEBYLEX", "z", "[bz", "[c"], arr(vec![bulk("c")])),
            (&["ZRANGEBYLEX", "nokey", "-", "+"], arr(vec![])),
            (
                &["ZRANGEBYLEX", "nokey", "x", "+"],
                err_text("min or max not valid string range item"),
            ),
            (
                &["ZADD", "m", "1", "b", "2", "a", "3", "c", "4", "a0"],
                int(4),
            ),
            (
                &["ZRANGEBYLEX", "m", "[a", "[c"],
                arr(vec![bulk("b"), bulk("a"), bulk("c"), bulk("a0")]),
            ),
            (&["ZRANGEBYLEX", "m", "[b", "+"], arr(vec![])),
            (
                &["ZREVRANGEBYLEX", "m", "[c", "[a"],
                arr(vec![bulk("a0"), bulk("c"), bulk("a"), bulk("b")]),
            ),
            (&["ZLEXCOUNT", "m", "[a", "[b"], int(2)),
            (&["ZRANGEBYLEX", "m", "-", "(b"], arr(vec![])),
            (&["ZREVRANGEBYLEX", "m", "+", "(b"], arr(vec![])),
            (&["ZREVRANGEBYLEX", "m", "[a0", "-"], arr(vec![])),
            (&["ZREMRANGEBYLEX", "m", "[a", "[b"], int(2)),
            (
                &["ZRANGE", "m", "0", "-1", "WITHSCORES"],
                pairs(&[("c", 3.0), ("a0", 4.0)]),
            ),
        ],
    );
}

#[test]
fn redis_zrangestore() {
    let mut h = Harness::default();
    check(
        &mut h,
        &[
            (
                &[
                    "ZADD", "z", "1", "a", "2", "b", "2", "c", "3", "d", "-inf", "ninf", "+inf",
                    "pinf",
                ],
                int(6),
            ),
            (&["ZRANGESTORE", "d", "z", "0", "1"], int(2)),
            (
                &["ZRANGE", "d", "0", "-1", "WITHSCORES"],
                pairs(&[("ninf", f64::NEG_INFINITY), ("a", 1.0)]),
            ),
            (
                &["ZRANGESTORE", "d", "z", "2", "+inf", "BYSCORE", "REV"],
                int(0),
            ),
            (
                &[
                    "ZRANGESTORE",
                    "d",
                    "z",
                    "+inf",
                    "2",
                    "BYSCORE",
                    "REV",
                    "LIMIT",
                    "0",
                    "2",
                ],
                int(2),
            ),
            (
                &["ZRANGE", "d", "0", "-1", "WITHSCORES"],
                pairs(&[("d", 3.0), ("pinf", f64::INFINITY)]),
            ),
            (&["ZRANGESTORE", "d", "z", "5", "10"], int(1)),
            (&["EXISTS", "d"], int(1)),
            (&["SET", "d", "str"], Reply::Ok),
            (&["PEXPIRE", "d", "100000"], int(1)),
            (&["ZRANGESTORE", "d", "z", "0", "0"], int(1)),
            (&["TYPE", "d"], simple("zset")),
            (&["TTL", "d"], int(-1)),
            (&["ZRANGESTORE", "d", "nokey", "0", "-1"], int(0)),
            (&["EXISTS", "d"], int(0)),
            (
                &["ZRANGESTORE", "d", "z", "0", "-1", "WITHSCORES"],
                error(ReplyError::Syntax),
            ),
            (&["ZRANGESTORE", "d", "z", "-", "+", "BYLEX"], int(6)),
            (
                &["ZRANGE", "d", "0", "-1"],
                arr(vec![
                    bulk("ninf"),
                    bulk("a"),
                    bulk("b"),
                    bulk("c"),
                    bulk("d"),
                    bulk("pinf"),
                ]),
            ),
            (&["SET", "s", "v"], Reply::Ok),
            (
                &["ZRANGESTORE", "d", "s", "0", "-1"],
                error(ReplyError::WrongType),
            ),
            (&["ZRANGESTORE", "s", "z", "0", "-1"], int(6)),
            (&["TYPE", "s"], simple("zset")),
            (
                &["ZRANGESTORE", "d", "z", "0", "-1", "LIMIT", "0", "1"],
                err_text(
                    "syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
                ),
            ),
            (&["ZRANGESTORE", "z", "z", "1", "2"], int(2)),
            (
                &["ZRANGE", "z", "0", "-1", "WITHSCORES"],
                pairs(&[("a", 1.0), ("b", 2.0)]),
            ),
        ],
    );
}

#[test]
fn redis_zremrange() {
    let mut h = Harness::default();
    check(
        &mut h,
        &[
            (
                &[
                    "ZADD", "z", "1", "a", "2", "b", "2", "c", "3", "d", "-inf", "ninf", "+inf",
                    "pinf",
                ],
                int(6),
            ),
            (&["ZREMRANGEBYRANK", "z", "0", "0"], int(1)),
            (&["ZREMRANGEBYRANK", "z", "-1", "-1"], int(1)),
            (&["ZREMRANGEBYRANK", "z", "5", "10"], int(0)),
            (
                &["ZREMRANGEBYRANK", "z", "x", "1"],
                error(ReplyError::NotInteger),
            ),
            (
                &["ZRANGE", "z", "0", "-1"],
                arr(vec![bulk("a"), bulk("b"), bulk("c"), bulk("d")]),
            ),
            (&["ZREMRANGEBYSCORE", "z", "(1", "2"], int(2)),
            (
                &["ZREMRANGEBYSCORE", "z", "x", "2"],
                err_text("min or max is not a float"),
            ),
            (&["ZRANGE", "z", "0", "-1"], arr(vec![bulk("a"), bulk("d")])),
            (&["ZREMRANGEBYRANK", "z", "0", "-1"], int(2)),
            (&["EXISTS", "z"], int(0)),
            (&["ZREMRANGEBYRANK", "nokey", "0", "-1"], int(0)),
            (
                &["ZREMRANGEBYRANK", "nokey", "x", "-1"],
                error(ReplyError::NotInteger),
            ),
            (&["ZADD", "l", "0", "a", "0", "b", "0", "c"], int(3)),
            (&["ZREMRANGEBYLEX", "l", "(a", "+"], int(2)),
            (
                &["ZREMRANGEBYLEX", "l", "x", "+"],
                err_text("min or max not valid string range item"),
            ),
            (&["ZREMRANGEBYLEX", "l", "-", "+"], int(1)),
            (&["EXISTS", "l"], int(0)),
            (&["SET", "s", "v"], Reply::Ok),
            (
                &["ZREMRANGEBYSCORE", "s", "0", "1"],
                error(ReplyError::WrongType),
            ),
            (
                &["ZREMRANGEBYSCORE", "s", "x", "1"],
                err_text("min or max is not a float"),
            ),
            (
                &["ZREMRANGEBYLEX", "s", "-", "+"],
                error(ReplyError::WrongType),
            ),
            (
                &["ZREMRANGEBYRANK", "s", "0", "1"],
                error(ReplyError::WrongType),
            ),
        ],
    );
}

#[test]
fn redis_zpop() {
    let mut h = Harness::default();
    check(
        &mut h,
        &[
            (
                &[
                    "ZADD", "z", "1", "a", "2", "b", "2", "c", "3", "d", "-inf", "ninf", "+inf",
                    "pinf",
                ],
                int(6),
            ),
            (
                &["ZPOPMIN", "z"],
                arr(vec![bulk("ninf"), dbl(f64::NEG_INFINITY)]),
            ),
            (
                &["ZPOPMAX", "z"],
                arr(vec![bulk("pinf"), dbl(f64::INFINITY)]),
            ),
            (&["ZPOPMIN", "z", "2"], pairs(&[("a", 1.0), ("b", 2.0)])),
            (&["ZPOPMAX", "z", "0"], arr(vec![])),
            (
                &["ZPOPMIN", "z", "-1"],
                err_text("value is out of range, must be positive"),
            ),
            (
                &["ZPOPMIN", "z", "x"],
                err_text("value is out of range, must be positive"),
            ),
            (&["ZPOPMIN", "z", "1", "2"], error(ReplyError::Syntax)),
            (&["ZPOPMAX", "z", "10"], pairs(&[("d", 3.0), ("c", 2.0)])),
            (&["EXISTS", "z"], int(0)),
            (&["ZPOPMIN", "z"], arr(vec![])),
            (&["ZPOPMIN", "z", "3"], arr(vec![])),
            (&["SET", "s", "v"], Reply::Ok),
            (&["ZPOPMIN", "s"], error(ReplyError::WrongType)),
            (
                &["ZPOPMIN", "s", "x"],
                err_text("value is out of range, must be positive"),
            ),
            (
                &["ZPOPMAX", "nokey", "x"],
                err_text("value is out of range, must be positive"),
            ),
            (&["ZADD", "z", "1", "a"], int(1)),
            (&["ZPOPMAX", "z", "1"], pairs(&[("a", 1.0)])),
        ],
    );
}

#[test]
fn redis_zmpop() {
    let mut h = Harness::default();
    check(
        &mut h,
        &[
            (
                &[
                    "ZADD", "z", "1", "a", "2", "b", "2", "c", "3", "d", "-inf", "ninf", "+inf",
                    "pinf",
                ],
                int(6),
            ),
            (
                &["ZMPOP", "1", "z", "MIN"],
                arr(vec![
                    bulk("z"),
                    arr(vec![arr(vec![bulk("ninf"), dbl(f64::NEG_INFINITY)])]),
                ]),
            ),
            (
                &["ZMPOP", "2", "nokey", "z", "max", "COUNT", "2"],
                arr(vec![
                    bulk("z"),
                    arr(vec![
                        arr(vec![bulk("pinf"), dbl(f64::INFINITY)]),
                        arr(vec![bulk("d"), dbl(3.0)]),
                    ]),
                ]),
            ),
            (
                &["ZMPOP", "1", "z", "MIN", "COUNT", "100"],
                arr(vec![
                    bulk("z"),
                    arr(vec![
                        arr(vec![bulk("a"), dbl(1.0)]),
                        arr(vec![bulk("b"), dbl(2.0)]),
                        arr(vec![bulk("c"), dbl(2.0)]),
                    ]),
                ]),
            ),
            (&["EXISTS", "z"], int(0)),
            (&["ZMPOP", "1", "z", "MIN"], Reply::NilArray),
            (
                &["ZMPOP", "0", "z", "MIN"],
                err_text("numkeys should be greater than 0"),
            ),
            (
                &["ZMPOP", "x", "z", "MIN"],
                err_text("numkeys should be greater than 0"),
            ),
            (
                &["ZMPOP", "-1", "z", "MIN"],
                err_text("numkeys should be greater than 0"),
            ),
            (&["ZMPOP", "2", "z", "MIN"], error(ReplyError::Syntax)),
            (&["ZMPOP", "1", "z", "MIDDLE"], error(ReplyError::Syntax)),
            (
                &["ZMPOP", "1", "z", "MIN", "COUNT"],
                error(ReplyError::Syntax),
            ),
            (
                &["ZMPOP", "1", "z", "MIN", "COUNT", "0"],
                err_text("count should be greater than 0"),
            ),
            (
                &["ZMPOP", "1", "z", "MIN", "COUNT", "x"],
                err_text("count should be greater than 0"),
            ),
            (
                &["ZMPOP", "1", "z", "MIN", "COUNT", "1", "COUNT", "1"],
                error(ReplyError::Syntax),
            ),
            (
                &["ZMPOP", "1", "z", "MIN", "FOO"],
                error(ReplyError::Syntax),
            ),
            (&["SET", "s", "v"], Reply::Ok),
            (&["ZADD", "y", "1", "a"], int(1)),
            (
                &["ZMPOP", "2", "s", "y", "MIN"],
                error(ReplyError::WrongType),
            ),
            (
                &["ZMPOP", "2", "y", "s", "MIN"],
                arr(vec![bulk("y"), arr(vec![arr(vec![bulk("a"), dbl(1.0)])])]),
            ),
            (
                &["ZMPOP", "2", "nokey", "s", "MIN"],
                error(ReplyError::WrongType),
            ),
            (
                &["ZMPOP", "9223372036854775807", "z", "MIN"],
                error(ReplyError::Syntax),
            ),
        ],
    );
}

#[test]
fn redis_zrandmember() {
    let mut h = Harness::default();
    check(
        &mut h,
        &[
            (
                &[
                    "ZADD", "z", "1", "a", "2", "b", "2", "c", "3", "d", "-inf", "ninf", "+inf",
                    "pinf",
                ],
                int(6),
            ),
            (&["ZRANDMEMBER", "z", "0"], arr(vec![])),
            (
                &["ZRANDMEMBER", "z", "6"],
                arr(vec![
                    bulk("pinf"),
                    bulk("d"),
                    bulk("c"),
                    bulk("b"),
                    bulk("a"),
                    bulk("ninf"),
                ]),
            ),
            (
                &["ZRANDMEMBER", "z", "7", "WITHSCORES"],
                pairs(&[
                    ("pinf", f64::INFINITY),
                    ("d", 3.0),
                    ("c", 2.0),
                    ("b", 2.0),
                    ("a", 1.0),
                    ("ninf", f64::NEG_INFINITY),
                ]),
            ),
            (
                &["ZRANDMEMBER", "z", "100", "withscores"],
                pairs(&[
                    ("pinf", f64::INFINITY),
                    ("d", 3.0),
                    ("c", 2.0),
                    ("b", 2.0),
                    ("a", 1.0),
                    ("ninf", f64::NEG_INFINITY),
                ]),
            ),
            (&["ZRANDMEMBER", "nokey"], Reply::Nil),
            (&["ZRANDMEMBER", "nokey", "5"], arr(vec![])),
            (
                &["ZRANDMEMBER", "nokey", "x"],
                error(ReplyError::NotInteger),
            ),
            (&["ZRANDMEMBER", "z", "x"], error(ReplyError::NotInteger)),
            (&["ZRANDMEMBER", "z", "1", "foo"], error(ReplyError::Syntax)),
            (
                &["ZRANDMEMBER", "z", "1", "withscores", "x"],
                error(ReplyError::Syntax),
            ),
            (
                &["ZRANDMEMBER", "z", "-9223372036854775808"],
                err_text(
                    "value is out of range, value must between -9223372036854775807 and 9223372036854775807",
                ),
            ),
            (
                &["ZRANDMEMBER", "z", "9223372036854775807", "WITHSCORES"],
                err_text("value is out of range"),
            ),
            (
                &["ZRANDMEMBER", "z", "-4611686018427387904", "WITHSCORES"],
                err_text("value is out of range"),
            ),
            (&["SET", "s", "v"], Reply::Ok),
            (&["ZRANDMEMBER", "s"], error(ReplyError::WrongType)),
            (&["ZRANDMEMBER", "s", "0"], error(ReplyError::WrongType)),
            (&["ZRANDMEMBER", "s", "x"], error(ReplyError::NotInteger)),
            (&["ZADD", "one", "5", "x"], int(1)),
            (&["ZRANDMEMBER", "one"], bulk("x")),
            (
                &["ZRANDMEMBER", "one", "-3", "WITHSCORES"],
                pairs(&[("x", 5.0), ("x", 5.0), ("x", 5.0)]),
            ),
            (
                &["ZRANDMEMBER", "one", "1", "WITHSCORES"],
                pairs(&[("x", 5.0)]),
            ),
        ],
    );
}

#[test]
fn redis_union_inter_diff() {
    let mut h = Harness::default();
    check(
        &mut h,
        &[
            (
                &[
                    "ZADD", "z", "1", "a", "2", "b", "2", "c", "3", "d", "-inf", "ninf", "+inf",
                    "pinf",
                ],
                int(6),
            ),
            (&["ZADD", "y", "10", "a", "20", "b", "30", "x"], int(3)),
            (&["SADD", "set", "a", "x", "q"], int(3)),
            (
                &["ZUNION", "2", "z", "y"],
                arr(vec![
                    bulk("ninf"),
                    bulk("c"),
                    bulk("d"),
                    bulk("a"),
                    bulk("b"),
                    bulk("x"),
                    bulk("pinf"),
                ]),
            ),
            (
                &["ZUNION", "2", "z", "y", "WITHSCORES"],
                pairs(&[
                    ("ninf", f64::NEG_INFINITY),
                    ("c", 2.0),
                    ("d", 3.0),
                    ("a", 11.0),
                    ("b", 22.0),
                    ("x", 30.0),
                    ("pinf", f64::INFINITY),
                ]),
            ),
            (
                &[
                    "ZUNION",
                    "3",
                    "z",
                    "y",
                    "set",
                    "WEIGHTS",
                    "1",
                    "2",
                    "3",
                    "WITHSCORES",
                ],
                pairs(&[
                    ("ninf", f64::NEG_INFINITY),
                    ("c", 2.0),
                    ("d", 3.0),
                    ("q", 3.0),
                    ("a", 24.0),
                    ("b", 42.0),
                    ("x", 63.0),
                    ("pinf", f64::INFINITY),
                ]),
            ),
            (
                &["ZUNION", "2", "z", "y", "AGGREGATE", "MIN", "WITHSCORES"],
                pairs(&[
                    ("ninf", f64::NEG_INFINITY),
                    ("a", 1.0),
                    ("b", 2.0),
                    ("c", 2.0),
                    ("d", 3.0),
                    ("x", 30.0),
                    ("pinf", f64::INFINITY),
                ]),
            ),
            (
                &["ZUNION", "2", "z", "y", "AGGREGATE", "max", "WITHSCORES"],
                pairs(&[
                    ("ninf", f64::NEG_INFINITY),
                    ("c", 2.0),
                    ("d", 3.0),
                    ("a", 10.0),
                    ("b", 20.0),
                    ("x", 30.0),
                    ("pinf", f64::INFINITY),
                ]),
            ),
            (
                &["ZINTER", "2", "z", "y", "WITHSCORES"],
                pairs(&[("a", 11.0), ("b", 22.0)]),
            ),
            (
                &["ZINTER", "3", "z", "y", "set", "WITHSCORES"],
                pairs(&[("a", 12.0)]),
            ),
            (
                &["ZINTER", "2", "z", "set", "weights", "0", "1", "withscores"],
                pairs(&[("a", 1.0)]),
            ),
            (&["ZINTER", "2", "z", "nokey"], arr(vec![])),
            (
                &["ZDIFF", "2", "z", "y"],
                arr(vec![bulk("ninf"), bulk("c"), bulk("d"), bulk("pinf")]),
            ),
            (
                &["ZDIFF", "3", "z", "y", "set", "WITHSCORES"],
                pairs(&[
                    ("ninf", f64::NEG_INFINITY),
                    ("c", 2.0),
                    ("d", 3.0),
                    ("pinf", f64::INFINITY),
                ]),
            ),
            (
                &["ZDIFF", "1", "set", "WITHSCORES"],
                pairs(&[("a", 1.0), ("q", 1.0), ("x", 1.0)]),
            ),
            (&["ZDIFF", "2", "z", "z"], arr(vec![])),
            (&["ZDIFF", "2", "nokey", "z"], arr(vec![])),
            (
                &["ZUNION", "1", "set", "WITHSCORES"],
                pairs(&[("a", 1.0), ("q", 1.0), ("x", 1.0)]),
            ),
            (
                &["ZUNION", "0", "z"],
                err_text("at least 1 input key is needed for 'zunion' command"),
            ),
            (
                &["ZINTER", "0", "z"],
                err_text("at least 1 input key is needed for 'zinter' command"),
            ),
            (
                &["ZDIFF", "0", "z"],
                err_text("at least 1 input key is needed for 'zdiff' command"),
            ),
            (&["ZUNION", "x", "z"], error(ReplyError::NotInteger)),
            (&["ZUNION", "3", "z", "y"], error(ReplyError::Syntax)),
            (
                &["ZUNION", "-1", "z"],
                err_text("at least 1 input key is needed for 'zunion' command"),
            ),
            (
                &["ZUNION", "2", "z", "y", "WEIGHTS", "1"],
                error(ReplyError::Syntax),
            ),
            (
                &["ZUNION", "2", "z", "y", "WEIGHTS", "1", "x"],
                err_text("weight value is not a float"),
            ),
            (
                &["ZUNION", "2", "z", "y", "WEIGHTS", "1", "nan"],
                err_text("weight value is not a float"),
            ),
            (
                &["ZUNION", "2", "z", "y", "AGGREGATE", "avg"],
                error(ReplyError::Syntax),
            ),
            (
                &["ZUNION", "2", "z", "y", "AGGREGATE"],
                error(ReplyError::Syntax),
            ),
            (
                &["ZDIFF", "2", "z", "y", "WEIGHTS", "1", "1"],
                error(ReplyError::Syntax),
            ),
            (
                &["ZDIFF", "2", "z", "y", "AGGREGATE", "SUM"],
                error(ReplyError::Syntax),
            ),
            (&["ZUNION", "2", "z", "y", "FOO"], error(ReplyError::Syntax)),
            (&["SET", "str", "v"], Reply::Ok),
            (&["ZUNION", "2", "z", "str"], error(ReplyError::WrongType)),
            (
                &["ZUNION", "2", "z", "str", "WEIGHTS", "x"],
                error(ReplyError::WrongType),
            ),
            (
                &["ZINTER", "2", "nokey", "str"],
                error(ReplyError::WrongType),
            ),
            (
                &["ZUNION", "1", "z", "weights", "-1", "withscores"],
                pairs(&[
                    ("pinf", f64::NEG_INFINITY),
                    ("d", -3.0),
                    ("b", -2.0),
                    ("c", -2.0),
                    ("a", -1.0),
                    ("ninf", f64::INFINITY),
                ]),
            ),
            (
                &[
                    "ZUNION",
                    "2",
                    "z",
                    "y",
                    "WEIGHTS",
                    "inf",
                    "-inf",
                    "WITHSCORES",
                ],
                pairs(&[
                    ("ninf", f64::NEG_INFINITY),
                    ("x", f64::NEG_INFINITY),
                    ("a", 0.0),
                    ("b", 0.0),
                    ("c", f64::INFINITY),
                    ("d", f64::INFINITY),
                    ("pinf", f64::INFINITY),
                ]),
            ),
            (
                &[
                    "ZUNION",
                    "2",
                    "z",
                    "y",
                    "WEIGHTS",
                    "0",
                    "1",
                    "AGGREGATE",
                    "MIN",
                    "WITHSCORES",
                ],
                pairs(&[
                    ("a", 0.0),
                    ("b", 0.0),
                    ("c", 0.0),
                    ("d", 0.0),
                    ("ninf", 0.0),
                    ("pinf", 0.0),
                    ("x", 30.0),
                ]),
            ),
            (
                &[
                    "ZINTER",
                    "2",
                    "z",
                    "z",
                    "WEIGHTS",
                    "0",
                    "1",
                    "AGGREGATE",
                    "MAX",
                    "WITHSCORES",
                ],
                pairs(&[
                    ("ninf", 0.0),
                    ("a", 1.0),
                    ("b", 2.0),
                    ("c", 2.0),
                    ("d", 3.0),
                    ("pinf", f64::INFINITY),
                ]),
            ),
            (
                &["ZINTER", "2", "z", "z", "WEIGHTS", "1", "-1", "WITHSCORES"],
                pairs(&[
                    ("a", 0.0),
                    ("b", 0.0),
                    ("c", 0.0),
                    ("d", 0.0),
                    ("ninf", 0.0),
                    ("pinf", 0.0),
                ]),
            ),
            (
                &[
                    "ZUNION",
                    "2",
                    "z",
                    "y",
                    "WITHSCORES",
                    "WEIGHTS",
                    "2",
                    "2",
                    "AGGREGATE",
                    "SUM",
                    "AGGREGATE",
                    "MAX",
                ],
                pairs(&[
                    ("ninf", f64::NEG_INFINITY),
                    ("c", 4.0),
                    ("d", 6.0),
                    ("a", 20.0),
                    ("b", 40.0),
                    ("x", 60.0),
                    ("pinf", f64::INFINITY),
                ]),
            ),
        ],
    );
}

#[test]
fn redis_store_forms() {
    let mut h = Harness::default();
    check(
        &mut h,
        &[
            (
                &[
                    "ZADD", "z", "1", "a", "2", "b", "2", "c", "3", "d", "-inf", "ninf", "+inf",
                    "pinf",
                ],
                int(6),
            ),
            (&["ZADD", "y", "10", "a", "20", "b", "30", "x"], int(3)),
            (&["SADD", "set", "a", "x", "q"], int(3)),
            (&["ZUNIONSTORE", "d", "2", "z", "y"], int(7)),
            (
                &["ZRANGE", "d", "0", "-1", "WITHSCORES"],
                pairs(&[
                    ("ninf", f64::NEG_INFINITY),
                    ("c", 2.0),
                    ("d", 3.0),
                    ("a", 11.0),
                    ("b", 22.0),
                    ("x", 30.0),
                    ("pinf", f64::INFINITY),
                ]),
            ),
            (
                &[
                    "ZINTERSTORE",
                    "d",
                    "3",
                    "z",
                    "y",
                    "set",
                    "WEIGHTS",
                    "1",
                    "1",
                    "-1",
                ],
                int(1),
            ),
            (
                &["ZRANGE", "d", "0", "-1", "WITHSCORES"],
                pairs(&[("a", 10.0)]),
            ),
            (&["ZDIFFSTORE", "d", "2", "z", "y"], int(4)),
            (
                &["ZRANGE", "d", "0", "-1", "WITHSCORES"],
                pairs(&[
                    ("ninf", f64::NEG_INFINITY),
                    ("c", 2.0),
                    ("d", 3.0),
                    ("pinf", f64::INFINITY),
                ]),
            ),
            (&["SET", "d2", "v"], Reply::Ok),
            (&["EXPIRE", "d2", "100"], int(1)),
            (&["ZUNIONSTORE", "d2", "1", "z"], int(6)),
            (&["TTL", "d2"], int(-1)),
            (&["TYPE", "d2"], simple("zset")),
            (&["ZINTERSTORE", "d2", "2", "z", "nokey"], int(0)),
            (&["EXISTS", "d2"], int(0)),
            (&["ZDIFFSTORE", "d", "1", "nokey"], int(0)),
            (&["EXISTS", "d"], int(0)),
            (
                &["ZUNIONSTORE", "d", "1", "z", "WITHSCORES"],
                error(ReplyError::Syntax),
            ),
            (
                &["ZUNIONSTORE", "d", "0", "z"],
                err_text("at least 1 input key is needed for 'zunionstore' command"),
            ),
            (
                &["ZINTERSTORE", "d", "0", "z"],
                err_text("at least 1 input key is needed for 'zinterstore' command"),
            ),
            (
                &["ZDIFFSTORE", "d", "0", "z"],
                err_text("at least 1 input key is needed for 'zdiffstore' command"),
            ),
            (&["ZUNIONSTORE", "d", "2", "z"], error(ReplyError::Syntax)),
            (&["SET", "str", "v"], Reply::Ok),
            (
                &["ZUNIONSTORE", "d", "2", "z", "str"],
                error(ReplyError::WrongType),
            ),
            (
                &["ZUNIONSTORE", "z", "2", "z", "y", "WEIGHTS", "-1", "1"],
                int(7),
            ),
            (
                &["ZRANGE", "z", "0", "-1", "WITHSCORES"],
                pairs(&[
                    ("pinf", f64::NEG_INFINITY),
                    ("d", -3.0),
                    ("c", -2.0),
                    ("a", 9.0),
                    ("b", 18.0),
                    ("x", 30.0),
                    ("ninf", f64::INFINITY),
                ]),
            ),
            (
                &["ZSCAN", "z", "0", "COUNT", "100"],
                arr(vec![
                    bulk("0"),
                    arr(vec![
                        bulk("pinf"),
                        bulk("-inf"),
                        bulk("d"),
                        bulk("-3"),
                        bulk("c"),
                        bulk("-2"),
                        bulk("a"),
                        bulk("9"),
                        bulk("b"),
                        bulk("18"),
                        bulk("x"),
                        bulk("30"),
                        bulk("ninf"),
                        bulk("inf"),
                    ]),
                ]),
            ),
            (&["ZUNIONSTORE", "d", "1", "set"], int(3)),
            (
                &["ZRANGE", "d", "0", "-1", "WITHSCORES"],
                pairs(&[("a", 1.0), ("q", 1.0), ("x", 1.0)]),
            ),
        ],
    );
}

#[test]
fn redis_zintercard() {
    let mut h = Harness::default();
    check(
        &mut h,
        &[
            (
                &[
                    "ZADD", "z", "1", "a", "2", "b", "2", "c", "3", "d", "-inf", "ninf", "+inf",
                    "pinf",
                ],
                int(6),
            ),
            (&["ZADD", "y", "10", "a", "20", "b", "30", "x"], int(3)),
            (&["SADD", "set", "a", "b", "q"], int(3)),
            (&["ZINTERCARD", "2", "z", "y"], int(2)),
            (&["ZINTERCARD", "3", "z", "y", "set"], int(2)),
            (&["ZINTERCARD", "2", "z", "y", "LIMIT", "1"], int(1)),
            (&["ZINTERCARD", "2", "z", "y", "LIMIT", "0"], int(2)),
            (
                &["ZINTERCARD", "2", "z", "y", "LIMIT", "-1"],
                err_text("LIMIT can't be negative"),
            ),
            (
                &["ZINTERCARD", "2", "z", "y", "LIMIT", "x"],
                err_text("LIMIT can't be negative"),
            ),
            (
                &["ZINTERCARD", "2", "z", "y", "LIMIT"],
                error(ReplyError::Syntax),
            ),
            (
                &["ZINTERCARD", "2", "z", "y", "WITHSCORES"],
                error(ReplyError::Syntax),
            ),
            (
                &["ZINTERCARD", "2", "z", "y", "WEIGHTS", "1", "1"],
                error(ReplyError::Syntax),
            ),
            (
                &["ZINTERCARD", "0", "z"],
                err_text("at least 1 input key is needed for 'zintercard' command"),
            ),
            (&["ZINTERCARD", "3", "z", "y"], error(ReplyError::Syntax)),
            (&["ZINTERCARD", "1", "nokey"], int(0)),
            (&["SET", "str", "v"], Reply::Ok),
            (
                &["ZINTERCARD", "2", "z", "str"],
                error(ReplyError::WrongType),
            ),
        ],
    );
}

#[test]
fn redis_zscan() {
    let mut h = Harness::default();
    check(
        &mut h,
        &[
            (
                &[
                    "ZADD", "z", "1", "a", "2", "b", "2", "c", "3", "d", "-inf", "ninf", "+inf",
                    "pinf",
                ],
                int(6),
            ),
            (&["ZSCAN", "nokey", "0"], arr(vec![bulk("0"), arr(vec![])])),
            (&["ZSCAN", "nokey", "x"], err_text("invalid cursor")),
            (&["ZSCAN", "z", "x"], err_text("invalid cursor")),
            (
                &["ZSCAN", "nokey", "0", "COUNT", "x"],
                arr(vec![bulk("0"), arr(vec![])]),
            ),
            (
                &["ZSCAN", "z", "0", "COUNT", "0"],
                error(ReplyError::Syntax),
            ),
            (
                &["ZSCAN", "z", "0", "COUNT", "x"],
                error(ReplyError::NotInteger),
            ),
            (&["ZSCAN", "z", "0", "FOO"], error(ReplyError::Syntax)),
            (
                &["ZSCAN", "z", "0", "MATCH", "zzz", "COUNT", "100"],
                arr(vec![bulk("0"), arr(vec![])]),
            ),
            (&["SET", "s", "v"], Reply::Ok),
            (&["ZSCAN", "s", "0"], error(ReplyError::WrongType)),
        ],
    );
}

#[test]
fn redis_big() {
    let mut h = Harness::default();
    check(
        &mut h,
        &[
            (
                &[
                    "ZADD", "big", "0.0", "m000", "0.5", "m001", "1.0", "m002", "1.5", "m003",
                    "2.0", "m004", "2.5", "m005", "3.0", "m006", "3.5", "m007", "4.0", "m008",
                    "4.5", "m009", "5.0", "m010", "5.5", "m011", "6.0", "m012", "6.5", "m013",
                    "7.0", "m014", "7.5", "m015", "8.0", "m016", "8.5", "m017", "9.0", "m018",
                    "9.5", "m019", "10.0", "m020", "10.5", "m021", "11.0", "m022", "11.5", "m023",
                    "12.0", "m024", "12.5", "m025", "13.0", "m026", "13.5", "m027", "14.0", "m028",
                    "14.5", "m029", "15.0", "m030", "15.5", "m031", "16.0", "m032", "16.5", "m033",
                    "17.0", "m034", "17.5", "m035", "18.0", "m036", "0.0", "m037", "0.5", "m038",
                    "1.0", "m039", "1.5", "m040", "2.0", "m041", "2.5", "m042", "3.0", "m043",
                    "3.5", "m044", "4.0", "m045", "4.5", "m046", "5.0", "m047", "5.5", "m048",
                    "6.0", "m049", "6.5", "m050", "7.0", "m051", "7.5", "m052", "8.0", "m053",
                    "8.5", "m054", "9.0", "m055", "9.5", "m056", "10.0", "m057", "10.5", "m058",
                    "11.0", "m059", "11.5", "m060", "12.0", "m061", "12.5", "m062", "13.0", "m063",
                    "13.5", "m064", "14.0", "m065", "14.5", "m066", "15.0", "m067", "15.5", "m068",
                    "16.0", "m069", "16.5", "m070", "17.0", "m071", "17.5", "m072", "18.0", "m073",
                    "0.0", "m074", "0.5", "m075", "1.0", "m076", "1.5", "m077", "2.0", "m078",
                    "2.5", "m079", "3.0", "m080", "3.5", "m081", "4.0", "m082", "4.5", "m083",
                    "5.0", "m084", "5.5", "m085", "6.0", "m086", "6.5", "m087", "7.0", "m088",
                    "7.5", "m089", "8.0", "m090", "8.5", "m091", "9.0", "m092", "9.5", "m093",
                    "10.0", "m094", "10.5", "m095", "11.0", "m096", "11.5", "m097", "12.0", "m098",
                    "12.5", "m099", "13.0", "m100", "13.5", "m101", "14.0", "m102", "14.5", "m103",
                    "15.0", "m104", "15.5", "m105", "16.0", "m106", "16.5", "m107", "17.0", "m108",
                    "17.5", "m109", "18.0", "m110", "0.0", "m111", "0.5", "m112", "1.0", "m113",
                    "1.5", "m114", "2.0", "m115", "2.5", "m116", "3.0", "m117", "3.5", "m118",
                    "4.0", "m119", "4.5", "m120", "5.0", "m121", "5.5", "m122", "6.0", "m123",
                    "6.5", "m124", "7.0", "m125", "7.5", "m126", "8.0", "m127", "8.5", "m128",
                    "9.0", "m129", "9.5", "m130", "10.0", "m131", "10.5", "m132", "11.0", "m133",
                    "11.5", "m134", "12.0", "m135", "12.5", "m136", "13.0", "m137", "13.5", "m138",
                    "14.0", "m139", "14.5", "m140", "15.0", "m141", "15.5", "m142", "16.0", "m143",
                    "16.5", "m144", "17.0", "m145", "17.5", "m146", "18.0", "m147", "0.0", "m148",
                    "0.5", "m149", "1.0", "m150", "1.5", "m151", "2.0", "m152", "2.5", "m153",
                    "3.0", "m154", "3.5", "m155", "4.0", "m156", "4.5", "m157", "5.0", "m158",
                    "5.5", "m159", "6.0", "m160", "6.5", "m161", "7.0", "m162", "7.5", "m163",
                    "8.0", "m164", "8.5", "m165", "9.0", "m166", "9.5", "m167", "10.0", "m168",
                    "10.5", "m169", "11.0", "m170", "11.5", "m171", "12.0", "m172", "12.5", "m173",
                    "13.0", "m174", "13.5", "m175", "14.0", "m176", "14.5", "m177", "15.0", "m178",
                    "15.5", "m179", "16.0", "m180", "16.5", "m181", "17.0", "m182", "17.5", "m183",
                    "18.0", "m184", "0.0", "m185", "0.5", "m186", "1.0", "m187", "1.5", "m188",
                    "2.0", "m189", "2.5", "m190", "3.0", "m191", "3.5", "m192", "4.0", "m193",
                    "4.5", "m194", "5.0", "m195", "5.5", "m196", "6.0", "m197", "6.5", "m198",
                    "7.0", "m199", "7.5", "m200", "8.0", "m201", "8.5", "m202", "9.0", "m203",
                    "9.5", "m204", "10.0", "m205", "10.5", "m206", "11.0", "m207", "11.5", "m208",
                    "12.0", "m209", "12.5", "m210", "13.0", "m211", "13.5", "m212", "14.0", "m213",
                    "14.5", "m214", "15.0", "m215", "15.5", "m216", "16.0", "m217", "16.5", "m218",
                    "17.0", "m219", "17.5", "m220", "18.0", "m221", "0.0", "m222", "0.5", "m223",
                    "1.0", "m224", "1.5", "m225", "2.0", "m226", "2.5", "m227", "3.0", "m228",
                    "3.5", "m229", "4.0", "m230", "4.5", "m231", "5.0", "m232", "5.5", "m233",
                    "6.0", "m234", "6.5", "m235", "7.0", "m236", "7.5", "m237", "8.0", "m238",
                    "8.5", "m239", "9.0", "m240", "9.5", "m241", "10.0", "m242", "10.5", "m243",
                    "11.0", "m244", "11.5", "m245", "12.0", "m246", "12.5", "m247", "13.0", "m248",
                    "13.5", "m249", "14.0", "m250", "14.5", "m251", "15.0", "m252", "15.5", "m253",
                    "16.0", "m254", "16.5", "m255", "17.0", "m256", "17.5", "m257", "18.0", "m258",
                    "0.0", "m259", "0.5", "m260", "1.0", "m261", "1.5", "m262", "2.0", "m263",
                    "2.5", "m264", "3.0", "m265", "3.5", "m266", "4.0", "m267", "4.5", "m268",
                    "5.0", "m269", "5.5", "m270", "6.0", "m271", "6.5", "m272", "7.0", "m273",
                    "7.5", "m274", "8.0", "m275", "8.5", "m276", "9.0", "m277", "9.5", "m278",
                    "10.0", "m279", "10.5", "m280", "11.0", "m281", "11.5", "m282", "12.0", "m283",
                    "12.5", "m284", "13.0", "m285", "13.5", "m286", "14.0", "m287", "14.5", "m288",
                    "15.0", "m289", "15.5", "m290", "16.0", "m291", "16.5", "m292", "17.0", "m293",
                    "17.5", "m294", "18.0", "m295", "0.0", "m296", "0.5", "m297", "1.0", "m298",
                    "1.5", "m299",
                ],
                int(300),
            ),
            (
                &[
                    "ZADD", "lex", "0", "w000", "0", "w001", "0", "w002", "0", "w003", "0", "w004",
                    "0", "w005", "0", "w006", "0", "w007", "0", "w008", "0", "w009", "0", "w010",
                    "0", "w011", "0", "w012", "0", "w013", "0", "w014", "0", "w015", "0", "w016",
                    "0", "w017", "0", "w018", "0", "w019", "0", "w020", "0", "w021", "0", "w022",
                    "0", "w023", "0", "w024", "0", "w025", "0", "w026", "0", "w027", "0", "w028",
                    "0", "w029", "0", "w030", "0", "w031", "0", "w032", "0", "w033", "0", "w034",
                    "0", "w035", "0", "w036", "0", "w037", "0", "w038", "0", "w039", "0", "w040",
                    "0", "w041", "0", "w042", "0", "w043", "0", "w044", "0", "w045", "0", "w046",
                    "0", "w047", "0", "w048", "0", "w049", "0", "w050", "0", "w051", "0", "w052",
                    "0", "w053", "0", "w054", "0", "w055", "0", "w056", "0", "w057", "0", "w058",
                    "0", "w059", "0", "w060", "0", "w061", "0", "w062", "0", "w063", "0", "w064",
                    "0", "w065", "0", "w066", "0", "w067", "0", "w068", "0", "w069", "0", "w070",
                    "0", "w071", "0", "w072", "0", "w073", "0", "w074", "0", "w075", "0", "w076",
                    "0", "w077", "0", "w078", "0", "w079", "0", "w080", "0", "w081", "0", "w082",
                    "0", "w083", "0", "w084", "0", "w085", "0", "w086", "0", "w087", "0", "w088",
                    "0", "w089", "0", "w090", "0", "w091", "0", "w092", "0", "w093", "0", "w094",
                    "0", "w095", "0", "w096", "0", "w097", "0", "w098", "0", "w099", "0", "w100",
                    "0", "w101", "0", "w102", "0", "w103", "0", "w104", "0", "w105", "0", "w106",
                    "0", "w107", "0", "w108", "0", "w109", "0", "w110", "0", "w111", "0", "w112",
                    "0", "w113", "0", "w114", "0", "w115", "0", "w116", "0", "w117", "0", "w118",
                    "0", "w119", "0", "w120", "0", "w121", "0", "w122", "0", "w123", "0", "w124",
                    "0", "w125", "0", "w126", "0", "w127", "0", "w128", "0", "w129", "0", "w130",
                    "0", "w131", "0", "w132", "0", "w133", "0", "w134", "0", "w135", "0", "w136",
                    "0", "w137", "0", "w138", "0", "w139", "0", "w140", "0", "w141", "0", "w142",
                    "0", "w143", "0", "w144", "0", "w145", "0", "w146", "0", "w147", "0", "w148",
                    "0", "w149", "0", "w150", "0", "w151", "0", "w152", "0", "w153", "0", "w154",
                    "0", "w155", "0", "w156", "0", "w157", "0", "w158", "0", "w159", "0", "w160",
                    "0", "w161", "0", "w162", "0", "w163", "0", "w164", "0", "w165", "0", "w166",
                    "0", "w167", "0", "w168", "0", "w169", "0", "w170", "0", "w171", "0", "w172",
                    "0", "w173", "0", "w174", "0", "w175", "0", "w176", "0", "w177", "0", "w178",
                    "0", "w179", "0", "w180", "0", "w181", "0", "w182", "0", "w183", "0", "w184",
                    "0", "w185", "0", "w186", "0", "w187", "0", "w188", "0", "w189", "0", "w190",
                    "0", "w191", "0", "w192", "0", "w193", "0", "w194", "0", "w195", "0", "w196",
                    "0", "w197", "0", "w198", "0", "w199",
                ],
                int(200),
            ),
            (&["ZCARD", "big"], int(300)),
            (
                &["ZRANGE", "big", "100", "120", "WITHSCORES"],
                pairs(&[
                    ("m012", 6.0),
                    ("m049", 6.0),
                    ("m086", 6.0),
                    ("m123", 6.0),
                    ("m160", 6.0),
                    ("m197", 6.0),
                    ("m234", 6.0),
                    ("m271", 6.0),
                    ("m013", 6.5),
                    ("m050", 6.5),
                    ("m087", 6.5),
                    ("m124", 6.5),
                    ("m161", 6.5),
                    ("m198", 6.5),
                    ("m235", 6.5),
                    ("m272", 6.5),
                    ("m014", 7.0),
                    ("m051", 7.0),
                    ("m088", 7.0),
                    ("m125", 7.0),
                    ("m162", 7.0),
                ]),
            ),
            (
                &["ZRANGE", "big", "-10", "-1", "REV"],
                arr(vec![
                    bulk("m001"),
                    bulk("m296"),
                    bulk("m259"),
                    bulk("m222"),
                    bulk("m185"),
                    bulk("m148"),
                    bulk("m111"),
                    bulk("m074"),
                    bulk("m037"),
                    bulk("m000"),
                ]),
            ),
            (&["ZRANK", "big", "m150"], int(22)),
            (&["ZREVRANK", "big", "m150"], int(277)),
            (&["ZCOUNT", "big", "3", "(7.5"], int(72)),
            (
                &[
                    "ZRANGEBYSCORE",
                    "big",
                    "(3",
                    "4",
                    "WITHSCORES",
                    "LIMIT",
                    "3",
                    "5",
                ],
                pairs(&[
                    ("m118", 3.5),
                    ("m155", 3.5),
                    ("m192", 3.5),
                    ("m229", 3.5),
                    ("m266", 3.5),
                ]),
            ),
            (
                &["ZREVRANGEBYSCORE", "big", "4", "(3", "LIMIT", "2", "4"],
                arr(vec![bulk("m193"), bulk("m156"), bulk("m119"), bulk("m082")]),
            ),
            (
                &["ZRANGE", "lex", "[w050", "(w060", "BYLEX"],
                arr(vec![
                    bulk("w050"),
                    bulk("w051"),
                    bulk("w052"),
                    bulk("w053"),
                    bulk("w054"),
                    bulk("w055"),
                    bulk("w056"),
                    bulk("w057"),
                    bulk("w058"),
                    bulk("w059"),
                ]),
            ),
            (
                &[
                    "ZRANGE", "lex", "(w060", "[w050", "BYLEX", "REV", "LIMIT", "1", "3",
                ],
                arr(vec![bulk("w058"), bulk("w057"), bulk("w056")]),
            ),
            (&["ZLEXCOUNT", "lex", "(w010", "+"], int(189)),
            (&["ZREMRANGEBYLEX", "lex", "-", "(w100"], int(100)),
            (&["ZCARD", "lex"], int(100)),
            (&["ZREMRANGEBYRANK", "big", "10", "-10"], int(281)),
            (
                &["ZRANGE", "big", "0", "-1", "WITHSCORES"],
                pairs(&[
                    ("m000", 0.0),
                    ("m037", 0.0),
                    ("m074", 0.0),
                    ("m111", 0.0),
                    ("m148", 0.0),
                    ("m185", 0.0),
                    ("m222", 0.0),
                    ("m259", 0.0),
                    ("m296", 0.0),
                    ("m001", 0.5),
                    ("m294", 17.5),
                    ("m036", 18.0),
                    ("m073", 18.0),
                    ("m110", 18.0),
                    ("m147", 18.0),
                    ("m184", 18.0),
                    ("m221", 18.0),
                    ("m258", 18.0),
                    ("m295", 18.0),
                ]),
            ),
            (&["ZREMRANGEBYSCORE", "big", "-inf", "0"], int(9)),
            (&["ZCARD", "big"], int(10)),
            (
                &["ZPOPMAX", "big", "3"],
                pairs(&[("m295", 18.0), ("m258", 18.0), ("m221", 18.0)]),
            ),
            (&["ZPOPMIN", "big"], arr(vec![bulk("m001"), dbl(0.5)])),
            (
                &["ZMPOP", "2", "lex", "big", "MAX", "COUNT", "3"],
                arr(vec![
                    bulk("lex"),
                    arr(vec![
                        arr(vec![bulk("w199"), dbl(0.0)]),
                        arr(vec![bulk("w198"), dbl(0.0)]),
                        arr(vec![bulk("w197"), dbl(0.0)]),
                    ]),
                ]),
            ),
            (&["ZADD", "big", "-0", "negzero"], int(1)),
            (&["ZSCORE", "big", "negzero"], dbl(-0.0)),
            (
                &["ZRANDMEMBER", "lex", "500"],
                arr(vec![
                    bulk("w196"),
                    bulk("w195"),
                    bulk("w194"),
                    bulk("w193"),
                    bulk("w192"),
                    bulk("w191"),
                    bulk("w190"),
                    bulk("w189"),
                    bulk("w188"),
                    bulk("w187"),
                    bulk("w186"),
                    bulk("w185"),
                    bulk("w184"),
                    bulk("w183"),
                    bulk("w182"),
                    bulk("w181"),
                    bulk("w180"),
                    bulk("w179"),
                    bulk("w178"),
                    bulk("w177"),
                    bulk("w176"),
                    bulk("w175"),
                    bulk("w174"),
                    bulk("w173"),
                    bulk("w172"),
                    bulk("w171"),
                    bulk("w170"),
                    bulk("w169"),
                    bulk("w168"),
                    bulk("w167"),
                    bulk("w166"),
                    bulk("w165"),
                    bulk("w164"),
                    bulk("w163"),
                    bulk("w162"),
                    bulk("w161"),
                    bulk("w160"),
                    bulk("w159"),
                    bulk("w158"),
                    bulk("w157"),
                    bulk("w156"),
                    bulk("w155"),
                    bulk("w154"),
                    bulk("w153"),
                    bulk("w152"),
                    bulk("w151"),
                    bulk("w150"),
                    bulk("w149"),
                    bulk("w148"),
                    bulk("w147"),
                    bulk("w146"),
                    bulk("w145"),
                    bulk("w144"),
                    bulk("w143"),
                    bulk("w142"),
                    bulk("w141"),
                    bulk("w140"),
                    bulk("w139"),
                    bulk("w138"),
                    bulk("w137"),
                    bulk("w136"),
                    bulk("w135"),
                    bulk("w134"),
                    bulk("w133"),
                    bulk("w132"),
                    bulk("w131"),
                    bulk("w130"),
                    bulk("w129"),
                    bulk("w128"),
                    bulk("w127"),
                    bulk("w126"),
                    bulk("w125"),
                    bulk("w124"),
                    bulk("w123"),
                    bulk("w122"),
                    bulk("w121"),
                    bulk("w120"),
                    bulk("w119"),
                    bulk("w118"),
                    bulk("w117"),
                    bulk("w116"),
                    bulk("w115"),
                    bulk("w114"),
                    bulk("w113"),
                    bulk("w112"),
                    bulk("w111"),
                    bulk("w110"),
                    bulk("w109"),
                    bulk("w108"),
                    bulk("w107"),
                    bulk("w106"),
                    bulk("w105"),
                    bulk("w104"),
                    bulk("w103"),
                    bulk("w102"),
                    bulk("w101"),
                    bulk("w100"),
                ]),
            ),
            (&["ZINTERCARD", "2", "lex", "lex", "LIMIT", "7"], int(7)),
            (
                &["ZUNIONSTORE", "u", "2", "big", "lex", "WEIGHTS", "2", "3"],
                int(104),
            ),
            (
                &["ZRANGE", "u", "0", "20", "WITHSCORES"],
                pairs(&[
                    ("negzero", 0.0),
                    ("w100", 0.0),
                    ("w101", 0.0),
                    ("w102", 0.0),
                    ("w103", 0.0),
                    ("w104", 0.0),
                    ("w105", 0.0),
                    ("w106", 0.0),
                    ("w107", 0.0),
                    ("w108", 0.0),
                    ("w109", 0.0),
                    ("w110", 0.0),
                    ("w111", 0.0),
                    ("w112", 0.0),
                    ("w113", 0.0),
                    ("w114", 0.0),
                    ("w115", 0.0),
                    ("w116", 0.0),
                    ("w117", 0.0),
                    ("w118", 0.0),
                    ("w119", 0.0),
                ]),
            ),
            (
                &["ZSCAN", "big", "0", "COUNT", "1000", "MATCH", "nomatch"],
                arr(vec![bulk("0"), arr(vec![])]),
            ),
        ],
    );
}

#[test]
fn redis_nan_and_order() {
    let mut h = Harness::default();
    check(
        &mut h,
        &[
            (&["ZADD", "a", "inf", "x", "1", "p"], int(2)),
            (&["ZADD", "b", "-inf", "x", "1", "q", "2", "r"], int(3)),
            (
                &["ZADD", "c", "5", "x", "1", "s", "1", "t", "1", "u"],
                int(4),
            ),
            (
                &["ZUNION", "3", "a", "b", "c", "WITHSCORES"],
                pairs(&[
                    ("p", 1.0),
                    ("q", 1.0),
                    ("s", 1.0),
                    ("t", 1.0),
                    ("u", 1.0),
                    ("r", 2.0),
                    ("x", 5.0),
                ]),
            ),
            (
                &["ZUNION", "3", "c", "b", "a", "WITHSCORES"],
                pairs(&[
                    ("p", 1.0),
                    ("q", 1.0),
                    ("s", 1.0),
                    ("t", 1.0),
                    ("u", 1.0),
                    ("r", 2.0),
                    ("x", 5.0),
                ]),
            ),
            (
                &["ZINTER", "3", "a", "b", "c", "WITHSCORES"],
                pairs(&[("x", 5.0)]),
            ),
            (
                &["ZINTER", "3", "c", "a", "b", "WITHSCORES"],
                pairs(&[("x", 5.0)]),
            ),
            (
                &["ZINTER", "2", "a", "b", "AGGREGATE", "MIN", "WITHSCORES"],
                pairs(&[("x", f64::NEG_INFINITY)]),
            ),
            (
                &["ZINTER", "2", "a", "b", "AGGREGATE", "MAX", "WITHSCORES"],
                pairs(&[("x", f64::INFINITY)]),
            ),
            (
                &["ZINTER", "2", "a", "c", "WEIGHTS", "0", "1", "WITHSCORES"],
                pairs(&[("x", 5.0)]),
            ),
            (
                &[
                    "ZINTER",
                    "2",
                    "c",
                    "a",
                    "WEIGHTS",
                    "1",
                    "0",
                    "AGGREGATE",
                    "MIN",
                    "WITHSCORES",
                ],
                pairs(&[("x", 0.0)]),
            ),
            (
                &[
                    "ZINTER",
                    "2",
                    "c",
                    "a",
                    "WEIGHTS",
                    "1",
                    "0",
                    "AGGREGATE",
                    "MAX",
                    "WITHSCORES",
                ],
                pairs(&[("x", 5.0)]),
            ),
            (
                &["ZUNION", "2", "a", "b", "WEIGHTS", "0", "0", "WITHSCORES"],
                pairs(&[("p", 0.0), ("q", 0.0), ("r", 0.0), ("x", 0.0)]),
            ),
            (
                &["ZUNIONSTORE", "d", "2", "a", "b", "WEIGHTS", "-1", "-1"],
                int(4),
            ),
            (
                &["ZRANGE", "d", "0", "-1", "WITHSCORES"],
                pairs(&[("r", -2.0), ("p", -1.0), ("q", -1.0), ("x", 0.0)]),
            ),
            (
                &["ZUNION", "1", "p", "WEIGHTS", "-1", "WITHSCORES"],
                arr(vec![]),
            ),
            (&["ZADD", "zero", "0", "m", "0", "n"], int(2)),
            (
                &["ZUNION", "1", "zero", "WEIGHTS", "-1", "WITHSCORES"],
                pairs(&[("m", -0.0), ("n", -0.0)]),
            ),
            (&["ZUNIONSTORE", "zz", "1", "zero", "WEIGHTS", "-1"], int(2)),
            (
                &["ZRANGE", "zz", "0", "-1", "WITHSCORES"],
                pairs(&[("m", 0.0), ("n", 0.0)]),
            ),
            (&["ZINCRBY", "zero", "-1", "m"], dbl(-1.0)),
            (&["ZINCRBY", "zero", "1", "m"], dbl(0.0)),
            (&["ZSCORE", "zero", "m"], dbl(0.0)),
            (
                &["ZRANGEBYSCORE", "zero", "-0", "(0.1", "WITHSCORES"],
                pairs(&[("m", 0.0), ("n", 0.0)]),
            ),
            (&["ZRANGEBYSCORE", "zero", "(-0", "1"], arr(vec![])),
            (&["ZADD", "z2", "1", "a"], int(1)),
            (&["ZADD", "z2", "INCR", "-1", "a"], dbl(0.0)),
            (&["ZSCORE", "z2", "a"], dbl(0.0)),
            (&["ZADD", "z2", "INCR", "-0", "a"], dbl(0.0)),
            (
                &["ZSCAN", "z2", "0"],
                arr(vec![bulk("0"), arr(vec![bulk("a"), bulk("0")])]),
            ),
            (
                &[
                    "ZADD",
                    "sc",
                    "1e18",
                    "big",
                    "4611686018427387904",
                    "edge",
                    "4611686018427387905",
                    "edge2",
                    "-4611686018427387904",
                    "nedge",
                    "0.1",
                    "tenth",
                    "1e-5",
                    "small",
                    "123456789012345678",
                    "x",
                    "-inf",
                    "ni",
                ],
                int(8),
            ),
            (
                &["ZSCAN", "sc", "0"],
                arr(vec![
                    bulk("0"),
                    arr(vec![
                        bulk("ni"),
                        bulk("-inf"),
                        bulk("nedge"),
                        bulk("-4611686018427387904"),
                        bulk("small"),
                        bulk("1.0000000000000001e-05"),
                        bulk("tenth"),
                        bulk("0.10000000000000001"),
                        bulk("x"),
                        bulk("123456789012345680"),
                        bulk("big"),
                        bulk("1000000000000000000"),
                        bulk("edge"),
                        bulk("4611686018427387904"),
                        bulk("edge2"),
                        bulk("4611686018427387904"),
                    ]),
                ]),
            ),
            (
                &["ZSCAN", "sc", "123"],
                arr(vec![
                    bulk("0"),
                    arr(vec![
                        bulk("ni"),
                        bulk("-inf"),
                        bulk("nedge"),
                        bulk("-4611686018427387904"),
                        bulk("small"),
                        bulk("1.0000000000000001e-05"),
                        bulk("tenth"),
                        bulk("0.10000000000000001"),
                        bulk("x"),
                        bulk("123456789012345680"),
                        bulk("big"),
                        bulk("1000000000000000000"),
                        bulk("edge"),
                        bulk("4611686018427387904"),
                        bulk("edge2"),
                        bulk("4611686018427387904"),
                    ]),
                ]),
            ),
            (
                &["ZSCAN", "sc", "0", "MATCH", "*e*"],
                arr(vec![
                    bulk("0"),
                    arr(vec![
                        bulk("nedge"),
                        bulk("-4611686018427387904"),
                        bulk("tenth"),
                        bulk("0.10000000000000001"),
                        bulk("edge"),
                        bulk("4611686018427387904"),
                        bulk("edge2"),
                        bulk("4611686018427387904"),
                    ]),
                ]),
            ),
            (
                &["ZSCAN", "sc", "0", "COUNT", "1"],
                arr(vec![
                    bulk("0"),
                    arr(vec![
                        bulk("ni"),
                        bulk("-inf"),
                        bulk("nedge"),
                        bulk("-4611686018427387904"),
                        bulk("small"),
                        bulk("1.0000000000000001e-05"),
                        bulk("tenth"),
                        bulk("0.10000000000000001"),
                        bulk("x"),
                        bulk("123456789012345680"),
                        bulk("big"),
                        bulk("1000000000000000000"),
                        bulk("edge"),
                        bulk("4611686018427387904"),
                        bulk("edge2"),
                        bulk("4611686018427387904"),
                    ]),
                ]),
            ),
        ],
    );
}

#[test]
fn redis_limits() {
    let mut h = Harness::default();
    check(
        &mut h,
        &[
            (&["ZADD", "z", "1", "a", "2", "b", "3", "c"], int(3)),
            (
                &[
                    "ZRANGEBYSCORE",
                    "z",
                    "-inf",
                    "inf",
                    "LIMIT",
                    "9223372036854775807",
                    "9223372036854775807",
                ],
                arr(vec![]),
            ),
            (
                &[
                    "ZRANGEBYSCORE",
                    "z",
                    "-inf",
                    "inf",
                    "LIMIT",
                    "1",
                    "9223372036854775807",
                ],
                arr(vec![bulk("b"), bulk("c")]),
            ),
            (
                &[
                    "ZRANGEBYSCORE",
                    "z",
                    "-inf",
                    "inf",
                    "LIMIT",
                    "-9223372036854775808",
                    "1",
                ],
                arr(vec![]),
            ),
            (
                &[
                    "ZRANGEBYSCORE",
                    "z",
                    "-inf",
                    "inf",
                    "LIMIT",
                    "0",
                    "-9223372036854775808",
                ],
                arr(vec![bulk("a"), bulk("b"), bulk("c")]),
            ),
            (
                &[
                    "ZRANGEBYLEX",
                    "z",
                    "-",
                    "+",
                    "LIMIT",
                    "2",
                    "9223372036854775807",
                ],
                arr(vec![bulk("c")]),
            ),
            (
                &[
                    "ZRANGEBYSCORE",
                    "z",
                    "-inf",
                    "inf",
                    "LIMIT",
                    "0",
                    "9223372036854775808",
                ],
                error(ReplyError::NotInteger),
            ),
            (
                &["ZPOPMIN", "z", "9223372036854775807"],
                pairs(&[("a", 1.0), ("b", 2.0), ("c", 3.0)]),
            ),
            (&["ZADD", "z", "1", "a", "2", "b", "3", "c"], int(3)),
            (
                &["ZPOPMIN", "z", "9223372036854775808"],
                err_text("value is out of range, must be positive"),
            ),
            (&["ZRANDMEMBER", "z", "-0"], error(ReplyError::NotInteger)),
            (
                &["ZMPOP", "1", "z", "MIN", "COUNT", "9223372036854775807"],
                arr(vec![
                    bulk("z"),
                    arr(vec![
                        arr(vec![bulk("a"), dbl(1.0)]),
                        arr(vec![bulk("b"), dbl(2.0)]),
                        arr(vec![bulk("c"), dbl(3.0)]),
                    ]),
                ]),
            ),
            (
                &["ZUNION", "9223372036854775807", "z"],
                error(ReplyError::Syntax),
            ),
            (
                &["ZUNION", "99999999999999999999", "z"],
                error(ReplyError::NotInteger),
            ),
            (
                &["ZREMRANGEBYRANK", "z", "0", "9223372036854775807"],
                int(0),
            ),
            (&["ZADD", "z", "1", "a", "2", "b", "3", "c"], int(3)),
            (
                &["ZREMRANGEBYRANK", "z", "-9223372036854775808", "-3"],
                int(1),
            ),
            (&["ZRANGE", "z", "0", "-1"], arr(vec![bulk("b"), bulk("c")])),
        ],
    );
}

#[test]
fn redis_expired() {
    let mut h = Harness::default();
    check(
        &mut h,
        &[
            (&["ZADD", "z", "1", "a"], int(1)),
            (&["PEXPIRE", "z", "1"], int(1)),
        ],
    );
    h.advance(50);
    check(
        &mut h,
        &[
            (&["ZCARD", "z"], int(0)),
            (&["ZADD", "z", "XX", "1", "a"], int(0)),
            (&["EXISTS", "z"], int(0)),
            (&["ZADD", "y", "1", "b"], int(1)),
            (&["PEXPIRE", "y", "1"], int(1)),
        ],
    );
    h.advance(50);
    check(
        &mut h,
        &[
            (&["ZUNION", "1", "y"], arr(vec![])),
            (&["ZUNIONSTORE", "y", "1", "y"], int(0)),
            (&["EXISTS", "y"], int(0)),
            (&["ZADD", "k", "2", "b"], int(1)),
            (&["EXPIRE", "k", "100"], int(1)),
            (&["ZADD", "k", "3", "c"], int(1)),
            (&["ZPOPMIN", "k"], arr(vec![bulk("b"), dbl(2.0)])),
            (&["TTL", "k"], int(100)),
            (&["ZREM", "k", "c"], int(1)),
            (&["EXISTS", "k"], int(0)),
        ],
    );
}
