//! `INFO [section ...]`: Redis 7.0's sections and field names, filled from this gateway's
//! counters ([`crate::stats`]) and the leader's status (memory, persistence, keyspace, Raft).
//!
//! Section rules as Redis 7.0's `genInfoSectionDict`: no argument or `default` gives the default
//! sections, `all` every section, `everything` the same (there are no module sections); other
//! arguments name sections, case-insensitively, several at once; unknown names add nothing.
//! Sections always come out in Redis's order, whatever the argument order. Fields that describe
//! machinery tinyredis does not have (forks, AOF rewrites, Redis replicas, Lua) take the values
//! Redis shows when that machinery is idle; fields whose figure tinyredis cannot know are left
//! out rather than invented.

use std::fmt::Write;
use std::sync::atomic::Ordering;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use tinyredis_common::command::COMMANDS;
use tinyredis_common::{REDIS_VERSION, Reply, TINYREDIS_VERSION, process};
use tinyredis_proto::pb;

use crate::server::Shared;

/// Every section, in the order Redis prints them, with whether `INFO` (no argument) includes it.
const SECTIONS: &[(&str, bool)] = &[
    ("server", true),
    ("clients", true),
    ("memory", true),
    ("persistence", true),
    ("stats", true),
    ("replication", true),
    ("cpu", true),
    ("modules", true),
    ("commandstats", false),
    ("errorstats", true),
    ("latencystats", false),
    ("cluster", true),
    ("raft", true),
    ("keyspace", true),
];

/// Sections that need the leader's status.
const CLUSTER_SECTIONS: &[&str] = &["memory", "persistence", "raft", "keyspace"];

/// `INFO [section ...]`: the text for the requested sections.
pub async fn info(shared: &Shared, argv: &[Bytes]) -> Reply {
    let wanted = wanted_sections(&argv[1..]);
    let status = if wanted.iter().any(|s| CLUSTER_SECTIONS.contains(s)) {
        shared.router.status().await
    } else {
        None
    };
    Reply::Verbatim(Bytes::from(render(shared, &wanted, status.as_ref())))
}

/// The sections requested by INFO's arguments, in Redis's order.
fn wanted_sections(args: &[Bytes]) -> Vec<&'static str> {
    let named = |name: &str| args.iter().any(|a| a.eq_ignore_ascii_case(name.as_bytes()));
    let all = named("all") || named("everything");
    let default = args.is_empty() || named("default");
    SECTIONS
        .iter()
        .filter(|(name, in_default)| all || (default && *in_default) || named(name))
        .map(|(name, _)| *name)
        .collect()
}

/// Renders the given sections.
pub fn render(shared: &Shared, sections: &[&str], status: Option<&pb::NodeStatus>) -> String {
    let mut out = String::new();
    for section in sections {
        if !out.is_empty() {
            out.push_str("\r\n");
        }
        let mut s = Section(&mut out);
        match *section {
            "server" => server(shared, &mut s),
            "clients" => clients(shared, &mut s),
            "memory" => memory(shared, status, &mut s),
            "persistence" => persistence(status, &mut s),
            "stats" => stats(shared, &mut s),
            "replication" => replication(shared, &mut s),
            "cpu" => cpu(&mut s),
            "modules" => s.header("Modules"),
            "commandstats" => commandstats(shared, &mut s),
            "errorstats" => errorstats(shared, &mut s),
            "latencystats" => latencystats(shared, &mut s),
            "cluster" => {
                s.header("Cluster");
                s.field("cluster_enabled", 0);
            }
            "raft" => raft(status, &mut s),
            "keyspace" => keyspace(status, &mut s),
            _ => {}
        }
    }
    out
}

/// Writes `# Header` and `name:value` lines, each ending in CRLF.
struct Section<'a>(&'a mut String);

impl Section<'_> {
    fn header(&mut self, name: &str) {
        let _ = write!(self.0, "# {name}\r\n");
    }

    fn field(&mut self, name: &str, value: impl std::fmt::Display) {
        let _ = write!(self.0, "{name}:{value}\r\n");
    }

    fn line(&mut self, args: std::fmt::Arguments<'_>) {
        let _ = self.0.write_fmt(args);
        self.0.push_str("\r\n");
    }
}

fn server(shared: &Shared, s: &mut Section<'_>) {
    let uptime = shared.started.elapsed().as_secs();
    let now_usec = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros())
        .unwrap_or(0);
    s.header("Server");
    s.field("redis_version", REDIS_VERSION);
    s.field("redis_git_sha1", "00000000");
    s.field("redis_git_dirty", 0);
    s.field("redis_mode", "standalone");
    s.field("os", os_name());
    s.field("arch_bits", usize::BITS);
    s.field("multiplexing_api", multiplexing_api());
    s.field("process_id", std::process::id());
    s.field("process_supervised", "no");
    s.field("run_id", &shared.run_id);
    s.field("tcp_port", shared.port);
    s.field("server_time_usec", now_usec);
    s.field("uptime_in_seconds", uptime);
    s.field("uptime_in_days", uptime / 86400);
    s.field(
        "executable",
        std::env::current_exe()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
    );
    s.field("io_threads_active", 0);
    s.field("tinyredis_version", TINYREDIS_VERSION);
}

/// `uname -srm`, as Redis prints `os`.
fn os_name() -> String {
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let sysname = match std::env::consts::OS {
        "linux" => "Linux",
        "macos" => "Darwin",
        other => other,
    };
    format!("{sysname} {} {}", release.trim(), std::env::consts::ARCH)
}

/// The event notification API tokio uses on this platform.
fn multiplexing_api() -> &'static str {
    match std::env::consts::OS {
        "linux" | "android" => "epoll",
        "macos" | "ios" | "freebsd" | "netbsd" | "openbsd" | "dragonfly" => "kqueue",
        _ => "iocp",
    }
}

fn clients(shared: &Shared, s: &mut Section<'_>) {
    s.header("Clients");
    s.field("connected_clients", shared.clients.len());
    s.field("cluster_connections", 0);
    // Clients in a blocking command, and (as Redis counts them) clients held back by CLIENT
    // PAUSE. No client-side caching or timeouts table exist here.
    s.field(
        "blocked_clients",
        shared.blocked.len() as u64 + shared.pause.waiting(),
    );
    s.field("tracking_clients", 0);
    s.field("clients_in_timeout_table", shared.blocked.with_timeout());
}

fn memory(shared: &Shared, status: Option<&pb::NodeStatus>, s: &mut Section<'_>) {
    s.header("Memory");
    let Some(st) = status else { return };
    let used = st.used_memory;
    s.field("used_memory", used);
    s.field("used_memory_human", human(used));
    s.field("used_memory_rss", st.used_memory_rss);
    s.field("used_memory_rss_human", human(st.used_memory_rss));
    s.field("used_memory_peak", st.used_memory_peak);
    s.field("used_memory_peak_human", human(st.used_memory_peak));
    s.field(
        "used_memory_peak_perc",
        format_args!("{:.2}%", percent(used, st.used_memory_peak)),
    );
    s.field(
        "used_memory_overhead",
        used.saturating_sub(st.used_memory_dataset),
    );
    s.field("used_memory_dataset", st.used_memory_dataset);
    s.field(
        "used_memory_dataset_perc",
        format_args!("{:.2}%", percent(st.used_memory_dataset, used)),
    );
    s.field("total_system_memory", st.total_system_memory);
    s.field("total_system_memory_human", human(st.total_system_memory));
    // The cluster-wide CONFIG values, as CONFIG GET shows them.
    let setting = |name: &str| {
        super::config::lookup_param(name.as_bytes())
            .map(|p| super::config::value(shared, p))
            .unwrap_or_default()
    };
    let maxmemory: u64 = setting("maxmemory").parse().unwrap_or(0);
    s.field("maxmemory", maxmemory);
    s.field("maxmemory_human", human(maxmemory));
    s.field("maxmemory_policy", setting("maxmemory-policy"));
    let ratio = if used == 0 {
        0.0
    } else {
        st.used_memory_rss as f64 / used as f64
    };
    s.field("mem_fragmentation_ratio", format_args!("{ratio:.2}"));
    s.field(
        "mem_fragmentation_bytes",
        st.used_memory_rss as i64 - used as i64,
    );
    s.field("mem_allocator", mem_allocator());
    s.field("lazyfree_pending_objects", 0);
}

/// `mem_allocator` as Redis spells it (`jemalloc-5.3.0`). Every tinyredis binary links the same
/// jemalloc as its global allocator, so the gateway's own copy names the nodes' too.
pub fn mem_allocator() -> String {
    match tikv_jemalloc_ctl::version::read() {
        // jemalloc's version string carries a git suffix: `5.3.0-1-ge13ca99…`.
        Ok(v) => format!("jemalloc-{}", v.split('-').next().unwrap_or(v)),
        Err(_) => "jemalloc".to_owned(),
    }
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// Redis's `bytesToHuman`: `123B`, `1.21K`, `4.00M`, …
pub fn human(n: u64) -> String {
    const UNITS: &[(u64, &str)] = &[
        (1 << 50, "P"),
        (1 << 40, "T"),
        (1 << 30, "G"),
        (1 << 20, "M"),
        (1 << 10, "K"),
    ];
    // Redis prints bytes again from 1024 P up.
    for (size, unit) in UNITS {
        if n >= *size && n < 1 << 60 {
            return format!("{:.2}{unit}", n as f64 / *size as f64);
        }
    }
    format!("{n}B")
}

fn persistence(status: Option<&pb::NodeStatus>, s: &mut Section<'_>) {
    s.header("Persistence");
    s.field("loading", 0);
    s.field("async_loading", 0);
    if let Some(st) = status {
        s.field("rdb_changes_since_last_save", st.changes_since_save);
        s.field("rdb_bgsave_in_progress", 0);
        s.field("rdb_last_save_time", st.last_save_time);
        s.field("rdb_last_bgsave_status", "ok");
    }
    s.field("aof_enabled", 0);
    s.field("aof_rewrite_in_progress", 0);
    s.field("aof_rewrite_scheduled", 0);
    s.field("aof_last_bgrewrite_status", "ok");
    s.field("aof_last_write_status", "ok");
}

fn stats(shared: &Shared, s: &mut Section<'_>) {
    let st = &shared.stats;
    let get = |c: &std::sync::atomic::AtomicU64| c.load(Ordering::Relaxed);
    let (ops, input_kbps, output_kbps) = st.instantaneous();
    s.header("Stats");
    s.field("total_connections_received", get(&st.connections_received));
    s.field("total_commands_processed", get(&st.total_commands));
    s.field("instantaneous_ops_per_sec", ops);
    s.field("total_net_input_bytes", get(&st.net_input_bytes));
    s.field("total_net_output_bytes", get(&st.net_output_bytes));
    s.field("instantaneous_input_kbps", format_args!("{input_kbps:.2}"));
    s.field(
        "instantaneous_output_kbps",
        format_args!("{output_kbps:.2}"),
    );
    s.field("rejected_connections", get(&st.rejected_connections));
    s.field("evicted_keys", 0);
    s.field("pubsub_channels", 0);
    s.field("pubsub_patterns", 0);
    // No MIGRATE, so never a cached connection (Redis's dump tests read this field).
    s.field("migrate_cached_sockets", 0);
    s.field("total_error_replies", get(&st.total_error_replies));
    s.field("total_reads_processed", get(&st.reads_processed));
    s.field("total_writes_processed", get(&st.writes_processed));
}

/// Redis replication: a gateway is a master with no Redis replicas (Raft replication is in the
/// `raft` section).
fn replication(shared: &Shared, s: &mut Section<'_>) {
    s.header("Replication");
    s.field("role", "master");
    s.field("connected_slaves", 0);
    s.field("master_failover_state", "no-failover");
    s.field("master_replid", &shared.run_id);
    s.field("master_replid2", "0000000000000000000000000000000000000000");
    s.field("master_repl_offset", 0);
    s.field("second_repl_offset", -1);
    s.field("repl_backlog_active", 0);
    s.field("repl_backlog_size", 1048576);
    s.field("repl_backlog_first_byte_offset", 0);
    s.field("repl_backlog_histlen", 0);
}

fn cpu(s: &mut Section<'_>) {
    let (sys, user) = process::cpu_seconds();
    s.header("CPU");
    s.field("used_cpu_sys", format_args!("{sys:.6}"));
    s.field("used_cpu_user", format_args!("{user:.6}"));
    s.field("used_cpu_sys_children", "0.000000");
    s.field("used_cpu_user_children", "0.000000");
}

fn commandstats(shared: &Shared, s: &mut Section<'_>) {
    s.header("Commandstats");
    for spec in COMMANDS {
        let c = shared.stats.command(spec.id);
        let calls = c.calls.load(Ordering::Relaxed);
        let rejected = c.rejected_calls.load(Ordering::Relaxed);
        let failed = c.failed_calls.load(Ordering::Relaxed);
        if calls == 0 && rejected == 0 && failed == 0 {
            continue;
        }
        let usec = c.usec.load(Ordering::Relaxed);
        let per_call = if calls == 0 {
            0.0
        } else {
            usec as f64 / calls as f64
        };
        s.line(format_args!(
            "cmdstat_{}:calls={calls},usec={usec},usec_per_call={per_call:.2},rejected_calls={rejected},failed_calls={failed}",
            spec.name
        ));
    }
}

fn errorstats(shared: &Shared, s: &mut Section<'_>) {
    s.header("Errorstats");
    for (prefix, count) in shared.stats.errors() {
        s.line(format_args!("errorstat_{prefix}:count={count}"));
    }
}

/// Percentiles as Redis's default `latency-tracking-info-percentiles` (50 99 99.9).
fn latencystats(shared: &Shared, s: &mut Section<'_>) {
    s.header("Latencystats");
    for spec in COMMANDS {
        let Some(h) = shared.stats.command(spec.id).histogram() else {
            continue;
        };
        if h.total() == 0 {
            continue;
        }
        let p = |q: f64| h.value_at_percentile(q) as f64 / 1000.0;
        s.line(format_args!(
            "latency_percentiles_usec_{}:p50={:.3},p99={:.3},p99.9={:.3}",
            spec.name,
            p(50.0),
            p(99.0),
            p(99.9)
        ));
    }
}

/// The Raft cluster as the leader (or, without one, any reachable node) sees it.
fn raft(status: Option<&pb::NodeStatus>, s: &mut Section<'_>) {
    s.header("Raft");
    let Some(st) = status else {
        s.field("raft_leader_known", 0);
        return;
    };
    s.field("raft_leader_known", u8::from(st.leader_id.is_some()));
    s.field(
        "leader_id",
        st.leader_id.map(|l| l.to_string()).unwrap_or_default(),
    );
    s.field("leader_addr", &st.leader_addr);
    s.field("reporting_node_id", st.node_id);
    s.field("reporting_node_role", &st.role);
    s.field("raft_term", st.term);
    s.field("raft_last_log_index", st.last_log_index.unwrap_or(0));
    s.field("raft_commit_index", st.committed_index.unwrap_or(0));
    s.field("raft_applied_index", st.applied_index.unwrap_or(0));
    s.field("raft_snapshot_index", st.snapshot_index.unwrap_or(0));
    s.field("node_used_cpu_sys", format_args!("{:.6}", st.used_cpu_sys));
    s.field(
        "node_used_cpu_user",
        format_args!("{:.6}", st.used_cpu_user),
    );
    s.field("known_peers", st.members.len());
    for (i, m) in st.members.iter().enumerate() {
        let role = if Some(m.id) == st.leader_id {
            "leader"
        } else if m.kind == "learner" {
            "learner"
        } else {
            "follower"
        };
        s.line(format_args!(
            "peer{i}:id={},addr={},role={role},suffrage={}",
            m.id, m.addr, m.kind
        ));
    }
}

fn keyspace(status: Option<&pb::NodeStatus>, s: &mut Section<'_>) {
    s.header("Keyspace");
    for db in status.iter().flat_map(|st| &st.keyspace) {
        if db.keys > 0 {
            s.line(format_args!(
                "db{}:keys={},expires={},avg_ttl=0",
                db.db, db.keys, db.expires
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&'static str]) -> Vec<Bytes> {
        list.iter()
            .map(|a| Bytes::from_static(a.as_bytes()))
            .collect()
    }

    #[test]
    fn section_arguments_follow_redis_rules() {
        let default = wanted_sections(&[]);
        assert_eq!(default, wanted_sections(&args(&["DEFAULT"])));
        assert!(default.contains(&"errorstats") && !default.contains(&"commandstats"));
        let all = wanted_sections(&args(&["all"]));
        assert_eq!(all.len(), SECTIONS.len());
        assert_eq!(all, wanted_sections(&args(&["everything"])));
        assert_eq!(
            wanted_sections(&args(&["keyspace", "Server", "bogus"])),
            vec!["server", "keyspace"]
        );
        assert!(wanted_sections(&args(&["bogus"])).is_empty());
        assert_eq!(
            wanted_sections(&args(&["default", "commandstats"])).len(),
            default.len() + 1
        );
    }

    #[test]
    fn human_sizes_as_redis() {
        assert_eq!(human(0), "0B");
        assert_eq!(human(1023), "1023B");
        assert_eq!(human(1024), "1.00K");
        assert_eq!(human(1089184), "1.04M");
        assert_eq!(human(25276514304), "23.54G");
        assert_eq!(human(1 << 60), "1152921504606846976B");
        assert_eq!(human((1 << 60) - 1), "1024.00P");
    }
}
