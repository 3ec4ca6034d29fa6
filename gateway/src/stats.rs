//! This gateway's command statistics: INFO stats/commandstats/errorstats/latencystats and
//! LATENCY HISTOGRAM.
// #[PerformanceCriticalPath]
//
// Recording a call is a handful of relaxed atomic adds into a fixed array indexed by `CommandId`
// (a command's histogram is allocated once, on its first call), so every command pays the same
// small cost and allocates nothing. Errors are counted by prefix in a short list behind a mutex:
// errors are rare and have few distinct prefixes.
//
// A forwarded command's time is what the gateway waited for it: a segment's round trip (Raft
// commit for writes, the read barrier for reads) shared equally among the segment's commands.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use tinyredis_common::command::COMMANDS;
use tinyredis_common::{CommandId, Reply, ReplyError};

/// Counters of one command (Redis's `cmdstat_<name>` fields).
#[derive(Default)]
pub struct CommandStats {
    /// Calls that ran (whatever their reply).
    pub calls: AtomicU64,
    /// Total microseconds of those calls.
    pub usec: AtomicU64,
    /// Calls refused before running (wrong arity, refused in a transaction, …).
    pub rejected_calls: AtomicU64,
    /// Calls that ran and replied an error.
    pub failed_calls: AtomicU64,
    histogram: OnceLock<Box<Histogram>>,
}

impl CommandStats {
    /// The latency histogram, if the command ever ran.
    pub fn histogram(&self) -> Option<&Histogram> {
        self.histogram.get().map(|h| &**h)
    }
}

/// Most distinct error prefixes counted, as Redis's errorstats (`ERROR_STATS_NUMBER`).
const MAX_ERROR_PREFIXES: usize = 128;

/// Every counter this gateway keeps about the commands it serves.
pub struct Stats {
    commands: Box<[CommandStats]>,
    errors: Mutex<Vec<(&'static str, u64)>>,
    /// Commands processed (Redis counts rejected ones too).
    pub total_commands: AtomicU64,
    /// Error replies sent, of any kind (`total_error_replies`).
    pub total_error_replies: AtomicU64,
    /// Connections accepted.
    pub connections_received: AtomicU64,
    /// Connections refused (maxclients).
    pub rejected_connections: AtomicU64,
    /// Bytes read from clients.
    pub net_input_bytes: AtomicU64,
    /// Bytes written to clients.
    pub net_output_bytes: AtomicU64,
    /// Socket reads and writes (`total_reads_processed`, `total_writes_processed`).
    pub reads_processed: AtomicU64,
    /// See `reads_processed`.
    pub writes_processed: AtomicU64,
    /// Clients closed for overcoming `client-output-buffer-limit` (Redis 7.0 logs them without
    /// an INFO field; the gateway exports the count as a metric).
    pub output_buffer_limit_disconnections: AtomicU64,
    instantaneous: Mutex<Instantaneous>,
}

impl Default for Stats {
    fn default() -> Stats {
        Stats {
            commands: COMMANDS.iter().map(|_| CommandStats::default()).collect(),
            errors: Mutex::new(Vec::new()),
            total_commands: AtomicU64::new(0),
            total_error_replies: AtomicU64::new(0),
            connections_received: AtomicU64::new(0),
            rejected_connections: AtomicU64::new(0),
            net_input_bytes: AtomicU64::new(0),
            net_output_bytes: AtomicU64::new(0),
            reads_processed: AtomicU64::new(0),
            writes_processed: AtomicU64::new(0),
            output_buffer_limit_disconnections: AtomicU64::new(0),
            instantaneous: Mutex::new(Instantaneous::default()),
        }
    }
}

impl Stats {
    /// Records a call of `id` that ran for `elapsed` and answered `reply`.
    pub fn record_call(&self, id: CommandId, elapsed: Duration, reply: &Reply) {
        let c = &self.commands[id as usize];
        let nanos = elapsed.as_nanos().min(u64::MAX as u128) as u64;
        c.calls.fetch_add(1, Ordering::Relaxed);
        c.usec.fetch_add(nanos / 1000, Ordering::Relaxed);
        c.histogram
            .get_or_init(|| Box::new(Histogram::default()))
            .record(nanos);
        self.total_commands.fetch_add(1, Ordering::Relaxed);
        if let Reply::Error(e) = reply {
            c.failed_calls.fetch_add(1, Ordering::Relaxed);
            self.record_error(e);
        }
    }

    /// Records a call of `id` refused before it ran, with the error it got.
    pub fn record_rejected(&self, id: CommandId, error: &ReplyError) {
        self.commands[id as usize]
            .rejected_calls
            .fetch_add(1, Ordering::Relaxed);
        self.total_commands.fetch_add(1, Ordering::Relaxed);
        self.record_error(error);
    }

    /// Records an error reply that belongs to no known command (unknown command, protocol error).
    pub fn record_error(&self, error: &ReplyError) {
        self.total_error_replies.fetch_add(1, Ordering::Relaxed);
        let prefix = error.prefix();
        let mut errors = self.errors.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(slot) = errors.iter_mut().find(|(p, _)| *p == prefix) {
            slot.1 += 1;
        } else if errors.len() < MAX_ERROR_PREFIXES {
            errors.push((prefix, 1));
        }
    }

    /// The counters of one command.
    pub fn command(&self, id: CommandId) -> &CommandStats {
        &self.commands[id as usize]
    }

    /// `(prefix, count)` of every error prefix seen, in first-seen order.
    pub fn errors(&self) -> Vec<(&'static str, u64)> {
        self.errors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Clears the command, error and traffic counters (`CONFIG RESETSTAT`).
    pub fn reset(&self) {
        for c in self.commands.iter() {
            for counter in [&c.calls, &c.usec, &c.rejected_calls, &c.failed_calls] {
                counter.store(0, Ordering::Relaxed);
            }
            if let Some(h) = c.histogram() {
                h.reset();
            }
        }
        self.errors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        for counter in [
            &self.total_commands,
            &self.total_error_replies,
            &self.connections_received,
            &self.rejected_connections,
            &self.net_input_bytes,
            &self.net_output_bytes,
            &self.reads_processed,
            &self.writes_processed,
            &self.output_buffer_limit_disconnections,
        ] {
            counter.store(0, Ordering::Relaxed);
        }
    }

    /// Takes one sample of the traffic counters; the server calls this every
    /// [`SAMPLE_INTERVAL`] (Redis's `trackInstantaneousMetric` runs every 100 ms).
    pub fn sample(&self) {
        let now = [
            self.total_commands.load(Ordering::Relaxed),
            self.net_input_bytes.load(Ordering::Relaxed),
            self.net_output_bytes.load(Ordering::Relaxed),
        ];
        let mut inst = self.instantaneous.lock().unwrap_or_else(|e| e.into_inner());
        inst.push(now);
    }

    /// `(ops per second, input KB/s, output KB/s)` averaged over the last samples.
    pub fn instantaneous(&self) -> (u64, f64, f64) {
        let inst = self.instantaneous.lock().unwrap_or_else(|e| e.into_inner());
        let per_sec = |i: usize| inst.rate(i);
        (per_sec(0) as u64, per_sec(1) / 1024.0, per_sec(2) / 1024.0)
    }
}

/// How often [`Stats::sample`] runs.
pub const SAMPLE_INTERVAL: Duration = Duration::from_millis(100);
/// Samples averaged (Redis's `STATS_METRIC_SAMPLES`).
const SAMPLES: usize = 16;

/// The last [`SAMPLES`] per-interval deltas of the traffic counters.
#[derive(Default)]
struct Instantaneous {
    last: Option<[u64; 3]>,
    deltas: [[u64; 3]; SAMPLES],
    next: usize,
    filled: usize,
}

impl Instantaneous {
    fn push(&mut self, now: [u64; 3]) {
        if let Some(last) = self.last {
            let mut delta = [0; 3];
            for i in 0..3 {
                delta[i] = now[i].saturating_sub(last[i]);
            }
            self.deltas[self.next] = delta;
            self.next = (self.next + 1) % SAMPLES;
            self.filled = (self.filled + 1).min(SAMPLES);
        }
        self.last = Some(now);
    }

    /// Average per second of counter `i` over the filled samples.
    fn rate(&self, i: usize) -> f64 {
        if self.filled == 0 {
            return 0.0;
        }
        let sum: u64 = self.deltas[..self.filled].iter().map(|d| d[i]).sum();
        sum as f64 / self.filled as f64 / SAMPLE_INTERVAL.as_secs_f64()
    }
}

/// Sub-buckets per power of two: values are kept to within 1/16 (about 6%).
const SUB_BITS: u32 = 4;
const SUB: usize = 1 << SUB_BITS;
const BUCKETS: usize = (64 - SUB_BITS as usize + 1) * SUB;

/// A log-linear histogram of latencies in nanoseconds, lock-free.
pub struct Histogram {
    counts: Box<[AtomicU64]>,
    total: AtomicU64,
}

impl Default for Histogram {
    fn default() -> Histogram {
        Histogram {
            counts: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect(),
            total: AtomicU64::new(0),
        }
    }
}

impl Histogram {
    /// Records one value in nanoseconds.
    pub fn record(&self, nanos: u64) {
        self.counts[bucket_of(nanos)].fetch_add(1, Ordering::Relaxed);
        self.total.fetch_add(1, Ordering::Relaxed);
    }

    /// Number of values recorded.
    pub fn total(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }

    /// Values recorded below `nanos`, exactly when `nanos` is a power of two (a bucket edge):
    /// the cumulative count of a Prometheus bucket.
    pub fn count_below(&self, nanos: u64) -> u64 {
        self.counts[..bucket_of(nanos)]
            .iter()
            .map(|c| c.load(Ordering::Relaxed))
            .sum()
    }

    fn reset(&self) {
        for c in self.counts.iter() {
            c.store(0, Ordering::Relaxed);
        }
        self.total.store(0, Ordering::Relaxed);
    }

    /// The value at `percentile` (0 to 100) in nanoseconds: the highest value of the bucket
    /// holding it, as HdrHistogram's `value_at_percentile`.
    pub fn value_at_percentile(&self, percentile: f64) -> u64 {
        let total = self.total();
        if total == 0 {
            return 0;
        }
        let wanted = ((percentile / 100.0 * total as f64).ceil() as u64).clamp(1, total);
        let mut seen = 0;
        for (i, c) in self.counts.iter().enumerate() {
            seen += c.load(Ordering::Relaxed);
            if seen >= wanted {
                return bucket_high(i);
            }
        }
        bucket_high(BUCKETS - 1)
    }

    /// LATENCY HISTOGRAM's cumulative distribution: `(microseconds, calls at or below)` at each
    /// power of two from 1024 ns, listing only points where the count grows (Redis's
    /// `fillCommandCDF`).
    pub fn cdf(&self) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        let mut cumulative = 0;
        let mut previous = 0;
        let mut bucket = 0;
        let mut limit: u64 = 1024;
        let total = self.total();
        while previous < total {
            // Every bucket whose values are all at most `limit` plus the first one at `limit`
            // (HdrHistogram counts a reporting level's whole equivalence bucket).
            while bucket < BUCKETS && bucket_low(bucket) <= limit {
                cumulative += self.counts[bucket].load(Ordering::Relaxed);
                bucket += 1;
            }
            if cumulative > previous {
                // Labelled as HdrHistogram (2 significant digits) labels the reporting level.
                out.push(((limit + (limit >> 7) - 1) / 1000, cumulative));
            }
            previous = cumulative;
            if limit > u64::MAX / 2 {
                break;
            }
            limit *= 2;
        }
        out
    }
}

fn bucket_of(v: u64) -> usize {
    if v < SUB as u64 {
        return v as usize;
    }
    let msb = 63 - v.leading_zeros();
    let shift = msb - SUB_BITS;
    (shift as usize + 1) * SUB + ((v >> shift) as usize & (SUB - 1))
}

fn bucket_low(i: usize) -> u64 {
    if i < SUB {
        return i as u64;
    }
    let shift = (i / SUB - 1) as u32;
    ((SUB + i % SUB) as u64) << shift
}

fn bucket_high(i: usize) -> u64 {
    if i < SUB {
        return i as u64;
    }
    let shift = (i / SUB - 1) as u32;
    bucket_low(i).saturating_add((1u64 << shift) - 1)
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;

    #[test]
    fn buckets_cover_values_in_order() {
        for v in [
            0,
            1,
            15,
            16,
            17,
            31,
            32,
            1000,
            1024,
            1_000_000,
            u64::MAX / 3,
            u64::MAX,
        ] {
            let b = bucket_of(v);
            assert!(bucket_low(b) <= v && v <= bucket_high(b), "{v} in {b}");
        }
        assert!(bucket_of(u64::MAX) < BUCKETS);
    }

    #[test]
    fn percentiles_and_cdf() {
        let h = Histogram::default();
        for _ in 0..99 {
            h.record(1_000);
        }
        h.record(1_000_000);
        assert_eq!(h.total(), 100);
        let p50 = h.value_at_percentile(50.0);
        assert!((1_000..1_070).contains(&p50), "{p50}");
        let p999 = h.value_at_percentile(99.9);
        assert!((1_000_000..1_070_000).contains(&p999), "{p999}");
        let cdf = h.cdf();
        assert_eq!(cdf.first(), Some(&(1, 99)));
        assert_eq!(cdf.last().map(|c| c.1), Some(100));
        assert_eq!(cdf.len(), 2);
    }

    #[test]
    fn calls_failures_rejections_and_errors() {
        let s = Stats::default();
        s.record_call(CommandId::Get, Duration::from_micros(5), &Reply::Nil);
        s.record_call(
            CommandId::Get,
            Duration::from_micros(7),
            &Reply::Error(ReplyError::WrongType),
        );
        s.record_rejected(CommandId::Get, &ReplyError::wrong_arity(b"get"));
        s.record_error(&ReplyError::UnknownCommand {
            name: Bytes::from_static(b"x"),
            args: vec![],
        });
        let get = s.command(CommandId::Get);
        assert_eq!(get.calls.load(Ordering::Relaxed), 2);
        assert_eq!(get.usec.load(Ordering::Relaxed), 12);
        assert_eq!(get.failed_calls.load(Ordering::Relaxed), 1);
        assert_eq!(get.rejected_calls.load(Ordering::Relaxed), 1);
        assert_eq!(s.errors(), vec![("WRONGTYPE", 1), ("ERR", 2)]);
        assert_eq!(s.total_commands.load(Ordering::Relaxed), 3);
        assert_eq!(s.total_error_replies.load(Ordering::Relaxed), 3);
        s.reset();
        assert_eq!(s.command(CommandId::Get).calls.load(Ordering::Relaxed), 0);
        assert!(s.errors().is_empty());
    }

    #[test]
    fn instantaneous_rates() {
        let s = Stats::default();
        s.sample();
        s.total_commands.fetch_add(10, Ordering::Relaxed);
        s.net_input_bytes.fetch_add(1024, Ordering::Relaxed);
        s.sample();
        let (ops, input, output) = s.instantaneous();
        assert_eq!(ops, 100);
        assert!((input - 10.0).abs() < 1e-9);
        assert_eq!(output, 0.0);
    }
}
