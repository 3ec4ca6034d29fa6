//! SORT's ACL rule: BY with a pattern and GET read keys the command does not name, so Redis
//! allows them only to users who can read every key.

use bytes::Bytes;
use tinyredis_common::command::key_flags::ACCESS;
use tinyredis_common::command::{CommandId, Target};
use tinyredis_common::num::parse_i64;
use tinyredis_common::{Reply, ReplyError};

use crate::session::Session;

/// Returns Redis's error when a SORT or SORT_RO call uses BY with a pattern or GET and the
/// session's user cannot read every key. SORT's options are walked as `sortCommand` parses them,
/// so an option error that comes first is left to the node to report.
pub fn acl_check(session: &Session, target: Target, argv: &[Bytes]) -> Option<Reply> {
    let Target::Command(spec) = target else {
        return None;
    };
    let readonly = match spec.id {
        CommandId::Sort => false,
        CommandId::SortRo => true,
        _ => return None,
    };
    let user = &session.user.user;
    if user.unrestricted() || user.has_unrestricted_key_access(target, argv, ACCESS) {
        return None;
    }
    let denied = |option: &str| {
        Some(Reply::Error(ReplyError::Err(Bytes::from(format!(
            "{option} option of SORT denied due to insufficient ACL permissions."
        )))))
    };
    let mut j = 2;
    while j < argv.len() {
        let left = argv.len() - j - 1;
        let arg = &argv[j];
        let is = |word: &[u8]| arg.eq_ignore_ascii_case(word);
        if is(b"asc") || is(b"desc") || is(b"alpha") {
        } else if is(b"limit") && left >= 2 {
            if parse_i64(&argv[j + 1]).is_none() || parse_i64(&argv[j + 2]).is_none() {
                return None;
            }
            j += 2;
        } else if !readonly && is(b"store") && left >= 1 {
            j += 1;
        } else if is(b"by") && left >= 1 {
            if argv[j + 1].contains(&b'*') {
                return denied("BY");
            }
            j += 1;
        } else if is(b"get") && left >= 1 {
            return denied("GET");
        } else {
            return None;
        }
        j += 1;
    }
    None
}
