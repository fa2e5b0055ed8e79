//! Fixture tests: one small Discovery document per naming or typing concern, its generated code
//! as an insta snapshot. `cargo xtask corpus` also compiles every fixture's crate.

use std::path::Path;

/// Generates the crate for `tests/fixtures/{name}.json` and snapshots its Rust files.
fn check(name: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap();
    let document = discovery::parse(&text).unwrap();
    let files = codegen::generate(&document, &codegen::Options::default()).unwrap();
    let mut shown = String::new();
    for file in files
        .iter()
        .filter(|file| file.path != "src/lib.rs" && file.path.ends_with(".rs"))
    {
        shown.push_str(&format!("==> {} <==\n{}\n", file.path, file.contents));
    }
    insta::assert_snapshot!(name, shown);
}

#[test]
fn keywords() {
    check("keywords");
}

#[test]
fn identifiers() {
    check("identifiers");
}

#[test]
fn std_names() {
    check("std_names");
}

/// List methods: `pages()` on each paged method, `items()` where one list field plainly holds
/// the items, `Page` and `PageItems` on the responses.
#[test]
fn pagination() {
    check("pagination");
}

/// Google's `HttpBody` as a request and as a response: raw bytes with their content type.
#[test]
fn http_body() {
    check("http_body");
}

/// Methods that take media: `upload()` and `upload_resumable()` beside `send()`, with
/// metadata or without, with a path parameter in the upload path, without a response.
#[test]
fn uploads() {
    check("uploads");
}

/// What published documents do that the format barely allows: no root URL, inline request and
/// response schemas, object-typed query parameters, property defaults, a duplicated key.
#[test]
fn lenient() {
    check("lenient");
}

/// Resources, methods and parameters named like every public runtime method and the hub's own,
/// schemas named like runtime types, and an API whose hub would be called `Client`: generated
/// names live on generated types only, so none can collide (`cargo xtask corpus` compiles it).
#[test]
fn runtime_names() {
    check("runtime_names");
}

#[test]
fn recursion() {
    check("recursion");
}

#[test]
fn maps_and_any() {
    check("maps_any");
}

#[test]
fn formats() {
    check("formats");
}

#[test]
fn enums() {
    check("enums");
}

#[test]
fn inline_objects() {
    check("inline");
}

#[test]
fn parameters() {
    check("parameters");
}

#[test]
fn generation_is_deterministic() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../discovery/documents/corpus/youtube.v3.json");
    let document = discovery::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    let first = codegen::generate(&document, &codegen::Options::default()).unwrap();
    let second = codegen::generate(&document, &codegen::Options::default()).unwrap();
    assert_eq!(first, second);
}

/// The prelude re-exports request and response types and the enums responses hold (through
/// their module, when defined inline), but never a name that would shadow the std prelude or
/// the prelude's own items in a glob import.
#[test]
fn the_prelude_never_shadows_std_or_its_own_items() {
    let check = |fixture: &str, expected: &[&str]| {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/{fixture}.json"));
        let document = discovery::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let api = codegen::lower::lower(&document, &codegen::Options::default()).unwrap();
        assert_eq!(api.prelude_types, expected, "{fixture}");
    };
    // Its one method answers with the schema called `Result`: not re-exported.
    check("std_names", &[]);
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../discovery/documents/dataportability.v1.json");
    let document = discovery::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let api = codegen::lower::lower(&document, &codegen::Options::default()).unwrap();
    for name in [
        "InitiatePortabilityArchiveRequest",
        "PortabilityArchiveState",
        "portability_archive_state",
    ] {
        assert!(api.prelude_types.iter().any(|n| n == name), "{name}");
    }
}
