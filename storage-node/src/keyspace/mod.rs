//! The in-memory keyspace.
