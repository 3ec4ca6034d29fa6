//! End-to-end tests of tinyredis: real storage nodes and a real gateway over real sockets.
//!
//! Build the binaries first: `cargo build --workspace --bins`, then
//! `cargo test --workspace --test it` (add `-- --nocapture` to see the phase logs and the
//! measured failover latency).

mod auth;
mod batching;
mod bits;
mod blocking;
mod client_control;
mod commands;
mod config;
mod connection;
mod data_model;
mod deploy;
mod durability;
mod failover;
#[cfg(target_os = "linux")]
mod logs;
mod metrics;
mod protocol;
mod runtime_config;
mod server;
mod sort_dump;
mod tools;
mod types;
mod util;
mod watch;
