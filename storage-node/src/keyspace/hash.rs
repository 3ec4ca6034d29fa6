//! The hash type: [`Hash`], the value of [`Value::Hash`].
//!
//! A hash is a [`MemberMap`] from fields to values, so its order, scan cursors and random picks are
//! the same on every replica (see [`crate::keyspace::ordered`]). Fields and values are owned copies.
//! Redis never stores an empty hash: commands that remove fields delete the key when the hash
//! becomes empty.

use bytes::Bytes;

use crate::keyspace::Value;
use crate::keyspace::ordered::MemberMap;

/// A Redis hash: fields (in [`crate::keyspace::ordered::MemberKey`] order) mapped to values.
pub type Hash = MemberMap<Bytes>;

impl Value {
    /// Returns the hash of a hash value, or `None` for any other type.
    pub fn as_hash(&self) -> Option<&Hash> {
        match self {
            Value::Hash(hash) => Some(hash),
            _ => None,
        }
    }

    /// Returns the hash of a hash value for modification, or `None` for any other type.
    pub fn as_hash_mut(&mut self) -> Option<&mut Hash> {
        match self {
            Value::Hash(hash) => Some(hash),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_values() {
        let mut hash = Hash::default();
        hash.insert(&Bytes::from_static(b"f"), Bytes::from_static(b"v"));
        let mut value = Value::Hash(hash);
        assert_eq!(value.type_name(), "hash");
        assert_eq!(value.as_hash().map(Hash::len), Some(1));
        assert!(value.as_hash_mut().is_some());
        assert!(value.as_string().is_none());
        assert!(Value::string(b"x").as_hash().is_none());
    }
}
