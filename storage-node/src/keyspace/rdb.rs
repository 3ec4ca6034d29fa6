//! Redis's RDB serialization of one value, as DUMP writes and RESTORE reads it, so keys move
//! between tinyredis and Redis 7.0 in both directions.
//!
//! A DUMP payload is the value's RDB object type (one byte), the object, the RDB version as two
//! little-endian bytes (10, Redis 7.0's) and the CRC-64 ([`crc64`]) of everything before it,
//! eight little-endian bytes.
//!
//! [`dump`] writes what Redis 7.0 writes, with the encoding OBJECT ENCODING reports
//! ([`crate::commands::object::encoding`], the encoding recorded on the collection):
//!
//! - strings: an integer encoding (`0xC0`–`0xC2`) for the canonical text of a 32-bit integer of
//!   at most 11 bytes, else length and bytes (never LZF-compressed: Redis reads both);
//! - lists: `QUICKLIST_2` of listpack nodes of at most 8 KiB (`list-max-listpack-size -2`);
//! - hashes: `HASH_LISTPACK`, or `HASH` (length, then fields and values) for `hashtable`;
//! - sets: `SET_INTSET`, or `SET` for `hashtable`;
//! - sorted sets: `ZSET_LISTPACK` (member, then score as Redis's `d2string` text, in score
//!   order), or `ZSET_2` for `skiplist` (members from the highest score down, scores as binary
//!   doubles).
//!
//! [`restore`] reads every object type Redis 7.0 loads for these data types, including the older
//! encodings (plain `LIST`, `ZSET` with text scores, zipmap, ziplist, intset, `QUICKLIST` of
//! ziplists) and LZF-compressed strings. Whatever is malformed, truncated, empty or holds a
//! duplicate member or a NaN score is [`RestoreError::BadFormat`]; nothing panics and no length
//! from the payload is trusted for an allocation before its bytes are there. Modules and streams
//! are not supported (`BadFormat`).

pub mod crc64;
pub mod intset;
pub mod legacy;
pub mod listpack;
pub mod lzf;

use bytes::Bytes;
use tinyredis_common::num::format_double_17g;
use tinyredis_common::num::parse_i64;

use crate::commands::object::encoding;
use crate::commands::zset::parse::strtod;
use crate::keyspace::Value;
use crate::keyspace::hash::Hash;
use crate::keyspace::list::List;
use crate::keyspace::ordered::MemberKey;
use crate::keyspace::rdb::crc64::crc64;
use crate::keyspace::rdb::listpack::Element;
use crate::keyspace::rdb::listpack::ListpackWriter;
use crate::keyspace::set::Set;
use crate::keyspace::string::StringForm;
use crate::keyspace::zset::ZSet;

/// The RDB version Redis 7.0 writes; RESTORE refuses payloads of a newer one.
pub const RDB_VERSION: u16 = 10;

/// RDB object types (`rdb.h`).
const TYPE_STRING: u8 = 0;
const TYPE_LIST: u8 = 1;
const TYPE_SET: u8 = 2;
const TYPE_ZSET: u8 = 3;
const TYPE_HASH: u8 = 4;
const TYPE_ZSET_2: u8 = 5;
const TYPE_HASH_ZIPMAP: u8 = 9;
const TYPE_LIST_ZIPLIST: u8 = 10;
const TYPE_SET_INTSET: u8 = 11;
const TYPE_ZSET_ZIPLIST: u8 = 12;
const TYPE_HASH_ZIPLIST: u8 = 13;
const TYPE_LIST_QUICKLIST: u8 = 14;
const TYPE_HASH_LISTPACK: u8 = 16;
const TYPE_ZSET_LISTPACK: u8 = 17;
const TYPE_LIST_QUICKLIST_2: u8 = 18;

/// Quicklist node containers (`quicklist.h`).
const CONTAINER_PLAIN: u64 = 1;
const CONTAINER_PACKED: u64 = 2;
/// Largest listpack of a list node (`list-max-listpack-size -2`: 8 KiB).
const LIST_NODE_MAX_BYTES: usize = 8192;

/// Why a RESTORE payload was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestoreError {
    /// Too short, a newer RDB version or a wrong checksum:
    /// `ERR DUMP payload version or checksum are wrong`.
    VersionOrChecksum,
    /// The object cannot be read: `ERR Bad data format`.
    BadFormat,
}

/// Serializes `value` as DUMP does (see the module docs).
pub fn dump(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    write_object(&mut out, value);
    out.extend_from_slice(&RDB_VERSION.to_le_bytes());
    let crc = crc64(0, &out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// Reads a DUMP payload as RESTORE does: the footer is checked first, then the object is read.
/// The returned value owns its bytes (nothing points into `payload`).
pub fn restore(payload: &[u8]) -> Result<Value, RestoreError> {
    let Some(body_len) = payload.len().checked_sub(10) else {
        return Err(RestoreError::VersionOrChecksum);
    };
    let version = u16::from_le_bytes([payload[body_len], payload[body_len + 1]]);
    let crc = crc64(0, &payload[..body_len + 2]);
    if version > RDB_VERSION || crc.to_le_bytes() != payload[body_len + 2..] {
        return Err(RestoreError::VersionOrChecksum);
    }
    // Like Redis, the object is read from the whole payload.
    let mut reader = Reader {
        buf: payload,
        pos: 0,
    };
    let object_type = reader.byte()?;
    reader.object(object_type)
}

fn write_object(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::String(bytes, _) => {
            out.push(TYPE_STRING);
            write_string(out, bytes);
        }
        Value::List(list) => {
            out.push(TYPE_LIST_QUICKLIST_2);
            let mut nodes = Vec::new();
            let mut node = ListpackWriter::default();
            for element in list.iter() {
                // A rough bound of the entry's size: header, data and backlen.
                if !node.is_empty() && node.len() + element.len() + 11 > LIST_NODE_MAX_BYTES {
                    nodes.push(std::mem::take(&mut node).finish());
                }
                node.push(element);
            }
            nodes.push(node.finish());
            write_len(out, nodes.len() as u64);
            for node in &nodes {
                write_len(out, CONTAINER_PACKED);
                write_blob(out, node);
            }
        }
        Value::Hash(hash) if encoding(value) == "listpack" => {
            out.push(TYPE_HASH_LISTPACK);
            let mut lp = ListpackWriter::default();
            // A packed hash's insertion order, as Redis's listpack keeps it.
            for (field, value) in hash.iter() {
                lp.push(field);
                lp.push(value);
            }
            write_blob(out, &lp.finish());
        }
        Value::Hash(hash) => {
            out.push(TYPE_HASH);
            write_len(out, hash.len() as u64);
            for (field, value) in hash.iter() {
                write_string(out, field);
                write_string(out, value);
            }
        }
        // The integer check guards the payload: a set without the big encoding has only integer
        // members when every write promoted it (see `crate::keyspace::encoding`).
        Value::Set(set)
            if encoding(value) == "intset"
                && set
                    .iter()
                    .all(|(member, ())| parse_i64(&member.member).is_some()) =>
        {
            out.push(TYPE_SET_INTSET);
            let mut values: Vec<i64> = set
                .iter()
                .filter_map(|(member, ())| parse_i64(&member.member))
                .collect();
            values.sort_unstable();
            write_blob(out, &intset::write(&values));
        }
        Value::Set(set) => {
            out.push(TYPE_SET);
            write_len(out, set.len() as u64);
            for (member, ()) in set.iter() {
                write_string(out, &member.member);
            }
        }
        Value::ZSet(zset) if encoding(value) == "listpack" => {
            out.push(TYPE_ZSET_LISTPACK);
            let mut lp = ListpackWriter::default();
            for (member, score) in zset.iter() {
                lp.push(member);
                lp.push(&d2string(score));
            }
            write_blob(out, &lp.finish());
        }
        Value::ZSet(zset) => {
            out.push(TYPE_ZSET_2);
            write_len(out, zset.len() as u64);
            for (member, score) in zset.iter().rev() {
                write_string(out, member);
                out.extend_from_slice(&score.to_le_bytes());
            }
        }
    }
}

/// `rdbSaveLen`: 6 bits, 14 bits, or a marker then 32 or 64 bits big-endian.
fn write_len(out: &mut Vec<u8>, len: u64) {
    if len < 1 << 6 {
        out.push(len as u8);
    } else if len < 1 << 14 {
        out.extend_from_slice(&[0x40 | (len >> 8) as u8, len as u8]);
    } else if let Ok(len) = u32::try_from(len) {
        out.push(0x80);
        out.extend_from_slice(&len.to_be_bytes());
    } else {
        out.push(0x81);
        out.extend_from_slice(&len.to_be_bytes());
    }
}

/// `rdbSaveRawString` without compression: the canonical text of a 32-bit integer of at most 11
/// bytes as an integer encoding, anything else as length and bytes.
fn write_string(out: &mut Vec<u8>, s: &[u8]) {
    if s.len() <= 11
        && let Some(n) = parse_i64(s)
    {
        if let Ok(n) = i8::try_from(n) {
            out.extend_from_slice(&[0xc0, n as u8]);
            return;
        }
        if let Ok(n) = i16::try_from(n) {
            out.push(0xc1);
            out.extend_from_slice(&n.to_le_bytes());
            return;
        }
        if let Ok(n) = i32::try_from(n) {
            out.push(0xc2);
            out.extend_from_slice(&n.to_le_bytes());
            return;
        }
    }
    write_blob(out, s);
}

/// Length and bytes (listpacks, intsets and strings that are not small integers).
fn write_blob(out: &mut Vec<u8>, blob: &[u8]) {
    write_len(out, blob.len() as u64);
    out.extend_from_slice(blob);
}

/// Redis 7.0's `d2string`: integers below 2^52 in magnitude as integers, `-0` and `0`, `inf`,
/// `-inf`, anything else as `%.17g`.
fn d2string(value: f64) -> Vec<u8> {
    if value == 0.0 {
        let text: &[u8] = if value.is_sign_negative() {
            b"-0"
        } else {
            b"0"
        };
        return text.to_vec();
    }
    let limit = 4_503_599_627_370_496.0; // 2^52
    if value.is_finite() && value > -limit && value < limit && value == value.trunc() {
        return itoa::Buffer::new().format(value as i64).as_bytes().to_vec();
    }
    format_double_17g(value).as_bytes().to_vec()
}

/// A cursor over a payload.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8, RestoreError> {
        let b = *self.buf.get(self.pos).ok_or(RestoreError::BadFormat)?;
        self.pos += 1;
        Ok(b)
    }

    fn take(&mut self, len: u64) -> Result<&'a [u8], RestoreError> {
        let len = usize::try_from(len).map_err(|_| RestoreError::BadFormat)?;
        let end = self.pos.checked_add(len).ok_or(RestoreError::BadFormat)?;
        let bytes = self.buf.get(self.pos..end).ok_or(RestoreError::BadFormat)?;
        self.pos = end;
        Ok(bytes)
    }

    /// `rdbLoadLenByRef`: a length, or (`true`) the kind of a special string encoding.
    fn len_or_encoding(&mut self) -> Result<(u64, bool), RestoreError> {
        let first = self.byte()?;
        Ok(match first >> 6 {
            0 => (u64::from(first & 0x3f), false),
            1 => (
                u64::from(first & 0x3f) << 8 | u64::from(self.byte()?),
                false,
            ),
            3 => (u64::from(first & 0x3f), true),
            _ => match first {
                0x80 => {
                    let bytes = self.take(4)?;
                    (
                        u64::from(u32::from_be_bytes(bytes.try_into().unwrap_or_default())),
                        false,
                    )
                }
                0x81 => {
                    let bytes = self.take(8)?;
                    (
                        u64::from_be_bytes(bytes.try_into().unwrap_or_default()),
                        false,
                    )
                }
                _ => return Err(RestoreError::BadFormat),
            },
        })
    }

    /// A length; a special encoding here is malformed.
    fn len(&mut self) -> Result<u64, RestoreError> {
        match self.len_or_encoding()? {
            (len, false) => Ok(len),
            (_, true) => Err(RestoreError::BadFormat),
        }
    }

    /// `rdbGenericLoadStringObject`: an integer encoding, an LZF-compressed string or raw bytes.
    fn string(&mut self) -> Result<Vec<u8>, RestoreError> {
        let (len, encoded) = self.len_or_encoding()?;
        if !encoded {
            return Ok(self.take(len)?.to_vec());
        }
        let int = |bytes: &[u8]| -> i64 {
            let mut v: u64 = 0;
            for (idx, &b) in bytes.iter().enumerate() {
                v |= u64::from(b) << (8 * idx);
            }
            let shift = 64 - 8 * bytes.len() as u32;
            ((v << shift) as i64) >> shift
        };
        let n = match len {
            0 => int(self.take(1)?),
            1 => int(self.take(2)?),
            2 => int(self.take(4)?),
            3 => {
                let compressed_len = self.len()?;
                let len = self.len()?;
                let compressed = self.take(compressed_len)?;
                let len = usize::try_from(len).map_err(|_| RestoreError::BadFormat)?;
                return lzf::decompress(compressed, len).ok_or(RestoreError::BadFormat);
            }
            _ => return Err(RestoreError::BadFormat),
        };
        Ok(itoa::Buffer::new().format(n).as_bytes().to_vec())
    }

    /// A string as owned bytes.
    fn bytes(&mut self) -> Result<Bytes, RestoreError> {
        self.string().map(Bytes::from)
    }

    /// `rdbLoadDoubleValue`: the text scores of the old `ZSET` type.
    fn text_double(&mut self) -> Result<f64, RestoreError> {
        let len = self.byte()?;
        Ok(match len {
            253 => f64::NAN,
            254 => f64::INFINITY,
            255 => f64::NEG_INFINITY,
            _ => strtod(self.take(u64::from(len))?).value,
        })
    }

    /// A collection's number of elements: nonzero (Redis refuses empty keys), and never more than
    /// the bytes left (each element takes at least one), so it is safe to iterate on.
    fn count(&mut self) -> Result<u64, RestoreError> {
        let len = self.len()?;
        let left = (self.buf.len() - self.pos) as u64;
        if len == 0 || len > left {
            return Err(RestoreError::BadFormat);
        }
        Ok(len)
    }

    /// `rdbLoadObject` for the data types tinyredis has.
    fn object(&mut self, object_type: u8) -> Result<Value, RestoreError> {
        match object_type {
            // Redis passes a loaded string through `tryObjectEncoding`.
            TYPE_STRING => Ok(Value::string_with_form(self.bytes()?, StringForm::Encoded)),
            TYPE_LIST => {
                let n = self.count()?;
                let mut items = Vec::new();
                for _ in 0..n {
                    items.push(self.bytes()?);
                }
                non_empty_list(items)
            }
            TYPE_SET => {
                let n = self.count()?;
                let mut set = Set::default();
                for _ in 0..n {
                    add_member(&mut set, self.bytes()?)?;
                }
                Ok(Value::Set(Box::new(set)))
            }
            TYPE_ZSET | TYPE_ZSET_2 => {
                let n = self.count()?;
                let mut zset = ZSet::default();
                for _ in 0..n {
                    let member = self.bytes()?;
                    let score = if object_type == TYPE_ZSET {
                        self.text_double()?
                    } else {
                        let bytes = self.take(8)?;
                        f64::from_le_bytes(bytes.try_into().unwrap_or_default())
                    };
                    add_scored(&mut zset, member, score)?;
                }
                Ok(Value::ZSet(Box::new(zset)))
            }
            TYPE_HASH => {
                let n = self.count()?;
                let mut pairs = Vec::new();
                for _ in 0..n {
                    let field = self.bytes()?;
                    let value = self.bytes()?;
                    pairs.push((field, value));
                }
                hash_in_order(&pairs)
            }
            TYPE_HASH_ZIPMAP => {
                let blob = self.string()?;
                let pairs: Vec<(Bytes, Bytes)> = legacy::read_zipmap(&blob)
                    .ok_or(RestoreError::BadFormat)?
                    .into_iter()
                    .map(|(field, value)| {
                        (Bytes::copy_from_slice(field), Bytes::copy_from_slice(value))
                    })
                    .collect();
                if pairs.is_empty() {
                    return Err(RestoreError::BadFormat);
                }
                hash_in_order(&pairs)
            }
            TYPE_LIST_ZIPLIST => {
                let blob = self.string()?;
                let elements = legacy::read_ziplist(&blob).ok_or(RestoreError::BadFormat)?;
                non_empty_list(elements.into_iter().map(owned).collect())
            }
            TYPE_SET_INTSET => {
                let blob = self.string()?;
                let values = intset::read(&blob).ok_or(RestoreError::BadFormat)?;
                let mut set = Set::default();
                for n in values {
                    add_member(&mut set, owned(Element::Int(n)))?;
                }
                non_empty(Value::Set(Box::new(set)), |v| {
                    v.as_set().is_some_and(|s| !s.is_empty())
                })
            }
            TYPE_ZSET_ZIPLIST | TYPE_ZSET_LISTPACK => {
                let blob = self.string()?;
                let elements = if object_type == TYPE_ZSET_ZIPLIST {
                    legacy::read_ziplist(&blob)
                } else {
                    listpack::read(&blob)
                }
                .ok_or(RestoreError::BadFormat)?;
                zset_from_pairs(&elements)
            }
            TYPE_HASH_ZIPLIST | TYPE_HASH_LISTPACK => {
                let blob = self.string()?;
                let elements = if object_type == TYPE_HASH_ZIPLIST {
                    legacy::read_ziplist(&blob)
                } else {
                    listpack::read(&blob)
                }
                .ok_or(RestoreError::BadFormat)?;
                hash_from_pairs(&elements)
            }
            TYPE_LIST_QUICKLIST | TYPE_LIST_QUICKLIST_2 => {
                let n_nodes = self.count()?;
                let mut items = Vec::new();
                for _ in 0..n_nodes {
                    let container = if object_type == TYPE_LIST_QUICKLIST {
                        CONTAINER_PACKED
                    } else {
                        self.len()?
                    };
                    let blob = self.string()?;
                    match container {
                        CONTAINER_PLAIN => items.push(Bytes::from(blob)),
                        CONTAINER_PACKED => {
                            let elements = if object_type == TYPE_LIST_QUICKLIST {
                                legacy::read_ziplist(&blob)
                            } else {
                                listpack::read(&blob)
                            }
                            .ok_or(RestoreError::BadFormat)?;
                            // Empty nodes are skipped, as Redis does.
                            items.extend(elements.into_iter().map(owned));
                        }
                        _ => return Err(RestoreError::BadFormat),
                    }
                }
                non_empty_list(items)
            }
            _ => Err(RestoreError::BadFormat),
        }
    }
}

/// An element's bytes as an owned copy.
fn owned(element: Element<'_>) -> Bytes {
    Bytes::from(element.to_bytes())
}

fn non_empty_list(items: Vec<Bytes>) -> Result<Value, RestoreError> {
    if items.is_empty() {
        return Err(RestoreError::BadFormat);
    }
    Ok(Value::List(Box::new(items.into_iter().collect::<List>())))
}

fn non_empty(value: Value, check: impl Fn(&Value) -> bool) -> Result<Value, RestoreError> {
    if check(&value) {
        Ok(value)
    } else {
        Err(RestoreError::BadFormat)
    }
}

fn add_member(set: &mut Set, member: Bytes) -> Result<(), RestoreError> {
    match set.insert_key(MemberKey::new(member), ()) {
        None => Ok(()),
        Some(()) => Err(RestoreError::BadFormat),
    }
}

/// A hash of `pairs` in their order, packed as Redis loads a hash into a listpack (the encoding
/// step converts it afterwards if it is past the limits); a repeated field is malformed.
fn hash_in_order(pairs: &[(Bytes, Bytes)]) -> Result<Value, RestoreError> {
    Hash::from_pairs(pairs)
        .map(Value::Hash)
        .ok_or(RestoreError::BadFormat)
}

fn add_scored(zset: &mut ZSet, member: Bytes, score: f64) -> Result<(), RestoreError> {
    if score.is_nan() || !zset.insert_new(MemberKey::new(member), score) {
        return Err(RestoreError::BadFormat);
    }
    Ok(())
}

/// A hash from a listpack or ziplist of alternating fields and values.
fn hash_from_pairs(elements: &[Element<'_>]) -> Result<Value, RestoreError> {
    if elements.is_empty() || !elements.len().is_multiple_of(2) {
        return Err(RestoreError::BadFormat);
    }
    let pairs: Vec<(Bytes, Bytes)> = elements
        .chunks_exact(2)
        .map(|pair| (owned(pair[0]), owned(pair[1])))
        .collect();
    hash_in_order(&pairs)
}

/// A sorted set from a listpack or ziplist of alternating members and scores.
fn zset_from_pairs(elements: &[Element<'_>]) -> Result<Value, RestoreError> {
    if elements.is_empty() || !elements.len().is_multiple_of(2) {
        return Err(RestoreError::BadFormat);
    }
    let mut zset = ZSet::default();
    for pair in elements.chunks_exact(2) {
        let score = match pair[1] {
            Element::Int(n) => n as f64,
            Element::Str(text) => strtod(text).value,
        };
        add_scored(&mut zset, owned(pair[0]), score)?;
    }
    Ok(Value::ZSet(Box::new(zset)))
}

#[cfg(test)]
mod rdb_test;
