//! Criterion benches of the hottest apply path: `execute_write` of SET and INCR on a keyspace
//! that already holds many keys, as the state machine runs it for every command of a log entry.

use std::hint::black_box;

use bytes::Bytes;
use criterion::Criterion;
use criterion::criterion_group;
use criterion::criterion_main;
use tinyredis_node::commands::WriteCtx;
use tinyredis_node::commands::execute_write;
use tinyredis_node::keyspace::Keyspace;

/// Keys in the keyspace before the measured writes (redis-benchmark's `-r 100000`).
const KEYS: usize = 100_000;

const CTX: WriteCtx = WriteCtx {
    now_ms: 1_700_000_000_000,
    seed: 7,
};

fn argv(args: &[&[u8]]) -> Vec<Bytes> {
    args.iter().map(|a| Bytes::copy_from_slice(a)).collect()
}

/// A keyspace holding `KEYS` string keys `key:<12 digits>` with 3-byte values, and the SET
/// commands that wrote them (reused to overwrite them).
fn loaded_keyspace() -> (Keyspace, Vec<Vec<Bytes>>) {
    let mut ks = Keyspace::default();
    let sets: Vec<Vec<Bytes>> = (0..KEYS)
        .map(|i| argv(&[b"SET", format!("key:{i:012}").as_bytes(), b"xxx"]))
        .collect();
    for set in &sets {
        execute_write(&mut ks, 0, set, &CTX);
    }
    (ks, sets)
}

fn bench_apply(c: &mut Criterion) {
    let (mut ks, sets) = loaded_keyspace();
    let mut group = c.benchmark_group("execute_write");
    let mut i = 0;
    group.bench_function("SET existing key of 100k", |b| {
        b.iter(|| {
            i = (i + 7919) % KEYS;
            black_box(execute_write(&mut ks, 0, &sets[i], &CTX));
        })
    });
    let fresh: Vec<Vec<Bytes>> = (0..KEYS)
        .map(|i| argv(&[b"SET", format!("new:{i:012}").as_bytes(), b"xxx"]))
        .collect();
    let mut j = 0;
    group.bench_function("SET new key into 100k", |b| {
        b.iter(|| {
            // Past the first KEYS iterations these overwrite, which is the steady state.
            j = (j + 1) % KEYS;
            black_box(execute_write(&mut ks, 0, &fresh[j], &CTX));
        })
    });
    let incr = argv(&[b"INCR", b"counter"]);
    group.bench_function("INCR one counter", |b| {
        b.iter(|| black_box(execute_write(&mut ks, 0, &incr, &CTX)))
    });
    let incrs: Vec<Vec<Bytes>> = (0..KEYS)
        .map(|i| argv(&[b"INCR", format!("ctr:{i:012}").as_bytes()]))
        .collect();
    let mut k = 0;
    group.bench_function("INCR across 100k counters", |b| {
        b.iter(|| {
            k = (k + 7919) % KEYS;
            black_box(execute_write(&mut ks, 0, &incrs[k], &CTX));
        })
    });
    group.finish();
}

criterion_group!(benches, bench_apply);
criterion_main!(benches);
