//! The key arguments of one call of a command, with how the command uses each: Redis 7.0's
//! `getKeysFromCommandWithSpecs`, for ACL key checks.
//!
//! Key specs of the table give the positions; three commands need their own rule, as in Redis:
//! SET and BITFIELD, whose flags depend on the arguments (`VARIABLE_FLAGS`), and SORT, whose
//! STORE destination is found by scanning its options.

use super::key_flags::{ACCESS, OW, RO, RW, UPDATE, VARIABLE_FLAGS};
use super::{CommandId, FindKeys, Target};
use crate::num::parse_i64;

/// One key argument of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyRef {
    /// Its position in the arguments (the command name is 0).
    pub pos: usize,
    /// How the command uses it ([`super::key_flags`]).
    pub flags: u16,
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

/// The key arguments of `argv` (command name included) for `target`, in key spec order.
///
/// As in Redis, a call whose keys cannot be found as the specs say (a key count that is not a
/// number, or keys past the last argument) has no keys: the command itself then replies with its
/// syntax or arity error.
pub fn keys<A>(target: Target, argv: &[A]) -> Vec<KeyRef>
where
    A: AsRef<[u8]>,
{
    let specs = target.key_specs();
    if specs.is_empty() || argv.len() < 2 {
        return Vec::new();
    }
    if let Target::Command(spec) = target {
        match spec.id {
            CommandId::Set => return vec![set_key(argv)],
            CommandId::Bitfield => return vec![bitfield_key(argv)],
            CommandId::Sort => {
                let mut keys = vec![KeyRef {
                    pos: 1,
                    flags: RO | ACCESS,
                }];
                if let Some(pos) = sort_store_position(argv) {
                    keys.push(KeyRef {
                        pos,
                        flags: OW | UPDATE,
                    });
                }
                return keys;
            }
            CommandId::SortRo => {
                return vec![KeyRef {
                    pos: 1,
                    flags: RO | ACCESS,
                }];
            }
            _ => {}
        }
    }
    let argc = argv.len() as i64;
    let mut keys = Vec::new();
    for spec in specs {
        let begin = spec.begin as i64;
        let (first, last, step) = match spec.find {
            FindKeys::Range { last, step } => {
                let last = if last >= 0 {
                    begin + last as i64
                } else {
                    argc + last as i64
                };
                (begin, last, step as i64)
            }
            FindKeys::Keynum {
                keynum_idx,
                first,
                step,
            } => {
                let Some(arg) = argv.get((begin + keynum_idx as i64) as usize) else {
                    return Vec::new();
                };
                let numkeys = match parse_i64(arg.as_ref()) {
                    Some(n) if n >= 0 => n,
                    _ => return Vec::new(),
                };
                let first = begin + first as i64;
                (first, first + numkeys - 1, step as i64)
            }
            FindKeys::Unknown => return Vec::new(),
        };
        if last >= argc || last < first || first >= argc {
            return Vec::new();
        }
        let mut pos = first;
        while pos <= last {
            keys.push(KeyRef {
                pos: pos as usize,
                flags: spec.flags & !VARIABLE_FLAGS,
            });
            pos += step.max(1);
        }
    }
    keys
}

/// SET's key: read as well as overwritten when a `GET` option is present (Redis's `setGetKeys`).
fn set_key<A: AsRef<[u8]>>(argv: &[A]) -> KeyRef {
    let get = argv
        .iter()
        .skip(3)
        .any(|a| a.as_ref().eq_ignore_ascii_case(b"get"));
    KeyRef {
        pos: 1,
        flags: if get {
            RW | ACCESS | UPDATE
        } else {
            OW | UPDATE
        },
    }
}

/// BITFIELD's key: read-only when every operation is a GET (Redis's `bitfieldGetKeys`).
fn bitfield_key<A: AsRef<[u8]>>(argv: &[A]) -> KeyRef {
    let mut readonly = true;
    let mut i = 2;
    while i < argv.len() {
        let rest = argv.len() - i - 1;
        let arg = argv[i].as_ref();
        if arg.eq_ignore_ascii_case(b"get") && rest >= 2 {
            i += 3;
        } else if (arg.eq_ignore_ascii_case(b"set") || arg.eq_ignore_ascii_case(b"incrby"))
            && rest >= 3
        {
            readonly = false;
            break;
        } else if arg.eq_ignore_ascii_case(b"overflow") && rest >= 1 {
            i += 2;
        } else {
            // A syntax error: safer to assume a write, as Redis does.
            readonly = false;
            break;
        }
    }
    KeyRef {
        pos: 1,
        flags: if readonly {
            RO | ACCESS
        } else {
            RW | ACCESS | UPDATE
        },
    }
}

#[cfg(test)]
mod tests {
    use super::super::key_flags::{DELETE, INSERT, RM};
    use super::super::{lookup, resolve};
    use super::*;

    fn keys_of(line: &str) -> Vec<(usize, u16)> {
        let argv: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
        let spec = lookup(argv[0]).expect("known command");
        let target = resolve(spec, &argv).expect("resolves");
        keys(target, &argv)
            .into_iter()
            .map(|k| (k.pos, k.flags))
            .collect()
    }

    #[test]
    fn ranges_and_steps() {
        assert_eq!(keys_of("get k"), vec![(1, RO | ACCESS)]);
        assert_eq!(
            keys_of("mset a 1 b 2"),
            vec![(1, OW | UPDATE), (3, OW | UPDATE)]
        );
        assert_eq!(
            keys_of("del a b c"),
            vec![(1, RM | DELETE), (2, RM | DELETE), (3, RM | DELETE)]
        );
        assert_eq!(
            keys_of("lmove a b left right"),
            vec![(1, RW | ACCESS | DELETE), (2, RW | INSERT)]
        );
        assert_eq!(keys_of("bitop and d s1 s2").len(), 3);
        assert_eq!(keys_of("object encoding k"), vec![(2, RO)]);
        assert_eq!(keys_of("memory usage k samples 5"), vec![(2, RO)]);
        assert_eq!(keys_of("dbsize"), vec![]);
    }

    #[test]
    fn keynum_specs() {
        assert_eq!(
            keys_of("zunionstore d 2 a b weights 1 2"),
            vec![(1, OW | UPDATE), (3, RO | ACCESS), (4, RO | ACCESS)]
        );
        assert_eq!(
            keys_of("lmpop 2 a b left"),
            vec![(2, RW | ACCESS | DELETE), (3, RW | ACCESS | DELETE)]
        );
        assert_eq!(keys_of("zunion 0 a"), vec![]);
        assert_eq!(keys_of("zunion x a"), vec![]);
        assert_eq!(keys_of("zunion 5 a"), vec![]);
        assert_eq!(keys_of("sintercard 1 a limit 3"), vec![(2, RO | ACCESS)]);
    }

    #[test]
    fn variable_flags_and_sort() {
        assert_eq!(keys_of("set k v"), vec![(1, OW | UPDATE)]);
        assert_eq!(keys_of("set k v nx get"), vec![(1, RW | ACCESS | UPDATE)]);
        assert_eq!(keys_of("bitfield k get u8 0"), vec![(1, RO | ACCESS)]);
        assert_eq!(
            keys_of("bitfield k get u8 0 incrby u8 0 1"),
            vec![(1, RW | ACCESS | UPDATE)]
        );
        assert_eq!(
            keys_of("sort k by w_* store dst"),
            vec![(1, RO | ACCESS), (5, OW | UPDATE)]
        );
        assert_eq!(keys_of("sort_ro k by w_*"), vec![(1, RO | ACCESS)]);
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
}
