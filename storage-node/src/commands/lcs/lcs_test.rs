use tinyredis_common::Reply;
use tinyredis_common::ReplyError;

use super::LcsOptions;
use super::Table;
use super::lcs_len;
use crate::commands::test_util::*;

/// The RNA strings of Redis 7.0's `tests/unit/type/string.tcl`, with their LCS.
const RNA1: &str = "CACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGGCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTTCGTCCGGGTGTG";
const RNA2: &str = "ATTAAAGGTTTATACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGGCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTT";
const RNA_LCS: &str = "ACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGGCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTT";

/// One IDX match: `[[a_start, a_end], [b_start, b_end]]`, plus the length when given.
fn range(a: (i64, i64), b: (i64, i64), len: Option<i64>) -> Reply {
    let mut item = vec![
        Reply::Array(vec![int(a.0), int(a.1)]),
        Reply::Array(vec![int(b.0), int(b.1)]),
    ];
    item.extend(len.map(int));
    Reply::Array(item)
}

fn idx_reply(matches: Vec<Reply>, len: i64) -> Reply {
    Reply::Map(vec![
        (bulk("matches"), Reply::Array(matches)),
        (bulk("len"), int(len)),
    ])
}

#[test]
fn redis_documentation_examples() {
    let mut h = Harness::default();
    h.check(&[
        (
            &["MSET", "key1", "ohmytext", "key2", "mynewtext"],
            Reply::Ok,
        ),
        (&["LCS", "key1", "key2"], bulk("mytext")),
        (&["LCS", "key1", "key2", "LEN"], int(6)),
        (
            &["LCS", "key1", "key2", "IDX"],
            idx_reply(
                vec![range((4, 7), (5, 8), None), range((2, 3), (0, 1), None)],
                6,
            ),
        ),
        (
            &["LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4"],
            idx_reply(vec![range((4, 7), (5, 8), None)], 6),
        ),
        (
            &[
                "lcs",
                "key1",
                "key2",
                "idx",
                "minmatchlen",
                "4",
                "withmatchlen",
            ],
            idx_reply(vec![range((4, 7), (5, 8), Some(4))], 6),
        ),
    ]);
}

#[test]
fn redis_test_suite_rna() {
    let mut h = Harness::default();
    h.run(&["SET", "virus1", RNA1]);
    h.run(&["SET", "virus2", RNA2]);
    let matches = |with_len: bool| {
        let len = |n| with_len.then_some(n);
        vec![
            range((238, 238), (239, 239), len(1)),
            range((236, 236), (238, 238), len(1)),
            range((229, 230), (236, 237), len(2)),
            range((224, 224), (235, 235), len(1)),
            range((1, 222), (13, 234), len(222)),
        ]
    };
    let n = RNA_LCS.len() as i64;
    h.check(&[
        (&["LCS", "virus1", "virus2"], bulk(RNA_LCS)),
        (&["LCS", "virus1", "virus2", "LEN"], int(n)),
        (
            &["LCS", "virus1", "virus2", "IDX"],
            idx_reply(matches(false), n),
        ),
        (
            &["LCS", "virus1", "virus2", "IDX", "WITHMATCHLEN"],
            idx_reply(matches(true), n),
        ),
        (
            &[
                "LCS",
                "virus1",
                "virus2",
                "IDX",
                "WITHMATCHLEN",
                "MINMATCHLEN",
                "5",
            ],
            idx_reply(vec![range((1, 222), (13, 234), Some(222))], n),
        ),
    ]);
}

#[test]
fn missing_keys_options_and_errors() {
    let mut h = Harness::default();
    let wrong = err_text("The specified keys must contain string values");
    h.check(&[
        (&["LCS", "a", "b"], bulk("")),
        (&["LCS", "a", "b", "LEN"], int(0)),
        (&["LCS", "a", "b", "IDX"], idx_reply(vec![], 0)),
        (&["SET", "a", "abc"], Reply::Ok),
        (&["LCS", "a", "b"], bulk("")),
        (&["LCS", "a", "a"], bulk("abc")),
        (
            &["LCS", "a", "a", "IDX", "WITHMATCHLEN"],
            idx_reply(vec![range((0, 2), (0, 2), Some(3))], 3),
        ),
        // A negative MINMATCHLEN is 0; options repeat.
        (
            &["LCS", "a", "a", "IDX", "MINMATCHLEN", "-5", "IDX"],
            idx_reply(vec![range((0, 2), (0, 2), None)], 3),
        ),
        (
            &["LCS", "a", "a", "IDX", "MINMATCHLEN", "4"],
            idx_reply(vec![], 3),
        ),
        (
            &["LCS", "a", "b", "LEN", "IDX"],
            err_text("If you want both the length and indexes, please just use IDX."),
        ),
        (&["LCS", "a", "b", "FOO"], error(ReplyError::Syntax)),
        (&["LCS", "a", "b", "MINMATCHLEN"], error(ReplyError::Syntax)),
        (
            &["LCS", "a", "b", "MINMATCHLEN", "x"],
            error(ReplyError::NotInteger),
        ),
        (&["LCS", "a"], error(ReplyError::wrong_arity(b"lcs"))),
        (&["RPUSH", "l", "x"], int(1)),
        (&["LCS", "a", "l"], wrong.clone()),
        // The type is checked before the options.
        (&["LCS", "l", "a", "FOO"], wrong),
        (&["SET", "e", "abc", "PX", "10"], Reply::Ok),
    ]);
    h.advance(10);
    h.check(&[(&["LCS", "a", "e"], bulk(""))]);
}

#[test]
fn tables_larger_than_proto_max_bulk_len_are_refused() {
    let mut h = Harness::default();
    // (len + 1)^2 * 4 bytes: 11585 gives 536,941,584 bytes, over 512 MB; 11584 gives 536,848,900.
    let too_big = "x".repeat(11_585);
    h.run(&["SET", "a", &too_big]);
    let refused =
        err_text("Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
    h.check(&[
        (&["LCS", "a", "a"], refused.clone()),
        (&["LCS", "a", "a", "LEN"], refused),
    ]);
    // Just under the limit is computed: one short string against the long one.
    h.run(&["SET", "b", "yx"]);
    h.check(&[(&["LCS", "a", "b", "LEN"], int(1))]);
}

/// A plain LCS-length table, as Redis builds it, to check the bit table against.
fn reference_table(a: &[u8], b: &[u8]) -> Vec<Vec<u32>> {
    let mut t = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            t[i][j] = if a[i - 1] == b[j - 1] {
                t[i - 1][j - 1] + 1
            } else {
                t[i - 1][j].max(t[i][j - 1])
            };
        }
    }
    t
}

#[test]
fn bit_table_matches_the_full_table() {
    let mut rng = crate::keyspace::ordered::SplitMix64::new(11);
    for _ in 0..200 {
        let a: Vec<u8> = (0..rng.below(30)).map(|_| b"abc"[rng.below(3)]).collect();
        let b: Vec<u8> = (0..rng.below(30)).map(|_| b"abc"[rng.below(3)]).collect();
        let full = reference_table(&a, &b);
        let table = Table::build(&a, &b);
        assert_eq!(table.len as u32, full[a.len()][b.len()]);
        assert_eq!(lcs_len(&a, &b) as u32, full[a.len()][b.len()]);
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                if a[i - 1] != b[j - 1] {
                    assert_eq!(table.up(i, j), full[i - 1][j] > full[i][j - 1]);
                }
            }
        }
        let walk = table.walk(&a, &b, &LcsOptions::default());
        assert_eq!(walk.lcs.len(), table.len);
    }
}
