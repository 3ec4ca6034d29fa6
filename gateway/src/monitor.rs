//! `MONITOR`: clients that receive a line for every command this gateway's clients run
//! (Redis's `replicationFeedMonitors`).
//!
//! A line is `+<unix secs>.<usecs> [<db> <client addr>] "arg" "arg" …\r\n`, each argument quoted
//! and escaped as Redis's `sdscatrepr` does ([`repr`]). As in Redis, a line is sent after the
//! command ran (so SELECT shows its new database), commands refused before running (unknown,
//! arity, NOAUTH, NOPERM) and admin commands (CONFIG, CLIENT LIST, MONITOR, …) are not shown,
//! passwords are redacted as the slow log redacts them ([`crate::slowlog::redacted`]), and
//! commands of a transaction are shown when EXEC runs them, between MULTI and EXEC. A monitor sees
//! the commands of its own gateway only: each gateway is its own server to its clients.
//!
//! Cost: a command pays one atomic load while nobody monitors ([`Monitors::is_active`]). With
//! monitors, the line is formatted once and queued to each of them without waiting: a slow
//! monitor never slows the clients it watches. Its queue counts as its output buffer: when the
//! bytes not yet written to it reach the `client-output-buffer-limit` of normal clients (hard, or
//! soft for longer than the soft seconds), it is disconnected, as Redis disconnects a monitor
//! whose output buffer outgrows the limit. With no hard limit set, [`UNLIMITED_CAP`] still bounds
//! the queue.
//!
//! A monitor connection keeps running commands, as in Redis 7.0, where it is a replica: commands
//! that touch the keyspace are refused ("Replica can't interact with the keyspace"), a second
//! MONITOR gets no reply, RESET ends monitoring.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use bytes::{Bytes, BytesMut};
use tinyredis_common::command::{self, Target};
use tinyredis_common::{CommandId, Reply, ReplyError};
use tokio::sync::mpsc;

use crate::clients::ClientEntry;
use crate::server::Shared;
use crate::session::Session;
use crate::settings::{DEFAULT_OUTPUT_BUFFER_LIMIT, OutputBufferLimit};
use crate::stats::Stats;

/// The most bytes queued for one monitor when `client-output-buffer-limit` sets no hard limit:
/// the queue is filled by other clients' tasks and must stay bounded.
pub const UNLIMITED_CAP: u64 = DEFAULT_OUTPUT_BUFFER_LIMIT.hard;

/// Most bytes of lines taken from the queue for one socket write.
const WRITE_CHUNK: usize = 256 * 1024;

/// The monitors of one gateway.
#[derive(Debug)]
pub struct Monitors {
    /// How many monitors there are: the check every command pays.
    count: AtomicUsize,
    /// The monitors; read by every command while there are some, written when one comes or goes.
    sinks: RwLock<Vec<Arc<Sink>>>,
    /// The origin of [`Sink::soft_since_ms`].
    epoch: Instant,
}

impl Default for Monitors {
    fn default() -> Monitors {
        Monitors {
            count: AtomicUsize::new(0),
            sinks: RwLock::new(Vec::new()),
            epoch: Instant::now(),
        }
    }
}

/// The sending side of one monitor.
#[derive(Debug)]
struct Sink {
    /// The monitor's connection: killed when it cannot keep up.
    client: Arc<ClientEntry>,
    tx: mpsc::UnboundedSender<Bytes>,
    /// Bytes queued or taken but not yet written to the socket: the monitor's output buffer.
    pending: AtomicU64,
    /// Milliseconds from [`Monitors::epoch`] (plus one) since `pending` has been at or above the
    /// soft limit; 0 while below.
    soft_since_ms: AtomicU64,
    /// Set once the monitor was disconnected for its output buffer.
    dropped: AtomicBool,
}

/// The receiving side of one monitor, held by its session; dropping it ends monitoring.
#[derive(Debug)]
pub struct MonitorHandle {
    monitors: Arc<Monitors>,
    sink: Arc<Sink>,
    rx: mpsc::UnboundedReceiver<Bytes>,
    /// Bytes taken from the queue and not yet written: still part of the output buffer.
    taken: u64,
}

impl Monitors {
    /// Returns true when some client monitors (one atomic load).
    pub fn is_active(&self) -> bool {
        self.count.load(Ordering::Relaxed) > 0
    }

    /// Registers `client` as a monitor.
    pub fn add(self: &Arc<Monitors>, client: Arc<ClientEntry>) -> MonitorHandle {
        let (tx, rx) = mpsc::unbounded_channel();
        let sink = Arc::new(Sink {
            client,
            tx,
            pending: AtomicU64::new(0),
            soft_since_ms: AtomicU64::new(0),
            dropped: AtomicBool::new(false),
        });
        let mut sinks = self.sinks.write().unwrap_or_else(|e| e.into_inner());
        sinks.push(sink.clone());
        self.count.store(sinks.len(), Ordering::Relaxed);
        MonitorHandle {
            monitors: self.clone(),
            sink,
            rx,
            taken: 0,
        }
    }

    fn remove(&self, sink: &Arc<Sink>) {
        let mut sinks = self.sinks.write().unwrap_or_else(|e| e.into_inner());
        sinks.retain(|s| !Arc::ptr_eq(s, sink));
        self.count.store(sinks.len(), Ordering::Relaxed);
    }

    /// Shows a command that ran to every monitor, unless Redis hides it (admin commands, and
    /// the scripting commands' `skip_monitor`). Call only when [`Monitors::is_active`].
    /// Monitors disconnected for their output buffer are counted in `stats`.
    pub fn feed(
        &self,
        id: CommandId,
        argv: &[Bytes],
        db: u32,
        addr: &str,
        limit: OutputBufferLimit,
        stats: &Stats,
    ) {
        let spec = command::spec(id);
        let flags = command::resolve(spec, argv)
            .unwrap_or(Target::Command(spec))
            .flags();
        if flags.contains(&"admin") || flags.contains(&"skip_monitor") {
            return;
        }
        let argv = crate::slowlog::redacted(id, argv);
        let line = line(SystemTime::now(), db, addr, &argv);
        self.send(&line, limit, stats);
    }

    /// Queues one line to every monitor, disconnecting those whose output buffer overflows.
    fn send(&self, line: &Bytes, limit: OutputBufferLimit, stats: &Stats) {
        let len = line.len() as u64;
        let hard = if limit.hard == 0 {
            UNLIMITED_CAP
        } else {
            limit.hard
        };
        let mut overflowed = Vec::new();
        {
            let sinks = self.sinks.read().unwrap_or_else(|e| e.into_inner());
            for sink in sinks.iter() {
                let pending = sink.pending.fetch_add(len, Ordering::Relaxed) + len;
                if pending >= hard || self.soft_limit_exceeded(sink, pending, limit) {
                    overflowed.push(sink.clone());
                    continue;
                }
                // The receiver is gone only while its connection is closing.
                let _ = sink.tx.send(line.clone());
            }
        }
        for sink in overflowed {
            if !sink.dropped.swap(true, Ordering::Relaxed) {
                stats
                    .output_buffer_limit_disconnections
                    .fetch_add(1, Ordering::Relaxed);
                tracing::warn!(
                    client = %sink.client.line(),
                    pending = sink.pending.load(Ordering::Relaxed),
                    "monitor client closed for overcoming of output buffer limits"
                );
                sink.client.kill.notify_one();
                self.remove(&sink);
            }
        }
    }

    /// Tracks how long a monitor's buffer has been at or above the soft limit; true when longer
    /// than the soft seconds (Redis's `checkClientOutputBufferLimits`).
    fn soft_limit_exceeded(&self, sink: &Sink, pending: u64, limit: OutputBufferLimit) -> bool {
        if limit.soft == 0 || pending < limit.soft {
            sink.soft_since_ms.store(0, Ordering::Relaxed);
            return false;
        }
        let now = self.epoch.elapsed().as_millis() as u64 + 1;
        let since =
            match sink
                .soft_since_ms
                .compare_exchange(0, now, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => now,
                Err(since) => since,
            };
        // Another feeder may have set `since` a moment after this one read the clock.
        now.saturating_sub(since) > limit.soft_seconds.saturating_mul(1000)
    }
}

impl MonitorHandle {
    /// Waits for lines and appends them to `out` (at least one, at most about [`WRITE_CHUNK`]
    /// bytes), for a connection waiting for input. Cancel-safe: nothing is taken unless it
    /// returns. Call [`MonitorHandle::written`] after writing them.
    pub async fn next_lines(&mut self, out: &mut BytesMut) {
        let Some(first) = self.rx.recv().await else {
            return std::future::pending().await;
        };
        let mut n = first.len();
        out.extend_from_slice(&first);
        while n < WRITE_CHUNK {
            let Ok(line) = self.rx.try_recv() else { break };
            n += line.len();
            out.extend_from_slice(&line);
        }
        self.taken += n as u64;
    }

    /// Takes the lines queued now, as simple-string replies, for a connection between two of
    /// its own commands: a monitor sees the line of its own command right after its reply, as
    /// in Redis. Call [`MonitorHandle::written`] after writing them.
    pub fn take_lines(&mut self, mut each: impl FnMut(Reply)) {
        while let Ok(line) = self.rx.try_recv() {
            self.taken += line.len() as u64;
            // `+` … `\r\n`: the simple string's content.
            each(Reply::Simple(line.slice(1..line.len() - 2)));
        }
    }

    /// Marks the lines taken so far as written to the socket (or discarded).
    pub fn written(&mut self) {
        self.sink
            .pending
            .fetch_sub(std::mem::take(&mut self.taken), Ordering::Relaxed);
    }
}

impl Drop for MonitorHandle {
    fn drop(&mut self) {
        self.monitors.remove(&self.sink);
    }
}

/// Waits for the next lines of a session's monitor (forever when it does not monitor); see
/// [`MonitorHandle::next_lines`].
pub async fn next_lines(handle: Option<&mut MonitorHandle>, out: &mut BytesMut) {
    match handle {
        Some(handle) => handle.next_lines(out).await,
        None => std::future::pending().await,
    }
}

/// `MONITOR`: from now on the connection receives the lines. Inside EXEC it is refused, as Redis
/// refuses it to a client that cannot block; a monitor asking again gets no reply at all.
pub fn monitor(session: &mut Session, shared: &Shared) -> Reply {
    if session.in_exec {
        return Reply::Error(ReplyError::err(
            "MONITOR isn't allowed for DENY BLOCKING client",
        ));
    }
    if session.monitor.is_some() {
        session.reply.mute_current();
        return Reply::Ok;
    }
    session.monitor = Some(shared.monitors.add(session.client.clone()));
    session.client.meta().monitor = true;
    Reply::Ok
}

/// The error a monitor gets for a command that touches the keyspace (Redis treats monitors as
/// replicas).
pub fn keyspace_refused() -> ReplyError {
    ReplyError::err("Replica can't interact with the keyspace")
}

/// Formats one monitor line.
pub fn line(now: SystemTime, db: u32, addr: &str, argv: &[Bytes]) -> Bytes {
    let since_epoch = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let size: usize = argv.iter().map(|a| a.len() + 3).sum();
    let mut out = Vec::with_capacity(40 + addr.len() + size);
    out.push(b'+');
    out.extend_from_slice(itoa::Buffer::new().format(since_epoch.as_secs()).as_bytes());
    let usec = since_epoch.subsec_micros();
    out.push(b'.');
    let digits = itoa::Buffer::new().format(usec).len();
    out.extend(std::iter::repeat_n(b'0', 6 - digits));
    out.extend_from_slice(itoa::Buffer::new().format(usec).as_bytes());
    out.extend_from_slice(b" [");
    out.extend_from_slice(itoa::Buffer::new().format(db).as_bytes());
    out.push(b' ');
    out.extend_from_slice(addr.as_bytes());
    out.extend_from_slice(b"] ");
    for (i, arg) in argv.iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        repr(&mut out, arg);
    }
    out.extend_from_slice(b"\r\n");
    Bytes::from(out)
}

/// Appends `arg` quoted and escaped as Redis's `sdscatrepr`: `\\`, `\"`, `\n`, `\r`, `\t`, `\a`,
/// `\b`, printable ASCII as is, every other byte as `\xhh`.
pub fn repr(out: &mut Vec<u8>, arg: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    for &b in arg {
        match b {
            b'\\' | b'"' => out.extend_from_slice(&[b'\\', b]),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x07 => out.extend_from_slice(b"\\a"),
            0x08 => out.extend_from_slice(b"\\b"),
            b' '..=b'~' => out.push(b),
            _ => out.extend_from_slice(&[
                b'\\',
                b'x',
                HEX[(b >> 4) as usize],
                HEX[(b & 0xf) as usize],
            ]),
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn repr_of(arg: &[u8]) -> String {
        let mut out = Vec::new();
        repr(&mut out, arg);
        String::from_utf8(out).expect("repr is ASCII")
    }

    #[test]
    fn repr_escapes_as_sdscatrepr() {
        assert_eq!(repr_of(b"plain text"), r#""plain text""#);
        assert_eq!(repr_of(b""), r#""""#);
        assert_eq!(
            repr_of(b"a\nb\r\t\x07\x08\"\\ \x00\xff\x7f~"),
            r#""a\nb\r\t\a\b\"\\ \x00\xff\x7f~""#
        );
        // UTF-8 is not printable ASCII: each byte is escaped.
        assert_eq!(repr_of("é".as_bytes()), r#""\xc3\xa9""#);
        assert_eq!(repr_of(b"\x1b\x0b\x0c"), r#""\x1b\x0b\x0c""#);
    }

    #[test]
    fn line_has_redis_format() {
        let at = UNIX_EPOCH + Duration::from_micros(1_795_504_331_000_042);
        let argv = [Bytes::from_static(b"SET"), Bytes::from_static(b"k\n")];
        assert_eq!(
            line(at, 3, "127.0.0.1:5000", &argv),
            Bytes::from_static(b"+1795504331.000042 [3 127.0.0.1:5000] \"SET\" \"k\\n\"\r\n")
        );
        let at = UNIX_EPOCH + Duration::from_micros(1_795_504_331_564_907);
        assert_eq!(
            line(at, 0, "[::1]:6000", &[Bytes::from_static(b"PING")]),
            Bytes::from_static(b"+1795504331.564907 [0 [::1]:6000] \"PING\"\r\n")
        );
    }

    fn client() -> Arc<ClientEntry> {
        crate::clients::Clients::default().register("127.0.0.1:1".into(), "127.0.0.1:2".into())
    }

    fn limit(hard: u64, soft: u64, soft_seconds: u64) -> OutputBufferLimit {
        OutputBufferLimit {
            hard,
            soft,
            soft_seconds,
        }
    }

    #[tokio::test]
    async fn monitors_get_lines_until_dropped() {
        let monitors = Arc::new(Monitors::default());
        let stats = Stats::default();
        assert!(!monitors.is_active());
        let mut handle = monitors.add(client());
        assert!(monitors.is_active());
        let argv = [Bytes::from_static(b"GET"), Bytes::from_static(b"k")];
        monitors.feed(
            CommandId::Get,
            &argv,
            0,
            "1.2.3.4:5",
            limit(0, 0, 0),
            &stats,
        );
        // Admin commands are not shown.
        let config = [
            Bytes::from_static(b"CONFIG"),
            Bytes::from_static(b"GET"),
            Bytes::from_static(b"x"),
        ];
        monitors.feed(
            CommandId::Config,
            &config,
            0,
            "1.2.3.4:5",
            limit(0, 0, 0),
            &stats,
        );
        // Passwords are redacted.
        let auth = [Bytes::from_static(b"AUTH"), Bytes::from_static(b"secret")];
        monitors.feed(
            CommandId::Auth,
            &auth,
            2,
            "1.2.3.4:5",
            limit(0, 0, 0),
            &stats,
        );
        let mut out = BytesMut::new();
        handle.next_lines(&mut out).await;
        assert_eq!(
            handle.sink.pending.load(Ordering::Relaxed),
            out.len() as u64
        );
        let text = String::from_utf8(out.to_vec()).expect("ascii");
        let lines: Vec<&str> = text.split_terminator("\r\n").collect();
        assert_eq!(lines.len(), 2, "{text:?}");
        assert!(
            lines[0].ends_with(" [0 1.2.3.4:5] \"GET\" \"k\""),
            "{text:?}"
        );
        assert!(
            lines[1].ends_with(" [2 1.2.3.4:5] \"AUTH\" \"(redacted)\""),
            "{text:?}"
        );
        handle.written();
        assert_eq!(handle.sink.pending.load(Ordering::Relaxed), 0);
        monitors.feed(
            CommandId::Get,
            &argv,
            1,
            "1.2.3.4:5",
            limit(0, 0, 0),
            &stats,
        );
        let mut lines = Vec::new();
        handle.take_lines(|reply| lines.push(reply));
        let [Reply::Simple(line)] = &lines[..] else {
            panic!("one simple string: {lines:?}");
        };
        assert!(line.ends_with(b" [1 1.2.3.4:5] \"GET\" \"k\""), "{line:?}");
        handle.written();
        drop(handle);
        assert!(!monitors.is_active());
    }

    #[test]
    fn a_monitor_over_the_hard_limit_is_killed_and_removed() {
        let monitors = Arc::new(Monitors::default());
        let stats = Stats::default();
        let entry = client();
        let handle = monitors.add(entry.clone());
        let argv = [Bytes::from_static(b"PING")];
        for _ in 0..3 {
            monitors.feed(CommandId::Ping, &argv, 0, "a:1", limit(100, 0, 0), &stats);
        }
        assert!(!monitors.is_active(), "removed once over 100 bytes");
        assert!(handle.sink.dropped.load(Ordering::Relaxed));
        // The kill is a stored permit the connection sees at once.
        let killed = entry.kill.notified();
        futures::pin_mut!(killed);
        assert!(futures::FutureExt::now_or_never(killed).is_some());
    }

    #[test]
    fn the_soft_limit_needs_time() {
        let monitors = Arc::new(Monitors::default());
        let stats = Stats::default();
        let mut handle = monitors.add(client());
        let argv = [Bytes::from_static(b"PING")];
        for _ in 0..10 {
            monitors.feed(CommandId::Ping, &argv, 0, "a:1", limit(0, 10, 60), &stats);
        }
        assert!(
            monitors.is_active(),
            "above the soft limit for less than 60 s"
        );
        // Once written, the buffer is below the soft limit again and the clock restarts.
        handle.take_lines(|_| {});
        handle.written();
        monitors.feed(CommandId::Ping, &argv, 0, "a:1", limit(0, 1000, 60), &stats);
        assert_eq!(handle.sink.soft_since_ms.load(Ordering::Relaxed), 0);
    }
}
