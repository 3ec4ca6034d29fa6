//! Pieces shared by the tinyredis gateway and storage node.
//!
//! - [`reply`]: [`Reply`], the structured answer to a Redis command, produced by the storage node and
//!   encoded to RESP only by the gateway.
//! - [`error`]: [`ReplyError`], every Redis-visible error as data, with its exact Redis text.
//! - [`command`]: the one command table ([`CommandSpec`], [`CommandId`]) with arity, routing and key
//!   positions, used by the gateway to check and route requests and by the node to dispatch them.
//! - [`acl`]: Redis 7.0's ACL users (rules, descriptions, permission checks).
//! - [`config`]: settings loading (file, environment, flags) shared by both binaries.
//! - [`subcommand`]: subcommand lookup with Redis's unknown-subcommand and arity errors.
//! - [`glob`]: Redis's glob matcher (KEYS/SCAN MATCH, CONFIG GET, ACL key patterns).
//! - [`settings`]: [`settings::ClusterSettings`], the configuration shared by all gateways.
//! - [`telemetry`]: tracing setup shared by both binaries.
//! - [`process`]: memory and CPU figures of the running process (INFO, MEMORY STATS).

pub mod acl;
pub mod command;
pub mod config;
pub mod error;
pub mod glob;
pub mod num;
pub mod process;
pub mod reply;
pub mod settings;
pub mod subcommand;
pub mod telemetry;

pub use command::{CommandId, CommandSpec, Route};
pub use error::ReplyError;
pub use reply::Reply;

/// Number of logical databases (Redis's `databases` default).
pub const NUM_DATABASES: usize = 16;

/// The Redis version tinyredis reports to clients (`redis_version` in INFO, HELLO).
pub const REDIS_VERSION: &str = "7.0.15";

/// The version of tinyredis itself.
pub const TINYREDIS_VERSION: &str = env!("CARGO_PKG_VERSION");
