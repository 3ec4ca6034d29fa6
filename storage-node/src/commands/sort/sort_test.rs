use tinyredis_common::Reply;
use tinyredis_common::ReplyError;

use crate::commands::test_util::*;

fn bulks(items: &[&str]) -> Reply {
    Reply::Array(items.iter().map(|item| bulk(item)).collect())
}

fn not_double() -> Reply {
    err_text("One or more scores can't be converted into double")
}

#[test]
fn numeric_alpha_desc_and_limit_on_a_list() {
    let mut h = Harness::default();
    h.check(&[
        (&["RPUSH", "l", "3", "1", "2", "10", "1.5"], int(5)),
        (&["SORT", "l"], bulks(&["1", "1.5", "2", "3", "10"])),
        (&["SORT", "l", "DESC"], bulks(&["10", "3", "2", "1.5", "1"])),
        (
            &["SORT", "l", "alpha"],
            bulks(&["1", "1.5", "10", "2", "3"]),
        ),
        (&["SORT", "l", "LIMIT", "1", "2"], bulks(&["1.5", "2"])),
        (&["SORT", "l", "LIMIT", "-5", "2"], bulks(&["1", "1.5"])),
        (&["SORT", "l", "LIMIT", "3", "-1"], bulks(&["3", "10"])),
        (&["SORT", "l", "LIMIT", "10", "1"], bulks(&[])),
        (&["SORT", "l", "LIMIT", "0", "0"], bulks(&[])),
        (
            &["SORT", "l", "ASC", "DESC", "ASC"],
            bulks(&["1", "1.5", "2", "3", "10"]),
        ),
        (
            &["SORT_RO", "l", "DESC", "LIMIT", "0", "2"],
            bulks(&["10", "3"]),
        ),
        (&["SORT", "missing"], bulks(&[])),
    ]);
}

#[test]
fn nosort_keeps_native_order() {
    let mut h = Harness::default();
    h.check(&[
        (&["RPUSH", "l", "3", "1", "2", "10", "1.5"], int(5)),
        (
            &["SORT", "l", "BY", "nosort"],
            bulks(&["3", "1", "2", "10", "1.5"]),
        ),
        (
            &["SORT", "l", "BY", "nosort", "DESC", "LIMIT", "1", "2"],
            bulks(&["10", "2"]),
        ),
        (
            &["ZADD", "z", "3", "a", "1", "b", "2", "c", "1", "d"],
            int(4),
        ),
        (&["SORT", "z", "BY", "nosort"], bulks(&["b", "d", "c", "a"])),
        (
            &["SORT", "z", "BY", "nosort", "DESC"],
            bulks(&["a", "c", "d", "b"]),
        ),
        (
            &["SORT", "z", "BY", "nosort", "LIMIT", "1", "2"],
            bulks(&["d", "c"]),
        ),
        (
            &["SORT", "z", "BY", "nosort", "DESC", "LIMIT", "1", "2"],
            bulks(&["c", "d"]),
        ),
        // A later BY with a pattern does not turn sorting back on.
        (
            &["SORT", "z", "BY", "x", "BY", "w_*"],
            bulks(&["b", "d", "c", "a"]),
        ),
        (&["SORT", "z", "ALPHA"], bulks(&["a", "b", "c", "d"])),
        (&["SORT", "z"], not_double()),
    ]);
}

#[test]
fn by_and_get_patterns() {
    let mut h = Harness::default();
    h.check(&[
        (&["RPUSH", "l", "3", "1", "2", "10", "1.5"], int(5)),
        (
            &["MSET", "w_3", "30", "w_1", "10", "w_2", "5", "w_10", "x"],
            Reply::Ok,
        ),
        (&["SORT", "l", "BY", "w_*"], not_double()),
        // Missing BY values come first; the rest compare as text.
        (
            &["SORT", "l", "BY", "w_*", "ALPHA"],
            bulks(&["1.5", "1", "3", "2", "10"]),
        ),
        (&["SET", "w_10", "-1"], Reply::Ok),
        // A missing BY value is 0; ties are ordered by the elements' bytes.
        (
            &["SORT", "l", "BY", "w_*"],
            bulks(&["10", "1.5", "2", "1", "3"]),
        ),
        (
            &[
                "SORT", "l", "BY", "w_*", "GET", "#", "GET", "w_*", "LIMIT", "0", "2",
            ],
            Reply::Array(vec![bulk("10"), bulk("-1"), bulk("1.5"), Reply::Nil]),
        ),
        (
            &["SORT", "l", "GET", "nostar", "LIMIT", "0", "1"],
            Reply::Array(vec![Reply::Nil]),
        ),
        (&["HSET", "h_1", "f", "a"], int(1)),
        (&["HSET", "h_3", "f", "c", "g", "b"], int(2)),
        (
            &[
                "SORT", "l", "BY", "h_*->f", "ALPHA", "GET", "h_*->f", "GET", "h_*->g",
            ],
            Reply::Array(vec![
                Reply::Nil,
                Reply::Nil,
                Reply::Nil,
                Reply::Nil,
                Reply::Nil,
                Reply::Nil,
                bulk("a"),
                Reply::Nil,
                bulk("c"),
                bulk("b"),
            ]),
        ),
        // A key of the wrong type is a missing value, not an error.
        (
            &["SORT", "l", "GET", "l", "GET", "h_*", "LIMIT", "0", "1"],
            Reply::Array(vec![Reply::Nil, Reply::Nil]),
        ),
        // `->` at the end is part of the key name.
        (&["SET", "k_1->", "v"], Reply::Ok),
        (
            &["SORT", "l", "GET", "k_*->", "LIMIT", "0", "1"],
            Reply::Array(vec![bulk("v")]),
        ),
    ]);
}

#[test]
fn scores_follow_strtod() {
    let mut h = Harness::default();
    h.check(&[
        (
            &["RPUSH", "e", "", "1", " 2", "0x10", "-inf", "1e3"],
            int(6),
        ),
        (
            &["SORT", "e"],
            bulks(&["-inf", "", "1", " 2", "0x10", "1e3"]),
        ),
        (&["RPUSH", "bad", "1", "2 "], int(2)),
        (&["SORT", "bad"], not_double()),
        (&["RPUSH", "nan", "nan"], int(1)),
        (&["SORT", "nan"], not_double()),
        (&["RPUSH", "big", "1e400"], int(1)),
        (&["SORT", "big"], not_double()),
        (&["RPUSH", "tiny", "1e-310"], int(1)),
        (&["SORT", "tiny"], not_double()),
    ]);
}

#[test]
fn errors() {
    let mut h = Harness::default();
    h.check(&[
        (&["RPUSH", "l", "1"], int(1)),
        (&["SET", "s", "x"], Reply::Ok),
        (&["SORT", "s"], error(ReplyError::WrongType)),
        // Options are parsed before the key is looked up.
        (
            &["SORT", "s", "LIMIT", "x", "y"],
            error(ReplyError::NotInteger),
        ),
        (&["SORT", "s", "foo"], error(ReplyError::Syntax)),
        (&["SORT", "l", "LIMIT", "1"], error(ReplyError::Syntax)),
        (&["SORT", "l", "STORE"], error(ReplyError::Syntax)),
        (&["SORT", "l", "GET"], error(ReplyError::Syntax)),
        (&["SORT_RO", "l", "STORE", "d"], error(ReplyError::Syntax)),
        (&["SORT"], error(ReplyError::wrong_arity(b"sort"))),
        (&["SORT_RO"], error(ReplyError::wrong_arity(b"sort_ro"))),
    ]);
}

#[test]
fn sets_and_store() {
    let mut h = Harness::default();
    h.check(&[
        (&["SADD", "s", "5", "3", "9", "1"], int(4)),
        (&["SORT", "s"], bulks(&["1", "3", "5", "9"])),
        (
            &["SORT", "s", "DESC", "LIMIT", "1", "2"],
            bulks(&["5", "3"]),
        ),
        // A set stored with BY nosort is sorted alphabetically.
        (&["SADD", "t", "b", "10", "a", "9"], int(4)),
        (&["SORT", "t", "BY", "nosort", "STORE", "d"], int(4)),
        (&["LRANGE", "d", "0", "-1"], bulks(&["10", "9", "a", "b"])),
        (&["SET", "st", "1", "EX", "100"], Reply::Ok),
        (&["SORT", "s", "STORE", "st"], int(4)),
        (&["TTL", "st"], int(-1)),
        (&["TYPE", "st"], Reply::simple("list")),
        (&["LRANGE", "st", "0", "-1"], bulks(&["1", "3", "5", "9"])),
        // Missing GET values are stored as empty strings.
        (
            &[
                "SORT", "s", "GET", "nope", "GET", "#", "LIMIT", "0", "1", "STORE", "d",
            ],
            int(2),
        ),
        (&["LRANGE", "d", "0", "-1"], bulks(&["", "1"])),
        // No result deletes the destination.
        (&["SORT", "missing", "STORE", "d"], int(0)),
        (&["EXISTS", "d"], int(0)),
        // A failed sort stores nothing.
        (&["SORT", "t", "STORE", "st"], not_double()),
        (&["LLEN", "st"], int(4)),
        // Sorting a list into itself.
        (&["RPUSH", "l", "2", "1"], int(2)),
        (&["SORT", "l", "STORE", "l"], int(2)),
        (&["LRANGE", "l", "0", "-1"], bulks(&["1", "2"])),
    ]);
}

#[test]
fn alpha_compares_c_strings_without_store_and_bytes_with_it() {
    let mut h = Harness::default();
    h.check(&[
        (&["RPUSH", "l", "b", "a\0z", "a"], int(3)),
        // strcoll stops at the NUL byte: "a\0z" and "a" compare equal and keep their order.
        (&["SORT", "l", "ALPHA"], bulks(&["a\0z", "a", "b"])),
        (&["SORT", "l", "ALPHA", "STORE", "d"], int(3)),
        (&["LRANGE", "d", "0", "-1"], bulks(&["a", "a\0z", "b"])),
    ]);
}

#[test]
fn sort_with_store_is_a_write_call() {
    let spec = tinyredis_common::command::lookup(b"sort").unwrap();
    assert!(!spec.is_write_call(&argv(&["SORT", "l", "DESC"])));
    assert!(spec.is_write_call(&argv(&["SORT", "l", "store", "d"])));
    // A GET pattern named "store" is not the option.
    assert!(!spec.is_write_call(&argv(&["SORT", "l", "GET", "STORE"])));
    assert!(spec.is_write_call(&argv(&["SORT", "l", "GET", "#", "STORE", "d"])));
    // The key itself may be named "store".
    assert!(!spec.is_write_call(&argv(&["SORT", "store"])));
    let ro = tinyredis_common::command::lookup(b"sort_ro").unwrap();
    assert!(!ro.is_write_call(&argv(&["SORT_RO", "l", "STORE", "d"])));
}
