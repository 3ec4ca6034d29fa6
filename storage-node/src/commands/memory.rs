//! `MEMORY USAGE key [SAMPLES count]`, the one MEMORY subcommand that reads data: the gateway
//! answers the others (STATS, DOCTOR, …) from the leader's status and forwards USAGE here.
//!
//! The estimate is [`crate::keyspace::memory::key_usage`]: the bytes of tinyredis's own
//! structures for the key, sampling `count` elements of a collection (default 5, 0 for all), as
//! Redis's `objectComputeSize` does.

use bytes::Bytes;
use tinyredis_common::{Reply, ReplyError};

use crate::commands::ReadCtx;
use crate::commands::args::{i64_arg, is_option};
use crate::keyspace::Db;
use crate::keyspace::memory::{DEFAULT_SAMPLES, key_usage};

/// `MEMORY USAGE key [SAMPLES count]`; nil for a missing key. Errors as Redis 7.0's
/// `memoryCommand`: anything but one `SAMPLES <count>` pair is a syntax error, as is a negative
/// count; a non-integer count is `ERR value is not an integer or out of range`.
pub fn memory(db: &Db, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    if !argv[1].eq_ignore_ascii_case(b"usage") || argv.len() < 3 {
        // The gateway checks subcommands and arities before forwarding.
        return Reply::Error(ReplyError::err(
            "MEMORY subcommands other than USAGE are answered by the gateway",
        ));
    }
    let mut samples = DEFAULT_SAMPLES;
    let mut i = 3;
    while i < argv.len() {
        if is_option(&argv[i], "samples") && i + 1 < argv.len() {
            match i64_arg(&argv[i + 1]) {
                Err(e) => return Reply::Error(e),
                Ok(n) if n < 0 => return Reply::Error(ReplyError::Syntax),
                // Redis treats 0 as "every element".
                Ok(n) => samples = usize::try_from(n).unwrap_or(usize::MAX),
            }
            i += 2;
        } else {
            return Reply::Error(ReplyError::Syntax);
        }
    }
    match db.get(&argv[2], ctx.now_ms) {
        Some(entry) => Reply::Integer(key_usage(&argv[2], entry, samples) as i64),
        None => Reply::Nil,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keyspace::Value;

    fn run(db: &Db, args: &[&'static str]) -> Reply {
        let argv: Vec<Bytes> = args
            .iter()
            .map(|a| Bytes::from_static(a.as_bytes()))
            .collect();
        memory(
            db,
            &argv,
            &ReadCtx {
                now_ms: 1000,
                seed: None,
            },
        )
    }

    #[test]
    fn usage_and_errors() {
        let mut db = Db::default();
        db.insert(b"k", Value::string(b"value"), None);
        db.insert(b"gone", Value::string(b"v"), Some(10));
        let Reply::Integer(n) = run(&db, &["memory", "usage", "k"]) else {
            panic!()
        };
        assert!(n > 5);
        assert_eq!(
            run(&db, &["memory", "usage", "k", "SAMPLES", "0"]),
            Reply::Integer(n)
        );
        assert_eq!(run(&db, &["memory", "usage", "nokey"]), Reply::Nil);
        assert_eq!(run(&db, &["memory", "usage", "gone"]), Reply::Nil);
        assert_eq!(
            run(&db, &["memory", "usage", "k", "samples"]),
            Reply::Error(ReplyError::Syntax)
        );
        assert_eq!(
            run(&db, &["memory", "usage", "k", "samples", "-1"]),
            Reply::Error(ReplyError::Syntax)
        );
        assert_eq!(
            run(&db, &["memory", "usage", "k", "samples", "x"]),
            Reply::Error(ReplyError::NotInteger)
        );
        assert_eq!(
            run(&db, &["memory", "usage", "k", "bar", "1"]),
            Reply::Error(ReplyError::Syntax)
        );
    }
}
