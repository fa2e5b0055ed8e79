//! Emitting the model module: structs, open enums and newtypes for the API's schemas.

use std::collections::HashMap;

use quote::quote;

use super::docs::paragraphs;
use super::text::{self, Ty};
use super::{Chunk, RustFile, Scope, cfg_attr, file_module, ident, module_allows, rust_ty};
use crate::Error;
use crate::ir::{
    Api, EnumDef, FieldDef, ModuleDef, NewtypeDef, PageDef, StructDef, TypeDef, TypeRef, local_name,
};

/// `src/model.rs`: the module's docs and lints, a file module for each module of hoisted types
/// and each file of the model's own types, then those types themselves when they are not
/// split into files.
pub fn emit(api: &Api) -> Vec<Chunk<'_>> {
    let header = Chunk::new(move || {
        let allows = module_allows();
        let module_doc = format!(
            " The data types of the {}: one for each schema of the Discovery document. An \
             object or enum defined inline is in a module named after the type that holds it \
             (`methods` for those of methods), under a name made from its own property, so no \
             schema added to the document can change its name.",
            api.title
        );
        let modules = api
            .modules
            .iter()
            .filter(|module| !module.path.contains("::"))
            .map(|module| {
                let name = ident(&module.path);
                let cfg = api
                    .features_of(&module.path)
                    .map(|features| cfg_attr(&features));
                quote!(#cfg pub mod #name;)
            });
        let files = api.model_files.iter().map(|file| {
            let cfg = api
                .features_of(&file.module)
                .map(|features| cfg_attr(&features));
            file_module(&file.module, cfg.as_ref())
        });
        quote! {
            #![doc = #module_doc]
            #allows

            #(#modules)*
            #(#files)*
        }
    });
    let own_types = api.model_files.is_empty().then(|| {
        api.types
            .iter()
            .filter(|def| def.module().is_empty())
            .map(|def| type_chunk(api, def))
    });
    std::iter::once(header)
        .chain(own_types.into_iter().flatten())
        .collect()
}

/// A type of `model` itself, compiled only with the features that need it.
fn type_chunk<'a>(api: &'a Api, def: &'a TypeDef) -> Chunk<'a> {
    Chunk::text(api.features_of(def.name()), move |cfg| {
        let mut out = String::with_capacity(4096);
        emit_type(&mut out, 0, def, Scope::model(api), cfg);
        text::settle(out, 0)
    })
}

/// The files below `src/model/`: one for each module of hoisted types (with the modules nested
/// in it), and the files of the model's own types when the lowering split them.
pub fn files(api: &Api) -> Vec<RustFile<'_>> {
    let tree = std::sync::Arc::new(Tree::new(api));
    let top: Vec<&ModuleDef> = tree.modules_in("").to_vec();
    let module_files = top.into_iter().map(|module| {
        let tree = tree.clone();
        let doc = module_doc(module);
        RustFile {
            path: format!("src/model/{}.rs", crate::names::unraw(&module.path)),
            chunks: vec![
                Chunk::new(move || quote!(#![doc = #doc])),
                Chunk::text(None, move |_| module_items(api, &tree, module, 0)),
            ],
        }
    });
    let own_files = api.model_files.iter().map(|file| {
        let doc = format!(
            " The data types of the {}, from `{}` to `{}`; [`model`](crate::model) re-exports them.",
            api.title,
            file.types.first().map_or("", |id| api.types[*id].name()),
            file.types.last().map_or("", |id| api.types[*id].name())
        );
        // Each type names the others by their names in `model`; a file whose types name none
        // leaves the import unused.
        let header = Chunk::new(move || {
            quote! {
                #![doc = #doc]
                #[allow(unused_imports)]
                use super::*;
            }
        });
        let types = file
            .types
            .iter()
            .map(|id| type_chunk(api, &api.types[*id]));
        RustFile {
            path: format!("src/model/{}.rs", file.module),
            chunks: std::iter::once(header).chain(types).collect(),
        }
    });
    let mut files: Vec<RustFile<'_>> = module_files.collect();
    files.extend(own_files);
    files
}

/// A type's items in a module of hoisted types at `depth`, each compiled only with the features
/// that need the type. Most modules need no more than their own `#[cfg]`: a type defined inline
/// is reached only through its owner, so it needs what the owner needs.
fn emit_nested_type(
    api: &Api,
    def: &TypeDef,
    module_features: Option<&Vec<String>>,
    depth: usize,
) -> Result<String, Error> {
    let features = api.features_of(def.name());
    let cfg = (features.as_ref() != module_features)
        .then(|| features.map(|features| text::Cfg::new(&features)))
        .flatten();
    let mut out = String::with_capacity(4096);
    emit_type(&mut out, depth, def, Scope::elsewhere(api), cfg.as_ref());
    text::settle(out, depth)
}

/// A type's definition and its own impls at `indent`, each item with `cfg` after its docs; how
/// it is read and written is in `json`.
fn emit_type(
    out: &mut String,
    indent: usize,
    def: &TypeDef,
    scope: Scope<'_>,
    cfg: Option<&text::Cfg>,
) {
    let mut items = Items { out, indent, cfg };
    match def {
        TypeDef::Struct(def) => emit_struct(&mut items, def, scope),
        TypeDef::Enum(def) => emit_enum(&mut items, def),
        TypeDef::Newtype(def) => emit_newtype(&mut items, def, scope),
    }
}

/// Items being written at one indentation, each with the same `cfg`.
struct Items<'a> {
    out: &'a mut String,
    indent: usize,
    cfg: Option<&'a text::Cfg>,
}

impl Items<'_> {
    /// A line of the item, `more` levels in.
    fn line(&mut self, more: usize, line: &str) {
        text::line(self.out, self.indent + more, line);
    }

    /// The attributes after an item's docs: its `cfg`, then `#[deprecated]` when it is.
    fn attributes(&mut self, deprecated: bool) {
        if let Some(cfg) = self.cfg {
            cfg.write(self.out, self.indent);
        }
        if deprecated {
            self.line(0, "#[deprecated]");
        }
    }

    /// Opens `impl {header} for {ty} {` with its `cfg`.
    fn open_impl(&mut self, header: &str, ty: &str) {
        self.attributes(false);
        text::impl_header(self.out, self.indent, header, ty);
    }
}

/// A module of hoisted types, with the modules nested in it.
/// The model's hoisted types and modules by the module that holds them, gathered once so that
/// emitting a module does not search the whole API.
struct Tree<'a> {
    types: HashMap<&'a str, Vec<&'a TypeDef>>,
    modules: HashMap<&'a str, Vec<&'a ModuleDef>>,
}

impl<'a> Tree<'a> {
    fn new(api: &'a Api) -> Self {
        let mut tree = Tree {
            types: HashMap::new(),
            modules: HashMap::new(),
        };
        for def in &api.types {
            tree.types.entry(def.module()).or_default().push(def);
        }
        for module in &api.modules {
            let parent = module
                .path
                .rsplit_once("::")
                .map_or("", |(parent, _)| parent);
            tree.modules.entry(parent).or_default().push(module);
        }
        tree
    }

    /// The types `module` holds, in the API's order.
    fn types_in(&self, module: &str) -> &[&'a TypeDef] {
        self.types.get(module).map_or(&[], Vec::as_slice)
    }

    /// The modules directly in `module` (`""` for `model` itself), in the API's order.
    fn modules_in(&self, module: &str) -> &[&'a ModuleDef] {
        self.modules.get(module).map_or(&[], Vec::as_slice)
    }
}

/// The docs of a module of hoisted types.
fn module_doc(module: &ModuleDef) -> String {
    match &module.owner {
        // The link resolves where the module is declared, beside its owner, which is always a
        // struct: saying so keeps a name like `Hash` from meeting the derive macro.
        Some(owner) => format!(
            " The types defined inline in [`struct@{}`], named after its fields.",
            owner_link(owner)
        ),
        None => " The types defined inline in methods: enums of parameters (the standard \
                  parameters' too), and request and response bodies."
            .to_owned(),
    }
}

/// The path that links to a module's owner from inside the module: its path from the crate.
fn owner_link(owner: &str) -> String {
    format!("crate::model::{owner}")
}

/// A module of hoisted types nested in another, inline in its parent's file at `depth`.
fn emit_module(
    api: &Api,
    tree: &Tree<'_>,
    module: &ModuleDef,
    depth: usize,
) -> Result<String, Error> {
    let mut out = String::new();
    text::doc_comment(&mut out, depth, &module_doc(module));
    if let Some(features) = api.features_of(&module.path) {
        text::Cfg::new(&features).write(&mut out, depth);
    }
    text::line(
        &mut out,
        depth,
        &format!("pub mod {} {{", local_name(&module.path)),
    );
    out.push_str(&module_items(api, tree, module, depth + 1)?);
    text::line(&mut out, depth, "}");
    Ok(out)
}

/// A module's types (each with its own `cfg` where it needs other features than the module)
/// and the modules nested in it, at `depth`.
fn module_items(
    api: &Api,
    tree: &Tree<'_>,
    module: &ModuleDef,
    depth: usize,
) -> Result<String, Error> {
    let module_features = api.features_of(&module.path);
    let mut out = String::new();
    for def in tree.types_in(&module.path) {
        out.push_str(&emit_nested_type(
            api,
            def,
            module_features.as_ref(),
            depth,
        )?);
    }
    for child in tree.modules_in(&module.path) {
        out.push_str(&emit_module(api, tree, child, depth)?);
    }
    Ok(out)
}

fn emit_struct(items: &mut Items<'_>, def: &StructDef, scope: Scope<'_>) {
    let name = local_name(&def.name);
    let fallback = format!("The `{}` object.", def.origin);
    let description = if def.description.trim().is_empty() {
        fallback.as_str()
    } else {
        def.description.as_str()
    };
    text::docs(items.out, items.indent, description);
    items.attributes(def.deprecated);
    items.line(0, "#[derive(Clone, Debug, PartialEq)]");
    items.line(0, "#[non_exhaustive]");
    items.line(0, &format!("pub struct {name} {{"));
    for field in &def.fields {
        text::docs(items.out, items.indent + 1, &field_docs(field));
        if field.deprecated {
            items.line(1, "#[deprecated]");
        }
        let ty = Ty::of("::std::option::Option", vec![field_type(field, scope)]);
        let prefix = format!("pub {}: ", field.name);
        text::typed_field(items.out, items.indent + 1, &prefix, &ty);
    }
    let rest = &def.rest;
    let (rest_doc, rest_value) = match &rest.value {
        Some(value) => (
            " Entries other than the named fields (`additionalProperties`).",
            rust_ty(value, scope),
        ),
        None => (
            " Fields this crate does not know, kept so that reading and writing back loses nothing.",
            Ty::plain("::serde_json::Value"),
        ),
    };
    text::doc_comment(items.out, items.indent + 1, rest_doc);
    let rest_type = Ty::of(
        "::std::collections::BTreeMap",
        vec![Ty::plain("::std::string::String"), rest_value],
    );
    let prefix = format!("pub {}: ", rest.name);
    text::typed_field(items.out, items.indent + 1, &prefix, &rest_type);
    items.line(0, "}");
    // Written out rather than derived: a derived `Default` calls `Option::<T>::default()` for
    // each field, a function of its own for every field type in a debug build.
    items.open_impl("impl ::std::default::Default", name);
    items.line(1, "#[inline]");
    items.line(1, "fn default() -> Self {");
    items.line(2, &format!("{name} {{"));
    for field in &def.fields {
        items.line(3, &format!("{}: ::std::option::Option::None,", field.name));
    }
    items.line(
        3,
        &format!("{}: ::std::collections::BTreeMap::new(),", rest.name),
    );
    items.line(2, "}");
    items.line(1, "}");
    items.line(0, "}");
    if !def.fields.is_empty() {
        items.attributes(false);
        items.line(0, &format!("impl {name} {{"));
        for field in &def.fields {
            emit_setter(items, field, scope);
        }
        items.line(0, "}");
    }
    if let Some(page) = &def.page {
        page_impls(items, name, page, scope);
    }
}

/// `Page` (and `PageItems`, when the items are plain) for a struct a list method answers with.
fn page_impls(items: &mut Items<'_>, name: &str, page: &PageDef, scope: Scope<'_>) {
    items.open_impl("impl crate::runtime::Page", name);
    items.line(1, "#[inline]");
    items.line(
        1,
        "fn next_page_token(&self) -> ::std::option::Option<&str> {",
    );
    items.line(2, &format!("self.{}.as_deref()", page.token_field));
    items.line(1, "}");
    items.line(0, "}");
    if let Some((field, item)) = &page.items {
        let item = rust_ty(item, scope);
        items.open_impl("impl crate::runtime::PageItems", name);
        text::typed(items.out, items.indent + 1, "type Item = ", &item, ";");
        items.line(1, "#[inline]");
        let list = Ty::of("::std::vec::Vec", vec![item]);
        let head = "fn into_items";
        text::signature(items.out, items.indent + 1, head, &[("self", None)], &list);
        items.line(2, &format!("self.{field}.unwrap_or_default()"));
        items.line(1, "}");
        items.line(0, "}");
    }
}

/// The docs of a field: its description, then what the document says about its use.
fn field_docs(field: &FieldDef) -> String {
    let fallback = format!("The `{}` field.", field.wire_name);
    let description = if field.description.trim().is_empty() {
        fallback.as_str()
    } else {
        field.description.as_str()
    };
    let read_only = field
        .read_only
        .then_some("Output only: the server ignores it in requests.");
    let required_by = (!field.required_by.is_empty()).then(|| {
        let methods: Vec<String> = field
            .required_by
            .iter()
            .map(|id| format!("`{id}`"))
            .collect();
        format!("Required by {}.", methods.join(", "))
    });
    let default = field
        .default
        .as_ref()
        .map(|value| format!("Default: `{value}`."));
    paragraphs(
        [
            Some(description),
            default.as_deref(),
            read_only,
            required_by.as_deref(),
        ]
        .into_iter()
        .flatten(),
    )
}

fn field_type(field: &FieldDef, scope: Scope<'_>) -> Ty {
    let inner = rust_ty(&field.ty, scope);
    if field.boxed {
        Ty::of("::std::boxed::Box", vec![inner])
    } else {
        inner
    }
}

/// A `set_` method: takes anything convertible, and for lists and maps anything iterable.
fn emit_setter(items: &mut Items<'_>, field: &FieldDef, scope: Scope<'_>) {
    let (name, setter) = (&field.name, &field.setter);
    text::doc_comment(
        items.out,
        items.indent + 1,
        &format!(" Sets the `{}` field.", field.wire_name),
    );
    if field.deprecated {
        items.line(1, "#[deprecated]");
    }
    let into = |ty: Ty| Ty::of("::std::convert::Into", vec![ty]);
    let (body, bounds) = match &field.ty {
        TypeRef::List(item) if !field.boxed => {
            items.line(
                1,
                &format!("pub fn {setter}<I, V>(mut self, values: I) -> Self"),
            );
            let bounds = vec![
                ("I: ", Ty::plain("::std::iter::IntoIterator<Item = V>")),
                ("V: ", into(rust_ty(item, scope))),
            ];
            let list = format!("self.{name} = crate::runtime::contract::json::list");
            (
                text::call_fn(items.indent + 2, &list, &["values"], ";"),
                bounds,
            )
        }
        TypeRef::Map(value) if !field.boxed => {
            items.line(
                1,
                &format!("pub fn {setter}<I, K, V>(mut self, entries: I) -> Self"),
            );
            let bounds = vec![
                ("I: ", Ty::plain("::std::iter::IntoIterator<Item = (K, V)>")),
                ("K: ", into(Ty::plain("::std::string::String"))),
                ("V: ", into(rust_ty(value, scope))),
            ];
            let map = format!("self.{name} = crate::runtime::contract::json::map");
            (
                text::call_fn(items.indent + 2, &map, &["entries"], ";"),
                bounds,
            )
        }
        ty => {
            let value = Ty::of("impl ::std::convert::Into", vec![rust_ty(ty, scope)]);
            text::signature(
                items.out,
                items.indent + 1,
                &format!("pub fn {setter}"),
                &[("mut self", None), ("value: ", Some(&value))],
                &Ty::plain("Self"),
            );
            let value = if field.boxed {
                "::std::boxed::Box::new(value.into())"
            } else {
                "value.into()"
            };
            let some = format!("self.{name} = ::std::option::Option::Some");
            (
                text::call_fn(items.indent + 2, &some, &[value], ";"),
                Vec::new(),
            )
        }
    };
    if !bounds.is_empty() {
        items.line(1, "where");
        for (parameter, bound) in &bounds {
            text::typed_field(items.out, items.indent + 2, parameter, bound);
        }
        items.line(1, "{");
    }
    items.out.push_str(&body);
    items.line(2, "self");
    items.line(1, "}");
}

fn emit_enum(items: &mut Items<'_>, def: &EnumDef) {
    let name = local_name(&def.name);
    let unknown = &def.unknown_variant;
    let fallback = format!("The values of `{}`.", def.origin);
    let description = if def.description.trim().is_empty() {
        fallback.as_str()
    } else {
        def.description.as_str()
    };
    text::docs(
        items.out,
        items.indent,
        &paragraphs([
            description,
            "An open enum: a value this crate does not know yet arrives as the unknown-value \
             variant and is sent back unchanged.",
        ]),
    );
    items.attributes(false);
    items.line(0, "#[derive(Clone, Debug, PartialEq, Eq, Hash)]");
    items.line(0, "#[non_exhaustive]");
    items.line(0, &format!("pub enum {name} {{"));
    for variant in &def.variants {
        let fallback = format!("`{}`", variant.wire);
        let description = if variant.description.trim().is_empty() {
            fallback
        } else {
            format!(
                "{}\n\nWire value: `{}`.",
                variant.description.trim(),
                variant.wire
            )
        };
        text::docs(items.out, items.indent + 1, &description);
        if variant.deprecated {
            items.line(1, "#[deprecated]");
        }
        items.line(1, &format!("{},", variant.name));
    }
    items.line(
        1,
        "/// A value this crate does not know; it keeps the wire string.",
    );
    items.line(1, &format!("{unknown}(crate::runtime::UnknownValue),"));
    items.line(0, "}");
    items.attributes(false);
    items.line(0, &format!("impl {name} {{"));
    items.line(1, "/// The value as it is written on the wire.");
    items.line(1, "#[inline]");
    items.line(1, "pub fn as_str(&self) -> &str {");
    items.line(2, "match self {");
    for variant in &def.variants {
        let wire = text::literal(&variant.wire);
        text::arm(
            items.out,
            items.indent + 3,
            &format!("Self::{}", variant.name),
            &wire,
        );
    }
    text::arm(
        items.out,
        items.indent + 3,
        &format!("Self::{unknown}(value)"),
        "value.as_str()",
    );
    items.line(2, "}");
    items.line(1, "}");
    items.line(0, "}");
    items.open_impl("impl ::std::convert::From<&str>", name);
    items.line(1, "#[inline]");
    items.line(1, "fn from(value: &str) -> Self {");
    items.line(2, "match value {");
    for variant in &def.variants {
        let wire = text::literal(&variant.wire);
        text::arm(
            items.out,
            items.indent + 3,
            &wire,
            &format!("Self::{}", variant.name),
        );
    }
    text::arm(
        items.out,
        items.indent + 3,
        "_",
        &format!("Self::{unknown}(crate::runtime::UnknownValue::new(value))"),
    );
    items.line(2, "}");
    items.line(1, "}");
    items.line(0, "}");
    items.open_impl("impl ::std::fmt::Display", name);
    items.line(1, "#[inline]");
    items.line(
        1,
        "fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {",
    );
    items.line(2, "f.write_str(self.as_str())");
    items.line(1, "}");
    items.line(0, "}");
}

fn emit_newtype(items: &mut Items<'_>, def: &NewtypeDef, scope: Scope<'_>) {
    let name = local_name(&def.name);
    let fallback = format!("The `{}` schema.", def.origin);
    let description = if def.description.trim().is_empty() {
        fallback.as_str()
    } else {
        def.description.as_str()
    };
    text::docs(items.out, items.indent, description);
    items.attributes(false);
    items.line(0, "#[derive(Clone, Debug, PartialEq)]");
    items.line(0, &format!("pub struct {name}("));
    items.line(1, "/// The value.");
    text::typed(
        items.out,
        items.indent + 1,
        "pub ",
        &rust_ty(&def.ty, scope),
        ",",
    );
    items.line(0, ");");
}
