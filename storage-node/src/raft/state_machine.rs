//! The replicated state machine: the in-memory keyspace plus what Raft needs around it.
//!
//! [`StateMachine`] is what openraft drives (apply, snapshot, install). It shares [`SmState`] with
//! the gRPC read path through [`SharedState`]: apply takes the write lock for one entry at a time,
//! reads take the read lock after their read barrier.
//!
//! Snapshots do not stop the world: the keyspace is a persistent (structurally shared) map, so the
//! builder clones the state under the lock in O(1) and serializes the clone to a file on a blocking
//! thread while apply continues. Snapshot files live in `<data-dir>/snapshots`, are written to a
//! temporary name, fsynced and renamed, and are what a restart loads before replaying the log.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use bytes::Bytes;
use futures::{Stream, TryStreamExt};
use openraft::storage::{EntryResponder, RaftStateMachine};
use openraft::{EntryPayload, OptionalSend, RaftSnapshotBuilder};
use serde::{Deserialize, Serialize};
use tinyredis_common::settings::ClusterSettings;
use tinyredis_common::{Reply, ReplyError};

use super::typ::{LogId, SnapshotMeta, StoredMembership};
use super::{Op, Request, Response, TypeConfig, codec};
use crate::blocking::{AwaitStatus, Blocking, WAITER_LEASE_MS, Waiter};
use crate::commands::blocking::Blocking as Executed;
use crate::commands::{self, WriteCtx, watch};
use crate::keyspace::EncodingLimits;
use crate::keyspace::Keyspace;

/// The most client sessions remembered for retry deduplication; the least recently written are
/// forgotten first (deterministically, by log index).
pub const MAX_SESSIONS: usize = 65_536;

/// The current snapshot format: the header holds the cluster settings (with ACL users) and the
/// blocked clients.
const SNAPSHOT_MAGIC: &[u8; 8] = b"TRSNAP04";
/// The format before blocked clients were replicated; still readable (no client is blocked).
const SNAPSHOT_MAGIC_V3: &[u8; 8] = b"TRSNAP03";
/// The format whose header holds the cluster settings without ACL users (settings format 1).
const SNAPSHOT_MAGIC_V2: &[u8; 8] = b"TRSNAP02";
/// The format before cluster settings existed; still readable (settings start at their defaults).
const SNAPSHOT_MAGIC_V1: &[u8; 8] = b"TRSNAP01";

/// A snapshot on disk, as openraft passes it around.
#[derive(Debug)]
pub struct SnapshotFile {
    /// Path of the snapshot file (final or, when just received, temporary).
    pub path: PathBuf,
}

/// The last write of one client: enough to answer a retry of it without applying it again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Session {
    seq: u64,
    replies: Vec<Reply>,
    index: u64,
}

/// Recent client sessions for exactly-once retries (DESIGN.md invariant 7); part of snapshots.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Sessions {
    by_client: HashMap<u64, Session>,
    by_index: BTreeMap<u64, u64>,
}

impl Sessions {
    /// Returns the replies of `(client, seq)` if that request was already applied.
    fn lookup(&self, client: u64, seq: u64) -> Option<Result<&[Reply], ()>> {
        let s = self.by_client.get(&client)?;
        if s.seq == seq {
            Some(Ok(&s.replies))
        } else if s.seq > seq {
            // An older request than the last one: it was applied, but its replies are gone.
            Some(Err(()))
        } else {
            None
        }
    }

    fn record(&mut self, client: u64, seq: u64, replies: Vec<Reply>, index: u64) {
        if let Some(old) = self.by_client.insert(
            client,
            Session {
                seq,
                replies,
                index,
            },
        ) {
            self.by_index.remove(&old.index);
        }
        self.by_index.insert(index, client);
        while self.by_client.len() > MAX_SESSIONS {
            let Some((_, oldest)) = self.by_index.pop_first() else {
                break;
            };
            self.by_client.remove(&oldest);
        }
    }
}

/// Everything the state machine holds in memory.
#[derive(Debug, Clone, Default)]
pub struct SmState {
    /// The Redis data.
    pub keyspace: Keyspace,
    /// The last applied log id.
    pub last_applied: Option<LogId>,
    /// The last applied membership.
    pub last_membership: StoredMembership,
    /// The latest entry time applied; entry times are clamped to never go backwards.
    pub last_time_ms: u64,
    /// Retry deduplication.
    pub sessions: Sessions,
    /// The configuration shared by all gateways (cluster-wide CONFIG parameters).
    pub settings: ClusterSettings,
    /// Clients blocked by BLPOP and friends, and the replies of those served (see
    /// [`crate::blocking`]).
    pub blocking: Blocking,
    /// The clients whose blocked command got its final reply in the entries applied since the
    /// last [`SmState::take_resolved`]: the `Kv.AwaitReply` calls to wake. Not replicated state.
    resolved: Vec<u64>,
}

/// The state shared between apply and the read path.
#[derive(Debug)]
pub struct SharedState {
    state: RwLock<SmState>,
    /// The applied settings version, so that `Kv.Settings` long-polls wake up on a change.
    settings_version: tokio::sync::watch::Sender<u64>,
    /// `Kv.AwaitReply` calls waiting for the reply of a blocked command, by client id.
    awaiting: std::sync::Mutex<HashMap<u64, Arc<tokio::sync::Notify>>>,
}

impl Default for SharedState {
    fn default() -> SharedState {
        SharedState::new(SmState::default())
    }
}

impl SharedState {
    /// Locks the state for reading. Hold it only for synchronous work.
    pub fn read(&self) -> RwLockReadGuard<'_, SmState> {
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, SmState> {
        self.state.write().unwrap_or_else(|e| e.into_inner())
    }

    fn new(state: SmState) -> SharedState {
        let version = state.settings.version;
        SharedState {
            state: RwLock::new(state),
            settings_version: tokio::sync::watch::channel(version).0,
            awaiting: std::sync::Mutex::new(HashMap::new()),
        }
    }

    fn awaiting(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<tokio::sync::Notify>>> {
        self.awaiting.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits up to `wait` for the final reply of the blocked command `(client, seq)`.
    pub async fn await_reply(
        &self,
        client: u64,
        seq: u64,
        wait: std::time::Duration,
    ) -> AwaitStatus {
        let notify = self.awaiting().entry(client).or_default().clone();
        let deadline = tokio::time::Instant::now() + wait;
        let status = loop {
            // Armed before the state is checked, so a reply applied in between still wakes us.
            let notified = notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let status = self.read().await_status(client, seq);
            if status != AwaitStatus::Pending {
                break status;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                break AwaitStatus::Pending;
            }
        };
        // The map keeps an entry only while someone awaits this client.
        let mut awaiting = self.awaiting();
        if Arc::strong_count(&notify) == 2 {
            awaiting.remove(&client);
        }
        status
    }

    /// Wakes the `await_reply` calls of these clients.
    fn wake(&self, clients: &[u64]) {
        if clients.is_empty() {
            return;
        }
        let awaiting = self.awaiting();
        for client in clients {
            if let Some(notify) = awaiting.get(client) {
                notify.notify_waiters();
            }
        }
    }

    /// Wakes every `await_reply` call (the whole state was replaced).
    fn wake_all(&self) {
        for notify in self.awaiting().values() {
            notify.notify_waiters();
        }
    }

    /// Watches the applied settings version (see [`ClusterSettings::version`]).
    pub fn watch_settings(&self) -> tokio::sync::watch::Receiver<u64> {
        self.settings_version.subscribe()
    }

    /// Tells settings watchers about the version now applied, if it changed.
    fn publish_settings(&self, version: u64) {
        self.settings_version.send_if_modified(|v| {
            let changed = *v != version;
            *v = version;
            changed
        });
    }
}

/// Separates the seeds of an [`Op::Batch`]'s segments from those of its segments' commands.
const BATCH_SEED_SALT: u64 = 0x6261_7463_685f_7365;

/// Mixes a seed with a command's position so each command of an entry gets its own seed.
fn mix_seed(seed: u64, i: u64) -> u64 {
    let mut z = seed ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl SmState {
    /// Applies one application payload at log `index`; deterministic in (state, request).
    pub fn apply_request(&mut self, index: u64, req: &Request) -> Response {
        let now_ms = req.time_ms.max(self.last_time_ms);
        self.last_time_ms = now_ms;
        // Waiters whose gateway stopped renewing them take nothing from this entry on.
        self.blocking.expire(now_ms);
        match &req.op {
            Op::Commands {
                client_id,
                seq,
                db,
                commands,
            } => self.apply_commands(
                index, req.seed, now_ms, *client_id, *seq, *db, commands, false,
            ),
            Op::Transaction {
                client_id,
                seq,
                db,
                commands,
            } => self.apply_commands(
                index, req.seed, now_ms, *client_id, *seq, *db, commands, true,
            ),
            Op::ExpireKeys { keys } => {
                for (db, key) in keys {
                    self.keyspace.remove_expired(*db as usize, key, now_ms);
                }
                Response::default()
            }
            Op::Unblock {
                client_id,
                seq,
                error,
            } => {
                let lease_until = now_ms.saturating_add(WAITER_LEASE_MS);
                let (reply, removed) = self.blocking.unblock(*client_id, *seq, *error, lease_until);
                if removed {
                    self.resolved.push(*client_id);
                }
                Response::with_replies(vec![reply])
            }
            Op::RenewWaiters { waiters } => {
                let lease_until = now_ms.saturating_add(WAITER_LEASE_MS);
                for (client_id, seq) in waiters {
                    self.blocking.renew(*client_id, *seq, lease_until);
                }
                Response::default()
            }
            Op::Batch { segments } => {
                let segments = segments
                    .iter()
                    .enumerate()
                    .map(|(i, segment)| {
                        // Each segment draws from its own stream, as a separate entry would.
                        let seed = mix_seed(req.seed ^ BATCH_SEED_SALT, i as u64);
                        self.apply_commands(
                            index,
                            seed,
                            now_ms,
                            segment.client_id,
                            segment.seq,
                            segment.db,
                            &segment.commands,
                            segment.transaction,
                        )
                        .replies
                    })
                    .collect();
                Response {
                    replies: Vec::new(),
                    segments,
                }
            }
        }
    }

    /// Applies one client's write segment (`transaction`: a MULTI/EXEC block).
    ///
    /// A blocking command that finds nothing to pop registers a waiter and replies
    /// [`Reply::Blocked`], unless the segment is a transaction or already blocked a command (one
    /// wait per client): then it replies its null. Clients blocked on keys a command makes ready
    /// are served right after that command, or after the last one in a transaction.
    #[allow(clippy::too_many_arguments)]
    fn apply_commands(
        &mut self,
        index: u64,
        seed: u64,
        now_ms: u64,
        client_id: u64,
        seq: u64,
        db: u32,
        commands: &[Vec<Bytes>],
        transaction: bool,
    ) -> Response {
        if seq != 0 {
            match self.sessions.lookup(client_id, seq) {
                Some(Ok(replies)) => {
                    return Response::with_replies(replies.to_vec());
                }
                Some(Err(())) => {
                    let err = Reply::Error(ReplyError::err(
                        "request was already applied and its reply is no longer known",
                    ));
                    return Response::with_replies(vec![err; commands.len()]);
                }
                None => {}
            }
            if let Some(waiter) = self.blocking.waiter(client_id, seq) {
                // A retry whose first answer was forgotten, while the command still waits.
                let blocked = Reply::Blocked {
                    timeout_ms: waiter.timeout_ms,
                };
                return Response::with_replies(vec![blocked; commands.len()]);
            }
            self.blocking.client_moved_on(client_id, seq);
        }
        let mut db = db as usize;
        let mut may_block = !transaction && seq != 0;
        let mut ready = Vec::new();
        let mut replies = Vec::with_capacity(commands.len());
        for (i, argv) in commands.iter().enumerate() {
            let ctx = WriteCtx {
                now_ms,
                seed: mix_seed(seed, i as u64),
            };
            match watch::execute(&self.keyspace, argv, now_ms) {
                watch::Outcome::NotWatch => {}
                watch::Outcome::Reply(reply) => {
                    replies.push(reply);
                    continue;
                }
                // A watched key changed: the transaction does not run.
                watch::Outcome::WatchFailed => {
                    replies.push(watch::failed_reply());
                    replies.resize(commands.len(), Reply::Nil);
                    break;
                }
            }
            let reply = if let Some(reply) = self.settings.apply(index, argv) {
                self.keyspace.set_limits(encoding_limits(&self.settings));
                reply
            } else if let Some(reply) = commands::select_in_transaction(argv, &mut db) {
                reply
            } else if may_block {
                match commands::execute_write_blocking(&mut self.keyspace, db, argv, &ctx) {
                    Executed::Reply(reply) => reply,
                    Executed::Block(block) => {
                        may_block = false;
                        let timeout_ms = block.timeout_ms;
                        self.blocking.register(Waiter {
                            client_id,
                            seq,
                            db: db as u32,
                            keys: block.keys,
                            op: block.op,
                            timeout_ms,
                            lease_until: now_ms.saturating_add(WAITER_LEASE_MS),
                        });
                        Reply::Blocked { timeout_ms }
                    }
                }
            } else {
                commands::execute_write(&mut self.keyspace, db, argv, &ctx)
            };
            if self.blocking.has_waiters() {
                self.blocking.touched_keys(argv, db as u32, &mut ready);
                if !transaction && !ready.is_empty() {
                    let ready = std::mem::take(&mut ready);
                    self.blocking
                        .serve_ready(&mut self.keyspace, ready, &ctx, &mut self.resolved);
                }
            }
            replies.push(reply);
        }
        if !ready.is_empty() {
            let ctx = WriteCtx {
                now_ms,
                seed: mix_seed(seed, commands.len() as u64),
            };
            self.blocking
                .serve_ready(&mut self.keyspace, ready, &ctx, &mut self.resolved);
        }
        if seq != 0 {
            self.sessions.record(client_id, seq, replies.clone(), index);
        }
        Response::with_replies(replies)
    }

    /// Where the reply of the blocked command `(client, seq)` stands on this node.
    pub fn await_status(&self, client: u64, seq: u64) -> AwaitStatus {
        // The retry table knows `seq` once this node applied the write that blocked.
        let registered = matches!(
            self.sessions.lookup(client, seq),
            Some(Ok(_)) | Some(Err(()))
        );
        self.blocking.status(client, seq, registered)
    }

    /// The clients whose blocked command got its final reply since the last call.
    pub fn take_resolved(&mut self) -> Vec<u64> {
        std::mem::take(&mut self.resolved)
    }
}

/// What a snapshot file stores besides the keyspace.
#[derive(Serialize, Deserialize)]
struct SnapshotHeader {
    last_log_id: Option<LogId>,
    last_membership: StoredMembership,
    last_time_ms: u64,
    sessions: Sessions,
    settings: ClusterSettings,
    blocking: Blocking,
}

/// The header of a [`SNAPSHOT_MAGIC_V3`] snapshot.
#[derive(Serialize, Deserialize)]
struct SnapshotHeaderV3 {
    last_log_id: Option<LogId>,
    last_membership: StoredMembership,
    last_time_ms: u64,
    sessions: Sessions,
    settings: ClusterSettings,
}

/// The header of a [`SNAPSHOT_MAGIC_V2`] snapshot: the settings in their format 1.
#[derive(Serialize, Deserialize)]
struct SnapshotHeaderV2 {
    last_log_id: Option<LogId>,
    last_membership: StoredMembership,
    last_time_ms: u64,
    sessions: Sessions,
    settings: ClusterSettingsV1,
}

/// [`ClusterSettings`] in format 1 (before ACL users), as [`SNAPSHOT_MAGIC_V2`] headers hold it.
#[derive(Serialize, Deserialize)]
struct ClusterSettingsV1 {
    version: u64,
    config: BTreeMap<String, String>,
}

/// The header of a [`SNAPSHOT_MAGIC_V1`] snapshot.
#[derive(Serialize, Deserialize)]
struct SnapshotHeaderV1 {
    last_log_id: Option<LogId>,
    last_membership: StoredMembership,
    last_time_ms: u64,
    sessions: Sessions,
}

/// Writes a snapshot of `state` to `path` (via a temporary file, fsynced, then renamed).
fn write_snapshot_file(state: &SmState, path: &Path) -> io::Result<()> {
    let tmp = path.with_extension("tmp");
    {
        let file = fs::File::create(&tmp)?;
        let mut w = BufWriter::with_capacity(1 << 20, file);
        w.write_all(SNAPSHOT_MAGIC)?;
        let header = codec::encode(&SnapshotHeader {
            last_log_id: state.last_applied,
            last_membership: state.last_membership.clone(),
            last_time_ms: state.last_time_ms,
            sessions: state.sessions.clone(),
            settings: state.settings.clone(),
            blocking: state.blocking.clone(),
        })?;
        w.write_all(&(header.len() as u64).to_le_bytes())?;
        w.write_all(&header)?;
        state.keyspace.write_to(&mut w)?;
        let file = w.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
    }
    fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent() {
        fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// The encoding thresholds of the cluster settings.
fn encoding_limits(settings: &ClusterSettings) -> EncodingLimits {
    EncodingLimits::from_settings(|name| settings.get(name))
}

/// Reads a snapshot file into a state.
fn read_snapshot_file(path: &Path) -> io::Result<SmState> {
    let mut r = BufReader::with_capacity(1 << 20, fs::File::open(path)?);
    let header = read_header(&mut r)?;
    let mut keyspace = Keyspace::read_from(&mut r)?;
    keyspace.set_limits(encoding_limits(&header.settings));
    Ok(SmState {
        keyspace,
        last_applied: header.last_log_id,
        last_membership: header.last_membership,
        last_time_ms: header.last_time_ms,
        sessions: header.sessions,
        settings: header.settings,
        blocking: header.blocking,
        resolved: Vec::new(),
    })
}

fn read_header(r: &mut impl Read) -> io::Result<SnapshotHeader> {
    let bad = |m: &str| io::Error::new(io::ErrorKind::InvalidData, m.to_string());
    let mut magic = [0u8; 8];
    r.read_exact(&mut magic)?;
    if &magic != SNAPSHOT_MAGIC
        && &magic != SNAPSHOT_MAGIC_V3
        && &magic != SNAPSHOT_MAGIC_V2
        && &magic != SNAPSHOT_MAGIC_V1
    {
        return Err(bad("not a tinyredis snapshot file"));
    }
    let mut len = [0u8; 8];
    r.read_exact(&mut len)?;
    let len = u64::from_le_bytes(len);
    if len > (1 << 32) {
        return Err(bad("snapshot header too large"));
    }
    let mut header = Vec::new();
    r.take(len).read_to_end(&mut header)?;
    if header.len() as u64 != len {
        return Err(bad("truncated snapshot header"));
    }
    if &magic == SNAPSHOT_MAGIC_V1 {
        let v1: SnapshotHeaderV1 = codec::decode(&header)?;
        return Ok(SnapshotHeader {
            last_log_id: v1.last_log_id,
            last_membership: v1.last_membership,
            last_time_ms: v1.last_time_ms,
            sessions: v1.sessions,
            settings: ClusterSettings::default(),
            blocking: Blocking::default(),
        });
    }
    if &magic == SNAPSHOT_MAGIC_V3 {
        let v3: SnapshotHeaderV3 = codec::decode(&header)?;
        return Ok(SnapshotHeader {
            last_log_id: v3.last_log_id,
            last_membership: v3.last_membership,
            last_time_ms: v3.last_time_ms,
            sessions: v3.sessions,
            settings: v3.settings,
            blocking: Blocking::default(),
        });
    }
    if &magic == SNAPSHOT_MAGIC_V2 {
        let v2: SnapshotHeaderV2 = codec::decode(&header)?;
        return Ok(SnapshotHeader {
            last_log_id: v2.last_log_id,
            last_membership: v2.last_membership,
            last_time_ms: v2.last_time_ms,
            sessions: v2.sessions,
            settings: ClusterSettings {
                version: v2.settings.version,
                config: v2.settings.config,
                users: BTreeMap::new(),
            },
            blocking: Blocking::default(),
        });
    }
    codec::decode(&header)
}

fn read_meta(path: &Path) -> io::Result<SnapshotMeta> {
    let mut r = BufReader::new(fs::File::open(path)?);
    let h = read_header(&mut r)?;
    Ok(SnapshotMeta {
        last_log_id: h.last_log_id,
        last_membership: h.last_membership,
    })
}

/// The directory of snapshot files and the bookkeeping of the current one.
#[derive(Debug, Clone)]
struct SnapshotDir {
    dir: PathBuf,
}

impl SnapshotDir {
    fn file_for(&self, meta: &SnapshotMeta) -> PathBuf {
        let index = meta.last_log_id.as_ref().map_or(0, |l| l.index);
        let term = meta.last_log_id.as_ref().map_or(0, |l| l.leader_id.term);
        self.dir.join(format!("snap-{index:020}-{term:010}.bin"))
    }

    /// Lists finished snapshot files, newest (highest index) first.
    fn list(&self) -> io::Result<Vec<PathBuf>> {
        let mut files: Vec<PathBuf> = fs::read_dir(&self.dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("snap-") && n.ends_with(".bin"))
            })
            .collect();
        files.sort();
        files.reverse();
        Ok(files)
    }

    /// Deletes all but the newest `keep` snapshots and any leftover temporary files.
    fn prune(&self, keep: usize) {
        if let Ok(files) = self.list() {
            for old in files.into_iter().skip(keep) {
                let _ = fs::remove_file(old);
            }
        }
    }

    /// Returns a fresh path for receiving a snapshot from the leader.
    fn incoming_path(&self) -> PathBuf {
        self.dir
            .join(format!("incoming-{:016x}.part", rand::random::<u64>()))
    }
}

/// The openraft state machine of a storage node.
pub struct StateMachine {
    shared: Arc<SharedState>,
    snapshots: SnapshotDir,
}

impl StateMachine {
    /// Opens the state machine over `dir` (its snapshot directory), loading the newest readable
    /// snapshot if there is one.
    pub fn open(dir: &Path) -> io::Result<StateMachine> {
        fs::create_dir_all(dir)?;
        let snapshots = SnapshotDir {
            dir: dir.to_path_buf(),
        };
        // Leftovers of interrupted writes or transfers.
        for entry in fs::read_dir(dir)?.flatten() {
            let p = entry.path();
            if p.extension().is_some_and(|e| e == "tmp" || e == "part") {
                let _ = fs::remove_file(p);
            }
        }
        let mut state = SmState::default();
        for file in snapshots.list()? {
            match read_snapshot_file(&file) {
                Ok(s) => {
                    tracing::info!(path = %file.display(), last_applied = ?s.last_applied, "loaded snapshot");
                    state = s;
                    break;
                }
                Err(e) => {
                    tracing::error!(path = %file.display(), error = %e, "unreadable snapshot, trying an older one");
                }
            }
        }
        Ok(StateMachine {
            shared: Arc::new(SharedState::new(state)),
            snapshots,
        })
    }

    /// The state shared with the read path.
    pub fn shared(&self) -> Arc<SharedState> {
        self.shared.clone()
    }

    /// A new path to receive a snapshot into.
    pub fn incoming_snapshot_path(&self) -> PathBuf {
        self.snapshots.incoming_path()
    }
}

/// Builds snapshots from a clone of the state.
pub struct SnapshotBuilder {
    shared: Arc<SharedState>,
    snapshots: SnapshotDir,
}

impl RaftSnapshotBuilder<TypeConfig> for SnapshotBuilder {
    type SnapshotData = SnapshotFile;

    async fn build_snapshot(
        &mut self,
    ) -> Result<openraft::alias::SnapshotOf<TypeConfig, SnapshotFile>, io::Error> {
        // O(1) clone of the persistent keyspace: apply is blocked only for this moment. The
        // change counter restarts now, as Redis's dirty counter at the start of a save.
        let state = {
            let mut live = self.shared.write();
            let copy = live.clone();
            live.keyspace.reset_changes();
            copy
        };
        let meta = SnapshotMeta {
            last_log_id: state.last_applied,
            last_membership: state.last_membership.clone(),
        };
        let path = self.snapshots.file_for(&meta);
        let dir = self.snapshots.clone();
        let started = std::time::Instant::now();
        let p = path.clone();
        tokio::task::spawn_blocking(move || {
            write_snapshot_file(&state, &p)?;
            dir.prune(2);
            Ok::<_, io::Error>(())
        })
        .await
        .map_err(io::Error::other)??;
        let size = fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        metrics::histogram!(crate::metrics::SNAPSHOT_BUILD_DURATION).record(started.elapsed());
        metrics::histogram!(crate::metrics::SNAPSHOT_SIZE).record(size as f64);
        tracing::info!(last_log_id = ?meta.last_log_id, bytes = size, elapsed_ms = started.elapsed().as_millis() as u64, "snapshot built");
        Ok(openraft::Snapshot {
            meta,
            snapshot: SnapshotFile { path },
        })
    }
}

impl RaftStateMachine<TypeConfig> for StateMachine {
    type SnapshotData = SnapshotFile;
    type SnapshotBuilder = SnapshotBuilder;

    async fn applied_state(&mut self) -> Result<(Option<LogId>, StoredMembership), io::Error> {
        let s = self.shared.read();
        Ok((s.last_applied, s.last_membership.clone()))
    }

    async fn apply<Strm>(&mut self, mut entries: Strm) -> Result<(), io::Error>
    where
        Strm: Stream<Item = Result<EntryResponder<TypeConfig>, io::Error>> + Unpin + OptionalSend,
    {
        let apply_duration = metrics::histogram!(crate::metrics::APPLY_DURATION);
        while let Some((entry, responder)) = entries.try_next().await? {
            let started = std::time::Instant::now();
            let (response, settings_version, resolved) = {
                let mut state = self.shared.write();
                let response = match &entry.payload {
                    EntryPayload::Blank => Response::default(),
                    EntryPayload::Normal(req) => state.apply_request(entry.log_id.index, req),
                    EntryPayload::Membership(m) => {
                        state.last_membership =
                            StoredMembership::new(Some(entry.log_id), m.clone());
                        Response::default()
                    }
                };
                state.last_applied = Some(entry.log_id);
                (response, state.settings.version, state.take_resolved())
            };
            apply_duration.record(started.elapsed());
            self.shared.publish_settings(settings_version);
            self.shared.wake(&resolved);
            if let Some(responder) = responder {
                responder.send(response);
            }
        }
        Ok(())
    }

    async fn get_snapshot_builder(&mut self) -> Self::SnapshotBuilder {
        SnapshotBuilder {
            shared: self.shared.clone(),
            snapshots: self.snapshots.clone(),
        }
    }

    async fn install_snapshot(
        &mut self,
        meta: &SnapshotMeta,
        snapshot: SnapshotFile,
    ) -> Result<(), io::Error> {
        let src = snapshot.path;
        let dst = self.snapshots.file_for(meta);
        let dir = self.snapshots.clone();
        let state = tokio::task::spawn_blocking(move || {
            let state = read_snapshot_file(&src)?;
            if src != dst {
                fs::rename(&src, &dst)?;
                fs::File::open(&dir.dir)?.sync_all()?;
            }
            dir.prune(2);
            Ok::<_, io::Error>(state)
        })
        .await
        .map_err(io::Error::other)??;
        if state.last_applied != meta.last_log_id {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "snapshot content does not match its metadata",
            ));
        }
        tracing::info!(last_log_id = ?meta.last_log_id, "installed snapshot from leader");
        let settings_version = state.settings.version;
        *self.shared.write() = state;
        metrics::counter!(crate::metrics::SNAPSHOTS_INSTALLED).increment(1);
        self.shared.publish_settings(settings_version);
        self.shared.wake_all();
        Ok(())
    }

    async fn get_current_snapshot(
        &mut self,
    ) -> Result<Option<openraft::alias::SnapshotOf<TypeConfig, SnapshotFile>>, io::Error> {
        for path in self.snapshots.list()? {
            match read_meta(&path) {
                Ok(meta) => {
                    return Ok(Some(openraft::Snapshot {
                        meta,
                        snapshot: SnapshotFile { path },
                    }));
                }
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "skipping unreadable snapshot")
                }
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
#[path = "state_machine_test.rs"]
mod state_machine_test;
