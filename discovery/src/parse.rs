//! Parsing a Discovery document from JSON, with errors that name the JSON path.

use std::fmt;

use crate::Document;
use crate::shorten::{shorten, shorten_quoted};

/// Why a Discovery document could not be parsed, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// JSON path of the value that failed, such as `$.schemas.Foo.properties.bar.type`.
    pub path: String,
    /// 1-based line of the failure in the input.
    pub line: usize,
    /// 1-based column of the failure in the input.
    pub column: usize,
    /// What was wrong, as serde_json described it.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "at {} (line {}, column {}): {}",
            self.path, self.line, self.column, self.message
        )
    }
}

impl std::error::Error for ParseError {}

/// Parses a Discovery document from bytes: as [`parse`], and bytes that are not UTF-8 fail with
/// the line and column where the bad sequence starts.
pub fn parse_bytes(bytes: &[u8]) -> Result<Document, ParseError> {
    let text = std::str::from_utf8(bytes).map_err(|error| {
        let valid = &bytes[..error.valid_up_to()];
        let line = valid.iter().filter(|&&byte| byte == b'\n').count() + 1;
        let line_start = valid
            .iter()
            .rposition(|&byte| byte == b'\n')
            .map_or(0, |newline| newline + 1);
        // Columns count characters, as serde_json's do; the valid prefix decodes.
        let column = String::from_utf8_lossy(&valid[line_start..])
            .chars()
            .count()
            + 1;
        ParseError {
            path: "$".to_owned(),
            line,
            column,
            message: format!(
                "the document is not valid UTF-8 (byte offset {})",
                error.valid_up_to()
            ),
        }
    })?;
    parse(text)
}

/// Parses a Discovery document, naming the JSON path of the first value that does not fit.
///
/// A key given twice in one object keeps its last value, as Google's Go and Python clients read
/// such documents.
pub fn parse(json: &str) -> Result<Document, ParseError> {
    match parse_strictly(json) {
        Err(error) if error.message.starts_with("duplicate field") => parse_through_value(json),
        result => result,
    }
}

/// Parses straight from the text, with line and column in errors; refuses duplicate keys.
fn parse_strictly(json: &str) -> Result<Document, ParseError> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let document: Document =
        serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
            let path = json_path(error.path());
            let inner = error.into_inner();
            ParseError {
                path,
                line: inner.line(),
                column: inner.column(),
                message: shorten_quoted(&strip_position(&inner.to_string())).into_owned(),
            }
        })?;
    deserializer.end().map_err(|error| ParseError {
        path: "$".to_owned(),
        line: error.line(),
        column: error.column(),
        message: strip_position(&error.to_string()),
    })?;
    Ok(document)
}

/// Parses through `serde_json::Value`, whose objects keep the last of duplicate keys. The text
/// is known to be JSON by now, so positions are only lost for errors of the model, whose JSON
/// path still says where.
fn parse_through_value(json: &str) -> Result<Document, ParseError> {
    let at_start = |path: String, message: String| ParseError {
        path,
        line: 1,
        column: 1,
        message: shorten_quoted(&message).into_owned(),
    };
    let value: serde_json::Value = serde_json::from_str(json)
        .map_err(|error| at_start("$".to_owned(), strip_position(&error.to_string())))?;
    serde_path_to_error::deserialize(value)
        .map_err(|error| at_start(json_path(error.path()), error.into_inner().to_string()))
}

/// Renders serde_path_to_error's path as a JSON path rooted at `$`, quoting keys that are not
/// plain identifiers (`$.parameters["$.xgafv"]`).
fn json_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::from("$");
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key } => push_key(&mut out, key),
            // A key that could not be read has no name yet; the enclosing path says where.
            Segment::Unknown => {}
        }
    }
    out
}

/// Appends `.key`, or `["key"]` when the key is not a plain identifier; a very long key is cut.
pub(crate) fn push_key(out: &mut String, key: &str) {
    let key = &*shorten(key);
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if plain {
        out.push('.');
        out.push_str(key);
    } else {
        out.push_str(&format!("[{key:?}]"));
    }
}

/// serde_json appends " at line L column C" to its messages; the position is reported separately.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_owned(),
        None => message.to_owned(),
    }
}
