//! [`Value`]: the value stored under a key, one variant per Redis data type.
//!
//! Each type's constructors and accessors live in the module named after it (strings in
//! [`crate::keyspace::string`]); this module only holds what spans all types.

use crate::keyspace::compact::CompactBytes;
use crate::keyspace::list::List;
use crate::keyspace::string::StringForm;
// Hashes and sets.
use crate::keyspace::hash::Hash;
use crate::keyspace::set::Set;
// Sorted sets.
use crate::keyspace::zset::ZSet;

/// The value of a key.
///
/// Every variant holds owned data (copies, never slices of request buffers) and, for collections,
/// persistent `imbl` structures, so cloning a value is cheap.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A Redis string: arbitrary bytes, and how they were made (see
    /// [`crate::keyspace::string::StringForm`]), which decides the encoding Redis reports.
    String(CompactBytes, StringForm),
    // Lists.
    /// A Redis list (see [`crate::keyspace::list`]). Boxed, like the sorted set, so that a
    /// [`Value`] stays as small as a string's handle: most keys are strings.
    List(Box<List>),
    // Hashes and sets.
    /// A Redis hash: fields mapped to values (see [`crate::keyspace::hash`]).
    Hash(Hash),
    /// A Redis set of members (see [`crate::keyspace::set`]). Boxed, as lists are.
    Set(Box<Set>),
    // Sorted sets.
    /// A Redis sorted set: members with scores (see [`crate::keyspace::zset`]).
    ZSet(Box<ZSet>),
}

impl Value {
    /// Returns the type name Redis reports for the value (`TYPE`, `INFO`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::String(..) => "string",
            Value::List(_) => "list",
            // Hashes and sets.
            Value::Hash(_) => "hash",
            Value::Set(_) => "set",
            // Sorted sets.
            Value::ZSet(_) => "zset",
        }
    }
}
