//! Per-connection session state: the only state a gateway keeps (DESIGN.md invariant 2).

use std::sync::Arc;

use bytes::Bytes;

use crate::clients::ClientEntry;
use crate::resp::Protocol;

/// The state of one client connection that commands read and change.
pub struct Session {
    /// This connection's registry entry (id, name, library, last command).
    pub client: Arc<ClientEntry>,
    /// RESP version chosen by HELLO.
    pub protocol: Protocol,
    /// Database chosen by SELECT.
    pub db: u32,
    /// Set by QUIT: close after replying.
    pub quit: bool,
    /// The commands queued since MULTI, if a transaction is open.
    pub multi: Option<Vec<Vec<bytes::Bytes>>>,
    /// A command queued in the open transaction was refused: EXEC will abort.
    pub multi_dirty: bool,
    /// The keys WATCHed since the last EXEC, DISCARD or UNWATCH: `(db, key, digest)`, the digest
    /// as the leader computed it (see the storage node's `commands::watch`).
    pub watched: Vec<(u32, Bytes, Bytes)>,
}

impl Session {
    /// A new session in RESP2 on database 0.
    pub fn new(client: Arc<ClientEntry>) -> Session {
        Session {
            client,
            protocol: Protocol::Resp2,
            db: 0,
            quit: false,
            multi: None,
            multi_dirty: false,
            watched: Vec::new(),
        }
    }

    /// Switches the RESP version and records it for CLIENT LIST.
    pub fn set_protocol(&mut self, protocol: Protocol) {
        self.protocol = protocol;
        self.client.meta().resp = match protocol {
            Protocol::Resp2 => 2,
            Protocol::Resp3 => 3,
        };
    }

    /// Switches the database and records it for CLIENT LIST.
    pub fn set_db(&mut self, db: u32) {
        self.db = db;
        self.client.meta().db = db;
    }
}
