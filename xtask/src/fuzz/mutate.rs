//! Structural mutations of Discovery documents: deletions, type swaps, hostile names and
//! strings, deep nesting, `$ref` cycles, copied subtrees, empty resources and odd sizes, each
//! applied at a random place in the document's JSON tree.

use serde_json::{Value, json};

/// A small deterministic random source (xorshift64*): runs repeat from their seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..bound` (`bound` > 0).
    pub fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    pub fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Names that have broken generators: keywords, std and runtime names, names that are not
/// identifiers, that collide after case conversion, or that hold control characters.
const HOSTILE_NAMES: &[&str] = &[
    "type",
    "self",
    "Self",
    "super",
    "crate",
    "fn",
    "r#type",
    "async",
    "await",
    "dyn",
    "union",
    "Option",
    "Result",
    "String",
    "Box",
    "Vec",
    "Some",
    "None",
    "Ok",
    "Err",
    "Default",
    "Hash",
    "Debug",
    "Clone",
    "Send",
    "Sync",
    "Drop",
    "Copy",
    "Fn",
    "runtime",
    "model",
    "prelude",
    "Client",
    "Error",
    "Scope",
    "service",
    "new",
    "send",
    "prepare",
    "pages",
    "items",
    "a",
    "A",
    "_",
    "__",
    "$ref",
    "@type",
    "max-results",
    "0day",
    "9",
    "-",
    ".",
    "",
    " ",
    "a b",
    "a.b",
    "A_B",
    "a_b",
    "aB",
    "AB",
    "ab",
    "Ab",
    "\u{202e}evil",
    "x\u{2066}y",
    "\u{200b}",
    "é",
    "日本",
    "name\"quote",
    "back\\slash",
    "new\nline",
    "tab\tname",
    "{x}",
    "{+x}",
    "a/b",
    "..",
    "%2e",
];

/// Strings for values: descriptions, paths, patterns, formats, sizes.
const HOSTILE_STRINGS: &[&str] = &[
    "",
    "\u{202e}right-to-left\u{202c}",
    "isolate \u{2066}x\u{2069} and \u{2067}y\u{2068}",
    "*/ /* */ //! doc",
    "```rust\ncompile_error!(\"x\");\n```",
    "[link](../relative) <http://x> `code` **bold**",
    "\"quotes\" and \\ backslash",
    "{name}",
    "{+name}",
    "v1/{name}:do",
    "{",
    "}",
    "{{}}",
    "v1/{a}{b}",
    "..",
    "/../../etc",
    "^[a-z]+$",
    "(unclosed",
    "1.5MB",
    "-1",
    "99999999999999999999GB",
    "10XB",
    "MB",
    "0",
    "int64",
    "uint64",
    "google-datetime",
    "byte",
    "date",
    "google-duration",
    "google-fieldmask",
    "double",
    "float",
    "uint32",
    "int32",
    "object",
    "array",
    "any",
    "string",
    "integer",
    "number",
    "boolean",
    "null",
    "GET",
    "POST",
    "PATCH",
    "BREW",
    "query",
    "path",
    "body",
    "https://x.example.com/",
    "http://[::1]:99999/",
    "not a url",
];

/// The Discovery types, and a few that are not.
const TYPES: &[&str] = &[
    "object", "array", "string", "integer", "number", "boolean", "any", "null", "thing",
];

/// A hostile name: one of the known ones, or a long or unusual one made up.
fn name(rng: &mut Rng) -> String {
    match rng.below(10) {
        0 => "x".repeat(1 + rng.below(5000)),
        1 => (0..1 + rng.below(12))
            .map(|_| char::from_u32(0x20 + rng.below(0x3000) as u32).unwrap_or('?'))
            .collect(),
        2 => format!("{}_{}", rng.pick(HOSTILE_NAMES), rng.below(4)),
        _ => (*rng.pick(HOSTILE_NAMES)).to_owned(),
    }
}

fn string(rng: &mut Rng) -> String {
    match rng.below(8) {
        0 => name(rng),
        1 => "d".repeat(rng.below(100_000)),
        _ => (*rng.pick(HOSTILE_STRINGS)).to_owned(),
    }
}

/// A value of a random JSON type.
fn value(rng: &mut Rng) -> Value {
    match rng.below(8) {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(2)),
        2 => json!(rng.next() as i64),
        3 => json!(-1),
        4 => Value::String(string(rng)),
        5 => json!([string(rng), 1, null]),
        6 => json!({ name(rng): string(rng) }),
        _ => json!({"type": rng.pick(TYPES), "format": rng.pick(HOSTILE_STRINGS)}),
    }
}

/// The paths (as key lists) of every object in `root`, and of every value.
fn places(root: &Value) -> (Vec<Vec<PathStep>>, Vec<Vec<PathStep>>) {
    let mut objects = Vec::new();
    let mut values = Vec::new();
    let mut stack = vec![(root, Vec::new())];
    while let Some((node, path)) = stack.pop() {
        match node {
            Value::Object(map) => {
                objects.push(path.clone());
                for (key, child) in map {
                    let mut child_path = path.clone();
                    child_path.push(PathStep::Key(key.clone()));
                    values.push(child_path.clone());
                    stack.push((child, child_path));
                }
            }
            Value::Array(items) => {
                for (index, child) in items.iter().enumerate() {
                    let mut child_path = path.clone();
                    child_path.push(PathStep::Index(index));
                    values.push(child_path.clone());
                    stack.push((child, child_path));
                }
            }
            _ => {}
        }
    }
    (objects, values)
}

#[derive(Clone)]
enum PathStep {
    Key(String),
    Index(usize),
}

fn at<'a>(root: &'a mut Value, path: &[PathStep]) -> Option<&'a mut Value> {
    let mut node = root;
    for step in path {
        node = match step {
            PathStep::Key(key) => node.as_object_mut()?.get_mut(key)?,
            PathStep::Index(index) => node.as_array_mut()?.get_mut(*index)?,
        };
    }
    Some(node)
}

/// The schema ids of the document.
fn schema_ids(document: &Value) -> Vec<String> {
    document
        .get("schemas")
        .and_then(Value::as_object)
        .map(|schemas| schemas.keys().cloned().collect())
        .unwrap_or_default()
}

/// Applies one to four mutations to `document`.
pub fn mutate(document: &mut Value, rng: &mut Rng) {
    for _ in 0..1 + rng.below(4) {
        mutate_once(document, rng);
    }
}

fn mutate_once(document: &mut Value, rng: &mut Rng) {
    let (objects, values) = places(document);
    if values.is_empty() {
        return;
    }
    let value_path = rng.pick(&values).clone();
    let object_path = rng.pick(&objects).clone();
    match rng.below(12) {
        // Delete a key or an element.
        0 | 1 => {
            let (last, parent) = value_path.split_last().unwrap();
            if let Some(parent) = at(document, parent) {
                match (parent, last) {
                    (Value::Object(map), PathStep::Key(key)) => {
                        map.remove(key);
                    }
                    (Value::Array(items), PathStep::Index(index)) if *index < items.len() => {
                        items.remove(*index);
                    }
                    _ => {}
                }
            }
        }
        // Another type of value.
        2 | 3 => {
            let replacement = value(rng);
            if let Some(node) = at(document, &value_path) {
                *node = replacement;
            }
        }
        // A hostile key.
        4 => {
            let new_key = name(rng);
            if let Some(Value::Object(map)) = at(document, &object_path)
                && let Some(key) = map.keys().nth(rng.below(map.len().max(1))).cloned()
                && let Some(moved) = map.remove(&key)
            {
                map.insert(new_key, moved);
            }
        }
        // A hostile string where a string was.
        5 => {
            let replacement = string(rng);
            if let Some(node @ Value::String(_)) = at(document, &value_path) {
                *node = Value::String(replacement);
            }
        }
        // A subtree copied next to itself under another name, or into another object.
        6 => {
            let copied = at(document, &value_path).map(|node| node.clone());
            let key = name(rng);
            if let (Some(copied), Some(Value::Object(map))) = (copied, at(document, &object_path)) {
                map.insert(key, copied);
            }
        }
        // Deep nesting through maps, lists and properties.
        7 => {
            // serde_json refuses more than 128 levels, so most depths stay below that.
            let depth = 1 + rng.below(130);
            let shape = rng.below(3);
            if let Some(node) = at(document, &value_path) {
                let mut nested = node.take();
                for _ in 0..depth {
                    nested = match shape {
                        0 => json!({"type": "object", "additionalProperties": nested}),
                        1 => json!({"type": "array", "items": nested}),
                        _ => json!({"type": "object", "properties": {"p": nested}}),
                    };
                }
                *node = nested;
            }
        }
        // A `$ref` to any schema, itself included: cycles.
        8 => {
            let ids = schema_ids(document);
            if !ids.is_empty() {
                let target = rng.pick(&ids).clone();
                if let Some(Value::Object(map)) = at(document, &object_path) {
                    map.insert("$ref".to_owned(), Value::String(target));
                }
            }
        }
        // Another type, from the Discovery ones and a few that are not.
        9 => {
            let kind = *rng.pick(TYPES);
            let format = *rng.pick(HOSTILE_STRINGS);
            if let Some(Value::Object(map)) = at(document, &object_path) {
                map.insert("type".to_owned(), json!(kind));
                if rng.chance(2) {
                    map.insert("format".to_owned(), json!(format));
                }
            }
        }
        // An empty resource, or a method with odd parts, in a random resource.
        10 => {
            let resource = json!({ "methods": {}, "resources": { name(rng): {} } });
            let method = json!({
                "id": string(rng),
                "path": string(rng),
                "httpMethod": rng.pick(HOSTILE_STRINGS),
                "parameters": { name(rng): {"type": "string", "location": rng.pick(&["path", "query", "body"]), "required": rng.chance(2), "repeated": rng.chance(2), "pattern": string(rng)} },
                "parameterOrder": [name(rng)],
                "supportsMediaUpload": true,
                "mediaUpload": {"accept": [string(rng)], "maxSize": string(rng), "protocols": {"simple": {"multipart": true, "path": string(rng)}, "resumable": {"multipart": true, "path": string(rng)}}},
                "supportsMediaDownload": rng.chance(2),
                "response": {"$ref": string(rng)},
            });
            let resources = document
                .as_object_mut()
                .map(|root| root.entry("resources").or_insert_with(|| json!({})));
            if let Some(Value::Object(resources)) = resources {
                let key = name(rng);
                let mut entry = resource;
                if rng.chance(2) {
                    entry["methods"] = json!({ name(rng): method });
                }
                resources.insert(key, entry);
            }
        }
        // An enum with repeated, empty and colliding values.
        _ => {
            let values: Vec<String> = (0..1 + rng.below(6)).map(|_| name(rng)).collect();
            let descriptions: Vec<String> = (0..rng.below(8)).map(|_| string(rng)).collect();
            if let Some(Value::Object(map)) = at(document, &object_path) {
                map.insert("type".to_owned(), json!("string"));
                map.insert("enum".to_owned(), json!(values));
                map.insert("enumDescriptions".to_owned(), json!(descriptions));
            }
        }
    }
}
