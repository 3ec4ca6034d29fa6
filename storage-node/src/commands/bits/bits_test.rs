//! Tables recorded from redis-server 7.0.15 (the replies are Redis's, byte for byte).

use tinyredis_common::Reply;
use tinyredis_common::ReplyError;

use crate::commands::test_util::*;

#[test]
fn setbit_getbit() {
    let mut h = Harness::default();
    h.check_escaped(&[
        (&["SETBIT", "k", "7", "1"], int(0)),
        (&["GETBIT", "k", "7"], int(1)),
        (&["GET", "k"], raw("\\x01")),
        (&["SETBIT", "k", "7", "0"], int(1)),
        (&["SETBIT", "k", "100", "1"], int(0)),
        (&["STRLEN", "k"], int(13)),
        (&["GETBIT", "k", "100"], int(1)),
        (&["GETBIT", "k", "1000"], int(0)),
        (&["GETBIT", "nokey", "0"], int(0)),
        (
            &["SETBIT", "k", "-1", "1"],
            err_text("bit offset is not an integer or out of range"),
        ),
        (
            &["SETBIT", "k", "x", "1"],
            err_text("bit offset is not an integer or out of range"),
        ),
        (
            &["SETBIT", "k", "4294967296", "1"],
            err_text("bit offset is not an integer or out of range"),
        ),
        (
            &["GETBIT", "k", "4294967296"],
            err_text("bit offset is not an integer or out of range"),
        ),
        (&["GETBIT", "k", "4294967295"], int(0)),
        (
            &["SETBIT", "k", "0", "2"],
            err_text("bit is not an integer or out of range"),
        ),
        (
            &["SETBIT", "k", "0", "-1"],
            err_text("bit is not an integer or out of range"),
        ),
        (
            &["SETBIT", "k", "0", "x"],
            err_text("bit is not an integer or out of range"),
        ),
        (
            &["SETBIT", "k", "x", "2"],
            err_text("bit offset is not an integer or out of range"),
        ),
        (&["SET", "n", "12"], Reply::Ok),
        (&["GETBIT", "n", "2"], int(1)),
        (&["SETBIT", "n", "7", "1"], int(1)),
        (&["GET", "n"], bulk("12")),
        (&["LPUSH", "l", "a"], int(1)),
        (&["SETBIT", "l", "0", "1"], error(ReplyError::WrongType)),
        (&["GETBIT", "l", "0"], error(ReplyError::WrongType)),
        (
            &["GETBIT", "l", "x"],
            err_text("bit offset is not an integer or out of range"),
        ),
    ]);
}

#[test]
fn bitcount() {
    let mut h = Harness::default();
    h.check_escaped(&[
        (&["BITCOUNT", "nokey"], int(0)),
        (&["BITCOUNT", "nokey", "a", "b"], int(0)),
        (&["BITCOUNT", "nokey", "1"], int(0)),
        (&["SET", "s", "foobar"], Reply::Ok),
        (&["BITCOUNT", "s"], int(26)),
        (&["BITCOUNT", "s", "0", "0"], int(4)),
        (&["BITCOUNT", "s", "1", "1"], int(6)),
        (&["BITCOUNT", "s", "1", "-2"], int(18)),
        (&["BITCOUNT", "s", "-2", "-1"], int(7)),
        (&["BITCOUNT", "s", "-1", "-2"], int(0)),
        (&["BITCOUNT", "s", "-1", "-2", "foo"], int(0)),
        (&["BITCOUNT", "s", "0", "-1", "BIT"], int(26)),
        (&["BITCOUNT", "s", "5", "30", "bit"], int(17)),
        (&["BITCOUNT", "s", "5", "30", "BYTE"], int(4)),
        (
            &["BITCOUNT", "s", "5", "30", "foo"],
            error(ReplyError::Syntax),
        ),
        (&["BITCOUNT", "s", "0"], error(ReplyError::Syntax)),
        (
            &["BITCOUNT", "s", "0", "1", "bit", "x"],
            error(ReplyError::Syntax),
        ),
        (&["BITCOUNT", "s", "a", "1"], error(ReplyError::NotInteger)),
        (&["BITCOUNT", "s", "1", "a"], error(ReplyError::NotInteger)),
        (&["BITCOUNT", "s", "-100", "100"], int(26)),
        (&["BITCOUNT", "s", "100", "200"], int(0)),
        (
            &[
                "BITCOUNT",
                "s",
                "-9223372036854775808",
                "9223372036854775807",
                "BIT",
            ],
            int(26),
        ),
        (&["SET", "e", ""], Reply::Ok),
        (&["BITCOUNT", "e"], int(0)),
        (&["BITCOUNT", "e", "0", "-1"], int(0)),
        (&["BITCOUNT", "e", "0", "-1", "BIT"], int(0)),
        (&["SET", "n", "1234"], Reply::Ok),
        (&["BITCOUNT", "n"], int(13)),
        (&["LPUSH", "l", "a"], int(1)),
        (&["BITCOUNT", "l"], error(ReplyError::WrongType)),
        (&["BITCOUNT", "l", "a"], error(ReplyError::WrongType)),
    ]);
}

#[test]
fn bitpos() {
    let mut h = Harness::default();
    h.check_escaped(&[
        (&["BITPOS", "nokey", "0"], int(0)),
        (&["BITPOS", "nokey", "1"], int(-1)),
        (
            &["BITPOS", "nokey", "2"],
            err_text("The bit argument must be 1 or 0."),
        ),
        (&["BITPOS", "nokey", "x"], error(ReplyError::NotInteger)),
        (&["SET", "s", "\\xff\\xf0\\x00"], Reply::Ok),
        (&["BITPOS", "s", "0"], int(12)),
        (&["BITPOS", "s", "1"], int(0)),
        (&["BITPOS", "s", "0", "1"], int(12)),
        (&["BITPOS", "s", "1", "2"], int(-1)),
        (&["BITPOS", "s", "1", "2", "-1"], int(-1)),
        (&["BITPOS", "s", "0", "0", "0"], int(-1)),
        (&["BITPOS", "s", "0", "0", "-1", "BIT"], int(12)),
        (&["BITPOS", "s", "0", "2", "6", "bit"], int(-1)),
        (&["BITPOS", "s", "1", "7", "15", "BIT"], int(7)),
        (&["BITPOS", "s", "1", "16", "23", "BIT"], int(-1)),
        (&["BITPOS", "s", "0", "-3", "-1", "BYTE"], int(12)),
        (
            &["BITPOS", "s", "0", "0", "0", "foo"],
            error(ReplyError::Syntax),
        ),
        (
            &["BITPOS", "s", "0", "0", "x", "foo"],
            error(ReplyError::Syntax),
        ),
        (&["BITPOS", "s", "0", "x"], error(ReplyError::NotInteger)),
        (
            &["BITPOS", "s", "0", "0", "x"],
            error(ReplyError::NotInteger),
        ),
        (&["BITPOS", "s", "1", "5", "2"], int(-1)),
        (
            &["BITPOS", "s", "0", "1", "2", "3", "4"],
            error(ReplyError::Syntax),
        ),
        (&["SET", "f", "\\xff\\xff"], Reply::Ok),
        (&["BITPOS", "f", "0"], int(16)),
        (&["BITPOS", "f", "0", "0"], int(16)),
        (&["BITPOS", "f", "0", "0", "-1"], int(-1)),
        (&["BITPOS", "f", "0", "0", "-1", "BIT"], int(-1)),
        (
            &["BITPOS", "f", "0", "3", "BIT"],
            error(ReplyError::NotInteger),
        ),
        (&["BITPOS", "f", "0", "3", "12", "BIT"], int(-1)),
        (&["BITPOS", "f", "1", "3", "12", "BIT"], int(3)),
        (&["SET", "z", "\\x00\\x00\\x00"], Reply::Ok),
        (&["BITPOS", "z", "1"], int(-1)),
        (&["BITPOS", "z", "0"], int(0)),
        (
            &["BITPOS", "z", "1", "9", "BIT"],
            error(ReplyError::NotInteger),
        ),
        (
            &["BITPOS", "z", "0", "9", "BIT"],
            error(ReplyError::NotInteger),
        ),
        (&["SET", "e", ""], Reply::Ok),
        (&["BITPOS", "e", "0"], int(-1)),
        (&["BITPOS", "e", "1"], int(-1)),
        (&["BITPOS", "e", "0", "0", "-1", "BIT"], int(-1)),
        (&["SET", "n", "5"], Reply::Ok),
        (&["BITPOS", "n", "1"], int(2)),
        (&["BITPOS", "n", "0"], int(0)),
        (&["LPUSH", "l", "a"], int(1)),
        (&["BITPOS", "l", "1"], error(ReplyError::WrongType)),
        (
            &["BITPOS", "l", "2"],
            err_text("The bit argument must be 1 or 0."),
        ),
    ]);
}

#[test]
fn bitop() {
    let mut h = Harness::default();
    h.check_escaped(&[
        (&["SET", "a", "\\x0f\\xf0"], Reply::Ok),
        (&["SET", "b", "\\xff"], Reply::Ok),
        (&["BITOP", "AND", "d", "a", "b"], int(2)),
        (&["GET", "d"], raw("\\x0f\\x00")),
        (&["BITOP", "OR", "d", "a", "b"], int(2)),
        (&["GET", "d"], raw("\\xff\\xf0")),
        (&["BITOP", "XOR", "d", "a", "b"], int(2)),
        (&["GET", "d"], raw("\\xf0\\xf0")),
        (&["BITOP", "NOT", "d", "a"], int(2)),
        (&["GET", "d"], raw("\\xf0\\x0f")),
        (
            &["BITOP", "NOT", "d", "a", "b"],
            err_text("BITOP NOT must be called with a single source key."),
        ),
        (&["BITOP", "NAND", "d", "a"], error(ReplyError::Syntax)),
        (&["BITOP", "and", "d", "a", "nokey"], int(2)),
        (&["GET", "d"], raw("\\x00\\x00")),
        (&["BITOP", "or", "d", "nokey", "nokey2"], int(0)),
        (&["EXISTS", "d"], int(0)),
        (&["SET", "d", "x"], Reply::Ok),
        (&["EXPIRE", "d", "100"], int(1)),
        (&["BITOP", "OR", "d", "a"], int(2)),
        (&["TTL", "d"], int(-1)),
        (&["SET", "n", "12"], Reply::Ok),
        (&["BITOP", "OR", "d", "n"], int(2)),
        (&["GET", "d"], bulk("12")),
        (&["LPUSH", "l", "x"], int(1)),
        (
            &["BITOP", "OR", "d", "a", "l"],
            error(ReplyError::WrongType),
        ),
        (&["GET", "d"], bulk("12")),
        (&["BITOP", "OR", "a", "a", "b"], int(2)),
        (&["GET", "a"], raw("\\xff\\xf0")),
    ]);
}

#[test]
fn setbit_and_bitfield_count_only_real_changes() {
    let mut h = Harness::default();
    let changes = |h: &mut Harness, args: &[&str]| {
        let before = h.ks.changes();
        h.run(args);
        h.ks.changes() - before
    };
    // Redis's unit/bitops "SETBIT/BITFIELD only increase dirty when the value changed".
    assert_eq!(changes(&mut h, &["SETBIT", "foo", "0", "0"]), 1, "created");
    assert_eq!(
        changes(&mut h, &["BITFIELD", "foo2", "SET", "i5", "0", "0"]),
        1
    );
    assert_eq!(changes(&mut h, &["SETBIT", "foo", "0", "0"]), 0);
    assert_eq!(
        changes(&mut h, &["BITFIELD", "foo2", "SET", "i5", "0", "0"]),
        0
    );
    assert_eq!(changes(&mut h, &["SETBIT", "foo", "0", "1"]), 1);
    assert_eq!(changes(&mut h, &["SETBIT", "foo", "0", "1"]), 0);
    assert_eq!(changes(&mut h, &["SETBIT", "foo", "100", "0"]), 1, "grown");
    assert_eq!(
        changes(
            &mut h,
            &[
                "BITFIELD", "foo2", "SET", "i5", "0", "1", "SET", "i5", "0", "1"
            ]
        ),
        1
    );
    assert_eq!(
        changes(&mut h, &["BITFIELD", "foo2", "INCRBY", "u2", "100", "0"]),
        1,
        "grown"
    );
    assert_eq!(changes(&mut h, &["BITFIELD", "foo2", "GET", "u2", "0"]), 0);
    // Any other successful write counts one; errors and reads count nothing.
    assert_eq!(changes(&mut h, &["SET", "k", "v"]), 1);
    assert_eq!(changes(&mut h, &["INCR", "k"]), 0);
    assert_eq!(changes(&mut h, &["GET", "k"]), 0);
}
