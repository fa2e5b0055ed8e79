//! Emitting the resources module: the API's hub with its accessors, and one struct per resource
//! with the accessor of each of its methods; each method's request builder is in `builders`.

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
                .map(move |method| super::builders::builder_chunk(scope, method, &api.hub_name)),
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
            .chain(resource.methods.iter().map(move |method| {
                super::builders::builder_chunk(scope, method, &resource.type_name)
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
pub(super) fn emit_setter(
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
pub(super) fn method_description(method: &MethodDef) -> String {
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
pub(super) fn method_facts(method: &MethodDef, builder: &str) -> String {
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
