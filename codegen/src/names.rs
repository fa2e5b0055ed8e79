//! Naming: the one place that turns wire names into Rust identifiers (the only user of `heck`).
//!
//! Every function returns a valid identifier; a [`Namespace`] makes it unique in its scope.
//! Keywords become raw identifiers (`r#type`), or get a trailing `_` where Rust allows no raw
//! form (`self_`, `Self_`, `super_`, `crate_`).

use std::collections::BTreeSet;

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Keywords of Rust 2024, strict and reserved.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super"];

/// Replaces everything but ASCII letters and digits with spaces, so `heck` sees word breaks at
/// `$`, `@`, `-`, `.`, `/` and the like and never passes non-ASCII through.
fn words(raw: &str) -> String {
    raw.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect()
}

/// The longest identifier made. A longer one (only a hostile document has them: Google's longest
/// schema name is 143 characters) is cut and given a digest of the whole, so it stays unique
/// and rustdoc's file name for it (`struct.Name.html`) stays within the file system's 255 bytes.
const MAX_IDENTIFIER: usize = 160;

/// `name` (ASCII) cut to [`MAX_IDENTIFIER`] when longer: its first characters and a 64-bit
/// FNV-1a digest of all of it, upper-case hex for a type, `_` and lower-case for a value.
fn fit(name: String, camel: bool) -> String {
    if name.len() <= MAX_IDENTIFIER {
        return name;
    }
    let digest = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    if camel {
        format!("{}{digest:016X}", &name[..MAX_IDENTIFIER - 16])
    } else {
        format!("{}_{digest:016x}", &name[..MAX_IDENTIFIER - 17])
    }
}

/// Makes `name` usable as an identifier: a leading digit gets `prefix`, a keyword is escaped.
fn finish(name: String, prefix: &str, fallback: &str) -> String {
    let name = if name.is_empty() {
        fallback.to_owned()
    } else if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("{prefix}{name}")
    } else {
        name
    };
    if NOT_RAW.contains(&name.as_str()) {
        format!("{name}_")
    } else if KEYWORDS.contains(&name.as_str()) {
        format!("r#{name}")
    } else {
        name
    }
}

/// The words of a name as its casing and punctuation mark them, lower-case:
/// `listAccessProposals` is `list`, `access`, `proposals`; `HTTPBody` is `http`, `body`.
pub fn segments(raw: &str) -> Vec<String> {
    words(raw)
        .to_snake_case()
        .split('_')
        .filter(|segment| !segment.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A type name: `UpperCamelCase`. Names starting with a digit get a `V`.
pub fn type_name(raw: &str) -> String {
    finish(fit(words(raw).to_upper_camel_case(), true), "V", "Unnamed")
}

/// An enum variant for a wire value; the empty string becomes `Empty`.
pub fn variant_name(raw: &str) -> String {
    let fallback = if raw.is_empty() { "Empty" } else { "Value" };
    finish(fit(words(raw).to_upper_camel_case(), true), "V", fallback)
}

/// A field, method or argument name: `snake_case`. Names starting with a digit get a `_`.
pub fn value_name(raw: &str) -> String {
    finish(fit(words(raw).to_snake_case(), false), "_", "value")
}

/// A static's name, from a value name and what the static holds: `NAME_PATTERN` for `name`
/// and `pattern`; `TYPE_PATTERN` for `r#type`.
pub fn static_name(value: &str, what: &str) -> String {
    format!("{}_{}", unraw(value), what).to_uppercase()
}

/// The setter of a field: `set_type` for `r#type`, `set_1st` for `_1st`.
pub fn setter_name(field: &str) -> String {
    format!("set_{}", unraw(field).trim_start_matches('_'))
}

/// The identifier without its `r#` prefix: what serde writes on the wire for a raw identifier,
/// and what two names are compared by.
pub fn unraw(name: &str) -> &str {
    name.strip_prefix("r#").unwrap_or(name)
}

/// The names taken in one scope; `claim` hands out unique ones.
#[derive(Debug, Clone, Default)]
pub struct Namespace {
    taken: BTreeSet<String>,
}

impl Namespace {
    /// A namespace in which `reserved` are already taken.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        Namespace {
            taken: reserved.iter().map(|name| (*name).to_owned()).collect(),
        }
    }

    /// Takes `name`, or the first free `name2`, `name3`, ... (`name_2` for snake case). A name
    /// that starts in upper case (a type, a variant, a constant) never gets an underscore:
    /// `A_2` would be a type name rustc warns about, while `A2` suits every case.
    pub fn claim(&mut self, name: String) -> String {
        if self.taken.insert(unraw(&name).to_owned()) {
            return name;
        }
        let base = unraw(&name).trim_end_matches('_');
        let snake = base.starts_with(|c: char| c.is_ascii_lowercase() || c == '_');
        (2..)
            .map(|n| {
                if snake {
                    format!("{base}_{n}")
                } else {
                    format!("{base}{n}")
                }
            })
            .find(|candidate| self.taken.insert(candidate.clone()))
            .expect("some suffix is free")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(f: fn(&str) -> String, cases: &[(&str, &str)]) {
        for (raw, expected) in cases {
            assert_eq!(f(raw), *expected, "input {raw:?}");
        }
    }

    #[test]
    fn long_names_are_cut_and_stay_unique() {
        let long = "word".repeat(100);
        let (a, b) = (type_name(&long), type_name(&format!("{long}x")));
        assert_eq!(a.len(), MAX_IDENTIFIER);
        assert_ne!(a, b);
        assert_eq!(a, type_name(&long), "the same name every time");
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()), "{a}");
        let value = value_name(&long);
        assert_eq!(value.len(), MAX_IDENTIFIER);
        assert!(
            value
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        );
        let real = "GoogleAdsSearchads360V23Resources_CustomerSkAdNetworkConversionValueSchemaSkAdNetworkConversionValueSchema_CoarseGrainedConversionValueMappings";
        // Google's longest names are never cut.
        assert!(type_name(real).len() < MAX_IDENTIFIER);
    }

    #[test]
    fn value_names() {
        check(
            value_name,
            &[
                ("maxResults", "max_results"),
                ("max-results", "max_results"),
                ("$ref", "r#ref"),
                ("@type", "r#type"),
                ("$.xgafv", "xgafv"),
                ("1st", "_1st"),
                ("type", "r#type"),
                ("self", "self_"),
                ("Self", "self_"),
                ("super", "super_"),
                ("crate", "crate_"),
                ("match", "r#match"),
                ("", "value"),
                ("ünïcode", "n_code"),
                ("HTTPHeaders", "http_headers"),
            ],
        );
    }

    #[test]
    fn type_and_variant_names() {
        check(
            type_name,
            &[
                ("PortabilityArchiveState", "PortabilityArchiveState"),
                ("self", "Self_"),
                ("3dModel", "V3dModel"),
                ("foo.bar_baz", "FooBarBaz"),
            ],
        );
        check(
            variant_name,
            &[
                ("IN_PROGRESS", "InProgress"),
                ("", "Empty"),
                ("1", "V1"),
                ("image/png", "ImagePng"),
                ("*", "Value"),
                ("Self", "Self_"),
            ],
        );
    }

    #[test]
    fn namespaces_make_names_unique() {
        let mut fields = Namespace::with_reserved(&["unknown_fields"]);
        assert_eq!(fields.claim("foo_bar".into()), "foo_bar");
        assert_eq!(fields.claim("foo_bar".into()), "foo_bar_2");
        assert_eq!(fields.claim("unknown_fields".into()), "unknown_fields_2");
        assert_eq!(fields.claim("r#type".into()), "r#type");
        assert_eq!(fields.claim("r#type".into()), "type_2");
        let mut types = Namespace::default();
        assert_eq!(types.claim("Status".into()), "Status");
        assert_eq!(types.claim("Status".into()), "Status2");
        assert_eq!(types.claim("Self_".into()), "Self_");
        assert_eq!(types.claim("Self_".into()), "Self2");
    }
}
