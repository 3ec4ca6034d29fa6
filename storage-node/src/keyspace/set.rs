//! The set type: [`Set`], the value of [`Value::Set`].
//!
//! A set is a [`MemberMap`] with unit values, so its order, scan cursors and random picks are the
//! same on every replica (see [`crate::keyspace::ordered`]). Members are owned copies. Redis never
//! stores an empty set: commands that remove members delete the key when the set becomes empty.
//!
//! A set without the big encoding is Redis's `intset`: every member is an integer (the encoding
//! step converts a set on the write that adds any other member), and Redis iterates it in
//! ascending numeric order. [`Set::ordered_members`] gives that order for the commands that list
//! a set (SMEMBERS, SSCAN, SINTER, SRANDMEMBER and SPOP with a count).

use tinyredis_common::num::parse_i64;

use crate::keyspace::Value;
use crate::keyspace::ordered::MemberKey;
use crate::keyspace::ordered::MemberMap;

/// A Redis set of binary-safe members, in [`crate::keyspace::ordered::MemberKey`] order.
pub type Set = MemberMap<()>;

impl Set {
    /// Returns the members in the order Redis iterates the set: ascending numeric order for an
    /// intset, [`MemberKey`] order for a set with the big encoding. Sorting an intset costs
    /// O(n log n) on at most `set-max-intset-entries` members.
    pub fn ordered_members(&self) -> Vec<&MemberKey> {
        let mut members: Vec<&MemberKey> = self.iter().map(|(member, ())| member).collect();
        if !self.is_big() {
            // Members are all integers at rest; anything else would sort first, by its bytes.
            members.sort_by_cached_key(|member| (parse_i64(&member.member), member.member.clone()));
        }
        members
    }
}

impl Value {
    /// Returns the set of a set value, or `None` for any other type.
    pub fn as_set(&self) -> Option<&Set> {
        match self {
            Value::Set(set) => Some(set),
            _ => None,
        }
    }

    /// Returns the set of a set value for modification, or `None` for any other type.
    pub fn as_set_mut(&mut self) -> Option<&mut Set> {
        match self {
            Value::Set(set) => Some(set),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_values() {
        let mut set = Set::default();
        set.insert(&bytes::Bytes::from_static(b"m"), ());
        let mut value = Value::Set(Box::new(set));
        assert_eq!(value.type_name(), "set");
        assert_eq!(value.as_set().map(Set::len), Some(1));
        assert!(value.as_set_mut().is_some());
        assert!(value.as_hash().is_none());
        assert!(Value::string(b"x").as_set().is_none());
    }

    #[test]
    fn intsets_are_listed_in_numeric_order() {
        let mut set = Set::default();
        for member in ["10", "-3", "2", "100", "0"] {
            set.insert(&bytes::Bytes::from(member), ());
        }
        let listed = |set: &Set| -> Vec<Vec<u8>> {
            set.ordered_members()
                .into_iter()
                .map(|member| member.member.to_vec())
                .collect()
        };
        let expected: Vec<Vec<u8>> = ["-3", "0", "2", "10", "100"]
            .iter()
            .map(|m| m.as_bytes().to_vec())
            .collect();
        assert_eq!(listed(&set), expected);
        set.set_big();
        let in_member_order: Vec<Vec<u8>> = set
            .iter()
            .map(|(member, ())| member.member.to_vec())
            .collect();
        assert_eq!(listed(&set), in_member_order);
    }
}
