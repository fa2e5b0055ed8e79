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
        r#""resources": {"r": {"methods": {"m": {"path": "v1/x", "httpMethod": "GET",
            "parameters": {"p": {"type": "object", "location": "query", "properties": {"a": {"type": "string"}}}}}}}}"#,
        r#"at $.resources.r.methods.m.parameters.p: unsupported parameter type: a parameter must be a string, number, boolean or enum"#,
    );
}

#[test]
fn a_document_without_name_or_root_url_is_refused() {
    let parsed = discovery::parse(r#"{"version": "v1", "rootUrl": "https://x/"}"#).unwrap();
    let error = codegen::generate(&parsed, &codegen::Options::default()).unwrap_err();
    assert_eq!(error.to_string(), "at $.name: the API has no name");
    let parsed = discovery::parse(r#"{"name": "x", "version": "v1"}"#).unwrap();
    let error = codegen::generate(&parsed, &codegen::Options::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "at $.rootUrl: the root URL must be an http(s) URL"
    );
}
