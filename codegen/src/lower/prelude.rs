//! Choosing what the crate's prelude re-exports besides the client: the types a caller meets
//! first, namely every method's request and response type and the enums those responses hold
//! directly (such as a job's `state`), so a glob import of the prelude is enough to write a call
//! and read its answer.

use std::collections::BTreeSet;

use crate::ir::{MethodDef, ResourceDef, TypeDef, TypeRef};

/// Names the prelude must not re-export: the std prelude's (a glob import of ours would shadow
/// them in the caller's module) and the prelude's own items.
const TAKEN: &[&str] = &[
    // The prelude's own items.
    "CallBuilder",
    "Client",
    "Error",
    "Scope",
    "StandardParameters",
    // The std prelude (2024 edition), types, traits and variants.
    "AsMut",
    "AsRef",
    "Box",
    "Clone",
    "Copy",
    "Default",
    "DoubleEndedIterator",
    "Drop",
    "Eq",
    "Err",
    "ExactSizeIterator",
    "Extend",
    "Fn",
    "FnMut",
    "FnOnce",
    "From",
    "FromIterator",
    "Future",
    "Into",
    "IntoFuture",
    "IntoIterator",
    "Iterator",
    "None",
    "Ok",
    "Option",
    "Ord",
    "PartialEq",
    "PartialOrd",
    "Result",
    "Send",
    "Sized",
    "Some",
    "String",
    "Sync",
    "ToOwned",
    "ToString",
    "TryFrom",
    "TryInto",
    "Unpin",
    "Vec",
];

/// The model type names the prelude re-exports, sorted. A model type named like the hub, which
/// the prelude holds too, stays in `model` only.
pub(crate) fn prelude_types(
    types: &[TypeDef],
    root_methods: &[MethodDef],
    resources: &[ResourceDef],
    hub_name: &str,
) -> Vec<String> {
    let mut chosen = BTreeSet::new();
    let mut visit = |method: &MethodDef| {
        if let Some((_, TypeRef::Named(name))) = &method.request {
            chosen.insert(name.clone());
        }
        if let Some(TypeRef::Named(name)) = &method.response {
            chosen.insert(name.clone());
            for enum_name in enums_held_by(types, name) {
                chosen.insert(enum_name);
            }
        }
    };
    root_methods.iter().for_each(&mut visit);
    let mut pending: Vec<&ResourceDef> = resources.iter().collect();
    while let Some(resource) = pending.pop() {
        resource.methods.iter().for_each(&mut visit);
        pending.extend(&resource.children);
    }
    chosen
        .into_iter()
        .filter(|name| !TAKEN.contains(&name.as_str()) && name != hub_name)
        .collect()
}

/// The enums among the fields of the struct `name` (directly, or as list or map elements).
fn enums_held_by(types: &[TypeDef], name: &str) -> Vec<String> {
    let is_enum = |candidate: &str| {
        types
            .iter()
            .any(|ty| matches!(ty, TypeDef::Enum(def) if def.name == candidate))
    };
    let Some(TypeDef::Struct(def)) = types.iter().find(|ty| ty.name() == name) else {
        return Vec::new();
    };
    def.fields
        .iter()
        .filter_map(|field| {
            let mut ty = &field.ty;
            while let TypeRef::List(inner) | TypeRef::Map(inner) = ty {
                ty = inner;
            }
            match ty {
                TypeRef::Named(inner) if is_enum(inner) => Some(inner.clone()),
                _ => None,
            }
        })
        .collect()
}
