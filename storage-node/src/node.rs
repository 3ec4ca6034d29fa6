//! A running storage node: Raft, the shared state, the read barrier and the background tasks.
//!
//! [`run`] is the whole life of a node: open the data dir, start Raft and the gRPC server,
//! bootstrap or join when the data dir is new, propose expiry deletions while leader, and stop on
//! the shutdown signal. [`Node`] holds what the gRPC services call.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use bytes::Bytes;
use openraft::{BasicNode, ChangeMembers, ReadPolicy, ServerState, SnapshotPolicy};
use tinyredis_common::Reply;
use tinyredis_proto::pb;
use tokio::sync::{Mutex, mpsc, oneshot};

use crate::blocking::AwaitStatus;
use crate::commands::{self, ReadCtx};
use crate::raft::log_store::{RocksLogStore, open_db};
use crate::raft::network::{ChannelPool, MAX_MESSAGE_SIZE, NetworkFactory};
use crate::raft::state_machine::{SharedState, StateMachine};
use crate::raft::typ::{ClientWriteError, RaftError, RaftMetrics};
use crate::raft::{NodeId, Op, Raft, Request, Response, Segment};
use crate::resources::Resources;
use crate::service::{self, admin::AdminService, kv::KvService, raft::RaftService};
use openraft::rt::WatchReceiver;

/// How a storage node is configured.
#[derive(Debug, Clone)]
pub struct NodeConfig {
    /// This node's id; required for a new data dir, checked against the stored one otherwise.
    pub node_id: Option<NodeId>,
    /// Where RocksDB, snapshots and the node identity live.
    pub data_dir: PathBuf,
    /// The gRPC listen address.
    pub listen: String,
    /// The address peers and gateways use to reach this node (default: `listen`).
    pub advertise: Option<String>,
    /// Create a new single-voter cluster (only with an empty data dir).
    pub bootstrap: bool,
    /// Members to ask for admission (only with an empty or not-yet-joined data dir).
    pub join: Vec<String>,
    /// Raft heartbeat interval.
    pub heartbeat_ms: u64,
    /// Lower bound of the election timeout.
    pub election_timeout_min_ms: u64,
    /// Upper bound of the election timeout.
    pub election_timeout_max_ms: u64,
    /// Build a snapshot after this many applied entries since the last one.
    pub snapshot_logs: u64,
    /// Log entries kept behind a snapshot for slightly lagging followers.
    pub keep_logs_after_snapshot: u64,
    /// Serve reads under the leader lease instead of a read-index round (DESIGN.md invariant 5:
    /// an opt-in, named as such).
    pub lease_reads: bool,
    /// Where to serve `/metrics`, `/livez` and `/readyz` (none: not served).
    pub metrics_listen: Option<std::net::SocketAddr>,
}

impl Default for NodeConfig {
    fn default() -> NodeConfig {
        NodeConfig {
            node_id: None,
            data_dir: PathBuf::from("data/node"),
            listen: "127.0.0.1:7001".into(),
            advertise: None,
            bootstrap: false,
            join: Vec::new(),
            heartbeat_ms: 100,
            election_timeout_min_ms: 300,
            election_timeout_max_ms: 600,
            snapshot_logs: 20_000,
            keep_logs_after_snapshot: 1_000,
            lease_reads: false,
            metrics_listen: None,
        }
    }
}

/// The answer to a write request.
#[derive(Clone)]
pub enum WriteOutcome {
    /// Committed and applied: the replies.
    Applied(pb::Replies),
    /// This node cannot take writes.
    NotLeader(pb::NotLeader),
}

/// Why an admin operation did not complete.
pub enum AdminError {
    /// Must be sent to the leader.
    NotLeader(pb::NotLeader),
    /// Failed, with a reason.
    Failed(String),
}

/// The shared handle of a running node.
pub struct Node {
    /// This node's id.
    pub id: NodeId,
    /// The advertised address.
    pub addr: String,
    /// The Raft handle.
    pub raft: Raft,
    state: Arc<SharedState>,
    reads: ReadBarrier,
    /// Last timestamp handed out, so stamps never go backwards on this node.
    clock: AtomicU64,
    /// Serializes membership changes.
    membership_lock: Mutex<()>,
    snapshot_dir: PathBuf,
    /// Memory, CPU and last-save figures for `status`.
    resources: Resources,
    /// Channels to peers (shared with Raft's network), for the readiness check.
    pool: ChannelPool,
}

fn wall_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

fn pb_replies(replies: Vec<Reply>) -> pb::Replies {
    pb::Replies {
        replies: replies.into_iter().map(pb::Reply::from).collect(),
    }
}

impl Node {
    /// A copy of the current Raft metrics (never hold the watch borrow across an await).
    fn metrics(&self) -> RaftMetrics {
        self.raft.metrics().borrow_watched().clone()
    }

    /// A timestamp for a new log entry: wall-clock ms, never below one handed out before or the
    /// latest applied entry's time.
    fn stamp(&self) -> u64 {
        let floor = self.state.read().last_time_ms;
        let now = wall_ms().max(floor);
        let prev = self.clock.fetch_max(now, Ordering::Relaxed);
        now.max(prev)
    }

    /// Proposes a write segment (`transaction`: a MULTI/EXEC block) and waits until it is
    /// committed and applied.
    pub async fn write(
        &self,
        client_id: u64,
        seq: u64,
        db: u32,
        commands: Vec<Vec<Bytes>>,
        transaction: bool,
    ) -> Result<WriteOutcome, tonic::Status> {
        let op = if transaction {
            Op::Transaction {
                client_id,
                seq,
                db,
                commands,
            }
        } else {
            Op::Commands {
                client_id,
                seq,
                db,
                commands,
            }
        };
        self.propose(op).await
    }

    /// Ends the wait of the blocked command `(client_id, seq)` through the log and returns its
    /// final reply (see [`crate::blocking`]).
    pub async fn unblock(
        &self,
        client_id: u64,
        seq: u64,
        error: bool,
    ) -> Result<WriteOutcome, tonic::Status> {
        self.propose(Op::Unblock {
            client_id,
            seq,
            error,
        })
        .await
    }

    /// Extends the leases of the blocked commands `(client_id, seq)` through the log.
    pub async fn renew_waiters(
        &self,
        waiters: Vec<(u64, u64)>,
    ) -> Result<WriteOutcome, tonic::Status> {
        self.propose(Op::RenewWaiters { waiters }).await
    }

    /// Waits up to `wait` for the final reply of the blocked command `(client_id, seq)`; only
    /// the leader answers, so that a gateway waits where new writes are applied first.
    pub async fn await_reply(
        &self,
        client_id: u64,
        seq: u64,
        wait: Duration,
    ) -> Result<AwaitStatus, pb::NotLeader> {
        if self.metrics().current_leader != Some(self.id) {
            return Err(self.leader_hint());
        }
        Ok(self.state.await_reply(client_id, seq, wait).await)
    }

    /// Proposes the write segments of one gateway call as one entry ([`Op::Batch`]) and waits
    /// until it is committed and applied; returns each segment's outcome, in order.
    pub async fn write_batch(
        &self,
        segments: Vec<Segment>,
    ) -> Result<Vec<WriteOutcome>, tonic::Status> {
        let n = segments.len();
        Ok(match self.propose_entry(Op::Batch { segments }).await? {
            Ok(response) if response.segments.len() == n => response
                .segments
                .into_iter()
                .map(|replies| WriteOutcome::Applied(pb_replies(replies)))
                .collect(),
            Ok(response) => {
                return Err(tonic::Status::internal(format!(
                    "a batch of {n} segments was applied with {} replies",
                    response.segments.len()
                )));
            }
            Err(hint) => vec![WriteOutcome::NotLeader(hint); n],
        })
    }

    /// Proposes one entry and waits until it is committed and applied.
    async fn propose(&self, op: Op) -> Result<WriteOutcome, tonic::Status> {
        Ok(match self.propose_entry(op).await? {
            Ok(response) => WriteOutcome::Applied(pb_replies(response.replies)),
            Err(hint) => WriteOutcome::NotLeader(hint),
        })
    }

    /// Proposes one entry and waits until it is committed and applied: its response, or where
    /// the leader is.
    async fn propose_entry(
        &self,
        op: Op,
    ) -> Result<Result<Response, pb::NotLeader>, tonic::Status> {
        let request = Request {
            time_ms: self.stamp(),
            seed: rand::random(),
            op,
        };
        let started = std::time::Instant::now();
        let pending = metrics::gauge!(crate::metrics::PROPOSALS_PENDING);
        pending.increment(1.0);
        let res = self.raft.client_write(request).await;
        pending.decrement(1.0);
        // Literal label values: the metrics macros then build the key statically (no allocation).
        if res.is_ok() {
            metrics::counter!(crate::metrics::PROPOSALS, "result" => "committed").increment(1);
            metrics::histogram!(crate::metrics::PROPOSAL_DURATION).record(started.elapsed());
        } else {
            metrics::counter!(crate::metrics::PROPOSALS, "result" => "failed").increment(1);
        }
        match res {
            Ok(resp) => Ok(Ok(resp.data)),
            Err(RaftError::APIError(ClientWriteError::ForwardToLeader(f)))
            | Err(RaftError::APIError(ClientWriteError::LogEntryDiscarded(f))) => {
                Ok(Err(service::not_leader(&f)))
            }
            Err(RaftError::APIError(e)) => Err(tonic::Status::internal(e.to_string())),
            Err(RaftError::Fatal(e)) => {
                Err(tonic::Status::unavailable(format!("raft stopped: {e}")))
            }
        }
    }

    /// Serves a read segment after a linearizable read barrier.
    pub async fn read(
        &self,
        db: u32,
        commands: Vec<Vec<Bytes>>,
    ) -> Result<pb::Replies, pb::NotLeader> {
        let mut replies = self.read_segments(vec![(db, commands)]).await?;
        Ok(replies.pop().unwrap_or_default())
    }

    /// Serves read segments `(db, commands)` after one shared linearizable read barrier, all
    /// against the same state: one set of replies per segment, in order.
    pub async fn read_segments(
        &self,
        segments: Vec<(u32, Vec<Vec<Bytes>>)>,
    ) -> Result<Vec<pb::Replies>, pb::NotLeader> {
        self.reads.wait(segments.len()).await?;
        let state = self.state.read();
        let ctx = ReadCtx {
            now_ms: wall_ms().max(state.last_time_ms),
            seed: None,
        };
        Ok(segments
            .into_iter()
            .map(|(db, commands)| pb_replies(read_segment(&state.keyspace, db, &commands, &ctx)))
            .collect())
    }

    /// Returns the encoded cluster settings once their version is above `after_version`, or after
    /// `wait` with the current ones; with `linearizable`, after a read barrier (so that a gateway
    /// checking a password sees every change acknowledged before).
    pub async fn settings(
        &self,
        after_version: u64,
        wait: Duration,
        linearizable: bool,
    ) -> Result<Vec<u8>, pb::NotLeader> {
        if linearizable {
            self.reads.wait(1).await?;
        }
        let mut watch = self.state.watch_settings();
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            {
                let state = self.state.read();
                if state.settings.version > after_version || tokio::time::Instant::now() >= deadline
                {
                    return Ok(state.settings.encode());
                }
            }
            if tokio::time::timeout_at(deadline, watch.changed())
                .await
                .is_ok_and(|r| r.is_err())
            {
                // The state machine is gone (shutdown): answer with what there is.
                return Ok(self.state.read().settings.encode());
            }
        }
    }

    /// The leader hint from this node's metrics.
    fn leader_hint(&self) -> pb::NotLeader {
        let m = self.metrics();
        let addr = m.current_leader.and_then(|l| {
            m.membership_config
                .membership()
                .get_node(&l)
                .map(|n| n.addr.clone())
        });
        pb::NotLeader {
            leader_id: m.current_leader,
            leader_addr: addr.unwrap_or_default(),
        }
    }

    /// Reports this node's view of the cluster.
    pub fn status(&self) -> pb::NodeStatus {
        let m = self.metrics();
        let membership = m.membership_config.membership();
        let voters: BTreeSet<NodeId> = membership.voter_ids().collect();
        let members = membership
            .nodes()
            .map(|(id, node)| pb::Member {
                id: *id,
                addr: node.addr.clone(),
                kind: if voters.contains(id) {
                    "voter"
                } else {
                    "learner"
                }
                .into(),
            })
            .collect();
        let role = match m.state {
            ServerState::Leader => "leader",
            ServerState::Follower => "follower",
            ServerState::Candidate => "candidate",
            ServerState::Learner => "learner",
            ServerState::Shutdown => "shutdown",
        };
        let keyspace = self
            .state
            .read()
            .keyspace
            .db_stats()
            .into_iter()
            .map(|(db, keys, expires)| pb::DbStats {
                db: db as u32,
                keys,
                expires,
            })
            .collect();
        let leader_addr = m
            .current_leader
            .and_then(|l| membership.get_node(&l).map(|n| n.addr.clone()))
            .unwrap_or_default();
        let mut status = pb::NodeStatus {
            node_id: self.id,
            addr: self.addr.clone(),
            role: role.into(),
            term: m.current_term,
            leader_id: m.current_leader,
            leader_addr,
            last_log_index: m.last_log_index,
            committed_index: m.local_committed.map(|l| l.index),
            applied_index: m.last_applied.map(|l| l.index),
            snapshot_index: m.snapshot.map(|l| l.index),
            members,
            keyspace,
            ..Default::default()
        };
        self.resources.fill(&mut status, &self.state);
        status
    }

    fn admin_err(&self, e: RaftError<ClientWriteError>) -> AdminError {
        match e {
            RaftError::APIError(ClientWriteError::ForwardToLeader(f)) => {
                AdminError::NotLeader(service::not_leader(&f))
            }
            other => AdminError::Failed(other.to_string()),
        }
    }

    /// Adds a node as a learner, waits for it to catch up, then promotes it to voter.
    pub async fn add_node(&self, id: NodeId, addr: String, voter: bool) -> Result<(), AdminError> {
        if !self.raft.is_leader() {
            return Err(AdminError::NotLeader(self.leader_hint()));
        }
        let _guard = self.membership_lock.lock().await;
        let current = self
            .metrics()
            .membership_config
            .membership()
            .get_node(&id)
            .cloned();
        if let Some(existing) = current
            && existing.addr != addr
        {
            return Err(AdminError::Failed(format!(
                "node {id} is already a member with address {}; remove it first",
                existing.addr
            )));
        }
        tracing::info!(node = id, %addr, "adding learner");
        self.raft
            .add_learner(id, BasicNode { addr }, true)
            .await
            .map_err(|e| self.admin_err(e))?;
        if voter {
            tracing::info!(node = id, "promoting to voter");
            self.raft
                .change_membership(ChangeMembers::AddVoterIds(BTreeSet::from([id])), true)
                .await
                .map_err(|e| self.admin_err(e))?;
        }
        Ok(())
    }

    /// Removes a node (voter or learner) from the cluster.
    pub async fn remove_node(&self, id: NodeId) -> Result<(), AdminError> {
        if !self.raft.is_leader() {
            return Err(AdminError::NotLeader(self.leader_hint()));
        }
        let _guard = self.membership_lock.lock().await;
        let membership = self.metrics().membership_config.membership().clone();
        if membership.get_node(&id).is_none() {
            return Err(AdminError::Failed(format!("node {id} is not a member")));
        }
        let change = if membership.voter_ids().any(|v| v == id) {
            ChangeMembers::RemoveVoters(BTreeSet::from([id]))
        } else {
            ChangeMembers::RemoveNodes(BTreeSet::from([id]))
        };
        self.raft
            .change_membership(change, false)
            .await
            .map_err(|e| self.admin_err(e))?;
        Ok(())
    }

    /// Builds a snapshot now and waits (up to a minute) until it exists.
    pub async fn snapshot_now(&self) -> Result<(), AdminError> {
        let target = self.metrics().last_applied.map(|l| l.index);
        self.raft
            .trigger()
            .snapshot()
            .await
            .map_err(|e| AdminError::Failed(e.to_string()))?;
        let res = self
            .raft
            .wait(Some(Duration::from_secs(60)))
            .metrics(
                |m| m.snapshot.as_ref().map(|l| l.index) >= target,
                "snapshot covers applied log",
            )
            .await;
        res.map(|_| ())
            .map_err(|e| AdminError::Failed(e.to_string()))
    }

    /// Hands leadership to voter `to` and waits (up to 10 s) until a leader other than this node
    /// is known.
    pub async fn transfer_leader(&self, to: NodeId) -> Result<(), AdminError> {
        if !self.raft.is_leader() {
            return Err(AdminError::NotLeader(self.leader_hint()));
        }
        if to == self.id {
            return Ok(());
        }
        if !self
            .metrics()
            .membership_config
            .membership()
            .voter_ids()
            .any(|v| v == to)
        {
            return Err(AdminError::Failed(format!("node {to} is not a voter")));
        }
        self.raft
            .trigger()
            .transfer_leader(to)
            .await
            .map_err(|e| AdminError::Failed(e.to_string()))?;
        self.raft
            .wait(Some(Duration::from_secs(10)))
            .metrics(|m| m.current_leader == Some(to), "leadership transferred")
            .await
            .map(|_| ())
            .map_err(|e| AdminError::Failed(e.to_string()))
    }

    /// openraft's runtime statistics, human-readable (`/debug/raft`): batch sizes and per-stage
    /// latencies of log entries since the node started.
    pub async fn raft_stats(&self) -> Result<String, String> {
        match self.raft.runtime_stats().await {
            Ok(stats) => Ok(format!("{}\n", stats.display().human_readable())),
            Err(e) => Err(format!("raft stopped: {e}")),
        }
    }

    /// Readiness: a leader is known and a linearizable read succeeds (on a follower, the leader
    /// confirms one for it), within `timeout`. Followers are ready too; readiness never means
    /// "is leader".
    pub async fn check_ready(&self, timeout: Duration) -> Result<(), String> {
        let hint = self.leader_hint();
        let Some(leader) = hint.leader_id else {
            return Err("no Raft leader known".into());
        };
        let read = async {
            if leader == self.id {
                // A probe, not a client read: it counts no reads.
                return self
                    .reads
                    .wait(0)
                    .await
                    .map_err(|_| "linearizable read failed".to_string());
            }
            let ch = self
                .pool
                .get(&hint.leader_addr)
                .map_err(|e| format!("leader address {}: {e}", hint.leader_addr))?;
            let resp = pb::kv_client::KvClient::new(ch)
                .execute(pb::ExecuteRequest::default())
                .await
                .map_err(|e| format!("leader {leader} unreachable: {}", e.message()))?;
            match resp.into_inner().outcome {
                Some(pb::execute_response::Outcome::Replies(_)) => Ok(()),
                _ => Err(format!(
                    "leader {leader} did not confirm a linearizable read"
                )),
            }
        };
        tokio::time::timeout(timeout, read)
            .await
            .map_err(|_| "linearizable read timed out".to_string())?
    }

    /// A fresh path to receive a snapshot into.
    pub fn incoming_snapshot_path(&self) -> PathBuf {
        self.snapshot_dir
            .join(format!("incoming-{:016x}.part", rand::random::<u64>()))
    }
}

/// Runs one read segment's commands against `keyspace`, starting in database `db` (a
/// transaction's SELECT changes it for the commands after it).
fn read_segment(
    keyspace: &crate::keyspace::Keyspace,
    db: u32,
    commands: &[Vec<Bytes>],
    ctx: &ReadCtx,
) -> Vec<Reply> {
    let mut db = db as usize;
    let mut replies = Vec::with_capacity(commands.len());
    for argv in commands {
        if let Some(reply) = commands::select_in_transaction(argv, &mut db) {
            replies.push(reply);
            continue;
        }
        match commands::watch::execute(keyspace, argv, ctx.now_ms) {
            commands::watch::Outcome::NotWatch => {}
            commands::watch::Outcome::Reply(reply) => {
                replies.push(reply);
                continue;
            }
            commands::watch::Outcome::WatchFailed => {
                replies.push(commands::watch::failed_reply());
                replies.resize(commands.len(), Reply::Nil);
                break;
            }
        }
        replies.push(commands::execute_read(keyspace, db, argv, ctx));
    }
    replies
}

/// Coalesces concurrent linearizable reads: every read waiting when a confirmation round starts
/// shares that round; reads that arrive during a round wait for a later one (DESIGN.md invariant
/// 5). Up to [`READ_ROUNDS_IN_FLIGHT`] rounds overlap, so a read arriving mid-round starts the next
/// round at once instead of waiting for the current one to end: a read then waits about one round
/// rather than one and a half.
#[derive(Clone)]
struct ReadBarrier {
    tx: mpsc::UnboundedSender<ReadWaiter>,
}

/// A caller waiting at the read barrier: how many reads it serves, and where to answer.
struct ReadWaiter {
    reads: usize,
    done: oneshot::Sender<Result<(), pb::NotLeader>>,
}

/// Confirmation rounds of the read barrier that may run at once.
const READ_ROUNDS_IN_FLIGHT: usize = 2;

impl ReadBarrier {
    fn start(raft: Raft, lease: bool) -> ReadBarrier {
        let policy = if lease {
            ReadPolicy::LeaseRead
        } else {
            ReadPolicy::ReadIndex
        };
        let (tx, mut rx) = mpsc::unbounded_channel::<ReadWaiter>();
        tokio::spawn(async move {
            let mut rounds = futures::stream::FuturesUnordered::new();
            loop {
                // Take the waiting reads when a round slot is free; otherwise finish a round.
                let first = if rounds.len() < READ_ROUNDS_IN_FLIGHT {
                    tokio::select! {
                        biased;
                        Some(()) = futures::StreamExt::next(&mut rounds) => continue,
                        first = rx.recv() => match first {
                            Some(first) => first,
                            None => break,
                        },
                    }
                } else {
                    futures::StreamExt::next(&mut rounds).await;
                    continue;
                };
                let mut waiters = vec![first];
                while let Ok(w) = rx.try_recv() {
                    waiters.push(w);
                }
                rounds.push(confirm_round(raft.clone(), policy.clone(), waiters));
            }
            while futures::StreamExt::next(&mut rounds).await.is_some() {}
        });
        ReadBarrier { tx }
    }

    /// Waits for a confirmation round that started after this call, on behalf of `reads` reads.
    async fn wait(&self, reads: usize) -> Result<(), pb::NotLeader> {
        let (done, rx) = oneshot::channel();
        if self.tx.send(ReadWaiter { reads, done }).is_err() {
            return Err(pb::NotLeader::default());
        }
        rx.await.unwrap_or_else(|_| Err(pb::NotLeader::default()))
    }
}

/// Runs one confirmation round of the read barrier and answers the reads that share it.
async fn confirm_round(raft: Raft, policy: ReadPolicy, waiters: Vec<ReadWaiter>) {
    let started = std::time::Instant::now();
    let res = tokio::time::timeout(Duration::from_secs(5), raft.ensure_linearizable(policy)).await;
    metrics::histogram!(crate::metrics::READ_BARRIER_DURATION).record(started.elapsed());
    let reads: usize = waiters.iter().map(|w| w.reads).sum();
    metrics::counter!(crate::metrics::READ_BARRIER_READS).increment(reads as u64);
    let outcome = match res {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(RaftError::APIError(e))) => Err(match e {
            openraft::errors::LinearizableReadError::ForwardToLeader(f) => service::not_leader(&f),
            openraft::errors::LinearizableReadError::QuorumNotEnough(_) => pb::NotLeader::default(),
        }),
        Ok(Err(RaftError::Fatal(_))) | Err(_) => Err(pb::NotLeader::default()),
    };
    for w in waiters {
        let _ = w.done.send(outcome.clone());
    }
}

const NODE_ID_FILE: &str = "NODE_ID";
const JOINED_FILE: &str = "JOINED";

/// Resolves this node's id from the flag and the data dir, storing it on first start.
fn resolve_identity(data_dir: &Path, flag: Option<NodeId>) -> anyhow::Result<NodeId> {
    let path = data_dir.join(NODE_ID_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let stored: NodeId = text
                .trim()
                .parse()
                .with_context(|| format!("{} is corrupt", path.display()))?;
            if let Some(id) = flag
                && id != stored
            {
                bail!(
                    "data dir {} belongs to node {stored}, not node {id}; use the right --data-dir or --node-id",
                    data_dir.display()
                );
            }
            Ok(stored)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let Some(id) = flag else {
                bail!(
                    "--node-id is required for a new data dir ({})",
                    data_dir.display()
                );
            };
            if id == 0 {
                bail!("--node-id must be at least 1");
            }
            std::fs::write(&path, format!("{id}\n"))?;
            Ok(id)
        }
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

/// Runs a storage node until `shutdown` resolves.
pub async fn run(
    config: NodeConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating data dir {}", config.data_dir.display()))?;
    let id = resolve_identity(&config.data_dir, config.node_id)?;
    let advertise = config
        .advertise
        .clone()
        .unwrap_or_else(|| config.listen.clone());

    let db = open_db(&config.data_dir.join("raft"))?;
    let log_store = RocksLogStore::new(db)?;
    let snapshot_dir = config.data_dir.join("snapshots");
    let state_machine = StateMachine::open(&snapshot_dir)?;
    let fresh = log_store.is_empty()? && state_machine.shared().read().last_applied.is_none();
    let state = state_machine.shared();

    let raft_config = openraft::Config {
        cluster_name: "tinyredis".into(),
        heartbeat_interval: config.heartbeat_ms,
        election_timeout_min: config.election_timeout_min_ms,
        election_timeout_max: config.election_timeout_max_ms,
        install_snapshot_timeout: 60_000,
        snapshot_policy: SnapshotPolicy::LogsSinceLast(config.snapshot_logs),
        max_in_snapshot_log_to_keep: config.keep_logs_after_snapshot,
        replication_lag_threshold: config.snapshot_logs.saturating_mul(2).max(1000),
        ..Default::default()
    };
    let raft_config = Arc::new(
        raft_config
            .validate()
            .context("invalid Raft timing settings")?,
    );
    let pool = ChannelPool::default();
    let raft = Raft::new(
        id,
        raft_config,
        NetworkFactory::new(pool.clone()),
        log_store,
        state_machine,
    )
    .await
    .context("starting Raft")?;

    let node = Arc::new(Node {
        id,
        addr: advertise.clone(),
        raft: raft.clone(),
        state,
        reads: ReadBarrier::start(raft.clone(), config.lease_reads),
        clock: AtomicU64::new(0),
        membership_lock: Mutex::new(()),
        resources: Resources::new(snapshot_dir.clone()),
        pool: pool.clone(),
        snapshot_dir,
    });

    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .with_context(|| format!("listening on {}", config.listen))?;
    tracing::info!(node = id, listen = %config.listen, advertise = %advertise, "storage node serving gRPC");
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let (stop_http_tx, stop_http_rx) = oneshot::channel::<()>();
    if let Some(addr) = config.metrics_listen {
        let http = tinyredis_common::telemetry::metrics::bind(addr)
            .await
            .with_context(|| format!("listening on metrics-listen {addr}"))?;
        crate::metrics::describe();
        tokio::spawn(crate::metrics::watch_leader(raft.clone()));
        let probes = Arc::new(crate::metrics::NodeProbes { node: node.clone() });
        tracing::info!(%addr, "serving /metrics, /livez, /readyz");
        tokio::spawn(tinyredis_common::telemetry::metrics::serve(
            http,
            probes,
            async {
                let _ = stop_http_rx.await;
            },
        ));
    }
    // gRPC health (grpc.health.v1): "" (the process serves, for liveness probes) is always
    // SERVING; the Kv service is SERVING while a leader is known.
    let (health_reporter, health_service) = tonic_health::server::health_reporter();
    tokio::spawn(crate::metrics::report_grpc_health(
        raft.clone(),
        health_reporter,
    ));
    // `Server::tcp_nodelay` only applies to sockets tonic accepts itself, so the listener we bound
    // sets it per connection: with Nagle on, a response's frames wait for the peer's delayed ACK
    // (40 ms on Linux), which is what every heartbeat round of a linearizable read waited for.
    let incoming = tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true));
    let server = tonic::transport::Server::builder()
        .add_service(health_service)
        .add_service(
            pb::kv_server::KvServer::new(KvService::new(node.clone()))
                .max_decoding_message_size(MAX_MESSAGE_SIZE)
                .max_encoding_message_size(MAX_MESSAGE_SIZE),
        )
        .add_service(
            pb::raft_server::RaftServer::new(RaftService::new(node.clone()))
                .max_decoding_message_size(MAX_MESSAGE_SIZE)
                .max_encoding_message_size(MAX_MESSAGE_SIZE),
        )
        .add_service(pb::admin_server::AdminServer::new(AdminService::new(
            node.clone(),
        )))
        .serve_with_incoming_shutdown(incoming, async {
            let _ = stop_rx.await;
        });
    let server = tokio::spawn(server);

    let joined_marker = config.data_dir.join(JOINED_FILE);
    if fresh && config.bootstrap {
        tracing::info!(node = id, "bootstrapping a new cluster");
        raft.initialize(BTreeMap::from([(
            id,
            BasicNode {
                addr: advertise.clone(),
            },
        )]))
        .await
        .context("bootstrapping")?;
        std::fs::write(&joined_marker, b"bootstrap\n")?;
    } else if !config.join.is_empty() && (fresh || !joined_marker.exists()) {
        let node2 = node.clone();
        let seeds = config.join.clone();
        let pool2 = pool.clone();
        let marker = joined_marker.clone();
        tokio::spawn(async move {
            join_cluster(&node2, &pool2, &seeds).await;
            if let Err(e) = std::fs::write(&marker, b"joined\n") {
                tracing::error!(error = %e, "cannot record join in the data dir");
            }
        });
    } else if !fresh && (config.bootstrap || !config.join.is_empty()) {
        tracing::info!(
            node = id,
            "data dir has Raft state: restarting from it, ignoring --bootstrap/--join"
        );
    }

    tokio::spawn(expire_loop(node.clone()));

    tokio::select! {
        _ = shutdown => tracing::info!("shutting down"),
        res = server => {
            match res {
                Ok(Ok(())) => {}
                Ok(Err(e)) => bail!("gRPC server failed: {e}"),
                Err(e) => bail!("gRPC server task failed: {e}"),
            }
        }
    }
    // A leader that stops on purpose hands over first, so clients see no election timeout.
    if raft.is_leader() {
        let voters: Vec<NodeId> = node
            .metrics()
            .membership_config
            .membership()
            .voter_ids()
            .filter(|v| *v != id)
            .collect();
        if let Some(&to) = voters.first() {
            match tokio::time::timeout(Duration::from_secs(3), node.transfer_leader(to)).await {
                Ok(Ok(())) => tracing::info!(to, "leadership handed over before shutdown"),
                _ => tracing::warn!(to, "leadership handover before shutdown did not complete"),
            }
        }
    }
    let _ = stop_tx.send(());
    let _ = stop_http_tx.send(());
    if let Err(e) = raft.shutdown().await {
        tracing::warn!(error = %e, "raft shutdown");
    }
    Ok(())
}

/// Asks the seeds (and then whichever leader they name) to add this node until one succeeds.
async fn join_cluster(node: &Node, pool: &ChannelPool, seeds: &[String]) {
    use pb::admin_client::AdminClient;
    let mut attempt = 0u32;
    loop {
        let mut targets: Vec<String> = seeds.to_vec();
        let mut i = 0;
        while i < targets.len() && i < 16 {
            let addr = targets[i].clone();
            i += 1;
            let Ok(ch) = pool.get(&addr) else {
                tracing::error!(%addr, "invalid --join address");
                continue;
            };
            let mut client = AdminClient::new(ch);
            let mut req = tonic::Request::new(pb::AddNodeRequest {
                node_id: node.id,
                addr: node.addr.clone(),
                voter: true,
            });
            req.set_timeout(Duration::from_secs(600));
            match client.add_node(req).await {
                Ok(resp) => match resp.into_inner().outcome {
                    Some(pb::admin_response::Outcome::Ok(_)) => {
                        tracing::info!(node = node.id, via = %addr, "joined the cluster as a voter");
                        return;
                    }
                    Some(pb::admin_response::Outcome::NotLeader(hint))
                        if !hint.leader_addr.is_empty() && !targets.contains(&hint.leader_addr) =>
                    {
                        targets.insert(i, hint.leader_addr);
                    }
                    Some(pb::admin_response::Outcome::NotLeader(_)) => {}
                    Some(pb::admin_response::Outcome::Error(e)) => {
                        tracing::warn!(via = %addr, error = %e, "join refused");
                    }
                    None => {}
                },
                Err(status) => tracing::debug!(via = %addr, error = %status, "join attempt failed"),
            }
        }
        attempt += 1;
        if attempt % 10 == 1 {
            tracing::warn!(seeds = ?seeds, "waiting to join the cluster");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// While leader, proposes deletion of keys whose expiry has passed (DESIGN.md invariant 4).
async fn expire_loop(node: Arc<Node>) {
    const BATCH: usize = 500;
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if !node.raft.is_leader() {
            continue;
        }
        loop {
            let keys: Vec<(u32, Bytes)> = {
                let state = node.state.read();
                let now = wall_ms().max(state.last_time_ms);
                state
                    .keyspace
                    .expired_sample(now, BATCH)
                    .into_iter()
                    .map(|(db, k)| (db as u32, k))
                    .collect()
            };
            if keys.is_empty() {
                break;
            }
            let full = keys.len() == BATCH;
            let req = Request {
                time_ms: node.stamp(),
                seed: 0,
                op: Op::ExpireKeys { keys },
            };
            if let Err(e) = node.raft.client_write(req).await {
                tracing::debug!(error = %e, "expiry proposal failed");
                break;
            }
            if !full {
                break;
            }
        }
    }
}
