//! The admin API: status, add and remove nodes, trigger snapshots.

use std::sync::Arc;

use tinyredis_proto::pb;
use tinyredis_proto::pb::admin_response::Outcome;
use tonic::{Request, Response, Status};

use crate::node::{AdminError, Node};

/// Implements `tinyredis.v1.Admin`.
pub struct AdminService {
    node: Arc<Node>,
}

impl AdminService {
    /// Serves the admin API of `node`.
    pub fn new(node: Arc<Node>) -> AdminService {
        AdminService { node }
    }
}

fn respond(res: Result<(), AdminError>) -> Result<Response<pb::AdminResponse>, Status> {
    let outcome = match res {
        Ok(()) => Outcome::Ok(pb::Empty {}),
        Err(AdminError::NotLeader(hint)) => Outcome::NotLeader(hint),
        Err(AdminError::Failed(msg)) => Outcome::Error(msg),
    };
    Ok(Response::new(pb::AdminResponse {
        outcome: Some(outcome),
    }))
}

#[tonic::async_trait]
impl pb::admin_server::Admin for AdminService {
    async fn status(
        &self,
        _request: Request<pb::Empty>,
    ) -> Result<Response<pb::NodeStatus>, Status> {
        Ok(Response::new(self.node.status()))
    }

    async fn add_node(
        &self,
        request: Request<pb::AddNodeRequest>,
    ) -> Result<Response<pb::AdminResponse>, Status> {
        let req = request.into_inner();
        if req.addr.is_empty() {
            return Err(Status::invalid_argument("addr is required"));
        }
        respond(self.node.add_node(req.node_id, req.addr, req.voter).await)
    }

    async fn remove_node(
        &self,
        request: Request<pb::RemoveNodeRequest>,
    ) -> Result<Response<pb::AdminResponse>, Status> {
        respond(self.node.remove_node(request.into_inner().node_id).await)
    }

    async fn trigger_snapshot(
        &self,
        _request: Request<pb::Empty>,
    ) -> Result<Response<pb::AdminResponse>, Status> {
        respond(self.node.snapshot_now().await)
    }

    async fn transfer_leader(
        &self,
        request: Request<pb::TransferLeaderRequest>,
    ) -> Result<Response<pb::AdminResponse>, Status> {
        respond(
            self.node
                .transfer_leader(request.into_inner().node_id)
                .await,
        )
    }
}
