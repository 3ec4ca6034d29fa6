//! The whole benchmark, one system after another on this machine: start everything, run the
//! throughput suite `runs` times (systems interleaved within each run, so that a burst of noise
//! hits all of them), then the leader kill, then the memory test on fresh instances.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;
use std::time::Instant;

use anyhow::Context;
use anyhow::Result;

use crate::etcd_put;
use crate::fsync;
use crate::leader_kill;
use crate::procs::rss_bytes;
use crate::redis_benchmark;
use crate::redis_benchmark::Mode;
use crate::redis_benchmark::TESTS;
use crate::redis_benchmark::Test;
use crate::report;
use crate::report::MemoryResult;
use crate::report::NodeRss;
use crate::report::Report;
use crate::report::SystemResult;
use crate::report::TestResult;
use crate::stats::Sample;
use crate::systems;

/// Settings of one benchmark run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Runs of the throughput suite; medians are reported.
    pub runs: usize,
    /// Target duration of each redis-benchmark test (the request count is sized from a probe).
    pub seconds: f64,
    /// Keys of the memory test.
    pub keys: u64,
    /// Value size of every write, in bytes (redis-benchmark's default `-d` is 3).
    pub value_size: usize,
    /// redis-benchmark `-r`.
    pub keyspace: u64,
    pub clients: u32,
    pub pipeline: u32,
    /// Connections of the leader-kill write load.
    pub kill_connections: usize,
    /// Appends of the fdatasync measurement.
    pub fsync_count: usize,
    /// Where tinyredis-node, -gateway and -admin are.
    pub bin_dir: PathBuf,
    /// Parent of the temporary data directory.
    pub data_dir: PathBuf,
    /// First of the ports the benchmark uses (about 60 from there).
    pub port_base: u16,
    /// The command line, recorded in the report.
    pub command: String,
}

/// Ports, all derived from [`Config::port_base`].
struct Ports {
    redis: u16,
    redis_aof: u16,
    redis_mem: u16,
    gateway: u16,
    gateway_mem: u16,
    nodes: [u16; 3],
    nodes_mem: [u16; 3],
    etcd_client: [u16; 3],
    etcd_peer: [u16; 3],
}

impl Ports {
    fn new(b: u16) -> Ports {
        Ports {
            redis: b,
            redis_aof: b + 1,
            redis_mem: b + 2,
            gateway: b + 10,
            gateway_mem: b + 11,
            nodes: [b + 20, b + 21, b + 22],
            nodes_mem: [b + 30, b + 31, b + 32],
            etcd_client: [b + 40, b + 41, b + 42],
            etcd_peer: [b + 50, b + 51, b + 52],
        }
    }
}

/// A system the redis-benchmark suite runs against.
struct Target {
    key: &'static str,
    name: &'static str,
    port: u16,
}

/// Requests of the first (discarded) run of a test on a system, which sizes the later ones.
fn probe_requests(mode: Mode) -> u64 {
    match (mode.clients, mode.pipeline) {
        (1, _) => 200,
        (_, 1) => 2_000,
        _ => 20_000,
    }
}

/// Log a progress line (the table comes at the end).
fn progress(msg: &str) {
    eprintln!("[bench {:>6.1}s] {msg}", crate::elapsed_s());
}

/// Runs the benchmark and returns its report.
pub async fn run(cfg: &Config) -> Result<Report> {
    let started_utc = utc_now();
    let started = Instant::now();
    let ports = Ports::new(cfg.port_base);
    std::fs::create_dir_all(&cfg.data_dir)?;
    let tmp = tempfile::Builder::new()
        .prefix("tinyredis-bench-")
        .tempdir_in(&cfg.data_dir)
        .with_context(|| format!("creating a temp dir in {}", cfg.data_dir.display()))?;
    let dir = tmp.path();
    progress(&format!("data dirs under {}", dir.display()));

    let fsync = fsync::measure(&dir.join("fsync.dat"), cfg.fsync_count, 256)?;
    progress(&format!(
        "fdatasync: p50 {:.3} ms, p99 {:.3} ms",
        fsync.p50_ms, fsync.p99_ms
    ));

    progress("starting redis (persistence off), redis (appendfsync always), tinyredis, etcd");
    let mut redis = systems::start_redis("redis", &dir.join("redis"), ports.redis, false).await?;
    let mut redis_aof =
        systems::start_redis("redis-aof", &dir.join("redis-aof"), ports.redis_aof, true).await?;
    let mut tiny = systems::start_tinyredis(
        &cfg.bin_dir,
        &dir.join("tinyredis"),
        ports.gateway,
        ports.nodes,
    )
    .await?;
    let mut etcd =
        systems::start_etcd(&dir.join("etcd"), ports.etcd_client, ports.etcd_peer).await?;
    let etcd_leader = etcd.leader_endpoint().await?;

    let targets = [
        Target {
            key: "redis",
            name: "redis 7.0, persistence off",
            port: ports.redis,
        },
        Target {
            key: "redis-aof",
            name: "redis 7.0, appendfsync always",
            port: ports.redis_aof,
        },
        Target {
            key: "tinyredis",
            name: "tinyredis, 1 gateway + 3 nodes",
            port: ports.gateway,
        },
    ];
    let modes = [
        Mode {
            clients: cfg.clients,
            pipeline: 1,
        },
        Mode {
            clients: cfg.clients,
            pipeline: cfg.pipeline,
        },
    ];
    let single = Mode {
        clients: 1,
        pipeline: 1,
    };
    // (system, test, mode) -> samples, in the order they first ran.
    let mut order: Vec<(usize, Test, Mode)> = Vec::new();
    let mut samples: HashMap<(usize, &str, Mode), Vec<Sample>> = HashMap::new();
    let mut sized: HashMap<(usize, &str, Mode), u64> = HashMap::new();
    let mut etcd_runs = Vec::new();
    for run in 0..cfg.runs {
        for (si, sys) in targets.iter().enumerate() {
            let plan = modes
                .iter()
                .flat_map(|m| TESTS.iter().map(move |t| (*t, *m)))
                .chain([(redis_benchmark::SET, single)]);
            for (test, mode) in plan {
                let key = (si, test.csv_name, mode);
                let requests = match sized.get(&key) {
                    Some(n) => *n,
                    None => {
                        let probe = probe_requests(mode);
                        let s = bench(cfg, sys.port, test, mode, probe)?;
                        let per_batch = u64::from(mode.clients * mode.pipeline);
                        let n = ((s.rps * cfg.seconds) as u64).clamp(probe, 10_000_000);
                        let n = n.div_ceil(per_batch) * per_batch;
                        sized.insert(key, n);
                        n
                    }
                };
                let s = bench(cfg, sys.port, test, mode, requests)?;
                progress(&format!(
                    "run {}/{} {:<9} {:<15} {:<7} n={:<8} {:>9.0} ops/s p50 {:.3} p99 {:.3}",
                    run + 1,
                    cfg.runs,
                    sys.key,
                    test.csv_name,
                    mode.label(),
                    requests,
                    s.rps,
                    s.p50_ms,
                    s.p99_ms
                ));
                if !samples.contains_key(&key) {
                    order.push((si, test, mode));
                }
                samples.entry(key).or_default().push(s);
            }
        }
        let load = etcd_put::PutLoad {
            endpoint: etcd_leader.clone(),
            clients: cfg.clients as usize,
            duration: Duration::from_secs_f64(cfg.seconds),
            value_size: cfg.value_size,
            keyspace: cfg.keyspace,
        };
        let s = etcd_put::run(&load).await?;
        progress(&format!(
            "run {}/{} etcd      PUT {}c: {:.0} puts/s p50 {:.3} p99 {:.3}",
            run + 1,
            cfg.runs,
            cfg.clients,
            s.rps,
            s.p50_ms,
            s.p99_ms
        ));
        etcd_runs.push(s);
        redis.proc.check_running()?;
        redis_aof.proc.check_running()?;
        tiny.gateway.check_running()?;
        etcd.check_running()?;
    }
    drop(etcd);
    drop(redis);
    drop(redis_aof);

    let mut results: Vec<SystemResult> = targets
        .iter()
        .enumerate()
        .map(|(si, sys)| SystemResult {
            key: sys.key.to_string(),
            name: sys.name.to_string(),
            tests: order
                .iter()
                .filter(|(s, _, _)| *s == si)
                .map(|(_, test, mode)| {
                    let runs = samples[&(si, test.csv_name, *mode)].clone();
                    TestResult {
                        test: test.csv_name.to_string(),
                        mode: mode.label(),
                        median: Sample::median(&runs),
                        runs,
                    }
                })
                .collect(),
        })
        .collect();
    results.push(SystemResult {
        key: "etcd".into(),
        name: "etcd 3.4, 3 members".into(),
        tests: vec![TestResult {
            test: "PUT".into(),
            mode: format!("{}c", cfg.clients),
            median: Sample::median(&etcd_runs),
            runs: etcd_runs,
        }],
    });

    progress(&format!(
        "leader kill: {} connections of SET/INCR through the gateway",
        cfg.kill_connections
    ));
    let gateway_addr = tiny.gateway_addr();
    let leader_kill = leader_kill::run(
        &gateway_addr,
        cfg.kill_connections,
        Duration::from_secs(3),
        Duration::from_secs(5),
        || {
            // The lookup runs a process; keep the load's tasks off this worker meanwhile.
            tokio::task::block_in_place(|| {
                let leader = tiny.leader_id()?;
                tiny.kill_node(leader)?;
                progress(&format!("killed the leader, node {leader}"));
                Ok(leader)
            })
        },
    )
    .await?;
    drop(tiny);

    let memory = memory_test(cfg, &ports, dir).await?;

    let targets = report::targets(&results, &fsync, &memory, &leader_kill);
    Ok(Report {
        command: cfg.command.clone(),
        started_utc,
        duration_s: started.elapsed().as_secs_f64(),
        machine: machine(),
        runs: cfg.runs,
        fsync,
        systems: results,
        memory,
        leader_kill,
        targets,
    })
}

/// One redis-benchmark run on 127.0.0.1:`port`.
fn bench(cfg: &Config, port: u16, test: Test, mode: Mode, requests: u64) -> Result<Sample> {
    redis_benchmark::Run {
        port,
        test,
        mode,
        requests,
        keyspace: cfg.keyspace,
        value_size: cfg.value_size,
        program: "redis-benchmark",
    }
    .execute()
}

/// Loads `cfg.keys` keys into a fresh redis-server and a fresh tinyredis and measures memory.
async fn memory_test(cfg: &Config, ports: &Ports, dir: &std::path::Path) -> Result<MemoryResult> {
    progress(&format!("memory: {} keys into a fresh redis", cfg.keys));
    let redis =
        systems::start_redis("redis-mem", &dir.join("redis-mem"), ports.redis_mem, false).await?;
    let redis_empty = systems::redis_used_memory_rss(redis.port)?;
    memory_load(redis.port, cfg)?;
    let redis_loaded = systems::redis_used_memory_rss(redis.port)?;
    drop(redis);

    progress(&format!("memory: {} keys into a fresh tinyredis", cfg.keys));
    let tiny = systems::start_tinyredis(
        &cfg.bin_dir,
        &dir.join("tinyredis-mem"),
        ports.gateway_mem,
        ports.nodes_mem,
    )
    .await?;
    let pids: Vec<(u64, u32)> = tiny
        .nodes
        .iter()
        .filter_map(|n| n.proc.as_ref().map(|p| (n.id, p.pid())))
        .collect();
    let empty: Vec<u64> = pids
        .iter()
        .map(|(_, pid)| rss_bytes(*pid))
        .collect::<Result<_>>()?;
    let t = Instant::now();
    memory_load(tiny.gateway_port, cfg)?;
    progress(&format!(
        "memory: loaded in {:.1} s, waiting for every node to apply",
        t.elapsed().as_secs_f64()
    ));
    tiny.wait_caught_up(Duration::from_secs(120)).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut nodes = Vec::new();
    for ((id, pid), empty) in pids.iter().zip(empty) {
        nodes.push(NodeRss {
            node: *id,
            empty_rss_bytes: empty,
            loaded_rss_bytes: rss_bytes(*pid)?,
        });
    }
    drop(tiny);
    Ok(MemoryResult {
        keys: cfg.keys,
        value_size: cfg.value_size,
        redis_empty_rss_bytes: redis_empty,
        redis_loaded_rss_bytes: redis_loaded,
        compared_node_rss_bytes: nodes.iter().map(|n| n.loaded_rss_bytes).max().unwrap_or(0),
        nodes,
    })
}

fn memory_load(port: u16, cfg: &Config) -> Result<()> {
    let (keys, value_size) = (cfg.keys, cfg.value_size);
    tokio::task::block_in_place(|| crate::memory::load_keys(port, keys, value_size))
}

/// The current UTC time as `date -u` prints it in ISO 8601.
fn utc_now() -> String {
    std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%dT%H:%M:%SZ"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

/// CPU count, model and kernel, for the report header.
fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|m| m.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_default();
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!("{cpus} CPUs ({model}), Linux {}", kernel.trim())
}
