//! Emitting how the model types are read and written (the runtime's JSON traits, serde's as thin
//! layers over them, and `Decode` for response types), apart from the types' definitions: in a
//! private `json` module, split into files as the lowering decided.

use proc_macro2::TokenStream;
use quote::quote;

use super::{Chunk, RustFile, ident, text};
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
/// Written as text: these are most of a large crate's code, and all alike.
fn type_chunk(api: &Api, id: TypeId, place: Place) -> Chunk<'_> {
    let features = api.features_compiling(id).cloned();
    Chunk::text(features, move |cfg| type_impls(api, id, place, cfg))
}

/// Where impls are written, which says how they name the model module.
#[derive(Clone, Copy)]
enum Place {
    /// `src/json.rs`, whose file modules could take any name: `crate::model`.
    Root,
    /// A file below `src/json/`, which imports the model module: `model`.
    File,
}

/// Every impl of one type: how it is read and written, and how a response of it is read; each
/// impl with `cfg` when there is one.
fn type_impls(
    api: &Api,
    id: TypeId,
    place: Place,
    cfg: Option<&text::Cfg>,
) -> Result<String, crate::Error> {
    let def = &api.types[id];
    let path = match place {
        Place::Root => format!("crate::model::{}", def.name()),
        Place::File => format!("model::{}", def.name()),
    };
    let mut impls = Impls {
        out: String::with_capacity(4096),
        cfg,
        path: &path,
    };
    match def {
        TypeDef::Struct(def) => struct_impls(&mut impls, def),
        TypeDef::Enum(_) => enum_impls(&mut impls),
        TypeDef::Newtype(_) => newtype_impls(&mut impls),
    }
    if let Some(decoding) = api.responses.get(&id) {
        decode_impl(&mut impls, decoding);
    }
    text::settle(impls.out, 0)
}

/// The impls of one type being written.
struct Impls<'a> {
    out: String,
    cfg: Option<&'a text::Cfg>,
    /// The type's path from the file.
    path: &'a str,
}

impl Impls<'_> {
    /// Opens `impl {header} for {path} {`, after the `cfg`.
    fn open(&mut self, header: &str) {
        if let Some(cfg) = self.cfg {
            cfg.write(&mut self.out, 0);
        }
        text::impl_header(&mut self.out, 0, header, self.path);
    }

    /// Writes `lines`, a template of the impl's body with its indentation, and closes the impl.
    fn body(&mut self, lines: &str) {
        self.out.push_str(lines);
        self.out.push_str("}\n");
    }
}

/// How a struct is read and written: the runtime's `ReadObject`, `FromJson` and `ToJson` (one
/// function each, over the runtime's concrete reader and writer), and serde's traits as thin
/// layers over them for programs that use serde. A JSON object of the set fields under their
/// wire names, then the other fields; read in one pass, each known key into its field, every
/// other key into the map of other fields.
fn struct_impls(impls: &mut Impls<'_>, def: &StructDef) {
    let rest = &def.rest.name;
    let type_name = text::literal(local_name(&def.name));
    // Each arm is one call; a struct without fields takes every key into its other fields.
    let mut read_key = String::new();
    if def.fields.is_empty() {
        text::line(
            &mut read_key,
            2,
            &format!("reader.other(key, &mut self.{rest})"),
        );
    } else {
        text::line(&mut read_key, 2, "match &*key {");
        for field in &def.fields {
            let wire = text::literal(&field.wire_name);
            let read = format!("reader.field(&mut self.{})", field.name);
            text::arm(&mut read_key, 3, &wire, &read);
        }
        text::line(
            &mut read_key,
            3,
            &format!("_ => reader.other(key, &mut self.{rest}),"),
        );
        text::line(&mut read_key, 2, "}");
    }
    impls.open("impl ReadObject");
    impls.body(&format!(
        "    #[inline]
    fn read_key(
        &mut self,
        key: ::std::borrow::Cow<'_, str>,
        reader: &mut Reader<'_>,
    ) -> ::std::result::Result<(), ReadError> {{
{read_key}    }}
"
    ));
    let read_object = text::call(
        2,
        ("match reader", "read_object_into"),
        &["&mut value", &type_name],
        (" {", "{"),
    );
    impls.open("impl FromJson");
    impls.body(&format!(
        "    #[inline]
    fn read_json(reader: &mut Reader<'_>) -> ::std::result::Result<Self, ReadError> {{
        let mut value = <Self as ::std::default::Default>::default();
{read_object}            ::std::result::Result::Ok(()) => ::std::result::Result::Ok(value),
            ::std::result::Result::Err(error) => ::std::result::Result::Err(error),
        }}
    }}
"
    ));
    let mut writes = String::new();
    for field in &def.fields {
        let wire = text::literal(&field.wire_name);
        let value = format!("&self.{}", field.name);
        writes.push_str(&text::call(
            2,
            ("object", "field"),
            &[&wire, &value],
            (";", ";"),
        ));
    }
    impls.open("impl ToJson");
    impls.body(&format!(
        "    #[inline]
    fn write_json(&self, writer: &mut Writer) {{
        let mut object = writer.object();
{writes}        object.entries(&self.{rest});
        object.end();
    }}
"
    ));
    serde_bridge(impls);
}

/// An open enum as its wire string, both ways. Read with a `match` rather than `map` and a
/// closure, which in a debug build would be three more functions for every enum.
fn enum_impls(impls: &mut Impls<'_>) {
    impls.open("impl FromJson");
    impls.body(
        "    #[inline]
    fn read_json(reader: &mut Reader<'_>) -> ::std::result::Result<Self, ReadError> {
        match reader.read_str() {
            ::std::result::Result::Ok(value) => {
                ::std::result::Result::Ok(Self::from(&*value))
            }
            ::std::result::Result::Err(error) => ::std::result::Result::Err(error),
        }
    }
",
    );
    impls.open("impl ToJson");
    impls.body(
        "    #[inline]
    fn write_json(&self, writer: &mut Writer) {
        writer.write_str(self.as_str());
    }
",
    );
    impls.open("impl ::serde::Serialize");
    impls.body(
        "    fn serialize<S: ::serde::Serializer>(
        &self,
        serializer: S,
    ) -> ::std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
",
    );
    impls.open("impl<'de> ::serde::Deserialize<'de>");
    impls.body(
        "    fn deserialize<D: ::serde::Deserializer<'de>>(
        deserializer: D,
    ) -> ::std::result::Result<Self, D::Error> {
        crate::runtime::contract::wire::deserialize_enum(deserializer)
    }
",
    );
}

/// A newtype as the value it wraps.
fn newtype_impls(impls: &mut Impls<'_>) {
    impls.open("impl FromJson");
    impls.body(
        "    #[inline]
    fn read_json(reader: &mut Reader<'_>) -> ::std::result::Result<Self, ReadError> {
        reader.read().map(Self)
    }
",
    );
    impls.open("impl ToJson");
    impls.body(
        "    #[inline]
    fn write_json(&self, writer: &mut Writer) {
        writer.write(&self.0);
    }
",
    );
    serde_bridge(impls);
}

/// `Serialize` and `Deserialize` for a model type, through its `ToJson` and `FromJson`: compiled
/// only in programs that use them.
fn serde_bridge(impls: &mut Impls<'_>) {
    impls.open("impl<'de> ::serde::Deserialize<'de>");
    impls.body(
        "    fn deserialize<D: ::serde::Deserializer<'de>>(
        deserializer: D,
    ) -> ::std::result::Result<Self, D::Error> {
        crate::runtime::contract::json::deserialize(deserializer)
    }
",
    );
    impls.open("impl ::serde::Serialize");
    impls.body(
        "    fn serialize<S: ::serde::Serializer>(
        &self,
        serializer: S,
    ) -> ::std::result::Result<S::Ok, S::Error> {
        crate::runtime::contract::json::serialize(self, serializer)
    }
",
    );
}

/// How a response type is read: `Decode` from JSON, or `RawBody` from raw bytes. Inline like
/// every per-type function (see [`emit`]): a program compiles the reading of the responses it
/// asks for, and the crate none.
fn decode_impl(impls: &mut Impls<'_>, decoding: &Decoding) {
    match decoding {
        Decoding::Json => {
            impls.open("impl crate::runtime::contract::Decode");
            impls.body(
                "    #[inline]
    fn decode(
        response: crate::runtime::contract::Response,
    ) -> ::std::result::Result<Self, crate::Error> {
        response.read()
    }
",
            );
        }
        Decoding::Raw(raw) => {
            let (content_type, data) = (&raw.content_type_field, &raw.data_field);
            impls.open("impl crate::runtime::contract::RawBody");
            impls.body(&format!(
                "    #[inline]
    fn from_raw(
        received_type: ::std::option::Option<::std::string::String>,
        received: ::std::vec::Vec<u8>,
    ) -> Self {{
        Self {{
            {content_type}: received_type,
            {data}: ::std::option::Option::Some(crate::runtime::Bytes::from(received)),
            ..::std::default::Default::default()
        }}
    }}
"
            ));
        }
    }
}
