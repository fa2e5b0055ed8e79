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

/// One piece of a method's path template, parsed when the crate was generated (contract
/// version 6): `v1/{+name}:cancel` is `[Text("v1/"), Reserved("name"), Text(":cancel")]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathPiece {
    /// Text sent as it is.
    Text(&'static str),
    /// `{name}`: the parameter's value as one segment, its slashes encoded.
    Simple(&'static str),
    /// `{+name}`: the parameter's value with its slashes kept, each segment encoded.
    Reserved(&'static str),
}

/// What a method's paths are, parsed when its crate was generated (contract version 6): the
/// path template in pieces, the upload path's, and how each path parameter's pattern is
/// checked. A template without parameters has no pieces: its text is sent as it is.
#[derive(Debug)]
pub struct MethodPaths {
    /// The method's path template (`MethodInfo::path`) in pieces.
    pub template: &'static [PathPiece],
    /// The upload path template (`UploadInfo::path`) in pieces.
    pub upload_template: &'static [PathPiece],
    /// The path parameters that have a pattern, and how each is matched.
    pub checks: &'static [PathCheck],
}

impl MethodPaths {
    /// No pieces and no checks. Generated code names the fields a method sets and takes the
    /// rest from here (`..MethodPaths::BASE`), so that a field added later is not a breaking
    /// change.
    pub const BASE: MethodPaths = MethodPaths {
        template: &[],
        upload_template: &[],
        checks: &[],
    };
}

/// Reads a template such as `v1/{+name}:cancel` into pieces: what crates generated before
/// contract version 6 send (their methods carry only the template's text).
fn parse_template(template: &'static str) -> Result<Vec<PathPiece>, String> {
    let mut pieces = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            pieces.push(PathPiece::Text(&rest[..open]));
        }
        let close = rest[open..]
            .find('}')
            .map(|offset| open + offset)
            .ok_or_else(|| format!("path template {template:?} has an unclosed '{{'"))?;
        let expression = &rest[open + 1..close];
        pieces.push(match expression.strip_prefix('+') {
            Some(name) => PathPiece::Reserved(name),
            None => PathPiece::Simple(expression),
        });
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        pieces.push(PathPiece::Text(rest));
    }
    Ok(pieces)
}

/// A path template: its text, and its pieces when the generator parsed it (empty for a
/// template without parameters, and in crates generated before contract version 6).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Template {
    pub(crate) text: &'static str,
    pub(crate) pieces: &'static [PathPiece],
}

impl Template {
    /// Expands the template with `values` (wire name, value) onto the end of `out` (a base
    /// URL, say). Errors say which parameter is wrong.
    pub(crate) fn expand_onto(
        self,
        out: &mut String,
        values: &[(&'static str, String)],
    ) -> Result<(), String> {
        if !self.pieces.is_empty() {
            return expand_pieces(out, self.pieces, values);
        }
        // No pieces: a template without parameters (sent as it is), or one from a crate
        // generated before its pieces were.
        if !self.text.contains('{') {
            out.push_str(self.text);
            return Ok(());
        }
        expand_pieces(out, &parse_template(self.text)?, values)
    }
}

/// Expands `template` with `values` (wire name, value). Errors say which parameter is wrong.
#[cfg(test)]
fn expand(template: &'static str, values: &[(&'static str, String)]) -> Result<String, String> {
    let mut out = String::with_capacity(template.len() + 32);
    let template = Template {
        text: template,
        pieces: &[],
    };
    template.expand_onto(&mut out, values)?;
    Ok(out)
}

/// Appends each piece, a parameter's value encoded, onto `out`.
fn expand_pieces(
    out: &mut String,
    pieces: &[PathPiece],
    values: &[(&'static str, String)],
) -> Result<(), String> {
    for piece in pieces {
        let (name, reserved) = match *piece {
            PathPiece::Text(text) => {
                out.push_str(text);
                continue;
            }
            PathPiece::Simple(name) => (name, false),
            PathPiece::Reserved(name) => (name, true),
        };
        let value = values
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.as_str())
            .ok_or_else(|| format!("path parameter `{name}` has no value"))?;
        encode_value(name, value, reserved, out)?;
    }
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

/// Whether a path `segment` is `.` or `..`, spelt with dots or `%2e` (either case), as a server
/// would resolve it.
pub(crate) fn is_dot_segment(segment: &str) -> bool {
    let mut rest = segment.as_bytes();
    let mut dots = 0;
    while !rest.is_empty() {
        match rest {
            [b'.', tail @ ..] => rest = tail,
            [b'%', b'2', e, tail @ ..] if e.eq_ignore_ascii_case(&b'e') => rest = tail,
            _ => return false,
        }
        dots += 1;
    }
    matches!(dots, 1 | 2)
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

/// A path parameter's pattern and how it is checked, decided when the crate was generated
/// (contract version 6).
#[derive(Debug, Clone, Copy)]
pub struct PathCheck {
    /// The parameter's wire name.
    pub parameter: &'static str,
    /// The pattern as the document writes it, for the error that names it.
    pub pattern: &'static str,
    /// How a value is matched against it.
    pub matcher: PathMatcher,
}

/// How a value is matched against a path parameter's pattern.
#[derive(Debug, Clone, Copy)]
pub enum PathMatcher {
    /// A pattern anchored at both ends made of text, `[^/]+` segments and perhaps a final `.*`
    /// (two thirds of the patterns Google publishes, such as `^projects/[^/]+/locations/[^/]+$`):
    /// matched in one pass, with no regex engine.
    Segments(&'static [PatternPiece]),
    /// Any other pattern, compiled by the regex engine the first time a call checks it.
    Regex(&'static LazyRegex),
}

/// One piece of a [`PathMatcher::Segments`] pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternPiece {
    /// Text that must be there as it is.
    Text(&'static str),
    /// `[^/]+`: one or more characters up to the next `/` or the end.
    Segment,
    /// `.*` before the end: every character left, none of them a line feed.
    Rest,
}

/// A pattern's regex, compiled once, on first use: a `static` beside the method that checks it.
#[derive(Debug)]
pub struct LazyRegex(OnceLock<Option<regex_lite::Regex>>);

impl LazyRegex {
    /// A regex not compiled yet.
    #[allow(clippy::new_without_default)] // Only `static`s are made, and `Default` is not const.
    pub const fn new() -> Self {
        LazyRegex(OnceLock::new())
    }
}

impl PathCheck {
    /// A check of `parameter` against `pattern`, matched by its `pieces`.
    pub const fn segments(
        parameter: &'static str,
        pattern: &'static str,
        pieces: &'static [PatternPiece],
    ) -> Self {
        PathCheck {
            parameter,
            pattern,
            matcher: PathMatcher::Segments(pieces),
        }
    }

    /// A check of `parameter` against `pattern`, matched by the regex engine; `regex` holds
    /// it once compiled.
    pub const fn regex(
        parameter: &'static str,
        pattern: &'static str,
        regex: &'static LazyRegex,
    ) -> Self {
        PathCheck {
            parameter,
            pattern,
            matcher: PathMatcher::Regex(regex),
        }
    }

    /// Whether `value` matches; `None` when the regex engine cannot read the pattern.
    pub fn is_match(&self, value: &str) -> Option<bool> {
        match self.matcher {
            PathMatcher::Segments(pieces) => Some(segments_match(pieces, value)),
            PathMatcher::Regex(lazy) => lazy
                .0
                .get_or_init(|| regex_lite::Regex::new(self.pattern).ok())
                .as_ref()
                .map(|regex| regex.is_match(value)),
        }
    }
}

/// Whether `value` is, piece by piece, what `pieces` describe.
fn segments_match(pieces: &[PatternPiece], value: &str) -> bool {
    let mut rest = value;
    for piece in pieces {
        match piece {
            PatternPiece::Text(text) => match rest.strip_prefix(text) {
                Some(after) => rest = after,
                None => return false,
            },
            PatternPiece::Segment => {
                let end = rest.find('/').unwrap_or(rest.len());
                if end == 0 {
                    return false;
                }
                rest = &rest[end..];
            }
            PatternPiece::Rest => {
                if rest.contains('\n') {
                    return false;
                }
                rest = "";
            }
        }
    }
    rest.is_empty()
}

/// Checks each path parameter that has a pattern against it. A pattern the regex engine cannot
/// read is skipped rather than allowed to lock callers out.
pub(crate) fn check_paths(
    checks: &[PathCheck],
    values: &[(&'static str, String)],
) -> Result<(), String> {
    for check in checks {
        let Some((_, value)) = values.iter().find(|(key, _)| *key == check.parameter) else {
            continue;
        };
        if check.is_match(value) == Some(false) {
            return Err(mismatch(check.parameter, value, check.pattern));
        }
    }
    Ok(())
}

/// Checks patterns given as text, as crates generated before contract version 6 give them:
/// each compiled by the regex engine once per program (the set is bounded: `'static` strings
/// of the generated code).
pub(crate) fn check_patterns(
    patterns: &[(&'static str, &'static str)],
    values: &[(&'static str, String)],
) -> Result<(), String> {
    static COMPILED: OnceLock<Mutex<HashMap<&'static str, Option<regex_lite::Regex>>>> =
        OnceLock::new();
    for (name, pattern) in patterns {
        let Some((_, value)) = values.iter().find(|(key, _)| key == name) else {
            continue;
        };
        let matches = COMPILED
            .get_or_init(Mutex::default)
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(pattern)
            .or_insert_with(|| regex_lite::Regex::new(pattern).ok())
            .as_ref()
            .map(|regex| regex.is_match(value));
        if matches == Some(false) {
            return Err(mismatch(name, value, pattern));
        }
    }
    Ok(())
}

fn mismatch(name: &str, value: &str, pattern: &str) -> String {
    format!(
        "path parameter `{name}` is {value:?}, which does not match the pattern {pattern:?} \
         (a client built with `check_path_patterns(false)` does not check)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(template: &'static str, value: &str, expected: Result<&str, &str>) {
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
        use PatternPiece::{Rest, Segment, Text};
        static REGEX: LazyRegex = LazyRegex::new();
        let checks: [(&str, &[PatternPiece]); 6] = [
            ("^archiveJobs/[^/]+$", &[Text("archiveJobs/"), Segment]),
            (
                "^projects/[^/]+/locations/[^/]+$",
                &[Text("projects/"), Segment, Text("/locations/"), Segment],
            ),
            ("^[^/]+$", &[Segment]),
            ("^v1\\.[^/]+/x$", &[Text("v1."), Segment, Text("/x")]),
            ("^users/me$", &[Text("users/me")]),
            (
                "^projects/[^/]+/x/.*$",
                &[Text("projects/"), Segment, Text("/x/"), Rest],
            ),
        ];
        let values = [
            "",
            "archiveJobs/1",
            "archiveJobs/",
            "archiveJobs/1/x",
            "archiveJobs/1\n",
            "archiveJobsX1",
            "projects/p/locations/l",
            "projects/p/locations//x",
            "projects/p/locations/l/",
            "projects/ünï/locations/l",
            "v1.a/x",
            "v1xa/x",
            "users/me",
            "users/me/",
            "x",
            "projects/p/x/",
            "projects/p/x/a/b/c",
            "projects/p/x/a\nb",
        ];
        for (pattern, pieces) in checks {
            let regex = regex_lite::Regex::new(pattern).unwrap();
            let segments = PathCheck {
                parameter: "name",
                pattern,
                matcher: PathMatcher::Segments(pieces),
            };
            let lazy = PathCheck {
                matcher: PathMatcher::Regex(&REGEX),
                ..segments
            };
            for value in values {
                let expected = regex.is_match(value);
                assert_eq!(
                    segments.is_match(value),
                    Some(expected),
                    "{pattern} on {value:?}"
                );
                // The lazy regex is compiled from the first pattern it meets; only that one
                // can be checked through it.
                if pattern == checks[0].0 {
                    assert_eq!(
                        lazy.is_match(value),
                        Some(expected),
                        "{pattern} on {value:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn checks_name_the_parameter_and_pattern() {
        static REGEX: LazyRegex = LazyRegex::new();
        let checks = [
            PathCheck {
                parameter: "name",
                pattern: "^archiveJobs/[^/]+$",
                matcher: PathMatcher::Segments(&[
                    PatternPiece::Text("archiveJobs/"),
                    PatternPiece::Segment,
                ]),
            },
            PathCheck {
                parameter: "project",
                pattern: "(?:[a-z]+:)?[a-z0-9]+",
                matcher: PathMatcher::Regex(&REGEX),
            },
        ];
        let values = |name: &str, project: &str| {
            [("name", name.to_owned()), ("project", project.to_owned())]
        };
        assert!(check_paths(&checks, &values("archiveJobs/1", "p1")).is_ok());
        let error = check_paths(&checks, &values("archiveJobs/1/x", "p1")).unwrap_err();
        assert!(
            error.contains("`name`") && error.contains("^archiveJobs/"),
            "{error}"
        );
        let error = check_paths(&checks, &values("archiveJobs/1", "-_-")).unwrap_err();
        assert!(error.contains("`project`"), "{error}");
        // A pattern the engine cannot read is not enforced.
        static UNREADABLE: LazyRegex = LazyRegex::new();
        let lookahead = PathCheck {
            parameter: "name",
            pattern: "^(?=x)$",
            matcher: PathMatcher::Regex(&UNREADABLE),
        };
        assert!(check_paths(&[lookahead], &values("y", "p")).is_ok());
    }

    #[test]
    fn parsed_templates_expand_as_their_text_does() {
        static PIECES: [PathPiece; 4] = [
            PathPiece::Text("v1/"),
            PathPiece::Reserved("name"),
            PathPiece::Text(":cancel/"),
            PathPiece::Simple("id"),
        ];
        let values = [("name", "a/b c".to_owned()), ("id", "x/y".to_owned())];
        let mut parsed = String::new();
        let template = Template {
            text: "v1/{+name}:cancel/{id}",
            pieces: &PIECES,
        };
        template.expand_onto(&mut parsed, &values).unwrap();
        assert_eq!(parsed, "v1/a/b%20c:cancel/x%2Fy");
        assert_eq!(parse_template(template.text).unwrap(), PIECES);
        assert_eq!(expand(template.text, &values).unwrap(), parsed);
        assert!(parse_template("v1/{name").is_err());
    }
}
