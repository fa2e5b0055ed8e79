//! The items written as text are laid out exactly as prettyplease lays out the same tokens, so
//! that skipping the formatter for them changes no byte: checked over the vendored documents,
//! the fixtures and, when `LAYOUT_DOCUMENTS` names a folder, every document in it.

use std::path::{Path, PathBuf};

/// The `*.json` documents of `folder`, a directory listing (`index.json`) aside.
fn documents_in(folder: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .filter(|path| path.file_name().is_some_and(|name| name != "index.json"))
        .collect();
    paths.sort();
    paths
}

#[test]
fn text_is_laid_out_as_the_formatter_lays_it_out() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = vec![root.join("../discovery/documents/dataportability.v1.json")];
    paths.extend(documents_in(&root.join("../discovery/documents/corpus")));
    paths.extend(documents_in(&root.join("tests/fixtures")));
    if let Some(folder) = std::env::var_os("LAYOUT_DOCUMENTS") {
        paths.extend(documents_in(Path::new(&folder)));
    }
    let mut mismatches = Vec::new();
    for path in &paths {
        let document = discovery::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
        let api = codegen::lower::lower(&document, &codegen::Options::default()).unwrap();
        let files = codegen::emit::emit(&api);
        for mismatch in codegen::render::layout_mismatches(&files).unwrap() {
            mismatches.push(format!("{}: {mismatch}", path.display()));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} chunks laid out otherwise than the formatter would:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
