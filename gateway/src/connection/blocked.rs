//! A connection waiting in a blocking command (BLPOP, …) that the leader registered as a waiter.
//!
//! Like a blocked Redis client, the connection answers nothing else while it waits; it keeps
//! reading the socket only to notice the client leaving (the bytes wait in the read buffer for
//! after the wait). The wait ends when:
//!
//! - a write served the waiter: the leader's `Kv.AwaitReply` long-poll returns the reply;
//! - the command's timeout passed, or `CLIENT UNBLOCK` asked: `Kv.Unblock` removes the waiter
//!   through the log and returns the null (or the UNBLOCKED error), or the served reply when a
//!   write served the waiter first, so nothing popped is lost;
//! - the client left, was killed, or the gateway shuts down: the same unblock, reply discarded,
//!   and the connection closes.
//!
//! If the waiter's lease passed meanwhile (this gateway could not renew it for that long), the
//! leader reports it `lost` and the command is proposed again, with what is left of its timeout.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use bytes::Bytes;
use tinyredis_common::Reply;
use tinyredis_proto::pb;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::Connection;
use crate::blocking::AWAIT_POLL;
use crate::resp;
use crate::router::Awaited;

/// Why a wait ended.
enum End {
    /// The command's final reply.
    Reply(Reply),
    /// End the wait through the log: the timeout passed (`false`) or CLIENT UNBLOCK ERROR (`true`).
    Unblock(bool),
    /// The client is gone (disconnected, killed, gateway shutdown).
    Gone,
}

/// One thing that happened while waiting.
enum Event {
    Awaited(Awaited),
    TimedOut,
    UnblockRequested,
    Gone,
    Read,
}

impl Connection {
    /// Waits for the real reply of a blocking command whose write (the last one sent) the leader
    /// answered with `marker` (`Reply::Blocked`); `received` is when the command was dispatched,
    /// from which its timeout runs.
    pub(super) async fn wait_blocked(
        &mut self,
        marker: &Reply,
        received: Instant,
        db: u32,
        argv: &[Bytes],
    ) -> Reply {
        let timeout_ms = match marker {
            Reply::Blocked { timeout_ms } => *timeout_ms,
            other => return other.clone(),
        };
        // Redis sends the replies of the commands before a blocking one at once.
        self.write_pending().await;
        let client = self.session.client.clone();
        let shared = self.shared.clone();
        let deadline = (timeout_ms > 0)
            .then(|| received.checked_add(Duration::from_millis(timeout_ms)))
            .flatten();
        let mut seq = self.seq;
        client.block.begin();
        shared
            .blocked
            .insert(self.client_id, seq, deadline.is_some());
        let mut shutting_down = shared.shutting_down.clone();
        let mut backoff = Duration::from_millis(20);
        let end = loop {
            let event = tokio::select! {
                awaited = shared.router.await_reply(self.client_id, seq, AWAIT_POLL) => {
                    Event::Awaited(awaited)
                }
                _ = sleep_until(deadline) => Event::TimedOut,
                _ = client.block.notified() => Event::UnblockRequested,
                _ = client.kill.notified() => Event::Gone,
                _ = shutting_down.changed() => Event::Gone,
                read = self.arrival.read(self.stream.read_buf(&mut self.rbuf)) => match read {
                    Ok(0) | Err(_) => Event::Gone,
                    Ok(n) => {
                        let stats = &shared.stats;
                        stats.net_input_bytes.fetch_add(n as u64, Ordering::Relaxed);
                        stats.reads_processed.fetch_add(1, Ordering::Relaxed);
                        Event::Read
                    }
                },
            };
            match event {
                Event::Awaited(Awaited::Reply(reply)) => break End::Reply(reply),
                Event::Awaited(Awaited::Pending) => backoff = Duration::from_millis(20),
                Event::Awaited(Awaited::Retry) => {
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_millis(200));
                }
                Event::Awaited(Awaited::Lost) => {
                    // Propose the command again; it may pop at once, or block anew.
                    let command = vec![pb::Command {
                        argv: argv.to_vec(),
                    }];
                    let (replies, _) = self.send(true, db, command, false).await;
                    match replies.into_iter().next() {
                        Some(Reply::Blocked { .. }) => {
                            seq = self.seq;
                            shared
                                .blocked
                                .insert(self.client_id, seq, deadline.is_some());
                        }
                        Some(reply) => break End::Reply(reply),
                        None => break End::Reply(Reply::NilArray),
                    }
                }
                Event::TimedOut => break End::Unblock(false),
                Event::UnblockRequested => match client.block.take_request() {
                    Some(reason) => {
                        break End::Unblock(reason == crate::blocking::UnblockReason::Error);
                    }
                    None => continue,
                },
                Event::Gone => break End::Gone,
                Event::Read => {
                    // Redis closes a client whose unprocessed input outgrows the limit.
                    if self.rbuf.len() as u64 > shared.settings.client_query_buffer_limit() {
                        break End::Gone;
                    }
                }
            }
        };
        // The client counts as blocked (INFO, CLIENT LIST) until its waiter is gone from the
        // state machine, so that a push made once it no longer shows as blocked is never served
        // to it.
        let reply = match end {
            End::Reply(reply) => reply,
            End::Unblock(error) => match shared.router.unblock(self.client_id, seq, error).await {
                Ok(reply) => reply,
                Err(e) => Reply::Error(e.to_reply_error()),
            },
            End::Gone => {
                // Nothing may stay blocked for a client that is gone: a later push must stay in
                // its list. The reply (if the waiter was served first) has nowhere to go.
                if let Err(e) = shared.router.unblock(self.client_id, seq, false).await {
                    tracing::warn!(client = client.id, error = ?e, "could not unblock a departed client");
                }
                // Redis frees such a client without another byte: close our side now, so the
                // reply below (and anything else queued) is never written.
                let _ = self.stream.shutdown().await;
                self.session.quit = true;
                Reply::NilArray
            }
        };
        shared.blocked.remove(self.client_id);
        client.block.end();
        reply
    }

    /// Writes the replies queued so far in this batch.
    async fn write_pending(&mut self) {
        if self.replies.is_empty() {
            return;
        }
        for reply in self.replies.drain(..) {
            resp::encode(&reply, self.session.protocol, &mut self.wbuf);
        }
        if self.stream.write_all(&self.wbuf).await.is_ok() {
            let stats = &self.shared.stats;
            stats
                .net_output_bytes
                .fetch_add(self.wbuf.len() as u64, Ordering::Relaxed);
            stats.writes_processed.fetch_add(1, Ordering::Relaxed);
        }
        self.wbuf.clear();
    }
}

/// Sleeps until `deadline`, or forever without one.
async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending().await,
    }
}
