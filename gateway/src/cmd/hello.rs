//! `HELLO [protover [AUTH username password] [SETNAME clientname]]`.

use bytes::Bytes;
use tinyredis_common::num::parse_i64;
use tinyredis_common::{REDIS_VERSION, Reply, ReplyError};

use super::valid_name;
use crate::resp::Protocol;
use crate::session::Session;

/// Switches the protocol (2 or 3), optionally authenticates and names the connection, and replies
/// with the server's description (a map in RESP3, a flat array in RESP2).
pub fn hello(session: &mut Session, argv: &[Bytes]) -> Reply {
    let mut protocol = session.protocol;
    let mut name = None;
    if argv.len() >= 2 {
        let Some(ver) = parse_i64(&argv[1]) else {
            return Reply::Error(ReplyError::err(
                "Protocol version is not an integer or out of range",
            ));
        };
        protocol = match ver {
            2 => Protocol::Resp2,
            3 => Protocol::Resp3,
            _ => return Reply::Error(ReplyError::NoProto),
        };
        let mut i = 2;
        while i < argv.len() {
            let opt = &argv[i];
            let more = argv.len() - i - 1;
            if opt.eq_ignore_ascii_case(b"AUTH") && more >= 2 {
                // No users are configured yet: the default user has no password, as in Redis,
                // so any password is accepted for it and every other user is refused.
                if !argv[i + 1].eq_ignore_ascii_case(b"default") {
                    return Reply::Error(ReplyError::WrongPass);
                }
                i += 3;
            } else if opt.eq_ignore_ascii_case(b"SETNAME") && more >= 1 {
                if !valid_name(&argv[i + 1]) {
                    return Reply::Error(ReplyError::err(
                        "Client names cannot contain spaces, newlines or special characters.",
                    ));
                }
                name = Some(argv[i + 1].clone());
                i += 2;
            } else {
                let text = format!(
                    "Syntax error in HELLO option '{}'",
                    String::from_utf8_lossy(opt)
                );
                return Reply::Error(ReplyError::Err(Bytes::from(text)));
            }
        }
    }
    session.set_protocol(protocol);
    if let Some(name) = name {
        session.client.meta().name = (!name.is_empty()).then_some(name);
    }
    let proto_num = if protocol == Protocol::Resp3 { 3 } else { 2 };
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
