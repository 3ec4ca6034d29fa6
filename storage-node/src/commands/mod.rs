//! Redis command semantics, executed on the [`Keyspace`].
//!
//! The Raft layer calls [`execute_write`] when it applies a log entry and [`execute_read`] to serve a
//! read after the read barrier. Both look the command up in the shared command table, check its arity
//! and dispatch through `handler`, the one exhaustive `match` over [`CommandId`].
//!
//! - [`args`]: argument parsing with Redis's exact rules (`string2ll`, option names).
//! - [`string`]: GET SET MGET MSET INCR INCRBY DECR DECRBY.
//! - [`keys`]: DEL EXISTS EXPIRE PEXPIRE TTL PTTL PERSIST TYPE DBSIZE FLUSHDB FLUSHALL.
//! - [`list`]: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LRANGE LINDEX LSET LTRIM LINSERT LREM LPOS
//!   LMOVE RPOPLPUSH LMPOP.
//! - [`hash`]: HSET HSETNX HGET HMGET HMSET HDEL HLEN HSTRLEN HEXISTS HKEYS HVALS HGETALL HINCRBY
//!   HINCRBYFLOAT HRANDFIELD HSCAN, with [`long_double`] (C's `long double` arithmetic for
//!   HINCRBYFLOAT).
//! - [`set`]: SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP SRANDMEMBER SMOVE SINTER SINTERCARD
//!   SUNION SDIFF SINTERSTORE SUNIONSTORE SDIFFSTORE SSCAN.
//! - [`scan`] (HSCAN/SSCAN cursors and options) and [`random`] (random members) serve both.
//! - Sorted sets: [`zset`]: ZADD ZINCRBY ZREM ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK ZCOUNT ZLEXCOUNT
//!   ZRANGE ZRANGESTORE ZREVRANGE ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX
//!   ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX ZPOPMIN ZPOPMAX ZMPOP ZRANDMEMBER ZUNION ZINTER
//!   ZDIFF ZUNIONSTORE ZINTERSTORE ZDIFFSTORE ZINTERCARD ZSCAN.
//! - Keys (more): UNLINK TOUCH EXPIREAT PEXPIREAT EXPIRETIME PEXPIRETIME RENAME RENAMENX MOVE COPY
//!   SWAPDB in [`keys`]; KEYS SCAN RANDOMKEY in [`key_scan`]; OBJECT in [`object`]; MEMORY USAGE
//!   in [`memory`].
//! - Strings (more): GETEX GETDEL GETSET SETNX SETEX PSETEX MSETNX APPEND STRLEN GETRANGE SUBSTR
//!   SETRANGE INCRBYFLOAT in [`string`]; LCS in [`lcs`].
//! - SORT SORT_RO in [`sort`]; DUMP RESTORE in [`dump`].
//! - Blocking commands: BLPOP BRPOP BRPOPLPUSH BLMOVE BLMPOP BZPOPMIN BZPOPMAX BZMPOP in
//!   [`blocking`]; [`execute_write_blocking`] is how the state machine runs them so that they may
//!   block, [`execute_write`] runs them as inside MULTI (never blocking).
//! - Bitmaps: SETBIT GETBIT BITCOUNT BITPOS BITOP in [`bits`]; BITFIELD BITFIELD_RO in
//!   [`bitfield`]. HyperLogLog: PFADD PFCOUNT PFMERGE PFDEBUG in [`hll`].
//!
//! Nothing here reads a clock (DESIGN invariant 3): writes get time and seed from [`WriteCtx`], reads
//! get the serving node's time from [`ReadCtx`]. Writes never read a random source either (SPOP
//! draws from the seed); only reads with random replies (SRANDMEMBER, HRANDFIELD) do, through
//! [`random::read_rng`], since they change nothing. Command failures are [`Reply::Error`] values,
//! never panics and never `Err` (invariant 8).

pub mod args;
pub mod keys;
pub mod list;
// Hashes and sets.
pub mod hash;
pub mod long_double;
pub mod random;
pub mod scan;
pub mod set;
pub mod string;
// Sorted sets.
pub mod zset;
// Keys (more), strings (more).
pub mod key_scan;
pub mod lcs;
pub mod memory;
pub mod object;
// SORT, DUMP and RESTORE.
pub mod dump;
pub mod sort;
// Bitmaps and HyperLogLog.
pub mod bitfield;
pub mod bits;
pub mod hll;
// WATCH.
pub mod watch;
// Blocking commands.
pub mod blocking;

use bytes::Bytes;
use tinyredis_common::CommandId;
use tinyredis_common::CommandSpec;
use tinyredis_common::Reply;
use tinyredis_common::ReplyError;
use tinyredis_common::command;

use crate::keyspace::Db;
use crate::keyspace::Keyspace;
use crate::keyspace::encoding;

/// Context of a write: the Raft entry's timestamp and random seed (never read a clock or RNG here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteCtx {
    /// The entry's timestamp in unix milliseconds, stamped by the leader.
    pub now_ms: u64,
    /// The entry's random seed, for commands with random effects (SPOP, …).
    pub seed: u64,
}

/// Context of a read: the serving node's current time in unix ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadCtx {
    /// The serving node's time in unix milliseconds; keys expired at this time are absent.
    pub now_ms: u64,
    /// The Raft entry's seed when the read runs inside a write (a MULTI block applied from the
    /// log), so that random replies (SRANDMEMBER, RANDOMKEY, …) are the same on every replica and
    /// in the retry table; `None` for plain reads, which may use any random source.
    pub seed: Option<u64>,
}

/// Applies a command from a Raft log entry to database `db` and returns its reply.
///
/// A read command is executed read-only at `ctx.now_ms`, so that a transaction's queued reads can be
/// applied in order with its writes. A blocking command that finds nothing to pop does not block
/// here: it replies its null, as inside MULTI (see [`execute_write_blocking`]).
pub fn execute_write(ks: &mut Keyspace, db: usize, argv: &[Bytes], ctx: &WriteCtx) -> Reply {
    match execute_write_blocking(ks, db, argv, ctx) {
        blocking::Blocking::Reply(reply) => reply,
        blocking::Blocking::Block(block) => block.nil(),
    }
}

/// Like [`execute_write`], but a blocking command (BLPOP, …) that finds nothing to pop returns
/// the [`blocking::Block`] to wait with instead of its null reply.
pub fn execute_write_blocking(
    ks: &mut Keyspace,
    db: usize,
    argv: &[Bytes],
    ctx: &WriteCtx,
) -> blocking::Blocking {
    let spec = match resolve(argv) {
        Ok(spec) => spec,
        Err(err) => return blocking::Blocking::Reply(Reply::Error(err)),
    };
    let outcome = if let Handler::Blocking(command) = handler(spec.id) {
        match ks.db_mut(db) {
            Some(db) => command(db, argv, ctx),
            None => blocking::Blocking::Reply(Reply::Error(ReplyError::DbIndexOutOfRange)),
        }
    } else {
        blocking::Blocking::Reply(execute_resolved(ks, db, spec, argv, ctx))
    };
    // Count the change (INFO's rdb_changes_since_last_save): what the command recorded, else
    // one for a successful write.
    let recorded = ks.db_mut(db).and_then(Db::take_changes);
    if let blocking::Blocking::Reply(reply) = &outcome
        && !reply.is_error()
        && spec.is_write_call(argv)
    {
        ks.add_changes(recorded.unwrap_or(1));
    }
    outcome
}

/// [`execute_write`] of a command whose spec and arity were checked.
fn execute_resolved(
    ks: &mut Keyspace,
    db: usize,
    spec: &CommandSpec,
    argv: &[Bytes],
    ctx: &WriteCtx,
) -> Reply {
    match handler(spec.id) {
        Handler::Read(read) => match ks.db(db) {
            Some(db) => read(
                db,
                argv,
                &ReadCtx {
                    now_ms: ctx.now_ms,
                    seed: Some(ctx.seed),
                },
            ),
            None => Reply::Error(ReplyError::DbIndexOutOfRange),
        },
        Handler::Write(write) => {
            let limits = *ks.limits();
            match ks.db_mut(db) {
                Some(db) => {
                    let reply = write(db, argv, ctx);
                    if let Some(key) = grown_key(spec.id, argv)
                        && !reply.is_error()
                    {
                        encoding::promote(db, key, ctx.now_ms, &limits);
                    }
                    reply
                }
                None => Reply::Error(ReplyError::DbIndexOutOfRange),
            }
        }
        Handler::WriteKeyspace(write) => {
            if ks.db(db).is_none() {
                return Reply::Error(ReplyError::DbIndexOutOfRange);
            }
            write(ks, db, argv, ctx)
        }
        Handler::ReadUnlessStore { write, .. } => match ks.db_mut(db) {
            Some(db) => write(db, argv, ctx),
            None => Reply::Error(ReplyError::DbIndexOutOfRange),
        },
        // Dispatched by `execute_write_blocking` before this point.
        Handler::Blocking(_) => Reply::Error(ReplyError::err(
            "internal error: blocking command dispatched as a plain write",
        )),
        Handler::Gateway => Reply::Error(gateway_only()),
    }
}

/// The key whose hash, set or sorted set a successful write may have grown past its compact
/// encoding (see [`encoding`]): the destination of the commands that add elements.
fn grown_key(id: CommandId, argv: &[Bytes]) -> Option<&[u8]> {
    let position = match id {
        CommandId::Hset
        | CommandId::Hsetnx
        | CommandId::Hmset
        | CommandId::Hincrby
        | CommandId::Hincrbyfloat
        | CommandId::Sadd
        | CommandId::Sinterstore
        | CommandId::Sunionstore
        | CommandId::Sdiffstore
        | CommandId::Zadd
        | CommandId::Zincrby
        | CommandId::Zrangestore
        | CommandId::Zunionstore
        | CommandId::Zinterstore
        | CommandId::Zdiffstore
        | CommandId::Restore => 1,
        CommandId::Smove => 2,
        _ => return None,
    };
    argv.get(position).map(|key| &key[..])
}

/// Executes a read command on database `db` and returns its reply; a write command is an error.
pub fn execute_read(ks: &Keyspace, db: usize, argv: &[Bytes], ctx: &ReadCtx) -> Reply {
    let spec = match resolve(argv) {
        Ok(spec) => spec,
        Err(err) => return Reply::Error(err),
    };
    match handler(spec.id) {
        Handler::Read(read) | Handler::ReadUnlessStore { read, .. } => match ks.db(db) {
            Some(db) => read(db, argv, ctx),
            None => Reply::Error(ReplyError::DbIndexOutOfRange),
        },
        Handler::Write(_) | Handler::WriteKeyspace(_) | Handler::Blocking(_) => Reply::Error(
            ReplyError::err("write command cannot be executed as a read"),
        ),
        Handler::Gateway => Reply::Error(gateway_only()),
    }
}

/// How a command runs on the storage node.
#[derive(Clone, Copy)]
enum Handler {
    /// Reads one database.
    Read(fn(&Db, &[Bytes], &ReadCtx) -> Reply),
    /// Writes one database.
    Write(fn(&mut Db, &[Bytes], &WriteCtx) -> Reply),
    /// Writes across databases (FLUSHALL, SWAPDB, MOVE, COPY … DB); gets the selected database.
    WriteKeyspace(fn(&mut Keyspace, usize, &[Bytes], &WriteCtx) -> Reply),
    /// A read, or a write when it stores its result (SORT ... STORE): the gateway sends it as a
    /// write when an argument may be STORE; applied from the log it always runs `write`.
    ReadUnlessStore {
        read: fn(&Db, &[Bytes], &ReadCtx) -> Reply,
        write: fn(&mut Db, &[Bytes], &WriteCtx) -> Reply,
    },
    /// A blocking command (BLPOP, …): a write of one database that may wait for its keys.
    Blocking(fn(&mut Db, &[Bytes], &WriteCtx) -> blocking::Blocking),
    /// Answered by the gateway; never sent to a storage node.
    Gateway,
}

/// Returns the handler of a command: the single dispatch point, exhaustive so that a command added
/// to the table cannot lack one.
fn handler(id: CommandId) -> Handler {
    match id {
        CommandId::Ping
        | CommandId::Echo
        | CommandId::Select
        | CommandId::Quit
        | CommandId::Info
        | CommandId::Hello
        | CommandId::Auth
        | CommandId::Client
        | CommandId::Command
        | CommandId::Reset
        | CommandId::Time
        | CommandId::Multi
        | CommandId::Exec
        | CommandId::Discard
        | CommandId::Watch
        | CommandId::Unwatch
        | CommandId::Lastsave
        | CommandId::Monitor
        | CommandId::Cluster
        | CommandId::Module
        | CommandId::Slowlog
        | CommandId::Latency
        | CommandId::Config
        | CommandId::Acl => Handler::Gateway,

        CommandId::Get => Handler::Read(string::get),
        CommandId::Mget => Handler::Read(string::mget),
        CommandId::Set => Handler::Write(string::set),
        CommandId::Mset => Handler::Write(string::mset),
        CommandId::Incr => Handler::Write(string::incr),
        CommandId::Incrby => Handler::Write(string::incrby),
        CommandId::Decr => Handler::Write(string::decr),
        CommandId::Decrby => Handler::Write(string::decrby),

        CommandId::Exists => Handler::Read(keys::exists),
        CommandId::Ttl => Handler::Read(keys::ttl),
        CommandId::Pttl => Handler::Read(keys::pttl),
        CommandId::Type => Handler::Read(keys::type_),
        CommandId::Dbsize => Handler::Read(keys::dbsize),
        CommandId::Del => Handler::Write(keys::del),
        CommandId::Expire => Handler::Write(keys::expire),
        CommandId::Pexpire => Handler::Write(keys::pexpire),
        CommandId::Persist => Handler::Write(keys::persist),
        CommandId::Flushdb => Handler::Write(keys::flushdb),
        CommandId::Flushall => Handler::WriteKeyspace(keys::flushall),

        // Keys (more).
        CommandId::Unlink => Handler::Write(keys::unlink),
        CommandId::Rename => Handler::Write(keys::rename),
        CommandId::Renamenx => Handler::Write(keys::renamenx),
        CommandId::Copy => Handler::WriteKeyspace(keys::copy),
        CommandId::Move => Handler::WriteKeyspace(keys::move_),
        CommandId::Swapdb => Handler::WriteKeyspace(keys::swapdb),
        CommandId::Expireat => Handler::Write(keys::expireat),
        CommandId::Pexpireat => Handler::Write(keys::pexpireat),
        CommandId::Touch => Handler::Read(keys::touch),
        CommandId::Expiretime => Handler::Read(keys::expiretime),
        CommandId::Pexpiretime => Handler::Read(keys::pexpiretime),
        CommandId::Keys => Handler::Read(key_scan::keys),
        CommandId::Scan => Handler::Read(key_scan::scan),
        CommandId::Randomkey => Handler::Read(key_scan::randomkey),
        CommandId::Object => Handler::Read(object::object),
        CommandId::Memory => Handler::Read(memory::memory),

        // Strings (more).
        CommandId::Getex => Handler::Write(string::getex),
        CommandId::Getdel => Handler::Write(string::getdel),
        CommandId::Getset => Handler::Write(string::getset),
        CommandId::Setnx => Handler::Write(string::setnx),
        CommandId::Setex => Handler::Write(string::setex),
        CommandId::Psetex => Handler::Write(string::psetex),
        CommandId::Msetnx => Handler::Write(string::msetnx),
        CommandId::Append => Handler::Write(string::append),
        CommandId::Setrange => Handler::Write(string::setrange),
        CommandId::Incrbyfloat => Handler::Write(string::incrbyfloat),
        CommandId::Strlen => Handler::Read(string::strlen),
        CommandId::Getrange | CommandId::Substr => Handler::Read(string::getrange),
        CommandId::Lcs => Handler::Read(lcs::lcs),

        // Lists.
        CommandId::Llen => Handler::Read(list::llen),
        CommandId::Lrange => Handler::Read(list::lrange),
        CommandId::Lindex => Handler::Read(list::lindex),
        CommandId::Lpos => Handler::Read(list::lpos),
        CommandId::Lpush => Handler::Write(list::lpush),
        CommandId::Rpush => Handler::Write(list::rpush),
        CommandId::Lpushx => Handler::Write(list::lpushx),
        CommandId::Rpushx => Handler::Write(list::rpushx),
        CommandId::Lpop => Handler::Write(list::lpop),
        CommandId::Rpop => Handler::Write(list::rpop),
        CommandId::Lset => Handler::Write(list::lset),
        CommandId::Ltrim => Handler::Write(list::ltrim),
        CommandId::Linsert => Handler::Write(list::linsert),
        CommandId::Lrem => Handler::Write(list::lrem),
        CommandId::Lmove => Handler::Write(list::lmove),
        CommandId::Rpoplpush => Handler::Write(list::rpoplpush),
        CommandId::Lmpop => Handler::Write(list::lmpop),

        // Hashes.
        CommandId::Hset => Handler::Write(hash::hset),
        CommandId::Hsetnx => Handler::Write(hash::hsetnx),
        CommandId::Hmset => Handler::Write(hash::hmset),
        CommandId::Hdel => Handler::Write(hash::hdel),
        CommandId::Hincrby => Handler::Write(hash::hincrby),
        CommandId::Hincrbyfloat => Handler::Write(hash::hincrbyfloat),
        CommandId::Hget => Handler::Read(hash::hget),
        CommandId::Hmget => Handler::Read(hash::hmget),
        CommandId::Hlen => Handler::Read(hash::hlen),
        CommandId::Hstrlen => Handler::Read(hash::hstrlen),
        CommandId::Hexists => Handler::Read(hash::hexists),
        CommandId::Hkeys => Handler::Read(hash::hkeys),
        CommandId::Hvals => Handler::Read(hash::hvals),
        CommandId::Hgetall => Handler::Read(hash::hgetall),
        CommandId::Hrandfield => Handler::Read(hash::hrandfield),
        CommandId::Hscan => Handler::Read(hash::hscan),

        // Sets.
        CommandId::Sadd => Handler::Write(set::sadd),
        CommandId::Srem => Handler::Write(set::srem),
        CommandId::Spop => Handler::Write(set::spop),
        CommandId::Smove => Handler::Write(set::smove),
        CommandId::Sinterstore => Handler::Write(set::sinterstore),
        CommandId::Sunionstore => Handler::Write(set::sunionstore),
        CommandId::Sdiffstore => Handler::Write(set::sdiffstore),
        CommandId::Smembers => Handler::Read(set::smembers),
        CommandId::Sismember => Handler::Read(set::sismember),
        CommandId::Smismember => Handler::Read(set::smismember),
        CommandId::Scard => Handler::Read(set::scard),
        CommandId::Srandmember => Handler::Read(set::srandmember),
        CommandId::Sinter => Handler::Read(set::sinter),
        CommandId::Sintercard => Handler::Read(set::sintercard),
        CommandId::Sunion => Handler::Read(set::sunion),
        CommandId::Sdiff => Handler::Read(set::sdiff),
        CommandId::Sscan => Handler::Read(set::sscan),

        // Sorted sets.
        CommandId::Zadd => Handler::Write(zset::zadd),
        CommandId::Zincrby => Handler::Write(zset::zincrby),
        CommandId::Zrem => Handler::Write(zset::zrem),
        CommandId::Zremrangebyrank => Handler::Write(zset::zremrangebyrank),
        CommandId::Zremrangebyscore => Handler::Write(zset::zremrangebyscore),
        CommandId::Zremrangebylex => Handler::Write(zset::zremrangebylex),
        CommandId::Zpopmin => Handler::Write(zset::zpopmin),
        CommandId::Zpopmax => Handler::Write(zset::zpopmax),
        CommandId::Zrangestore => Handler::Write(zset::zrangestore),
        CommandId::Zunionstore => Handler::Write(zset::zunionstore),
        CommandId::Zinterstore => Handler::Write(zset::zinterstore),
        CommandId::Zdiffstore => Handler::Write(zset::zdiffstore),
        CommandId::Zmpop => Handler::Write(zset::zmpop),
        CommandId::Zcard => Handler::Read(zset::zcard),
        CommandId::Zscore => Handler::Read(zset::zscore),
        CommandId::Zmscore => Handler::Read(zset::zmscore),
        CommandId::Zrank => Handler::Read(zset::zrank),
        CommandId::Zrevrank => Handler::Read(zset::zrevrank),
        CommandId::Zcount => Handler::Read(zset::zcount),
        CommandId::Zlexcount => Handler::Read(zset::zlexcount),
        CommandId::Zrange => Handler::Read(zset::zrange),
        CommandId::Zrevrange => Handler::Read(zset::zrevrange),
        CommandId::Zrangebyscore => Handler::Read(zset::zrangebyscore),
        CommandId::Zrevrangebyscore => Handler::Read(zset::zrevrangebyscore),
        CommandId::Zrangebylex => Handler::Read(zset::zrangebylex),
        CommandId::Zrevrangebylex => Handler::Read(zset::zrevrangebylex),
        CommandId::Zrandmember => Handler::Read(zset::zrandmember),
        CommandId::Zscan => Handler::Read(zset::zscan),
        CommandId::Zunion => Handler::Read(zset::zunion),
        CommandId::Zinter => Handler::Read(zset::zinter),
        CommandId::Zdiff => Handler::Read(zset::zdiff),
        CommandId::Zintercard => Handler::Read(zset::zintercard),

        // SORT, DUMP and RESTORE.
        CommandId::Sort => Handler::ReadUnlessStore {
            read: sort::sort,
            write: sort::sort_write,
        },
        CommandId::SortRo => Handler::Read(sort::sort_ro),
        CommandId::Dump => Handler::Read(dump::dump),
        CommandId::Restore => Handler::Write(dump::restore),

        // Bitmaps.
        CommandId::Setbit => Handler::Write(bits::setbit),
        CommandId::Getbit => Handler::Read(bits::getbit),
        CommandId::Bitcount => Handler::Read(bits::bitcount),
        CommandId::Bitpos => Handler::Read(bits::bitpos),
        CommandId::Bitop => Handler::Write(bits::bitop),
        CommandId::Bitfield => Handler::Write(bitfield::bitfield),
        CommandId::BitfieldRo => Handler::Read(bitfield::bitfield_ro),

        // HyperLogLog.
        CommandId::Pfadd => Handler::Write(hll::pfadd),
        CommandId::Pfcount => Handler::Write(hll::pfcount),
        CommandId::Pfmerge => Handler::Write(hll::pfmerge),
        CommandId::Pfdebug => Handler::Write(hll::pfdebug),

        // Blocking commands.
        CommandId::Blpop => Handler::Blocking(blocking::blpop),
        CommandId::Brpop => Handler::Blocking(blocking::brpop),
        CommandId::Brpoplpush => Handler::Blocking(blocking::brpoplpush),
        CommandId::Blmove => Handler::Blocking(blocking::blmove),
        CommandId::Blmpop => Handler::Blocking(blocking::blmpop),
        CommandId::Bzpopmin => Handler::Blocking(blocking::bzpopmin),
        CommandId::Bzpopmax => Handler::Blocking(blocking::bzpopmax),
        CommandId::Bzmpop => Handler::Blocking(blocking::bzmpop),
    }
}

/// Handles `SELECT` inside a transaction's segment: the gateway sends a MULTI block's SELECTs with
/// its other commands so the whole block runs as one unit; later commands of the segment use the
/// selected database. Returns `None` for any other command.
pub fn select_in_transaction(argv: &[Bytes], db: &mut usize) -> Option<Reply> {
    if !argv.first()?.eq_ignore_ascii_case(b"select") {
        return None;
    }
    if argv.len() != 2 {
        return Some(Reply::Error(ReplyError::wrong_arity(b"select")));
    }
    Some(match tinyredis_common::num::parse_i64(&argv[1]) {
        None => Reply::Error(ReplyError::NotInteger),
        Some(n) if n < 0 || n >= tinyredis_common::NUM_DATABASES as i64 => {
            Reply::Error(ReplyError::DbIndexOutOfRange)
        }
        Some(n) => {
            *db = n as usize;
            Reply::Ok
        }
    })
}

/// Finds the command of `argv` and checks its arity.
fn resolve(argv: &[Bytes]) -> Result<&'static CommandSpec, ReplyError> {
    let Some((name, args)) = argv.split_first() else {
        return Err(ReplyError::err("empty command"));
    };
    let Some(spec) = command::lookup(name) else {
        return Err(unknown_command(name, args));
    };
    if !spec.arity_ok(argv.len()) {
        return Err(ReplyError::WrongArity(Bytes::from_static(
            spec.name.as_bytes(),
        )));
    }
    Ok(spec)
}

/// Longest argument text Redis echoes in an unknown-command error.
const UNKNOWN_ECHO_LIMIT: usize = 128;

/// Builds the unknown-command error with copies of the arguments Redis would echo, so the error does
/// not pin the request buffer (replies of writes may be kept for retries).
fn unknown_command(name: &[u8], args: &[Bytes]) -> ReplyError {
    let name = Bytes::copy_from_slice(&name[..name.len().min(UNKNOWN_ECHO_LIMIT)]);
    let mut echoed = Vec::new();
    let mut used = 0usize;
    for arg in args {
        if used >= UNKNOWN_ECHO_LIMIT {
            break;
        }
        let take = arg.len().min(UNKNOWN_ECHO_LIMIT - used);
        echoed.push(Bytes::copy_from_slice(&arg[..take]));
        used += take + 3;
    }
    ReplyError::UnknownCommand { name, args: echoed }
}

fn gateway_only() -> ReplyError {
    ReplyError::err("command is executed by the gateway, not the storage node")
}

#[cfg(test)]
mod test_util;

#[cfg(test)]
mod mod_test;
