//! Clients blocked by BLPOP and the other blocking commands: a registry that is part of the
//! replicated state machine (and of its snapshots), so every replica serves the same clients, in
//! the same order, with the same data.
//!
//! How a blocking command travels:
//!
//! 1. It is a write. Applied, it pops at once when it can (`crate::commands::blocking`);
//!    otherwise [`Blocking::register`] records a [`Waiter`] (the gateway's client id and the
//!    write's sequence number, the database, the keys, the [`WaitOp`]) and the command replies
//!    the internal `Reply::Blocked` marker.
//! 2. After each command of a log entry (after the last one for a MULTI block, as Redis serves
//!    after EXEC), [`Blocking::touched_keys`] lists the keys the command may have made ready
//!    (its key positions in the command table, plus the destinations of MOVE, COPY … DB, SORT …
//!    STORE and both databases of SWAPDB) that have waiters, and [`Blocking::serve_ready`] serves
//!    them in the same apply: key by key in the order they were touched, each key's waiters first
//!    come first served until the key is empty, as Redis's `handleClientsBlockedOnKeys`. A
//!    BLMOVE that pushes onto another key makes that key ready in turn (chained BLMOVEs).
//! 3. A served client's reply is kept in the registry ([`Served`]) until its gateway has it: the
//!    gateway long-polls `Kv.AwaitReply` on the leader. On timeout, CLIENT UNBLOCK or a
//!    disconnect, the gateway proposes `Op::Unblock`: [`Blocking::unblock`] removes the waiter
//!    and records the timeout's null or the UNBLOCKED error, unless the waiter was served first,
//!    in which case the served reply is what the gateway gets, so nothing popped is lost.
//! 4. Waiters hold a lease in log time: registering and `Op::RenewWaiters` (which the waiting
//!    gateway proposes periodically) set it to the entry's time plus [`WAITER_LEASE_MS`]. Each
//!    entry drops the waiters (and kept replies) whose lease has passed at its time, so the
//!    clients of a gateway that died stop taking data. A dropped waiter's gateway, if it is in
//!    fact alive, learns it from `Kv.AwaitReply` (`lost`) and proposes the command again.
//!
//! Everything here is deterministic: ordered maps only, times from log entries.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use tinyredis_common::command::{self, sort_store_position};
use tinyredis_common::num::parse_i64;
use tinyredis_common::{CommandId, NUM_DATABASES, Reply, ReplyError};

use crate::commands::WriteCtx;
use crate::commands::blocking::{self as cmd, Serve, WaitOp};
use crate::keyspace::Keyspace;

/// How long a waiter (or a kept reply) lives without being renewed, in log time. Gateways renew
/// every few seconds (`RENEW_INTERVAL` in the gateway), so only a gateway that is gone, or cut
/// off from the leader for this long, loses its waiters.
pub const WAITER_LEASE_MS: u64 = 15_000;

/// A blocked client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Waiter {
    /// The gateway's id of the client connection.
    pub client_id: u64,
    /// The sequence number of the write segment that holds the blocking command.
    pub seq: u64,
    /// The database of the keys.
    pub db: u32,
    /// The keys waited on, each once.
    pub keys: Vec<Bytes>,
    /// How to serve the client.
    pub op: WaitOp,
    /// The command's timeout in milliseconds (0: none), which its gateway enforces.
    pub timeout_ms: u64,
    /// The log time after which the waiter is dropped unless renewed.
    pub lease_until: u64,
}

/// The final reply of a blocked command, kept until its gateway has fetched it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Served {
    /// The sequence number of the write segment that held the command.
    pub seq: u64,
    /// The reply.
    pub reply: Reply,
    /// The log time after which the reply is forgotten unless renewed.
    pub lease_until: u64,
}

/// Where the reply of a blocked command stands, as `Kv.AwaitReply` reports it.
#[derive(Debug, Clone, PartialEq)]
pub enum AwaitStatus {
    /// Still waiting (or not yet applied on this node).
    Pending,
    /// The final reply.
    Done(Reply),
    /// Neither waiting nor served: the lease passed. The gateway proposes the command again.
    Lost,
}

/// The registry of blocked clients; see the module documentation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "BlockingData", into = "BlockingData")]
pub struct Blocking {
    /// Registration counter: waiter ids grow, so ordering by id is first come, first served.
    next_id: u64,
    waiters: BTreeMap<u64, Waiter>,
    /// The waiters of each key of each database, by id.
    by_key: BTreeMap<u32, BTreeMap<Bytes, BTreeSet<u64>>>,
    /// The waiter of each client (a connection blocks on one command at a time).
    by_client: BTreeMap<u64, u64>,
    /// `(lease_until, id)` of every waiter.
    by_lease: BTreeSet<(u64, u64)>,
    /// Kept replies, by client.
    served: BTreeMap<u64, Served>,
    /// `(lease_until, client)` of every kept reply.
    served_by_lease: BTreeSet<(u64, u64)>,
}

/// What a snapshot stores of the registry; the indexes are rebuilt when it is loaded.
#[derive(Serialize, Deserialize)]
struct BlockingData {
    next_id: u64,
    waiters: Vec<(u64, Waiter)>,
    served: Vec<(u64, Served)>,
}

impl From<Blocking> for BlockingData {
    fn from(b: Blocking) -> BlockingData {
        BlockingData {
            next_id: b.next_id,
            waiters: b.waiters.into_iter().collect(),
            served: b.served.into_iter().collect(),
        }
    }
}

impl From<BlockingData> for Blocking {
    fn from(data: BlockingData) -> Blocking {
        let mut b = Blocking {
            next_id: data.next_id,
            ..Blocking::default()
        };
        for (id, waiter) in data.waiters {
            b.insert(id, waiter);
            b.next_id = b.next_id.max(id + 1);
        }
        for (client, served) in data.served {
            b.served_by_lease.insert((served.lease_until, client));
            b.served.insert(client, served);
        }
        b
    }
}

impl Blocking {
    /// Returns true when no client is blocked (kept replies do not count).
    pub fn has_waiters(&self) -> bool {
        !self.waiters.is_empty()
    }

    /// The number of blocked clients.
    pub fn len(&self) -> usize {
        self.waiters.len()
    }

    /// Returns true when no client is blocked and no reply is kept.
    pub fn is_empty(&self) -> bool {
        self.waiters.is_empty() && self.served.is_empty()
    }

    /// Blocks a client (replacing any older waiter of the same client).
    pub fn register(&mut self, waiter: Waiter) {
        if let Some(&old) = self.by_client.get(&waiter.client_id) {
            self.remove(old);
        }
        if let Some(old) = self.served.remove(&waiter.client_id) {
            self.served_by_lease
                .remove(&(old.lease_until, waiter.client_id));
        }
        let id = self.next_id;
        self.next_id += 1;
        self.insert(id, waiter);
    }

    fn insert(&mut self, id: u64, waiter: Waiter) {
        let keys = self.by_key.entry(waiter.db).or_default();
        for key in &waiter.keys {
            keys.entry(key.clone()).or_default().insert(id);
        }
        self.by_client.insert(waiter.client_id, id);
        self.by_lease.insert((waiter.lease_until, id));
        self.waiters.insert(id, waiter);
    }

    fn remove(&mut self, id: u64) -> Option<Waiter> {
        let waiter = self.waiters.remove(&id)?;
        if let Some(keys) = self.by_key.get_mut(&waiter.db) {
            for key in &waiter.keys {
                if let Some(ids) = keys.get_mut(key) {
                    ids.remove(&id);
                    if ids.is_empty() {
                        keys.remove(key);
                    }
                }
            }
            if keys.is_empty() {
                self.by_key.remove(&waiter.db);
            }
        }
        if self.by_client.get(&waiter.client_id) == Some(&id) {
            self.by_client.remove(&waiter.client_id);
        }
        self.by_lease.remove(&(waiter.lease_until, id));
        Some(waiter)
    }

    /// The waiter of `(client, seq)`, if that command is blocked.
    pub fn waiter(&self, client: u64, seq: u64) -> Option<&Waiter> {
        let id = self.by_client.get(&client)?;
        self.waiters.get(id).filter(|w| w.seq == seq)
    }

    fn waiter_id(&self, client: u64, seq: u64) -> Option<u64> {
        let id = *self.by_client.get(&client)?;
        self.waiters.get(&id).filter(|w| w.seq == seq).map(|_| id)
    }

    /// Returns true when clients wait on `key` of database `db`.
    pub fn has_waiters_on(&self, db: u32, key: &[u8]) -> bool {
        self.by_key
            .get(&db)
            .is_some_and(|keys| keys.contains_key(key))
    }

    /// The kept reply of `(client, seq)`, if that command was served or unblocked.
    pub fn served(&self, client: u64, seq: u64) -> Option<&Reply> {
        self.served
            .get(&client)
            .filter(|s| s.seq == seq)
            .map(|s| &s.reply)
    }

    fn keep(&mut self, client: u64, seq: u64, reply: Reply, lease_until: u64) {
        if let Some(old) = self.served.insert(
            client,
            Served {
                seq,
                reply,
                lease_until,
            },
        ) {
            self.served_by_lease.remove(&(old.lease_until, client));
        }
        self.served_by_lease.insert((lease_until, client));
    }

    /// Where the reply of `(client, seq)` stands. `registered` tells whether this node has applied
    /// the entry that blocked it (the retry table knows the sequence number).
    pub fn status(&self, client: u64, seq: u64, registered: bool) -> AwaitStatus {
        if self.waiter(client, seq).is_some() {
            AwaitStatus::Pending
        } else if let Some(reply) = self.served(client, seq) {
            AwaitStatus::Done(reply.clone())
        } else if registered {
            AwaitStatus::Lost
        } else {
            AwaitStatus::Pending
        }
    }

    /// Extends the lease of the waiter or the kept reply of `(client, seq)`.
    pub fn renew(&mut self, client: u64, seq: u64, lease_until: u64) {
        if let Some(id) = self.waiter_id(client, seq)
            && let Some(waiter) = self.waiters.get_mut(&id)
        {
            self.by_lease.remove(&(waiter.lease_until, id));
            waiter.lease_until = waiter.lease_until.max(lease_until);
            self.by_lease.insert((waiter.lease_until, id));
        }
        if let Some(served) = self.served.get_mut(&client)
            && served.seq == seq
        {
            self.served_by_lease.remove(&(served.lease_until, client));
            served.lease_until = served.lease_until.max(lease_until);
            self.served_by_lease.insert((served.lease_until, client));
        }
    }

    /// Drops the waiters and kept replies whose lease has passed at `now_ms`.
    pub fn expire(&mut self, now_ms: u64) {
        while let Some(&(until, id)) = self.by_lease.first()
            && until <= now_ms
        {
            self.by_lease.pop_first();
            self.remove(id);
        }
        while let Some(&(until, client)) = self.served_by_lease.first()
            && until <= now_ms
        {
            self.served_by_lease.pop_first();
            self.served.remove(&client);
        }
    }

    /// A client sent the write `seq`: whatever it blocked on before is over (its gateway has
    /// the reply, or gave up on it), so the waiter and the kept reply of older writes go.
    pub fn client_moved_on(&mut self, client: u64, seq: u64) {
        if let Some(&id) = self.by_client.get(&client)
            && self.waiters.get(&id).is_some_and(|w| w.seq < seq)
        {
            self.remove(id);
        }
        if let Some(served) = self.served.get(&client)
            && served.seq < seq
        {
            let until = served.lease_until;
            self.served.remove(&client);
            self.served_by_lease.remove(&(until, client));
        }
    }

    /// Ends the wait of `(client, seq)` (`Op::Unblock`): the reply it was served with if a write
    /// served it first; otherwise the waiter (if still there) is removed and the command replies
    /// the timeout's null array, or the UNBLOCKED error for `CLIENT UNBLOCK … ERROR`. The reply
    /// is kept, so a retried unblock gets the same answer. Returns the reply and whether a
    /// waiter was removed.
    pub fn unblock(
        &mut self,
        client: u64,
        seq: u64,
        error: bool,
        lease_until: u64,
    ) -> (Reply, bool) {
        if let Some(reply) = self.served(client, seq) {
            return (reply.clone(), false);
        }
        let removed = self
            .waiter_id(client, seq)
            .and_then(|id| self.remove(id))
            .is_some();
        let reply = if error {
            Reply::Error(ReplyError::Unblocked)
        } else {
            Reply::NilArray
        };
        self.keep(client, seq, reply.clone(), lease_until);
        (reply, removed)
    }

    /// Appends to `out` the keys of database `db` (or of others) that the write `argv` may have
    /// made ready and that clients wait on: the key positions of its command-table entry, the
    /// destination of MOVE, COPY … DB and SORT … STORE, and for SWAPDB every waited-on key of both
    /// databases (Redis's `scanDatabaseForReadyKeys`). Cheap when no client waits.
    pub fn touched_keys(&self, argv: &[Bytes], db: u32, out: &mut Vec<(u32, Bytes)>) {
        if self.waiters.is_empty() || argv.is_empty() {
            return;
        }
        let Some(spec) = command::lookup(&argv[0]) else {
            return;
        };
        if !spec.is_write_call(argv) {
            return;
        }
        let mut push = |db: u32, key: &Bytes| {
            if self.has_waiters_on(db, key) {
                out.push((db, key.clone()));
            }
        };
        match spec.id {
            CommandId::Swapdb => {
                for arg in &argv[1..] {
                    if let Some(other) = db_index(arg)
                        && let Some(keys) = self.by_key.get(&other)
                    {
                        out.extend(keys.keys().map(|key| (other, key.clone())));
                    }
                }
            }
            CommandId::Move => {
                if let (Some(key), Some(to)) = (argv.get(1), argv.get(2).and_then(|a| db_index(a)))
                {
                    push(to, key);
                }
            }
            CommandId::Copy => {
                let mut to = db;
                let mut i = 3;
                while i < argv.len() {
                    if argv[i].eq_ignore_ascii_case(b"db") {
                        if let Some(d) = argv.get(i + 1).and_then(|a| db_index(a)) {
                            to = d;
                        }
                        i += 1;
                    }
                    i += 1;
                }
                if let Some(key) = argv.get(2) {
                    push(to, key);
                }
            }
            _ => {
                if let Some(pos) = (spec.id == CommandId::Sort)
                    .then(|| sort_store_position(argv))
                    .flatten()
                {
                    push(db, &argv[pos]);
                }
                if spec.first_key <= 0 || spec.step <= 0 {
                    return;
                }
                let first = spec.first_key as usize;
                let last = if spec.last_key < 0 {
                    argv.len() as i64 + i64::from(spec.last_key)
                } else {
                    i64::from(spec.last_key)
                };
                let last = usize::try_from(last).unwrap_or(0).min(argv.len() - 1);
                let mut i = first;
                while i <= last {
                    push(db, &argv[i]);
                    i += spec.step as usize;
                }
            }
        }
    }

    /// Serves the clients waiting on the `ready` keys, as Redis's `handleClientsBlockedOnKeys`:
    /// key by key in order (each once while queued), each key's waiters of the matching type in
    /// the order they blocked, until the key has nothing left. A BLMOVE's destination joins the
    /// queue. Appends the client id of every served client to `resolved`.
    pub fn serve_ready(
        &mut self,
        ks: &mut Keyspace,
        ready: Vec<(u32, Bytes)>,
        ctx: &WriteCtx,
        resolved: &mut Vec<u64>,
    ) {
        let mut queue: VecDeque<(u32, Bytes)> = VecDeque::new();
        let mut queued: BTreeSet<(u32, Bytes)> = BTreeSet::new();
        for slot in ready {
            if queued.insert(slot.clone()) {
                queue.push_back(slot);
            }
        }
        while let Some(slot) = queue.pop_front() {
            queued.remove(&slot);
            let (db, key) = &slot;
            let ids: Vec<u64> = match self.by_key.get(db).and_then(|keys| keys.get(key)) {
                Some(ids) => ids.iter().copied().collect(),
                None => continue,
            };
            for id in ids {
                let Some(waiter) = self.waiters.get(&id) else {
                    continue;
                };
                match cmd::serve(ks, *db as usize, key, &waiter.op, ctx) {
                    Serve::Empty => break,
                    Serve::OtherKind => continue,
                    Serve::Served { reply, pushed } => {
                        let Some(waiter) = self.remove(id) else {
                            continue;
                        };
                        self.keep(
                            waiter.client_id,
                            waiter.seq,
                            reply,
                            ctx.now_ms.saturating_add(WAITER_LEASE_MS),
                        );
                        resolved.push(waiter.client_id);
                        if let Some(destination) = pushed {
                            let next = (*db, destination);
                            if self.has_waiters_on(next.0, &next.1) && queued.insert(next.clone()) {
                                queue.push_back(next);
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A database index argument (SELECT's rules), or `None`.
fn db_index(arg: &[u8]) -> Option<u32> {
    parse_i64(arg)
        .filter(|&n| n >= 0 && (n as usize) < NUM_DATABASES)
        .map(|n| n as u32)
}

#[cfg(test)]
#[path = "blocking_test.rs"]
mod blocking_test;
