//! Emitting the resources module: the API's hub with its accessors, one struct per resource,
//! and one request builder per method. Builders only describe a call; the runtime sends it.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::{code, paragraphs};
use super::paths::PathCode;
use super::text::{self, Ty};
use super::{Chunk, RustFile, Scope, cfg_attr, file_module, ident, module_allows, rust_ty};
use crate::ir::{
    Api, Location, MediaDownload, MethodDef, Paging, ParamDef, ResourceDef, Scalar, TypeRef,
};

/// `src/resources.rs`: the module's docs, a file module for each top-level resource, the
/// service, the hub, the standard parameters and the hub's own methods.
pub fn emit(api: &Api) -> Vec<Chunk<'_>> {
    let scope = Scope::elsewhere(api);
    std::iter::once(Chunk::new(move || emit_header(api)))
        .chain(
            api.root_methods
                .iter()
                .map(move |method| builder_chunk(scope, method, &api.hub_name)),
        )
        .collect()
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
                Chunk::text(None, move |_| {
                    let mut out = String::with_capacity(16384);
                    emit_resource(&mut out, scope, resource);
                    text::settle(out, 0)
                }),
            ]
            .into_iter()
            .chain(
                resource
                    .methods
                    .iter()
                    .map(move |method| builder_chunk(scope, method, &resource.type_name)),
            )
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
        let mut accessor = String::new();
        resource_accessor(&mut accessor, 0, resource, ("&self.service", "'_"), feature);
        let accessor = lexed(&accessor);
        let placeholder = feature.map(|feature| feature_off_accessor(api, resource, feature));
        quote!(#accessor #placeholder)
    });
    let mut root_methods = String::new();
    for method in &api.root_methods {
        method_accessor(&mut root_methods, 0, scope, method, ("&self.service", "'_"));
    }
    let root_methods = lexed(&root_methods);
    let mut standard_setters = String::new();
    for param in &api.standard_params {
        emit_setter(
            &mut standard_setters,
            0,
            scope,
            param,
            ("", "self.call_mut()"),
        );
    }
    let standard_setters = lexed(&standard_setters);
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
            #root_methods
        }

        /// The parameters every method takes (`fields`, `quotaUser`, ...), as setters on every
        /// request builder.
        pub trait StandardParameters: crate::runtime::CallBuilder {
            #standard_setters
        }
    }
}

/// Writes the accessor that returns a resource, on the hub or on its parent resource, at
/// `indent`. `service` reaches the service from the accessor's `self`; `lifetime` is how long
/// the result may borrow it (`'_` from the hub itself, `'a` from a resource, which is only a
/// handle).
fn resource_accessor(
    out: &mut String,
    indent: usize,
    resource: &ResourceDef,
    (service, lifetime): (&str, &str),
    feature: Option<&str>,
) {
    let type_name = &resource.type_name;
    text::doc_comment(
        out,
        indent,
        &format!(" The `{}` resource.", resource.wire_path),
    );
    if let Some(feature) = feature {
        text::doc_comment(out, indent, "");
        text::doc_comment(
            out,
            indent,
            &format!(
                " Needs the Cargo feature `{feature}`, one of the default features; a build \
                 without it has no such resource."
            ),
        );
    }
    if resource.deprecated {
        text::line(out, indent, "#[deprecated]");
    }
    if let Some(feature) = feature {
        text::Cfg::new(&[feature.to_owned()]).write(out, indent);
    }
    let returned = Ty::of(
        type_name.as_str(),
        vec![Ty::plain(lifetime), Ty::plain("C")],
    );
    let head = format!("pub fn {}", resource.accessor);
    text::signature(out, indent, &head, &[("&self", None)], &returned);
    text::line(out, indent + 1, &format!("{type_name} {{"));
    text::line(out, indent + 2, &format!("service: {service},"));
    text::line(out, indent + 1, "}");
    text::line(out, indent, "}");
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
fn emit_resource(out: &mut String, scope: Scope<'_>, resource: &ResourceDef) {
    let type_name = &resource.type_name;
    let doc = format!(" Methods of the `{}` resource.", resource.wire_path);
    text::doc_comment(out, 0, &doc);
    if resource.deprecated {
        text::line(out, 0, "#[deprecated]");
    }
    text::line(out, 0, "#[derive(Debug)]");
    let generics = vec![Ty::plain("'a"), Ty::plain("C = crate::Client")];
    text::typed(
        out,
        0,
        "pub struct ",
        &Ty::of(type_name.as_str(), generics),
        " {",
    );
    text::line(
        out,
        1,
        "pub(super) service: &'a crate::runtime::contract::Service<C>,",
    );
    text::line(out, 0, "}");
    // By hand: a derive would ask the client to be `Copy` too.
    text::impl_header(
        out,
        0,
        "impl<C> ::std::clone::Clone",
        &format!("{type_name}<'_, C>"),
    );
    text::line(out, 1, "fn clone(&self) -> Self {");
    text::line(out, 2, "*self");
    text::line(out, 1, "}");
    text::line(out, 0, "}");
    text::impl_line(
        out,
        0,
        "impl<C> ::std::marker::Copy",
        &format!("{type_name}<'_, C> {{}}"),
    );
    let generics = vec![Ty::plain("'a"), Ty::plain("C: crate::runtime::Backend")];
    let opening = format!(" {type_name}<'a, C> {{");
    text::typed(out, 0, "", &Ty::of("impl", generics), &opening);
    for child in &resource.children {
        resource_accessor(out, 1, child, ("self.service", "'a"), None);
    }
    for method in &resource.methods {
        method_accessor(out, 1, scope, method, ("self.service", "'a"));
    }
    text::line(out, 0, "}");
}

/// How a parameter value is taken as an argument (its type), and how it becomes its wire
/// string.
fn param_input(scope: Scope<'_>, param: &ParamDef) -> (Ty, String) {
    let name = &param.name;
    match &param.ty {
        TypeRef::Scalar(Scalar::String) => (
            Ty::of(
                "impl ::std::convert::Into",
                vec![Ty::plain("::std::string::String")],
            ),
            format!("{name}.into()"),
        ),
        TypeRef::Named(_) => (
            rust_ty(&param.ty, scope),
            format!("{name}.as_str().to_owned()"),
        ),
        ty => (rust_ty(ty, scope), format!("{name}.to_string()")),
    }
}

/// Writes the statements that put a parameter's value into the call `call` reaches, at
/// `indent`.
fn store_param(out: &mut String, indent: usize, scope: Scope<'_>, param: &ParamDef, call: &str) {
    let wire = text::literal(&param.wire_name);
    let name = &param.name;
    let (_, to_wire) = param_input(scope, param);
    // A JSON value is flattened into `name.field=value` pairs by the runtime.
    let (method, value) = if param.ty == TypeRef::Scalar(Scalar::Any) {
        ("add_query_value", format!("&{name}"))
    } else {
        match (param.location, param.repeated) {
            (Location::Path, _) => ("set_path", to_wire),
            (Location::Query, false) => ("set_query", to_wire),
            (Location::Query, true) => ("add_query", to_wire),
        }
    };
    if param.repeated {
        text::line(out, indent, &format!("for {name} in {name} {{"));
        out.push_str(&text::call(
            indent + 1,
            (call, method),
            &[&wire, &value],
            (";", ";"),
        ));
        text::line(out, indent, "}");
    } else {
        out.push_str(&text::call(
            indent,
            (call, method),
            &[&wire, &value],
            (";", ";"),
        ));
    }
}

/// The argument declaration of a parameter, as the text before its type and the type; a
/// repeated one takes any iterable.
fn argument(scope: Scope<'_>, param: &ParamDef) -> (String, Ty) {
    let (ty, _) = param_input(scope, param);
    let ty = if param.repeated {
        Ty::of(
            "impl ::std::iter::IntoIterator",
            vec![Ty {
                head: format!("Item = {}", ty.head),
                args: ty.args,
            }],
        )
    } else {
        ty
    };
    (format!("{}: ", param.name), ty)
}

/// `text`, the generator's own Rust, as tokens, for the items still made as tokens.
fn lexed(text: &str) -> TokenStream {
    text.parse()
        .expect("Rust text the generator wrote lexes; this is a generator bug")
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

/// Writes the accessor that starts a call at `indent`: required parameters and the body are its
/// arguments. `service` reaches the service from the accessor's `self`, `lifetime` is how long
/// the builder may borrow it.
fn method_accessor(
    out: &mut String,
    indent: usize,
    scope: Scope<'_>,
    method: &MethodDef,
    (service, lifetime): (&str, &str),
) {
    let builder = &method.builder;
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
    let description = paragraphs(
        [
            Some(method_description(method).as_str()),
            arguments_doc.as_deref(),
        ]
        .into_iter()
        .flatten(),
    );
    text::docs(out, indent, &description);
    let facts = method_facts(method, &format!("{builder}::"));
    text::own_docs(out, indent, &format!("\n{facts}"));
    if method.deprecated {
        text::line(out, indent, "#[deprecated]");
    }
    let mut arguments: Vec<(String, Ty)> = method
        .positional
        .iter()
        .map(|param| argument(scope, param))
        .collect();
    if let Some((name, ty)) = &method.request {
        arguments.push((format!("{name}: "), rust_ty(ty, scope)));
    }
    let params: Vec<(&str, Option<&Ty>)> = std::iter::once(("&self", None))
        .chain(arguments.iter().map(|(name, ty)| (name.as_str(), Some(ty))))
        .collect();
    let returned = Ty::of(builder.as_str(), vec![Ty::plain(lifetime), Ty::plain("C")]);
    text::signature(
        out,
        indent,
        &format!("pub fn {}", method.accessor),
        &params,
        &returned,
    );
    let body = indent + 1;
    let paths = PathCode::new(method);
    paths.write_use(out, body);
    // Only what differs from `MethodInfo::BASE` is written.
    text::line(out, body, "static METHOD: MethodInfo = MethodInfo {");
    text::line(
        out,
        body + 1,
        &format!("id: {},", text::literal(&method.id)),
    );
    let http_method = text::literal(&method.http_method);
    text::line(out, body + 1, &format!("http_method: {http_method},"));
    text::line(
        out,
        body + 1,
        &format!("path: {},", text::literal(&method.path.text)),
    );
    let optional = [
        ("api_version", &method.api_version),
        ("idempotency_key", &method.idempotency_key),
    ];
    for (field, value) in optional {
        if let Some(value) = value {
            let value = text::literal(value);
            let line = format!("{field}: ::std::option::Option::Some({value}),");
            text::line(out, body + 1, &line);
        }
    }
    text::line(out, body + 1, "..MethodInfo::BASE");
    text::line(out, body, "};");
    paths.write_statics(out, body);
    let call_mut = if method.positional.is_empty() {
        ""
    } else {
        "mut "
    };
    text::line(
        out,
        body,
        &format!("let {call_mut}call = {};", paths.new_call()),
    );
    for param in &method.positional {
        store_param(out, body, scope, param, "call");
    }
    text::line(out, body, &format!("{builder} {{"));
    text::line(out, body + 1, &format!("service: {service},"));
    text::line(out, body + 1, "call,");
    if let Some((name, _)) = &method.request {
        text::line(out, body + 1, &format!("{name},"));
    }
    text::line(out, body, "}");
    text::line(out, indent, "}");
}

/// Writes the setter of an optional parameter at `indent`; `call` reaches the builder's `Call`,
/// `visibility` is `pub ` or nothing.
fn emit_setter(
    out: &mut String,
    indent: usize,
    scope: Scope<'_>,
    param: &ParamDef,
    (visibility, call): (&str, &str),
) {
    text::docs(out, indent, &param_docs(param));
    if param.deprecated {
        text::line(out, indent, "#[deprecated]");
    }
    let (prefix, ty) = argument(scope, param);
    text::signature(
        out,
        indent,
        &format!("{visibility}fn {}", param.name),
        &[("mut self", None), (&prefix, Some(&ty))],
        &Ty::plain("Self"),
    );
    store_param(out, indent + 1, scope, param, call);
    text::line(out, indent + 1, "self");
    text::line(out, indent, "}");
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

/// A method's request builder, a chunk of its own (so a large resource's file is laid out on
/// every core), written as text.
fn builder_chunk<'a>(scope: Scope<'a>, method: &'a MethodDef, owner: &'a str) -> Chunk<'a> {
    Chunk::text(None, move |_| {
        let mut out = String::with_capacity(8192);
        emit_builder(&mut out, scope, method, owner);
        text::settle(out, 0)
    })
}

/// The request builder type of one method: one generic builder, whose `send()` (and pages,
/// downloads, uploads) return what the client's kind returns.
fn emit_builder(out: &mut String, scope: Scope<'_>, method: &MethodDef, owner: &str) {
    let builder = &method.builder;
    let accessor = crate::names::unraw(&method.accessor);
    let how = format!(
        "Made by [`{owner}::{accessor}`]. Set its optional parameters with its methods and the \
         [standard ones](crate::resources::StandardParameters), then [`send`](Self::send) it."
    );
    text::docs(out, 0, &method_description(method));
    text::own_docs(
        out,
        0,
        &format!("\n{}\n\n{how}", method_facts(method, "Self::")),
    );
    text::line(out, 0, "#[derive(Clone, Debug)]");
    text::line(
        out,
        0,
        "#[must_use = \"a request builder does nothing until it is sent\"]",
    );
    let generics = vec![Ty::plain("'a"), Ty::plain("C = crate::Client")];
    text::typed(
        out,
        0,
        "pub struct ",
        &Ty::of(builder.as_str(), generics),
        " {",
    );
    text::line(out, 1, "service: &'a crate::runtime::contract::Service<C>,");
    text::line(out, 1, "call: crate::runtime::contract::Call,");
    if let Some((name, ty)) = &method.request {
        text::typed_field(out, 1, &format!("{name}: "), &rust_ty(ty, scope));
    }
    text::line(out, 0, "}");
    text::line(out, 0, &format!("impl {builder}<'_> {{"));
    text::line(
        out,
        1,
        "/// The OAuth scopes any one of which allows this call.",
    );
    scopes_const(out, method);
    text::line(out, 0, "}");
    let generics = vec![Ty::plain("'a"), Ty::plain("C: crate::runtime::Backend")];
    let opening = format!(" {builder}<'a, C> {{");
    text::typed(out, 0, "", &Ty::of("impl", generics), &opening);
    for param in &method.optional {
        emit_setter(out, 1, scope, param, ("pub ", "self.call"));
    }
    emit_prepare(out, method);
    if let Some(use_download_service) = match method.media_download {
        MediaDownload::No => None,
        MediaDownload::ServicePath => Some(false),
        MediaDownload::DownloadService => Some(true),
    } {
        text::own_docs(
            out,
            1,
            "Downloads the content itself (`alt=media`) instead of its metadata, as a stream:\n\
             a [`Download`](crate::runtime::Download) to read with a blocking client, an\n\
             [`AsyncDownload`](crate::runtime::AsyncDownload) with an async one.",
        );
        let reply = backend_type("Reply", vec![Ty::plain("C::Download")]);
        text::signature(out, 1, "pub fn download", &[("mut self", None)], &reply);
        text::line(
            out,
            2,
            &format!("self.call.set_download_service({use_download_service});"),
        );
        text::line(out, 2, "C::download_media(self.service, self.call)");
        text::line(out, 1, "}");
    }
    let (response_type, decoder) = response_decoder(scope, method);
    text::own_docs(
        out,
        1,
        "Sends the request and returns the response: the result itself with a blocking\n\
         client, a future of it with an async one.",
    );
    let reply = backend_type("Reply", vec![response_type]);
    text::signature(out, 1, "pub fn send", &[("self", None)], &reply);
    ready_call(out, method);
    out.push_str(&text::call_fn(
        2,
        "C::execute",
        &["self.service", "call", &decoder],
        "",
    ));
    text::line(out, 1, "}");
    match method.paging {
        Paging::No => {}
        Paging::Pages => emit_paging(out, scope, method, false),
        Paging::Items => emit_paging(out, scope, method, true),
    }
    if let Some(upload) = &method.upload {
        emit_uploads(out, scope, method, upload);
    }
    text::line(out, 0, "}");
    text::impl_line(
        out,
        0,
        "impl<C: crate::runtime::Backend> crate::runtime::CallBuilder",
        &format!("{builder}<'_, C> {{"),
    );
    text::line(
        out,
        1,
        "fn call_mut(&mut self) -> &mut crate::runtime::contract::Call {",
    );
    text::line(out, 2, "&mut self.call");
    text::line(out, 1, "}");
    text::line(out, 0, "}");
    text::impl_line(
        out,
        0,
        "impl<C: crate::runtime::Backend> crate::resources::StandardParameters",
        &format!("{builder}<'_, C> {{}}"),
    );
}

/// `<C as crate::runtime::Backend>::{name}<'a, {args}>`, what a builder's method returns.
fn backend_type(name: &str, args: Vec<Ty>) -> Ty {
    Ty::of(
        format!("<C as crate::runtime::Backend>::{name}"),
        std::iter::once(Ty::plain("'a")).chain(args).collect(),
    )
}

/// The builder's `SCOPES`: every scope of the API, or those the method names.
fn scopes_const(out: &mut String, method: &MethodDef) {
    const DECLARATION: &str = "pub const SCOPES: &'static [crate::Scope] = ";
    if method.all_scopes {
        return text::line(out, 1, &format!("{DECLARATION}crate::Scope::ALL;"));
    }
    let variants: Vec<String> = method
        .scopes
        .iter()
        .map(|variant| format!("crate::Scope::{variant}"))
        .collect();
    let whole = format!("{DECLARATION}&[{}];", variants.join(", "));
    if text::fits_at(1, &whole) {
        return text::line(out, 1, &whole);
    }
    text::line(out, 1, &format!("{DECLARATION}&["));
    for variant in &variants {
        text::line(out, 2, &format!("{variant},"));
    }
    text::line(out, 1, "];");
}

/// `prepare()`: the request without sending it.
fn emit_prepare(out: &mut String, method: &MethodDef) {
    text::own_docs(
        out,
        1,
        "The request this call would send, without sending it (and so without an\n\
         `Authorization` header).",
    );
    let result = Ty::of(
        "::std::result::Result",
        vec![
            Ty::plain("crate::runtime::PreparedRequest"),
            Ty::plain("crate::Error"),
        ],
    );
    text::signature(out, 1, "pub fn prepare", &[("&self", None)], &result);
    match &method.request {
        Some((name, _)) => {
            text::line(out, 2, "let mut call = self.call.clone();");
            // A raw body is taken apart, so `prepare` (which only borrows) takes a copy.
            match &method.raw_request {
                Some(raw) => set_raw_body(out, raw, &format!("self.{name}.clone()")),
                None => text::line(out, 2, &format!("call.write_json_body(&self.{name});")),
            }
            text::line(out, 2, "self.service.prepare(&call)");
        }
        None => text::line(out, 2, "self.service.prepare(&self.call)"),
    }
    text::line(out, 1, "}");
}

/// Writes the statements that leave the call to send in `call`, as a `Result`: with its body,
/// or the error of a JSON body that could not be serialized (sent back by the call, not raised
/// here).
fn ready_call(out: &mut String, method: &MethodDef) {
    let Some((name, _)) = &method.request else {
        return text::line(out, 2, "let call = ::std::result::Result::Ok(self.call);");
    };
    text::line(out, 2, "let mut call = self.call;");
    match &method.raw_request {
        Some(raw) => set_raw_body(out, raw, &format!("self.{name}")),
        None => text::line(out, 2, &format!("call.write_json_body(&self.{name});")),
    }
    text::line(out, 2, "let call = ::std::result::Result::Ok(call);");
}

/// The Rust type a method answers with, and the function that reads it: the model type's
/// `Decode` or `RawBody`, else the runtime's JSON reader for lists and maps.
fn response_decoder(scope: Scope<'_>, method: &MethodDef) -> (Ty, String) {
    match (&method.response, &method.raw_response) {
        (Some(ty), Some(_)) => {
            let ty = rust_ty(ty, scope);
            let decoder = format!("crate::runtime::contract::raw::<{}>", ty.flat());
            (ty, decoder)
        }
        (Some(named @ TypeRef::Named(_)), None) => {
            let ty = rust_ty(named, scope);
            let decoder = format!(
                "<{} as crate::runtime::contract::Decode>::decode",
                ty.flat()
            );
            (ty, decoder)
        }
        (Some(other), None) => {
            let ty = rust_ty(other, scope);
            let decoder = format!("crate::runtime::contract::read::<{}>", ty.flat());
            (ty, decoder)
        }
        (None, _) => (
            Ty::plain("()"),
            "crate::runtime::contract::ignore".to_owned(),
        ),
    }
}

/// Writes `call.set_raw_body(..)` from the fields of an `HttpBody` value, `body`.
fn set_raw_body(out: &mut String, raw: &crate::ir::RawBodyDef, body: &str) {
    let (content_type, data) = (&raw.content_type_field, &raw.data_field);
    text::line(out, 2, &format!("let body = {body};"));
    text::line(out, 2, "call.set_raw_body(");
    text::line(
        out,
        3,
        &format!("body.{data}.map(crate::runtime::Bytes::into_vec).unwrap_or_default(),"),
    );
    text::line(out, 3, &format!("body.{content_type},"));
    text::line(out, 2, ");");
}

/// `pages()` and, when the pages have items, `items()` on the builder of a list method.
fn emit_paging(out: &mut String, scope: Scope<'_>, method: &MethodDef, has_items: bool) {
    let Some(response) = &method.response else {
        // Lowering pages only methods that answer with a page.
        return;
    };
    let response = rust_ty(response, scope);
    text::own_docs(
        out,
        1,
        "Every page of the list, from the page token set on this call (if any), following\n\
         `nextPageToken` until it is absent or empty: an `Iterator` with a blocking client, a\n\
         `Stream` with an async one. Each page is one call with this call's timeout and\n\
         retries; an error ends the list, and a page token the server hands out twice is an\n\
         error rather than an endless loop.",
    );
    let pages = backend_type("Pages", vec![response.clone()]);
    text::signature(out, 1, "pub fn pages", &[("self", None)], &pages);
    ready_call(out, method);
    text::line(out, 2, "C::pages(self.service, call)");
    text::line(out, 1, "}");
    if has_items {
        text::own_docs(
            out,
            1,
            "Every item of every page, fetched page by page as [`pages`](Self::pages) does.",
        );
        let items = backend_type("Items", vec![response]);
        text::signature(out, 1, "pub fn items", &[("self", None)], &items);
        text::line(out, 2, "C::items(self.pages())");
        text::line(out, 1, "}");
    }
}

/// `upload()` and `upload_resumable()` on the builder of a method that takes media.
fn emit_uploads(
    out: &mut String,
    scope: Scope<'_>,
    method: &MethodDef,
    upload: &crate::ir::UploadDef,
) {
    // The body, when the method has one (and it is JSON), is the upload's metadata.
    let with_metadata = method.request.is_some() && method.raw_request.is_none();
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
    text::line(
        out,
        1,
        "/// Where and what this method uploads, as its document says.",
    );
    text::line(
        out,
        1,
        "fn upload_info() -> &'static crate::runtime::contract::UploadInfo {",
    );
    text::line(out, 2, "use crate::runtime::contract::UploadInfo;");
    text::line(out, 2, "static UPLOAD: UploadInfo = UploadInfo {");
    text::line(
        out,
        3,
        &format!("path: {},", text::literal(&upload.path.text)),
    );
    // Only what differs from `UploadInfo::BASE` is written.
    if !upload.accept.is_empty() {
        let ranges: Vec<String> = upload
            .accept
            .iter()
            .map(|range| text::literal(range))
            .collect();
        text::line(out, 3, &format!("accept: &[{}],", ranges.join(", ")));
    }
    if let Some(bytes) = upload.max_size {
        text::line(
            out,
            3,
            &format!("max_size: ::std::option::Option::Some({bytes}u64),"),
        );
    }
    text::line(out, 3, "..UploadInfo::BASE");
    text::line(out, 2, "};");
    text::line(out, 2, "&UPLOAD");
    text::line(out, 1, "}");
    let ready = |out: &mut String| {
        if with_metadata {
            ready_call(out, method);
        } else {
            text::line(out, 2, "let call = ::std::result::Result::Ok(self.call);");
        }
    };
    let args = [
        "content",
        "self.service",
        "call",
        "Self::upload_info()",
        "mime",
        &decoder,
    ];
    text::doc_comment(out, 1, &simple_doc);
    let reply = backend_type("Reply", vec![response_type.clone()]);
    let content_param = Ty::plain("impl crate::runtime::Content<C> + 'a");
    text::signature(
        out,
        1,
        "pub fn upload",
        &[
            ("self", None),
            ("content: ", Some(&content_param)),
            ("mime: &str", None),
        ],
        &reply,
    );
    ready(out);
    out.push_str(&text::call_fn(
        2,
        "crate::runtime::Content::upload",
        &args,
        "",
    ));
    text::line(out, 1, "}");
    text::doc_comment(out, 1, &resumable_doc);
    let resumable = backend_type("Resumable", vec![response_type, Ty::plain("X")]);
    text::signature(
        out,
        1,
        "pub fn upload_resumable<X: crate::runtime::Content<C> + 'a>",
        &[("self", None), ("content: X", None), ("mime: &str", None)],
        &resumable,
    );
    ready(out);
    out.push_str(&text::call_fn(
        2,
        "crate::runtime::Content::upload_resumable",
        &args,
        "",
    ));
    text::line(out, 1, "}");
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
