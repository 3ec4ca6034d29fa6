//! Cross-connection batching: one gRPC call to a node carries the segments that many client
//! connections have waiting at the same moment.
//!
//! Each node address has one [`Batcher`]: a task that takes the queued segments, sends them as one
//! `ExecuteBatch` call and hands each connection its own response. At most [`MAX_IN_FLIGHT`] calls
//! per node are outstanding; while they are, new segments queue up and leave together in the next
//! call. A lone client therefore pays no extra wait, and under load the per-call cost (HTTP/2
//! frames, header coding, task wake-ups on both sides) is shared by the whole batch, while the node
//! serves the batch's reads with one read barrier and proposes its writes as one Raft log entry
//! (one append, one replication round, one apply for all of them).
//!
//! Order within a connection is untouched: a connection sends its next segment only after the
//! previous one was answered, so a batch never holds two segments of one connection. Between
//! connections, a batch puts segments in the order their sockets became readable
//! ([`crate::arrival`]), and calls leave in the order they were formed, so that commands clients
//! send one right after the other (a BLPOP, then another BLPOP on the same key) reach the log in
//! that order, as Redis would run them.
// #[PerformanceCriticalPath]

use std::sync::Arc;
use std::time::Duration;

use tinyredis_proto::pb;
use tokio::sync::{Semaphore, mpsc, oneshot};
use tonic::Status;
use tonic::transport::Channel;

/// Calls to one node that may be outstanding at once.
const MAX_IN_FLIGHT: usize = 4;

/// The most turns the batcher yields, before closing a batch, to connections still working on
/// input they read (see [`crate::arrival`]).
const MAX_GATHER_YIELDS: usize = 16;

/// Most segments in one call.
const MAX_BATCH_SEGMENTS: usize = 512;

/// Rough payload bytes after which a batch is closed (a single larger segment still goes alone).
const MAX_BATCH_BYTES: usize = 8 << 20;

/// Largest gRPC message exchanged with nodes (a 512 MB bulk plus framing fits).
const MAX_MESSAGE_SIZE: usize = 1 << 30;

/// The longest one call may take before its segments are failed back to the router, which then
/// retries them wherever the leader is.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(5);

struct Job {
    req: pb::ExecuteRequest,
    /// The [`crate::arrival`] ticket of the segment's commands.
    arrival: u64,
    done: oneshot::Sender<Result<pb::ExecuteResponse, Status>>,
}

/// Sends segments to one node, batched; cheap to clone.
#[derive(Clone)]
pub struct Batcher {
    tx: mpsc::UnboundedSender<Job>,
}

impl Batcher {
    /// Starts the batching task for the node behind `channel`.
    pub fn start(channel: Channel) -> Batcher {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(run(channel, rx));
        Batcher { tx }
    }

    /// Executes one segment on this node, in whatever batch it lands in; `arrival` is the
    /// [`crate::arrival`] ticket of its commands, which orders it among the batch's segments.
    pub async fn call(
        &self,
        req: pb::ExecuteRequest,
        arrival: u64,
    ) -> Result<pb::ExecuteResponse, Status> {
        let (done, rx) = oneshot::channel();
        self.tx
            .send(Job { req, arrival, done })
            .map_err(|_| Status::unavailable("gateway batcher stopped"))?;
        rx.await
            .map_err(|_| Status::unavailable("batched call dropped"))?
    }
}

/// Approximate encoded size of a segment.
fn weight(req: &pb::ExecuteRequest) -> usize {
    req.commands
        .iter()
        .flat_map(|c| &c.argv)
        .map(|a| a.len() + 8)
        .sum()
}

async fn run(channel: Channel, mut rx: mpsc::UnboundedReceiver<Job>) {
    let client = pb::kv_client::KvClient::new(channel)
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE);
    let slots = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
    // Numbers this task's calls, so the node hands their writes to Raft in this order.
    let sender = rand::random::<u64>() | 1;
    let mut sender_seq = 0u64;
    let mut carried: Option<Job> = None;
    loop {
        let first = match carried.take() {
            Some(job) => job,
            None => match rx.recv().await {
                Some(job) => job,
                None => return,
            },
        };
        // Wait for a free slot before draining, so that everything arriving meanwhile joins.
        let Ok(permit) = slots.clone().acquire_owned().await else {
            return;
        };
        // Let the connections woken in the same turn as the first one queue their segments too,
        // so that the batch can put them in their order of arrival.
        for _ in 0..MAX_GATHER_YIELDS {
            tokio::task::yield_now().await;
            if !crate::arrival::busy() {
                break;
            }
        }
        let mut bytes = weight(&first.req);
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH_SEGMENTS {
            let Ok(job) = rx.try_recv() else { break };
            let w = weight(&job.req);
            if bytes + w > MAX_BATCH_BYTES {
                carried = Some(job);
                break;
            }
            bytes += w;
            jobs.push(job);
        }
        jobs.sort_by_key(|job| job.arrival);
        let mut client = client.clone();
        let (requests, dones): (Vec<_>, Vec<_>) = jobs.into_iter().map(|j| (j.req, j.done)).unzip();
        sender_seq += 1;
        let mut request = tonic::Request::new(pb::ExecuteBatchRequest {
            requests,
            sender,
            sender_seq,
        });
        request.set_timeout(CALL_TIMEOUT);
        let mut call = Box::pin(async move { client.execute_batch(request).await });
        // The first poll hands the request to the channel, here, in the order the segments
        // arrived: a call spawned later must not overtake it, or writes that clients sent one
        // after the other (a BLPOP, then the push that should serve it) reach the log reordered.
        let first = futures::poll!(call.as_mut());
        tokio::spawn(async move {
            let _permit = permit;
            let response = match first {
                std::task::Poll::Ready(response) => response,
                std::task::Poll::Pending => call.await,
            };
            let result = response.and_then(|resp| {
                let responses = resp.into_inner().responses;
                if responses.len() == dones.len() {
                    Ok(responses)
                } else {
                    Err(Status::internal(format!(
                        "node answered {} of {} batched segments",
                        responses.len(),
                        dones.len()
                    )))
                }
            });
            match result {
                Ok(responses) => {
                    for (done, resp) in dones.into_iter().zip(responses) {
                        let _ = done.send(Ok(resp));
                    }
                }
                Err(status) => {
                    for done in dones {
                        let _ = done.send(Err(status.clone()));
                    }
                }
            }
        });
    }
}
