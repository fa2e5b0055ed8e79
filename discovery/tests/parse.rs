//! Parsing: every vendored document parses, unknown fields survive, and errors name the JSON path.

use std::path::Path;

fn documents_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/documents"))
}

#[test]
fn every_vendored_document_parses() {
    let mut count = 0;
    for folder in ["", "history", "corpus"] {
        for entry in std::fs::read_dir(documents_dir().join(folder)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                let text = std::fs::read_to_string(&path).unwrap();
                let document =
                    discovery::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                assert!(!document.name.is_empty(), "{}", path.display());
                count += 1;
            }
        }
    }
    assert_eq!(count, 1 + 26 + 15);
}

#[test]
fn data_portability_has_its_methods_and_scopes() {
    let text = std::fs::read_to_string(documents_dir().join("dataportability.v1.json")).unwrap();
    let document = discovery::parse(&text).unwrap();
    assert_eq!(document.id.as_deref(), Some("dataportability:v1"));
    assert!(document.fully_encode_reserved_expansion);
    assert_eq!(document.schemas.len(), 11);
    assert_eq!(document.auth.unwrap().oauth2.unwrap().scopes.len(), 73);
    let retry = &document.resources["archiveJobs"].methods["retry"];
    assert_eq!(retry.path, "v1/{+name}:retry");
    assert_eq!(retry.parameter_order, ["name"]);
    assert_eq!(
        retry.request.as_ref().unwrap().reference.as_deref(),
        Some("RetryPortabilityArchiveRequest")
    );
    // `version_module` is not part of the model, so it is kept in `extra`.
    assert_eq!(
        document.extra["version_module"],
        serde_json::Value::Bool(true)
    );
}

/// Parses `json` and checks the error's rendered form.
fn check_error(json: &str, expected: &str) {
    let error = discovery::parse(json).expect_err(json);
    assert_eq!(error.to_string(), expected, "input: {json}");
}

#[test]
fn errors_name_the_json_path() {
    check_error(
        r#"{"name": "x", "version": "v1", "schemas": {"A": {"properties": {"b": {"type": 7}}}}}"#,
        "at $.schemas.A.properties.b.type (line 1, column 79): invalid type: integer `7`, expected a string",
    );
    check_error(
        r#"{"parameters": {"$.xgafv": {"repeated": "yes"}}}"#,
        r#"at $.parameters["$.xgafv"].repeated (line 1, column 45): invalid type: string "yes", expected a boolean"#,
    );
    check_error(
        r#"{"resources": {"a": {"methods": {"m": {"parameterOrder": ["x", 1]}}}}}"#,
        "at $.resources.a.methods.m.parameterOrder[1] (line 1, column 64): invalid type: integer `1`, expected a string",
    );
    check_error(
        r#"{"name": "x", "schemas": {"A": {"#,
        "at $.schemas.A (line 1, column 32): EOF while parsing an object",
    );
    check_error(
        r#"{"name": "x"} trailing"#,
        "at $ (line 1, column 15): trailing characters",
    );
    check_error(
        "[]",
        "at $ (line 1, column 0): invalid type: sequence, expected struct Document",
    );
}

#[test]
fn unknown_fields_are_kept() {
    let document = discovery::parse(
        r#"{"name": "x", "futureFeature": {"a": 1}, "schemas": {"A": {"x-new": true}}}"#,
    )
    .unwrap();
    assert_eq!(document.extra["futureFeature"]["a"], 1);
    assert_eq!(document.schemas["A"].extra["x-new"], true);
}

#[test]
fn a_key_given_twice_keeps_its_last_value() {
    let text = r#"{"name": "first", "version": "v1", "name": "second",
        "schemas": {"A": {"type": "string", "type": "object"}}}"#;
    let document = discovery::parse(text).unwrap();
    assert_eq!(document.name, "second");
    assert_eq!(document.schemas["A"].type_.as_deref(), Some("object"));
    // The model's own errors still name their path when read that way.
    let error = discovery::parse(r#"{"name": "x", "name": 7, "version": "v1"}"#).unwrap_err();
    assert_eq!(error.path, "$.name", "{error}");
}
