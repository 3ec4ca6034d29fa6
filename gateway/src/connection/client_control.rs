//! The part of a connection's loop that controls what reaches the client: CLIENT REPLY
//! ([`crate::reply_mode`]), output buffer limits ([`crate::output`]), MONITOR lines
//! ([`crate::monitor`]), and the checks Redis runs last before a command: a monitor may not
//! touch the keyspace, and CLIENT PAUSE holds commands back ([`crate::pause`]).
// #[PerformanceCriticalPath]

use std::sync::atomic::Ordering;

use bytes::Bytes;
use tinyredis_common::command::{CommandSpec, Target};
use tinyredis_common::{CommandId, Reply};

use super::Connection;
use crate::effects::Effects;
use crate::monitor;
use crate::output::{self, WriteError};
use crate::resp::{self, Protocol};

impl Connection {
    /// Queues a reply for the client, unless CLIENT REPLY silences it now.
    pub(super) fn reply(&mut self, reply: Reply) {
        if !self.session.reply.muted() {
            self.replies.push(reply);
        }
    }

    /// Encodes the replies queued so far in `protocol`, before a command switches the
    /// protocol (HELLO, RESET): Redis encodes each reply when it is made.
    pub(super) fn encode_queued(&mut self, protocol: Protocol) {
        for reply in self.replies.drain(..) {
            resp::encode(&reply, protocol, &mut self.wbuf);
        }
    }

    /// Encodes the queued replies after what `wbuf` holds and writes it all. Returns false when
    /// the connection must close: the socket failed, the client was killed meanwhile, or its
    /// output reached `client-output-buffer-limit` (hard: while encoding; soft: while waiting
    /// for the client to read).
    pub(super) async fn write_replies(&mut self) -> bool {
        let limit = self.shared.settings.output_buffer_limit();
        for reply in self.replies.drain(..) {
            if output::over_hard_limit(&limit, self.wbuf.len()) {
                break;
            }
            resp::encode(&reply, self.session.protocol, &mut self.wbuf);
        }
        if output::over_hard_limit(&limit, self.wbuf.len()) {
            output::limit_reached(&self.shared, &self.session.client);
            return false;
        }
        if self.wbuf.is_empty() {
            return true;
        }
        let written = output::write(
            &mut self.stream,
            &self.wbuf,
            limit,
            &self.session.client.kill,
        )
        .await;
        if let Some(handle) = self.session.monitor.as_mut() {
            handle.written();
        }
        match written {
            Ok(()) => {
                let stats = &self.shared.stats;
                stats
                    .net_output_bytes
                    .fetch_add(self.wbuf.len() as u64, Ordering::Relaxed);
                stats.writes_processed.fetch_add(1, Ordering::Relaxed);
                self.wbuf.clear();
                true
            }
            Err(WriteError::SoftLimit) => {
                output::limit_reached(&self.shared, &self.session.client);
                false
            }
            Err(WriteError::Io | WriteError::Killed) => false,
        }
    }

    /// Writes the MONITOR lines that [`monitor::next_lines`] put in `wbuf` (or drops them
    /// while CLIENT REPLY silences the connection, as Redis does). Returns false when the
    /// connection must close.
    pub(super) async fn write_monitor_lines(&mut self) -> bool {
        if self.session.reply.muted() {
            self.wbuf.clear();
            if let Some(handle) = self.session.monitor.as_mut() {
                handle.written();
            }
        }
        self.write_replies().await
    }

    /// Between two commands of a monitor: queues the lines waiting now after the replies, so
    /// that the line of its own command follows its reply, as in Redis.
    pub(super) fn take_monitor_lines(&mut self) {
        let Some(handle) = self.session.monitor.as_mut() else {
            return;
        };
        // Nothing is added after QUIT's reply, as in Redis (`CLIENT_CLOSE_AFTER_REPLY`).
        if self.session.reply.muted() || self.session.quit {
            handle.take_lines(|_| {});
        } else {
            handle.take_lines(|line| self.replies.push(line));
        }
    }

    /// Shows a command that ran to the monitors (call only when some client monitors).
    pub(super) fn feed_monitors(&self, id: CommandId, argv: &[Bytes]) {
        let shared = &self.shared;
        shared.monitors.feed(
            id,
            argv,
            self.session.db,
            &self.session.client.addr,
            shared.settings.output_buffer_limit(),
            &shared.stats,
        );
    }

    /// Redis's last checks before a command runs or is queued (`processCommand`): a monitor may
    /// not touch the keyspace, and a pause holds the command back until it may run. Returns
    /// false when the command must not run (refused, or the client was killed while waiting).
    /// Costs one atomic load when no pause is set and the connection does not monitor.
    pub(super) async fn admit(
        &mut self,
        spec: &'static CommandSpec,
        target: Target,
        argv: &[Bytes],
    ) -> bool {
        let monitor = self.session.monitor.is_some();
        if !monitor && !self.shared.pause.is_active() {
            return true;
        }
        let effects = Effects::of_call(spec, target, argv, self.session.multi.as_deref());
        if monitor {
            // Monitors are replicas to Redis: never paused, kept away from the keyspace.
            if effects.touches_keyspace() {
                self.flush_segment().await;
                self.reject(Some(spec.id), monitor::keyspace_refused());
                return false;
            }
            return true;
        }
        self.wait_unpaused(effects.may_write).await
    }

    /// Waits while the pause holds back a command that may change the keyspace (`may_write`)
    /// or not. The commands before it run and are answered first, as a paused Redis client's
    /// earlier replies are written while it waits; the ones after it wait behind it. Returns
    /// false when the client was killed or the gateway shuts down meanwhile.
    async fn wait_unpaused(&mut self, may_write: bool) -> bool {
        if !self.shared.pause.holds(may_write) {
            return true;
        }
        self.flush_segment().await;
        if !self.write_replies().await {
            self.killed = true;
            return false;
        }
        let client = self.session.client.clone();
        let shared = self.shared.clone();
        let mut shutting_down = shared.shutting_down.clone();
        client.meta().paused = true;
        let go_on = tokio::select! {
            _ = shared.pause.wait(may_write) => true,
            _ = client.kill.notified() => false,
            _ = shutting_down.wait_for(|s| *s) => false,
        };
        client.meta().paused = false;
        self.killed |= !go_on;
        go_on
    }
}
