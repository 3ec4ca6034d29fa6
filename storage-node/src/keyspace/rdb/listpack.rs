//! Redis's listpack (`listpack.c`): the compact encoding of small hashes, sorted sets and of the
//! nodes of a list's quicklist, written and read byte for byte as Redis 7.0 does.
//!
//! Layout: total bytes (u32 LE), number of elements (u16 LE, 65535 when unknown), the entries,
//! then `0xFF`. Each entry is an encoding byte (with an inline length or small integer), its
//! data, and its own length written backwards ("backlen") so the list can be walked both ways.
//! Strings that are canonical decimal integers are stored as integers, as `lpAppend` does.

use tinyredis_common::num::parse_i64;

/// The byte that ends a listpack.
const EOF: u8 = 0xff;
/// Header size: total bytes (4) and number of elements (2).
const HEADER_LEN: usize = 6;
/// The element count written when it does not fit the header.
const UNKNOWN_COUNT: u16 = u16::MAX;

/// Builds a listpack by appending elements.
#[derive(Debug)]
pub struct ListpackWriter {
    buf: Vec<u8>,
    n_elements: usize,
}

impl Default for ListpackWriter {
    fn default() -> ListpackWriter {
        ListpackWriter {
            buf: vec![0; HEADER_LEN],
            n_elements: 0,
        }
    }
}

impl ListpackWriter {
    /// Returns the size the listpack has so far, end byte included.
    pub fn len(&self) -> usize {
        self.buf.len() + 1
    }

    /// Returns true when no element was appended.
    pub fn is_empty(&self) -> bool {
        self.n_elements == 0
    }

    /// Appends an element: an integer when `element` is the canonical text of an `i64`.
    pub fn push(&mut self, element: &[u8]) {
        let start = self.buf.len();
        match parse_i64(element) {
            Some(n) => self.push_int(n),
            None => self.push_str(element),
        }
        let entry_len = self.buf.len() - start;
        push_backlen(&mut self.buf, entry_len);
        self.n_elements += 1;
    }

    /// Returns the finished listpack.
    pub fn finish(mut self) -> Vec<u8> {
        self.buf.push(EOF);
        let total = u32::try_from(self.buf.len()).unwrap_or(u32::MAX);
        self.buf[0..4].copy_from_slice(&total.to_le_bytes());
        let count = u16::try_from(self.n_elements).unwrap_or(UNKNOWN_COUNT);
        self.buf[4..6].copy_from_slice(&count.to_le_bytes());
        self.buf
    }

    fn push_int(&mut self, n: i64) {
        let buf = &mut self.buf;
        if (0..=127).contains(&n) {
            buf.push(n as u8);
        } else if (-4096..=4095).contains(&n) {
            let v = if n < 0 { (1 << 13) + n } else { n } as u16;
            buf.extend_from_slice(&[0xc0 | (v >> 8) as u8, v as u8]);
        } else if i16::try_from(n).is_ok() {
            buf.push(0xf1);
            buf.extend_from_slice(&(n as i16).to_le_bytes());
        } else if (-(1 << 23)..(1 << 23)).contains(&n) {
            buf.push(0xf2);
            buf.extend_from_slice(&(n as i32).to_le_bytes()[..3]);
        } else if i32::try_from(n).is_ok() {
            buf.push(0xf3);
            buf.extend_from_slice(&(n as i32).to_le_bytes());
        } else {
            buf.push(0xf4);
            buf.extend_from_slice(&n.to_le_bytes());
        }
    }

    fn push_str(&mut self, s: &[u8]) {
        let buf = &mut self.buf;
        let len = s.len();
        if len < 64 {
            buf.push(0x80 | len as u8);
        } else if len < 4096 {
            buf.extend_from_slice(&[0xe0 | (len >> 8) as u8, len as u8]);
        } else {
            buf.push(0xf0);
            buf.extend_from_slice(&(len as u32).to_le_bytes());
        }
        buf.extend_from_slice(s);
    }
}

/// Appends `lpEncodeBacklen` of an entry of `len` bytes.
fn push_backlen(buf: &mut Vec<u8>, len: usize) {
    let l = len as u64;
    if l <= 127 {
        buf.push(l as u8);
    } else if l < 16383 {
        buf.extend_from_slice(&[(l >> 7) as u8, (l & 127) as u8 | 128]);
    } else if l < 2_097_151 {
        buf.extend_from_slice(&[
            (l >> 14) as u8,
            ((l >> 7) & 127) as u8 | 128,
            (l & 127) as u8 | 128,
        ]);
    } else if l < 268_435_455 {
        buf.extend_from_slice(&[
            (l >> 21) as u8,
            ((l >> 14) & 127) as u8 | 128,
            ((l >> 7) & 127) as u8 | 128,
            (l & 127) as u8 | 128,
        ]);
    } else {
        buf.extend_from_slice(&[
            (l >> 28) as u8,
            ((l >> 21) & 127) as u8 | 128,
            ((l >> 14) & 127) as u8 | 128,
            ((l >> 7) & 127) as u8 | 128,
            (l & 127) as u8 | 128,
        ]);
    }
}

/// The size of the backlen of an entry of `len` bytes.
fn backlen_size(len: usize) -> usize {
    match len {
        0..=127 => 1,
        128..=16382 => 2,
        16383..=2_097_150 => 3,
        2_097_151..=268_435_454 => 4,
        _ => 5,
    }
}

/// One element read from a listpack or ziplist.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Element<'a> {
    Str(&'a [u8]),
    Int(i64),
}

impl Element<'_> {
    /// The element's bytes: integers as their decimal text, as Redis returns them.
    pub fn to_bytes(self) -> Vec<u8> {
        match self {
            Element::Str(s) => s.to_vec(),
            Element::Int(n) => itoa::Buffer::new().format(n).as_bytes().to_vec(),
        }
    }
}

/// Reads every element of a listpack; `None` when it is malformed (wrong total size, an entry
/// running past the end, a bad backlen, a wrong element count).
pub fn read(lp: &[u8]) -> Option<Vec<Element<'_>>> {
    let total = u32::from_le_bytes(lp.get(0..4)?.try_into().ok()?) as usize;
    let count = u16::from_le_bytes(lp.get(4..6)?.try_into().ok()?);
    if total != lp.len() || lp.last() != Some(&EOF) {
        return None;
    }
    let mut elements = Vec::new();
    let mut pos = HEADER_LEN;
    while lp[pos] != EOF {
        let start = pos;
        let enc = lp[pos];
        let int_le = |at: usize, n: usize| -> Option<i64> {
            let bytes = lp.get(at..at + n)?;
            let mut v: u64 = 0;
            for (idx, &b) in bytes.iter().enumerate() {
                v |= u64::from(b) << (8 * idx);
            }
            // Sign-extend from n bytes.
            let shift = 64 - 8 * n as u32;
            Some(((v << shift) as i64) >> shift)
        };
        let element = if enc & 0x80 == 0 {
            pos += 1;
            Element::Int(i64::from(enc & 0x7f))
        } else if enc & 0xc0 == 0x80 {
            let len = usize::from(enc & 0x3f);
            pos += 1 + len;
            Element::Str(lp.get(start + 1..start + 1 + len)?)
        } else if enc & 0xe0 == 0xc0 {
            let v = (u16::from(enc & 0x1f) << 8) | u16::from(*lp.get(pos + 1)?);
            pos += 2;
            let v = i64::from(v);
            Element::Int(if v >= 1 << 12 { v - (1 << 13) } else { v })
        } else if enc & 0xf0 == 0xe0 {
            let len = (usize::from(enc & 0x0f) << 8) | usize::from(*lp.get(pos + 1)?);
            pos += 2 + len;
            Element::Str(lp.get(start + 2..start + 2 + len)?)
        } else {
            match enc {
                0xf0 => {
                    let len = u32::from_le_bytes(lp.get(pos + 1..pos + 5)?.try_into().ok()?);
                    let len = len as usize;
                    pos += 5 + len;
                    Element::Str(lp.get(start + 5..start.checked_add(5 + len)?)?)
                }
                0xf1 => {
                    pos += 3;
                    Element::Int(int_le(start + 1, 2)?)
                }
                0xf2 => {
                    pos += 4;
                    Element::Int(int_le(start + 1, 3)?)
                }
                0xf3 => {
                    pos += 5;
                    Element::Int(int_le(start + 1, 4)?)
                }
                0xf4 => {
                    pos += 9;
                    Element::Int(int_le(start + 1, 8)?)
                }
                _ => return None,
            }
        };
        let entry_len = pos - start;
        pos += backlen_size(entry_len);
        // The entry and its backlen must end before the end byte.
        if pos >= lp.len() {
            return None;
        }
        elements.push(element);
    }
    if pos != lp.len() - 1 || (count != UNKNOWN_COUNT && usize::from(count) != elements.len()) {
        return None;
    }
    Some(elements)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_encoding() {
        let long = vec![b'x'; 5000];
        let mid = vec![b'y'; 100];
        let items: Vec<&[u8]> = vec![
            b"0",
            b"127",
            b"128",
            b"-1",
            b"-4096",
            b"4095",
            b"-32768",
            b"32767",
            b"8388607",
            b"-8388608",
            b"2147483647",
            b"-2147483648",
            b"9223372036854775807",
            b"-9223372036854775808",
            b"",
            b"01",
            b"abc",
            &mid,
            &long,
        ];
        let mut w = ListpackWriter::default();
        for item in &items {
            w.push(item);
        }
        let lp = w.finish();
        let read: Vec<Vec<u8>> = read(&lp)
            .unwrap()
            .into_iter()
            .map(Element::to_bytes)
            .collect();
        let expected: Vec<Vec<u8>> = items.iter().map(|i| i.to_vec()).collect();
        assert_eq!(read, expected);
    }

    #[test]
    fn matches_redis_bytes() {
        // `RPUSH l a 1 -1 1000` in Redis 7.0 has this listpack (from DUMP).
        let mut w = ListpackWriter::default();
        for item in [&b"a"[..], b"1", b"-1", b"1000"] {
            w.push(item);
        }
        assert_eq!(
            w.finish(),
            vec![
                0x12, 0, 0, 0, 4, 0, 0x81, b'a', 2, 1, 1, 0xdf, 0xff, 2, 0xc3, 0xe8, 2, 0xff
            ]
        );
    }

    #[test]
    fn rejects_malformed() {
        let mut w = ListpackWriter::default();
        w.push(b"abc");
        let lp = w.finish();
        assert!(read(&lp).is_some());
        let mut short = lp.clone();
        short.truncate(lp.len() - 1);
        assert!(read(&short).is_none());
        let mut wrong_count = lp.clone();
        wrong_count[4] = 2;
        assert!(read(&wrong_count).is_none());
        let mut bad_len = lp;
        bad_len[6] = 0x80 | 40;
        assert!(read(&bad_len).is_none());
        assert!(read(&[]).is_none());
    }
}
