//! Drift: classification of every kind of change on small fixtures, the surface of the vendored
//! document, and the reports between consecutive real revisions of dataportability.v1.

use std::path::Path;

use codegen::drift::{Report, Surface, render_surface};
use serde_json::{Value, json};

/// A small document with one of everything drift looks at.
fn base() -> Value {
    json!({
        "id": "fixture:v1", "name": "fixture", "version": "v1", "revision": "1",
        "rootUrl": "https://fixture.example.com/", "servicePath": "",
        "auth": {"oauth2": {"scopes": {"https://example.com/auth/a": {"description": "A."}}}},
        "parameters": {"fields": {"type": "string", "location": "query"}},
        "schemas": {
            "Thing": {"id": "Thing", "type": "object", "description": "A thing.", "properties": {
                "name": {"type": "string", "description": "Its name."},
                "size": {"type": "string", "format": "int64"},
                "state": {"type": "string", "enum": ["ON", "OFF"]},
                "tags": {"type": "array", "items": {"type": "string"}},
                "inner": {"type": "object", "properties": {"x": {"type": "integer", "format": "int32"}}}
            }}
        },
        "resources": {"things": {"methods": {
            "get": {"id": "fixture.things.get", "path": "v1/{+name}", "httpMethod": "GET",
                "description": "Gets a thing.",
                "parameters": {
                    "name": {"type": "string", "location": "path", "required": true, "pattern": "^things/[^/]+$"},
                    "view": {"type": "string", "location": "query", "enum": ["BASIC", "FULL"]}
                },
                "parameterOrder": ["name"], "response": {"$ref": "Thing"},
                "scopes": ["https://example.com/auth/a"]}
        }}}
    })
}

/// The report lines (without header and summary) for `base()` changed by `change`, the Rust
/// surface's lines left out unless `with_rust`.
fn report_lines(change: impl FnOnce(&mut Value), with_rust: bool) -> (Vec<String>, String) {
    let old = base();
    let mut new = base();
    change(&mut new);
    let parse = |value: &Value| discovery::parse(&value.to_string()).unwrap();
    let report = Report::new(&parse(&old), &parse(&new), false);
    let text = report.to_text();
    let lines: Vec<String> = text
        .lines()
        .filter(|line| !line.starts_with("drift:") && !line.starts_with("summary:"))
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|line| with_rust || !line.contains(" rust_"))
        .collect();
    (lines, text)
}

/// The wire changes reported for `base()` changed by `change`.
fn check(change: impl FnOnce(&mut Value), expected: &[&str]) {
    let (lines, text) = report_lines(change, false);
    assert_eq!(lines, expected, "report:\n{text}");
}

/// A schema added under the very names a flat namespace gave the inline types of another
/// (`PermissionPermissionDetails`, `PermissionRole`) moves nothing: the inline types live in
/// `model::permission`, so the report has the new schemas and no removed Rust item.
#[test]
fn new_schemas_never_rename_inline_types() {
    let load = |name: &str| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/drift/{name}"));
        discovery::parse(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    let (old, new) = (load("renaming.old.json"), load("renaming.new.json"));
    let report = Report::new(&old, &new, false);
    let text = report.to_text();
    assert_eq!(report.count(codegen::drift::Class::Breaking), 0, "{text}");
    let kinds: Vec<&str> = report.changes.iter().map(|change| change.kind).collect();
    assert_eq!(
        kinds,
        ["rust_items_added", "schema_added", "schema_added"],
        "{text}"
    );
    let surface = Surface::of(&new);
    for item in [
        "model::permission::PermissionDetails <- schemas.Permission.properties.permissionDetails.items",
        "model::permission::Role <- schemas.Permission.properties.role",
        "model::permission::permission_details::PermissionType <- schemas.Permission.properties.permissionDetails.items.properties.permissionType",
        "model::PermissionPermissionDetails <- PermissionPermissionDetails",
    ] {
        assert!(surface.rust.contains(item), "{item} in {:#?}", surface.rust);
    }
}

/// A change that leaves every old wire name in place can still move a Rust name: a property
/// `Name` added beside `name` takes the field name `name` (it sorts first), and the old field
/// becomes `name_2`. The wire change is additive; the Rust one is breaking, and said so.
#[test]
fn a_rust_rename_with_an_additive_wire_change_is_breaking() {
    let (lines, text) = report_lines(
        |doc| {
            doc["schemas"]["Thing"]["properties"]["Name"] = json!({"type": "string"});
        },
        true,
    );
    assert_eq!(
        lines,
        [
            "breaking rust_item_removed rust.model::Thing.name <- name",
            "breaking rust_item_removed rust.model::Thing::set_name <- name",
            "additive rust_items_added rust: 4 new: model::Thing.name <- Name, model::Thing.name_2 <- name, model::Thing::set_name <- Name, model::Thing::set_name_2 <- name",
            "additive field_added schemas.Thing.properties.Name: string",
        ],
        "{text}"
    );
}

fn at<'a>(value: &'a mut Value, path: &str) -> &'a mut Value {
    path.split('/').fold(value, |value, key| &mut value[key])
}

#[test]
fn identical_and_description_only_documents_have_no_wire_changes() {
    check(|_| {}, &["no wire changes"]);
    check(
        |doc| {
            doc["revision"] = json!("2");
            doc["schemas"]["Thing"]["description"] = json!("A different thing.");
            at(doc, "resources/things/methods/get")["description"] = json!("Fetches.");
            doc["auth"]["oauth2"]["scopes"]["https://example.com/auth/a"]["description"] =
                json!("Eh.");
        },
        &["no wire changes"],
    );
}

#[test]
fn descriptions_are_reported_when_asked() {
    let old = discovery::parse(&base().to_string()).unwrap();
    let mut changed = base();
    changed["revision"] = json!("2");
    changed["schemas"]["Thing"]["properties"]["name"]["description"] = json!("Another name.");
    let new = discovery::parse(&changed.to_string()).unwrap();
    let report = Report::new(&old, &new, true);
    let kinds: Vec<(&str, &str, &str)> = report
        .changes
        .iter()
        .map(|c| (c.class.as_str(), c.kind, c.path.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("docs", "revision_changed", "revision"),
            (
                "docs",
                "description_changed",
                "schemas.Thing.properties.name"
            ),
        ]
    );
    assert_eq!(report.worst(), None);
}

#[test]
fn scopes_root_and_service_path() {
    check(
        |doc| {
            doc["auth"]["oauth2"]["scopes"]["https://example.com/auth/b"] =
                json!({"description": "B."});
        },
        &["additive scope_added auth.scopes.https://example.com/auth/b"],
    );
    check(
        |doc| {
            doc["auth"]["oauth2"]["scopes"] = json!({});
            at(doc, "resources/things/methods/get")["scopes"] = json!([]);
        },
        &[
            "breaking scope_removed auth.scopes.https://example.com/auth/a",
            "breaking method_scopes_removed methods.fixture.things.get: https://example.com/auth/a",
        ],
    );
    // A scope a method still names stays a scope of the crate (and of the wire), declared or
    // not, as the generator reads the document.
    check(
        |doc| doc["auth"]["oauth2"]["scopes"] = json!({}),
        &["no wire changes"],
    );
    check(
        |doc| {
            doc["rootUrl"] = json!("https://new.example.com/");
            doc["servicePath"] = json!("api/");
        },
        &[
            r#"breaking root_url_changed rootUrl: "https://fixture.example.com/" -> "https://new.example.com/""#,
            r#"breaking service_path_changed servicePath: "" -> "api/""#,
        ],
    );
}

#[test]
fn methods() {
    check(
        |doc| {
            at(doc, "resources/things/methods")["list"] =
                json!({"id": "fixture.things.list", "path": "v1/things", "httpMethod": "GET"});
        },
        &["additive method_added methods.fixture.things.list: GET v1/things"],
    );
    check(
        |doc| doc["resources"]["things"]["methods"] = json!({}),
        &["breaking method_removed methods.fixture.things.get: GET v1/{+name}"],
    );
    // The same verb, path and types under another name: said to be a probable rename.
    check(
        |doc| {
            let methods = at(doc, "resources/things/methods");
            let mut fetch = methods["get"].take();
            fetch["id"] = json!("fixture.things.fetch");
            *methods = json!({ "fetch": fetch });
        },
        &[
            "breaking method_removed methods.fixture.things.get: GET v1/{+name}; probably renamed to fixture.things.fetch (same verb, path, body and response)",
            "additive method_added methods.fixture.things.fetch: GET v1/{+name}; probably fixture.things.get, renamed",
        ],
    );
    check(
        |doc| {
            let get = at(doc, "resources/things/methods/get");
            get["httpMethod"] = json!("POST");
            get["path"] = json!("v2/{+name}");
            get["request"] = json!({"$ref": "Thing"});
            get["response"] = Value::Null;
            get["scopes"] = json!(["https://example.com/auth/b"]);
            get["deprecated"] = json!(true);
        },
        &[
            r#"breaking method_path_changed methods.fixture.things.get: "v1/{+name}" -> "v2/{+name}""#,
            r#"breaking method_request_changed methods.fixture.things.get: "none" -> "Thing""#,
            r#"breaking method_response_changed methods.fixture.things.get: "Thing" -> "none""#,
            "breaking method_scopes_removed methods.fixture.things.get: https://example.com/auth/a",
            r#"breaking method_verb_changed methods.fixture.things.get: "GET" -> "POST""#,
            "additive scope_added auth.scopes.https://example.com/auth/b",
            "additive method_scopes_added methods.fixture.things.get: https://example.com/auth/b",
            r#"docs deprecation_changed methods.fixture.things.get: "false" -> "true""#,
        ],
    );
}

#[test]
fn media_support() {
    let get = "resources/things/methods/get";
    check(
        |doc| {
            at(doc, get)["supportsMediaDownload"] = json!(true);
            at(doc, get)["supportsMediaUpload"] = json!(true);
            at(doc, get)["mediaUpload"] = json!({"accept": ["image/*"], "maxSize": "5MB",
                "protocols": {"simple": {"multipart": true, "path": "/upload/v1/{+name}"}}});
        },
        &[
            r#"additive method_media_download_added methods.fixture.things.get: alt=media"#,
            r#"additive method_media_upload_added methods.fixture.things.get: accept image/* max 5MB simple:/upload/v1/{+name}"#,
        ],
    );
    let with_media = |doc: &mut Value| {
        at(doc, get)["supportsMediaDownload"] = json!(true);
        at(doc, get)["supportsMediaUpload"] = json!(true);
        at(doc, get)["mediaUpload"] = json!({"accept": ["image/*"], "maxSize": "5MB"});
    };
    let old = {
        let mut doc = base();
        with_media(&mut doc);
        doc
    };
    let mut new = old.clone();
    at(&mut new, get)["supportsMediaDownload"] = json!(false);
    at(&mut new, get)["mediaUpload"]["maxSize"] = json!("1MB");
    let parse = |value: &Value| discovery::parse(&value.to_string()).unwrap();
    let text = Report::new(&parse(&old), &parse(&new), false)
        .to_text()
        .lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        text.contains(
            "breaking method_media_download_removed methods.fixture.things.get: alt=media"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "breaking method_media_upload_changed methods.fixture.things.get: accept image/* max 5MB -> accept image/* max 1MB"
        ),
        "{text}"
    );
}

#[test]
fn parameters() {
    let get = "resources/things/methods/get";
    check(
        |doc| {
            at(doc, get)["parameters"]["pageSize"] =
                json!({"type": "integer", "format": "int32", "location": "query"});
            at(doc, get)["parameters"]["etag"] =
                json!({"type": "string", "location": "query", "required": true});
        },
        &[
            "breaking parameter_added methods.fixture.things.get.parameters.etag: string in query, required",
            "additive parameter_added methods.fixture.things.get.parameters.pageSize: integer(int32) in query",
        ],
    );
    check(
        |doc| {
            let params = &mut at(doc, get)["parameters"];
            params["view"]["location"] = json!("path");
            params["view"]["type"] = json!("integer");
            params["view"]["repeated"] = json!(true);
            params["view"]["required"] = json!(true);
        },
        &[
            r#"breaking parameter_location_changed methods.fixture.things.get.parameters.view: "query" -> "path""#,
            r#"breaking parameter_repeated_changed methods.fixture.things.get.parameters.view: "false" -> "true""#,
            r#"breaking parameter_required_changed methods.fixture.things.get.parameters.view: "false" -> "true""#,
            r#"breaking parameter_type_changed methods.fixture.things.get.parameters.view: "string" -> "integer""#,
        ],
    );
    check(
        |doc| at(doc, get)["parameters"]["name"]["pattern"] = json!("^things/[a-z]+$"),
        &[
            r#"breaking parameter_pattern_changed methods.fixture.things.get.parameters.name: "^things/[^/]+$" -> "^things/[a-z]+$""#,
        ],
    );
    check(
        |doc| at(doc, get)["parameters"]["name"]["pattern"] = Value::Null,
        &[
            r#"additive parameter_pattern_changed methods.fixture.things.get.parameters.name: "^things/[^/]+$" -> "none""#,
        ],
    );
    check(
        |doc| at(doc, get)["parameters"]["view"]["enum"] = json!(["BASIC", "COMPACT"]),
        &[
            "breaking enum_value_removed methods.fixture.things.get.parameters.view.enum.FULL",
            "additive enum_value_added methods.fixture.things.get.parameters.view.enum.COMPACT",
        ],
    );
    check(
        |doc| {
            at(doc, get)["parameters"]
                .as_object_mut()
                .unwrap()
                .remove("view")
                .map(drop)
                .unwrap()
        },
        &["breaking parameter_removed methods.fixture.things.get.parameters.view"],
    );
    check(
        |doc| doc["parameters"]["quotaUser"] = json!({"type": "string", "location": "query"}),
        &["additive parameter_added parameters.quotaUser: string in query"],
    );
}

#[test]
fn schemas_and_fields() {
    check(
        |doc| doc["schemas"]["Other"] = json!({"id": "Other", "type": "object", "properties": {}}),
        &["additive schema_added schemas.Other: object"],
    );
    check(
        |doc| {
            doc["schemas"]["Other"] = json!({"id": "Other", "type": "object"});
            doc["schemas"].as_object_mut().unwrap().remove("Thing");
        },
        &[
            "breaking schema_removed schemas.Thing",
            "additive schema_added schemas.Other: object",
        ],
    );
    let props = "schemas/Thing/properties";
    check(
        |doc| {
            at(doc, props)["size"]["format"] = json!("int32");
            at(doc, props)["size"]["type"] = json!("integer");
            at(doc, props)["tags"]["items"] = json!({"type": "string", "format": "byte"});
            at(doc, props)["inner"]["properties"]["y"] = json!({"type": "boolean"});
            at(doc, props)["inner"]["properties"]["x"]["readOnly"] = json!(true);
            at(doc, props)["name"]["deprecated"] = json!(true);
            at(doc, props)["created"] =
                json!({"type": "string", "format": "google-datetime", "readOnly": true});
            at(doc, props).as_object_mut().unwrap().remove("state");
        },
        &[
            r#"breaking read_only_changed schemas.Thing.properties.inner.properties.x: "false" -> "true""#,
            r#"breaking field_type_changed schemas.Thing.properties.size: "string(int64)" -> "integer(int32)""#,
            "breaking field_removed schemas.Thing.properties.state",
            r#"breaking field_type_changed schemas.Thing.properties.tags.items: "string" -> "string(byte)""#,
            "additive field_added schemas.Thing.properties.created: string(google-datetime)",
            "additive field_added schemas.Thing.properties.inner.properties.y: boolean",
            r#"docs deprecation_changed schemas.Thing.properties.name: "false" -> "true""#,
        ],
    );
    check(
        |doc| at(doc, props)["state"]["enum"] = json!(["ON", "OFF", "STANDBY"]),
        &["additive enum_value_added schemas.Thing.properties.state.enum.STANDBY"],
    );
    check(
        |doc| at(doc, props)["inner"]["additionalProperties"] = json!({"type": "string"}),
        &[
            "additive additional_properties_added schemas.Thing.properties.inner.additionalProperties: string",
        ],
    );
    check(
        |doc| at(doc, props)["inner"] = json!({"$ref": "Thing"}),
        &[
            r#"breaking field_type_changed schemas.Thing.properties.inner: "object" -> "$ref:Thing""#,
        ],
    );
}

fn documents() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../discovery/documents")
}

fn load(path: &Path) -> discovery::Document {
    discovery::parse(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn the_vendored_document_surface() {
    let document = load(&documents().join("dataportability.v1.json"));
    insta::assert_snapshot!(
        "surface_dataportability_v1",
        render_surface(&Surface::of(&document))
    );
}

#[test]
fn reports_between_consecutive_real_revisions() {
    let mut paths: Vec<_> = std::fs::read_dir(documents().join("history"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    paths.sort();
    assert_eq!(paths.len(), 26);
    let mut wire_changes = 0;
    for pair in paths.windows(2) {
        let report = Report::new(&load(&pair[0]), &load(&pair[1]), false);
        wire_changes += usize::from(report.worst().is_some());
        let name = format!("history_{}_{}", report.old.1, report.new.1);
        insta::assert_snapshot!(name, report.to_text());
    }
    // Scopes came and went, two methods and four schemas were added; most revisions changed
    // nothing on the wire.
    assert!(
        wire_changes < 15,
        "{wire_changes} of 25 pairs have wire changes"
    );
}
