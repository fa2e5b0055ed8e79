//! The decoding target: response bodies made hostile (truncated, deeply nested, huge numbers,
//! invalid UTF-8, duplicate keys, long strings) and decoded as the request path decodes them (the
//! runtime's JSON reader) with every Data Portability response type, Google's error body and each
//! value type the reader knows. Each must return a value or an error, never panic, and never
//! allocate far out of proportion to the body.

use google_dataportability_v1::model::{
    CheckAccessTypeResponse, Empty, InitiatePortabilityArchiveResponse, PortabilityArchiveState,
    RetryPortabilityArchiveResponse,
};
use google_dataportability_v1::runtime::contract::json;
use google_dataportability_v1::runtime::{
    Bytes, Date, Duration, FieldMask, GoogleError, Timestamp,
};

use super::mutate::Rng;
use super::{Outcome, guarded};
use crate::measure;

/// Bodies of every shape the decoders read, valid, to start from.
pub fn seeds() -> Vec<Vec<u8>> {
    [
        r#"{"name": "archiveJobs/1/portabilityArchiveState", "state": "COMPLETE", "urls": ["https://s.example.com/a.zip?sig=1"], "startTime": "2024-01-01T00:00:00Z", "exportTime": "2024-01-02T03:04:05.123456789+02:00"}"#,
        r#"{"state": "IN_PROGRESS", "unknownField": {"deep": [1, 2.5, "x", null, true]}}"#,
        r#"{"archiveJobId": "abc", "accessType": "ACCESS_TYPE_ONE_TIME"}"#,
        r#"{"oneTimeResources": ["myactivity.search"], "timeBasedResources": []}"#,
        r#"{}"#,
        r#"{"error": {"code": 429, "message": "m", "status": "RESOURCE_EXHAUSTED", "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "R", "metadata": {"k": "v"}}], "errors": [{"reason": "r", "domain": "d"}]}}"#,
        r#""-9223372036854775808""#,
        r#""18446744073709551615""#,
        r#"1.5e300"#,
        r#""NaN""#,
        r#"["1", "2", 3]"#,
        r#"{"a": 1.0, "b": "Infinity"}"#,
        r#""aGVsbG8gd29ybGQ=""#,
        r#""2024-02-29T23:59:60.999999999Z""#,
        r#""2024-02-29""#,
        r#""3.000000001s""#,
        r#""a.b,c.d""#,
    ]
    .iter()
    .map(|text| text.as_bytes().to_vec())
    .collect()
}

/// A hostile variant of a seed.
pub fn mutated(seeds: &[Vec<u8>], rng: &mut Rng) -> Vec<u8> {
    let mut body = seeds[rng.below(seeds.len())].clone();
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(body.len() + 1);
        match rng.below(10) {
            // Truncated.
            0 => body.truncate(at),
            // A byte changed, often into one that is not UTF-8.
            1 => {
                if let Some(byte) = body.get_mut(at) {
                    *byte = *rng.pick(&[0xff, 0xc3, 0x80, 0x00, b'"', b'\\', b'{', b']']);
                }
            }
            // Deeply nested.
            2 => {
                let depth = rng.below(100_000);
                let (open, close) = if rng.chance(2) {
                    ("[", "]")
                } else {
                    ("{\"a\":", "}")
                };
                let nested = format!("{}1{}", open.repeat(depth), close.repeat(depth));
                body.splice(at..at, nested.into_bytes());
            }
            // A huge or odd number, where a value may go.
            3 => {
                let number = *rng.pick(&[
                    "1e999999",
                    "-1e-999999",
                    "123456789012345678901234567890",
                    "-0",
                    "0.0000000000000000000000000001",
                    "9223372036854775808",
                    "\"-9223372036854775809\"",
                    "\"99999999999999999999999\"",
                    "\"1e5\"",
                    "\"0x10\"",
                ]);
                body.splice(at..at, number.bytes());
            }
            // A duplicate key at the start of an object.
            4 => {
                if let Some(open) = body.iter().position(|b| *b == b'{') {
                    let key = *rng.pick(&[
                        "\"state\":\"FAILED\",",
                        "\"urls\":[],",
                        "\"archiveJobId\":null,",
                        "\"error\":{},",
                        "\"code\":\"x\",",
                    ]);
                    body.splice(open + 1..open + 1, key.bytes());
                }
            }
            // A long string.
            5 => {
                let long = format!("\"{}\"", "s".repeat(rng.below(1 << 20)));
                body.splice(at..at, long.into_bytes());
            }
            // Escapes, valid and not.
            6 => {
                let escape = *rng.pick(&[r"\ud800", r"\udc00\ud800", r"\u0000", r"\x", r"\"]);
                body.splice(at..at, escape.bytes());
            }
            // Many small values.
            7 => {
                let many = format!("[{}1]", "1,".repeat(rng.below(200_000)));
                body.splice(at..at, many.into_bytes());
            }
            // Two seeds together.
            8 => {
                let other = &seeds[rng.below(seeds.len())];
                body.splice(at..at, other.iter().copied());
            }
            // White space and comments JSON does not allow.
            _ => body
                .splice(at..at, b" /* c */ \t\n".iter().copied())
                .for_each(drop),
        }
    }
    body
}

/// How much a decoder may allocate at its peak: a generous multiple of the body, and a little.
fn allowance(body: &[u8]) -> usize {
    64 * body.len() + 64 * 1024
}

/// Decodes `body` with every decoder.
pub fn try_decode(body: &[u8]) -> Outcome {
    guarded(|| {
        let mut accepted = false;
        for (name, decode) in DECODERS {
            let (ok, peak) = measure::peak_allocation(|| decode(body));
            if peak > allowance(body) {
                return Outcome::Finding(format!(
                    "{name} allocated {peak} bytes at its peak for a body of {}",
                    body.len()
                ));
            }
            accepted |= ok;
        }
        if accepted {
            Outcome::Accepted
        } else {
            Outcome::Refused
        }
    })
}

/// A decoder: whether it accepted the body.
type Decoder = fn(&[u8]) -> bool;

/// How the request path reads `body` as `T`: the runtime's JSON reader.
fn read<T: json::FromJson>(body: &[u8]) -> bool {
    json::from_slice::<T>(body).is_ok()
}

const DECODERS: &[(&str, Decoder)] = &[
    ("PortabilityArchiveState", read::<PortabilityArchiveState>),
    (
        "InitiatePortabilityArchiveResponse",
        read::<InitiatePortabilityArchiveResponse>,
    ),
    ("CheckAccessTypeResponse", read::<CheckAccessTypeResponse>),
    (
        "RetryPortabilityArchiveResponse",
        read::<RetryPortabilityArchiveResponse>,
    ),
    ("Empty", read::<Empty>),
    ("GoogleError", |b| GoogleError::parse(b).is_some()),
    ("int64", read::<i64>),
    ("uint64", read::<u64>),
    ("double", read::<f64>),
    ("float", read::<f32>),
    ("optional int64 list", read::<Option<Vec<i64>>>),
    (
        "map of doubles",
        read::<std::collections::BTreeMap<String, f64>>,
    ),
    ("any value", read::<serde_json::Value>),
    ("bytes", read::<Bytes>),
    ("timestamp", read::<Timestamp>),
    ("date", read::<Date>),
    ("duration", read::<Duration>),
    ("field mask", read::<FieldMask>),
];
