//! Conversions between [`tinyredis_common::Reply`] and the protobuf [`Reply`](crate::pb::Reply).

use tinyredis_common::{Reply, ReplyError};

use crate::pb;
use crate::pb::reply::Kind;

impl From<Reply> for pb::Reply {
    fn from(reply: Reply) -> pb::Reply {
        let kind = match reply {
            Reply::Ok => Kind::Ok(pb::Empty {}),
            Reply::Simple(s) => Kind::Simple(s),
            Reply::Error(e) => Kind::Error(pb::ErrorReply {
                code: e.code(),
                args: e.args(),
            }),
            Reply::Integer(n) => Kind::Integer(n),
            Reply::Bulk(b) => Kind::Bulk(b),
            Reply::Nil => Kind::Nil(pb::Empty {}),
            Reply::NilArray => Kind::NilArray(pb::Empty {}),
            Reply::Array(items) => Kind::Array(list(items)),
            Reply::Double(d) => Kind::Double(d),
            Reply::Map(pairs) => Kind::Map(flatten(pairs)),
            Reply::Set(items) => Kind::Set(list(items)),
            Reply::Pairs(pairs) => Kind::Pairs(flatten(pairs)),
            Reply::Verbatim(text) => Kind::Verbatim(text),
            Reply::Blocked { timeout_ms } => Kind::Blocked(timeout_ms),
        };
        pb::Reply { kind: Some(kind) }
    }
}

fn list(items: Vec<Reply>) -> pb::ReplyList {
    pb::ReplyList {
        items: items.into_iter().map(pb::Reply::from).collect(),
    }
}

fn unlist(list: pb::ReplyList) -> Vec<Reply> {
    list.items.into_iter().map(Reply::from).collect()
}

/// Encodes pairs as one list whose first and second elements alternate.
fn flatten(pairs: Vec<(Reply, Reply)>) -> pb::ReplyList {
    pb::ReplyList {
        items: pairs
            .into_iter()
            .flat_map(|(k, v)| [pb::Reply::from(k), pb::Reply::from(v)])
            .collect(),
    }
}

/// Decodes a list written by [`flatten`] (a trailing odd element is dropped).
fn unflatten(list: pb::ReplyList) -> Vec<(Reply, Reply)> {
    let mut items = unlist(list).into_iter();
    let mut pairs = Vec::with_capacity(items.len() / 2);
    while let (Some(k), Some(v)) = (items.next(), items.next()) {
        pairs.push((k, v));
    }
    pairs
}

/// The reply used when a node sends something this gateway cannot decode (a newer node version).
fn undecodable() -> Reply {
    Reply::Error(ReplyError::err(
        "internal error: undecodable reply from storage node",
    ))
}

impl From<pb::Reply> for Reply {
    fn from(reply: pb::Reply) -> Reply {
        match reply.kind {
            None => undecodable(),
            Some(Kind::Ok(_)) => Reply::Ok,
            Some(Kind::Simple(s)) => Reply::Simple(s),
            Some(Kind::Error(e)) => match ReplyError::from_parts(e.code, e.args) {
                Some(err) => Reply::Error(err),
                None => undecodable(),
            },
            Some(Kind::Integer(n)) => Reply::Integer(n),
            Some(Kind::Bulk(b)) => Reply::Bulk(b),
            Some(Kind::Nil(_)) => Reply::Nil,
            Some(Kind::NilArray(_)) => Reply::NilArray,
            Some(Kind::Array(l)) => Reply::Array(unlist(l)),
            Some(Kind::Double(d)) => Reply::Double(d),
            Some(Kind::Map(l)) => Reply::Map(unflatten(l)),
            Some(Kind::Pairs(l)) => Reply::Pairs(unflatten(l)),
            Some(Kind::Set(l)) => Reply::Set(unlist(l)),
            Some(Kind::Verbatim(text)) => Reply::Verbatim(text),
            Some(Kind::Blocked(timeout_ms)) => Reply::Blocked { timeout_ms },
        }
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;

    #[test]
    fn round_trip() {
        let replies = vec![
            Reply::Ok,
            Reply::simple("PONG"),
            Reply::Error(ReplyError::WrongType),
            Reply::Integer(-5),
            Reply::Bulk(Bytes::from_static(b"v")),
            Reply::Nil,
            Reply::NilArray,
            Reply::Array(vec![Reply::Integer(1), Reply::Nil]),
            Reply::Double(1.5),
            Reply::Map(vec![(Reply::bulk("k"), Reply::Integer(1))]),
            Reply::Set(vec![Reply::bulk("a")]),
            Reply::Verbatim(Bytes::from_static(b"# Server")),
            Reply::Pairs(vec![(Reply::bulk("m"), Reply::Double(-0.5))]),
            Reply::Blocked { timeout_ms: 1500 },
            Reply::Error(ReplyError::Unblocked),
        ];
        for r in replies {
            assert_eq!(Reply::from(pb::Reply::from(r.clone())), r);
        }
    }
}
