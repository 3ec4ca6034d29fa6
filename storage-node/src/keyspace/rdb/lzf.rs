//! LZF decompression (liblzf's `lzf_decompress`), for the compressed strings Redis writes in DUMP
//! payloads and RDB files (`rdbcompression yes`, strings longer than 20 bytes). tinyredis never
//! compresses: Redis reads uncompressed strings as well.

/// Decompresses `input` into exactly `out_len` bytes; `None` when the data is corrupt or does not
/// decompress to exactly that length.
pub fn decompress(input: &[u8], out_len: usize) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(out_len.min(input.len().saturating_mul(64)));
    let mut pos = 0;
    while pos < input.len() {
        let ctrl = usize::from(input[pos]);
        pos += 1;
        if ctrl < 1 << 5 {
            // A literal run of ctrl + 1 bytes.
            let run = input.get(pos..pos + ctrl + 1)?;
            if out.len() + run.len() > out_len {
                return None;
            }
            out.extend_from_slice(run);
            pos += ctrl + 1;
        } else {
            // A back reference: length (3 bits, extended by a byte when all set) and offset.
            let mut len = ctrl >> 5;
            if len == 7 {
                len += usize::from(*input.get(pos)?);
                pos += 1;
            }
            let low = usize::from(*input.get(pos)?);
            pos += 1;
            let back = ((ctrl & 0x1f) << 8) + low + 1;
            let len = len + 2;
            if back > out.len() || out.len() + len > out_len {
                return None;
            }
            let from = out.len() - back;
            // The source may overlap what is being written: copy byte by byte.
            for idx in 0..len {
                let b = out[from + idx];
                out.push(b);
            }
        }
    }
    (out.len() == out_len).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_and_back_references() {
        // "aaaaaaaaaa": a literal 'a', then a back reference of 9 bytes at distance 1.
        assert_eq!(
            decompress(&[0x00, b'a', 0xe0, 0x00, 0x00], 10).as_deref(),
            Some(&b"aaaaaaaaaa"[..])
        );
        assert_eq!(
            decompress(&[0x01, b'a', b'b'], 2).as_deref(),
            Some(&b"ab"[..])
        );
        // Wrong length, truncated literal, reference before the start.
        assert_eq!(decompress(&[0x01, b'a', b'b'], 3), None);
        assert_eq!(decompress(&[0x05, b'a'], 6), None);
        assert_eq!(decompress(&[0x20, 0x05], 3), None);
    }
}
