//! Set commands: SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP SRANDMEMBER SMOVE SINTER
//! SINTERCARD SUNION SDIFF SINTERSTORE SUNIONSTORE SDIFFSTORE SSCAN (Redis 7.0 `t_set.c`).
//!
//! Handlers are called by [`crate::commands`] after the arity check, so `argv` has at least the
//! number of arguments the command table requires. A set is never stored empty: commands that
//! remove members delete the key with its last member, and the STORE forms delete the destination
//! when the result is empty. Modifying a set keeps the key's TTL; a STORE form replaces the
//! destination, TTL included.
//!
//! SPOP draws its members from the Raft entry's seed ([`WriteCtx::seed`]), so every replica pops the
//! same ones; SRANDMEMBER is a read and draws from a random source.

use bytes::Bytes;
use tinyredis_common::Reply;
use tinyredis_common::ReplyError;

use crate::commands::ReadCtx;
use crate::commands::WriteCtx;
use crate::commands::args::is_option;
use crate::commands::args::parse_i64;
use crate::commands::random::parse_random_count;
use crate::commands::random::read_rng;
use crate::commands::random::sample;
use crate::commands::random::sample_distinct;
use crate::commands::random::sample_in_order;
use crate::commands::scan::empty_scan_reply;
use crate::commands::scan::parse_cursor;
use crate::commands::scan::parse_options;
use crate::commands::scan::scan_reply;
use crate::commands::scan::whole_scan_reply;
use crate::keyspace::Db;
use crate::keyspace::Value;
use crate::keyspace::ordered::MemberKey;
use crate::keyspace::ordered::SplitMix64;
use crate::keyspace::set::Set;

/// `SADD key member [member ...]`: the number of members added.
pub fn sadd(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    let key = &argv[1];
    if db.get_for_write(key, ctx.now_ms).is_none() {
        db.insert(key, Value::Set(Box::default()), None);
    }
    let Some(set) = db.value_mut(key, ctx.now_ms).and_then(Value::as_set_mut) else {
        return Reply::Error(ReplyError::WrongType);
    };
    let n_added = argv[2..]
        .iter()
        .filter(|member| set.insert(member, ()).is_none())
        .count();
    Reply::Integer(n_added as i64)
}

/// `SREM key member [member ...]`: the number of members removed; the key goes with its last
/// member.
pub fn srem(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    let key = &argv[1];
    let Some(value) = db.value_mut(key, ctx.now_ms) else {
        return Reply::Integer(0);
    };
    let Some(set) = value.as_set_mut() else {
        return Reply::Error(ReplyError::WrongType);
    };
    let n_removed = argv[2..]
        .iter()
        .filter(|member| set.remove(member).is_some())
        .count();
    if set.is_empty() {
        db.remove(key);
    }
    Reply::Integer(n_removed as i64)
}

/// `SMEMBERS key`: every member, as a set reply (empty for a missing key).
pub fn smembers(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    match live_set(db, &argv[1], ctx.now_ms) {
        Ok(set) => Reply::Set(
            set.into_iter()
                .flat_map(Set::ordered_members)
                .map(|member| Reply::Bulk(member.member.clone()))
                .collect(),
        ),
        Err(err) => Reply::Error(err),
    }
}

/// `SISMEMBER key member`: 1 when the member is in the set, else 0.
pub fn sismember(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    match live_set(db, &argv[1], ctx.now_ms) {
        Ok(set) => Reply::Integer(i64::from(set.is_some_and(|set| set.contains(&argv[2])))),
        Err(err) => Reply::Error(err),
    }
}

/// `SMISMEMBER key member [member ...]`: 1 or 0 per member; a missing key reads as empty.
pub fn smismember(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    match live_set(db, &argv[1], ctx.now_ms) {
        Ok(set) => Reply::Array(
            argv[2..]
                .iter()
                .map(|member| {
                    Reply::Integer(i64::from(set.is_some_and(|set| set.contains(member))))
                })
                .collect(),
        ),
        Err(err) => Reply::Error(err),
    }
}

/// `SCARD key`: the number of members, 0 for a missing key.
pub fn scard(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    match live_set(db, &argv[1], ctx.now_ms) {
        Ok(set) => Reply::Integer(set.map_or(0, Set::len) as i64),
        Err(err) => Reply::Error(err),
    }
}

/// `SPOP key [count]`: removes and returns a random member (nil for a missing key), or with a count
/// a set reply of up to `count` random members; the key goes with its last member.
///
/// The count is checked before the key, as in Redis: anything but a non-negative integer is
/// `ERR value is out of range, must be positive`.
pub fn spop(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    if argv.len() > 3 {
        return Reply::Error(ReplyError::Syntax);
    }
    let key = &argv[1];
    let mut rng = SplitMix64::new(ctx.seed);
    let Some(count_arg) = argv.get(2) else {
        let Some(value) = db.value_mut(key, ctx.now_ms) else {
            return Reply::Nil;
        };
        let Some(set) = value.as_set_mut() else {
            return Reply::Error(ReplyError::WrongType);
        };
        let popped = pop_random(set, &mut rng);
        if set.is_empty() {
            db.remove(key);
        }
        return Reply::from(popped.map(|member| member.member));
    };
    let count = match parse_i64(count_arg) {
        Some(count) if count >= 0 => count,
        _ => {
            return Reply::Error(ReplyError::err("value is out of range, must be positive"));
        }
    };
    let Some(value) = db.value_mut(key, ctx.now_ms) else {
        return Reply::Set(Vec::new());
    };
    let Some(set) = value.as_set_mut() else {
        return Reply::Error(ReplyError::WrongType);
    };
    let count = usize::try_from(count).unwrap_or(usize::MAX);
    if count == 0 {
        return Reply::Set(Vec::new());
    }
    if count >= set.len() {
        let all = set
            .ordered_members()
            .into_iter()
            .map(|member| Reply::Bulk(member.member.clone()))
            .collect();
        db.remove(key);
        return Reply::Set(all);
    }
    let chosen: Vec<MemberKey> = sample_distinct(set, count, &mut rng)
        .into_iter()
        .map(|(member, ())| member.clone())
        .collect();
    for member in &chosen {
        set.remove_key(member);
    }
    Reply::Set(
        chosen
            .into_iter()
            .map(|member| Reply::Bulk(member.member))
            .collect(),
    )
}

/// `SRANDMEMBER key [count]`: a random member (nil for a missing key), or with a count an array of
/// members chosen as described in [`crate::commands::random`].
pub fn srandmember(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    if argv.len() > 3 {
        return Reply::Error(ReplyError::Syntax);
    }
    let Some(count_arg) = argv.get(2) else {
        return match live_set(db, &argv[1], ctx.now_ms) {
            Ok(set) => Reply::from(
                set.and_then(|set| set.random_member(&mut read_rng(ctx)))
                    .map(|(member, ())| member.member.clone()),
            ),
            Err(err) => Reply::Error(err),
        };
    };
    let count = match parse_random_count(count_arg) {
        Ok(count) => count,
        Err(err) => return Reply::Error(err),
    };
    let set = match live_set(db, &argv[1], ctx.now_ms) {
        Ok(Some(set)) => set,
        Ok(None) => return Reply::Array(Vec::new()),
        Err(err) => return Reply::Error(err),
    };
    let mut rng = read_rng(ctx);
    let picked = if set.is_big() {
        sample(set, count, &mut rng).map(|picked| picked.into_iter().map(|(m, ())| m).collect())
    } else {
        // An intset picks by position in its numeric order, and a count at least its size
        // returns it in that order.
        sample_in_order(&set.ordered_members(), count, &mut rng)
    };
    match picked {
        Ok(picked) => Reply::Array(
            picked
                .into_iter()
                .map(|member: &MemberKey| Reply::Bulk(member.member.clone()))
                .collect(),
        ),
        Err(err) => Reply::Error(err),
    }
}

/// `SMOVE source destination member`: 1 when the member was moved (or is already in `source` when
/// both keys are the same), 0 when `source` is missing or lacks the member. Both keys must hold sets
/// (a missing destination is created); `source` goes with its last member.
pub fn smove(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    let (source, destination, member) = (&argv[1], &argv[2], &argv[3]);
    let Some(source_set) = db.get_for_write(source, ctx.now_ms).map(|e| &e.value) else {
        return Reply::Integer(0);
    };
    let Some(source_set) = source_set.as_set() else {
        return Reply::Error(ReplyError::WrongType);
    };
    let in_source = source_set.contains(member);
    let destination_ok = db
        .get_for_write(destination, ctx.now_ms)
        .is_none_or(|entry| entry.value.as_set().is_some());
    if !destination_ok {
        return Reply::Error(ReplyError::WrongType);
    }
    if source == destination || !in_source {
        return Reply::Integer(i64::from(in_source));
    }
    if let Some(set) = db.value_mut(source, ctx.now_ms).and_then(Value::as_set_mut) {
        set.remove(member);
        if set.is_empty() {
            db.remove(source);
        }
    }
    if db.get_for_write(destination, ctx.now_ms).is_none() {
        db.insert(destination, Value::Set(Box::default()), None);
    }
    if let Some(set) = db
        .value_mut(destination, ctx.now_ms)
        .and_then(Value::as_set_mut)
    {
        set.insert(member, ());
    }
    Reply::Integer(1)
}

/// `SINTER key [key ...]`: the members of every set, as a set reply; a missing key is an empty set.
pub fn sinter(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    match intersection(db, &argv[1..], ctx.now_ms, 0) {
        Ok(members) => Reply::Set(members.into_iter().map(|m| Reply::Bulk(m.member)).collect()),
        Err(err) => Reply::Error(err),
    }
}

/// `SINTERCARD numkeys key [key ...] [LIMIT limit]`: the size of the intersection, counting up to
/// `limit` when it is not 0.
pub fn sintercard(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    let n_keys = match parse_i64(&argv[1]) {
        Some(n) if n >= 1 => usize::try_from(n).unwrap_or(usize::MAX),
        _ => return Reply::Error(ReplyError::err("numkeys should be greater than 0")),
    };
    if n_keys > argv.len() - 2 {
        return Reply::Error(ReplyError::err(
            "Number of keys can't be greater than number of args",
        ));
    }
    let keys = &argv[2..2 + n_keys];
    let mut limit = 0;
    let mut options = argv[2 + n_keys..].iter();
    while let Some(option) = options.next() {
        let value = options.as_slice().first();
        match value {
            Some(value) if is_option(option, "LIMIT") => {
                options.next();
                match parse_i64(value) {
                    Some(n) if n >= 0 => limit = usize::try_from(n).unwrap_or(usize::MAX),
                    _ => return Reply::Error(ReplyError::err("LIMIT can't be negative")),
                }
            }
            _ => return Reply::Error(ReplyError::Syntax),
        }
    }
    match intersection(db, keys, ctx.now_ms, limit) {
        Ok(members) => Reply::Integer(members.len() as i64),
        Err(err) => Reply::Error(err),
    }
}

/// `SINTERSTORE destination key [key ...]`: stores the intersection; see [`store`].
pub fn sinterstore(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    let result = intersection(db, &argv[2..], ctx.now_ms, 0);
    store(db, &argv[1], result)
}

/// `SUNION key [key ...]`: the members of any of the sets, as a set reply.
pub fn sunion(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    match union(db, &argv[1..], ctx.now_ms) {
        Ok(set) => result_reply(set.iter().map(|(member, ())| member.clone()).collect()),
        Err(err) => Reply::Error(err),
    }
}

/// `SUNIONSTORE destination key [key ...]`: stores the union; see [`store`].
pub fn sunionstore(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    let result = union(db, &argv[2..], ctx.now_ms).map(|set| {
        set.iter()
            .map(|(member, ())| member.clone())
            .collect::<Vec<_>>()
    });
    store(db, &argv[1], result)
}

/// `SDIFF key [key ...]`: the members of the first set that are in none of the others, as a set
/// reply.
pub fn sdiff(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    match difference(db, &argv[1..], ctx.now_ms) {
        Ok(members) => result_reply(members),
        Err(err) => Reply::Error(err),
    }
}

/// `SDIFFSTORE destination key [key ...]`: stores the difference; see [`store`].
pub fn sdiffstore(db: &mut Db, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    let result = difference(db, &argv[2..], ctx.now_ms);
    store(db, &argv[1], result)
}

/// `SSCAN key cursor [MATCH pattern] [COUNT count]`: `[next cursor, [member, ...]]`; see
/// [`crate::commands::scan`]. The cursor is checked first; a missing key replies `[0, []]` without
/// looking at the options. An intset is returned whole, in numeric order, with cursor 0.
pub fn sscan(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    let cursor = match parse_cursor(&argv[2]) {
        Ok(cursor) => cursor,
        Err(err) => return Reply::Error(err),
    };
    let set = match live_set(db, &argv[1], ctx.now_ms) {
        Ok(Some(set)) => set,
        Ok(None) => return empty_scan_reply(),
        Err(err) => return Reply::Error(err),
    };
    let options = match parse_options(&argv[3..], false) {
        Ok(options) => options,
        Err(err) => return Reply::Error(err),
    };
    if !set.is_big() {
        // Redis returns an intset whole, in numeric order, whatever the cursor and COUNT.
        let members = set
            .ordered_members()
            .into_iter()
            .map(|member| (member.member.clone(), ()));
        return whole_scan_reply(members, &options, |member, (), out| {
            out.push(Reply::Bulk(member));
        });
    }
    scan_reply(set, cursor, &options, |member, (), out| {
        out.push(Reply::Bulk(member.member.clone()));
    })
}

/// The set reply of a SUNION or SDIFF result. Redis builds the result as a set and lists it: an
/// intset, in numeric order, when every member is an integer (and the result is small); in
/// hash-table order otherwise. A result of integers is listed in numeric order here whatever its
/// size, which is one valid hash-table order.
fn result_reply(mut members: Vec<MemberKey>) -> Reply {
    let numbers: Option<Vec<i64>> = members
        .iter()
        .map(|member| parse_i64(&member.member))
        .collect();
    if let Some(numbers) = numbers {
        let mut pairs: Vec<(i64, MemberKey)> = numbers.into_iter().zip(members).collect();
        pairs.sort_unstable_by_key(|(n, _)| *n);
        members = pairs.into_iter().map(|(_, member)| member).collect();
    }
    Reply::Set(
        members
            .into_iter()
            .map(|member| Reply::Bulk(member.member))
            .collect(),
    )
}

/// Stores the result of a STORE form in `destination`, replacing whatever it held (TTL included),
/// and replies its size; an empty result deletes the destination and replies 0. An error (a source
/// of the wrong type) changes nothing.
fn store(db: &mut Db, destination: &[u8], result: Result<Vec<MemberKey>, ReplyError>) -> Reply {
    let members = match result {
        Ok(members) => members,
        Err(err) => return Reply::Error(err),
    };
    if members.is_empty() {
        db.remove(destination);
        return Reply::Integer(0);
    }
    let mut set = Set::default();
    for member in members {
        set.insert_key(member, ());
    }
    let size = set.len();
    db.insert(destination, Value::Set(Box::new(set)), None);
    Reply::Integer(size as i64)
}

/// Returns the live sets of `keys` in order (`None` for missing keys), or WRONGTYPE for the first
/// key of another type. The sets are O(1) clones, so the caller may modify the database afterwards.
fn live_sets(db: &Db, keys: &[Bytes], now_ms: u64) -> Result<Vec<Option<Set>>, ReplyError> {
    keys.iter()
        .map(|key| live_set(db, key, now_ms).map(|set| set.cloned()))
        .collect()
}

/// The intersection of the sets of `keys` (a missing key is empty), in the order of the smallest
/// set, stopping after `limit` members when `limit` is not 0.
fn intersection(
    db: &Db,
    keys: &[Bytes],
    now_ms: u64,
    limit: usize,
) -> Result<Vec<MemberKey>, ReplyError> {
    let sets = live_sets(db, keys, now_ms)?;
    let Some(mut sets) = sets.into_iter().collect::<Option<Vec<Set>>>() else {
        return Ok(Vec::new());
    };
    sets.sort_by_key(Set::len);
    let Some((smallest, others)) = sets.split_first() else {
        return Ok(Vec::new());
    };
    let mut res = Vec::new();
    // Redis iterates the smallest set: an intset in numeric order.
    for member in smallest.ordered_members() {
        if others.iter().all(|set| set.contains(&member.member)) {
            res.push(member.clone());
            if limit != 0 && res.len() >= limit {
                break;
            }
        }
    }
    Ok(res)
}

/// The union of the sets of `keys` (missing keys are empty).
fn union(db: &Db, keys: &[Bytes], now_ms: u64) -> Result<Set, ReplyError> {
    let sets = live_sets(db, keys, now_ms)?;
    let mut sets = sets.into_iter().flatten();
    // Start from the first set (an O(1) clone) and add the others to it.
    let mut res = sets.next().unwrap_or_default();
    for set in sets {
        for (member, ()) in set.iter() {
            res.insert_key(member.clone(), ());
        }
    }
    Ok(res)
}

/// The members of the first set of `keys` that are in none of the others (missing keys are empty).
fn difference(db: &Db, keys: &[Bytes], now_ms: u64) -> Result<Vec<MemberKey>, ReplyError> {
    let sets = live_sets(db, keys, now_ms)?;
    let Some((Some(first), others)) = sets.split_first() else {
        return Ok(Vec::new());
    };
    let others: Vec<&Set> = others.iter().flatten().collect();
    Ok(first
        .iter()
        .filter(|(member, ())| !others.iter().any(|set| set.contains(&member.member)))
        .map(|(member, ())| member.clone())
        .collect())
}

/// Removes and returns the member drawn by the next random number.
fn pop_random(set: &mut Set, rng: &mut SplitMix64) -> Option<MemberKey> {
    let member = set.random_member(rng)?.0.clone();
    set.remove_key(&member);
    Some(member)
}

/// Returns the live set at `key`: `None` when missing, WRONGTYPE for other types.
fn live_set<'a>(db: &'a Db, key: &[u8], now_ms: u64) -> Result<Option<&'a Set>, ReplyError> {
    match db.get_value(key, now_ms) {
        None => Ok(None),
        Some(value) => value.as_set().map(Some).ok_or(ReplyError::WrongType),
    }
}

#[cfg(test)]
mod set_test;
