//! The runtime's JSON reader and writer, which every generated type reads and writes through:
//! each field type, both ways, and hostile input, each error at its exact place.

use std::borrow::Cow;
use std::collections::BTreeMap;

use google_api_runtime::contract::json::{
    self, FromJson, ReadError, ReadObject, Reader, ToJson, Writer,
};
use google_api_runtime::{Bytes, Date, Duration, FieldMask, Timestamp};
use serde_json::{Value, json};

/// A struct as the generator writes one: named fields, and the map of other fields.
#[derive(Debug, Default, PartialEq)]
struct Sample {
    name: Option<String>,
    count: Option<i32>,
    size: Option<i64>,
    ratio: Option<f64>,
    child: Option<Box<Sample>>,
    tags: Option<Vec<String>>,
    labels: Option<BTreeMap<String, u64>>,
    unknown_fields: BTreeMap<String, Value>,
}

impl ReadObject for Sample {
    fn read_key(&mut self, key: Cow<'_, str>, reader: &mut Reader<'_>) -> Result<(), ReadError> {
        match &*key {
            "name" => self.name = reader.read()?,
            "count" => self.count = reader.read()?,
            "size" => self.size = reader.read()?,
            "ratio" => self.ratio = reader.read()?,
            "child" => self.child = reader.read()?,
            "tags" => self.tags = reader.read()?,
            "labels" => self.labels = reader.read()?,
            _ => {
                self.unknown_fields.insert(key.into_owned(), reader.read()?);
            }
        }
        Ok(())
    }
}

impl FromJson for Sample {
    fn read_json(reader: &mut Reader<'_>) -> Result<Self, ReadError> {
        reader.read_object("Sample")
    }
}

impl ToJson for Sample {
    fn write_json(&self, writer: &mut Writer) {
        let mut object = writer.object();
        object.field("child", &self.child);
        object.field("count", &self.count);
        object.field("labels", &self.labels);
        object.field("name", &self.name);
        object.field("ratio", &self.ratio);
        object.field("size", &self.size);
        object.field("tags", &self.tags);
        object.entries(&self.unknown_fields);
        object.end();
    }
}

fn read<T: FromJson>(text: &str) -> Result<T, ReadError> {
    json::from_str(text)
}

fn written(value: &dyn ToJson) -> String {
    String::from_utf8(json::to_vec(value)).unwrap()
}

/// The error reading `text` as `T`, as (message, line, column).
fn failure<T: FromJson + std::fmt::Debug>(text: &str) -> (String, usize, usize) {
    let error = read::<T>(text).expect_err(text);
    (error.message().to_owned(), error.line(), error.column())
}

#[test]
fn every_field_type_reads_and_writes_as_google_spells_it() {
    let sample: Sample = read(
        r#"{"name": "caf\u00e9 \ud83d\ude00 \"q\" \\ \/", "count": -7, "size": "-9223372036854775808",
            "ratio": "NaN", "tags": ["a", "b"], "labels": {"x": "18446744073709551615", "y": 3},
            "child": {"count": "12", "ratio": 0.5}, "later": {"deep": [1, 2.5, null, true]}}"#,
    )
    .unwrap();
    assert_eq!(sample.name.as_deref(), Some("café 😀 \"q\" \\ /"));
    assert_eq!(sample.count, Some(-7));
    assert_eq!(sample.size, Some(i64::MIN));
    assert!(sample.ratio.unwrap().is_nan());
    assert_eq!(sample.labels.as_ref().unwrap()["x"], u64::MAX);
    let child = sample.child.as_ref().unwrap();
    assert_eq!((child.count, child.ratio), (Some(12), Some(0.5)));
    assert_eq!(
        sample.unknown_fields["later"],
        json!({"deep": [1, 2.5, null, true]})
    );
    // Written back: 64-bit integers as strings, non-finite floats as Google's strings, the
    // fields in order, then the other fields, and nothing unset.
    assert_eq!(
        written(&sample),
        r#"{"child":{"count":12,"ratio":0.5},"count":-7,"labels":{"x":"18446744073709551615","y":"3"},"name":"café 😀 \"q\" \\ /","ratio":"NaN","size":"-9223372036854775808","tags":["a","b"],"later":{"deep":[1,2.5,null,true]}}"#
    );
    assert_eq!(written(&Sample::default()), "{}");
}

#[test]
fn scalars_of_every_kind_round_trip() {
    assert!(read::<bool>(" true ").unwrap());
    assert!(!read::<bool>("false").unwrap());
    assert_eq!(read::<u32>("4294967295").unwrap(), u32::MAX);
    assert_eq!(read::<u64>("\"18446744073709551615\"").unwrap(), u64::MAX);
    assert_eq!(read::<f64>("-1.5e3").unwrap(), -1500.0);
    assert_eq!(read::<f64>("\"-Infinity\"").unwrap(), f64::NEG_INFINITY);
    assert_eq!(read::<f32>("0.1").unwrap(), 0.1f32);
    assert_eq!(written(&0.1f32), "0.1");
    assert_eq!(written(&1.0f64), "1.0");
    assert_eq!(written(&f64::INFINITY), "\"Infinity\"");
    assert_eq!(written(&i64::MAX), "\"9223372036854775807\"");
    assert_eq!(written(&-3i32), "-3");
    assert_eq!(
        read::<Bytes>("\"aGk_\"").unwrap().as_slice(),
        b"hi?",
        "URL-safe base64 is read too"
    );
    assert_eq!(written(&Bytes::from(b"hi?".to_vec())), "\"aGk/\"");
    let stamp: Timestamp = read("\"2026-07-19T10:20:30.5+02:00\"").unwrap();
    assert_eq!(written(&stamp), "\"2026-07-19T10:20:30.500+02:00\"");
    let date: Date = read("\"2024-02-29\"").unwrap();
    assert_eq!(written(&date), "\"2024-02-29\"");
    let duration: Duration = read("\"3.000000001s\"").unwrap();
    assert_eq!(written(&duration), "\"3.000000001s\"");
    let mask: FieldMask = read("\"a.b,c\"").unwrap();
    assert_eq!(written(&mask), "\"a.b,c\"");
    // Control characters are escaped as serde_json escapes them, nothing else is.
    let text = "\u{1}\u{8}\t\n\u{c}\r\u{1f}\u{7f}é/";
    assert_eq!(
        written(&text.to_owned()),
        serde_json::to_string(text).unwrap()
    );
    assert_eq!(
        read::<String>(&serde_json::to_string(text).unwrap()).unwrap(),
        text
    );
}

#[test]
fn absent_null_and_empty_stay_apart() {
    let empty: Sample = read("{}").unwrap();
    assert_eq!(empty.tags, None);
    let null: Sample = read(r#"{"tags": null, "name": null}"#).unwrap();
    assert_eq!((null.tags, null.name), (None, None));
    let present: Sample = read(r#"{"tags": []}"#).unwrap();
    assert_eq!(present.tags, Some(vec![]));
    assert_eq!(written(&present), r#"{"tags":[]}"#);
}

#[test]
fn a_key_given_twice_keeps_its_last_value_and_escaped_keys_find_their_field() {
    let sample: Sample = read(r#"{"name": "a", "na\u006de": "b", "x": 1, "x": [2]}"#).unwrap();
    assert_eq!(sample.name.as_deref(), Some("b"));
    assert_eq!(sample.unknown_fields["x"], json!([2]));
}

#[test]
fn wrong_types_say_what_was_found_what_was_wanted_and_where() {
    assert_eq!(
        failure::<Sample>("{\n  \"tags\": \"not a list\"}"),
        (
            "invalid type: string \"not a list\", expected a list".to_owned(),
            2,
            11
        )
    );
    assert_eq!(
        failure::<Sample>("[1]"),
        (
            "invalid type: an array, expected a JSON object (Sample)".to_owned(),
            1,
            1
        )
    );
    assert_eq!(
        failure::<Sample>(r#"{"count": 1.5}"#),
        (
            "invalid type: number 1.5, expected a 32-bit integer".to_owned(),
            1,
            11
        )
    );
    assert_eq!(
        failure::<Sample>(r#"{"child": {"child": {"ratio": true}}}"#),
        (
            "invalid type: a boolean, expected a number".to_owned(),
            1,
            31
        )
    );
    let error = read::<Timestamp>(r#" "soon""#).unwrap_err();
    assert_eq!(
        (error.to_string().as_str(), error.offset()),
        (
            "\"soon\" is not a valid RFC 3339 timestamp at line 1 column 2 (byte offset 1)",
            1
        )
    );
}

#[test]
fn huge_and_malformed_numbers_are_errors_at_the_number() {
    for (text, message) in [
        (
            "[\"9223372036854775808\"]",
            "9223372036854775808 is not a 64-bit integer (or is out of its range)",
        ),
        (
            "[-1]",
            "-1 is not an unsigned 64-bit integer (or is out of its range)",
        ),
        (
            "[123456789012345678901234567890]",
            "123456789012345678901234567890 is not a 64-bit integer (or is out of its range)",
        ),
        (
            "[\"12x\"]",
            "12x is not a 64-bit integer (or is out of its range)",
        ),
    ] {
        let error = if text.contains("-1]") {
            read::<Vec<u64>>(text).unwrap_err()
        } else {
            read::<Vec<i64>>(text).unwrap_err()
        };
        assert_eq!((error.message(), error.column()), (message, 2), "{text}");
    }
    assert_eq!(
        failure::<Vec<f64>>("[1, 1e400]"),
        (
            "not a finite number, \"NaN\", \"Infinity\" or \"-Infinity\"".to_owned(),
            1,
            5
        )
    );
    assert_eq!(failure::<Vec<f64>>("[\"inf\"]").2, 2);
    for (text, column) in [
        ("01", 2),
        ("-", 2),
        ("1.", 3),
        ("1e+", 4),
        ("+1", 1),
        (".5", 1),
    ] {
        let (_, _, at) = failure::<Value>(text);
        assert_eq!(at, column, "{text}");
    }
    // Any value keeps an integer exact when 64 bits hold it, else reads a float.
    assert_eq!(
        read::<Value>("18446744073709551615").unwrap(),
        json!(u64::MAX)
    );
    assert_eq!(
        read::<Value>("-9223372036854775808").unwrap(),
        json!(i64::MIN)
    );
    assert_eq!(
        read::<Value>("123456789012345678901234567890").unwrap(),
        json!(1.2345678901234568e29)
    );
    assert_eq!(failure::<Value>("[0, -1e999]").2, 5);
}

#[test]
fn nesting_deeper_than_128_is_refused_where_it_goes_too_deep() {
    let deep = format!("{}{}", "[".repeat(128), "]".repeat(128));
    read::<Value>(&deep).unwrap();
    let too_deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(
        failure::<Value>(&too_deep),
        ("recursion limit exceeded".to_owned(), 1, 129)
    );
    // Nesting through typed structs counts the same way.
    let nested = format!("{}{}", "{\"child\":".repeat(200), "}".repeat(200));
    assert_eq!(
        failure::<Sample>(&nested),
        ("recursion limit exceeded".to_owned(), 1, 9 * 128 + 1)
    );
}

#[test]
fn broken_strings_are_errors_at_the_byte_at_fault() {
    for (text, message, column) in [
        ("\"abc", "EOF while parsing a string", 5),
        ("\"a\\", "EOF while parsing a string", 4),
        ("\"a\u{1}b\"", "control character in a string", 3),
        ("\"a\\x\"", "invalid escape in a string", 4),
        ("\"\\u12g4\"", "invalid \\u escape in a string", 4),
        ("\"\\ud800\"", "unpaired surrogate in a string", 8),
        ("\"\\ud800\\u0041\"", "unpaired surrogate in a string", 14),
        ("\"\\udc00\"", "unpaired surrogate in a string", 8),
    ] {
        assert_eq!(
            failure::<String>(text),
            (message.to_owned(), 1, column),
            "{text:?}"
        );
    }
}

#[test]
fn truncated_bodies_and_trailing_bytes_are_errors() {
    for (text, message, column) in [
        (
            "",
            "EOF while parsing a value, expected a JSON object (Sample)",
            1,
        ),
        ("{", "EOF while parsing an object", 2),
        ("{\"name\"", "EOF while parsing an object", 8),
        (
            "{\"name\":",
            "EOF while parsing a value, expected a string",
            9,
        ),
        (
            "{\"tags\": [\"a\",",
            "EOF while parsing a value, expected a string",
            15,
        ),
        ("{\"tags\": [\"a\"", "EOF while parsing a list", 14),
        ("{\"name\": \"a\" \"b\"}", "expected `,` or `}`", 14),
        ("{\"name\": \"a\",}", "expected a key (a string)", 14),
        ("{\"count\": tru}", "expected `true`", 11),
        ("{} x", "trailing characters after the value", 4),
    ] {
        assert_eq!(
            failure::<Sample>(text),
            (message.to_owned(), 1, column),
            "{text:?}"
        );
    }
}

#[test]
fn invalid_utf8_is_found_before_reading() {
    let error = json::from_slice::<Sample>(b"{\n  \"name\": \"caf\xe9\"\n}").unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid UTF-8 at line 2 column 15 (byte offset 16)"
    );
}

/// Programs that use serde get the same reading and writing through the serde traits.
#[test]
fn serde_sees_the_same_json() {
    struct Wrapped(Sample);
    impl serde::Serialize for Wrapped {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            json::serialize(&self.0, serializer)
        }
    }
    let sample: Sample = read(r#"{"size": "5", "ratio": "Infinity", "z": 1}"#).unwrap();
    assert_eq!(
        serde_json::to_value(Wrapped(sample)).unwrap(),
        json!({"size": "5", "ratio": "Infinity", "z": 1})
    );
    let back: Sample = json::deserialize(json!({"size": 6, "tags": ["t"]})).unwrap();
    assert_eq!(
        (back.size, back.tags),
        (Some(6), Some(vec!["t".to_owned()]))
    );
    let error = json::deserialize::<Sample, _>(json!({"size": []})).unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid type: an array, expected a 64-bit integer"
    );
}

/// Whether two values are equal, floats within a rounding: serde_json's default float parsing
/// is not always correctly rounded (`2.5e-30` reads as `2.5000000000000002e-30`); ours is.
fn same(ours: &Value, theirs: &Value) -> bool {
    match (ours, theirs) {
        (Value::Number(a), Value::Number(b)) if a.is_f64() || b.is_f64() => {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            a == b || (a - b).abs() <= a.abs().max(b.abs()) * 1e-15
        }
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same(a, b))
        }
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|((k, a), (l, b))| k == l && same(a, b))
        }
        _ => ours == theirs,
    }
}

/// Any value is read as serde_json reads it: the same value, or an error for the same inputs,
/// over valid seeds and many small corruptions of them.
#[test]
fn any_value_agrees_with_serde_json_on_valid_and_corrupted_input() {
    let seeds = [
        r#"{"a": [1, -0, 2.5e-3, 1E2, "x\u0041\n", true, false, null, {}], "b": {"c": []}}"#,
        r#"[18446744073709551615, -9223372036854775808, 18446744073709551616, 0.1]"#,
        r#""\ud83d\ude00 caf\u00e9 \" \\ \/ \b\f\n\r\t""#,
        r#"  {"dup": 1, "dup": 2, "": ""}  "#,
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |below: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % below as u64) as usize
    };
    let mut checked = 0;
    for seed in seeds {
        for round in 0..2_000 {
            let mut text = seed.as_bytes().to_vec();
            if round > 0 {
                for _ in 0..1 + next(3) {
                    let at = next(text.len() + 1);
                    match next(4) {
                        0 => text.truncate(at),
                        1 => text.insert(at, b"{}[]\",:\\-.e0 tfnu"[next(17)]),
                        2 if at < text.len() => {
                            text.remove(at);
                        }
                        _ => text.insert(at, b' '),
                    }
                }
            }
            let Ok(text) = String::from_utf8(text) else {
                continue;
            };
            let ours = read::<Value>(&text).ok();
            let theirs = serde_json::from_str::<Value>(&text).ok();
            let agree = match (&ours, &theirs) {
                (Some(ours), Some(theirs)) => same(ours, theirs),
                (None, None) => true,
                _ => false,
            };
            assert!(agree, "{text:?}: ours {ours:?}, serde_json {theirs:?}");
            checked += 1;
        }
    }
    assert!(checked > 7_000, "{checked}");
}
