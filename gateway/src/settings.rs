//! Runtime settings: the values CONFIG GET shows and CONFIG SET changes while the gateway runs.
//!
//! Two scopes (the split is documented in ARCHITECTURE.md and `cmd/config.rs`):
//!
//! - **Per gateway** (this process's connections and resources): `maxclients`, `timeout`,
//!   `proto-max-bulk-len`, `client-query-buffer-limit`, `client-output-buffer-limit`,
//!   `slowlog-log-slower-than`, `slowlog-max-len`. They start from [`crate::server::GatewayConfig`]
//!   and live in atomics here, read by connections on every batch, so a CONFIG SET takes effect at
//!   once without locks on the hot path.
//! - **Cluster-wide** (the data and its users, the same from every gateway): `maxmemory`,
//!   `maxmemory-policy`, `save`, `appendonly`, `requirepass`, and the ACL users. They live in the
//!   Raft state machine ([`ClusterSettings`]); this gateway keeps a copy, refreshed by a
//!   long-poll on the leader ([`settings_loop`]), and right after its own changes. The users are
//!   compiled into an [`AclState`] whenever they change.
//!
//! Until the first copy has arrived the gateway does not know whether clients must
//! authenticate, so connections wait for it ([`Settings::wait_loaded`]).

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use bytes::Bytes;
use tinyredis_common::settings::ClusterSettings;
use tinyredis_proto::pb;

use crate::acl::AclState;
use crate::cmd::config::{
    OutputBufferLimitChange, OutputBufferLimits, PUBSUB_OUTPUT_BUFFER_LIMIT,
    REPLICA_OUTPUT_BUFFER_LIMIT,
};
use crate::resp::Limits;
use crate::router::Router;

/// Redis's default `maxclients`.
pub const DEFAULT_MAXCLIENTS: u64 = 10_000;
/// Redis's default `client-query-buffer-limit` (1 GB).
pub const DEFAULT_CLIENT_QUERY_BUFFER_LIMIT: u64 = 1 << 30;
/// Redis's default `slowlog-log-slower-than`, in microseconds.
pub const DEFAULT_SLOWLOG_LOG_SLOWER_THAN: i64 = 10_000;
/// Redis's default `slowlog-max-len`.
pub const DEFAULT_SLOWLOG_MAX_LEN: u64 = 128;

/// The output buffer limit of normal clients (`client-output-buffer-limit normal <hard> <soft>
/// <soft-seconds>`): a client whose pending replies exceed `hard` bytes, or stay above `soft`
/// bytes for `soft_seconds`, is disconnected. 0 disables a limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputBufferLimit {
    /// Bytes above which the client is closed at once (0: none).
    pub hard: u64,
    /// Bytes above which the client is closed after `soft_seconds` (0: none).
    pub soft: u64,
    /// How long the soft limit may be exceeded.
    pub soft_seconds: u64,
}

/// The default normal-class output buffer limit. Redis's is `0 0 0` (unlimited), which lets one
/// client that stops reading make the server buffer replies without bound; a gateway serving many
/// clients closes such a client instead once 256 MB of replies wait for it, or 64 MB for 60 s (the
/// limits Redis uses for replicas).
pub const DEFAULT_OUTPUT_BUFFER_LIMIT: OutputBufferLimit = OutputBufferLimit {
    hard: 256 << 20,
    soft: 64 << 20,
    soft_seconds: 60,
};

/// The initial values of the per-gateway settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitialSettings {
    /// `maxclients`: connections accepted at once.
    pub maxclients: u64,
    /// `timeout`: seconds of client idleness before the gateway closes it (0: never).
    pub timeout_secs: u64,
    /// `client-query-buffer-limit`: the most bytes of one client's unparsed requests.
    pub client_query_buffer_limit: u64,
    /// `client-output-buffer-limit` for normal clients.
    pub output_buffer_limit: OutputBufferLimit,
    /// `slowlog-log-slower-than`, in microseconds (-1: log nothing, 0: log everything).
    pub slowlog_log_slower_than: i64,
    /// `slowlog-max-len`.
    pub slowlog_max_len: u64,
}

impl Default for InitialSettings {
    fn default() -> InitialSettings {
        InitialSettings {
            maxclients: DEFAULT_MAXCLIENTS,
            timeout_secs: 0,
            client_query_buffer_limit: DEFAULT_CLIENT_QUERY_BUFFER_LIMIT,
            output_buffer_limit: DEFAULT_OUTPUT_BUFFER_LIMIT,
            slowlog_log_slower_than: DEFAULT_SLOWLOG_LOG_SLOWER_THAN,
            slowlog_max_len: DEFAULT_SLOWLOG_MAX_LEN,
        }
    }
}

/// The live settings of a gateway. Getters are lock-free except [`Settings::cluster`].
#[derive(Debug)]
pub struct Settings {
    maxclients: AtomicU64,
    /// A watch rather than an atomic, so that idle connections waiting with the old value wake
    /// up when it changes.
    timeout_secs: tokio::sync::watch::Sender<u64>,
    proto_max_bulk_len: AtomicU64,
    client_query_buffer_limit: AtomicU64,
    obuf_hard: AtomicU64,
    obuf_soft: AtomicU64,
    obuf_soft_seconds: AtomicU64,
    /// The replica and pub/sub classes: no such clients connect to a gateway, but CONFIG GET
    /// shows what CONFIG SET stored.
    obuf_other: Mutex<[OutputBufferLimit; 2]>,
    slowlog_log_slower_than: AtomicI64,
    slowlog_max_len: AtomicU64,
    /// Request limits that CONFIG does not change (argument count, inline line length).
    fixed_limits: Limits,
    cluster: RwLock<Arc<ClusterSettings>>,
    /// The users of `cluster`, rebuilt when they change.
    acl: RwLock<Arc<AclState>>,
    /// The settings version of `acl`, so sessions notice a change with one atomic load, and the
    /// connection killer wakes up.
    acl_version: tokio::sync::watch::Sender<u64>,
    /// The same version, read by every command without a lock.
    acl_version_now: AtomicU64,
    /// Whether new connections must authenticate (the default user has a password or is off).
    default_requires_auth: AtomicBool,
    /// Becomes true once a copy of the cluster settings has been received.
    loaded: tokio::sync::watch::Sender<bool>,
}

impl Settings {
    /// Settings starting from the gateway's configuration.
    pub fn new(initial: &InitialSettings, limits: &Limits) -> Settings {
        Settings {
            maxclients: AtomicU64::new(initial.maxclients),
            timeout_secs: tokio::sync::watch::Sender::new(initial.timeout_secs),
            proto_max_bulk_len: AtomicU64::new(limits.max_bulk_len as u64),
            client_query_buffer_limit: AtomicU64::new(initial.client_query_buffer_limit),
            obuf_hard: AtomicU64::new(initial.output_buffer_limit.hard),
            obuf_soft: AtomicU64::new(initial.output_buffer_limit.soft),
            obuf_soft_seconds: AtomicU64::new(initial.output_buffer_limit.soft_seconds),
            obuf_other: Mutex::new([REPLICA_OUTPUT_BUFFER_LIMIT, PUBSUB_OUTPUT_BUFFER_LIMIT]),
            slowlog_log_slower_than: AtomicI64::new(initial.slowlog_log_slower_than),
            slowlog_max_len: AtomicU64::new(initial.slowlog_max_len),
            fixed_limits: limits.clone(),
            cluster: RwLock::new(Arc::new(ClusterSettings::default())),
            acl: RwLock::new(Arc::new(AclState::default())),
            acl_version: tokio::sync::watch::Sender::new(0),
            acl_version_now: AtomicU64::new(0),
            default_requires_auth: AtomicBool::new(false),
            loaded: tokio::sync::watch::Sender::new(false),
        }
    }

    /// `maxclients`.
    pub fn maxclients(&self) -> u64 {
        self.maxclients.load(Ordering::Relaxed)
    }

    /// `timeout` in seconds (0: idle clients are never closed).
    pub fn timeout_secs(&self) -> u64 {
        *self.timeout_secs.borrow()
    }

    /// Watches `timeout`, for connections waiting for input.
    pub fn watch_timeout(&self) -> tokio::sync::watch::Receiver<u64> {
        self.timeout_secs.subscribe()
    }

    /// `proto-max-bulk-len`.
    pub fn proto_max_bulk_len(&self) -> u64 {
        self.proto_max_bulk_len.load(Ordering::Relaxed)
    }

    /// `client-query-buffer-limit`.
    pub fn client_query_buffer_limit(&self) -> u64 {
        self.client_query_buffer_limit.load(Ordering::Relaxed)
    }

    /// `client-output-buffer-limit` of the normal class.
    pub fn output_buffer_limit(&self) -> OutputBufferLimit {
        OutputBufferLimit {
            hard: self.obuf_hard.load(Ordering::Relaxed),
            soft: self.obuf_soft.load(Ordering::Relaxed),
            soft_seconds: self.obuf_soft_seconds.load(Ordering::Relaxed),
        }
    }

    /// `slowlog-log-slower-than`, in microseconds: commands slower than this are logged; -1 logs
    /// nothing and 0 logs every command.
    pub fn slowlog_log_slower_than(&self) -> i64 {
        self.slowlog_log_slower_than.load(Ordering::Relaxed)
    }

    /// `slowlog-max-len`: the most entries the slow log keeps.
    pub fn slowlog_max_len(&self) -> u64 {
        self.slowlog_max_len.load(Ordering::Relaxed)
    }

    /// The request parser's limits, with the current `proto-max-bulk-len`.
    pub fn limits(&self) -> Limits {
        Limits {
            max_bulk_len: usize::try_from(self.proto_max_bulk_len()).unwrap_or(usize::MAX),
            ..self.fixed_limits.clone()
        }
    }

    /// The cluster-wide settings as last seen.
    pub fn cluster(&self) -> Arc<ClusterSettings> {
        self.cluster
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Replaces the cached cluster-wide settings if `new` is newer (and rebuilds the users if
    /// they changed); marks the settings loaded in any case. Returns true if they were newer.
    pub fn update_cluster(&self, new: ClusterSettings) -> bool {
        let changed = {
            let mut cur = self.cluster.write().unwrap_or_else(|e| e.into_inner());
            if new.version > cur.version || (!self.is_loaded() && *cur.as_ref() != new) {
                let users_changed = cur.users != new.users || !self.is_loaded();
                let new = Arc::new(new);
                *cur = new.clone();
                if users_changed {
                    let acl = Arc::new(AclState::from_settings(&new));
                    self.default_requires_auth
                        .store(acl.default_requires_auth(), Ordering::Relaxed);
                    *self.acl.write().unwrap_or_else(|e| e.into_inner()) = acl;
                    self.acl_version_now.store(new.version, Ordering::Release);
                    self.acl_version.send_replace(new.version);
                }
                true
            } else {
                false
            }
        };
        self.loaded
            .send_if_modified(|l| !std::mem::replace(l, true));
        changed
    }

    /// The users as last seen.
    pub fn acl(&self) -> Arc<AclState> {
        self.acl.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The settings version the users were last rebuilt at (cheap: sessions compare it with
    /// their copy on every command).
    pub fn acl_version(&self) -> u64 {
        self.acl_version_now.load(Ordering::Acquire)
    }

    /// Watches [`Settings::acl_version`].
    pub fn watch_acl(&self) -> tokio::sync::watch::Receiver<u64> {
        self.acl_version.subscribe()
    }

    /// Returns true when clients that did not authenticate must (Redis's `authRequired` before
    /// AUTH).
    pub fn default_requires_auth(&self) -> bool {
        self.default_requires_auth.load(Ordering::Relaxed)
    }

    /// Returns true once the cluster settings have been received.
    pub fn is_loaded(&self) -> bool {
        *self.loaded.borrow()
    }

    /// Waits until the cluster settings have been received, at most `timeout`; returns whether
    /// they were.
    pub async fn wait_loaded(&self, timeout: Duration) -> bool {
        let mut rx = self.loaded.subscribe();
        matches!(
            tokio::time::timeout(timeout, rx.wait_for(|l| *l)).await,
            Ok(Ok(_))
        )
    }

    pub(crate) fn set_maxclients(&self, v: u64) {
        self.maxclients.store(v, Ordering::Relaxed);
    }

    pub(crate) fn set_timeout_secs(&self, v: u64) {
        self.timeout_secs.send_replace(v);
    }

    pub(crate) fn set_proto_max_bulk_len(&self, v: u64) {
        self.proto_max_bulk_len.store(v, Ordering::Relaxed);
    }

    pub(crate) fn set_client_query_buffer_limit(&self, v: u64) {
        self.client_query_buffer_limit.store(v, Ordering::Relaxed);
    }

    /// All three classes of `client-output-buffer-limit`.
    pub fn output_buffer_limits(&self) -> OutputBufferLimits {
        let [replica, pubsub] = *self.obuf_other.lock().unwrap_or_else(|e| e.into_inner());
        OutputBufferLimits {
            normal: self.output_buffer_limit(),
            replica,
            pubsub,
        }
    }

    /// Sets the classes a CONFIG SET value names (normal, replica, pub/sub).
    pub(crate) fn change_output_buffer_limits(&self, change: OutputBufferLimitChange) {
        if let Some(v) = change[0] {
            self.obuf_hard.store(v.hard, Ordering::Relaxed);
            self.obuf_soft.store(v.soft, Ordering::Relaxed);
            self.obuf_soft_seconds
                .store(v.soft_seconds, Ordering::Relaxed);
        }
        let mut other = self.obuf_other.lock().unwrap_or_else(|e| e.into_inner());
        for (slot, v) in other.iter_mut().zip(&change[1..]) {
            if let Some(v) = v {
                *slot = *v;
            }
        }
    }

    pub(crate) fn set_slowlog_log_slower_than(&self, v: i64) {
        self.slowlog_log_slower_than.store(v, Ordering::Relaxed);
    }

    pub(crate) fn set_slowlog_max_len(&self, v: u64) {
        self.slowlog_max_len.store(v, Ordering::Relaxed);
    }
}

/// How long one long-poll for settings changes waits on the node.
const SETTINGS_POLL_WAIT: Duration = Duration::from_secs(10);

/// Values this gateway's own configuration offers the cluster: written only where the cluster
/// has none yet (a `requirepass` never set, users that do not exist), so the first gateway that
/// starts configures the cluster and later CONFIG SET or ACL SETUSER changes are kept.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Bootstrap {
    /// `requirepass`.
    pub requirepass: Option<String>,
    /// Users: a name and its rules, passwords already hashed (`#hash`).
    pub users: Vec<(Bytes, Vec<Bytes>)>,
}

impl std::fmt::Debug for Bootstrap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bootstrap")
            .field(
                "requirepass",
                &self.requirepass.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "users",
                &self
                    .users
                    .iter()
                    .map(|(name, _)| String::from_utf8_lossy(name).into_owned())
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Bootstrap {
    /// The internal commands that offer these values to the cluster.
    fn commands(&self) -> Vec<pb::Command> {
        let mut commands = Vec::new();
        if let Some(pass) = &self.requirepass {
            commands.push(pb::Command {
                argv: vec![
                    Bytes::from_static(b"config"),
                    Bytes::from_static(b"init"),
                    Bytes::from_static(b"requirepass"),
                    Bytes::copy_from_slice(pass.as_bytes()),
                ],
            });
        }
        for (name, rules) in &self.users {
            let mut argv = vec![
                Bytes::from_static(b"acl"),
                Bytes::from_static(b"inituser"),
                name.clone(),
            ];
            argv.extend(rules.iter().cloned());
            commands.push(pb::Command { argv });
        }
        commands
    }
}

/// Keeps the cached cluster settings current: fetches them at once, offers the bootstrap
/// values, then long-polls the leader for a newer version, forever.
pub async fn settings_loop(settings: Arc<Settings>, router: Router, bootstrap: Bootstrap) {
    let mut pending = bootstrap.commands();
    loop {
        let (after, wait) = if settings.is_loaded() {
            (settings.cluster().version, SETTINGS_POLL_WAIT)
        } else {
            (0, Duration::ZERO)
        };
        match router.settings(after, wait, false).await {
            Some(new) => {
                settings.update_cluster(new);
            }
            None => {
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
        }
        if !pending.is_empty() {
            let req = pb::ExecuteRequest {
                client_id: 0,
                seq: 0,
                db: 0,
                write: true,
                commands: pending.clone(),
                transaction: false,
            };
            match router.execute(&req).await {
                Ok(replies) => {
                    for (command, reply) in pending.iter().zip(&replies) {
                        if let tinyredis_common::Reply::Error(e) = reply {
                            tracing::error!(
                                what = %String::from_utf8_lossy(&command.argv[1]),
                                error = %e,
                                "the cluster refused a bootstrap setting of this gateway"
                            );
                        }
                    }
                    pending.clear();
                    if let Some(new) = router.settings(0, Duration::ZERO, false).await {
                        settings.update_cluster(new);
                    }
                }
                Err(e) => {
                    tracing::warn!(error = ?e, "could not offer bootstrap settings yet");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
    }
}
