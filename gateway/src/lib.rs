//! The tinyredis gateway: a stateless RESP front end that forwards commands to the Raft leader.
//!
//! - [`resp`]: RESP request parsing and reply encoding (the only code that knows RESP bytes).

pub mod resp;
