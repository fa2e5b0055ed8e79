//! Emitting the model module: structs, open enums and newtypes for the API's schemas.

use std::collections::HashMap;

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::{doc_attrs, paragraphs};
use super::{
    Chunk, RustFile, Scope, cfg_attr, file_module, gated, ident, module_allows, rust_type,
};
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
    Chunk::gated(api.features_of(def.name()), move || {
        emit_type(def, Scope::model(api))
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
                Chunk::new(move || module_items(api, &tree, module)),
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

/// A type's items in a module of hoisted types, each compiled only with the features that
/// need the type. Most modules need no more than their own `#[cfg]`: a type defined inline is
/// reached only through its owner, so it needs what the owner needs.
fn emit_nested_type(
    api: &Api,
    def: &TypeDef,
    module_features: Option<&Vec<String>>,
) -> TokenStream {
    let features = api.features_of(def.name());
    let cfg = (features.as_ref() != module_features)
        .then(|| features.map(|features| cfg_attr(&features)))
        .flatten();
    gated(emit_type(def, Scope::elsewhere(api)), cfg.as_ref())
}

/// A type's definition and its own impls; how it is read and written is in `json`.
fn emit_type(def: &TypeDef, scope: Scope<'_>) -> TokenStream {
    match def {
        TypeDef::Struct(def) => emit_struct(def, scope),
        TypeDef::Enum(def) => emit_enum(def),
        TypeDef::Newtype(def) => emit_newtype(def, scope),
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

/// A module of hoisted types nested in another, inline in its parent's file.
fn emit_module(api: &Api, tree: &Tree<'_>, module: &ModuleDef) -> TokenStream {
    let name = ident(local_name(&module.path));
    let doc = module_doc(module);
    let cfg = api
        .features_of(&module.path)
        .map(|features| cfg_attr(&features));
    let items = module_items(api, tree, module);
    quote! {
        #[doc = #doc]
        #cfg
        pub mod #name {
            #items
        }
    }
}

/// A module's types (each with its own `cfg` where it needs other features than the module)
/// and the modules nested in it.
fn module_items(api: &Api, tree: &Tree<'_>, module: &ModuleDef) -> TokenStream {
    let module_features = api.features_of(&module.path);
    let types = tree
        .types_in(&module.path)
        .iter()
        .map(|def| emit_nested_type(api, def, module_features.as_ref()));
    let children = tree
        .modules_in(&module.path)
        .iter()
        .map(|child| emit_module(api, tree, child));
    quote! {
        #(#types)*
        #(#children)*
    }
}

fn emit_struct(def: &StructDef, scope: Scope<'_>) -> TokenStream {
    let name = ident(local_name(&def.name));
    let fallback = format!("The `{}` object.", def.origin);
    let description = if def.description.trim().is_empty() {
        fallback.as_str()
    } else {
        def.description.as_str()
    };
    let docs = doc_attrs(description);
    let deprecated = def.deprecated.then(|| quote!(#[deprecated]));
    let fields = def.fields.iter().map(|field| emit_field(field, scope));
    let setters = def.fields.iter().map(|field| emit_setter(field, scope));
    let rest = &def.rest;
    let rest_name = ident(&rest.name);
    let (rest_doc, rest_value) = match &rest.value {
        Some(value) => (
            " Entries other than the named fields (`additionalProperties`).",
            rust_type(value, scope),
        ),
        None => (
            " Fields this crate does not know, kept so that reading and writing back loses nothing.",
            quote!(::serde_json::Value),
        ),
    };
    let page_impls = def.page.as_ref().map(|page| page_impls(&name, page, scope));
    let setters_impl = (!def.fields.is_empty()).then(|| {
        quote! {
            impl #name {
                #(#setters)*
            }
        }
    });
    // Written out rather than derived: a derived `Default` calls `Option::<T>::default()` for
    // each field, a function of its own for every field type in a debug build.
    let field_names = def.fields.iter().map(|field| ident(&field.name));
    quote! {
        #docs
        #deprecated
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
            #[doc = #rest_doc]
            pub #rest_name: ::std::collections::BTreeMap<::std::string::String, #rest_value>,
        }

        impl ::std::default::Default for #name {
            #[inline]
            fn default() -> Self {
                #name {
                    #(#field_names: ::std::option::Option::None,)*
                    #rest_name: ::std::collections::BTreeMap::new(),
                }
            }
        }

        #setters_impl
        #page_impls
    }
}

/// `Page` (and `PageItems`, when the items are plain) for a struct a list method answers with.
fn page_impls(name: &proc_macro2::Ident, page: &PageDef, scope: Scope<'_>) -> TokenStream {
    let token = ident(&page.token_field);
    let items = page.items.as_ref().map(|(field, item)| {
        let field = ident(field);
        let item = rust_type(item, scope);
        quote! {
            impl crate::runtime::PageItems for #name {
                type Item = #item;

                #[inline]
                fn into_items(self) -> ::std::vec::Vec<#item> {
                    self.#field.unwrap_or_default()
                }
            }
        }
    });
    quote! {
        impl crate::runtime::Page for #name {
            #[inline]
            fn next_page_token(&self) -> ::std::option::Option<&str> {
                self.#token.as_deref()
            }
        }

        #items
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

fn field_type(field: &FieldDef, scope: Scope<'_>) -> TokenStream {
    let inner = rust_type(&field.ty, scope);
    if field.boxed {
        quote!(::std::boxed::Box<#inner>)
    } else {
        inner
    }
}

fn emit_field(field: &FieldDef, scope: Scope<'_>) -> TokenStream {
    let name = ident(&field.name);
    let docs = doc_attrs(&field_docs(field));
    let deprecated = field.deprecated.then(|| quote!(#[deprecated]));
    let ty = field_type(field, scope);
    quote! {
        #docs
        #deprecated
        pub #name: ::std::option::Option<#ty>,
    }
}

/// A `set_` method: takes anything convertible, and for lists and maps anything iterable.
fn emit_setter(field: &FieldDef, scope: Scope<'_>) -> TokenStream {
    let name = ident(&field.name);
    let setter = ident(&field.setter);
    let doc = format!(" Sets the `{}` field.", field.wire_name);
    let deprecated = field.deprecated.then(|| quote!(#[deprecated]));
    let wrap = |value: TokenStream| {
        if field.boxed {
            quote!(::std::boxed::Box::new(#value))
        } else {
            value
        }
    };
    match &field.ty {
        TypeRef::List(item) if !field.boxed => {
            let item = rust_type(item, scope);
            quote! {
                #[doc = #doc]
                #deprecated
                pub fn #setter<I, V>(mut self, values: I) -> Self
                where
                    I: ::std::iter::IntoIterator<Item = V>,
                    V: ::std::convert::Into<#item>,
                {
                    self.#name = crate::runtime::contract::json::list(values);
                    self
                }
            }
        }
        TypeRef::Map(value) if !field.boxed => {
            let value = rust_type(value, scope);
            quote! {
                #[doc = #doc]
                #deprecated
                pub fn #setter<I, K, V>(mut self, entries: I) -> Self
                where
                    I: ::std::iter::IntoIterator<Item = (K, V)>,
                    K: ::std::convert::Into<::std::string::String>,
                    V: ::std::convert::Into<#value>,
                {
                    self.#name = crate::runtime::contract::json::map(entries);
                    self
                }
            }
        }
        ty => {
            let ty = rust_type(ty, scope);
            let value = wrap(quote!(value.into()));
            quote! {
                #[doc = #doc]
                #deprecated
                pub fn #setter(mut self, value: impl ::std::convert::Into<#ty>) -> Self {
                    self.#name = ::std::option::Option::Some(#value);
                    self
                }
            }
        }
    }
}

fn emit_enum(def: &EnumDef) -> TokenStream {
    let name = ident(local_name(&def.name));
    let unknown = ident(&def.unknown_variant);
    let fallback = format!("The values of `{}`.", def.origin);
    let description = if def.description.trim().is_empty() {
        fallback.as_str()
    } else {
        def.description.as_str()
    };
    let docs = doc_attrs(&paragraphs([
        description,
        "An open enum: a value this crate does not know yet arrives as the unknown-value variant \
         and is sent back unchanged.",
    ]));
    let variants = def.variants.iter().map(|variant| {
        let variant_name = ident(&variant.name);
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
        let docs = doc_attrs(&description);
        let deprecated = variant.deprecated.then(|| quote!(#[deprecated]));
        quote! {
            #docs
            #deprecated
            #variant_name,
        }
    });
    let to_wire = def.variants.iter().map(|variant| {
        let variant_name = ident(&variant.name);
        let wire = &variant.wire;
        quote!(Self::#variant_name => #wire,)
    });
    let from_wire = def.variants.iter().map(|variant| {
        let variant_name = ident(&variant.name);
        let wire = &variant.wire;
        quote!(#wire => Self::#variant_name,)
    });
    quote! {
        #docs
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value this crate does not know; it keeps the wire string.
            #unknown(crate::runtime::UnknownValue),
        }

        impl #name {
            /// The value as it is written on the wire.
            #[inline]
            pub fn as_str(&self) -> &str {
                match self {
                    #(#to_wire)*
                    Self::#unknown(value) => value.as_str(),
                }
            }
        }

        impl ::std::convert::From<&str> for #name {
            #[inline]
            fn from(value: &str) -> Self {
                match value {
                    #(#from_wire)*
                    _ => Self::#unknown(crate::runtime::UnknownValue::new(value)),
                }
            }
        }

        impl ::std::fmt::Display for #name {
            #[inline]
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    }
}

fn emit_newtype(def: &NewtypeDef, scope: Scope<'_>) -> TokenStream {
    let name = ident(local_name(&def.name));
    let fallback = format!("The `{}` schema.", def.origin);
    let description = if def.description.trim().is_empty() {
        fallback.as_str()
    } else {
        def.description.as_str()
    };
    let docs = doc_attrs(description);
    let ty = rust_type(&def.ty, scope);
    quote! {
        #docs
        #[derive(Clone, Debug, PartialEq)]
        pub struct #name(
            /// The value.
            pub #ty,
        );
    }
}
