//! The gRPC services of a storage node: thin adapters from protobuf to [`crate::node::Node`].
//!
//! - [`kv::KvService`]: the client API used by gateways; [`order`] keeps each gateway's batches in
//!   order.
//! - [`raft::RaftService`]: the peer API used by openraft replication.
//! - [`admin::AdminService`]: status and membership management.

pub mod admin;
pub mod kv;
pub mod order;
pub mod raft;

use tinyredis_proto::pb;

use crate::raft::typ::ForwardToLeader;

/// Converts openraft's forward-to-leader hint into the protobuf routing outcome.
pub fn not_leader(f: &ForwardToLeader) -> pb::NotLeader {
    pb::NotLeader {
        leader_id: f.leader_id,
        leader_addr: f
            .leader_node
            .as_ref()
            .map(|n| n.addr.clone())
            .unwrap_or_default(),
    }
}
