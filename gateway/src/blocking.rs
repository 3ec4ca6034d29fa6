//! Blocked clients of this gateway: what `INFO blocked_clients`, `CLIENT LIST` (`flags=b`) and
//! `CLIENT UNBLOCK` see, and the lease renewal that keeps their waiters alive on the nodes.
//!
//! A blocking command (BLPOP, …) is a write; when the leader finds nothing to pop it registers
//! the client as a waiter in the replicated state machine and replies the internal
//! `Reply::Blocked` marker. The connection then waits for the real reply
//! (`connection/blocked.rs`): it long-polls `Kv.AwaitReply` on the leader, and ends the wait
//! through the log (`Kv.Unblock`) when the timeout passes, on `CLIENT UNBLOCK`, or when the client
//! goes away. While it waits, the connection is listed in [`BlockedClients`], whose entries
//! [`renew_loop`] renews on the nodes (`Kv.RenewWaiters`) so that their leases, which drop the
//! waiters of a gateway that died, do not pass.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, Weak};
use std::time::Duration;

use bytes::Bytes;
use tinyredis_common::num::parse_i64;
use tinyredis_common::{Reply, ReplyError};
use tokio::sync::Notify;

use crate::server::Shared;

/// How often the leases of this gateway's waiters are renewed; well below the nodes' lease
/// (15 s), so a few missed renewals (a leader election) lose nothing.
pub const RENEW_INTERVAL: Duration = Duration::from_secs(3);

/// How long one `Kv.AwaitReply` call waits on the leader before asking again (and so noticing a
/// leader that lost its leadership without crashing).
pub const AWAIT_POLL: Duration = Duration::from_secs(5);

/// How `CLIENT UNBLOCK` ends a wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnblockReason {
    /// As if the timeout passed: the command replies its null.
    Timeout,
    /// The command replies `-UNBLOCKED client unblocked via CLIENT UNBLOCK`.
    Error,
}

/// The blocked state of one connection, in its registry entry.
#[derive(Debug, Default)]
pub struct BlockState {
    blocked: AtomicBool,
    request: Mutex<Option<UnblockReason>>,
    notify: Notify,
}

impl BlockState {
    /// Returns true while the connection waits in a blocking command (`flags=b`).
    pub fn is_blocked(&self) -> bool {
        self.blocked.load(Ordering::Acquire)
    }

    fn request(&self) -> MutexGuard<'_, Option<UnblockReason>> {
        self.request.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Asks the connection to stop waiting; false when it is not blocked.
    pub fn request_unblock(&self, reason: UnblockReason) -> bool {
        let mut request = self.request();
        if !self.is_blocked() {
            return false;
        }
        *request = Some(reason);
        self.notify.notify_one();
        true
    }

    /// Marks the connection blocked, forgetting any unblock request of an earlier wait.
    pub fn begin(&self) {
        let mut request = self.request();
        *request = None;
        self.blocked.store(true, Ordering::Release);
    }

    /// Marks the connection not blocked.
    pub fn end(&self) {
        let _request = self.request();
        self.blocked.store(false, Ordering::Release);
    }

    /// Waits until `CLIENT UNBLOCK` may have asked to stop; see [`BlockState::take_request`].
    pub async fn notified(&self) {
        self.notify.notified().await;
    }

    /// The pending unblock request, if any.
    pub fn take_request(&self) -> Option<UnblockReason> {
        self.request().take()
    }
}

/// One waiting connection.
#[derive(Debug, Clone, Copy)]
struct Waiting {
    seq: u64,
    with_timeout: bool,
}

/// This gateway's connections that wait in a blocking command, by their client id (the id their
/// writes carry to the nodes).
#[derive(Debug, Default)]
pub struct BlockedClients {
    map: Mutex<BTreeMap<u64, Waiting>>,
}

impl BlockedClients {
    fn lock(&self) -> MutexGuard<'_, BTreeMap<u64, Waiting>> {
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records that `client` waits for the blocked command of its write `seq`.
    pub fn insert(&self, client: u64, seq: u64, with_timeout: bool) {
        self.lock().insert(client, Waiting { seq, with_timeout });
    }

    /// Records that `client` no longer waits.
    pub fn remove(&self, client: u64) {
        self.lock().remove(&client);
    }

    /// `INFO blocked_clients`.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Returns true when no connection waits.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// `INFO clients_in_timeout_table`: the waiting connections with a timeout.
    pub fn with_timeout(&self) -> usize {
        self.lock().values().filter(|w| w.with_timeout).count()
    }

    /// `(client, seq)` of every waiting connection.
    pub fn list(&self) -> Vec<(u64, u64)> {
        self.lock().iter().map(|(c, w)| (*c, w.seq)).collect()
    }
}

/// Renews the leases of this gateway's waiters every [`RENEW_INTERVAL`] until the gateway is
/// gone.
pub async fn renew_loop(shared: Weak<Shared>) {
    let mut tick = tokio::time::interval(RENEW_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(shared) = shared.upgrade() else {
            return;
        };
        let waiters = shared.blocked.list();
        if waiters.is_empty() {
            continue;
        }
        let router = shared.router.clone();
        drop(shared);
        if !router.renew_waiters(&waiters).await {
            tracing::debug!(
                waiters = waiters.len(),
                "renewing blocked clients' leases failed"
            );
        }
    }
}

/// `CLIENT UNBLOCK client-id [TIMEOUT|ERROR]`: 1 when that client of this gateway was blocked
/// (it then stops waiting, replying its timeout's null or the UNBLOCKED error), else 0. `argv`
/// starts with `CLIENT`.
pub fn client_unblock(shared: &Shared, argv: &[Bytes]) -> Reply {
    if argv.len() < 3 {
        return Reply::Error(ReplyError::WrongArity(Bytes::from_static(
            b"client|unblock",
        )));
    }
    if argv.len() > 4 {
        let text = format!(
            "unknown subcommand or wrong number of arguments for '{}'. Try CLIENT HELP.",
            String::from_utf8_lossy(&argv[1])
        );
        return Reply::Error(ReplyError::Err(Bytes::from(text)));
    }
    let reason = match argv.get(3) {
        None => UnblockReason::Timeout,
        Some(r) if r.eq_ignore_ascii_case(b"timeout") => UnblockReason::Timeout,
        Some(r) if r.eq_ignore_ascii_case(b"error") => UnblockReason::Error,
        Some(_) => {
            return Reply::Error(ReplyError::err(
                "CLIENT UNBLOCK reason should be TIMEOUT or ERROR",
            ));
        }
    };
    let Some(id) = parse_i64(&argv[2]) else {
        return Reply::Error(ReplyError::NotInteger);
    };
    let unblocked = shared
        .clients
        .list()
        .into_iter()
        .find(|c| i64::try_from(c.id).is_ok_and(|cid| cid == id))
        .is_some_and(|c| c.block.request_unblock(reason));
    Reply::Integer(i64::from(unblocked))
}
