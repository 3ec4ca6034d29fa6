//! The sorted set type: [`ZSet`], the value of [`Value::ZSet`].
//!
//! A sorted set holds each member once with a score, and keeps two persistent (`imbl`) indexes of
//! the same members, so cloning it is O(1):
//!
//! - a [`MemberMap`] from member to score, in [`MemberKey`] order (fixed-seed hash, then bytes):
//!   O(log n) score lookups, and the same scan cursors and random picks as hashes and sets
//!   (ZSCAN, ZRANDMEMBER);
//! - an ordered set of `(score, member)` pairs in exactly the order of Redis's skiplist: by score,
//!   then by member bytes (`memcmp`, shorter first on a common prefix). Ranges by score and by
//!   lexicographic bounds seek in it in O(log n).
//!
//! `imbl`'s ordered set has no order statistics, so ranks are O(rank): ZRANK and ZREVRANK count the
//! members before the member, and ranges by index (ZRANGE, ZREMRANGEBYRANK) walk from the nearer
//! end, and ZCOUNT and ZLEXCOUNT walk the range they count. Redis's skiplist does these in
//! O(log n); here they cost a walk over the members skipped or counted.
//!
//! Scores are never NaN. Like Redis's listpack encoding (every sorted set of up to 128 members), a
//! stored score of `-0` is `0`: [`ZSet::insert`] stores `0.0` for `-0.0`. Members are owned copies.
//! Redis never stores an empty sorted set: commands that remove members delete the key when the
//! sorted set becomes empty.

use std::cmp::Ordering;
use std::ops::Bound;

use bytes::Bytes;
use imbl::OrdSet;

use crate::keyspace::Value;
use crate::keyspace::ordered::MemberKey;
use crate::keyspace::ordered::MemberMap;

/// A score in the sorted order: compared like C's `<` on doubles, so `-0` equals `0`. Never NaN in
/// a [`ZSet`] (a NaN would compare by `f64::total_cmp`, which keeps the order total).
#[derive(Clone, Copy, Debug)]
pub struct Score(pub f64);

impl PartialEq for Score {
    fn eq(&self, other: &Score) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Score {}

impl PartialOrd for Score {
    fn partial_cmp(&self, other: &Score) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Score {
    fn cmp(&self, other: &Score) -> Ordering {
        self.0
            .partial_cmp(&other.0)
            .unwrap_or_else(|| self.0.total_cmp(&other.0))
    }
}

/// A range of scores (`zrangespec`): `min` and `max`, each inclusive or exclusive.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScoreRange {
    /// The lower bound.
    pub min: f64,
    /// The upper bound.
    pub max: f64,
    /// True when `min` itself is excluded (`(min`).
    pub min_exclusive: bool,
    /// True when `max` itself is excluded (`(max`).
    pub max_exclusive: bool,
}

impl ScoreRange {
    /// Returns true when `score` is at or above the lower bound (`zslValueGteMin`).
    pub fn above_min(&self, score: f64) -> bool {
        if self.min_exclusive {
            score > self.min
        } else {
            score >= self.min
        }
    }

    /// Returns true when `score` is at or below the upper bound (`zslValueLteMax`).
    pub fn below_max(&self, score: f64) -> bool {
        if self.max_exclusive {
            score < self.max
        } else {
            score <= self.max
        }
    }

    /// Returns true for a range no score can be in (`min > max`, or `min == max` with an
    /// exclusive end).
    fn is_empty(&self) -> bool {
        self.min > self.max || (self.min == self.max && (self.min_exclusive || self.max_exclusive))
    }
}

/// One end of a lexicographic range, ordered as Redis's `sdscmplex`: `-` below every string, `+`
/// above every string.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LexEdge {
    /// `-`: the minimum string.
    Min,
    /// A string given as `[s` or `(s`.
    Value(Bytes),
    /// `+`: the maximum string.
    Max,
}

/// A lexicographic range (`zlexrangespec`): two edges, each inclusive or exclusive (`-` and `+`
/// are exclusive, as Redis parses them).
#[derive(Clone, Debug, PartialEq)]
pub struct LexRange {
    /// The lower edge.
    pub min: LexEdge,
    /// The upper edge.
    pub max: LexEdge,
    /// True when `min` itself is excluded.
    pub min_exclusive: bool,
    /// True when `max` itself is excluded.
    pub max_exclusive: bool,
}

impl LexRange {
    /// Returns true when `member` is at or above the lower edge (`zslLexValueGteMin`).
    pub fn above_min(&self, member: &Bytes) -> bool {
        let order = edge_cmp(member, &self.min);
        if self.min_exclusive {
            order == Ordering::Greater
        } else {
            order != Ordering::Less
        }
    }

    /// Returns true when `member` is at or below the upper edge (`zslLexValueLteMax`).
    pub fn below_max(&self, member: &Bytes) -> bool {
        let order = edge_cmp(member, &self.max);
        if self.max_exclusive {
            order == Ordering::Less
        } else {
            order != Ordering::Greater
        }
    }

    /// Returns true for a range no member can be in (the first test of `zzlIsInLexRange`).
    fn is_empty(&self) -> bool {
        match self.min.cmp(&self.max) {
            Ordering::Greater => true,
            Ordering::Equal => self.min_exclusive || self.max_exclusive,
            Ordering::Less => false,
        }
    }
}

/// Compares a member with a lexicographic edge.
fn edge_cmp(member: &Bytes, edge: &LexEdge) -> Ordering {
    match edge {
        LexEdge::Min => Ordering::Greater,
        LexEdge::Value(value) => member[..].cmp(&value[..]),
        LexEdge::Max => Ordering::Less,
    }
}

/// An iterator over `(member, score)` pairs of a sorted set.
pub type Members<'a> = Box<dyn Iterator<Item = (&'a Bytes, f64)> + 'a>;

/// A Redis sorted set; see the module documentation.
#[derive(Clone, Debug, Default)]
pub struct ZSet {
    /// Member to score, in [`MemberKey`] order.
    dict: MemberMap<f64>,
    /// `(score, member)` for every member of `dict`, in Redis's sorted-set order. Kept exactly in
    /// sync with `dict` by every mutating method; the member bytes are shared with `dict`.
    index: OrdSet<(Score, Bytes)>,
}

impl PartialEq for ZSet {
    /// Two sorted sets are equal when they hold the same members with bit-identical scores, in
    /// the same encoding.
    fn eq(&self, other: &ZSet) -> bool {
        self.len() == other.len()
            && self.is_big() == other.is_big()
            && self
                .dict
                .iter()
                .zip(other.dict.iter())
                .all(|((a, x), (b, y))| a == b && x.to_bits() == y.to_bits())
    }
}

impl ZSet {
    /// Returns true once the sorted set is a `skiplist` (see [`crate::keyspace::encoding`]).
    pub fn is_big(&self) -> bool {
        self.dict.is_big()
    }

    /// Records the conversion to `skiplist`; it is never undone.
    pub fn set_big(&mut self) {
        self.dict.set_big();
    }

    /// Returns the number of members.
    pub fn len(&self) -> usize {
        self.dict.len()
    }

    /// Returns true when there is no member (Redis never stores such a sorted set).
    pub fn is_empty(&self) -> bool {
        self.dict.is_empty()
    }

    /// Returns the score of `member`.
    pub fn score(&self, member: &Bytes) -> Option<f64> {
        self.dict.get(member).copied()
    }

    /// Sets the score of `member` (which must not be NaN) and returns the previous score. A new
    /// member is stored as a copy of `member`; an existing one keeps its stored bytes. `-0` is
    /// stored as `0`.
    pub fn insert(&mut self, member: &Bytes, score: f64) -> Option<f64> {
        debug_assert!(!score.is_nan(), "a sorted set score is never NaN");
        // `-0.0 + 0.0` is `0.0`; every other value is unchanged.
        let score = score + 0.0;
        if let Some(stored) = self.dict.get_mut(member) {
            let old = std::mem::replace(stored, score);
            if old.to_bits() != score.to_bits() {
                let stored_member = self
                    .index
                    .remove(&(Score(old), member.clone()))
                    .map_or_else(|| Bytes::copy_from_slice(member), |(_, m)| m);
                self.index.insert((Score(score), stored_member));
            }
            return Some(old);
        }
        self.add_absent(MemberKey::copied(member), score);
        None
    }

    /// Adds the member of `key` if it is absent, storing `key.member` as is (it must be an owned
    /// copy: bytes read from a snapshot or taken from another stored value). Returns false,
    /// changing nothing, when the member is already present.
    pub fn insert_new(&mut self, key: MemberKey, score: f64) -> bool {
        debug_assert!(!score.is_nan(), "a sorted set score is never NaN");
        if self.dict.get(&key.member).is_some() {
            return false;
        }
        self.add_absent(key, score);
        true
    }

    /// Adds a member known to be absent (`-0` stored as `0`), sharing its bytes between the two
    /// indexes.
    fn add_absent(&mut self, key: MemberKey, score: f64) {
        let score = score + 0.0;
        self.index.insert((Score(score), key.member.clone()));
        self.dict.insert_key(key, score);
    }

    /// Removes `member` and returns its score.
    pub fn remove(&mut self, member: &Bytes) -> Option<f64> {
        let score = self.dict.remove(member)?;
        self.index.remove(&(Score(score), member.clone()));
        Some(score)
    }

    /// Removes and returns the first member (lowest score), or the last one when `last` is true.
    pub fn pop(&mut self, last: bool) -> Option<(Bytes, f64)> {
        let (score, member) = if last {
            self.index.remove_max()?
        } else {
            self.index.remove_min()?
        };
        self.dict.remove_key(&MemberKey::new(member.clone()));
        Some((member, score.0))
    }

    /// Iterates over `(member, score)` in order (lowest score first); `.rev()` walks backwards.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&Bytes, f64)> {
        self.index.iter().map(|(score, member)| (member, score.0))
    }

    /// The member map, in [`MemberKey`] order, for scans and random picks.
    pub fn members(&self) -> &MemberMap<f64> {
        &self.dict
    }

    /// Returns the 0-based rank of `member` in order (or in reverse order when `reverse`); O(rank).
    pub fn rank(&self, member: &Bytes, reverse: bool) -> Option<usize> {
        let score = self.score(member)?;
        let before = self.index.range(..(Score(score), member.clone())).count();
        Some(if reverse {
            self.len() - 1 - before
        } else {
            before
        })
    }

    /// Iterates over the members with ranks `start..=end` (both below `len()`, `start <= end`), in
    /// order or, when `reverse`, in reverse order with ranks counted from the end.
    pub fn rank_range(&self, start: usize, end: usize, reverse: bool) -> Members<'_> {
        let take = end - start + 1;
        // How far the range is from the other end of the walk.
        let from_far_end = self.len() - 1 - end;
        if start <= from_far_end {
            if reverse {
                Box::new(self.iter().rev().skip(start).take(take))
            } else {
                Box::new(self.iter().skip(start).take(take))
            }
        } else {
            // Nearer the other end: walk from there, then put the members back in order.
            let mut members: Vec<(&Bytes, f64)> = if reverse {
                self.iter().skip(from_far_end).take(take).collect()
            } else {
                self.iter().rev().skip(from_far_end).take(take).collect()
            };
            members.reverse();
            Box::new(members.into_iter())
        }
    }

    /// Iterates over the members whose score is in `range`, from the lowest score (or, when
    /// `reverse`, from the highest).
    pub fn score_range(&self, range: ScoreRange, reverse: bool) -> Members<'_> {
        if range.is_empty() {
            return Box::new(std::iter::empty());
        }
        if reverse {
            // The last member with a score at or below the maximum.
            let upper = if range.max_exclusive {
                Bound::Excluded((Score(range.max), Bytes::new()))
            } else if range.max == f64::INFINITY {
                Bound::Unbounded
            } else {
                Bound::Excluded((Score(range.max.next_up()), Bytes::new()))
            };
            let members = self.index.range((Bound::Unbounded, upper)).rev();
            Box::new(
                members
                    .map(|(score, member)| (member, score.0))
                    .take_while(move |(_, score)| range.above_min(*score)),
            )
        } else {
            // The first member with a score at or above the minimum.
            let lower = if !range.min_exclusive {
                Bound::Included((Score(range.min), Bytes::new()))
            } else if range.min == f64::INFINITY {
                return Box::new(std::iter::empty());
            } else {
                Bound::Included((Score(range.min.next_up()), Bytes::new()))
            };
            let members = self.index.range((lower, Bound::Unbounded));
            Box::new(
                members
                    .map(|(score, member)| (member, score.0))
                    .take_while(move |(_, score)| range.below_max(*score)),
            )
        }
    }

    /// Iterates over the members in a lexicographic range, exactly as Redis 7.0 does for a sorted
    /// set in listpack encoding (`zzlFirstInLexRange` / `zzlLastInLexRange`, then walking while in
    /// range):
    ///
    /// - nothing when the range is empty, the last member is below the minimum or the first member
    ///   is above the maximum;
    /// - forward: from the first member (in score order) at or above the minimum, while members
    ///   are at or below the maximum; reverse: from the last member at or below the maximum,
    ///   backwards while members are at or above the minimum.
    ///
    /// When all scores are equal (the documented use), members are in byte order and this is the
    /// plain lexicographic range, found by an O(log n) seek; with mixed scores the result follows
    /// the score order, as in Redis, and the start is found by a linear walk.
    pub fn lex_range(&self, range: &LexRange, reverse: bool) -> Members<'_> {
        let (Some((first_score, first)), Some((last_score, last))) =
            (self.index.get_min(), self.index.get_max())
        else {
            return Box::new(std::iter::empty());
        };
        if range.is_empty() || !range.above_min(last) || !range.below_max(first) {
            return Box::new(std::iter::empty());
        }
        let uniform = first_score == last_score;
        let score = *first_score;
        if reverse {
            let start: Box<dyn Iterator<Item = &(Score, Bytes)>> = if uniform {
                let upper = match &range.max {
                    LexEdge::Min => return Box::new(std::iter::empty()),
                    LexEdge::Value(v) if range.max_exclusive => Bound::Excluded((score, v.clone())),
                    LexEdge::Value(v) => Bound::Included((score, v.clone())),
                    LexEdge::Max => Bound::Unbounded,
                };
                Box::new(self.index.range((Bound::Unbounded, upper)).rev())
            } else {
                let seek = range.clone();
                Box::new(
                    self.index
                        .iter()
                        .rev()
                        .skip_while(move |(_, member)| !seek.below_max(member)),
                )
            };
            let range = range.clone();
            Box::new(
                start
                    .map(|(score, member)| (member, score.0))
                    .take_while(move |(member, _)| range.above_min(member)),
            )
        } else {
            let start: Box<dyn Iterator<Item = &(Score, Bytes)>> = if uniform {
                let lower = match &range.min {
                    LexEdge::Min => Bound::Unbounded,
                    LexEdge::Value(v) if range.min_exclusive => Bound::Excluded((score, v.clone())),
                    LexEdge::Value(v) => Bound::Included((score, v.clone())),
                    LexEdge::Max => return Box::new(std::iter::empty()),
                };
                Box::new(self.index.range((lower, Bound::Unbounded)))
            } else {
                let seek = range.clone();
                Box::new(
                    self.index
                        .iter()
                        .skip_while(move |(_, member)| !seek.above_min(member)),
                )
            };
            let range = range.clone();
            Box::new(
                start
                    .map(|(score, member)| (member, score.0))
                    .take_while(move |(member, _)| range.below_max(member)),
            )
        }
    }

    /// Checks that the two indexes hold the same members and scores; for tests.
    #[cfg(test)]
    pub(crate) fn assert_consistent(&self) {
        assert_eq!(self.dict.len(), self.index.len(), "index size");
        for (key, score) in self.dict.iter() {
            assert!(!score.is_nan());
            assert!(
                self.index
                    .get_next(&(Score(*score), key.member.clone()))
                    .is_some_and(|(s, m)| s.0.to_bits() == score.to_bits() && m == &key.member),
                "indexed {key:?}"
            );
        }
    }
}

impl Value {
    /// Returns the sorted set of a sorted set value, or `None` for any other type.
    pub fn as_zset(&self) -> Option<&ZSet> {
        match self {
            Value::ZSet(zset) => Some(zset),
            _ => None,
        }
    }

    /// Returns the sorted set of a sorted set value for modification, or `None` for any other type.
    pub fn as_zset_mut(&mut self) -> Option<&mut ZSet> {
        match self {
            Value::ZSet(zset) => Some(zset),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(s: &str) -> Bytes {
        Bytes::copy_from_slice(s.as_bytes())
    }

    fn zset(pairs: &[(&str, f64)]) -> ZSet {
        let mut zset = ZSet::default();
        for (member, score) in pairs {
            zset.insert(&bytes(member), *score);
        }
        zset.assert_consistent();
        zset
    }

    fn members(iter: Members<'_>) -> Vec<String> {
        iter.map(|(m, _)| String::from_utf8_lossy(m).into_owned())
            .collect()
    }

    #[test]
    fn order_is_score_then_bytes() {
        let z = zset(&[
            ("b", 1.0),
            ("a", 1.0),
            ("ab", 1.0),
            ("c", -0.5),
            ("d", f64::INFINITY),
            ("e", f64::NEG_INFINITY),
            ("", 1.0),
        ]);
        let order: Vec<_> = z.iter().map(|(m, _)| m.clone()).collect();
        assert_eq!(order, ["e", "c", "", "a", "ab", "b", "d"].map(bytes));
        assert_eq!(z.rank(&bytes("ab"), false), Some(4));
        assert_eq!(z.rank(&bytes("ab"), true), Some(2));
        assert_eq!(z.rank(&bytes("zz"), false), None);
        assert_eq!(members(z.rank_range(1, 2, true)), ["b", "ab"]);
    }

    #[test]
    fn insert_update_remove_pop() {
        let mut z = zset(&[("a", 1.0), ("b", 2.0)]);
        assert_eq!(z.insert(&bytes("a"), 3.0), Some(1.0));
        assert_eq!(z.insert(&bytes("c"), -0.0), None);
        z.assert_consistent();
        // -0 is stored as 0.
        assert_eq!(
            z.score(&bytes("c")).map(f64::to_bits),
            Some(0.0f64.to_bits())
        );
        assert_eq!(members(Box::new(z.iter())), ["c", "b", "a"]);
        assert_eq!(z.remove(&bytes("b")), Some(2.0));
        assert_eq!(z.remove(&bytes("b")), None);
        assert_eq!(z.pop(true), Some((bytes("a"), 3.0)));
        assert_eq!(z.pop(false), Some((bytes("c"), 0.0)));
        assert_eq!(z.pop(false), None);
        assert!(z.is_empty());
        z.assert_consistent();
    }

    #[test]
    fn stored_members_are_copies() {
        let request = Bytes::from(vec![b'x'; 64]);
        let mut z = ZSet::default();
        z.insert(&request.slice(..3), 1.0);
        z.insert(&request.slice(..3), 2.0);
        let (member, _) = z.iter().next().unwrap();
        assert!(!request.as_ptr_range().contains(&member.as_ptr()));
        let (key, _) = z.members().iter().next().unwrap();
        assert!(!request.as_ptr_range().contains(&key.member.as_ptr()));
    }

    #[test]
    fn score_ranges() {
        let z = zset(&[
            ("a", 1.0),
            ("b", 2.0),
            ("c", 2.0),
            ("d", 3.0),
            ("e", f64::INFINITY),
        ]);
        let range = |min: f64, min_exclusive, max: f64, max_exclusive| ScoreRange {
            min,
            max,
            min_exclusive,
            max_exclusive,
        };
        let cases: Vec<(ScoreRange, &[&str])> = vec![
            (range(2.0, false, 3.0, false), &["b", "c", "d"]),
            (range(2.0, true, 3.0, false), &["d"]),
            (range(2.0, false, 3.0, true), &["b", "c"]),
            (range(2.0, true, 2.0, false), &[]),
            (range(3.0, false, 2.0, false), &[]),
            (
                range(f64::NEG_INFINITY, false, f64::INFINITY, false),
                &["a", "b", "c", "d", "e"],
            ),
            (range(f64::INFINITY, false, f64::INFINITY, false), &["e"]),
            (range(f64::INFINITY, true, f64::INFINITY, false), &[]),
            (range(3.0, true, f64::INFINITY, true), &[]),
            (range(-0.0, false, 1.0, false), &["a"]),
        ];
        for (range, expected) in cases {
            assert_eq!(members(z.score_range(range, false)), expected, "{range:?}");
            let mut reversed: Vec<&str> = expected.to_vec();
            reversed.reverse();
            assert_eq!(
                members(z.score_range(range, true)),
                reversed,
                "rev {range:?}"
            );
        }
    }

    #[test]
    fn lex_ranges_with_equal_and_mixed_scores() {
        let lex = |min: LexEdge, min_exclusive, max: LexEdge, max_exclusive| LexRange {
            min,
            max,
            min_exclusive,
            max_exclusive,
        };
        let v = |s: &str| LexEdge::Value(bytes(s));
        let uniform = zset(&[("a", 0.0), ("b", 0.0), ("c", 0.0), ("d", 0.0)]);
        let cases: Vec<(LexRange, &[&str])> = vec![
            (
                lex(LexEdge::Min, true, LexEdge::Max, true),
                &["a", "b", "c", "d"],
            ),
            (lex(v("b"), false, v("c"), false), &["b", "c"]),
            (lex(v("b"), true, v("d"), true), &["c"]),
            (lex(v("bb"), false, LexEdge::Max, true), &["c", "d"]),
            (lex(v("c"), false, v("b"), false), &[]),
            (lex(v("b"), true, v("b"), false), &[]),
            (lex(LexEdge::Max, true, LexEdge::Max, true), &[]),
            (lex(LexEdge::Min, true, LexEdge::Min, true), &[]),
        ];
        for (range, expected) in cases {
            assert_eq!(
                members(uniform.lex_range(&range, false)),
                expected,
                "{range:?}"
            );
            let mut reversed: Vec<&str> = expected.to_vec();
            reversed.reverse();
            assert_eq!(
                members(uniform.lex_range(&range, true)),
                reversed,
                "rev {range:?}"
            );
        }
        // Mixed scores follow the score order, as Redis's listpack walk does.
        let mixed = zset(&[("b", 1.0), ("a", 2.0), ("c", 3.0), ("a0", 4.0)]);
        let range = lex(v("a"), false, v("c"), false);
        assert_eq!(
            members(mixed.lex_range(&range, false)),
            ["b", "a", "c", "a0"]
        );
        assert_eq!(
            members(mixed.lex_range(&range, true)),
            ["a0", "c", "a", "b"]
        );
        let range = lex(v("b"), false, LexEdge::Max, true);
        assert!(members(mixed.lex_range(&range, false)).is_empty());
    }

    #[test]
    fn equality_compares_score_bits() {
        let a = zset(&[("a", 1.0)]);
        let mut b = ZSet::default();
        b.insert_new(MemberKey::copied(b"a"), 1.0);
        assert_eq!(a, b);
        assert!(!b.insert_new(MemberKey::copied(b"a"), 2.0));
        b.insert(&bytes("a"), 1.5);
        assert_ne!(a, b);
    }

    #[test]
    fn matches_a_sorted_vector_model() {
        use std::collections::BTreeMap;

        use crate::keyspace::ordered::SplitMix64;

        let mut rng = SplitMix64::new(11);
        let mut z = ZSet::default();
        let mut model: BTreeMap<Bytes, f64> = BTreeMap::new();
        let scores = [
            f64::NEG_INFINITY,
            -1.5,
            -0.0,
            0.0,
            0.5,
            1.0,
            2.0,
            f64::INFINITY,
        ];
        for round in 0..4000 {
            let member = Bytes::from(format!("m{}", rng.below(60)));
            if rng.below(4) == 0 {
                assert_eq!(z.remove(&member), model.remove(&member));
            } else {
                let score = scores[rng.below(scores.len())];
                z.insert(&member, score);
                model.insert(member, score + 0.0);
            }
            if round % 50 != 0 {
                continue;
            }
            z.assert_consistent();
            let mut sorted: Vec<(Bytes, f64)> =
                model.iter().map(|(m, s)| (m.clone(), *s)).collect();
            sorted.sort_by(|a, b| (Score(a.1), &a.0).cmp(&(Score(b.1), &b.0)));
            let got: Vec<(Bytes, f64)> = z.iter().map(|(m, s)| (m.clone(), s)).collect();
            assert_eq!(got, sorted);
            for (rank, (member, _)) in sorted.iter().enumerate() {
                assert_eq!(z.rank(member, false), Some(rank));
                assert_eq!(z.rank(member, true), Some(sorted.len() - 1 - rank));
            }
            for _ in 0..20 {
                if sorted.is_empty() {
                    break;
                }
                let a = rng.below(sorted.len());
                let b = rng.below(sorted.len());
                let (start, end) = (a.min(b), a.max(b));
                let forward: Vec<&Bytes> =
                    z.rank_range(start, end, false).map(|(m, _)| m).collect();
                let expected: Vec<&Bytes> = sorted[start..=end].iter().map(|(m, _)| m).collect();
                assert_eq!(forward, expected, "ranks {start}..={end}");
                let backward: Vec<&Bytes> =
                    z.rank_range(start, end, true).map(|(m, _)| m).collect();
                let expected: Vec<&Bytes> = sorted
                    .iter()
                    .rev()
                    .skip(start)
                    .take(end - start + 1)
                    .map(|(m, _)| m)
                    .collect();
                assert_eq!(backward, expected, "reverse ranks {start}..={end}");
            }
            for _ in 0..20 {
                let range = ScoreRange {
                    min: scores[rng.below(scores.len())],
                    max: scores[rng.below(scores.len())],
                    min_exclusive: rng.below(2) == 0,
                    max_exclusive: rng.below(2) == 0,
                };
                let expected: Vec<&Bytes> = sorted
                    .iter()
                    .filter(|(_, s)| range.above_min(*s) && range.below_max(*s))
                    .map(|(m, _)| m)
                    .collect();
                let forward: Vec<&Bytes> = z.score_range(range, false).map(|(m, _)| m).collect();
                assert_eq!(forward, expected, "{range:?}");
                let mut backward: Vec<&Bytes> =
                    z.score_range(range, true).map(|(m, _)| m).collect();
                backward.reverse();
                assert_eq!(backward, expected, "rev {range:?}");
            }
        }
    }

    #[test]
    fn zset_values() {
        let mut value = Value::ZSet(Box::new(zset(&[("m", 1.0)])));
        assert_eq!(value.type_name(), "zset");
        assert_eq!(value.as_zset().map(ZSet::len), Some(1));
        assert!(value.as_zset_mut().is_some());
        assert!(value.as_set().is_none());
        assert!(Value::string(b"x").as_zset().is_none());
    }
}
