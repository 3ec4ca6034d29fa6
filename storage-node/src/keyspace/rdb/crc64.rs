//! Redis's CRC-64 (`crc64.c`): the Jones polynomial `0xad93d23594c935a9`, reflected input and
//! output, initial value 0, no final xor. It checksums DUMP payloads and RDB files.

use std::sync::LazyLock;

/// The polynomial, bit-reversed for the reflected (LSB-first) algorithm.
const POLY_REFLECTED: u64 = 0xad93_d235_94c9_35a9_u64.reverse_bits();

static TABLE: LazyLock<[u64; 256]> = LazyLock::new(|| {
    let mut table = [0u64; 256];
    for (idx, slot) in table.iter_mut().enumerate() {
        let mut crc = idx as u64;
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ POLY_REFLECTED
            } else {
                crc >> 1
            };
        }
        *slot = crc;
    }
    table
});

/// Continues the checksum `crc` over `bytes` (start with 0), as Redis's `crc64(crc, p, len)`.
pub fn crc64(mut crc: u64, bytes: &[u8]) -> u64 {
    let table = &*TABLE;
    for &b in bytes {
        crc = table[((crc ^ u64::from(b)) & 0xff) as usize] ^ (crc >> 8);
    }
    crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_redis_test_vectors() {
        // From crc64.c's self test.
        assert_eq!(crc64(0, b"123456789"), 0xe9c6_d914_c4b8_d9ca);
        let text = b"This is a test of the emergency broadcast system.";
        assert_eq!(crc64(crc64(0, &text[..10]), &text[10..]), crc64(0, text));
    }
}
