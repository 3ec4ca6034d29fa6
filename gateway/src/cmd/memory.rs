//! `MEMORY USAGE|STATS|DOCTOR|MALLOC-STATS|PURGE|HELP`.
//!
//! USAGE is about data, so it is forwarded to the leader as a read (the node estimates the key
//! from its value, see `storage-node/src/commands/memory.rs`). The others describe the memory
//! of the leader process, taken from its status (heap in use, RSS, peak, dataset estimate).

use bytes::Bytes;
use tinyredis_common::subcommand::{self, Subcommand};
use tinyredis_common::{Reply, ReplyError, process};
use tinyredis_proto::pb;

use crate::server::Shared;
use crate::session::Session;

const SUBCOMMANDS: &[Subcommand] = &[
    Subcommand {
        full_name: "memory|doctor",
        arity: 2,
    },
    Subcommand {
        full_name: "memory|help",
        arity: 2,
    },
    Subcommand {
        full_name: "memory|malloc-stats",
        arity: 2,
    },
    Subcommand {
        full_name: "memory|purge",
        arity: 2,
    },
    Subcommand {
        full_name: "memory|stats",
        arity: 2,
    },
    Subcommand {
        full_name: "memory|usage",
        arity: -3,
    },
];

const HELP: &[&str] = &[
    "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "DOCTOR",
    "    Return memory problems reports.",
    "MALLOC-STATS",
    "    Return internal statistics report from the memory allocator.",
    "PURGE",
    "    Attempt to purge dirty pages for reclamation by the allocator.",
    "STATS",
    "    Return information about the memory usage of the server.",
    "USAGE <key> [SAMPLES <count>]",
    "    Return memory in bytes used by <key> and its value. Nested values are",
    "    sampled up to <count> times (default: 5, 0 means sample all).",
    "HELP",
    "    Prints this help.",
];

/// Below this much memory in use, MEMORY DOCTOR declines to judge (Redis: 5 MB).
const DOCTOR_MIN_MEMORY: u64 = 5 << 20;

/// `MEMORY <subcommand>`.
pub async fn memory(session: &Session, shared: &Shared, argv: &[Bytes]) -> Reply {
    let sub = match subcommand::find("MEMORY", SUBCOMMANDS, argv) {
        Ok(sub) => sub,
        Err(e) => return Reply::Error(e),
    };
    match sub.name() {
        "usage" => usage(session, shared, argv).await,
        "help" => super::help(HELP),
        // The dataset lives on the storage nodes, so the gateway has no statistics of its own
        // worth printing; Redis answers this way when its allocator keeps none.
        "malloc-stats" => Reply::Verbatim(Bytes::from_static(
            b"Stats not supported for the current allocator",
        )),
        "purge" => {
            process::release_free_memory();
            Reply::Ok
        }
        name => match shared.router.status().await {
            None => Reply::Error(ReplyError::err("no storage node reachable")),
            Some(st) if name == "stats" => stats(&st),
            Some(st) => Reply::Verbatim(Bytes::from(doctor(&st))),
        },
    }
}

/// Forwards `MEMORY USAGE` to the leader as a one-command read on the session's database.
async fn usage(session: &Session, shared: &Shared, argv: &[Bytes]) -> Reply {
    let req = pb::ExecuteRequest {
        client_id: 0,
        seq: 0,
        db: session.db,
        write: false,
        commands: vec![pb::Command {
            argv: argv.to_vec(),
        }],
        transaction: false,
    };
    match shared.router.execute(&req).await {
        Ok(mut replies) if replies.len() == 1 => replies.remove(0),
        Ok(_) => Reply::Error(ReplyError::err(
            "internal error: reply count mismatch from storage node",
        )),
        Err(e) => Reply::Error(e.to_reply_error()),
    }
}

/// `MEMORY STATS` with the figures tinyredis knows (Redis's field names; a map in RESP3).
fn stats(st: &pb::NodeStatus) -> Reply {
    let keys: u64 = st.keyspace.iter().map(|d| d.keys).sum();
    let used = st.used_memory;
    let overhead = used.saturating_sub(st.used_memory_dataset);
    let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let field = |name: &'static str, value: Reply| {
        (Reply::Bulk(Bytes::from_static(name.as_bytes())), value)
    };
    let int = |v: u64| Reply::Integer(v as i64);
    Reply::Map(vec![
        field("peak.allocated", int(st.used_memory_peak)),
        field("total.allocated", int(used)),
        field("replication.backlog", int(0)),
        field("clients.slaves", int(0)),
        field("cluster.links", int(0)),
        field("aof.buffer", int(0)),
        field("lua.caches", int(0)),
        field("overhead.total", int(overhead)),
        field("keys.count", int(keys)),
        field(
            "keys.bytes-per-key",
            int(used.checked_div(keys).unwrap_or(0)),
        ),
        field("dataset.bytes", int(st.used_memory_dataset)),
        field(
            "dataset.percentage",
            Reply::Double(ratio(st.used_memory_dataset, used) * 100.0),
        ),
        field(
            "peak.percentage",
            Reply::Double(ratio(used, st.used_memory_peak) * 100.0),
        ),
        field(
            "fragmentation",
            Reply::Double(ratio(st.used_memory_rss, used)),
        ),
        field(
            "fragmentation.bytes",
            Reply::Integer(st.used_memory_rss as i64 - used as i64),
        ),
    ])
}

/// `MEMORY DOCTOR`: Redis's report for the checks that apply here (memory peak, fragmentation).
fn doctor(st: &pb::NodeStatus) -> String {
    let used = st.used_memory;
    if used < DOCTOR_MIN_MEMORY {
        return "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n".into();
    }
    let high_peak = st.used_memory_peak as f64 / used as f64 > 1.5;
    let frag = st.used_memory_rss as f64 / used as f64;
    let high_frag = frag > 1.4 && st.used_memory_rss.saturating_sub(used) > 10 << 20;
    if !high_peak && !high_frag {
        return "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n".into();
    }
    let mut s =
        String::from("Sam, I detected a few issues in this Redis instance memory implants:\n\n");
    if high_peak {
        s.push_str(" * Peak memory: In the past this instance used more than 150% the memory that is currently using. The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.\n\n");
    }
    if high_frag {
        s.push_str(" * High total RSS: This instance has a memory fragmentation and RSS overhead greater than 1.4 (this means that the Resident Set Size of the Redis process is much larger than the sum of the logical allocations Redis performed). This problem is usually due either to a large peak memory (check if there is a peak memory entry above in the report) or may result from a workload that causes the allocator to fragment memory a lot. If the problem is a large peak memory, then there is no issue. Otherwise, make sure you are using the Jemalloc allocator and not the default libc malloc. Note: The currently used allocator is \"");
        s.push_str(&super::info::mem_allocator());
        s.push_str("\".\n\n");
    }
    s.push_str("I'm here to keep you safe, Sam. I want to help you.\n");
    s
}
