//! `HELLO [protover [AUTH username password] [SETNAME clientname]]`.

use bytes::Bytes;
use tinyredis_common::num::parse_i64;
use tinyredis_common::{REDIS_VERSION, Reply, ReplyError};

use super::valid_name;
use crate::resp::Protocol;
use crate::server::Shared;
use crate::session::Session;

/// Switches the protocol (2 or 3), optionally authenticates and names the connection, and replies
/// with the server's description (a map in RESP3, a flat array in RESP2).
///
/// As in Redis, options take effect in order (an AUTH before a bad SETNAME stays done), and the
/// protocol switches only if the connection is authenticated at the end.
pub fn hello(session: &mut Session, shared: &Shared, argv: &[Bytes]) -> Reply {
    let mut protocol = None;
    let mut i = 1;
    if argv.len() >= 2 {
        let Some(ver) = parse_i64(&argv[1]) else {
            return Reply::Error(ReplyError::err(
                "Protocol version is not an integer or out of range",
            ));
        };
        protocol = Some(match ver {
            2 => Protocol::Resp2,
            3 => Protocol::Resp3,
            _ => return Reply::Error(ReplyError::NoProto),
        });
        i = 2;
    }
    while i < argv.len() {
        let opt = &argv[i];
        let more = argv.len() - i - 1;
        if opt.eq_ignore_ascii_case(b"AUTH") && more >= 2 {
            if !super::auth::authenticate(session, shared, &argv[i + 1], &argv[i + 2], &argv[0]) {
                return Reply::Error(ReplyError::WrongPass);
            }
            i += 3;
        } else if opt.eq_ignore_ascii_case(b"SETNAME") && more >= 1 {
            if !valid_name(&argv[i + 1]) {
                return Reply::Error(ReplyError::err(
                    "Client names cannot contain spaces, newlines or special characters.",
                ));
            }
            let name = &argv[i + 1];
            session.client.meta().name = (!name.is_empty()).then(|| name.clone());
            i += 2;
        } else {
            let text = format!(
                "Syntax error in HELLO option '{}'",
                String::from_utf8_lossy(opt)
            );
            return Reply::Error(ReplyError::Err(Bytes::from(text)));
        }
    }
    if !session.authenticated {
        return Reply::Error(ReplyError::NoAuthHello);
    }
    if let Some(protocol) = protocol {
        session.set_protocol(protocol);
    }
    let proto_num = if session.protocol == Protocol::Resp3 {
        3
    } else {
        2
    };
    Reply::Map(vec![
        (Reply::bulk("server"), Reply::bulk("redis")),
        (Reply::bulk("version"), Reply::bulk(REDIS_VERSION)),
        (Reply::bulk("proto"), Reply::Integer(proto_num)),
        (Reply::bulk("id"), Reply::Integer(session.client.id as i64)),
        (Reply::bulk("mode"), Reply::bulk("standalone")),
        (Reply::bulk("role"), Reply::bulk("master")),
        (Reply::bulk("modules"), Reply::Array(Vec::new())),
    ])
}
