//! `OBJECT ENCODING|REFCOUNT|IDLETIME|FREQ key` and `OBJECT HELP` (Redis 7.0 `objectCommand` in
//! `object.c`).
//!
//! ENCODING answers what Redis 7.0 reports for the same value:
//!
//! - strings: `int` for the decimal text of an `i64` of at most 20 bytes (Redis's `string2l`, so
//!   no leading zeros, `+` or spaces), else `embstr` up to 44 bytes, else `raw` (see below);
//! - lists: `quicklist` (Redis 7.0 has no other list encoding; `listpack` lists came with 7.2);
//! - hashes `listpack` or `hashtable`, sets `intset` or `hashtable`, sorted sets `listpack` or
//!   `skiplist`: the encoding recorded on the collection, converted on the write that took it past
//!   the `*-max-*` CONFIG thresholds and never back, as in Redis (see
//!   [`crate::keyspace::encoding`]).
//!
//! A string's encoding follows its contents and its [`StringForm`]: `int`, `embstr` or `raw` by
//! contents for a value stored as SET stores it, never `int` for INCRBYFLOAT's text, and always
//! `raw` after an in-place edit (APPEND, SETRANGE, SETBIT, …) until the value is replaced.
//! REFCOUNT is 1, or 2147483647 for the integers 0 to 9999 that Redis shares.
//! tinyredis keeps no access clock: IDLETIME is 0, and FREQ replies Redis's error for a server
//! whose maxmemory policy is not LFU (the default).

use bytes::Bytes;
use tinyredis_common::Reply;
use tinyredis_common::ReplyError;

use crate::commands::ReadCtx;
use crate::commands::args::parse_i64;
use crate::keyspace::Db;
use crate::keyspace::Value;
use crate::keyspace::string::StringForm;

/// Longest string Redis stores as `embstr` (`OBJ_ENCODING_EMBSTR_SIZE_LIMIT`).
const EMBSTR_SIZE_LIMIT: usize = 44;
/// Redis's shared integers are 0 to `OBJ_SHARED_INTEGERS - 1`.
const SHARED_INTEGERS: i64 = 10_000;
/// The reference count Redis reports for a shared object (`OBJ_SHARED_REFCOUNT`, `INT_MAX`).
const SHARED_REFCOUNT: i64 = 2_147_483_647;

/// The lines of `OBJECT HELP`, as Redis's `addReplyHelp` sends them.
const HELP: &[&str] = &[
    "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "ENCODING <key>",
    "    Return the kind of internal representation used in order to store the value",
    "    associated with a <key>.",
    "FREQ <key>",
    "    Return the access frequency index of the <key>. The returned integer is",
    "    proportional to the logarithm of the recent access frequency of the key.",
    "IDLETIME <key>",
    "    Return the idle time of the <key>, that is the approximated number of",
    "    seconds elapsed since the last access to the key.",
    "REFCOUNT <key>",
    "    Return the number of references of the value associated with the specified",
    "    <key>.",
    "HELP",
    "    Prints this help.",
];

/// The subcommands of OBJECT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Subcommand {
    Encoding,
    Freq,
    Help,
    Idletime,
    Refcount,
}

impl Subcommand {
    /// Finds a subcommand by name, ignoring case.
    fn lookup(name: &[u8]) -> Option<Subcommand> {
        [
            (Subcommand::Encoding, "encoding"),
            (Subcommand::Freq, "freq"),
            (Subcommand::Help, "help"),
            (Subcommand::Idletime, "idletime"),
            (Subcommand::Refcount, "refcount"),
        ]
        .into_iter()
        .find(|(_, text)| name.eq_ignore_ascii_case(text.as_bytes()))
        .map(|(sub, _)| sub)
    }

    /// The subcommand's arity and full name, as in Redis's command table (`object|encoding`, …).
    fn spec(self) -> (usize, &'static str) {
        match self {
            Subcommand::Encoding => (3, "object|encoding"),
            Subcommand::Freq => (3, "object|freq"),
            Subcommand::Help => (2, "object|help"),
            Subcommand::Idletime => (3, "object|idletime"),
            Subcommand::Refcount => (3, "object|refcount"),
        }
    }
}

/// `OBJECT <subcommand> [key]`.
///
/// An unknown subcommand is `ERR unknown subcommand '<sub>'. Try OBJECT HELP.` and a wrong number
/// of arguments `ERR wrong number of arguments for 'object|<sub>' command`, as Redis's command
/// table reports them; a missing key is nil.
pub fn object(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    let Some(sub) = Subcommand::lookup(&argv[1]) else {
        // A copy, bounded as Redis prints it, so the error does not pin the request buffer.
        let shown = &argv[1][..argv[1].len().min(128)];
        return Reply::Error(ReplyError::UnknownSubcommand {
            command: Bytes::from_static(b"OBJECT"),
            subcommand: Bytes::copy_from_slice(shown),
        });
    };
    let (arity, full_name) = sub.spec();
    if argv.len() != arity {
        return Reply::Error(ReplyError::WrongArity(Bytes::from_static(
            full_name.as_bytes(),
        )));
    }
    // The key's value; `None` (nil) when missing.
    let value = || db.get_value(&argv[2], ctx.now_ms);
    let reply = match sub {
        Subcommand::Help => {
            let lines = HELP
                .iter()
                .map(|line| Reply::Simple(Bytes::from_static(line.as_bytes())))
                .collect();
            return Reply::Array(lines);
        }
        Subcommand::Encoding => {
            value().map(|value| Reply::Bulk(Bytes::from_static(encoding(value).as_bytes())))
        }
        Subcommand::Refcount => value().map(|value| Reply::Integer(refcount(value))),
        Subcommand::Idletime => value().map(|_| Reply::Integer(0)),
        Subcommand::Freq => value().map(|_| {
            Reply::Error(ReplyError::err(
                "An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
            ))
        }),
    };
    reply.unwrap_or(Reply::Nil)
}

/// The encoding Redis 7.0 reports for a value: computed from the contents for strings, always
/// `quicklist` for lists, and the recorded encoding of a collection (see
/// [`crate::keyspace::encoding`]).
pub fn encoding(value: &Value) -> &'static str {
    let big = crate::keyspace::encoding::is_big(value);
    match value {
        Value::String(bytes, form) => string_encoding(bytes, *form),
        Value::List(_) => "quicklist",
        Value::Hash(_) if big => "hashtable",
        Value::Hash(_) => "listpack",
        Value::Set(_) if big => "hashtable",
        Value::Set(_) => "intset",
        // Sorted sets.
        Value::ZSet(_) if big => "skiplist",
        Value::ZSet(_) => "listpack",
    }
}

/// The encoding of a string of this form: Redis's `tryObjectEncoding` (`int`, `embstr` or
/// `raw`) for an encoded string, `createStringObject`'s choice (`embstr` or `raw`) for text, and
/// `raw` for a string edited in place.
fn string_encoding(bytes: &[u8], form: StringForm) -> &'static str {
    match form {
        StringForm::Encoded if as_integer(bytes).is_some() => "int",
        StringForm::Encoded | StringForm::Text if bytes.len() <= EMBSTR_SIZE_LIMIT => "embstr",
        StringForm::Encoded | StringForm::Text | StringForm::Raw => "raw",
    }
}

/// The integer Redis would store a string as (`len <= 20 && string2l`).
fn as_integer(bytes: &[u8]) -> Option<i64> {
    // parse_i64 is string2ll, which already refuses more than 20 bytes.
    parse_i64(bytes)
}

/// The reference count Redis reports: shared integers (small integers stored with the `int`
/// encoding) have `INT_MAX`, everything else 1.
fn refcount(value: &Value) -> i64 {
    match value {
        Value::String(bytes, StringForm::Encoded)
            if as_integer(bytes).is_some_and(|n| (0..SHARED_INTEGERS).contains(&n)) =>
        {
            SHARED_REFCOUNT
        }
        _ => 1,
    }
}

#[cfg(test)]
mod object_test;
