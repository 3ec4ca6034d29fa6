//! The binary encoding of openraft values (log entries, votes, RPC messages): postcard.
//!
//! postcard is compact, positional and not self-describing; openraft's serde impls are written to
//! support such formats. Nothing on the data path is JSON.

use std::io;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Encodes a value.
pub fn encode<T: Serialize>(value: &T) -> io::Result<Vec<u8>> {
    postcard::to_stdvec(value).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// Decodes a value, failing on trailing or missing bytes.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> io::Result<T> {
    postcard::from_bytes(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}
