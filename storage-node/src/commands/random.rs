//! Random members for SRANDMEMBER and HRANDFIELD (reads) and SPOP (a write), over a [`MemberMap`]
//! or, for the compact encodings, a list of the members in their order ([`sample_in_order`]).
//!
//! Every choice goes through a [`SplitMix64`]: writes seed it from their Raft entry's seed, so every
//! replica pops the same members; reads seed it from a random source ([`read_rng`]), which is
//! allowed because a read changes nothing (DESIGN invariant 3 is about the state).
//!
//! Counts follow Redis 7.0's `srandmemberWithCountCommand` and `hrandfieldWithCountCommand`: a
//! positive count returns that many distinct members (all of them when the count is at least the
//! size), a negative count returns `|count|` members that may repeat. One deliberate limit: Redis
//! streams a reply of any length for a negative count, while this node builds the reply in memory,
//! so a repeated pick of more than [`MAX_REPEATED_PICKS`] members is refused with
//! `ERR value is out of range` instead of exhausting the node's memory.

use std::collections::HashSet;

use tinyredis_common::ReplyError;

use crate::commands::ReadCtx;

use crate::commands::args::parse_i64;
use crate::keyspace::ordered::EXACT_PICK_MAX_LEN;
use crate::keyspace::ordered::MemberKey;
use crate::keyspace::ordered::MemberMap;
use crate::keyspace::ordered::SplitMix64;

/// Most members a negative count may ask for (see the module documentation).
pub const MAX_REPEATED_PICKS: u64 = 1_000_000;

/// Returns a generator for a read: seeded from the log entry when the read is applied inside a
/// write (so every replica gives the same reply), else from the thread's random source.
pub fn read_rng(ctx: &ReadCtx) -> SplitMix64 {
    SplitMix64::new(ctx.seed.unwrap_or_else(rand::random))
}

/// Parses the count of SRANDMEMBER and HRANDFIELD as Redis's
/// `getRangeLongFromObjectOrReply(…, -LONG_MAX, LONG_MAX, …)`: not an integer is
/// `ERR value is not an integer or out of range`, and `i64::MIN` is out of range.
pub fn parse_random_count(text: &[u8]) -> Result<i64, ReplyError> {
    match parse_i64(text) {
        None => Err(ReplyError::NotInteger),
        Some(i64::MIN) => Err(ReplyError::err(
            "value is out of range, value must between -9223372036854775807 and 9223372036854775807",
        )),
        Some(count) => Ok(count),
    }
}

/// Returns the members chosen for a count: none for 0, `|count|` random members with repeats for a
/// negative count or 1, every member in order when the count is at least the size, and otherwise
/// `count` distinct random members.
pub fn sample<'a, V: Clone>(
    map: &'a MemberMap<V>,
    count: i64,
    rng: &mut SplitMix64,
) -> Result<Vec<(&'a MemberKey, &'a V)>, ReplyError> {
    if map.len() <= EXACT_PICK_MAX_LEN {
        // Pick by position from a list made once rather than walking the map per pick.
        if count == 0 || map.is_empty() {
            return Ok(Vec::new());
        }
        let all: Vec<_> = map.iter().collect();
        return sample_in_order(&all, count, rng);
    }
    if count == 0 {
        return Ok(Vec::new());
    }
    if count < 0 || count == 1 {
        let n_picks = repeated_picks(count)?;
        let picks = (0..n_picks).filter_map(|_| map.random_member(rng));
        return Ok(picks.collect());
    }
    let count = usize::try_from(count).unwrap_or(usize::MAX);
    if count >= map.len() {
        return Ok(map.iter().collect());
    }
    Ok(sample_distinct(map, count, rng))
}

/// Returns the items chosen for a count from a collection listed in its order, by position, with
/// the rules of [`sample`]: for the compact encodings (a packed hash in insertion order, an
/// intset in numeric order) and small member maps. Every item is equally likely.
pub fn sample_in_order<T: Copy>(
    all: &[T],
    count: i64,
    rng: &mut SplitMix64,
) -> Result<Vec<T>, ReplyError> {
    if count == 0 || all.is_empty() {
        return Ok(Vec::new());
    }
    if count < 0 || count == 1 {
        let n_picks = repeated_picks(count)?;
        return Ok((0..n_picks).map(|_| all[rng.below(all.len())]).collect());
    }
    let count = usize::try_from(count).unwrap_or(usize::MAX);
    if count >= all.len() {
        return Ok(all.to_vec());
    }
    Ok(shuffled_prefix(all.to_vec(), count, rng))
}

/// The number of picks of a negative count (or 1), refused above [`MAX_REPEATED_PICKS`].
fn repeated_picks(count: i64) -> Result<u64, ReplyError> {
    let n_picks = count.unsigned_abs();
    if n_picks > MAX_REPEATED_PICKS {
        return Err(ReplyError::err("value is out of range"));
    }
    Ok(n_picks)
}

/// Shuffles the first `count` places of `all` (a partial Fisher-Yates shuffle) and keeps them.
fn shuffled_prefix<T>(mut all: Vec<T>, count: usize, rng: &mut SplitMix64) -> Vec<T> {
    let count = count.min(all.len());
    for idx in 0..count {
        let other = idx + rng.below(all.len() - idx);
        all.swap(idx, other);
    }
    all.truncate(count);
    all
}

/// Returns `count` distinct random members (`count < map.len()`), in the order they were drawn.
///
/// When the map is small or the sample is a large part of it, this shuffles a list of all members
/// (Redis's "remove random elements" case); otherwise it draws members until it has enough distinct
/// ones, with a bounded number of draws before falling back to the shuffle.
pub fn sample_distinct<'a, V: Clone>(
    map: &'a MemberMap<V>,
    count: usize,
    rng: &mut SplitMix64,
) -> Vec<(&'a MemberKey, &'a V)> {
    if count == 0 {
        return Vec::new();
    }
    if map.len() > EXACT_PICK_MAX_LEN && count.saturating_mul(3) <= map.len() {
        let mut chosen = Vec::with_capacity(count);
        let mut seen = HashSet::with_capacity(count);
        let max_draws = count.saturating_mul(16).saturating_add(64);
        for _ in 0..max_draws {
            let Some((key, value)) = map.random_member(rng) else {
                break;
            };
            if seen.insert(key) {
                chosen.push((key, value));
                if chosen.len() == count {
                    return chosen;
                }
            }
        }
    }
    shuffled_prefix(map.iter().collect(), count, rng)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map_of(n: usize) -> MemberMap<()> {
        let mut map = MemberMap::default();
        for i in 0..n {
            map.insert(&bytes::Bytes::from(format!("m{i}")), ());
        }
        map
    }

    #[test]
    fn counts() {
        let map = map_of(10);
        let mut rng = SplitMix64::new(1);
        assert!(sample(&map, 0, &mut rng).unwrap().is_empty());
        assert_eq!(sample(&map, 1, &mut rng).unwrap().len(), 1);
        assert_eq!(sample(&map, -25, &mut rng).unwrap().len(), 25);
        assert_eq!(sample(&map, 10, &mut rng).unwrap().len(), 10);
        assert_eq!(sample(&map, 1000, &mut rng).unwrap().len(), 10);
        for count in 2..10 {
            let picked = sample(&map, count, &mut rng).unwrap();
            let distinct: HashSet<_> = picked.iter().map(|(key, _)| *key).collect();
            assert_eq!(distinct.len(), count as usize);
        }
        assert!(sample(&map_of(0), -5, &mut rng).unwrap().is_empty());
        assert_eq!(
            sample(&map, -(MAX_REPEATED_PICKS as i64) - 1, &mut rng),
            Err(ReplyError::err("value is out of range"))
        );
    }

    #[test]
    fn distinct_samples_of_small_parts_use_draws() {
        let map = map_of(1000);
        let mut rng = SplitMix64::new(9);
        let picked = sample_distinct(&map, 100, &mut rng);
        let distinct: HashSet<_> = picked.iter().map(|(key, _)| *key).collect();
        assert_eq!(distinct.len(), 100);
        // The same seed draws the same sample.
        let again = sample_distinct(&map, 100, &mut SplitMix64::new(9));
        assert_eq!(picked, again);
    }

    #[test]
    fn every_member_can_be_drawn() {
        let map = map_of(20);
        let mut rng = SplitMix64::new(3);
        let mut seen = HashSet::new();
        for _ in 0..2000 {
            for (key, _) in sample(&map, 1, &mut rng).unwrap() {
                seen.insert(key.member.clone());
            }
        }
        assert_eq!(seen.len(), 20);
    }

    #[test]
    fn samples_in_order_pick_by_position() {
        let all = ["a", "b", "c", "d"];
        let mut rng = SplitMix64::new(5);
        assert!(sample_in_order(&all, 0, &mut rng).unwrap().is_empty());
        assert!(
            sample_in_order(&[] as &[&str], -3, &mut rng)
                .unwrap()
                .is_empty()
        );
        // A count at least the size lists everything in order.
        assert_eq!(sample_in_order(&all, 4, &mut rng).unwrap(), all.to_vec());
        assert_eq!(sample_in_order(&all, 99, &mut rng).unwrap(), all.to_vec());
        assert_eq!(sample_in_order(&all, -9, &mut rng).unwrap().len(), 9);
        let picked = sample_in_order(&all, 3, &mut rng).unwrap();
        assert_eq!(picked.iter().collect::<HashSet<_>>().len(), 3);
        // The same seed picks the same items, as every replica must.
        let again = |seed| sample_in_order(&all, -20, &mut SplitMix64::new(seed)).unwrap();
        assert_eq!(again(11), again(11));
        assert_eq!(
            sample_in_order(&all, -(MAX_REPEATED_PICKS as i64) - 1, &mut rng),
            Err(ReplyError::err("value is out of range"))
        );
        // Small member maps pick exactly as a list of their members in order does.
        let map = map_of(10);
        let members: Vec<_> = map.iter().collect();
        for count in [-7, 1, 3, 9, 10] {
            assert_eq!(
                sample(&map, count, &mut SplitMix64::new(2)).unwrap(),
                sample_in_order(&members, count, &mut SplitMix64::new(2)).unwrap()
            );
        }
    }

    #[test]
    fn count_parsing() {
        assert_eq!(parse_random_count(b"-5"), Ok(-5));
        assert_eq!(parse_random_count(b"9223372036854775807"), Ok(i64::MAX));
        assert_eq!(parse_random_count(b"-9223372036854775807"), Ok(-i64::MAX));
        assert_eq!(parse_random_count(b"x"), Err(ReplyError::NotInteger));
        assert!(matches!(
            parse_random_count(b"-9223372036854775808"),
            Err(ReplyError::Err(_))
        ));
    }
}
