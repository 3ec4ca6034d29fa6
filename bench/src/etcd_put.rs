//! The etcd put load generator: `clients` concurrent clients, each on its own connection (as
//! redis-benchmark's `-c`), each doing one `KV.Put` at a time with random keys from a fixed key
//! space and values of a fixed size, for a fixed time. Reports puts per second and p50/p99
//! latency, like redis-benchmark.

use std::time::Duration;
use std::time::Instant;

use anyhow::Context;
use anyhow::Result;
use anyhow::bail;
use tonic::transport::Channel;

use crate::stats::Sample;
use crate::stats::summarize;

/// etcd's v3 API, reduced to KV.Put (see `proto/etcd_kv.proto`).
pub mod etcdserverpb {
    #![allow(clippy::all, missing_docs)]
    tonic::include_proto!("etcdserverpb");
}

use etcdserverpb::PutRequest;
use etcdserverpb::kv_client::KvClient;

/// What to run.
#[derive(Debug, Clone)]
pub struct PutLoad {
    /// The client URL to send puts to (`http://127.0.0.1:2379`).
    pub endpoint: String,
    pub clients: usize,
    pub duration: Duration,
    pub value_size: usize,
    /// Keys are `key:<12 digits>` below this, like redis-benchmark's `-r`.
    pub keyspace: u64,
}

/// Runs the load and returns its figures; any failed put fails the run.
pub async fn run(load: &PutLoad) -> Result<Sample> {
    let mut clients = Vec::with_capacity(load.clients);
    for _ in 0..load.clients {
        let channel = Channel::from_shared(load.endpoint.clone())?
            .connect()
            .await
            .with_context(|| format!("connecting to etcd at {}", load.endpoint))?;
        clients.push(KvClient::new(channel));
    }
    // One put per client first: connections are warm when the clock starts.
    for c in &mut clients {
        c.put(put_request(0, load)).await.context("etcd put")?;
    }
    let started = Instant::now();
    let deadline = started + load.duration;
    let tasks: Vec<_> = clients
        .into_iter()
        .map(|mut client| {
            let load = load.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while Instant::now() < deadline {
                    let req = put_request(rand::random::<u64>() % load.keyspace.max(1), &load);
                    let t = Instant::now();
                    client.put(req).await.context("etcd put")?;
                    latencies.push(t.elapsed().as_secs_f64() * 1000.0);
                }
                anyhow::Ok(latencies)
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    if all.is_empty() {
        bail!("no etcd put completed");
    }
    Ok(summarize(all, elapsed))
}

fn put_request(key: u64, load: &PutLoad) -> PutRequest {
    PutRequest {
        key: format!("key:{key:012}").into_bytes(),
        value: vec![b'x'; load.value_size],
        ..PutRequest::default()
    }
}
