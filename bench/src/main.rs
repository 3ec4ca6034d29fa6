//! `tinyredis-bench`: the side-by-side benchmark of tinyredis against redis-server and etcd on
//! one machine (issue #6), and the load generators it needs where redis-benchmark cannot measure:
//! etcd puts, the leader kill under a write load, one fdatasync.
//!
//! - [`suite`]: the whole run (`tinyredis-bench run`, started by `scripts/bench.sh`).
//! - [`systems`]: starting redis-server, a tinyredis cluster and an etcd cluster.
//! - [`redis_benchmark`]: redis-benchmark runs and their CSV.
//! - [`etcd_put`], [`leader_kill`], [`fsync`], [`memory`]: the other measurements.
//! - [`report`]: medians, targets, the table and the JSON.

mod etcd_put;
mod fsync;
mod leader_kill;
mod memory;
mod procs;
mod redis_benchmark;
mod report;
mod resp_client;
mod stats;
mod suite;
mod systems;

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;
use std::time::Instant;

use anyhow::Context;
use anyhow::Result;
use clap::Parser;
use clap::Subcommand;

/// Benchmark tinyredis against redis-server and etcd on this machine.
#[derive(Debug, Parser)]
#[command(name = "tinyredis-bench")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// The whole benchmark: prints the table, writes results.json and results.txt.
    Run(RunArgs),
    /// Only the etcd put load against a running etcd; prints puts/s, p50 and p99.
    EtcdPut {
        /// etcd client URL.
        #[arg(long, default_value = "http://127.0.0.1:2379")]
        endpoint: String,
        #[arg(long, default_value_t = 50)]
        clients: usize,
        #[arg(long, default_value_t = 5.0)]
        seconds: f64,
        #[arg(long, default_value_t = 3)]
        value_size: usize,
    },
    /// Only the fdatasync latency of a directory's disk.
    Fsync {
        #[arg(long, default_value = ".")]
        dir: PathBuf,
        #[arg(long, default_value_t = 500)]
        count: usize,
    },
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// Runs of the throughput suite (medians are reported).
    #[arg(long, env = "BENCH_RUNS", default_value_t = 3)]
    runs: usize,
    /// Target seconds per redis-benchmark test and for the etcd put load.
    #[arg(long, env = "BENCH_SECONDS", default_value_t = 3.0)]
    seconds: f64,
    /// Keys loaded for the memory test.
    #[arg(long, env = "BENCH_KEYS", default_value_t = 1_000_000)]
    keys: u64,
    /// Value size in bytes of every write (redis-benchmark's default).
    #[arg(long, env = "BENCH_VALUE_SIZE", default_value_t = 3)]
    value_size: usize,
    /// Random keys per redis-benchmark test (`-r`).
    #[arg(long, env = "BENCH_KEYSPACE", default_value_t = 100_000)]
    keyspace: u64,
    /// Concurrent clients of the throughput tests and the etcd put load.
    #[arg(long, env = "BENCH_CLIENTS", default_value_t = 50)]
    clients: u32,
    /// Pipeline depth of the pipelined tests.
    #[arg(long, env = "BENCH_PIPELINE", default_value_t = 16)]
    pipeline: u32,
    /// Connections writing during the leader kill.
    #[arg(long, env = "BENCH_KILL_CONNECTIONS", default_value_t = 16)]
    kill_connections: usize,
    /// Appends timed for the fdatasync figure.
    #[arg(long, env = "BENCH_FSYNC_COUNT", default_value_t = 500)]
    fsync_count: usize,
    /// Directory of tinyredis-node, tinyredis-gateway and tinyredis-admin.
    #[arg(long, env = "BENCH_BIN_DIR", default_value = "target/release")]
    bin_dir: PathBuf,
    /// Parent of the temporary directory holding every system's data (one disk for all).
    #[arg(long, env = "BENCH_DATA_DIR", default_value_os_t = std::env::temp_dir())]
    data_dir: PathBuf,
    /// Where results.json and results.txt go.
    #[arg(long, env = "BENCH_OUT_DIR", default_value = "target/bench")]
    out_dir: PathBuf,
    /// First of about 60 consecutive local ports the systems listen on.
    #[arg(long, env = "BENCH_PORT_BASE", default_value_t = 16400)]
    port_base: u16,
}

/// Seconds since the program started, for progress lines.
pub fn elapsed_s() -> f64 {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() -> Result<()> {
    elapsed_s();
    match Cli::parse().command {
        Cmd::Run(a) => run(a).await,
        Cmd::EtcdPut {
            endpoint,
            clients,
            seconds,
            value_size,
        } => {
            let s = etcd_put::run(&etcd_put::PutLoad {
                endpoint,
                clients,
                duration: Duration::from_secs_f64(seconds),
                value_size,
                keyspace: 100_000,
            })
            .await?;
            println!("{}", serde_json::to_string_pretty(&s)?);
            Ok(())
        }
        Cmd::Fsync { dir, count } => {
            let r = fsync::measure(&dir.join("tinyredis-bench-fsync.dat"), count, 256)?;
            println!("{}", serde_json::to_string_pretty(&r)?);
            Ok(())
        }
    }
}

async fn run(a: RunArgs) -> Result<()> {
    let command = std::env::var("BENCH_COMMAND")
        .unwrap_or_else(|_| std::env::args().collect::<Vec<_>>().join(" "));
    let cfg = suite::Config {
        runs: a.runs.max(1),
        seconds: a.seconds,
        keys: a.keys,
        value_size: a.value_size,
        keyspace: a.keyspace,
        clients: a.clients,
        pipeline: a.pipeline,
        kill_connections: a.kill_connections,
        fsync_count: a.fsync_count,
        bin_dir: a.bin_dir,
        data_dir: a.data_dir,
        port_base: a.port_base,
        command,
    };
    // On Ctrl-C the suite's future is dropped, which kills every server it started.
    let report = tokio::select! {
        r = suite::run(&cfg) => r?,
        _ = tokio::signal::ctrl_c() => anyhow::bail!("interrupted"),
    };
    let table = report::table(&report);
    std::fs::create_dir_all(&a.out_dir)?;
    let json = a.out_dir.join("results.json");
    std::fs::write(&json, serde_json::to_string_pretty(&report)?)
        .with_context(|| format!("writing {}", json.display()))?;
    std::fs::write(a.out_dir.join("results.txt"), &table)?;
    println!("{table}");
    println!("written: {} and results.txt", json.display());
    Ok(())
}
