//! The structured reply to a Redis command.
//!
//! The storage node answers every command with a [`Reply`]; the gateway turns it into RESP2 or RESP3
//! bytes. Nothing here knows the wire format, so the same value can be encoded for either protocol.

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::error::ReplyError;

/// A reply value, shaped after RESP3's types so that RESP2 is a lossy projection of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Reply {
    /// `+OK`.
    Ok,
    /// A simple string such as `PONG` or a type name (`+string`).
    Simple(Bytes),
    /// An error reply (`-PREFIX message`).
    Error(ReplyError),
    /// An integer (`:n`).
    Integer(i64),
    /// A bulk string (`$n`).
    Bulk(Bytes),
    /// The null bulk string (`$-1` in RESP2, `_` in RESP3).
    Nil,
    /// The null array (`*-1` in RESP2, `_` in RESP3), as sent by e.g. `BLPOP` on timeout.
    NilArray,
    /// An array (`*n`).
    Array(Vec<Reply>),
    /// A double: a bulk string in RESP2, `,` in RESP3.
    Double(f64),
    /// A map: a flat array in RESP2, `%` in RESP3.
    Map(Vec<(Reply, Reply)>),
    /// Ordered pairs, as Redis 7 sends scored or valued results (ZRANGE WITHSCORES, ZPOPMIN with a
    /// count, HRANDFIELD WITHVALUES): one flat array in RESP2, an array of two-element arrays in
    /// RESP3 (never a map, since the order matters).
    Pairs(Vec<(Reply, Reply)>),
    /// A set: an array in RESP2, `~` in RESP3.
    Set(Vec<Reply>),
    /// Text such as INFO's: a bulk string in RESP2, a `txt` verbatim string (`=`) in RESP3.
    Verbatim(Bytes),
    /// Not a client-visible reply: the storage node registered this blocking command (BLPOP, …) as
    /// a waiter, and its real reply comes later (`Kv.AwaitReply`, `Kv.Unblock`). The gateway
    /// never sends it to a client.
    Blocked {
        /// The command's timeout in milliseconds, as Redis computes it from the timeout argument;
        /// 0 blocks forever.
        timeout_ms: u64,
    },
}

impl Reply {
    /// Builds a bulk reply from anything that converts into [`Bytes`].
    pub fn bulk(value: impl Into<Bytes>) -> Reply {
        Reply::Bulk(value.into())
    }

    /// Builds a simple-string reply from a static string.
    pub fn simple(value: &'static str) -> Reply {
        Reply::Simple(Bytes::from_static(value.as_bytes()))
    }

    /// Returns true for an error reply.
    pub fn is_error(&self) -> bool {
        matches!(self, Reply::Error(_))
    }
}

impl From<ReplyError> for Reply {
    fn from(err: ReplyError) -> Reply {
        Reply::Error(err)
    }
}

impl From<i64> for Reply {
    fn from(n: i64) -> Reply {
        Reply::Integer(n)
    }
}

impl From<Option<Bytes>> for Reply {
    fn from(value: Option<Bytes>) -> Reply {
        match value {
            Some(b) => Reply::Bulk(b),
            None => Reply::Nil,
        }
    }
}
