//! A part of a pack kept serialized until it is first needed. The default pack is
//! compiled when tactful is built and read back at start-up; most of it (the
//! expressions of rules a message never gets near, the examples, the lists no
//! compiled expression uses) is never looked at by one check, so it is read only
//! when something dereferences it.

use std::fmt;
use std::ops::Deref;
use std::sync::OnceLock;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A `T`, either built (when a pack is read from its files) or still serialized.
pub struct Stored<T> {
    bytes: Box<[u8]>,
    value: OnceLock<T>,
}

impl<T> Stored<T> {
    pub fn new(value: T) -> Stored<T> {
        Stored { bytes: Box::default(), value: OnceLock::from(value) }
    }
}

impl<T: DeserializeOwned> Deref for Stored<T> {
    type Target = T;

    fn deref(&self) -> &T {
        // The bytes are what `serialize` wrote for the same type in the same build
        // (build.rs compiles the library's own modules), so they always read back.
        self.value.get_or_init(|| postcard::from_bytes(&self.bytes).expect("a part of a built-in pack that tactful itself serialized"))
    }
}

impl<T: Serialize + DeserializeOwned> Serialize for Stored<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let bytes = postcard::to_allocvec(&**self).map_err(serde::ser::Error::custom)?;
        serializer.serialize_bytes(&bytes)
    }
}

impl<'de, T> Deserialize<'de> for Stored<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Stored<T>, D::Error> {
        let bytes = serde_bytes_vec(deserializer)?;
        Ok(Stored { bytes: bytes.into_boxed_slice(), value: OnceLock::new() })
    }
}

/// A byte string, as [`Stored::serialize`] writes it.
fn serde_bytes_vec<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
    struct Bytes;
    impl<'de> serde::de::Visitor<'de> for Bytes {
        type Value = Vec<u8>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("bytes")
        }
        fn visit_bytes<E>(self, bytes: &[u8]) -> Result<Vec<u8>, E> {
            Ok(bytes.to_vec())
        }
        fn visit_byte_buf<E>(self, bytes: Vec<u8>) -> Result<Vec<u8>, E> {
            Ok(bytes)
        }
    }
    deserializer.deserialize_bytes(Bytes)
}

impl<T: Clone> Clone for Stored<T> {
    fn clone(&self) -> Stored<T> {
        Stored { bytes: self.bytes.clone(), value: self.value.clone() }
    }
}

impl<T: fmt::Debug + DeserializeOwned> fmt::Debug for Stored<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (**self).fmt(f)
    }
}

impl<T: PartialEq + DeserializeOwned> PartialEq for Stored<T> {
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
