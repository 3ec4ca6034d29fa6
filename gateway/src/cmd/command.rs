//! `COMMAND`, `COMMAND COUNT|INFO|LIST|DOCS|GETKEYS|HELP`, generated from the command table.

use bytes::Bytes;
use tinyredis_common::command::{self, COMMANDS, CommandId, CommandSpec};
use tinyredis_common::{Reply, ReplyError};

const HELP: &[&str] = &[
    "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "(no subcommand)",
    "    Return details about all Redis commands.",
    "COUNT",
    "    Return the total number of commands in this Redis server.",
    "LIST",
    "    Return a list of all commands in this Redis server.",
    "INFO [<command-name> ...]",
    "    Return details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "DOCS [<command-name> ...]",
    "    Return documentation details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "GETKEYS <full-command>",
    "    Return the keys from a full Redis command.",
    "HELP",
    "    Print this help.",
];

/// One `COMMAND INFO` entry: name, arity, flags, first key, last key, step, ACL categories, tips,
/// key specs, subcommands.
fn entry(spec: &CommandSpec) -> Reply {
    Reply::Array(vec![
        Reply::bulk(spec.name),
        Reply::Integer(spec.arity as i64),
        Reply::Set(
            spec.flags
                .iter()
                .map(|f| Reply::Simple(Bytes::from_static(f.as_bytes())))
                .collect(),
        ),
        Reply::Integer(spec.first_key as i64),
        Reply::Integer(spec.last_key as i64),
        Reply::Integer(spec.step as i64),
        Reply::Set(Vec::new()),
        Reply::Set(Vec::new()),
        Reply::Array(Vec::new()),
        Reply::Array(Vec::new()),
    ])
}

fn arity(sub: &str) -> Reply {
    Reply::Error(ReplyError::WrongArity(Bytes::from(format!(
        "command|{sub}"
    ))))
}

/// Dispatches COMMAND and its subcommands.
pub fn command(argv: &[Bytes]) -> Reply {
    if argv.len() == 1 {
        return Reply::Array(COMMANDS.iter().map(entry).collect());
    }
    let sub = &argv[1];
    let is = |name: &str| sub.eq_ignore_ascii_case(name.as_bytes());
    if is("count") {
        if argv.len() != 2 {
            return arity("count");
        }
        Reply::Integer(COMMANDS.len() as i64)
    } else if is("list") {
        // FILTERBY is accepted only in its absent form here.
        if argv.len() != 2 {
            return Reply::Error(ReplyError::Syntax);
        }
        Reply::Array(COMMANDS.iter().map(|c| Reply::bulk(c.name)).collect())
    } else if is("info") {
        if argv.len() == 2 {
            return Reply::Array(COMMANDS.iter().map(entry).collect());
        }
        Reply::Array(
            argv[2..]
                .iter()
                .map(|name| command::lookup(name).map_or(Reply::Nil, entry))
                .collect(),
        )
    } else if is("docs") {
        // No documentation is bundled: an empty map says so (clients then show no hints).
        Reply::Map(Vec::new())
    } else if is("getkeys") {
        if argv.len() < 3 {
            return arity("getkeys");
        }
        getkeys(&argv[2..])
    } else if is("help") {
        super::help(HELP)
    } else {
        Reply::Error(ReplyError::UnknownSubcommand {
            command: Bytes::from_static(b"COMMAND"),
            subcommand: sub.clone(),
        })
    }
}

/// `COMMAND GETKEYS`: the key arguments of a full command, from the table's key positions.
fn getkeys(cmd: &[Bytes]) -> Reply {
    let Some(spec) = command::lookup(&cmd[0]) else {
        return Reply::Error(ReplyError::err("Invalid command specified"));
    };
    if !spec.arity_ok(cmd.len()) {
        return Reply::Error(ReplyError::err(
            "Invalid number of arguments specified for command",
        ));
    }
    if spec.first_key == 0 {
        return Reply::Error(ReplyError::err("The command has no key arguments"));
    }
    if spec.id == CommandId::Sort {
        // The sorted key, and the STORE destination when there is one (`sortGetKeys`).
        let store = command::sort_store_position(cmd).map(|idx| Reply::Bulk(cmd[idx].clone()));
        return Reply::Array(
            std::iter::once(Reply::Bulk(cmd[1].clone()))
                .chain(store)
                .collect(),
        );
    }
    let first = spec.first_key as usize;
    let last = if spec.last_key < 0 {
        (cmd.len() as i64 + spec.last_key as i64) as usize
    } else {
        spec.last_key as usize
    };
    let step = spec.step.max(1) as usize;
    let keys = (first..=last.min(cmd.len() - 1))
        .step_by(step)
        .map(|i| Reply::Bulk(cmd[i].clone()))
        .collect();
    Reply::Array(keys)
}
