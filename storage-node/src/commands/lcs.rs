//! `LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]` (Redis 7.0 `lcsCommand` in
//! `t_string.c`): the longest common subsequence of two strings.
//!
//! Redis fills a table of `(len1 + 1) × (len2 + 1)` 32-bit LCS lengths and walks it back from the
//! end. It refuses a table larger than `proto-max-bulk-len` (512 MB), and so does this module, with
//! Redis's error, so the same inputs succeed or fail as in Redis. The table itself is smaller here:
//! lengths are kept for two rows only, and the walk back needs just one bit per cell (which of the
//! two neighbours holds the longer LCS, the only thing Redis reads from its table there), so the
//! largest allowed input needs 16 MB instead of 512 MB, and LEN alone needs two rows. The walk,
//! including its tie-breaking and the order and shape of the IDX ranges, is Redis's, step for step.

use bytes::Bytes;
use tinyredis_common::Reply;
use tinyredis_common::ReplyError;

use crate::commands::ReadCtx;
use crate::commands::args::i64_arg;
use crate::commands::args::is_option;
use crate::commands::string::PROTO_MAX_BULK_LEN;
use crate::keyspace::Db;
use crate::keyspace::Value;

/// The options of LCS after the two keys.
#[derive(Debug, Default, PartialEq, Eq)]
struct LcsOptions {
    len: bool,
    idx: bool,
    with_match_len: bool,
    min_match_len: u64,
}

impl LcsOptions {
    /// Parses the options as `lcsCommand`: flags in any order and repeatable, `MINMATCHLEN` with an
    /// integer (a negative one is 0); anything else is a syntax error.
    fn parse(opts: &[Bytes]) -> Result<LcsOptions, ReplyError> {
        let mut res = LcsOptions::default();
        let mut idx = 0;
        while idx < opts.len() {
            let opt = &opts[idx][..];
            if is_option(opt, "IDX") {
                res.idx = true;
            } else if is_option(opt, "LEN") {
                res.len = true;
            } else if is_option(opt, "WITHMATCHLEN") {
                res.with_match_len = true;
            } else if is_option(opt, "MINMATCHLEN") && idx + 1 < opts.len() {
                res.min_match_len = i64_arg(&opts[idx + 1])?.max(0).unsigned_abs();
                idx += 1;
            } else {
                return Err(ReplyError::Syntax);
            }
            idx += 1;
        }
        Ok(res)
    }
}

/// `LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]`.
///
/// Missing keys are empty strings; a key of another type is an error (checked before the
/// options). Replies the LCS as a bulk string, its length with LEN, or with IDX a map of
/// `matches` (ranges `[[start1, end1], [start2, end2]]`, plus the length with WITHMATCHLEN, from the
/// end of the strings backwards, only those at least MINMATCHLEN long) and `len`.
pub fn lcs(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    let value = |key: &[u8]| match db.get_value(key, ctx.now_ms) {
        None => Some(Bytes::new()),
        Some(Value::String(bytes, _)) => Some(bytes.to_bytes()),
        Some(_) => None,
    };
    let (Some(a), Some(b)) = (value(&argv[1]), value(&argv[2])) else {
        return Reply::Error(ReplyError::err(
            "The specified keys must contain string values",
        ));
    };
    let opts = match LcsOptions::parse(&argv[3..]) {
        Ok(opts) => opts,
        Err(err) => return Reply::Error(err),
    };
    if opts.len && opts.idx {
        return Reply::Error(ReplyError::err(
            "If you want both the length and indexes, please just use IDX.",
        ));
    }
    if a.len() as u64 >= u64::from(u32::MAX - 1) || b.len() as u64 >= u64::from(u32::MAX - 1) {
        return Reply::Error(ReplyError::err("String too long for LCS"));
    }
    // Redis's table: (len1 + 1) × (len2 + 1) cells of 4 bytes, at most proto-max-bulk-len.
    let cells = (a.len() as u64 + 1) * (b.len() as u64 + 1);
    if cells * 4 > PROTO_MAX_BULK_LEN {
        return Reply::Error(ReplyError::err(
            "Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len",
        ));
    }

    if opts.len {
        return Reply::Integer(lcs_len(&a, &b) as i64);
    }
    let table = Table::build(&a, &b);
    let walk = table.walk(&a, &b, &opts);
    if !opts.idx {
        return Reply::Bulk(Bytes::from(walk.lcs));
    }
    let matches = walk
        .matches
        .iter()
        .map(|m| {
            let mut item = vec![
                Reply::Array(vec![int(m.a_start), int(m.a_end)]),
                Reply::Array(vec![int(m.b_start), int(m.b_end)]),
            ];
            if opts.with_match_len {
                item.push(int(m.a_end - m.a_start + 1));
            }
            Reply::Array(item)
        })
        .collect();
    Reply::Map(vec![
        (Reply::bulk(&b"matches"[..]), Reply::Array(matches)),
        (Reply::bulk(&b"len"[..]), int(table.len)),
    ])
}

fn int(n: usize) -> Reply {
    Reply::Integer(n as i64)
}

/// The LCS length alone, with two rows of the table.
fn lcs_len(a: &[u8], b: &[u8]) -> usize {
    let mut prev = vec![0u32; b.len() + 1];
    let mut cur = vec![0u32; b.len() + 1];
    for &x in a {
        for (j, &y) in b.iter().enumerate() {
            cur[j + 1] = if x == y {
                prev[j] + 1
            } else {
                prev[j + 1].max(cur[j])
            };
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()] as usize
}

/// What the walk back needs from Redis's table: for every cell `(i, j)` (1-based) whose bytes
/// differ, whether `LCS(i-1, j) > LCS(i, j-1)`, one bit per cell; and the LCS length.
struct Table {
    /// Bit `(i - 1) * len2 + (j - 1)`.
    up: Vec<u64>,
    len2: usize,
    len: usize,
}

impl Table {
    fn build(a: &[u8], b: &[u8]) -> Table {
        let len2 = b.len();
        let mut up = vec![0u64; (a.len() * len2).div_ceil(64)];
        let mut prev = vec![0u32; len2 + 1];
        let mut cur = vec![0u32; len2 + 1];
        for (i, &x) in a.iter().enumerate() {
            for (j, &y) in b.iter().enumerate() {
                cur[j + 1] = if x == y {
                    prev[j] + 1
                } else {
                    let (above, left) = (prev[j + 1], cur[j]);
                    if above > left {
                        let bit = i * len2 + j;
                        up[bit / 64] |= 1 << (bit % 64);
                    }
                    above.max(left)
                };
            }
            std::mem::swap(&mut prev, &mut cur);
        }
        Table {
            up,
            len2,
            len: prev[len2] as usize,
        }
    }

    /// Returns true when `LCS(i-1, j) > LCS(i, j-1)` (1-based `i`, `j`).
    fn up(&self, i: usize, j: usize) -> bool {
        let bit = (i - 1) * self.len2 + (j - 1);
        self.up[bit / 64] & (1 << (bit % 64)) != 0
    }

    /// Walks the table back from the end as `lcsCommand` does, collecting the LCS and the ranges
    /// of contiguous matches (those at least `min_match_len` long when given).
    fn walk(&self, a: &[u8], b: &[u8], opts: &LcsOptions) -> Walk {
        let mut lcs = vec![0u8; self.len];
        let mut matches = Vec::new();
        let mut idx = self.len;
        let (mut i, mut j) = (a.len(), b.len());
        // `a.len()` as `a_start` means "no current range", as in Redis.
        let none = a.len();
        let mut range = Range {
            a_start: none,
            a_end: 0,
            b_start: 0,
            b_end: 0,
        };
        while i > 0 && j > 0 {
            let mut emit = false;
            if a[i - 1] == b[j - 1] {
                lcs[idx - 1] = a[i - 1];
                if range.a_start == none {
                    range = Range {
                        a_start: i - 1,
                        a_end: i - 1,
                        b_start: j - 1,
                        b_end: j - 1,
                    };
                } else if range.a_start == i && range.b_start == j {
                    range.a_start -= 1;
                    range.b_start -= 1;
                } else {
                    emit = true;
                }
                if range.a_start == 0 || range.b_start == 0 {
                    emit = true;
                }
                idx -= 1;
                i -= 1;
                j -= 1;
            } else {
                if self.up(i, j) {
                    i -= 1;
                } else {
                    j -= 1;
                }
                if range.a_start != none {
                    emit = true;
                }
            }
            if emit {
                let match_len = (range.a_end - range.a_start + 1) as u64;
                if opts.idx && (opts.min_match_len == 0 || match_len >= opts.min_match_len) {
                    matches.push(range);
                }
                range.a_start = none;
            }
        }
        Walk { lcs, matches }
    }
}

/// A range of contiguous matches, inclusive, in both strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Range {
    a_start: usize,
    a_end: usize,
    b_start: usize,
    b_end: usize,
}

/// The result of the walk back.
struct Walk {
    lcs: Vec<u8>,
    matches: Vec<Range>,
}

#[cfg(test)]
mod lcs_test;
