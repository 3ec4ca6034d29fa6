//! The tinyredis storage node: an openraft member with a RocksDB log and an in-memory keyspace.
//!
//! - [`keyspace`]: the in-memory data (databases, values, expiry) and its snapshot encoding.
//! - [`commands`]: Redis command semantics, executed on the keyspace.

pub mod commands;
pub mod keyspace;
