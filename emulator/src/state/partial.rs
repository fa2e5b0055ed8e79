//! Partial responses and formatting, as Google's front end does them: the `fields` selection
//! (`a,b`, `a/b`, `a(b,c)`, `*`) and `prettyPrint`.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Reply, form, invalid};

/// How deeply selections may nest (`a(b(c))` is three deep). Deeper ones are refused, so a
/// hostile `fields` cannot exhaust the parser's stack.
const MAX_DEPTH: usize = 32;

/// What to keep of an object: each named field, whole or in part.
#[derive(Debug, Clone, PartialEq, Default)]
struct Selection(BTreeMap<String, Keep>);

#[derive(Debug, Clone, PartialEq)]
enum Keep {
    Whole,
    Part(Selection),
}

impl Selection {
    fn add(&mut self, name: String, keep: Keep) {
        let merged = match (self.0.remove(&name), keep) {
            (None, keep) => keep,
            (Some(Keep::Part(mut old)), Keep::Part(new)) => {
                for (name, keep) in new.0 {
                    old.add(name, keep);
                }
                Keep::Part(old)
            }
            // Asking for the whole of a field wins over asking for part of it.
            (Some(Keep::Whole), _) | (Some(Keep::Part(_)), Keep::Whole) => Keep::Whole,
        };
        self.0.insert(name, merged);
    }

    fn apply(&self, value: Value) -> Value {
        match value {
            Value::Object(object) => Value::Object(
                object
                    .into_iter()
                    .filter_map(|(name, field)| {
                        match self.0.get(&name).or_else(|| self.0.get("*"))? {
                            Keep::Whole => Some((name, field)),
                            Keep::Part(inner) => Some((name, inner.apply(field))),
                        }
                    })
                    .collect(),
            ),
            Value::Array(items) => {
                Value::Array(items.into_iter().map(|item| self.apply(item)).collect())
            }
            scalar => scalar,
        }
    }
}

/// Parses a `fields` value; `Err` says where it is malformed.
fn parse(text: &str) -> Result<Selection, String> {
    let mut parser = Parser {
        text: text.as_bytes(),
        at: 0,
        depth: 0,
    };
    let selection = parser.selection()?;
    if parser.at < parser.text.len() {
        return Err(format!(
            "unexpected {:?} at {}",
            parser.peek_char(),
            parser.at
        ));
    }
    Ok(selection)
}

struct Parser<'a> {
    text: &'a [u8],
    at: usize,
    /// How many selections enclose the current one.
    depth: usize,
}

impl Parser<'_> {
    fn peek_char(&self) -> char {
        self.text.get(self.at).map_or(' ', |&byte| byte as char)
    }

    /// `item (',' item)*`
    fn selection(&mut self) -> Result<Selection, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(format!("selections nest deeper than {MAX_DEPTH}"));
        }
        let mut selection = Selection::default();
        loop {
            let (name, keep) = self.item()?;
            selection.add(name, keep);
            if self.text.get(self.at) == Some(&b',') {
                self.at += 1;
            } else {
                self.depth -= 1;
                return Ok(selection);
            }
        }
    }

    /// `name`, `name/item` or `name(selection)`
    fn item(&mut self) -> Result<(String, Keep), String> {
        let start = self.at;
        while self.text.get(self.at).is_some_and(|&byte| {
            byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'*' | b'@' | b'$' | b'.' | b'-')
        }) {
            self.at += 1;
        }
        if self.at == start {
            return Err(format!("a field name is missing at {start}"));
        }
        let name = String::from_utf8_lossy(&self.text[start..self.at]).into_owned();
        match self.text.get(self.at) {
            Some(b'/') => {
                self.at += 1;
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(format!("paths nest deeper than {MAX_DEPTH}"));
                }
                let (inner, keep) = self.item()?;
                self.depth -= 1;
                let mut selection = Selection::default();
                selection.add(inner, keep);
                Ok((name, Keep::Part(selection)))
            }
            Some(b'(') => {
                self.at += 1;
                let selection = self.selection()?;
                if self.text.get(self.at) != Some(&b')') {
                    return Err(format!("')' is missing at {}", self.at));
                }
                self.at += 1;
                Ok((name, Keep::Part(selection)))
            }
            _ => Ok((name, Keep::Whole)),
        }
    }
}

/// Applies the request's `fields` (to successful JSON replies) and `prettyPrint` (to every JSON
/// reply) to `reply`. A malformed `fields` is 400 INVALID_ARGUMENT.
pub(super) fn shape(reply: Reply, query: &str) -> Reply {
    let params = form(query);
    let is_json = reply.headers.iter().any(|(name, value)| {
        name.eq_ignore_ascii_case("content-type") && value.starts_with("application/json")
    });
    if !is_json {
        return reply;
    }
    let Ok(mut body) = serde_json::from_slice::<Value>(&reply.body) else {
        return reply;
    };
    if let Some(fields) = params.get("fields").filter(|fields| !fields.is_empty())
        && (200..300).contains(&reply.status)
    {
        match parse(fields) {
            Ok(selection) => body = selection.apply(body),
            Err(reason) => {
                return shape(
                    invalid(&format!("Invalid field selection {fields:?}: {reason}.")),
                    "",
                );
            }
        }
    }
    let pretty = params
        .get("prettyPrint")
        .is_none_or(|value| value != "false");
    let bytes = if pretty {
        serde_json::to_vec_pretty(&body)
    } else {
        serde_json::to_vec(&body)
    };
    Reply {
        body: bytes.expect("JSON values serialize"),
        ..reply
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn check(fields: &str, value: Value, expected: Value) {
        let selection = parse(fields).unwrap_or_else(|e| panic!("{fields}: {e}"));
        assert_eq!(selection.apply(value), expected, "fields={fields}");
    }

    #[test]
    fn selections() {
        let state = || {
            json!({"name": "n", "state": "COMPLETE", "urls": ["u1", "u2"],
                   "job": {"id": "1", "meta": {"a": 1, "b": 2}}, "list": [{"x": 1, "y": 2}]})
        };
        check("state", state(), json!({"state": "COMPLETE"}));
        check(
            "state,urls",
            state(),
            json!({"state": "COMPLETE", "urls": ["u1", "u2"]}),
        );
        check("job/meta/a", state(), json!({"job": {"meta": {"a": 1}}}));
        check(
            "job(id,meta/b)",
            state(),
            json!({"job": {"id": "1", "meta": {"b": 2}}}),
        );
        check("list(y)", state(), json!({"list": [{"y": 2}]}));
        check(
            "job/id,job",
            state(),
            json!({"job": {"id": "1", "meta": {"a": 1, "b": 2}}}),
        );
        check("*", state(), state());
        check("nothing", state(), json!({}));
        for bad in ["", "a(", "a,", "a)b", "(a)", "a/"] {
            assert!(parse(bad).is_err(), "{bad:?} parsed");
        }
        // Hostile nesting is refused, not recursed into until the stack runs out.
        let deep = format!("{}x{}", "a(".repeat(100_000), ")".repeat(100_000));
        assert!(parse(&deep).unwrap_err().contains("nest deeper than 32"));
        let deep_path = format!("{}x", "a/".repeat(100_000));
        assert!(
            parse(&deep_path)
                .unwrap_err()
                .contains("nest deeper than 32")
        );
        let fine = format!("{}x{}", "a(".repeat(20), ")".repeat(20));
        assert!(parse(&fine).is_ok());
    }
}
