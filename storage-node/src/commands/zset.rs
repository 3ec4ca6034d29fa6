//! Sorted set commands (Redis 7.0.15 `t_zset.c`): ZADD ZINCRBY ZREM ZCARD ZSCORE ZMSCORE ZRANK
//! ZREVRANK ZCOUNT ZLEXCOUNT ZRANGE ZRANGESTORE ZREVRANGE ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX
//! ZREVRANGEBYLEX ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX ZPOPMIN ZPOPMAX ZMPOP ZRANDMEMBER
//! ZUNION ZINTER ZDIFF ZUNIONSTORE ZINTERSTORE ZDIFFSTORE ZINTERCARD ZSCAN (the blocking variants
//! are not implemented).
//!
//! Handlers are called by [`crate::commands`] after the arity check. Each one checks its arguments
//! and the key in the same order as Redis, since that order decides which error a client sees when
//! several things are wrong at once. Scores are parsed as Redis does (see [`parse`]).
//!
//! A sorted set is never stored empty: commands that remove members delete the key with its last
//! member, and the STORE forms delete the destination when the result is empty. Modifying a sorted
//! set keeps the key's TTL; a STORE form replaces the destination, TTL included.
//!
//! Replies: scores are [`Reply::Double`] wherever Redis uses `addReplyDouble`; member-score lists
//! (WITHSCORES, ZPOPMIN with a count, ZRANDMEMBER WITHSCORES) are [`Reply::Pairs`], flat in RESP2
//! and nested in RESP3, as Redis 7 sends them. ZSCAN's scores are bulk strings, as in Redis.
//!
//! Nothing is random in a write (ZPOPMIN, ZPOPMAX and ZMPOP take the ends). ZRANDMEMBER, a read,
//! draws from [`read_rng`].
//!
//! Known differences from Redis, each forced by not emulating its two encodings: a score of `-0` is
//! stored as `0` (as in Redis's listpack encoding, used up to 128 members; Redis's skiplist keeps
//! `-0`); lexicographic ranges over members of *different* scores follow the listpack walk (Redis's
//! skiplist gives other, layout-dependent answers there, which its documentation leaves undefined);
//! ZSCAN returns a sorted set of listpack size (up to 128 members of up to 64 bytes) whole and in
//! order as Redis does, and a larger one with the hash-ordered cursors of HSCAN/SSCAN (about COUNT
//! members per call, in hash order, where Redis walks its hash table); ZRANDMEMBER with a negative count is limited to
//! [`crate::commands::random::MAX_REPEATED_PICKS`] picks.

pub mod parse;

use std::collections::BTreeMap;

use bytes::Bytes;
use tinyredis_common::Reply;
use tinyredis_common::ReplyError;
use tinyredis_common::num::format_double_17g;

use crate::commands::ReadCtx;
use crate::commands::WriteCtx;
use crate::commands::args::bounded_arg;
use crate::commands::args::i64_arg;
use crate::commands::args::is_option;
use crate::commands::args::mpop_args;
use crate::commands::random::parse_random_count;
use crate::commands::random::read_rng;
use crate::commands::random::sample;
use crate::commands::scan::empty_scan_reply;
use crate::commands::scan::parse_cursor;
use crate::commands::scan::parse_options;
use crate::commands::scan::scan_reply;
use crate::commands::scan::whole_scan_reply;
use crate::keyspace::Db;
use crate::keyspace::Value;
use crate::keyspace::ordered::MemberKey;
use crate::keyspace::set::Set;
use crate::keyspace::zset::LexRange;
use crate::keyspace::zset::Members;
use crate::keyspace::zset::Score;
use crate::keyspace::zset::ScoreRange;
use crate::keyspace::zset::ZSet;
use parse::parse_lex_bound;
use parse::parse_score;
use parse::parse_score_bound;

/// `ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]`: the number of members
/// added (added or changed with CH); with INCR, the new score, or nil when NX, XX, GT or LT
/// prevented the change.
pub fn zadd(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    into_reply(add(db, argv, ctx, false))
}

/// `ZINCRBY key increment member`: the member's new score (ZADD's code with INCR, so the
/// increment is first read as an option, as in Redis: `ZINCRBY k nx m` is a syntax error).
pub fn zincrby(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    into_reply(add(db, argv, ctx, true))
}

/// `ZREM key member [member ...]`: the number of members removed.
pub fn zrem(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    let key = &argv[1];
    let zset = match zset_mut(db, key, ctx.now_ms) {
        Ok(Some(zset)) => zset,
        Ok(None) => return Reply::Integer(0),
        Err(err) => return Reply::Error(err),
    };
    let mut n_removed = 0;
    for member in &argv[2..] {
        if zset.remove(member).is_some() {
            n_removed += 1;
        }
        if zset.is_empty() {
            break;
        }
    }
    delete_if_empty(db, key, ctx.now_ms);
    Reply::Integer(n_removed)
}

/// `ZCARD key`: the number of members, 0 when missing.
pub fn zcard(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    match live_zset(db, &argv[1], ctx.now_ms) {
        Ok(zset) => Reply::Integer(zset.map_or(0, |zset| zset.len() as i64)),
        Err(err) => Reply::Error(err),
    }
}

/// `ZSCORE key member`: the score, nil when the key or the member is missing.
pub fn zscore(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    match live_zset(db, &argv[1], ctx.now_ms) {
        Ok(zset) => score_reply(zset.and_then(|zset| zset.score(&argv[2]))),
        Err(err) => Reply::Error(err),
    }
}

/// `ZMSCORE key member [member ...]`: the score of each member, nil for missing ones (a missing key
/// is an empty sorted set).
pub fn zmscore(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    match live_zset(db, &argv[1], ctx.now_ms) {
        Ok(zset) => Reply::Array(
            argv[2..]
                .iter()
                .map(|member| score_reply(zset.and_then(|zset| zset.score(member))))
                .collect(),
        ),
        Err(err) => Reply::Error(err),
    }
}

/// `ZRANK key member`: the 0-based rank by ascending score, nil when missing.
pub fn zrank(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    rank(db, argv, ctx, false)
}

/// `ZREVRANK key member`: the 0-based rank by descending score, nil when missing.
pub fn zrevrank(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    rank(db, argv, ctx, true)
}

/// `ZCOUNT key min max`: the number of members with a score in the range. The range is parsed
/// before the key is looked up.
pub fn zcount(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    let range = match score_range(&argv[2], &argv[3]) {
        Ok(range) => range,
        Err(err) => return Reply::Error(err),
    };
    match live_zset(db, &argv[1], ctx.now_ms) {
        Ok(zset) => {
            Reply::Integer(zset.map_or(0, |zset| zset.score_range(range, false).count() as i64))
        }
        Err(err) => Reply::Error(err),
    }
}

/// `ZLEXCOUNT key min max`: the number of members in the lexicographic range. The range is parsed
/// before the key is looked up.
pub fn zlexcount(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    let range = match lex_range(&argv[2], &argv[3]) {
        Ok(range) => range,
        Err(err) => return Reply::Error(err),
    };
    match live_zset(db, &argv[1], ctx.now_ms) {
        Ok(zset) => {
            Reply::Integer(zset.map_or(0, |zset| zset.lex_range(&range, false).count() as i64))
        }
        Err(err) => Reply::Error(err),
    }
}

/// `ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]`.
pub fn zrange(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    let spec = RangeSpec::new(1, false, RangeKind::Auto, Direction::Auto);
    into_reply(spec.run(db, argv, ctx.now_ms).map(RangeResult::into_reply))
}

/// `ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]`: stores the range of
/// ZRANGE in `dst` (with scores) and replies its size; an empty range deletes `dst`.
pub fn zrangestore(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    let spec = RangeSpec::new(2, true, RangeKind::Auto, Direction::Auto);
    match spec.run(db, argv, ctx.now_ms) {
        Ok(result) => store(db, &argv[1], result.members),
        Err(err) => Reply::Error(err),
    }
}

/// `ZREVRANGE key start stop [WITHSCORES]`.
pub fn zrevrange(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    range_command(db, argv, ctx, RangeKind::Rank, Direction::Reverse)
}

/// `ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]`.
pub fn zrangebyscore(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    range_command(db, argv, ctx, RangeKind::Score, Direction::Forward)
}

/// `ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]`.
pub fn zrevrangebyscore(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    range_command(db, argv, ctx, RangeKind::Score, Direction::Reverse)
}

/// `ZRANGEBYLEX key min max [LIMIT offset count]`.
pub fn zrangebylex(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    range_command(db, argv, ctx, RangeKind::Lex, Direction::Forward)
}

/// `ZREVRANGEBYLEX key max min [LIMIT offset count]`.
pub fn zrevrangebylex(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    range_command(db, argv, ctx, RangeKind::Lex, Direction::Reverse)
}

/// `ZREMRANGEBYRANK key start stop`: the number of members removed.
pub fn zremrangebyrank(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    into_reply(remove_range(db, argv, ctx, RangeKind::Rank))
}

/// `ZREMRANGEBYSCORE key min max`: the number of members removed.
pub fn zremrangebyscore(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    into_reply(remove_range(db, argv, ctx, RangeKind::Score))
}

/// `ZREMRANGEBYLEX key min max`: the number of members removed.
pub fn zremrangebylex(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    into_reply(remove_range(db, argv, ctx, RangeKind::Lex))
}

/// `ZPOPMIN key [count]`: see [`pop`].
pub fn zpopmin(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    into_reply(pop(db, argv, ctx, false))
}

/// `ZPOPMAX key [count]`: see [`pop`].
pub fn zpopmax(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    into_reply(pop(db, argv, ctx, true))
}

/// `ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]`: pops up to `count` (default 1) members
/// from the first key holding a sorted set and replies `[key, [[member, score], ...]]`; the nil
/// array when every key is missing. A key of another type met before a sorted set is WRONGTYPE.
pub fn zmpop(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    into_reply(mpop(db, argv, ctx))
}

/// `ZRANDMEMBER key [count [WITHSCORES]]`: without a count, one random member (nil when missing);
/// with a count, as SRANDMEMBER: up to `count` distinct members, or `|count|` members that may
/// repeat for a negative count. A count at least the size returns the whole sorted set, highest
/// score first, as Redis does.
pub fn zrandmember(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    into_reply(random_members(db, argv, ctx))
}

/// `ZUNION numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]`.
pub fn zunion(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    combine_command(
        db,
        argv,
        ctx,
        SetOp::Union,
        "at least 1 input key is needed for 'zunion' command",
    )
}

/// `ZINTER numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]`.
pub fn zinter(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    combine_command(
        db,
        argv,
        ctx,
        SetOp::Inter,
        "at least 1 input key is needed for 'zinter' command",
    )
}

/// `ZDIFF numkeys key [key ...] [WITHSCORES]`.
pub fn zdiff(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    combine_command(
        db,
        argv,
        ctx,
        SetOp::Diff,
        "at least 1 input key is needed for 'zdiff' command",
    )
}

/// `ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX]`.
pub fn zunionstore(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    combine_store(
        db,
        argv,
        ctx,
        SetOp::Union,
        "at least 1 input key is needed for 'zunionstore' command",
    )
}

/// `ZINTERSTORE destination numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX]`.
pub fn zinterstore(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    combine_store(
        db,
        argv,
        ctx,
        SetOp::Inter,
        "at least 1 input key is needed for 'zinterstore' command",
    )
}

/// `ZDIFFSTORE destination numkeys key [key ...]`.
pub fn zdiffstore(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    combine_store(
        db,
        argv,
        ctx,
        SetOp::Diff,
        "at least 1 input key is needed for 'zdiffstore' command",
    )
}

/// `ZINTERCARD numkeys key [key ...] [LIMIT limit]`: the size of the intersection, counting at
/// most `limit` members (0: no limit).
pub fn zintercard(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    let spec = CombineSpec {
        numkeys_idx: 1,
        op: SetOp::Inter,
        store: false,
        cardinality_only: true,
        no_keys_message: "at least 1 input key is needed for 'zintercard' command",
    };
    match spec.parse(db, argv, ctx.now_ms) {
        Ok(combination) => {
            Reply::Integer(inter_cardinality(&combination.inputs, combination.limit) as i64)
        }
        Err(err) => Reply::Error(err),
    }
}

/// `ZSCAN key cursor [MATCH pattern] [COUNT count]`: `[next cursor, [member, score, ...]]`, scores
/// as bulk strings written as Redis's listpack stores them. A sorted set Redis would keep in a
/// listpack is returned whole, in order, with cursor 0 (whatever the cursor, as Redis does); a
/// larger one is scanned as in [`crate::commands::scan`]. The cursor is checked first; a missing
/// key replies `[0, []]` without looking at the options.
pub fn zscan(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    let cursor = match parse_cursor(&argv[2]) {
        Ok(cursor) => cursor,
        Err(err) => return Reply::Error(err),
    };
    let zset = match live_zset(db, &argv[1], ctx.now_ms) {
        Ok(Some(zset)) => zset,
        Ok(None) => return empty_scan_reply(),
        Err(err) => return Reply::Error(err),
    };
    let options = match parse_options(&argv[3..], false) {
        Ok(options) => options,
        Err(err) => return Reply::Error(err),
    };
    if !zset.is_big() {
        // Redis returns a listpack-encoded sorted set whole, in order, whatever the cursor.
        let members = zset.iter().map(|(member, score)| (member.clone(), score));
        return whole_scan_reply(members, &options, |member, score, out| {
            out.push(Reply::Bulk(member));
            out.push(Reply::Bulk(score_text(score)));
        });
    }
    scan_reply(zset.members(), cursor, &options, |member, score, out| {
        out.push(Reply::Bulk(member.member.clone()));
        out.push(Reply::Bulk(score_text(*score)));
    })
}

/// The options of ZADD and ZINCRBY.
#[derive(Debug, Default, Clone, Copy)]
struct AddFlags {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
    incr: bool,
}

/// What [`add_member`] did (`zsetAdd`'s out flags), with the member's resulting score.
#[derive(Debug, Clone, Copy, PartialEq)]
enum AddOutcome {
    /// A new member.
    Added(f64),
    /// An existing member whose score changed.
    Updated(f64),
    /// An existing member processed without a change (same score, or a zero increment).
    Unchanged(f64),
    /// Nothing done because of NX, XX, GT or LT.
    Skipped,
    /// The increment made the score NaN (`inf + -inf`).
    NaN,
}

/// `zaddGenericCommand`.
fn add(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx, incr: bool) -> Result<Reply, ReplyError> {
    let mut flags = AddFlags {
        incr,
        ..AddFlags::default()
    };
    let mut ch = false;
    let mut idx = 2;
    while let Some(opt) = argv.get(idx) {
        if is_option(opt, "NX") {
            flags.nx = true;
        } else if is_option(opt, "XX") {
            flags.xx = true;
        } else if is_option(opt, "CH") {
            ch = true;
        } else if is_option(opt, "INCR") {
            flags.incr = true;
        } else if is_option(opt, "GT") {
            flags.gt = true;
        } else if is_option(opt, "LT") {
            flags.lt = true;
        } else {
            break;
        }
        idx += 1;
    }
    let pairs = &argv[idx..];
    if pairs.is_empty() || !pairs.len().is_multiple_of(2) {
        return Err(ReplyError::Syntax);
    }
    if flags.nx && flags.xx {
        return Err(ReplyError::err(
            "XX and NX options at the same time are not compatible",
        ));
    }
    if (flags.nx && (flags.gt || flags.lt)) || (flags.gt && flags.lt) {
        return Err(ReplyError::err(
            "GT, LT, and/or NX options at the same time are not compatible",
        ));
    }
    if flags.incr && pairs.len() > 2 {
        return Err(ReplyError::err(
            "INCR option supports a single increment-element pair",
        ));
    }
    // Every score is checked before anything changes.
    let scores = pairs
        .chunks(2)
        .map(|pair| parse_score(&pair[0]).ok_or(ReplyError::NotFloat))
        .collect::<Result<Vec<f64>, ReplyError>>()?;

    let key = &argv[1];
    let exists = match db.get_for_write(key, ctx.now_ms) {
        None => false,
        Some(entry) if entry.value.as_zset().is_some() => true,
        Some(_) => return Err(ReplyError::WrongType),
    };
    if !exists {
        if flags.xx {
            return Ok(if flags.incr {
                Reply::Nil
            } else {
                Reply::Integer(0)
            });
        }
        db.insert(key, Value::ZSet(Box::default()), None);
    }
    let zset = db
        .value_mut(key, ctx.now_ms)
        .and_then(Value::as_zset_mut)
        .ok_or(ReplyError::WrongType)?;
    let (mut n_added, mut n_updated, mut n_processed) = (0, 0, 0);
    let mut last_score = 0.0;
    let mut nan = false;
    for (pair, score) in pairs.chunks(2).zip(scores) {
        match add_member(zset, &pair[1], score, flags) {
            AddOutcome::Added(score) => {
                n_added += 1;
                n_processed += 1;
                last_score = score;
            }
            AddOutcome::Updated(score) => {
                n_updated += 1;
                n_processed += 1;
                last_score = score;
            }
            AddOutcome::Unchanged(score) => {
                n_processed += 1;
                last_score = score;
            }
            AddOutcome::Skipped => {}
            AddOutcome::NaN => {
                nan = true;
                break;
            }
        }
    }
    delete_if_empty(db, key, ctx.now_ms);
    if nan {
        return Err(ReplyError::err("resulting score is not a number (NaN)"));
    }
    Ok(if flags.incr {
        if n_processed > 0 {
            Reply::Double(last_score)
        } else {
            Reply::Nil
        }
    } else {
        Reply::Integer(if ch { n_added + n_updated } else { n_added })
    })
}

/// `zsetAdd`: adds or updates one member under the ZADD flags (`score` is never NaN). The
/// resulting score is the one computed, before `-0` is stored as `0`, as Redis replies it.
fn add_member(zset: &mut ZSet, member: &Bytes, score: f64, flags: AddFlags) -> AddOutcome {
    let Some(current) = zset.score(member) else {
        if flags.xx {
            return AddOutcome::Skipped;
        }
        zset.insert(member, score);
        return AddOutcome::Added(score);
    };
    if flags.nx {
        return AddOutcome::Skipped;
    }
    let mut score = score;
    if flags.incr {
        score += current;
        if score.is_nan() {
            return AddOutcome::NaN;
        }
    }
    if (flags.lt && score >= current) || (flags.gt && score <= current) {
        return AddOutcome::Skipped;
    }
    if score != current {
        zset.insert(member, score);
        AddOutcome::Updated(score)
    } else {
        AddOutcome::Unchanged(score)
    }
}

/// ZRANK and ZREVRANK.
fn rank(db: &Db, argv: &[Bytes], ctx: &ReadCtx, reverse: bool) -> Reply {
    match live_zset(db, &argv[1], ctx.now_ms) {
        Ok(zset) => zset
            .and_then(|zset| zset.rank(&argv[2], reverse))
            .map_or(Reply::Nil, |rank| Reply::Integer(rank as i64)),
        Err(err) => Reply::Error(err),
    }
}

/// How a range is given (`zrange_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RangeKind {
    /// Not decided yet: ZRANGE and ZRANGESTORE read BYSCORE or BYLEX, else rank.
    Auto,
    /// By 0-based rank, negative counting from the end.
    Rank,
    /// By score (`BYSCORE`).
    Score,
    /// Lexicographic (`BYLEX`).
    Lex,
}

/// The direction of a range (`zrange_direction`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    /// Not decided yet: ZRANGE and ZRANGESTORE read REV, else forward.
    Auto,
    Forward,
    Reverse,
}

/// One of the range commands (`zrangeGenericCommand`'s arguments).
#[derive(Debug, Clone, Copy)]
struct RangeSpec {
    /// The index of the source key; min and max follow it.
    key_idx: usize,
    /// True for ZRANGESTORE: no WITHSCORES, and scores are always collected.
    store: bool,
    kind: RangeKind,
    direction: Direction,
}

/// The members of a range, with their scores.
struct RangeResult {
    members: Vec<(Bytes, f64)>,
    with_scores: bool,
}

impl RangeResult {
    /// The client reply: members, or member-score pairs with WITHSCORES.
    fn into_reply(self) -> Reply {
        if self.with_scores {
            pairs_reply(self.members)
        } else {
            Reply::Array(
                self.members
                    .into_iter()
                    .map(|(m, _)| Reply::Bulk(m))
                    .collect(),
            )
        }
    }
}

impl RangeSpec {
    fn new(key_idx: usize, store: bool, kind: RangeKind, direction: Direction) -> RangeSpec {
        RangeSpec {
            key_idx,
            store,
            kind,
            direction,
        }
    }

    /// Parses the options and the range, then reads the range; a missing key is an empty range.
    fn run(mut self, db: &Db, argv: &[Bytes], now_ms: u64) -> Result<RangeResult, ReplyError> {
        let mut min_idx = self.key_idx + 1;
        let mut max_idx = self.key_idx + 2;
        let mut with_scores = false;
        let mut offset: i64 = 0;
        let mut limit: i64 = -1;
        let mut idx = self.key_idx + 3;
        while let Some(arg) = argv.get(idx) {
            let n_left = argv.len() - idx - 1;
            if !self.store && is_option(arg, "WITHSCORES") {
                with_scores = true;
            } else if is_option(arg, "LIMIT") && n_left >= 2 {
                offset = i64_arg(&argv[idx + 1])?;
                limit = i64_arg(&argv[idx + 2])?;
                idx += 2;
            } else if self.direction == Direction::Auto && is_option(arg, "REV") {
                self.direction = Direction::Reverse;
            } else if self.kind == RangeKind::Auto && is_option(arg, "BYLEX") {
                self.kind = RangeKind::Lex;
            } else if self.kind == RangeKind::Auto && is_option(arg, "BYSCORE") {
                self.kind = RangeKind::Score;
            } else {
                return Err(ReplyError::Syntax);
            }
            idx += 1;
        }
        let reverse = self.direction == Direction::Reverse;
        if self.kind == RangeKind::Auto {
            self.kind = RangeKind::Rank;
        }
        if limit != -1 && self.kind == RangeKind::Rank {
            return Err(ReplyError::err(
                "syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
            ));
        }
        if with_scores && self.kind == RangeKind::Lex {
            return Err(ReplyError::err(
                "syntax error, WITHSCORES not supported in combination with BYLEX",
            ));
        }
        if reverse && self.kind != RangeKind::Rank {
            // The range is given as max, min.
            std::mem::swap(&mut min_idx, &mut max_idx);
        }
        let bounds = Bounds::parse(self.kind, &argv[min_idx], &argv[max_idx])?;
        let with_scores = with_scores || self.store;
        let Some(zset) = live_zset(db, &argv[self.key_idx], now_ms)? else {
            return Ok(RangeResult {
                members: Vec::new(),
                with_scores,
            });
        };
        let members: Vec<(Bytes, f64)> = match bounds {
            Bounds::Rank(start, end) => match clamp_ranks(start, end, zset.len()) {
                Some((start, end)) => collect(zset.rank_range(start, end, reverse)),
                None => Vec::new(),
            },
            Bounds::Score(_) | Bounds::Lex(_) if offset < 0 => Vec::new(),
            Bounds::Score(_) if offset > 0 && offset as u64 >= zset.len() as u64 => Vec::new(),
            Bounds::Score(range) => limited(zset.score_range(range, reverse), offset, limit),
            Bounds::Lex(range) => limited(zset.lex_range(&range, reverse), offset, limit),
        };
        Ok(RangeResult {
            members,
            with_scores,
        })
    }
}

/// A parsed range.
enum Bounds {
    Rank(i64, i64),
    Score(ScoreRange),
    Lex(LexRange),
}

impl Bounds {
    /// Parses min and max for a range of the given kind (`Auto` is not a kind here).
    fn parse(kind: RangeKind, min: &Bytes, max: &Bytes) -> Result<Bounds, ReplyError> {
        Ok(match kind {
            RangeKind::Auto | RangeKind::Rank => Bounds::Rank(i64_arg(min)?, i64_arg(max)?),
            RangeKind::Score => Bounds::Score(score_range(min, max)?),
            RangeKind::Lex => Bounds::Lex(lex_range(min, max)?),
        })
    }
}

/// Runs one of the range commands with a fixed kind and direction.
fn range_command(
    db: &Db,
    argv: &[Bytes],
    ctx: &ReadCtx,
    kind: RangeKind,
    direction: Direction,
) -> Reply {
    let spec = RangeSpec::new(1, false, kind, direction);
    into_reply(spec.run(db, argv, ctx.now_ms).map(RangeResult::into_reply))
}

/// Turns Redis's rank arguments into an inclusive range of ranks, or `None` when it is empty
/// (`start` after `end`, or past the end).
fn clamp_ranks(start: i64, end: i64, len: usize) -> Option<(usize, usize)> {
    let len = len as i64;
    let start = if start < 0 { len + start } else { start }.max(0);
    let end = if end < 0 { len + end } else { end };
    if start > end || start >= len {
        return None;
    }
    Some((start as usize, end.min(len - 1) as usize))
}

/// Applies LIMIT to the members of a score or lex range: skips `offset` (not negative) members,
/// then takes `limit` of them, all of them when `limit` is negative.
fn limited(members: Members<'_>, offset: i64, limit: i64) -> Vec<(Bytes, f64)> {
    let skip = usize::try_from(offset).unwrap_or(usize::MAX);
    let take = usize::try_from(limit).unwrap_or(usize::MAX);
    collect(Box::new(members.skip(skip).take(take)))
}

/// Collects the members of an iterator as owned pairs (the member bytes are shared, not copied).
fn collect(members: Members<'_>) -> Vec<(Bytes, f64)> {
    members
        .map(|(member, score)| (member.clone(), score))
        .collect()
}

/// `zremrangeGenericCommand`: the range is parsed before the key is looked up.
fn remove_range(
    db: &mut Db,
    argv: &[Bytes],
    ctx: &WriteCtx,
    kind: RangeKind,
) -> Result<Reply, ReplyError> {
    let bounds = Bounds::parse(kind, &argv[2], &argv[3])?;
    let key = &argv[1];
    let Some(zset) = zset_mut(db, key, ctx.now_ms)? else {
        return Ok(Reply::Integer(0));
    };
    let victims = match bounds {
        Bounds::Rank(start, end) => match clamp_ranks(start, end, zset.len()) {
            Some((start, end)) => collect(zset.rank_range(start, end, false)),
            None => return Ok(Reply::Integer(0)),
        },
        Bounds::Score(range) => collect(zset.score_range(range, false)),
        Bounds::Lex(range) => collect(zset.lex_range(&range, false)),
    };
    for (member, _) in &victims {
        zset.remove(member);
    }
    delete_if_empty(db, key, ctx.now_ms);
    Ok(Reply::Integer(victims.len() as i64))
}

/// ZPOPMIN and ZPOPMAX (`zpopMinMaxCommand`): without a count, `[member, score]` (empty when
/// missing); with a count, up to `count` member-score pairs, lowest (or highest) first.
fn pop(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx, last: bool) -> Result<Reply, ReplyError> {
    if argv.len() > 3 {
        return Err(ReplyError::Syntax);
    }
    let count = match argv.get(2) {
        Some(arg) => Some(bounded_arg(
            arg,
            0,
            "value is out of range, must be positive",
        )?),
        None => None,
    };
    let key = &argv[1];
    let Some(zset) = zset_mut(db, key, ctx.now_ms)? else {
        return Ok(Reply::Array(Vec::new()));
    };
    if count == Some(0) {
        return Ok(Reply::Array(Vec::new()));
    }
    let popped = pop_members(zset, count.unwrap_or(1), last);
    delete_if_empty(db, key, ctx.now_ms);
    Ok(match count {
        Some(_) => pairs_reply(popped),
        None => Reply::Array(
            popped
                .into_iter()
                .flat_map(|(member, score)| [Reply::Bulk(member), Reply::Double(score)])
                .collect(),
        ),
    })
}

/// Pops up to `count` members from the low end (or the high end when `last`).
fn pop_members(zset: &mut ZSet, count: i64, last: bool) -> Vec<(Bytes, f64)> {
    let n = usize::try_from(count).unwrap_or(usize::MAX).min(zset.len());
    (0..n).filter_map(|_| zset.pop(last)).collect()
}

/// `zmpopGenericCommand`.
fn mpop(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Result<Reply, ReplyError> {
    let args = mpop_args(argv, 1, |arg| {
        if is_option(arg, "MIN") {
            Some(false)
        } else if is_option(arg, "MAX") {
            Some(true)
        } else {
            None
        }
    })?;
    let (last, count) = (args.side, i64::try_from(args.count).unwrap_or(i64::MAX));
    for key in &argv[args.keys] {
        let Some(zset) = zset_mut(db, key, ctx.now_ms)? else {
            continue;
        };
        let popped = pop_members(zset, count, last);
        delete_if_empty(db, key, ctx.now_ms);
        let popped = popped
            .into_iter()
            .map(|(member, score)| Reply::Array(vec![Reply::Bulk(member), Reply::Double(score)]))
            .collect();
        // A copy: the reply of a write is kept for retries and must not pin the request buffer.
        return Ok(Reply::Array(vec![
            Reply::Bulk(Bytes::copy_from_slice(key)),
            Reply::Array(popped),
        ]));
    }
    Ok(Reply::NilArray)
}

/// `zrandmemberCommand`: the count and WITHSCORES are checked before the key.
fn random_members(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Result<Reply, ReplyError> {
    let Some(count_arg) = argv.get(2) else {
        let member = live_zset(db, &argv[1], ctx.now_ms)?
            .and_then(|zset| zset.members().pick(read_rng(ctx).next_u64()))
            .map(|(key, _)| key.member.clone());
        return Ok(Reply::from(member));
    };
    let count = parse_random_count(count_arg)?;
    let with_scores = match argv.get(3) {
        None => false,
        Some(opt) if argv.len() == 4 && is_option(opt, "WITHSCORES") => true,
        Some(_) => return Err(ReplyError::Syntax),
    };
    if with_scores && !(-i64::MAX / 2..=i64::MAX / 2).contains(&count) {
        return Err(ReplyError::err("value is out of range"));
    }
    let Some(zset) = live_zset(db, &argv[1], ctx.now_ms)? else {
        return Ok(Reply::Array(Vec::new()));
    };
    let members: Vec<(Bytes, f64)> = if count > 1 && count as u64 >= zset.len() as u64 {
        // The whole sorted set, highest score first, as Redis's `zuiNext` walks it.
        collect(Box::new(zset.iter().rev()))
    } else {
        sample(zset.members(), count, &mut read_rng(ctx))?
            .into_iter()
            .map(|(key, score)| (key.member.clone(), *score))
            .collect()
    };
    Ok(if with_scores {
        pairs_reply(members)
    } else {
        Reply::Array(members.into_iter().map(|(m, _)| Reply::Bulk(m)).collect())
    })
}

/// The operation of ZUNION, ZINTER, ZDIFF and their STORE forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SetOp {
    Union,
    Inter,
    Diff,
}

/// How scores of a member found in several inputs combine (`AGGREGATE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Aggregate {
    Sum,
    Min,
    Max,
}

impl Aggregate {
    /// `zunionInterAggregate`: a SUM that is NaN (`inf + -inf`) is 0; MIN and MAX keep the
    /// current value when the comparison fails (a NaN `value`).
    fn apply(self, target: &mut f64, value: f64) {
        match self {
            Aggregate::Sum => {
                *target += value;
                if target.is_nan() {
                    *target = 0.0;
                }
            }
            Aggregate::Min => {
                if value < *target {
                    *target = value;
                }
            }
            Aggregate::Max => {
                if value > *target {
                    *target = value;
                }
            }
        }
    }
}

/// An input of ZUNION and friends: a sorted set, a set (every member scores 1) or a missing key.
#[derive(Clone, Copy)]
enum Source<'a> {
    Missing,
    Set(&'a Set),
    ZSet(&'a ZSet),
}

impl<'a> Source<'a> {
    fn len(&self) -> usize {
        match self {
            Source::Missing => 0,
            Source::Set(set) => set.len(),
            Source::ZSet(zset) => zset.len(),
        }
    }

    /// The members and their scores (`zuiNext`).
    fn iter(&self) -> Box<dyn Iterator<Item = (&'a Bytes, f64)> + 'a> {
        match *self {
            Source::Missing => Box::new(std::iter::empty()),
            Source::Set(set) => Box::new(set.iter().map(|(key, ())| (&key.member, 1.0))),
            Source::ZSet(zset) => Box::new(zset.iter()),
        }
    }

    /// The score of `member`, if present (`zuiFind`).
    fn find(&self, member: &Bytes) -> Option<f64> {
        match self {
            Source::Missing => None,
            Source::Set(set) => set.contains(member).then_some(1.0),
            Source::ZSet(zset) => zset.score(member),
        }
    }
}

/// One of the ZUNION family (`zunionInterDiffGenericCommand`'s arguments).
struct CombineSpec {
    /// The index of numkeys.
    numkeys_idx: usize,
    op: SetOp,
    /// True for the STORE forms: no WITHSCORES.
    store: bool,
    /// True for ZINTERCARD: only LIMIT, and only the size is computed.
    cardinality_only: bool,
    /// The error for numkeys below 1, which names the command.
    no_keys_message: &'static str,
}

/// The parsed inputs and options of a [`CombineSpec`].
struct Combination<'a> {
    op: SetOp,
    /// The inputs with their weights, smallest first except for ZDIFF (Redis's order, which
    /// decides the order of aggregation).
    inputs: Vec<(Source<'a>, f64)>,
    aggregate: Aggregate,
    with_scores: bool,
    /// ZINTERCARD's LIMIT (0: none).
    limit: u64,
}

impl Combination<'_> {
    /// The members of the result in order, with their scores as computed (`-0` is possible).
    fn members(&self) -> Vec<(Bytes, f64)> {
        let mut members = match self.op {
            SetOp::Union => union(&self.inputs, self.aggregate),
            SetOp::Inter => inter(&self.inputs, self.aggregate),
            SetOp::Diff => diff(&self.inputs),
        };
        members.sort_by(|(a_member, a_score), (b_member, b_score)| {
            (Score(*a_score), a_member).cmp(&(Score(*b_score), b_member))
        });
        members
    }

    /// The reply of ZUNION, ZINTER or ZDIFF.
    fn into_reply(self) -> Reply {
        let members = self.members();
        if self.with_scores {
            pairs_reply(members)
        } else {
            Reply::Array(members.into_iter().map(|(m, _)| Reply::Bulk(m)).collect())
        }
    }
}

impl CombineSpec {
    /// Parses numkeys, looks the keys up (WRONGTYPE before any option is read) and parses the
    /// options.
    fn parse<'a>(
        &self,
        db: &'a Db,
        argv: &[Bytes],
        now_ms: u64,
    ) -> Result<Combination<'a>, ReplyError> {
        let numkeys = i64_arg(&argv[self.numkeys_idx])?;
        if numkeys < 1 {
            return Err(ReplyError::err(self.no_keys_message));
        }
        let first_key = self.numkeys_idx + 1;
        let n_keys = usize::try_from(numkeys)
            .ok()
            .filter(|&n| n <= argv.len() - first_key)
            .ok_or(ReplyError::Syntax)?;
        let mut sources = Vec::with_capacity(n_keys);
        for key in &argv[first_key..first_key + n_keys] {
            sources.push(match db.get_value(key, now_ms) {
                None => Source::Missing,
                Some(Value::ZSet(zset)) => Source::ZSet(zset),
                Some(Value::Set(set)) => Source::Set(set),
                Some(_) => return Err(ReplyError::WrongType),
            });
        }
        let mut weights = vec![1.0; n_keys];
        let mut aggregate = Aggregate::Sum;
        let mut with_scores = false;
        let mut limit: u64 = 0;
        let mut idx = first_key + n_keys;
        let options_allowed = self.op != SetOp::Diff && !self.cardinality_only;
        while let Some(arg) = argv.get(idx) {
            let n_left = argv.len() - idx;
            if options_allowed && n_left > n_keys && is_option(arg, "WEIGHTS") {
                for (weight, text) in weights.iter_mut().zip(&argv[idx + 1..]) {
                    *weight = parse_score(text)
                        .ok_or_else(|| ReplyError::err("weight value is not a float"))?;
                }
                idx += 1 + n_keys;
            } else if options_allowed && n_left >= 2 && is_option(arg, "AGGREGATE") {
                let name = &argv[idx + 1];
                aggregate = if is_option(name, "SUM") {
                    Aggregate::Sum
                } else if is_option(name, "MIN") {
                    Aggregate::Min
                } else if is_option(name, "MAX") {
                    Aggregate::Max
                } else {
                    return Err(ReplyError::Syntax);
                };
                idx += 2;
            } else if !self.store && !self.cardinality_only && is_option(arg, "WITHSCORES") {
                with_scores = true;
                idx += 1;
            } else if self.cardinality_only && n_left >= 2 && is_option(arg, "LIMIT") {
                let limit_arg = bounded_arg(&argv[idx + 1], 0, "LIMIT can't be negative")?;
                limit = limit_arg.unsigned_abs();
                idx += 2;
            } else {
                return Err(ReplyError::Syntax);
            }
        }
        let mut inputs: Vec<(Source<'_>, f64)> = sources.into_iter().zip(weights).collect();
        if self.op != SetOp::Diff {
            // Smallest first, as Redis's (stable) sort does; the order of aggregation follows it.
            inputs.sort_by_key(|(source, _)| source.len());
        }
        Ok(Combination {
            op: self.op,
            inputs,
            aggregate,
            with_scores,
            limit,
        })
    }
}

/// The union: each member's weighted scores aggregated over the inputs in order.
fn union(inputs: &[(Source<'_>, f64)], aggregate: Aggregate) -> Vec<(Bytes, f64)> {
    let mut acc: BTreeMap<&Bytes, f64> = BTreeMap::new();
    for (source, weight) in inputs {
        for (member, score) in source.iter() {
            let mut score = weight * score;
            if score.is_nan() {
                score = 0.0;
            }
            match acc.get_mut(member) {
                Some(target) => aggregate.apply(target, score),
                None => {
                    acc.insert(member, score);
                }
            }
        }
    }
    acc.into_iter().map(|(m, s)| (m.clone(), s)).collect()
}

/// The intersection: the members of the smallest input found in every other one.
fn inter(inputs: &[(Source<'_>, f64)], aggregate: Aggregate) -> Vec<(Bytes, f64)> {
    let Some(((first, first_weight), others)) = inputs.split_first() else {
        return Vec::new();
    };
    let mut res = Vec::new();
    'members: for (member, score) in first.iter() {
        let mut total = first_weight * score;
        if total.is_nan() {
            total = 0.0;
        }
        for (source, weight) in others {
            match source.find(member) {
                Some(value) => aggregate.apply(&mut total, value * weight),
                None => continue 'members,
            }
        }
        res.push((member.clone(), total));
    }
    res
}

/// ZINTERCARD: the size of the intersection, stopping at `limit` (0: no limit).
fn inter_cardinality(inputs: &[(Source<'_>, f64)], limit: u64) -> usize {
    let Some(((first, _), others)) = inputs.split_first() else {
        return 0;
    };
    let mut count = 0;
    for (member, _) in first.iter() {
        if others
            .iter()
            .all(|(source, _)| source.find(member).is_some())
        {
            count += 1;
            if limit != 0 && count as u64 >= limit {
                break;
            }
        }
    }
    count
}

/// The difference: the members of the first input found in no other one, with their scores.
fn diff(inputs: &[(Source<'_>, f64)]) -> Vec<(Bytes, f64)> {
    let Some(((first, _), others)) = inputs.split_first() else {
        return Vec::new();
    };
    first
        .iter()
        .filter(|(member, _)| {
            others
                .iter()
                .all(|(source, _)| source.find(member).is_none())
        })
        .map(|(member, score)| (member.clone(), score))
        .collect()
}

/// Runs ZUNION, ZINTER or ZDIFF.
fn combine_command(
    db: &Db,
    argv: &[Bytes],
    ctx: &ReadCtx,
    op: SetOp,
    no_keys_message: &'static str,
) -> Reply {
    let spec = CombineSpec {
        numkeys_idx: 1,
        op,
        store: false,
        cardinality_only: false,
        no_keys_message,
    };
    into_reply(
        spec.parse(db, argv, ctx.now_ms)
            .map(Combination::into_reply),
    )
}

/// Runs ZUNIONSTORE, ZINTERSTORE or ZDIFFSTORE.
fn combine_store(
    db: &mut Db,
    argv: &[Bytes],
    ctx: &WriteCtx,
    op: SetOp,
    no_keys_message: &'static str,
) -> Reply {
    let spec = CombineSpec {
        numkeys_idx: 2,
        op,
        store: true,
        cardinality_only: false,
        no_keys_message,
    };
    match spec
        .parse(db, argv, ctx.now_ms)
        .map(|combination| combination.members())
    {
        Ok(members) => store(db, &argv[1], members),
        Err(err) => Reply::Error(err),
    }
}

/// Stores `members` (owned bytes, unique) as the sorted set at `destination`, replacing whatever
/// it held (TTL included), and replies its size; no members deletes the destination and replies 0.
fn store(db: &mut Db, destination: &[u8], members: Vec<(Bytes, f64)>) -> Reply {
    if members.is_empty() {
        db.remove(destination);
        return Reply::Integer(0);
    }
    let mut zset = ZSet::default();
    for (member, score) in members {
        zset.insert_new(MemberKey::new(member), score);
    }
    let size = zset.len();
    db.insert(destination, Value::ZSet(Box::new(zset)), None);
    Reply::Integer(size as i64)
}

/// Parses a score range (`zslParseRange`).
fn score_range(min: &[u8], max: &[u8]) -> Result<ScoreRange, ReplyError> {
    match (parse_score_bound(min), parse_score_bound(max)) {
        (Some((min, min_exclusive)), Some((max, max_exclusive))) => Ok(ScoreRange {
            min,
            max,
            min_exclusive,
            max_exclusive,
        }),
        _ => Err(ReplyError::err("min or max is not a float")),
    }
}

/// Parses a lexicographic range (`zslParseLexRange`).
fn lex_range(min: &Bytes, max: &Bytes) -> Result<LexRange, ReplyError> {
    match (parse_lex_bound(min), parse_lex_bound(max)) {
        (Some((min, min_exclusive)), Some((max, max_exclusive))) => Ok(LexRange {
            min,
            max,
            min_exclusive,
            max_exclusive,
        }),
        _ => Err(ReplyError::err("min or max not valid string range item")),
    }
}

/// A score, or nil.
fn score_reply(score: Option<f64>) -> Reply {
    score.map_or(Reply::Nil, Reply::Double)
}

/// Member-score pairs.
fn pairs_reply(members: Vec<(Bytes, f64)>) -> Reply {
    Reply::Pairs(
        members
            .into_iter()
            .map(|(member, score)| (Reply::Bulk(member), Reply::Double(score)))
            .collect(),
    )
}

/// A score as Redis's listpack holds it, which is how ZSCAN returns it: an integer when the score
/// is one within ±2^62 (`double2ll`), else `%.17g` (`d2string`).
fn score_text(score: f64) -> Bytes {
    const LIMIT: f64 = (i64::MAX / 2) as f64;
    if (-LIMIT..=LIMIT).contains(&score) && score.fract() == 0.0 {
        let mut buf = itoa::Buffer::new();
        return Bytes::copy_from_slice(buf.format(score as i64).as_bytes());
    }
    Bytes::copy_from_slice(format_double_17g(score).as_bytes())
}

/// Returns the live sorted set at `key`, `None` when missing, WRONGTYPE for another type.
fn live_zset<'a>(db: &'a Db, key: &[u8], now_ms: u64) -> Result<Option<&'a ZSet>, ReplyError> {
    match db.get_value(key, now_ms) {
        None => Ok(None),
        Some(value) => value.as_zset().map(Some).ok_or(ReplyError::WrongType),
    }
}

/// Write-path lookup of the sorted set at `key` (an expired key is removed first).
fn zset_mut<'a>(
    db: &'a mut Db,
    key: &[u8],
    now_ms: u64,
) -> Result<Option<&'a mut ZSet>, ReplyError> {
    match db.value_mut(key, now_ms) {
        None => Ok(None),
        Some(value) => value.as_zset_mut().map(Some).ok_or(ReplyError::WrongType),
    }
}

/// Deletes `key` when it holds an empty sorted set.
fn delete_if_empty(db: &mut Db, key: &[u8], now_ms: u64) {
    if db
        .get_value(key, now_ms)
        .and_then(Value::as_zset)
        .is_some_and(ZSet::is_empty)
    {
        db.remove(key);
    }
}

fn into_reply(result: Result<Reply, ReplyError>) -> Reply {
    result.unwrap_or_else(Reply::Error)
}

#[cfg(test)]
mod zset_test;
