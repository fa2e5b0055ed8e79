//! Expanding a method's path template with parameter values, safely.
//!
//! `{var}` percent-encodes every byte outside `A-Za-z0-9-._~`; `{+var}` does the same for each
//! `/`-separated segment and keeps the slashes (Google's `fullyEncodeReservedExpansion`). So `?`
//! and `#` in a value always reach the URL encoded (`%3F`, `%23`), as a Cloud Storage object
//! named `a#b.txt` needs; Google's Python client sends them raw in `{+var}`, which cuts the path
//! short. An empty value, and a segment that is, or percent-decodes to, `.` or `..`, are refused:
//! they could only be an attempt to reach another path.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};

/// Expands `template` with `values` (wire name, value). Errors say which parameter is wrong.
#[cfg(test)]
fn expand(template: &str, values: &[(&'static str, String)]) -> Result<String, String> {
    let mut out = String::with_capacity(template.len() + 32);
    expand_onto(&mut out, template, values)?;
    Ok(out)
}

/// Expands `template` with `values` (wire name, value) onto the end of `out` (a base URL, say).
/// Errors say which parameter is wrong.
pub fn expand_onto(
    out: &mut String,
    template: &str,
    values: &[(&'static str, String)],
) -> Result<(), String> {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..]
            .find('}')
            .map(|offset| open + offset)
            .ok_or_else(|| format!("path template {template:?} has an unclosed '{{'"))?;
        let expression = &rest[open + 1..close];
        let (reserved, name) = match expression.strip_prefix('+') {
            Some(name) => (true, name),
            None => (false, expression),
        };
        let value = values
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.as_str())
            .ok_or_else(|| format!("path parameter `{name}` has no value"))?;
        encode_value(name, value, reserved, out)?;
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Ok(())
}

/// Appends one parameter's encoded value, or says why it is refused.
fn encode_value(name: &str, value: &str, reserved: bool, out: &mut String) -> Result<(), String> {
    if value.is_empty() {
        return Err(format!("path parameter `{name}` is empty"));
    }
    if !reserved {
        // One segment: its slashes are encoded with the rest.
        return encode_segment(name, value, value, out);
    }
    // A reserved expansion keeps the value's slashes; each segment between them is checked and
    // encoded on its own.
    for (index, segment) in value.split('/').enumerate() {
        if segment.is_empty() {
            return Err(format!(
                "path parameter `{name}` has an empty segment: {value:?}"
            ));
        }
        if index > 0 {
            out.push('/');
        }
        encode_segment(name, value, segment, out)?;
    }
    Ok(())
}

/// Appends one segment of parameter `name`'s `value`, encoded, unless it is a dot segment.
fn encode_segment(name: &str, value: &str, segment: &str, out: &mut String) -> Result<(), String> {
    if is_dot_segment(segment) {
        return Err(format!(
            "path parameter `{name}` has a dot segment ({segment:?}): {value:?}"
        ));
    }
    percent_encode(segment, out);
    Ok(())
}

/// Whether a segment is `.` or `..`, also when spelled with percent-escapes such as `%2e`.
fn is_dot_segment(segment: &str) -> bool {
    // Two dots, each escaped, is the longest spelling ("%2e%2e").
    if segment.len() > 6 {
        return false;
    }
    let decoded = percent_decode(segment);
    decoded == b"." || decoded == b".."
}

/// Decodes `%XX` escapes; anything else is kept as it is.
fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%' && i + 2 < bytes.len())
            .then(|| std::str::from_utf8(&bytes[i + 1..i + 3]).ok())
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    out
}

/// Percent-encodes every byte outside the unreserved set `A-Za-z0-9-._~`.
pub(crate) fn percent_encode(text: &str, out: &mut String) {
    for &byte in text.as_bytes() {
        if is_unreserved(byte) {
            out.push(byte as char);
        } else {
            push_escape(byte, out);
        }
    }
}

/// A query string from (name, value) pairs, encoded as Google's Python and Go clients encode
/// them (`quote_plus`, `QueryEscape`): the unreserved set `A-Za-z0-9-._~` as it is, a space as
/// `+`, every other byte percent-encoded.
pub fn encode_query<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (name, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        encode_query_component(name, &mut out);
        out.push('=');
        encode_query_component(value, &mut out);
    }
    out
}

fn encode_query_component(text: &str, out: &mut String) {
    for &byte in text.as_bytes() {
        match byte {
            b' ' => out.push('+'),
            byte if is_unreserved(byte) => out.push(byte as char),
            byte => push_escape(byte, out),
        }
    }
}

fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

fn push_escape(byte: u8, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push('%');
    out.push(HEX[usize::from(byte >> 4)] as char);
    out.push(HEX[usize::from(byte & 0x0f)] as char);
}

/// Whether `value` matches `pattern`; `None` when the pattern can be read neither as a
/// [`SegmentPattern`] nor by the regex engine. Reading a pattern costs far more than matching
/// it, and a program calls the same few methods again and again, so each pattern (a `'static`
/// string of the generated code, so the set is bounded) is read once.
fn matches_pattern(pattern: &'static str, value: &str) -> Option<bool> {
    static COMPILED: OnceLock<Mutex<HashMap<&'static str, Matcher>>> = OnceLock::new();
    let mut compiled = COMPILED
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let matcher = compiled
        .entry(pattern)
        .or_insert_with(|| match SegmentPattern::parse(pattern) {
            Some(segments) => Matcher::Segments(segments),
            None => regex_lite::Regex::new(pattern).map_or(Matcher::Unsupported, Matcher::Regex),
        });
    match matcher {
        Matcher::Segments(segments) => Some(segments.is_match(value)),
        Matcher::Regex(regex) => Some(regex.is_match(value)),
        Matcher::Unsupported => None,
    }
}

/// How one pattern is matched.
enum Matcher {
    Segments(SegmentPattern),
    Regex(regex_lite::Regex),
    Unsupported,
}

/// The shape of two thirds of the path patterns Google publishes: `^`, then literal text and
/// `[^/]+` segments, each segment followed by `/` or the end, then `$`
/// (`^projects/[^/]+/locations/[^/]+$`). Matching it is one pass with no regex engine, which
/// takes a good part of the client's own time per call.
#[derive(Debug, PartialEq)]
struct SegmentPattern(Vec<Piece>);

#[derive(Debug, PartialEq)]
enum Piece {
    /// Text that must be there as it is.
    Text(String),
    /// `[^/]+`: one or more characters up to the next `/` or the end.
    Segment,
}

impl SegmentPattern {
    /// The pattern's pieces, or `None` when it has any other shape.
    fn parse(pattern: &str) -> Option<SegmentPattern> {
        let mut rest = pattern.strip_prefix('^')?.strip_suffix('$')?;
        let mut pieces: Vec<Piece> = Vec::new();
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix("[^/]+") {
                // A segment must end at `/` or the end, so that taking every non-`/`
                // character is the only way it can match.
                if !(after.is_empty() || after.starts_with('/') || after.starts_with("\\/")) {
                    return None;
                }
                pieces.push(Piece::Segment);
                rest = after;
                continue;
            }
            let mut chars = rest.chars();
            let literal = match chars.next()? {
                // An escaped punctuation character stands for itself (`\.`, `\-`, `\/`).
                '\\' => chars.next().filter(|c| c.is_ascii_punctuation())?,
                c if "\\.+*?()|[]{}^$".contains(c) => return None,
                c => c,
            };
            rest = chars.as_str();
            match pieces.last_mut() {
                Some(Piece::Text(text)) => text.push(literal),
                _ => pieces.push(Piece::Text(literal.to_string())),
            }
        }
        Some(SegmentPattern(pieces))
    }

    fn is_match(&self, value: &str) -> bool {
        let mut rest = value;
        for piece in &self.0 {
            match piece {
                Piece::Text(text) => match rest.strip_prefix(text.as_str()) {
                    Some(after) => rest = after,
                    None => return false,
                },
                Piece::Segment => {
                    let end = rest.find('/').unwrap_or(rest.len());
                    if end == 0 {
                        return false;
                    }
                    rest = &rest[end..];
                }
            }
        }
        rest.is_empty()
    }
}

/// Checks each path parameter that has a pattern against it. A pattern the engine cannot compile
/// is skipped rather than allowed to lock callers out.
pub fn check_patterns(
    patterns: &[(&'static str, &'static str)],
    values: &[(&'static str, String)],
) -> Result<(), String> {
    for (name, pattern) in patterns {
        let Some((_, value)) = values.iter().find(|(key, _)| key == name) else {
            continue;
        };
        let Some(matches) = matches_pattern(pattern, value) else {
            continue;
        };
        if !matches {
            return Err(format!(
                "path parameter `{name}` is {value:?}, which does not match the pattern {pattern:?} \
                 (a client built with `check_path_patterns(false)` does not check)"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(template: &str, value: &str, expected: Result<&str, &str>) {
        let result = expand(template, &[("name", value.to_owned())]);
        match (result, expected) {
            (Ok(path), Ok(want)) => assert_eq!(path, want, "{template} with {value:?}"),
            (Err(message), Err(want)) => {
                assert!(
                    message.contains(want),
                    "{value:?}: {message} lacks {want:?}"
                )
            }
            (got, want) => panic!("{template} with {value:?}: got {got:?}, want {want:?}"),
        }
    }

    #[test]
    fn simple_and_reserved_expansion() {
        check("v1/{name}", "a/b c", Ok("v1/a%2Fb%20c"));
        check("v1/{+name}", "a/b c", Ok("v1/a/b%20c"));
        check(
            "v1/{+name}:cancel",
            "archiveJobs/1",
            Ok("v1/archiveJobs/1:cancel"),
        );
        check("v1/{+name}", "x/%2e%2E", Err("dot segment"));
        check("v1/{name}", "..", Err("dot segment"));
        check("v1/{name}", "...", Ok("v1/..."));
        // `?` and `#` are encoded in both forms, so they never end the path.
        check("v1/{name}", "a#b.txt", Ok("v1/a%23b.txt"));
        check("v1/{name}", "a?b", Ok("v1/a%3Fb"));
        check("v1/{+name}", "b/a?x=1#f", Ok("v1/b/a%3Fx%3D1%23f"));
        check("v1/{+name}", "b/%2e%2e?/x", Ok("v1/b/%252e%252e%3F/x"));
        check("v1/{+name}", "a/", Err("empty segment"));
        check("v1/{name}", "", Err("is empty"));
        check("v1/{name}", "~-._", Ok("v1/~-._"));
        check("v1/{name}", "%41", Ok("v1/%2541"));
        assert!(expand("v1/{other}", &[]).is_err());
    }

    #[test]
    fn query_strings() {
        assert_eq!(
            encode_query([("a", "x y~z"), ("$.xgafv", "2"), ("t", "+02:00&#")]),
            "a=x+y~z&%24.xgafv=2&t=%2B02%3A00%26%23"
        );
        assert_eq!(encode_query([]), "");
    }

    #[test]
    fn patterns() {
        let patterns = [("name", "^archiveJobs/[^/]+$")];
        let value = |v: &str| [("name", v.to_owned())];
        assert!(check_patterns(&patterns, &value("archiveJobs/1")).is_ok());
        let error = check_patterns(&patterns, &value("archiveJobs/1/x")).unwrap_err();
        assert!(error.contains("does not match"), "{error}");
        // An unsupported pattern is not enforced.
        assert!(check_patterns(&[("name", "^(?=x)$")], &value("y")).is_ok());
    }

    #[test]
    fn segment_patterns_match_as_the_regex_engine_does() {
        let patterns = [
            "^archiveJobs/[^/]+$",
            "^projects/[^/]+/locations/[^/]+/catalogs/[^/]+$",
            "^[^/]+$",
            "^v1\\.[^/]+/x$",
            "^users/me$",
            "^projects/[^/]+/locations/[^/]+/catalogs/[^/]+/branches/[^/]+/products/.*$",
            "^projects/[^/]+:run$",
            "organizations/[0-9]{0,20}",
        ];
        let values = [
            "",
            "archiveJobs/1",
            "archiveJobs/",
            "archiveJobs/1/x",
            "archiveJobs/1\n",
            "archiveJobsX1",
            "projects/p/locations/l/catalogs/c",
            "projects/p/locations//catalogs/c",
            "projects/p/locations/l/catalogs/c/",
            "projects/ünï/locations/l/catalogs/c",
            "v1.a/x",
            "v1xa/x",
            "users/me",
            "users/me/",
            "x",
            "projects/p:run",
        ];
        let mut segments = 0;
        for pattern in patterns {
            let regex = regex_lite::Regex::new(pattern).unwrap();
            let parsed = SegmentPattern::parse(pattern);
            segments += usize::from(parsed.is_some());
            for value in values {
                let expected = regex.is_match(value);
                if let Some(parsed) = &parsed {
                    assert_eq!(parsed.is_match(value), expected, "{pattern} on {value:?}");
                }
                assert_eq!(
                    matches_pattern(pattern, value),
                    Some(expected),
                    "{pattern} on {value:?}"
                );
            }
        }
        // Every pattern but the `.*` one, the `:run` one (a segment not followed by `/`) and
        // the unanchored one takes the fast way.
        assert_eq!(segments, 5);
    }
}
