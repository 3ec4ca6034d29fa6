//! This gateway's slow log (Redis's `slowlog.c`): commands that took at least
//! `slowlog-log-slower-than` microseconds, newest first, at most `slowlog-max-len` entries.
//!
//! The time of a forwarded command is what the gateway waited for it (see [`crate::stats`]).
//! The settings are atomics with setters, so `CONFIG SET slowlog-*` can change them at runtime.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use tinyredis_common::{CommandId, Reply};

/// Redis's default `slowlog-log-slower-than`, in microseconds.
pub const DEFAULT_SLOWER_THAN_USEC: i64 = 10_000;
/// Redis's default `slowlog-max-len`.
pub const DEFAULT_MAX_LEN: usize = 128;
/// Arguments kept per entry (`SLOWLOG_ENTRY_MAX_ARGC`).
const MAX_ARGC: usize = 32;
/// Bytes kept per argument (`SLOWLOG_ENTRY_MAX_STRING`).
const MAX_STRING: usize = 128;

/// What replaces a secret argument in the slow log, as in Redis.
const REDACTED: &[u8] = b"(redacted)";

/// The arguments of a call as the slow log may keep them: passwords and ACL rules replaced by
/// `(redacted)` where Redis redacts them (AUTH, HELLO's AUTH option, ACL SETUSER, CONFIG SET of
/// `requirepass`).
pub fn redacted(id: CommandId, argv: &[Bytes]) -> Vec<Bytes> {
    let mut out = argv.to_vec();
    let redact = |out: &mut Vec<Bytes>, i: usize| {
        if let Some(a) = out.get_mut(i) {
            *a = Bytes::from_static(REDACTED);
        }
    };
    match id {
        CommandId::Auth if argv.len() <= 3 => {
            for i in 1..argv.len() {
                redact(&mut out, i);
            }
        }
        CommandId::Hello => {
            let mut i = 2;
            while i < argv.len() {
                if argv[i].eq_ignore_ascii_case(b"auth") && argv.len() - i > 2 {
                    redact(&mut out, i + 1);
                    redact(&mut out, i + 2);
                    i += 3;
                } else {
                    i += 2;
                }
            }
        }
        CommandId::Acl if argv.len() >= 3 && argv[1].eq_ignore_ascii_case(b"setuser") => {
            for i in 2..argv.len() {
                redact(&mut out, i);
            }
        }
        CommandId::Config if argv.len() >= 4 && argv[1].eq_ignore_ascii_case(b"set") => {
            for i in (2..argv.len() - 1).step_by(2) {
                if argv[i].eq_ignore_ascii_case(b"requirepass") {
                    redact(&mut out, i + 1);
                }
            }
        }
        _ => {}
    }
    out
}

/// One logged command.
#[derive(Debug, Clone)]
struct Entry {
    id: u64,
    unix_secs: u64,
    usec: u64,
    argv: Vec<Bytes>,
    addr: String,
    name: Bytes,
}

/// The slow log and its settings.
pub struct SlowLog {
    slower_than_usec: AtomicI64,
    max_len: AtomicUsize,
    next_id: AtomicU64,
    entries: Mutex<VecDeque<Entry>>,
}

impl Default for SlowLog {
    fn default() -> SlowLog {
        SlowLog {
            slower_than_usec: AtomicI64::new(DEFAULT_SLOWER_THAN_USEC),
            max_len: AtomicUsize::new(DEFAULT_MAX_LEN),
            next_id: AtomicU64::new(0),
            entries: Mutex::new(VecDeque::new()),
        }
    }
}

impl SlowLog {
    /// Sets `slowlog-log-slower-than` (microseconds; negative disables the log, 0 logs all).
    pub fn set_slower_than_usec(&self, usec: i64) {
        self.slower_than_usec.store(usec, Ordering::Relaxed);
    }

    /// Sets `slowlog-max-len`; extra entries are dropped at the next insertion, as in Redis.
    pub fn set_max_len(&self, len: usize) {
        self.max_len.store(len, Ordering::Relaxed);
    }

    /// The current `slowlog-log-slower-than`.
    pub fn slower_than_usec(&self) -> i64 {
        self.slower_than_usec.load(Ordering::Relaxed)
    }

    /// The current `slowlog-max-len`.
    pub fn max_len(&self) -> usize {
        self.max_len.load(Ordering::Relaxed)
    }

    /// True when a command that took `elapsed` belongs in the log: a cheap check so the caller
    /// gathers the client's address and name only then.
    pub fn is_slow(&self, elapsed: Duration) -> bool {
        let threshold = self.slower_than_usec();
        threshold >= 0 && elapsed.as_micros() >= threshold as u128
    }

    /// Logs a command (call only when [`SlowLog::is_slow`]).
    pub fn push(&self, argv: &[Bytes], elapsed: Duration, addr: String, name: Option<Bytes>) {
        let entry = Entry {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            unix_secs: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
            usec: elapsed.as_micros() as u64,
            argv: trimmed(argv),
            addr,
            name: name.unwrap_or_default(),
        };
        let max = self.max_len();
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.push_front(entry);
        entries.truncate(max);
    }

    /// Number of entries (`SLOWLOG LEN`).
    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// True when the log is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Removes every entry (`SLOWLOG RESET`).
    pub fn reset(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// The newest `count` entries (all with `None`) in `SLOWLOG GET`'s shape.
    pub fn get(&self, count: Option<usize>) -> Reply {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let n = count.unwrap_or(entries.len()).min(entries.len());
        Reply::Array(
            entries
                .iter()
                .take(n)
                .map(|e| {
                    Reply::Array(vec![
                        Reply::Integer(e.id as i64),
                        Reply::Integer(e.unix_secs as i64),
                        Reply::Integer(e.usec as i64),
                        Reply::Array(e.argv.iter().cloned().map(Reply::Bulk).collect()),
                        Reply::Bulk(Bytes::from(e.addr.clone())),
                        Reply::Bulk(e.name.clone()),
                    ])
                })
                .collect(),
        )
    }
}

/// Copies the arguments as Redis keeps them: at most 32, the last one saying how many more there
/// were, each cut to 128 bytes plus how many more bytes it had. Copies, so that an entry does not
/// pin a large request buffer.
fn trimmed(argv: &[Bytes]) -> Vec<Bytes> {
    let kept = argv.len().min(MAX_ARGC);
    let mut out = Vec::with_capacity(kept);
    for (i, arg) in argv.iter().take(kept).enumerate() {
        if kept != argv.len() && i == kept - 1 {
            out.push(Bytes::from(format!(
                "... ({} more arguments)",
                argv.len() - kept + 1
            )));
        } else if arg.len() > MAX_STRING {
            let mut s = arg[..MAX_STRING].to_vec();
            s.extend_from_slice(format!("... ({} more bytes)", arg.len() - MAX_STRING).as_bytes());
            out.push(Bytes::from(s));
        } else {
            out.push(Bytes::copy_from_slice(arg));
        }
    }
    out
}

#[cfg(test)]
mod redact_tests {
    use super::*;

    fn args(line: &str) -> Vec<Bytes> {
        line.split(' ')
            .map(|a| Bytes::copy_from_slice(a.as_bytes()))
            .collect()
    }

    fn shown(id: CommandId, line: &str) -> String {
        redacted(id, &args(line))
            .iter()
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn secrets_are_redacted_as_redis_does() {
        assert_eq!(shown(CommandId::Auth, "AUTH pw"), "AUTH (redacted)");
        assert_eq!(
            shown(CommandId::Auth, "AUTH u pw"),
            "AUTH (redacted) (redacted)"
        );
        assert_eq!(
            shown(CommandId::Hello, "HELLO 3 SETNAME n AUTH u pw"),
            "HELLO 3 SETNAME n AUTH (redacted) (redacted)"
        );
        assert_eq!(
            shown(CommandId::Acl, "ACL SETUSER bob on >pw"),
            "ACL SETUSER (redacted) (redacted) (redacted)"
        );
        assert_eq!(
            shown(CommandId::Config, "CONFIG SET maxmemory 1 requirepass pw"),
            "CONFIG SET maxmemory 1 requirepass (redacted)"
        );
        assert_eq!(shown(CommandId::Get, "GET k"), "GET k");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(s: &str) -> Bytes {
        Bytes::from(s.to_string())
    }

    #[test]
    fn threshold_order_and_length() {
        let log = SlowLog::default();
        assert!(!log.is_slow(Duration::from_millis(9)));
        assert!(log.is_slow(Duration::from_millis(10)));
        log.set_slower_than_usec(-1);
        assert!(!log.is_slow(Duration::from_secs(100)));
        log.set_slower_than_usec(0);
        assert!(log.is_slow(Duration::ZERO));
        log.set_max_len(2);
        for i in 0..3 {
            log.push(
                &[b("get"), b(&format!("k{i}"))],
                Duration::from_micros(i),
                "1.2.3.4:5".into(),
                None,
            );
        }
        assert_eq!(log.len(), 2);
        let Reply::Array(entries) = log.get(None) else {
            panic!()
        };
        let Reply::Array(newest) = &entries[0] else {
            panic!()
        };
        assert_eq!(newest[0], Reply::Integer(2));
        assert_eq!(newest[2], Reply::Integer(2));
        assert_eq!(
            newest[3],
            Reply::Array(vec![Reply::Bulk(b("get")), Reply::Bulk(b("k2"))])
        );
        assert_eq!(newest[4], Reply::Bulk(b("1.2.3.4:5")));
        assert_eq!(newest[5], Reply::Bulk(b("")));
        assert_eq!(log.get(Some(1)), Reply::Array(vec![entries[0].clone()]));
        log.reset();
        assert!(log.is_empty());
    }

    #[test]
    fn long_commands_are_trimmed_like_redis() {
        let argv: Vec<Bytes> = (0..40).map(|i| b(&i.to_string())).collect();
        let t = trimmed(&argv);
        assert_eq!(t.len(), 32);
        assert_eq!(t[31], b("... (9 more arguments)"));
        let long = trimmed(&[Bytes::from(vec![b'a'; 130])]);
        assert_eq!(long[0].len(), 128 + "... (2 more bytes)".len());
        assert!(long[0].ends_with(b"... (2 more bytes)"));
    }
}
