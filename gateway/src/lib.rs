//! The tinyredis gateway: a stateless RESP front end that forwards commands to the Raft leader.
//!
//! - [`resp`]: RESP request parsing and reply encoding (the only code that knows RESP bytes).
//! - [`connection`]: one client connection: pipelining, segments, gateway-local commands.
//! - [`router`]: leader discovery and transparent retry across failovers.
//! - [`info`]: the `INFO` command.
//! - [`server`]: the accept loop and [`server::run`].

pub mod connection;
pub mod info;
pub mod resp;
pub mod router;
pub mod server;
