//! Client output buffer limits (`client-output-buffer-limit normal <hard> <soft> <soft-seconds>`,
//! Redis's `checkClientOutputBufferLimits`) and the socket write that enforces them.
// #[PerformanceCriticalPath]
//
// A connection's pending output is what it encoded and has not written yet: the replies of one
// batch (the gateway stops reading a client whose replies wait, so input cannot pile up behind
// them). The hard limit is checked while the replies are encoded, before any is written, so a
// reply larger than the limit closes the client without the gateway holding more than the limit
// (Redis too closes a client as soon as its buffer reaches the hard limit). The soft limit is
// checked while a write waits for the client to read: a client that keeps at least `soft` bytes
// unread for longer than `soft-seconds` is closed. Closing is logged (warn, the text of Redis's
// log line) and counted in `Stats::output_buffer_limit_disconnections` (the metric
// `tinyredis_gateway_client_output_buffer_limit_disconnections_total`; Redis 7.0 has no INFO
// field for it).
//
// The common case costs one comparison per encoded reply and a single non-blocking write.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::Notify;

use crate::clients::ClientEntry;
use crate::server::Shared;
use crate::settings::OutputBufferLimit;

/// Why a write did not complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteError {
    /// The socket failed or the peer closed it.
    Io,
    /// The client was killed (CLIENT KILL, a deleted user, shutdown) while the write waited.
    Killed,
    /// The client left at least `soft` bytes unread for longer than `soft-seconds`.
    SoftLimit,
}

/// Returns true when `pending` bytes reach the hard limit.
pub fn over_hard_limit(limit: &OutputBufferLimit, pending: usize) -> bool {
    limit.hard > 0 && pending as u64 >= limit.hard
}

/// Writes all of `buf`, enforcing the soft limit while the client does not read; returns early
/// when `kill` is notified.
pub async fn write(
    stream: &mut TcpStream,
    buf: &[u8],
    limit: OutputBufferLimit,
    kill: &Notify,
) -> Result<(), WriteError> {
    let mut written = match stream.try_write(buf) {
        Ok(n) => n,
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => 0,
        Err(_) => return Err(WriteError::Io),
    };
    let mut soft = SoftLimitClock::default();
    while written < buf.len() {
        let deadline = soft.deadline(&limit, buf.len() - written, Instant::now());
        tokio::select! {
            biased;
            n = stream.write(&buf[written..]) => match n {
                Ok(0) | Err(_) => return Err(WriteError::Io),
                Ok(n) => written += n,
            },
            _ = kill.notified() => return Err(WriteError::Killed),
            // Nothing was written since the deadline was computed: still at or above the soft
            // limit, for longer than the soft seconds.
            _ = sleep_past(deadline) => return Err(WriteError::SoftLimit),
        }
    }
    Ok(())
}

/// Sleeps until just past `deadline`, or forever when there is none.
async fn sleep_past(deadline: Option<Instant>) {
    match deadline.and_then(|d| d.checked_add(Duration::from_millis(1))) {
        Some(d) => tokio::time::sleep_until(d.into()).await,
        None => std::future::pending().await,
    }
}

/// When a client's unread output first reached the soft limit.
#[derive(Debug, Default)]
pub struct SoftLimitClock {
    since: Option<Instant>,
}

impl SoftLimitClock {
    /// Notes `pending` bytes at `now`; returns the instant after which the client must be
    /// closed, if it is at or above the soft limit (none when below, which restarts the clock,
    /// or when the soft seconds never run out).
    pub fn deadline(
        &mut self,
        limit: &OutputBufferLimit,
        pending: usize,
        now: Instant,
    ) -> Option<Instant> {
        if limit.soft == 0 || (pending as u64) < limit.soft {
            self.since = None;
            return None;
        }
        let since = *self.since.get_or_insert(now);
        // Soft seconds too large to add never end.
        since.checked_add(Duration::from_secs(limit.soft_seconds))
    }
}

/// Logs and counts a client closed for its output buffer (Redis's warning text).
pub fn limit_reached(shared: &Shared, client: &ClientEntry) {
    shared
        .stats
        .output_buffer_limit_disconnections
        .fetch_add(1, Ordering::Relaxed);
    tracing::warn!(
        "Client {} scheduled to be closed ASAP for overcoming of output buffer limits.",
        client.line()
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(hard: u64, soft: u64, soft_seconds: u64) -> OutputBufferLimit {
        OutputBufferLimit {
            hard,
            soft,
            soft_seconds,
        }
    }

    #[test]
    fn hard_limit_is_reached_at_the_limit_and_zero_disables_it() {
        assert!(!over_hard_limit(&limit(100, 0, 0), 99));
        assert!(over_hard_limit(&limit(100, 0, 0), 100));
        assert!(!over_hard_limit(&limit(0, 0, 0), usize::MAX));
    }

    #[test]
    fn soft_limit_clock_starts_at_the_limit_and_restarts_below_it() {
        let l = limit(0, 100, 5);
        let t0 = Instant::now();
        let mut clock = SoftLimitClock::default();
        assert_eq!(clock.deadline(&l, 99, t0), None);
        let t1 = t0 + Duration::from_secs(1);
        assert_eq!(
            clock.deadline(&l, 100, t1),
            Some(t1 + Duration::from_secs(5))
        );
        // Still above: the clock keeps its start.
        let t2 = t0 + Duration::from_secs(3);
        assert_eq!(
            clock.deadline(&l, 500, t2),
            Some(t1 + Duration::from_secs(5))
        );
        // Below: it restarts.
        assert_eq!(clock.deadline(&l, 10, t2), None);
        assert_eq!(
            clock.deadline(&l, 100, t2),
            Some(t2 + Duration::from_secs(5))
        );
        // No soft limit.
        assert_eq!(clock.deadline(&limit(0, 0, 5), usize::MAX, t2), None);
        // Soft seconds too large for the clock never run out.
        assert_eq!(clock.deadline(&limit(0, 100, u64::MAX), 100, t2), None);
    }

    #[tokio::test]
    async fn a_client_that_does_not_read_is_closed_after_the_soft_seconds() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let _peer = tokio::net::TcpStream::connect(addr).await.expect("connect");
        let (mut server, _) = listener.accept().await.expect("accept");
        // Far more than the socket buffers hold: the write must wait for a reader that never
        // comes.
        let buf = vec![b'x'; 64 << 20];
        let kill = Notify::new();
        let started = Instant::now();
        let res = write(&mut server, &buf, limit(0, 1, 0), &kill).await;
        assert_eq!(res, Err(WriteError::SoftLimit));
        assert!(started.elapsed() < Duration::from_secs(5));
        kill.notify_one();
        let res = write(&mut server, &buf, limit(0, 0, 0), &kill).await;
        assert_eq!(res, Err(WriteError::Killed));
    }
}
