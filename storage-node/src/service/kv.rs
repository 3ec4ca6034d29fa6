//! The client API: executes a gateway's read or write segments.
// #[PerformanceCriticalPath]

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

use tinyredis_proto::pb;
use tinyredis_proto::pb::execute_response::Outcome;
use tinyredis_proto::pb::settings_response::Outcome as SettingsOutcome;
use tonic::{Request, Response, Status};

use crate::blocking::AwaitStatus;
use crate::node::{Node, WriteOutcome};
use crate::raft::Segment;
use crate::service::order::Sequencer;
use tinyredis_proto::pb::await_reply_response::Outcome as AwaitOutcome;
use tinyredis_proto::pb::renew_waiters_response::Outcome as RenewOutcome;
use tinyredis_proto::pb::unblock_response::Outcome as UnblockOutcome;

/// Most segments one `ExecuteBatch` call may carry (the gateway sends far fewer).
const MAX_BATCH: usize = 4096;

/// Implements `tinyredis.v1.Kv`.
pub struct KvService {
    node: Arc<Node>,
    /// Keeps each gateway's batches in order.
    order: Sequencer,
}

impl KvService {
    /// Serves the client API of `node`.
    pub fn new(node: Arc<Node>) -> KvService {
        KvService {
            node,
            order: Sequencer::default(),
        }
    }

    /// Runs one segment: a write through the log, a read after the read barrier.
    async fn execute_one(&self, req: pb::ExecuteRequest) -> Result<Outcome, Status> {
        check_db(&req)?;
        if req.write {
            let commands = req.commands.into_iter().map(|c| c.argv).collect();
            let outcome = self
                .node
                .write(req.client_id, req.seq, req.db, commands, req.transaction)
                .await?;
            Ok(write_outcome(outcome))
        } else {
            Ok(self.read(req).await)
        }
    }

    /// Serves a read segment after the shared read barrier.
    async fn read(&self, req: pb::ExecuteRequest) -> Outcome {
        let commands: Vec<_> = req.commands.into_iter().map(|c| c.argv).collect();
        match self.node.read(req.db, commands).await {
            Ok(replies) => Outcome::Replies(replies),
            Err(hint) => Outcome::NotLeader(hint),
        }
    }

    /// Runs a batch's read segments after one shared read barrier. Returns one outcome per
    /// segment, in order.
    async fn read_all(&self, segments: Vec<(u32, Vec<Vec<Bytes>>)>) -> Vec<Outcome> {
        let n = segments.len();
        if n == 0 {
            return Vec::new();
        }
        match self.node.read_segments(segments).await {
            Ok(replies) => replies.into_iter().map(Outcome::Replies).collect(),
            Err(hint) => vec![Outcome::NotLeader(hint); n],
        }
    }

    /// Runs a batch's write segments: one alone as its own entry, several as one
    /// [`crate::raft::Op::Batch`] entry. Returns one outcome per segment, in order.
    async fn write_all(&self, segments: Vec<Segment>) -> Vec<Result<Outcome, Status>> {
        let n = segments.len();
        let res = match n {
            0 => return Vec::new(),
            1 => {
                let Some(s) = segments.into_iter().next() else {
                    return Vec::new();
                };
                self.node
                    .write(s.client_id, s.seq, s.db, s.commands, s.transaction)
                    .await
                    .map(|outcome| vec![outcome])
            }
            _ => self.node.write_batch(segments).await,
        };
        match res {
            Ok(outcomes) => outcomes.into_iter().map(|o| Ok(write_outcome(o))).collect(),
            Err(status) => vec![Err(status); n],
        }
    }
}

/// Refuses a segment whose database index is out of range.
fn check_db(req: &pb::ExecuteRequest) -> Result<(), Status> {
    if req.db as usize >= tinyredis_common::NUM_DATABASES {
        return Err(Status::invalid_argument("db index out of range"));
    }
    Ok(())
}

/// The wire outcome of a write.
fn write_outcome(outcome: WriteOutcome) -> Outcome {
    match outcome {
        WriteOutcome::Applied(replies) => Outcome::Replies(replies),
        WriteOutcome::NotLeader(hint) => Outcome::NotLeader(hint),
    }
}

#[tonic::async_trait]
impl pb::kv_server::Kv for KvService {
    async fn execute(
        &self,
        request: Request<pb::ExecuteRequest>,
    ) -> Result<Response<pb::ExecuteResponse>, Status> {
        let outcome = self.execute_one(request.into_inner()).await?;
        Ok(Response::new(pb::ExecuteResponse {
            outcome: Some(outcome),
        }))
    }

    async fn execute_batch(
        &self,
        request: Request<pb::ExecuteBatchRequest>,
    ) -> Result<Response<pb::ExecuteBatchResponse>, Status> {
        let batch = request.into_inner();
        let (sender, sender_seq, requests) = (batch.sender, batch.sender_seq, batch.requests);
        if requests.len() > MAX_BATCH {
            return Err(Status::invalid_argument(format!(
                "a batch carries at most {MAX_BATCH} segments"
            )));
        }
        // Every write segment of the call goes into one log entry (one append, one replication
        // round, one apply), while the reads wait for one read barrier and then run together,
        // concurrently in this one task. The first poll hands the entry to openraft, after the
        // sender's previous call's.
        self.order.wait_turn(sender, sender_seq).await;
        let mut outcomes: Vec<Option<Result<Outcome, Status>>> = Vec::with_capacity(requests.len());
        let mut write_slots = Vec::new();
        let mut segments = Vec::new();
        let mut read_slots = Vec::new();
        let mut reads = Vec::new();
        for req in requests {
            let slot = outcomes.len();
            outcomes.push(None);
            if let Err(status) = check_db(&req) {
                outcomes[slot] = Some(Err(status));
            } else if req.write {
                write_slots.push(slot);
                segments.push(Segment {
                    client_id: req.client_id,
                    seq: req.seq,
                    db: req.db,
                    commands: req.commands.into_iter().map(|c| c.argv).collect(),
                    transaction: req.transaction,
                });
            } else {
                read_slots.push(slot);
                reads.push((req.db, req.commands.into_iter().map(|c| c.argv).collect()));
            }
        }
        let mut all = std::pin::pin!(futures::future::join(
            self.write_all(segments),
            self.read_all(reads)
        ));
        let first = futures::poll!(all.as_mut());
        self.order.done(sender, sender_seq);
        let (written, read) = match first {
            std::task::Poll::Ready(done) => done,
            std::task::Poll::Pending => all.await,
        };
        for (slot, outcome) in write_slots.into_iter().zip(written) {
            outcomes[slot] = Some(outcome);
        }
        for (slot, outcome) in read_slots.into_iter().zip(read) {
            outcomes[slot] = Some(Ok(outcome));
        }
        let responses = outcomes
            .into_iter()
            .map(|o| {
                let o = o.unwrap_or_else(|| Err(Status::internal("segment not run")));
                pb::ExecuteResponse {
                    outcome: Some(
                        o.unwrap_or_else(|status| Outcome::Failed(status.message().into())),
                    ),
                }
            })
            .collect();
        Ok(Response::new(pb::ExecuteBatchResponse { responses }))
    }

    async fn settings(
        &self,
        request: Request<pb::SettingsRequest>,
    ) -> Result<Response<pb::SettingsResponse>, Status> {
        let req = request.into_inner();
        let wait = Duration::from_millis(u64::from(req.wait_ms).min(MAX_SETTINGS_WAIT_MS));
        let outcome = match self
            .node
            .settings(req.after_version, wait, req.linearizable)
            .await
        {
            Ok(bytes) => SettingsOutcome::Settings(bytes.into()),
            Err(hint) => SettingsOutcome::NotLeader(hint),
        };
        Ok(Response::new(pb::SettingsResponse {
            outcome: Some(outcome),
        }))
    }

    async fn await_reply(
        &self,
        request: Request<pb::AwaitReplyRequest>,
    ) -> Result<Response<pb::AwaitReplyResponse>, Status> {
        let req = request.into_inner();
        let wait = Duration::from_millis(u64::from(req.wait_ms).min(MAX_AWAIT_WAIT_MS));
        let outcome = match self.node.await_reply(req.client_id, req.seq, wait).await {
            Ok(AwaitStatus::Done(reply)) => AwaitOutcome::Reply(reply.into()),
            Ok(AwaitStatus::Pending) => AwaitOutcome::Pending(pb::Empty {}),
            Ok(AwaitStatus::Lost) => AwaitOutcome::Lost(pb::Empty {}),
            Err(hint) => AwaitOutcome::NotLeader(hint),
        };
        Ok(Response::new(pb::AwaitReplyResponse {
            outcome: Some(outcome),
        }))
    }

    async fn unblock(
        &self,
        request: Request<pb::UnblockRequest>,
    ) -> Result<Response<pb::UnblockResponse>, Status> {
        let req = request.into_inner();
        let outcome = match self.node.unblock(req.client_id, req.seq, req.error).await {
            Ok(WriteOutcome::Applied(replies)) => UnblockOutcome::Reply(single_reply(replies)?),
            Ok(WriteOutcome::NotLeader(hint)) => UnblockOutcome::NotLeader(hint),
            Err(status) => UnblockOutcome::Failed(status.message().into()),
        };
        Ok(Response::new(pb::UnblockResponse {
            outcome: Some(outcome),
        }))
    }

    async fn renew_waiters(
        &self,
        request: Request<pb::RenewWaitersRequest>,
    ) -> Result<Response<pb::RenewWaitersResponse>, Status> {
        let waiters: Vec<(u64, u64)> = request
            .into_inner()
            .waiters
            .into_iter()
            .map(|w| (w.client_id, w.seq))
            .collect();
        if waiters.len() > MAX_RENEW {
            return Err(Status::invalid_argument(format!(
                "a renewal carries at most {MAX_RENEW} blocked commands"
            )));
        }
        let outcome = match self.node.renew_waiters(waiters).await {
            Ok(WriteOutcome::Applied(_)) => RenewOutcome::Ok(pb::Empty {}),
            Ok(WriteOutcome::NotLeader(hint)) => RenewOutcome::NotLeader(hint),
            Err(status) => RenewOutcome::Failed(status.message().into()),
        };
        Ok(Response::new(pb::RenewWaitersResponse {
            outcome: Some(outcome),
        }))
    }
}

/// The longest a `Settings` long-poll may wait for a change.
const MAX_SETTINGS_WAIT_MS: u64 = 30_000;

/// The longest an `AwaitReply` long-poll may wait for a reply.
const MAX_AWAIT_WAIT_MS: u64 = 30_000;

/// The most blocked commands one `RenewWaiters` call may carry.
const MAX_RENEW: usize = 1 << 16;

/// The single reply of an `Unblock` entry.
fn single_reply(replies: pb::Replies) -> Result<pb::Reply, Status> {
    replies
        .replies
        .into_iter()
        .next()
        .ok_or_else(|| Status::internal("unblock applied without a reply"))
}
