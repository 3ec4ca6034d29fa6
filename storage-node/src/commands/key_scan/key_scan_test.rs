use std::collections::BTreeSet;

use bytes::Bytes;
use tinyredis_common::Reply;
use tinyredis_common::ReplyError;

use super::random_key;
use crate::commands::test_util::*;
use crate::keyspace::Db;
use crate::keyspace::Value;
use crate::keyspace::ordered::SplitMix64;

/// The bulk strings of an array reply, sorted (KEYS and SCAN order keys by hash).
fn sorted(reply: Reply) -> Vec<String> {
    let Reply::Array(items) = reply else {
        panic!("not an array: {reply:?}");
    };
    let mut keys: Vec<String> = items
        .into_iter()
        .map(|item| match item {
            Reply::Bulk(b) => String::from_utf8(b.to_vec()).unwrap(),
            other => panic!("not a bulk: {other:?}"),
        })
        .collect();
    keys.sort();
    keys
}

/// Splits a SCAN reply into its next cursor and its keys.
fn scan_parts(reply: Reply) -> (String, Vec<String>) {
    let Reply::Array(mut parts) = reply else {
        panic!("not an array: {reply:?}");
    };
    assert_eq!(parts.len(), 2);
    let keys = parts.pop().unwrap();
    let Reply::Bulk(cursor) = parts.pop().unwrap() else {
        panic!("cursor is not a bulk");
    };
    let keys = match keys {
        Reply::Array(items) => items
            .into_iter()
            .map(|item| match item {
                Reply::Bulk(b) => String::from_utf8(b.to_vec()).unwrap(),
                other => panic!("not a bulk: {other:?}"),
            })
            .collect(),
        other => panic!("keys are not an array: {other:?}"),
    };
    (String::from_utf8(cursor.to_vec()).unwrap(), keys)
}

/// Runs a whole SCAN with the given options, returning every key in the order returned.
fn full_scan(h: &mut Harness, options: &[&str]) -> Vec<String> {
    let mut cursor = "0".to_owned();
    let mut seen = Vec::new();
    loop {
        let mut args = vec!["SCAN", cursor.as_str()];
        args.extend_from_slice(options);
        let (next, keys) = scan_parts(h.run(&args));
        seen.extend(keys);
        if next == "0" {
            return seen;
        }
        cursor = next;
    }
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn keys_matches_live_keys() {
    let mut h = Harness::default();
    h.check(&[
        (&["KEYS", "*"], Reply::Array(vec![])),
        (
            &["MSET", "foo", "1", "bar", "2", "foobar", "3", "", "e"],
            Reply::Ok,
        ),
        (&["SET", "soon", "v", "PX", "10"], Reply::Ok),
        (&["KEYS", "x*"], Reply::Array(vec![])),
        (&["KEYS", "?oo"], Reply::Array(vec![bulk("foo")])),
        // Only the empty pattern matches the empty key, and `*` matches every key, as in Redis.
        (&["KEYS", ""], Reply::Array(vec![bulk("")])),
        (&["KEYS"], error(ReplyError::wrong_arity(b"keys"))),
        (&["KEYS", "a", "b"], error(ReplyError::wrong_arity(b"keys"))),
    ]);
    assert_eq!(
        sorted(h.run(&["KEYS", "*"])),
        strings(&["", "bar", "foo", "foobar", "soon"])
    );
    assert_eq!(sorted(h.run(&["KEYS", "f*"])), strings(&["foo", "foobar"]));
    assert_eq!(
        sorted(h.run(&["KEYS", "*o[ob]*"])),
        strings(&["foo", "foobar", "soon"])
    );
    assert_eq!(sorted(h.run(&["KEYS", "*[!]"])), Vec::<String>::new());
    h.advance(10);
    assert_eq!(
        sorted(h.run(&["KEYS", "*"])),
        strings(&["", "bar", "foo", "foobar"])
    );
}

#[test]
fn scan_option_errors() {
    let mut h = Harness::default();
    h.check(&[
        (&["SCAN", "x"], err_text("invalid cursor")),
        (&["SCAN", " 1"], err_text("invalid cursor")),
        (
            &["SCAN", "18446744073709551616"],
            err_text("invalid cursor"),
        ),
        (&["SCAN", "0", "COUNT", "0"], error(ReplyError::Syntax)),
        (&["SCAN", "0", "COUNT", "-1"], error(ReplyError::Syntax)),
        (&["SCAN", "0", "COUNT", "x"], error(ReplyError::NotInteger)),
        (&["SCAN", "0", "COUNT"], error(ReplyError::Syntax)),
        (&["SCAN", "0", "MATCH"], error(ReplyError::Syntax)),
        (&["SCAN", "0", "TYPE"], error(ReplyError::Syntax)),
        (&["SCAN", "0", "NOVALUES"], error(ReplyError::Syntax)),
        (&["SCAN"], error(ReplyError::wrong_arity(b"scan"))),
        // The cursor is checked before the options.
        (&["SCAN", "x", "COUNT", "0"], err_text("invalid cursor")),
    ]);
}

#[test]
fn scan_of_an_empty_database_ends_at_once() {
    let mut h = Harness::default();
    let empty = Reply::Array(vec![bulk("0"), Reply::Array(vec![])]);
    h.check(&[
        (&["SCAN", "0"], empty.clone()),
        (&["SCAN", "12345"], empty.clone()),
        (&["SCAN", "-1"], empty.clone()),
        (&["SCAN", "", "COUNT", "5"], empty),
    ]);
}

#[test]
fn scan_visits_every_key_once_without_writes() {
    let mut h = Harness::default();
    let all: BTreeSet<String> = (0..300).map(|i| format!("key:{i}")).collect();
    for key in &all {
        h.run(&["SET", key, "v"]);
    }
    for count in ["1", "3", "10", "299", "300", "1000"] {
        let seen = full_scan(&mut h, &["COUNT", count]);
        assert_eq!(seen.len(), all.len(), "count {count}");
        assert_eq!(seen.into_iter().collect::<BTreeSet<_>>(), all);
    }
    // Default COUNT is 10: a step returns 10 keys while enough remain.
    let (cursor, keys) = scan_parts(h.run(&["SCAN", "0"]));
    assert_eq!(keys.len(), 10);
    assert_ne!(cursor, "0");
    assert!(cursor.parse::<u64>().is_ok(), "decimal cursor {cursor}");
}

#[test]
fn scan_match_and_type_filter_visited_keys() {
    let mut h = Harness::default();
    h.check(&[
        (&["MSET", "s1", "a", "s2", "b", "x", "c"], Reply::Ok),
        (&["RPUSH", "l1", "a"], int(1)),
        (&["HSET", "h1", "f", "v"], int(1)),
        (&["SADD", "set1", "m"], int(1)),
        (&["SET", "gone", "v", "PX", "5"], Reply::Ok),
    ]);
    h.advance(5);
    let all = strings(&["h1", "l1", "s1", "s2", "set1", "x"]);
    let mut seen = full_scan(&mut h, &[]);
    seen.sort();
    assert_eq!(seen, all, "expired keys are skipped");
    let mut seen = full_scan(&mut h, &["MATCH", "s*"]);
    seen.sort();
    assert_eq!(seen, strings(&["s1", "s2", "set1"]));
    let mut seen = full_scan(&mut h, &["TYPE", "STRING", "COUNT", "2"]);
    seen.sort();
    assert_eq!(seen, strings(&["s1", "s2", "x"]));
    assert_eq!(full_scan(&mut h, &["type", "list"]), strings(&["l1"]));
    assert_eq!(full_scan(&mut h, &["TYPE", "hash"]), strings(&["h1"]));
    assert_eq!(
        full_scan(&mut h, &["TYPE", "set", "MATCH", "*1"]),
        strings(&["set1"])
    );
    // An unknown type is no error in 7.0; it matches nothing (nor does "none": missing keys are
    // never visited, expired ones are skipped).
    assert!(full_scan(&mut h, &["TYPE", "nosuchtype"]).is_empty());
    assert!(full_scan(&mut h, &["TYPE", "none"]).is_empty());
    // MATCH * is no filter; the last of repeated options wins.
    assert_eq!(full_scan(&mut h, &["MATCH", "*"]).len(), 6);
    assert_eq!(
        full_scan(
            &mut h,
            &["MATCH", "zz*", "MATCH", "x", "COUNT", "1", "COUNT", "100"]
        ),
        strings(&["x"])
    );
}

#[test]
fn scan_returns_every_key_present_throughout_despite_writes() {
    let mut h = Harness::default();
    for i in 0..500 {
        h.run(&["SET", &format!("k{i}"), "v"]);
    }
    // Keys ending in 7 stay for the whole scan; others are removed, and new keys are added, between
    // steps.
    let stable: BTreeSet<String> = (0..500)
        .map(|i| format!("k{i}"))
        .filter(|k| k.ends_with('7'))
        .collect();
    let mut seen = BTreeSet::new();
    let mut cursor = "0".to_owned();
    let mut round = 0;
    loop {
        let (next, keys) = scan_parts(h.run(&["SCAN", &cursor, "COUNT", "13"]));
        seen.extend(keys);
        for i in 0..10 {
            let victim = format!("k{}", (round * 10 + i) % 500);
            if !victim.ends_with('7') {
                h.run(&["DEL", &victim]);
            }
            h.run(&["SET", &format!("new{round}-{i}"), "v"]);
        }
        // Some keys expire and are removed by expiry entries, as the leader proposes them.
        h.run(&["SET", &format!("ttl{round}"), "v", "PX", "1"]);
        h.advance(1);
        for (db, key) in h.ks.expired_sample(h.now_ms, 100) {
            h.ks.remove_expired(db, &key, h.now_ms);
        }
        round += 1;
        if next == "0" {
            break;
        }
        cursor = next;
        assert!(round < 10_000, "scan does not terminate");
    }
    let missing: Vec<_> = stable.difference(&seen).collect();
    assert!(missing.is_empty(), "never returned: {missing:?}");
}

#[test]
fn scan_cursors_are_the_same_on_every_replica() {
    // Two keyspaces with the same keys, inserted in opposite orders and with unrelated history,
    // answer the same SCAN steps.
    let mut a = Harness::default();
    let mut b = Harness::default();
    for i in 0..100 {
        a.run(&["SET", &format!("k{i}"), "v"]);
    }
    for i in (0..150).rev() {
        b.run(&["SET", &format!("k{i}"), "v"]);
    }
    for i in 100..150 {
        b.run(&["DEL", &format!("k{i}")]);
    }
    let mut cursor = "0".to_owned();
    loop {
        let reply = a.run(&["SCAN", &cursor, "COUNT", "7"]);
        assert_eq!(reply, b.run(&["SCAN", &cursor, "COUNT", "7"]));
        let (next, _) = scan_parts(reply);
        if next == "0" {
            break;
        }
        cursor = next;
    }
}

#[test]
fn randomkey_returns_live_keys_only() {
    let mut h = Harness::default();
    h.check(&[
        (&["RANDOMKEY"], Reply::Nil),
        (&["SET", "a", "1", "PX", "10"], Reply::Ok),
        (&["SET", "b", "1", "PX", "20"], Reply::Ok),
        (
            &["RANDOMKEY", "x"],
            error(ReplyError::wrong_arity(b"randomkey")),
        ),
    ]);
    h.advance(10);
    for _ in 0..50 {
        assert_eq!(h.run(&["RANDOMKEY"]), bulk("b"));
    }
    // Every key expired (still stored until the leader's expiry entry): nil, as a Redis master.
    h.advance(10);
    assert_eq!(h.ks.db(0).unwrap().len(), 2);
    assert_eq!(h.run(&["RANDOMKEY"]), Reply::Nil);
}

#[test]
fn randomkey_can_return_every_key() {
    let mut h = Harness::default();
    for i in 0..20 {
        h.run(&["SET", &format!("k{i}"), "v"]);
    }
    let mut seen = BTreeSet::new();
    for _ in 0..2000 {
        match h.run(&["RANDOMKEY"]) {
            Reply::Bulk(key) => {
                seen.insert(key);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(seen.len(), 20);
}

#[test]
fn randomkey_is_bounded_when_almost_every_key_is_expired() {
    let mut db = Db::default();
    for i in 0..20_000 {
        db.insert(format!("dead{i}").as_bytes(), Value::string(b"v"), Some(10));
    }
    db.insert(b"alive", Value::string(b"v"), None);
    let mut rng = SplitMix64::new(7);
    // Mostly expired: the reply is still a key (the live one, or an expired one after the bounded
    // search, as a Redis replica answers), and the call ends quickly.
    for _ in 0..20 {
        assert!(matches!(random_key(&db, 100, &mut rng), Reply::Bulk(_)));
    }
    // The same generator state picks the same key.
    let pick = |seed| random_key(&db, 100, &mut SplitMix64::new(seed));
    assert_eq!(pick(3), pick(3));
    // A live key among few expired ones is always found.
    let mut small = Db::default();
    for i in 0..5 {
        small.insert(format!("dead{i}").as_bytes(), Value::string(b"v"), Some(10));
    }
    small.insert(b"alive", Value::string(b"v"), None);
    for seed in 0..100 {
        assert_eq!(
            random_key(&small, 100, &mut SplitMix64::new(seed)),
            Reply::Bulk(Bytes::from_static(b"alive"))
        );
    }
}
