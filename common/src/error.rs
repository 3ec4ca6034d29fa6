//! Redis-visible errors as data.
//!
//! A command failure is a value ([`ReplyError`]), carried inside a [`crate::Reply`] from the storage node
//! to the gateway, and rendered to `-PREFIX message` only when the gateway encodes the reply. The
//! [`std::fmt::Display`] impl is that rendering: it produces Redis's exact text without the leading `-`.

use std::fmt;

use bytes::Bytes;
use serde::{Deserialize, Serialize};

/// The text of [`ReplyError::watch_failed`].
const WATCH_FAILED: &str = "watched keys changed";

/// Every error a client can see, with Redis's exact wording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ReplyError {
    /// `ERR syntax error`.
    Syntax,
    /// `ERR value is not an integer or out of range`.
    NotInteger,
    /// `ERR value is not a valid float`.
    NotFloat,
    /// `ERR increment or decrement would overflow`.
    Overflow,
    /// `WRONGTYPE Operation against a key holding the wrong kind of value`.
    WrongType,
    /// `ERR invalid expire time in '<cmd>' command`; holds the lowercase command name.
    InvalidExpireTime(Bytes),
    /// `ERR unknown command '<name>', with args beginning with: '<a>' '<b>' `.
    UnknownCommand {
        /// The command name as the client sent it.
        name: Bytes,
        /// The first arguments, as Redis echoes them (bounded when rendered).
        args: Vec<Bytes>,
    },
    /// `ERR unknown subcommand '<sub>'. Try <CMD> HELP.`
    UnknownSubcommand {
        /// The command, uppercase, as Redis prints it in the hint.
        command: Bytes,
        /// The subcommand as the client sent it.
        subcommand: Bytes,
    },
    /// `ERR wrong number of arguments for '<cmd>' command`; holds the lowercase command name.
    WrongArity(Bytes),
    /// `ERR no such key`.
    NoSuchKey,
    /// `ERR DB index is out of range`.
    DbIndexOutOfRange,
    /// `ERR Protocol error: <detail>`.
    Protocol(Bytes),
    /// `CLUSTERDOWN <detail>`: no Raft leader could be reached in time.
    ClusterDown(Bytes),
    /// `TRYAGAIN <detail>`: a transient condition the client may retry.
    TryAgain(Bytes),
    /// `ERR <message>` for the less common fixed messages.
    Err(Bytes),
    /// `NOPROTO unsupported protocol version` (HELLO with a version other than 2 or 3).
    NoProto,
    /// `WRONGPASS invalid username-password pair or user is disabled.`
    WrongPass,
    /// `NOAUTH Authentication required.`
    NoAuth,
    /// HELLO's `NOAUTH HELLO must be called with the client already authenticated, …`.
    NoAuthHello,
    /// `NOPERM <message>`: an ACL denial.
    NoPerm(Bytes),
    /// `EXECABORT Transaction discarded because of previous errors.`
    ExecAbort,
    /// `ERR Unsupported option <opt>` (EXPIRE and friends); holds the option as the client sent it.
    UnsupportedOption(Bytes),
    /// `BUSYKEY Target key name already exists.` (RESTORE without REPLACE).
    BusyKey,
    /// `WRONGTYPE Key is not a valid HyperLogLog string value.`: a string that is not an HLL.
    NotHll,
    /// `INVALIDOBJ Corrupted HLL object detected`: an HLL whose registers do not decode.
    CorruptHll,
    /// `UNBLOCKED client unblocked via CLIENT UNBLOCK`: what `CLIENT UNBLOCK id ERROR` makes a
    /// blocked command (BLPOP, …) reply.
    Unblocked,
}

impl ReplyError {
    /// Builds an `ERR <message>` error from a static message.
    pub fn err(message: &'static str) -> ReplyError {
        ReplyError::Err(Bytes::from_static(message.as_bytes()))
    }

    /// The internal reply of a storage node whose WATCH check found a changed key (the gateway
    /// turns it into EXEC's null reply; clients never see it).
    pub fn watch_failed() -> ReplyError {
        ReplyError::err(WATCH_FAILED)
    }

    /// Returns true for [`ReplyError::watch_failed`].
    pub fn is_watch_failed(&self) -> bool {
        matches!(self, ReplyError::Err(text) if &text[..] == WATCH_FAILED.as_bytes())
    }

    /// Builds the wrong-arity error for a command name given in any case.
    pub fn wrong_arity(name: &[u8]) -> ReplyError {
        ReplyError::WrongArity(Bytes::from(name.to_ascii_lowercase()))
    }

    /// Builds the invalid-expire-time error for a command name given in any case.
    pub fn invalid_expire_time(name: &[u8]) -> ReplyError {
        ReplyError::InvalidExpireTime(Bytes::from(name.to_ascii_lowercase()))
    }

    /// The error's prefix, the first word of its text (`ERR`, `WRONGTYPE`, …), for metrics and logs.
    pub fn prefix(&self) -> &'static str {
        match self {
            ReplyError::WrongType | ReplyError::NotHll => "WRONGTYPE",
            ReplyError::CorruptHll => "INVALIDOBJ",
            ReplyError::ClusterDown(_) => "CLUSTERDOWN",
            ReplyError::TryAgain(_) => "TRYAGAIN",
            ReplyError::NoProto => "NOPROTO",
            ReplyError::WrongPass => "WRONGPASS",
            ReplyError::NoAuth | ReplyError::NoAuthHello => "NOAUTH",
            ReplyError::NoPerm(_) => "NOPERM",
            ReplyError::ExecAbort => "EXECABORT",
            ReplyError::BusyKey => "BUSYKEY",
            ReplyError::Unblocked => "UNBLOCKED",
            _ => "ERR",
        }
    }

    /// A stable number per variant, used on the wire between node and gateway.
    pub fn code(&self) -> u32 {
        match self {
            ReplyError::Syntax => 1,
            ReplyError::NotInteger => 2,
            ReplyError::NotFloat => 3,
            ReplyError::Overflow => 4,
            ReplyError::WrongType => 5,
            ReplyError::InvalidExpireTime(_) => 6,
            ReplyError::UnknownCommand { .. } => 7,
            ReplyError::UnknownSubcommand { .. } => 8,
            ReplyError::WrongArity(_) => 9,
            ReplyError::NoSuchKey => 10,
            ReplyError::DbIndexOutOfRange => 11,
            ReplyError::Protocol(_) => 12,
            ReplyError::ClusterDown(_) => 13,
            ReplyError::TryAgain(_) => 14,
            ReplyError::Err(_) => 15,
            ReplyError::NoProto => 40,
            ReplyError::WrongPass => 41,
            ReplyError::NoAuth => 42,
            ReplyError::NoPerm(_) => 44,
            ReplyError::NoAuthHello => 46,
            ReplyError::ExecAbort => 43,
            ReplyError::UnsupportedOption(_) => 16,
            ReplyError::BusyKey => 60,
            ReplyError::NotHll => 50,
            ReplyError::CorruptHll => 51,
            ReplyError::Unblocked => 70,
        }
    }

    /// The variable parts of the error, in order, for the wire.
    pub fn args(&self) -> Vec<Bytes> {
        match self {
            ReplyError::InvalidExpireTime(b)
            | ReplyError::WrongArity(b)
            | ReplyError::Protocol(b)
            | ReplyError::ClusterDown(b)
            | ReplyError::TryAgain(b)
            | ReplyError::Err(b)
            | ReplyError::NoPerm(b)
            | ReplyError::UnsupportedOption(b) => vec![b.clone()],
            ReplyError::UnknownCommand { name, args } => {
                let mut v = Vec::with_capacity(args.len() + 1);
                v.push(name.clone());
                v.extend(args.iter().cloned());
                v
            }
            ReplyError::UnknownSubcommand {
                command,
                subcommand,
            } => vec![command.clone(), subcommand.clone()],
            _ => Vec::new(),
        }
    }

    /// Rebuilds an error from its wire code and arguments; `None` for an unknown code or shape.
    pub fn from_parts(code: u32, mut args: Vec<Bytes>) -> Option<ReplyError> {
        let one = |args: &mut Vec<Bytes>| (args.len() == 1).then(|| args.pop()).flatten();
        Some(match code {
            1 => ReplyError::Syntax,
            2 => ReplyError::NotInteger,
            3 => ReplyError::NotFloat,
            4 => ReplyError::Overflow,
            5 => ReplyError::WrongType,
            6 => ReplyError::InvalidExpireTime(one(&mut args)?),
            7 => {
                if args.is_empty() {
                    return None;
                }
                let name = args.remove(0);
                ReplyError::UnknownCommand { name, args }
            }
            8 => {
                if args.len() != 2 {
                    return None;
                }
                let subcommand = args.pop()?;
                let command = args.pop()?;
                ReplyError::UnknownSubcommand {
                    command,
                    subcommand,
                }
            }
            9 => ReplyError::WrongArity(one(&mut args)?),
            10 => ReplyError::NoSuchKey,
            11 => ReplyError::DbIndexOutOfRange,
            12 => ReplyError::Protocol(one(&mut args)?),
            13 => ReplyError::ClusterDown(one(&mut args)?),
            14 => ReplyError::TryAgain(one(&mut args)?),
            15 => ReplyError::Err(one(&mut args)?),
            40 => ReplyError::NoProto,
            41 => ReplyError::WrongPass,
            42 => ReplyError::NoAuth,
            44 => ReplyError::NoPerm(one(&mut args)?),
            46 => ReplyError::NoAuthHello,
            43 => ReplyError::ExecAbort,
            16 => ReplyError::UnsupportedOption(one(&mut args)?),
            60 => ReplyError::BusyKey,
            50 => ReplyError::NotHll,
            51 => ReplyError::CorruptHll,
            70 => ReplyError::Unblocked,
            _ => return None,
        })
    }
}

/// Writes bytes as text the way Redis does in error messages: newlines become spaces so the reply
/// stays one RESP line.
fn write_sanitized(f: &mut fmt::Formatter<'_>, bytes: &[u8], limit: usize) -> fmt::Result {
    let bytes = &bytes[..bytes.len().min(limit)];
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            let c = if c == '\r' || c == '\n' { ' ' } else { c };
            write!(f, "{c}")?;
        }
        for &b in chunk.invalid() {
            write!(f, "\\x{b:02x}")?;
        }
    }
    Ok(())
}

impl fmt::Display for ReplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplyError::Syntax => f.write_str("ERR syntax error"),
            ReplyError::NotInteger => f.write_str("ERR value is not an integer or out of range"),
            ReplyError::NotFloat => f.write_str("ERR value is not a valid float"),
            ReplyError::Overflow => f.write_str("ERR increment or decrement would overflow"),
            ReplyError::WrongType => {
                f.write_str("WRONGTYPE Operation against a key holding the wrong kind of value")
            }
            ReplyError::InvalidExpireTime(cmd) => {
                f.write_str("ERR invalid expire time in '")?;
                write_sanitized(f, cmd, 128)?;
                f.write_str("' command")
            }
            ReplyError::UnknownCommand { name, args } => {
                // Redis: "unknown command '%.128s', with args beginning with: " then "'%.*s' " per
                // argument while the argument text is shorter than 128 bytes.
                f.write_str("ERR unknown command '")?;
                write_sanitized(f, name, 128)?;
                f.write_str("', with args beginning with: ")?;
                let mut used = 0usize;
                for arg in args {
                    if used >= 128 {
                        break;
                    }
                    let take = arg.len().min(128 - used);
                    f.write_str("'")?;
                    write_sanitized(f, arg, take)?;
                    f.write_str("' ")?;
                    used += take + 3;
                }
                Ok(())
            }
            ReplyError::UnknownSubcommand {
                command,
                subcommand,
            } => {
                f.write_str("ERR unknown subcommand '")?;
                write_sanitized(f, subcommand, 128)?;
                f.write_str("'. Try ")?;
                write_sanitized(f, command, 128)?;
                f.write_str(" HELP.")
            }
            ReplyError::WrongArity(cmd) => {
                f.write_str("ERR wrong number of arguments for '")?;
                write_sanitized(f, cmd, 128)?;
                f.write_str("' command")
            }
            ReplyError::NoSuchKey => f.write_str("ERR no such key"),
            ReplyError::NoProto => f.write_str("NOPROTO unsupported protocol version"),
            ReplyError::WrongPass => {
                f.write_str("WRONGPASS invalid username-password pair or user is disabled.")
            }
            ReplyError::NoAuth => f.write_str("NOAUTH Authentication required."),
            ReplyError::NoAuthHello => f.write_str(
                "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time",
            ),
            ReplyError::NoPerm(message) => {
                f.write_str("NOPERM ")?;
                write_sanitized(f, message, usize::MAX)
            }
            ReplyError::ExecAbort => {
                f.write_str("EXECABORT Transaction discarded because of previous errors.")
            }
            ReplyError::BusyKey => f.write_str("BUSYKEY Target key name already exists."),
            ReplyError::DbIndexOutOfRange => f.write_str("ERR DB index is out of range"),
            ReplyError::Protocol(detail) => {
                f.write_str("ERR Protocol error: ")?;
                write_sanitized(f, detail, usize::MAX)
            }
            ReplyError::ClusterDown(detail) => {
                f.write_str("CLUSTERDOWN ")?;
                write_sanitized(f, detail, usize::MAX)
            }
            ReplyError::TryAgain(detail) => {
                f.write_str("TRYAGAIN ")?;
                write_sanitized(f, detail, usize::MAX)
            }
            ReplyError::Err(message) => {
                f.write_str("ERR ")?;
                write_sanitized(f, message, usize::MAX)
            }
            ReplyError::UnsupportedOption(option) => {
                f.write_str("ERR Unsupported option ")?;
                write_sanitized(f, option, usize::MAX)
            }
            ReplyError::NotHll => {
                f.write_str("WRONGTYPE Key is not a valid HyperLogLog string value.")
            }
            ReplyError::CorruptHll => f.write_str("INVALIDOBJ Corrupted HLL object detected"),
            ReplyError::Unblocked => f.write_str("UNBLOCKED client unblocked via CLIENT UNBLOCK"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_match_redis() {
        let cases: Vec<(ReplyError, &str)> = vec![
            (ReplyError::Syntax, "ERR syntax error"),
            (
                ReplyError::NotHll,
                "WRONGTYPE Key is not a valid HyperLogLog string value.",
            ),
            (
                ReplyError::CorruptHll,
                "INVALIDOBJ Corrupted HLL object detected",
            ),
            (
                ReplyError::wrong_arity(b"GET"),
                "ERR wrong number of arguments for 'get' command",
            ),
            (
                ReplyError::invalid_expire_time(b"SET"),
                "ERR invalid expire time in 'set' command",
            ),
            (
                ReplyError::UnknownCommand {
                    name: Bytes::from_static(b"foo"),
                    args: vec![Bytes::from_static(b"a"), Bytes::from_static(b"b")],
                },
                "ERR unknown command 'foo', with args beginning with: 'a' 'b' ",
            ),
            (
                ReplyError::UnknownCommand {
                    name: Bytes::from_static(b"foo"),
                    args: vec![],
                },
                "ERR unknown command 'foo', with args beginning with: ",
            ),
            (
                ReplyError::UnsupportedOption(Bytes::from_static(b"foo")),
                "ERR Unsupported option foo",
            ),
            (
                ReplyError::BusyKey,
                "BUSYKEY Target key name already exists.",
            ),
            (
                ReplyError::Unblocked,
                "UNBLOCKED client unblocked via CLIENT UNBLOCK",
            ),
        ];
        for (err, text) in cases {
            assert_eq!(err.to_string(), text);
        }
    }

    #[test]
    fn wire_round_trip() {
        let errs = vec![
            ReplyError::Syntax,
            ReplyError::WrongType,
            ReplyError::invalid_expire_time(b"set"),
            ReplyError::UnknownCommand {
                name: Bytes::from_static(b"x"),
                args: vec![Bytes::from_static(b"y")],
            },
            ReplyError::UnknownSubcommand {
                command: Bytes::from_static(b"OBJECT"),
                subcommand: Bytes::from_static(b"x"),
            },
            ReplyError::err("no such thing"),
            ReplyError::UnsupportedOption(Bytes::from_static(b"xx2")),
            ReplyError::BusyKey,
            ReplyError::NotHll,
            ReplyError::CorruptHll,
            ReplyError::NoAuthHello,
            ReplyError::NoPerm(Bytes::from_static(b"this user has no permissions")),
            ReplyError::Unblocked,
        ];
        for e in errs {
            assert_eq!(ReplyError::from_parts(e.code(), e.args()), Some(e));
        }
    }
}
