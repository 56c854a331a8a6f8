//! A part of a pack kept serialized until it is first needed. The default pack is
//! compiled when tactful is built and read back at start-up; most of it (the
//! expressions of rules a message never gets near, the examples, the lists no
//! compiled expression uses) is never looked at by one check, so it is read only
//! when something dereferences it.
//!
//! What is read back borrows from the embedded bytes (this part's bytes, the words of
//! its expressions) instead of copying them, so the pack's types read only from
//! bytes that live as long as the program: they carry
//! `#[serde(bound(deserialize = "'de: 'static"))]`.

use std::fmt;
use std::ops::Deref;
use std::sync::OnceLock;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A `T`, either built (when a pack is read from its files) or still serialized.
pub struct Stored<T> {
    /// In the bytes the pack is read back from, which the binary embeds: not copied,
    /// and what `T` holds may borrow from them in turn.
    bytes: &'static [u8],
    value: OnceLock<T>,
}

impl<T> Stored<T> {
    pub fn new(value: T) -> Stored<T> {
        Stored { bytes: &[], value: OnceLock::from(value) }
    }
}

impl<T: Deserialize<'static>> Deref for Stored<T> {
    type Target = T;

    fn deref(&self) -> &T {
        // The bytes are what `serialize` wrote for the same type in the same build
        // (build.rs compiles the library's own modules), so they always read back.
        self.value.get_or_init(|| postcard::from_bytes(self.bytes).expect("a part of a built-in pack that tactful itself serialized"))
    }
}

impl<T: Serialize + Deserialize<'static>> Serialize for Stored<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let bytes = postcard::to_allocvec(&**self).map_err(serde::ser::Error::custom)?;
        serializer.serialize_bytes(&bytes)
    }
}

/// Only from bytes that live as long as the program, as the embedded packs do.
impl<'de: 'static, T> Deserialize<'de> for Stored<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Stored<T>, D::Error> {
        struct Bytes;
        impl serde::de::Visitor<'static> for Bytes {
            type Value = &'static [u8];
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("bytes that live as long as the program")
            }
            fn visit_borrowed_bytes<E>(self, bytes: &'static [u8]) -> Result<&'static [u8], E> {
                Ok(bytes)
            }
        }
        let bytes = deserializer.deserialize_bytes(Bytes)?;
        Ok(Stored { bytes, value: OnceLock::new() })
    }
}

impl<T: Clone> Clone for Stored<T> {
    fn clone(&self) -> Stored<T> {
        Stored { bytes: self.bytes, value: self.value.clone() }
    }
}

impl<T: fmt::Debug + Deserialize<'static>> fmt::Debug for Stored<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (**self).fmt(f)
    }
}

impl<T: PartialEq + Deserialize<'static>> PartialEq for Stored<T> {
    fn eq(&self, other: &Stored<T>) -> bool {
        **self == **other
    }
}

impl<T: Default> Default for Stored<T> {
    fn default() -> Stored<T> {
        Stored::new(T::default())
    }
}

impl<T> From<T> for Stored<T> {
    fn from(value: T) -> Stored<T> {
        Stored::new(value)
    }
}
