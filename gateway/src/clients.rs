//! The registry of this gateway's client connections, for `CLIENT LIST`, `CLIENT KILL` and INFO.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use bytes::Bytes;
use tokio::sync::Notify;

use crate::blocking::BlockState;

/// What `CLIENT LIST` shows of a connection that changes over its life.
#[derive(Debug, Clone)]
pub struct ClientMeta {
    /// `CLIENT SETNAME` name.
    pub name: Option<Bytes>,
    /// Selected database.
    pub db: u32,
    /// RESP version (2 or 3).
    pub resp: u8,
    /// `CLIENT SETINFO LIB-NAME`.
    pub lib_name: Option<Bytes>,
    /// `CLIENT SETINFO LIB-VER`.
    pub lib_ver: Option<Bytes>,
    /// The last command's name.
    pub last_cmd: &'static str,
    /// When the last command arrived.
    pub last_active: Instant,
    /// The ACL user the connection runs as (`default` until AUTH).
    pub user: Bytes,
    /// That user's creation index ([`crate::acl::AclUser::created`]), so the connection is
    /// closed when the user is deleted.
    pub user_created: u64,
    /// The connection monitors (MONITOR): flag `O`.
    pub monitor: bool,
    /// A command of the connection waits for a CLIENT PAUSE to end: flag `b`, as Redis blocks a
    /// paused client.
    pub paused: bool,
}

impl ClientMeta {
    /// The `flags=` field of CLIENT LIST, in Redis's order.
    fn flags(&self, blocked: bool) -> String {
        let mut flags = String::new();
        if self.monitor {
            flags.push('O');
        }
        if self.paused || blocked {
            flags.push('b');
        }
        if flags.is_empty() {
            flags.push('N');
        }
        flags
    }
}

/// One connected client.
#[derive(Debug)]
pub struct ClientEntry {
    /// `CLIENT ID`: unique in this gateway, increasing.
    pub id: u64,
    /// The peer address.
    pub addr: String,
    /// The local address the client connected to.
    pub laddr: String,
    /// When the connection was accepted.
    pub created: Instant,
    meta: Mutex<ClientMeta>,
    /// Notified by `CLIENT KILL` to close the connection.
    pub kill: Notify,
    /// Whether the connection waits in a blocking command, and `CLIENT UNBLOCK`'s request.
    pub block: BlockState,
}

impl ClientEntry {
    /// Locks the mutable part. Hold it only briefly.
    pub fn meta(&self) -> MutexGuard<'_, ClientMeta> {
        self.meta.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Formats the connection as one `CLIENT LIST` line (Redis 7.0's fields), without a newline.
    pub fn line(&self) -> String {
        let m = self.meta().clone();
        let name = m
            .name
            .as_deref()
            .map(String::from_utf8_lossy)
            .unwrap_or_default();
        let mut s = String::with_capacity(256);
        let _ = write!(
            s,
            "id={} addr={} laddr={} fd=-1 name={} age={} idle={} flags={} db={} sub=0 psub=0 ssub=0 \
             multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 \
             tot-mem=0 events=r cmd={} user={} redir=-1 resp={}",
            self.id,
            self.addr,
            self.laddr,
            name,
            self.created.elapsed().as_secs(),
            m.last_active.elapsed().as_secs(),
            m.flags(self.block.is_blocked()),
            m.db,
            m.last_cmd,
            String::from_utf8_lossy(&m.user),
            m.resp
        );
        if let Some(lib) = &m.lib_name {
            let _ = write!(s, " lib-name={}", String::from_utf8_lossy(lib));
        }
        if let Some(ver) = &m.lib_ver {
            let _ = write!(s, " lib-ver={}", String::from_utf8_lossy(ver));
        }
        s
    }
}

/// All connections of a gateway.
#[derive(Debug, Default)]
pub struct Clients {
    map: Mutex<BTreeMap<u64, Arc<ClientEntry>>>,
    next_id: AtomicU64,
    total: AtomicU64,
}

impl Clients {
    fn lock(&self) -> MutexGuard<'_, BTreeMap<u64, Arc<ClientEntry>>> {
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a new connection and returns its entry.
    pub fn register(&self, addr: String, laddr: String) -> Arc<ClientEntry> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        self.total.fetch_add(1, Ordering::Relaxed);
        let now = Instant::now();
        let entry = Arc::new(ClientEntry {
            id,
            addr,
            laddr,
            created: now,
            meta: Mutex::new(ClientMeta {
                name: None,
                db: 0,
                resp: 2,
                lib_name: None,
                lib_ver: None,
                last_cmd: "NULL",
                last_active: now,
                user: Bytes::from_static(b"default"),
                user_created: 0,
                monitor: false,
                paused: false,
            }),
            kill: Notify::new(),
            block: BlockState::default(),
        });
        self.lock().insert(id, entry.clone());
        entry
    }

    /// Forgets a closed connection.
    pub fn remove(&self, id: u64) {
        self.lock().remove(&id);
    }

    /// The open connections, by id.
    pub fn list(&self) -> Vec<Arc<ClientEntry>> {
        self.lock().values().cloned().collect()
    }

    /// The number of open connections.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Returns true when no client is connected.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Connections accepted since start.
    pub fn total_received(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }
}
