//! This gateway's latency monitor (Redis's `latency.c`): per event class, one sample per second
//! of the worst latency at or above `latency-monitor-threshold` milliseconds, the last 160 kept.
//!
//! The threshold defaults to 0, which disables the monitor, as in Redis; [`LatencyMonitor::set_threshold_ms`]
//! is the hook for `CONFIG SET latency-monitor-threshold`. Events recorded here: `command` (a
//! slow command) and `fast-command` (a slow command flagged `fast`).

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use tinyredis_common::Reply;

/// Samples kept per event (`LATENCY_TS_LEN`).
const HISTORY_LEN: usize = 160;

#[derive(Default)]
struct Series {
    /// `(unix seconds, milliseconds)`, oldest first.
    samples: Vec<(u64, u64)>,
    max: u64,
}

/// The latency monitor of one gateway.
#[derive(Default)]
pub struct LatencyMonitor {
    threshold_ms: AtomicU64,
    events: Mutex<BTreeMap<&'static str, Series>>,
}

impl LatencyMonitor {
    /// Sets `latency-monitor-threshold` in milliseconds (0 disables the monitor).
    pub fn set_threshold_ms(&self, ms: u64) {
        self.threshold_ms.store(ms, Ordering::Relaxed);
    }

    /// The current `latency-monitor-threshold`.
    pub fn threshold_ms(&self) -> u64 {
        self.threshold_ms.load(Ordering::Relaxed)
    }

    /// Records `elapsed` for `event` if the monitor is on and it reaches the threshold.
    pub fn record(&self, event: &'static str, elapsed: Duration) {
        let threshold = self.threshold_ms();
        let ms = elapsed.as_millis() as u64;
        if threshold == 0 || ms < threshold {
            return;
        }
        let now = unix_secs();
        let mut events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        let series = events.entry(event).or_default();
        series.max = series.max.max(ms);
        match series.samples.last_mut() {
            Some((t, worst)) if *t == now => *worst = (*worst).max(ms),
            _ => {
                series.samples.push((now, ms));
                if series.samples.len() > HISTORY_LEN {
                    series.samples.remove(0);
                }
            }
        }
    }

    /// `LATENCY LATEST`: `[event, time, latest ms, max ms]` per event.
    pub fn latest(&self) -> Reply {
        let events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        Reply::Array(
            events
                .iter()
                .filter_map(|(name, s)| {
                    let (t, ms) = *s.samples.last()?;
                    Some(Reply::Array(vec![
                        Reply::Bulk(Bytes::from_static(name.as_bytes())),
                        Reply::Integer(t as i64),
                        Reply::Integer(ms as i64),
                        Reply::Integer(s.max as i64),
                    ]))
                })
                .collect(),
        )
    }

    /// `LATENCY HISTORY event`: `[time, ms]` per sample, oldest first.
    pub fn history(&self, event: &[u8]) -> Reply {
        let events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        let samples = events
            .iter()
            .find(|(name, _)| name.as_bytes() == event)
            .map(|(_, s)| s.samples.as_slice())
            .unwrap_or_default();
        Reply::Array(
            samples
                .iter()
                .map(|(t, ms)| {
                    Reply::Array(vec![Reply::Integer(*t as i64), Reply::Integer(*ms as i64)])
                })
                .collect(),
        )
    }

    /// `LATENCY RESET [event ...]`: forgets the named events (all without names); returns how
    /// many existed.
    pub fn reset(&self, names: &[Bytes]) -> usize {
        let mut events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        if names.is_empty() {
            let n = events.len();
            events.clear();
            return n;
        }
        let before = events.len();
        events.retain(|name, _| !names.iter().any(|n| n.as_ref() == name.as_bytes()));
        before - events.len()
    }

    /// Event names with samples, for LATENCY DOCTOR.
    pub fn summary(&self) -> Vec<(&'static str, usize, u64, u64)> {
        let events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        events
            .iter()
            .map(|(name, s)| {
                let sum: u64 = s.samples.iter().map(|(_, ms)| ms).sum();
                let avg = if s.samples.is_empty() {
                    0
                } else {
                    sum / s.samples.len() as u64
                };
                (*name, s.samples.len(), avg, s.max)
            })
            .collect()
    }
}

fn unix_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disabled_by_default_then_records_worst_per_second() {
        let m = LatencyMonitor::default();
        m.record("command", Duration::from_secs(5));
        assert_eq!(m.latest(), Reply::Array(vec![]));
        m.set_threshold_ms(100);
        m.record("command", Duration::from_millis(50));
        m.record("command", Duration::from_millis(150));
        m.record("command", Duration::from_millis(300));
        let Reply::Array(latest) = m.latest() else {
            panic!()
        };
        assert_eq!(latest.len(), 1);
        let Reply::Array(e) = &latest[0] else {
            panic!()
        };
        assert_eq!(e[0], Reply::Bulk(Bytes::from_static(b"command")));
        assert_eq!(
            (e[2].clone(), e[3].clone()),
            (Reply::Integer(300), Reply::Integer(300))
        );
        let Reply::Array(h) = m.history(b"command") else {
            panic!()
        };
        assert!(!h.is_empty() && h.len() <= 2);
        assert_eq!(m.history(b"nosuch"), Reply::Array(vec![]));
        assert_eq!(m.reset(&[Bytes::from_static(b"nosuch")]), 0);
        assert_eq!(m.reset(&[]), 1);
        assert_eq!(m.latest(), Reply::Array(vec![]));
    }
}
