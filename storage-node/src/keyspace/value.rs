//! [`Value`]: the value stored under a key, one variant per Redis data type.
//!
//! Each type's constructors and accessors live in the module named after it (strings in
//! [`crate::keyspace::string`]); this module only holds what spans all types.

use bytes::Bytes;

/// The value of a key.
///
/// Every variant holds owned data (copies, never slices of request buffers) and, for collections,
/// persistent `imbl` structures, so cloning a value is cheap.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A Redis string: arbitrary bytes.
    String(Bytes),
}

impl Value {
    /// Returns the type name Redis reports for the value (`TYPE`, `INFO`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::String(_) => "string",
        }
    }
}
