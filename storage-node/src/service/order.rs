//! Keeps the `ExecuteBatch` calls of one gateway in the order the gateway made them.
// #[PerformanceCriticalPath]
//
// A gateway may have several batches in flight to the leader; they travel as separate HTTP/2
// streams, and the server runs each in its own task, so a later batch can reach openraft first.
// Writes that clients sent one right after the other on different connections (two BLPOPs on one
// key, which Redis serves first come, first served) would then be logged in the wrong order. Each
// batch carries its gateway's id and a sequence number; a batch waits, briefly, until the batch
// before it has handed its writes to openraft. The wait is bounded, so a lost predecessor (a call
// that timed out, or went to another node) costs at most that bound.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

/// The longest a batch waits for its predecessor.
const MAX_WAIT: Duration = Duration::from_millis(2);

/// Senders not heard from for this long are forgotten.
const IDLE: Duration = Duration::from_secs(60);

/// Where one gateway's batches stand.
struct Sender {
    /// The sequence number of the batch allowed to go next.
    next: u64,
    notify: Arc<Notify>,
    seen: Instant,
}

/// The batch order of every gateway that calls this node.
#[derive(Default)]
pub struct Sequencer {
    senders: Mutex<HashMap<u64, Sender>>,
    /// When idle senders were last forgotten.
    pruned: Mutex<Option<Instant>>,
}

impl Sequencer {
    fn lock(&self) -> MutexGuard<'_, HashMap<u64, Sender>> {
        self.senders.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits (at most [`MAX_WAIT`]) until the batches of `sender` before `seq` have gone.
    /// `sender` 0 is not ordered.
    pub async fn wait_turn(&self, sender: u64, seq: u64) {
        if sender == 0 {
            return;
        }
        let deadline = tokio::time::Instant::now() + MAX_WAIT;
        loop {
            let notify = {
                let mut senders = self.lock();
                let state = senders.entry(sender).or_insert_with(|| Sender {
                    next: seq,
                    notify: Arc::new(Notify::new()),
                    seen: Instant::now(),
                });
                state.seen = Instant::now();
                if state.next >= seq {
                    return;
                }
                state.notify.clone()
            };
            let notified = notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            // Checked again now that a wake-up cannot be missed.
            if self.lock().get(&sender).is_none_or(|s| s.next >= seq) {
                return;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return;
            }
        }
    }

    /// Records that the batch `seq` of `sender` has handed its writes on: the next may go.
    pub fn done(&self, sender: u64, seq: u64) {
        if sender == 0 {
            return;
        }
        {
            let mut senders = self.lock();
            if let Some(state) = senders.get_mut(&sender)
                && state.next <= seq
            {
                state.next = seq + 1;
                state.notify.notify_waiters();
            }
        }
        self.prune();
    }

    /// Forgets senders idle for [`IDLE`], at most once per [`IDLE`].
    fn prune(&self) {
        let mut pruned = self.pruned.lock().unwrap_or_else(|e| e.into_inner());
        if pruned.is_some_and(|at| at.elapsed() < IDLE) {
            return;
        }
        *pruned = Some(Instant::now());
        drop(pruned);
        self.lock().retain(|_, s| s.seen.elapsed() < IDLE);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_batch_waits_for_its_predecessor() {
        let seq = Arc::new(Sequencer::default());
        seq.wait_turn(7, 1).await;
        seq.done(7, 1);
        let order = Arc::new(Mutex::new(Vec::new()));
        // Batch 3 arrives before batch 2.
        let third = {
            let (seq, order) = (seq.clone(), order.clone());
            tokio::spawn(async move {
                seq.wait_turn(7, 3).await;
                order.lock().unwrap().push(3);
                seq.done(7, 3);
            })
        };
        tokio::task::yield_now().await;
        seq.wait_turn(7, 2).await;
        order.lock().unwrap().push(2);
        seq.done(7, 2);
        third.await.unwrap();
        assert_eq!(*order.lock().unwrap(), vec![2, 3]);
    }

    #[tokio::test]
    async fn a_lost_predecessor_costs_a_bounded_wait() {
        let seq = Sequencer::default();
        seq.wait_turn(9, 1).await;
        seq.done(9, 1);
        let started = Instant::now();
        seq.wait_turn(9, 3).await;
        assert!(started.elapsed() >= MAX_WAIT);
        assert!(started.elapsed() < Duration::from_secs(1));
        // Unordered senders never wait.
        seq.wait_turn(0, 5).await;
    }
}
