//! Documents the generator cannot turn into code get an error naming the JSON path, never a panic.

/// A minimal valid document with `extra` merged into its root.
fn document(extra: &str) -> String {
    format!(r#"{{"name": "x", "version": "v1", "rootUrl": "https://x.example.com/", {extra}}}"#)
}

fn check(extra: &str, expected: &str) {
    let text = document(extra);
    let parsed = discovery::parse(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
    let error = codegen::generate(&parsed, &codegen::Options::default()).expect_err(&text);
    assert_eq!(error.to_string(), expected, "document: {text}");
}

#[test]
fn bad_documents_name_the_json_path() {
    check(
        r#""schemas": {"A": {"type": "object", "properties": {"b": {"$ref": "Missing"}}}}"#,
        r#"at $.schemas.A.properties.b["$ref"]: `$ref` names schema "Missing", which the document does not define"#,
    );
    check(
        r#""schemas": {"A": {"type": "object", "properties": {"b": {"type": "null"}}}}"#,
        r#"at $.schemas.A.properties.b.type: unsupported type "null": expected object, array, string, integer, number, boolean or any"#,
    );
    check(
        r#""schemas": {"A": {"$ref": "B"}, "B": {"$ref": "A"}}"#,
        r#"at $.schemas.A["$ref"]: this chain of `$ref`s never reaches a schema with a type"#,
    );
    check(
        r#""resources": {"r": {"methods": {"m": {"path": "v1/{name}", "httpMethod": "GET",
            "parameters": {"name": {"type": "string", "location": "path", "required": true}},
            "parameterOrder": ["name", "nmae"]}}}}"#,
        r#"at $.resources.r.methods.m.parameterOrder[1]: `parameterOrder` names "nmae", which is not one of the method's parameters"#,
    );
    check(
        r#""resources": {"r": {"methods": {"m": {"path": "v1/{other}", "httpMethod": "GET"}}}}"#,
        r#"at $.resources.r.methods.m.path: path template "v1/{other}": {other} is not a path parameter of the method"#,
    );
    check(
        r#""resources": {"r": {"methods": {"m": {"path": "v1/{name", "httpMethod": "GET"}}}}"#,
        r#"at $.resources.r.methods.m.path: path template "v1/{name" has an unclosed '{'"#,
    );
    check(
        r#""resources": {"r": {"methods": {"m": {"path": "v1/x", "httpMethod": "GET",
            "apiVersion": "2026-11-01\r\nx-injected: 1"}}}}"#,
        r#"at $.resources.r.methods.m.apiVersion: "2026-11-01\r\nx-injected: 1" cannot be sent as a header value: printable ASCII only"#,
    );
    check(
        r#""resources": {"r": {"methods": {"m": {"path": "v1/x", "httpMethod": "FETCH"}}}}"#,
        r#"at $.resources.r.methods.m.httpMethod: unsupported HTTP method "FETCH""#,
    );
    check(
        r#""resources": {"r": {"methods": {"m": {"path": "v1/x", "httpMethod": "POST", "request": {"$ref": "Nope"}}}}}"#,
        r#"at $.resources.r.methods.m.request["$ref"]: `$ref` names schema "Nope", which the document does not define"#,
    );
    check(
        r#""resources": {"r": {"methods": {"m": {"path": "v1/x", "httpMethod": "GET",
            "parameters": {"p": {"type": "string", "location": "header"}}}}}}"#,
        r#"at $.resources.r.methods.m.parameters.p.location: unsupported parameter location "header""#,
    );
    check(
        r#""resources": {"r": {"methods": {"m": {"path": "v1/{p}", "httpMethod": "GET",
            "parameters": {"p": {"type": "object", "location": "path", "required": true, "properties": {"a": {"type": "string"}}}}}}}}"#,
        r#"at $.resources.r.methods.m.parameters.p: unsupported path parameter type: a path parameter must be a string, number, boolean or enum"#,
    );
}

#[test]
fn a_document_without_a_name_is_refused_and_one_without_a_root_url_is_not() {
    let parsed = discovery::parse(r#"{"version": "v1", "rootUrl": "https://x/"}"#).unwrap();
    let error = codegen::generate(&parsed, &codegen::Options::default()).unwrap_err();
    assert_eq!(error.to_string(), "at $.name: the API has no name");
    // As Google's generators do: the crate then needs a root URL from its caller.
    let parsed = discovery::parse(r#"{"name": "x", "version": "v1"}"#).unwrap();
    let api = codegen::lower::lower(&parsed, &codegen::Options::default()).unwrap();
    assert_eq!(api.root_url, "");
    let parsed =
        discovery::parse(r#"{"name": "x", "version": "v1", "rootUrl": "ftp://x/"}"#).unwrap();
    let error = codegen::generate(&parsed, &codegen::Options::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "at $.rootUrl: the root URL must be an http(s) URL"
    );
}

/// Schemas that are only `$ref`s to the next one, thousands deep, all resolve to the real one
/// (each alias is followed once; `cargo xtask bench`-style timing lives outside the tests).
#[test]
fn long_alias_chains_resolve() {
    let count = 8000;
    let mut schemas: Vec<String> = (0..count)
        .map(|index| format!(r#""A{index}": {{"$ref": "A{}"}}"#, index + 1))
        .collect();
    schemas.push(format!(
        r#""A{count}": {{"type": "object", "properties": {{"x": {{"type": "string"}}}}}}"#
    ));
    let text = document(&format!(
        r#""schemas": {{{}}}, "resources": {{"r": {{"methods": {{"m": {{"path": "v1/m", "httpMethod": "GET", "response": {{"$ref": "A0"}}}}}}}}}}"#,
        schemas.join(", ")
    ));
    let parsed = discovery::parse(&text).unwrap();
    let api = codegen::lower::lower(&parsed, &codegen::Options::default()).unwrap();
    let Some(codegen::ir::TypeRef::Named(response)) = api.resources[0].methods[0].response else {
        panic!("the method answers with a model type");
    };
    assert_eq!(api.types[response].name(), format!("A{count}"));
}

/// Types nested deeper than the compiler's default drop-check limit get a crate-wide
/// `recursion_limit` (boxing does not shorten the drop check's walk); shallow ones do not.
/// `cargo xtask corpus` compiles the deep fixture.
#[test]
fn deep_nesting_raises_the_recursion_limit() {
    let fixture = |name: &str| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("tests/fixtures/{name}.json"));
        discovery::parse(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    let deep = codegen::lower::lower(&fixture("deep_chain"), &codegen::Options::default()).unwrap();
    assert_eq!(deep.recursion_limit, Some(1024));
    let files = codegen::generate(&fixture("deep_chain"), &codegen::Options::default()).unwrap();
    let lib = files.iter().find(|file| file.path == "src/lib.rs").unwrap();
    assert!(lib.contents.contains("#![recursion_limit = \"1024\"]"));
    let shallow =
        codegen::lower::lower(&fixture("recursion"), &codegen::Options::default()).unwrap();
    assert_eq!(shallow.recursion_limit, None);
}

/// What fuzzing found, each written as code that compiles or refused with a JSON path:
/// bidirectional controls and line breaks escaped wherever document text lands, one-letter
/// names de-duplicated as type names, resources without methods left out, nested maps counted
/// for the recursion limit, and sizes that cannot be read refused. `cargo xtask corpus`
/// compiles and documents the fixture without a warning.
#[test]
fn hostile_text_and_names_become_code_that_compiles() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile.json");
    let document = discovery::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    let files = codegen::generate(&document, &codegen::Options::default()).unwrap();
    let bidi = [
        '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
        '\u{2068}', '\u{2069}',
    ];
    for file in files.iter().filter(|file| file.path.ends_with(".rs")) {
        assert!(
            !file.contents.contains(bidi),
            "{} holds a bidi control",
            file.path
        );
        assert!(
            file.contents.starts_with(
                "// @generated by `cargo xtask regen` from hostile:v1 revision \
                 2026\\u{000A}line\\u{202E}break. Do not edit.\n"
            ),
            "{}",
            file.path
        );
    }
    let text = |path: &str| {
        files
            .iter()
            .find(|file| file.path == path)
            .map(|file| file.contents.as_str())
            .unwrap()
    };
    assert!(text("src/model.rs").contains("Reads \\u{202E}backwards\\u{202C}."));
    assert!(text("src/model.rs").contains("pub struct A2 {"));
    assert!(!text("src/model.rs").contains("A_2"));
    // The resources module and the files of its resources, together.
    let resources: String = files
        .iter()
        .filter(|file| file.path.starts_with("src/resources"))
        .map(|file| file.contents.as_str())
        .collect();
    assert!(!resources.contains("EmptyResource"));
    assert!(text("src/lib.rs").contains("#![recursion_limit = \"1024\"]"));
    assert!(resources.contains("max_size: ::std::option::Option::Some(1572864u64)"));
}

#[test]
fn sizes_and_nesting_past_reason_are_refused() {
    check(
        r#""resources": {"r": {"methods": {"m": {"path": "v1/x", "httpMethod": "POST",
            "supportsMediaUpload": true, "mediaUpload": {"accept": ["*/*"], "maxSize": "-1",
            "protocols": {"simple": {"multipart": true, "path": "/upload/v1/x"}}}}}}}"#,
        r#"at $.resources.r.methods.m.mediaUpload.maxSize: maxSize "-1" is not a size such as 1073741824, 10MB or 1.5GB; an unreadable limit is refused rather than taken for none"#,
    );
    let mut deep = r#"{"type": "string"}"#.to_owned();
    for _ in 0..101 {
        deep = format!(r#"{{"type": "array", "items": {deep}}}"#);
    }
    let text = document(&format!(
        r#""schemas": {{"A": {{"type": "object", "properties": {{"b": {deep}}}}}}}"#
    ));
    let parsed = discovery::parse(&text).unwrap();
    let error = codegen::generate(&parsed, &codegen::Options::default()).unwrap_err();
    assert!(
        error
            .to_string()
            .ends_with("lists and maps nest 101 deep here; the generator takes at most 100"),
        "{error}"
    );
}

/// A type that holds itself through many maps: the compiler's drop check walks the maps once
/// before it meets the cycle, so they count toward the recursion limit (found by compiling
/// fuzzed documents).
#[test]
fn a_cycle_through_deep_maps_raises_the_recursion_limit() {
    let mut inner = r#"{"$ref": "Loop"}"#.to_owned();
    for _ in 0..60 {
        inner = format!(r#"{{"type": "object", "additionalProperties": {inner}}}"#);
    }
    let text = document(&format!(r#""schemas": {{"Loop": {inner}}}"#));
    let parsed = discovery::parse(&text).unwrap();
    let api = codegen::lower::lower(&parsed, &codegen::Options::default()).unwrap();
    assert_eq!(api.recursion_limit, Some(1024));
}
