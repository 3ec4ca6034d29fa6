//! PING, SELECT, RESET, TIME, LASTSAVE.

use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use tinyredis_common::num::parse_i64;
use tinyredis_common::{NUM_DATABASES, Reply, ReplyError};

use crate::resp::Protocol;
use crate::server::Shared;
use crate::session::Session;

/// `PING [message]`: `+PONG`, or the message as a bulk string.
pub fn ping(argv: &[Bytes]) -> Reply {
    match argv.len() {
        1 => Reply::simple("PONG"),
        2 => Reply::Bulk(argv[1].clone()),
        _ => Reply::Error(ReplyError::wrong_arity(b"ping")),
    }
}

/// `SELECT index`.
pub fn select(session: &mut Session, argv: &[Bytes]) -> Reply {
    match parse_i64(&argv[1]) {
        None => Reply::Error(ReplyError::NotInteger),
        Some(n) if !(0..NUM_DATABASES as i64).contains(&n) => {
            Reply::Error(ReplyError::DbIndexOutOfRange)
        }
        Some(n) => {
            session.set_db(n as u32);
            Reply::Ok
        }
    }
}

/// `RESET`: back to a fresh connection's state (RESP2, db 0, no name, the default user,
/// authenticated only if it needs no password, replies on, not monitoring).
pub fn reset(session: &mut Session, shared: &Shared) -> Reply {
    session.set_db(0);
    session.set_protocol(Protocol::Resp2);
    session.set_default_auth(&shared.settings.acl());
    session.multi = None;
    session.multi_dirty = false;
    session.watched.clear();
    session.reply.reset();
    session.stop_monitor();
    {
        let mut meta = session.client.meta();
        meta.name = None;
    }
    Reply::simple("RESET")
}

/// `TIME`: unix seconds and microseconds, as two bulk strings.
pub fn time() -> Reply {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let secs = itoa::Buffer::new()
        .format(now.as_secs())
        .as_bytes()
        .to_vec();
    let micros = itoa::Buffer::new()
        .format(now.subsec_micros())
        .as_bytes()
        .to_vec();
    Reply::Array(vec![
        Reply::Bulk(Bytes::from(secs)),
        Reply::Bulk(Bytes::from(micros)),
    ])
}

/// `LASTSAVE`: unix seconds of the leader's newest snapshot (or of its start, if later), as
/// Redis reports its last successful save.
pub async fn lastsave(shared: &Shared) -> Reply {
    match shared.router.status().await {
        Some(st) => Reply::Integer(st.last_save_time as i64),
        None => Reply::Error(ReplyError::err("no storage node reachable")),
    }
}
