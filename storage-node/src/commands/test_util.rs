//! A test harness that runs commands the way the Raft layer will: writes through [`execute_write`]
//! at the harness's clock, reads through [`execute_read`].

use bytes::Bytes;
use tinyredis_common::Reply;
use tinyredis_common::ReplyError;
use tinyredis_common::command;

use crate::commands::ReadCtx;
use crate::commands::WriteCtx;
use crate::commands::execute_read;
use crate::commands::execute_write;
use crate::keyspace::Keyspace;

/// An arbitrary fixed start time (2023-11-14), so tests are reproducible.
pub const START_MS: u64 = 1_700_000_000_000;

/// A keyspace, the selected database and a manual clock.
pub struct Harness {
    pub ks: Keyspace,
    pub db: usize,
    pub now_ms: u64,
}

impl Default for Harness {
    fn default() -> Harness {
        Harness {
            ks: Keyspace::default(),
            db: 0,
            now_ms: START_MS,
        }
    }
}

impl Harness {
    /// Runs one command: writes (and unknown commands) through the write path, reads through the
    /// read path. Also checks the keyspace's expiry index after every write.
    pub fn run(&mut self, args: &[&str]) -> Reply {
        self.run_argv(argv(args))
    }

    /// Runs one command given as raw arguments, as [`Harness::run`].
    pub fn run_argv(&mut self, argv: Vec<Bytes>) -> Reply {
        let is_read = command::lookup(&argv[0]).is_some_and(|spec| !spec.is_write_call(&argv));
        if is_read {
            execute_read(
                &self.ks,
                self.db,
                &argv,
                &ReadCtx {
                    now_ms: self.now_ms,
                    seed: None,
                },
            )
        } else {
            let ctx = WriteCtx {
                now_ms: self.now_ms,
                seed: 0,
            };
            let reply = execute_write(&mut self.ks, self.db, &argv, &ctx);
            for db in self.ks.dbs() {
                db.assert_consistent();
            }
            reply
        }
    }

    /// Runs each `(command, expected reply)` pair in order, failing with the command's position.
    pub fn check(&mut self, cases: &[(&[&str], Reply)]) {
        for (idx, (args, expected)) in cases.iter().enumerate() {
            let reply = self.run(args);
            assert_eq!(&reply, expected, "case #{idx}: {args:?}");
        }
    }

    /// Runs each `(command, expected reply)` pair like [`Harness::check`], with `\xHH` escapes in
    /// the arguments decoded by [`unescape`] (for binary values).
    pub fn check_escaped(&mut self, cases: &[(&[&str], Reply)]) {
        for (idx, (args, expected)) in cases.iter().enumerate() {
            let reply = self.run_argv(args.iter().map(|arg| unescape(arg)).collect());
            assert_eq!(&reply, expected, "case #{idx}: {args:?}");
        }
    }

    /// Moves the clock forward.
    pub fn advance(&mut self, ms: u64) {
        self.now_ms += ms;
    }
}

/// Builds an argv from string arguments.
pub fn argv(args: &[&str]) -> Vec<Bytes> {
    args.iter()
        .map(|arg| Bytes::copy_from_slice(arg.as_bytes()))
        .collect()
}

/// A bulk reply.
pub fn bulk(s: &str) -> Reply {
    Reply::Bulk(Bytes::copy_from_slice(s.as_bytes()))
}

/// An integer reply.
pub fn int(n: i64) -> Reply {
    Reply::Integer(n)
}

/// An error reply.
pub fn error(err: ReplyError) -> Reply {
    Reply::Error(err)
}

/// An `ERR <message>` reply.
pub fn err_text(message: &'static str) -> Reply {
    Reply::Error(ReplyError::err(message))
}

/// The texts of a reply made of bulk strings: an array, a set, or pairs flattened as RESP2 sends
/// them. Panics on any other shape, failing the test.
pub fn bulk_texts(reply: &Reply) -> Vec<String> {
    let items: Vec<Reply> = match reply {
        Reply::Array(items) | Reply::Set(items) => items.clone(),
        Reply::Pairs(pairs) => pairs
            .iter()
            .flat_map(|(a, b)| [a.clone(), b.clone()])
            .collect(),
        _ => panic!("not a collection of bulks: {reply:?}"),
    };
    items
        .iter()
        .map(|item| match item {
            Reply::Bulk(b) => String::from_utf8(b.to_vec()).unwrap(),
            other => panic!("not a bulk: {other:?}"),
        })
        .collect()
}

/// Decodes `\xHH` escapes, so that tables can hold binary values in `&str` literals.
pub fn unescape(text: &str) -> Bytes {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut idx = 0;
    while idx < bytes.len() {
        let hex = bytes
            .get(idx..idx + 4)
            .filter(|s| s.starts_with(b"\\x"))
            .and_then(|s| std::str::from_utf8(&s[2..]).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(b) => {
                out.push(b);
                idx += 4;
            }
            None => {
                out.push(bytes[idx]);
                idx += 1;
            }
        }
    }
    Bytes::from(out)
}

/// A bulk reply written with `\xHH` escapes (see [`unescape`]).
pub fn raw(text: &str) -> Reply {
    Reply::Bulk(unescape(text))
}
