//! One client connection: read, parse every complete request, execute in order, reply once.
// #[PerformanceCriticalPath]
//
// A read batch (everything parsed from one socket read) is cut into segments: runs of reads or runs
// of writes on the same database. Each segment is one gRPC call; segments and gateway-local commands
// run strictly in order, so a GET after a SET in the same pipeline sees the SET (DESIGN.md
// invariant 9). All replies of a batch are encoded into one buffer and written with one syscall.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use tinyredis_common::CommandId;
use tinyredis_common::command::{self, CommandSpec, Route};
use tinyredis_common::{Reply, ReplyError};
use tinyredis_proto::pb;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::arrival::Arrival;
use crate::clients::ClientEntry;
use crate::cmd;
use crate::resp;
use crate::server::Shared;
use crate::session::Session;

mod blocked;

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
}

impl Connection {
    /// Wraps an accepted socket.
    pub fn new(stream: TcpStream, shared: Arc<Shared>, client: Arc<ClientEntry>) -> Connection {
        let _ = stream.set_nodelay(true);
        Connection {
            stream,
            shared,
            rbuf: BytesMut::with_capacity(16 * 1024),
            wbuf: BytesMut::with_capacity(16 * 1024),
            replies: Vec::new(),
            session: Session::new(client),
            client_id: rand::random(),
            seq: 0,
            arrival: Arrival::default(),
            segment: None,
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
                _ = client.kill.notified() => return,
                _ = shutting_down.changed() => return,
                _ = timeout_changed.changed() => continue,
                _ = tokio::time::sleep_until(idle_deadline.into()), if timeout > 0 => {
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
            let limits = self.shared.settings.limits();
            let mut protocol_error = None;
            loop {
                match resp::parse_request(&mut self.rbuf, &limits) {
                    Ok(Some(argv)) => {
                        if argv.is_empty() {
                            continue;
                        }
                        self.dispatch(argv).await;
                        if self.session.quit {
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
            self.flush_segment().await;
            if let Some(e) = &protocol_error {
                let error = e.to_reply_error();
                self.shared.stats.record_error(&error);
                self.replies.push(Reply::Error(error));
            }
            for reply in self.replies.drain(..) {
                resp::encode(&reply, self.session.protocol, &mut self.wbuf);
            }
            if self.stream.write_all(&self.wbuf).await.is_err() {
                return;
            }
            let stats = &self.shared.stats;
            stats
                .net_output_bytes
                .fetch_add(self.wbuf.len() as u64, Ordering::Relaxed);
            stats.writes_processed.fetch_add(1, Ordering::Relaxed);
            last_io = Instant::now();
            self.wbuf.clear();
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

    /// Queues one request: forwarded commands join the current segment, others run in order.
    async fn dispatch(&mut self, argv: Vec<Bytes>) {
        let Some(spec) = command::lookup(&argv[0]) else {
            self.flush_segment().await;
            self.session.multi_dirty |= self.session.multi.is_some();
            let error = unknown_command(&argv);
            self.shared.stats.record_error(&error);
            self.replies.push(Reply::Error(error));
            return;
        };
        {
            let mut meta = self.session.client.meta();
            meta.last_cmd = spec.name;
            meta.last_active = Instant::now();
        }
        if !spec.arity_ok(argv.len()) {
            self.flush_segment().await;
            self.session.multi_dirty |= self.session.multi.is_some();
            let error = ReplyError::wrong_arity(spec.name.as_bytes());
            self.shared.stats.record_rejected(spec.id, &error);
            self.replies.push(Reply::Error(error));
            return;
        }
        if let Some(queue) = self.session.multi.as_mut()
            && !matches!(
                spec.id,
                CommandId::Exec
                    | CommandId::Discard
                    | CommandId::Multi
                    | CommandId::Quit
                    | CommandId::Reset
            )
        {
            queue.push(argv);
            self.replies.push(Reply::simple("QUEUED"));
            return;
        }
        match spec.route {
            Route::Gateway => {
                self.flush_segment().await;
                let started = Instant::now();
                let reply = match spec.id {
                    CommandId::Multi => self.multi(),
                    CommandId::Exec => self.exec().await,
                    CommandId::Discard => self.discard(),
                    _ => cmd::execute(&mut self.session, &self.shared, spec.id, &argv).await,
                };
                self.finished(spec.id, &argv, started.elapsed(), &reply);
                self.replies.push(reply);
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
                        bytes: 0,
                    });
                }
                if let Some(seg) = self.segment.as_mut() {
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
        Reply::Ok
    }

    /// `EXEC`: runs the queued commands atomically. Every keyspace command of the transaction
    /// (and any SELECT among them) goes to the leader as one segment, which becomes one log entry
    /// (or, when all are reads, one read under one barrier), so no other client's command can
    /// interleave. Gateway-local commands (PING, CLIENT, …) touch no data and are answered here.
    async fn exec(&mut self) -> Reply {
        let Some(queue) = self.session.multi.take() else {
            return Reply::Error(ReplyError::err("EXEC without MULTI"));
        };
        if std::mem::take(&mut self.session.multi_dirty) {
            return Reply::Error(ReplyError::ExecAbort);
        }
        let specs: Vec<_> = queue
            .iter()
            .filter_map(|argv| command::lookup(&argv[0]))
            .collect();
        let to_node =
            |spec: &&CommandSpec| spec.route != Route::Gateway || spec.id == CommandId::Select;
        let write = queue
            .iter()
            .zip(&specs)
            .any(|(argv, spec)| spec.is_write_call(argv));
        let node_commands: Vec<pb::Command> = queue
            .iter()
            .zip(&specs)
            .filter(|(_, spec)| to_node(spec))
            .map(|(argv, _)| pb::Command { argv: argv.clone() })
            .collect();
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
        let node_share = started.elapsed() / n_node.max(1);
        let mut replies = Vec::with_capacity(queue.len());
        for (argv, spec) in queue.iter().zip(&specs) {
            if to_node(spec) {
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
        self.replies.extend(replies);
    }

    /// Accounts for a command that ran, in one place: statistics, slow log, latency monitor.
    fn finished(&self, id: CommandId, argv: &[Bytes], elapsed: Duration, reply: &Reply) {
        let shared = &self.shared;
        shared.stats.record_call(id, elapsed, reply);
        let spec = command::spec(id);
        if shared.slowlog.is_slow(elapsed) && !spec.flags.contains(&"skip_slowlog") {
            let client = &self.session.client;
            let name = client.meta().name.clone();
            shared
                .slowlog
                .push(argv, elapsed, client.addr.clone(), name);
        }
        let event = if spec.flags.contains(&"fast") {
            "fast-command"
        } else {
            "command"
        };
        shared.latency.record(event, elapsed);
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
