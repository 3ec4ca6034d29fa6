//! [`CompactBytes`]: an immutable byte string in 24 bytes, stored inline when it is short.
//!
//! Most keys and string values of a cache are short (`user:1042:name`, `42`), and with a
//! [`Bytes`] handle each costs a 32-byte handle in the tree plus a heap allocation of its own (and
//! a second one, Bytes' shared header, the first time a tree node holding it is copied on write).
//! A `CompactBytes` keeps up to [`INLINE_CAPACITY`] bytes inside the handle and anything longer
//! in one reference-counted allocation, so copying a tree node never copies a long value.
//!
//! A string edited in place (APPEND, SETRANGE, SETBIT, PFADD: [`CompactBytes::edit`]) moves to a
//! growable buffer, shared the same way, so that repeated edits of a string nothing else holds
//! cost amortized O(changed bytes), as Redis's sds strings do.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::Hash;
use std::hash::Hasher;
use std::mem;
use std::ops::Deref;
use std::sync::Arc;

use bytes::Bytes;
use bytes::BytesMut;

/// The longest byte string stored inside the handle.
pub const INLINE_CAPACITY: usize = 22;

/// An immutable byte string: inline up to [`INLINE_CAPACITY`] bytes, else shared on the heap.
/// Compares, orders and hashes as its bytes do.
#[derive(Clone)]
pub struct CompactBytes(Repr);

#[derive(Clone)]
enum Repr {
    Inline {
        len: u8,
        data: [u8; INLINE_CAPACITY],
    },
    /// Longer bytes, as written whole (SET).
    Heap(Arc<[u8]>),
    /// Bytes edited in place, with room to grow.
    Growable(Arc<BytesMut>),
}

const _: () = assert!(std::mem::size_of::<CompactBytes>() == 24);

impl CompactBytes {
    /// An empty byte string.
    pub const fn empty() -> CompactBytes {
        CompactBytes(Repr::Inline {
            len: 0,
            data: [0; INLINE_CAPACITY],
        })
    }

    /// Copies `bytes`: the copy never shares memory with the caller's buffer.
    pub fn new(bytes: &[u8]) -> CompactBytes {
        if bytes.len() <= INLINE_CAPACITY {
            let mut data = [0; INLINE_CAPACITY];
            data[..bytes.len()].copy_from_slice(bytes);
            CompactBytes(Repr::Inline {
                len: bytes.len() as u8,
                data,
            })
        } else {
            CompactBytes(Repr::Heap(Arc::from(bytes)))
        }
    }

    /// Returns the bytes as a [`Bytes`] for a reply: a copy when they are inline (at most
    /// [`INLINE_CAPACITY`] bytes), else a handle sharing the heap allocation.
    pub fn to_bytes(&self) -> Bytes {
        match &self.0 {
            Repr::Inline { len, data } => Bytes::copy_from_slice(&data[..*len as usize]),
            Repr::Heap(shared) => Bytes::from_owner(Arc::clone(shared)),
            Repr::Growable(shared) => Bytes::from_owner(SharedBuf(Arc::clone(shared))),
        }
    }

    /// Returns `range` of the bytes as a [`Bytes`]: shared when the bytes are on the heap, else
    /// a copy. Panics when `range` is out of bounds, as slicing does.
    pub fn slice(&self, range: std::ops::Range<usize>) -> Bytes {
        match &self.0 {
            Repr::Inline { .. } => Bytes::copy_from_slice(&self[range]),
            _ => self.to_bytes().slice(range),
        }
    }

    /// Returns `part`, which must be a subslice of these bytes, as a [`Bytes`]; see
    /// [`CompactBytes::slice`]. Panics when `part` is not inside the bytes.
    pub fn slice_ref(&self, part: &[u8]) -> Bytes {
        if part.is_empty() {
            return Bytes::new();
        }
        let start = (part.as_ptr() as usize)
            .checked_sub(self.as_ptr() as usize)
            .expect("part lies within the bytes");
        self.slice(start..start + part.len())
    }

    /// Edits the bytes through `edit` and returns what it returns. The buffer is edited where it
    /// is when it was edited before and nothing else (a snapshot, a reply being sent) shares it;
    /// otherwise `edit` gets a copy, which then replaces the bytes.
    pub fn edit<R>(&mut self, edit: impl FnOnce(&mut BytesMut) -> R) -> R {
        if let Repr::Growable(shared) = &mut self.0
            && let Some(buf) = Arc::get_mut(shared)
        {
            return edit(buf);
        }
        let mut buf = BytesMut::from(&self[..]);
        let res = edit(&mut buf);
        *self = if buf.len() <= INLINE_CAPACITY {
            CompactBytes::new(&buf)
        } else {
            CompactBytes(Repr::Growable(Arc::new(buf)))
        };
        res
    }

    /// Returns true when the bytes live inside the handle (no allocation of their own).
    #[cfg(test)]
    pub fn is_inline(&self) -> bool {
        matches!(self.0, Repr::Inline { .. })
    }

    /// Bytes of heap memory that [`CompactBytes::new`] allocates for `len` bytes.
    pub fn heap_size_for(len: usize) -> usize {
        if len <= INLINE_CAPACITY {
            0
        } else {
            // Arc's two counters, then the bytes.
            2 * mem::size_of::<usize>() + len
        }
    }

    /// Bytes of heap memory the value owns beyond its handle (0 when inline).
    pub fn heap_size(&self) -> usize {
        match &self.0 {
            Repr::Inline { .. } => 0,
            Repr::Heap(shared) => CompactBytes::heap_size_for(shared.len()),
            Repr::Growable(shared) => {
                2 * mem::size_of::<usize>() + mem::size_of::<BytesMut>() + shared.capacity()
            }
        }
    }
}

/// An `Arc<BytesMut>` as the owner of a [`Bytes`].
struct SharedBuf(Arc<BytesMut>);

impl AsRef<[u8]> for SharedBuf {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl Default for CompactBytes {
    fn default() -> CompactBytes {
        CompactBytes::empty()
    }
}

impl Deref for CompactBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, data } => &data[..*len as usize],
            Repr::Heap(shared) => shared,
            Repr::Growable(shared) => shared,
        }
    }
}

impl AsRef<[u8]> for CompactBytes {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl Borrow<[u8]> for CompactBytes {
    fn borrow(&self) -> &[u8] {
        self
    }
}

impl PartialEq for CompactBytes {
    fn eq(&self, other: &CompactBytes) -> bool {
        **self == **other
    }
}

impl Eq for CompactBytes {}

impl PartialEq<[u8]> for CompactBytes {
    fn eq(&self, other: &[u8]) -> bool {
        **self == *other
    }
}

impl PartialOrd for CompactBytes {
    fn partial_cmp(&self, other: &CompactBytes) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for CompactBytes {
    fn cmp(&self, other: &CompactBytes) -> Ordering {
        (**self).cmp(&**other)
    }
}

impl Hash for CompactBytes {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (**self).hash(state);
    }
}

impl fmt::Debug for CompactBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&Bytes::copy_from_slice(self), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_strings_are_inline_and_long_ones_shared() {
        for len in [0, 1, INLINE_CAPACITY, INLINE_CAPACITY + 1, 1000] {
            let bytes: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let compact = CompactBytes::new(&bytes);
            assert_eq!(&compact[..], &bytes[..]);
            assert_eq!(compact.to_bytes(), bytes);
            assert_eq!(compact.is_inline(), len <= INLINE_CAPACITY, "len {len}");
            assert_eq!(compact.heap_size() == 0, len <= INLINE_CAPACITY);
        }
        let long = CompactBytes::new(&[7; 100]);
        let copy = long.clone();
        assert_eq!(
            copy[..].as_ptr(),
            long[..].as_ptr(),
            "a clone shares the bytes"
        );
        assert_eq!(
            long.to_bytes().as_ptr(),
            long[..].as_ptr(),
            "so does a reply"
        );
        assert_eq!(long.slice(10..20).as_ptr(), long[10..].as_ptr());
        assert_eq!(long.slice_ref(&long[5..9]), &[7; 4][..]);
        let short = CompactBytes::new(b"abcdef");
        assert_eq!(short.slice_ref(&short[2..4]), &b"cd"[..]);
        assert_eq!(short.slice(1..1), &b""[..]);
    }

    #[test]
    fn edits_in_place_unless_shared() {
        let mut s = CompactBytes::new(b"abc");
        s.edit(|buf| buf.extend_from_slice(b"def"));
        assert_eq!(&s[..], b"abcdef");
        assert!(s.is_inline(), "short results stay inline");
        s.edit(|buf| buf.resize(100, b'x'));
        assert!(!s.is_inline());
        let at = s[..].as_ptr();
        s.edit(|buf| buf[0] = b'A');
        assert_eq!(
            s[..].as_ptr(),
            at,
            "an unshared buffer is edited where it is"
        );
        let snapshot = s.clone();
        let reply = s.to_bytes();
        s.edit(|buf| buf[1] = b'B');
        assert_ne!(s[..].as_ptr(), at, "a shared one is copied");
        assert_eq!(&s[..3], b"ABc");
        assert_eq!(&snapshot[..3], b"Abc");
        assert_eq!(&reply[..3], b"Abc");
        assert_eq!(
            s,
            CompactBytes::new(&s[..]),
            "equality ignores the representation"
        );
    }

    #[test]
    fn compares_as_its_bytes() {
        let a = CompactBytes::new(b"abc");
        let b = CompactBytes::new(&[b'a'; 40]);
        assert!(a > b);
        assert_eq!(a, CompactBytes::new(b"abc"));
        assert_eq!(&a, &b"abc"[..]);
        assert_eq!(CompactBytes::default(), CompactBytes::new(b""));
        assert_eq!(format!("{a:?}"), "b\"abc\"");
    }
}
