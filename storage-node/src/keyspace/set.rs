//! The set type: [`Set`], the value of [`Value::Set`].
//!
//! A set is a [`MemberMap`] with unit values, so its order, scan cursors and random picks are the
//! same on every replica (see [`crate::keyspace::ordered`]). Members are owned copies. Redis never
//! stores an empty set: commands that remove members delete the key when the set becomes empty.

use crate::keyspace::Value;
use crate::keyspace::ordered::MemberMap;

/// A Redis set of binary-safe members, in [`crate::keyspace::ordered::MemberKey`] order.
pub type Set = MemberMap<()>;

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
        let mut value = Value::Set(set);
        assert_eq!(value.type_name(), "set");
        assert_eq!(value.as_set().map(Set::len), Some(1));
        assert!(value.as_set_mut().is_some());
        assert!(value.as_hash().is_none());
        assert!(Value::string(b"x").as_set().is_none());
    }
}
