//! `SORT` and `SORT_RO` (Redis 7.0 `sort.c`): sorts a list, set or sorted set numerically or
//! alphabetically, by the elements or by external keys (`BY pattern`, `*` replaced by the
//! element, `key->field` for a hash field), with `LIMIT`, `ASC`/`DESC`, `GET` patterns and, for
//! SORT only, `STORE` into a list.
//!
//! The gateway sends a SORT whose arguments contain no `STORE` as a read ([`sort`]) and any other
//! as a write ([`sort_write`]), as the command table's `ReadUnlessStore` route says; SORT_RO is
//! always a read ([`sort_ro`]).
//!
//! Redis's rules kept here:
//! - options are parsed before the key is looked up, so a syntax error wins over WRONGTYPE;
//! - numeric sorting reads each value with glibc's `strtod`; a value that is not entirely a number
//!   (up to its first NUL byte), is NaN or out of range (`ERANGE`, subnormals included) fails the
//!   whole command with `ERR One or more scores can't be converted into double`; an empty value
//!   is 0, and so is a missing `BY` key;
//! - equal scores are ordered by the elements' bytes, so numeric results are deterministic;
//! - `BY` with a pattern without `*` (`nosort`) keeps the native order: list order, or the sorted
//!   set's score order, both reversed by `DESC`; a set keeps its own order, except with `STORE`,
//!   where Redis sorts it alphabetically so that the stored result is deterministic;
//! - alphabetical sorting compares with `strcoll`, which is `strcmp` (up to the first NUL byte) in
//!   the C locale this server runs in, and by whole bytes with `STORE`;
//! - `GET #` is the element, `GET` of a missing key, a key of another type or a pattern without
//!   `*` is nil (an empty string in a stored list).
//!
//! Sorting is stable, as glibc's `qsort` (a merge sort) is, so elements whose `BY ... ALPHA` values
//! compare equal stay in their loading order. Nothing here reads a clock or a random source.

use std::cmp::Ordering;

use bytes::Bytes;
use tinyredis_common::Reply;
use tinyredis_common::ReplyError;

use crate::commands::ReadCtx;
use crate::commands::WriteCtx;
use crate::commands::args::i64_arg;
use crate::commands::args::is_option;
use crate::commands::zset::parse::strtod;
use crate::keyspace::Db;
use crate::keyspace::Value;
use crate::keyspace::compact::CompactBytes;
use crate::keyspace::list::List;

/// `SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA]` on the read
/// path: the gateway routes SORT here only when no argument is `STORE`.
pub fn sort(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    match parse(argv, false) {
        Ok(opts) if opts.store.is_some() => Reply::Error(ReplyError::err(
            "write command cannot be executed as a read",
        )),
        Ok(opts) => reply(run(db, &argv[1], &opts, ctx.now_ms)),
        Err(err) => Reply::Error(err),
    }
}

/// `SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA]`: SORT
/// without `STORE` (which is a syntax error here).
pub fn sort_ro(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    match parse(argv, true) {
        Ok(opts) => reply(run(db, &argv[1], &opts, ctx.now_ms)),
        Err(err) => Reply::Error(err),
    }
}

/// `SORT ... [STORE destination]` applied from the log: with `STORE`, replaces `destination` by a
/// list of the results (without TTL), or deletes it when there are none, and replies their count.
pub fn sort_write(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    let opts = match parse(argv, false) {
        Ok(opts) => opts,
        Err(err) => return Reply::Error(err),
    };
    let results = match run(db, &argv[1], &opts, ctx.now_ms) {
        Ok(results) => results,
        Err(err) => return Reply::Error(err),
    };
    let Some(dest) = &opts.store else {
        return reply(Ok(results));
    };
    let n_results = results.len() as i64;
    if results.is_empty() {
        db.remove(dest);
    } else {
        // The results are stored values (elements, looked-up values) or empty strings: owned
        // data, never slices of the request.
        let list: List = results.into_iter().map(Option::unwrap_or_default).collect();
        db.insert(dest, Value::List(Box::new(list)), None);
    }
    Reply::Integer(n_results)
}

/// The parsed options of a SORT.
#[derive(Debug, Default)]
struct SortOptions {
    desc: bool,
    alpha: bool,
    limit_start: i64,
    /// `-1`: no limit.
    limit_count: i64,
    store: Option<Bytes>,
    by: Option<Bytes>,
    /// Set by a `BY` pattern without `*`: keep the native order.
    dont_sort: bool,
    gets: Vec<Bytes>,
}

/// Parses the options after the key as `sortCommandGeneric` does: the first bad option replies
/// (a non-integer LIMIT argument with `ERR value is not an integer or out of range`, anything
/// else with `ERR syntax error`); `STORE` is unknown to SORT_RO (`readonly`).
fn parse(argv: &[Bytes], readonly: bool) -> Result<SortOptions, ReplyError> {
    let mut opts = SortOptions {
        limit_count: -1,
        ..SortOptions::default()
    };
    let mut idx = 2;
    while idx < argv.len() {
        let opt = &argv[idx];
        let n_left = argv.len() - idx - 1;
        if is_option(opt, "ASC") {
            opts.desc = false;
        } else if is_option(opt, "DESC") {
            opts.desc = true;
        } else if is_option(opt, "ALPHA") {
            opts.alpha = true;
        } else if is_option(opt, "LIMIT") && n_left >= 2 {
            opts.limit_start = i64_arg(&argv[idx + 1])?;
            opts.limit_count = i64_arg(&argv[idx + 2])?;
            idx += 2;
        } else if !readonly && is_option(opt, "STORE") && n_left >= 1 {
            opts.store = Some(argv[idx + 1].clone());
            idx += 1;
        } else if is_option(opt, "BY") && n_left >= 1 {
            let pattern = &argv[idx + 1];
            // Once a BY without `*` was seen the sort stays off, as in Redis.
            opts.dont_sort |= !c_str(pattern).contains(&b'*');
            opts.by = Some(pattern.clone());
            idx += 1;
        } else if is_option(opt, "GET") && n_left >= 1 {
            opts.gets.push(argv[idx + 1].clone());
            idx += 1;
        } else {
            return Err(ReplyError::Syntax);
        }
        idx += 1;
    }
    Ok(opts)
}

/// Turns the results into SORT's array reply: bulk strings, nil for a missing GET value.
fn reply(results: Result<Vec<Option<Bytes>>, ReplyError>) -> Reply {
    match results {
        Ok(results) => Reply::Array(results.into_iter().map(Reply::from).collect()),
        Err(err) => Reply::Error(err),
    }
}

/// One element to sort and its sort key.
struct Item {
    element: Bytes,
    /// The numeric sort key (0 when the BY key is missing).
    score: f64,
    /// The alphabetical sort key of `BY ... ALPHA` (`None` when the BY key is missing).
    by_value: Option<Bytes>,
}

/// How two [`Item`]s compare, fixed for one SORT.
#[derive(Debug, Clone, Copy)]
struct Order {
    alpha: bool,
    by_pattern: bool,
    /// With STORE, Redis compares bytes instead of collating.
    binary: bool,
    desc: bool,
}

impl Order {
    /// `sortCompare`.
    fn compare(self, a: &Item, b: &Item) -> Ordering {
        let cmp = if !self.alpha {
            // Scores are never NaN here: such a value fails the command before sorting.
            match a.score.partial_cmp(&b.score) {
                Some(Ordering::Equal) | None => a.element.cmp(&b.element),
                Some(order) => order,
            }
        } else if self.by_pattern {
            match (&a.by_value, &b.by_value) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
                (Some(x), Some(y)) => self.compare_text(x, y),
            }
        } else {
            self.compare_text(&a.element, &b.element)
        };
        if self.desc { cmp.reverse() } else { cmp }
    }

    fn compare_text(self, a: &[u8], b: &[u8]) -> Ordering {
        if self.binary {
            a.cmp(b)
        } else {
            c_str(a).cmp(c_str(b))
        }
    }
}

/// Runs the sort and returns the results in output order: with GET patterns, one value per
/// pattern per element, `None` where a GET finds nothing.
fn run(
    db: &Db,
    key: &[u8],
    opts: &SortOptions,
    now_ms: u64,
) -> Result<Vec<Option<Bytes>>, ReplyError> {
    let mut dont_sort = opts.dont_sort;
    let mut alpha = opts.alpha;
    let mut by = opts.by.as_ref();
    let value = db.get_value(key, now_ms);
    // Loading order: list order; the set's order; the sorted set's score order when it is not
    // sorted again (reversed by DESC for both ordered types), else its member order.
    let elements: Vec<Bytes> = match value {
        None => Vec::new(),
        Some(Value::List(list)) if dont_sort && opts.desc => list.iter().rev().cloned().collect(),
        Some(Value::List(list)) => list.iter().cloned().collect(),
        Some(Value::Set(set)) => {
            if dont_sort && opts.store.is_some() {
                // A stored result must not depend on a set's internal order: sort by the
                // elements, alphabetically.
                dont_sort = false;
                alpha = true;
                by = None;
            }
            set.iter()
                .map(|(member, ())| member.member.clone())
                .collect()
        }
        Some(Value::ZSet(zset)) if dont_sort && opts.desc => zset
            .iter()
            .rev()
            .map(|(member, _)| member.clone())
            .collect(),
        Some(Value::ZSet(zset)) if dont_sort => {
            zset.iter().map(|(member, _)| member.clone()).collect()
        }
        Some(Value::ZSet(zset)) => zset
            .members()
            .iter()
            .map(|(member, _)| member.member.clone())
            .collect(),
        Some(_) => return Err(ReplyError::WrongType),
    };
    let (start, end) = limit_range(opts.limit_start, opts.limit_count, elements.len());

    let elements = if dont_sort {
        elements
    } else {
        let mut items = Vec::with_capacity(elements.len());
        for element in elements {
            let by_value = match by {
                Some(pattern) => lookup_by_pattern(db, pattern, &element, now_ms),
                None => Some(element.clone()),
            };
            let mut item = Item {
                element,
                score: 0.0,
                by_value: None,
            };
            if let Some(by_value) = by_value {
                if alpha {
                    item.by_value = by.is_some().then_some(by_value);
                } else {
                    item.score = sort_score(&by_value).ok_or_else(|| {
                        ReplyError::err("One or more scores can't be converted into double")
                    })?;
                }
            }
            items.push(item);
        }
        let order = Order {
            alpha,
            by_pattern: by.is_some(),
            binary: opts.store.is_some(),
            desc: opts.desc,
        };
        items.sort_by(|a, b| order.compare(a, b));
        items.into_iter().map(|item| item.element).collect()
    };

    let selected = elements.get(start..end).unwrap_or_default();
    if opts.gets.is_empty() {
        return Ok(selected.iter().cloned().map(Some).collect());
    }
    let mut results = Vec::with_capacity(selected.len() * opts.gets.len());
    for element in selected {
        for pattern in &opts.gets {
            results.push(lookup_by_pattern(db, pattern, element, now_ms));
        }
    }
    Ok(results)
}

/// Applies LIMIT as Redis does (negative offsets count as 0, a negative count as no limit) and
/// returns the selected positions as a half-open range of a vector of `len` elements.
fn limit_range(limit_start: i64, limit_count: i64, len: usize) -> (usize, usize) {
    let len = len as i64;
    let start = limit_start.clamp(0, len);
    let count = limit_count.clamp(-1, len);
    let end = if count < 0 { len } else { start + count };
    let (start, end) = (start.min(len), end.min(len));
    // Both are within 0..=len here.
    (start as usize, end.max(start) as usize)
}

/// Reads a numeric sort key as Redis does with `strtod`: the number must end the value (or be
/// followed by a NUL byte), and must not be NaN or out of range (glibc also reports `ERANGE` for
/// inexact subnormal results, which decimal texts always are).
fn sort_score(text: &[u8]) -> Option<f64> {
    let parsed = strtod(text);
    let whole = text.get(parsed.len).is_none_or(|&b| b == 0);
    let in_range = !parsed.erange && !parsed.value.is_subnormal();
    (whole && in_range && !parsed.value.is_nan()).then_some(parsed.value)
}

/// Redis's `lookupKeyByPattern`: `#` is the element itself; otherwise the first `*` of the
/// pattern is replaced by the element and the key's string value is returned, or, when the
/// pattern continues with `->field` after the `*`, that field of the key's hash. A pattern
/// without `*`, a missing key or a key of another type give `None`. The pattern is searched as a
/// C string (up to its first NUL byte), as Redis does.
fn lookup_by_pattern(db: &Db, pattern: &Bytes, element: &Bytes, now_ms: u64) -> Option<Bytes> {
    let text = c_str(pattern);
    if text == b"#" {
        return Some(element.clone());
    }
    let star = text.iter().position(|&b| b == b'*')?;
    let field_at = text[star + 1..]
        .windows(2)
        .position(|w| w == b"->")
        .map(|pos| star + 1 + pos)
        .filter(|&at| at + 2 < text.len());
    let key_end = field_at.unwrap_or(pattern.len());
    let mut key = Vec::with_capacity(key_end - 1 + element.len());
    key.extend_from_slice(&pattern[..star]);
    key.extend_from_slice(element);
    key.extend_from_slice(&pattern[star + 1..key_end]);
    let value = db.get_value(&key, now_ms)?;
    match field_at {
        Some(at) => value.as_hash()?.get(&pattern.slice(at + 2..)),
        None => value.as_string().map(CompactBytes::to_bytes),
    }
}

/// The bytes a C function sees: up to the first NUL byte.
fn c_str(bytes: &[u8]) -> &[u8] {
    bytes.split(|&b| b == 0).next().unwrap_or_default()
}

#[cfg(test)]
mod sort_test;
