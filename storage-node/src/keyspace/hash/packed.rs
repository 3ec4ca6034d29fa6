//! [`Packed`]: the fields and values of a small hash in insertion order, in one buffer.
//!
//! This is tinyredis's counterpart of a `listpack`-encoded Redis hash: one contiguous buffer
//! holding a 4-byte little-endian count of fields, then per field its length (an unsigned LEB128
//! varint), its bytes, the value's length and the value's bytes, in the order the fields were first
//! set. Like a listpack, lookups are linear scans, a new field is appended at the end, a new value
//! for an existing field keeps the field's position, and a removed field closes its gap.
//!
//! The buffer is a [`CompactBytes`]: a hash of a field or two fits inside the handle, and a
//! longer buffer is shared, so cloning a hash (for a snapshot, or when a persistent map node is
//! copied on write) only bumps a reference count, and replies hand out slices of it without
//! copying. A write edits the buffer in place when nothing else shares it, and otherwise writes a
//! new one ([`CompactBytes::edit`]), as strings do.

use std::ops::Range;

use bytes::BufMut;
use bytes::Bytes;

use crate::keyspace::compact::CompactBytes;

/// Bytes of the field count that opens a non-empty buffer.
const HEADER_LEN: usize = 4;

/// The most fields a packed hash holds; the encoding step converts a hash that would have more
/// (see [`crate::keyspace::encoding`]).
pub const MAX_LEN: usize = u32::MAX as usize;

/// A small hash: fields and values in insertion order, packed into one shared buffer.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Packed {
    /// Empty for a hash without fields; else the count and the entries (see the module
    /// documentation).
    buf: CompactBytes,
}

impl std::fmt::Debug for Packed {
    /// Lists the pairs, as a map would.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(self.iter().map(|(field, value)| {
                (
                    String::from_utf8_lossy(field),
                    String::from_utf8_lossy(value),
                )
            }))
            .finish()
    }
}

/// Where one entry lies in the buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Slot {
    /// The whole entry: field length, field, value length, value.
    entry: Range<usize>,
    /// The value's length prefix and bytes, the part a new value replaces.
    value_part: Range<usize>,
    /// The value's bytes.
    value: Range<usize>,
}

impl Packed {
    /// Returns the number of fields.
    pub fn len(&self) -> usize {
        count_of(&self.buf)
    }

    /// Returns true when the hash has no field (Redis never stores such a hash).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Returns the size of the buffer, what the hash occupies beyond its handle.
    pub fn buffer_len(&self) -> usize {
        self.buf.len()
    }

    /// Iterates over the fields and values in insertion order.
    pub fn iter(&self) -> PackedIter<'_> {
        PackedIter {
            buf: &self.buf,
            pos: HEADER_LEN.min(self.buf.len()),
        }
    }

    /// Returns the value of `field`, sharing the buffer.
    pub fn get(&self, field: &[u8]) -> Option<Bytes> {
        self.find(field).map(|slot| self.buf.slice(slot.value))
    }

    /// Returns the value of `field` as borrowed bytes.
    pub fn get_ref(&self, field: &[u8]) -> Option<&[u8]> {
        self.find(field).map(|slot| &self.buf[slot.value])
    }

    /// Returns true when `field` is present.
    pub fn contains(&self, field: &[u8]) -> bool {
        self.find(field).is_some()
    }

    /// Returns a handle to `part`, which must be a slice of this hash's buffer (a field or value
    /// from [`Packed::iter`]), without copying it.
    pub fn share(&self, part: &[u8]) -> Bytes {
        self.buf.slice_ref(part)
    }

    /// Sets `field` to `value`: a new field is appended, an existing one keeps its position.
    /// Returns true when the field was created.
    pub fn insert(&mut self, field: &[u8], value: &[u8]) -> bool {
        match self.find(field) {
            Some(slot) => {
                let mut replacement = Vec::with_capacity(value.len() + 10);
                put_blob(&mut replacement, value);
                self.splice(slot.value_part, &replacement, 0);
                false
            }
            None => {
                self.append(field, value);
                true
            }
        }
    }

    /// Appends a field known to be absent (for loaders that check duplicates themselves).
    pub fn append(&mut self, field: &[u8], value: &[u8]) {
        self.buf.edit(|buf| {
            if buf.is_empty() {
                buf.put_u32_le(0);
            }
            put_blob(buf, field);
            put_blob(buf, value);
            let len = count_of(buf) + 1;
            buf[..HEADER_LEN].copy_from_slice(&(len as u32).to_le_bytes());
        });
    }

    /// Removes `field`; returns true when it was present.
    pub fn remove(&mut self, field: &[u8]) -> bool {
        match self.find(field) {
            Some(slot) => {
                self.splice(slot.entry, &[], -1);
                true
            }
            None => false,
        }
    }

    /// Finds the entry of `field`.
    fn find(&self, field: &[u8]) -> Option<Slot> {
        let mut pos = HEADER_LEN.min(self.buf.len());
        while pos < self.buf.len() {
            let start = pos;
            let field_range = read_blob(&self.buf, &mut pos)?;
            let value_start = pos;
            let value = read_blob(&self.buf, &mut pos)?;
            if &self.buf[field_range] == field {
                return Some(Slot {
                    entry: start..pos,
                    value_part: value_start..pos,
                    value,
                });
            }
        }
        None
    }

    /// Replaces the bytes in `range` by `replacement` and adds `delta` to the count; the buffer
    /// becomes empty when the last field goes.
    fn splice(&mut self, range: Range<usize>, replacement: &[u8], delta: i64) {
        let len = (self.len() as i64 + delta) as usize;
        if len == 0 {
            self.buf = CompactBytes::empty();
            return;
        }
        self.buf.edit(|buf| {
            let tail_len = buf.len() - range.end;
            let new_end = range.start + replacement.len();
            if new_end > range.end {
                buf.resize(new_end + tail_len, 0);
                buf.copy_within(range.end..range.end + tail_len, new_end);
            } else {
                buf.copy_within(range.end..range.end + tail_len, new_end);
                buf.truncate(new_end + tail_len);
            }
            buf[range.start..new_end].copy_from_slice(replacement);
            buf[..HEADER_LEN].copy_from_slice(&(len as u32).to_le_bytes());
        });
    }
}

/// The field count stored at the start of a buffer (0 for an empty buffer).
fn count_of(buf: &[u8]) -> usize {
    buf.get(..HEADER_LEN).map_or(0, |header| {
        u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as usize
    })
}

/// The fields and values of a [`Packed`] hash, in insertion order.
#[derive(Debug, Clone)]
pub struct PackedIter<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Iterator for PackedIter<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<(&'a [u8], &'a [u8])> {
        if self.pos >= self.buf.len() {
            return None;
        }
        let field = read_blob(self.buf, &mut self.pos)?;
        let value = read_blob(self.buf, &mut self.pos)?;
        Some((&self.buf[field], &self.buf[value]))
    }
}

/// Writes a length-prefixed blob.
fn put_blob(buf: &mut impl BufMut, bytes: &[u8]) {
    let mut n = bytes.len() as u64;
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            buf.put_u8(byte);
            break;
        }
        buf.put_u8(byte | 0x80);
    }
    buf.put_slice(bytes);
}

/// Reads the blob at `*pos`, advancing past it; `None` (ending iteration) if the buffer is cut
/// short, which a buffer built by [`Packed`] never is.
fn read_blob(buf: &[u8], pos: &mut usize) -> Option<Range<usize>> {
    let mut len: u64 = 0;
    let mut shift = 0;
    loop {
        let byte = *buf.get(*pos)?;
        *pos += 1;
        len |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            break;
        }
        shift += 7;
        if shift > 63 {
            return None;
        }
    }
    let start = *pos;
    let end = start.checked_add(usize::try_from(len).ok()?)?;
    if end > buf.len() {
        *pos = buf.len();
        return None;
    }
    *pos = end;
    Some(start..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(packed: &Packed) -> Vec<(String, String)> {
        packed
            .iter()
            .map(|(f, v)| {
                (
                    String::from_utf8(f.to_vec()).unwrap(),
                    String::from_utf8(v.to_vec()).unwrap(),
                )
            })
            .collect()
    }

    fn owned(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(f, v)| (f.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn keeps_insertion_order_through_overwrites_and_removals() {
        let mut packed = Packed::default();
        assert!(packed.is_empty());
        assert_eq!(packed.buffer_len(), 0);
        assert!(packed.insert(b"c", b"1"));
        assert!(packed.insert(b"a", b"2"));
        assert!(packed.insert(b"b", b"3"));
        assert_eq!(pairs(&packed), owned(&[("c", "1"), ("a", "2"), ("b", "3")]));
        // A new value keeps the field's place, whatever its length.
        assert!(!packed.insert(b"a", b"a much longer value than before"));
        assert!(!packed.insert(b"c", b""));
        assert_eq!(
            pairs(&packed),
            owned(&[
                ("c", ""),
                ("a", "a much longer value than before"),
                ("b", "3")
            ])
        );
        assert_eq!(packed.len(), 3);
        assert!(packed.remove(b"a"));
        assert!(!packed.remove(b"a"));
        assert!(packed.insert(b"a", b"4"));
        assert_eq!(pairs(&packed), owned(&[("c", ""), ("b", "3"), ("a", "4")]));
        assert_eq!(packed.get(b"b").as_deref(), Some(&b"3"[..]));
        assert_eq!(packed.get_ref(b"c"), Some(&b""[..]));
        assert_eq!(packed.get(b"zz"), None);
        assert!(packed.contains(b"a") && !packed.contains(b""));
        for field in [&b"c"[..], b"b", b"a"] {
            assert!(packed.remove(field));
        }
        assert!(packed.is_empty());
        assert_eq!(packed.buffer_len(), 0, "an emptied hash frees its buffer");
    }

    #[test]
    fn empty_fields_and_long_values() {
        let mut packed = Packed::default();
        let long = vec![b'x'; 70_000];
        assert!(packed.insert(b"", &long));
        assert!(packed.insert(b"k", b""));
        assert_eq!(packed.get_ref(b""), Some(&long[..]));
        assert!(!packed.insert(b"", b"short"));
        assert_eq!(packed.get_ref(b""), Some(&b"short"[..]));
        assert_eq!(packed.iter().count(), 2);
        // 4 bytes of count, then 1+0+1+5 and 1+1+1+0.
        assert_eq!(packed.buffer_len(), 4 + 7 + 3);
    }

    #[test]
    fn clones_do_not_see_later_writes() {
        let mut packed = Packed::default();
        packed.insert(b"f", b"1");
        let snapshot = packed.clone();
        packed.insert(b"f", b"2");
        packed.insert(b"g", b"3");
        packed.remove(b"f");
        assert_eq!(pairs(&snapshot), owned(&[("f", "1")]));
        assert_eq!(pairs(&packed), owned(&[("g", "3")]));
    }

    #[test]
    fn shared_handles_point_into_the_buffer() {
        let mut packed = Packed::default();
        packed.insert(b"field", b"value");
        let (field, value) = packed.iter().next().unwrap();
        assert_eq!(packed.share(field), Bytes::from_static(b"field"));
        assert_eq!(packed.share(value), Bytes::from_static(b"value"));
        // A value handed out keeps its bytes when the hash changes afterwards.
        let held = packed.get(b"field").unwrap();
        packed.insert(b"field", b"other");
        assert_eq!(held, Bytes::from_static(b"value"));
        assert_eq!(packed.get(b"field").unwrap(), Bytes::from_static(b"other"));
    }

    #[test]
    fn truncated_buffers_end_iteration_without_panicking() {
        let mut packed = Packed::default();
        packed.insert(b"field", b"value");
        let cut = Packed {
            buf: CompactBytes::new(&packed.buf[..packed.buf.len() - 2]),
        };
        assert_eq!(cut.iter().count(), 0);
        assert!(!cut.contains(b"field"));
    }
}
