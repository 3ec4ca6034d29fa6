//! `CLIENT PAUSE` and `CLIENT UNPAUSE`: this gateway holds its clients' commands back for a while
//! (Redis's `pauseClients`).
//!
//! A pause applies to the gateway that received it, as each gateway is its own server to its
//! clients: other gateways of the cluster go on serving theirs. (A cluster-wide pause would need
//! every gateway to agree on it; Redis's use of a pause, a failover of one server, does not exist
//! here: the Raft leader changes without one.)
//!
//! Two kinds, as in Redis 7.0: `ALL` holds every command back; `WRITE` holds back the commands
//! that may change the keyspace ([`crate::effects`]: write commands, those Redis flags
//! `may_replicate`, SORT, and EXEC of a transaction holding any of them). Read commands go on. A
//! new pause merges with the current one as Redis merges pauses of one purpose: the stricter kind
//! and the later end win. `CLIENT UNPAUSE` ends the pause at once.
//!
//! A held command waits in its own connection's task ([`Pause::wait`]), so other connections go
//! on, and everything the connection sent after it waits behind it, as a paused Redis client
//! stops processing its input. Monitors are never paused (Redis treats them as replicas).
//!
//! The hot path pays one atomic load ([`Pause::is_active`]); the clock is read only while a pause
//! is set.

use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::watch;

/// What a pause holds back. Ordered from the least to the most restrictive, as Redis's
/// `pause_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PauseKind {
    /// Commands that may change the keyspace.
    Write = 1,
    /// Every command.
    All = 2,
}

/// A pause in effect: its kind and its end, in Unix milliseconds (Redis's `mstime`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PauseState {
    /// What is held back.
    pub kind: PauseKind,
    /// When the pause ends.
    pub end_ms: i64,
}

impl PauseState {
    /// The pause that results from pausing with `new` while `current` is set, at `now_ms`: the
    /// stricter kind and the later end (Redis's `pauseClients`). A current pause that already
    /// ended counts as none; a new one that ends in the past (a timeout of 0) leaves none.
    pub fn merge(current: Option<PauseState>, new: PauseState, now_ms: i64) -> Option<PauseState> {
        let merged = match current.filter(|c| c.end_ms >= now_ms) {
            Some(c) => PauseState {
                kind: c.kind.max(new.kind),
                end_ms: c.end_ms.max(new.end_ms),
            },
            None => new,
        };
        (merged.end_ms >= now_ms).then_some(merged)
    }

    /// Returns true when this pause holds back, at `now_ms`, a command that may change the
    /// keyspace (`may_write`) or not.
    pub fn holds(&self, may_write: bool, now_ms: i64) -> bool {
        self.end_ms >= now_ms && (self.kind == PauseKind::All || may_write)
    }
}

/// The end of a pause of `timeout_ms` from `now_ms`, as Redis computes it: 0 means "already
/// over", and the sum wraps as Redis's signed `long long` arithmetic does in practice, so a
/// timeout too large to add ends the pause at once there as here.
pub fn end_time(now_ms: i64, timeout_ms: i64) -> i64 {
    if timeout_ms == 0 {
        0
    } else {
        timeout_ms.wrapping_add(now_ms)
    }
}

/// The current Unix time in milliseconds.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The pause state of one gateway.
#[derive(Debug)]
pub struct Pause {
    /// The kind of the pause last set (0: none), for the lock-free check on every command; the
    /// end is checked only when it is set.
    kind: AtomicU8,
    /// The pause in effect; waiting connections watch it, so UNPAUSE or a weaker pause wakes
    /// them at once.
    state: watch::Sender<Option<PauseState>>,
    /// Connections waiting now (Redis counts them in INFO `blocked_clients`).
    waiting: AtomicU64,
}

impl Default for Pause {
    fn default() -> Pause {
        Pause {
            kind: AtomicU8::new(0),
            state: watch::Sender::new(None),
            waiting: AtomicU64::new(0),
        }
    }
}

impl Pause {
    /// Returns true when a pause may be in effect (one atomic load). False means no command is
    /// held back.
    pub fn is_active(&self) -> bool {
        self.kind.load(Ordering::Relaxed) != 0
    }

    /// The pause in effect now, if any.
    pub fn current(&self) -> Option<PauseState> {
        let now = now_ms();
        self.state.borrow().filter(|s| s.end_ms >= now)
    }

    /// `CLIENT PAUSE`: pauses until `end_ms` (see [`end_time`]), merged with the current pause.
    pub fn pause(&self, kind: PauseKind, end_ms: i64) {
        let now = now_ms();
        self.state.send_modify(|state| {
            *state = PauseState::merge(*state, PauseState { kind, end_ms }, now);
            self.kind
                .store(state.map_or(0, |s| s.kind as u8), Ordering::Relaxed);
        });
    }

    /// `CLIENT UNPAUSE`: ends the pause and lets waiting commands go.
    pub fn unpause(&self) {
        self.state.send_modify(|state| {
            *state = None;
            self.kind.store(0, Ordering::Relaxed);
        });
    }

    /// Returns true when a command that may change the keyspace (`may_write`) or not must wait
    /// now.
    pub fn holds(&self, may_write: bool) -> bool {
        self.is_active()
            && self
                .state
                .borrow()
                .is_some_and(|s| s.holds(may_write, now_ms()))
    }

    /// Waits until the pause no longer holds such a command back: it ended, was lifted, or
    /// became weaker. Counted in [`Pause::waiting`] meanwhile.
    pub async fn wait(&self, may_write: bool) {
        let _count = WaitingCount::new(&self.waiting);
        let mut changes = self.state.subscribe();
        loop {
            let state = *changes.borrow_and_update();
            let now = now_ms();
            let Some(state) = state.filter(|s| s.holds(may_write, now)) else {
                return;
            };
            // One millisecond past the end, as the pause lasts through `end_ms`.
            let left = Duration::from_millis((state.end_ms - now) as u64 + 1);
            tokio::select! {
                _ = tokio::time::sleep(left) => {}
                changed = changes.changed() => {
                    if changed.is_err() {
                        return;
                    }
                }
            }
        }
    }

    /// Connections waiting for a pause to end.
    pub fn waiting(&self) -> u64 {
        self.waiting.load(Ordering::Relaxed)
    }
}

/// Counts a waiting connection for as long as it lives (also when the wait is cancelled because
/// the client was killed).
struct WaitingCount<'a>(&'a AtomicU64);

impl<'a> WaitingCount<'a> {
    fn new(count: &'a AtomicU64) -> WaitingCount<'a> {
        count.fetch_add(1, Ordering::Relaxed);
        WaitingCount(count)
    }
}

impl Drop for WaitingCount<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(kind: PauseKind, end_ms: i64) -> PauseState {
        PauseState { kind, end_ms }
    }

    #[test]
    fn merge_keeps_the_stricter_kind_and_the_later_end() {
        let now = 1_000;
        let write_long = state(PauseKind::Write, 4_000);
        let all_short = state(PauseKind::All, 1_500);
        assert_eq!(
            PauseState::merge(Some(write_long), all_short, now),
            Some(state(PauseKind::All, 4_000))
        );
        assert_eq!(
            PauseState::merge(Some(all_short), write_long, now),
            Some(state(PauseKind::All, 4_000))
        );
        assert_eq!(PauseState::merge(None, write_long, now), Some(write_long));
    }

    #[test]
    fn merge_ignores_an_ended_pause_and_drops_one_already_over() {
        let now = 1_000;
        let ended = state(PauseKind::All, 900);
        let write = state(PauseKind::Write, 2_000);
        assert_eq!(PauseState::merge(Some(ended), write, now), Some(write));
        // CLIENT PAUSE 0: Redis sets an end time of 0, which is over at once.
        let zero = state(PauseKind::All, end_time(now, 0));
        assert_eq!(PauseState::merge(None, zero, now), None);
        assert_eq!(
            PauseState::merge(Some(write), zero, now),
            Some(state(PauseKind::All, 2_000))
        );
    }

    #[test]
    fn write_pauses_hold_only_writes_and_all_pauses_everything() {
        let now = 1_000;
        let write = state(PauseKind::Write, 2_000);
        assert!(write.holds(true, now));
        assert!(!write.holds(false, now));
        let all = state(PauseKind::All, 2_000);
        assert!(all.holds(true, now));
        assert!(all.holds(false, now));
        // The pause lasts through its end millisecond, then nothing is held.
        assert!(all.holds(false, 2_000));
        assert!(!all.holds(true, 2_001));
    }

    #[test]
    fn end_time_wraps_as_redis_does() {
        assert_eq!(end_time(1_000, 500), 1_500);
        assert_eq!(end_time(1_000, 0), 0);
        // Redis adds the timeout to mstime() in a signed 64-bit integer: the maximum wraps to
        // a time in the past, and the pause is over at once.
        let end = end_time(1_000, i64::MAX);
        assert!(end < 1_000);
        assert_eq!(
            PauseState::merge(None, state(PauseKind::All, end), 1_000),
            None
        );
    }

    #[tokio::test]
    async fn waiters_go_on_unpause_and_count_as_waiting_meanwhile() {
        let pause = std::sync::Arc::new(Pause::default());
        assert!(!pause.is_active());
        pause.pause(PauseKind::Write, now_ms() + 60_000);
        assert!(pause.is_active());
        assert!(pause.holds(true));
        assert!(!pause.holds(false));
        let waiter = {
            let pause = pause.clone();
            tokio::spawn(async move { pause.wait(true).await })
        };
        while pause.waiting() == 0 {
            tokio::task::yield_now().await;
        }
        assert!(!waiter.is_finished());
        pause.unpause();
        waiter.await.expect("waiter");
        assert_eq!(pause.waiting(), 0);
        assert!(!pause.is_active());
    }

    #[tokio::test]
    async fn a_wait_ends_with_the_pause() {
        let pause = Pause::default();
        pause.pause(PauseKind::All, now_ms() + 50);
        let started = std::time::Instant::now();
        pause.wait(false).await;
        assert!(started.elapsed() >= Duration::from_millis(40));
        assert!(!pause.holds(false));
    }
}
