//! The tinyredis gateway: a stateless RESP front end that forwards commands to the Raft leader.
//!
//! - [`resp`]: RESP request parsing and reply encoding (the only code that knows RESP bytes).
//! - [`connection`]: one client connection: pipelining, segments, gateway-local commands.
//! - [`router`]: leader discovery and transparent retry across failovers; [`batch`]: one call per
//!   node for the segments of many connections, in their order of arrival ([`arrival`]).
//! - [`metrics`]: Prometheus metrics and health probes.
//! - [`session`]: per-connection state; [`clients`]: the registry behind `CLIENT LIST`;
//!   [`reply_mode`]: CLIENT REPLY; [`output`]: output buffer limits and the socket write.
//! - [`monitor`] (MONITOR) and [`pause`] (CLIENT PAUSE), which both judge calls by their
//!   [`effects`] on the keyspace.
//! - [`blocking`]: clients waiting in BLPOP and friends (`CLIENT UNBLOCK`, lease renewal).
//! - [`cmd`]: commands the gateway answers itself (PING, SELECT, HELLO, CLIENT, COMMAND, INFO, …).
//! - [`stats`]: per-command call counts, latencies and error counts (INFO, LATENCY HISTOGRAM);
//!   [`slowlog`] (SLOWLOG) and [`latency`] (the LATENCY monitor).
//! - [`settings`]: runtime settings (CONFIG GET/SET), per gateway or cluster-wide.
//! - [`acl`]: this gateway's view of the cluster's ACL users, and its ACL log.
//! - [`server`]: the accept loop and [`server::run`]; [`config`]: settings and their validation.

pub mod acl;
pub mod arrival;
pub mod batch;
pub mod blocking;
pub mod clients;
pub mod cmd;
pub mod config;
pub mod connection;
pub mod effects;
pub mod latency;
pub mod metrics;
pub mod monitor;
pub mod output;
pub mod pause;
pub mod reply_mode;
pub mod resp;
pub mod router;
pub mod server;
pub mod session;
pub mod settings;
pub mod slowlog;
pub mod stats;
