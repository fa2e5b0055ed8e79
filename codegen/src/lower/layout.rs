//! Where the model's types are written: `model.rs` for most APIs; for a large one, files of
//! about the same size below `model/`, so that no generated file is too large to read. Their
//! JSON impls likewise: `json.rs`, or files of about the same size below `json/`.

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{JsonFile, ModelFile, ModuleDef, TypeDef, TypeId, effective_features, type_ids};

/// The estimated source size of the model's own types (not counting modules of hoisted types,
/// which have files of their own) above which they are split into files.
const FILE_BUDGET: usize = 400_000;

/// The files the types of `model` itself go to, in order; empty when they fit in `model.rs`.
/// Types are taken in order (by name) and a file is closed when its estimate reaches the
/// budget, so each file holds a run of names.
pub fn model_files(types: &[TypeDef], modules: &[ModuleDef]) -> Vec<ModelFile> {
    let own: Vec<(TypeId, &TypeDef)> = type_ids(types)
        .zip(types)
        .filter(|(_, def)| def.module().is_empty())
        .collect();
    let total: usize = own.iter().map(|(_, def)| estimate(def)).sum();
    if total <= FILE_BUDGET {
        return Vec::new();
    }
    let mut taken: BTreeSet<String> = modules.iter().map(|module| module.path.clone()).collect();
    let mut files: Vec<ModelFile> = Vec::new();
    let mut size = 0;
    for (id, def) in own {
        if files.is_empty() || size >= FILE_BUDGET {
            let first = crate::names::value_name(crate::ir::local_name(def.name()));
            let module = free_name(&format!("types_{}", crate::names::unraw(&first)), &taken);
            taken.insert(module.clone());
            files.push(ModelFile {
                module,
                types: Vec::new(),
            });
            size = 0;
        }
        size += estimate(def);
        files.last_mut().expect("a file is open").types.push(id);
    }
    files
}

/// For each file whose types all need some feature, the features any of them needs (sorted):
/// the file's module is compiled only with those. `type_features` is the lowering's map of what
/// each type needs (a type absent from it is always compiled).
pub fn file_features(
    files: &[ModelFile],
    types: &[TypeDef],
    type_features: &BTreeMap<String, Vec<String>>,
) -> BTreeMap<String, Vec<String>> {
    files
        .iter()
        .filter_map(|file| {
            let features = run_features(&file.types, types, type_features)?;
            Some((file.module.clone(), features))
        })
        .collect()
}

/// The features a file of the types `run` needs: `None` (always compiled) when one of them is
/// always compiled, else every feature any of them needs, sorted. A hoisted type needs what its
/// module needs.
fn run_features(
    run: &[TypeId],
    types: &[TypeDef],
    type_features: &BTreeMap<String, Vec<String>>,
) -> Option<Vec<String>> {
    let mut union = BTreeSet::new();
    for id in run {
        union.extend(effective_features(types[*id].name(), type_features)?);
    }
    Some(union.into_iter().cloned().collect())
}

/// The estimated source size of the JSON impls above which they are split into files.
const JSON_BUDGET: usize = 300_000;

/// The files the JSON impls of every model type go to, in the model's order; empty when they
/// fit in `json.rs`. A file is a run of types (the hoisted ones too) closed when its estimate
/// reaches the budget, named after its first type, and compiled with the features its types
/// need ([`run_features`]).
pub fn json_files(
    types: &[TypeDef],
    type_features: &BTreeMap<String, Vec<String>>,
) -> Vec<JsonFile> {
    let total: usize = types.iter().map(json_estimate).sum();
    if total <= JSON_BUDGET {
        return Vec::new();
    }
    let mut runs: Vec<Vec<TypeId>> = Vec::new();
    let mut size = 0;
    for (id, def) in type_ids(types).zip(types) {
        if runs.is_empty() || size >= JSON_BUDGET {
            runs.push(Vec::new());
            size = 0;
        }
        size += json_estimate(def);
        runs.last_mut().expect("a run is open").push(id);
    }
    let mut taken = BTreeSet::new();
    runs.into_iter()
        .map(|run| {
            let first = crate::names::value_name(&types[run[0]].name().replace("::", " "));
            let module = free_name(&format!("from_{}", crate::names::unraw(&first)), &taken);
            taken.insert(module.clone());
            JsonFile {
                module,
                features: run_features(&run, types, type_features),
                types: run,
            }
        })
        .collect()
}

/// `wanted`, or `wanted` followed by as many `_` as make it a name no module has.
fn free_name(wanted: &str, taken: &BTreeSet<String>) -> String {
    let mut name = wanted.to_owned();
    while taken.contains(&name) {
        name.push('_');
    }
    name
}

/// About how many bytes of source a type's JSON impls take: a share for the type and one for
/// each field (reading and writing it).
fn json_estimate(def: &TypeDef) -> usize {
    match def {
        TypeDef::Struct(def) => 2_500 + 120 * def.fields.len(),
        TypeDef::Enum(_) => 1_300,
        TypeDef::Newtype(_) => 1_200,
    }
}

/// About how many bytes of source a type's definition and impls take: its docs, and a share
/// for each field or variant (declaration, setter, reading and writing).
fn estimate(def: &TypeDef) -> usize {
    match def {
        TypeDef::Struct(def) => {
            2_000
                + def.description.len()
                + def
                    .fields
                    .iter()
                    .map(|field| 2 * field.description.len() + 400)
                    .sum::<usize>()
        }
        TypeDef::Enum(def) => {
            1_500
                + def.description.len()
                + def
                    .variants
                    .iter()
                    .map(|variant| variant.description.len() + 150)
                    .sum::<usize>()
        }
        TypeDef::Newtype(def) => 800 + def.description.len(),
    }
}
