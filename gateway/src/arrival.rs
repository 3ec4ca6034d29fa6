//! The order in which client sockets became readable, so that commands sent at nearly the same
//! moment by different connections reach the log in the order they arrived.
// #[PerformanceCriticalPath]
//
// Redis serves its clients in the order their input arrives (its event loop handles epoll's ready
// list in order), and some clients rely on it: two BRPOPLPUSH sent one right after the other on two
// connections block in that order, and the first is served first. Here each connection is a task;
// when several sockets become readable in one turn of Tokio's I/O driver, the driver wakes their
// tasks in epoll's order, but the scheduler runs the last one woken first (its LIFO slot), so their
// segments would reach the batcher reversed. [`Arrival`] recovers the driver's order: the read
// future of a connection is polled with a waker that takes a ticket from a global counter when the
// driver wakes it, and the batcher sorts the segments of a batch by ticket (`batch.rs`). Before
// closing a batch, the batcher also gives the connections that are still working on input they
// received (parsing it, running gateway-local commands) a few turns to queue their segments
// ([`busy`]), since the scheduler may run them on another thread, a little later.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::task::{Wake, Waker};

use futures::task::AtomicWaker;

/// The next ticket; 0 means "no ticket" (sorted first).
static NEXT_TICKET: AtomicU64 = AtomicU64::new(1);

/// Connections working on input they read, that have not yet sent it on or gone back to reading.
static ACTIVE: AtomicUsize = AtomicUsize::new(0);

/// Returns true while some connection works on input it read: it may be about to queue a segment.
pub fn busy() -> bool {
    ACTIVE.load(Ordering::Relaxed) > 0
}

/// The wake-up stamp of one connection's reads.
struct Stamp {
    ticket: AtomicU64,
    task: AtomicWaker,
}

impl Wake for Stamp {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.ticket.store(
            NEXT_TICKET.fetch_add(1, Ordering::Relaxed),
            Ordering::Relaxed,
        );
        self.task.wake();
    }
}

/// Records when a connection's socket last woke it up, as a ticket in the gateway-wide order of
/// wake-ups.
pub struct Arrival {
    stamp: Arc<Stamp>,
    waker: Waker,
    /// Counted in [`ACTIVE`].
    active: AtomicBool,
}

impl Default for Arrival {
    fn default() -> Arrival {
        let stamp = Arc::new(Stamp {
            ticket: AtomicU64::new(0),
            task: AtomicWaker::new(),
        });
        Arrival {
            waker: Waker::from(stamp.clone()),
            stamp,
            active: AtomicBool::new(false),
        }
    }
}

impl Drop for Arrival {
    fn drop(&mut self) {
        self.set_active(false);
    }
}

impl Arrival {
    /// Runs `read` (a read of the connection's socket) so that the wake-up that completes it
    /// takes a ticket.
    pub async fn read<F: Future>(&self, read: F) -> F::Output {
        self.set_active(false);
        let mut read = pin!(read);
        let output = std::future::poll_fn(|cx| {
            self.stamp.task.register(cx.waker());
            read.as_mut()
                .poll(&mut std::task::Context::from_waker(&self.waker))
        })
        .await;
        self.set_active(true);
        output
    }

    /// Runs `call` (a segment sent on) with the connection not counted as [`busy`].
    pub async fn waiting<F: Future>(&self, call: F) -> F::Output {
        self.set_active(false);
        let output = call.await;
        self.set_active(true);
        output
    }

    fn set_active(&self, active: bool) {
        if self.active.swap(active, Ordering::Relaxed) != active {
            if active {
                ACTIVE.fetch_add(1, Ordering::Relaxed);
            } else {
                ACTIVE.fetch_sub(1, Ordering::Relaxed);
            }
        }
    }

    /// The ticket of the last wake-up: the arrival order of what the last read returned.
    pub fn ticket(&self) -> u64 {
        self.stamp.ticket.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn wake_ups_take_increasing_tickets() {
        let a = Arrival::default();
        let b = Arrival::default();
        assert_eq!(a.ticket(), 0);
        let (tx_a, rx_a) = tokio::sync::oneshot::channel::<()>();
        let (tx_b, rx_b) = tokio::sync::oneshot::channel::<()>();
        let both = async {
            let (ra, rb) = tokio::join!(a.read(rx_a), b.read(rx_b));
            assert!(ra.is_ok() && rb.is_ok());
        };
        let send = async {
            tokio::task::yield_now().await;
            let _ = tx_b.send(());
            let _ = tx_a.send(());
        };
        tokio::join!(both, send);
        assert!(a.ticket() > 0 && b.ticket() > 0);
        assert!(b.ticket() < a.ticket(), "b was woken first");
    }
}
