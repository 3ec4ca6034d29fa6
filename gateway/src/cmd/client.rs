//! `CLIENT ID|SETNAME|GETNAME|SETINFO|LIST|INFO|KILL|REPLY|PAUSE|UNPAUSE|UNBLOCK|NO-EVICT|NO-TOUCH|HELP`.
//!
//! REPLY changes the session's [`crate::reply_mode::ReplyMode`]; PAUSE and UNPAUSE this gateway's
//! [`crate::pause::Pause`]; UNBLOCK ends a blocking command's wait ([`crate::blocking`]).

use std::sync::Arc;

use bytes::Bytes;
use tinyredis_common::num::parse_i64;
use tinyredis_common::{Reply, ReplyError};

use super::valid_name;
use crate::clients::ClientEntry;
use crate::pause::{self, PauseKind};
use crate::server::Shared;
use crate::session::Session;

const HELP: &[&str] = &[
    "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "GETNAME",
    "    Return the name of the current connection.",
    "ID",
    "    Return the ID of the current connection.",
    "INFO",
    "    Return information about the current client connection.",
    "KILL <ip:port>",
    "    Kill connection made from <ip:port>.",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Kill connections. Options are:",
    "    * ADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made from the specified address",
    "    * LADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made to specified local address",
    "    * ID <client-id>",
    "      Kill connections by client id.",
    "    * USER <username>",
    "      Kill connections authenticated by <username>.",
    "    * SKIPME (YES|NO)",
    "      Skip killing current connection (default: yes).",
    "LIST [options ...]",
    "    Return information about client connections. Options:",
    "    * ID <client-id> [client-id ...]",
    "      Return clients with specified IDs only.",
    "UNPAUSE",
    "    Stop the current client pause, resuming traffic.",
    "PAUSE <timeout> [WRITE|ALL]",
    "    Suspend all, or just write, clients for <timeout> milliseconds.",
    "REPLY (ON|OFF|SKIP)",
    "    Control the replies sent to the current connection.",
    "NO-EVICT (ON|OFF)",
    "    Protect current client connection from eviction.",
    "NO-TOUCH (ON|OFF)",
    "    Will not touch LRU/LFU stats when this mode is on.",
    "SETINFO <option> <value>",
    "    Set client meta attr. Options are:",
    "    * LIB-NAME: the client lib name.",
    "    * LIB-VER: the client lib version.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
    "UNBLOCK <clientid> [TIMEOUT|ERROR]",
    "    Unblock the specified blocked client.",
    "HELP",
    "    Print this help.",
];

fn arity(sub: &str) -> Reply {
    Reply::Error(ReplyError::WrongArity(Bytes::from(format!("client|{sub}"))))
}

fn bad_name() -> Reply {
    Reply::Error(ReplyError::err(
        "Client names cannot contain spaces, newlines or special characters.",
    ))
}

/// Dispatches a CLIENT subcommand.
pub fn client(session: &mut Session, shared: &Shared, argv: &[Bytes]) -> Reply {
    let sub = &argv[1];
    let n = argv.len();
    let is = |name: &str| sub.eq_ignore_ascii_case(name.as_bytes());
    if is("id") {
        if n != 2 {
            return arity("id");
        }
        Reply::Integer(session.client.id as i64)
    } else if is("setname") {
        if n != 3 {
            return arity("setname");
        }
        if !valid_name(&argv[2]) {
            return bad_name();
        }
        session.client.meta().name = (!argv[2].is_empty()).then(|| argv[2].clone());
        Reply::Ok
    } else if is("getname") {
        if n != 2 {
            return arity("getname");
        }
        session.client.meta().name.clone().into()
    } else if is("setinfo") {
        if n != 4 {
            return arity("setinfo");
        }
        if !valid_name(&argv[3]) {
            let text = format!(
                "{} cannot contain spaces, newlines or special characters.",
                String::from_utf8_lossy(&argv[2]).to_ascii_uppercase()
            );
            return Reply::Error(ReplyError::Err(Bytes::from(text)));
        }
        let value = (!argv[3].is_empty()).then(|| argv[3].clone());
        let mut meta = session.client.meta();
        if argv[2].eq_ignore_ascii_case(b"lib-name") {
            meta.lib_name = value;
        } else if argv[2].eq_ignore_ascii_case(b"lib-ver") {
            meta.lib_ver = value;
        } else {
            let text = format!(
                "Unrecognized option '{}'",
                String::from_utf8_lossy(&argv[2])
            );
            return Reply::Error(ReplyError::Err(Bytes::from(text)));
        }
        Reply::Ok
    } else if is("info") {
        if n != 2 {
            return arity("info");
        }
        Reply::Verbatim(Bytes::from(session.client.line() + "\n"))
    } else if is("list") {
        list(shared, &argv[2..])
    } else if is("kill") {
        kill(session, shared, &argv[2..])
    } else if is("reply") {
        reply(session, &argv[2])
    } else if is("pause") {
        if n != 3 && n != 4 {
            return super::subcommand_syntax_error(argv);
        }
        client_pause(shared, &argv[2..])
    } else if is("unpause") {
        shared.pause.unpause();
        Reply::Ok
    } else if is("no-evict") || is("no-touch") {
        if n != 3 {
            return arity(if is("no-evict") {
                "no-evict"
            } else {
                "no-touch"
            });
        }
        // tinyredis never evicts and keeps no LRU/LFU statistics: both modes are accepted as
        // stated and change nothing.
        if argv[2].eq_ignore_ascii_case(b"on") || argv[2].eq_ignore_ascii_case(b"off") {
            Reply::Ok
        } else {
            Reply::Error(ReplyError::Syntax)
        }
    } else if is("unblock") {
        crate::blocking::client_unblock(shared, argv)
    } else if is("help") {
        super::help(HELP)
    } else {
        Reply::Error(ReplyError::UnknownSubcommand {
            command: Bytes::from_static(b"CLIENT"),
            subcommand: sub.clone(),
        })
    }
}

/// `CLIENT REPLY ON|OFF|SKIP`. OFF and SKIP silence their own reply (see
/// [`crate::reply_mode`]).
fn reply(session: &mut Session, mode: &[u8]) -> Reply {
    if mode.eq_ignore_ascii_case(b"on") {
        session.reply.on();
    } else if mode.eq_ignore_ascii_case(b"off") {
        session.reply.off();
    } else if mode.eq_ignore_ascii_case(b"skip") {
        session.reply.skip(session.in_exec);
    } else {
        return Reply::Error(ReplyError::Syntax);
    }
    Reply::Ok
}

/// `CLIENT PAUSE timeout [WRITE|ALL]`: the mode is checked before the timeout, as in Redis.
fn client_pause(shared: &Shared, args: &[Bytes]) -> Reply {
    let kind = match args.get(1) {
        None => PauseKind::All,
        Some(m) if m.eq_ignore_ascii_case(b"write") => PauseKind::Write,
        Some(m) if m.eq_ignore_ascii_case(b"all") => PauseKind::All,
        Some(_) => {
            return Reply::Error(ReplyError::err("CLIENT PAUSE mode must be WRITE or ALL"));
        }
    };
    let Some(timeout) = parse_i64(&args[0]) else {
        return Reply::Error(ReplyError::err("timeout is not an integer or out of range"));
    };
    if timeout < 0 {
        return Reply::Error(ReplyError::err("timeout is negative"));
    }
    shared
        .pause
        .pause(kind, pause::end_time(pause::now_ms(), timeout));
    Reply::Ok
}

/// `CLIENT LIST [TYPE normal] [ID id ...]`.
fn list(shared: &Shared, args: &[Bytes]) -> Reply {
    let mut ids: Option<Vec<u64>> = None;
    let mut i = 0;
    while i < args.len() {
        if args[i].eq_ignore_ascii_case(b"id") && i + 1 < args.len() {
            let mut v = Vec::new();
            for a in &args[i + 1..] {
                match parse_i64(a) {
                    Some(id) if id > 0 => v.push(id as u64),
                    _ => return Reply::Error(ReplyError::err("Invalid client ID")),
                }
            }
            ids = Some(v);
            break;
        } else if args[i].eq_ignore_ascii_case(b"type") && i + 1 < args.len() {
            let t = &args[i + 1];
            if t.eq_ignore_ascii_case(b"normal") {
                i += 2;
                continue;
            }
            if [b"master".as_slice(), b"replica", b"slave", b"pubsub"]
                .iter()
                .any(|k| t.eq_ignore_ascii_case(k))
            {
                return Reply::Verbatim(Bytes::new());
            }
            let text = format!("Unknown client type '{}'", String::from_utf8_lossy(t));
            return Reply::Error(ReplyError::Err(Bytes::from(text)));
        } else {
            return Reply::Error(ReplyError::Syntax);
        }
    }
    let mut out = String::new();
    for c in shared.clients.list() {
        if ids.as_ref().is_some_and(|ids| !ids.contains(&c.id)) {
            continue;
        }
        out.push_str(&c.line());
        out.push('\n');
    }
    Reply::Verbatim(Bytes::from(out))
}

/// `CLIENT KILL ip:port` or `CLIENT KILL [ID id] [ADDR ip:port] [LADDR ip:port] [USER name]
/// [TYPE normal] [SKIPME yes|no]`.
fn kill(session: &Session, shared: &Shared, args: &[Bytes]) -> Reply {
    if args.len() == 1 {
        let addr = &args[0];
        let victim = shared
            .clients
            .list()
            .into_iter()
            .find(|c| c.addr.as_bytes() == &addr[..]);
        return match victim {
            Some(c) => {
                c.kill.notify_one();
                Reply::Ok
            }
            None => Reply::Error(ReplyError::err("No such client")),
        };
    }
    if args.is_empty() || !args.len().is_multiple_of(2) {
        return Reply::Error(ReplyError::Syntax);
    }
    let mut id = None;
    let mut addr = None;
    let mut laddr = None;
    let mut skipme = true;
    let mut user = None;
    for pair in args.chunks(2) {
        let (opt, val) = (&pair[0], &pair[1]);
        if opt.eq_ignore_ascii_case(b"id") {
            match parse_i64(val) {
                Some(v) if v > 0 => id = Some(v as u64),
                _ => return Reply::Error(ReplyError::err("client-id should be greater than 0")),
            }
        } else if opt.eq_ignore_ascii_case(b"addr") {
            addr = Some(val.clone());
        } else if opt.eq_ignore_ascii_case(b"laddr") {
            laddr = Some(val.clone());
        } else if opt.eq_ignore_ascii_case(b"skipme") {
            if val.eq_ignore_ascii_case(b"yes") {
                skipme = true;
            } else if val.eq_ignore_ascii_case(b"no") {
                skipme = false;
            } else {
                return Reply::Error(ReplyError::Syntax);
            }
        } else if opt.eq_ignore_ascii_case(b"type") {
            // Every client of a gateway is a normal client.
            if !val.eq_ignore_ascii_case(b"normal") {
                return Reply::Integer(0);
            }
        } else if opt.eq_ignore_ascii_case(b"user") {
            if shared.settings.acl().user(val).is_none() {
                let text = format!("No such user '{}'", String::from_utf8_lossy(val));
                return Reply::Error(ReplyError::Err(Bytes::from(text)));
            }
            user = Some(val.clone());
        } else {
            return Reply::Error(ReplyError::Syntax);
        }
    }
    let matches = |c: &Arc<ClientEntry>| {
        id.is_none_or(|id| c.id == id)
            && addr.as_ref().is_none_or(|a| c.addr.as_bytes() == &a[..])
            && laddr.as_ref().is_none_or(|a| c.laddr.as_bytes() == &a[..])
            && user.as_ref().is_none_or(|u| c.meta().user == *u)
            && !(skipme && c.id == session.client.id)
    };
    let mut killed = 0;
    for c in shared.clients.list().iter().filter(|c| matches(c)) {
        c.kill.notify_one();
        killed += 1;
    }
    Reply::Integer(killed)
}
