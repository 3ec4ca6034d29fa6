//! Redis's HyperLogLog string format and algorithms (Redis 7.0 `hyperloglog.c`), byte for byte,
//! so that a value written here and moved to Redis with GET/SET (or DUMP/RESTORE) counts the
//! same, and the other way round.
//!
//! A value is a 16-byte header (`HYLL`, the encoding, three unused bytes, the cached cardinality
//! little endian with bit 63 meaning "stale") followed by 16384 six-bit registers, either *dense*
//! (12288 bytes, register `i` at bit `6i`, least significant bits first) or *sparse* (run-length
//! opcodes: `00xxxxxx` ZERO of 1–64 registers, `01xxxxxx yyyyyyyy` XZERO of 1–16384,
//! `1vvvvvxx` VAL of value 1–32 repeated 1–4 times). Elements are hashed with MurmurHash64A
//! (seed `0xadc83b19`): the low 14 bits pick the register, the rest give the run of zeros. The
//! count is Otmar Ertl's improved estimator, as Redis 5+ computes it.
//!
//! Every function takes bytes that passed [`check`] and never panics on corrupted registers:
//! where the C code reads one byte past the end (the sds NUL terminator), this reads a zero.

use bytes::BytesMut;
use tinyredis_common::ReplyError;

/// Bytes of the header.
pub const HDR_SIZE: usize = 16;
/// Number of registers (2^14).
pub const REGISTERS: usize = 1 << P;
/// Bits of the hash used to pick a register.
const P: u32 = 14;
/// Bits of the hash left for the run of zeros.
const Q: usize = 64 - P as usize;
/// Bits per dense register.
const BITS: usize = 6;
/// Largest register value.
const REGISTER_MAX: u8 = (1 << BITS) - 1;
/// Size of a dense value.
pub const DENSE_SIZE: usize = HDR_SIZE + (REGISTERS * BITS).div_ceil(8);
/// Encoding byte of a dense value.
const DENSE: u8 = 0;
/// Encoding byte of a sparse value.
const SPARSE: u8 = 1;
/// Redis's default `hll-sparse-max-bytes`: a sparse value that would grow beyond this is
/// converted to dense.
pub const SPARSE_MAX_BYTES: usize = 3000;
/// The longest run of a ZERO opcode.
const ZERO_MAX_LEN: usize = 64;
/// The longest run of an XZERO opcode.
const XZERO_MAX_LEN: usize = 16384;
/// The largest value a VAL opcode holds.
const VAL_MAX_VALUE: u8 = 32;
/// The longest run of a VAL opcode.
const VAL_MAX_LEN: usize = 4;
/// The seed Redis hashes elements with.
const HASH_SEED: u64 = 0xadc8_3b19;
/// `0.5 / ln(2)`, the estimator's constant for an infinite number of registers.
const ALPHA_INF: f64 = 0.721_347_520_444_481_7;

/// Marker of a corrupted register encoding (Redis's `C_ERR` / `-1`), replied as `INVALIDOBJ`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Corrupt;

impl From<Corrupt> for ReplyError {
    fn from(_: Corrupt) -> ReplyError {
        ReplyError::CorruptHll
    }
}

/// Redis's `isHLLObjectOrReply` for a string: the magic, a known encoding, and the exact length
/// of a dense value; `WRONGTYPE Key is not a valid HyperLogLog string value.` otherwise.
pub fn check(value: &[u8]) -> Result<(), ReplyError> {
    let valid = value.len() >= HDR_SIZE
        && value.starts_with(b"HYLL")
        && value[4] <= SPARSE
        && (value[4] != DENSE || value.len() == DENSE_SIZE);
    if valid {
        Ok(())
    } else {
        Err(ReplyError::NotHll)
    }
}

/// Returns true when the value is dense.
pub fn is_dense(value: &[u8]) -> bool {
    value[4] == DENSE
}

/// Redis's `createHLLObject`: an empty sparse value (XZERO opcodes covering every register) with
/// a valid cached cardinality of 0.
pub fn new_sparse() -> BytesMut {
    let mut v = BytesMut::with_capacity(HDR_SIZE + 2);
    v.extend_from_slice(b"HYLL");
    v.extend_from_slice(&[SPARSE, 0, 0, 0]);
    v.extend_from_slice(&[0; 8]);
    let mut left = REGISTERS;
    while left > 0 {
        let run = left.min(XZERO_MAX_LEN);
        v.extend_from_slice(&xzero(run));
        left -= run;
    }
    v
}

/// Marks the cached cardinality stale (`HLL_INVALIDATE_CACHE`).
pub fn invalidate_cache(value: &mut [u8]) {
    value[15] |= 0x80;
}

/// The cached cardinality, when valid.
pub fn cached_count(value: &[u8]) -> Option<u64> {
    let card = u64::from_le_bytes(value[8..16].try_into().ok()?);
    (value[15] & 0x80 == 0).then_some(card)
}

/// Stores a freshly computed cardinality in the cache.
pub fn set_cached_count(value: &mut [u8], count: u64) {
    value[8..16].copy_from_slice(&count.to_le_bytes());
}

/// MurmurHash2, 64-bit version (`MurmurHash64A`), reading 8-byte blocks little endian as Redis
/// does on every architecture.
pub fn murmur64a(key: &[u8], seed: u64) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    let mut h = seed ^ (key.len() as u64).wrapping_mul(M);
    let mut blocks = key.chunks_exact(8);
    for block in &mut blocks {
        let mut k = u64::from_le_bytes(block.try_into().unwrap_or([0; 8]));
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        for (i, &b) in tail.iter().enumerate() {
            h ^= u64::from(b) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

/// Redis's `hllPatLen`: the register an element maps to and the length of its `000…1` pattern
/// (1 to Q+1).
pub fn pattern(element: &[u8]) -> (usize, u8) {
    let hash = murmur64a(element, HASH_SEED);
    let index = (hash & (REGISTERS as u64 - 1)) as usize;
    let rest = (hash >> P) | (1 << Q);
    (index, rest.trailing_zeros() as u8 + 1)
}

/// The byte at `idx`, or 0 past the end (where C reads the sds terminator).
fn byte_at(v: &[u8], idx: usize) -> u8 {
    v.get(idx).copied().unwrap_or(0)
}

/// Reads dense register `idx` from the register bytes (`HLL_DENSE_GET_REGISTER`).
fn dense_get(regs: &[u8], idx: usize) -> u8 {
    let byte = idx * BITS / 8;
    let fb = (idx * BITS) & 7;
    let b0 = u16::from(byte_at(regs, byte));
    let b1 = u16::from(byte_at(regs, byte + 1));
    (((b0 >> fb) | (b1 << (8 - fb))) & u16::from(REGISTER_MAX)) as u8
}

/// Writes dense register `idx` (`HLL_DENSE_SET_REGISTER`).
fn dense_set(regs: &mut [u8], idx: usize, val: u8) {
    let byte = idx * BITS / 8;
    let fb = (idx * BITS) & 7;
    let v = u16::from(val);
    let max = u16::from(REGISTER_MAX);
    regs[byte] &= !((max << fb) as u8);
    regs[byte] |= (v << fb) as u8;
    // The last register ends on a byte boundary: nothing of it lies in the next byte.
    if let Some(next) = regs.get_mut(byte + 1) {
        *next &= !((max >> (8 - fb)) as u8);
        *next |= (v >> (8 - fb)) as u8;
    }
}

/// `hllDenseSet`: raises register `idx` of a dense value to `count`; true when it changed.
fn dense_raise(value: &mut [u8], idx: usize, count: u8) -> bool {
    let regs = &mut value[HDR_SIZE..];
    if count > dense_get(regs, idx) {
        dense_set(regs, idx, count);
        true
    } else {
        false
    }
}

/// One sparse opcode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opcode {
    /// ZERO or XZERO: `len` registers at 0; `size` is the opcode's byte length.
    Zero { len: usize, size: usize },
    /// VAL: `len` registers at `value`.
    Val { value: u8, len: usize },
}

impl Opcode {
    /// Decodes the opcode at `p`.
    fn at(v: &[u8], p: usize) -> Opcode {
        let b = v[p];
        if b & 0x80 != 0 {
            Opcode::Val {
                value: ((b >> 2) & 0x1f) + 1,
                len: usize::from(b & 0x3) + 1,
            }
        } else if b & 0x40 != 0 {
            Opcode::Zero {
                len: ((usize::from(b & 0x3f) << 8) | usize::from(byte_at(v, p + 1))) + 1,
                size: 2,
            }
        } else {
            Opcode::Zero {
                len: usize::from(b & 0x3f) + 1,
                size: 1,
            }
        }
    }

    /// Registers covered.
    fn len(self) -> usize {
        match self {
            Opcode::Zero { len, .. } | Opcode::Val { len, .. } => len,
        }
    }

    /// Bytes taken.
    fn size(self) -> usize {
        match self {
            Opcode::Zero { size, .. } => size,
            Opcode::Val { .. } => 1,
        }
    }
}

/// Encodes a VAL opcode.
fn val(value: u8, len: usize) -> u8 {
    ((value - 1) << 2) | (len - 1) as u8 | 0x80
}

/// Encodes a ZERO (1 byte) or XZERO (2 bytes) opcode for a run of `len` zero registers.
fn zero_run(len: usize, out: &mut Vec<u8>) {
    if len > ZERO_MAX_LEN {
        out.extend_from_slice(&xzero(len));
    } else {
        out.push((len - 1) as u8);
    }
}

/// Encodes an XZERO opcode.
fn xzero(len: usize) -> [u8; 2] {
    let l = len - 1;
    [((l >> 8) as u8) | 0x40, (l & 0xff) as u8]
}

/// Calls `f(first_register, opcode)` for every sparse opcode. The opcodes must cover exactly the
/// registers: one reaching past the last register (checked before `f` sees it) or a shortfall at
/// the end is corruption (Redis 7.0.15 with the CVE-2025-32023 fix, as Debian ships it).
fn walk_sparse(v: &[u8], mut f: impl FnMut(usize, Opcode)) -> Result<(), Corrupt> {
    let (mut p, mut idx) = (HDR_SIZE, 0usize);
    while p < v.len() {
        let op = Opcode::at(v, p);
        if idx + op.len() > REGISTERS {
            return Err(Corrupt);
        }
        f(idx, op);
        idx += op.len();
        p += op.size();
    }
    if idx == REGISTERS {
        Ok(())
    } else {
        Err(Corrupt)
    }
}

/// `hllSparseToDense`: converts a sparse value to dense in place (a dense one is left alone).
/// A corrupted value is left unchanged.
pub fn to_dense(value: &mut BytesMut) -> Result<(), Corrupt> {
    if is_dense(value) {
        return Ok(());
    }
    let mut dense = vec![0u8; DENSE_SIZE];
    dense[..HDR_SIZE].copy_from_slice(&value[..HDR_SIZE]);
    dense[4] = DENSE;
    let regs = &mut dense[HDR_SIZE..];
    walk_sparse(value, |idx, op| {
        if let Opcode::Val { value, len } = op {
            (idx..idx + len).for_each(|r| dense_set(regs, r, value));
        }
    })?;
    value.clear();
    value.extend_from_slice(&dense);
    Ok(())
}

/// `hllSparseSet`: raises register `index` of a sparse value to `count`, splitting and merging
/// opcodes in place, or converting to dense when the value would need a register above 32 or grow
/// beyond [`SPARSE_MAX_BYTES`]. Returns true when the register changed.
fn sparse_raise(v: &mut BytesMut, index: usize, count: u8) -> Result<bool, Corrupt> {
    if count > VAL_MAX_VALUE {
        return promote(v, index, count);
    }
    // Step 1: find the opcode covering the register.
    let end = v.len();
    let (mut p, mut first, mut prev, mut span) = (HDR_SIZE, 0usize, None, 0usize);
    while p < end {
        let op = Opcode::at(v, p);
        span = op.len();
        if index < first + span {
            break;
        }
        prev = Some(p);
        p += op.size();
        first += span;
    }
    if span == 0 || p >= end {
        return Err(Corrupt);
    }
    let op = Opcode::at(v, p);
    let next = Some(p + op.size()).filter(|&n| n < end);

    // Step 2: the trivial updates in place, else the sequence replacing the opcode.
    let mut seq = Vec::with_capacity(5);
    match op {
        Opcode::Val { value, .. } if value >= count => return Ok(false),
        Opcode::Val { len: 1, .. } | Opcode::Zero { len: 1, size: 1 } => {
            v[p] = val(count, 1);
            merge_and_invalidate(v, prev);
            return Ok(true);
        }
        Opcode::Zero { .. } => {
            let last = first + span - 1;
            if index != first {
                zero_run(index - first, &mut seq);
            }
            seq.push(val(count, 1));
            if index != last {
                zero_run(last - index, &mut seq);
            }
        }
        Opcode::Val { value, .. } => {
            let last = first + span - 1;
            if index != first {
                seq.push(val(value, index - first));
            }
            seq.push(val(count, 1));
            if index != last {
                seq.push(val(value, last - index));
            }
        }
    }

    // Step 3: put the sequence in place of the opcode, shifting what follows.
    let old_size = op.size();
    if seq.len() > old_size && end + seq.len() - old_size > SPARSE_MAX_BYTES {
        return promote(v, index, count);
    }
    let new_len = end + seq.len() - old_size;
    let mut buf = v[..].to_vec();
    buf.resize(new_len.max(end).max(p + seq.len()), 0);
    if let Some(next) = next {
        buf.copy_within(next..end, p + seq.len());
    }
    buf[p..p + seq.len()].copy_from_slice(&seq);
    buf.truncate(new_len);
    v.clear();
    v.extend_from_slice(&buf);
    merge_and_invalidate(v, prev);
    Ok(true)
}

/// Step 4 of `hllSparseSet`: merges adjacent VAL opcodes of equal value (up to five opcodes from
/// the one before the change), then marks the cache stale.
fn merge_and_invalidate(v: &mut BytesMut, prev: Option<usize>) {
    let mut p = prev.unwrap_or(HDR_SIZE);
    let mut scan = 5;
    while p < v.len() && scan > 0 {
        scan -= 1;
        let (b, end) = (v[p], v.len());
        if b & 0xc0 == 0x40 {
            p += 2;
            continue;
        }
        if b & 0xc0 == 0 {
            p += 1;
            continue;
        }
        if p + 1 < end
            && let (Opcode::Val { value: v1, len: l1 }, Opcode::Val { value: v2, len: l2 }) =
                (Opcode::at(v, p), Opcode::at(v, p + 1))
            && v1 == v2
            && l1 + l2 <= VAL_MAX_LEN
        {
            v[p + 1] = val(v1, l1 + l2);
            v.copy_within(p + 1..end, p);
            v.truncate(end - 1);
            continue;
        }
        p += 1;
    }
    invalidate_cache(v);
}

/// The `promote:` path of `hllSparseSet`: converts to dense, then raises the register.
fn promote(v: &mut BytesMut, index: usize, count: u8) -> Result<bool, Corrupt> {
    to_dense(v)?;
    dense_raise(v, index, count);
    Ok(true)
}

/// `hllAdd`: adds one element; true when a register changed. The value must have passed
/// [`check`].
pub fn add(value: &mut BytesMut, element: &[u8]) -> Result<bool, Corrupt> {
    let (index, count) = pattern(element);
    raise(value, index, count)
}

/// Raises one register in either encoding.
pub fn raise(value: &mut BytesMut, index: usize, count: u8) -> Result<bool, Corrupt> {
    if is_dense(value) {
        Ok(dense_raise(value, index, count))
    } else {
        sparse_raise(value, index, count)
    }
}

/// `hllMerge`: raises each of `max`'s registers to the value's.
pub fn merge_into(max: &mut [u8; REGISTERS], value: &[u8]) -> Result<(), Corrupt> {
    if is_dense(value) {
        let regs = &value[HDR_SIZE..];
        for (i, m) in max.iter_mut().enumerate() {
            *m = (*m).max(dense_get(regs, i));
        }
        return Ok(());
    }
    walk_sparse(value, |idx, op| {
        if let Opcode::Val { value, len } = op {
            max[idx..idx + len]
                .iter_mut()
                .for_each(|m| *m = (*m).max(value));
        }
    })
}

/// `hllCount` of a value: the estimated cardinality; a sparse value whose opcodes do not cover
/// exactly the registers is corrupt.
pub fn count(value: &[u8]) -> Result<u64, Corrupt> {
    let mut histogram = [0u64; 64];
    if is_dense(value) {
        let regs = &value[HDR_SIZE..];
        (0..REGISTERS).for_each(|i| histogram[usize::from(dense_get(regs, i))] += 1);
    } else {
        walk_sparse(value, |_, op| match op {
            Opcode::Zero { len, .. } => histogram[0] += len as u64,
            Opcode::Val { value, len } => histogram[usize::from(value)] += len as u64,
        })?;
    }
    Ok(estimate(&histogram))
}

/// `hllCount` of raw byte registers (PFCOUNT of several keys).
pub fn count_registers(registers: &[u8; REGISTERS]) -> u64 {
    let mut histogram = [0u64; 64];
    // Register values are at most 63, so they index the histogram.
    registers
        .iter()
        .for_each(|&r| histogram[usize::from(r & 63)] += 1);
    estimate(&histogram)
}

/// Ertl's estimator ("New cardinality estimation algorithms for HyperLogLog sketches",
/// arXiv:1702.01284) from the histogram of register values, in Redis's order of operations.
fn estimate(histogram: &[u64; 64]) -> u64 {
    let m = REGISTERS as f64;
    let mut z = m * tau((m - histogram[Q + 1] as f64) / m);
    for j in (1..=Q).rev() {
        z += histogram[j] as f64;
        z *= 0.5;
    }
    z += m * sigma(histogram[0] as f64 / m);
    // llroundl: halves away from zero.
    (ALPHA_INF * m * m / z).round() as u64
}

/// Ertl's sigma function (`hllSigma`).
fn sigma(mut x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let mut y = 1.0;
    let mut z = x;
    loop {
        x *= x;
        let z_prev = z;
        z += x * y;
        y += y;
        if z_prev == z {
            return z;
        }
    }
}

/// Ertl's tau function (`hllTau`).
fn tau(mut x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let mut y = 1.0;
    let mut z = 1.0 - x;
    loop {
        x = x.sqrt();
        let z_prev = z;
        y *= 0.5;
        z -= (1.0 - x) * (1.0 - x) * y;
        if z_prev == z {
            return z / 3.0;
        }
    }
}

/// Each register of the value (PFDEBUG GETREG on a dense value).
pub fn dense_registers(value: &[u8]) -> impl Iterator<Item = u8> + '_ {
    let regs = &value[HDR_SIZE..];
    (0..REGISTERS).map(move |i| dense_get(regs, i))
}

/// The sparse opcodes as PFDEBUG DECODE prints them (`z:len`, `Z:len`, `v:value,len`).
pub fn decode_sparse(value: &[u8]) -> String {
    let mut parts = Vec::new();
    let mut p = HDR_SIZE;
    while p < value.len() {
        let op = Opcode::at(value, p);
        parts.push(match op {
            Opcode::Zero { len, size: 1 } => format!("z:{len}"),
            Opcode::Zero { len, .. } => format!("Z:{len}"),
            Opcode::Val { value, len } => format!("v:{value},{len}"),
        });
        p += op.size();
    }
    parts.join(" ")
}
