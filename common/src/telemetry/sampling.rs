//! Sampling of repeated identical log lines, so that a storm of the same error cannot flood stdout
//! or the disk (the old Go server's `--log-sampling`, after zap's sampler).
//!
//! Time is cut into ticks of `interval`. Within one tick, the first `initial` events with the same
//! identity (call site, level, message and fields) are written, then every `thereafter`-th one;
//! the rest are dropped. A new tick starts every count afresh.

use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::hash::{BuildHasher, Hasher};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

/// How sampling behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SamplingConfig {
    /// Length of a tick.
    pub interval: Duration,
    /// Identical events written per tick before sampling starts.
    pub initial: u64,
    /// After `initial`, one of every `thereafter` identical events is written.
    pub thereafter: u64,
}

/// Most identities tracked at once; beyond it, identities from past ticks are forgotten.
const MAX_TRACKED: usize = 4096;

/// A layer that drops repeated identical events (see the module docs). Put it before the writers.
pub struct SamplingLayer {
    config: SamplingConfig,
    start: Instant,
    hasher: std::hash::RandomState,
    /// Identity hash -> (tick, events seen in that tick).
    seen: Mutex<HashMap<u64, (u64, u64)>>,
}

impl SamplingLayer {
    /// A sampler with `config`.
    pub fn new(config: SamplingConfig) -> SamplingLayer {
        SamplingLayer {
            config,
            start: Instant::now(),
            hasher: std::hash::RandomState::new(),
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Decides whether the event with identity `key` seen now is written.
    fn admit(&self, key: u64, now: Instant) -> bool {
        let interval = self.config.interval.as_nanos().max(1);
        let tick = (now.duration_since(self.start).as_nanos() / interval) as u64;
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() >= MAX_TRACKED && !seen.contains_key(&key) {
            seen.retain(|_, (t, _)| *t == tick);
            if seen.len() >= MAX_TRACKED {
                seen.clear();
            }
        }
        let entry = seen.entry(key).or_insert((tick, 0));
        if entry.0 != tick {
            *entry = (tick, 0);
        }
        entry.1 += 1;
        let n = entry.1;
        n <= self.config.initial
            || (self.config.thereafter > 0
                && (n - self.config.initial).is_multiple_of(self.config.thereafter))
    }

    fn identity(&self, event: &Event<'_>) -> u64 {
        let mut h = HashWriter(self.hasher.build_hasher());
        // The call site pins down level, target and message template.
        std::ptr::hash(event.metadata(), &mut h.0);
        event.record(&mut h);
        h.0.finish()
    }
}

impl<S: Subscriber> Layer<S> for SamplingLayer {
    fn event_enabled(&self, event: &Event<'_>, _ctx: Context<'_, S>) -> bool {
        self.admit(self.identity(event), Instant::now())
    }
}

/// Feeds formatted field values into a hasher without building strings.
struct HashWriter<H>(H);

impl<H: Hasher> fmt::Write for HashWriter<H> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.write(s.as_bytes());
        Ok(())
    }
}

impl<H: Hasher> Visit for HashWriter<H> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.write(field.name().as_bytes());
        let _ = write!(self, "{value:?}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(initial: u64, thereafter: u64) -> SamplingLayer {
        SamplingLayer::new(SamplingConfig {
            interval: Duration::from_secs(1),
            initial,
            thereafter,
        })
    }

    #[test]
    fn writes_initial_then_every_nth_per_tick() {
        let s = layer(3, 5);
        let t0 = s.start;
        let admitted: Vec<u64> = (1..=20).filter(|_| s.admit(7, t0)).collect();
        // Events 1..=3, then 8, 13, 18 (every 5th after the first 3).
        assert_eq!(admitted.len(), 6);
        // Another identity is counted separately.
        assert!(s.admit(8, t0));
        // A new tick starts afresh.
        let t1 = t0 + Duration::from_millis(1500);
        assert!((0..3).all(|_| s.admit(7, t1)));
        assert!(!s.admit(7, t1));
    }

    #[test]
    fn zero_thereafter_drops_everything_after_initial() {
        let s = layer(2, 0);
        let t0 = s.start;
        let n = (0..100).filter(|_| s.admit(1, t0)).count();
        assert_eq!(n, 2);
    }

    #[test]
    fn identical_lines_are_sampled_and_different_ones_are_not() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        use tracing_subscriber::prelude::*;

        struct Count(Arc<AtomicUsize>);
        impl<S: Subscriber> Layer<S> for Count {
            fn on_event(&self, _e: &Event<'_>, _c: Context<'_, S>) {
                self.0.fetch_add(1, Ordering::Relaxed);
            }
        }
        let n = Arc::new(AtomicUsize::new(0));
        let subscriber = tracing_subscriber::registry()
            .with(layer(10, 100))
            .with(Count(n.clone()));
        tracing::subscriber::with_default(subscriber, || {
            for _ in 0..1000 {
                tracing::error!(peer = 3, "send failed");
            }
            for i in 0..50 {
                tracing::error!(peer = i, "send failed");
            }
        });
        // 10 + every 100th of the remaining 990 (9), then 50 other identities (another call site).
        assert_eq!(n.load(Ordering::Relaxed), 10 + 9 + 50);
    }
}
