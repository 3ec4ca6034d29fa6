//! The benchmark's results: the JSON document, the targets of issue #6 and the printed table.

use std::fmt::Write as _;

use serde::Serialize;

use crate::fsync::FsyncResult;
use crate::leader_kill::KillResult;
use crate::stats::Sample;

/// One test on one system: the median over the runs, and every run.
#[derive(Debug, Clone, Serialize)]
pub struct TestResult {
    /// redis-benchmark's test name (`GET`, `MSET (10 keys)`).
    pub test: String,
    /// `50c`, `50c P16` or `1c`.
    pub mode: String,
    pub median: Sample,
    pub runs: Vec<Sample>,
}

/// Every test on one system.
#[derive(Debug, Clone, Serialize)]
pub struct SystemResult {
    /// `redis`, `redis-aof`, `tinyredis`, `etcd`.
    pub key: String,
    /// A description of its setup.
    pub name: String,
    pub tests: Vec<TestResult>,
}

impl SystemResult {
    /// The median figures of `test` in `mode`, if it ran.
    pub fn get(&self, test: &str, mode: &str) -> Option<Sample> {
        self.tests
            .iter()
            .find(|t| t.test == test && t.mode == mode)
            .map(|t| t.median)
    }
}

/// RSS of one tinyredis node.
#[derive(Debug, Clone, Serialize)]
pub struct NodeRss {
    pub node: u64,
    /// Right after startup, before any key was loaded.
    pub empty_rss_bytes: u64,
    /// With all keys loaded and applied on every node.
    pub loaded_rss_bytes: u64,
}

/// Memory for many small keys.
#[derive(Debug, Clone, Serialize)]
pub struct MemoryResult {
    pub keys: u64,
    pub value_size: usize,
    /// redis-server's `used_memory_rss` when empty and with the keys loaded.
    pub redis_empty_rss_bytes: u64,
    pub redis_loaded_rss_bytes: u64,
    /// Each tinyredis node's process RSS.
    pub nodes: Vec<NodeRss>,
    /// The number compared with redis: the largest loaded RSS of one node (each node holds the
    /// whole keyspace).
    pub compared_node_rss_bytes: u64,
}

/// One target of issue #6 and whether this run met it.
#[derive(Debug, Clone, Serialize)]
pub struct Target {
    pub name: String,
    /// Our figure and the one it is compared with, in `unit`.
    pub ours: f64,
    pub theirs: f64,
    pub unit: String,
    /// ours ÷ theirs.
    pub ratio: f64,
    /// `>=` or `<=`.
    pub op: String,
    pub goal: f64,
    /// Extra conditions (e.g. no client error), empty if none.
    pub also: String,
    pub met: bool,
}

/// The whole benchmark result (written as JSON).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The command line that produced it.
    pub command: String,
    pub started_utc: String,
    pub duration_s: f64,
    pub machine: String,
    pub runs: usize,
    pub fsync: FsyncResult,
    pub systems: Vec<SystemResult>,
    pub memory: MemoryResult,
    pub leader_kill: KillResult,
    pub targets: Vec<Target>,
}

/// Builds a ratio target; a missing figure makes the target "not met" with a NaN ratio.
fn ratio_target(
    name: &str,
    ours: Option<f64>,
    theirs: Option<f64>,
    unit: &str,
    op: &str,
    goal: f64,
) -> Target {
    let (o, t) = (ours.unwrap_or(f64::NAN), theirs.unwrap_or(f64::NAN));
    let ratio = o / t;
    let met = match op {
        ">=" => ratio >= goal,
        _ => ratio <= goal,
    };
    Target {
        name: name.to_string(),
        ours: o,
        theirs: t,
        unit: unit.to_string(),
        ratio,
        op: op.to_string(),
        goal,
        also: String::new(),
        met,
    }
}

/// The targets of issue #6, from the medians of this run.
pub fn targets(
    systems: &[SystemResult],
    fsync: &FsyncResult,
    memory: &MemoryResult,
    kill: &KillResult,
) -> Vec<Target> {
    let sys = |key: &str| systems.iter().find(|s| s.key == key);
    let rps = |key: &str, test: &str, mode: &str| sys(key)?.get(test, mode).map(|s| s.rps);
    let ours = |test: &str, mode: &str| rps("tinyredis", test, mode);
    let mut t = vec![
        ratio_target(
            "GET 50c vs redis (persistence off)",
            ours("GET", "50c"),
            rps("redis", "GET", "50c"),
            "ops/s",
            ">=",
            0.6,
        ),
        ratio_target(
            "GET 50c P16 vs redis (persistence off)",
            ours("GET", "50c P16"),
            rps("redis", "GET", "50c P16"),
            "ops/s",
            ">=",
            0.5,
        ),
        ratio_target(
            "SET 50c P16 vs redis (persistence off)",
            ours("SET", "50c P16"),
            rps("redis", "SET", "50c P16"),
            "ops/s",
            ">=",
            0.5,
        ),
        ratio_target(
            "SET 50c vs redis (appendfsync always)",
            ours("SET", "50c"),
            rps("redis-aof", "SET", "50c"),
            "ops/s",
            ">=",
            1.0,
        ),
        ratio_target(
            "durable writes: SET 50c vs etcd put 50c",
            ours("SET", "50c"),
            rps("etcd", "PUT", "50c"),
            "ops/s",
            ">=",
            3.0,
        ),
        ratio_target(
            "single-client SET p50 vs one fdatasync p50",
            sys("tinyredis")
                .and_then(|s| s.get("SET", "1c"))
                .map(|s| s.p50_ms),
            Some(fsync.p50_ms),
            "ms",
            "<=",
            1.3,
        ),
        ratio_target(
            &format!(
                "memory, {} keys: largest node RSS vs redis used_memory_rss",
                memory.keys
            ),
            Some(memory.compared_node_rss_bytes as f64 / MIB),
            Some(memory.redis_loaded_rss_bytes as f64 / MIB),
            "MiB",
            "<=",
            1.5,
        ),
    ];
    let mut k = ratio_target(
        "leader kill: longest write stall vs 1.5 s",
        Some(kill.longest_stall_ms),
        Some(1500.0),
        "ms",
        "<=",
        1.0,
    );
    k.also = format!(
        "client errors: {}, wrong counters: {}",
        kill.client_errors, kill.counters_wrong
    );
    k.met = k.met && kill.client_errors == 0 && kill.counters_wrong == 0;
    t.push(k);
    t
}

const MIB: f64 = 1024.0 * 1024.0;

/// Renders the report as the table the benchmark prints.
pub fn table(r: &Report) -> String {
    let mut s = String::new();
    let cols: Vec<&SystemResult> = r.systems.iter().filter(|s| s.key != "etcd").collect();
    let _ = writeln!(
        s,
        "tinyredis benchmark: {} (medians of {} run{}), {}",
        r.started_utc,
        r.runs,
        if r.runs == 1 { "" } else { "s" },
        r.machine
    );
    let _ = writeln!(s, "command: {}", r.command);
    let _ = writeln!(s);
    let _ = write!(s, "{:<22}", "test");
    for c in &cols {
        let _ = write!(s, " | {:<29}", c.name);
    }
    let _ = writeln!(s);
    let _ = write!(s, "{:<22}", "");
    for _ in &cols {
        let _ = write!(s, " | {:>10} {:>8} {:>9}", "ops/s", "p50 ms", "p99 ms");
    }
    let _ = writeln!(s);
    let first = cols.first().map(|c| c.tests.clone()).unwrap_or_default();
    for t in &first {
        let _ = write!(s, "{:<22}", format!("{} {}", t.test, t.mode));
        for c in &cols {
            match c.get(&t.test, &t.mode) {
                Some(m) => {
                    let _ = write!(s, " | {:>10.0} {:>8.3} {:>9.3}", m.rps, m.p50_ms, m.p99_ms);
                }
                None => {
                    let _ = write!(s, " | {:>29}", "-");
                }
            }
        }
        let _ = writeln!(s);
    }
    let _ = writeln!(s);
    if let Some(etcd) = r.systems.iter().find(|s| s.key == "etcd") {
        for t in &etcd.tests {
            let m = t.median;
            let _ = writeln!(
                s,
                "{}: {} {}: {:.0} puts/s, p50 {:.3} ms, p99 {:.3} ms",
                etcd.name, t.test, t.mode, m.rps, m.p50_ms, m.p99_ms
            );
        }
    }
    let _ = writeln!(
        s,
        "fdatasync on the data disk ({} appends of {} bytes): p50 {:.3} ms, p99 {:.3} ms",
        r.fsync.count, r.fsync.write_size, r.fsync.p50_ms, r.fsync.p99_ms
    );
    let m = &r.memory;
    let _ = write!(
        s,
        "memory, {} keys of {} bytes: redis used_memory_rss {:.1} MiB (empty {:.1}); tinyredis RSS per node:",
        m.keys,
        m.value_size,
        m.redis_loaded_rss_bytes as f64 / MIB,
        m.redis_empty_rss_bytes as f64 / MIB
    );
    for n in &m.nodes {
        let _ = write!(
            s,
            " node{} {:.1} MiB (empty {:.1})",
            n.node,
            n.loaded_rss_bytes as f64 / MIB,
            n.empty_rss_bytes as f64 / MIB
        );
    }
    let _ = writeln!(s);
    let k = &r.leader_kill;
    let _ = writeln!(
        s,
        "leader kill (node {}, {} connections of SET/INCR): longest stall {:.0} ms, resumed {:.0} ms after the kill, \
         slowest write {:.0} ms, {} writes ok, {} client errors{}, {} wrong counters",
        k.killed_node,
        k.connections,
        k.longest_stall_ms,
        k.resume_after_kill_ms,
        k.max_write_latency_ms,
        k.writes_ok,
        k.client_errors,
        k.first_error
            .as_ref()
            .map(|e| format!(" (first: {e})"))
            .unwrap_or_default(),
        k.counters_wrong
    );
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "{:<62} {:>12} {:>12} {:>7} {:>8}  result",
        "target (ours ÷ theirs)", "ours", "theirs", "ratio", "goal"
    );
    for t in &r.targets {
        let _ = writeln!(
            s,
            "{:<62} {:>12} {:>12} {:>7.2} {:>8}  {}{}",
            t.name,
            format!("{:.1} {}", t.ours, t.unit_short()),
            format!("{:.1} {}", t.theirs, t.unit_short()),
            t.ratio,
            format!("{} {}", if t.op == ">=" { "≥" } else { "≤" }, t.goal),
            if t.met { "met" } else { "NOT MET" },
            if t.also.is_empty() {
                String::new()
            } else {
                format!(" ({})", t.also)
            }
        );
    }
    s
}

impl Target {
    fn unit_short(&self) -> &str {
        match self.unit.as_str() {
            "ops/s" => "/s",
            u => u,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(rps: f64, p50_ms: f64) -> Sample {
        Sample {
            rps,
            p50_ms,
            p99_ms: p50_ms * 2.0,
        }
    }

    fn system(key: &str, tests: &[(&str, &str, Sample)]) -> SystemResult {
        SystemResult {
            key: key.into(),
            name: key.into(),
            tests: tests
                .iter()
                .map(|(t, m, s)| TestResult {
                    test: t.to_string(),
                    mode: m.to_string(),
                    median: *s,
                    runs: vec![*s],
                })
                .collect(),
        }
    }

    #[test]
    fn targets_compare_the_right_figures() {
        let systems = vec![
            system(
                "redis",
                &[
                    ("GET", "50c", sample(100.0, 1.0)),
                    ("GET", "50c P16", sample(1000.0, 1.0)),
                    ("SET", "50c P16", sample(1000.0, 1.0)),
                ],
            ),
            system("redis-aof", &[("SET", "50c", sample(50.0, 1.0))]),
            system(
                "tinyredis",
                &[
                    ("GET", "50c", sample(70.0, 1.0)),
                    ("GET", "50c P16", sample(400.0, 1.0)),
                    ("SET", "50c P16", sample(600.0, 1.0)),
                    ("SET", "50c", sample(60.0, 1.0)),
                    ("SET", "1c", sample(10.0, 2.0)),
                ],
            ),
            system("etcd", &[("PUT", "50c", sample(30.0, 1.0))]),
        ];
        let fsync = FsyncResult {
            count: 1,
            write_size: 1,
            p50_ms: 1.0,
            p99_ms: 1.0,
        };
        let memory = MemoryResult {
            keys: 10,
            value_size: 3,
            redis_empty_rss_bytes: 0,
            redis_loaded_rss_bytes: 100 << 20,
            nodes: vec![],
            compared_node_rss_bytes: 140 << 20,
        };
        let kill = KillResult {
            killed_node: 1,
            connections: 1,
            writes_ok: 1,
            client_errors: 1,
            first_error: None,
            longest_stall_ms: 900.0,
            resume_after_kill_ms: 800.0,
            max_write_latency_ms: 900.0,
            counters_wrong: 0,
        };
        let t = targets(&systems, &fsync, &memory, &kill);
        let met: Vec<(f64, bool)> = t
            .iter()
            .map(|t| ((t.ratio * 100.0).round(), t.met))
            .collect();
        assert_eq!(
            met,
            vec![
                (70.0, true),   // GET 50c 0.7 ≥ 0.6
                (40.0, false),  // GET P16 0.4 < 0.5
                (60.0, true),   // SET P16 0.6 ≥ 0.5
                (120.0, true),  // SET vs aof 1.2 ≥ 1.0
                (200.0, false), // vs etcd 2.0 < 3
                (200.0, false), // 1c p50 2.0 > 1.3
                (140.0, true),  // memory 1.4 ≤ 1.5
                (60.0, false),  // stall fine, but a client error
            ]
        );
    }

    #[test]
    fn missing_figures_are_not_met() {
        let t = ratio_target("x", None, Some(1.0), "ops/s", ">=", 0.5);
        assert!(t.ratio.is_nan() && !t.met);
    }
}
