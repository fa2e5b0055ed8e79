//! The JSON reader: a pull parser over text that generated types read their values from.

use std::borrow::Cow;

use super::{FromJson, ReadObject};

/// How deep arrays and objects may nest, as serde_json allows: deeper input is refused rather
/// than read by recursion that could exhaust the stack.
const MAX_DEPTH: u32 = 128;

/// Why a body is not the JSON a type reads, and where: the byte at fault, by line and column
/// (both from 1, the column in bytes) and by offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    message: String,
    line: usize,
    column: usize,
    offset: usize,
}

impl ReadError {
    /// An error at byte `offset` of `text`.
    pub(crate) fn at(text: &[u8], offset: usize, message: String) -> Self {
        let offset = offset.min(text.len());
        let before = &text[..offset];
        let line = before.iter().filter(|&&byte| byte == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&byte| byte == b'\n')
            .map_or(0, |at| at + 1);
        ReadError {
            message,
            line,
            column: offset - line_start + 1,
            offset,
        }
    }

    /// What is wrong, without the position.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The line of the byte at fault, from 1.
    pub fn line(&self) -> usize {
        self.line
    }

    /// The column of the byte at fault in its line, in bytes, from 1.
    pub fn column(&self) -> usize {
        self.column
    }

    /// The offset of the byte at fault from the start of the body.
    pub fn offset(&self) -> usize {
        self.offset
    }
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} at line {} column {} (byte offset {})",
            self.message, self.line, self.column, self.offset
        )
    }
}

impl std::error::Error for ReadError {}

/// What reads the value of one object entry, given its key.
pub type ReadEntry<'a, 'f> = dyn FnMut(Cow<'a, str>, &mut Reader<'a>) -> Result<(), ReadError> + 'f;

/// A JSON number as it is written, checked against JSON's grammar.
struct Number<'a> {
    text: &'a str,
    /// Whether it has no fraction and no exponent.
    integral: bool,
}

/// Reads JSON values one at a time from text. Generated types call it through [`FromJson`] and
/// [`ReadObject`]; every value type shares the code here, whichever struct holds it.
pub struct Reader<'a> {
    text: &'a str,
    at: usize,
    depth: u32,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `text`.
    pub fn new(text: &'a str) -> Self {
        Reader {
            text,
            at: 0,
            depth: 0,
        }
    }

    /// Reads a value of type `T`.
    #[inline]
    pub fn read<T: FromJson>(&mut self) -> Result<T, ReadError> {
        T::read_json(self)
    }

    /// Reads a field's value into `slot`: the whole of one arm of a generated `read_key`, so
    /// that each arm is one call and what follows the read (the old value dropped, the new one
    /// stored) is compiled once per field type rather than once per field.
    /// Written with `match` rather than `?` (see the module's docs).
    pub fn field<T: FromJson>(&mut self, slot: &mut Option<T>) -> Result<(), ReadError> {
        // `?` on a `Result<bool, _>` is one instance for every caller.
        if self.read_null()? {
            *slot = None;
            return Ok(());
        }
        match T::read_json(self) {
            Ok(value) => {
                *slot = Some(value);
                Ok(())
            }
            Err(error) => Err(error),
        }
    }

    /// Reads the value of `key`, which no field has, into a struct's map of other fields.
    pub fn other<T: FromJson>(
        &mut self,
        key: Cow<'_, str>,
        others: &mut std::collections::BTreeMap<String, T>,
    ) -> Result<(), ReadError> {
        match T::read_json(self) {
            Ok(value) => {
                others.insert(key.into_owned(), value);
                Ok(())
            }
            Err(error) => Err(error),
        }
    }

    /// Checks that nothing but whitespace follows the value read.
    pub fn finish(&mut self) -> Result<(), ReadError> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.error("trailing characters after the value")),
        }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// An error at the current position.
    fn error(&self, message: impl Into<String>) -> ReadError {
        ReadError::at(self.bytes(), self.at, message.into())
    }

    /// The next byte that is not whitespace, not consumed.
    fn peek(&mut self) -> Option<u8> {
        let bytes = self.bytes();
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = bytes.get(self.at) {
            self.at += 1;
        }
        bytes.get(self.at).copied()
    }

    /// Consumes `null` when it is next, and says whether it was.
    pub fn read_null(&mut self) -> Result<bool, ReadError> {
        if self.peek() == Some(b'n') {
            self.literal("null")?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn literal(&mut self, word: &str) -> Result<(), ReadError> {
        if self.bytes()[self.at..].starts_with(word.as_bytes()) {
            self.at += word.len();
            Ok(())
        } else {
            Err(self.error(format!("expected `{word}`")))
        }
    }

    /// The error for a value of the wrong type where `expected` should be, at that value.
    fn invalid_type(&mut self, expected: &str) -> ReadError {
        let found: Cow<'_, str> = match self.peek() {
            None => return self.error(format!("EOF while parsing a value, expected {expected}")),
            Some(b'"') => {
                let start = self.at;
                let found = match self.read_str() {
                    Ok(text) => format!("string {:?}", shorten(&text)).into(),
                    Err(_) => "a string".into(),
                };
                self.at = start;
                found
            }
            Some(b'{') => "an object".into(),
            Some(b'[') => "an array".into(),
            Some(byte @ (b't' | b'f' | b'n')) => {
                let word = match byte {
                    b't' => "true",
                    b'f' => "false",
                    _ => "null",
                };
                if !self.bytes()[self.at..].starts_with(word.as_bytes()) {
                    return self.error(format!("expected `{word}`"));
                }
                if byte == b'n' { "null" } else { "a boolean" }.into()
            }
            Some(b'-' | b'0'..=b'9') => {
                let start = self.at;
                let found = match self.number() {
                    Ok(number) => format!("number {}", shorten(number.text)).into(),
                    Err(error) => return error,
                };
                self.at = start;
                found
            }
            Some(_) => return self.error("expected a value"),
        };
        self.error(format!("invalid type: {found}, expected {expected}"))
    }

    /// Reads `true` or `false`.
    pub fn read_bool(&mut self) -> Result<bool, ReadError> {
        match self.peek() {
            Some(b't') => self.literal("true").map(|()| true),
            Some(b'f') => self.literal("false").map(|()| false),
            _ => Err(self.invalid_type("a boolean")),
        }
    }

    /// Reads a string, borrowed from the text when it has no escapes.
    pub fn read_str(&mut self) -> Result<Cow<'a, str>, ReadError> {
        if self.peek() != Some(b'"') {
            return Err(self.invalid_type("a string"));
        }
        let bytes = self.bytes();
        self.at += 1;
        let start = self.at;
        // The common case: no escape before the closing quote, so the string is borrowed.
        self.at = plain_run_end(bytes, self.at);
        match bytes.get(self.at) {
            Some(b'"') => {
                let text = &self.text[start..self.at];
                self.at += 1;
                return Ok(Cow::Borrowed(text));
            }
            Some(b'\\') => {}
            Some(_) => return Err(self.error("control character in a string")),
            None => return Err(self.error("EOF while parsing a string")),
        }
        let mut owned = String::from(&self.text[start..self.at]);
        loop {
            let run_start = self.at;
            self.at = plain_run_end(bytes, self.at);
            owned.push_str(&self.text[run_start..self.at]);
            match bytes.get(self.at) {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(Cow::Owned(owned));
                }
                Some(b'\\') => {
                    self.at += 1;
                    self.escape(&mut owned)?;
                }
                Some(_) => return Err(self.error("control character in a string")),
                None => return Err(self.error("EOF while parsing a string")),
            }
        }
    }

    /// Reads the escape after a backslash into `out`.
    fn escape(&mut self, out: &mut String) -> Result<(), ReadError> {
        let Some(&byte) = self.bytes().get(self.at) else {
            return Err(self.error("EOF while parsing a string"));
        };
        let simple = match byte {
            b'"' => Some('"'),
            b'\\' => Some('\\'),
            b'/' => Some('/'),
            b'b' => Some('\u{8}'),
            b'f' => Some('\u{c}'),
            b'n' => Some('\n'),
            b'r' => Some('\r'),
            b't' => Some('\t'),
            b'u' => None,
            _ => return Err(self.error("invalid escape in a string")),
        };
        self.at += 1;
        if let Some(character) = simple {
            out.push(character);
            return Ok(());
        }
        let first = self.hex4()?;
        let code = if (0xd800..0xdc00).contains(&first) {
            // A high surrogate must be followed by an escaped low one.
            if !self.bytes()[self.at..].starts_with(b"\\u") {
                return Err(self.error("unpaired surrogate in a string"));
            }
            self.at += 2;
            let second = self.hex4()?;
            if !(0xdc00..0xe000).contains(&second) {
                return Err(self.error("unpaired surrogate in a string"));
            }
            0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00)
        } else if (0xdc00..0xe000).contains(&first) {
            return Err(self.error("unpaired surrogate in a string"));
        } else {
            first
        };
        // Every value left is a scalar value: surrogates were paired or refused above.
        out.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, ReadError> {
        let digits = self.bytes().get(self.at..self.at + 4);
        let value = digits.and_then(|digits| {
            digits.iter().try_fold(0u32, |value, &digit| {
                Some(value * 16 + char::from(digit).to_digit(16)?)
            })
        });
        match value {
            Some(value) => {
                self.at += 4;
                Ok(value)
            }
            None => Err(self.error("invalid \\u escape in a string")),
        }
    }

    /// Reads a number as written, checked against JSON's grammar.
    fn number(&mut self) -> Result<Number<'a>, ReadError> {
        let bytes = self.bytes();
        let start = self.at;
        let digits = |at: &mut usize| {
            let from = *at;
            while bytes.get(*at).is_some_and(u8::is_ascii_digit) {
                *at += 1;
            }
            *at - from
        };
        let mut at = start;
        if bytes.get(at) == Some(&b'-') {
            at += 1;
        }
        let leading_zero = bytes.get(at) == Some(&b'0');
        let whole = digits(&mut at);
        if whole == 0 || (leading_zero && whole > 1) {
            // At the byte that breaks the grammar: the missing digit, or the one after a zero.
            self.at = if whole == 0 { at } else { at - whole + 1 };
            return Err(self.error("invalid number"));
        }
        let mut integral = true;
        if bytes.get(at) == Some(&b'.') {
            at += 1;
            integral = false;
            if digits(&mut at) == 0 {
                self.at = at;
                return Err(self.error("invalid number"));
            }
        }
        if let Some(b'e' | b'E') = bytes.get(at) {
            at += 1;
            integral = false;
            if let Some(b'+' | b'-') = bytes.get(at) {
                at += 1;
            }
            if digits(&mut at) == 0 {
                self.at = at;
                return Err(self.error("invalid number"));
            }
        }
        self.at = at;
        Ok(Number {
            text: &self.text[start..at],
            integral,
        })
    }

    /// Reads an integer from a JSON number or from a string holding one (Google writes 64-bit
    /// integers as strings, and its JSON mapping accepts either for every integer type).
    pub fn read_integer<T>(&mut self, expected: &str) -> Result<T, ReadError>
    where
        T: std::str::FromStr,
    {
        let next = self.peek();
        let start = self.at;
        let text: Cow<'a, str> = match next {
            Some(b'-' | b'0'..=b'9') => {
                let number = self.number()?;
                if !number.integral {
                    self.at = start;
                    return Err(self.invalid_type(expected));
                }
                Cow::Borrowed(number.text)
            }
            Some(b'"') => self.read_str()?,
            _ => return Err(self.invalid_type(expected)),
        };
        text.parse().map_err(|_| {
            let message = format!(
                "{} is not {expected} (or is out of its range)",
                shorten(&text)
            );
            ReadError::at(self.bytes(), start, message)
        })
    }

    /// Reads a float from a JSON number, or from one of Google's strings: `"NaN"`,
    /// `"Infinity"`, `"-Infinity"`, or a finite number written as a string.
    pub fn read_float(&mut self) -> Result<f64, ReadError> {
        let next = self.peek();
        let start = self.at;
        let value = match next {
            Some(b'-' | b'0'..=b'9') => {
                let number = self.number()?;
                number.text.parse::<f64>().ok()
            }
            Some(b'"') => match &*self.read_str()? {
                "NaN" => return Ok(f64::NAN),
                "Infinity" => return Ok(f64::INFINITY),
                "-Infinity" => return Ok(f64::NEG_INFINITY),
                other => other.parse::<f64>().ok(),
            },
            _ => return Err(self.invalid_type("a number")),
        };
        match value.filter(|value| value.is_finite()) {
            Some(value) => Ok(value),
            None => Err(ReadError::at(
                self.bytes(),
                start,
                "not a finite number, \"NaN\", \"Infinity\" or \"-Infinity\"".to_owned(),
            )),
        }
    }

    /// Reads a string and parses it as `T`, for Google's string formats (timestamps, bytes, ...).
    pub fn read_parsed<T>(&mut self) -> Result<T, ReadError>
    where
        T: std::str::FromStr,
        T::Err: std::fmt::Display,
    {
        self.peek();
        let start = self.at;
        let text = self.read_str()?;
        text.parse()
            .map_err(|error: T::Err| ReadError::at(self.bytes(), start, error.to_string()))
    }

    /// Steps into the array or object whose opening bracket is next, refusing nesting deeper
    /// than serde_json allows; `false` when it closes at once (`close` is consumed then).
    fn enter(&mut self, close: u8) -> Result<bool, ReadError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error("recursion limit exceeded"));
        }
        self.at += 1;
        if self.peek() == Some(close) {
            self.at += 1;
            self.depth -= 1;
            return Ok(false);
        }
        Ok(true)
    }

    /// After a member: `,` then the next one (`true`), or `close` (`false`).
    fn next_member(&mut self, close: u8, what: &str) -> Result<bool, ReadError> {
        match self.peek() {
            Some(b',') => {
                self.at += 1;
                Ok(true)
            }
            Some(byte) if byte == close => {
                self.at += 1;
                self.depth -= 1;
                Ok(false)
            }
            Some(_) => Err(self.error(format!("expected `,` or `{}`", char::from(close)))),
            None => Err(self.error(format!("EOF while parsing {what}"))),
        }
    }

    /// Steps into the list next, for a reader that reads its items one by one: `true` when it
    /// has an item to read, then [`next_item`](Self::next_item) after each. Where the caller
    /// is generic this costs no closure per item type, as [`read_items`](Self::read_items)
    /// would.
    pub fn begin_items(&mut self, expected: &str) -> Result<bool, ReadError> {
        if self.peek() != Some(b'[') {
            return Err(self.invalid_type(expected));
        }
        self.enter(b']')
    }

    /// After an item of a list begun with [`begin_items`](Self::begin_items): `true` when
    /// another follows, `false` when the list has closed.
    pub fn next_item(&mut self) -> Result<bool, ReadError> {
        self.next_member(b']', "a list")
    }

    /// Steps into the object next, for a reader that reads its entries one by one: `true` when
    /// it has an entry, then [`entry_key`](Self::entry_key), the value, and
    /// [`next_entry`](Self::next_entry) for each.
    pub fn begin_entries(&mut self, expected: &str) -> Result<bool, ReadError> {
        if self.peek() != Some(b'{') {
            return Err(self.invalid_type(expected));
        }
        self.enter(b'}')
    }

    /// The key of the entry next, and its `:`; its value follows.
    pub fn entry_key(&mut self) -> Result<Cow<'a, str>, ReadError> {
        if self.peek() != Some(b'"') {
            return Err(match self.peek() {
                None => self.error("EOF while parsing an object"),
                Some(_) => self.error("expected a key (a string)"),
            });
        }
        let key = self.read_str()?;
        match self.peek() {
            Some(b':') => {
                self.at += 1;
                Ok(key)
            }
            None => Err(self.error("EOF while parsing an object")),
            Some(_) => Err(self.error("expected `:`")),
        }
    }

    /// After an entry's value: `true` when another entry follows, `false` when the object has
    /// closed.
    pub fn next_entry(&mut self) -> Result<bool, ReadError> {
        self.next_member(b'}', "an object")
    }

    /// Reads an array, calling `item` to read each element.
    pub fn read_items(
        &mut self,
        expected: &str,
        item: &mut dyn FnMut(&mut Reader<'a>) -> Result<(), ReadError>,
    ) -> Result<(), ReadError> {
        if self.peek() != Some(b'[') {
            return Err(self.invalid_type(expected));
        }
        if !self.enter(b']')? {
            return Ok(());
        }
        loop {
            item(self)?;
            if !self.next_item()? {
                return Ok(());
            }
        }
    }

    /// Reads an object, calling `entry` with each key to read its value. A key given twice is
    /// read twice, so the value read last is the one kept.
    pub fn read_entries(
        &mut self,
        expected: &str,
        entry: &mut ReadEntry<'a, '_>,
    ) -> Result<(), ReadError> {
        if self.peek() != Some(b'{') {
            return Err(self.invalid_type(expected));
        }
        self.members(entry)
    }

    /// Reads the members of the object whose `{` is next.
    fn members(&mut self, entry: &mut ReadEntry<'a, '_>) -> Result<(), ReadError> {
        if !self.enter(b'}')? {
            return Ok(());
        }
        loop {
            let key = self.entry_key()?;
            entry(key, self)?;
            if !self.next_entry()? {
                return Ok(());
            }
        }
    }

    /// Reads an object into `target` key by key; `name` says, in errors, which type wanted it.
    pub fn read_object_into(
        &mut self,
        target: &mut dyn ReadObject,
        name: &str,
    ) -> Result<(), ReadError> {
        if self.peek() != Some(b'{') {
            return Err(self.invalid_type(&format!("a JSON object ({name})")));
        }
        self.members(&mut |key, reader| target.read_key(key, reader))
    }

    /// Reads an object as a new `T`.
    #[inline]
    pub fn read_object<T: ReadObject + Default>(
        &mut self,
        name: &'static str,
    ) -> Result<T, ReadError> {
        let mut value = T::default();
        match self.read_object_into(&mut value, name) {
            Ok(()) => Ok(value),
            Err(error) => Err(error),
        }
    }

    /// Reads any JSON value.
    pub fn read_value(&mut self) -> Result<serde_json::Value, ReadError> {
        use serde_json::Value;
        match self.peek() {
            None => Err(self.error("EOF while parsing a value")),
            Some(b'n') => self.literal("null").map(|()| Value::Null),
            Some(b't' | b'f') => self.read_bool().map(Value::Bool),
            Some(b'"') => self.read_str().map(|text| Value::String(text.into_owned())),
            Some(b'[') => {
                let mut items = Vec::new();
                self.read_items("a list", &mut |reader| {
                    items.push(reader.read_value()?);
                    Ok(())
                })?;
                Ok(Value::Array(items))
            }
            Some(b'{') => {
                let mut map = serde_json::Map::new();
                self.read_entries("an object", &mut |key, reader| {
                    let value = reader.read_value()?;
                    map.insert(key.into_owned(), value);
                    Ok(())
                })?;
                Ok(Value::Object(map))
            }
            Some(b'-' | b'0'..=b'9') => {
                let start = self.at;
                let number = self.number()?;
                // As serde_json reads numbers: an integer that fits 64 bits stays exact,
                // anything else is a float, and a float out of range is an error.
                // (`-0` too is a float there: negative zero.)
                let exact = if number.integral && number.text != "-0" {
                    number
                        .text
                        .parse::<u64>()
                        .ok()
                        .map(serde_json::Number::from)
                        .or_else(|| number.text.parse::<i64>().ok().map(Into::into))
                } else {
                    None
                };
                match exact.or_else(|| {
                    number
                        .text
                        .parse::<f64>()
                        .ok()
                        .and_then(serde_json::Number::from_f64)
                }) {
                    Some(number) => Ok(Value::Number(number)),
                    None => Err(ReadError::at(
                        self.bytes(),
                        start,
                        "number out of range".to_owned(),
                    )),
                }
            }
            Some(_) => Err(self.error("expected a value")),
        }
    }
}

/// Where the run of plain string bytes from `at` ends: at the first quote, backslash or control
/// character, or the end of `bytes`. Eight bytes are tested at a time (each test says whether any
/// byte of a word is one of them), since most strings are long runs of plain bytes.
fn plain_run_end(bytes: &[u8], mut at: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // The high bit of each byte of `word` that is below `limit` (`limit` at most 128); a bit can
    // also be set above the first such byte, never below it.
    let below = |word: u64, limit: u8| word.wrapping_sub(ONES * u64::from(limit)) & !word & HIGH;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        let special = below(word ^ (ONES * u64::from(b'"')), 1)
            | below(word ^ (ONES * u64::from(b'\\')), 1)
            | below(word, 0x20);
        if special != 0 {
            return at + (special.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    while let Some(&byte) = bytes.get(at) {
        if byte == b'"' || byte == b'\\' || byte < 0x20 {
            break;
        }
        at += 1;
    }
    at
}

/// `text` cut to a readable length for an error message.
fn shorten(text: &str) -> Cow<'_, str> {
    const LIMIT: usize = 64;
    match text.char_indices().nth(LIMIT) {
        Some((at, _)) => Cow::Owned(format!("{}…", &text[..at])),
        None => Cow::Borrowed(text),
    }
}
