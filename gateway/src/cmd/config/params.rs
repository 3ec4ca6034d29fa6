//! The CONFIG parameters tinyredis has, their scope, and Redis 7.0's value rules and error texts.
//!
//! Only parameters that mean something here are listed; CONFIG GET of any other name matches
//! nothing and CONFIG SET of it fails with Redis's unknown-option error, as for a name Redis does
//! not know.

use tinyredis_common::num::parse_i64;

/// Where a parameter's value lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// This gateway process (its connections and resources).
    Gateway,
    /// The Raft state machine: the same on every gateway.
    Cluster,
    /// Fixed while running: CONFIG SET answers "can't set immutable config".
    Immutable,
}

/// How a value is parsed and checked, after Redis's config types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A signed integer (`string2ll`), within bounds.
    Signed { min: i64, max: i64 },
    /// An integer of an unsigned C type: parsed as signed, then checked as unsigned (so a
    /// negative value is out of range), and the bounds print as unsigned.
    Unsigned { min: u64, max: u64 },
    /// A memory value (`memtoull`: digits and an optional unit), within bounds; `signed` when the
    /// C type is signed, so values past `i64::MAX` are out of range.
    Memory { min: u64, max: u64, signed: bool },
    /// `yes` or `no`.
    Bool,
    /// One of the names, without case.
    Enum(&'static [&'static str]),
    /// `save`: pairs of seconds (≥ 1) and changes (≥ 0), or empty.
    Save,
    /// `client-output-buffer-limit`: groups of class, hard, soft, soft seconds.
    OutputBufferLimit,
    /// Any text.
    Text,
}

/// One parameter.
#[derive(Debug)]
pub struct Param {
    /// The canonical (lowercase) name.
    pub name: &'static str,
    /// Where its value lives.
    pub scope: Scope,
    /// Its value rules.
    pub kind: Kind,
    /// The value of a cluster-wide parameter never set (Redis's default).
    pub default: &'static str,
}

/// `maxmemory-policy`'s values, in Redis's order (the error message lists them so).
const MAXMEMORY_POLICIES: &[&str] = &[
    "volatile-lru",
    "volatile-lfu",
    "volatile-random",
    "volatile-ttl",
    "allkeys-lru",
    "allkeys-lfu",
    "allkeys-random",
    "noeviction",
];

/// A `size_t` parameter bounded by `LONG_MAX`, given as a plain integer.
const SIZE_T: Kind = Kind::Unsigned {
    min: 0,
    max: i64::MAX as u64,
};

/// A `size_t` parameter bounded by `LONG_MAX`, given as a memory value (`1kb`).
const SIZE_T_MEMORY: Kind = Kind::Memory {
    min: 0,
    max: i64::MAX as u64,
    signed: false,
};

/// Old names Redis 7.0 still accepts, mapped to the parameter they stand for. CONFIG GET lists
/// them too, under their own name.
pub static ALIASES: &[(&str, &str)] = &[
    ("hash-max-ziplist-entries", "hash-max-listpack-entries"),
    ("hash-max-ziplist-value", "hash-max-listpack-value"),
    ("zset-max-ziplist-entries", "zset-max-listpack-entries"),
    ("zset-max-ziplist-value", "zset-max-listpack-value"),
    ("list-max-ziplist-size", "list-max-listpack-size"),
];

/// Every parameter, in the order CONFIG GET lists them.
pub static PARAMS: &[Param] = &[
    Param {
        name: "databases",
        scope: Scope::Immutable,
        kind: Kind::Signed {
            min: 1,
            max: i32::MAX as i64,
        },
        default: "16",
    },
    Param {
        name: "port",
        scope: Scope::Immutable,
        kind: Kind::Signed { min: 0, max: 65535 },
        default: "",
    },
    Param {
        name: "io-threads",
        scope: Scope::Immutable,
        kind: Kind::Signed { min: 1, max: 128 },
        default: "1",
    },
    Param {
        name: "maxclients",
        scope: Scope::Gateway,
        kind: Kind::Unsigned {
            min: 1,
            max: u32::MAX as u64,
        },
        default: "",
    },
    Param {
        name: "timeout",
        scope: Scope::Gateway,
        kind: Kind::Signed {
            min: 0,
            max: i32::MAX as i64,
        },
        default: "",
    },
    Param {
        name: "proto-max-bulk-len",
        scope: Scope::Gateway,
        kind: Kind::Memory {
            min: 1 << 20,
            max: i64::MAX as u64,
            signed: true,
        },
        default: "",
    },
    Param {
        name: "client-query-buffer-limit",
        scope: Scope::Gateway,
        kind: Kind::Memory {
            min: 1 << 20,
            max: i64::MAX as u64,
            signed: true,
        },
        default: "",
    },
    Param {
        name: "client-output-buffer-limit",
        scope: Scope::Gateway,
        kind: Kind::OutputBufferLimit,
        default: "",
    },
    Param {
        name: "slowlog-log-slower-than",
        scope: Scope::Gateway,
        kind: Kind::Signed {
            min: -1,
            max: i64::MAX,
        },
        default: "",
    },
    Param {
        name: "slowlog-max-len",
        scope: Scope::Gateway,
        kind: Kind::Signed {
            min: 0,
            max: i64::MAX,
        },
        default: "",
    },
    // Encoding thresholds (cluster-wide: every replica picks the same encodings). They decide
    // what OBJECT ENCODING answers for a collection, as in Redis.
    Param {
        name: "hash-max-listpack-entries",
        scope: Scope::Cluster,
        kind: SIZE_T,
        default: "512",
    },
    Param {
        name: "hash-max-listpack-value",
        scope: Scope::Cluster,
        kind: SIZE_T_MEMORY,
        default: "64",
    },
    Param {
        name: "set-max-intset-entries",
        scope: Scope::Cluster,
        kind: SIZE_T,
        default: "512",
    },
    Param {
        name: "zset-max-listpack-entries",
        scope: Scope::Cluster,
        kind: SIZE_T,
        default: "128",
    },
    Param {
        name: "zset-max-listpack-value",
        scope: Scope::Cluster,
        kind: SIZE_T_MEMORY,
        default: "64",
    },
    // Lists are always `quicklist` in 7.0; these two are kept for clients that set them.
    Param {
        name: "list-max-listpack-size",
        scope: Scope::Cluster,
        kind: Kind::Signed {
            min: i32::MIN as i64,
            max: i32::MAX as i64,
        },
        default: "-2",
    },
    Param {
        name: "list-compress-depth",
        scope: Scope::Cluster,
        kind: Kind::Signed {
            min: 0,
            max: i32::MAX as i64,
        },
        default: "0",
    },
    // The sparse HyperLogLog representation is promoted to dense above this size.
    Param {
        name: "hll-sparse-max-bytes",
        scope: Scope::Cluster,
        kind: SIZE_T_MEMORY,
        default: "3000",
    },
    // RESTORE always checks payloads deeply; the setting is kept for clients that set it.
    Param {
        name: "sanitize-dump-payload",
        scope: Scope::Cluster,
        kind: Kind::Enum(&["no", "yes", "clients"]),
        default: "no",
    },
    Param {
        name: "maxmemory",
        scope: Scope::Cluster,
        kind: Kind::Memory {
            min: 0,
            max: u64::MAX,
            signed: false,
        },
        default: "0",
    },
    Param {
        name: "maxmemory-policy",
        scope: Scope::Cluster,
        kind: Kind::Enum(MAXMEMORY_POLICIES),
        default: "noeviction",
    },
    Param {
        name: "save",
        scope: Scope::Cluster,
        kind: Kind::Save,
        default: "3600 1 300 100 60 10000",
    },
    Param {
        name: "appendonly",
        scope: Scope::Cluster,
        kind: Kind::Bool,
        default: "no",
    },
    // Setting it sets the default user's password (see `tinyredis_common::settings`); CONFIG
    // GET shows it as set, as Redis does.
    Param {
        name: "requirepass",
        scope: Scope::Cluster,
        kind: Kind::Text,
        default: "",
    },
];

/// Finds a parameter by name, without case.
pub fn lookup(name: &[u8]) -> Option<&'static Param> {
    lookup_named(name).map(|(_, p)| p)
}

/// Finds a parameter by name or alias, without case; returns the (lowercase) name that matched
/// with the parameter.
pub fn lookup_named(name: &[u8]) -> Option<(&'static str, &'static Param)> {
    if let Some(p) = PARAMS
        .iter()
        .find(|p| p.name.as_bytes().eq_ignore_ascii_case(name))
    {
        return Some((p.name, p));
    }
    let (alias, target) = ALIASES
        .iter()
        .find(|(alias, _)| alias.as_bytes().eq_ignore_ascii_case(name))?;
    PARAMS
        .iter()
        .find(|p| p.name == *target)
        .map(|p| (*alias, p))
}

/// Every name CONFIG GET matches patterns against: each parameter's, then each alias's.
pub fn all_names() -> impl Iterator<Item = (&'static str, &'static Param)> {
    PARAMS.iter().map(|p| (p.name, p)).chain(
        ALIASES
            .iter()
            .filter_map(|(alias, target)| lookup(target.as_bytes()).map(|p| (*alias, p))),
    )
}

/// Checks a value as Redis's CONFIG SET does and returns it normalized (as CONFIG GET shows it),
/// or the detail Redis puts after "CONFIG SET failed (possibly related to argument '…') - ".
pub fn normalize(param: &Param, value: &[u8]) -> Result<String, String> {
    match param.kind {
        Kind::Signed { min, max } => {
            let n = parse_i64(value).ok_or_else(not_an_integer)?;
            if n < min || n > max {
                return Err(format!(
                    "argument must be between {min} and {max} inclusive"
                ));
            }
            Ok(n.to_string())
        }
        Kind::Unsigned { min, max } => {
            let n = parse_i64(value).ok_or_else(not_an_integer)? as u64;
            if n < min || n > max {
                return Err(format!(
                    "argument must be between {min} and {max} inclusive"
                ));
            }
            Ok(n.to_string())
        }
        Kind::Memory { min, max, signed } => {
            let n = parse_memory(value).ok_or("argument must be a memory value")?;
            let out_of_range = if signed {
                (n as i64) < min as i64 || (n as i64) > max as i64
            } else {
                n < min || n > max
            };
            if out_of_range {
                return Err(format!(
                    "argument must be between {min} and {max} inclusive"
                ));
            }
            Ok(n.to_string())
        }
        Kind::Bool => {
            if value.eq_ignore_ascii_case(b"yes") {
                Ok("yes".into())
            } else if value.eq_ignore_ascii_case(b"no") {
                Ok("no".into())
            } else {
                Err("argument must be 'yes' or 'no'".into())
            }
        }
        Kind::Enum(names) => names
            .iter()
            .find(|n| n.as_bytes().eq_ignore_ascii_case(value))
            .map(|n| n.to_string())
            .ok_or_else(|| {
                format!(
                    "argument(s) must be one of the following: {}",
                    names.join(", ")
                )
            }),
        Kind::Save => normalize_save(value),
        Kind::OutputBufferLimit => parse_output_buffer_limit(value).map(|l| l.to_string()),
        Kind::Text => Ok(String::from_utf8_lossy(value).into_owned()),
    }
}

fn not_an_integer() -> String {
    "argument couldn't be parsed into an integer".into()
}

/// Redis's `memtoull`: digits, then an optional unit (`b`, `k`, `kb`, `m`, `mb`, `g`, `gb`, any
/// case; `k` is 1000 and `kb` 1024). No digits means 0; a digit run past `u64` is an error; the
/// multiplication wraps, as in Redis.
pub fn parse_memory(value: &[u8]) -> Option<u64> {
    let digits = value.iter().take_while(|c| c.is_ascii_digit()).count();
    let unit = &value[digits..];
    let mul: u64 = match unit.to_ascii_lowercase().as_slice() {
        b"" | b"b" => 1,
        b"k" => 1000,
        b"kb" => 1024,
        b"m" => 1000 * 1000,
        b"mb" => 1024 * 1024,
        b"g" => 1000 * 1000 * 1000,
        b"gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    let mut n: u64 = 0;
    for &c in &value[..digits] {
        n = n.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    Some(n.wrapping_mul(mul))
}

/// `save`: the value split on single spaces (so doubled spaces make empty, invalid parts) into
/// pairs of seconds ≥ 1 and changes ≥ 0, parsed like C's `strtoll` (a leading sign is fine,
/// anything after the digits is not).
fn normalize_save(value: &[u8]) -> Result<String, String> {
    let invalid = || "Invalid save parameters".to_string();
    if value.is_empty() {
        return Ok(String::new());
    }
    let parts: Vec<&[u8]> = value.split(|&c| c == b' ').collect();
    if !parts.len().is_multiple_of(2) {
        return Err(invalid());
    }
    let mut out = Vec::with_capacity(parts.len());
    for (i, part) in parts.iter().enumerate() {
        let n = strtoll(part).ok_or_else(invalid)?;
        let min = if i % 2 == 0 { 1 } else { 0 };
        if n < min {
            return Err(invalid());
        }
        out.push(n.to_string());
    }
    Ok(out.join(" "))
}

/// C's `strtoll(s, &end, 10)` where `*end` must be the end: optional sign, digits (at least none:
/// an empty string is 0), saturating on overflow.
fn strtoll(s: &[u8]) -> Option<i64> {
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if !digits.iter().all(u8::is_ascii_digit) || (digits.is_empty() && s.len() != digits.len()) {
        return None;
    }
    let mut n: i64 = 0;
    for &c in digits {
        let d = i64::from(c - b'0');
        n = n
            .saturating_mul(10)
            .saturating_add(if neg { -d } else { d });
    }
    Some(n)
}

/// The three classes of `client-output-buffer-limit`, as CONFIG GET prints them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputBufferLimits {
    /// Normal clients: the only class a gateway has.
    pub normal: crate::settings::OutputBufferLimit,
    /// Replicas (none connect to a gateway; kept so CONFIG GET shows what was set).
    pub replica: crate::settings::OutputBufferLimit,
    /// Pub/sub clients (kept so CONFIG GET shows what was set).
    pub pubsub: crate::settings::OutputBufferLimit,
}

impl std::fmt::Display for OutputBufferLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let classes = [
            ("normal", self.normal),
            ("slave", self.replica),
            ("pubsub", self.pubsub),
        ];
        for (i, (name, l)) in classes.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{name} {} {} {}", l.hard, l.soft, l.soft_seconds)?;
        }
        Ok(())
    }
}

/// Which classes a `client-output-buffer-limit` value sets, with their limits.
pub type OutputBufferLimitChange = [Option<crate::settings::OutputBufferLimit>; 3];

/// Parses a `client-output-buffer-limit` value as Redis does: groups of four (class, hard,
/// soft, soft seconds); classes `normal`, `slave`/`replica`, `pubsub`.
pub fn parse_output_buffer_limit_change(value: &[u8]) -> Result<OutputBufferLimitChange, String> {
    let parts: Vec<&[u8]> = if value.is_empty() {
        Vec::new()
    } else {
        value.split(|&c| c == b' ').collect()
    };
    if !parts.len().is_multiple_of(4) {
        return Err("Wrong number of arguments in buffer limit configuration.".into());
    }
    let mut change: OutputBufferLimitChange = [None; 3];
    for group in parts.chunks_exact(4) {
        let class = match group[0].to_ascii_lowercase().as_slice() {
            b"normal" => 0,
            b"slave" | b"replica" => 1,
            b"pubsub" => 2,
            _ => {
                return Err("Invalid client class specified in buffer limit configuration.".into());
            }
        };
        let bad = || {
            "Error in hard, soft or soft_seconds setting in buffer limit configuration.".to_string()
        };
        let hard = parse_memory(group[1]).ok_or_else(bad)?;
        let soft = parse_memory(group[2]).ok_or_else(bad)?;
        let secs = strtoll(group[3]).filter(|&s| s >= 0).ok_or_else(bad)?;
        change[class] = Some(crate::settings::OutputBufferLimit {
            hard,
            soft,
            soft_seconds: secs as u64,
        });
    }
    Ok(change)
}

fn parse_output_buffer_limit(value: &[u8]) -> Result<OutputBufferLimits, String> {
    // Validation only; the classes not given keep their values, which `normalize` cannot know, so
    // the caller applies the change itself.
    parse_output_buffer_limit_change(value).map(|change| OutputBufferLimits {
        normal: change[0].unwrap_or(crate::settings::DEFAULT_OUTPUT_BUFFER_LIMIT),
        replica: change[1].unwrap_or(REPLICA_OUTPUT_BUFFER_LIMIT),
        pubsub: change[2].unwrap_or(PUBSUB_OUTPUT_BUFFER_LIMIT),
    })
}

/// Redis's default replica output buffer limit.
pub const REPLICA_OUTPUT_BUFFER_LIMIT: crate::settings::OutputBufferLimit =
    crate::settings::OutputBufferLimit {
        hard: 256 << 20,
        soft: 64 << 20,
        soft_seconds: 60,
    };

/// Redis's default pub/sub output buffer limit.
pub const PUBSUB_OUTPUT_BUFFER_LIMIT: crate::settings::OutputBufferLimit =
    crate::settings::OutputBufferLimit {
        hard: 32 << 20,
        soft: 8 << 20,
        soft_seconds: 60,
    };

#[cfg(test)]
mod tests {
    use super::*;

    fn check(name: &str, value: &str) -> Result<String, String> {
        normalize(lookup(name.as_bytes()).unwrap(), value.as_bytes())
    }

    /// Each case was checked against redis-server 7.0.15.
    #[test]
    fn values_as_redis() {
        assert_eq!(check("maxmemory", "1gb"), Ok("1073741824".into()));
        assert_eq!(check("maxmemory", "10MB"), Ok("10485760".into()));
        assert_eq!(check("maxmemory", ""), Ok("0".into()));
        assert_eq!(check("maxmemory", "kb"), Ok("0".into()));
        assert_eq!(
            check("maxmemory", "18446744073709551615kb"),
            Ok("18446744073709550592".into())
        );
        for bad in [
            "-1",
            " 5",
            "5 ",
            "+5",
            "1.5gb",
            "abc",
            "99999999999999999999",
        ] {
            assert_eq!(
                check("maxmemory", bad),
                Err("argument must be a memory value".into()),
                "{bad}"
            );
        }
        assert_eq!(
            check("maxclients", "0"),
            Err("argument must be between 1 and 4294967295 inclusive".into())
        );
        assert_eq!(
            check("maxclients", "-5"),
            Err("argument must be between 1 and 4294967295 inclusive".into())
        );
        assert_eq!(
            check("timeout", "x"),
            Err("argument couldn't be parsed into an integer".into())
        );
        assert_eq!(
            check("timeout", "05"),
            Err("argument couldn't be parsed into an integer".into())
        );
        assert_eq!(
            check("timeout", "-1"),
            Err("argument must be between 0 and 2147483647 inclusive".into())
        );
        assert_eq!(
            check("slowlog-max-len", "-1"),
            Err("argument must be between 0 and 9223372036854775807 inclusive".into())
        );
        assert_eq!(
            check("slowlog-log-slower-than", "-2"),
            Err("argument must be between -1 and 9223372036854775807 inclusive".into())
        );
        assert_eq!(
            check("proto-max-bulk-len", "10"),
            Err("argument must be between 1048576 and 9223372036854775807 inclusive".into())
        );
        assert_eq!(
            check("proto-max-bulk-len", "9223372036854775808"),
            Err("argument must be between 1048576 and 9223372036854775807 inclusive".into())
        );
        assert_eq!(check("appendonly", "YES"), Ok("yes".into()));
        assert_eq!(
            check("appendonly", ""),
            Err("argument must be 'yes' or 'no'".into())
        );
        assert_eq!(
            check("maxmemory-policy", "ALLKEYS-LFU"),
            Ok("allkeys-lfu".into())
        );
        assert_eq!(
            check("maxmemory-policy", "x"),
            Err(
                "argument(s) must be one of the following: volatile-lru, volatile-lfu, \
                 volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, \
                 noeviction"
                    .into()
            )
        );
        assert_eq!(check("save", ""), Ok("".into()));
        assert_eq!(check("save", "3600 1 +300 0"), Ok("3600 1 300 0".into()));
        for bad in ["100 10 200", "100 x", "  ", "0 0", "-1 5", "  100  10  "] {
            assert_eq!(
                check("save", bad),
                Err("Invalid save parameters".into()),
                "{bad}"
            );
        }
        assert_eq!(
            check("client-output-buffer-limit", "normal 1mb 512kb"),
            Err("Wrong number of arguments in buffer limit configuration.".into())
        );
        assert_eq!(
            check("client-output-buffer-limit", "master 1 1 1"),
            Err("Invalid client class specified in buffer limit configuration.".into())
        );
        assert_eq!(
            check("client-output-buffer-limit", "normal x 1 1"),
            Err(
                "Error in hard, soft or soft_seconds setting in buffer limit configuration.".into()
            )
        );
        assert!(lookup(b"MAXMEMORY").is_some());
        assert!(lookup(b"nosuch").is_none());
    }
}
