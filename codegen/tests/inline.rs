//! Every function the generator writes per model type is `#[inline]`, so that the API crate
//! builds no machine code for its types and a program builds only what its calls reach; only
//! generic functions (serde's bridges, setters taking `impl Into`), which are compiled where
//! they are used anyway, go without.

use std::path::Path;

/// The Rust files of drive.v3's crate that hold the model and its JSON impls.
fn model_files() -> Vec<codegen::File> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../discovery/documents/corpus/drive.v3.json");
    let document = discovery::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    codegen::generate(&document, &codegen::Options::default())
        .unwrap()
        .into_iter()
        .filter(|file| file.path.starts_with("src/model") || file.path.starts_with("src/json"))
        .collect()
}

/// Whether the function declared on `line` is generic: type parameters, or `impl Trait` in its
/// parameters (which makes it generic too).
fn is_generic(line: &str) -> bool {
    let after_name = line.split_once("fn ").map_or("", |(_, rest)| rest);
    let name_end = after_name
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(after_name.len());
    after_name[name_end..].starts_with('<') || line.contains("impl ")
}

#[test]
fn every_function_written_per_model_type_is_inline() {
    let files = model_files();
    assert!(files.iter().any(|file| file.path.starts_with("src/json")));
    let mut checked = 0;
    for file in &files {
        let lines: Vec<&str> = file.contents.lines().collect();
        for (index, line) in lines.iter().enumerate() {
            let trimmed = line.trim_start();
            let declares = trimmed.starts_with("fn ") || trimmed.starts_with("pub fn ");
            if !declares {
                continue;
            }
            // A declaration that wraps carries its parameters on the next lines.
            let end = lines[index..]
                .iter()
                .position(|line| line.trim_end().ends_with('{'))
                .map_or(lines.len(), |offset| index + offset + 1);
            let signature = lines[index..end].join(" ");
            if is_generic(&signature) {
                continue;
            }
            let attributes = lines[..index]
                .iter()
                .rev()
                .map(|line| line.trim())
                .take_while(|line| line.starts_with("#[") || line.starts_with("///"));
            let inline = attributes.into_iter().any(|line| line == "#[inline]");
            assert!(
                inline,
                "{} line {}: `{}` is not #[inline]",
                file.path,
                index + 1,
                trimmed
            );
            checked += 1;
        }
    }
    // read_key, read_json, write_json, default, as_str, from, fmt, decode, page accessors:
    // drive.v3 has about 390.
    assert!(checked > 300, "only {checked} functions checked");
}
