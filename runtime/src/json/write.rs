//! The JSON writer: compact JSON, spelled as serde_json spells it, into a byte buffer.

use std::collections::BTreeMap;

use super::ToJson;

/// Writes JSON values into a buffer. Generated types write themselves through [`ToJson`]; every
/// value type shares the code here.
#[derive(Debug, Default)]
pub struct Writer {
    out: Vec<u8>,
}

impl Writer {
    /// An empty writer.
    pub fn new() -> Self {
        Writer::default()
    }

    /// The JSON written.
    pub fn into_bytes(self) -> Vec<u8> {
        self.out
    }

    /// Writes `value`.
    #[inline]
    pub fn write<T: ToJson + ?Sized>(&mut self, value: &T) {
        value.write_json(self);
    }

    /// Writes JSON text that is already valid, as it is.
    pub(crate) fn raw(&mut self, text: &str) {
        self.out.extend_from_slice(text.as_bytes());
    }

    /// Writes a string, escaped as serde_json escapes it: quotes, backslashes and control
    /// characters, nothing else.
    pub fn write_str(&mut self, text: &str) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        self.out.reserve(text.len() + 2);
        self.out.push(b'"');
        let bytes = text.as_bytes();
        let mut run = 0;
        for (at, &byte) in bytes.iter().enumerate() {
            let escape: &[u8] = match byte {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                b'\t' => b"\\t",
                0x08 => b"\\b",
                0x0c => b"\\f",
                0..=0x1f => b"",
                _ => continue,
            };
            self.out.extend_from_slice(&bytes[run..at]);
            run = at + 1;
            if escape.is_empty() {
                self.out.extend_from_slice(b"\\u00");
                self.out.push(HEX[usize::from(byte >> 4)]);
                self.out.push(HEX[usize::from(byte & 0xf)]);
            } else {
                self.out.extend_from_slice(escape);
            }
        }
        self.out.extend_from_slice(&bytes[run..]);
        self.out.push(b'"');
    }

    /// Writes a value through its `Display`, unquoted (numbers, booleans).
    pub(crate) fn display(&mut self, value: impl std::fmt::Display) {
        use std::io::Write as _;
        // Writing to a Vec cannot fail.
        let _ = write!(self.out, "{value}");
    }

    /// Writes a value through its `Display`, as a JSON string (64-bit integers, timestamps, ...).
    pub fn write_display_str(&mut self, value: impl std::fmt::Display) {
        let text = value.to_string();
        self.write_str(&text);
    }

    /// Writes a float as serde_json does, or as Google's string for a value that is not finite.
    pub(crate) fn float(&mut self, value: f64, narrow: bool) {
        if value.is_nan() {
            self.raw("\"NaN\"");
        } else if value == f64::INFINITY {
            self.raw("\"Infinity\"");
        } else if value == f64::NEG_INFINITY {
            self.raw("\"-Infinity\"");
        } else if narrow {
            // The shortest text that reads back as the same `f32`, as serde_json writes it.
            let _ = serde_json::to_writer(&mut self.out, &(value as f32));
        } else {
            let _ = serde_json::to_writer(&mut self.out, &value);
        }
    }

    /// Starts an object; its members follow, then [`ObjectWriter::end`].
    pub fn object(&mut self) -> ObjectWriter<'_> {
        self.out.push(b'{');
        ObjectWriter {
            writer: self,
            empty: true,
        }
    }

    /// Writes an array of `items`.
    #[allow(
        clippy::needless_range_loop,
        reason = "an iterator's adapters would be instantiated for every item type"
    )]
    pub fn items<T: ToJson>(&mut self, items: &[T]) {
        self.out.push(b'[');
        for index in 0..items.len() {
            if index > 0 {
                self.out.push(b',');
            }
            items[index].write_json(self);
        }
        self.out.push(b']');
    }
}

/// The members of an object being written.
pub struct ObjectWriter<'w> {
    writer: &'w mut Writer,
    empty: bool,
}

impl ObjectWriter<'_> {
    /// Writes `key` and `value`.
    pub fn entry(&mut self, key: &str, value: &dyn ToJson) {
        if !self.empty {
            self.writer.out.push(b',');
        }
        self.empty = false;
        self.writer.write_str(key);
        self.writer.out.push(b':');
        value.write_json(self.writer);
    }

    /// Writes a field under its wire name when it is set; an unset field is left out.
    #[inline]
    pub fn field<T: ToJson>(&mut self, key: &str, value: &Option<T>) {
        if let Some(value) = value {
            self.entry(key, value);
        }
    }

    /// Writes every entry of `map` (a struct's other fields).
    pub fn entries<T: ToJson>(&mut self, map: &BTreeMap<String, T>) {
        for (key, value) in map {
            self.entry(key, value);
        }
    }

    /// Closes the object.
    pub fn end(self) {
        self.writer.out.push(b'}');
    }
}
