//! The leader kill under load: `conns` connections write through the gateway (each alternates
//! `SET bench:kill:<conn>:<i>` and `INCR bench:kill:ctr:<conn>`, one command at a time), the
//! leader is killed with SIGKILL while they run, and the figures say how long writes stopped and
//! whether any client saw an error. Afterwards every counter is read back and compared with the
//! INCRs its connection saw acknowledged (exactly once across the failover).

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering;
use std::time::Duration;
use std::time::Instant;

use anyhow::Result;
use serde::Serialize;

use crate::resp_client::Reply;
use crate::resp_client::RespConn;

/// The leader-kill figures.
#[derive(Debug, Clone, Serialize)]
pub struct KillResult {
    /// The node that was leader and got killed.
    pub killed_node: u64,
    pub connections: usize,
    /// Writes acknowledged over the whole run.
    pub writes_ok: u64,
    /// Replies that were errors, plus failed connections.
    pub client_errors: u64,
    /// The first of those errors.
    pub first_error: Option<String>,
    /// The longest time in which no write completed on any connection: the write stall.
    pub longest_stall_ms: f64,
    /// From the kill to the first write completed after it.
    pub resume_after_kill_ms: f64,
    /// The slowest single write (one that was in flight across the failover).
    pub max_write_latency_ms: f64,
    /// Counters whose value differs from the INCRs acknowledged on them (lost or doubled).
    pub counters_wrong: u64,
}

/// What one connection saw.
#[derive(Default)]
struct ConnLog {
    /// Completion times of acknowledged writes, in seconds since the start.
    done: Vec<f64>,
    max_latency_ms: f64,
    incr_acks: i64,
    errors: u64,
    first_error: Option<String>,
}

/// Runs the load on `addr` for `before_kill`, calls `kill` (which kills the leader and returns
/// its id), keeps the load on for `after_kill`, then checks the counters.
pub async fn run(
    addr: &str,
    conns: usize,
    before_kill: Duration,
    after_kill: Duration,
    kill: impl FnOnce() -> Result<u64>,
) -> Result<KillResult> {
    let start = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for c in 0..conns {
        let addr = addr.to_string();
        let stop = stop.clone();
        tasks.push(tokio::spawn(async move {
            write_loop(&addr, c, start, &stop).await
        }));
    }
    tokio::time::sleep(before_kill).await;
    let killed_node = kill()?;
    let kill_at = start.elapsed().as_secs_f64();
    tokio::time::sleep(after_kill).await;
    stop.store(true, Ordering::Relaxed);
    let mut logs = Vec::new();
    for t in tasks {
        logs.push(t.await?);
    }

    let mut done: Vec<f64> = logs.iter().flat_map(|l| l.done.iter().copied()).collect();
    done.sort_by(f64::total_cmp);
    let longest_stall_ms = done.windows(2).map(|w| w[1] - w[0]).fold(0.0, f64::max) * 1000.0;
    let resume_after_kill_ms = done
        .iter()
        .find(|&&t| t > kill_at)
        .map_or(f64::INFINITY, |t| (t - kill_at) * 1000.0);

    let mut counters_wrong = 0;
    let mut check = RespConn::connect(addr).await?;
    for (c, log) in logs.iter().enumerate() {
        let key = format!("bench:kill:ctr:{c}");
        let value = match check.command(&[b"GET", key.as_bytes()]).await? {
            Reply::Bulk(Some(v)) => String::from_utf8_lossy(&v).parse().unwrap_or(-1),
            _ => 0,
        };
        if value != log.incr_acks {
            counters_wrong += 1;
        }
    }
    Ok(KillResult {
        killed_node,
        connections: conns,
        writes_ok: done.len() as u64,
        client_errors: logs.iter().map(|l| l.errors).sum(),
        first_error: logs.iter().find_map(|l| l.first_error.clone()),
        longest_stall_ms,
        resume_after_kill_ms,
        max_write_latency_ms: logs.iter().map(|l| l.max_latency_ms).fold(0.0, f64::max),
        counters_wrong,
    })
}

/// One connection's writes until `stop`; reconnects after a failed connection.
async fn write_loop(addr: &str, idx: usize, start: Instant, stop: &AtomicBool) -> ConnLog {
    let mut log = ConnLog::default();
    let counter = format!("bench:kill:ctr:{idx}");
    let mut conn: Option<RespConn> = None;
    let mut i: u64 = 0;
    let fail = |log: &mut ConnLog, e: String| {
        log.errors += 1;
        log.first_error.get_or_insert(e);
    };
    while !stop.load(Ordering::Relaxed) {
        if conn.is_none() {
            match RespConn::connect(addr).await {
                Ok(c) => conn = Some(c),
                Err(e) => {
                    fail(&mut log, e.to_string());
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            }
        }
        let Some(c) = conn.as_mut() else { continue };
        i += 1;
        let key = format!("bench:kill:{idx}:{i}");
        let is_incr = i.is_multiple_of(2);
        let t = Instant::now();
        let reply = if is_incr {
            c.command(&[b"INCR", counter.as_bytes()]).await
        } else {
            c.command(&[b"SET", key.as_bytes(), b"xxx"]).await
        };
        match reply {
            Ok(Reply::Error(e)) => fail(&mut log, format!("-{e}")),
            Ok(_) => {
                if is_incr {
                    log.incr_acks += 1;
                }
                log.done.push(start.elapsed().as_secs_f64());
                log.max_latency_ms = log.max_latency_ms.max(t.elapsed().as_secs_f64() * 1000.0);
            }
            Err(e) => {
                fail(&mut log, e.to_string());
                conn = None;
            }
        }
    }
    log
}
