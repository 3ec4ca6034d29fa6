//! Loading many small keys through `redis-cli --pipe`, the same way into every system.

use std::io::BufWriter;
use std::io::Write;
use std::process::Command;
use std::process::Stdio;

use anyhow::Context;
use anyhow::Result;
use anyhow::bail;

use crate::resp_client::encode;

/// Sends `SET key:<12 digits> <value_size × 'x'>` for `count` distinct keys to 127.0.0.1:`port`
/// with `redis-cli --pipe`, and checks that every reply came back without error.
pub fn load_keys(port: u16, count: u64, value_size: usize) -> Result<()> {
    let mut child = Command::new("redis-cli")
        .args(["-h", "127.0.0.1", "-p", &port.to_string(), "--pipe"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("starting redis-cli --pipe (is redis-tools installed?)")?;
    let stdin = child.stdin.take().context("redis-cli stdin")?;
    let writer = std::thread::spawn(move || -> std::io::Result<()> {
        let mut w = BufWriter::with_capacity(1 << 20, stdin);
        let value = vec![b'x'; value_size];
        let mut buf = Vec::with_capacity(64);
        for i in 0..count {
            buf.clear();
            let key = format!("key:{i:012}");
            encode(&[b"SET", key.as_bytes(), &value], &mut buf);
            w.write_all(&buf)?;
        }
        w.flush()
    });
    let out = child.wait_with_output()?;
    writer
        .join()
        .map_err(|_| anyhow::anyhow!("key generator panicked"))?
        .context("writing to redis-cli --pipe")?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let summary = pipe_summary(&text);
    match summary {
        Some((0, replies)) if replies == count + 1 || replies == count => Ok(()),
        _ if !out.status.success() => bail!(
            "redis-cli --pipe failed ({}): {text}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ),
        _ => bail!("redis-cli --pipe did not load {count} keys cleanly: {text}"),
    }
}

/// Parses the `errors: E, replies: R` line that `redis-cli --pipe` prints last.
fn pipe_summary(text: &str) -> Option<(u64, u64)> {
    let line = text.lines().rev().find(|l| l.starts_with("errors:"))?;
    let mut nums = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<u64>());
    Some((nums.next()?.ok()?, nums.next()?.ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pipe_summary() {
        let out = "All data transferred. Waiting for the last reply...\n\
                   Last reply received from server.\nerrors: 0, replies: 1000000\n";
        assert_eq!(pipe_summary(out), Some((0, 1_000_000)));
        assert_eq!(pipe_summary("nothing"), None);
    }
}
