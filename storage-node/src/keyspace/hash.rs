//! The hash type: [`Hash`], the value of [`Value::Hash`].
//!
//! A hash has Redis 7.0's two encodings as two representations:
//!
//! - [`Hash::Packed`] (`listpack`): the fields and values in insertion order in one buffer
//!   ([`packed::Packed`]). HGETALL, HKEYS, HVALS, HSCAN and HRANDFIELD see the fields in the order
//!   they were first set, a new value keeps its field's place, and HSCAN returns the whole hash in
//!   one call, as Redis does for a listpack.
//! - [`Hash::Table`] (`hashtable`): a [`MemberMap`] from fields to values, so its order, scan
//!   cursors and random picks are the same on every replica (see [`crate::keyspace::ordered`]).
//!
//! Every hash starts packed and is converted to a table by the write that takes it past the
//! `hash-max-listpack-*` limits, never back (see [`crate::keyspace::encoding`]). Fields and values
//! are owned copies. Redis never stores an empty hash: commands that remove fields delete the key
//! when the hash becomes empty.

pub mod packed;

use std::collections::HashSet;

use bytes::Bytes;

use crate::keyspace::Value;
use crate::keyspace::hash::packed::Packed;
use crate::keyspace::ordered::MemberKey;
use crate::keyspace::ordered::MemberMap;

/// A Redis hash: fields mapped to values, in one of Redis's two encodings.
#[derive(Clone, Debug, PartialEq)]
pub enum Hash {
    /// The compact encoding (`listpack`): fields in insertion order.
    Packed(Packed),
    /// The big encoding (`hashtable`): fields in [`MemberKey`] order. Boxed so that a [`Value`]
    /// stays as small as a string's handle.
    Table(Box<MemberMap<Bytes>>),
}

impl Default for Hash {
    /// An empty hash, in the compact encoding every hash starts with.
    fn default() -> Hash {
        Hash::Packed(Packed::default())
    }
}

impl Hash {
    /// Builds a packed hash from `pairs` in their order; `None` when a field repeats.
    pub fn from_pairs(pairs: &[(Bytes, Bytes)]) -> Option<Hash> {
        let mut seen: HashSet<&[u8]> = HashSet::with_capacity(pairs.len());
        let mut packed = Packed::default();
        for (field, value) in pairs {
            if !seen.insert(&field[..]) {
                return None;
            }
            packed.append(field, value);
        }
        Some(Hash::Packed(packed))
    }

    /// Returns true once the hash has its big encoding (`hashtable`).
    pub fn is_big(&self) -> bool {
        matches!(self, Hash::Table(_))
    }

    /// Converts a packed hash to its big encoding, copying each field and value so that none
    /// keeps the packed buffer alive; a table stays as it is.
    pub fn convert_to_table(&mut self) {
        let Hash::Packed(packed) = self else { return };
        let mut table = MemberMap::default();
        for (field, value) in packed.iter() {
            table.insert_key(MemberKey::copied(field), Bytes::copy_from_slice(value));
        }
        table.set_big();
        *self = Hash::Table(Box::new(table));
    }

    /// Returns the number of fields.
    pub fn len(&self) -> usize {
        match self {
            Hash::Packed(packed) => packed.len(),
            Hash::Table(table) => table.len(),
        }
    }

    /// Returns true when the hash has no field.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Returns the value of `field` (a handle that shares the stored bytes).
    pub fn get(&self, field: &Bytes) -> Option<Bytes> {
        match self {
            Hash::Packed(packed) => packed.get(field),
            Hash::Table(table) => table.get(field).cloned(),
        }
    }

    /// Returns true when `field` is present.
    pub fn contains(&self, field: &Bytes) -> bool {
        match self {
            Hash::Packed(packed) => packed.contains(field),
            Hash::Table(table) => table.contains(field),
        }
    }

    /// Sets `field` to a copy of `value` and returns true when the field was created. A packed
    /// hash appends a new field and keeps an existing field's place.
    pub fn insert(&mut self, field: &Bytes, value: &[u8]) -> bool {
        match self {
            Hash::Packed(packed) => packed.insert(field, value),
            Hash::Table(table) => table.insert(field, Bytes::copy_from_slice(value)).is_none(),
        }
    }

    /// Removes `field`; returns true when it was present.
    pub fn remove(&mut self, field: &Bytes) -> bool {
        match self {
            Hash::Packed(packed) => packed.remove(field),
            Hash::Table(table) => table.remove(field).is_some(),
        }
    }

    /// Iterates over the fields and values as borrowed bytes, in the hash's order: insertion
    /// order when packed, [`MemberKey`] order for a table.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &[u8])> + '_ {
        let (packed, table) = match self {
            Hash::Packed(packed) => (Some(packed.iter()), None),
            Hash::Table(table) => (None, Some(table.iter())),
        };
        let table = table
            .into_iter()
            .flatten()
            .map(|(field, value)| (&field.member[..], &value[..]));
        packed.into_iter().flatten().chain(table)
    }

    /// Iterates over the fields and values as handles sharing the stored bytes (for replies), in
    /// the order of [`Hash::iter`].
    pub fn entries(&self) -> impl Iterator<Item = (Bytes, Bytes)> + '_ {
        let (packed, table) = match self {
            Hash::Packed(packed) => (Some(packed), None),
            Hash::Table(table) => (None, Some(table.iter())),
        };
        let packed = packed.into_iter().flat_map(|packed| {
            packed
                .iter()
                .map(|(field, value)| (packed.share(field), packed.share(value)))
        });
        let table = table
            .into_iter()
            .flatten()
            .map(|(field, value)| (field.member.clone(), value.clone()));
        packed.chain(table)
    }

    /// Returns the table of a hash with the big encoding.
    pub fn as_table(&self) -> Option<&MemberMap<Bytes>> {
        match self {
            Hash::Packed(_) => None,
            Hash::Table(table) => Some(table),
        }
    }
}

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

    fn bytes(s: &str) -> Bytes {
        Bytes::copy_from_slice(s.as_bytes())
    }

    #[test]
    fn hash_values() {
        let mut hash = Hash::default();
        hash.insert(&bytes("f"), b"v");
        let mut value = Value::Hash(hash);
        assert_eq!(value.type_name(), "hash");
        assert_eq!(value.as_hash().map(Hash::len), Some(1));
        assert!(value.as_hash_mut().is_some());
        assert!(value.as_string().is_none());
        assert!(Value::string(b"x").as_hash().is_none());
    }

    #[test]
    fn both_encodings_behave_alike_but_for_order() {
        let mut packed = Hash::default();
        for (field, value) in [("z", "1"), ("a", "2"), ("m", "3")] {
            assert!(packed.insert(&bytes(field), value.as_bytes()));
        }
        assert!(!packed.insert(&bytes("a"), b"20"));
        let mut table = packed.clone();
        table.convert_to_table();
        assert!(table.is_big() && !packed.is_big());
        for hash in [&mut packed, &mut table] {
            assert_eq!(hash.len(), 3);
            assert_eq!(hash.get(&bytes("a")), Some(bytes("20")));
            assert!(hash.contains(&bytes("m")));
            assert!(hash.remove(&bytes("m")));
            assert!(!hash.remove(&bytes("m")));
            assert_eq!(hash.get(&bytes("m")), None);
        }
        let order: Vec<&[u8]> = packed.iter().map(|(field, _)| field).collect();
        assert_eq!(order, vec![&b"z"[..], b"a"]);
        let entries: Vec<(Bytes, Bytes)> = table.entries().collect();
        assert_eq!(entries.len(), 2);
        assert!(entries.contains(&(bytes("z"), bytes("1"))));
        assert!(table.as_table().is_some() && packed.as_table().is_none());
    }

    #[test]
    fn from_pairs_keeps_order_and_refuses_repeats() {
        let pairs = vec![(bytes("b"), bytes("1")), (bytes("a"), bytes("2"))];
        let hash = Hash::from_pairs(&pairs).unwrap();
        let got: Vec<(Bytes, Bytes)> = hash.entries().collect();
        assert_eq!(got, pairs);
        let repeated = vec![(bytes("a"), bytes("1")), (bytes("a"), bytes("2"))];
        assert!(Hash::from_pairs(&repeated).is_none());
    }
}
