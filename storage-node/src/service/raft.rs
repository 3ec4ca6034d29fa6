//! The peer API: openraft's RPCs carried as postcard-encoded `RaftMessage`s.

use std::io::Write;
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use futures::{Stream, StreamExt};
use serde::Serialize;
use tinyredis_proto::pb;
use tinyredis_proto::pb::snapshot_chunk::Payload;
use tonic::{Request, Response, Status, Streaming};

use crate::node::Node;
use crate::raft::codec;
use crate::raft::state_machine::SnapshotFile;
use crate::raft::typ::{AppendEntriesRequest, RaftError, SnapshotMeta, Vote};

/// Implements `tinyredis.v1.Raft`.
pub struct RaftService {
    node: Arc<Node>,
}

impl RaftService {
    /// Serves the peer API of `node`.
    pub fn new(node: Arc<Node>) -> RaftService {
        RaftService { node }
    }
}

fn decode<T: serde::de::DeserializeOwned>(msg: &pb::RaftMessage) -> Result<T, Status> {
    codec::decode(&msg.data)
        .map_err(|e| Status::invalid_argument(format!("undecodable raft message: {e}")))
}

fn reply<T: Serialize>(value: &T) -> Result<Response<pb::RaftMessage>, Status> {
    let data = codec::encode(value).map_err(|e| Status::internal(e.to_string()))?;
    Ok(Response::new(pb::RaftMessage {
        data: Bytes::from(data),
    }))
}

/// The answers of an `AppendStream` call.
type AppendStream = Pin<Box<dyn Stream<Item = Result<pb::RaftMessage, Status>> + Send + 'static>>;

#[tonic::async_trait]
impl pb::raft_server::Raft for RaftService {
    type AppendStreamStream = AppendStream;

    async fn append_stream(
        &self,
        request: Request<Streaming<pb::RaftMessage>>,
    ) -> Result<Response<AppendStream>, Status> {
        // The requests end at the first one that cannot be read; openraft then sees fewer answers
        // than requests and starts a new stream for the rest.
        let requests = futures::stream::unfold(request.into_inner(), |mut input| async move {
            let msg = match input.next().await? {
                Ok(msg) => msg,
                Err(status) => {
                    tracing::debug!(%status, "append stream ended by the peer");
                    return None;
                }
            };
            match codec::decode::<AppendEntriesRequest>(&msg.data) {
                Ok(req) => Some((req, input)),
                Err(e) => {
                    tracing::warn!(error = %e, "undecodable AppendEntries in a stream; ending it");
                    None
                }
            }
        });
        let answers = self.node.raft.stream_append(requests).map(|answer| {
            let answer: Result<_, RaftError> = answer.map_err(RaftError::Fatal);
            let data = codec::encode(&answer).map_err(|e| Status::internal(e.to_string()))?;
            Ok(pb::RaftMessage {
                data: Bytes::from(data),
            })
        });
        Ok(Response::new(Box::pin(answers)))
    }

    async fn vote(
        &self,
        request: Request<pb::RaftMessage>,
    ) -> Result<Response<pb::RaftMessage>, Status> {
        let req = decode(request.get_ref())?;
        reply(&self.node.raft.vote(req).await)
    }

    async fn append_entries(
        &self,
        request: Request<pb::RaftMessage>,
    ) -> Result<Response<pb::RaftMessage>, Status> {
        let req = decode(request.get_ref())?;
        reply(&self.node.raft.append_entries(req).await)
    }

    async fn transfer_leader(
        &self,
        request: Request<pb::RaftMessage>,
    ) -> Result<Response<pb::RaftMessage>, Status> {
        let req = decode(request.get_ref())?;
        let res: Result<_, RaftError> = self
            .node
            .raft
            .handle_transfer_leader(req)
            .await
            .map_err(RaftError::Fatal);
        reply(&res)
    }

    async fn install_snapshot(
        &self,
        request: Request<Streaming<pb::SnapshotChunk>>,
    ) -> Result<Response<pb::RaftMessage>, Status> {
        let mut stream = request.into_inner();
        let first = stream
            .next()
            .await
            .ok_or_else(|| Status::invalid_argument("empty snapshot stream"))??;
        let Some(Payload::Meta(meta)) = first.payload else {
            return Err(Status::invalid_argument(
                "snapshot stream must start with its metadata",
            ));
        };
        let (vote, meta): (Vote, SnapshotMeta) = codec::decode(&meta)
            .map_err(|e| Status::invalid_argument(format!("bad snapshot metadata: {e}")))?;
        let path = self.node.incoming_snapshot_path();
        let mut file = std::io::BufWriter::new(
            std::fs::File::create(&path)
                .map_err(|e| Status::internal(format!("creating {}: {e}", path.display())))?,
        );
        let result: Result<(), Status> = async {
            while let Some(chunk) = stream.next().await {
                match chunk?.payload {
                    Some(Payload::Data(data)) => file
                        .write_all(&data)
                        .map_err(|e| Status::internal(e.to_string()))?,
                    _ => {
                        return Err(Status::invalid_argument(
                            "unexpected chunk in snapshot stream",
                        ));
                    }
                }
            }
            let file = file
                .into_inner()
                .map_err(|e| Status::internal(e.to_string()))?;
            file.sync_all().map_err(|e| Status::internal(e.to_string()))
        }
        .await;
        if let Err(e) = result {
            let _ = std::fs::remove_file(&path);
            return Err(e);
        }
        let snapshot = openraft::Snapshot {
            meta,
            snapshot: SnapshotFile { path },
        };
        let res: Result<_, RaftError> = self
            .node
            .raft
            .install_full_snapshot(vote, snapshot)
            .await
            .map_err(RaftError::Fatal);
        reply(&res)
    }
}
