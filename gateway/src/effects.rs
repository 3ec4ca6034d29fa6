//! What a call may do to the keyspace, as Redis's `processCommand` judges it from command flags:
//! whether it reads, and whether it may change the keyspace (Redis's `is_may_replicate_command`).
//!
//! Two rules use it, both off the hot path (they run only while a pause is set or for a monitor
//! connection): `CLIENT PAUSE WRITE` holds back the calls that may change the keyspace
//! ([`crate::pause`]), and a monitor may not run any call that touches the keyspace
//! ([`crate::monitor`]).

use bytes::Bytes;
use tinyredis_common::CommandId;
use tinyredis_common::command::{self, CommandSpec, Route, Target};

/// How a call touches the keyspace.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Effects {
    /// It reads keys (Redis's `readonly` flag, or a read routed to the leader).
    pub reads: bool,
    /// It may change the keyspace: a write command (always, or this call, as SORT … STORE), one
    /// Redis flags `may_replicate` (PFCOUNT), or Redis's `write` flag (SORT, even without STORE).
    pub may_write: bool,
}

impl Effects {
    /// Returns true when the call reads or may change the keyspace.
    pub fn touches_keyspace(&self) -> bool {
        self.reads || self.may_write
    }

    /// The effects of one call (`argv`, name included) of `spec` resolved to `target`. EXEC has
    /// the effects of the commands queued in the transaction (`queued`), as Redis's
    /// `mstate.cmd_flags`.
    pub fn of_call(
        spec: &CommandSpec,
        target: Target,
        argv: &[Bytes],
        queued: Option<&[Vec<Bytes>]>,
    ) -> Effects {
        if spec.id == CommandId::Exec {
            return queued
                .unwrap_or_default()
                .iter()
                .filter_map(|argv| {
                    let spec = command::lookup(argv.first()?)?;
                    let target = command::resolve(spec, argv).ok()?;
                    Some(Effects::of_call(spec, target, argv, None))
                })
                .fold(Effects::default(), |a, b| Effects {
                    reads: a.reads || b.reads,
                    may_write: a.may_write || b.may_write,
                });
        }
        let flags = target.flags();
        Effects {
            reads: flags.contains(&"readonly") || spec.route == Route::Read,
            may_write: spec.is_write_call(argv)
                || flags.contains(&"write")
                || flags.contains(&"may_replicate"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn effects(args: &[&str], queued: &[&[&str]]) -> Effects {
        let argv: Vec<Bytes> = args.iter().map(|a| Bytes::from(a.to_string())).collect();
        let queued: Vec<Vec<Bytes>> = queued
            .iter()
            .map(|c| c.iter().map(|a| Bytes::from(a.to_string())).collect())
            .collect();
        let spec = command::lookup(&argv[0]).expect("known command");
        let target = command::resolve(spec, &argv).expect("resolves");
        Effects::of_call(spec, target, &argv, Some(&queued))
    }

    #[test]
    fn classifies_calls_as_redis_flags_do() {
        let read = Effects {
            reads: true,
            may_write: false,
        };
        let write = Effects {
            reads: false,
            may_write: true,
        };
        assert_eq!(effects(&["GET", "k"], &[]), read);
        assert_eq!(effects(&["SET", "k", "v"], &[]), write);
        assert_eq!(effects(&["PING"], &[]), Effects::default());
        assert_eq!(effects(&["CLIENT", "ID"], &[]), Effects::default());
        assert_eq!(effects(&["INFO"], &[]), Effects::default());
        // SORT carries Redis's write flag: a write pause holds it back even without STORE.
        assert!(effects(&["SORT", "k"], &[]).may_write);
        assert!(effects(&["SORT", "k", "STORE", "d"], &[]).may_write);
        // PFCOUNT may rewrite the HyperLogLog's cached cardinality (Redis: may_replicate).
        assert!(effects(&["PFCOUNT", "h"], &[]).may_write);
    }

    #[test]
    fn exec_has_the_effects_of_its_queued_commands() {
        assert_eq!(effects(&["EXEC"], &[]), Effects::default());
        assert!(!effects(&["EXEC"], &[&["PING"], &["GET", "k"]]).may_write);
        assert!(effects(&["EXEC"], &[&["PING"], &["GET", "k"]]).reads);
        assert!(effects(&["EXEC"], &[&["GET", "k"], &["INCR", "k"]]).may_write);
    }
}
