//! Type ids in the IR: each names the type its schema means, after the lowering numbered the
//! types again in path order.

use std::path::Path;

use codegen::ir::{Api, TypeDef, TypeRef};

fn lower(fixture: &str) -> Api {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/{fixture}.json"));
    let document = discovery::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    codegen::lower::lower(&document, &codegen::Options::default()).unwrap()
}

/// The path of the type a struct's field names, through lists and maps.
fn field_type<'a>(api: &'a Api, owner: &str, field: &str) -> &'a str {
    let Some(TypeDef::Struct(def)) = api.types.iter().find(|def| def.name() == owner) else {
        panic!("no struct {owner}");
    };
    let field = def.fields.iter().find(|f| f.wire_name == field).unwrap();
    let id = field.ty.named().expect("the field names a model type");
    api.types[id].name()
}

#[test]
fn a_reference_names_its_schema_s_type_after_renumbering() {
    let api = lower("recursion");
    assert_eq!(field_type(&api, "A", "b"), "B");
    assert_eq!(field_type(&api, "A", "leaf"), "Leaf");
    assert_eq!(field_type(&api, "B", "a"), "A");
    assert_eq!(field_type(&api, "Tree", "children"), "Tree");
    assert_eq!(field_type(&api, "Tree", "named"), "Tree");
    // A type hoisted out of another is lowered before it, and still named by its own id.
    assert_eq!(field_type(&api, "Outer", "inner"), "outer::Inner");
    assert_eq!(field_type(&api, "outer::Inner", "outer"), "Outer");
    // An alias means its target.
    assert_eq!(field_type(&api, "Node", "parent"), "Node");
}

/// Ids are handed out as names are taken, in an order that is not the types' path order (the
/// key `B` before the key `a`, a method's inline body after every schema's inline types); every
/// reference still names its type once the types are sorted.
#[test]
fn references_survive_sorting_the_types() {
    let text = r#"{
        "kind": "discovery#restDescription", "discoveryVersion": "v1", "id": "order:v1",
        "name": "order", "version": "v1", "rootUrl": "https://order.example/", "servicePath": "",
        "schemas": {
            "B": {"id": "B", "type": "object", "properties": {"to": {"$ref": "a"}}},
            "a": {"id": "a", "type": "object", "properties": {"back": {"$ref": "B"}}},
            "Zoo": {"id": "Zoo", "type": "object", "properties": {
                "pen": {"type": "object", "properties": {"keeper": {"$ref": "a"}}}
            }}
        },
        "resources": {"things": {"methods": {"make": {
            "id": "order.things.make", "path": "v1/things", "httpMethod": "POST",
            "request": {"type": "object", "properties": {"zoo": {"$ref": "Zoo"}}},
            "response": {"$ref": "B"}
        }}}}
    }"#;
    let document = discovery::parse(text).unwrap();
    let api = codegen::lower::lower(&document, &codegen::Options::default()).unwrap();
    let names: Vec<&str> = api.types.iter().map(TypeDef::name).collect();
    assert_eq!(
        names,
        ["A", "B", "Zoo", "methods::ThingsMakeRequest", "zoo::Pen"]
    );
    assert_eq!(field_type(&api, "B", "to"), "A");
    assert_eq!(field_type(&api, "A", "back"), "B");
    assert_eq!(field_type(&api, "zoo::Pen", "keeper"), "A");
    assert_eq!(field_type(&api, "methods::ThingsMakeRequest", "zoo"), "Zoo");
    let method = api.methods().next().unwrap();
    let Some((_, request)) = &method.request else {
        panic!("the method takes a body");
    };
    assert_eq!(
        api.types[request.named().unwrap()].name(),
        "methods::ThingsMakeRequest"
    );
    assert_eq!(
        api.types[method.response.as_ref().unwrap().named().unwrap()].name(),
        "B"
    );
    let responses: Vec<&str> = api
        .responses
        .keys()
        .map(|id| api.types[*id].name())
        .collect();
    assert_eq!(responses, ["B"]);
}

#[test]
fn every_id_is_in_range_and_ids_compare_as_paths() {
    for fixture in [
        "recursion",
        "inline",
        "pagination",
        "parameters",
        "identifiers",
        "uploads",
    ] {
        let api = lower(fixture);
        let names: Vec<&str> = api.types.iter().map(TypeDef::name).collect();
        assert!(names.is_sorted(), "{fixture}: types sorted by path");
        let mut refs: Vec<&TypeRef> = Vec::new();
        for def in &api.types {
            match def {
                TypeDef::Struct(def) => {
                    refs.extend(def.fields.iter().map(|field| &field.ty));
                    refs.extend(&def.rest.value);
                    refs.extend(
                        def.page
                            .iter()
                            .flat_map(|page| page.items.iter().map(|(_, ty)| ty)),
                    );
                }
                TypeDef::Newtype(def) => refs.push(&def.ty),
                TypeDef::Enum(_) => {}
            }
        }
        for method in api.methods() {
            refs.extend(method.request.iter().map(|(_, ty)| ty));
            refs.extend(&method.response);
            refs.extend(
                method
                    .positional
                    .iter()
                    .chain(&method.optional)
                    .map(|param| &param.ty),
            );
        }
        for ty in refs {
            if let Some(id) = ty.named() {
                assert!(
                    id.index() < api.types.len(),
                    "{fixture}: {ty:?} out of range"
                );
            }
        }
        for id in api.responses.keys() {
            assert!(id.index() < api.types.len());
        }
    }
}
