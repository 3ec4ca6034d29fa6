//! The string type: constructors and accessors of [`Value::String`], and [`StringForm`], which
//! decides the encoding Redis reports for a string.
//!
//! Redis's `OBJECT ENCODING` of a string depends on its history as well as its contents: SET and
//! its kin pass the value through `tryObjectEncoding` (`int`, `embstr` or `raw` by contents),
//! INCRBYFLOAT stores its text as created (`embstr` or `raw`, never `int`), and the commands that
//! edit a string in place or build it as a raw object (APPEND to an existing string, SETRANGE,
//! SETBIT, BITFIELD, BITOP, PFADD, PFCOUNT, PFMERGE: Redis's `dbUnshareStringValue` and
//! `createObject`) leave it `raw` whatever it holds, until a command replaces the value. The form
//! travels with the value (COPY, RENAME and MOVE keep it) and in snapshots.

use crate::keyspace::Value;
use crate::keyspace::compact::CompactBytes;

/// How a string value was made, which decides the encoding Redis reports for it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StringForm {
    /// Stored as Redis's `tryObjectEncoding` leaves it (SET, MSET, INCR, RESTORE, …): `int`,
    /// `embstr` or `raw` according to the contents.
    #[default]
    Encoded,
    /// Created from text without the integer encoding (INCRBYFLOAT's result): `embstr` up to 44
    /// bytes, else `raw`.
    Text,
    /// Edited in place or built as a raw object (APPEND, SETRANGE, the bit and HyperLogLog
    /// commands): `raw` whatever the contents, until the value is replaced.
    Raw,
}

impl Value {
    /// Builds a string value from a copy of `bytes`, as SET stores it ([`StringForm::Encoded`]).
    ///
    /// The copy is deliberate: arguments arrive as slices of large request buffers, and a stored
    /// value must not keep such a buffer alive.
    pub fn string(bytes: &[u8]) -> Value {
        Value::String(CompactBytes::new(bytes), StringForm::Encoded)
    }

    /// Builds a string value holding the decimal text of `n`, as `INCR` stores it.
    pub fn string_from_i64(n: i64) -> Value {
        let mut buf = itoa::Buffer::new();
        Value::string(buf.format(n).as_bytes())
    }

    /// Builds a string value of the given form from a copy of `bytes`.
    pub fn string_with_form(bytes: impl AsRef<[u8]>, form: StringForm) -> Value {
        Value::String(CompactBytes::new(bytes.as_ref()), form)
    }

    /// Returns the bytes of a string value, or `None` for any other type.
    pub fn as_string(&self) -> Option<&CompactBytes> {
        match self {
            Value::String(bytes, _) => Some(bytes),
            _ => None,
        }
    }

    /// Returns the form of a string value, or `None` for any other type.
    pub fn string_form(&self) -> Option<StringForm> {
        match self {
            Value::String(_, form) => Some(*form),
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
        assert_eq!(v.string_form(), Some(StringForm::Encoded));
        assert_eq!(
            Value::string(b"x"),
            Value::String(CompactBytes::new(b"x"), StringForm::Encoded)
        );
        let raw = Value::string_with_form(b"x", StringForm::Raw);
        assert_eq!(raw.string_form(), Some(StringForm::Raw));
        assert_ne!(raw, Value::string(b"x"), "the form is part of the value");
    }

    #[test]
    fn a_value_is_no_larger_than_a_string_handle_and_a_word() {
        // Most keys are strings: the form and the collections' variants must fit beside the
        // string's handle without growing every entry of the keyspace.
        assert_eq!(
            std::mem::size_of::<Value>(),
            std::mem::size_of::<CompactBytes>() + std::mem::size_of::<usize>()
        );
    }
}
