//! `COMMAND`, `COMMAND COUNT|INFO|LIST|DOCS|GETKEYS|HELP`, generated from the command table.

use bytes::Bytes;
use tinyredis_common::command::{
    self, CATEGORIES, COMMANDS, CommandId, CommandSpec, FindKeys, KeySpec, Target, key_flags,
};
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
/// key specs, subcommands (each an entry of its own).
fn entry(spec: &'static CommandSpec) -> Reply {
    target_entry(Target::Command(spec))
}

fn target_entry(target: Target) -> Reply {
    let (arity, first_key, last_key, step) = match target {
        Target::Command(spec) => (spec.arity, spec.first_key, spec.last_key, spec.step),
        Target::Subcommand(sub) => {
            let (first, last, step) = legacy_range(sub.key_specs);
            (sub.arity, first, last, step)
        }
    };
    let subcommands = match target {
        Target::Command(spec) => spec
            .subcommands()
            .iter()
            .map(|s| target_entry(Target::Subcommand(s)))
            .collect(),
        Target::Subcommand(_) => Vec::new(),
    };
    Reply::Array(vec![
        Reply::bulk(target.full_name()),
        Reply::Integer(arity as i64),
        simple_set(target.flags().iter().copied()),
        Reply::Integer(first_key as i64),
        Reply::Integer(last_key as i64),
        Reply::Integer(step as i64),
        Reply::Set(
            CATEGORIES
                .iter()
                .filter(|c| target.categories() & c.bit() != 0)
                .map(|c| Reply::Simple(Bytes::from(format!("@{}", c.name()))))
                .collect(),
        ),
        Reply::Set(Vec::new()),
        Reply::Set(target.key_specs().iter().map(key_spec).collect()),
        Reply::Set(subcommands),
    ])
}

/// A set of status strings (flags).
fn simple_set<'a>(items: impl Iterator<Item = &'a str>) -> Reply {
    Reply::Set(
        items
            .map(|f| Reply::Simple(Bytes::copy_from_slice(f.as_bytes())))
            .collect(),
    )
}

/// The legacy first key, last key and step of a subcommand, from its first key spec.
fn legacy_range(specs: &[KeySpec]) -> (i32, i32, i32) {
    match specs.first() {
        Some(KeySpec {
            begin,
            find: FindKeys::Range { last, step },
            ..
        }) => {
            let first = *begin as i32;
            let last = if *last >= 0 { first + last } else { *last };
            (first, last, *step as i32)
        }
        _ => (0, 0, 0),
    }
}

/// A key spec as `COMMAND INFO` shows it: flags, begin_search, find_keys.
fn key_spec(spec: &KeySpec) -> Reply {
    let map = |pairs: Vec<(&'static str, Reply)>| {
        Reply::Map(
            pairs
                .into_iter()
                .map(|(k, v)| (Reply::bulk(k), v))
                .collect(),
        )
    };
    let flags = simple_set(
        key_flags::NAMES
            .iter()
            .filter(|(bit, _)| spec.flags & bit != 0)
            .map(|(_, name)| *name),
    );
    let (begin, find) = match spec.find {
        FindKeys::Unknown => (
            map(vec![
                ("type", Reply::bulk("unknown")),
                ("spec", map(vec![])),
            ]),
            map(vec![
                ("type", Reply::bulk("unknown")),
                ("spec", map(vec![])),
            ]),
        ),
        FindKeys::Range { last, step } => (
            index_begin(spec.begin, &map),
            map(vec![
                ("type", Reply::bulk("range")),
                (
                    "spec",
                    map(vec![
                        ("lastkey", Reply::Integer(last as i64)),
                        ("keystep", Reply::Integer(step as i64)),
                        ("limit", Reply::Integer(0)),
                    ]),
                ),
            ]),
        ),
        FindKeys::Keynum {
            keynum_idx,
            first,
            step,
        } => (
            index_begin(spec.begin, &map),
            map(vec![
                ("type", Reply::bulk("keynum")),
                (
                    "spec",
                    map(vec![
                        ("keynumidx", Reply::Integer(keynum_idx as i64)),
                        ("firstkey", Reply::Integer(first as i64)),
                        ("keystep", Reply::Integer(step as i64)),
                    ]),
                ),
            ]),
        ),
    };
    let mut fields = Vec::with_capacity(4);
    if let Some(notes) = spec.notes {
        fields.push(("notes", Reply::bulk(notes)));
    }
    fields.extend([
        ("flags", flags),
        ("begin_search", begin),
        ("find_keys", find),
    ]);
    map(fields)
}

fn index_begin(index: u32, map: &impl Fn(Vec<(&'static str, Reply)>) -> Reply) -> Reply {
    map(vec![
        ("type", Reply::bulk("index")),
        ("spec", map(vec![("index", Reply::Integer(index as i64))])),
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
                .map(|name| Target::lookup(name).map_or(Reply::Nil, target_entry))
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
