//! One client connection: read, parse every complete request, execute in order, reply once.
// #[PerformanceCriticalPath]
//
// A read batch (everything parsed from one socket read) is cut into segments: runs of reads or runs
// of writes on the same database. Each segment is one gRPC call; segments and gateway-local commands
// run strictly in order, so a GET after a SET in the same pipeline sees the SET (DESIGN.md
// invariant 9). All replies of a batch are encoded into one buffer and written with one syscall.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use bytes::{Bytes, BytesMut};
use tinyredis_common::command::{self, CommandId, Route};
use tinyredis_common::num::parse_i64;
use tinyredis_common::{NUM_DATABASES, Reply, ReplyError};
use tinyredis_proto::pb;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::info;
use crate::resp::{self, Protocol};
use crate::server::Shared;

/// Most commands sent to a node in one call; longer runs are split.
const MAX_SEGMENT_COMMANDS: usize = 1024;
/// Most argument bytes sent to a node in one call (a single larger command still goes alone).
const MAX_SEGMENT_BYTES: usize = 8 << 20;

/// A run of forwarded commands of one kind on one database.
struct Segment {
    write: bool,
    db: u32,
    commands: Vec<pb::Command>,
    bytes: usize,
}

/// Per-connection session state: the only state a gateway keeps (DESIGN.md invariant 2).
pub struct Connection {
    stream: TcpStream,
    shared: Arc<Shared>,
    rbuf: BytesMut,
    wbuf: BytesMut,
    replies: Vec<Reply>,
    protocol: Protocol,
    db: u32,
    client_id: u64,
    /// Sequence number of the last write segment sent.
    seq: u64,
    segment: Option<Segment>,
    quit: bool,
}

impl Connection {
    /// Wraps an accepted socket.
    pub fn new(stream: TcpStream, shared: Arc<Shared>) -> Connection {
        let _ = stream.set_nodelay(true);
        Connection {
            stream,
            shared,
            rbuf: BytesMut::with_capacity(16 * 1024),
            wbuf: BytesMut::with_capacity(16 * 1024),
            replies: Vec::new(),
            protocol: Protocol::Resp2,
            db: 0,
            client_id: rand::random(),
            seq: 0,
            segment: None,
            quit: false,
        }
    }

    /// Serves the connection until the client leaves, sends QUIT, or breaks the protocol.
    pub async fn run(mut self) {
        loop {
            match self.stream.read_buf(&mut self.rbuf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let mut protocol_error = None;
            loop {
                match resp::parse_request(&mut self.rbuf, &self.shared.limits) {
                    Ok(Some(argv)) => {
                        if argv.is_empty() {
                            continue;
                        }
                        self.dispatch(argv).await;
                        if self.quit {
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
                self.replies.push(Reply::Error(e.to_reply_error()));
            }
            for reply in self.replies.drain(..) {
                resp::encode(&reply, self.protocol, &mut self.wbuf);
            }
            if self.stream.write_all(&self.wbuf).await.is_err() {
                return;
            }
            self.wbuf.clear();
            if self.quit || protocol_error.is_some() {
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
            let mut args = Vec::new();
            let mut len = 0;
            for a in argv.iter().skip(1) {
                if len >= 128 {
                    break;
                }
                len += a.len();
                args.push(a.clone());
            }
            self.replies.push(Reply::Error(ReplyError::UnknownCommand {
                name: argv[0].clone(),
                args,
            }));
            return;
        };
        if !spec.arity_ok(argv.len()) {
            self.flush_segment().await;
            self.replies
                .push(Reply::Error(ReplyError::wrong_arity(spec.name.as_bytes())));
            return;
        }
        match spec.route {
            Route::Gateway => {
                self.flush_segment().await;
                let reply = self.local(spec.id, &argv).await;
                self.replies.push(reply);
            }
            Route::Read | Route::Write => {
                let write = spec.route == Route::Write;
                let size: usize = argv.iter().map(|a| a.len()).sum();
                let fits = self.segment.as_ref().is_some_and(|s| {
                    s.write == write
                        && s.db == self.db
                        && s.commands.len() < MAX_SEGMENT_COMMANDS
                        && s.bytes + size <= MAX_SEGMENT_BYTES
                });
                if !fits {
                    self.flush_segment().await;
                    self.segment = Some(Segment {
                        write,
                        db: self.db,
                        commands: Vec::new(),
                        bytes: 0,
                    });
                }
                if let Some(seg) = self.segment.as_mut() {
                    seg.commands.push(pb::Command { argv });
                    seg.bytes += size;
                }
            }
        }
    }

    /// Sends the pending segment to the leader and queues its replies.
    async fn flush_segment(&mut self) {
        let Some(seg) = self.segment.take() else {
            return;
        };
        let n = seg.commands.len();
        let seq = if seg.write {
            self.seq += 1;
            self.seq
        } else {
            0
        };
        let req = pb::ExecuteRequest {
            client_id: self.client_id,
            seq,
            db: seg.db,
            write: seg.write,
            commands: seg.commands,
        };
        match self.shared.router.execute(req).await {
            Ok(replies) if replies.len() == n => self.replies.extend(replies),
            Ok(_) => {
                let err = Reply::Error(ReplyError::err(
                    "internal error: reply count mismatch from storage node",
                ));
                self.replies.extend(std::iter::repeat_n(err, n));
            }
            Err(e) => {
                let err = Reply::Error(e.to_reply_error());
                self.replies.extend(std::iter::repeat_n(err, n));
            }
        }
    }

    /// Executes a gateway-local command.
    async fn local(&mut self, id: CommandId, argv: &[Bytes]) -> Reply {
        match id {
            CommandId::Ping => match argv.len() {
                1 => Reply::simple("PONG"),
                2 => Reply::Bulk(argv[1].clone()),
                _ => Reply::Error(ReplyError::wrong_arity(b"ping")),
            },
            CommandId::Echo => Reply::Bulk(argv[1].clone()),
            CommandId::Quit => {
                self.quit = true;
                Reply::Ok
            }
            CommandId::Select => match parse_i64(&argv[1]) {
                None => Reply::Error(ReplyError::NotInteger),
                Some(n) if n < 0 || n >= NUM_DATABASES as i64 => {
                    Reply::Error(ReplyError::DbIndexOutOfRange)
                }
                Some(n) => {
                    self.db = n as u32;
                    Reply::Ok
                }
            },
            CommandId::Info => {
                let text = info::render(&self.shared, &argv[1..]).await;
                Reply::Bulk(Bytes::from(text))
            }
            // Every other command is routed to a node; the table says so.
            _ => Reply::Error(ReplyError::err(
                "internal error: command not executable on the gateway",
            )),
        }
    }
}

/// Counts a connection for INFO's `connected_clients` while it lives.
pub struct ClientGuard(pub Arc<Shared>);

impl Drop for ClientGuard {
    fn drop(&mut self) {
        self.0.connected_clients.fetch_sub(1, Ordering::Relaxed);
    }
}
