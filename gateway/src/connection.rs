//! One client connection: read, parse every complete request, execute in order, reply once.
// #[PerformanceCriticalPath]
//
// A read batch (everything parsed from one socket read) is cut into segments: runs of reads or runs
// of writes on the same database. Each segment is one gRPC call; segments and gateway-local commands
// run strictly in order, so a GET after a SET in the same pipeline sees the SET (DESIGN.md
// invariant 9). All replies of a batch are encoded into one buffer and written with one syscall.

use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use tinyredis_common::command::{self, Route};
use tinyredis_common::{Reply, ReplyError};
use tinyredis_proto::pb;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::clients::ClientEntry;
use crate::cmd;
use crate::resp;
use crate::server::Shared;
use crate::session::Session;

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
    session: Session,
    /// Identifies this connection's writes to the state machine's retry table; random so that
    /// ids from different gateways never collide in practice.
    client_id: u64,
    /// Sequence number of the last write segment sent.
    seq: u64,
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
        loop {
            if *shutting_down.borrow() {
                return;
            }
            // Kill and shutdown are only observed between batches, so a pipeline in flight
            // always gets its replies.
            tokio::select! {
                read = self.stream.read_buf(&mut self.rbuf) => match read {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                },
                _ = client.kill.notified() => return,
                _ = shutting_down.changed() => return,
            }
            let mut protocol_error = None;
            loop {
                match resp::parse_request(&mut self.rbuf, &self.shared.limits) {
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
                self.replies.push(Reply::Error(e.to_reply_error()));
            }
            for reply in self.replies.drain(..) {
                resp::encode(&reply, self.session.protocol, &mut self.wbuf);
            }
            if self.stream.write_all(&self.wbuf).await.is_err() {
                return;
            }
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
        {
            let mut meta = self.session.client.meta();
            meta.last_cmd = spec.name;
            meta.last_active = std::time::Instant::now();
        }
        if !spec.arity_ok(argv.len()) {
            self.flush_segment().await;
            self.replies
                .push(Reply::Error(ReplyError::wrong_arity(spec.name.as_bytes())));
            return;
        }
        match spec.route {
            Route::Gateway => {
                self.flush_segment().await;
                let reply = cmd::execute(&mut self.session, &self.shared, spec.id, &argv).await;
                self.replies.push(reply);
            }
            Route::Read | Route::Write => {
                let write = spec.route == Route::Write;
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
}
