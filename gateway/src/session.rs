//! Per-connection session state: the only state a gateway keeps (DESIGN.md invariant 2).

use std::sync::Arc;

use bytes::Bytes;

use crate::acl::{AclState, AclUser};
use crate::clients::ClientEntry;
use crate::monitor::MonitorHandle;
use crate::reply_mode::ReplyMode;
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
    /// Redis's `c->authenticated`: set by AUTH or HELLO AUTH, or when the connection started
    /// (or was RESET) while the default user needed no password.
    pub authenticated: bool,
    /// The user whose permissions apply (Redis's `c->user`): `default` until AUTH.
    pub user: Arc<AclUser>,
    /// The [`crate::settings::Settings::acl_version`] `user` was taken from.
    pub acl_version: u64,
    /// EXEC is running the queued commands (they count as inside MULTI for the ACL log).
    pub in_exec: bool,
    /// Which replies are sent (CLIENT REPLY).
    pub reply: ReplyMode,
    /// Set by MONITOR: the lines this connection receives (see `monitor.rs`).
    pub monitor: Option<MonitorHandle>,
}

impl Session {
    /// A new session in RESP2 on database 0, as the default user (authenticated when that user
    /// needs no password, as Redis's `clientSetDefaultAuth`).
    pub fn new(client: Arc<ClientEntry>, acl: &AclState) -> Session {
        let mut session = Session {
            client,
            protocol: Protocol::Resp2,
            db: 0,
            quit: false,
            multi: None,
            multi_dirty: false,
            watched: Vec::new(),
            authenticated: false,
            user: acl.default_user(),
            acl_version: acl.version,
            in_exec: false,
            reply: ReplyMode::default(),
            monitor: None,
        };
        session.set_default_auth(acl);
        session
    }

    /// Back to the default user, authenticated only if it needs no password and is on.
    pub fn set_default_auth(&mut self, acl: &AclState) {
        let default = acl.default_user();
        let authenticated = !acl.default_requires_auth();
        self.set_user(default, authenticated, acl.version);
    }

    /// Runs the connection as `user` from now on.
    pub fn set_user(&mut self, user: Arc<AclUser>, authenticated: bool, acl_version: u64) {
        {
            let mut meta = self.client.meta();
            meta.user = user.name.clone();
            meta.user_created = user.created;
        }
        self.user = user;
        self.authenticated = authenticated;
        self.acl_version = acl_version;
    }

    /// Takes the current version of the session's user after the users changed. Returns false
    /// when the user was deleted (or deleted and created again): Redis closes such connections.
    pub fn refresh_user(&mut self, acl: &AclState) -> bool {
        match acl.user(&self.user.name) {
            Some(user) if user.created == self.user.created => {
                self.user = user;
                self.acl_version = acl.version;
                true
            }
            _ => false,
        }
    }

    /// Where a command of this session runs, for the ACL log.
    pub fn log_context(&self) -> crate::acl::LogContext {
        if self.multi.is_some() || self.in_exec {
            crate::acl::LogContext::Multi
        } else {
            crate::acl::LogContext::Toplevel
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

    /// Ends monitoring (RESET), if the connection monitors.
    pub fn stop_monitor(&mut self) {
        if self.monitor.take().is_some() {
            self.client.meta().monitor = false;
        }
    }
}
