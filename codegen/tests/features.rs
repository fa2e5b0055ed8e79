//! Resource features of large APIs: which APIs get them, which types each one needs, and the
//! manifest that declares them. `cargo xtask corpus` compiles the trimmed builds.

use std::path::Path;

use serde_json::{Value, json};

fn lower(document: &Value) -> codegen::ir::Api {
    let document = discovery::parse(&document.to_string()).unwrap();
    codegen::lower::lower(&document, &codegen::Options::default()).unwrap()
}

/// A method: its name, its request schema, its response schema.
type Method<'a> = (&'a str, Option<&'a str>, Option<&'a str>);

/// A document with `resources` (a name and its methods) and the schemas given, padded with
/// `filler` methods on a last resource to reach the size that gets features.
fn document(resources: &[(&str, &[Method<'_>])], schemas: Value) -> Value {
    let mut all = serde_json::Map::new();
    for (name, methods) in resources {
        let mut entries = serde_json::Map::new();
        for (method, request, response) in methods.iter() {
            let mut entry = json!({
                "id": format!("test.{name}.{method}"),
                "httpMethod": "POST",
                "path": format!("{name}/{method}"),
            });
            if let Some(request) = request {
                entry["request"] = json!({"$ref": request});
            }
            if let Some(response) = response {
                entry["response"] = json!({"$ref": response});
            }
            entries.insert(method.to_string(), entry);
        }
        all.insert(name.to_string(), json!({"methods": entries}));
    }
    let filler: serde_json::Map<String, Value> = (0..codegen::lower::MIN_FEATURE_METHODS)
        .map(|index| {
            let method = format!("m{index}");
            let entry =
                json!({"id": format!("test.filler.{method}"), "httpMethod": "GET", "path": method});
            (method, entry)
        })
        .collect();
    all.insert("filler".to_owned(), json!({"methods": filler}));
    json!({
        "name": "test",
        "version": "v1",
        "rootUrl": "https://test.example.com/",
        "servicePath": "",
        "resources": all,
        "schemas": schemas,
    })
}

fn object(properties: Value) -> Value {
    json!({"type": "object", "properties": properties})
}

#[test]
fn each_type_is_needed_by_the_resources_that_reach_it() {
    let api = lower(&document(
        &[
            ("alpha", &[("make", Some("Shared"), Some("OnlyAlpha"))]),
            ("beta", &[("make", Some("Shared"), None)]),
        ],
        json!({
            "Shared": object(json!({"inner": {"$ref": "Inner"}})),
            "Inner": object(json!({"n": {"type": "string"}})),
            "OnlyAlpha": object(json!({"kind": {"type": "string", "enum": ["A", "B"]}})),
            // Reached by no method: always compiled, and so what it holds.
            "Orphan": object(json!({"alpha": {"$ref": "OnlyAlpha"}})),
            "Lonely": object(json!({"n": {"type": "string"}})),
        }),
    ));
    let names: Vec<&str> = api.features.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["alpha", "beta", "filler"]);
    // `Shared` and `Inner` are needed by two of three features; `OnlyAlpha` would be alpha's,
    // but the orphan that holds it makes it always compiled.
    assert_eq!(api.type_features["Shared"], ["alpha", "beta"]);
    assert_eq!(api.type_features["Inner"], ["alpha", "beta"]);
    assert!(!api.type_features.contains_key("OnlyAlpha"));
    assert!(!api.type_features.contains_key("Orphan"));
    assert!(!api.type_features.contains_key("Lonely"));
}

#[test]
fn an_inline_enum_follows_its_owner_and_the_manifest_declares_every_feature() {
    let doc = document(
        &[
            ("alpha", &[("make", None, Some("OnlyAlpha"))]),
            ("default", &[("make", None, None)]),
        ],
        json!({
            "OnlyAlpha": object(json!({"kind": {"type": "string", "enum": ["A", "B"]}})),
        }),
    );
    let api = lower(&doc);
    assert_eq!(api.type_features["OnlyAlpha"], ["alpha"]);
    assert_eq!(api.type_features["only_alpha::Kind"], ["alpha"]);
    // A resource named like a feature the manifest has already gets another name.
    assert_eq!(api.features[1].name, "default_resource");

    let document = discovery::parse(&doc.to_string()).unwrap();
    let files = codegen::generate(&document, &codegen::Options::default()).unwrap();
    let text = |path: &str| {
        files
            .iter()
            .find(|file| file.path == path)
            .map(|file| file.contents.clone())
            .unwrap()
    };
    let manifest = text("Cargo.toml");
    assert!(
        manifest.contains(r#"default = ["oauth", "full"]"#),
        "{manifest}"
    );
    assert!(
        manifest
            .contains("full = [\n    \"alpha\",\n    \"default_resource\",\n    \"filler\",\n]"),
        "{manifest}"
    );
    assert!(manifest.contains("\nalpha = []\n"), "{manifest}");
    let model = text("src/model.rs");
    assert!(
        model.contains("#[cfg(feature = \"alpha\")]\n#[derive(Clone, Debug, PartialEq)]\n#[non_exhaustive]\npub struct OnlyAlpha"),
        "{model}"
    );
    assert!(
        model.contains("#[cfg(feature = \"alpha\")]\nimpl ::std::default::Default for OnlyAlpha"),
        "{model}"
    );
    assert!(
        model.contains("#[cfg(feature = \"alpha\")]\npub mod only_alpha"),
        "{model}"
    );
    let resources = text("src/resources.rs");
    assert!(
        resources.contains("    #[cfg(feature = \"alpha\")]\n    pub fn alpha(&self)"),
        "{resources}"
    );
}

#[test]
fn small_apis_have_no_features() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../discovery/documents/dataportability.v1.json");
    let document = discovery::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    let api = codegen::lower::lower(&document, &codegen::Options::default()).unwrap();
    assert!(api.features.is_empty());
    assert!(api.type_features.is_empty());
}

#[test]
fn compute_gets_one_feature_per_top_level_resource() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../discovery/documents/corpus/compute.v1.json");
    let document = discovery::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    let api = codegen::lower::lower(&document, &codegen::Options::default()).unwrap();
    assert_eq!(api.features.len(), api.resources.len());
    let instance = &api.type_features["Instance"];
    assert!(
        instance.iter().any(|feature| feature == "instances"),
        "{instance:?}"
    );
    assert!(
        !instance.iter().any(|feature| feature == "zones"),
        "{instance:?}"
    );
    // Far fewer types than the API has are needed to call instances alone.
    let needed = api
        .types
        .iter()
        .filter(|def| {
            api.type_features
                .get(def.name())
                .is_none_or(|features| features.iter().any(|feature| feature == "instances"))
        })
        .count();
    assert!(
        needed * 3 < api.types.len(),
        "{needed} of {}",
        api.types.len()
    );
}

/// A resource whose feature is off still has an accessor, deprecated with a note naming the
/// feature, so that the compiler's message says what to turn on; its docs say it needs it.
#[test]
fn a_resource_whose_feature_is_off_says_which_feature_to_turn_on() {
    let doc = document(&[("alpha", &[("make", None, None)])], json!({}));
    let document = discovery::parse(&doc.to_string()).unwrap();
    let files = codegen::generate(&document, &codegen::Options::default()).unwrap();
    let resources = &files
        .iter()
        .find(|file| file.path == "src/resources.rs")
        .unwrap()
        .contents;
    // The resource's file is compiled only with its feature.
    assert!(resources.contains("#[cfg(feature = \"alpha\")]\nmod alpha;\n"));
    assert!(resources.contains("#[cfg(feature = \"alpha\")]\npub use alpha::*;\n"));
    let docs = resources.find("Needs the Cargo feature `alpha`").unwrap();
    let on = docs
        + resources[docs..]
            .find("#[cfg(feature = \"alpha\")]")
            .unwrap();
    assert!(
        resources[on..on + 120].contains("pub fn alpha("),
        "{}",
        &resources[on..]
    );
    let off = resources.find("#[cfg(not(feature = \"alpha\"))]").unwrap();
    assert!(
        resources[off..].contains(
            "the `alpha` resource needs the Cargo feature `alpha` of google-test-v1, which is off"
        ),
        "{}",
        &resources[off..off + 600]
    );
    assert!(resources[off..].contains("-> crate::runtime::FeatureOff {"));
}
