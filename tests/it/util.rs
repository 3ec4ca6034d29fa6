//! Helpers shared by the test modules.

use redis::aio::MultiplexedConnection;
use redis::{RedisResult, Value};

/// Sends one command (arguments as strings) and returns the raw result.
pub async fn q(con: &mut MultiplexedConnection, args: &[&str]) -> RedisResult<Value> {
    let mut cmd = redis::cmd(args[0]);
    for a in &args[1..] {
        cmd.arg(*a);
    }
    cmd.query_async(con).await
}

/// Sends one command and returns its reply; panics on an error reply or a transport error.
pub async fn ok(con: &mut MultiplexedConnection, args: &[&str]) -> Value {
    match q(con, args).await {
        Ok(v) => v,
        Err(e) => panic!("{args:?} failed: {e}"),
    }
}

/// Asserts that one command gets exactly the given reply.
pub async fn expect(con: &mut MultiplexedConnection, args: &[&str], expected: Value) {
    let got = ok(con, args).await;
    assert_eq!(got, expected, "reply to {args:?}");
}

/// Asserts that one command fails with exactly the given error text (e.g. `ERR syntax error`).
pub async fn expect_err(con: &mut MultiplexedConnection, args: &[&str], expected: &str) {
    match q(con, args).await {
        Ok(v) => panic!("{args:?}: expected error {expected:?}, got {v:?}"),
        Err(e) => {
            let text = format!("{} {}", e.code().unwrap_or("?"), e.detail().unwrap_or(""));
            assert_eq!(text, expected, "error of {args:?} (full error: {e:?})");
        }
    }
}

/// A bulk string reply.
pub fn bulk(s: &str) -> Value {
    Value::BulkString(s.as_bytes().to_vec())
}

/// A status reply other than OK.
pub fn status(s: &str) -> Value {
    Value::SimpleString(s.to_string())
}

/// An integer reply.
pub fn int(i: i64) -> Value {
    Value::Int(i)
}

/// The integer of an integer reply; panics otherwise.
pub fn as_int(v: &Value) -> i64 {
    match v {
        Value::Int(i) => *i,
        other => panic!("expected an integer reply, got {other:?}"),
    }
}

/// The current Unix time in seconds.
pub fn unix_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs()
}

/// The current Unix time in milliseconds.
pub fn unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_millis() as u64
}
