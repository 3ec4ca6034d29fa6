//! `SLOWLOG GET [count]|LEN|RESET|HELP` over this gateway's [`crate::slowlog::SlowLog`].

use bytes::Bytes;
use tinyredis_common::num::parse_i64;
use tinyredis_common::subcommand::{self, Subcommand};
use tinyredis_common::{Reply, ReplyError};

use crate::server::Shared;

const SUBCOMMANDS: &[Subcommand] = &[
    Subcommand {
        full_name: "slowlog|get",
        arity: -2,
    },
    Subcommand {
        full_name: "slowlog|help",
        arity: 2,
    },
    Subcommand {
        full_name: "slowlog|len",
        arity: 2,
    },
    Subcommand {
        full_name: "slowlog|reset",
        arity: 2,
    },
];

const HELP: &[&str] = &[
    "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "GET [<count>]",
    "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
    "    Entries are made of:",
    "    id, timestamp, time in microseconds, arguments array, client IP and port,",
    "    client name",
    "LEN",
    "    Return the length of the slowlog.",
    "RESET",
    "    Reset the slowlog.",
    "HELP",
    "    Prints this help.",
];

/// Entries `SLOWLOG GET` returns without a count.
const DEFAULT_GET_COUNT: usize = 10;

/// `SLOWLOG <subcommand>`.
pub fn slowlog(shared: &Shared, argv: &[Bytes]) -> Reply {
    let sub = match subcommand::find("SLOWLOG", SUBCOMMANDS, argv) {
        Ok(sub) => sub,
        Err(e) => return Reply::Error(e),
    };
    match sub.name() {
        "len" => Reply::Integer(shared.slowlog.len() as i64),
        "reset" => {
            shared.slowlog.reset();
            Reply::Ok
        }
        "help" => super::help(HELP),
        _ => {
            // Redis's `slowlogCommand`: `GET [count]` with count >= -1; anything else is
            // refused with the same message.
            let count = match argv.len() {
                2 => Some(DEFAULT_GET_COUNT),
                3 => match parse_i64(&argv[2]) {
                    Some(-1) => None,
                    Some(n) if n >= 0 => Some(n as usize),
                    _ => return count_error(),
                },
                _ => return super::subcommand_syntax_error(argv),
            };
            shared.slowlog.get(count)
        }
    }
}

fn count_error() -> Reply {
    Reply::Error(ReplyError::err(
        "count should be greater than or equal to -1",
    ))
}
