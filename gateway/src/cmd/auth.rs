//! `AUTH [username] password`, and the authentication HELLO's AUTH option shares.

use bytes::Bytes;
use tinyredis_common::acl::DEFAULT_USER;
use tinyredis_common::{Reply, ReplyError};

use crate::acl::LogReason;
use crate::server::Shared;
use crate::session::Session;

/// Redis's error for `AUTH password` while the default user needs no password.
const NO_DEFAULT_PASSWORD: &str = "AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?";

/// `AUTH password` authenticates as `default`, `AUTH username password` as that user.
pub fn auth(session: &mut Session, shared: &Shared, argv: &[Bytes]) -> Reply {
    if argv.len() > 3 {
        return Reply::Error(ReplyError::Syntax);
    }
    let (username, password) = if argv.len() == 2 {
        if shared.settings.acl().default_user().user.is_nopass() {
            return Reply::Error(ReplyError::err(NO_DEFAULT_PASSWORD));
        }
        (Bytes::from_static(DEFAULT_USER), &argv[1])
    } else {
        (argv[1].clone(), &argv[2])
    };
    if authenticate(session, shared, &username, password, &argv[0]) {
        Reply::Ok
    } else {
        Reply::Error(ReplyError::WrongPass)
    }
}

/// Checks a user's password (`ACLAuthenticateUser`): on success the session runs as that user,
/// authenticated; on failure an `auth` entry goes to the ACL log, with the command name as sent
/// (`command`) as its object.
pub fn authenticate(
    session: &mut Session,
    shared: &Shared,
    username: &Bytes,
    password: &[u8],
    command: &Bytes,
) -> bool {
    let acl = shared.settings.acl();
    match acl.user(username) {
        Some(user) if user.user.check_password(password) => {
            session.set_user(user, true, acl.version);
            true
        }
        _ => {
            shared.acl_log.add(
                LogReason::Auth,
                session.log_context(),
                command.clone(),
                username.clone(),
                session.client.line(),
            );
            false
        }
    }
}
