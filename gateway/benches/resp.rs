//! Criterion benches of the RESP parser and encoder, the gateway's per-request hot path: parsing
//! pipelines of the requests redis-benchmark sends and encoding the replies they get.

use std::hint::black_box;

use bytes::Bytes;
use bytes::BytesMut;
use criterion::BatchSize;
use criterion::Criterion;
use criterion::Throughput;
use criterion::criterion_group;
use criterion::criterion_main;
use tinyredis_common::Reply;
use tinyredis_common::ReplyError;
use tinyredis_gateway::resp::Limits;
use tinyredis_gateway::resp::Protocol;
use tinyredis_gateway::resp::encode;
use tinyredis_gateway::resp::parse_request;

/// Requests per benchmarked pipeline (redis-benchmark's `-P 16`).
const PIPELINE: usize = 16;

/// Appends `args` to `out` as a RESP multibulk request.
fn multibulk(args: &[&[u8]], out: &mut Vec<u8>) {
    out.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

/// A pipeline of `PIPELINE` requests built by `request(i, out)`.
fn pipeline(request: impl Fn(usize, &mut Vec<u8>)) -> BytesMut {
    let mut out = Vec::new();
    for i in 0..PIPELINE {
        request(i, &mut out);
    }
    BytesMut::from(&out[..])
}

fn bench_parse(c: &mut Criterion) {
    let limits = Limits::default();
    let cases: Vec<(&str, BytesMut)> = vec![
        (
            "SET",
            pipeline(|i, out| {
                let key = format!("key:{i:012}");
                multibulk(&[b"SET", key.as_bytes(), b"xxx"], out);
            }),
        ),
        (
            "GET",
            pipeline(|i, out| {
                let key = format!("key:{i:012}");
                multibulk(&[b"GET", key.as_bytes()], out);
            }),
        ),
        (
            "MSET (10 keys)",
            pipeline(|_, out| {
                let mut args: Vec<&[u8]> = vec![b"MSET"];
                for _ in 0..10 {
                    args.extend([&b"key:__rand_int__"[..], b"xxx"]);
                }
                multibulk(&args, out);
            }),
        ),
        (
            "PING_INLINE",
            pipeline(|_, out| out.extend_from_slice(b"PING\r\n")),
        ),
    ];
    let mut group = c.benchmark_group("parse_request");
    group.throughput(Throughput::Elements(PIPELINE as u64));
    for (name, input) in cases {
        group.bench_function(name, |b| {
            b.iter_batched(
                || input.clone(),
                |mut buf| {
                    while let Some(argv) = parse_request(&mut buf, &limits).expect("valid request")
                    {
                        black_box(argv);
                    }
                },
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

fn bench_encode(c: &mut Criterion) {
    let cases: Vec<(&str, Reply)> = vec![
        ("ok", Reply::Ok),
        ("integer", Reply::Integer(1_234_567)),
        ("bulk 3 bytes", Reply::bulk(Bytes::from_static(b"xxx"))),
        ("nil", Reply::Nil),
        (
            "array of 10 bulks",
            Reply::Array((0..10).map(|i| Reply::bulk(format!("value:{i}"))).collect()),
        ),
        ("double", Reply::Double(1.0 / 3.0)),
        ("wrongtype error", Reply::Error(ReplyError::WrongType)),
    ];
    let mut group = c.benchmark_group("encode");
    for (name, reply) in &cases {
        for proto in [Protocol::Resp2, Protocol::Resp3] {
            let mut out = BytesMut::with_capacity(4096);
            group.bench_function(format!("{name} {proto:?}"), |b| {
                b.iter(|| {
                    out.clear();
                    encode(black_box(reply), proto, &mut out);
                    black_box(&out);
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench_parse, bench_encode);
criterion_main!(benches);
