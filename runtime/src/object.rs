//! Generated structs as JSON objects: each known key read straight into its field and every
//! other key kept in the struct's map of other fields, in one pass over the object.
//!
//! Crates generated for contract versions 3 and 4 use it (later ones read through
//! `contract::json`): their structs implement [`Fields`] and call [`deserialize`] from their
//! `Deserialize` impl, and write themselves with `serialize_map`. Serde's derive would need
//! `#[serde(flatten)]` for the map of other fields, which buffers every unknown key and value in
//! its `Content` type and then reads them again; that costs compile time in every API crate and
//! time on every response.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::wire::Codec;

/// A struct read from a JSON object one key at a time. Generated model structs implement it.
pub trait Fields: Default {
    /// The struct's name, for errors.
    const NAME: &'static str;

    /// Reads the value of `key` from `map` into its field; `false` when no field has that key
    /// (the value is then still to be read, by [`read_other`](Self::read_other)).
    fn read_field<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
    ) -> Result<bool, A::Error>;

    /// Reads the value of `key`, which no field has, into the map of other fields.
    fn read_other<'de, A: MapAccess<'de>>(
        &mut self,
        key: String,
        map: &mut A,
    ) -> Result<(), A::Error>;
}

/// Decodes a response body: the UTF-8 is checked once for the whole body, then serde_json reads
/// it as text. Reading it as bytes (`from_slice`) checks each string on its own, which costs
/// about a tenth of the decoding time of a large list; Google's clients read the body as text too.
pub fn from_json<T: de::DeserializeOwned>(body: &[u8]) -> Result<T, serde_json::Error> {
    match std::str::from_utf8(body) {
        Ok(text) => serde_json::from_str(text),
        Err(error) => {
            // Said here rather than by a second decoding as bytes, which would compile every
            // type's decoding twice.
            let valid = &body[..error.valid_up_to()];
            let line = valid.iter().filter(|&&byte| byte == b'\n').count() + 1;
            let column = valid.len()
                - valid
                    .iter()
                    .rposition(|&byte| byte == b'\n')
                    .map_or(0, |at| at + 1)
                + 1;
            Err(de::Error::custom(format!(
                "invalid UTF-8 at line {line} column {column} (byte offset {})",
                error.valid_up_to()
            )))
        }
    }
}

/// Reads a [`Fields`] struct from a JSON object. A key given twice keeps its last value.
pub fn deserialize<'de, T: Fields, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    deserializer.deserialize_map(FieldsVisitor(PhantomData))
}

struct FieldsVisitor<T>(PhantomData<fn() -> T>);

impl<'de, T: Fields> Visitor<'de> for FieldsVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a JSON object ({})", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut value = T::default();
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            if !value.read_field(&key, &mut map)? {
                value.read_other(key.into_owned(), &mut map)?;
            }
        }
        Ok(value)
    }
}

/// An object key, borrowed from the input when it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;

        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }

            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }

        deserializer.deserialize_str(KeyVisitor)
    }
}

/// Reads the next value of `map` through codec `C` (64-bit integers as strings, ...).
pub fn next_value_with<'de, C: Codec<T>, T, A: MapAccess<'de>>(map: &mut A) -> Result<T, A::Error> {
    map.next_value::<Decoded<T, C>>().map(|decoded| decoded.0)
}

struct Decoded<T, C>(T, PhantomData<C>);

impl<'de, T, C: Codec<T>> Deserialize<'de> for Decoded<T, C> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        C::deserialize(deserializer).map(|value| Decoded(value, PhantomData))
    }
}

/// A value written through codec `C`: generated `Serialize` impls pass one to
/// `serialize_entry`.
pub struct Encoded<'a, T, C>(&'a T, PhantomData<C>);

impl<'a, T, C: Codec<T>> Encoded<'a, T, C> {
    /// `value`, to be written through `C`.
    pub fn new(value: &'a T) -> Self {
        Encoded(value, PhantomData)
    }
}

impl<T, C: Codec<T>> Serialize for Encoded<'_, T, C> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        C::serialize(self.0, serializer)
    }
}
