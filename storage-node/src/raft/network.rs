//! openraft's network over gRPC: one lazily connected, long-lived HTTP/2 channel per peer.
//!
//! Requests and responses are openraft's own messages encoded with [`codec`] inside a
//! `RaftMessage`; a remote node answers `Result<Response, RaftError>` the same way. Transport
//! failures become [`Unreachable`] so openraft backs off instead of retrying hot.

use std::collections::HashMap;
use std::future::Future;
use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use futures::{Stream, StreamExt};
use openraft::errors::{NetworkError, RPCError, ReplicationClosed, StreamingError, Unreachable};
use openraft::network::v2::RaftNetworkV2;
use openraft::network::{RPCOption, RaftNetworkFactory};
use openraft::raft::StreamAppendResult;
use openraft::{BasicNode, OptionalSend};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tinyredis_proto::pb;
use tinyredis_proto::pb::raft_client::RaftClient;
use tonic::transport::{Channel, Endpoint};

use super::state_machine::SnapshotFile;
use super::typ::{
    AppendEntriesRequest, AppendEntriesResponse, RaftError, SnapshotResponse,
    TransferLeaderRequest, TransferLeaderResponse, Vote, VoteRequest, VoteResponse,
};
use super::{NodeId, TypeConfig, codec};

/// Largest gRPC message a node accepts or sends (a 512 MB bulk plus framing fits).
pub const MAX_MESSAGE_SIZE: usize = 1 << 30;

/// Size of the data chunks a snapshot is streamed in.
const SNAPSHOT_CHUNK: usize = 1 << 20;

/// A pool of gRPC channels, one per address, shared by everything in the node that talks to peers.
#[derive(Clone, Default)]
pub struct ChannelPool {
    channels: Arc<Mutex<HashMap<String, Channel>>>,
}

impl ChannelPool {
    /// Returns the channel to `addr`, creating it (without connecting) on first use.
    pub fn get(&self, addr: &str) -> Result<Channel, tonic::transport::Error> {
        let mut map = self.channels.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(ch) = map.get(addr) {
            return Ok(ch.clone());
        }
        let ch = Endpoint::from_shared(format!("http://{addr}"))?
            .connect_timeout(Duration::from_secs(2))
            .tcp_nodelay(true)
            .http2_keep_alive_interval(Duration::from_secs(10))
            .keep_alive_timeout(Duration::from_secs(5))
            .connect_lazy();
        map.insert(addr.to_string(), ch.clone());
        Ok(ch)
    }
}

/// Creates a [`Network`] client per peer.
#[derive(Clone)]
pub struct NetworkFactory {
    pool: ChannelPool,
}

impl NetworkFactory {
    /// Builds a factory over a channel pool.
    pub fn new(pool: ChannelPool) -> NetworkFactory {
        NetworkFactory { pool }
    }
}

impl RaftNetworkFactory<TypeConfig> for NetworkFactory {
    type Network = Network;

    async fn new_client(&mut self, target: NodeId, node: &BasicNode) -> Network {
        // Handles built once per peer: the RPC path records without building labels.
        let peer = target.to_string();
        Network {
            target,
            rtt: metrics::histogram!(crate::metrics::PEER_RTT, "peer" => peer.clone()),
            send_failures: metrics::counter!(crate::metrics::PEER_SEND_FAILURES, "peer" => peer),
            client: self
                .pool
                .get(&node.addr)
                .map(|ch| {
                    RaftClient::new(ch)
                        .max_decoding_message_size(MAX_MESSAGE_SIZE)
                        .max_encoding_message_size(MAX_MESSAGE_SIZE)
                })
                .map_err(|e| e.to_string()),
        }
    }
}

/// One answer of a replication stream.
type StreamAppendItem = Result<StreamAppendResult<TypeConfig>, RPCError<TypeConfig>>;

/// The client side of the Raft RPCs to one peer.
pub struct Network {
    target: NodeId,
    /// Round trips of append-entries RPCs (heartbeats included) to this peer.
    rtt: metrics::Histogram,
    /// Failed RPCs to this peer.
    send_failures: metrics::Counter,
    /// The client, or why the peer's address is unusable.
    client: Result<RaftClient<Channel>, String>,
}

/// Decodes a peer's answer, `Result<Resp, RaftError>`.
fn decode_remote<Resp: DeserializeOwned>(
    target: NodeId,
    data: &[u8],
) -> Result<Resp, RPCError<TypeConfig>> {
    let res: Result<Resp, RaftError> =
        codec::decode(data).map_err(|e| RPCError::Network(NetworkError::new(&e)))?;
    // The only remote error is Fatal (the peer's Raft stopped): treat the peer as unreachable so
    // openraft backs off.
    res.map_err(|e| RPCError::Unreachable(Unreachable::from_string(format!("node {target}: {e}"))))
}

fn status_to_rpc(status: tonic::Status) -> RPCError<TypeConfig> {
    match status.code() {
        tonic::Code::Unavailable | tonic::Code::Cancelled | tonic::Code::DeadlineExceeded => {
            RPCError::Unreachable(Unreachable::from_string(status.to_string()))
        }
        _ => RPCError::Network(NetworkError::from_string(status.to_string())),
    }
}

impl Network {
    fn client(&self) -> Result<RaftClient<Channel>, RPCError<TypeConfig>> {
        self.client.clone().map_err(|e| {
            RPCError::Unreachable(Unreachable::from_string(format!("bad peer address: {e}")))
        })
    }

    fn decode_reply<Resp: DeserializeOwned>(
        &self,
        data: &[u8],
    ) -> Result<Resp, RPCError<TypeConfig>> {
        decode_remote(self.target, data)
    }

    fn message<Req: Serialize>(
        req: &Req,
        option: &RPCOption,
    ) -> Result<tonic::Request<pb::RaftMessage>, RPCError<TypeConfig>> {
        let data = codec::encode(req).map_err(|e| RPCError::Network(NetworkError::new(&e)))?;
        let mut request = tonic::Request::new(pb::RaftMessage {
            data: Bytes::from(data),
        });
        request.set_timeout(option.hard_ttl());
        Ok(request)
    }
}

impl RaftNetworkV2<TypeConfig> for Network {
    type SnapshotData = SnapshotFile;

    /// Pipelined replication over one bidirectional gRPC stream: requests are sent as openraft
    /// produces them, without waiting for the previous answer (the default implementation waits
    /// for each, so every follower fsync would stall the next batch of entries).
    fn stream_append<'s, S>(
        &'s mut self,
        input: S,
        _option: RPCOption,
    ) -> BoxFuture<'s, Result<BoxStream<'s, StreamAppendItem>, RPCError<TypeConfig>>>
    where
        S: Stream<Item = AppendEntriesRequest> + OptionalSend + Unpin + 'static,
    {
        Box::pin(async move {
            let mut client = self.client()?;
            let target = self.target;
            // An unencodable request ends the stream rather than being skipped, so that answers
            // stay aligned with requests.
            let requests = futures::stream::unfold(input, |mut input| async move {
                let req = input.next().await?;
                match codec::encode(&req) {
                    Ok(data) => Some((
                        pb::RaftMessage {
                            data: Bytes::from(data),
                        },
                        input,
                    )),
                    Err(e) => {
                        tracing::error!(error = %e, "cannot encode AppendEntries; ending the stream");
                        None
                    }
                }
            });
            let answers = client
                .append_stream(requests)
                .await
                .map_err(status_to_rpc)?
                .into_inner()
                .map(move |answer| decode_remote(target, &answer.map_err(status_to_rpc)?.data));
            Ok(Box::pin(answers) as BoxStream<'s, StreamAppendItem>)
        })
    }

    async fn append_entries(
        &mut self,
        req: AppendEntriesRequest,
        option: RPCOption,
    ) -> Result<AppendEntriesResponse, RPCError<TypeConfig>> {
        let request = Self::message(&req, &option)?;
        let started = std::time::Instant::now();
        let resp = self.client()?.append_entries(request).await;
        match &resp {
            Ok(_) => self.rtt.record(started.elapsed()),
            Err(_) => self.send_failures.increment(1),
        }
        self.decode_reply(&resp.map_err(status_to_rpc)?.into_inner().data)
    }

    async fn vote(
        &mut self,
        req: VoteRequest,
        option: RPCOption,
    ) -> Result<VoteResponse, RPCError<TypeConfig>> {
        let request = Self::message(&req, &option)?;
        let resp = self.client()?.vote(request).await.map_err(status_to_rpc)?;
        self.decode_reply(&resp.into_inner().data)
    }

    async fn transfer_leader(
        &mut self,
        req: TransferLeaderRequest,
        option: RPCOption,
    ) -> Result<TransferLeaderResponse, RPCError<TypeConfig>> {
        let request = Self::message(&req, &option)?;
        let resp = self
            .client()?
            .transfer_leader(request)
            .await
            .map_err(status_to_rpc)?;
        self.decode_reply(&resp.into_inner().data)
    }

    async fn full_snapshot(
        &mut self,
        vote: Vote,
        snapshot: openraft::alias::SnapshotOf<TypeConfig, SnapshotFile>,
        cancel: impl Future<Output = ReplicationClosed> + OptionalSend + 'static,
        _option: RPCOption,
    ) -> Result<SnapshotResponse, StreamingError<TypeConfig>> {
        let meta = codec::encode(&(vote, snapshot.meta.clone()))
            .map_err(|e| StreamingError::Network(NetworkError::new(&e)))?;
        // Open now so a concurrent prune cannot remove the file under us.
        let mut file = std::fs::File::open(&snapshot.snapshot.path)
            .map_err(|e| StreamingError::Network(NetworkError::new(&e)))?;
        let (tx, rx) = tokio::sync::mpsc::channel::<pb::SnapshotChunk>(4);
        let producer = tokio::task::spawn_blocking(move || {
            use pb::snapshot_chunk::Payload;
            if tx
                .blocking_send(pb::SnapshotChunk {
                    payload: Some(Payload::Meta(Bytes::from(meta))),
                })
                .is_err()
            {
                return Ok(());
            }
            loop {
                let mut buf = vec![0u8; SNAPSHOT_CHUNK];
                let n = file.read(&mut buf)?;
                if n == 0 {
                    return Ok(());
                }
                buf.truncate(n);
                let chunk = pb::SnapshotChunk {
                    payload: Some(Payload::Data(Bytes::from(buf))),
                };
                if tx.blocking_send(chunk).is_err() {
                    return Ok::<(), std::io::Error>(());
                }
            }
        });
        let mut client = self.client()?;
        let call = client.install_snapshot(tokio_stream::wrappers::ReceiverStream::new(rx));
        let resp = tokio::select! {
            closed = cancel => {
                producer.abort();
                return Err(StreamingError::Closed(closed));
            }
            resp = call => resp,
        };
        match producer.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(StreamingError::Network(NetworkError::new(&e))),
            Err(e) => return Err(StreamingError::Network(NetworkError::new(&e))),
        }
        let resp = resp.map_err(|s| StreamingError::from(status_to_rpc(s)))?;
        self.decode_reply(&resp.into_inner().data)
            .map_err(StreamingError::from)
    }
}
