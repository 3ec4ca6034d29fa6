//! Raft plumbing: the openraft type configuration, the log entry payload, the RocksDB log store,
//! the in-memory state machine with file snapshots, and the tonic network.
//!
//! - [`Request`]: what a log entry carries (a batch of one client's commands, or leader-proposed
//!   expiry deletions), stamped by the leader with its time and a random seed.
//! - [`log_store::RocksLogStore`]: vote, log and committed id in RocksDB, with group commit.
//! - [`state_machine::StateMachine`]: applies entries to the [`crate::keyspace::Keyspace`].
//! - [`network::Network`]: openraft's network over gRPC, one HTTP/2 channel per peer.

use std::fmt;

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use tinyredis_common::Reply;

pub mod codec;
pub mod log_store;
pub mod network;
pub mod state_machine;

/// A node's numeric identity in the cluster.
pub type NodeId = u64;

openraft::declare_raft_types!(
    /// The openraft type configuration of tinyredis.
    pub TypeConfig:
        D = Request,
        R = Response,
        NodeId = NodeId,
        Node = openraft::BasicNode,
);

/// The Raft handle of a storage node.
pub type Raft = openraft::Raft<TypeConfig, state_machine::StateMachine>;

/// Aliases for openraft's generic types instantiated with [`TypeConfig`].
pub mod typ {
    use super::TypeConfig;

    pub type Entry = <TypeConfig as openraft::RaftTypeConfig>::Entry;
    pub type LogId = openraft::alias::LogIdOf<TypeConfig>;
    pub type Vote = openraft::alias::VoteOf<TypeConfig>;
    pub type SnapshotMeta = openraft::alias::SnapshotMetaOf<TypeConfig>;
    pub type StoredMembership = openraft::alias::StoredMembershipOf<TypeConfig>;
    pub type Membership = openraft::Membership<u64, openraft::BasicNode>;
    pub type RaftError<E = openraft::errors::Infallible> =
        openraft::errors::RaftError<TypeConfig, E>;
    pub type RPCError = openraft::errors::RPCError<TypeConfig>;
    pub type ClientWriteError = openraft::errors::ClientWriteError<TypeConfig>;
    pub type ForwardToLeader = openraft::errors::ForwardToLeader<TypeConfig>;
    pub type VoteRequest = openraft::raft::VoteRequest<TypeConfig>;
    pub type VoteResponse = openraft::raft::VoteResponse<TypeConfig>;
    pub type AppendEntriesRequest = openraft::raft::AppendEntriesRequest<TypeConfig>;
    pub type AppendEntriesResponse = openraft::raft::AppendEntriesResponse<TypeConfig>;
    pub type SnapshotResponse = openraft::raft::SnapshotResponse<TypeConfig>;
    pub type TransferLeaderRequest = openraft::raft::TransferLeaderRequest<TypeConfig>;
    pub type TransferLeaderResponse = openraft::raft::TransferLeaderResponse<TypeConfig>;
    pub type RaftMetrics = openraft::RaftMetrics<TypeConfig>;
}

/// The application payload of a log entry.
///
/// The leader fills `time_ms` and `seed` when it proposes the entry; apply reads no clock and no
/// random source, so every replica computes the same state (DESIGN.md invariant 3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// The leader's wall-clock time in unix milliseconds when it proposed the entry.
    pub time_ms: u64,
    /// A random seed for commands that need randomness.
    pub seed: u64,
    /// What to apply.
    pub op: Op,
}

/// The operation of a log entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Op {
    /// A run of one client's write commands, applied in order as one unit.
    Commands {
        /// The gateway-assigned client connection id.
        client_id: u64,
        /// The client's request sequence number (0: not deduplicated).
        seq: u64,
        /// The selected database.
        db: u32,
        /// Each command's argv (name first).
        commands: Vec<Vec<Bytes>>,
    },
    /// Leader-proposed removal of keys whose expiry has passed (removed only if still expired at
    /// the entry's time).
    ExpireKeys {
        /// `(db, key)` pairs.
        keys: Vec<(u32, Bytes)>,
    },
    /// A client's MULTI/EXEC block, applied in order as one unit: blocking commands in it do not
    /// block, and clients blocked on keys it makes ready are served after its last command.
    Transaction {
        /// The gateway-assigned client connection id.
        client_id: u64,
        /// The client's request sequence number (0: not deduplicated).
        seq: u64,
        /// The selected database when EXEC ran.
        db: u32,
        /// Each command's argv (name first).
        commands: Vec<Vec<Bytes>>,
    },
    /// Ends the wait of the blocked command in the write `(client_id, seq)` (its timeout passed,
    /// CLIENT UNBLOCK, its client left); see [`crate::blocking`].
    Unblock {
        /// The client connection id.
        client_id: u64,
        /// The sequence number of the write that blocked.
        seq: u64,
        /// Reply the UNBLOCKED error rather than the timeout's null.
        error: bool,
    },
    /// Extends the leases of blocked commands whose gateway still waits: `(client_id, seq)`.
    RenewWaiters {
        /// The blocked commands.
        waiters: Vec<(u64, u64)>,
    },
    /// The write segments of several clients that one gateway call carried, applied one after
    /// another in this order, each exactly as its own [`Op::Commands`] or [`Op::Transaction`]
    /// entry would be: one append, one replication round and one apply serve them all.
    Batch {
        /// The segments, in the order the gateway put them (their order of arrival).
        segments: Vec<Segment>,
    },
}

/// One client's write segment inside an [`Op::Batch`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    /// The gateway-assigned client connection id.
    pub client_id: u64,
    /// The client's request sequence number (0: not deduplicated).
    pub seq: u64,
    /// The selected database.
    pub db: u32,
    /// Each command's argv (name first).
    pub commands: Vec<Vec<Bytes>>,
    /// A MULTI/EXEC block (see [`Op::Transaction`]).
    pub transaction: bool,
}

impl fmt::Display for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.op {
            Op::Commands {
                client_id,
                seq,
                commands,
                ..
            } => write!(
                f,
                "commands(client={client_id}, seq={seq}, n={}, t={})",
                commands.len(),
                self.time_ms
            ),
            Op::ExpireKeys { keys } => write!(f, "expire(n={}, t={})", keys.len(), self.time_ms),
            Op::Transaction {
                client_id,
                seq,
                commands,
                ..
            } => write!(
                f,
                "transaction(client={client_id}, seq={seq}, n={}, t={})",
                commands.len(),
                self.time_ms
            ),
            Op::Unblock {
                client_id,
                seq,
                error,
            } => write!(
                f,
                "unblock(client={client_id}, seq={seq}, error={error}, t={})",
                self.time_ms
            ),
            Op::RenewWaiters { waiters } => {
                write!(f, "renew(n={}, t={})", waiters.len(), self.time_ms)
            }
            Op::Batch { segments } => {
                write!(f, "batch(n={}, t={})", segments.len(), self.time_ms)
            }
        }
    }
}

/// The result of applying one entry: one reply per command.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Response {
    /// Replies in command order (empty for expiry entries, blank and membership entries).
    pub replies: Vec<Reply>,
    /// For an [`Op::Batch`] entry, each segment's replies, in the segments' order (`replies` is
    /// then empty).
    pub segments: Vec<Vec<Reply>>,
}

impl Response {
    /// The response of an entry with one segment of commands.
    pub fn with_replies(replies: Vec<Reply>) -> Response {
        Response {
            replies,
            segments: Vec::new(),
        }
    }
}
