//! `ACL SETUSER|DELUSER|GETUSER|LIST|USERS|WHOAMI|CAT|GENPASS|LOG|DRYRUN|LOAD|SAVE|HELP` with
//! Redis 7.0's replies and errors.
//!
//! Users are cluster-wide: SETUSER and DELUSER are written to the Raft log as internal commands
//! (see `tinyredis_common::settings`), with plaintext passwords already replaced by their
//! SHA-256, and every gateway applies the result to its connections. The rules are first tried on
//! this gateway's copy of the user, so a refused rule is reported exactly as the client wrote it
//! without a log entry. The ACL log is this gateway's (see `crate::acl`).

use bytes::Bytes;
use tinyredis_common::acl::{
    DEFAULT_USER, Denied, User, has_spaces, hash_password_rule, merge_selector_args,
};
use tinyredis_common::command::{self, CATEGORIES, Category, Target};
use tinyredis_common::num::parse_i64;
use tinyredis_common::{Reply, ReplyError};

use super::config::write_settings;
use crate::server::Shared;
use crate::session::Session;

const HELP: &[&str] = &[
    "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CAT [<category>]",
    "    List all commands that belong to <category>, or all command categories",
    "    when no category is specified.",
    "DELUSER <username> [<username> ...]",
    "    Delete a list of users.",
    "DRYRUN <username> <command> [<arg> ...]",
    "    Returns whether the user can execute the given command without executing the command.",
    "GETUSER <username>",
    "    Get the user's details.",
    "GENPASS [<bits>]",
    "    Generate a secure 256-bit user password. The optional `bits` argument can",
    "    be used to specify a different size.",
    "LIST",
    "    Show users details in config file format.",
    "LOAD",
    "    Reload users from the ACL file.",
    "LOG [<count> | RESET]",
    "    Show the ACL log entries.",
    "SAVE",
    "    Save the current config to the ACL file.",
    "SETUSER <username> <attribute> [<attribute> ...]",
    "    Create or modify a user with the specified attributes.",
    "USERS",
    "    List all the registered usernames.",
    "WHOAMI",
    "    Return the current connection username.",
    "HELP",
    "    Prints this help.",
];

/// Redis's answer to ACL LOAD and SAVE without an ACL file; users live in the cluster here.
const NO_ACL_FILE: &str = "This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.";

/// The most bits ACL GENPASS returns.
const GENPASS_MAX_BITS: i64 = 4096;

fn err(text: String) -> Reply {
    Reply::Error(ReplyError::Err(Bytes::from(text)))
}

/// Dispatches an ACL subcommand. The command table already checked that the subcommand exists
/// and its arity; the argument counts checked here are Redis's `aclCommand`'s own.
pub async fn acl(session: &mut Session, shared: &Shared, argv: &[Bytes]) -> Reply {
    let sub = &argv[1];
    let n = argv.len();
    let is = |name: &str| sub.eq_ignore_ascii_case(name.as_bytes());
    if is("setuser") && n >= 3 {
        setuser(shared, &argv[2], &argv[3..]).await
    } else if is("deluser") && n >= 3 {
        deluser(shared, &argv[2..]).await
    } else if is("getuser") && n == 3 {
        match shared.settings.acl().user(&argv[2]) {
            Some(u) => getuser(&u.user),
            None => Reply::Nil,
        }
    } else if (is("list") || is("users")) && n == 2 {
        let names_only = is("users");
        let acl = shared.settings.acl();
        Reply::Array(
            acl.users
                .values()
                .map(|u| {
                    if names_only {
                        return Reply::Bulk(u.name.clone());
                    }
                    let mut line = b"user ".to_vec();
                    line.extend_from_slice(&u.name);
                    line.push(b' ');
                    line.extend_from_slice(&u.user.describe());
                    Reply::Bulk(Bytes::from(line))
                })
                .collect(),
        )
    } else if is("whoami") && n == 2 {
        Reply::Bulk(session.user.name.clone())
    } else if is("load") || is("save") {
        Reply::Error(ReplyError::err(NO_ACL_FILE))
    } else if is("cat") && n == 2 {
        Reply::Array(CATEGORIES.iter().map(|c| Reply::bulk(c.name())).collect())
    } else if is("cat") && n == 3 {
        let Some(cat) = Category::lookup(&argv[2]) else {
            let name = &argv[2][..argv[2].len().min(128)];
            return err(format!(
                "Unknown category '{}'",
                String::from_utf8_lossy(name)
            ));
        };
        Reply::Array(
            Target::all()
                .filter(|t| t.categories() & cat.bit() != 0)
                .map(|t| Reply::bulk(t.full_name()))
                .collect(),
        )
    } else if is("genpass") && (n == 2 || n == 3) {
        genpass(argv.get(2))
    } else if is("log") && (n == 2 || n == 3) {
        let mut count = 10;
        if let Some(arg) = argv.get(2) {
            if arg.eq_ignore_ascii_case(b"reset") {
                shared.acl_log.reset();
                return Reply::Ok;
            }
            let Some(c) = parse_i64(arg) else {
                return Reply::Error(ReplyError::NotInteger);
            };
            count = c.max(0);
        }
        shared.acl_log.reply(count as usize)
    } else if is("dryrun") && n >= 4 {
        dryrun(shared, &argv[2], &argv[3..])
    } else if is("help") && n == 2 {
        super::help(HELP)
    } else {
        super::subcommand_syntax_error(argv)
    }
}

/// `ACL SETUSER name rule …`.
async fn setuser(shared: &Shared, name: &Bytes, rules: &[Bytes]) -> Reply {
    if has_spaces(name) {
        return Reply::Error(ReplyError::err(
            "Usernames can't contain spaces or null characters",
        ));
    }
    let current = shared.settings.acl().user(name);
    let mut user = current.map(|u| u.user.clone()).unwrap_or_default();
    if let Err(e) = user.set_rules(rules) {
        return err(e.to_string());
    }
    let Ok(merged) = merge_selector_args(rules) else {
        // `set_rules` merged them already.
        return Reply::Error(ReplyError::err("internal error: unmatched selector"));
    };
    let mut argv = vec![
        Bytes::from_static(b"acl"),
        Bytes::from_static(b"setuser"),
        name.clone(),
    ];
    let mut hashed: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    for rule in merged {
        match hash_password_rule(&rule) {
            Some(h) => {
                argv.push(Bytes::from(h.clone()));
                hashed.push((h, rule));
            }
            None => argv.push(Bytes::from(rule)),
        }
    }
    match write_settings(shared, argv).await {
        // Another gateway changed the user meanwhile and the cluster refused a rule: name the
        // rule as the client wrote it.
        Reply::Error(ReplyError::Err(text)) => {
            let mut text = text.to_vec();
            for (h, rule) in &hashed {
                let quoted = [b"'", h.as_slice(), b"'"].concat();
                if let Some(pos) = text.windows(quoted.len()).position(|w| w == quoted) {
                    let with = [b"'", rule.as_slice(), b"'"].concat();
                    text.splice(pos..pos + quoted.len(), with);
                }
            }
            Reply::Error(ReplyError::Err(Bytes::from(text)))
        }
        other => other,
    }
}

/// `ACL DELUSER name …`: the number of users deleted. Connections authenticated as them, on
/// every gateway, are closed.
async fn deluser(shared: &Shared, names: &[Bytes]) -> Reply {
    if names.iter().any(|n| n.as_ref() == DEFAULT_USER) {
        return Reply::Error(ReplyError::err("The 'default' user cannot be removed"));
    }
    let acl = shared.settings.acl();
    if names.iter().all(|n| acl.user(n).is_none()) {
        return Reply::Integer(0);
    }
    let mut argv = vec![Bytes::from_static(b"acl"), Bytes::from_static(b"deluser")];
    argv.extend(names.iter().cloned());
    write_settings(shared, argv).await
}

/// `ACL GETUSER name`: flags, passwords, commands, keys, channels and selectors.
fn getuser(user: &User) -> Reply {
    let selector = |s: &tinyredis_common::acl::Selector| {
        vec![
            (
                Reply::bulk("commands"),
                Reply::Bulk(Bytes::from(s.describe_commands())),
            ),
            (
                Reply::bulk("keys"),
                Reply::Bulk(Bytes::from(s.describe_keys())),
            ),
            (
                Reply::bulk("channels"),
                Reply::Bulk(Bytes::from(s.describe_channels())),
            ),
        ]
    };
    let mut fields = vec![
        (
            Reply::bulk("flags"),
            Reply::Set(user.flags().into_iter().map(Reply::bulk).collect()),
        ),
        (
            Reply::bulk("passwords"),
            Reply::Array(
                user.passwords()
                    .iter()
                    .map(|p| Reply::bulk(p.clone()))
                    .collect(),
            ),
        ),
    ];
    fields.extend(selector(user.root()));
    fields.push((
        Reply::bulk("selectors"),
        Reply::Array(
            user.selectors()
                .iter()
                .map(|s| Reply::Map(selector(s)))
                .collect(),
        ),
    ));
    Reply::Map(fields)
}

/// `ACL GENPASS [bits]`: random hex digits, 4 bits each, rounded up.
fn genpass(bits: Option<&Bytes>) -> Reply {
    let bits = match bits {
        None => 256,
        Some(b) => match parse_i64(b) {
            Some(n) => n,
            None => return Reply::Error(ReplyError::NotInteger),
        },
    };
    if bits <= 0 || bits > GENPASS_MAX_BITS {
        return err(format!(
            "ACL GENPASS argument must be the number of bits for the output password, a positive number up to {GENPASS_MAX_BITS}"
        ));
    }
    let chars = ((bits + 3) / 4) as usize;
    let mut out = String::with_capacity(chars + 16);
    while out.len() < chars {
        out.push_str(&format!("{:016x}", rand::random::<u64>()));
    }
    out.truncate(chars);
    Reply::bulk(out)
}

/// `ACL DRYRUN user command arg …`: OK, or (as a bulk string) why the user may not run it.
fn dryrun(shared: &Shared, name: &Bytes, call: &[Bytes]) -> Reply {
    let Some(user) = shared.settings.acl().user(name) else {
        return err(format!(
            "User '{}' not found",
            String::from_utf8_lossy(name)
        ));
    };
    let not_found = || {
        err(format!(
            "Command '{}' not found",
            String::from_utf8_lossy(&call[0])
        ))
    };
    let Some(spec) = command::lookup(&call[0]) else {
        return not_found();
    };
    let target = match spec.subcommands() {
        subs if subs.is_empty() || call.len() < 2 => Target::Command(spec),
        subs => match subs
            .iter()
            .find(|s| s.name().as_bytes().eq_ignore_ascii_case(&call[1]))
        {
            Some(sub) => Target::Subcommand(sub),
            None => return not_found(),
        },
    };
    let arity = match target {
        Target::Command(spec) => spec.arity,
        Target::Subcommand(sub) => sub.arity,
    };
    let argc = call.len() as i64;
    if (arity > 0 && arity as i64 != argc) || argc < -(arity as i64) {
        return err(format!(
            "wrong number of arguments for '{}' command",
            target.full_name()
        ));
    }
    match user.user.check(target, call) {
        Ok(()) => Reply::Ok,
        Err(Denied::Command) => Reply::bulk(format!(
            "This user has no permissions to run the '{}' command",
            target.full_name()
        )),
        Err(Denied::Key(pos)) => {
            let mut text = b"This user has no permissions to access the '".to_vec();
            text.extend_from_slice(&call[pos]);
            text.extend_from_slice(b"' key");
            Reply::Bulk(Bytes::from(text))
        }
    }
}
