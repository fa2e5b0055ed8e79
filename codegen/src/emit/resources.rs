//! Emitting the resources module: the API's hub with its accessors, one struct per resource,
//! and one request builder per method. Builders only describe a call; the runtime sends it.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::{code, doc_attrs, own_doc_attrs, paragraphs};
use super::paths::{PathTokens, path_tokens};
use super::{Chunk, RustFile, Scope, cfg_attr, file_module, ident, module_allows, rust_type};
use crate::ir::{
    Api, Location, MediaDownload, MethodDef, Paging, ParamDef, ResourceDef, Scalar, TypeRef,
};

/// `src/resources.rs`: the module's docs, a file module for each top-level resource, the
/// service, the hub, the standard parameters and the hub's own methods.
pub fn emit(api: &Api) -> Vec<Chunk<'_>> {
    vec![Chunk::new(move || emit_header(api))]
}

/// One file per resource: `src/resources/<accessor>.rs` for a top-level one,
/// `src/resources/<parent>/<accessor>.rs` for one below it, holding the resource and the
/// request builders of its methods. Each parent re-exports what its children's files hold, and
/// `src/resources.rs` what the top-level ones do, so every item keeps its path
/// (`resources::FilesListCall`); a top-level resource's feature gates its file and those below.
pub fn files(api: &Api) -> Vec<RustFile<'_>> {
    let scope = Scope::elsewhere(api);
    let mut files = Vec::new();
    let mut pending: Vec<(String, &ResourceDef)> = api
        .resources
        .iter()
        .map(|resource| (format!("src/resources/{}", file_stem(resource)), resource))
        .collect();
    while let Some((stem, resource)) = pending.pop() {
        let doc = format!(
            " The `{}` resource of the {}: its methods and the request builders they make.",
            resource.wire_path, api.title
        );
        files.push(RustFile {
            path: format!("{stem}.rs"),
            // A builder a chunk: a large resource's file is formatted on every core.
            chunks: [
                Chunk::new(move || {
                    let children = child_modules(resource);
                    quote!(#![doc = #doc] #children)
                }),
                Chunk::new(move || emit_resource(scope, resource)),
            ]
            .into_iter()
            .chain(resource.methods.iter().map(move |method| {
                Chunk::new(move || emit_builder(scope, method, &resource.type_name))
            }))
            .collect(),
        });
        pending.extend(
            resource
                .children
                .iter()
                .map(|child| (format!("{stem}/{}", file_stem(child)), child)),
        );
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// `mod` and `pub use` for the files of the resources below `resource`.
fn child_modules(resource: &ResourceDef) -> TokenStream {
    let modules = resource
        .children
        .iter()
        .map(|child| file_module(&child.accessor, None));
    quote!(#(#modules)*)
}

/// The name of a resource's file (and, spelled as an identifier, of its module).
fn file_stem(resource: &ResourceDef) -> &str {
    crate::names::unraw(&resource.accessor)
}

/// `mod` and `pub use` for each top-level resource's file, with the resource's feature.
fn resource_modules(api: &Api) -> TokenStream {
    let modules = api.resources.iter().map(|resource| {
        let cfg = resource
            .feature
            .as_ref()
            .map(|feature| cfg_attr(std::slice::from_ref(feature)));
        file_module(&resource.accessor, cfg.as_ref())
    });
    quote!(#(#modules)*)
}

/// The feature of a top-level resource, when the API has a feature for each.
fn emit_header(api: &Api) -> TokenStream {
    let scope = Scope::elsewhere(api);
    let allows = module_allows();
    let hub = ident(&api.hub_name);
    let module_doc = format!(
        " The resources and methods of the {}: start from its hub, [`{}`], pick a resource, \
         call a method, set its optional parameters, and `send()`.",
        api.title, api.hub_name
    );
    let (name, version, revision) = (&api.name, &api.version, &api.revision);
    let (root_url, service_path) = (&api.root_url, &api.service_path);
    let hub_doc = format!(
        " The {} on a client: its resources and methods. Make one with [`new`](Self::new) (or \
         [`with_root_url`](Self::with_root_url) for another server) from a blocking \
         [`Client`](crate::Client), whose calls return their results, or from an \
         [`AsyncClient`](crate::AsyncClient), whose calls are futures; it is cheap to clone, and \
         clones share the client.",
        api.title
    );
    let new_doc = if api.root_url.is_empty() {
        format!(
            " The {} on `client`, at the client's root URL, which it needs: the API's document \
             gives none (or use [`with_root_url`](Self::with_root_url)).",
            api.title
        )
    } else {
        format!(
            " The {} on `client`, at the client's root URL if it has one, else at `{}`.",
            api.title, api.root_url
        )
    };
    let modules = resource_modules(api);
    let hub_accessors = api.resources.iter().map(|resource| {
        let feature = resource.feature.as_deref();
        let accessor = resource_accessor(resource, quote!(&self.service), quote!('_), feature);
        let placeholder = feature.map(|feature| feature_off_accessor(api, resource, feature));
        quote!(#accessor #placeholder)
    });
    let root_methods = api
        .root_methods
        .iter()
        .map(|method| method_accessor(scope, method, quote!(&self.service), quote!('_)));
    let root_builders = api
        .root_methods
        .iter()
        .map(|method| emit_builder(scope, method, &api.hub_name));
    let standard_setters = api
        .standard_params
        .iter()
        .map(|param| emit_setter(scope, param, quote!(), quote!(self.call_mut())));
    quote! {
        #![doc = #module_doc]
        #allows
        // The runtime's descriptions take their unnamed fields from `BASE` even when none is
        // left, so that a field the runtime adds later is not a breaking change.
        #![allow(clippy::needless_update)]

        #modules

        /// The API this crate calls, as the Discovery document describes it.
        pub(crate) static SERVICE: crate::runtime::contract::ServiceInfo = crate::runtime::contract::ServiceInfo {
            name: #name,
            version: #version,
            revision: #revision,
            root_url: #root_url,
            service_path: #service_path,
            crate_agent: ::std::concat!(::std::env!("CARGO_PKG_NAME"), "/", ::std::env!("CARGO_PKG_VERSION")),
            ..crate::runtime::contract::ServiceInfo::BASE
        };

        #[doc = #hub_doc]
        #[derive(Clone, Debug)]
        pub struct #hub<C = crate::Client> {
            service: crate::runtime::contract::Service<C>,
        }

        impl<C: crate::runtime::Backend> #hub<C> {
            #[doc = #new_doc]
            pub fn new(client: &C) -> Self {
                #hub { service: crate::runtime::contract::Service::new(client, &SERVICE) }
            }

            /// The API on `client` at `root_url` instead (a local emulator, a proxy); an error
            /// when it is not an http(s) URL without a query.
            pub fn with_root_url(client: &C, root_url: &str) -> ::std::result::Result<Self, crate::Error> {
                crate::runtime::contract::Service::with_root_url(client, &SERVICE, root_url).map(|service| #hub { service })
            }

            /// The client calls go through (to download a signed URL with, say).
            pub fn client(&self) -> &C {
                self.service.client()
            }

            /// The client and the API's URLs, as the runtime sees them.
            #[doc(hidden)]
            pub fn service(&self) -> &crate::runtime::contract::Service<C> {
                &self.service
            }

            #(#hub_accessors)*
            #(#root_methods)*
        }

        /// The parameters every method takes (`fields`, `quotaUser`, ...), as setters on every
        /// request builder.
        pub trait StandardParameters: crate::runtime::CallBuilder {
            #(#standard_setters)*
        }

        #(#root_builders)*
    }
}

/// The accessor that returns a resource, on the hub or on its parent resource.
/// `service` reaches the service from the accessor's `self`; `lifetime` is how long the result
/// may borrow it (`'_` from the hub itself, `'a` from a resource, which is only a handle).
fn resource_accessor(
    resource: &ResourceDef,
    service: TokenStream,
    lifetime: TokenStream,
    feature: Option<&str>,
) -> TokenStream {
    let accessor = ident(&resource.accessor);
    let type_name = ident(&resource.type_name);
    let doc = format!(" The `{}` resource.", resource.wire_path);
    let feature_doc = feature.map(|feature| {
        let line = format!(
            " Needs the Cargo feature `{feature}`, one of the default features; a build without \
             it has no such resource."
        );
        quote!(#[doc = ""] #[doc = #line])
    });
    let cfg = feature.map(|feature| quote!(#[cfg(feature = #feature)]));
    let deprecated = resource.deprecated.then(|| quote!(#[deprecated]));
    quote! {
        #[doc = #doc]
        #feature_doc
        #deprecated
        #cfg
        pub fn #accessor(&self) -> #type_name<#lifetime, C> {
            #type_name { service: #service }
        }
    }
}

/// The accessor of a resource whose Cargo feature is off in this build: deprecated, so that a
/// call to it compiles with a warning naming the feature, and returning a placeholder without
/// methods (so the call after it fails). Hidden from the docs, which are built with every
/// feature.
fn feature_off_accessor(api: &Api, resource: &ResourceDef, feature: &str) -> TokenStream {
    let accessor = ident(&resource.accessor);
    let note = format!(
        "the `{}` resource needs the Cargo feature `{feature}` of {}, which is off in this \
         build: add it to the dependency's `features` (the default features hold every resource)",
        resource.wire_path, api.crate_name
    );
    quote! {
        #[cfg(not(feature = #feature))]
        #[doc(hidden)]
        #[deprecated(note = #note)]
        pub fn #accessor(&self) -> crate::runtime::FeatureOff {
            crate::runtime::FeatureOff::new()
        }
    }
}

/// A resource's struct and its accessors (its methods' builders are chunks of their own). The
/// struct's field is `pub(super)`: the accessor that makes it is on the hub or the parent
/// resource, in the module above the resource's file.
fn emit_resource(scope: Scope<'_>, resource: &ResourceDef) -> TokenStream {
    let type_name = ident(&resource.type_name);
    let doc = format!(" Methods of the `{}` resource.", resource.wire_path);
    let deprecated = resource.deprecated.then(|| quote!(#[deprecated]));
    let children = resource
        .children
        .iter()
        .map(|child| resource_accessor(child, quote!(self.service), quote!('a), None));
    let methods = resource
        .methods
        .iter()
        .map(|method| method_accessor(scope, method, quote!(self.service), quote!('a)));
    quote! {
        #[doc = #doc]
        #deprecated
        #[derive(Debug)]
        pub struct #type_name<'a, C = crate::Client> {
            pub(super) service: &'a crate::runtime::contract::Service<C>,
        }

        // By hand: a derive would ask the client to be `Copy` too.
        impl<C> ::std::clone::Clone for #type_name<'_, C> {
            fn clone(&self) -> Self {
                *self
            }
        }

        impl<C> ::std::marker::Copy for #type_name<'_, C> {}

        impl<'a, C: crate::runtime::Backend> #type_name<'a, C> {
            #(#children)*
            #(#methods)*
        }
    }
}

/// How a parameter value is taken as an argument, and how it becomes its wire string.
fn param_input(scope: Scope<'_>, param: &ParamDef) -> (TokenStream, TokenStream) {
    let name = ident(&param.name);
    match &param.ty {
        TypeRef::Scalar(Scalar::String) => (
            quote!(impl ::std::convert::Into<::std::string::String>),
            quote!(#name.into()),
        ),
        TypeRef::Named(_) => {
            let ty = rust_type(&param.ty, scope);
            (ty, quote!(#name.as_str().to_owned()))
        }
        ty => {
            let ty = rust_type(ty, scope);
            (ty, quote!(#name.to_string()))
        }
    }
}

/// The statement that puts a parameter's value into the call.
fn store_param(scope: Scope<'_>, param: &ParamDef, call: TokenStream) -> TokenStream {
    let wire = &param.wire_name;
    let name = ident(&param.name);
    let (_, to_wire) = param_input(scope, param);
    if param.ty == TypeRef::Scalar(Scalar::Any) {
        // A JSON value: flattened into `name.field=value` pairs by the runtime.
        return if param.repeated {
            quote! {
                for #name in #name {
                    #call.add_query_value(#wire, &#name);
                }
            }
        } else {
            quote!(#call.add_query_value(#wire, &#name);)
        };
    }
    match (param.location, param.repeated) {
        (Location::Path, _) => quote!(#call.set_path(#wire, #to_wire);),
        (Location::Query, false) => quote!(#call.set_query(#wire, #to_wire);),
        (Location::Query, true) => quote! {
            for #name in #name {
                #call.add_query(#wire, #to_wire);
            }
        },
    }
}

/// The argument declaration of a parameter; a repeated one takes any iterable.
fn argument(scope: Scope<'_>, param: &ParamDef) -> TokenStream {
    let name = ident(&param.name);
    let (ty, _) = param_input(scope, param);
    if param.repeated {
        quote!(#name: impl ::std::iter::IntoIterator<Item = #ty>)
    } else {
        quote!(#name: #ty)
    }
}

/// A parameter's description with its default value.
fn param_docs(param: &ParamDef) -> String {
    let fallback = format!("The `{}` parameter.", param.wire_name);
    let description = if param.description.trim().is_empty() {
        fallback.as_str()
    } else {
        param.description.as_str()
    };
    let default = param
        .default
        .as_ref()
        .map(|value| format!("Default: `{value}`."));
    paragraphs(
        [Some(description), default.as_deref()]
            .into_iter()
            .flatten(),
    )
}

/// The accessor that starts a call: required parameters and the body are its arguments.
fn method_accessor(
    scope: Scope<'_>,
    method: &MethodDef,
    service: TokenStream,
    lifetime: TokenStream,
) -> TokenStream {
    let accessor = ident(&method.accessor);
    let builder = ident(&method.builder);
    let (id, http_method, path) = (&method.id, &method.http_method, &method.path.text);
    // Only what differs from `MethodInfo::BASE` is written.
    let PathTokens {
        imports,
        statics,
        new_call,
    } = path_tokens(method);
    let api_version = method
        .api_version
        .as_ref()
        .map(|version| quote!(api_version: ::std::option::Option::Some(#version),));
    let idempotency_key = method
        .idempotency_key
        .as_ref()
        .map(|key| quote!(idempotency_key: ::std::option::Option::Some(#key),));
    let mut arguments: Vec<TokenStream> = method
        .positional
        .iter()
        .map(|param| argument(scope, param))
        .collect();
    let stores = method
        .positional
        .iter()
        .map(|param| store_param(scope, param, quote!(call)));
    let call_mut = (!method.positional.is_empty()).then(|| quote!(mut));
    let request_init = match &method.request {
        Some((name, ty)) => {
            let name = ident(name);
            let ty = rust_type(ty, scope);
            arguments.push(quote!(#name: #ty));
            quote!(#name,)
        }
        None => quote!(),
    };
    let argument_docs: Vec<String> = method
        .positional
        .iter()
        .map(|param| {
            let description = param_docs(param).replace("\n\n", " ");
            format!("- `{}`: {description}", crate::names::unraw(&param.name))
        })
        .chain(
            method
                .request
                .as_ref()
                .map(|(name, _)| format!("- `{name}`: the request body.")),
        )
        .collect();
    let arguments_doc = (!argument_docs.is_empty()).then(|| argument_docs.join("\n"));
    let facts = method_facts(method, &format!("{}::", method.builder));
    let description = doc_attrs(&paragraphs(
        [
            Some(method_description(method).as_str()),
            arguments_doc.as_deref(),
        ]
        .into_iter()
        .flatten(),
    ));
    let facts = own_doc_attrs(&format!("\n{facts}"));
    let docs = quote!(#description #facts);
    let deprecated = method.deprecated.then(|| quote!(#[deprecated]));
    quote! {
        #docs
        #deprecated
        pub fn #accessor(&self, #(#arguments),*) -> #builder<#lifetime, C> {
            #imports
            static METHOD: MethodInfo = MethodInfo {
                id: #id,
                http_method: #http_method,
                path: #path,
                #api_version
                #idempotency_key
                ..MethodInfo::BASE
            };
            #statics
            let #call_mut call = #new_call;
            #(#stores)*
            #builder {
                service: #service,
                call,
                #request_init
            }
        }
    }
}

/// The setter of an optional parameter; `call` reaches the builder's `Call`.
fn emit_setter(
    scope: Scope<'_>,
    param: &ParamDef,
    visibility: TokenStream,
    call: TokenStream,
) -> TokenStream {
    let name = ident(&param.name);
    let docs = doc_attrs(&param_docs(param));
    let deprecated = param.deprecated.then(|| quote!(#[deprecated]));
    let store = store_param(scope, param, call);
    let argument = argument(scope, param);
    quote! {
        #docs
        #deprecated
        #visibility fn #name(mut self, #argument) -> Self {
            #store
            self
        }
    }
}

/// A method's own description, or a sentence naming it when the document gives none.
fn method_description(method: &MethodDef) -> String {
    if method.description.trim().is_empty() {
        format!("Calls `{}`.", method.id)
    } else {
        method.description.clone()
    }
}

/// What a reader of a method's docs wants besides its description: the HTTP verb and path, the
/// method's id, the scopes that authorize it, and whether it pages, uploads or downloads, with
/// links to the builder's methods for those (`builder` is the path they hang from, such as
/// `Self::`).
fn method_facts(method: &MethodDef, builder: &str) -> String {
    let mut facts = format!(
        "{} ({}).",
        code(&format!("{} {}", method.http_method, method.path.text)),
        code(&method.id)
    );
    let scope = |variant: &String| format!("[`Scope::{variant}`](crate::Scope::{variant})");
    facts.push_str(&match method.scopes.as_slice() {
        _ if method.all_scopes => {
            " Authorized by any of the API's scopes ([`Scope::ALL`](crate::Scope::ALL)).".to_owned()
        }
        [] => " The document names no OAuth scope for it.".to_owned(),
        [only] => format!(" Authorized by {}.", scope(only)),
        several => format!(
            " Authorized by any one of {}.",
            several.iter().map(scope).collect::<Vec<_>>().join(", ")
        ),
    });
    match method.paging {
        Paging::Items => facts.push_str(&format!(
            " It pages: [`items`]({builder}items) goes through the items of every page, \
             [`pages`]({builder}pages) through the pages."
        )),
        Paging::Pages => facts.push_str(&format!(
            " It pages: [`pages`]({builder}pages) goes through every page."
        )),
        Paging::No => {}
    }
    if method.upload.is_some() {
        facts.push_str(&format!(
            " It uploads content: [`upload`]({builder}upload) in one request, \
             [`upload_resumable`]({builder}upload_resumable) in chunks that survive failures."
        ));
    }
    if method.media_download != MediaDownload::No {
        facts.push_str(&format!(
            " It downloads content: [`download`]({builder}download) streams it."
        ));
    }
    facts
}

/// The request builder type of one method: one generic builder, whose `send()` (and pages,
/// downloads, uploads) return what the client's kind returns.
fn emit_builder(scope: Scope<'_>, method: &MethodDef, owner: &str) -> TokenStream {
    let builder = ident(&method.builder);
    let accessor = crate::names::unraw(&method.accessor);
    let how = format!(
        "Made by [`{owner}::{accessor}`]. Set its optional parameters with its methods and the \
         [standard ones](crate::resources::StandardParameters), then [`send`](Self::send) it."
    );
    let description = doc_attrs(&method_description(method));
    let own = own_doc_attrs(&format!("\n{}\n\n{how}", method_facts(method, "Self::")));
    let docs = quote!(#description #own);
    let setters = method
        .optional
        .iter()
        .map(|param| emit_setter(scope, param, quote!(pub), quote!(self.call)));
    let scopes = if method.all_scopes {
        quote!(crate::Scope::ALL)
    } else {
        let variants = method.scopes.iter().map(|variant| {
            let variant = ident(variant);
            quote!(crate::Scope::#variant)
        });
        quote!(&[#(#variants),*])
    };
    let (request_field, body_for_prepare) = match &method.request {
        Some((name, ty)) => {
            let field = ident(name);
            let ty = rust_type(ty, scope);
            // A raw body is taken apart, so `prepare` (which only borrows) takes a copy.
            let set_body = match &method.raw_request {
                Some(raw) => set_raw_body(raw, quote!(self.#field.clone())),
                None => quote!(call.write_json_body(&self.#field);),
            };
            (
                Some(quote!(#field: #ty,)),
                quote! {
                    let mut call = self.call.clone();
                    #set_body
                    self.service.prepare(&call)
                },
            )
        }
        None => (None, quote!(self.service.prepare(&self.call))),
    };
    let ready = ready_call(method);
    let (response_type, decoder) = response_decoder(scope, method);
    let paging = match method.paging {
        Paging::No => None,
        Paging::Pages => Some(emit_paging(scope, method, false)),
        Paging::Items => Some(emit_paging(scope, method, true)),
    };
    let uploads = method
        .upload
        .as_ref()
        .map(|upload| emit_uploads(scope, method, upload));
    let use_download_service = match method.media_download {
        MediaDownload::No => None,
        MediaDownload::ServicePath => Some(false),
        MediaDownload::DownloadService => Some(true),
    };
    let download = use_download_service.map(|use_download_service| {
        quote! {
            /// Downloads the content itself (`alt=media`) instead of its metadata, as a stream:
            /// a [`Download`](crate::runtime::Download) to read with a blocking client, an
            /// [`AsyncDownload`](crate::runtime::AsyncDownload) with an async one.
            pub fn download(mut self) -> <C as crate::runtime::Backend>::Reply<'a, C::Download> {
                self.call.set_download_service(#use_download_service);
                C::download_media(self.service, self.call)
            }
        }
    });
    quote! {
        #docs
        #[derive(Clone, Debug)]
        #[must_use = "a request builder does nothing until it is sent"]
        pub struct #builder<'a, C = crate::Client> {
            service: &'a crate::runtime::contract::Service<C>,
            call: crate::runtime::contract::Call,
            #request_field
        }

        impl #builder<'_> {
            /// The OAuth scopes any one of which allows this call.
            pub const SCOPES: &'static [crate::Scope] = #scopes;
        }

        impl<'a, C: crate::runtime::Backend> #builder<'a, C> {
            #(#setters)*

            /// The request this call would send, without sending it (and so without an
            /// `Authorization` header).
            pub fn prepare(&self) -> ::std::result::Result<crate::runtime::PreparedRequest, crate::Error> {
                #body_for_prepare
            }

            #download

            /// Sends the request and returns the response: the result itself with a blocking
            /// client, a future of it with an async one.
            pub fn send(self) -> <C as crate::runtime::Backend>::Reply<'a, #response_type> {
                #ready
                C::execute(self.service, call, #decoder)
            }

            #paging
            #uploads
        }

        impl<C: crate::runtime::Backend> crate::runtime::CallBuilder for #builder<'_, C> {
            fn call_mut(&mut self) -> &mut crate::runtime::contract::Call {
                &mut self.call
            }
        }

        impl<C: crate::runtime::Backend> crate::resources::StandardParameters for #builder<'_, C> {}
    }
}

/// The statements that leave the call to send in `call`, as a `Result`: with its body, or the
/// error of a JSON body that could not be serialized (sent back by the call, not raised here).
fn ready_call(method: &MethodDef) -> TokenStream {
    match (&method.request, &method.raw_request) {
        (Some((name, _)), Some(raw)) => {
            let name = ident(name);
            let set_raw = set_raw_body(raw, quote!(self.#name));
            quote! {
                let mut call = self.call;
                #set_raw
                let call = ::std::result::Result::Ok(call);
            }
        }
        (Some((name, _)), None) => {
            let name = ident(name);
            quote! {
                let mut call = self.call;
                call.write_json_body(&self.#name);
                let call = ::std::result::Result::Ok(call);
            }
        }
        (None, _) => quote!(let call = ::std::result::Result::Ok(self.call);),
    }
}

/// The Rust type a method answers with, and the function that reads it: the model type's
/// `Decode` or `RawBody`, else the runtime's JSON reader for lists and maps.
fn response_decoder(scope: Scope<'_>, method: &MethodDef) -> (TokenStream, TokenStream) {
    match (&method.response, &method.raw_response) {
        (Some(ty), Some(_)) => {
            let ty = rust_type(ty, scope);
            let decoder = quote!(crate::runtime::contract::raw::<#ty>);
            (ty, decoder)
        }
        (Some(named @ TypeRef::Named(_)), None) => {
            let ty = rust_type(named, scope);
            let decoder = quote!(<#ty as crate::runtime::contract::Decode>::decode);
            (ty, decoder)
        }
        (Some(other), None) => {
            let ty = rust_type(other, scope);
            let decoder = quote!(crate::runtime::contract::read::<#ty>);
            (ty, decoder)
        }
        (None, _) => (quote!(()), quote!(crate::runtime::contract::ignore)),
    }
}

/// `call.set_raw_body(..)` from the fields of an `HttpBody` value.
fn set_raw_body(raw: &crate::ir::RawBodyDef, body: TokenStream) -> TokenStream {
    let content_type = ident(&raw.content_type_field);
    let data = ident(&raw.data_field);
    quote! {
        let body = #body;
        call.set_raw_body(
            body.#data.map(crate::runtime::Bytes::into_vec).unwrap_or_default(),
            body.#content_type,
        );
    }
}

/// `pages()` and, when the pages have items, `items()` on the builder of a list method.
fn emit_paging(scope: Scope<'_>, method: &MethodDef, has_items: bool) -> TokenStream {
    let response = rust_type(
        method
            .response
            .as_ref()
            .expect("paged methods answer with a page"),
        scope,
    );
    let ready = ready_call(method);
    let items = has_items.then(|| {
        quote! {
            /// Every item of every page, fetched page by page as [`pages`](Self::pages) does.
            pub fn items(self) -> <C as crate::runtime::Backend>::Items<'a, #response> {
                C::items(self.pages())
            }
        }
    });
    quote! {
        /// Every page of the list, from the page token set on this call (if any), following
        /// `nextPageToken` until it is absent or empty: an `Iterator` with a blocking client, a
        /// `Stream` with an async one. Each page is one call with this call's timeout and
        /// retries; an error ends the list, and a page token the server hands out twice is an
        /// error rather than an endless loop.
        pub fn pages(self) -> <C as crate::runtime::Backend>::Pages<'a, #response> {
            #ready
            C::pages(self.service, call)
        }

        #items
    }
}

/// `upload()` and `upload_resumable()` on the builder of a method that takes media.
fn emit_uploads(
    scope: Scope<'_>,
    method: &MethodDef,
    upload: &crate::ir::UploadDef,
) -> TokenStream {
    let path = &upload.path.text;
    let accept = &upload.accept;
    // Only what differs from `UploadInfo::BASE` is written.
    let accept = (!accept.is_empty()).then(|| quote!(accept: &[#(#accept),*],));
    let max_size = upload
        .max_size
        .map(|bytes| quote!(max_size: ::std::option::Option::Some(#bytes),));
    // The body, when the method has one (and it is JSON), is the upload's metadata.
    let with_metadata = method.request.is_some() && method.raw_request.is_none();
    let ready = if with_metadata {
        ready_call(method)
    } else {
        quote!(let call = ::std::result::Result::Ok(self.call);)
    };
    let (response_type, decoder) = response_decoder(scope, method);
    let limits = {
        let types = if upload.accept.is_empty() || upload.accept.iter().any(|range| range == "*/*")
        {
            "content of any media type".to_owned()
        } else {
            let ranges: Vec<String> = upload
                .accept
                .iter()
                .map(|range| format!("`{range}`"))
                .collect();
            format!("content of type {}", ranges.join(", "))
        };
        match upload.max_size {
            Some(bytes) => format!(" It takes {types}, of at most {}.", readable_size(bytes)),
            None => format!(" It takes {types}."),
        }
    };
    let content = " The content is a `std::io::Read` with a blocking client, a \
                   `tokio::io::AsyncRead` with an async one.";
    let simple_doc = if with_metadata {
        format!(
            " Sends `content` (of media type `mime`) with the request body as its metadata, in \
             one `multipart/related` request (`uploadType=multipart`).{limits}{content} It is \
             read into memory first; for large content use \
             [`upload_resumable`](Self::upload_resumable). An upload is never retried."
        )
    } else {
        format!(
            " Sends `content` (of media type `mime`) in one request (`uploadType=media`).\
             {limits}{content} It is read into memory first; for large content use \
             [`upload_resumable`](Self::upload_resumable). An upload is never retried."
        )
    };
    let resumable_doc = format!(
        " Uploads `content` (of media type `mime`) with the resumable protocol, in chunks that \
         are retried and confirmed one by one; a session can be resumed by a later process. Set \
         its options, then `send()` it; see [`ResumableUpload`](crate::runtime::ResumableUpload) \
         and [`AsyncResumableUpload`](crate::runtime::AsyncResumableUpload).{limits}{content}"
    );
    quote! {
        /// Where and what this method uploads, as its document says.
        fn upload_info() -> &'static crate::runtime::contract::UploadInfo {
            use crate::runtime::contract::UploadInfo;
            static UPLOAD: UploadInfo = UploadInfo {
                path: #path,
                #accept
                #max_size
                ..UploadInfo::BASE
            };
            &UPLOAD
        }

        #[doc = #simple_doc]
        pub fn upload(
            self,
            content: impl crate::runtime::Content<C> + 'a,
            mime: &str,
        ) -> <C as crate::runtime::Backend>::Reply<'a, #response_type> {
            #ready
            crate::runtime::Content::upload(content, self.service, call, Self::upload_info(), mime, #decoder)
        }

        #[doc = #resumable_doc]
        pub fn upload_resumable<X: crate::runtime::Content<C> + 'a>(
            self,
            content: X,
            mime: &str,
        ) -> <C as crate::runtime::Backend>::Resumable<'a, #response_type, X> {
            #ready
            crate::runtime::Content::upload_resumable(content, self.service, call, Self::upload_info(), mime, #decoder)
        }
    }
}

/// A size in bytes as a person reads it: `1 GiB` rather than `1073741824 bytes`.
fn readable_size(bytes: u64) -> String {
    const UNITS: [(u32, &str); 4] = [(40, "TiB"), (30, "GiB"), (20, "MiB"), (10, "KiB")];
    UNITS
        .iter()
        .find(|(shift, _)| bytes >= 1 << shift && bytes.is_multiple_of(1 << shift))
        .map_or_else(
            || format!("{bytes} bytes"),
            |(shift, unit)| format!("{} {unit}", bytes >> shift),
        )
}
