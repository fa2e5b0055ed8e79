//! Emitting: the IR becomes token streams and laid-out text, chunks of each generated Rust
//! file. A pure function of the IR: every decision was made in `lower`.

mod builders;
mod crate_root;
pub(crate) mod docs;
pub(crate) mod example;
mod json;
mod map;
mod model;
mod paths;
mod resources;
mod scopes;
pub mod text;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::ir::{Api, Scalar, TypeDef, TypeRef};

/// A piece of a generated file, made on demand. Token streams cannot cross threads, so the
/// renderer calls `make` on its worker threads; it returns whole items (the first chunk of a
/// file also carries the file's inner attributes).
pub struct Chunk<'a> {
    /// Makes the chunk's items.
    pub make: Make<'a>,
    /// The features each of its items is compiled with; `None` for always. The renderer adds
    /// the `#[cfg]` to the items it parses anyway, so gating costs no second parse.
    pub features: Option<Vec<String>>,
}

/// How a chunk is made: as tokens, which the renderer parses and formats, or as text already
/// laid out (see [`text`]).
pub enum Make<'a> {
    /// Items as tokens.
    Tokens(Box<dyn Fn() -> TokenStream + Send + Sync + 'a>),
    /// Items as formatted text, laid out already (see [`text::settle`]), given the `#[cfg]`
    /// each item carries after its docs.
    Text(Box<MakeText<'a>>),
}

/// Makes a chunk's items as laid-out text, given the `#[cfg]` each item carries.
pub type MakeText<'a> =
    dyn Fn(Option<&text::Cfg>) -> Result<String, crate::Error> + Send + Sync + 'a;

impl<'a> Chunk<'a> {
    /// A chunk that is always compiled.
    pub fn new(make: impl Fn() -> TokenStream + Send + Sync + 'a) -> Self {
        Chunk {
            make: Make::Tokens(Box::new(make)),
            features: None,
        }
    }

    /// A chunk compiled only with `features` (always when `None`).
    pub fn gated(
        features: Option<Vec<String>>,
        make: impl Fn() -> TokenStream + Send + Sync + 'a,
    ) -> Self {
        Chunk {
            make: Make::Tokens(Box::new(make)),
            features,
        }
    }

    /// A chunk written as text, compiled only with `features` (always when `None`); `make` is
    /// given the `#[cfg]` to put on each item.
    pub fn text(
        features: Option<Vec<String>>,
        make: impl Fn(Option<&text::Cfg>) -> Result<String, crate::Error> + Send + Sync + 'a,
    ) -> Self {
        Chunk {
            make: Make::Text(Box::new(make)),
            features,
        }
    }
}

/// One generated Rust file: its path relative to the crate root, and its chunks in order.
pub struct RustFile<'a> {
    /// Path relative to the crate root, such as `src/model.rs`.
    pub path: String,
    /// The file's contents, in order.
    pub chunks: Vec<Chunk<'a>>,
}

/// The Rust files of the crate.
pub fn emit(api: &Api) -> Vec<RustFile<'_>> {
    let file = |path: &str, chunks| RustFile {
        path: path.to_owned(),
        chunks,
    };
    let mut files = vec![
        file("src/lib.rs", vec![Chunk::new(|| crate_root::emit(api))]),
        file("src/model.rs", model::emit(api)),
        file("src/json.rs", json::emit(api)),
        file("src/resources.rs", resources::emit(api)),
        file("src/scopes.rs", vec![Chunk::new(|| scopes::emit(api))]),
    ];
    files.extend(model::files(api));
    files.extend(json::files(api));
    files.extend(resources::files(api));
    files
}

/// An identifier; names the IR spells `r#x` become raw identifiers.
pub(crate) fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// Where a type is named from: model types are referred to by their path from `model` inside
/// the model module itself, and by full path elsewhere (in its nested modules too, where a
/// hoisted type's name could shadow another's). It holds the model's types, which a
/// [`TypeRef`] names by id.
#[derive(Clone, Copy)]
pub(crate) struct Scope<'a> {
    types: &'a [TypeDef],
    in_model: bool,
}

impl<'a> Scope<'a> {
    /// Code in `model` itself.
    pub(crate) fn model(api: &'a Api) -> Self {
        Scope {
            types: &api.types,
            in_model: true,
        }
    }

    /// Code anywhere else.
    pub(crate) fn elsewhere(api: &'a Api) -> Self {
        Scope {
            types: &api.types,
            in_model: false,
        }
    }
}

/// The Rust type for `ty`, as text. Standard library types are spelled in full, so a schema
/// called `Option`, `String` or `Box` cannot shadow them.
pub(crate) fn rust_ty(ty: &TypeRef, scope: Scope<'_>) -> text::Ty {
    match ty {
        TypeRef::Scalar(scalar) => text::Ty::plain(scalar_type(*scalar)),
        TypeRef::Named(id) => {
            let name = scope.types[*id].name();
            if scope.in_model {
                text::Ty::plain(name)
            } else {
                text::Ty::plain(format!("crate::model::{name}"))
            }
        }
        TypeRef::List(item) => text::Ty::of("::std::vec::Vec", vec![rust_ty(item, scope)]),
        TypeRef::Map(value) => text::Ty::of(
            "::std::collections::BTreeMap",
            vec![
                text::Ty::plain("::std::string::String"),
                rust_ty(value, scope),
            ],
        ),
    }
}

fn scalar_type(scalar: Scalar) -> &'static str {
    match scalar {
        Scalar::String => "::std::string::String",
        Scalar::Bool => "bool",
        Scalar::I32 => "i32",
        Scalar::U32 => "u32",
        Scalar::I64 => "i64",
        Scalar::U64 => "u64",
        Scalar::F32 => "f32",
        Scalar::F64 => "f64",
        Scalar::Bytes => "crate::runtime::Bytes",
        Scalar::Timestamp => "crate::runtime::Timestamp",
        Scalar::Date => "crate::runtime::Date",
        Scalar::Duration => "crate::runtime::Duration",
        Scalar::FieldMask => "crate::runtime::FieldMask",
        Scalar::Any => "::serde_json::Value",
    }
}

/// Lints allowed in every generated module, each for a reason the generator cannot fix:
/// descriptions are Google's prose, names are Google's names, and argument lists follow
/// `parameterOrder`.
pub(crate) fn module_allows() -> TokenStream {
    quote! {
        #![allow(deprecated)]
        #![allow(clippy::doc_lazy_continuation, clippy::doc_overindented_list_items)]
        #![allow(clippy::enum_variant_names, clippy::too_many_arguments)]
        #![allow(clippy::should_implement_trait, clippy::large_enum_variant)]
        // A schema named `Model` holds its inline types in `model::model`, by the naming rule.
        #![allow(clippy::module_inception)]
        // A struct's `Default` is written out: derived, it would call a generic function for
        // every field type.
        #![allow(clippy::derivable_impls)]
        // A type a description mentions is linked by its full path, which works in every
        // module; where its bare name resolves too, rustdoc calls the path redundant.
        #![allow(rustdoc::redundant_explicit_links)]
    }
}

/// A private module in a file of its own, with everything public in it re-exported, so its
/// items keep the path of the module that declares it; `cfg` gates both.
pub(crate) fn file_module(name: &str, cfg: Option<&TokenStream>) -> TokenStream {
    let name = ident(name);
    quote!(#cfg mod #name; #cfg pub use #name::*;)
}

/// `#[cfg(...)]` for code that only `features` need.
pub(crate) fn cfg_attr(features: &[String]) -> TokenStream {
    match features {
        [feature] => quote!(#[cfg(feature = #feature)]),
        _ => quote!(#[cfg(any(#(feature = #features),*))]),
    }
}

/// Puts `cfg` on `item`, after its docs, where a reader looks for its attributes.
pub(crate) fn add_cfg(item: &mut syn::Item, cfg: &TokenStream) {
    let attrs = match item {
        syn::Item::Const(item) => &mut item.attrs,
        syn::Item::Enum(item) => &mut item.attrs,
        syn::Item::Fn(item) => &mut item.attrs,
        syn::Item::Impl(item) => &mut item.attrs,
        syn::Item::Mod(item) => &mut item.attrs,
        syn::Item::Static(item) => &mut item.attrs,
        syn::Item::Struct(item) => &mut item.attrs,
        syn::Item::Trait(item) => &mut item.attrs,
        syn::Item::Type(item) => &mut item.attrs,
        syn::Item::Use(item) => &mut item.attrs,
        // Nothing else is emitted; a new kind would show in the trimmed builds the corpus
        // check compiles.
        _ => return,
    };
    let after_docs = attrs
        .iter()
        .take_while(|attr| attr.path().is_ident("doc"))
        .count();
    attrs.insert(after_docs, syn::parse_quote!(#cfg));
}
