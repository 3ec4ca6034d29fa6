use bytes::Bytes;
use tinyredis_common::NUM_DATABASES;
use tinyredis_common::Reply;
use tinyredis_common::ReplyError;
use tinyredis_common::Route;
use tinyredis_common::command::COMMANDS;

use super::*;
use crate::commands::test_util::*;

#[test]
fn every_command_has_a_handler_matching_its_route() {
    for spec in COMMANDS {
        let ok = matches!(
            (handler(spec.id), spec.route),
            (Handler::Read(_), Route::Read)
                | (
                    Handler::Write(_) | Handler::WriteKeyspace(_) | Handler::Blocking(_),
                    Route::Write
                )
                | (Handler::Gateway, Route::Gateway)
                | (Handler::ReadUnlessStore { .. }, Route::ReadUnlessStore)
        ) || (
            // The gateway answers MEMORY itself but forwards MEMORY USAGE here as a read.
            spec.id == CommandId::Memory && matches!(handler(spec.id), Handler::Read(_))
        );
        assert!(ok, "{} is routed {:?}", spec.name, spec.route);
        assert_eq!(
            matches!(handler(spec.id), Handler::Blocking(_)),
            spec.is_blocking(),
            "{} has the blocking flag exactly when its handler may block",
            spec.name
        );
    }
}

#[test]
fn lookup_errors() {
    let mut h = Harness::default();
    h.check(&[
        (
            &["NOPE", "a", "b"],
            error(ReplyError::UnknownCommand {
                name: Bytes::from_static(b"NOPE"),
                args: vec![Bytes::from_static(b"a"), Bytes::from_static(b"b")],
            }),
        ),
        (&["GET"], error(ReplyError::wrong_arity(b"get"))),
        (&["gEt", "a", "b"], error(ReplyError::wrong_arity(b"get"))),
        (&["SET", "k"], error(ReplyError::wrong_arity(b"set"))),
        (&["EXPIRE", "k"], error(ReplyError::wrong_arity(b"expire"))),
        (&["set", "k", "v"], Reply::Ok),
        (&["GeT", "k"], bulk("v")),
    ]);
    let empty = execute_write(&mut h.ks, 0, &[], &WriteCtx { now_ms: 0, seed: 0 });
    assert!(empty.is_error());
}

#[test]
fn unknown_command_echoes_bounded_copies() {
    let big = Bytes::from(vec![b'a'; 1000]);
    let argv = vec![Bytes::from_static(b"nope"), big.clone(), big.clone(), big];
    let reply = execute_read(
        &Keyspace::default(),
        0,
        &argv,
        &ReadCtx {
            now_ms: 0,
            seed: None,
        },
    );
    let Reply::Error(ReplyError::UnknownCommand { args, .. }) = reply else {
        panic!("unexpected reply {reply:?}");
    };
    assert_eq!(args.len(), 1);
    assert_eq!(args[0].len(), 128);
}

#[test]
fn gateway_commands_and_bad_routes_are_errors() {
    let mut ks = Keyspace::default();
    let wctx = WriteCtx {
        now_ms: START_MS,
        seed: 1,
    };
    let rctx = ReadCtx {
        now_ms: START_MS,
        seed: None,
    };
    for args in [
        &["PING"][..],
        &["ECHO", "x"],
        &["SELECT", "1"],
        &["QUIT"],
        &["INFO"],
    ] {
        assert!(
            execute_write(&mut ks, 0, &argv(args), &wctx).is_error(),
            "{args:?}"
        );
        assert!(
            execute_read(&ks, 0, &argv(args), &rctx).is_error(),
            "{args:?}"
        );
    }
    // A write on the read path is refused and changes nothing.
    assert!(execute_read(&ks, 0, &argv(&["SET", "k", "v"]), &rctx).is_error());
    // A read on the write path runs read-only.
    assert_eq!(
        execute_write(&mut ks, 0, &argv(&["SET", "k", "v"]), &wctx),
        Reply::Ok
    );
    assert_eq!(
        execute_write(&mut ks, 0, &argv(&["GET", "k"]), &wctx),
        bulk("v")
    );
    assert_eq!(execute_write(&mut ks, 0, &argv(&["DBSIZE"]), &wctx), int(1));
}

#[test]
fn database_index_is_checked() {
    let mut ks = Keyspace::default();
    let wctx = WriteCtx {
        now_ms: START_MS,
        seed: 1,
    };
    let rctx = ReadCtx {
        now_ms: START_MS,
        seed: None,
    };
    let out_of_range = error(ReplyError::DbIndexOutOfRange);
    for args in [&["SET", "k", "v"][..], &["GET", "k"], &["FLUSHALL"]] {
        assert_eq!(
            execute_write(&mut ks, NUM_DATABASES, &argv(args), &wctx),
            out_of_range
        );
    }
    assert_eq!(
        execute_read(&ks, usize::MAX, &argv(&["GET", "k"]), &rctx),
        out_of_range
    );
    assert!(ks.is_empty());
    // Databases are independent.
    execute_write(&mut ks, 3, &argv(&["SET", "k", "v"]), &wctx);
    assert_eq!(
        execute_read(&ks, 0, &argv(&["GET", "k"]), &rctx),
        Reply::Nil
    );
    assert_eq!(execute_read(&ks, 3, &argv(&["GET", "k"]), &rctx), bulk("v"));
}

/// A small deterministic pseudo-random generator (tests must be reproducible).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.next() as usize % items.len()]
    }
}

/// Arguments that exercise parsers and edge cases.
const TOKENS: &[&str] = &[
    "k",
    "k2",
    "",
    "0",
    "1",
    "-1",
    "10",
    "-0",
    "+1",
    "01",
    "1.5",
    " 1",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "99999999999999999999",
    "1700000000000",
    "1700000000",
    "NX",
    "XX",
    "GT",
    "LT",
    "GET",
    "EX",
    "PX",
    "EXAT",
    "PXAT",
    "KEEPTTL",
    "PERSIST",
    "ASYNC",
    "SYNC",
    "\0",
    "\r\n",
    "\u{ff}",
];

#[test]
fn no_argv_panics() {
    let mut rng = Lcg(42);
    let mut ks = Keyspace::default();
    let mut now_ms = START_MS;
    for round in 0..20_000 {
        let spec = rng.pick(COMMANDS);
        let argc = (rng.next() % 8) as usize;
        let mut args = vec![Bytes::from_static(spec.name.as_bytes())];
        args.extend((0..argc).map(|_| Bytes::from_static(rng.pick(TOKENS).as_bytes())));
        now_ms += rng.next() % 500;
        let db = (rng.next() % 3) as usize;
        let ctx = WriteCtx {
            now_ms,
            seed: round,
        };
        let _ = execute_write(&mut ks, db, &args, &ctx);
        let _ = execute_read(&ks, db, &args, &ReadCtx { now_ms, seed: None });
        if round % 1000 == 0 {
            for db in ks.dbs() {
                db.assert_consistent();
            }
        }
    }
}

/// A scripted workload covering every write, expiry on both paths and the leader's expiry entries.
fn workload() -> Vec<(Vec<Bytes>, WriteCtx)> {
    let mut res = Vec::new();
    let mut now_ms = START_MS;
    let mut rng = Lcg(7);
    let script: &[&[&str]] = &[
        &["SET", "a", "1", "PX", "50"],
        &["SET", "b", "x", "EX", "1"],
        &["INCR", "a"],
        &["INCR", "b"],
        &["MSET", "c", "1", "d", "2"],
        &["EXPIRE", "c", "1"],
        &["PEXPIRE", "d", "30", "NX"],
        &["SET", "b", "y", "KEEPTTL", "GET"],
        &["DEL", "a"],
        &["SET", "a", "5", "NX", "PX", "20"],
        &["INCRBY", "a", "10"],
        &["PERSIST", "b"],
        &["SET", "e", "v", "PXAT", "1700000000100"],
        &["DECRBY", "n", "3"],
        &["EXPIRE", "n", "-1"],
        // Keys (more), strings (more).
        &["RENAME", "c", "f"],
        &["COPY", "f", "g", "DB", "1"],
        &["MOVE", "d", "1"],
        &["GETEX", "b", "PX", "25"],
        &["APPEND", "b", "z"],
        &["SETRANGE", "h", "3", "x"],
        &["INCRBYFLOAT", "i", "0.1"],
        &["MSETNX", "j", "1", "k", "2"],
        &["SETEX", "l", "1", "v"],
        &["PEXPIREAT", "l", "1700000000300"],
        &["GETDEL", "j"],
        &["GETSET", "k", "3"],
        &["RENAMENX", "k", "m"],
        &["SWAPDB", "0", "1"],
        &["UNLINK", "g"],
        // Sorted sets.
        &["ZADD", "z", "1", "a", "2", "b", "3", "c"],
        &["PEXPIRE", "z", "60"],
        &["ZINCRBY", "z", "1.5", "a"],
        &["ZUNIONSTORE", "zu", "2", "z", "zu", "WEIGHTS", "2", "1"],
        &["ZPOPMIN", "z"],
        &["ZMPOP", "2", "z", "zu", "MAX", "COUNT", "2"],
        &["ZRANGESTORE", "zr", "zu", "0", "-1"],
        &["ZREMRANGEBYRANK", "zr", "0", "0"],
        &["GET", "a"],
        &["FLUSHDB"],
    ];
    for _ in 0..20 {
        for args in script {
            now_ms += rng.next() % 40;
            let ctx = WriteCtx {
                now_ms,
                seed: rng.next(),
            };
            res.push((argv(args), ctx));
        }
    }
    res
}

/// Applies the workload, interleaving the leader's expiry proposals, and returns every reply.
fn apply(ks: &mut Keyspace, ops: &[(Vec<Bytes>, WriteCtx)]) -> Vec<Reply> {
    let mut replies = Vec::new();
    for (idx, (args, ctx)) in ops.iter().enumerate() {
        replies.push(execute_write(ks, idx % 2, args, ctx));
        if idx % 5 == 0 {
            // The leader samples at its own (earlier) time; replicas apply at the entry's time.
            for (db, key) in ks.expired_sample(ctx.now_ms.saturating_sub(10), 3) {
                ks.remove_expired(db, &key, ctx.now_ms);
            }
        }
    }
    replies
}

#[test]
fn replicas_applying_the_same_log_are_identical() {
    let ops = workload();
    let mut a = Keyspace::default();
    let mut b = Keyspace::default();
    let (half_a, rest_a) = ops.split_at(ops.len() / 2);
    let replies_a = [apply(&mut a, half_a), apply(&mut a, rest_a)].concat();

    // Replica b restarts from a snapshot taken halfway, then applies the rest.
    let replies_b_first = apply(&mut b, half_a);
    let mut buf = Vec::new();
    b.write_to(&mut buf).unwrap();
    let mut b = Keyspace::read_from(&mut &buf[..]).unwrap();
    let replies_b = [replies_b_first, apply(&mut b, rest_a)].concat();

    assert_eq!(replies_a, replies_b);
    assert_eq!(a, b);
    assert_eq!(a.digest(), b.digest());
    assert!(
        replies_a.iter().any(|r| r.is_error()) && replies_a.contains(&Reply::Nil),
        "the workload exercises failures and absent keys"
    );

    let mut buf = Vec::new();
    a.write_to(&mut buf).unwrap();
    assert_eq!(Keyspace::read_from(&mut &buf[..]).unwrap(), a);
}
