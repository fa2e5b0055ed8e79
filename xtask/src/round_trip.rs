//! The round-trip program of `cargo xtask corpus`: for every model type of the corpus and
//! fixture crates, a sample made from the type's own fields (each one set, each format in its
//! wire spelling), read, written and read again; the two readings must be equal, and what was
//! written must be the sample.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use codegen::ir::{Api, Scalar, TypeDef, TypeRef, type_ids};
use serde_json::{Value, json};

use crate::Failure;

/// The program's folder and package name in the corpus workspace.
pub const NAME: &str = "round-trips";

/// How deep samples nest model types: deep enough to reach every field type, shallow enough
/// that recursive types stay small.
const MAX_DEPTH: usize = 3;

/// One crate whose types the program checks: its package name and its lowered API.
pub struct Subject {
    pub package: String,
    pub api: Api,
}

/// Writes the program into `workspace/round-trips`: a manifest depending on every subject, and
/// a `main.rs` with one check for each of their model types.
pub fn write(workspace: &Path, subjects: &[Subject]) -> Result<usize, Failure> {
    let io =
        |path: &Path, error: std::io::Error| Failure::error(format!("{}: {error}", path.display()));
    let dir = workspace.join(NAME);
    let src = dir.join("src");
    fs::create_dir_all(&src).map_err(|error| io(&src, error))?;
    let mut dependencies = String::new();
    let mut checks = String::new();
    let mut count = 0;
    for subject in subjects {
        let _ = writeln!(
            dependencies,
            "{} = {{ path = \"../{}\" }}",
            subject.package,
            subject.package.trim_start_matches("corpus-")
        );
        let krate = subject.package.replace('-', "_");
        let sampler = Sampler::new(&subject.api);
        for (id, def) in type_ids(&subject.api.types).zip(&subject.api.types) {
            let Some(sample) = sampler.sample(&TypeRef::Named(id), 0) else {
                continue;
            };
            let text = serde_json::to_string(&sample).expect("a sample serializes");
            let _ = writeln!(
                checks,
                "    failures += check::<{krate}::model::{}>({:?}, {text:?});",
                def.name(),
                format!("{}::{}", subject.package, def.name()),
            );
            count += 1;
        }
    }
    let manifest = format!(
        "# Written by `cargo xtask corpus`.\n[package]\nname = \"{NAME}\"\nversion = \"0.1.0\"\n\
         edition = \"2024\"\npublish = false\n\n[dependencies]\ngoogle-api-runtime = {{ {} }}\n\
         serde_json = \"1\"\n{dependencies}",
        crate::paths::runtime_source(&dir),
    );
    // A program naming a deeply nested type needs the recursion limit its crate needs.
    let recursion_limit = subjects
        .iter()
        .filter_map(|subject| subject.api.recursion_limit)
        .max()
        .map(|limit| format!("#![recursion_limit = \"{limit}\"]\n"))
        .unwrap_or_default();
    let main = format!(
        "// Written by `cargo xtask corpus`.\n#![allow(deprecated)]\n{recursion_limit}{}\nfn main() {{\n    let mut failures = 0;\n{checks}    assert_eq!(failures, 0, \"types failed their round trip\");\n    println!(\"round-trips: {count} types read, written and read again\");\n}}\n",
        include_str!("../corpus/round_trip_check.rs")
    );
    for (path, contents) in [
        (dir.join("Cargo.toml"), manifest),
        (src.join("main.rs"), main),
    ] {
        fs::write(&path, contents).map_err(|error| io(&path, error))?;
    }
    Ok(count)
}

/// Makes sample JSON for the types of one API.
struct Sampler<'a> {
    types: &'a [TypeDef],
}

impl<'a> Sampler<'a> {
    fn new(api: &'a Api) -> Self {
        Sampler { types: &api.types }
    }

    /// A sample of `ty` at `depth`, or none where a model type would nest too deep.
    fn sample(&self, ty: &TypeRef, depth: usize) -> Option<Value> {
        match ty {
            TypeRef::Scalar(scalar) => Some(scalar_sample(*scalar)),
            TypeRef::List(item) => Some(Value::Array(vec![self.sample(item, depth)?])),
            TypeRef::Map(value) => Some(json!({"k": self.sample(value, depth)?})),
            TypeRef::Named(id) => {
                if depth > MAX_DEPTH {
                    return None;
                }
                match &self.types[*id] {
                    TypeDef::Enum(def) => Some(Value::String(
                        def.variants
                            .first()
                            .map_or("SOME_FUTURE_VALUE", |variant| variant.wire.as_str())
                            .to_owned(),
                    )),
                    TypeDef::Newtype(def) => self.sample(&def.ty, depth + 1),
                    TypeDef::Struct(def) => {
                        let mut object = serde_json::Map::new();
                        for field in &def.fields {
                            if let Some(value) = self.sample(&field.ty, depth + 1) {
                                object.insert(field.wire_name.clone(), value);
                            }
                        }
                        // A key no field has, which the map of other fields keeps.
                        let other = match &def.rest.value {
                            Some(value) => self.sample(value, depth + 1),
                            None => Some(json!({"kept": [1, "x", null]})),
                        };
                        if let Some(other) = other {
                            object.insert("zzNotAField".to_owned(), other);
                        }
                        Some(Value::Object(object))
                    }
                }
            }
        }
    }
}

/// Each scalar in the spelling the runtime writes, so that writing a reading gives it back.
fn scalar_sample(scalar: Scalar) -> Value {
    match scalar {
        Scalar::String => json!("a \"quoted\" caf\u{e9}\n\u{1}"),
        Scalar::Bool => json!(true),
        Scalar::I32 => json!(-7),
        Scalar::U32 => json!(4_294_967_295u32),
        Scalar::I64 => json!("-9007199254740993"),
        Scalar::U64 => json!("18446744073709551615"),
        Scalar::F32 => json!(0.5),
        Scalar::F64 => json!("-Infinity"),
        Scalar::Bytes => json!("aGk/"),
        Scalar::Timestamp => json!("2026-07-19T10:20:30.120Z"),
        Scalar::Date => json!("2024-02-29"),
        Scalar::Duration => json!("3.000000001s"),
        Scalar::FieldMask => json!("a.b,c"),
        Scalar::Any => json!({"any": [1.5, "x", null, {"deep": true}]}),
    }
}
