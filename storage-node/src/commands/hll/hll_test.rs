//! Tables recorded from redis-server 7.0.15 (Debian's build, with the CVE-2025-32023 fix): the
//! replies and the raw HLL bytes are Redis's, byte for byte.

use std::ops::RangeInclusive;

use tinyredis_common::Reply;
use tinyredis_common::ReplyError;

use crate::commands::test_util::*;

#[test]
fn pfadd_pfcount_pfmerge_pfdebug() {
    let mut h = Harness::default();
    h.check_escaped(&[
        (&["PFADD", "h"], int(1)),
        (&["GET", "h"], raw("HYLL\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x80\\x7f\\xff")),
        (&["PFCOUNT", "h"], int(0)),
        (&["GET", "h"], raw("HYLL\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x7f\\xff")),
        (&["PFADD", "h", "a", "b", "c"], int(1)),
        (&["PFADD", "h", "a", "b", "c"], int(0)),
        (&["GET", "h"], raw("HYLL\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x80`\\xf3\\x80P\\xb1\\x84K\\xfb\\x80BZ")),
        (&["PFCOUNT", "h"], int(3)),
        (&["GET", "h"], raw("HYLL\\x01\\x00\\x00\\x00\\x03\\x00\\x00\\x00\\x00\\x00\\x00\\x00`\\xf3\\x80P\\xb1\\x84K\\xfb\\x80BZ")),
        (&["PFADD", "h", ""], int(1)),
        (&["PFCOUNT", "h"], int(4)),
        (&["PFADD", "h2", "b", "c", "d"], int(1)),
        (&["PFADD", "h3", "c", "d", "e", "e", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z"], int(1)),
        (&["GET", "h3"], raw("HYLL\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x80DE\\x8cB&\\x80@\\x89\\x88F\\xe8\\x94Au\\x84@\\xec\\x84\\x0e\\x80@\\xc4\\x84D\\x90\\x94Df\\x80Bb\\x80D<\\x848\\x80@\\x8f\\x80A\\xac\\x80G\\xd1\\x80C\\xb0\\x80D\\xeb\\x8cC\\x93\\x84C\\x18\\x88@\\xdf\\x80D?\\x80@~\\x84\\x08")),
        (&["PFCOUNT", "h", "h2", "h3"], int(26)),
        (&["PFCOUNT", "h", "h2", "nokey"], int(5)),
        (&["PFCOUNT", "nokey"], int(0)),
        (&["PFCOUNT", "nokey", "nokey2"], int(0)),
        (&["PFMERGE", "m", "h", "h2"], Reply::Ok),
        (&["GET", "m"], raw("HYLL\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x80W1\\x84EH\\x80Dv\\x80P\\xb1\\x84K\\xfb\\x80BZ")),
        (&["PFCOUNT", "m"], int(5)),
        (&["PFMERGE", "m", "h3"], Reply::Ok),
        (&["PFCOUNT", "m"], int(26)),
        (&["PFMERGE", "empty"], Reply::Ok),
        (&["GET", "empty"], raw("HYLL\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x80\\x7f\\xff")),
        (&["PFMERGE", "empty2", "nokey"], Reply::Ok),
        (&["PFCOUNT", "empty2"], int(0)),
        (&["SET", "s", "foo"], Reply::Ok),
        (&["PFADD", "s", "a"], error(ReplyError::NotHll)),
        (&["PFCOUNT", "s"], error(ReplyError::NotHll)),
        (&["PFCOUNT", "h", "s"], error(ReplyError::NotHll)),
        (&["PFMERGE", "m", "s"], error(ReplyError::NotHll)),
        (&["PFMERGE", "s", "h"], error(ReplyError::NotHll)),
        (&["SET", "n", "123456789012345678"], Reply::Ok),
        (&["PFADD", "n", "a"], error(ReplyError::NotHll)),
        (&["LPUSH", "l", "a"], int(1)),
        (&["PFADD", "l", "a"], error(ReplyError::WrongType)),
        (&["PFCOUNT", "l"], error(ReplyError::WrongType)),
        (&["PFCOUNT", "h", "l"], error(ReplyError::WrongType)),
        (&["PFMERGE", "l", "h"], error(ReplyError::WrongType)),
        (&["PFMERGE", "m", "l"], error(ReplyError::WrongType)),
        (&["SET", "bad", "HYLL\\x02\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00"], Reply::Ok),
        (&["PFCOUNT", "bad"], error(ReplyError::NotHll)),
        (&["SET", "bad", "HYLL\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x7f\\xff"], Reply::Ok),
        (&["PFCOUNT", "bad"], error(ReplyError::NotHll)),
        (&["SET", "bad", "HYLL\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x80\\x7f\\xff\\x00"], Reply::Ok),
        (&["PFCOUNT", "bad"], error(ReplyError::CorruptHll)),
        (&["PFCOUNT", "bad", "h"], error(ReplyError::CorruptHll)),
        (&["PFADD", "bad", "x"], int(1)),
        (&["PFMERGE", "m", "bad"], error(ReplyError::CorruptHll)),
        (&["SET", "bad", "HYLL\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x80\\x7f\\xfe"], Reply::Ok),
        (&["PFCOUNT", "bad"], error(ReplyError::CorruptHll)),
        (&["PFADD", "bad", "x"], int(1)),
        (&["GET", "bad"], raw("HYLL\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x80\\x7f\\xf5\\x84\\x07")),
        (&["SET", "bad", "HYLL\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x80\\x7f\\xff\\x80"], Reply::Ok),
        (&["PFCOUNT", "bad"], error(ReplyError::CorruptHll)),
        (&["PFCOUNT", "bad", "bad"], error(ReplyError::CorruptHll)),
        (&["SET", "bad", "HYLL\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x80\\x7f\\xfe\\x80"], Reply::Ok),
        (&["PFCOUNT", "bad"], int(1)),
        (&["GET", "bad"], raw("HYLL\\x01\\x00\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x7f\\xfe\\x80")),
        (&["SET", "bad", "HYLL\\x01\\x00\\x00\\x00\\x05\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x7f\\xff"], Reply::Ok),
        (&["PFCOUNT", "bad"], int(5)),
        (&["SET", "bad", "HYLL\\x01\\x00\\x00\\x00\\x05\\x00\\x00\\x00\\x00\\x00\\x00\\x80\\x7f\\xff"], Reply::Ok),
        (&["PFCOUNT", "bad"], int(0)),
        (&["GET", "bad"], raw("HYLL\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x7f\\xff")),
        (&["PFDEBUG", "ENCODING", "h"], Reply::simple("sparse")),
        (&["PFDEBUG", "DECODE", "h"], bulk("Z:5938 v:2,1 Z:2497 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603")),
        (&["PFDEBUG", "FOO", "h"], err_text("Unknown PFDEBUG subcommand 'FOO'")),
        (&["PFDEBUG", "ENCODING", "nokey"], err_text("The specified key does not exist")),
        (&["PFDEBUG", "ENCODING", "s"], error(ReplyError::NotHll)),
        (&["PFDEBUG", "TODENSE", "h"], int(1)),
        (&["PFDEBUG", "ENCODING", "h"], Reply::simple("dense")),
        (&["PFDEBUG", "TODENSE", "h"], int(0)),
        (&["PFDEBUG", "DECODE", "h"], err_text("HLL encoding is not sparse")),
        (&["PFCOUNT", "h"], int(4)),
        (&["PFADD", "h", "a", "z"], int(1)),
        (&["PFCOUNT", "h"], int(5)),
    ]);
}

/// `PFADD key` with the decimal texts of `range`.
fn pfadd_range(h: &mut Harness, key: &str, range: RangeInclusive<u32>) -> Reply {
    let elements: Vec<String> = range.map(|n| n.to_string()).collect();
    let mut args = vec!["PFADD", key];
    args.extend(elements.iter().map(String::as_str));
    h.run(&args)
}

#[test]
fn sparse_to_dense_and_estimates() {
    let mut h = Harness::default();
    h.check(&[
        (&["PFADD", "one", "foo"], int(1)),
        (&["PFDEBUG", "DECODE", "one"], bulk("Z:7348 v:5,1 Z:9035")),
        (&["PFADD", "two", "0123456789abcdef"], int(1)),
        (&["PFDEBUG", "DECODE", "two"], bulk("Z:5949 v:1,1 Z:10434")),
    ]);
    assert_eq!(pfadd_range(&mut h, "big", 1..=1000), int(1));
    h.check(&[
        (&["PFDEBUG", "ENCODING", "big"], Reply::simple("sparse")),
        (&["STRLEN", "big"], int(1922)),
        (&["PFCOUNT", "big"], int(1001)),
    ]);
    assert_eq!(pfadd_range(&mut h, "big", 1001..=1600), int(1));
    h.check(&[
        (&["PFDEBUG", "ENCODING", "big"], Reply::simple("sparse")),
        (&["STRLEN", "big"], int(2926)),
        (&["PFCOUNT", "big"], int(1611)),
    ]);
    // Growing past hll-sparse-max-bytes (3000) converts to dense.
    assert_eq!(pfadd_range(&mut h, "big", 1601..=2400), int(1));
    h.check(&[
        (&["PFDEBUG", "ENCODING", "big"], Reply::simple("dense")),
        (&["STRLEN", "big"], int(12304)),
        (&["PFCOUNT", "big"], int(2407)),
    ]);
    assert_eq!(pfadd_range(&mut h, "big2", 5000..=5800), int(1));
    h.check(&[
        (&["PFCOUNT", "big", "big2"], int(3209)),
        (&["PFMERGE", "big2", "big"], Reply::Ok),
        (&["PFDEBUG", "ENCODING", "big2"], Reply::simple("dense")),
        (&["PFCOUNT", "big2"], int(3209)),
    ]);
    assert_eq!(pfadd_range(&mut h, "big3", 100_000..=120_000), int(1));
    h.check(&[
        (&["PFCOUNT", "big3"], int(20085)),
        (&["PFCOUNT", "big3", "big"], int(22548)),
    ]);
}

#[test]
fn corrupted_values_never_panic() {
    let mut h = Harness::default();
    pfadd_range(&mut h, "sparse", 1..=300);
    pfadd_range(&mut h, "dense", 1..=3000);
    // Every byte of the registers, overwritten with a few values: replies may be anything Redis
    // would reply, but nothing panics.
    for key in ["sparse", "dense"] {
        let Reply::Integer(len) = h.run(&["STRLEN", key]) else {
            panic!("no length");
        };
        let step = if key == "dense" { 211 } else { 5 };
        for pos in (16..len).step_by(step) {
            for byte in ["\\x00", "\\x40", "\\x7f", "\\xbf", "\\xff"] {
                let original = h.run(&["GET", key]);
                h.run_argv(vec![
                    unescape("SETRANGE"),
                    unescape(key),
                    unescape(&pos.to_string()),
                    unescape(byte),
                ]);
                h.run(&["PFCOUNT", key]);
                h.run(&["PFCOUNT", key, "other"]);
                h.run(&["PFADD", key, "x", "y", "z"]);
                h.run(&["PFMERGE", "dest", key]);
                h.run(&["DEL", "dest"]);
                let Reply::Bulk(original) = original else {
                    panic!("no value");
                };
                h.run_argv(vec![unescape("SET"), unescape(key), original]);
            }
        }
    }
}
