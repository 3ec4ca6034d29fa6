//! RESP: request parsing and reply encoding.
