//! Parsing path templates and classifying path patterns, once, so the runtime never does either.

use crate::error::{Error, JsonPath};
use crate::ir::{
    Location, ParamDef, PathPattern, PathTemplate, PatternMatcher, PatternPiece, TemplatePiece,
};

/// Parses `template` (at `path` in the document) into text and parameters. Every `{expression}`
/// must be `{name}` or `{+name}` for one of the method's path parameters, not a repeated one,
/// so the runtime can always expand it; a brace anywhere else is refused.
pub(super) fn parse_template(
    template: &str,
    positional: &[ParamDef],
    path: &JsonPath,
) -> Result<PathTemplate, Error> {
    let refuse = |message: String| Err(Error::at(path, message));
    let mut pieces = Vec::new();
    let mut rest = template;
    loop {
        let open = rest.find('{').unwrap_or(rest.len());
        let text = &rest[..open];
        if text.contains('}') {
            return refuse(format!("path template {template:?} has an unmatched '}}'"));
        }
        if !text.is_empty() {
            pieces.push(TemplatePiece::Text(text.to_owned()));
        }
        if open == rest.len() {
            break;
        }
        let Some(close) = rest[open..].find('}').map(|offset| open + offset) else {
            return refuse(format!("path template {template:?} has an unclosed '{{'"));
        };
        let expression = &rest[open + 1..close];
        let (name, reserved) = match expression.strip_prefix('+') {
            Some(name) => (name, true),
            None => (expression, false),
        };
        let Some(param) = positional
            .iter()
            .find(|param| param.wire_name == name && param.location == Location::Path)
        else {
            return refuse(format!(
                "path template {template:?}: {{{expression}}} is not a path parameter of the method"
            ));
        };
        if param.repeated {
            return refuse(format!(
                "path parameter {name:?} is repeated, which a path cannot hold"
            ));
        }
        pieces.push(if reserved {
            TemplatePiece::Reserved(name.to_owned())
        } else {
            TemplatePiece::Simple(name.to_owned())
        });
        rest = &rest[close + 1..];
    }
    Ok(PathTemplate {
        text: template.to_owned(),
        pieces,
    })
}

/// A pattern with the pieces it is matched by when it is simple enough to match without a
/// regex engine, else the static its regex is compiled into, named after the parameter `name`.
pub(super) fn classify_pattern(pattern: &str, name: &str) -> PathPattern {
    PathPattern {
        text: pattern.to_owned(),
        matcher: match segments(pattern) {
            Some(pieces) => PatternMatcher::Segments(pieces),
            None => PatternMatcher::Regex {
                static_name: crate::names::static_name(name, "pattern"),
            },
        },
    }
}

/// The pieces of `pattern` when it is `^`, then literal text and `[^/]+` segments, perhaps a
/// final `.*`, then `$` (`^projects/[^/]+/locations/[^/]+$`, two thirds of the patterns Google
/// publishes); `None` for any other shape. Each piece is matched greedily, in one pass, so a
/// segment must be followed by `/`, a final `.*` or the end: then taking every character up to
/// the next `/` is the only way the regex could match too.
pub fn segments(pattern: &str) -> Option<Vec<PatternPiece>> {
    const SEGMENT: &str = "[^/]+";
    let mut rest = pattern.strip_prefix('^')?.strip_suffix('$')?;
    let mut pieces: Vec<PatternPiece> = Vec::new();
    while !rest.is_empty() {
        if rest == ".*" {
            pieces.push(PatternPiece::Rest);
            break;
        }
        if let Some(after) = rest.strip_prefix(SEGMENT) {
            let ends_segment = after.is_empty()
                || after == ".*"
                || after.starts_with('/')
                || after.starts_with("\\/");
            if !ends_segment {
                return None;
            }
            pieces.push(PatternPiece::Segment);
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
            Some(PatternPiece::Text(text)) => text.push(literal),
            _ => pieces.push(PatternPiece::Text(literal.to_string())),
        }
    }
    Some(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Scalar, TypeRef};
    use PatternPiece::{Rest, Segment, Text};

    fn param(wire_name: &str, repeated: bool) -> ParamDef {
        ParamDef {
            name: wire_name.to_owned(),
            wire_name: wire_name.to_owned(),
            location: Location::Path,
            ty: TypeRef::Scalar(Scalar::String),
            repeated,
            description: String::new(),
            pattern: None,
            default: None,
            deprecated: false,
        }
    }

    fn parse(template: &str) -> Result<Vec<TemplatePiece>, String> {
        let params = [param("name", false), param("id", false), param("ids", true)];
        parse_template(template, &params, &JsonPath::root().key("path"))
            .map(|parsed| parsed.pieces)
            .map_err(|error| error.to_string())
    }

    #[test]
    fn templates_become_text_and_parameters() {
        use TemplatePiece::{Reserved, Simple};
        let text = |text: &str| TemplatePiece::Text(text.to_owned());
        assert_eq!(
            parse("v1/{+name}:cancel/{id}").unwrap(),
            [
                text("v1/"),
                Reserved("name".to_owned()),
                text(":cancel/"),
                Simple("id".to_owned())
            ]
        );
        assert_eq!(parse("{id}{+name}").unwrap().len(), 2);
        assert_eq!(parse("").unwrap(), []);
        for (template, fault) in [
            ("v1/{name", "unclosed"),
            ("v1/name}/{id}", "unmatched"),
            ("v1/{id}/x}", "unmatched"),
            ("v1/{other}", "not a path parameter"),
            ("v1/{/name}", "not a path parameter"),
            ("v1/{+ids}", "repeated"),
        ] {
            let error = parse(template).unwrap_err();
            assert!(error.contains(fault), "{template}: {error}");
            assert!(error.contains("$.path"), "{template}: {error}");
        }
    }

    #[test]
    fn simple_patterns_are_pieces() {
        let text = |text: &str| Text(text.to_owned());
        assert_eq!(
            segments("^projects/[^/]+/locations/[^/]+$").unwrap(),
            [text("projects/"), Segment, text("/locations/"), Segment]
        );
        assert_eq!(
            segments("^v1\\.[^/]+\\/x/.*$").unwrap(),
            [text("v1."), Segment, text("/x/"), Rest]
        );
        assert_eq!(segments("^.*$").unwrap(), [Rest]);
        assert_eq!(segments("^[^/]+.*$").unwrap(), [Segment, Rest]);
        assert_eq!(segments("^$").unwrap(), []);
        for other in [
            "projects/[^/]+",
            "^projects/[^/]+:run$",
            "^[^/]+[^/]+$",
            "^a/.*/b$",
            "^[a-z]+$",
            "^(?i)users$",
            "^a\\d$",
            "^x{2}$",
        ] {
            assert_eq!(segments(other), None, "{other}");
        }
    }
}
