//! Protobuf messages and gRPC services of tinyredis, generated from `proto/tinyredis.proto`.
//!
//! This is the only crate that knows protobuf types. [`convert`] turns replies into and out of the
//! shared [`tinyredis_common::Reply`] at the service edge.

#![allow(clippy::all, missing_docs)]

/// Generated code for package `tinyredis.v1`.
pub mod pb {
    tonic::include_proto!("tinyredis.v1");
}

pub mod convert;

pub use pb::*;
