//! Errors of generation: what in the document cannot be turned into code, and where it is.

use std::fmt;

/// A document the generator cannot turn into code. The path is a JSON path into the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// JSON path of the offending value, such as `$.schemas.Foo.properties.bar`.
    pub path: String,
    /// What is wrong with it.
    pub message: String,
}

impl Error {
    pub(crate) fn at(path: &JsonPath, message: impl Into<String>) -> Self {
        Error {
            path: path.to_string(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A message may quote a value of the document, which can be huge.
        let message = discovery::shorten::shorten_quoted(&self.message);
        write!(f, "at {}: {message}", self.path)
    }
}

impl std::error::Error for Error {}

/// A JSON path built up while walking the document, rendered like `$.a.b["$ref"][0]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct JsonPath(String);

impl JsonPath {
    pub(crate) fn root() -> Self {
        JsonPath("$".to_owned())
    }

    /// The path of a key below this one; a very long key is cut.
    pub(crate) fn key(&self, key: &str) -> Self {
        let key = &*discovery::shorten::shorten(key);
        let plain = !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if plain {
            JsonPath(format!("{}.{key}", self.0))
        } else {
            JsonPath(format!("{}[{key:?}]", self.0))
        }
    }

    /// The path of an array element below this one.
    pub(crate) fn index(&self, index: usize) -> Self {
        JsonPath(format!("{}[{index}]", self.0))
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
