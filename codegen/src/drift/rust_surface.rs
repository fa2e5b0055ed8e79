//! The Rust surface of a document: every public item the generated crate names, by path, so
//! that drift sees a renamed or removed type, field, variant, accessor or setter even when the
//! wire is unchanged.

use std::collections::BTreeSet;

use crate::ir::{Api, MediaDownload, MethodDef, Paging, ResourceDef, TypeDef};
use crate::names::unraw;

/// Public item paths of the crate generated from `document` with default options, or why it
/// would not generate.
pub fn of(document: &discovery::Document) -> Result<BTreeSet<String>, String> {
    let api = crate::lower::lower(document, &crate::Options::default())
        .map_err(|error| error.to_string())?;
    Ok(items(&api))
}

/// The public items of `api`: `model::Type`, `model::Type.field`, `model::Enum::Variant`,
/// `Hub::resource`, `Resource::method`, `Builder::setter`, `Scope::Variant`, ... Items that
/// stand for something on the wire say what after `<-` (`model::Thing.foo_bar <- fooBar`), so
/// that a name passed from one wire name to another is a removal too.
pub fn items(api: &Api) -> BTreeSet<String> {
    let mut items = BTreeSet::new();
    for def in &api.types {
        let path = format!("model::{}", def.name());
        let origin = match def {
            TypeDef::Struct(def) => {
                for field in &def.fields {
                    let wire = &field.wire_name;
                    items.insert(format!("{path}.{} <- {wire}", unraw(&field.name)));
                    items.insert(format!("{path}::{} <- {wire}", unraw(&field.setter)));
                }
                items.insert(format!("{path}.{}", def.rest.name));
                &def.origin
            }
            TypeDef::Enum(def) => {
                for variant in &def.variants {
                    let wire = &variant.wire;
                    items.insert(format!("{path}::{} <- {wire}", unraw(&variant.name)));
                }
                items.insert(format!("{path}::{}", def.unknown_variant));
                &def.origin
            }
            TypeDef::Newtype(def) => &def.origin,
        };
        items.insert(format!("{path} <- {origin}"));
    }
    for scope in &api.scopes {
        items.insert(format!("Scope::{} <- {}", scope.variant, scope.url));
    }
    for param in &api.standard_params {
        items.insert(format!(
            "StandardParameters::{} <- {}",
            unraw(&param.name),
            param.wire_name
        ));
    }
    items.insert(api.hub_name.clone());
    for method in &api.root_methods {
        method_items(&api.hub_name, method, &mut items);
    }
    for resource in &api.resources {
        resource_items(&api.hub_name, resource, &mut items);
    }
    items
}

fn resource_items(owner: &str, resource: &ResourceDef, items: &mut BTreeSet<String>) {
    let wire = &resource.wire_path;
    items.insert(format!("{owner}::{} <- {wire}", unraw(&resource.accessor)));
    items.insert(format!("{} <- {wire}", resource.type_name));
    for method in &resource.methods {
        method_items(&resource.type_name, method, items);
    }
    for child in &resource.children {
        resource_items(&resource.type_name, child, items);
    }
}

fn method_items(owner: &str, method: &MethodDef, items: &mut BTreeSet<String>) {
    let id = &method.id;
    items.insert(format!("{owner}::{} <- {id}", unraw(&method.accessor)));
    let builder = &method.builder;
    items.insert(format!("{builder} <- {id}"));
    for param in &method.optional {
        let wire = &param.wire_name;
        items.insert(format!("{builder}::{} <- {wire}", unraw(&param.name)));
    }
    let extras = [
        (method.media_download != MediaDownload::No, "download"),
        (method.paging != Paging::No, "pages"),
        (method.paging == Paging::Items, "items"),
        (method.upload.is_some(), "upload"),
        (method.upload.is_some(), "upload_resumable"),
    ];
    for (present, name) in extras {
        if present {
            items.insert(format!("{builder}::{name}"));
        }
    }
}
