//! Commands the gateway answers itself: connection state, introspection, INFO.
//!
//! One file per command (or per command family with subcommands); [`execute`] is the dispatch.

pub mod acl;
mod auth;
mod basic;
mod client;
mod cluster;
mod command;
pub mod config;
mod hello;
pub mod info;
mod latency;
mod memory;
mod slowlog;
pub mod sort;

use bytes::Bytes;
use tinyredis_common::{CommandId, Reply, ReplyError};

use crate::server::Shared;
use crate::session::Session;

/// Executes a gateway-local command (one whose table route is `Gateway`).
pub async fn execute(
    session: &mut Session,
    shared: &Shared,
    id: CommandId,
    argv: &[Bytes],
) -> Reply {
    match id {
        CommandId::Ping => basic::ping(argv),
        CommandId::Echo => Reply::Bulk(argv[1].clone()),
        CommandId::Select => basic::select(session, argv),
        CommandId::Quit => {
            session.quit = true;
            Reply::Ok
        }
        CommandId::Reset => basic::reset(session, shared),
        CommandId::Time => basic::time(),
        CommandId::Info => info::info(shared, argv).await,
        CommandId::Hello => hello::hello(session, shared, argv),
        CommandId::Auth => auth::auth(session, shared, argv),
        CommandId::Acl => acl::acl(session, shared, argv).await,
        CommandId::Client => client::client(session, shared, argv),
        CommandId::Command => command::command(argv),
        CommandId::Lastsave => basic::lastsave(shared).await,
        CommandId::Monitor => crate::monitor::monitor(session, shared),
        CommandId::Cluster => cluster::cluster(argv),
        CommandId::Module => cluster::module(argv),
        CommandId::Memory => memory::memory(session, shared, argv).await,
        CommandId::Slowlog => slowlog::slowlog(shared, argv),
        CommandId::Latency => latency::latency(shared, argv),
        CommandId::Config => config::config(shared, argv).await,
        // Every other command is routed to a storage node; the table says so.
        _ => Reply::Error(ReplyError::err(
            "internal error: command not executable on the gateway",
        )),
    }
}

/// Replies a HELP text: one simple string per line, as Redis's `addReplyHelp`.
fn help(lines: &'static [&'static str]) -> Reply {
    Reply::Array(
        lines
            .iter()
            .map(|l| Reply::Simple(Bytes::from_static(l.as_bytes())))
            .collect(),
    )
}

/// Redis's `addReplySubcommandSyntaxError`: a subcommand given arguments it does not take.
fn subcommand_syntax_error(argv: &[Bytes]) -> Reply {
    let sub = &argv[1][..argv[1].len().min(128)];
    Reply::Error(ReplyError::Err(Bytes::from(format!(
        "unknown subcommand or wrong number of arguments for '{}'. Try {} HELP.",
        String::from_utf8_lossy(sub),
        String::from_utf8_lossy(&argv[0]).to_ascii_uppercase()
    ))))
}

/// Validates a client or library name as Redis does: printable ASCII without spaces.
fn valid_name(name: &[u8]) -> bool {
    name.iter().all(|&c| (b'!'..=b'~').contains(&c))
}
