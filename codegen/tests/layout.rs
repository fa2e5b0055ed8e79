//! The file layout the lowering decides for a large API (compute.v1): the model's own types and
//! every type's JSON impls in files of runs of types, in path order, each named after its
//! first type and compiled with the features its types need; and the files `emit` then writes.

use std::collections::BTreeSet;
use std::path::Path;

use codegen::ir::{Api, TypeId, type_ids};

fn compute() -> Api {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../discovery/documents/corpus/compute.v1.json");
    let document = discovery::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    codegen::lower::lower(&document, &codegen::Options::default()).unwrap()
}

/// `runs`, joined, are `expected` in order, and no run is empty.
fn assert_runs(runs: &[&Vec<TypeId>], expected: &[TypeId]) {
    assert!(runs.iter().all(|run| !run.is_empty()));
    let joined: Vec<TypeId> = runs.iter().flat_map(|run| run.iter().copied()).collect();
    assert_eq!(joined, expected);
}

#[test]
fn a_large_model_is_split_into_runs_of_types_named_after_their_first() {
    let api = compute();
    let own: Vec<TypeId> = type_ids(&api.types)
        .filter(|id| api.types[*id].module().is_empty())
        .collect();
    assert!(
        api.model_files.len() > 10,
        "{} model files",
        api.model_files.len()
    );
    assert_runs(
        &api.model_files.iter().map(|f| &f.types).collect::<Vec<_>>(),
        &own,
    );
    let every: Vec<TypeId> = type_ids(&api.types).collect();
    assert!(
        api.json_files.len() > 10,
        "{} JSON files",
        api.json_files.len()
    );
    assert_runs(
        &api.json_files.iter().map(|f| &f.types).collect::<Vec<_>>(),
        &every,
    );

    let mut modules = BTreeSet::new();
    for file in &api.json_files {
        assert!(modules.insert(file.module.clone()), "{} twice", file.module);
        // Named after its first type: `from_accelerator_config` from `AcceleratorConfig`.
        let first: String = api.types[file.types[0]]
            .name()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        let named: String = file.module["from_".len()..]
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        assert!(file.module.starts_with("from_"), "{}", file.module);
        assert_eq!(named, first.to_lowercase(), "{}", file.module);
        // A file is compiled when any of its types is: it needs no feature when one of its
        // types needs none, else the union of theirs.
        let needs: Vec<Option<&Vec<String>>> = file
            .types
            .iter()
            .map(|id| api.features_compiling(*id))
            .collect();
        match &file.features {
            None => assert!(needs.iter().any(Option::is_none), "{}", file.module),
            Some(features) => {
                let union: BTreeSet<&String> =
                    needs.iter().flatten().flat_map(|f| f.iter()).collect();
                assert_eq!(features.iter().collect::<BTreeSet<_>>(), union);
            }
        }
    }
}

#[test]
fn emit_writes_one_file_for_each_file_the_lowering_decided() {
    let api = compute();
    let paths: BTreeSet<String> = codegen::emit::emit(&api)
        .into_iter()
        .map(|file| file.path)
        .collect();
    for file in &api.model_files {
        assert!(paths.contains(&format!("src/model/{}.rs", file.module)));
    }
    for file in &api.json_files {
        assert!(paths.contains(&format!("src/json/{}.rs", file.module)));
    }
    for resource in &api.resources {
        let stem = resource.accessor.trim_start_matches("r#");
        assert!(
            paths.contains(&format!("src/resources/{stem}.rs")),
            "{stem}"
        );
    }
    assert_eq!(
        paths.len(),
        5 + api.model_files.len()
            + api.json_files.len()
            + api.resources.len()
            + api
                .modules
                .iter()
                .filter(|m| !m.path.contains("::"))
                .count(),
        "lib, model, json, resources and scopes, then one file for each file decided"
    );
}
