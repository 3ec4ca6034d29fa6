use std::collections::BTreeSet;

use bytes::Bytes;
use tinyredis_common::Reply;
use tinyredis_common::ReplyError;

use crate::commands::WriteCtx;
use crate::commands::execute_write;
use crate::commands::test_util::*;
use crate::keyspace::Keyspace;
use crate::keyspace::ordered::member_hash;
use tinyredis_common::num::parse_i64;

fn wrongtype() -> Reply {
    error(ReplyError::WrongType)
}

/// Sorts members into the order the set lists them: numeric for a small set of integers (an
/// intset), else by member hash, then bytes.
fn in_set_order<'a>(members: &[&'a str]) -> Vec<&'a str> {
    let mut members = members.to_vec();
    let as_ints: Option<Vec<i64>> = members.iter().map(|m| parse_i64(m.as_bytes())).collect();
    if as_ints.is_some() && members.len() <= 512 {
        members.sort_by_key(|m| parse_i64(m.as_bytes()));
    } else {
        members.sort_by_key(|m| (member_hash(m.as_bytes()), m.as_bytes()));
    }
    members.dedup();
    members
}

/// A set reply of `members`, in the set's order.
fn set(members: &[&str]) -> Reply {
    Reply::Set(in_set_order(members).into_iter().map(bulk).collect())
}

/// An array reply of `members`, in the set's order.
fn ordered_array(members: &[&str]) -> Reply {
    Reply::Array(in_set_order(members).into_iter().map(bulk).collect())
}

fn ints(values: &[i64]) -> Reply {
    Reply::Array(values.iter().map(|&n| int(n)).collect())
}

#[test]
fn add_remove_and_membership() {
    let mut h = Harness::default();
    h.check(&[
        (&["SCARD", "s"], int(0)),
        (&["SISMEMBER", "s", "a"], int(0)),
        (&["SMEMBERS", "s"], Reply::Set(Vec::new())),
        (&["SMISMEMBER", "s", "a", "b"], ints(&[0, 0])),
        (&["SADD", "s", "a", "b", "a"], int(2)),
        (&["TYPE", "s"], Reply::simple("set")),
        (&["SADD", "s", "b", "c"], int(1)),
        (&["SCARD", "s"], int(3)),
        (&["SISMEMBER", "s", "a"], int(1)),
        (&["SISMEMBER", "s", "A"], int(0)),
        (&["SMISMEMBER", "s", "a", "x", "c"], ints(&[1, 0, 1])),
        (&["SMEMBERS", "s"], set(&["a", "b", "c"])),
        (&["SREM", "nokey", "a"], int(0)),
        (&["SREM", "s", "a", "a", "x"], int(1)),
        (&["SMEMBERS", "s"], set(&["b", "c"])),
        (&["SREM", "s", "b", "c"], int(2)),
        (&["EXISTS", "s"], int(0)),
        // Binary-safe and empty members; integers are plain members.
        (&["SADD", "bin", "", "\0\r\n", "1", "01"], int(4)),
        (&["SISMEMBER", "bin", ""], int(1)),
        (&["SISMEMBER", "bin", "\0\r\n"], int(1)),
        (&["SMEMBERS", "bin"], set(&["", "\0\r\n", "1", "01"])),
    ]);
}

#[test]
fn arity_errors() {
    let mut h = Harness::default();
    let cases: &[(&[&str], &[u8])] = &[
        (&["SADD", "s"], b"sadd"),
        (&["SREM", "s"], b"srem"),
        (&["SMEMBERS"], b"smembers"),
        (&["SISMEMBER", "s"], b"sismember"),
        (&["SMISMEMBER", "s"], b"smismember"),
        (&["SCARD"], b"scard"),
        (&["SPOP"], b"spop"),
        (&["SRANDMEMBER"], b"srandmember"),
        (&["SMOVE", "a", "b"], b"smove"),
        (&["SINTER"], b"sinter"),
        (&["SINTERCARD", "1"], b"sintercard"),
        (&["SINTERSTORE", "d"], b"sinterstore"),
        (&["SUNION"], b"sunion"),
        (&["SUNIONSTORE", "d"], b"sunionstore"),
        (&["SDIFF"], b"sdiff"),
        (&["SDIFFSTORE", "d"], b"sdiffstore"),
        (&["SSCAN", "s"], b"sscan"),
    ];
    for (args, name) in cases {
        assert_eq!(
            h.run(args),
            error(ReplyError::wrong_arity(name)),
            "{args:?}"
        );
    }
    h.check(&[
        (&["SPOP", "s", "1", "2"], error(ReplyError::Syntax)),
        (&["SRANDMEMBER", "s", "1", "2"], error(ReplyError::Syntax)),
    ]);
}

#[test]
fn wrong_type_everywhere() {
    let mut h = Harness::default();
    h.check(&[
        (&["SET", "str", "v"], Reply::Ok),
        (&["SADD", "s", "a"], int(1)),
    ]);
    let cases: &[&[&str]] = &[
        &["SADD", "str", "a"],
        &["SREM", "str", "a"],
        &["SMEMBERS", "str"],
        &["SISMEMBER", "str", "a"],
        &["SMISMEMBER", "str", "a"],
        &["SCARD", "str"],
        &["SPOP", "str"],
        &["SPOP", "str", "2"],
        &["SPOP", "str", "0"],
        &["SRANDMEMBER", "str", "0"],
        &["SRANDMEMBER", "str"],
        &["SRANDMEMBER", "str", "-2"],
        &["SMOVE", "str", "s", "a"],
        &["SMOVE", "s", "str", "a"],
        &["SINTER", "s", "str"],
        &["SINTER", "missing", "str"],
        &["SINTERCARD", "2", "s", "str"],
        &["SINTERSTORE", "d", "s", "str"],
        &["SUNION", "s", "str"],
        &["SUNIONSTORE", "d", "s", "str"],
        &["SDIFF", "s", "str"],
        &["SDIFF", "missing", "str"],
        &["SDIFFSTORE", "d", "s", "str"],
        &["SSCAN", "str", "0"],
    ];
    for args in cases {
        assert_eq!(h.run(args), wrongtype(), "{args:?}");
    }
    h.check(&[
        (&["GET", "str"], bulk("v")),
        (&["SMEMBERS", "s"], set(&["a"])),
        (&["EXISTS", "d"], int(0)),
        (&["GET", "s"], wrongtype()),
        (&["HSET", "s", "f", "v"], wrongtype()),
        // SMOVE from a missing source replies 0 before looking at the destination's type.
        (&["SMOVE", "missing", "str", "a"], int(0)),
        // A STORE destination of another type is simply replaced.
        (&["SUNIONSTORE", "str", "s"], int(1)),
        (&["TYPE", "str"], Reply::simple("set")),
    ]);
}

#[test]
fn spop() {
    let mut h = Harness::default();
    let must_be_positive = err_text("value is out of range, must be positive");
    h.check(&[
        (&["SPOP", "s"], Reply::Nil),
        (&["SPOP", "s", "3"], Reply::Set(Vec::new())),
        // The count is checked before the key.
        (&["SPOP", "s", "-1"], must_be_positive.clone()),
        (&["SPOP", "s", "x"], must_be_positive.clone()),
        (&["SPOP", "s", "1.5"], must_be_positive),
        (&["SADD", "s", "a", "b", "c", "d", "e"], int(5)),
        (&["SPOP", "s", "0"], Reply::Set(Vec::new())),
        (&["SCARD", "s"], int(5)),
    ]);
    let mut all: BTreeSet<String> = ["a", "b", "c", "d", "e"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let popped = bulk_texts(&h.run(&["SPOP", "s", "2"]));
    assert_eq!(popped.len(), 2);
    for member in &popped {
        assert!(all.remove(member), "{member} popped once from the set");
    }
    let Reply::Bulk(one) = h.run(&["SPOP", "s"]) else {
        panic!("SPOP without count replies a bulk");
    };
    assert!(all.remove(std::str::from_utf8(&one).unwrap()));
    assert_eq!(h.run(&["SCARD", "s"]), int(2));
    // A count of at least the size pops everything and deletes the key.
    let rest = bulk_texts(&h.run(&["SPOP", "s", "10"]));
    assert_eq!(rest.into_iter().collect::<BTreeSet<_>>(), all);
    h.check(&[(&["EXISTS", "s"], int(0))]);
    // The last member goes with the key.
    h.check(&[
        (&["SADD", "one", "x"], int(1)),
        (&["SPOP", "one"], bulk("x")),
        (&["EXISTS", "one"], int(0)),
        (&["SADD", "two", "x", "y"], int(2)),
        (&["SPOP", "two", "2"], set(&["x", "y"])),
        (&["EXISTS", "two"], int(0)),
    ]);
}

#[test]
fn spop_draws_from_the_entry_seed() {
    let run = |seed: u64| {
        let mut ks = Keyspace::default();
        let ctx = WriteCtx {
            now_ms: START_MS,
            seed,
        };
        let mut add = vec!["SADD".to_owned(), "s".to_owned()];
        add.extend((0..100).map(|i| format!("m{i}")));
        let add: Vec<&str> = add.iter().map(String::as_str).collect();
        execute_write(&mut ks, 0, &argv(&add), &ctx);
        let one = execute_write(&mut ks, 0, &argv(&["SPOP", "s"]), &ctx);
        let many = execute_write(&mut ks, 0, &argv(&["SPOP", "s", "10"]), &ctx);
        let most = execute_write(&mut ks, 0, &argv(&["SPOP", "s", "80"]), &ctx);
        (vec![one, many, most], ks)
    };
    let (replies_a, ks_a) = run(7);
    let (replies_b, ks_b) = run(7);
    assert_eq!(replies_a, replies_b);
    assert_eq!(ks_a, ks_b);
    let (replies_c, _) = run(8);
    assert_ne!(replies_a, replies_c, "another seed pops other members");
    // 1 + 10 + 80 distinct members popped, 9 left.
    let popped: BTreeSet<String> = replies_a[1..]
        .iter()
        .flat_map(bulk_texts)
        .chain(bulk_texts(&Reply::Array(vec![replies_a[0].clone()])))
        .collect();
    assert_eq!(popped.len(), 91);
    let left = ks_a.db(0).unwrap().get_value(b"s", START_MS).unwrap();
    assert_eq!(left.as_set().unwrap().len(), 9);
}

#[test]
fn srandmember() {
    let mut h = Harness::default();
    let out_of_range_long = err_text(
        "value is out of range, value must between -9223372036854775807 and 9223372036854775807",
    );
    h.check(&[
        (&["SRANDMEMBER", "s"], Reply::Nil),
        (&["SRANDMEMBER", "s", "5"], Reply::Array(Vec::new())),
        (&["SRANDMEMBER", "s", "-5"], Reply::Array(Vec::new())),
        (&["SRANDMEMBER", "s", "x"], error(ReplyError::NotInteger)),
        (
            &["SRANDMEMBER", "s", "-9223372036854775808"],
            out_of_range_long,
        ),
        (
            &["SRANDMEMBER", "s", "-9223372036854775807"],
            Reply::Array(Vec::new()),
        ),
        (&["SADD", "s", "a", "b", "c"], int(3)),
        (&["SRANDMEMBER", "s", "0"], Reply::Array(Vec::new())),
        (&["SRANDMEMBER", "s", "3"], ordered_array(&["a", "b", "c"])),
        (
            &["SRANDMEMBER", "s", "9223372036854775807"],
            ordered_array(&["a", "b", "c"]),
        ),
        (
            &["SRANDMEMBER", "s", "-9223372036854775807"],
            err_text("value is out of range"),
        ),
        (&["SCARD", "s"], int(3)),
    ]);
    let all: BTreeSet<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
    let mut seen = BTreeSet::new();
    for _ in 0..100 {
        let one = bulk_texts(&Reply::Array(vec![h.run(&["SRANDMEMBER", "s"])]));
        seen.extend(one);
        let two = bulk_texts(&h.run(&["SRANDMEMBER", "s", "2"]));
        assert_eq!(two.len(), 2);
        assert_ne!(two[0], two[1]);
        let many = bulk_texts(&h.run(&["SRANDMEMBER", "s", "-20"]));
        assert_eq!(many.len(), 20);
        assert!(many.iter().all(|m| all.contains(m)));
    }
    assert_eq!(seen, all, "every member comes up");
    // Distinct samples of a large set.
    let big: Vec<String> = (0..500).map(|i| format!("m{i}")).collect();
    let mut add = vec!["SADD", "big"];
    add.extend(big.iter().map(String::as_str));
    h.run(&add);
    for count in ["10", "200", "499"] {
        let picked = bulk_texts(&h.run(&["SRANDMEMBER", "big", count]));
        assert_eq!(picked.len(), count.parse::<usize>().unwrap());
        assert_eq!(picked.iter().collect::<BTreeSet<_>>().len(), picked.len());
    }
}

#[test]
fn smove() {
    let mut h = Harness::default();
    h.check(&[
        (&["SMOVE", "src", "dst", "a"], int(0)),
        (&["SADD", "src", "a", "b"], int(2)),
        (&["SMOVE", "src", "dst", "x"], int(0)),
        (&["EXISTS", "dst"], int(0)),
        (&["SMOVE", "src", "dst", "a"], int(1)),
        (&["SMEMBERS", "src"], set(&["b"])),
        (&["SMEMBERS", "dst"], set(&["a"])),
        // Moving to the same key answers membership.
        (&["SMOVE", "src", "src", "b"], int(1)),
        (&["SMOVE", "src", "src", "a"], int(0)),
        // Moving a member the destination already has still removes it from the source.
        (&["SADD", "dst", "b"], int(1)),
        (&["SMOVE", "src", "dst", "b"], int(1)),
        (&["EXISTS", "src"], int(0)),
        (&["SMEMBERS", "dst"], set(&["a", "b"])),
    ]);
}

#[test]
fn algebra() {
    let mut h = Harness::default();
    h.check(&[
        (&["SADD", "a", "1", "2", "3", "4"], int(4)),
        (&["SADD", "b", "2", "3", "5"], int(3)),
        (&["SADD", "c", "3", "4", "5", "6"], int(4)),
        (&["SINTER", "a"], set(&["1", "2", "3", "4"])),
        (&["SINTER", "a", "b"], set(&["2", "3"])),
        (&["SINTER", "a", "b", "c"], set(&["3"])),
        (&["SINTER", "a", "a"], set(&["1", "2", "3", "4"])),
        (&["SINTER", "a", "missing"], Reply::Set(Vec::new())),
        (&["SUNION", "a", "b"], set(&["1", "2", "3", "4", "5"])),
        (
            &["SUNION", "a", "missing", "c"],
            set(&["1", "2", "3", "4", "5", "6"]),
        ),
        (&["SUNION", "missing"], Reply::Set(Vec::new())),
        (&["SDIFF", "a", "b"], set(&["1", "4"])),
        (&["SDIFF", "a", "b", "c"], set(&["1"])),
        (&["SDIFF", "a", "missing"], set(&["1", "2", "3", "4"])),
        (&["SDIFF", "a", "a"], Reply::Set(Vec::new())),
        (&["SDIFF", "missing", "a"], Reply::Set(Vec::new())),
        (&["SINTERCARD", "2", "a", "b"], int(2)),
        (&["SINTERCARD", "3", "a", "b", "c"], int(1)),
        (&["SINTERCARD", "1", "a"], int(4)),
        (&["SINTERCARD", "1", "a", "LIMIT", "2"], int(2)),
        (&["SINTERCARD", "1", "a", "limit", "0"], int(4)),
        (&["SINTERCARD", "1", "a", "LIMIT", "100"], int(4)),
        (&["SINTERCARD", "2", "a", "missing"], int(0)),
        (
            &["SINTERCARD", "2", "a", "b", "LIMIT", "1", "LIMIT", "5"],
            int(2),
        ),
    ]);
}

#[test]
fn sintercard_errors() {
    let mut h = Harness::default();
    let numkeys = err_text("numkeys should be greater than 0");
    let limit = err_text("LIMIT can't be negative");
    h.check(&[
        (&["SADD", "a", "1"], int(1)),
        (&["SINTERCARD", "0", "a"], numkeys.clone()),
        (&["SINTERCARD", "-1", "a"], numkeys.clone()),
        (&["SINTERCARD", "x", "a"], numkeys),
        (
            &["SINTERCARD", "2", "a"],
            err_text("Number of keys can't be greater than number of args"),
        ),
        (
            &["SINTERCARD", "1", "a", "LIMIT"],
            error(ReplyError::Syntax),
        ),
        (&["SINTERCARD", "1", "a", "b"], error(ReplyError::Syntax)),
        (&["SINTERCARD", "1", "a", "LIMIT", "-1"], limit.clone()),
        (&["SINTERCARD", "1", "a", "LIMIT", "x"], limit),
    ]);
}

#[test]
fn store_forms() {
    let mut h = Harness::default();
    h.check(&[
        (&["SADD", "a", "1", "2", "3"], int(3)),
        (&["SADD", "b", "2", "3", "4"], int(3)),
        (&["SET", "d", "old"], Reply::Ok),
        (&["EXPIRE", "d", "100"], int(1)),
        (&["SINTERSTORE", "d", "a", "b"], int(2)),
        (&["SMEMBERS", "d"], set(&["2", "3"])),
        // The destination is replaced, TTL included.
        (&["TTL", "d"], int(-1)),
        (&["SUNIONSTORE", "d", "a", "b"], int(4)),
        (&["SMEMBERS", "d"], set(&["1", "2", "3", "4"])),
        (&["SDIFFSTORE", "d", "a", "b"], int(1)),
        (&["SMEMBERS", "d"], set(&["1"])),
        // An empty result deletes the destination.
        (&["SINTERSTORE", "d", "a", "missing"], int(0)),
        (&["EXISTS", "d"], int(0)),
        (&["SET", "d", "x"], Reply::Ok),
        (&["SDIFFSTORE", "d", "a", "a"], int(0)),
        (&["EXISTS", "d"], int(0)),
        (&["SUNIONSTORE", "d", "missing"], int(0)),
        // The destination may be a source.
        (&["SUNIONSTORE", "a", "a", "b"], int(4)),
        (&["SMEMBERS", "a"], set(&["1", "2", "3", "4"])),
        (&["SINTERSTORE", "a", "a", "b"], int(3)),
        (&["SMEMBERS", "a"], set(&["2", "3", "4"])),
        (&["SDIFFSTORE", "b", "b", "a"], int(0)),
        (&["EXISTS", "b"], int(0)),
        // A source of the wrong type changes nothing.
        (&["SET", "str", "v"], Reply::Ok),
        (&["SINTERSTORE", "a", "a", "str"], wrongtype()),
        (&["SMEMBERS", "a"], set(&["2", "3", "4"])),
    ]);
}

#[test]
fn sscan() {
    let mut h = Harness::default();
    h.check(&[
        (
            &["SSCAN", "s", "0"],
            Reply::Array(vec![bulk("0"), Reply::Array(Vec::new())]),
        ),
        (
            &["SSCAN", "s", "0", "BAD"],
            Reply::Array(vec![bulk("0"), Reply::Array(Vec::new())]),
        ),
        (&["SSCAN", "s", " 0"], err_text("invalid cursor")),
        (&["SADD", "s", "a", "b", "c"], int(3)),
        (
            &["SSCAN", "s", "0"],
            Reply::Array(vec![bulk("0"), ordered_array(&["a", "b", "c"])]),
        ),
        (
            &["SSCAN", "s", "0", "MATCH", "[ab]", "COUNT", "100"],
            Reply::Array(vec![bulk("0"), ordered_array(&["a", "b"])]),
        ),
        (&["SSCAN", "s", "0", "BAD"], error(ReplyError::Syntax)),
        (
            &["SSCAN", "s", "0", "COUNT", "-1"],
            error(ReplyError::Syntax),
        ),
    ]);
    let big: Vec<String> = (0..300).map(|i| format!("m{i}")).collect();
    let mut add = vec!["SADD", "big"];
    add.extend(big.iter().map(String::as_str));
    h.run(&add);
    // Scan with COUNT 1 while members come and go: every member present throughout is returned.
    let mut cursor = "0".to_owned();
    let mut seen = BTreeSet::new();
    let mut round = 0;
    loop {
        let reply = h.run(&["SSCAN", "big", &cursor, "COUNT", "1"]);
        let Reply::Array(parts) = reply else {
            panic!("{reply:?}");
        };
        seen.extend(bulk_texts(&parts[1]));
        let (removed, added) = (format!("m{}", round % 150), format!("new{round}"));
        h.run(&["SREM", "big", &removed]);
        h.run(&["SADD", "big", &added]);
        round += 1;
        let Reply::Bulk(next) = &parts[0] else {
            panic!("{parts:?}");
        };
        cursor = String::from_utf8(next.to_vec()).unwrap();
        if cursor == "0" {
            break;
        }
    }
    for i in 150..300 {
        assert!(
            seen.contains(&format!("m{i}")),
            "m{i} was present throughout"
        );
    }
    // A cursor that is not a member's hash works too: it resumes at the next hash.
    let reply = h.run(&["SSCAN", "big", "12345", "COUNT", "5"]);
    let Reply::Array(parts) = reply else {
        panic!("{reply:?}");
    };
    assert!(!bulk_texts(&parts[1]).is_empty());
}

#[test]
fn expired_sets_are_absent() {
    let mut h = Harness::default();
    h.check(&[
        (&["SADD", "s", "a", "b"], int(2)),
        (&["SADD", "t", "b"], int(1)),
        (&["PEXPIRE", "s", "10"], int(1)),
        (&["SADD", "s", "c"], int(1)),
        (&["SREM", "s", "c"], int(1)),
        (&["PTTL", "s"], int(10)),
    ]);
    h.advance(10);
    h.check(&[
        (&["SCARD", "s"], int(0)),
        (&["SMEMBERS", "s"], Reply::Set(Vec::new())),
        (&["SINTER", "s", "t"], Reply::Set(Vec::new())),
        (&["SUNION", "s", "t"], set(&["b"])),
        (&["SMOVE", "s", "t", "a"], int(0)),
        (&["SPOP", "s"], Reply::Nil),
        (&["SADD", "s", "z"], int(1)),
        (&["SMEMBERS", "s"], set(&["z"])),
        (&["PTTL", "s"], int(-1)),
    ]);
}

/// A scripted workload of hash and set writes, with varying seeds and times.
fn workload() -> Vec<(Vec<Bytes>, WriteCtx)> {
    let script: &[&[&str]] = &[
        &["SADD", "s", "a", "b", "c", "d", "e", "f", "g", "h"],
        &["SADD", "t", "c", "d", "x", "y"],
        &["SPOP", "s"],
        &["SPOP", "s", "2"],
        &["SMOVE", "s", "t", "a"],
        &["SMOVE", "s", "t", "h"],
        &["SINTERSTORE", "i", "s", "t"],
        &["SUNIONSTORE", "u", "s", "t", "i"],
        &["SDIFFSTORE", "d", "u", "s"],
        &["SREM", "t", "x", "y"],
        &["HSET", "h", "f", "1", "g", "2"],
        &["HINCRBY", "h", "f", "10"],
        &["HINCRBYFLOAT", "h", "g", "0.1"],
        &["HINCRBYFLOAT", "h", "g", "x"],
        &["HSETNX", "h", "n", "v"],
        &["HDEL", "h", "n"],
        &["PEXPIRE", "u", "15"],
        &["SPOP", "u", "3"],
        &["SPOP", "missing", "3"],
    ];
    let mut res = Vec::new();
    let mut now_ms = START_MS;
    for round in 0..30u64 {
        for (idx, args) in script.iter().enumerate() {
            now_ms += (round * 7 + idx as u64) % 11;
            let seed = round.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ idx as u64;
            res.push((argv(args), WriteCtx { now_ms, seed }));
        }
    }
    res
}

fn apply(ks: &mut Keyspace, ops: &[(Vec<Bytes>, WriteCtx)]) -> Vec<Reply> {
    let mut replies = Vec::new();
    for (idx, (args, ctx)) in ops.iter().enumerate() {
        replies.push(execute_write(ks, 0, args, ctx));
        if idx % 4 == 0 {
            for (db, key) in ks.expired_sample(ctx.now_ms, 3) {
                ks.remove_expired(db, &key, ctx.now_ms);
            }
        }
    }
    replies
}

#[test]
fn replicas_applying_the_same_hash_and_set_writes_are_identical() {
    let ops = workload();
    let (first, rest) = ops.split_at(ops.len() / 2);
    let mut a = Keyspace::default();
    let replies_a = [apply(&mut a, first), apply(&mut a, rest)].concat();

    // Replica b restarts from a snapshot halfway.
    let mut b = Keyspace::default();
    let replies_b_first = apply(&mut b, first);
    let mut buf = Vec::new();
    b.write_to(&mut buf).unwrap();
    let mut b = Keyspace::read_from(&mut &buf[..]).unwrap();
    let replies_b = [replies_b_first, apply(&mut b, rest)].concat();

    assert_eq!(replies_a, replies_b);
    assert_eq!(a, b);
    assert_eq!(a.digest(), b.digest());
    assert!(replies_a.iter().any(Reply::is_error));
    assert!(
        replies_a
            .iter()
            .any(|r| matches!(r, Reply::Set(m) if !m.is_empty())),
        "SPOP with a count popped something"
    );
    for db in a.dbs() {
        db.assert_consistent();
    }
}
