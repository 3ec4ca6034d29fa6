//! The binary snapshot encoding of a [`Keyspace`].
//!
//! Layout (all integers are unsigned LEB128 varints unless noted):
//!
//! ```text
//! magic "TRKS" (4 bytes)   version (1 byte, currently 3)   number of databases
//! per database:  number of entries
//!   per entry:   key length, key bytes
//!                expire_at in unix ms (0: no expiry)
//!                type tag (1 byte: 0 = string; the high bits carry the encoding, see below)
//!                value (string: length, bytes)
//!                      (list, tag 2: number of elements, then each element as length, bytes;
//!                       head first, never empty)
//!                      (hash, tag 3: number of fields, then field and value blobs per field, in
//!                       the hash's order: insertion order for a packed hash, member order for a
//!                       table; never empty)
//!                      (set, tag 4: number of members, then a blob per member, in member order,
//!                       never empty)
//!                      (sorted set, tag 5: number of members, then per member its blob and its
//!                       score as the 8 little-endian bytes of the f64, in member order, never
//!                       empty, never NaN)
//! end marker "TRKE" (4 bytes)
//! ```
//!
//! The high bits of a type tag record what Redis reports as the value's encoding: on a hash, set
//! or sorted set, [`TAG_BIG`] marks the big encoding (`hashtable`, `skiplist`); on a string,
//! [`TAG_STRING_TEXT`] and [`TAG_STRING_RAW`] give its [`StringForm`] (none: encoded as SET stores
//! it). Reading a snapshot gives back every value bit for bit, encodings and a packed hash's
//! field order included.
//!
//! Older versions are still read: version 2 had no string forms (every string is read as
//! encoded), and version 1 had no encodings at all (collections get the ones their contents call
//! for). A packed hash of either is read in the order it was written, its member order.
//!
//! The reader validates everything: a wrong magic or version, a truncated stream, an unknown type tag,
//! an oversized length, a duplicate key or a missing end marker is an [`io::ErrorKind::InvalidData`]
//! (or `UnexpectedEof`) error, never a panic. Lengths are never trusted for allocation: bytes are read
//! incrementally, so a corrupt length cannot make the reader reserve gigabytes up front.
//!
//! The encoding leaves the stream positioned right after the end marker, so a caller may embed it in
//! a larger snapshot (e.g. after its own header).

use std::io;
use std::io::Read;
use std::io::Write;

use bytes::Bytes;
use tinyredis_common::NUM_DATABASES;

use crate::keyspace::Db;
use crate::keyspace::Entry;
use crate::keyspace::Keyspace;
use crate::keyspace::Value;
use crate::keyspace::list::End;
use crate::keyspace::list::List;
// Hashes and sets.
use crate::keyspace::hash::Hash;
use crate::keyspace::ordered::MemberKey;
use crate::keyspace::ordered::MemberMap;
use crate::keyspace::set::Set;
use crate::keyspace::string::StringForm;
// Sorted sets.
use crate::keyspace::zset::ZSet;

/// Bytes that open a keyspace snapshot.
const MAGIC: &[u8; 4] = b"TRKS";
/// Bytes that close a keyspace snapshot.
const END_MARKER: &[u8; 4] = b"TRKE";
/// The encoding version this code writes. Version 3 added the string forms and the insertion
/// order of packed hashes; version 2 added [`TAG_BIG`]. Both older versions are still read.
const VERSION: u8 = 3;
/// The version before string forms were recorded.
const VERSION_2: u8 = 2;
/// The version before collection encodings were recorded.
const VERSION_1: u8 = 1;
/// Largest key or string accepted by the reader (Redis's default `proto-max-bulk-len`).
const MAX_BLOB_LEN: u64 = 512 * 1024 * 1024;
/// Initial buffer size for reading a blob; larger blobs grow as their bytes actually arrive.
const READ_CHUNK: u64 = 64 * 1024;

/// Type tag of [`Value::String`].
const TAG_STRING: u8 = 0;
// Lists.
/// Type tag of [`Value::List`].
const TAG_LIST: u8 = 2;
// Hashes and sets.
/// Type tag of [`Value::Hash`].
const TAG_HASH: u8 = 3;
/// Type tag of [`Value::Set`].
const TAG_SET: u8 = 4;
// Sorted sets.
/// Type tag of [`Value::ZSet`].
const TAG_ZSET: u8 = 5;
/// Added to a collection's type tag when it has its big encoding (`hashtable`, `skiplist`; see
/// [`crate::keyspace::encoding`]).
const TAG_BIG: u8 = 0x80;
/// The type tag of a string of form [`StringForm::Raw`] (version 3 on).
const TAG_STRING_RAW: u8 = 0x80 | TAG_STRING;
/// The type tag of a string of form [`StringForm::Text`] (version 3 on).
const TAG_STRING_TEXT: u8 = 0x40 | TAG_STRING;

impl Keyspace {
    /// Writes the keyspace in the snapshot encoding. Pass a buffered writer: this makes many small
    /// writes.
    pub fn write_to<W: Write>(&self, w: &mut W) -> io::Result<()> {
        self.encode(w, false)
    }

    /// Reads a keyspace written by [`Keyspace::write_to`].
    pub fn read_from<R: Read>(r: &mut R) -> io::Result<Keyspace> {
        let mut magic = [0u8; 4];
        r.read_exact(&mut magic)?;
        if &magic != MAGIC {
            return Err(invalid("not a keyspace snapshot (bad magic)"));
        }
        let version = read_u8(r)?;
        if !matches!(version, VERSION | VERSION_2 | VERSION_1) {
            return Err(invalid("unsupported keyspace snapshot version"));
        }
        let n_dbs = read_varint(r)?;
        if n_dbs > NUM_DATABASES as u64 {
            return Err(invalid("too many databases in keyspace snapshot"));
        }
        let mut ks = Keyspace::default();
        for db_idx in 0..n_dbs as usize {
            let db = ks
                .db_mut(db_idx)
                .ok_or_else(|| invalid("database index out of range"))?;
            read_db(r, db, version)?;
        }
        let mut end = [0u8; 4];
        r.read_exact(&mut end)?;
        if &end != END_MARKER {
            return Err(invalid("keyspace snapshot end marker missing"));
        }
        if version == VERSION_1 {
            let limits = *ks.limits();
            crate::keyspace::encoding::promote_all(&mut ks, &limits);
        }
        Ok(ks)
    }

    /// Returns a hash of the keyspace's contents, equal on two replicas exactly when they hold the
    /// same keys, values and expiries. It hashes the snapshot encoding in key order, so it is
    /// independent of the maps' internal layout. Costs a sort of all keys: meant for tests and
    /// consistency checks, not the hot path.
    pub fn digest(&self) -> u64 {
        let mut hasher = Fnv1a(FNV_OFFSET);
        // Writing into the hasher cannot fail.
        let _ = self.encode(&mut hasher, true);
        hasher.0
    }

    fn encode<W: Write>(&self, w: &mut W, sorted: bool) -> io::Result<()> {
        w.write_all(MAGIC)?;
        w.write_all(&[VERSION])?;
        write_varint(w, self.dbs().len() as u64)?;
        for db in self.dbs() {
            write_varint(w, db.len() as u64)?;
            if sorted {
                let mut entries: Vec<_> = db.iter().collect();
                entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
                for (key, entry) in entries {
                    write_entry(w, key, entry)?;
                }
            } else {
                for (key, entry) in db.iter() {
                    write_entry(w, key, entry)?;
                }
            }
        }
        w.write_all(END_MARKER)
    }
}

/// Returns a 64-bit digest of an entry's contents (type, encoding, value and expiry) in the
/// snapshot encoding: equal for equal entries on every replica, and different, but for hash
/// collisions, after any change of the value or its expiry (what WATCH compares).
pub fn entry_digest(entry: &Entry) -> u64 {
    struct Xxh3(xxhash_rust::xxh3::Xxh3Default);
    impl Write for Xxh3 {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.update(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut hasher = Xxh3(xxhash_rust::xxh3::Xxh3Default::new());
    // Writing into the hasher cannot fail.
    let _ = write_entry(&mut hasher, b"", entry);
    hasher.0.digest()
}

fn write_entry<W: Write>(w: &mut W, key: &[u8], entry: &Entry) -> io::Result<()> {
    write_blob(w, key)?;
    // Commands never store an expiry of 0 (it would be in the past); clamp so 0 keeps meaning "none".
    write_varint(w, entry.expire_at().map_or(0, |at| at.max(1)))?;
    let big = if crate::keyspace::encoding::is_big(&entry.value) {
        TAG_BIG
    } else {
        0
    };
    match &entry.value {
        Value::String(bytes, form) => {
            let tag = match form {
                StringForm::Encoded => TAG_STRING,
                StringForm::Text => TAG_STRING_TEXT,
                StringForm::Raw => TAG_STRING_RAW,
            };
            w.write_all(&[tag])?;
            write_blob(w, bytes)
        }
        // Lists.
        Value::List(list) => {
            w.write_all(&[TAG_LIST])?;
            write_varint(w, list.len() as u64)?;
            for element in list.iter() {
                write_blob(w, element)?;
            }
            Ok(())
        }
        // Hashes and sets.
        Value::Hash(hash) => {
            w.write_all(&[TAG_HASH | big])?;
            write_varint(w, hash.len() as u64)?;
            for (field, value) in hash.iter() {
                write_blob(w, field)?;
                write_blob(w, value)?;
            }
            Ok(())
        }
        Value::Set(set) => {
            w.write_all(&[TAG_SET | big])?;
            write_varint(w, set.len() as u64)?;
            for (member, ()) in set.iter() {
                write_blob(w, &member.member)?;
            }
            Ok(())
        }
        // Sorted sets.
        Value::ZSet(zset) => {
            w.write_all(&[TAG_ZSET | big])?;
            write_varint(w, zset.len() as u64)?;
            for (member, score) in zset.members().iter() {
                write_blob(w, &member.member)?;
                w.write_all(&score.to_bits().to_le_bytes())?;
            }
            Ok(())
        }
    }
}

fn read_db<R: Read>(r: &mut R, db: &mut Db, version: u8) -> io::Result<()> {
    let n_entries = read_varint(r)?;
    for _ in 0..n_entries {
        let key = read_blob(r)?;
        let expire_at = match read_varint(r)? {
            0 => None,
            at => Some(at),
        };
        let tag = read_u8(r)?;
        let big = tag & TAG_BIG != 0;
        let value = match tag {
            TAG_STRING => Value::string_with_form(read_blob(r)?, StringForm::Encoded),
            TAG_STRING_TEXT if version >= VERSION => {
                Value::string_with_form(read_blob(r)?, StringForm::Text)
            }
            TAG_STRING_RAW if version >= VERSION => {
                Value::string_with_form(read_blob(r)?, StringForm::Raw)
            }
            // Lists.
            TAG_LIST => Value::List(Box::new(read_list(r)?)),
            // Hashes and sets.
            _ if tag & !TAG_BIG == TAG_HASH => Value::Hash(read_hash(r, big)?),
            _ if tag & !TAG_BIG == TAG_SET => {
                let mut value = Value::Set(Box::new(read_set(r)?));
                if big {
                    crate::keyspace::encoding::set_big(&mut value);
                }
                value
            }
            // Sorted sets.
            _ if tag & !TAG_BIG == TAG_ZSET => {
                let mut value = Value::ZSet(Box::new(read_zset(r)?));
                if big {
                    crate::keyspace::encoding::set_big(&mut value);
                }
                value
            }
            _ => return Err(invalid("unknown value type in keyspace snapshot")),
        };
        if db.insert(&key, value, expire_at).is_some() {
            return Err(invalid("duplicate key in keyspace snapshot"));
        }
    }
    Ok(())
}

// Lists.
/// Reads the elements of a list value. The count is not trusted for allocation, and an empty list
/// (which no command stores) is invalid.
fn read_list<R: Read>(r: &mut R) -> io::Result<List> {
    let n_elements = read_varint(r)?;
    if n_elements == 0 {
        return Err(invalid("empty list in keyspace snapshot"));
    }
    let mut list = List::default();
    for _ in 0..n_elements {
        list.push_owned(End::Right, read_blob(r)?);
    }
    Ok(list)
}

// Hashes and sets.
/// Reads the fields and values of a hash value: a table when `big`, else a packed hash in the
/// order written. The count is not trusted for allocation; an empty hash (which no command
/// stores) or a repeated field is invalid.
fn read_hash<R: Read>(r: &mut R, big: bool) -> io::Result<Hash> {
    let n_fields = read_varint(r)?;
    if n_fields == 0 {
        return Err(invalid("empty hash in keyspace snapshot"));
    }
    let duplicate = || invalid("duplicate hash field in keyspace snapshot");
    if big {
        let mut table = MemberMap::default();
        table.set_big();
        for _ in 0..n_fields {
            let field = MemberKey::new(read_blob(r)?);
            let value = read_blob(r)?;
            if table.insert_key(field, value).is_some() {
                return Err(duplicate());
            }
        }
        return Ok(Hash::Table(Box::new(table)));
    }
    let mut pairs = Vec::new();
    for _ in 0..n_fields {
        pairs.push((read_blob(r)?, read_blob(r)?));
    }
    Hash::from_pairs(&pairs).ok_or_else(duplicate)
}

/// Reads the members of a set value. The count is not trusted for allocation; an empty set (which
/// no command stores) or a repeated member is invalid.
fn read_set<R: Read>(r: &mut R) -> io::Result<Set> {
    let n_members = read_varint(r)?;
    if n_members == 0 {
        return Err(invalid("empty set in keyspace snapshot"));
    }
    let mut set = Set::default();
    for _ in 0..n_members {
        if set.insert_key(MemberKey::new(read_blob(r)?), ()).is_some() {
            return Err(invalid("duplicate set member in keyspace snapshot"));
        }
    }
    Ok(set)
}

// Sorted sets.
/// Reads the members and scores of a sorted set value. The count is not trusted for allocation; an
/// empty sorted set, a repeated member or a NaN score (none of which a command stores) is invalid.
fn read_zset<R: Read>(r: &mut R) -> io::Result<ZSet> {
    let n_members = read_varint(r)?;
    if n_members == 0 {
        return Err(invalid("empty sorted set in keyspace snapshot"));
    }
    let mut zset = ZSet::default();
    for _ in 0..n_members {
        let member = MemberKey::new(read_blob(r)?);
        let mut bits = [0u8; 8];
        r.read_exact(&mut bits)?;
        let score = f64::from_bits(u64::from_le_bytes(bits));
        if score.is_nan() {
            return Err(invalid("NaN score in keyspace snapshot"));
        }
        if !zset.insert_new(member, score) {
            return Err(invalid("duplicate sorted set member in keyspace snapshot"));
        }
    }
    Ok(zset)
}

fn write_blob<W: Write>(w: &mut W, bytes: &[u8]) -> io::Result<()> {
    write_varint(w, bytes.len() as u64)?;
    w.write_all(bytes)
}

fn read_blob<R: Read>(r: &mut R) -> io::Result<Bytes> {
    let len = read_varint(r)?;
    if len > MAX_BLOB_LEN {
        return Err(invalid("oversized blob in keyspace snapshot"));
    }
    let mut buf = Vec::with_capacity(len.min(READ_CHUNK) as usize);
    r.take(len).read_to_end(&mut buf)?;
    if buf.len() as u64 != len {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "truncated keyspace snapshot",
        ));
    }
    Ok(Bytes::from(buf))
}

fn write_varint<W: Write>(w: &mut W, mut n: u64) -> io::Result<()> {
    let mut buf = [0u8; 10];
    let mut len = 0;
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            buf[len] = byte;
            len += 1;
            break;
        }
        buf[len] = byte | 0x80;
        len += 1;
    }
    w.write_all(&buf[..len])
}

fn read_varint<R: Read>(r: &mut R) -> io::Result<u64> {
    let mut n: u64 = 0;
    for shift in (0..64).step_by(7) {
        let byte = read_u8(r)?;
        let bits = u64::from(byte & 0x7f);
        // The tenth byte may carry only the top bit of a u64.
        if shift == 63 && bits > 1 {
            return Err(invalid("varint overflow in keyspace snapshot"));
        }
        n |= bits << shift;
        if byte & 0x80 == 0 {
            return Ok(n);
        }
    }
    Err(invalid("varint too long in keyspace snapshot"))
}

fn read_u8<R: Read>(r: &mut R) -> io::Result<u8> {
    let mut b = [0u8; 1];
    r.read_exact(&mut b)?;
    Ok(b[0])
}

fn invalid(message: &'static str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// A 64-bit FNV-1a hasher usable as a [`Write`] sink, with a fixed seed so digests are comparable
/// across processes (unlike `std`'s `RandomState`).
struct Fnv1a(u64);

impl Write for Fnv1a {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        for &b in buf {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(FNV_PRIME);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Keyspace {
        let mut ks = Keyspace::default();
        let db0 = ks.db_mut(0).unwrap();
        db0.insert(b"a", Value::string(b"1"), None);
        db0.insert(b"", Value::string(b""), Some(1_700_000_000_000));
        db0.insert(
            b"bin\0\xff",
            Value::string(&[0, 255, 13, 10]),
            Some(u64::MAX),
        );
        let db15 = ks.db_mut(15).unwrap();
        for i in 0..1000 {
            db15.insert(
                format!("key:{i}").as_bytes(),
                Value::string_from_i64(i),
                (i % 3 == 0).then_some(i as u64 + 1),
            );
        }
        ks
    }

    fn encode(ks: &Keyspace) -> Vec<u8> {
        let mut buf = Vec::new();
        ks.write_to(&mut buf).unwrap();
        buf
    }

    #[test]
    fn round_trip() {
        for ks in [Keyspace::default(), sample()] {
            let buf = encode(&ks);
            let mut reader = &buf[..];
            let back = Keyspace::read_from(&mut reader).unwrap();
            assert!(reader.is_empty(), "reader stops right after the end marker");
            assert_eq!(back, ks);
            assert_eq!(back.digest(), ks.digest());
            for db in back.dbs() {
                db.assert_consistent();
            }
        }
    }

    #[test]
    fn varints() {
        for n in [0, 1, 127, 128, 300, u32::MAX as u64, u64::MAX - 1, u64::MAX] {
            let mut buf = Vec::new();
            write_varint(&mut buf, n).unwrap();
            assert_eq!(read_varint(&mut &buf[..]).unwrap(), n);
        }
        // Eleven continuation bytes, and a tenth byte with too many bits.
        assert!(read_varint(&mut &[0xff; 11][..]).is_err());
        let mut too_big = vec![0xff; 9];
        too_big.push(0x02);
        assert!(read_varint(&mut &too_big[..]).is_err());
    }

    #[test]
    fn every_truncation_is_an_error() {
        let buf = encode(&sample());
        // Checking each prefix of a large snapshot is slow; check the head, the tail and a stride.
        let cuts = (0..200)
            .chain((200..buf.len()).step_by(97))
            .chain(buf.len() - 200..buf.len());
        for cut in cuts {
            assert!(
                Keyspace::read_from(&mut &buf[..cut]).is_err(),
                "prefix of {cut} bytes"
            );
        }
    }

    #[test]
    fn corrupt_input_is_an_error_not_a_panic() {
        let good = encode(&sample());
        let cases: Vec<Vec<u8>> = vec![
            b"XXXX".to_vec(),
            [&MAGIC[..], &[2]].concat(),
            // 17 databases.
            [&MAGIC[..], &[VERSION, 17]].concat(),
            // One db, one entry, a 2^62-byte key.
            [
                &MAGIC[..],
                &[
                    VERSION, 1, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40,
                ],
            ]
            .concat(),
            // Unknown type tag.
            [&MAGIC[..], &[VERSION, 1, 1, 1, b'k', 0, 9]].concat(),
            // Duplicate key.
            [
                &MAGIC[..],
                &[VERSION, 1, 2, 1, b'k', 0, 0, 0, 1, b'k', 0, 0, 0],
                &END_MARKER[..],
            ]
            .concat(),
            // Bad end marker.
            [&MAGIC[..], &[VERSION, 0], b"NOPE"].concat(),
        ];
        for case in cases {
            assert!(Keyspace::read_from(&mut &case[..]).is_err(), "{case:?}");
        }
        // Flipping any single byte never panics (it may or may not be detected).
        for i in (0..good.len()).step_by(7) {
            let mut bad = good.clone();
            bad[i] ^= 0x5a;
            let _ = Keyspace::read_from(&mut &bad[..]);
        }
    }

    #[test]
    fn digest_depends_on_content_only() {
        let a = sample();
        let mut b = Keyspace::default();
        // Same content, inserted in a different order.
        for (db_idx, db) in a.dbs().iter().enumerate().rev() {
            let mut entries: Vec<_> = db.iter().collect();
            entries.reverse();
            for (key, entry) in entries {
                b.db_mut(db_idx).unwrap().insert_entry(key, entry.clone());
            }
        }
        assert_eq!(a.digest(), b.digest());
        b.db_mut(0).unwrap().set_expire(b"a", Some(5));
        assert_ne!(a.digest(), b.digest());
    }

    // Lists.
    fn list_value(elements: &[&[u8]]) -> Value {
        Value::List(Box::new(
            elements.iter().map(|e| Bytes::copy_from_slice(e)).collect(),
        ))
    }

    #[test]
    fn lists_round_trip() {
        let mut ks = sample();
        let db0 = ks.db_mut(0).unwrap();
        db0.insert(b"list", list_value(&[b"a", b"", b"\0\xff\r\n"]), None);
        db0.insert(b"one", list_value(&[b"x"]), Some(1_700_000_000_000));
        let long: Vec<Vec<u8>> = (0..5000).map(|i| format!("e{i}").into_bytes()).collect();
        let long: Vec<&[u8]> = long.iter().map(Vec::as_slice).collect();
        ks.db_mut(3)
            .unwrap()
            .insert(b"long", list_value(&long), Some(u64::MAX));

        let buf = encode(&ks);
        let mut reader = &buf[..];
        let back = Keyspace::read_from(&mut reader).unwrap();
        assert!(reader.is_empty());
        assert_eq!(back, ks);
        assert_eq!(back.digest(), ks.digest());
        let list = back.db(3).unwrap().get_value(b"long", 0).unwrap();
        assert_eq!(list.as_list().unwrap().len(), 5000);
        assert_eq!(
            list.as_list().unwrap().get(4999).map(|e| &e[..]),
            Some(&b"e4999"[..])
        );

        // The element order is part of the content.
        let mut reordered = ks.clone();
        reordered
            .db_mut(0)
            .unwrap()
            .insert(b"list", list_value(&[b"", b"a", b"\0\xff\r\n"]), None);
        assert_ne!(reordered.digest(), ks.digest());

        let cuts = (0..buf.len()).rev().step_by(101);
        for cut in cuts {
            assert!(
                Keyspace::read_from(&mut &buf[..cut]).is_err(),
                "prefix of {cut} bytes"
            );
        }
    }

    #[test]
    fn corrupt_lists_are_errors() {
        let cases: Vec<Vec<u8>> = vec![
            // An empty list.
            [
                &MAGIC[..],
                &[VERSION, 1, 1, 1, b'k', 0, TAG_LIST, 0],
                &END_MARKER[..],
            ]
            .concat(),
            // Two elements announced, one present.
            [
                &MAGIC[..],
                &[VERSION, 1, 1, 1, b'k', 0, TAG_LIST, 2, 1, b'a'],
                &END_MARKER[..],
            ]
            .concat(),
            // A huge element count is not trusted for allocation.
            [
                &MAGIC[..],
                &[
                    VERSION, 1, 1, 1, b'k', 0, TAG_LIST, 0xff, 0xff, 0xff, 0xff, 0x0f,
                ],
            ]
            .concat(),
        ];
        for case in cases {
            assert!(Keyspace::read_from(&mut &case[..]).is_err(), "{case:?}");
        }
        let good = [
            &MAGIC[..],
            &[VERSION, 1, 1, 1, b'k', 0, TAG_LIST, 1, 1, b'a'],
            &END_MARKER[..],
        ]
        .concat();
        let ks = Keyspace::read_from(&mut &good[..]).unwrap();
        assert_eq!(
            ks.db(0).unwrap().get_value(b"k", 0),
            Some(&list_value(&[b"a"]))
        );
    }

    // Hashes and sets.
    fn hash_value(pairs: &[(&[u8], &[u8])]) -> Value {
        let mut hash = Hash::default();
        for (field, value) in pairs {
            hash.insert(&Bytes::copy_from_slice(field), value);
        }
        Value::Hash(hash)
    }

    fn set_value(members: &[&[u8]]) -> Value {
        let mut set = Set::default();
        for member in members {
            set.insert(&Bytes::copy_from_slice(member), ());
        }
        Value::Set(Box::new(set))
    }

    #[test]
    fn encodings_round_trip_and_version_1_gets_them_from_contents() {
        let mut ks = Keyspace::default();
        let db = ks.db_mut(0).unwrap();
        let mut big_small = hash_value(&[(b"f", b"v")]);
        crate::keyspace::encoding::set_big(&mut big_small);
        db.insert(b"shrunk", big_small, None);
        db.insert(b"small", hash_value(&[(b"f", b"v")]), None);
        db.insert(b"words", set_value(&[b"a"]), None);
        let buf = encode(&ks);
        let back = Keyspace::read_from(&mut &buf[..]).unwrap();
        assert_eq!(back, ks);
        let big = |ks: &Keyspace, key: &[u8]| {
            crate::keyspace::encoding::is_big(ks.db(0).unwrap().get_value(key, 0).unwrap())
        };
        assert!(big(&back, b"shrunk"));
        assert!(!big(&back, b"small"));
        assert!(!big(&back, b"words"), "no flag written, none read");
        // Version 1 had no flags: encodings follow the contents with the default limits.
        let mut v1 = buf.clone();
        v1[MAGIC.len()] = VERSION_1;
        for byte in v1.iter_mut() {
            if *byte == TAG_HASH | TAG_BIG {
                *byte = TAG_HASH;
            }
        }
        let back = Keyspace::read_from(&mut &v1[..]).unwrap();
        assert!(!big(&back, b"shrunk"));
        assert!(big(&back, b"words"));
        // Before version 3, the flag on a string is corrupt input.
        let mut bad = Keyspace::default();
        bad.db_mut(0)
            .unwrap()
            .insert(b"s", Value::string(b"x"), None);
        let mut buf = encode(&bad);
        buf[MAGIC.len()] = VERSION_2;
        // Magic, version, number of databases, keys in database 0, key "s", expiry, then the tag.
        let tag = MAGIC.len() + 1 + 1 + 1 + 2 + 1;
        assert_eq!(buf[tag], TAG_STRING);
        buf[tag] |= TAG_BIG;
        assert!(Keyspace::read_from(&mut &buf[..]).is_err());
    }

    #[test]
    fn string_forms_round_trip_and_version_2_reads_strings_as_encoded() {
        let mut ks = Keyspace::default();
        let db = ks.db_mut(0).unwrap();
        db.insert(b"encoded", Value::string(b"12"), None);
        let text = Value::string_with_form(Bytes::from_static(b"12"), StringForm::Text);
        db.insert(b"text", text.clone(), None);
        let raw = Value::string_with_form(Bytes::from_static(b"12"), StringForm::Raw);
        db.insert(b"raw", raw.clone(), Some(7));
        let buf = encode(&ks);
        let back = Keyspace::read_from(&mut &buf[..]).unwrap();
        assert_eq!(back, ks);
        assert_eq!(back.db(0).unwrap().get_value(b"raw", 0), Some(&raw));
        assert_eq!(back.db(0).unwrap().get_value(b"text", 0), Some(&text));
        assert_ne!(Value::string(b"12"), raw, "the form is part of the value");
        let mut plain = ks.clone();
        plain
            .db_mut(0)
            .unwrap()
            .insert(b"raw", Value::string(b"12"), Some(7));
        assert_ne!(plain.digest(), ks.digest(), "digests see the form");

        // Unknown form bits are corrupt input.
        let mut one = Keyspace::default();
        one.db_mut(0).unwrap().insert(b"s", raw, None);
        let mut buf = encode(&one);
        let tag = MAGIC.len() + 1 + 1 + 1 + 2 + 1;
        assert_eq!(buf[tag], TAG_STRING_RAW);
        buf[tag] = TAG_STRING | 0xc0;
        assert!(Keyspace::read_from(&mut &buf[..]).is_err());

        // A version 2 snapshot (no forms: every string as SET stores it) still loads.
        let mut v2 = Keyspace::default();
        v2.db_mut(0)
            .unwrap()
            .insert(b"s", Value::string(b"12"), None);
        let mut buf = encode(&v2);
        buf[MAGIC.len()] = VERSION_2;
        let back = Keyspace::read_from(&mut &buf[..]).unwrap();
        assert_eq!(
            back.db(0)
                .unwrap()
                .get_value(b"s", 0)
                .and_then(Value::string_form),
            Some(StringForm::Encoded)
        );
    }

    #[test]
    fn hashes_and_sets_round_trip() {
        let mut ks = sample();
        let db0 = ks.db_mut(0).unwrap();
        db0.insert(
            b"hash",
            hash_value(&[(b"f", b"v"), (b"", b""), (b"\0\xff\r\n", b"bin\0")]),
            None,
        );
        db0.insert(
            b"set",
            set_value(&[b"a", b"", b"\0\xff"]),
            Some(1_700_000_000_000),
        );
        let db7 = ks.db_mut(7).unwrap();
        let mut big_hash = Hash::default();
        big_hash.convert_to_table();
        let mut big_set = Set::default();
        for i in 0..3000 {
            big_hash.insert(&Bytes::from(format!("f{i}")), format!("v{i}").as_bytes());
            big_set.insert(&Bytes::from(format!("m{i}")), ());
        }
        db7.insert(b"big_hash", Value::Hash(big_hash), Some(u64::MAX));
        db7.insert(b"big_set", Value::Set(Box::new(big_set)), None);

        let buf = encode(&ks);
        let mut reader = &buf[..];
        let back = Keyspace::read_from(&mut reader).unwrap();
        assert!(reader.is_empty());
        assert_eq!(back, ks);
        assert_eq!(back.digest(), ks.digest());
        let hash = back.db(7).unwrap().get_value(b"big_hash", 0).unwrap();
        let hash = hash.as_hash().unwrap();
        assert_eq!(hash.len(), 3000);
        assert!(hash.is_big());
        assert_eq!(
            hash.get(&Bytes::from_static(b"f2999")),
            Some(Bytes::from_static(b"v2999"))
        );
        let set = back.db(7).unwrap().get_value(b"big_set", 0).unwrap();
        assert!(set.as_set().unwrap().contains(&Bytes::from_static(b"m0")));

        // Values are part of the content, and so is a small hash's insertion order; a set's
        // insertion order is not.
        let mut reordered_hash = ks.clone();
        reordered_hash.db_mut(0).unwrap().insert(
            b"hash",
            hash_value(&[(b"", b""), (b"f", b"v"), (b"\0\xff\r\n", b"bin\0")]),
            None,
        );
        assert_ne!(reordered_hash.digest(), ks.digest());
        let back = Keyspace::read_from(&mut &encode(&reordered_hash)[..]).unwrap();
        let fields: Vec<&[u8]> = back
            .db(0)
            .unwrap()
            .get_value(b"hash", 0)
            .and_then(Value::as_hash)
            .unwrap()
            .iter()
            .map(|(field, _)| field)
            .collect();
        assert_eq!(fields, vec![&b""[..], b"f", b"\0\xff\r\n"]);
        let mut changed = ks.clone();
        changed.db_mut(0).unwrap().insert(
            b"hash",
            hash_value(&[(b"f", b"w"), (b"", b""), (b"\0\xff\r\n", b"bin\0")]),
            None,
        );
        assert_ne!(changed.digest(), ks.digest());
        let mut reordered = ks.clone();
        reordered.db_mut(0).unwrap().insert(
            b"set",
            set_value(&[b"\0\xff", b"", b"a"]),
            Some(1_700_000_000_000),
        );
        assert_eq!(reordered.digest(), ks.digest());
        assert_eq!(encode(&reordered), encode(&ks));

        for cut in (0..buf.len()).rev().step_by(101) {
            assert!(
                Keyspace::read_from(&mut &buf[..cut]).is_err(),
                "prefix of {cut} bytes"
            );
        }
    }

    #[test]
    fn corrupt_hashes_and_sets_are_errors() {
        let entry = |tail: &[u8]| {
            [
                &MAGIC[..],
                &[VERSION, 1, 1, 1, b'k', 0][..],
                tail,
                &END_MARKER[..],
            ]
            .concat()
        };
        let cases: Vec<Vec<u8>> = vec![
            // Empty collections.
            entry(&[TAG_HASH, 0]),
            entry(&[TAG_SET, 0]),
            // A repeated field or member.
            entry(&[TAG_HASH, 2, 1, b'f', 1, b'a', 1, b'f', 1, b'b']),
            entry(&[TAG_SET, 2, 1, b'm', 1, b'm']),
            // Announced entries missing.
            entry(&[TAG_HASH, 2, 1, b'f', 1, b'a']),
            entry(&[TAG_SET, 2, 1, b'm']),
            // A field without its value.
            entry(&[TAG_HASH, 1, 1, b'f']),
            // A huge count is not trusted for allocation.
            entry(&[TAG_SET, 0xff, 0xff, 0xff, 0xff, 0x0f]),
            entry(&[TAG_HASH, 0xff, 0xff, 0xff, 0xff, 0x0f]),
        ];
        for case in cases {
            assert!(Keyspace::read_from(&mut &case[..]).is_err(), "{case:?}");
        }
        let good = entry(&[TAG_HASH, 1, 1, b'f', 1, b'v']);
        let ks = Keyspace::read_from(&mut &good[..]).unwrap();
        assert_eq!(
            ks.db(0).unwrap().get_value(b"k", 0),
            Some(&hash_value(&[(b"f", b"v")]))
        );
        let good = entry(&[TAG_SET, 2, 1, b'a', 1, b'b']);
        let ks = Keyspace::read_from(&mut &good[..]).unwrap();
        assert_eq!(
            ks.db(0).unwrap().get_value(b"k", 0),
            Some(&set_value(&[b"b", b"a"]))
        );
    }

    // Sorted sets.
    fn zset_value(pairs: &[(&[u8], f64)]) -> Value {
        let mut zset = ZSet::default();
        for (member, score) in pairs {
            zset.insert(&Bytes::copy_from_slice(member), *score);
        }
        Value::ZSet(Box::new(zset))
    }

    #[test]
    fn sorted_sets_round_trip() {
        let mut ks = sample();
        let pairs: &[(&[u8], f64)] = &[
            (b"a", 1.5),
            (b"", f64::NEG_INFINITY),
            (b"\0\xff\r\n", f64::INFINITY),
            (b"tiny", 5e-324),
            (b"neg", -2.0),
            (b"tenth", 0.1),
        ];
        ks.db_mut(0)
            .unwrap()
            .insert(b"zset", zset_value(pairs), Some(1_700_000_000_000));
        let mut big = ZSet::default();
        for i in 0..3000 {
            big.insert(&Bytes::from(format!("m{i}")), f64::from(i % 17) * 0.25);
        }
        ks.db_mut(9)
            .unwrap()
            .insert(b"big_zset", Value::ZSet(Box::new(big)), None);

        let buf = encode(&ks);
        let mut reader = &buf[..];
        let back = Keyspace::read_from(&mut reader).unwrap();
        assert!(reader.is_empty());
        assert_eq!(back, ks);
        assert_eq!(back.digest(), ks.digest());
        let zset = back.db(0).unwrap().get_value(b"zset", 0).unwrap();
        let zset = zset.as_zset().unwrap();
        zset.assert_consistent();
        for (member, score) in pairs {
            let stored = zset.score(&Bytes::copy_from_slice(member)).unwrap();
            assert_eq!(stored.to_bits(), score.to_bits(), "{member:?}");
        }
        // The score order is rebuilt on reading.
        let order: Vec<&[u8]> = zset.iter().map(|(member, _)| &member[..]).collect();
        assert_eq!(
            order,
            [&b""[..], b"neg", b"tiny", b"tenth", b"a", b"\0\xff\r\n"]
        );
        let big = back.db(9).unwrap().get_value(b"big_zset", 0).unwrap();
        assert_eq!(big.as_zset().unwrap().len(), 3000);

        // Scores are part of the content; insertion order is not.
        let mut changed = ks.clone();
        let mut other = pairs.to_vec();
        other[0].1 = 1.25;
        changed
            .db_mut(0)
            .unwrap()
            .insert(b"zset", zset_value(&other), Some(1_700_000_000_000));
        assert_ne!(changed.digest(), ks.digest());
        let mut reordered = ks.clone();
        let mut reversed = pairs.to_vec();
        reversed.reverse();
        reordered.db_mut(0).unwrap().insert(
            b"zset",
            zset_value(&reversed),
            Some(1_700_000_000_000),
        );
        assert_eq!(encode(&reordered), encode(&ks));

        for cut in (0..buf.len()).rev().step_by(101) {
            assert!(
                Keyspace::read_from(&mut &buf[..cut]).is_err(),
                "prefix of {cut} bytes"
            );
        }
    }

    #[test]
    fn corrupt_sorted_sets_are_errors() {
        let entry = |tail: &[u8]| {
            [
                &MAGIC[..],
                &[VERSION, 1, 1, 1, b'k', 0][..],
                tail,
                &END_MARKER[..],
            ]
            .concat()
        };
        let one = 1.0f64.to_bits().to_le_bytes();
        let nan = f64::NAN.to_bits().to_le_bytes();
        let cases: Vec<Vec<u8>> = vec![
            // Empty.
            entry(&[TAG_ZSET, 0]),
            // A repeated member.
            entry(&[&[TAG_ZSET, 2, 1, b'm'][..], &one, &[1, b'm'], &one].concat()),
            // A NaN score.
            entry(&[&[TAG_ZSET, 1, 1, b'm'][..], &nan].concat()),
            // A truncated score.
            entry(&[TAG_ZSET, 1, 1, b'm', 0, 0, 0]),
            // Announced members missing.
            entry(&[&[TAG_ZSET, 2, 1, b'm'][..], &one].concat()),
            // A huge count is not trusted for allocation.
            entry(&[TAG_ZSET, 0xff, 0xff, 0xff, 0xff, 0x0f]),
        ];
        for case in cases {
            assert!(Keyspace::read_from(&mut &case[..]).is_err(), "{case:?}");
        }
        let good = entry(&[&[TAG_ZSET, 2, 1, b'a'][..], &one, &[1, b'b'], &one].concat());
        let ks = Keyspace::read_from(&mut &good[..]).unwrap();
        assert_eq!(
            ks.db(0).unwrap().get_value(b"k", 0),
            Some(&zset_value(&[(b"b", 1.0), (b"a", 1.0)]))
        );
    }
}
