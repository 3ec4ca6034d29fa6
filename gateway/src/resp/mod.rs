//! RESP: request parsing and reply encoding.
//!
//! This module is the only code in the workspace that knows RESP bytes. [`parse_request`] takes one
//! request off the front of a connection's read buffer and hands out its arguments as zero-copy
//! [`bytes::Bytes`] slices of that buffer. It accepts both the multibulk form (`*2\r\n$3\r\nGET\r\n…`)
//! and the inline form (`GET key\r\n`), and reproduces Redis 7.0's protocol errors ([`ProtocolError`])
//! word for word. [`encode`] writes a [`tinyredis_common::Reply`] as RESP2 or RESP3 bytes, as chosen by
//! [`Protocol`], into the connection's write buffer.
//!
//! Both halves sit on the per-request hot path: neither allocates except for the argument vector of a
//! complete request and the growth of the output buffer.

mod encode;
mod parse;

pub use encode::{Protocol, encode};
pub use parse::{Limits, ProtocolError, parse_request};
pub use tinyredis_common::num::{DoubleText, format_double_17g};
