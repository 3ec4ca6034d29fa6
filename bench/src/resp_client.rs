//! A minimal RESP2 client for the write load of the leader-kill test: one command at a time,
//! replies that are simple strings, errors, integers or bulk strings.

use anyhow::Context;
use anyhow::Result;
use anyhow::bail;
use tokio::io::AsyncBufReadExt;
use tokio::io::AsyncReadExt;
use tokio::io::AsyncWriteExt;
use tokio::io::BufReader;
use tokio::net::TcpStream;
use tokio::net::tcp::OwnedReadHalf;
use tokio::net::tcp::OwnedWriteHalf;

/// A reply the load generator can tell apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// `+…`
    Simple(String),
    /// `-…` (the text without the dash).
    Error(String),
    /// `:…`
    Int(i64),
    /// `$…`, `None` for the null bulk string.
    Bulk(Option<Vec<u8>>),
}

/// One connection to a RESP server.
pub struct RespConn {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
    out: Vec<u8>,
}

impl RespConn {
    /// Connects to `addr` with TCP_NODELAY, as redis-benchmark does.
    pub async fn connect(addr: &str) -> Result<RespConn> {
        let stream = TcpStream::connect(addr)
            .await
            .with_context(|| format!("connecting to {addr}"))?;
        stream.set_nodelay(true)?;
        let (r, w) = stream.into_split();
        Ok(RespConn {
            reader: BufReader::new(r),
            writer: w,
            out: Vec::with_capacity(128),
        })
    }

    /// Sends one command as a multibulk request and reads its reply.
    pub async fn command(&mut self, args: &[&[u8]]) -> Result<Reply> {
        self.out.clear();
        encode(args, &mut self.out);
        self.writer.write_all(&self.out).await?;
        self.read_reply().await
    }

    async fn read_reply(&mut self) -> Result<Reply> {
        let mut line = String::new();
        if self.reader.read_line(&mut line).await? == 0 {
            bail!("connection closed by the server");
        }
        let line = line.trim_end_matches(['\r', '\n']);
        let (kind, rest) = line.split_at_checked(1).context("empty reply line")?;
        Ok(match kind {
            "+" => Reply::Simple(rest.to_string()),
            "-" => Reply::Error(rest.to_string()),
            ":" => Reply::Int(rest.parse().context("bad integer reply")?),
            "$" => {
                let len: i64 = rest.parse().context("bad bulk length")?;
                if len < 0 {
                    Reply::Bulk(None)
                } else {
                    let mut buf = vec![0; len as usize + 2];
                    self.reader.read_exact(&mut buf).await?;
                    buf.truncate(len as usize);
                    Reply::Bulk(Some(buf))
                }
            }
            _ => bail!("unexpected reply: {line:?}"),
        })
    }
}

/// Appends `args` to `out` as a RESP multibulk request.
pub fn encode(args: &[&[u8]], out: &mut Vec<u8>) {
    out.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_multibulk() {
        let mut out = Vec::new();
        encode(&[b"SET", b"k", b"xyz"], &mut out);
        assert_eq!(out, b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nxyz\r\n");
    }
}
