//! The tinyredis gateway: a stateless RESP front end that forwards commands to the Raft leader.
//!
//! - [`resp`]: RESP request parsing and reply encoding (the only code that knows RESP bytes).
//! - [`connection`]: one client connection: pipelining, segments, gateway-local commands.
//! - [`router`]: leader discovery and transparent retry across failovers; [`batch`]: one call per
//!   node for the segments of many connections, in their order of arrival ([`arrival`]).
//! - [`metrics`]: Prometheus metrics and health probes.
//! - [`session`]: per-connection state; [`clients`]: the registry behind `CLIENT LIST`.
//! - [`blocking`]: clients waiting in BLPOP and friends (`CLIENT UNBLOCK`, lease renewal).
//! - [`cmd`]: commands the gateway answers itself (PING, SELECT, HELLO, CLIENT, COMMAND, INFO, …).
//! - [`stats`]: per-command call counts, latencies and error counts (INFO, LATENCY HISTOGRAM);
//!   [`slowlog`] (SLOWLOG) and [`latency`] (the LATENCY monitor).
//! - [`settings`]: runtime settings (CONFIG GET/SET), per gateway or cluster-wide.
//! - [`server`]: the accept loop and [`server::run`]; [`config`]: settings and their validation.

pub mod arrival;
pub mod batch;
pub mod blocking;
pub mod clients;
pub mod cmd;
pub mod config;
pub mod connection;
pub mod latency;
pub mod metrics;
pub mod resp;
pub mod router;
pub mod server;
pub mod session;
pub mod settings;
pub mod slowlog;
pub mod stats;
