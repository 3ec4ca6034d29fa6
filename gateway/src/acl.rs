//! This gateway's view of the ACL users, and its ACL log.
//!
//! The users live in the cluster settings ([`ClusterSettings::users`], replicated through the
//! Raft log); every gateway rebuilds [`AclState`] from its copy when the settings change, so a
//! user changed through one gateway is checked the same way by all. Sessions hold an
//! `Arc<AclUser>` and refresh it when [`AclState::version`] moves, which is how a changed user's
//! permissions reach connections already authenticated as it, as in Redis.
//!
//! The ACL log, like Redis's, belongs to the process: it records the denials and failed
//! authentications of this gateway's clients.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::time::Instant;

use bytes::Bytes;
use tinyredis_common::Reply;
use tinyredis_common::acl::{DEFAULT_USER, User};
use tinyredis_common::settings::ClusterSettings;

/// One user as sessions see it.
#[derive(Debug)]
pub struct AclUser {
    /// The user's name.
    pub name: Bytes,
    /// The log index that created it: a session authenticated as a user deleted and created
    /// again (another index) is closed, as Redis closes it on deletion.
    pub created: u64,
    /// Its rules.
    pub user: User,
    /// The user may run everything ([`User::unrestricted`]): checks are skipped.
    pub unrestricted: bool,
}

/// The users, compiled from one version of the cluster settings.
#[derive(Debug)]
pub struct AclState {
    /// The settings version they come from.
    pub version: u64,
    /// Every user by name (`default` always present).
    pub users: BTreeMap<Bytes, std::sync::Arc<AclUser>>,
}

impl Default for AclState {
    fn default() -> AclState {
        AclState::from_settings(&ClusterSettings::default())
    }
}

impl AclState {
    /// Builds the users of a settings version.
    pub fn from_settings(settings: &ClusterSettings) -> AclState {
        let users = settings
            .all_users()
            .into_iter()
            .map(|(name, (created, user))| {
                let entry = AclUser {
                    name: name.clone(),
                    created,
                    unrestricted: user.unrestricted(),
                    user,
                };
                (name, std::sync::Arc::new(entry))
            })
            .collect();
        AclState {
            version: settings.version,
            users,
        }
    }

    /// The `default` user.
    pub fn default_user(&self) -> std::sync::Arc<AclUser> {
        match self.users.get(DEFAULT_USER) {
            Some(u) => u.clone(),
            // `all_users` always has it; a fresh one keeps this total.
            None => std::sync::Arc::new(AclUser {
                name: Bytes::from_static(DEFAULT_USER),
                created: 0,
                unrestricted: true,
                user: User::default_user(),
            }),
        }
    }

    /// A user by name.
    pub fn user(&self, name: &[u8]) -> Option<std::sync::Arc<AclUser>> {
        self.users.get(name).cloned()
    }

    /// Returns true when new connections must authenticate: the default user has passwords, or
    /// is `off` (Redis's `authRequired` for a client that never authenticated).
    pub fn default_requires_auth(&self) -> bool {
        let d = self.default_user();
        !d.user.is_nopass() || !d.user.is_enabled()
    }
}

/// Why an ACL log entry was written (Redis's `ACL_DENIED_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogReason {
    /// A command the user may not run.
    Command,
    /// A key the user may not touch.
    Key,
    /// A failed AUTH or HELLO AUTH.
    Auth,
}

impl LogReason {
    fn name(self) -> &'static str {
        match self {
            LogReason::Command => "command",
            LogReason::Key => "key",
            LogReason::Auth => "auth",
        }
    }
}

/// Where the denied command ran (Redis's `ACL_LOG_CTX_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogContext {
    /// Sent by the client.
    Toplevel,
    /// Inside MULTI/EXEC.
    Multi,
}

impl LogContext {
    fn name(self) -> &'static str {
        match self {
            LogContext::Toplevel => "toplevel",
            LogContext::Multi => "multi",
        }
    }
}

/// One ACL log entry.
#[derive(Debug, Clone)]
struct LogEntry {
    count: u64,
    reason: LogReason,
    context: LogContext,
    object: Bytes,
    username: Bytes,
    time: Instant,
    client_info: String,
}

/// Redis's `acllog-max-len` default.
pub const ACL_LOG_MAX_LEN: usize = 128;

/// Entries within this time of each other with the same reason, context, object and user are
/// counted as one, as Redis does.
const GROUPING_MS: u128 = 60_000;

/// How many recent entries Redis compares a new one with.
const GROUPING_SCAN: usize = 10;

/// This gateway's ACL log (`ACL LOG`), newest first.
#[derive(Debug, Default)]
pub struct AclLog {
    entries: Mutex<VecDeque<LogEntry>>,
}

impl AclLog {
    /// Records a denial or a failed authentication (`addACLLogEntry`).
    pub fn add(
        &self,
        reason: LogReason,
        context: LogContext,
        object: Bytes,
        username: Bytes,
        client_info: String,
    ) {
        let now = Instant::now();
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let matching = entries.iter().take(GROUPING_SCAN).position(|e| {
            e.reason == reason
                && e.context == context
                && now.duration_since(e.time).as_millis() <= GROUPING_MS
                && e.object == object
                && e.username == username
        });
        if let Some(pos) = matching
            && let Some(mut entry) = entries.remove(pos)
        {
            entry.count += 1;
            entry.time = now;
            entry.client_info = client_info;
            entries.push_front(entry);
            return;
        }
        entries.push_front(LogEntry {
            count: 1,
            reason,
            context,
            object,
            username,
            time: now,
            client_info,
        });
        entries.truncate(ACL_LOG_MAX_LEN);
    }

    /// Forgets every entry (`ACL LOG RESET`).
    pub fn reset(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// The newest `count` entries as ACL LOG replies them: a map per entry.
    pub fn reply(&self, count: usize) -> Reply {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        Reply::Array(
            entries
                .iter()
                .take(count)
                .map(|e| {
                    let age = now.duration_since(e.time).as_millis() as f64 / 1000.0;
                    Reply::Map(vec![
                        (Reply::bulk("count"), Reply::Integer(e.count as i64)),
                        (Reply::bulk("reason"), Reply::bulk(e.reason.name())),
                        (Reply::bulk("context"), Reply::bulk(e.context.name())),
                        (Reply::bulk("object"), Reply::Bulk(e.object.clone())),
                        (Reply::bulk("username"), Reply::Bulk(e.username.clone())),
                        (Reply::bulk("age-seconds"), Reply::Double(age)),
                        (
                            Reply::bulk("client-info"),
                            Reply::Bulk(Bytes::from(e.client_info.clone())),
                        ),
                    ])
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_groups_and_bounds_entries() {
        let log = AclLog::default();
        let add = |object: &'static str| {
            log.add(
                LogReason::Command,
                LogContext::Toplevel,
                Bytes::from_static(object.as_bytes()),
                Bytes::from_static(b"alice"),
                "id=1".into(),
            )
        };
        add("get");
        add("set");
        add("get");
        let Reply::Array(entries) = log.reply(10) else {
            panic!("array");
        };
        assert_eq!(entries.len(), 2);
        let Reply::Map(first) = &entries[0] else {
            panic!("map");
        };
        assert_eq!(first[0].1, Reply::Integer(2));
        assert_eq!(first[3].1, Reply::bulk("get"));
        for i in 0..300 {
            log.add(
                LogReason::Key,
                LogContext::Multi,
                Bytes::from(format!("k{i}")),
                Bytes::from_static(b"bob"),
                String::new(),
            );
        }
        let Reply::Array(entries) = log.reply(usize::MAX) else {
            panic!("array");
        };
        assert_eq!(entries.len(), ACL_LOG_MAX_LEN);
        log.reset();
        assert_eq!(log.reply(10), Reply::Array(Vec::new()));
    }

    #[test]
    fn default_user_decides_whether_auth_is_required() {
        let mut settings = ClusterSettings::default();
        assert!(!AclState::from_settings(&settings).default_requires_auth());
        settings.apply(
            2,
            &tinyredis_common::settings::config_set_command(&[("requirepass", "pw".into())]),
        );
        let state = AclState::from_settings(&settings);
        assert!(state.default_requires_auth());
        assert!(state.default_user().user.check_password(b"pw"));
    }
}
