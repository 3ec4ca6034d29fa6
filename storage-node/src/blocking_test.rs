//! The registry of blocked clients as the state machine drives it: who is served, in which order,
//! with what, and what survives timeouts, unblocks, leases and snapshots.

use bytes::Bytes;
use tinyredis_common::{Reply, ReplyError};

use super::*;
use crate::raft::state_machine::SmState;
use crate::raft::{Op, Request};

fn argv(words: &[&str]) -> Vec<Bytes> {
    words
        .iter()
        .map(|w| Bytes::copy_from_slice(w.as_bytes()))
        .collect()
}

fn bulk(s: &str) -> Reply {
    Reply::Bulk(Bytes::copy_from_slice(s.as_bytes()))
}

fn arr(items: Vec<Reply>) -> Reply {
    Reply::Array(items)
}

fn popped(key: &str, element: &str) -> Reply {
    arr(vec![bulk(key), bulk(element)])
}

fn blocked(timeout_ms: u64) -> Vec<Reply> {
    vec![Reply::Blocked { timeout_ms }]
}

/// A state machine fed one entry at a time, with a clock.
struct Sm {
    state: SmState,
    index: u64,
    now_ms: u64,
    /// Next sequence number of each client.
    seqs: std::collections::BTreeMap<u64, u64>,
}

impl Sm {
    fn new() -> Sm {
        Sm {
            state: SmState::default(),
            index: 0,
            now_ms: 1_000_000,
            seqs: Default::default(),
        }
    }

    fn apply(&mut self, op: Op) -> Vec<Reply> {
        self.index += 1;
        self.now_ms += 1;
        let req = Request {
            time_ms: self.now_ms,
            seed: self.index,
            op,
        };
        self.state.apply_request(self.index, &req).replies
    }

    fn next_seq(&mut self, client: u64) -> u64 {
        let seq = self.seqs.entry(client).or_insert(0);
        *seq += 1;
        *seq
    }

    /// The last sequence number `client` used.
    fn seq(&self, client: u64) -> u64 {
        self.seqs[&client]
    }

    fn write(&mut self, client: u64, cmds: &[&[&str]]) -> Vec<Reply> {
        let seq = self.next_seq(client);
        self.apply(Op::Commands {
            client_id: client,
            seq,
            db: 0,
            commands: cmds.iter().map(|c| argv(c)).collect(),
        })
    }

    fn one(&mut self, client: u64, cmd: &[&str]) -> Reply {
        self.write(client, &[cmd]).remove(0)
    }

    fn multi(&mut self, client: u64, cmds: &[&[&str]]) -> Vec<Reply> {
        let seq = self.next_seq(client);
        self.apply(Op::Transaction {
            client_id: client,
            seq,
            db: 0,
            commands: cmds.iter().map(|c| argv(c)).collect(),
        })
    }

    fn unblock(&mut self, client: u64, error: bool) -> Reply {
        let seq = self.seq(client);
        self.apply(Op::Unblock {
            client_id: client,
            seq,
            error,
        })
        .remove(0)
    }

    fn status(&self, client: u64) -> AwaitStatus {
        self.state.await_status(client, self.seq(client))
    }

    fn lrange(&mut self, key: &str) -> Reply {
        self.one(999, &["LRANGE", key, "0", "-1"])
    }
}

fn done(reply: Reply) -> AwaitStatus {
    AwaitStatus::Done(reply)
}

#[test]
fn first_blocked_first_served() {
    let mut sm = Sm::new();
    assert_eq!(sm.write(1, &[&["BLPOP", "l", "0"]]), blocked(0));
    assert_eq!(
        sm.write(2, &[&["BLPOP", "other", "l", "2.5"]]),
        blocked(2500)
    );
    assert_eq!(sm.state.blocking.len(), 2);
    assert_eq!(sm.status(1), AwaitStatus::Pending);
    // One element: the first client only.
    assert_eq!(sm.one(3, &["RPUSH", "l", "a"]), Reply::Integer(1));
    assert_eq!(sm.status(1), done(popped("l", "a")));
    assert_eq!(sm.status(2), AwaitStatus::Pending);
    assert_eq!(sm.state.take_resolved(), vec![1]);
    // The RPUSH's reply counted the element; the list is gone since.
    assert_eq!(sm.one(3, &["EXISTS", "l"]), Reply::Integer(0));
    assert_eq!(sm.one(3, &["RPUSH", "l", "b", "c"]), Reply::Integer(2));
    assert_eq!(sm.status(2), done(popped("l", "b")));
    assert_eq!(sm.lrange("l"), arr(vec![bulk("c")]));
    assert!(!sm.state.blocking.has_waiters());
}

#[test]
fn several_clients_served_by_one_push() {
    let mut sm = Sm::new();
    sm.write(1, &[&["BLPOP", "l", "0"]]);
    sm.write(2, &[&["BRPOP", "l", "0"]]);
    sm.write(3, &[&["BLPOP", "l", "0"]]);
    sm.one(9, &["RPUSH", "l", "a", "b"]);
    assert_eq!(sm.status(1), done(popped("l", "a")));
    assert_eq!(sm.status(2), done(popped("l", "b")));
    assert_eq!(sm.status(3), AwaitStatus::Pending);
}

#[test]
fn chained_blmoves_are_served_in_the_same_entry() {
    let mut sm = Sm::new();
    sm.write(1, &[&["BLMOVE", "list1", "list2", "RIGHT", "LEFT", "0"]]);
    sm.write(2, &[&["BLMOVE", "list2", "list3", "LEFT", "RIGHT", "0"]]);
    assert_eq!(sm.one(3, &["RPUSH", "list1", "foo"]), Reply::Integer(1));
    // Right after that one entry, foo has travelled to list3.
    assert_eq!(sm.lrange("list1"), arr(vec![]));
    assert_eq!(sm.lrange("list2"), arr(vec![]));
    assert_eq!(sm.lrange("list3"), arr(vec![bulk("foo")]));
    assert_eq!(sm.status(1), done(bulk("foo")));
    assert_eq!(sm.status(2), done(bulk("foo")));
}

#[test]
fn circular_and_self_referential_brpoplpush() {
    let mut sm = Sm::new();
    sm.write(1, &[&["BRPOPLPUSH", "list1", "list2", "0"]]);
    sm.write(2, &[&["BRPOPLPUSH", "list2", "list1", "0"]]);
    sm.one(3, &["RPUSH", "list1", "foo"]);
    assert_eq!(sm.lrange("list1"), arr(vec![bulk("foo")]));
    assert_eq!(sm.lrange("list2"), arr(vec![]));
    sm.write(4, &[&["BRPOPLPUSH", "blist", "blist", "0"]]);
    sm.one(3, &["RPUSH", "blist", "foo"]);
    assert_eq!(sm.lrange("blist"), arr(vec![bulk("foo")]));
    assert_eq!(sm.status(4), done(bulk("foo")));
}

#[test]
fn blmove_to_a_wrong_type_destination_fails_without_popping() {
    let mut sm = Sm::new();
    sm.one(9, &["SET", "target1", "nolist"]);
    sm.write(1, &[&["BRPOPLPUSH", "blist", "target1", "0"]]);
    sm.write(2, &[&["BRPOPLPUSH", "blist", "target2", "0"]]);
    sm.one(9, &["LPUSH", "blist", "foo"]);
    assert_eq!(sm.status(1), done(Reply::Error(ReplyError::WrongType)));
    assert_eq!(sm.status(2), done(bulk("foo")));
    assert_eq!(sm.lrange("target2"), arr(vec![bulk("foo")]));
}

#[test]
fn a_transaction_serves_after_its_last_command() {
    let mut sm = Sm::new();
    sm.write(1, &[&["BLPOP", "list", "0"]]);
    sm.multi(
        9,
        &[
            &["LPUSH", "list", "a"],
            &["LPUSH", "list", "b"],
            &["LPUSH", "list", "c"],
        ],
    );
    assert_eq!(sm.status(1), done(popped("list", "c")));

    // LPUSH + DEL in one transaction does not wake the client.
    sm.write(2, &[&["BLPOP", "list2", "0"]]);
    sm.multi(9, &[&["LPUSH", "list2", "a"], &["DEL", "list2"]]);
    sm.multi(
        9,
        &[
            &["LPUSH", "list2", "a"],
            &["DEL", "list2"],
            &["SET", "list2", "foo"],
        ],
    );
    assert_eq!(sm.status(2), AwaitStatus::Pending);
    sm.one(9, &["DEL", "list2"]);
    sm.one(9, &["LPUSH", "list2", "b"]);
    assert_eq!(sm.status(2), done(popped("list2", "b")));
}

#[test]
fn a_pipeline_serves_after_each_command() {
    let mut sm = Sm::new();
    sm.write(1, &[&["BLPOP", "l", "0"]]);
    assert_eq!(
        sm.write(9, &[&["RPUSH", "l", "a"], &["LPOP", "l"]]),
        vec![Reply::Integer(1), Reply::Nil]
    );
    assert_eq!(sm.status(1), done(popped("l", "a")));
}

#[test]
fn inside_a_transaction_nothing_blocks() {
    let mut sm = Sm::new();
    sm.one(9, &["LPUSH", "xlist", "foo", "bar"]);
    assert_eq!(
        sm.multi(
            1,
            &[
                &["BRPOPLPUSH", "xlist", "target", "0"],
                &["BRPOPLPUSH", "xlist", "target", "0"],
                &["BRPOPLPUSH", "xlist", "target", "0"],
                &["BLPOP", "xlist", "0"],
                &["BZMPOP", "0", "1", "z", "MIN"],
            ]
        ),
        vec![
            bulk("foo"),
            bulk("bar"),
            Reply::Nil,
            Reply::NilArray,
            Reply::NilArray
        ]
    );
    assert!(!sm.state.blocking.has_waiters());
}

#[test]
fn one_wait_per_write() {
    let mut sm = Sm::new();
    assert_eq!(
        sm.write(1, &[&["BLPOP", "a", "0"], &["BLPOP", "b", "0"]]),
        vec![Reply::Blocked { timeout_ms: 0 }, Reply::NilArray]
    );
    assert_eq!(sm.state.blocking.len(), 1);
}

#[test]
fn a_retry_does_not_block_twice() {
    let mut sm = Sm::new();
    sm.write(1, &[&["BLPOP", "l", "0"]]);
    let retry = Op::Commands {
        client_id: 1,
        seq: 1,
        db: 0,
        commands: vec![argv(&["BLPOP", "l", "0"])],
    };
    assert_eq!(sm.apply(retry), blocked(0));
    assert_eq!(sm.state.blocking.len(), 1);
}

#[test]
fn unblock_ends_the_wait_and_keeps_nothing_blocked() {
    let mut sm = Sm::new();
    sm.write(1, &[&["BLPOP", "l", "1"]]);
    assert_eq!(sm.unblock(1, false), Reply::NilArray);
    assert_eq!(sm.status(1), done(Reply::NilArray));
    // A retried unblock gets the same answer.
    assert_eq!(sm.unblock(1, true), Reply::NilArray);
    // Nothing waits any more: a push stays in the list.
    sm.one(9, &["RPUSH", "l", "x"]);
    assert_eq!(sm.lrange("l"), arr(vec![bulk("x")]));

    sm.write(2, &[&["BZPOPMIN", "z", "0"]]);
    assert_eq!(sm.unblock(2, true), Reply::Error(ReplyError::Unblocked));
}

#[test]
fn unblock_after_being_served_returns_what_was_popped() {
    let mut sm = Sm::new();
    sm.write(1, &[&["BLPOP", "l", "1"]]);
    sm.one(9, &["RPUSH", "l", "x"]);
    // The timeout fired at the gateway while the push was being applied: the element is not lost.
    assert_eq!(sm.unblock(1, false), popped("l", "x"));
    // The client's next write forgets it.
    sm.one(1, &["PING_UNKNOWN"]);
    assert_eq!(sm.state.blocking.served(1, 1), None);
}

#[test]
fn leases_drop_the_waiters_of_a_gateway_that_is_gone() {
    let mut sm = Sm::new();
    sm.write(1, &[&["BLPOP", "l", "0"]]);
    sm.write(2, &[&["BLPOP", "l", "0"]]);
    // Client 2's gateway renews, client 1's does not.
    for _ in 0..3 {
        sm.now_ms += WAITER_LEASE_MS / 2;
        sm.apply(Op::RenewWaiters {
            waiters: vec![(2, 1)],
        });
    }
    assert_eq!(sm.status(1), AwaitStatus::Lost);
    sm.one(9, &["RPUSH", "l", "a", "b"]);
    assert_eq!(sm.status(2), done(popped("l", "a")));
    assert_eq!(sm.lrange("l"), arr(vec![bulk("b")]));
    // A lost waiter's unblock pops nothing.
    assert_eq!(sm.unblock(1, false), Reply::NilArray);
    // Kept replies expire too.
    sm.now_ms += WAITER_LEASE_MS + 1;
    sm.one(9, &["PING_UNKNOWN"]);
    assert!(sm.state.blocking.is_empty());
}

#[test]
fn keys_made_ready_by_other_commands() {
    let mut sm = Sm::new();
    // RENAME.
    sm.write(1, &[&["BLPOP", "foo", "0"]]);
    sm.one(9, &["LPUSH", "bob", "abc", "def", "hij"]);
    sm.one(9, &["RENAME", "bob", "foo"]);
    assert_eq!(sm.status(1), done(popped("foo", "hij")));
    // SORT … STORE.
    sm.write(2, &[&["BLPOP", "sorted", "0"]]);
    sm.one(
        9,
        &[
            "LPUSH",
            "notfoo",
            "hello",
            "hola",
            "aguacate",
            "konichiwa",
            "zanzibar",
        ],
    );
    sm.one(9, &["SORT", "notfoo", "ALPHA", "STORE", "sorted"]);
    assert_eq!(sm.status(2), done(popped("sorted", "aguacate")));
    // ZUNIONSTORE.
    sm.write(3, &[&["BZPOPMIN", "zdst", "0"]]);
    sm.one(9, &["ZADD", "zsrc", "5", "m"]);
    sm.one(9, &["ZUNIONSTORE", "zdst", "1", "zsrc"]);
    assert_eq!(
        sm.status(3),
        done(arr(vec![bulk("zdst"), bulk("m"), Reply::Double(5.0)]))
    );
    // COPY … DB and MOVE into the database a client waits in.
    let seq = sm.next_seq(4);
    sm.apply(Op::Commands {
        client_id: 4,
        seq,
        db: 3,
        commands: vec![argv(&["BLPOP", "moved", "0"])],
    });
    sm.one(9, &["RPUSH", "moved", "m1"]);
    sm.one(9, &["MOVE", "moved", "3"]);
    assert_eq!(sm.status(4), done(popped("moved", "m1")));
    let seq = sm.next_seq(4);
    sm.apply(Op::Commands {
        client_id: 4,
        seq,
        db: 3,
        commands: vec![argv(&["BLPOP", "copied", "0"])],
    });
    sm.one(9, &["RPUSH", "src", "c1"]);
    sm.one(9, &["COPY", "src", "copied", "DB", "3"]);
    assert_eq!(sm.status(4), done(popped("copied", "c1")));
    // RESTORE.
    sm.write(6, &[&["BLPOP", "restored", "0"]]);
    sm.one(9, &["RPUSH", "template", "r1", "r2"]);
    let payload = match sm.one(9, &["DUMP", "template"]) {
        Reply::Bulk(payload) => payload,
        other => panic!("DUMP replied {other:?}"),
    };
    let seq = sm.next_seq(9);
    sm.apply(Op::Commands {
        client_id: 9,
        seq,
        db: 0,
        commands: vec![vec![
            Bytes::from_static(b"RESTORE"),
            Bytes::from_static(b"restored"),
            Bytes::from_static(b"0"),
            payload,
        ]],
    });
    assert_eq!(sm.status(6), done(popped("restored", "r1")));
    // SWAPDB: the client stays in its database, whose content changes.
    let seq = sm.next_seq(5);
    sm.apply(Op::Commands {
        client_id: 5,
        seq,
        db: 9,
        commands: vec![argv(&["BRPOP", "k", "5"])],
    });
    sm.multi(9, &[&["SELECT", "1"], &["RPUSH", "k", "hello"]]);
    sm.one(9, &["SWAPDB", "1", "9"]);
    assert_eq!(sm.status(5), done(popped("k", "hello")));
}

#[test]
fn expired_keys_wake_nobody() {
    let mut sm = Sm::new();
    sm.write(1, &[&["BRPOP", "k", "0"]]);
    // In one transaction: created, then expired by the time it is served.
    sm.multi(9, &[&["RPUSH", "k", "hello"], &["PEXPIREAT", "k", "1"]]);
    assert_eq!(sm.status(1), AwaitStatus::Pending);
}

#[test]
fn multiple_bzmpop_clients_as_redis() {
    let mut sm = Sm::new();
    sm.write(
        1,
        &[&["BZMPOP", "0", "2", "myzset", "myzset2", "MIN", "COUNT", "1"]],
    );
    sm.write(
        2,
        &[&[
            "BZMPOP", "0", "2", "myzset", "myzset2", "MAX", "COUNT", "10",
        ]],
    );
    sm.write(
        3,
        &[&[
            "BZMPOP", "0", "2", "myzset", "myzset2", "MIN", "COUNT", "10",
        ]],
    );
    sm.write(
        4,
        &[&["BZMPOP", "0", "2", "myzset", "myzset2", "MAX", "COUNT", "1"]],
    );
    sm.multi(
        9,
        &[
            &[
                "ZADD", "myzset", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e",
            ],
            &[
                "ZADD", "myzset2", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e",
            ],
        ],
    );
    let pair = |m: &str, s: f64| arr(vec![bulk(m), Reply::Double(s)]);
    assert_eq!(
        sm.status(1),
        done(arr(vec![bulk("myzset"), arr(vec![pair("a", 1.0)])]))
    );
    assert_eq!(
        sm.status(2),
        done(arr(vec![
            bulk("myzset"),
            arr(vec![
                pair("e", 5.0),
                pair("d", 4.0),
                pair("c", 3.0),
                pair("b", 2.0)
            ])
        ]))
    );
    assert_eq!(
        sm.status(3),
        done(arr(vec![
            bulk("myzset2"),
            arr(vec![
                pair("a", 1.0),
                pair("b", 2.0),
                pair("c", 3.0),
                pair("d", 4.0),
                pair("e", 5.0)
            ])
        ]))
    );
    assert_eq!(sm.status(4), AwaitStatus::Pending);
    sm.one(9, &["ZADD", "myzset2", "1", "a", "2", "b", "3", "c"]);
    assert_eq!(
        sm.status(4),
        done(arr(vec![bulk("myzset2"), arr(vec![pair("c", 3.0)])]))
    );
}

#[test]
fn list_waiters_skip_sorted_sets_and_back() {
    let mut sm = Sm::new();
    sm.write(1, &[&["BZPOPMIN", "k", "0"]]);
    sm.write(2, &[&["BLPOP", "k", "0"]]);
    sm.one(9, &["RPUSH", "k", "a"]);
    assert_eq!(sm.status(1), AwaitStatus::Pending);
    assert_eq!(sm.status(2), done(popped("k", "a")));
    sm.one(9, &["ZADD", "k", "1", "m"]);
    assert_eq!(
        sm.status(1),
        done(arr(vec![bulk("k"), bulk("m"), Reply::Double(1.0)]))
    );
}

#[test]
fn the_registry_survives_snapshots() {
    let mut sm = Sm::new();
    sm.write(1, &[&["BLPOP", "a", "b", "0"]]);
    sm.write(2, &[&["BLMOVE", "b", "c", "LEFT", "RIGHT", "3"]]);
    sm.write(3, &[&["BZPOPMAX", "z", "0"]]);
    sm.one(9, &["RPUSH", "x", "1"]);
    sm.write(4, &[&["BLPOP", "x", "0"]]);
    let encoded = crate::raft::codec::encode(&sm.state.blocking).unwrap();
    let decoded: Blocking = crate::raft::codec::decode(&encoded).unwrap();
    assert_eq!(decoded, sm.state.blocking);

    // Serving after a restore gives the same result as without it.
    let mut restored = Sm::new();
    restored.state = sm.state.clone();
    restored.state.blocking = decoded;
    restored.index = sm.index;
    restored.now_ms = sm.now_ms;
    restored.seqs = sm.seqs.clone();
    for m in [&mut sm, &mut restored] {
        m.one(9, &["RPUSH", "b", "e1", "e2"]);
        m.one(9, &["ZADD", "z", "1", "m"]);
    }
    assert_eq!(sm.state.keyspace, restored.state.keyspace);
    assert_eq!(sm.state.blocking, restored.state.blocking);
    assert_eq!(sm.status(1), done(popped("b", "e1")));
    assert_eq!(sm.status(2), done(bulk("e2")));
    assert_eq!(sm.lrange("c"), arr(vec![bulk("e2")]));
}
