//! Redis command semantics.
