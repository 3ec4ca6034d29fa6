//! Subcommand lookup for container commands (MEMORY, SLOWLOG, LATENCY, CLUSTER, MODULE, …):
//! Redis 7.0's unknown-subcommand and per-subcommand arity errors in one place.

use bytes::Bytes;

use crate::ReplyError;

/// One subcommand of a container command, as Redis's command table lists it.
#[derive(Debug, Clone, Copy)]
pub struct Subcommand {
    /// Full lowercase name, `container|sub` (`memory|usage`), as in arity errors and COMMAND.
    pub full_name: &'static str,
    /// Redis arity counting the container and the subcommand: `n` exactly, `-n` at least `n`.
    pub arity: i32,
}

impl Subcommand {
    /// The subcommand's own name, without the container (`usage`).
    pub fn name(&self) -> &'static str {
        self.full_name
            .split_once('|')
            .map_or(self.full_name, |(_, s)| s)
    }
}

/// Finds `argv[1]` in `table` and checks its arity. `container` is the command's name in
/// uppercase, as Redis's hint prints it (`Try MEMORY HELP.`).
pub fn find<'a>(
    container: &'static str,
    table: &'a [Subcommand],
    argv: &[Bytes],
) -> Result<&'a Subcommand, ReplyError> {
    let given = &argv[1];
    let Some(sub) = table
        .iter()
        .find(|s| given.eq_ignore_ascii_case(s.name().as_bytes()))
    else {
        // A bounded copy, as Redis prints it, so the error does not pin the request buffer.
        return Err(ReplyError::UnknownSubcommand {
            command: Bytes::from_static(container.as_bytes()),
            subcommand: Bytes::copy_from_slice(&given[..given.len().min(128)]),
        });
    };
    let argc = argv.len() as i64;
    let arity = sub.arity as i64;
    let ok = if arity >= 0 {
        argc == arity
    } else {
        argc >= -arity
    };
    if !ok {
        return Err(ReplyError::WrongArity(Bytes::from_static(
            sub.full_name.as_bytes(),
        )));
    }
    Ok(sub)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &[Subcommand] = &[
        Subcommand {
            full_name: "memory|usage",
            arity: -3,
        },
        Subcommand {
            full_name: "memory|help",
            arity: 2,
        },
    ];

    fn argv(a: &[&'static str]) -> Vec<Bytes> {
        a.iter().map(|s| Bytes::from_static(s.as_bytes())).collect()
    }

    #[test]
    fn finds_checks_arity_and_reports_like_redis() {
        let sub = find("MEMORY", TABLE, &argv(&["memory", "USAGE", "k"])).unwrap();
        assert_eq!(sub.name(), "usage");
        assert_eq!(
            find("MEMORY", TABLE, &argv(&["memory", "usage"]))
                .unwrap_err()
                .to_string(),
            "ERR wrong number of arguments for 'memory|usage' command"
        );
        assert_eq!(
            find("MEMORY", TABLE, &argv(&["memory", "help", "x"]))
                .unwrap_err()
                .to_string(),
            "ERR wrong number of arguments for 'memory|help' command"
        );
        assert_eq!(
            find("MEMORY", TABLE, &argv(&["memory", "foo"]))
                .unwrap_err()
                .to_string(),
            "ERR unknown subcommand 'foo'. Try MEMORY HELP."
        );
    }
}
