//! Cargo features for large APIs: one per top-level resource, so a program compiles only the
//! resources it calls and the model types their methods reach. All of them are on by default.

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{
    FeatureDef, MethodDef, ParamDef, ResourceDef, TypeDef, TypeId, TypeRef, each_method, type_ids,
};

/// An API gets features from this many methods on: below it, the whole crate builds in seconds
/// and features would only be noise in its manifest.
pub const MIN_METHODS: usize = 100;

/// Feature names the manifest has already.
const TAKEN: &[&str] = &["default", "oauth", "full"];

/// The features of an API with `resources`, and for each model type that not every build
/// needs, the features that need it. A type is always compiled (absent from the map) when the
/// hub's own methods or the standard parameters use it, when every feature reaches it, or when
/// no method does (a schema only documented).
pub fn features(
    types: &[TypeDef],
    root_methods: &[MethodDef],
    standard_params: &[ParamDef],
    resources: &[ResourceDef],
) -> (Vec<FeatureDef>, BTreeMap<String, Vec<String>>) {
    if resources.len() < 2 || each_method(root_methods, resources).count() < MIN_METHODS {
        return (Vec::new(), BTreeMap::new());
    }
    let mut always = Vec::new();
    for method in root_methods {
        method_types(method, &mut always);
    }
    for param in standard_params {
        named(&param.ty, &mut always);
    }
    let mut features = Vec::new();
    let mut names = BTreeSet::new();
    let mut reached_by: Vec<(String, BTreeSet<TypeId>)> = Vec::new();
    for resource in resources {
        let mut name = resource.accessor.trim_start_matches("r#").to_owned();
        while TAKEN.contains(&name.as_str()) || !names.insert(name.clone()) {
            name.push_str("_resource");
        }
        let mut seeds = Vec::new();
        for method in each_method(&[], std::slice::from_ref(resource)) {
            method_types(method, &mut seeds);
        }
        reached_by.push((name.clone(), closure(types, seeds)));
        features.push(FeatureDef {
            name,
            resource: resource.type_name.clone(),
        });
    }
    // A type no method reaches is always compiled, and so is everything it holds.
    always.extend(
        type_ids(types).filter(|id| !reached_by.iter().any(|(_, reached)| reached.contains(id))),
    );
    let always = closure(types, always);
    let mut needed_by: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (feature, reached) in reached_by {
        for id in reached.into_iter().filter(|id| !always.contains(id)) {
            let path = types[id].name().to_owned();
            needed_by.entry(path).or_default().push(feature.clone());
        }
    }
    needed_by.retain(|_, needing| needing.len() < features.len());
    let modules = module_features(types, &needed_by);
    needed_by.extend(modules);
    (features, needed_by)
}

/// For each module of hoisted types, the features that need it: any feature one of the types
/// below it needs (sorted), and none (always compiled) when one of those types always is.
fn module_features(
    types: &[TypeDef],
    needed_by: &BTreeMap<String, Vec<String>>,
) -> BTreeMap<String, Vec<String>> {
    // `None` once a type below the module is always compiled.
    let mut modules: BTreeMap<&str, Option<BTreeSet<&String>>> = BTreeMap::new();
    for path in types.iter().map(TypeDef::name) {
        let features = needed_by.get(path);
        let mut ancestors = path.match_indices("::").map(|(end, _)| &path[..end]);
        for module in &mut ancestors {
            let entry = modules
                .entry(module)
                .or_insert_with(|| Some(BTreeSet::new()));
            match (entry.as_mut(), features) {
                (Some(union), Some(features)) => union.extend(features),
                _ => *entry = None,
            }
        }
    }
    modules
        .into_iter()
        .filter_map(|(module, union)| {
            let union = union?;
            Some((module.to_owned(), union.into_iter().cloned().collect()))
        })
        .collect()
}

/// The model types `method` names itself: its body, its answer, its parameters' enums.
fn method_types(method: &MethodDef, out: &mut Vec<TypeId>) {
    if let Some((_, ty)) = &method.request {
        named(ty, out);
    }
    if let Some(ty) = &method.response {
        named(ty, out);
    }
    for param in method.positional.iter().chain(&method.optional) {
        named(&param.ty, out);
    }
}

/// The model type `ty` names, through lists and maps.
fn named(ty: &TypeRef, out: &mut Vec<TypeId>) {
    out.extend(ty.named());
}

/// `seeds` and every model type they reach through fields, map values and wrapped types.
fn closure(types: &[TypeDef], mut pending: Vec<TypeId>) -> BTreeSet<TypeId> {
    let mut reached = BTreeSet::new();
    while let Some(id) = pending.pop() {
        if !reached.insert(id) {
            continue;
        }
        match &types[id] {
            TypeDef::Struct(def) => {
                for field in &def.fields {
                    named(&field.ty, &mut pending);
                }
                if let Some(value) = &def.rest.value {
                    named(value, &mut pending);
                }
            }
            TypeDef::Newtype(def) => named(&def.ty, &mut pending),
            TypeDef::Enum(_) => {}
        }
    }
    reached
}
