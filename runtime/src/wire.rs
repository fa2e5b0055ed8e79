//! Wire codecs: how Google's JSON spells values that serde's defaults spell differently.
//!
//! Google sends 64-bit integers as JSON strings (a JavaScript number cannot hold them) and
//! non-finite floats as the strings `"NaN"`, `"Infinity"` and `"-Infinity"`. Fields of crates
//! generated for contract versions 3 and 4 use these codecs through
//! `#[serde(with = "With::<...>")]`, composed for options, lists and maps; later crates read and
//! write through `contract::json`, whose value types spell the same.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

/// How one Rust type is written to and read from Google's JSON.
pub trait Codec<T> {
    /// Writes `value`.
    fn serialize<S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error>;
    /// Reads a value.
    fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error>;
}

/// Adapts a [`Codec`] to serde's `with` attribute: `#[serde(with = "With::<Opt<Int64>>")]`.
pub struct With<C>(PhantomData<C>);

impl<C> With<C> {
    /// Serializes `value` with the codec `C`.
    pub fn serialize<T, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error>
    where
        C: Codec<T>,
    {
        C::serialize(value, serializer)
    }

    /// Deserializes a value with the codec `C`.
    pub fn deserialize<'de, T, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error>
    where
        C: Codec<T>,
    {
        C::deserialize(deserializer)
    }
}

/// Serializes a borrowed value through codec `C`.
struct Encode<'a, T, C>(&'a T, PhantomData<C>);

impl<T, C: Codec<T>> Serialize for Encode<'_, T, C> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        C::serialize(self.0, serializer)
    }
}

/// Deserializes a value through codec `C`.
struct Decode<T, C>(T, PhantomData<C>);

impl<'de, T, C: Codec<T>> Deserialize<'de> for Decode<T, C> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        C::deserialize(deserializer).map(|value| Decode(value, PhantomData))
    }
}

/// `int64`: written as a decimal string, read from a string or a number.
pub struct Int64;
/// `uint64`: written as a decimal string, read from a string or a number.
pub struct Uint64;
/// `double` and `float`: non-finite values as `"NaN"`, `"Infinity"`, `"-Infinity"`.
pub struct Float;
/// An optional value whose inner value uses codec `C`.
pub struct Opt<C>(PhantomData<C>);
/// A list whose items use codec `C`.
pub struct List<C>(PhantomData<C>);
/// A map whose values use codec `C`.
pub struct Map<C>(PhantomData<C>);

/// Reads an integer from a JSON number or a decimal string.
struct IntegerVisitor<T>(PhantomData<T>);

impl<T> Visitor<'_> for IntegerVisitor<T>
where
    T: TryFrom<i64> + TryFrom<u64> + std::str::FromStr,
{
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer or a string holding one")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        T::try_from(v).map_err(|_| E::custom(format_args!("integer {v} is out of range")))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        T::try_from(v).map_err(|_| E::custom(format_args!("integer {v} is out of range")))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        v.parse()
            .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

impl Codec<i64> for Int64 {
    fn serialize<S: Serializer>(value: &i64, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(value)
    }
    fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
        deserializer.deserialize_any(IntegerVisitor(PhantomData))
    }
}

impl Codec<u64> for Uint64 {
    fn serialize<S: Serializer>(value: &u64, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(value)
    }
    fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
        deserializer.deserialize_any(IntegerVisitor(PhantomData))
    }
}

/// Reads a float from a JSON number or one of Google's strings for non-finite values.
struct FloatVisitor;

impl Visitor<'_> for FloatVisitor {
    type Value = f64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number, \"NaN\", \"Infinity\" or \"-Infinity\"")
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
        Ok(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
        match v {
            "NaN" => Ok(f64::NAN),
            "Infinity" => Ok(f64::INFINITY),
            "-Infinity" => Ok(f64::NEG_INFINITY),
            // Google also accepts a number spelled as a string.
            other => other
                .parse::<f64>()
                .ok()
                .filter(|value| value.is_finite())
                .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self)),
        }
    }
}

/// Writes a float as a JSON number, or as Google's string for a non-finite value.
fn serialize_float<S: Serializer>(value: f64, serializer: S) -> Result<S::Ok, S::Error> {
    if value.is_nan() {
        serializer.serialize_str("NaN")
    } else if value == f64::INFINITY {
        serializer.serialize_str("Infinity")
    } else if value == f64::NEG_INFINITY {
        serializer.serialize_str("-Infinity")
    } else {
        serializer.serialize_f64(value)
    }
}

impl Codec<f64> for Float {
    fn serialize<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_float(*value, serializer)
    }
    fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
        deserializer.deserialize_any(FloatVisitor)
    }
}

impl Codec<f32> for Float {
    fn serialize<S: Serializer>(value: &f32, serializer: S) -> Result<S::Ok, S::Error> {
        if value.is_finite() {
            serializer.serialize_f32(*value)
        } else {
            serialize_float(f64::from(*value), serializer)
        }
    }
    fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f32, D::Error> {
        // Narrowing is the point: the wire value is a `float`.
        deserializer
            .deserialize_any(FloatVisitor)
            .map(|value| value as f32)
    }
}

impl<T, C: Codec<T>> Codec<Option<T>> for Opt<C> {
    fn serialize<S: Serializer>(value: &Option<T>, serializer: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(inner) => serializer.serialize_some(&Encode::<T, C>(inner, PhantomData)),
            None => serializer.serialize_none(),
        }
    }
    fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<T>, D::Error> {
        Option::<Decode<T, C>>::deserialize(deserializer).map(|value| value.map(|inner| inner.0))
    }
}

impl<T, C: Codec<T>> Codec<Vec<T>> for List<C> {
    fn serialize<S: Serializer>(value: &Vec<T>, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(value.iter().map(|item| Encode::<T, C>(item, PhantomData)))
    }
    fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<T>, D::Error> {
        Vec::<Decode<T, C>>::deserialize(deserializer)
            .map(|items| items.into_iter().map(|item| item.0).collect())
    }
}

impl<T, C: Codec<T>> Codec<BTreeMap<String, T>> for Map<C> {
    fn serialize<S: Serializer>(
        value: &BTreeMap<String, T>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_map(
            value
                .iter()
                .map(|(key, item)| (key, Encode::<T, C>(item, PhantomData))),
        )
    }
    fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<BTreeMap<String, T>, D::Error> {
        BTreeMap::<String, Decode<T, C>>::deserialize(deserializer)
            .map(|map| map.into_iter().map(|(key, item)| (key, item.0)).collect())
    }
}

/// The value of an open enum that this crate does not know: a value Google added after the crate
/// was generated. It keeps the wire string, so it round-trips unchanged.
///
/// Only [`From<&str>`](From) on a generated enum makes one, and only for strings that are not
/// known values, so a known value is always its own variant.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue(String);

impl UnknownValue {
    /// Wraps a wire value. Generated code calls this only for values it does not know.
    #[doc(hidden)]
    pub fn new(value: &str) -> Self {
        UnknownValue(value.to_owned())
    }

    /// The wire value.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Reads an open enum from its wire string. Generated enums deserialize through this.
pub fn deserialize_enum<'de, D, E>(deserializer: D) -> Result<E, D::Error>
where
    D: Deserializer<'de>,
    E: for<'a> From<&'a str>,
{
    struct EnumVisitor<E>(PhantomData<E>);

    impl<E: for<'a> From<&'a str>> Visitor<'_> for EnumVisitor<E> {
        type Value = E;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an enum value string")
        }

        fn visit_str<Er: de::Error>(self, v: &str) -> Result<E, Er> {
            Ok(E::from(v))
        }
    }

    deserializer.deserialize_str(EnumVisitor(PhantomData))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    #[serde(default)]
    struct Sample {
        #[serde(with = "With::<Opt<Int64>>", skip_serializing_if = "Option::is_none")]
        signed: Option<i64>,
        #[serde(with = "With::<Opt<Uint64>>", skip_serializing_if = "Option::is_none")]
        unsigned: Option<u64>,
        #[serde(with = "With::<Opt<Float>>", skip_serializing_if = "Option::is_none")]
        double: Option<f64>,
        #[serde(with = "With::<Opt<Float>>", skip_serializing_if = "Option::is_none")]
        float: Option<f32>,
        #[serde(
            with = "With::<Opt<List<Int64>>>",
            skip_serializing_if = "Option::is_none"
        )]
        list: Option<Vec<i64>>,
        #[serde(
            with = "With::<Opt<Map<Uint64>>>",
            skip_serializing_if = "Option::is_none"
        )]
        map: Option<BTreeMap<String, u64>>,
    }

    fn read(value: serde_json::Value) -> Sample {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn sixty_four_bit_integers_are_strings_on_the_wire() {
        let sample = read(json!({
            "signed": "-9223372036854775808",
            "unsigned": "18446744073709551615",
            "list": ["1", 2, "-3"],
            "map": {"a": "7", "b": 8}
        }));
        assert_eq!(sample.signed, Some(i64::MIN));
        assert_eq!(sample.unsigned, Some(u64::MAX));
        assert_eq!(sample.list, Some(vec![1, 2, -3]));
        assert_eq!(
            serde_json::to_value(&sample).unwrap(),
            json!({
                "signed": "-9223372036854775808",
                "unsigned": "18446744073709551615",
                "list": ["1", "2", "-3"],
                "map": {"a": "7", "b": "8"}
            })
        );
        // Numbers are accepted on input too.
        assert_eq!(read(json!({"signed": 42})).signed, Some(42));
    }

    #[test]
    fn out_of_range_and_malformed_integers_are_errors() {
        for bad in [
            json!({"unsigned": "-1"}),
            json!({"unsigned": -1}),
            json!({"signed": "9223372036854775808"}),
            json!({"signed": "12x"}),
            json!({"signed": 1.5}),
        ] {
            assert!(
                serde_json::from_value::<Sample>(bad.clone()).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn non_finite_floats_are_strings_on_the_wire() {
        let sample = read(json!({"double": "NaN", "float": "-Infinity"}));
        assert!(sample.double.unwrap().is_nan());
        assert_eq!(sample.float, Some(f32::NEG_INFINITY));
        assert_eq!(
            serde_json::to_value(&sample).unwrap(),
            json!({"double": "NaN", "float": "-Infinity"})
        );
        let sample = read(json!({"double": "Infinity", "float": 1.5}));
        assert_eq!(sample.double, Some(f64::INFINITY));
        assert_eq!(serde_json::to_value(&sample).unwrap()["float"], json!(1.5));
        assert_eq!(read(json!({"double": "2.5"})).double, Some(2.5));
        assert!(serde_json::from_value::<Sample>(json!({"double": "inf"})).is_err());
        assert_eq!(read(json!({"double": null})).double, None);
    }
}
