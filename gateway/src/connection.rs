//! One client connection: read, parse every complete request, execute in order, reply once.
// #[PerformanceCriticalPath]
//
// A read batch (everything parsed from one socket read) is cut into segments: runs of reads or runs
// of writes on the same database. Each segment is one gRPC call; segments and gateway-local commands
// run strictly in order, so a GET after a SET in the same pipeline sees the SET (DESIGN.md
// invariant 9). All replies of a batch are encoded into one buffer and written with one syscall.
// CLIENT REPLY, CLIENT PAUSE, MONITOR and the output buffer limits hook in at a few points; their
// part of the loop is in `connection/client_control.rs`.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use tinyredis_common::CommandId;
use tinyredis_common::acl::Denied;
use tinyredis_common::command::{self, CommandSpec, ResolveError, Route, Target};
use tinyredis_common::{Reply, ReplyError};
use tinyredis_proto::pb;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::acl::{LogContext, LogReason};
use crate::arrival::Arrival;
use crate::clients::ClientEntry;
use crate::cmd;
use crate::monitor;
use crate::resp;
use crate::server::Shared;
use crate::session::Session;

mod blocked;
mod client_control;

/// Most commands sent to a node in one call; longer runs are split.
const MAX_SEGMENT_COMMANDS: usize = 1024;
/// Most argument bytes sent to a node in one call (a single larger command still goes alone).
const MAX_SEGMENT_BYTES: usize = 8 << 20;

/// A run of forwarded commands of one kind on one database.
struct Segment {
    write: bool,
    db: u32,
    commands: Vec<pb::Command>,
    /// The command of each entry of `commands`, for the statistics.
    ids: Vec<CommandId>,
    /// Positions in `commands` whose reply is not sent (CLIENT REPLY OFF|SKIP decided when they
    /// were queued); usually empty.
    muted: Vec<usize>,
    bytes: usize,
}

/// Per-connection session state: the only state a gateway keeps (DESIGN.md invariant 2).
pub struct Connection {
    stream: TcpStream,
    shared: Arc<Shared>,
    rbuf: BytesMut,
    wbuf: BytesMut,
    replies: Vec<Reply>,
    session: Session,
    /// Identifies this connection's writes to the state machine's retry table; random so that
    /// ids from different gateways never collide in practice.
    client_id: u64,
    /// Sequence number of the last write segment sent.
    seq: u64,
    /// When the socket last woke this connection, in the gateway-wide order of arrivals.
    arrival: Arrival,
    segment: Option<Segment>,
    /// The cluster settings (users, passwords) were known when the session started; until
    /// then every command is refused, since the gateway cannot tell who may run what.
    auth_ready: bool,
    /// The client was killed while a command waited (CLIENT PAUSE): close without replying.
    killed: bool,
}

impl Connection {
    /// Wraps an accepted socket.
    pub fn new(stream: TcpStream, shared: Arc<Shared>, client: Arc<ClientEntry>) -> Connection {
        let _ = stream.set_nodelay(true);
        let acl = shared.settings.acl();
        Connection {
            stream,
            rbuf: BytesMut::with_capacity(16 * 1024),
            wbuf: BytesMut::with_capacity(16 * 1024),
            replies: Vec::new(),
            session: Session::new(client, &acl),
            auth_ready: shared.settings.is_loaded(),
            shared,
            client_id: rand::random(),
            seq: 0,
            arrival: Arrival::default(),
            segment: None,
            killed: false,
        }
    }

    /// Serves the connection until the client leaves, sends QUIT, breaks the protocol or is
    /// killed, then removes it from the registry.
    pub async fn run(mut self) {
        let client = self.session.client.clone();
        self.serve().await;
        self.shared.clients.remove(client.id);
    }

    async fn serve(&mut self) {
        let client = self.session.client.clone();
        let mut shutting_down = self.shared.shutting_down.clone();
        let mut last_io = Instant::now();
        let mut timeout_changed = self.shared.settings.watch_timeout();
        loop {
            if *shutting_down.borrow() {
                return;
            }
            // CONFIG SET timeout wakes waiting clients, so a new value applies to them too.
            let timeout = *timeout_changed.borrow_and_update();
            let idle_deadline = last_io + Duration::from_secs(timeout.max(1));
            // Kill and shutdown are only observed between batches, so a pipeline in flight
            // always gets its replies.
            tokio::select! {
                read = self.arrival.read(self.stream.read_buf(&mut self.rbuf)) => match read {
                    Ok(0) | Err(_) => return,
                    Ok(n) => {
                        let stats = &self.shared.stats;
                        stats.net_input_bytes.fetch_add(n as u64, Ordering::Relaxed);
                        stats.reads_processed.fetch_add(1, Ordering::Relaxed);
                    }
                },
                _ = monitor::next_lines(self.session.monitor.as_mut(), &mut self.wbuf) => {
                    if !self.write_monitor_lines().await {
                        return;
                    }
                    continue;
                }
                _ = client.kill.notified() => return,
                _ = shutting_down.changed() => return,
                _ = timeout_changed.changed() => continue,
                // Monitors are never idle, as Redis does not time out its replicas.
                _ = tokio::time::sleep_until(idle_deadline.into()),
                    if timeout > 0 && self.session.monitor.is_none() => {
                    let timeout = self.shared.settings.timeout_secs();
                    if timeout > 0 && last_io.elapsed() >= Duration::from_secs(timeout) {
                        // Redis closes idle clients silently.
                        tracing::debug!(client = client.id, "closing idle client (timeout)");
                        return;
                    }
                    continue;
                }
            }
            // Redis closes, without a reply, a client whose unprocessed input outgrows
            // client-query-buffer-limit.
            if self.rbuf.len() as u64 > self.shared.settings.client_query_buffer_limit() {
                tracing::warn!(
                    client = client.id,
                    bytes = self.rbuf.len(),
                    "closing client that reached max query buffer length"
                );
                return;
            }
            if !self.auth_ready {
                self.auth_ready = self.wait_for_settings().await;
            }
            let mut limits = self.shared.settings.limits();
            let mut protocol_error = None;
            loop {
                // Checked per request: an AUTH earlier in the pipeline lifts the limits.
                limits.unauthenticated = self.auth_required();
                match resp::parse_request(&mut self.rbuf, &limits) {
                    Ok(Some(argv)) => {
                        if argv.is_empty() {
                            continue;
                        }
                        self.dispatch(argv).await;
                        self.take_monitor_lines();
                        self.session.reply.command_done();
                        if self.session.quit || self.killed {
                            break;
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        protocol_error = Some(e);
                        break;
                    }
                }
            }
            if self.killed {
                return;
            }
            self.flush_segment().await;
            if let Some(e) = &protocol_error {
                let error = e.to_reply_error();
                self.shared.stats.record_error(&error);
                self.reply(Reply::Error(error));
            }
            if !self.write_replies().await {
                return;
            }
            last_io = Instant::now();
            if self.session.quit || protocol_error.is_some() {
                let _ = self.stream.shutdown().await;
                return;
            }
            // Give memory back after a burst of large requests.
            if self.rbuf.capacity() > 1 << 20 && self.rbuf.is_empty() {
                self.rbuf = BytesMut::with_capacity(16 * 1024);
            }
            if self.wbuf.capacity() > 1 << 20 {
                self.wbuf = BytesMut::with_capacity(16 * 1024);
            }
        }
    }

    /// Waits (at most the failover timeout) for this gateway's first copy of the cluster
    /// settings, then starts the session as Redis starts a client: as the default user,
    /// authenticated if it needs no password. Returns false if the settings did not come.
    async fn wait_for_settings(&mut self) -> bool {
        let settings = &self.shared.settings;
        if !settings
            .wait_loaded(self.shared.router.failover_timeout())
            .await
        {
            return false;
        }
        self.session.set_default_auth(&settings.acl());
        true
    }

    /// Redis's `authRequired`: the client did not authenticate and the default user has a
    /// password or is off (or the gateway does not know the users yet).
    fn auth_required(&self) -> bool {
        !self.auth_ready
            || (!self.session.authenticated && self.shared.settings.default_requires_auth())
    }

    /// Takes the new version of the session's user if the users changed. Returns false, and
    /// makes the connection close after the replies so far, when the user was deleted.
    fn refresh_user(&mut self) -> bool {
        if self.session.acl_version == self.shared.settings.acl_version() {
            return true;
        }
        let acl = self.shared.settings.acl();
        if self.session.refresh_user(&acl) {
            return true;
        }
        tracing::debug!(
            client = self.session.client.id,
            "closing a client whose user was deleted"
        );
        self.session.quit = true;
        false
    }

    /// Refuses a command before it runs: the error is its reply, it counts as rejected, and an
    /// open transaction will abort.
    fn reject(&mut self, id: Option<CommandId>, error: ReplyError) {
        self.session.multi_dirty |= self.session.multi.is_some();
        match id {
            Some(id) => self.shared.stats.record_rejected(id, &error),
            None => self.shared.stats.record_error(&error),
        }
        self.reply(Reply::Error(error));
    }

    /// Checks a call against the session user's ACL rules; on a denial, logs it and returns the
    /// NOPERM error Redis 7.0 replies.
    fn acl_denial(&self, target: Target, argv: &[Bytes], context: LogContext) -> Option<Denied> {
        let user = &self.session.user;
        if user.unrestricted {
            return None;
        }
        let denied = user.user.check(target, argv).err()?;
        let (reason, object) = match denied {
            Denied::Command => (
                LogReason::Command,
                Bytes::from_static(target.full_name().as_bytes()),
            ),
            Denied::Key(pos) => (LogReason::Key, argv[pos].clone()),
        };
        self.shared.acl_log.add(
            reason,
            context,
            object,
            user.name.clone(),
            self.session.client.line(),
        );
        Some(denied)
    }

    /// Queues one request: forwarded commands join the current segment, others run in order.
    ///
    /// The checks run in Redis's order (`processCommand`): the command exists, its arity, the
    /// subcommand exists and its arity, authentication (NOAUTH), then ACL permissions (NOPERM);
    /// a refused command inside MULTI makes EXEC abort.
    async fn dispatch(&mut self, argv: Vec<Bytes>) {
        if !self.refresh_user() {
            return;
        }
        let Some(spec) = command::lookup(&argv[0]) else {
            self.flush_segment().await;
            self.session.multi_dirty |= self.session.multi.is_some();
            let error = unknown_command(&argv);
            self.shared.stats.record_error(&error);
            self.reply(Reply::Error(error));
            return;
        };
        {
            let mut meta = self.session.client.meta();
            meta.last_cmd = spec.name;
            meta.last_active = Instant::now();
        }
        if !spec.arity_ok(argv.len()) {
            self.flush_segment().await;
            self.reject(Some(spec.id), ReplyError::wrong_arity(spec.name.as_bytes()));
            return;
        }
        if !self.auth_ready && spec.id != CommandId::Quit {
            self.flush_segment().await;
            let error = crate::router::ForwardError::ClusterDown {
                write: false,
                deadline: self.shared.router.failover_timeout(),
            }
            .to_reply_error();
            self.reject(Some(spec.id), error);
            return;
        }
        let target = match command::resolve(spec, &argv) {
            Ok(target) => target,
            Err(e) => {
                self.flush_segment().await;
                let error = match e {
                    ResolveError::UnknownSubcommand => ReplyError::UnknownSubcommand {
                        command: Bytes::from(spec.name.to_ascii_uppercase()),
                        subcommand: Bytes::copy_from_slice(&argv[1][..argv[1].len().min(128)]),
                    },
                    ResolveError::WrongArity(name) => {
                        ReplyError::WrongArity(Bytes::from_static(name.as_bytes()))
                    }
                };
                let id = matches!(e, ResolveError::WrongArity(_)).then_some(spec.id);
                self.reject(id, error);
                return;
            }
        };
        if target.is_subcommand() {
            // CLIENT LIST's `cmd=` names the subcommand, as Redis's `lastcmd`.
            self.session.client.meta().last_cmd = target.full_name();
        }
        if self.auth_required() && !target.flags().contains(&"no_auth") {
            self.flush_segment().await;
            self.reject(Some(spec.id), ReplyError::NoAuth);
            return;
        }
        let context = if self.session.multi.is_some() {
            LogContext::Multi
        } else {
            LogContext::Toplevel
        };
        if let Some(denied) = self.acl_denial(target, &argv, context) {
            self.flush_segment().await;
            let error = match denied {
                Denied::Command => ReplyError::NoPerm(Bytes::from(format!(
                    "this user has no permissions to run the '{}' command",
                    target.full_name()
                ))),
                Denied::Key(_) => ReplyError::NoPerm(Bytes::from_static(
                    b"this user has no permissions to access one of the keys used as arguments",
                )),
            };
            self.reject(Some(spec.id), error);
            return;
        }
        if !self.admit(spec, target, &argv).await {
            return;
        }
        if let Some(queue) = self.session.multi.as_mut()
            && !matches!(
                spec.id,
                CommandId::Exec
                    | CommandId::Discard
                    | CommandId::Multi
                    | CommandId::Watch
                    | CommandId::Quit
                    | CommandId::Reset
            )
        {
            queue.push(argv);
            self.reply(Reply::simple("QUEUED"));
            return;
        }
        if let Some(error) = cmd::sort::acl_check(&self.session, target, &argv) {
            // SORT's BY and GET patterns need access to every key: Redis answers this while
            // parsing SORT's options, as an ordinary error reply.
            self.flush_segment().await;
            self.finished(spec.id, &argv, Duration::ZERO, &error);
            self.reply(error);
            return;
        }
        match spec.route {
            Route::Gateway => {
                self.flush_segment().await;
                let started = Instant::now();
                let protocol = self.session.protocol;
                let reply = match spec.id {
                    CommandId::Multi => self.multi(),
                    CommandId::Exec => self.exec().await,
                    CommandId::Discard => self.discard(),
                    CommandId::Watch => self.watch(&argv).await,
                    CommandId::Unwatch => {
                        self.session.watched.clear();
                        Reply::Ok
                    }
                    _ => cmd::execute(&mut self.session, &self.shared, spec.id, &argv).await,
                };
                if self.session.protocol != protocol {
                    // HELLO or RESET: the earlier replies keep the protocol they were made in.
                    self.encode_queued(protocol);
                }
                self.finished(spec.id, &argv, started.elapsed(), &reply);
                self.reply(reply);
                // ACL DELUSER of this connection's own user closes it after the reply.
                self.refresh_user();
            }
            Route::Read | Route::Write | Route::ReadUnlessStore => {
                // A blocking command goes alone, so that the commands after it wait for it.
                let blocking = spec.is_blocking();
                if blocking {
                    self.flush_segment().await;
                }
                let write = spec.is_write_call(&argv);
                let size: usize = argv.iter().map(|a| a.len()).sum();
                let fits = self.segment.as_ref().is_some_and(|s| {
                    s.write == write
                        && s.db == self.session.db
                        && s.commands.len() < MAX_SEGMENT_COMMANDS
                        && s.bytes + size <= MAX_SEGMENT_BYTES
                });
                if !fits {
                    self.flush_segment().await;
                    self.segment = Some(Segment {
                        write,
                        db: self.session.db,
                        commands: Vec::new(),
                        ids: Vec::new(),
                        muted: Vec::new(),
                        bytes: 0,
                    });
                }
                let muted = self.session.reply.muted();
                if let Some(seg) = self.segment.as_mut() {
                    if muted {
                        seg.muted.push(seg.commands.len());
                    }
                    seg.commands.push(pb::Command { argv });
                    seg.ids.push(spec.id);
                    seg.bytes += size;
                }
                if blocking {
                    self.flush_segment().await;
                }
            }
        }
    }

    /// `MULTI`: opens a transaction; commands are queued until EXEC or DISCARD.
    fn multi(&mut self) -> Reply {
        if self.session.multi.is_some() {
            return Reply::Error(ReplyError::err("MULTI calls can not be nested"));
        }
        self.session.multi = Some(Vec::new());
        self.session.multi_dirty = false;
        Reply::Ok
    }

    /// `DISCARD`: drops the open transaction.
    fn discard(&mut self) -> Reply {
        if self.session.multi.take().is_none() {
            return Reply::Error(ReplyError::err("DISCARD without MULTI"));
        }
        self.session.multi_dirty = false;
        self.session.watched.clear();
        Reply::Ok
    }

    /// `WATCH key [key ...]`: records each key's digest as the leader sees it now (a linearizable
    /// read); EXEC aborts if any of them differs when the transaction is applied.
    async fn watch(&mut self, argv: &[Bytes]) -> Reply {
        if self.session.multi.is_some() {
            return Reply::Error(ReplyError::err("WATCH inside MULTI is not allowed"));
        }
        let db = Bytes::from(self.session.db.to_string());
        let mut digest = vec![Bytes::from_static(b"watch"), Bytes::from_static(b"digest")];
        for key in &argv[1..] {
            digest.push(db.clone());
            digest.push(key.clone());
        }
        let (mut replies, _) = self
            .send(
                false,
                self.session.db,
                vec![pb::Command { argv: digest }],
                false,
            )
            .await;
        match replies.pop() {
            Some(Reply::Array(digests)) if digests.len() == argv.len() - 1 => {
                for (key, digest) in argv[1..].iter().zip(digests) {
                    let Reply::Bulk(digest) = digest else {
                        return Reply::Error(ReplyError::err(
                            "internal error: bad WATCH reply from storage node",
                        ));
                    };
                    self.session
                        .watched
                        .push((self.session.db, key.clone(), digest));
                }
                Reply::Ok
            }
            Some(err @ Reply::Error(_)) => err,
            _ => Reply::Error(ReplyError::err(
                "internal error: bad WATCH reply from storage node",
            )),
        }
    }

    /// `EXEC`: runs the queued commands atomically. Every keyspace command of the transaction
    /// (and any SELECT among them) goes to the leader as one segment, which becomes one log entry
    /// (or, when all are reads, one read under one barrier), so no other client's command can
    /// interleave. Gateway-local commands (PING, CLIENT, …) touch no data and are answered here.
    async fn exec(&mut self) -> Reply {
        let Some(queue) = self.session.multi.take() else {
            return Reply::Error(ReplyError::err("EXEC without MULTI"));
        };
        let watched = std::mem::take(&mut self.session.watched);
        if std::mem::take(&mut self.session.multi_dirty) {
            return Reply::Error(ReplyError::ExecAbort);
        }
        let specs: Vec<_> = queue
            .iter()
            .filter_map(|argv| command::lookup(&argv[0]))
            .collect();
        // Permissions are checked again: the user's rules may have changed since queuing.
        self.refresh_user();
        let denials: Vec<Option<Reply>> = queue
            .iter()
            .zip(&specs)
            .map(|(argv, spec)| {
                let target = command::resolve(spec, argv).ok()?;
                let Some(denied) = self.acl_denial(target, argv, LogContext::Multi) else {
                    return cmd::sort::acl_check(&self.session, target, argv);
                };
                let reason = match denied {
                    Denied::Command => "no permission to execute the command or subcommand",
                    Denied::Key(_) => "no permission to touch the specified keys",
                };
                Some(Reply::Error(ReplyError::NoPerm(Bytes::from(format!(
                    "ACLs rules changed between the moment the transaction was accumulated and \
                     the EXEC call. This command is no longer allowed for the following reason: \
                     {reason}"
                )))))
            })
            .collect();
        let to_node =
            |spec: &&CommandSpec| spec.route != Route::Gateway || spec.id == CommandId::Select;
        let write = queue
            .iter()
            .zip(&specs)
            .zip(&denials)
            .any(|((argv, spec), denied)| denied.is_none() && spec.is_write_call(argv));
        let mut node_commands: Vec<pb::Command> = Vec::with_capacity(queue.len() + 1);
        // The watched keys' digests go first: the node checks them atomically with the
        // transaction and skips it if any key changed.
        if !watched.is_empty() {
            let mut check = vec![Bytes::from_static(b"watch"), Bytes::from_static(b"check")];
            for (db, key, digest) in watched {
                check.extend([Bytes::from(db.to_string()), key, digest]);
            }
            node_commands.push(pb::Command { argv: check });
        }
        let checked = !node_commands.is_empty();
        node_commands.extend(
            queue
                .iter()
                .zip(&specs)
                .zip(&denials)
                .filter(|((_, spec), denied)| denied.is_none() && to_node(spec))
                .map(|((argv, _), _)| pb::Command { argv: argv.clone() }),
        );
        let n_node = node_commands.len() as u32;
        let started = Instant::now();
        let mut node_replies = if node_commands.is_empty() {
            Vec::new()
        } else {
            self.send(write, self.session.db, node_commands, write)
                .await
                .0
        }
        .into_iter();
        if checked {
            match node_replies.next() {
                Some(Reply::Ok) => {}
                // A watched key changed (or the check could not run): nothing was executed.
                Some(Reply::Error(e)) if e.is_watch_failed() => return Reply::NilArray,
                Some(err @ Reply::Error(_)) => return err,
                _ => {
                    return Reply::Error(ReplyError::err(
                        "internal error: bad WATCH reply from storage node",
                    ));
                }
            }
        }
        let node_share = started.elapsed() / n_node.max(1);
        let mut replies = Vec::with_capacity(queue.len());
        self.session.in_exec = true;
        for ((argv, spec), denied) in queue.iter().zip(&specs).zip(denials) {
            if let Some(error) = denied {
                replies.push(error);
            } else if to_node(spec) {
                let reply = node_replies.next().unwrap_or(Reply::Nil);
                if spec.id == CommandId::Select
                    && reply == Reply::Ok
                    && let Some(db) = tinyredis_common::num::parse_i64(&argv[1])
                {
                    self.session.set_db(db as u32);
                }
                self.finished(spec.id, argv, node_share, &reply);
                replies.push(reply);
            } else {
                let started = Instant::now();
                let reply = cmd::execute(&mut self.session, &self.shared, spec.id, argv).await;
                self.finished(spec.id, argv, started.elapsed(), &reply);
                replies.push(reply);
            }
        }
        self.session.in_exec = false;
        Reply::Array(replies)
    }

    /// Sends the pending segment to the leader and queues its replies.
    async fn flush_segment(&mut self) {
        let Some(seg) = self.segment.take() else {
            return;
        };
        let started = Instant::now();
        let (mut replies, commands) = self.send(seg.write, seg.db, seg.commands, false).await;
        // A blocking command the leader registered as waiting: wait for its real reply. As in
        // Redis, the time spent blocked does not count as the command's duration.
        let mut blocked_for = Duration::ZERO;
        if let Some(pos) = replies
            .iter()
            .position(|r| matches!(r, Reply::Blocked { .. }))
        {
            let blocked_at = Instant::now();
            replies[pos] = self
                .wait_blocked(&replies[pos], started, seg.db, &commands[pos].argv)
                .await;
            blocked_for = blocked_at.elapsed();
        }
        let share = started.elapsed().saturating_sub(blocked_for) / seg.ids.len().max(1) as u32;
        for ((id, command), reply) in seg.ids.iter().zip(&commands).zip(&replies) {
            self.finished(*id, &command.argv, share, reply);
        }
        if seg.muted.is_empty() {
            self.replies.extend(replies);
        } else {
            let sent = replies
                .into_iter()
                .enumerate()
                .filter(|(i, _)| !seg.muted.contains(i));
            self.replies.extend(sent.map(|(_, reply)| reply));
        }
    }

    /// Accounts for a command that ran, in one place: statistics, slow log, latency monitor.
    fn finished(&self, id: CommandId, argv: &[Bytes], elapsed: Duration, reply: &Reply) {
        let shared = &self.shared;
        shared.stats.record_call(id, elapsed, reply);
        let spec = command::spec(id);
        if shared.slowlog.is_slow(elapsed) && !spec.flags.contains(&"skip_slowlog") {
            let client = &self.session.client;
            let name = client.meta().name.clone();
            let argv = crate::slowlog::redacted(id, argv);
            shared
                .slowlog
                .push(&argv, elapsed, client.addr.clone(), name);
        }
        let event = if spec.flags.contains(&"fast") {
            "fast-command"
        } else {
            "command"
        };
        shared.latency.record(event, elapsed);
        if shared.monitors.is_active() {
            self.feed_monitors(id, argv);
        }
    }

    /// Executes commands on the leader as one segment (`transaction`: a MULTI/EXEC block);
    /// returns exactly one reply per command, and the commands back (for the slow log).
    async fn send(
        &mut self,
        write: bool,
        db: u32,
        commands: Vec<pb::Command>,
        transaction: bool,
    ) -> (Vec<Reply>, Vec<pb::Command>) {
        let n = commands.len();
        let seq = if write {
            self.seq += 1;
            self.seq
        } else {
            0
        };
        let req = pb::ExecuteRequest {
            client_id: self.client_id,
            seq,
            db,
            write,
            commands,
            transaction,
        };
        let replies = match self
            .shared
            .router
            .execute_ordered(&req, Some(&self.arrival))
            .await
        {
            Ok(replies) if replies.len() == n => replies,
            Ok(_) => {
                let err = Reply::Error(ReplyError::err(
                    "internal error: reply count mismatch from storage node",
                ));
                vec![err; n]
            }
            Err(e) => vec![Reply::Error(e.to_reply_error()); n],
        };
        (replies, req.commands)
    }
}

/// Builds Redis's unknown-command error, echoing the first arguments as Redis does.
fn unknown_command(argv: &[Bytes]) -> ReplyError {
    let mut args = Vec::new();
    let mut len = 0;
    for a in argv.iter().skip(1) {
        if len >= 128 {
            break;
        }
        len += a.len();
        args.push(a.clone());
    }
    ReplyError::UnknownCommand {
        name: argv[0].clone(),
        args,
    }
}
