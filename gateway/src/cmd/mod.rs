//! Commands the gateway answers itself: connection state, introspection, INFO.
//!
//! One file per command (or per command family with subcommands); [`execute`] is the dispatch.

mod basic;
mod client;
mod command;
mod hello;
pub mod info;

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
        CommandId::Reset => basic::reset(session),
        CommandId::Time => basic::time(),
        CommandId::Info => info::info(shared, argv).await,
        CommandId::Hello => hello::hello(session, argv),
        CommandId::Client => client::client(session, shared, argv),
        CommandId::Command => command::command(argv),
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

/// Validates a client or library name as Redis does: printable ASCII without spaces.
fn valid_name(name: &[u8]) -> bool {
    name.iter().all(|&c| (b'!'..=b'~').contains(&c))
}
