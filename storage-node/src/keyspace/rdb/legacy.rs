//! Readers of the encodings older Redis versions wrote and Redis 7.0 still loads: the ziplist
//! (lists, hashes and sorted sets before 7.0) and the zipmap (hashes before 2.6). tinyredis never
//! writes them.

use crate::keyspace::rdb::listpack::Element;

/// Reads every element of a ziplist (`ziplist.c`); `None` when it is malformed.
///
/// Layout: total bytes (u32 LE), offset of the last entry (u32 LE), number of entries (u16 LE,
/// 65535 when unknown), the entries, `0xFF`. Each entry is the previous entry's length (1 byte,
/// or `0xFE` and a u32 LE), an encoding and the data.
pub fn read_ziplist(zl: &[u8]) -> Option<Vec<Element<'_>>> {
    let total = u32::from_le_bytes(zl.get(0..4)?.try_into().ok()?) as usize;
    let count = u16::from_le_bytes(zl.get(8..10)?.try_into().ok()?);
    if total != zl.len() || zl.last() != Some(&0xff) {
        return None;
    }
    let mut elements = Vec::new();
    let mut pos = 10;
    while *zl.get(pos)? != 0xff {
        pos += if zl[pos] < 0xfe { 1 } else { 5 };
        let enc = *zl.get(pos)?;
        let int_le = |at: usize, n: usize| -> Option<i64> {
            let bytes = zl.get(at..at + n)?;
            let mut v: u64 = 0;
            for (idx, &b) in bytes.iter().enumerate() {
                v |= u64::from(b) << (8 * idx);
            }
            let shift = 64 - 8 * n as u32;
            Some(((v << shift) as i64) >> shift)
        };
        let (element, len) = match enc >> 6 {
            0 => {
                let len = usize::from(enc & 0x3f);
                (Element::Str(zl.get(pos + 1..pos + 1 + len)?), 1 + len)
            }
            1 => {
                let len = (usize::from(enc & 0x3f) << 8) | usize::from(*zl.get(pos + 1)?);
                (Element::Str(zl.get(pos + 2..pos + 2 + len)?), 2 + len)
            }
            2 => {
                let len = u32::from_be_bytes(zl.get(pos + 1..pos + 5)?.try_into().ok()?) as usize;
                let end = pos.checked_add(5)?.checked_add(len)?;
                (Element::Str(zl.get(pos + 5..end)?), 5 + len)
            }
            _ => match enc {
                0xc0 => (Element::Int(int_le(pos + 1, 2)?), 3),
                0xd0 => (Element::Int(int_le(pos + 1, 4)?), 5),
                0xe0 => (Element::Int(int_le(pos + 1, 8)?), 9),
                0xf0 => (Element::Int(int_le(pos + 1, 3)?), 4),
                0xfe => (Element::Int(int_le(pos + 1, 1)?), 2),
                0xf1..=0xfd => (Element::Int(i64::from(enc & 0x0f) - 1), 1),
                _ => return None,
            },
        };
        pos += len;
        elements.push(element);
    }
    if pos != zl.len() - 1 || (count != u16::MAX && usize::from(count) != elements.len()) {
        return None;
    }
    Some(elements)
}

/// Reads the field-value pairs of a zipmap (`zipmap.c`); `None` when it is malformed.
///
/// Layout: a count byte, then per pair the field's length, the field, the value's length, a
/// byte counting unused bytes after the value, the value and those bytes; then `0xFF`. A length
/// below 254 is one byte, else `0xFE` and a u32 LE.
pub fn read_zipmap(zm: &[u8]) -> Option<Vec<(&[u8], &[u8])>> {
    let mut pos = 1;
    let mut pairs = Vec::new();
    let read_len = |pos: &mut usize| -> Option<usize> {
        let first = *zm.get(*pos)?;
        match first {
            0..=253 => {
                *pos += 1;
                Some(usize::from(first))
            }
            254 => {
                let len = u32::from_le_bytes(zm.get(*pos + 1..*pos + 5)?.try_into().ok()?);
                *pos += 5;
                Some(len as usize)
            }
            _ => None,
        }
    };
    while *zm.get(pos)? != 0xff {
        let field_len = read_len(&mut pos)?;
        let field = zm.get(pos..pos.checked_add(field_len)?)?;
        pos += field_len;
        let value_len = read_len(&mut pos)?;
        let free = usize::from(*zm.get(pos)?);
        pos += 1;
        let value = zm.get(pos..pos.checked_add(value_len)?)?;
        pos += value_len + free;
        pairs.push((field, value));
    }
    (pos == zm.len() - 1).then_some(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_ziplist() {
        // Entries "a", 7 (immediate), -2 (int8), 300 (int16); built by hand per ziplist.c.
        let body: Vec<u8> = vec![
            0, 0x01, b'a', // prevlen 0, 6-bit string of 1
            3, 0xf8, // immediate 7 (0xf1 + 7)
            2, 0xfe, 0xfe, // int8 -2
            3, 0xc0, 0x2c, 0x01, // int16 300
        ];
        let total = 10 + body.len() + 1;
        let mut zl = Vec::new();
        zl.extend_from_slice(&(total as u32).to_le_bytes());
        zl.extend_from_slice(&0u32.to_le_bytes());
        zl.extend_from_slice(&4u16.to_le_bytes());
        zl.extend_from_slice(&body);
        zl.push(0xff);
        assert_eq!(
            read_ziplist(&zl),
            Some(vec![
                Element::Str(b"a"),
                Element::Int(7),
                Element::Int(-2),
                Element::Int(300)
            ])
        );
        zl[8] = 3;
        assert_eq!(read_ziplist(&zl), None);
    }

    #[test]
    fn reads_a_zipmap() {
        let zm = [2, 1, b'f', 2, 1, b'v', b'1', 0, 1, b'g', 0, 0, 0xff];
        assert_eq!(
            read_zipmap(&zm),
            Some(vec![(&b"f"[..], &b"v1"[..]), (&b"g"[..], &b""[..])])
        );
        assert_eq!(read_zipmap(&zm[..zm.len() - 1]), None);
    }
}
