//! The command table: one row per Redis command tinyredis knows, and one per subcommand of the
//! container commands.
//!
//! The [`commands!`] invocation below is the single place a command is registered. It generates
//! [`CommandId`] (an enum the storage node matches exhaustively to find a handler, so a command cannot
//! be added without one) and [`COMMANDS`] (the metadata the gateway uses for arity checks, routing,
//! ACL checks and `COMMAND INFO`). Names are lowercase, as Redis reports them. Each row carries
//! Redis 7.0's ACL categories and key specs (where the keys are and how the command uses them),
//! so ACL rules such as `+@read` or `%R~pattern` mean here what they mean in Redis.
//!
//! [`subcommands!`] lists the subcommands of the containers (CONFIG GET, CLIENT KILL, ACL
//! SETUSER, …) with their own arity, flags, categories and key specs: Redis checks a
//! subcommand's existence and arity before authentication, and its ACL rules name subcommands
//! (`+config|get`, `-@dangerous` keeps `client|id`).
//!
//! [`Target`] is what ACL rules and checks address: a command or a subcommand, with a dense ACL
//! id ([`ACL_IDS`] in all). Key positions of a call are in [`keys`].

mod keys;

use std::collections::HashMap;
use std::sync::LazyLock;

pub use keys::{KeyRef, keys, sort_store_position};

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

/// Redis 7.0's ACL categories, in Redis's order (the order `ACL CAT` and `COMMAND INFO` list
/// them in).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Category {
    /// `@keyspace`.
    Keyspace,
    /// `@read`.
    Read,
    /// `@write`.
    Write,
    /// `@set`.
    Set,
    /// `@sortedset`.
    SortedSet,
    /// `@list`.
    List,
    /// `@hash`.
    Hash,
    /// `@string`.
    String,
    /// `@bitmap`.
    Bitmap,
    /// `@hyperloglog`.
    Hyperloglog,
    /// `@geo`.
    Geo,
    /// `@stream`.
    Stream,
    /// `@pubsub`.
    Pubsub,
    /// `@admin`.
    Admin,
    /// `@fast`.
    Fast,
    /// `@slow`.
    Slow,
    /// `@blocking`.
    Blocking,
    /// `@dangerous`.
    Dangerous,
    /// `@connection`.
    Connection,
    /// `@transaction`.
    Transaction,
    /// `@scripting`.
    Scripting,
}

/// Every category, in Redis's order.
pub const CATEGORIES: [Category; 21] = [
    Category::Keyspace,
    Category::Read,
    Category::Write,
    Category::Set,
    Category::SortedSet,
    Category::List,
    Category::Hash,
    Category::String,
    Category::Bitmap,
    Category::Hyperloglog,
    Category::Geo,
    Category::Stream,
    Category::Pubsub,
    Category::Admin,
    Category::Fast,
    Category::Slow,
    Category::Blocking,
    Category::Dangerous,
    Category::Connection,
    Category::Transaction,
    Category::Scripting,
];

impl Category {
    /// The category's bit in a [`CommandSpec::categories`] mask.
    pub const fn bit(self) -> u32 {
        1 << self as u8
    }

    /// The name without `@`, as ACL CAT lists it.
    pub const fn name(self) -> &'static str {
        match self {
            Category::Keyspace => "keyspace",
            Category::Read => "read",
            Category::Write => "write",
            Category::Set => "set",
            Category::SortedSet => "sortedset",
            Category::List => "list",
            Category::Hash => "hash",
            Category::String => "string",
            Category::Bitmap => "bitmap",
            Category::Hyperloglog => "hyperloglog",
            Category::Geo => "geo",
            Category::Stream => "stream",
            Category::Pubsub => "pubsub",
            Category::Admin => "admin",
            Category::Fast => "fast",
            Category::Slow => "slow",
            Category::Blocking => "blocking",
            Category::Dangerous => "dangerous",
            Category::Connection => "connection",
            Category::Transaction => "transaction",
            Category::Scripting => "scripting",
        }
    }

    /// Finds a category by name (without `@`), ignoring ASCII case.
    pub fn lookup(name: &[u8]) -> Option<Category> {
        CATEGORIES
            .iter()
            .copied()
            .find(|c| c.name().as_bytes().eq_ignore_ascii_case(name))
    }
}

/// Key spec flags, as Redis 7.0 names them (`COMMAND INFO` shows them). The access flags
/// (`ACCESS`: the value is read or returned; `UPDATE`, `INSERT`, `DELETE`: it is written) decide
/// which ACL key patterns (`%R~`, `%W~`) allow a key.
pub mod key_flags {
    /// Read-only: the command does not change the key's value.
    pub const RO: u16 = 1 << 0;
    /// Read and write.
    pub const RW: u16 = 1 << 1;
    /// Overwrite: the value is replaced without being read.
    pub const OW: u16 = 1 << 2;
    /// Remove: the key is deleted.
    pub const RM: u16 = 1 << 3;
    /// The value is read, returned or copied.
    pub const ACCESS: u16 = 1 << 4;
    /// The value is updated.
    pub const UPDATE: u16 = 1 << 5;
    /// Content is added to the value.
    pub const INSERT: u16 = 1 << 6;
    /// Content is removed from the value.
    pub const DELETE: u16 = 1 << 7;
    /// The argument is not a key (unused by tinyredis's commands).
    pub const NOT_KEY: u16 = 1 << 8;
    /// The spec may not find every key (SORT's BY/GET patterns).
    pub const INCOMPLETE: u16 = 1 << 9;
    /// The flags depend on the arguments (SET with GET, BITFIELD with SET/INCRBY).
    pub const VARIABLE_FLAGS: u16 = 1 << 10;

    /// Every flag with its `COMMAND INFO` name, in Redis's order.
    pub const NAMES: [(u16, &str); 11] = [
        (RO, "RO"),
        (RW, "RW"),
        (OW, "OW"),
        (RM, "RM"),
        (ACCESS, "access"),
        (UPDATE, "update"),
        (INSERT, "insert"),
        (DELETE, "delete"),
        (NOT_KEY, "not_key"),
        (INCOMPLETE, "incomplete"),
        (VARIABLE_FLAGS, "variable_flags"),
    ];
}

/// Where a key spec's keys are, after Redis 7.0's key specs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindKeys {
    /// From the begin index: keys up to `last` (relative to the begin index when ≥ 0, counted
    /// from the end of the arguments when negative), every `step` arguments.
    Range {
        /// The last key: an offset from the begin index, or negative from the end.
        last: i32,
        /// Distance between keys.
        step: u32,
    },
    /// The argument at `begin + keynum_idx` is a number of keys, which start at `begin + first`.
    Keynum {
        /// Position of the key count, relative to the begin index.
        keynum_idx: u32,
        /// Position of the first key, relative to the begin index.
        first: u32,
        /// Distance between keys.
        step: u32,
    },
    /// Found by a command-specific rule (SORT).
    Unknown,
}

/// One key spec of a command: a group of key arguments and how the command uses them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeySpec {
    /// The argument where the search starts (0 when found by a command-specific rule).
    pub begin: u32,
    /// How the keys are found from there.
    pub find: FindKeys,
    /// [`key_flags`].
    pub flags: u16,
    /// Redis's explanation of the flags, shown by `COMMAND INFO`.
    pub notes: Option<&'static str>,
}

impl KeySpec {
    /// The spec with Redis's notes.
    const fn with_notes(self, notes: &'static str) -> KeySpec {
        KeySpec {
            notes: Some(notes),
            ..self
        }
    }
}

/// A key spec of keys in a range (see [`FindKeys::Range`]).
const fn range(begin: u32, last: i32, step: u32, flags: u16) -> KeySpec {
    KeySpec {
        begin,
        find: FindKeys::Range { last, step },
        flags,
        notes: None,
    }
}

/// A key spec of keys counted by an argument (see [`FindKeys::Keynum`]).
const fn keynum(begin: u32, keynum_idx: u32, first: u32, step: u32, flags: u16) -> KeySpec {
    KeySpec {
        begin,
        find: FindKeys::Keynum {
            keynum_idx,
            first,
            step,
        },
        flags,
        notes: None,
    }
}

/// A key spec found by a command-specific rule.
const fn unknown(flags: u16) -> KeySpec {
    KeySpec {
        begin: 0,
        find: FindKeys::Unknown,
        flags,
        notes: None,
    }
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
    /// Redis 7.0's ACL categories, a mask of [`Category::bit`]s.
    pub categories: u32,
    /// Redis 7.0's key specs.
    pub key_specs: &'static [KeySpec],
}

impl CommandSpec {
    /// Returns true when `argc` (arguments including the command name) satisfies the arity.
    pub fn arity_ok(&self, argc: usize) -> bool {
        arity_ok(self.arity, argc)
    }

    /// Returns true for commands that change the keyspace.
    pub fn is_write(&self) -> bool {
        self.route == Route::Write
    }

    /// Returns true when the command has the Redis flag `flag` (`no_auth`, `fast`, …).
    pub fn has_flag(&self, flag: &str) -> bool {
        self.flags.contains(&flag)
    }

    /// The command's subcommands (empty unless it is a container).
    pub fn subcommands(&self) -> &'static [SubcommandSpec] {
        subcommands_of(self.id)
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

/// Checks an argument count against a Redis arity.
fn arity_ok(arity: i32, argc: usize) -> bool {
    let argc = argc as i64;
    let arity = arity as i64;
    if arity >= 0 {
        argc == arity
    } else {
        argc >= -arity
    }
}

/// The metadata of one subcommand of a container command (CONFIG GET, ACL SETUSER, …).
#[derive(Debug)]
pub struct SubcommandSpec {
    /// The container.
    pub parent: CommandId,
    /// `container|sub`, lowercase, as Redis names it in errors, ACL rules and COMMAND.
    pub full_name: &'static str,
    /// Redis arity, counting the container and the subcommand.
    pub arity: i32,
    /// Redis command flags.
    pub flags: &'static [&'static str],
    /// Redis 7.0's ACL categories, a mask of [`Category::bit`]s.
    pub categories: u32,
    /// Redis 7.0's key specs.
    pub key_specs: &'static [KeySpec],
}

impl SubcommandSpec {
    /// The subcommand's own name, without the container (`get`).
    pub fn name(&self) -> &'static str {
        self.full_name
            .split_once('|')
            .map_or(self.full_name, |(_, s)| s)
    }
}

macro_rules! commands {
    ($( $id:ident => $name:literal, $arity:expr, $route:ident, ($fk:expr, $lk:expr, $step:expr),
        [$($flag:literal),*], [$($cat:ident)*], [$($ks:expr),*]; )*) => {
        /// Identifies a command of the table; see [`COMMANDS`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum CommandId { $( #[doc = $name] $id, )* }

        /// The number of commands in [`COMMANDS`].
        pub const COMMAND_COUNT: usize = [$($name),*].len();

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
                categories: 0 $(| Category::$cat.bit())*,
                key_specs: &[$($ks),*],
            }, )*
        ];
    };
}

macro_rules! subcommands {
    ($( $parent:ident => $name:literal, $arity:expr, [$($flag:literal),*], [$($cat:ident)*],
        [$($ks:expr),*]; )*) => {
        /// The number of subcommands in [`SUBCOMMANDS`].
        pub const SUBCOMMAND_COUNT: usize = [$($name),*].len();

        /// Every subcommand of the containers, grouped by container.
        pub static SUBCOMMANDS: &[SubcommandSpec] = &[
            $( SubcommandSpec {
                parent: CommandId::$parent,
                full_name: $name,
                arity: $arity,
                flags: &[$($flag),*],
                categories: 0 $(| Category::$cat.bit())*,
                key_specs: &[$($ks),*],
            }, )*
        ];
    };
}

use key_flags::{ACCESS, DELETE, INSERT, OW, RM, RO, RW, UPDATE, VARIABLE_FLAGS};

commands! {
    // Connection and server commands answered by the gateway.
    Ping => "ping", -1, Gateway, (0, 0, 0), ["fast", "stale"], [Fast Connection], [];
    Echo => "echo", 2, Gateway, (0, 0, 0), ["fast", "stale"], [Fast Connection], [];
    Select => "select", 2, Gateway, (0, 0, 0), ["loading", "stale", "fast"], [Fast Connection], [];
    Quit => "quit", -1, Gateway, (0, 0, 0), ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"], [Fast Connection], [];
    Info => "info", -1, Gateway, (0, 0, 0), ["loading", "stale"], [Slow Dangerous], [];
    Hello => "hello", -1, Gateway, (0, 0, 0), ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"], [Fast Connection], [];
    Auth => "auth", -2, Gateway, (0, 0, 0), ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"], [Fast Connection], [];
    Client => "client", -2, Gateway, (0, 0, 0), ["noscript", "loading", "stale"], [Slow], [];
    Command => "command", -1, Gateway, (0, 0, 0), ["loading", "stale"], [Slow Connection], [];
    Reset => "reset", 1, Gateway, (0, 0, 0), ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"], [Fast Connection], [];
    Time => "time", 1, Gateway, (0, 0, 0), ["loading", "stale", "fast"], [Fast], [];
    Multi => "multi", 1, Gateway, (0, 0, 0), ["noscript", "loading", "stale", "fast", "allow_busy"], [Fast Transaction], [];
    Exec => "exec", 1, Gateway, (0, 0, 0), ["noscript", "loading", "stale", "skip_slowlog"], [Slow Transaction], [];
    Discard => "discard", 1, Gateway, (0, 0, 0), ["noscript", "loading", "stale", "fast", "allow_busy"], [Fast Transaction], [];
    Watch => "watch", -2, Gateway, (1, -1, 1), ["noscript", "loading", "stale", "fast", "allow_busy"], [Fast Transaction], [range(1, -1, 1, RO)];
    Unwatch => "unwatch", 1, Gateway, (0, 0, 0), ["noscript", "loading", "stale", "fast", "allow_busy"], [Fast Transaction], [];
    Lastsave => "lastsave", 1, Gateway, (0, 0, 0), ["loading", "stale", "fast"], [Admin Fast Dangerous], [];
    Monitor => "monitor", 1, Gateway, (0, 0, 0), ["admin", "noscript", "loading", "stale"], [Admin Slow Dangerous], [];
    // Containers: Redis lists no flags or keys for the container itself.
    Cluster => "cluster", -2, Gateway, (0, 0, 0), [], [Slow], [];
    Module => "module", -2, Gateway, (0, 0, 0), [], [Slow], [];
    Slowlog => "slowlog", -2, Gateway, (0, 0, 0), [], [Slow], [];
    Latency => "latency", -2, Gateway, (0, 0, 0), [], [Slow], [];
    // The gateway answers every subcommand but USAGE, which it forwards to the leader as a read.
    Memory => "memory", -2, Gateway, (0, 0, 0), [], [Slow], [];
    // A container: GET/SET/RESETSTAT/REWRITE/HELP (see gateway/src/cmd/config.rs).
    Config => "config", -2, Gateway, (0, 0, 0), [], [Slow], [];
    // A container: SETUSER/DELUSER/GETUSER/LIST/USERS/WHOAMI/CAT/GENPASS/LOG/DRYRUN/LOAD/SAVE/HELP
    // (see gateway/src/cmd/acl.rs).
    Acl => "acl", -2, Gateway, (0, 0, 0), [], [Slow], [];

    // Keyspace reads.
    Get => "get", 2, Read, (1, 1, 1), ["readonly", "fast"], [Read String Fast], [range(1, 0, 1, RO | ACCESS)];
    Mget => "mget", -2, Read, (1, -1, 1), ["readonly", "fast"], [Read String Fast], [range(1, -1, 1, RO | ACCESS)];
    Exists => "exists", -2, Read, (1, -1, 1), ["readonly", "fast"], [Keyspace Read Fast], [range(1, -1, 1, RO)];
    Ttl => "ttl", 2, Read, (1, 1, 1), ["readonly", "fast"], [Keyspace Read Fast], [range(1, 0, 1, RO | ACCESS)];
    Pttl => "pttl", 2, Read, (1, 1, 1), ["readonly", "fast"], [Keyspace Read Fast], [range(1, 0, 1, RO | ACCESS)];
    Type => "type", 2, Read, (1, 1, 1), ["readonly", "fast"], [Keyspace Read Fast], [range(1, 0, 1, RO)];
    Dbsize => "dbsize", 1, Read, (0, 0, 0), ["readonly", "fast"], [Keyspace Read Fast], [];

    // Keyspace writes.
    Set => "set", -3, Write, (1, 1, 1), ["write", "denyoom"], [Write String Slow], [range(1, 0, 1, RW | ACCESS | UPDATE | VARIABLE_FLAGS).with_notes("RW and ACCESS due to the optional `GET` argument")];
    Mset => "mset", -3, Write, (1, -1, 2), ["write", "denyoom"], [Write String Slow], [range(1, -1, 2, OW | UPDATE)];
    Del => "del", -2, Write, (1, -1, 1), ["write"], [Keyspace Write Slow], [range(1, -1, 1, RM | DELETE)];
    Incr => "incr", 2, Write, (1, 1, 1), ["write", "denyoom", "fast"], [Write String Fast], [range(1, 0, 1, RW | ACCESS | UPDATE)];
    Incrby => "incrby", 3, Write, (1, 1, 1), ["write", "denyoom", "fast"], [Write String Fast], [range(1, 0, 1, RW | ACCESS | UPDATE)];
    Decr => "decr", 2, Write, (1, 1, 1), ["write", "denyoom", "fast"], [Write String Fast], [range(1, 0, 1, RW | ACCESS | UPDATE)];
    Decrby => "decrby", 3, Write, (1, 1, 1), ["write", "denyoom", "fast"], [Write String Fast], [range(1, 0, 1, RW | ACCESS | UPDATE)];
    Expire => "expire", -3, Write, (1, 1, 1), ["write", "fast"], [Keyspace Write Fast], [range(1, 0, 1, RW | UPDATE)];
    Pexpire => "pexpire", -3, Write, (1, 1, 1), ["write", "fast"], [Keyspace Write Fast], [range(1, 0, 1, RW | UPDATE)];
    Persist => "persist", 2, Write, (1, 1, 1), ["write", "fast"], [Keyspace Write Fast], [range(1, 0, 1, RW | UPDATE)];
    Flushdb => "flushdb", -1, Write, (0, 0, 0), ["write"], [Keyspace Write Slow Dangerous], [];
    Flushall => "flushall", -1, Write, (0, 0, 0), ["write"], [Keyspace Write Slow Dangerous], [];

    // Keys (more).
    Unlink => "unlink", -2, Write, (1, -1, 1), ["write", "fast"], [Keyspace Write Fast], [range(1, -1, 1, RM | DELETE)];
    Rename => "rename", 3, Write, (1, 2, 1), ["write"], [Keyspace Write Slow], [range(1, 0, 1, RW | ACCESS | DELETE), range(2, 0, 1, OW | UPDATE)];
    Renamenx => "renamenx", 3, Write, (1, 2, 1), ["write", "fast"], [Keyspace Write Fast], [range(1, 0, 1, RW | ACCESS | DELETE), range(2, 0, 1, OW | INSERT)];
    Copy => "copy", -3, Write, (1, 2, 1), ["write", "denyoom"], [Keyspace Write Slow], [range(1, 0, 1, RO | ACCESS), range(2, 0, 1, OW | UPDATE)];
    Move => "move", 3, Write, (1, 1, 1), ["write", "fast"], [Keyspace Write Fast], [range(1, 0, 1, RW | ACCESS | UPDATE)];
    Swapdb => "swapdb", 3, Write, (0, 0, 0), ["write", "fast"], [Keyspace Write Fast Dangerous], [];
    Expireat => "expireat", -3, Write, (1, 1, 1), ["write", "fast"], [Keyspace Write Fast], [range(1, 0, 1, RW | UPDATE)];
    Pexpireat => "pexpireat", -3, Write, (1, 1, 1), ["write", "fast"], [Keyspace Write Fast], [range(1, 0, 1, RW | UPDATE)];
    Keys => "keys", 2, Read, (0, 0, 0), ["readonly"], [Keyspace Read Slow Dangerous], [];
    Scan => "scan", -2, Read, (0, 0, 0), ["readonly"], [Keyspace Read Slow], [];
    Randomkey => "randomkey", 1, Read, (0, 0, 0), ["readonly"], [Keyspace Read Slow], [];
    Touch => "touch", -2, Read, (1, -1, 1), ["readonly", "fast"], [Keyspace Read Fast], [range(1, -1, 1, RO)];
    Expiretime => "expiretime", 2, Read, (1, 1, 1), ["readonly", "fast"], [Keyspace Read Fast], [range(1, 0, 1, RO | ACCESS)];
    Pexpiretime => "pexpiretime", 2, Read, (1, 1, 1), ["readonly", "fast"], [Keyspace Read Fast], [range(1, 0, 1, RO | ACCESS)];
    // A container: the key positions and flags are those of its key subcommands (ENCODING, FREQ,
    // IDLETIME, REFCOUNT: arity 3, key at 2, readonly); HELP has arity 2.
    Object => "object", -2, Read, (2, 2, 1), ["readonly"], [Slow], [];

    // Strings (more).
    Getex => "getex", -2, Write, (1, 1, 1), ["write", "fast"], [Write String Fast], [range(1, 0, 1, RW | ACCESS | UPDATE).with_notes("RW and UPDATE because it changes the TTL")];
    Getdel => "getdel", 2, Write, (1, 1, 1), ["write", "fast"], [Write String Fast], [range(1, 0, 1, RW | ACCESS | DELETE)];
    Getset => "getset", 3, Write, (1, 1, 1), ["write", "denyoom", "fast"], [Write String Fast], [range(1, 0, 1, RW | ACCESS | UPDATE)];
    Setnx => "setnx", 3, Write, (1, 1, 1), ["write", "denyoom", "fast"], [Write String Fast], [range(1, 0, 1, OW | INSERT)];
    Setex => "setex", 4, Write, (1, 1, 1), ["write", "denyoom"], [Write String Slow], [range(1, 0, 1, OW | UPDATE)];
    Psetex => "psetex", 4, Write, (1, 1, 1), ["write", "denyoom"], [Write String Slow], [range(1, 0, 1, OW | UPDATE)];
    Msetnx => "msetnx", -3, Write, (1, -1, 2), ["write", "denyoom"], [Write String Slow], [range(1, -1, 2, OW | INSERT)];
    Append => "append", 3, Write, (1, 1, 1), ["write", "denyoom", "fast"], [Write String Fast], [range(1, 0, 1, RW | INSERT)];
    Setrange => "setrange", 4, Write, (1, 1, 1), ["write", "denyoom"], [Write String Slow], [range(1, 0, 1, RW | UPDATE)];
    Incrbyfloat => "incrbyfloat", 3, Write, (1, 1, 1), ["write", "denyoom", "fast"], [Write String Fast], [range(1, 0, 1, RW | ACCESS | UPDATE)];
    Strlen => "strlen", 2, Read, (1, 1, 1), ["readonly", "fast"], [Read String Fast], [range(1, 0, 1, RO)];
    Getrange => "getrange", 4, Read, (1, 1, 1), ["readonly"], [Read String Slow], [range(1, 0, 1, RO | ACCESS)];
    Substr => "substr", 4, Read, (1, 1, 1), ["readonly"], [Read String Slow], [range(1, 0, 1, RO | ACCESS)];
    Lcs => "lcs", -3, Read, (1, 2, 1), ["readonly"], [Read String Slow], [range(1, 1, 1, RO | ACCESS)];

    // Lists.
    Llen => "llen", 2, Read, (1, 1, 1), ["readonly", "fast"], [Read List Fast], [range(1, 0, 1, RO)];
    Lrange => "lrange", 4, Read, (1, 1, 1), ["readonly"], [Read List Slow], [range(1, 0, 1, RO | ACCESS)];
    Lindex => "lindex", 3, Read, (1, 1, 1), ["readonly"], [Read List Slow], [range(1, 0, 1, RO | ACCESS)];
    Lpos => "lpos", -3, Read, (1, 1, 1), ["readonly"], [Read List Slow], [range(1, 0, 1, RO | ACCESS)];
    Lpush => "lpush", -3, Write, (1, 1, 1), ["write", "denyoom", "fast"], [Write List Fast], [range(1, 0, 1, RW | INSERT)];
    Rpush => "rpush", -3, Write, (1, 1, 1), ["write", "denyoom", "fast"], [Write List Fast], [range(1, 0, 1, RW | INSERT)];
    Lpushx => "lpushx", -3, Write, (1, 1, 1), ["write", "denyoom", "fast"], [Write List Fast], [range(1, 0, 1, RW | INSERT)];
    Rpushx => "rpushx", -3, Write, (1, 1, 1), ["write", "denyoom", "fast"], [Write List Fast], [range(1, 0, 1, RW | INSERT)];
    Lpop => "lpop", -2, Write, (1, 1, 1), ["write", "fast"], [Write List Fast], [range(1, 0, 1, RW | ACCESS | DELETE)];
    Rpop => "rpop", -2, Write, (1, 1, 1), ["write", "fast"], [Write List Fast], [range(1, 0, 1, RW | ACCESS | DELETE)];
    Lset => "lset", 4, Write, (1, 1, 1), ["write", "denyoom"], [Write List Slow], [range(1, 0, 1, RW | UPDATE)];
    Ltrim => "ltrim", 4, Write, (1, 1, 1), ["write"], [Write List Slow], [range(1, 0, 1, RW | DELETE)];
    Linsert => "linsert", 5, Write, (1, 1, 1), ["write", "denyoom"], [Write List Slow], [range(1, 0, 1, RW | INSERT)];
    Lrem => "lrem", 4, Write, (1, 1, 1), ["write"], [Write List Slow], [range(1, 0, 1, RW | DELETE)];
    Lmove => "lmove", 5, Write, (1, 2, 1), ["write", "denyoom"], [Write List Slow], [range(1, 0, 1, RW | ACCESS | DELETE), range(2, 0, 1, RW | INSERT)];
    Rpoplpush => "rpoplpush", 3, Write, (1, 2, 1), ["write", "denyoom"], [Write List Slow], [range(1, 0, 1, RW | ACCESS | DELETE), range(2, 0, 1, RW | INSERT)];
    // Keys follow numkeys (`movablekeys`), so, as in Redis's COMMAND INFO, no fixed key range.
    Lmpop => "lmpop", -4, Write, (0, 0, 0), ["write", "movablekeys"], [Write List Slow], [keynum(1, 0, 1, 1, RW | ACCESS | DELETE)];

    // Hashes.
    Hset => "hset", -4, Write, (1, 1, 1), ["write", "denyoom", "fast"], [Write Hash Fast], [range(1, 0, 1, RW | UPDATE)];
    Hsetnx => "hsetnx", 4, Write, (1, 1, 1), ["write", "denyoom", "fast"], [Write Hash Fast], [range(1, 0, 1, RW | INSERT)];
    Hmset => "hmset", -4, Write, (1, 1, 1), ["write", "denyoom", "fast"], [Write Hash Fast], [range(1, 0, 1, RW | UPDATE)];
    Hdel => "hdel", -3, Write, (1, 1, 1), ["write", "fast"], [Write Hash Fast], [range(1, 0, 1, RW | DELETE)];
    Hincrby => "hincrby", 4, Write, (1, 1, 1), ["write", "denyoom", "fast"], [Write Hash Fast], [range(1, 0, 1, RW | ACCESS | UPDATE)];
    Hincrbyfloat => "hincrbyfloat", 4, Write, (1, 1, 1), ["write", "denyoom", "fast"], [Write Hash Fast], [range(1, 0, 1, RW | ACCESS | UPDATE)];
    Hget => "hget", 3, Read, (1, 1, 1), ["readonly", "fast"], [Read Hash Fast], [range(1, 0, 1, RO | ACCESS)];
    Hmget => "hmget", -3, Read, (1, 1, 1), ["readonly", "fast"], [Read Hash Fast], [range(1, 0, 1, RO | ACCESS)];
    Hlen => "hlen", 2, Read, (1, 1, 1), ["readonly", "fast"], [Read Hash Fast], [range(1, 0, 1, RO)];
    Hstrlen => "hstrlen", 3, Read, (1, 1, 1), ["readonly", "fast"], [Read Hash Fast], [range(1, 0, 1, RO)];
    Hexists => "hexists", 3, Read, (1, 1, 1), ["readonly", "fast"], [Read Hash Fast], [range(1, 0, 1, RO)];
    Hkeys => "hkeys", 2, Read, (1, 1, 1), ["readonly"], [Read Hash Slow], [range(1, 0, 1, RO | ACCESS)];
    Hvals => "hvals", 2, Read, (1, 1, 1), ["readonly"], [Read Hash Slow], [range(1, 0, 1, RO | ACCESS)];
    Hgetall => "hgetall", 2, Read, (1, 1, 1), ["readonly"], [Read Hash Slow], [range(1, 0, 1, RO | ACCESS)];
    Hrandfield => "hrandfield", -2, Read, (1, 1, 1), ["readonly"], [Read Hash Slow], [range(1, 0, 1, RO | ACCESS)];
    Hscan => "hscan", -3, Read, (1, 1, 1), ["readonly"], [Read Hash Slow], [range(1, 0, 1, RO | ACCESS)];

    // Sets.
    Sadd => "sadd", -3, Write, (1, 1, 1), ["write", "denyoom", "fast"], [Write Set Fast], [range(1, 0, 1, RW | INSERT)];
    Srem => "srem", -3, Write, (1, 1, 1), ["write", "fast"], [Write Set Fast], [range(1, 0, 1, RW | DELETE)];
    Spop => "spop", -2, Write, (1, 1, 1), ["write", "fast"], [Write Set Fast], [range(1, 0, 1, RW | ACCESS | DELETE)];
    Smove => "smove", 4, Write, (1, 2, 1), ["write", "fast"], [Write Set Fast], [range(1, 0, 1, RW | ACCESS | DELETE), range(2, 0, 1, RW | INSERT)];
    Sinterstore => "sinterstore", -3, Write, (1, -1, 1), ["write", "denyoom"], [Write Set Slow], [range(1, 0, 1, RW | UPDATE), range(2, -1, 1, RO | ACCESS)];
    Sunionstore => "sunionstore", -3, Write, (1, -1, 1), ["write", "denyoom"], [Write Set Slow], [range(1, 0, 1, OW | UPDATE), range(2, -1, 1, RO | ACCESS)];
    Sdiffstore => "sdiffstore", -3, Write, (1, -1, 1), ["write", "denyoom"], [Write Set Slow], [range(1, 0, 1, OW | UPDATE), range(2, -1, 1, RO | ACCESS)];
    Smembers => "smembers", 2, Read, (1, 1, 1), ["readonly"], [Read Set Slow], [range(1, 0, 1, RO | ACCESS)];
    Sismember => "sismember", 3, Read, (1, 1, 1), ["readonly", "fast"], [Read Set Fast], [range(1, 0, 1, RO)];
    Smismember => "smismember", -3, Read, (1, 1, 1), ["readonly", "fast"], [Read Set Fast], [range(1, 0, 1, RO | ACCESS)];
    Scard => "scard", 2, Read, (1, 1, 1), ["readonly", "fast"], [Read Set Fast], [range(1, 0, 1, RO)];
    Srandmember => "srandmember", -2, Read, (1, 1, 1), ["readonly"], [Read Set Slow], [range(1, 0, 1, RO | ACCESS)];
    Sinter => "sinter", -2, Read, (1, -1, 1), ["readonly"], [Read Set Slow], [range(1, -1, 1, RO | ACCESS)];
    // Keys follow numkeys (`movablekeys`), so, as in Redis's COMMAND INFO, no fixed key range.
    Sintercard => "sintercard", -3, Read, (0, 0, 0), ["readonly", "movablekeys"], [Read Set Slow], [keynum(1, 0, 1, 1, RO | ACCESS)];
    Sunion => "sunion", -2, Read, (1, -1, 1), ["readonly"], [Read Set Slow], [range(1, -1, 1, RO | ACCESS)];
    Sdiff => "sdiff", -2, Read, (1, -1, 1), ["readonly"], [Read Set Slow], [range(1, -1, 1, RO | ACCESS)];
    Sscan => "sscan", -3, Read, (1, 1, 1), ["readonly"], [Read Set Slow], [range(1, 0, 1, RO | ACCESS)];

    // Sorted sets.
    Zadd => "zadd", -4, Write, (1, 1, 1), ["write", "denyoom", "fast"], [Write SortedSet Fast], [range(1, 0, 1, RW | UPDATE)];
    Zincrby => "zincrby", 4, Write, (1, 1, 1), ["write", "denyoom", "fast"], [Write SortedSet Fast], [range(1, 0, 1, RW | ACCESS | UPDATE)];
    Zrem => "zrem", -3, Write, (1, 1, 1), ["write", "fast"], [Write SortedSet Fast], [range(1, 0, 1, RW | DELETE)];
    Zremrangebyrank => "zremrangebyrank", 4, Write, (1, 1, 1), ["write"], [Write SortedSet Slow], [range(1, 0, 1, RW | DELETE)];
    Zremrangebyscore => "zremrangebyscore", 4, Write, (1, 1, 1), ["write"], [Write SortedSet Slow], [range(1, 0, 1, RW | DELETE)];
    Zremrangebylex => "zremrangebylex", 4, Write, (1, 1, 1), ["write"], [Write SortedSet Slow], [range(1, 0, 1, RW | DELETE)];
    Zpopmin => "zpopmin", -2, Write, (1, 1, 1), ["write", "fast"], [Write SortedSet Fast], [range(1, 0, 1, RW | ACCESS | DELETE)];
    Zpopmax => "zpopmax", -2, Write, (1, 1, 1), ["write", "fast"], [Write SortedSet Fast], [range(1, 0, 1, RW | ACCESS | DELETE)];
    Zrangestore => "zrangestore", -5, Write, (1, 2, 1), ["write", "denyoom"], [Write SortedSet Slow], [range(1, 0, 1, OW | UPDATE), range(2, 0, 1, RO | ACCESS)];
    // The STORE forms report the destination as their key range, with `movablekeys` for the
    // sources that follow numkeys, as Redis's COMMAND INFO does.
    Zunionstore => "zunionstore", -4, Write, (1, 1, 1), ["write", "denyoom", "movablekeys"], [Write SortedSet Slow], [range(1, 0, 1, OW | UPDATE), keynum(2, 0, 1, 1, RO | ACCESS)];
    Zinterstore => "zinterstore", -4, Write, (1, 1, 1), ["write", "denyoom", "movablekeys"], [Write SortedSet Slow], [range(1, 0, 1, OW | UPDATE), keynum(2, 0, 1, 1, RO | ACCESS)];
    Zdiffstore => "zdiffstore", -4, Write, (1, 1, 1), ["write", "denyoom", "movablekeys"], [Write SortedSet Slow], [range(1, 0, 1, OW | UPDATE), keynum(2, 0, 1, 1, RO | ACCESS)];
    // Keys follow numkeys (`movablekeys`), so, as in Redis's COMMAND INFO, no fixed key range.
    Zmpop => "zmpop", -4, Write, (0, 0, 0), ["write", "movablekeys"], [Write SortedSet Slow], [keynum(1, 0, 1, 1, RW | ACCESS | DELETE)];
    Zcard => "zcard", 2, Read, (1, 1, 1), ["readonly", "fast"], [Read SortedSet Fast], [range(1, 0, 1, RO)];
    Zscore => "zscore", 3, Read, (1, 1, 1), ["readonly", "fast"], [Read SortedSet Fast], [range(1, 0, 1, RO | ACCESS)];
    Zmscore => "zmscore", -3, Read, (1, 1, 1), ["readonly", "fast"], [Read SortedSet Fast], [range(1, 0, 1, RO | ACCESS)];
    Zrank => "zrank", 3, Read, (1, 1, 1), ["readonly", "fast"], [Read SortedSet Fast], [range(1, 0, 1, RO | ACCESS)];
    Zrevrank => "zrevrank", 3, Read, (1, 1, 1), ["readonly", "fast"], [Read SortedSet Fast], [range(1, 0, 1, RO | ACCESS)];
    Zcount => "zcount", 4, Read, (1, 1, 1), ["readonly", "fast"], [Read SortedSet Fast], [range(1, 0, 1, RO | ACCESS)];
    Zlexcount => "zlexcount", 4, Read, (1, 1, 1), ["readonly", "fast"], [Read SortedSet Fast], [range(1, 0, 1, RO | ACCESS)];
    Zrange => "zrange", -4, Read, (1, 1, 1), ["readonly"], [Read SortedSet Slow], [range(1, 0, 1, RO | ACCESS)];
    Zrevrange => "zrevrange", -4, Read, (1, 1, 1), ["readonly"], [Read SortedSet Slow], [range(1, 0, 1, RO | ACCESS)];
    Zrangebyscore => "zrangebyscore", -4, Read, (1, 1, 1), ["readonly"], [Read SortedSet Slow], [range(1, 0, 1, RO | ACCESS)];
    Zrevrangebyscore => "zrevrangebyscore", -4, Read, (1, 1, 1), ["readonly"], [Read SortedSet Slow], [range(1, 0, 1, RO | ACCESS)];
    Zrangebylex => "zrangebylex", -4, Read, (1, 1, 1), ["readonly"], [Read SortedSet Slow], [range(1, 0, 1, RO | ACCESS)];
    Zrevrangebylex => "zrevrangebylex", -4, Read, (1, 1, 1), ["readonly"], [Read SortedSet Slow], [range(1, 0, 1, RO | ACCESS)];
    Zrandmember => "zrandmember", -2, Read, (1, 1, 1), ["readonly"], [Read SortedSet Slow], [range(1, 0, 1, RO | ACCESS)];
    Zscan => "zscan", -3, Read, (1, 1, 1), ["readonly"], [Read SortedSet Slow], [range(1, 0, 1, RO | ACCESS)];
    // Keys follow numkeys (`movablekeys`), so, as in Redis's COMMAND INFO, no fixed key range.
    Zunion => "zunion", -3, Read, (0, 0, 0), ["readonly", "movablekeys"], [Read SortedSet Slow], [keynum(1, 0, 1, 1, RO | ACCESS)];
    Zinter => "zinter", -3, Read, (0, 0, 0), ["readonly", "movablekeys"], [Read SortedSet Slow], [keynum(1, 0, 1, 1, RO | ACCESS)];
    Zdiff => "zdiff", -3, Read, (0, 0, 0), ["readonly", "movablekeys"], [Read SortedSet Slow], [keynum(1, 0, 1, 1, RO | ACCESS)];
    Zintercard => "zintercard", -3, Read, (0, 0, 0), ["readonly", "movablekeys"], [Read SortedSet Slow], [keynum(1, 0, 1, 1, RO | ACCESS)];

    // SORT, DUMP and RESTORE. SORT's key range is the sorted key; BY, GET and STORE keys make it
    // `movablekeys`, as in Redis's COMMAND INFO.
    Sort => "sort", -2, ReadUnlessStore, (1, 1, 1), ["write", "denyoom", "movablekeys"], [Write Set SortedSet List Slow Dangerous], [range(1, 0, 1, RO | ACCESS), unknown(RO | ACCESS).with_notes("For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort"), unknown(OW | UPDATE).with_notes("For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array")];
    SortRo => "sort_ro", -2, Read, (1, 1, 1), ["readonly", "movablekeys"], [Read Set SortedSet List Slow Dangerous], [range(1, 0, 1, RO | ACCESS), unknown(RO | ACCESS).with_notes("For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort")];
    Dump => "dump", 2, Read, (1, 1, 1), ["readonly"], [Keyspace Read Slow], [range(1, 0, 1, RO | ACCESS)];
    Restore => "restore", -4, Write, (1, 1, 1), ["write", "denyoom"], [Keyspace Write Slow Dangerous], [range(1, 0, 1, OW | UPDATE)];

    // Bitmaps.
    Setbit => "setbit", 4, Write, (1, 1, 1), ["write", "denyoom"], [Write Bitmap Slow], [range(1, 0, 1, RW | ACCESS | UPDATE)];
    Getbit => "getbit", 3, Read, (1, 1, 1), ["readonly", "fast"], [Read Bitmap Fast], [range(1, 0, 1, RO | ACCESS)];
    Bitcount => "bitcount", -2, Read, (1, 1, 1), ["readonly"], [Read Bitmap Slow], [range(1, 0, 1, RO | ACCESS)];
    Bitpos => "bitpos", -3, Read, (1, 1, 1), ["readonly"], [Read Bitmap Slow], [range(1, 0, 1, RO | ACCESS)];
    Bitop => "bitop", -4, Write, (2, -1, 1), ["write", "denyoom"], [Write Bitmap Slow], [range(2, 0, 1, OW | UPDATE), range(3, -1, 1, RO | ACCESS)];
    Bitfield => "bitfield", -2, Write, (1, 1, 1), ["write", "denyoom"], [Write Bitmap Slow], [range(1, 0, 1, RW | ACCESS | UPDATE | VARIABLE_FLAGS).with_notes("This command allows both access and modification of the key")];
    BitfieldRo => "bitfield_ro", -2, Read, (1, 1, 1), ["readonly", "fast"], [Read Bitmap Fast], [range(1, 0, 1, RO | ACCESS)];

    // HyperLogLog.
    Pfadd => "pfadd", -2, Write, (1, 1, 1), ["write", "denyoom", "fast"], [Write Hyperloglog Fast], [range(1, 0, 1, RW | INSERT)];
    // Read-only in Redis's flags, but PFCOUNT of one key stores the cardinality it computes in
    // the value's cache bytes (Redis propagates that change), so it goes through the log.
    Pfcount => "pfcount", -2, Write, (1, -1, 1), ["readonly"], [Read Hyperloglog Slow], [range(1, -1, 1, RW | ACCESS).with_notes("RW because it may change the internal representation of the key, and propagate to replicas")];
    Pfmerge => "pfmerge", -2, Write, (1, -1, 1), ["write", "denyoom"], [Write Hyperloglog Slow], [range(1, 0, 1, RW | ACCESS | INSERT), range(2, -1, 1, RO | ACCESS)];
    Pfdebug => "pfdebug", 3, Write, (2, 2, 1), ["write", "denyoom", "admin"], [Write Hyperloglog Admin Slow Dangerous], [range(2, 0, 1, RW | ACCESS)];

    // Blocking commands (`blocking` flag): writes that, when nothing can be popped, wait in the
    // state machine for a write that makes one of their keys ready (see the gateway's
    // `connection/blocked.rs` and the node's `blocking` module). Inside MULTI they never block.
    Blpop => "blpop", -3, Write, (1, -2, 1), ["write", "noscript", "blocking"], [Write List Slow Blocking], [range(1, -2, 1, RW | ACCESS | DELETE)];
    Brpop => "brpop", -3, Write, (1, -2, 1), ["write", "noscript", "blocking"], [Write List Slow Blocking], [range(1, -2, 1, RW | ACCESS | DELETE)];
    Brpoplpush => "brpoplpush", 4, Write, (1, 2, 1), ["write", "denyoom", "noscript", "blocking"], [Write List Slow Blocking], [range(1, 0, 1, RW | ACCESS | DELETE), range(2, 0, 1, RW | INSERT)];
    Blmove => "blmove", 6, Write, (1, 2, 1), ["write", "denyoom", "noscript", "blocking"], [Write List Slow Blocking], [range(1, 0, 1, RW | ACCESS | DELETE), range(2, 0, 1, RW | INSERT)];
    // Keys follow numkeys (`movablekeys`), so, as in Redis's COMMAND INFO, no fixed key range.
    Blmpop => "blmpop", -5, Write, (0, 0, 0), ["write", "blocking", "movablekeys"], [Write List Slow Blocking], [keynum(2, 0, 1, 1, RW | ACCESS | DELETE)];
    Bzpopmin => "bzpopmin", -3, Write, (1, -2, 1), ["write", "noscript", "blocking", "fast"], [Write SortedSet Fast Blocking], [range(1, -2, 1, RW | ACCESS | DELETE)];
    Bzpopmax => "bzpopmax", -3, Write, (1, -2, 1), ["write", "noscript", "blocking", "fast"], [Write SortedSet Fast Blocking], [range(1, -2, 1, RW | ACCESS | DELETE)];
    Bzmpop => "bzmpop", -5, Write, (0, 0, 0), ["write", "blocking", "movablekeys"], [Write SortedSet Slow Blocking], [keynum(2, 0, 1, 1, RW | ACCESS | DELETE)];
}

subcommands! {
    Client => "client|caching", 3, ["noscript", "loading", "stale"], [Slow Connection], [];
    Client => "client|getname", 2, ["noscript", "loading", "stale"], [Slow Connection], [];
    Client => "client|getredir", 2, ["noscript", "loading", "stale"], [Slow Connection], [];
    Client => "client|help", 2, ["loading", "stale"], [Slow Connection], [];
    Client => "client|id", 2, ["noscript", "loading", "stale"], [Slow Connection], [];
    Client => "client|info", 2, ["noscript", "loading", "stale"], [Slow Connection], [];
    Client => "client|kill", -3, ["admin", "noscript", "loading", "stale"], [Admin Slow Dangerous Connection], [];
    Client => "client|list", -2, ["admin", "noscript", "loading", "stale"], [Admin Slow Dangerous Connection], [];
    // CLIENT NO-TOUCH and SETINFO are Redis 7.2's: answered because clients send them (redis-py
    // sends SETINFO on connect).
    Client => "client|no-touch", 3, ["noscript", "loading", "stale"], [Slow Connection], [];
    Client => "client|no-evict", 3, ["admin", "noscript", "loading", "stale"], [Admin Slow Dangerous Connection], [];
    Client => "client|pause", -3, ["admin", "noscript", "loading", "stale"], [Admin Slow Dangerous Connection], [];
    Client => "client|setinfo", 4, ["noscript", "loading", "stale"], [Slow Connection], [];
    Client => "client|reply", 3, ["noscript", "loading", "stale"], [Slow Connection], [];
    Client => "client|setname", 3, ["noscript", "loading", "stale"], [Slow Connection], [];
    Client => "client|tracking", -3, ["noscript", "loading", "stale"], [Slow Connection], [];
    Client => "client|trackinginfo", 2, ["noscript", "loading", "stale"], [Slow Connection], [];
    Client => "client|unblock", -3, ["admin", "noscript", "loading", "stale"], [Admin Slow Dangerous Connection], [];
    Client => "client|unpause", 2, ["admin", "noscript", "loading", "stale"], [Admin Slow Dangerous Connection], [];
    Command => "command|count", 2, ["loading", "stale"], [Slow Connection], [];
    Command => "command|docs", -2, ["loading", "stale"], [Slow Connection], [];
    Command => "command|getkeys", -4, ["loading", "stale"], [Slow Connection], [];
    Command => "command|getkeysandflags", -4, ["loading", "stale"], [Slow Connection], [];
    Command => "command|help", 2, ["loading", "stale"], [Slow Connection], [];
    Command => "command|info", -2, ["loading", "stale"], [Slow Connection], [];
    Command => "command|list", -2, ["loading", "stale"], [Slow Connection], [];
    Cluster => "cluster|addslots", -3, ["admin", "stale", "no_async_loading"], [Admin Slow Dangerous], [];
    Cluster => "cluster|addslotsrange", -4, ["admin", "stale", "no_async_loading"], [Admin Slow Dangerous], [];
    Cluster => "cluster|bumpepoch", 2, ["admin", "stale", "no_async_loading"], [Admin Slow Dangerous], [];
    Cluster => "cluster|count-failure-reports", 3, ["admin", "stale"], [Admin Slow Dangerous], [];
    Cluster => "cluster|countkeysinslot", 3, ["stale"], [Slow], [];
    Cluster => "cluster|delslots", -3, ["admin", "stale", "no_async_loading"], [Admin Slow Dangerous], [];
    Cluster => "cluster|delslotsrange", -4, ["admin", "stale", "no_async_loading"], [Admin Slow Dangerous], [];
    Cluster => "cluster|failover", -2, ["admin", "stale", "no_async_loading"], [Admin Slow Dangerous], [];
    Cluster => "cluster|flushslots", 2, ["admin", "stale", "no_async_loading"], [Admin Slow Dangerous], [];
    Cluster => "cluster|forget", 3, ["admin", "stale", "no_async_loading"], [Admin Slow Dangerous], [];
    Cluster => "cluster|getkeysinslot", 4, ["stale"], [Slow], [];
    Cluster => "cluster|help", 2, ["loading", "stale"], [Slow], [];
    Cluster => "cluster|info", 2, ["stale"], [Slow], [];
    Cluster => "cluster|keyslot", 3, ["stale"], [Slow], [];
    Cluster => "cluster|links", 2, ["stale"], [Slow], [];
    Cluster => "cluster|meet", -4, ["admin", "stale", "no_async_loading"], [Admin Slow Dangerous], [];
    Cluster => "cluster|myid", 2, ["stale"], [Slow], [];
    Cluster => "cluster|nodes", 2, ["stale"], [Slow], [];
    Cluster => "cluster|replicas", 3, ["admin", "stale"], [Admin Slow Dangerous], [];
    Cluster => "cluster|replicate", 3, ["admin", "stale", "no_async_loading"], [Admin Slow Dangerous], [];
    Cluster => "cluster|reset", -2, ["admin", "noscript", "stale"], [Admin Slow Dangerous], [];
    Cluster => "cluster|saveconfig", 2, ["admin", "stale", "no_async_loading"], [Admin Slow Dangerous], [];
    Cluster => "cluster|set-config-epoch", 3, ["admin", "stale", "no_async_loading"], [Admin Slow Dangerous], [];
    Cluster => "cluster|setslot", -4, ["admin", "stale", "no_async_loading"], [Admin Slow Dangerous], [];
    Cluster => "cluster|shards", 2, ["stale"], [Slow], [];
    Cluster => "cluster|slaves", 3, ["admin", "stale"], [Admin Slow Dangerous], [];
    Cluster => "cluster|slots", 2, ["stale"], [Slow], [];
    Module => "module|help", 2, ["loading", "stale"], [Slow], [];
    Module => "module|list", 2, ["admin", "noscript"], [Admin Slow Dangerous], [];
    Module => "module|load", -3, ["admin", "noscript", "no_async_loading"], [Admin Slow Dangerous], [];
    Module => "module|loadex", -3, ["admin", "noscript", "no_async_loading"], [Admin Slow Dangerous], [];
    Module => "module|unload", 3, ["admin", "noscript", "no_async_loading"], [Admin Slow Dangerous], [];
    Slowlog => "slowlog|get", -2, ["admin", "loading", "stale"], [Admin Slow Dangerous], [];
    Slowlog => "slowlog|help", 2, ["loading", "stale"], [Slow], [];
    Slowlog => "slowlog|len", 2, ["admin", "loading", "stale"], [Admin Slow Dangerous], [];
    Slowlog => "slowlog|reset", 2, ["admin", "loading", "stale"], [Admin Slow Dangerous], [];
    Latency => "latency|doctor", 2, ["admin", "noscript", "loading", "stale"], [Admin Slow Dangerous], [];
    Latency => "latency|graph", 3, ["admin", "noscript", "loading", "stale"], [Admin Slow Dangerous], [];
    Latency => "latency|help", 2, ["loading", "stale"], [Slow], [];
    Latency => "latency|histogram", -2, ["admin", "noscript", "loading", "stale"], [Admin Slow Dangerous], [];
    Latency => "latency|history", 3, ["admin", "noscript", "loading", "stale"], [Admin Slow Dangerous], [];
    Latency => "latency|latest", 2, ["admin", "noscript", "loading", "stale"], [Admin Slow Dangerous], [];
    Latency => "latency|reset", -2, ["admin", "noscript", "loading", "stale"], [Admin Slow Dangerous], [];
    Memory => "memory|doctor", 2, [], [Slow], [];
    Memory => "memory|help", 2, ["loading", "stale"], [Slow], [];
    Memory => "memory|malloc-stats", 2, [], [Slow], [];
    Memory => "memory|purge", 2, [], [Slow], [];
    Memory => "memory|stats", 2, [], [Slow], [];
    Memory => "memory|usage", -3, ["readonly"], [Read Slow], [range(2, 0, 1, RO)];
    Config => "config|get", -3, ["admin", "noscript", "loading", "stale"], [Admin Slow Dangerous], [];
    Config => "config|help", 2, ["loading", "stale"], [Slow], [];
    Config => "config|resetstat", 2, ["admin", "noscript", "loading", "stale"], [Admin Slow Dangerous], [];
    Config => "config|rewrite", 2, ["admin", "noscript", "loading", "stale"], [Admin Slow Dangerous], [];
    Config => "config|set", -4, ["admin", "noscript", "loading", "stale"], [Admin Slow Dangerous], [];
    Object => "object|encoding", 3, ["readonly"], [Keyspace Read Slow], [range(2, 0, 1, RO)];
    Object => "object|freq", 3, ["readonly"], [Keyspace Read Slow], [range(2, 0, 1, RO)];
    Object => "object|help", 2, ["loading", "stale"], [Keyspace Slow], [];
    Object => "object|idletime", 3, ["readonly"], [Keyspace Read Slow], [range(2, 0, 1, RO)];
    Object => "object|refcount", 3, ["readonly"], [Keyspace Read Slow], [range(2, 0, 1, RO)];
    Acl => "acl|cat", -2, ["noscript", "loading", "stale"], [Slow], [];
    Acl => "acl|deluser", -3, ["admin", "noscript", "loading", "stale"], [Admin Slow Dangerous], [];
    Acl => "acl|dryrun", -4, ["admin", "noscript", "loading", "stale"], [Admin Slow Dangerous], [];
    Acl => "acl|genpass", -2, ["noscript", "loading", "stale"], [Slow], [];
    Acl => "acl|getuser", 3, ["admin", "noscript", "loading", "stale"], [Admin Slow Dangerous], [];
    Acl => "acl|help", 2, ["loading", "stale"], [Slow], [];
    Acl => "acl|list", 2, ["admin", "noscript", "loading", "stale"], [Admin Slow Dangerous], [];
    Acl => "acl|load", 2, ["admin", "noscript", "loading", "stale"], [Admin Slow Dangerous], [];
    Acl => "acl|log", -2, ["admin", "noscript", "loading", "stale"], [Admin Slow Dangerous], [];
    Acl => "acl|save", 2, ["admin", "noscript", "loading", "stale"], [Admin Slow Dangerous], [];
    Acl => "acl|setuser", -3, ["admin", "noscript", "loading", "stale"], [Admin Slow Dangerous], [];
    Acl => "acl|users", 2, ["admin", "noscript", "loading", "stale"], [Admin Slow Dangerous], [];
    Acl => "acl|whoami", 2, ["noscript", "loading", "stale"], [Slow], [];
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

/// The number of ACL ids: one per command and one per subcommand.
pub const ACL_IDS: usize = COMMAND_COUNT + SUBCOMMAND_COUNT;

/// Each command's range of [`SUBCOMMANDS`] (the table is grouped by container).
static SUBCOMMAND_RANGES: LazyLock<Vec<(usize, usize)>> = LazyLock::new(|| {
    let mut ranges = vec![(0, 0); COMMAND_COUNT];
    for (i, sub) in SUBCOMMANDS.iter().enumerate() {
        let r = &mut ranges[sub.parent as usize];
        if r.0 == r.1 {
            *r = (i, i + 1);
        } else {
            r.1 = i + 1;
        }
    }
    ranges
});

/// The subcommands of a command (empty unless it is a container).
pub fn subcommands_of(id: CommandId) -> &'static [SubcommandSpec] {
    let (start, end) = SUBCOMMAND_RANGES[id as usize];
    &SUBCOMMANDS[start..end]
}

/// What ACL rules and checks address: a command, or one subcommand of a container.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    /// A command (a container as a whole, when a rule names it without a subcommand).
    Command(&'static CommandSpec),
    /// A subcommand of a container.
    Subcommand(&'static SubcommandSpec),
}

impl Target {
    /// The dense id of the target, below [`ACL_IDS`]: commands first, then subcommands.
    pub fn acl_id(self) -> usize {
        match self {
            Target::Command(spec) => spec.id as usize,
            Target::Subcommand(sub) => {
                let base = SUBCOMMANDS.as_ptr() as usize;
                COMMAND_COUNT
                    + (sub as *const SubcommandSpec as usize - base)
                        / std::mem::size_of::<SubcommandSpec>()
            }
        }
    }

    /// The target of an ACL id.
    pub fn from_acl_id(id: usize) -> Option<Target> {
        if id < COMMAND_COUNT {
            COMMANDS.get(id).map(Target::Command)
        } else {
            SUBCOMMANDS.get(id - COMMAND_COUNT).map(Target::Subcommand)
        }
    }

    /// The full name: `get`, `config|get`.
    pub fn full_name(self) -> &'static str {
        match self {
            Target::Command(spec) => spec.name,
            Target::Subcommand(sub) => sub.full_name,
        }
    }

    /// The ACL categories mask.
    pub fn categories(self) -> u32 {
        match self {
            Target::Command(spec) => spec.categories,
            Target::Subcommand(sub) => sub.categories,
        }
    }

    /// The key specs.
    pub fn key_specs(self) -> &'static [KeySpec] {
        match self {
            Target::Command(spec) => spec.key_specs,
            Target::Subcommand(sub) => sub.key_specs,
        }
    }

    /// The Redis flags.
    pub fn flags(self) -> &'static [&'static str] {
        match self {
            Target::Command(spec) => spec.flags,
            Target::Subcommand(sub) => sub.flags,
        }
    }

    /// The command itself, or the container of a subcommand.
    pub fn command(self) -> &'static CommandSpec {
        match self {
            Target::Command(spec) => spec,
            Target::Subcommand(sub) => spec(sub.parent),
        }
    }

    /// Returns true for a subcommand.
    pub fn is_subcommand(self) -> bool {
        matches!(self, Target::Subcommand(_))
    }

    /// Finds a target by its full name (`get`, `config|get`), ignoring ASCII case.
    pub fn lookup(name: &[u8]) -> Option<Target> {
        match name.iter().position(|&b| b == b'|') {
            None => lookup(name).map(Target::Command),
            Some(bar) => {
                let parent = lookup(&name[..bar])?;
                let sub = &name[bar + 1..];
                parent
                    .subcommands()
                    .iter()
                    .find(|s| s.name().as_bytes().eq_ignore_ascii_case(sub))
                    .map(Target::Subcommand)
            }
        }
    }

    /// Every target: each command followed by its subcommands.
    pub fn all() -> impl Iterator<Item = Target> {
        COMMANDS.iter().flat_map(|c| {
            std::iter::once(Target::Command(c))
                .chain(c.subcommands().iter().map(Target::Subcommand))
        })
    }
}

/// Why a call does not resolve to a target: Redis's checks before authentication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResolveError {
    /// A container called with a subcommand it does not have.
    UnknownSubcommand,
    /// A subcommand called with the wrong number of arguments.
    WrongArity(&'static str),
}

/// Finds what a call (`argv`, name included, of the command `spec` whose own arity was checked)
/// runs: the subcommand named by `argv[1]` for a container, else the command. Redis rejects an
/// unknown subcommand and a subcommand's wrong arity before it looks at authentication.
pub fn resolve<A>(spec: &'static CommandSpec, argv: &[A]) -> Result<Target, ResolveError>
where
    A: AsRef<[u8]>,
{
    let subs = spec.subcommands();
    if subs.is_empty() || argv.len() < 2 {
        return Ok(Target::Command(spec));
    }
    let name = argv[1].as_ref();
    let sub = subs
        .iter()
        .find(|s| s.name().as_bytes().eq_ignore_ascii_case(name))
        .ok_or(ResolveError::UnknownSubcommand)?;
    if !arity_ok(sub.arity, argv.len()) {
        return Err(ResolveError::WrongArity(sub.full_name));
    }
    Ok(Target::Subcommand(sub))
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
    fn arity() {
        let get = lookup(b"get").unwrap();
        assert!(get.arity_ok(2));
        assert!(!get.arity_ok(3));
        let set = lookup(b"set").unwrap();
        assert!(set.arity_ok(3) && set.arity_ok(9) && !set.arity_ok(2));
    }

    #[test]
    fn every_command_has_a_speed_category() {
        for t in Target::all() {
            let fast = t.categories() & Category::Fast.bit() != 0;
            let slow = t.categories() & Category::Slow.bit() != 0;
            assert!(
                fast != slow,
                "{} must be exactly one of @fast and @slow",
                t.full_name()
            );
        }
    }

    #[test]
    fn subcommands_are_grouped_and_named_after_their_container() {
        let mut seen = std::collections::HashSet::new();
        let mut last = None;
        for sub in SUBCOMMANDS {
            let (parent, _) = sub.full_name.split_once('|').expect("container|sub");
            assert_eq!(spec(sub.parent).name, parent);
            if last != Some(sub.parent) {
                assert!(seen.insert(sub.parent), "{parent} is not contiguous");
                last = Some(sub.parent);
            }
        }
        assert_eq!(spec(CommandId::Config).subcommands().len(), 5);
        assert!(spec(CommandId::Get).subcommands().is_empty());
    }

    #[test]
    fn acl_ids_are_dense_and_round_trip() {
        let ids: Vec<usize> = Target::all().map(Target::acl_id).collect();
        assert_eq!(ids.len(), ACL_IDS);
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), ACL_IDS);
        for id in ids {
            assert_eq!(Target::from_acl_id(id).unwrap().acl_id(), id);
        }
    }

    #[test]
    fn resolve_as_redis() {
        let config = lookup(b"config").unwrap();
        let argv = |s: &str| s.split(' ').map(str::to_owned).collect::<Vec<_>>();
        let t = resolve(config, &argv("CONFIG Get maxmemory")).unwrap();
        assert_eq!(t.full_name(), "config|get");
        assert_eq!(
            resolve(config, &argv("config nope")).unwrap_err(),
            ResolveError::UnknownSubcommand
        );
        assert_eq!(
            resolve(config, &argv("config get")).unwrap_err(),
            ResolveError::WrongArity("config|get")
        );
        assert_eq!(
            Target::lookup(b"CONFIG|SET").unwrap().full_name(),
            "config|set"
        );
        assert!(Target::lookup(b"config|nope").is_none());
        assert!(Target::lookup(b"get|x").is_none());
        assert_eq!(Category::lookup(b"SortedSet"), Some(Category::SortedSet));
    }
}
