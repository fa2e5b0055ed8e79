//! Google's JSON, read and written by concrete code: one reader and one writer over text, which
//! each generated type drives through one non-generic function, so that a crate compiles its
//! decoding once per type rather than once per type and serde deserializer.
//!
//! The spelling is Google's: 64-bit integers are strings (numbers are read too), non-finite
//! floats are `"NaN"`, `"Infinity"` and `"-Infinity"`, bytes, timestamps, dates, durations and
//! field masks are strings in their formats, `null` reads as absent, and a key given twice keeps
//! its last value. Generated types implement serde's traits as thin layers over these, for
//! programs that use serde themselves; the request path never goes through serde.
//!
//! Generic code here matches on results where `?` would do: in a debug build every `?` on a
//! `Result<T, _>` is a function instantiated for that `T` (and `Result::map` another, and a
//! closure a third), which for a large API's thousands of field types made a fifth of its
//! library's functions and debug info.
#![allow(
    clippy::question_mark,
    reason = "`?` is a generic function per type in a debug build: see above"
)]

mod read;
mod write;

use std::borrow::Cow;
use std::collections::BTreeMap;

pub use read::{ReadEntry, ReadError, Reader};
pub use write::{ObjectWriter, Writer};

use crate::values::{Bytes, Date, Duration, FieldMask, Timestamp};

/// A value read from JSON.
pub trait FromJson: Sized {
    /// Reads one value.
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, ReadError>;
}

/// A value written as JSON.
pub trait ToJson {
    /// Writes the value.
    fn write_json(&self, writer: &mut Writer);
}

/// A struct read from a JSON object one key at a time. Generated structs implement it with one
/// `match` on the key: a known key into its field, any other into the map of other fields.
pub trait ReadObject {
    /// Reads the value of `key` into the struct.
    fn read_key(&mut self, key: Cow<'_, str>, reader: &mut Reader<'_>) -> Result<(), ReadError>;
}

/// Reads a whole body as `T`: the UTF-8 is checked once for the whole body, then the text is
/// read, and nothing but whitespace may follow the value.
pub fn from_slice<T: FromJson>(body: &[u8]) -> Result<T, ReadError> {
    match utf8(body) {
        Ok(text) => from_str(text),
        Err(error) => Err(error),
    }
}

/// `body` as text, or where it is not UTF-8.
fn utf8(body: &[u8]) -> Result<&str, ReadError> {
    std::str::from_utf8(body).map_err(|error| {
        let at = error.valid_up_to();
        ReadError::at(body, at, "invalid UTF-8".to_owned())
    })
}

/// Reads a whole text as `T`; without `?`, as the module's docs say, since this is instantiated
/// for every response type.
pub fn from_str<T: FromJson>(text: &str) -> Result<T, ReadError> {
    let mut reader = Reader::new(text);
    let value = match T::read_json(&mut reader) {
        Ok(value) => value,
        Err(error) => return Err(error),
    };
    match reader.finish() {
        Ok(()) => Ok(value),
        Err(error) => Err(error),
    }
}

/// Writes `value` as compact JSON.
pub fn to_vec(value: &dyn ToJson) -> Vec<u8> {
    let mut writer = Writer::new();
    value.write_json(&mut writer);
    writer.into_bytes()
}

/// `Deserialize` for a generated type, for programs that use serde: the value is taken as JSON
/// from any deserializer, then read as the request path reads it.
pub fn deserialize<'de, T: FromJson, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
    let text = value.to_string();
    from_str(&text).map_err(|error| serde::de::Error::custom(error.message()))
}

/// `Serialize` for a generated type, for programs that use serde: the value is written as the
/// request path writes it, then handed to any serializer.
pub fn serialize<S: serde::Serializer>(
    value: &dyn ToJson,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let written = to_vec(value);
    let value: serde_json::Value =
        serde_json::from_slice(&written).map_err(serde::ser::Error::custom)?;
    serde::Serialize::serialize(&value, serializer)
}

/// The value of a list field from anything iterable whose items convert: the body every
/// generated list setter shares, compiled once per item type rather than once per setter.
pub fn list<T, V: Into<T>>(values: impl IntoIterator<Item = V>) -> Option<Vec<T>> {
    Some(values.into_iter().map(Into::into).collect())
}

/// The value of a map field from anything iterable of pairs that convert, as [`list`] is for
/// lists.
pub fn map<T, K: Into<String>, V: Into<T>>(
    entries: impl IntoIterator<Item = (K, V)>,
) -> Option<BTreeMap<String, T>> {
    Some(
        entries
            .into_iter()
            .map(|(key, value)| (key.into(), value.into()))
            .collect(),
    )
}

impl FromJson for String {
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, ReadError> {
        reader.read_str().map(Cow::into_owned)
    }
}

impl ToJson for String {
    fn write_json(&self, writer: &mut Writer) {
        writer.write_str(self);
    }
}

impl FromJson for bool {
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, ReadError> {
        reader.read_bool()
    }
}

impl ToJson for bool {
    fn write_json(&self, writer: &mut Writer) {
        writer.display(self);
    }
}

/// Integers: 32-bit ones are numbers on the wire, 64-bit ones strings; both read either.
macro_rules! integers {
    ($($type:ty => $expected:literal, $quoted:literal;)*) => {$(
        impl FromJson for $type {
            fn read_json(reader: &mut Reader<'_>) -> Result<Self, ReadError> {
                reader.read_integer($expected)
            }
        }

        impl ToJson for $type {
            fn write_json(&self, writer: &mut Writer) {
                if $quoted {
                    writer.write_display_str(self);
                } else {
                    writer.display(self);
                }
            }
        }
    )*};
}

integers! {
    i32 => "a 32-bit integer", false;
    u32 => "an unsigned 32-bit integer", false;
    i64 => "a 64-bit integer", true;
    u64 => "an unsigned 64-bit integer", true;
}

impl FromJson for f64 {
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, ReadError> {
        reader.read_float()
    }
}

impl ToJson for f64 {
    fn write_json(&self, writer: &mut Writer) {
        writer.float(*self, false);
    }
}

impl FromJson for f32 {
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, ReadError> {
        // Narrowing is the point: the wire value is a `float`.
        reader.read_float().map(|value| value as f32)
    }
}

impl ToJson for f32 {
    fn write_json(&self, writer: &mut Writer) {
        writer.float(f64::from(*self), true);
    }
}

/// Google's string formats: read and written through `FromStr` and `Display`.
macro_rules! string_formats {
    ($($type:ty),*) => {$(
        impl FromJson for $type {
            fn read_json(reader: &mut Reader<'_>) -> Result<Self, ReadError> {
                reader.read_parsed()
            }
        }

        impl ToJson for $type {
            fn write_json(&self, writer: &mut Writer) {
                writer.write_display_str(self);
            }
        }
    )*};
}

string_formats!(Bytes, Timestamp, Date, Duration, FieldMask);

impl FromJson for serde_json::Value {
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, ReadError> {
        reader.read_value()
    }
}

impl ToJson for serde_json::Value {
    fn write_json(&self, writer: &mut Writer) {
        // A `Value` holds only what JSON can say, so writing it cannot fail.
        let text = self.to_string();
        writer.raw(&text);
    }
}

impl<T: FromJson> FromJson for Option<T> {
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, ReadError> {
        // `match`, not `map`: see the module's docs.
        if reader.read_null()? {
            return Ok(None);
        }
        match T::read_json(reader) {
            Ok(value) => Ok(Some(value)),
            Err(error) => Err(error),
        }
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn write_json(&self, writer: &mut Writer) {
        match self {
            Some(value) => value.write_json(writer),
            None => writer.raw("null"),
        }
    }
}

impl<T: FromJson> FromJson for Box<T> {
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, ReadError> {
        match T::read_json(reader) {
            Ok(value) => Ok(Box::new(value)),
            Err(error) => Err(error),
        }
    }
}

impl<T: ToJson + ?Sized> ToJson for Box<T> {
    fn write_json(&self, writer: &mut Writer) {
        (**self).write_json(writer);
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, ReadError> {
        // One item at a time, with `match` rather than `?` and no closure: see the module's docs.
        let mut items = Vec::new();
        let mut more = match reader.begin_items("a list") {
            Ok(more) => more,
            Err(error) => return Err(error),
        };
        while more {
            match T::read_json(reader) {
                Ok(item) => items.push(item),
                Err(error) => return Err(error),
            }
            more = match reader.next_item() {
                Ok(more) => more,
                Err(error) => return Err(error),
            };
        }
        Ok(items)
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn write_json(&self, writer: &mut Writer) {
        writer.items(self);
    }
}

impl<T: FromJson> FromJson for BTreeMap<String, T> {
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, ReadError> {
        // As a list is read, one entry at a time.
        let mut map = BTreeMap::new();
        let mut more = match reader.begin_entries("a map") {
            Ok(more) => more,
            Err(error) => return Err(error),
        };
        while more {
            let key = match reader.entry_key() {
                Ok(key) => key,
                Err(error) => return Err(error),
            };
            match T::read_json(reader) {
                Ok(value) => map.insert(key.into_owned(), value),
                Err(error) => return Err(error),
            };
            more = match reader.next_entry() {
                Ok(more) => more,
                Err(error) => return Err(error),
            };
        }
        Ok(map)
    }
}

impl<T: ToJson> ToJson for BTreeMap<String, T> {
    fn write_json(&self, writer: &mut Writer) {
        let mut object = writer.object();
        object.entries(self);
        object.end();
    }
}
