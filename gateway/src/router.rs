//! Leader discovery and transparent retry: sends a segment to the current Raft leader.
//!
//! The router keeps one long-lived gRPC channel per known storage node, remembers the leader
//! learned from replies (`NotLeader` hints and successful calls), and retries on leader change or
//! transport failure until the failover deadline. A retried write carries the same client id and
//! sequence number, so the node applies it at most once (DESIGN.md invariant 7).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use tinyredis_common::settings::ClusterSettings;
use tinyredis_common::{Reply, ReplyError};
use tinyredis_proto::pb;
use tinyredis_proto::pb::execute_response::Outcome;
use tinyredis_proto::pb::settings_response::Outcome as SettingsOutcome;
use tonic::transport::{Channel, Endpoint};

use crate::arrival::Arrival;
use crate::batch::Batcher;

/// The longest pause between two attempts of a segment while no leader answers.
const MAX_RETRY_BACKOFF: Duration = Duration::from_millis(50);

/// Why a segment could not be executed.
#[derive(Debug, Clone, PartialEq)]
pub enum ForwardError {
    /// No leader answered within the failover deadline.
    ClusterDown {
        /// True when a write may or may not have been applied.
        write: bool,
        /// The deadline that passed.
        deadline: Duration,
    },
}

impl ForwardError {
    /// The Redis error a client sees.
    pub fn to_reply_error(&self) -> ReplyError {
        match self {
            ForwardError::ClusterDown { write, deadline } => {
                let text = if *write {
                    format!(
                        "no Raft leader reachable within {}s; the write may or may not have been applied",
                        deadline.as_secs_f64()
                    )
                } else {
                    format!(
                        "no Raft leader reachable within {}s",
                        deadline.as_secs_f64()
                    )
                };
                ReplyError::ClusterDown(Bytes::from(text))
            }
        }
    }
}

#[derive(Default)]
struct Known {
    /// Node addresses in discovery order (seeds first).
    addrs: Vec<String>,
    channels: HashMap<String, Channel>,
    batchers: HashMap<String, Batcher>,
    /// The address of the node believed to be leader.
    leader: Option<String>,
    /// Rotates through `addrs` when no leader is known.
    next: usize,
}

/// Records one call to a node: its latency by kind, its result, and a retry unless it succeeded.
/// Label values are literals, so the metrics macros build their keys statically (no allocation).
fn record_attempt(
    write: bool,
    elapsed: Duration,
    resp: &Result<pb::ExecuteResponse, tonic::Status>,
) {
    use crate::metrics::{BACKEND_DURATION, BACKEND_REQUESTS, RETRIES};
    if write {
        metrics::histogram!(BACKEND_DURATION, "op" => "write").record(elapsed);
    } else {
        metrics::histogram!(BACKEND_DURATION, "op" => "read").record(elapsed);
    }
    match resp {
        Ok(r) if matches!(r.outcome, Some(Outcome::Replies(_))) => {
            metrics::counter!(BACKEND_REQUESTS, "result" => "ok").increment(1);
        }
        Ok(r) if matches!(r.outcome, Some(Outcome::NotLeader(_))) => {
            metrics::counter!(BACKEND_REQUESTS, "result" => "not_leader").increment(1);
            metrics::counter!(RETRIES, "reason" => "not_leader").increment(1);
        }
        Ok(_) | Err(_) => {
            metrics::counter!(BACKEND_REQUESTS, "result" => "error").increment(1);
            metrics::counter!(RETRIES, "reason" => "transport").increment(1);
        }
    }
}

/// How long a settings call may take beyond the long-poll wait it asks for.
const SETTINGS_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);

/// Largest gRPC message of the blocking calls (a popped value can be a 512 MB bulk).
const MAX_REPLY_SIZE: usize = 1 << 30;

/// What one `Kv.AwaitReply` call learned about a blocked command.
#[derive(Debug, Clone, PartialEq)]
pub enum Awaited {
    /// Its final reply.
    Reply(Reply),
    /// Still blocked.
    Pending,
    /// Its waiter is gone without a reply (its lease passed): propose the command again.
    Lost,
    /// No leader answered (the leader changed or is unknown); ask again.
    Retry,
}

/// Routes requests to the Raft leader; cheap to clone.
#[derive(Clone)]
pub struct Router {
    known: Arc<Mutex<Known>>,
    deadline: Duration,
}

impl Router {
    /// Creates a router over seed node addresses; the rest of the cluster is learned from them.
    pub fn new(seeds: &[String], deadline: Duration) -> Router {
        let router = Router {
            known: Arc::new(Mutex::new(Known::default())),
            deadline,
        };
        for s in seeds {
            router.learn(s);
        }
        router
    }

    /// How long a command may wait for a leader before it fails with CLUSTERDOWN.
    pub fn failover_timeout(&self) -> Duration {
        self.deadline
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Known> {
        self.known.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a node address to the known set.
    pub fn learn(&self, addr: &str) {
        if addr.is_empty() {
            return;
        }
        let mut k = self.lock();
        if !k.addrs.iter().any(|a| a == addr) {
            k.addrs.push(addr.to_string());
        }
    }

    fn channel(&self, addr: &str) -> Option<Channel> {
        let mut k = self.lock();
        if let Some(ch) = k.channels.get(addr) {
            return Some(ch.clone());
        }
        let ch = Endpoint::from_shared(format!("http://{addr}"))
            .ok()?
            .connect_timeout(Duration::from_secs(1))
            .tcp_nodelay(true)
            .http2_keep_alive_interval(Duration::from_secs(5))
            .keep_alive_timeout(Duration::from_secs(3))
            .keep_alive_while_idle(true)
            .connect_lazy();
        k.channels.insert(addr.to_string(), ch.clone());
        Some(ch)
    }

    fn batcher(&self, addr: &str) -> Option<Batcher> {
        if let Some(b) = self.lock().batchers.get(addr) {
            return Some(b.clone());
        }
        let batcher = Batcher::start(self.channel(addr)?);
        // Two callers may race here: keep the first batcher, the other one's task ends unused.
        Some(
            self.lock()
                .batchers
                .entry(addr.to_string())
                .or_insert(batcher)
                .clone(),
        )
    }

    /// Picks the node to try next: the leader if known, else the next known address.
    fn target(&self) -> Option<String> {
        let mut k = self.lock();
        if let Some(l) = &k.leader {
            return Some(l.clone());
        }
        if k.addrs.is_empty() {
            return None;
        }
        let i = k.next % k.addrs.len();
        k.next = k.next.wrapping_add(1);
        Some(k.addrs[i].clone())
    }

    fn set_leader(&self, addr: Option<String>) {
        let mut k = self.lock();
        if let Some(a) = &addr
            && !k.addrs.contains(a)
        {
            k.addrs.push(a.clone());
        }
        if addr.is_some() && addr != k.leader {
            metrics::counter!(crate::metrics::LEADER_CHANGES).increment(1);
        }
        k.leader = addr;
    }

    /// The currently believed leader address.
    pub fn leader(&self) -> Option<String> {
        self.lock().leader.clone()
    }

    /// Every known node address.
    pub fn addrs(&self) -> Vec<String> {
        self.lock().addrs.clone()
    }

    /// Executes a segment on the leader, retrying across leader changes until the deadline.
    pub async fn execute(&self, req: &pb::ExecuteRequest) -> Result<Vec<Reply>, ForwardError> {
        self.execute_ordered(req, None).await
    }

    /// [`Router::execute`] for a connection's segment: within a batch, segments go in the order
    /// their commands arrived ([`crate::arrival`]).
    pub async fn execute_ordered(
        &self,
        req: &pb::ExecuteRequest,
        arrival: Option<&Arrival>,
    ) -> Result<Vec<Reply>, ForwardError> {
        let ticket = arrival.map_or(0, Arrival::ticket);
        let started = Instant::now();
        let mut backoff = Duration::from_millis(20);
        let mut hops = 0u32;
        loop {
            let elapsed = started.elapsed();
            if elapsed >= self.deadline {
                metrics::counter!(crate::metrics::CLUSTER_DOWN).increment(1);
                return Err(ForwardError::ClusterDown {
                    write: req.write,
                    deadline: self.deadline,
                });
            }
            let remaining = self.deadline - elapsed;
            let Some(addr) = self.target() else {
                metrics::counter!(crate::metrics::RETRIES, "reason" => "no_node").increment(1);
                tokio::time::sleep(backoff.min(remaining)).await;
                continue;
            };
            let Some(batcher) = self.batcher(&addr) else {
                tracing::warn!(%addr, "invalid node address");
                self.set_leader(None);
                continue;
            };
            let attempt_started = Instant::now();
            let call = tokio::time::timeout(remaining, batcher.call(req.clone(), ticket));
            let attempt = match arrival {
                Some(arrival) => arrival.waiting(call).await,
                None => call.await,
            }
            .unwrap_or_else(|_| Err(tonic::Status::deadline_exceeded("failover deadline")));
            record_attempt(req.write, attempt_started.elapsed(), &attempt);
            match attempt {
                Ok(resp) => match resp.outcome {
                    Some(Outcome::Replies(r)) => {
                        if self.leader().as_deref() != Some(addr.as_str()) {
                            self.set_leader(Some(addr));
                        }
                        return Ok(r.replies.into_iter().map(Reply::from).collect());
                    }
                    Some(Outcome::NotLeader(hint)) => {
                        let hinted = (!hint.leader_addr.is_empty() && hint.leader_addr != addr)
                            .then_some(hint.leader_addr);
                        let has_hint = hinted.is_some();
                        self.set_leader(hinted);
                        // Follow a hint at once, but not forever: two nodes with stale views could
                        // point at each other.
                        if has_hint && hops < 3 {
                            hops += 1;
                            continue;
                        }
                    }
                    Some(Outcome::Failed(error)) => {
                        tracing::debug!(%addr, %error, "node failed the segment");
                        self.set_leader(None);
                    }
                    None => self.set_leader(None),
                },
                Err(status) => {
                    tracing::debug!(%addr, error = %status, "node call failed");
                    self.set_leader(None);
                }
            }
            tokio::time::sleep(backoff.min(remaining)).await;
            // Capped low: an election takes a few hundred ms, and a retry is a cheap local RPC,
            // so a short cap finds the new leader soon after it is elected.
            backoff = (backoff * 2).min(MAX_RETRY_BACKOFF);
        }
    }

    /// Asks the leader (or, when none is known, the next node) once for the cluster settings:
    /// waits up to `wait` for a version above `after_version`. `None` when the call failed; the
    /// caller retries.
    pub async fn settings(
        &self,
        after_version: u64,
        wait: Duration,
        linearizable: bool,
    ) -> Option<ClusterSettings> {
        let addr = self.target()?;
        let channel = self.channel(&addr)?;
        let mut client = pb::kv_client::KvClient::new(channel);
        let mut request = tonic::Request::new(pb::SettingsRequest {
            after_version,
            wait_ms: u32::try_from(wait.as_millis()).unwrap_or(u32::MAX),
            linearizable,
        });
        request.set_timeout(wait + SETTINGS_ATTEMPT_TIMEOUT);
        let Ok(response) = client.settings(request).await else {
            self.set_leader(None);
            return None;
        };
        match response.into_inner().outcome? {
            SettingsOutcome::Settings(bytes) => ClusterSettings::decode(&bytes),
            SettingsOutcome::NotLeader(hint) => {
                let hinted = (!hint.leader_addr.is_empty() && hint.leader_addr != addr)
                    .then_some(hint.leader_addr);
                self.set_leader(hinted);
                None
            }
        }
    }

    /// Learns the leader from a `NotLeader` hint given by `addr`.
    fn follow_hint(&self, addr: &str, hint: pb::NotLeader) {
        let hinted =
            (!hint.leader_addr.is_empty() && hint.leader_addr != addr).then_some(hint.leader_addr);
        self.set_leader(hinted);
    }

    /// Asks the leader once for the reply of the blocked command `(client_id, seq)`, waiting up
    /// to `wait` for it.
    pub async fn await_reply(&self, client_id: u64, seq: u64, wait: Duration) -> Awaited {
        use pb::await_reply_response::Outcome as AwaitOutcome;
        let Some(addr) = self.target() else {
            return Awaited::Retry;
        };
        let Some(channel) = self.channel(&addr) else {
            self.set_leader(None);
            return Awaited::Retry;
        };
        let mut request = tonic::Request::new(pb::AwaitReplyRequest {
            client_id,
            seq,
            wait_ms: u32::try_from(wait.as_millis()).unwrap_or(u32::MAX),
        });
        request.set_timeout(wait + SETTINGS_ATTEMPT_TIMEOUT);
        let response = pb::kv_client::KvClient::new(channel)
            .max_decoding_message_size(MAX_REPLY_SIZE)
            .await_reply(request)
            .await;
        let Ok(response) = response else {
            self.set_leader(None);
            return Awaited::Retry;
        };
        match response.into_inner().outcome {
            Some(AwaitOutcome::Reply(reply)) => Awaited::Reply(reply.into()),
            Some(AwaitOutcome::Pending(_)) => Awaited::Pending,
            Some(AwaitOutcome::Lost(_)) => Awaited::Lost,
            Some(AwaitOutcome::NotLeader(hint)) => {
                self.follow_hint(&addr, hint);
                Awaited::Retry
            }
            None => Awaited::Retry,
        }
    }

    /// Ends the wait of the blocked command `(client_id, seq)` through the log, retrying across
    /// leader changes until the failover deadline, and returns its final reply.
    pub async fn unblock(
        &self,
        client_id: u64,
        seq: u64,
        error: bool,
    ) -> Result<Reply, ForwardError> {
        use pb::unblock_response::Outcome as UnblockOutcome;
        let started = Instant::now();
        let mut backoff = Duration::from_millis(20);
        loop {
            let elapsed = started.elapsed();
            if elapsed >= self.deadline {
                metrics::counter!(crate::metrics::CLUSTER_DOWN).increment(1);
                return Err(ForwardError::ClusterDown {
                    write: true,
                    deadline: self.deadline,
                });
            }
            let remaining = self.deadline - elapsed;
            if let Some(addr) = self.target()
                && let Some(channel) = self.channel(&addr)
            {
                let mut request = tonic::Request::new(pb::UnblockRequest {
                    client_id,
                    seq,
                    error,
                });
                request.set_timeout(crate::batch::CALL_TIMEOUT.min(remaining));
                let response = pb::kv_client::KvClient::new(channel)
                    .max_decoding_message_size(MAX_REPLY_SIZE)
                    .unblock(request)
                    .await;
                match response.map(|r| r.into_inner().outcome) {
                    Ok(Some(UnblockOutcome::Reply(reply))) => return Ok(reply.into()),
                    Ok(Some(UnblockOutcome::NotLeader(hint))) => self.follow_hint(&addr, hint),
                    Ok(Some(UnblockOutcome::Failed(_)) | None) | Err(_) => self.set_leader(None),
                }
            }
            tokio::time::sleep(backoff.min(remaining)).await;
            backoff = (backoff * 2).min(Duration::from_millis(200));
        }
    }

    /// Renews the leases of blocked commands `(client_id, seq)` on the leader (following one
    /// leader hint); false when that failed, and the next renewal will try again.
    pub async fn renew_waiters(&self, waiters: &[(u64, u64)]) -> bool {
        use pb::renew_waiters_response::Outcome as RenewOutcome;
        for _ in 0..2 {
            let Some(addr) = self.target() else {
                return false;
            };
            let Some(channel) = self.channel(&addr) else {
                self.set_leader(None);
                return false;
            };
            let mut request = tonic::Request::new(pb::RenewWaitersRequest {
                waiters: waiters
                    .iter()
                    .map(|&(client_id, seq)| pb::BlockedCommand { client_id, seq })
                    .collect(),
            });
            request.set_timeout(crate::batch::CALL_TIMEOUT);
            let response = pb::kv_client::KvClient::new(channel)
                .max_encoding_message_size(MAX_REPLY_SIZE)
                .renew_waiters(request)
                .await;
            match response.map(|r| r.into_inner().outcome) {
                Ok(Some(RenewOutcome::Ok(_))) => return true,
                Ok(Some(RenewOutcome::NotLeader(hint))) => self.follow_hint(&addr, hint),
                Ok(Some(RenewOutcome::Failed(_)) | None) | Err(_) => {
                    self.set_leader(None);
                    return false;
                }
            }
        }
        false
    }

    /// Asks nodes for the cluster status: the leader's if reachable, else any node's.
    pub async fn status(&self) -> Option<pb::NodeStatus> {
        let mut order = Vec::new();
        if let Some(l) = self.leader() {
            order.push(l);
        }
        order.extend(self.addrs());
        let mut fallback = None;
        for addr in order {
            let Some(ch) = self.channel(&addr) else {
                continue;
            };
            let mut client = pb::admin_client::AdminClient::new(ch);
            let mut req = tonic::Request::new(pb::Empty {});
            req.set_timeout(Duration::from_secs(1));
            if let Ok(resp) = client.status(req).await {
                let st = resp.into_inner();
                for m in &st.members {
                    self.learn(&m.addr);
                }
                if st.role == "leader" {
                    return Some(st);
                }
                if fallback.is_none() {
                    fallback = Some(st);
                }
            }
        }
        fallback
    }

    /// Readiness: a node reports itself leader and that leader confirms a linearizable read (an
    /// empty read segment), within `timeout`.
    pub async fn check_leader(&self, timeout: Duration) -> Result<(), String> {
        let check = async {
            let st = self.status().await.ok_or("no storage node reachable")?;
            if st.role != "leader" {
                return Err("no storage node reports itself leader".to_string());
            }
            let ch = self
                .channel(&st.addr)
                .ok_or_else(|| format!("bad leader address {}", st.addr))?;
            let resp = pb::kv_client::KvClient::new(ch)
                .execute(pb::ExecuteRequest::default())
                .await
                .map_err(|e| format!("leader {} unreachable: {}", st.addr, e.message()))?;
            match resp.into_inner().outcome {
                Some(Outcome::Replies(_)) => Ok(()),
                _ => Err(format!("leader {} did not confirm a read", st.addr)),
            }
        };
        tokio::time::timeout(timeout, check)
            .await
            .map_err(|_| "leader check timed out".to_string())?
    }

    /// Periodically learns the cluster's members so that the gateway can fail over to nodes it
    /// was not told about.
    pub async fn discover_loop(self) {
        let mut tick = tokio::time::interval(Duration::from_secs(2));
        loop {
            tick.tick().await;
            if let Some(st) = self.status().await
                && self.leader().is_none()
                && !st.leader_addr.is_empty()
            {
                self.set_leader(Some(st.leader_addr));
            }
        }
    }
}
