//! Runs Debian's `redis-benchmark` against one server and parses its `--csv` output.
//!
//! The same invocation is used for every system, so the load generator is identical: only the
//! port changes.

use std::process::Command;

use anyhow::Context;
use anyhow::Result;
use anyhow::bail;
use serde::Serialize;

use crate::stats::Sample;

/// One redis-benchmark test.
#[derive(Debug, Clone, Copy)]
pub struct Test {
    /// The name redis-benchmark prints in its CSV (`"MSET (10 keys)"`).
    pub csv_name: &'static str,
    /// Its `-t` selector.
    pub selector: &'static str,
}

/// The tests of issue #6, in the order they run: SET before GET so that GETs find values.
pub const TESTS: [Test; 9] = [
    Test {
        csv_name: "PING_INLINE",
        selector: "ping_inline",
    },
    Test {
        csv_name: "SET",
        selector: "set",
    },
    Test {
        csv_name: "GET",
        selector: "get",
    },
    Test {
        csv_name: "INCR",
        selector: "incr",
    },
    Test {
        csv_name: "LPUSH",
        selector: "lpush",
    },
    Test {
        csv_name: "SADD",
        selector: "sadd",
    },
    Test {
        csv_name: "HSET",
        selector: "hset",
    },
    Test {
        csv_name: "ZADD",
        selector: "zadd",
    },
    Test {
        csv_name: "MSET (10 keys)",
        selector: "mset",
    },
];

/// The SET test, for the single-client latency run.
pub const SET: Test = TESTS[1];

/// Concurrency of a run: connections and pipeline depth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Mode {
    /// `-c`: parallel connections.
    pub clients: u32,
    /// `-P`: requests in flight per connection.
    pub pipeline: u32,
}

impl Mode {
    /// A short label for tables: `50c`, `50c P16`, `1c`.
    pub fn label(&self) -> String {
        if self.pipeline > 1 {
            format!("{}c P{}", self.clients, self.pipeline)
        } else {
            format!("{}c", self.clients)
        }
    }
}

/// One redis-benchmark run.
#[derive(Debug, Clone)]
pub struct Run<'a> {
    /// The server's port on 127.0.0.1.
    pub port: u16,
    pub test: Test,
    pub mode: Mode,
    /// `-n`: total requests.
    pub requests: u64,
    /// `-r`: random keys are drawn from this many.
    pub keyspace: u64,
    /// `-d`: value size in bytes.
    pub value_size: usize,
    /// The redis-benchmark binary.
    pub program: &'a str,
}

impl Run<'_> {
    /// Runs redis-benchmark once and returns its figures.
    pub fn execute(&self) -> Result<Sample> {
        let out = Command::new(self.program)
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
            .args(["-c", &self.mode.clients.to_string()])
            .args(["-P", &self.mode.pipeline.to_string()])
            .args(["-n", &self.requests.to_string()])
            .args(["-r", &self.keyspace.to_string()])
            .args(["-d", &self.value_size.to_string()])
            .args(["-t", self.test.selector, "--csv"])
            .output()
            .with_context(|| format!("running {} (is redis-tools installed?)", self.program))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            bail!(
                "redis-benchmark {} on port {} failed ({}): {}{}",
                self.test.selector,
                self.port,
                out.status,
                stdout,
                String::from_utf8_lossy(&out.stderr)
            );
        }
        parse_csv(&stdout, self.test.csv_name)
    }
}

/// Finds the row of test `name` in redis-benchmark's `--csv` output.
pub fn parse_csv(csv: &str, name: &str) -> Result<Sample> {
    let mut lines = csv.lines().filter(|l| !l.trim().is_empty());
    let header = fields(lines.next().context("empty redis-benchmark output")?);
    let col = |want: &str| {
        header
            .iter()
            .position(|h| h == want)
            .with_context(|| format!("no column {want:?} in redis-benchmark's CSV header"))
    };
    let (rps, p50, p99) = (col("rps")?, col("p50_latency_ms")?, col("p99_latency_ms")?);
    for line in lines {
        let row = fields(line);
        if row.first().map(String::as_str) == Some(name) {
            let num = |i: usize| -> Result<f64> {
                row.get(i)
                    .and_then(|v| v.parse().ok())
                    .with_context(|| format!("bad CSV row: {line}"))
            };
            return Ok(Sample {
                rps: num(rps)?,
                p50_ms: num(p50)?,
                p99_ms: num(p99)?,
            });
        }
    }
    bail!("no {name:?} row in redis-benchmark's output:\n{csv}")
}

/// Splits one CSV line of quoted fields (redis-benchmark quotes every field, and none contains a
/// comma or quote).
fn fields(line: &str) -> Vec<String> {
    line.split(',')
        .map(|f| f.trim().trim_matches('"').to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = r#""test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
"PING_INLINE","18726.59","2.007","0.080","0.783","6.567","13.183","33.279"
"MSET (10 keys)","11123.47","3.936","0.312","1.887","13.359","35.871","60.511"
"#;

    #[test]
    fn parses_rows_by_name() {
        let s = parse_csv(CSV, "MSET (10 keys)").unwrap();
        assert_eq!(
            s,
            Sample {
                rps: 11123.47,
                p50_ms: 1.887,
                p99_ms: 35.871
            }
        );
        assert_eq!(parse_csv(CSV, "PING_INLINE").unwrap().rps, 18726.59);
    }

    #[test]
    fn missing_row_or_header_is_an_error() {
        assert!(parse_csv(CSV, "GET").is_err());
        assert!(parse_csv("", "GET").is_err());
        assert!(parse_csv("\"test\",\"rps\"\n\"GET\",\"1\"\n", "GET").is_err());
    }

    #[test]
    fn mode_labels() {
        let m = |clients, pipeline| Mode { clients, pipeline }.label();
        assert_eq!(m(50, 1), "50c");
        assert_eq!(m(50, 16), "50c P16");
        assert_eq!(m(1, 1), "1c");
    }
}
