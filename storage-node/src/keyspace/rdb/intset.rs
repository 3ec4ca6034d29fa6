//! Redis's intset (`intset.c`): the encoding of small sets of integers, written and read byte for
//! byte. Layout: the integer width in bytes (u32 LE: 2, 4 or 8), the number of integers (u32 LE),
//! then the integers, sorted ascending, each in that width, little-endian.

/// Encodes sorted, distinct integers as an intset with the narrowest width that holds them all.
pub fn write(sorted: &[i64]) -> Vec<u8> {
    let width: usize = if sorted.iter().all(|&n| i16::try_from(n).is_ok()) {
        2
    } else if sorted.iter().all(|&n| i32::try_from(n).is_ok()) {
        4
    } else {
        8
    };
    let mut buf = Vec::with_capacity(8 + width * sorted.len());
    buf.extend_from_slice(&(width as u32).to_le_bytes());
    buf.extend_from_slice(&(sorted.len() as u32).to_le_bytes());
    for &n in sorted {
        buf.extend_from_slice(&n.to_le_bytes()[..width]);
    }
    buf
}

/// Reads an intset; `None` when the width is not 2, 4 or 8, the size does not match the count,
/// or the integers are not strictly ascending.
pub fn read(blob: &[u8]) -> Option<Vec<i64>> {
    let width = u32::from_le_bytes(blob.get(0..4)?.try_into().ok()?) as usize;
    let count = u32::from_le_bytes(blob.get(4..8)?.try_into().ok()?) as usize;
    if !matches!(width, 2 | 4 | 8) || count.checked_mul(width)?.checked_add(8)? != blob.len() {
        return None;
    }
    let values: Vec<i64> = blob[8..]
        .chunks_exact(width)
        .map(|chunk| match width {
            2 => i64::from(i16::from_le_bytes([chunk[0], chunk[1]])),
            4 => i64::from(i32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]])),
            _ => i64::from_le_bytes(chunk.try_into().unwrap_or_default()),
        })
        .collect();
    values.windows(2).all(|w| w[0] < w[1]).then_some(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_and_round_trip() {
        assert_eq!(write(&[1, 2]), vec![2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 2, 0]);
        for values in [vec![-5, 7], vec![-70000, 1], vec![i64::MIN, 0, i64::MAX]] {
            assert_eq!(read(&write(&values)), Some(values));
        }
        assert_eq!(
            read(&[2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 1, 0]),
            None,
            "unsorted"
        );
        assert_eq!(read(&[3, 0, 0, 0, 0, 0, 0, 0]), None, "bad width");
        assert_eq!(read(&[2, 0, 0, 0, 2, 0, 0, 0, 1, 0]), None, "short");
    }
}
