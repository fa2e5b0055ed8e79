//! Value types for Google's string formats: bytes, timestamps, dates, durations, field masks.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

/// Why a string is not a valid value of one of Google's formats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError {
    kind: &'static str,
    input: String,
}

impl FormatError {
    fn new(kind: &'static str, input: &str) -> Self {
        // Long inputs are cut so the message stays readable.
        let input = input.chars().take(64).collect();
        FormatError { kind, input }
    }
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not a valid {}", self.input, self.kind)
    }
}

impl std::error::Error for FormatError {}

/// Implements `Serialize` and `Deserialize` through `Display` and `FromStr`.
macro_rules! string_wire_format {
    ($type:ty) => {
        impl Serialize for $type {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $type {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
                text.parse().map_err(de::Error::custom)
            }
        }
    };
}

/// Binary data (`format: byte`), base64 on the wire.
///
/// Written as standard base64 with padding; read from standard or URL-safe base64, padded or not.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Bytes(pub Vec<u8>);

impl Bytes {
    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        &self.0
    }

    /// Takes the bytes out.
    pub fn into_vec(self) -> Vec<u8> {
        self.0
    }
}

impl fmt::Debug for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Bytes({} bytes)", self.0.len())
    }
}

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&base64::engine::general_purpose::STANDARD.encode(&self.0))
    }
}

impl FromStr for Bytes {
    type Err = FormatError;

    fn from_str(text: &str) -> Result<Self, FormatError> {
        // One decoder for both alphabets: map URL-safe characters onto the standard ones.
        let standard: String = text
            .chars()
            .map(|c| match c {
                '-' => '+',
                '_' => '/',
                other => other,
            })
            .collect();
        let engine = base64::engine::GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            base64::engine::GeneralPurposeConfig::new()
                .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
        );
        engine
            .decode(standard)
            .map(Bytes)
            .map_err(|_| FormatError::new("base64 string", text))
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(bytes: Vec<u8>) -> Self {
        Bytes(bytes)
    }
}

impl From<&[u8]> for Bytes {
    fn from(bytes: &[u8]) -> Self {
        Bytes(bytes.to_vec())
    }
}

string_wire_format!(Bytes);

/// A point in time (`format: google-datetime` or `date-time`), RFC 3339 on the wire, kept to the
/// nanosecond, with the UTC offset it was written with.
///
/// Written with 0, 3, 6 or 9 fractional digits and its offset (`Z` for UTC, as Google writes
/// it), so a value read from Google, or given by a caller as `2026-05-01T10:00:00+02:00`, is
/// written back as the same string. Two timestamps are equal, ordered and hashed by the instant
/// alone: `10:00:00+02:00` equals `08:00:00Z`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Timestamp {
    seconds: i64,
    nanos: u32,
    /// The UTC offset to write it with, in minutes east of UTC.
    offset_minutes: i16,
}

/// Seconds from 0001-01-01T00:00:00Z to the Unix epoch, and from the epoch to the end of 9999.
const MIN_TIMESTAMP_SECONDS: i64 = -62_135_596_800;
const MAX_TIMESTAMP_SECONDS: i64 = 253_402_300_799;

impl Timestamp {
    /// The time `seconds` and `nanos` after the Unix epoch, in UTC, or `None` outside years 1 to
    /// 9999 or when `nanos` is a second or more.
    pub fn from_unix(seconds: i64, nanos: u32) -> Option<Self> {
        let in_range = (MIN_TIMESTAMP_SECONDS..=MAX_TIMESTAMP_SECONDS).contains(&seconds);
        (in_range && nanos < 1_000_000_000).then_some(Timestamp {
            seconds,
            nanos,
            offset_minutes: 0,
        })
    }

    /// The same instant, to be written with a UTC offset of `minutes` east of UTC (so `120` for
    /// `+02:00`), or `None` when the offset is 24 hours or more, or the local time falls outside
    /// years 1 to 9999.
    pub fn with_offset_minutes(self, minutes: i16) -> Option<Self> {
        if minutes.unsigned_abs() >= 24 * 60 {
            return None;
        }
        let offset = time::UtcOffset::from_whole_seconds(i32::from(minutes) * 60).ok()?;
        let local = time::OffsetDateTime::from_unix_timestamp(self.seconds)
            .ok()?
            .checked_to_offset(offset)?;
        (1..=9999).contains(&local.year()).then_some(Timestamp {
            offset_minutes: minutes,
            ..self
        })
    }

    /// The UTC offset it is written with, in minutes east of UTC.
    pub fn offset_minutes(&self) -> i16 {
        self.offset_minutes
    }

    /// The current time.
    pub fn now() -> Self {
        Self::from(std::time::SystemTime::now())
    }

    /// Whole seconds since the Unix epoch (negative before it).
    pub fn unix_seconds(&self) -> i64 {
        self.seconds
    }

    /// Nanoseconds past [`unix_seconds`](Self::unix_seconds), below one second.
    pub fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// The same instant as a `SystemTime`.
    pub fn to_system_time(&self) -> std::time::SystemTime {
        let epoch = std::time::UNIX_EPOCH;
        if self.seconds >= 0 {
            epoch + std::time::Duration::new(self.seconds.unsigned_abs(), self.nanos)
        } else {
            epoch - std::time::Duration::from_secs(self.seconds.unsigned_abs())
                + std::time::Duration::from_nanos(u64::from(self.nanos))
        }
    }

    fn instant(&self) -> (i64, u32) {
        (self.seconds, self.nanos)
    }
}

impl PartialEq for Timestamp {
    fn eq(&self, other: &Self) -> bool {
        self.instant() == other.instant()
    }
}

impl Eq for Timestamp {}

impl std::hash::Hash for Timestamp {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.instant().hash(state);
    }
}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.instant().cmp(&other.instant())
    }
}

impl From<std::time::SystemTime> for Timestamp {
    fn from(time: std::time::SystemTime) -> Self {
        let (seconds, nanos) = match time.duration_since(std::time::UNIX_EPOCH) {
            Ok(after) => (after.as_secs() as i64, after.subsec_nanos()),
            Err(before) => {
                let before = before.duration();
                let seconds = -(before.as_secs() as i64);
                match before.subsec_nanos() {
                    0 => (seconds, 0),
                    nanos => (seconds - 1, 1_000_000_000 - nanos),
                }
            }
        };
        let seconds = seconds.clamp(MIN_TIMESTAMP_SECONDS, MAX_TIMESTAMP_SECONDS);
        Timestamp {
            seconds,
            nanos,
            offset_minutes: 0,
        }
    }
}

/// Writes the fraction of a second with 0, 3, 6 or 9 digits, the fewest that keep every digit.
fn write_fraction(f: &mut fmt::Formatter<'_>, nanos: u32) -> fmt::Result {
    if nanos == 0 {
        Ok(())
    } else if nanos % 1_000_000 == 0 {
        write!(f, ".{:03}", nanos / 1_000_000)
    } else if nanos % 1_000 == 0 {
        write!(f, ".{:06}", nanos / 1_000)
    } else {
        write!(f, ".{nanos:09}")
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let utc = time::OffsetDateTime::from_unix_timestamp(self.seconds)
            .expect("a Timestamp is always within years 1 to 9999");
        // The constructors only accept offsets whose local time stays within years 1 to 9999.
        let offset = time::UtcOffset::from_whole_seconds(i32::from(self.offset_minutes) * 60)
            .unwrap_or(time::UtcOffset::UTC);
        let local = utc.checked_to_offset(offset).unwrap_or(utc);
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            local.year(),
            u8::from(local.month()),
            local.day(),
            local.hour(),
            local.minute(),
            local.second()
        )?;
        write_fraction(f, self.nanos)?;
        if local.offset().is_utc() {
            return f.write_str("Z");
        }
        let minutes = local.offset().whole_minutes();
        let sign = if minutes < 0 { '-' } else { '+' };
        let minutes = minutes.unsigned_abs();
        write!(f, "{sign}{:02}:{:02}", minutes / 60, minutes % 60)
    }
}

impl FromStr for Timestamp {
    type Err = FormatError;

    fn from_str(text: &str) -> Result<Self, FormatError> {
        let invalid = || FormatError::new("RFC 3339 timestamp", text);
        let time =
            time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                .map_err(|_| invalid())?;
        Timestamp::from_unix(time.unix_timestamp(), time.nanosecond())
            .and_then(|utc| utc.with_offset_minutes(time.offset().whole_minutes()))
            .ok_or_else(invalid)
    }
}

string_wire_format!(Timestamp);

/// A calendar date without a time zone (`format: date`), `YYYY-MM-DD` on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// The date, or `None` when it does not exist or its year is outside 1 to 9999.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        let month_value = time::Month::try_from(month).ok()?;
        let valid = (1..=9999).contains(&year)
            && time::Date::from_calendar_date(i32::from(year), month_value, day).is_ok();
        valid.then_some(Date { year, month, day })
    }

    /// The year, 1 to 9999.
    pub fn year(&self) -> u16 {
        self.year
    }

    /// The month, 1 to 12.
    pub fn month(&self) -> u8 {
        self.month
    }

    /// The day of the month, from 1.
    pub fn day(&self) -> u8 {
        self.day
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for Date {
    type Err = FormatError;

    fn from_str(text: &str) -> Result<Self, FormatError> {
        let invalid = || FormatError::new("date (YYYY-MM-DD)", text);
        let bytes = text.as_bytes();
        let shaped = bytes.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && bytes
                .iter()
                .enumerate()
                .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
        if !shaped {
            return Err(invalid());
        }
        let number = |range: std::ops::Range<usize>| text[range].parse::<u16>().ok();
        let (year, month, day) = (number(0..4), number(5..7), number(8..10));
        match (year, month, day) {
            (Some(year), Some(month), Some(day)) => {
                Date::new(year, month as u8, day as u8).ok_or_else(invalid)
            }
            _ => Err(invalid()),
        }
    }
}

string_wire_format!(Date);

/// A signed span of time (`format: google-duration`), such as `"3.5s"` on the wire.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Duration {
    seconds: i64,
    // Same sign as `seconds` (or either sign when `seconds` is zero), magnitude below a second.
    nanos: i32,
}

impl Duration {
    /// A duration of `seconds` plus `nanos`; `None` when their signs differ or `nanos` is a
    /// second or more in magnitude.
    pub fn new(seconds: i64, nanos: i32) -> Option<Self> {
        let signs_agree = seconds == 0 || nanos == 0 || (seconds < 0) == (nanos < 0);
        (signs_agree && nanos.unsigned_abs() < 1_000_000_000).then_some(Duration { seconds, nanos })
    }

    /// Whole seconds.
    pub fn seconds(&self) -> i64 {
        self.seconds
    }

    /// Nanoseconds past the whole seconds, with the same sign.
    pub fn nanos(&self) -> i32 {
        self.nanos
    }

    /// The same span as a `std::time::Duration`, or `None` when it is negative.
    pub fn to_std(&self) -> Option<std::time::Duration> {
        if self.seconds < 0 || self.nanos < 0 {
            None
        } else {
            Some(std::time::Duration::new(
                self.seconds as u64,
                self.nanos as u32,
            ))
        }
    }
}

impl From<std::time::Duration> for Duration {
    fn from(span: std::time::Duration) -> Self {
        let seconds = i64::try_from(span.as_secs()).unwrap_or(i64::MAX);
        Duration {
            seconds,
            nanos: span.subsec_nanos() as i32,
        }
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.seconds < 0 || self.nanos < 0 {
            f.write_str("-")?;
        }
        write!(f, "{}", self.seconds.unsigned_abs())?;
        write_fraction(f, self.nanos.unsigned_abs())?;
        f.write_str("s")
    }
}

impl FromStr for Duration {
    type Err = FormatError;

    fn from_str(text: &str) -> Result<Self, FormatError> {
        let invalid = || FormatError::new("duration (such as \"3.5s\")", text);
        let body = text.strip_suffix('s').ok_or_else(invalid)?;
        let (negative, body) = match body.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, body),
        };
        let (whole, fraction) = body.split_once('.').unwrap_or((body, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(fraction) || fraction.len() > 9 {
            return Err(invalid());
        }
        let seconds: i64 = whole.parse().map_err(|_| invalid())?;
        let nanos: i32 = if fraction.is_empty() {
            0
        } else {
            format!("{fraction:0<9}").parse().map_err(|_| invalid())?
        };
        Ok(if negative {
            Duration {
                seconds: -seconds,
                nanos: -nanos,
            }
        } else {
            Duration { seconds, nanos }
        })
    }
}

string_wire_format!(Duration);

/// A set of field paths (`format: google-fieldmask`), comma-separated on the wire.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FieldMask {
    /// The paths, such as `name` or `metadata.labels`.
    pub paths: Vec<String>,
}

impl FieldMask {
    /// A mask of the given paths.
    pub fn new<I, P>(paths: I) -> Self
    where
        I: IntoIterator<Item = P>,
        P: Into<String>,
    {
        FieldMask {
            paths: paths.into_iter().map(Into::into).collect(),
        }
    }
}

impl fmt::Display for FieldMask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.paths.join(","))
    }
}

impl FromStr for FieldMask {
    type Err = FormatError;

    fn from_str(text: &str) -> Result<Self, FormatError> {
        let paths = text
            .split(',')
            .map(str::trim)
            .filter(|path| !path.is_empty())
            .map(str::to_owned)
            .collect();
        Ok(FieldMask { paths })
    }
}

string_wire_format!(FieldMask);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_read_every_base64_dialect() {
        for text in ["+/+/", "-_-_", "aGk=", "aGk", "aGk_", "aGk/"] {
            assert!(text.parse::<Bytes>().is_ok(), "{text}");
        }
        assert_eq!("aGk".parse::<Bytes>().unwrap().as_slice(), b"hi");
        assert_eq!("-_8".parse::<Bytes>().unwrap(), "+/8=".parse().unwrap());
        assert_eq!(Bytes(b"hi?".to_vec()).to_string(), "aGk/");
        assert!("a".parse::<Bytes>().is_err());
        assert!("***".parse::<Bytes>().is_err());
    }

    #[test]
    fn timestamps_keep_nanoseconds_and_range() {
        let cases = [
            ("1970-01-01T00:00:00Z", 0, 0),
            ("1969-12-31T23:59:59.999999999Z", -1, 999_999_999),
            ("0001-01-01T00:00:00Z", MIN_TIMESTAMP_SECONDS, 0),
            (
                "9999-12-31T23:59:59.100Z",
                MAX_TIMESTAMP_SECONDS,
                100_000_000,
            ),
        ];
        for (text, seconds, nanos) in cases {
            let stamp: Timestamp = text.parse().unwrap();
            assert_eq!(
                (stamp.unix_seconds(), stamp.subsec_nanos()),
                (seconds, nanos)
            );
            assert_eq!(stamp.to_string(), text);
            assert_eq!(Timestamp::from(stamp.to_system_time()), stamp);
        }
        assert!(Timestamp::from_unix(MAX_TIMESTAMP_SECONDS + 1, 0).is_none());
        assert!(Timestamp::from_unix(0, 1_000_000_000).is_none());
    }

    #[test]
    fn timestamps_keep_the_offset_they_were_written_with() {
        for text in [
            "2026-05-01T10:00:00+02:00",
            "2026-05-01T10:00:00.500-05:30",
            "2026-05-01T08:00:00Z",
        ] {
            assert_eq!(text.parse::<Timestamp>().unwrap().to_string(), text);
        }
        let local: Timestamp = "2026-05-01T10:00:00+02:00".parse().unwrap();
        let utc: Timestamp = "2026-05-01T08:00:00Z".parse().unwrap();
        assert_eq!(local, utc, "equal as instants");
        assert_eq!(local.offset_minutes(), 120);
        assert_eq!(local.unix_seconds(), utc.unix_seconds());
        assert_eq!(
            utc.with_offset_minutes(-90).unwrap().to_string(),
            "2026-05-01T06:30:00-01:30"
        );
        assert!(utc.with_offset_minutes(24 * 60).is_none());
        // Local times outside years 1 to 9999 cannot be written in RFC 3339.
        let first = Timestamp::from_unix(MIN_TIMESTAMP_SECONDS, 0).unwrap();
        assert!(first.with_offset_minutes(-60).is_none());
        assert!("0001-01-01T00:30:00+01:00".parse::<Timestamp>().is_err());
    }

    #[test]
    fn dates() {
        assert_eq!(
            "2024-02-29".parse::<Date>().unwrap(),
            Date::new(2024, 2, 29).unwrap()
        );
        assert_eq!(Date::new(2024, 2, 29).unwrap().to_string(), "2024-02-29");
        for bad in [
            "2023-02-29",
            "2024-2-29",
            "2024-13-01",
            "0000-01-01",
            "2024-01-01T00:00:00Z",
        ] {
            assert!(bad.parse::<Date>().is_err(), "{bad}");
        }
    }

    #[test]
    fn durations() {
        for (text, seconds, nanos, shown) in [
            ("3.5s", 3, 500_000_000, "3.500s"),
            ("0s", 0, 0, "0s"),
            ("-1.000000001s", -1, -1, "-1.000000001s"),
            ("-0.5s", 0, -500_000_000, "-0.500s"),
            ("315576000000s", 315_576_000_000, 0, "315576000000s"),
        ] {
            let duration: Duration = text.parse().unwrap();
            assert_eq!(
                (duration.seconds(), duration.nanos()),
                (seconds, nanos),
                "{text}"
            );
            assert_eq!(duration.to_string(), shown);
            assert_eq!(shown.parse::<Duration>().unwrap(), duration);
        }
        assert_eq!(
            "1.25s".parse::<Duration>().unwrap().to_std(),
            Some(std::time::Duration::from_millis(1250))
        );
        assert_eq!("-1s".parse::<Duration>().unwrap().to_std(), None);
        for bad in ["3", "s", "1.s5", "1.0000000001s", "--1s", "+1s", "1e3s"] {
            assert!(bad.parse::<Duration>().is_err(), "{bad}");
        }
    }

    #[test]
    fn field_masks() {
        let mask: FieldMask = "name, metadata.labels,,".parse().unwrap();
        assert_eq!(mask.paths, ["name", "metadata.labels"]);
        assert_eq!(mask.to_string(), "name,metadata.labels");
        assert_eq!("".parse::<FieldMask>().unwrap(), FieldMask::default());
    }
}
