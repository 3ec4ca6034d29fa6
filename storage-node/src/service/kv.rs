//! The client API: executes a gateway's read or write segment.
// #[PerformanceCriticalPath]

use std::sync::Arc;

use tinyredis_proto::pb;
use tinyredis_proto::pb::execute_response::Outcome;
use tonic::{Request, Response, Status};

use crate::node::{Node, WriteOutcome};

/// Implements `tinyredis.v1.Kv`.
pub struct KvService {
    node: Arc<Node>,
}

impl KvService {
    /// Serves the client API of `node`.
    pub fn new(node: Arc<Node>) -> KvService {
        KvService { node }
    }
}

#[tonic::async_trait]
impl pb::kv_server::Kv for KvService {
    async fn execute(
        &self,
        request: Request<pb::ExecuteRequest>,
    ) -> Result<Response<pb::ExecuteResponse>, Status> {
        let req = request.into_inner();
        if req.db as usize >= tinyredis_common::NUM_DATABASES {
            return Err(Status::invalid_argument("db index out of range"));
        }
        let commands: Vec<_> = req.commands.into_iter().map(|c| c.argv).collect();
        let outcome = if req.write {
            match self
                .node
                .write(req.client_id, req.seq, req.db, commands)
                .await?
            {
                WriteOutcome::Applied(replies) => Outcome::Replies(replies),
                WriteOutcome::NotLeader(hint) => Outcome::NotLeader(hint),
            }
        } else {
            match self.node.read(req.db, &commands).await {
                Ok(replies) => Outcome::Replies(replies),
                Err(hint) => Outcome::NotLeader(hint),
            }
        };
        Ok(Response::new(pb::ExecuteResponse {
            outcome: Some(outcome),
        }))
    }
}
