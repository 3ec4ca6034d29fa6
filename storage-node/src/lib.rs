//! The tinyredis storage node: an openraft member with a RocksDB log and an in-memory keyspace.
//!
//! - [`keyspace`]: the in-memory data (databases, values, expiry) and its snapshot encoding.
//! - [`commands`]: Redis command semantics, executed on the keyspace.
//! - [`blocking`]: clients blocked by BLPOP and friends, part of the replicated state.
//! - [`raft`]: openraft glue (log store, state machine, network).
//! - [`service`]: the gRPC services.
//! - [`metrics`]: Prometheus metrics and health probes.
//! - [`node`]: a running node ([`node::run`]); [`config`]: its settings and their validation.
//! - [`resources`]: memory, CPU and last-save figures reported in the node's status.

pub mod blocking;
pub mod commands;
pub mod config;
pub mod keyspace;
pub mod metrics;
pub mod node;
pub mod raft;
pub mod resources;
pub mod service;
