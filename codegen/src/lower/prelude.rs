//! Choosing what the crate's prelude re-exports besides the client: the types a caller meets
//! first, namely every method's request and response type and the enums those responses hold
//! directly (such as a job's `state`; for an enum defined inline, the module that holds it, so
//! `portability_archive_state::State`), so a glob import of the prelude is enough to write a
//! call and read its answer.

use std::collections::BTreeSet;

use crate::ir::{MethodDef, ResourceDef, TypeDef, TypeId, TypeRef, each_method, local_name};

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

/// The model paths (types and modules) the prelude re-exports, sorted. A name the prelude
/// holds already (the hub's, another's re-exported under the same name) stays in `model` only.
pub(crate) fn prelude_types(
    types: &[TypeDef],
    root_methods: &[MethodDef],
    resources: &[ResourceDef],
    hub_name: &str,
) -> Vec<String> {
    let mut chosen = BTreeSet::new();
    for method in each_method(root_methods, resources) {
        if let Some((_, TypeRef::Named(id))) = &method.request {
            chosen.insert(types[*id].name().to_owned());
        }
        if let Some(TypeRef::Named(id)) = &method.response {
            chosen.insert(types[*id].name().to_owned());
            for enum_path in enums_held_by(types, *id) {
                // An inline enum is reached through its module, whose name says what it is.
                let reexported = match enum_path.rsplit_once("::") {
                    Some((module, _)) => module.to_owned(),
                    None => enum_path,
                };
                chosen.insert(reexported);
            }
        }
    }
    let mut names = BTreeSet::new();
    chosen
        .into_iter()
        .filter(|path| {
            let name = local_name(path);
            !TAKEN.contains(&name) && name != hub_name && names.insert(name.to_owned())
        })
        .collect()
}

/// The paths of the enums among the fields of the struct `id` (directly, or as list or map
/// elements).
fn enums_held_by(types: &[TypeDef], id: TypeId) -> Vec<String> {
    let TypeDef::Struct(def) = &types[id] else {
        return Vec::new();
    };
    def.fields
        .iter()
        .filter_map(|field| match &types[field.ty.named()?] {
            TypeDef::Enum(held) => Some(held.name.clone()),
            _ => None,
        })
        .collect()
}
