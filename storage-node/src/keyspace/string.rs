//! The string type: constructors and accessors of [`Value::String`].

use bytes::Bytes;

use crate::keyspace::Value;

impl Value {
    /// Builds a string value from a copy of `bytes`.
    ///
    /// The copy is deliberate: arguments arrive as slices of large request buffers, and a stored
    /// value must not keep such a buffer alive.
    pub fn string(bytes: &[u8]) -> Value {
        Value::String(Bytes::copy_from_slice(bytes))
    }

    /// Builds a string value holding the decimal text of `n`, as `INCR` stores it.
    pub fn string_from_i64(n: i64) -> Value {
        let mut buf = itoa::Buffer::new();
        Value::string(buf.format(n).as_bytes())
    }

    /// Returns the bytes of a string value, or `None` for any other type.
    pub fn as_string(&self) -> Option<&Bytes> {
        match self {
            Value::String(bytes) => Some(bytes),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_values() {
        let v = Value::string_from_i64(-42);
        assert_eq!(v.as_string().map(|b| &b[..]), Some(&b"-42"[..]));
        assert_eq!(v.type_name(), "string");
        assert_eq!(Value::string(b"x"), Value::String(Bytes::from_static(b"x")));
    }
}
