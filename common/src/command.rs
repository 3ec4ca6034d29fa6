//! The command table: one row per Redis command tinyredis knows.
//!
//! The [`commands!`] invocation below is the single place a command is registered. It generates
//! [`CommandId`] (an enum the storage node matches exhaustively to find a handler, so a command cannot
//! be added without one) and [`COMMANDS`] (the metadata the gateway uses for arity checks, routing and,
//! later, `COMMAND INFO`). Names are lowercase, as Redis reports them.

use std::collections::HashMap;
use std::sync::LazyLock;

/// Where a command runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Answered by the gateway itself (connection state, PING, INFO assembly).
    Gateway,
    /// A read: served by the leader after a linearizable read barrier, never through the log.
    Read,
    /// A write: proposed to the Raft log and answered after commit and apply.
    Write,
    /// A read unless it has a `STORE` option (SORT, see [`sort_store_position`]): then a write.
    ReadUnlessStore,
}

/// The metadata of one command, as Redis's `COMMAND INFO` describes it.
#[derive(Debug)]
pub struct CommandSpec {
    /// The command's identity, for exhaustive dispatch.
    pub id: CommandId,
    /// Lowercase name, as in `COMMAND INFO`.
    pub name: &'static str,
    /// Redis arity: `n` means exactly `n` arguments including the name, `-n` means at least `n`.
    pub arity: i32,
    /// Where the command is executed.
    pub route: Route,
    /// Position of the first key argument (0: no keys).
    pub first_key: i32,
    /// Position of the last key argument (-1: the last argument).
    pub last_key: i32,
    /// Step between key positions.
    pub step: i32,
    /// Redis command flags (`write`, `readonly`, `fast`, …), for `COMMAND`.
    pub flags: &'static [&'static str],
}

impl CommandSpec {
    /// Returns true when `argc` (arguments including the command name) satisfies the arity.
    pub fn arity_ok(&self, argc: usize) -> bool {
        let argc = argc as i64;
        let arity = self.arity as i64;
        if arity >= 0 {
            argc == arity
        } else {
            argc >= -arity
        }
    }

    /// Returns true for commands that change the keyspace.
    pub fn is_write(&self) -> bool {
        self.route == Route::Write
    }

    /// Returns true for the commands that may block the client (BLPOP, BZPOPMIN, …).
    pub fn is_blocking(&self) -> bool {
        self.flags.contains(&"blocking")
    }

    /// Returns true when this call of the command (`argv`, name included) must go through the
    /// log: always for a write, never for a read, and for SORT when it may store its result.
    pub fn is_write_call<A>(&self, argv: &[A]) -> bool
    where
        A: AsRef<[u8]>,
    {
        match self.route {
            Route::Write => true,
            Route::ReadUnlessStore => sort_store_position(argv).is_some(),
            Route::Read | Route::Gateway => false,
        }
    }
}

macro_rules! commands {
    ($( $id:ident => $name:literal, $arity:expr, $route:ident, ($fk:expr, $lk:expr, $step:expr), [$($flag:literal),*]; )*) => {
        /// Identifies a command of the table; see [`COMMANDS`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum CommandId { $( #[doc = $name] $id, )* }

        /// Every command tinyredis implements.
        pub static COMMANDS: &[CommandSpec] = &[
            $( CommandSpec {
                id: CommandId::$id,
                name: $name,
                arity: $arity,
                route: Route::$route,
                first_key: $fk,
                last_key: $lk,
                step: $step,
                flags: &[$($flag),*],
            }, )*
        ];
    };
}

commands! {
    // Connection and server commands answered by the gateway.
    Ping => "ping", -1, Gateway, (0, 0, 0), ["fast", "stale"];
    Echo => "echo", 2, Gateway, (0, 0, 0), ["fast", "stale"];
    Select => "select", 2, Gateway, (0, 0, 0), ["loading", "stale", "fast"];
    Quit => "quit", -1, Gateway, (0, 0, 0), ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"];
    Info => "info", -1, Gateway, (0, 0, 0), ["loading", "stale"];
    Hello => "hello", -1, Gateway, (0, 0, 0), ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"];
    Client => "client", -2, Gateway, (0, 0, 0), ["noscript", "loading", "stale"];
    Command => "command", -1, Gateway, (0, 0, 0), ["loading", "stale"];
    Reset => "reset", 1, Gateway, (0, 0, 0), ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"];
    Time => "time", 1, Gateway, (0, 0, 0), ["loading", "stale", "fast"];
    Multi => "multi", 1, Gateway, (0, 0, 0), ["noscript", "loading", "stale", "fast", "allow_busy"];
    Exec => "exec", 1, Gateway, (0, 0, 0), ["noscript", "loading", "stale", "skip_slowlog"];
    Discard => "discard", 1, Gateway, (0, 0, 0), ["noscript", "loading", "stale", "fast", "allow_busy"];
    Lastsave => "lastsave", 1, Gateway, (0, 0, 0), ["loading", "stale", "fast"];
    // Containers: Redis lists no flags or keys for the container itself.
    Cluster => "cluster", -2, Gateway, (0, 0, 0), [];
    Module => "module", -2, Gateway, (0, 0, 0), [];
    Slowlog => "slowlog", -2, Gateway, (0, 0, 0), [];
    Latency => "latency", -2, Gateway, (0, 0, 0), [];
    // The gateway answers every subcommand but USAGE, which it forwards to the leader as a read.
    Memory => "memory", -2, Gateway, (0, 0, 0), [];
    // A container: GET/SET/RESETSTAT/REWRITE/HELP (see gateway/src/cmd/config.rs).
    Config => "config", -2, Gateway, (0, 0, 0), [];

    // Keyspace reads.
    Get => "get", 2, Read, (1, 1, 1), ["readonly", "fast"];
    Mget => "mget", -2, Read, (1, -1, 1), ["readonly", "fast"];
    Exists => "exists", -2, Read, (1, -1, 1), ["readonly", "fast"];
    Ttl => "ttl", 2, Read, (1, 1, 1), ["readonly", "fast"];
    Pttl => "pttl", 2, Read, (1, 1, 1), ["readonly", "fast"];
    Type => "type", 2, Read, (1, 1, 1), ["readonly", "fast"];
    Dbsize => "dbsize", 1, Read, (0, 0, 0), ["readonly", "fast"];

    // Keyspace writes.
    Set => "set", -3, Write, (1, 1, 1), ["write", "denyoom"];
    Mset => "mset", -3, Write, (1, -1, 2), ["write", "denyoom"];
    Del => "del", -2, Write, (1, -1, 1), ["write"];
    Incr => "incr", 2, Write, (1, 1, 1), ["write", "denyoom", "fast"];
    Incrby => "incrby", 3, Write, (1, 1, 1), ["write", "denyoom", "fast"];
    Decr => "decr", 2, Write, (1, 1, 1), ["write", "denyoom", "fast"];
    Decrby => "decrby", 3, Write, (1, 1, 1), ["write", "denyoom", "fast"];
    Expire => "expire", -3, Write, (1, 1, 1), ["write", "fast"];
    Pexpire => "pexpire", -3, Write, (1, 1, 1), ["write", "fast"];
    Persist => "persist", 2, Write, (1, 1, 1), ["write", "fast"];
    Flushdb => "flushdb", -1, Write, (0, 0, 0), ["write"];
    Flushall => "flushall", -1, Write, (0, 0, 0), ["write"];

    // Keys (more).
    Unlink => "unlink", -2, Write, (1, -1, 1), ["write", "fast"];
    Rename => "rename", 3, Write, (1, 2, 1), ["write"];
    Renamenx => "renamenx", 3, Write, (1, 2, 1), ["write", "fast"];
    Copy => "copy", -3, Write, (1, 2, 1), ["write", "denyoom"];
    Move => "move", 3, Write, (1, 1, 1), ["write", "fast"];
    Swapdb => "swapdb", 3, Write, (0, 0, 0), ["write", "fast"];
    Expireat => "expireat", -3, Write, (1, 1, 1), ["write", "fast"];
    Pexpireat => "pexpireat", -3, Write, (1, 1, 1), ["write", "fast"];
    Keys => "keys", 2, Read, (0, 0, 0), ["readonly"];
    Scan => "scan", -2, Read, (0, 0, 0), ["readonly"];
    Randomkey => "randomkey", 1, Read, (0, 0, 0), ["readonly"];
    Touch => "touch", -2, Read, (1, -1, 1), ["readonly", "fast"];
    Expiretime => "expiretime", 2, Read, (1, 1, 1), ["readonly", "fast"];
    Pexpiretime => "pexpiretime", 2, Read, (1, 1, 1), ["readonly", "fast"];
    // A container: the key positions and flags are those of its key subcommands (ENCODING, FREQ,
    // IDLETIME, REFCOUNT: arity 3, key at 2, readonly); HELP has arity 2.
    Object => "object", -2, Read, (2, 2, 1), ["readonly"];

    // Strings (more).
    Getex => "getex", -2, Write, (1, 1, 1), ["write", "fast"];
    Getdel => "getdel", 2, Write, (1, 1, 1), ["write", "fast"];
    Getset => "getset", 3, Write, (1, 1, 1), ["write", "denyoom", "fast"];
    Setnx => "setnx", 3, Write, (1, 1, 1), ["write", "denyoom", "fast"];
    Setex => "setex", 4, Write, (1, 1, 1), ["write", "denyoom"];
    Psetex => "psetex", 4, Write, (1, 1, 1), ["write", "denyoom"];
    Msetnx => "msetnx", -3, Write, (1, -1, 2), ["write", "denyoom"];
    Append => "append", 3, Write, (1, 1, 1), ["write", "denyoom", "fast"];
    Setrange => "setrange", 4, Write, (1, 1, 1), ["write", "denyoom"];
    Incrbyfloat => "incrbyfloat", 3, Write, (1, 1, 1), ["write", "denyoom", "fast"];
    Strlen => "strlen", 2, Read, (1, 1, 1), ["readonly", "fast"];
    Getrange => "getrange", 4, Read, (1, 1, 1), ["readonly"];
    Substr => "substr", 4, Read, (1, 1, 1), ["readonly"];
    Lcs => "lcs", -3, Read, (1, 2, 1), ["readonly"];

    // Lists.
    Llen => "llen", 2, Read, (1, 1, 1), ["readonly", "fast"];
    Lrange => "lrange", 4, Read, (1, 1, 1), ["readonly"];
    Lindex => "lindex", 3, Read, (1, 1, 1), ["readonly"];
    Lpos => "lpos", -3, Read, (1, 1, 1), ["readonly"];
    Lpush => "lpush", -3, Write, (1, 1, 1), ["write", "denyoom", "fast"];
    Rpush => "rpush", -3, Write, (1, 1, 1), ["write", "denyoom", "fast"];
    Lpushx => "lpushx", -3, Write, (1, 1, 1), ["write", "denyoom", "fast"];
    Rpushx => "rpushx", -3, Write, (1, 1, 1), ["write", "denyoom", "fast"];
    Lpop => "lpop", -2, Write, (1, 1, 1), ["write", "fast"];
    Rpop => "rpop", -2, Write, (1, 1, 1), ["write", "fast"];
    Lset => "lset", 4, Write, (1, 1, 1), ["write", "denyoom"];
    Ltrim => "ltrim", 4, Write, (1, 1, 1), ["write"];
    Linsert => "linsert", 5, Write, (1, 1, 1), ["write", "denyoom"];
    Lrem => "lrem", 4, Write, (1, 1, 1), ["write"];
    Lmove => "lmove", 5, Write, (1, 2, 1), ["write", "denyoom"];
    Rpoplpush => "rpoplpush", 3, Write, (1, 2, 1), ["write", "denyoom"];
    // Keys follow numkeys (`movablekeys`), so, as in Redis's COMMAND INFO, no fixed key range.
    Lmpop => "lmpop", -4, Write, (0, 0, 0), ["write", "movablekeys"];

    // Hashes.
    Hset => "hset", -4, Write, (1, 1, 1), ["write", "denyoom", "fast"];
    Hsetnx => "hsetnx", 4, Write, (1, 1, 1), ["write", "denyoom", "fast"];
    Hmset => "hmset", -4, Write, (1, 1, 1), ["write", "denyoom", "fast"];
    Hdel => "hdel", -3, Write, (1, 1, 1), ["write", "fast"];
    Hincrby => "hincrby", 4, Write, (1, 1, 1), ["write", "denyoom", "fast"];
    Hincrbyfloat => "hincrbyfloat", 4, Write, (1, 1, 1), ["write", "denyoom", "fast"];
    Hget => "hget", 3, Read, (1, 1, 1), ["readonly", "fast"];
    Hmget => "hmget", -3, Read, (1, 1, 1), ["readonly", "fast"];
    Hlen => "hlen", 2, Read, (1, 1, 1), ["readonly", "fast"];
    Hstrlen => "hstrlen", 3, Read, (1, 1, 1), ["readonly", "fast"];
    Hexists => "hexists", 3, Read, (1, 1, 1), ["readonly", "fast"];
    Hkeys => "hkeys", 2, Read, (1, 1, 1), ["readonly"];
    Hvals => "hvals", 2, Read, (1, 1, 1), ["readonly"];
    Hgetall => "hgetall", 2, Read, (1, 1, 1), ["readonly"];
    Hrandfield => "hrandfield", -2, Read, (1, 1, 1), ["readonly"];
    Hscan => "hscan", -3, Read, (1, 1, 1), ["readonly"];

    // Sets.
    Sadd => "sadd", -3, Write, (1, 1, 1), ["write", "denyoom", "fast"];
    Srem => "srem", -3, Write, (1, 1, 1), ["write", "fast"];
    Spop => "spop", -2, Write, (1, 1, 1), ["write", "fast"];
    Smove => "smove", 4, Write, (1, 2, 1), ["write", "fast"];
    Sinterstore => "sinterstore", -3, Write, (1, -1, 1), ["write", "denyoom"];
    Sunionstore => "sunionstore", -3, Write, (1, -1, 1), ["write", "denyoom"];
    Sdiffstore => "sdiffstore", -3, Write, (1, -1, 1), ["write", "denyoom"];
    Smembers => "smembers", 2, Read, (1, 1, 1), ["readonly"];
    Sismember => "sismember", 3, Read, (1, 1, 1), ["readonly", "fast"];
    Smismember => "smismember", -3, Read, (1, 1, 1), ["readonly", "fast"];
    Scard => "scard", 2, Read, (1, 1, 1), ["readonly", "fast"];
    Srandmember => "srandmember", -2, Read, (1, 1, 1), ["readonly"];
    Sinter => "sinter", -2, Read, (1, -1, 1), ["readonly"];
    // Keys follow numkeys (`movablekeys`), so, as in Redis's COMMAND INFO, no fixed key range.
    Sintercard => "sintercard", -3, Read, (0, 0, 0), ["readonly", "movablekeys"];
    Sunion => "sunion", -2, Read, (1, -1, 1), ["readonly"];
    Sdiff => "sdiff", -2, Read, (1, -1, 1), ["readonly"];
    Sscan => "sscan", -3, Read, (1, 1, 1), ["readonly"];

    // Sorted sets.
    Zadd => "zadd", -4, Write, (1, 1, 1), ["write", "denyoom", "fast"];
    Zincrby => "zincrby", 4, Write, (1, 1, 1), ["write", "denyoom", "fast"];
    Zrem => "zrem", -3, Write, (1, 1, 1), ["write", "fast"];
    Zremrangebyrank => "zremrangebyrank", 4, Write, (1, 1, 1), ["write"];
    Zremrangebyscore => "zremrangebyscore", 4, Write, (1, 1, 1), ["write"];
    Zremrangebylex => "zremrangebylex", 4, Write, (1, 1, 1), ["write"];
    Zpopmin => "zpopmin", -2, Write, (1, 1, 1), ["write", "fast"];
    Zpopmax => "zpopmax", -2, Write, (1, 1, 1), ["write", "fast"];
    Zrangestore => "zrangestore", -5, Write, (1, 2, 1), ["write", "denyoom"];
    // The STORE forms report the destination as their key range, with `movablekeys` for the
    // sources that follow numkeys, as Redis's COMMAND INFO does.
    Zunionstore => "zunionstore", -4, Write, (1, 1, 1), ["write", "denyoom", "movablekeys"];
    Zinterstore => "zinterstore", -4, Write, (1, 1, 1), ["write", "denyoom", "movablekeys"];
    Zdiffstore => "zdiffstore", -4, Write, (1, 1, 1), ["write", "denyoom", "movablekeys"];
    // Keys follow numkeys (`movablekeys`), so, as in Redis's COMMAND INFO, no fixed key range.
    Zmpop => "zmpop", -4, Write, (0, 0, 0), ["write", "movablekeys"];
    Zcard => "zcard", 2, Read, (1, 1, 1), ["readonly", "fast"];
    Zscore => "zscore", 3, Read, (1, 1, 1), ["readonly", "fast"];
    Zmscore => "zmscore", -3, Read, (1, 1, 1), ["readonly", "fast"];
    Zrank => "zrank", 3, Read, (1, 1, 1), ["readonly", "fast"];
    Zrevrank => "zrevrank", 3, Read, (1, 1, 1), ["readonly", "fast"];
    Zcount => "zcount", 4, Read, (1, 1, 1), ["readonly", "fast"];
    Zlexcount => "zlexcount", 4, Read, (1, 1, 1), ["readonly", "fast"];
    Zrange => "zrange", -4, Read, (1, 1, 1), ["readonly"];
    Zrevrange => "zrevrange", -4, Read, (1, 1, 1), ["readonly"];
    Zrangebyscore => "zrangebyscore", -4, Read, (1, 1, 1), ["readonly"];
    Zrevrangebyscore => "zrevrangebyscore", -4, Read, (1, 1, 1), ["readonly"];
    Zrangebylex => "zrangebylex", -4, Read, (1, 1, 1), ["readonly"];
    Zrevrangebylex => "zrevrangebylex", -4, Read, (1, 1, 1), ["readonly"];
    Zrandmember => "zrandmember", -2, Read, (1, 1, 1), ["readonly"];
    Zscan => "zscan", -3, Read, (1, 1, 1), ["readonly"];
    // Keys follow numkeys (`movablekeys`), so, as in Redis's COMMAND INFO, no fixed key range.
    Zunion => "zunion", -3, Read, (0, 0, 0), ["readonly", "movablekeys"];
    Zinter => "zinter", -3, Read, (0, 0, 0), ["readonly", "movablekeys"];
    Zdiff => "zdiff", -3, Read, (0, 0, 0), ["readonly", "movablekeys"];
    Zintercard => "zintercard", -3, Read, (0, 0, 0), ["readonly", "movablekeys"];

    // SORT, DUMP and RESTORE. SORT's key range is the sorted key; BY, GET and STORE keys make it
    // `movablekeys`, as in Redis's COMMAND INFO.
    Sort => "sort", -2, ReadUnlessStore, (1, 1, 1), ["write", "denyoom", "movablekeys"];
    SortRo => "sort_ro", -2, Read, (1, 1, 1), ["readonly", "movablekeys"];
    Dump => "dump", 2, Read, (1, 1, 1), ["readonly"];
    Restore => "restore", -4, Write, (1, 1, 1), ["write", "denyoom"];

    // Bitmaps.
    Setbit => "setbit", 4, Write, (1, 1, 1), ["write", "denyoom"];
    Getbit => "getbit", 3, Read, (1, 1, 1), ["readonly", "fast"];
    Bitcount => "bitcount", -2, Read, (1, 1, 1), ["readonly"];
    Bitpos => "bitpos", -3, Read, (1, 1, 1), ["readonly"];
    Bitop => "bitop", -4, Write, (2, -1, 1), ["write", "denyoom"];
    Bitfield => "bitfield", -2, Write, (1, 1, 1), ["write", "denyoom"];
    BitfieldRo => "bitfield_ro", -2, Read, (1, 1, 1), ["readonly", "fast"];

    // HyperLogLog.
    Pfadd => "pfadd", -2, Write, (1, 1, 1), ["write", "denyoom", "fast"];
    // Read-only in Redis's flags, but PFCOUNT of one key stores the cardinality it computes in
    // the value's cache bytes (Redis propagates that change), so it goes through the log.
    Pfcount => "pfcount", -2, Write, (1, -1, 1), ["readonly"];
    Pfmerge => "pfmerge", -2, Write, (1, -1, 1), ["write", "denyoom"];
    Pfdebug => "pfdebug", 3, Write, (2, 2, 1), ["write", "denyoom", "admin"];

    // Blocking commands (`blocking` flag): writes that, when nothing can be popped, wait in the
    // state machine for a write that makes one of their keys ready (see the gateway's
    // `connection/blocked.rs` and the node's `blocking` module). Inside MULTI they never block.
    Blpop => "blpop", -3, Write, (1, -2, 1), ["write", "noscript", "blocking"];
    Brpop => "brpop", -3, Write, (1, -2, 1), ["write", "noscript", "blocking"];
    Brpoplpush => "brpoplpush", 4, Write, (1, 2, 1), ["write", "denyoom", "noscript", "blocking"];
    Blmove => "blmove", 6, Write, (1, 2, 1), ["write", "denyoom", "noscript", "blocking"];
    // Keys follow numkeys (`movablekeys`), so, as in Redis's COMMAND INFO, no fixed key range.
    Blmpop => "blmpop", -5, Write, (0, 0, 0), ["write", "blocking", "movablekeys"];
    Bzpopmin => "bzpopmin", -3, Write, (1, -2, 1), ["write", "noscript", "blocking", "fast"];
    Bzpopmax => "bzpopmax", -3, Write, (1, -2, 1), ["write", "noscript", "blocking", "fast"];
    Bzmpop => "bzmpop", -5, Write, (0, 0, 0), ["write", "blocking", "movablekeys"];
}

/// The position of SORT's STORE destination, found as Redis's `sortGetKeys` does (for COMMAND
/// GETKEYS and to route a SORT that stores as a write): options are scanned from the argument
/// after the key, skipping LIMIT's two arguments and BY's and GET's one; the last `STORE` followed
/// by an argument wins. Wherever SORT itself parses a STORE, this finds it too.
pub fn sort_store_position<A>(argv: &[A]) -> Option<usize>
where
    A: AsRef<[u8]>,
{
    let mut store = None;
    let mut idx = 2;
    while idx < argv.len() {
        let arg = argv[idx].as_ref();
        if arg.eq_ignore_ascii_case(b"limit") {
            idx += 2;
        } else if arg.eq_ignore_ascii_case(b"get") || arg.eq_ignore_ascii_case(b"by") {
            idx += 1;
        } else if arg.eq_ignore_ascii_case(b"store") && idx + 1 < argv.len() {
            store = Some(idx + 1);
        }
        idx += 1;
    }
    store
}

static BY_NAME: LazyLock<HashMap<&'static [u8], &'static CommandSpec>> =
    LazyLock::new(|| COMMANDS.iter().map(|c| (c.name.as_bytes(), c)).collect());

/// Longest command name the lookup accepts; longer names are unknown without allocating.
const MAX_NAME_LEN: usize = 32;

/// Finds a command by name, ignoring ASCII case, without allocating.
pub fn lookup(name: &[u8]) -> Option<&'static CommandSpec> {
    if name.len() > MAX_NAME_LEN {
        return None;
    }
    let mut buf = [0u8; MAX_NAME_LEN];
    let lower = &mut buf[..name.len()];
    lower.copy_from_slice(name);
    lower.make_ascii_lowercase();
    BY_NAME.get(&*lower).copied()
}

/// Returns the spec of a command id.
pub fn spec(id: CommandId) -> &'static CommandSpec {
    // The table is generated in `CommandId` order, so the discriminant is the index.
    &COMMANDS[id as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_ignores_case() {
        assert_eq!(lookup(b"GeT").unwrap().id, CommandId::Get);
        assert!(lookup(b"nosuchcommand").is_none());
        assert!(lookup(&[b'a'; 100]).is_none());
    }

    #[test]
    fn spec_matches_id() {
        for c in COMMANDS {
            assert_eq!(spec(c.id).name, c.name);
        }
    }

    #[test]
    fn sort_store_position_as_redis() {
        let pos = |args: &str| sort_store_position(&args.split(' ').collect::<Vec<_>>());
        assert_eq!(pos("sort abc store def"), Some(3));
        assert_eq!(
            pos("sort abc store invalid store stillbad store def"),
            Some(7)
        );
        assert_eq!(pos("sort abc get store"), None);
        assert_eq!(pos("sort abc limit store x by store"), None);
        assert_eq!(pos("sort abc store"), None);
        assert_eq!(pos("sort store"), None);
        assert_eq!(pos("sort abc desc STORE d"), Some(4));
    }

    #[test]
    fn arity() {
        let get = lookup(b"get").unwrap();
        assert!(get.arity_ok(2));
        assert!(!get.arity_ok(3));
        let set = lookup(b"set").unwrap();
        assert!(set.arity_ok(3) && set.arity_ok(9) && !set.arity_ok(2));
    }
}
