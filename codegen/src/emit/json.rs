//! Emitting how the model types are read and written (the runtime's JSON traits, serde's as thin
//! layers over them, and `Decode` for response types), apart from the types' definitions: in a
//! private `json` module, split into files as the lowering decided.

use proc_macro2::TokenStream;
use quote::quote;

use super::{Chunk, RustFile, ident};
use crate::ir::{Api, Decoding, StructDef, TypeDef, TypeId, local_name, type_ids};

/// `src/json.rs`: the module's docs and imports, a file module for each file of impls, then
/// every type's impls when they are not split into files.
///
/// Every function written per type here and in the model is `#[inline]`. rustc then keeps its
/// MIR in the crate's metadata and generates machine code for it only in the programs that
/// call it: a crate of 2,000 types builds no code for them (compute.v1, debug: rlib 228 to 86
/// MB, 38 to 22 CPU s), and a program compiles the reading and writing of the types its calls
/// reach, as it would for a generic client. It is a hint to the optimizer, not an order.
pub fn emit(api: &Api) -> Vec<Chunk<'_>> {
    let header = Chunk::new(move || {
        let allows = super::module_allows();
        let files = api.json_files.iter().map(|file| {
            let name = ident(&file.module);
            let cfg = file
                .features
                .as_ref()
                .map(|features| super::cfg_attr(features));
            quote!(#cfg mod #name;)
        });
        let doc = " How the model types are read and written as JSON: the runtime's reader and \
                   writer, serde's traits over them, and the reading of each response. Kept apart \
                   from the types' definitions; a large model's are in files, each a run of types \
                   named after its first.";
        let imports = trait_imports();
        quote! {
            #![doc = #doc]
            #allows

            #(#files)*

            #imports
        }
    });
    let all_types = api
        .json_files
        .is_empty()
        .then(|| type_ids(&api.types).map(|id| type_chunk(api, id, Place::Root)));
    std::iter::once(header)
        .chain(all_types.into_iter().flatten())
        .collect()
}

/// The files below `src/json/`, when the impls are split.
pub fn files(api: &Api) -> Vec<RustFile<'_>> {
    api.json_files
        .iter()
        .map(|json_file| {
            let name = |id: Option<&TypeId>| id.map_or("", |id| api.types[*id].name());
            let (first, last) = (name(json_file.types.first()), name(json_file.types.last()));
            let doc = format!(
                " How the types of the {} from `{first}` to `{last}` are read and written as JSON.",
                api.title
            );
            let header = Chunk::new(move || {
                quote! {
                    #![doc = #doc]
                    // A file of enums only implements no `ReadObject`, and features can leave a
                    // file with no impl compiled at all.
                    #[allow(unused_imports)]
                    use crate::{
                        model,
                        runtime::contract::json::{FromJson, ReadError, ReadObject, Reader, ToJson, Writer},
                    };
                }
            });
            let types = json_file
                .types
                .iter()
                .map(|id| type_chunk(api, *id, Place::File));
            RustFile {
                path: format!("src/json/{}.rs", json_file.module),
                chunks: std::iter::once(header).chain(types).collect(),
            }
        })
        .collect()
}

/// The traits the impls name, imported once in `src/json.rs`. A crate whose own types are all
/// in files has no impl there, and one of enums only implements no `ReadObject`.
fn trait_imports() -> TokenStream {
    quote! {
        #[allow(unused_imports)]
        use crate::runtime::contract::json::{FromJson, ReadError, ReadObject, Reader, ToJson, Writer};
    }
}

/// A type's impls, compiled with the features that compile the type: its own, else those of
/// the nearest module that holds it (a type defined inline is reached only through its owner).
fn type_chunk(api: &Api, id: TypeId, place: Place) -> Chunk<'_> {
    let features = api.features_compiling(id).cloned();
    Chunk::gated(features, move || type_impls(api, id, place))
}

/// Where impls are written, which says how they name the model module.
#[derive(Clone, Copy)]
enum Place {
    /// `src/json.rs`, whose file modules could take any name: `crate::model`.
    Root,
    /// A file below `src/json/`, which imports the model module: `model`.
    File,
}

/// Every impl of one type: how it is read and written, and how a response of it is read.
fn type_impls(api: &Api, id: TypeId, place: Place) -> TokenStream {
    let def = &api.types[id];
    let segments = def.name().split("::").map(ident);
    let path = match place {
        Place::Root => quote!(crate::model::#(#segments)::*),
        Place::File => quote!(model::#(#segments)::*),
    };
    let impls = match def {
        TypeDef::Struct(def) => struct_impls(def, &path),
        TypeDef::Enum(_) => enum_impls(&path),
        TypeDef::Newtype(_) => newtype_impls(&path),
    };
    let decoding = api
        .responses
        .get(&id)
        .map(|decoding| decode_impl(&path, decoding));
    quote!(#impls #decoding)
}

/// How a struct is read and written: the runtime's `ReadObject`, `FromJson` and `ToJson` (one
/// function each, over the runtime's concrete reader and writer), and serde's traits as thin
/// layers over them for programs that use serde. A JSON object of the set fields under their
/// wire names, then the other fields; read in one pass, each known key into its field, every
/// other key into the map of other fields.
fn struct_impls(def: &StructDef, path: &TokenStream) -> TokenStream {
    let type_name = local_name(&def.name);
    let rest = ident(&def.rest.name);
    let reads = def.fields.iter().map(|field| {
        let field_name = ident(&field.name);
        let wire = &field.wire_name;
        quote!(#wire => reader.field(&mut self.#field_name),)
    });
    let writes = def.fields.iter().map(|field| {
        let field_name = ident(&field.name);
        let wire = &field.wire_name;
        quote!(object.field(#wire, &self.#field_name);)
    });
    // Each arm is one call; a struct without fields takes every key into its other fields.
    let read_other = quote!(reader.other(key, &mut self.#rest));
    let read_key = if def.fields.is_empty() {
        read_other
    } else {
        quote! {
            match &*key {
                #(#reads)*
                _ => #read_other,
            }
        }
    };
    let serde = serde_bridge(path);
    quote! {
        impl ReadObject for #path {
            #[inline]
            fn read_key(
                &mut self,
                key: ::std::borrow::Cow<'_, str>,
                reader: &mut Reader<'_>,
            ) -> ::std::result::Result<(), ReadError> {
                #read_key
            }
        }

        impl FromJson for #path {
            #[inline]
            fn read_json(
                reader: &mut Reader<'_>,
            ) -> ::std::result::Result<Self, ReadError> {
                let mut value = <Self as ::std::default::Default>::default();
                match reader.read_object_into(&mut value, #type_name) {
                    ::std::result::Result::Ok(()) => ::std::result::Result::Ok(value),
                    ::std::result::Result::Err(error) => ::std::result::Result::Err(error),
                }
            }
        }

        impl ToJson for #path {
            #[inline]
            fn write_json(&self, writer: &mut Writer) {
                let mut object = writer.object();
                #(#writes)*
                object.entries(&self.#rest);
                object.end();
            }
        }

        #serde
    }
}

/// An open enum as its wire string, both ways. Read with a `match` rather than `map` and a
/// closure, which in a debug build would be three more functions for every enum.
fn enum_impls(path: &TokenStream) -> TokenStream {
    quote! {
        impl FromJson for #path {
            #[inline]
            fn read_json(
                reader: &mut Reader<'_>,
            ) -> ::std::result::Result<Self, ReadError> {
                match reader.read_str() {
                    ::std::result::Result::Ok(value) => ::std::result::Result::Ok(Self::from(&*value)),
                    ::std::result::Result::Err(error) => ::std::result::Result::Err(error),
                }
            }
        }

        impl ToJson for #path {
            #[inline]
            fn write_json(&self, writer: &mut Writer) {
                writer.write_str(self.as_str());
            }
        }

        impl ::serde::Serialize for #path {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #path {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                crate::runtime::contract::wire::deserialize_enum(deserializer)
            }
        }
    }
}

/// A newtype as the value it wraps.
fn newtype_impls(path: &TokenStream) -> TokenStream {
    let serde = serde_bridge(path);
    quote! {
        impl FromJson for #path {
            #[inline]
            fn read_json(
                reader: &mut Reader<'_>,
            ) -> ::std::result::Result<Self, ReadError> {
                reader.read().map(Self)
            }
        }

        impl ToJson for #path {
            #[inline]
            fn write_json(&self, writer: &mut Writer) {
                writer.write(&self.0);
            }
        }

        #serde
    }
}

/// `Serialize` and `Deserialize` for a model type, through its `ToJson` and `FromJson`: compiled
/// only in programs that use them.
fn serde_bridge(path: &TokenStream) -> TokenStream {
    quote! {
        impl<'de> ::serde::Deserialize<'de> for #path {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                crate::runtime::contract::json::deserialize(deserializer)
            }
        }

        impl ::serde::Serialize for #path {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                crate::runtime::contract::json::serialize(self, serializer)
            }
        }
    }
}

/// How a response type is read: `Decode` from JSON, or `RawBody` from raw bytes. Inline like
/// every per-type function (see [`emit`]): a program compiles the reading of the responses it
/// asks for, and the crate none.
fn decode_impl(path: &TokenStream, decoding: &Decoding) -> TokenStream {
    match decoding {
        Decoding::Json => quote! {
            impl crate::runtime::contract::Decode for #path {
                #[inline]
                fn decode(
                    response: crate::runtime::contract::Response,
                ) -> ::std::result::Result<Self, crate::Error> {
                    response.read()
                }
            }
        },
        Decoding::Raw(raw) => {
            let content_type = ident(&raw.content_type_field);
            let data = ident(&raw.data_field);
            quote! {
                impl crate::runtime::contract::RawBody for #path {
                    #[inline]
                    fn from_raw(
                        received_type: ::std::option::Option<::std::string::String>,
                        received: ::std::vec::Vec<u8>,
                    ) -> Self {
                        Self {
                            #content_type: received_type,
                            #data: ::std::option::Option::Some(crate::runtime::Bytes::from(received)),
                            ..::std::default::Default::default()
                        }
                    }
                }
            }
        }
    }
}
