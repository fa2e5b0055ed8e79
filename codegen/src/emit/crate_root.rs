//! Emitting `lib.rs`: the crate's docs, its modules and its re-exports.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::{doc_line, inner_doc_attrs, paragraphs};
use super::{cfg_attr, ident};
use crate::ir::Api;

/// A section with a first call made from the API's own methods, when it has one to make.
fn first_call(api: &Api, krate: &str) -> Vec<String> {
    let Some(call) = super::example::first_call(api) else {
        return Vec::new();
    };
    let mut lines = vec![
        String::new(),
        "A first call, with the credentials Google's libraries would find (see \
         [`runtime::auth::Credentials`]):"
            .to_owned(),
        String::new(),
        "```no_run".to_owned(),
        format!("use {krate}::prelude::*;"),
        format!("use {krate}::runtime::auth::Credentials;"),
        String::new(),
        "let client = Client::builder()".to_owned(),
        "    .token_source(Credentials::application_default()?)".to_owned(),
        "    .build()?;".to_owned(),
        format!("let api = {}::new(&client);", api.hub_name),
    ];
    lines.extend(call);
    lines.push("# Ok::<(), Box<dyn std::error::Error>>(())".to_owned());
    lines.push("```".to_owned());
    lines
}

pub fn emit(api: &Api) -> TokenStream {
    let krate = api.crate_name.replace('-', "_");
    let heading = format!("# {} (`{}`)", api.title, api.id);
    let hub = ident(&api.hub_name);
    let provenance = format!(
        "Generated from revision {} of the API's Discovery document. Every schema is a type in \
         [`model`], every method a request builder in [`resources`] reached from the hub, \
         [`{}`], every OAuth scope a [`Scope`]; the shared, hand-written [`runtime`] sends the \
         requests, and one [`Client`] (blocking) or [`AsyncClient`] serves every API crate a \
         program uses.",
        super::docs::one_line(&api.revision),
        api.hub_name
    );
    // A schema with the hub's name stays out of the prelude; say where it is.
    let provenance = if api.types.iter().any(|def| def.name() == api.hub_name) {
        format!(
            "{provenance} The schema of the same name as the hub is [`model::{hub}`]; the \
             prelude's `{hub}` is the hub.",
            hub = api.hub_name
        )
    } else {
        provenance
    };
    let link = api
        .documentation_link
        .as_ref()
        .map(|link| format!("Documentation: {link}"));
    // Google's text is sanitized; ours, with its intra-doc links, goes in as it is.
    let docs = inner_doc_attrs(&paragraphs(
        [
            Some(heading.as_str()),
            Some(api.description.as_str()),
            link.as_deref(),
        ]
        .into_iter()
        .flatten(),
    ));
    // The example is code, not Google's prose: it goes in verbatim.
    let own_lines =
        [
            String::new(),
            provenance,
            String::new(),
            "```no_run".to_owned(),
            format!("use {krate}::prelude::*;"),
            format!("use {krate}::runtime::StaticToken;"),
            String::new(),
            "let client = Client::builder()".to_owned(),
            "    .token_source(StaticToken::new(std::env::var(\"ACCESS_TOKEN\")?))".to_owned(),
            "    .build()?;".to_owned(),
            format!("let api = {}::new(&client);", api.hub_name),
            "# let _ = api;".to_owned(),
            "# Ok::<(), Box<dyn std::error::Error>>(())".to_owned(),
            "```".to_owned(),
            String::new(),
            "In async code, build an [`AsyncClient`] instead: the hub, its builders and their \
             names are the same, and each `send()` is then a future to `.await` (pages and \
             items are `Stream`s, uploads read a `tokio::io::AsyncRead`). One client of either \
             kind serves every API crate a program uses."
                .to_owned(),
            String::new(),
            "```no_run".to_owned(),
            format!("use {krate}::prelude::*;"),
            format!("use {krate}::runtime::StaticToken;"),
            String::new(),
            "# async fn run() -> Result<(), Box<dyn std::error::Error>> {".to_owned(),
            "let client = AsyncClient::builder()".to_owned(),
            "    .token_source(StaticToken::new(std::env::var(\"ACCESS_TOKEN\")?))".to_owned(),
            "    .build_async()?;".to_owned(),
            format!("let api = {}::new(&client);", api.hub_name),
            "# let _ = api;".to_owned(),
            "# Ok(())".to_owned(),
            "# }".to_owned(),
            "```".to_owned(),
        ]
        .into_iter()
        .chain(first_call(api, &krate))
        .chain(trimming(api))
        .chain(super::map::lines(api))
        // The hand-written guide is Markdown with doc tests, like the example: verbatim too.
        .chain(api.guide.iter().flat_map(|guide| {
            std::iter::once(String::new()).chain(guide.lines().map(str::to_owned))
        }))
        .map(doc_line);
    let revision = &api.revision;
    let contract = proc_macro2::Literal::u32_unsuffixed(crate::CONTRACT);
    let contract_message = format!(
        "this crate was generated for version {contract} of the runtime's contract, which this \
         google-api-runtime does not serve: use a google-api-runtime of version {} or a later \
         compatible one, or regenerate the crate",
        crate::RUNTIME_VERSION,
        contract = crate::CONTRACT
    );
    // On docs.rs (nightly, `--cfg docsrs`), each gated item's page names the features it needs.
    let doc_cfg =
        (!api.features.is_empty()).then(|| quote!(#![cfg_attr(docsrs, feature(doc_cfg))]));
    // Types nested deeper than the compiler's default allows (see `lower::depth`).
    let recursion_limit = api.recursion_limit.map(|limit| {
        let limit = limit.to_string();
        quote!(#![recursion_limit = #limit])
    });
    let prelude_types = api.prelude_types.iter().map(|path| {
        let segments = path.split("::").map(ident);
        let cfg = api.features_of(path).map(|features| cfg_attr(&features));
        quote!(#cfg pub use crate::model::#(#segments)::*;)
    });
    quote! {
        #docs
        #(#![doc = #own_lines])*
        #![deny(missing_docs)]
        #![forbid(unsafe_code)]
        #doc_cfg
        #recursion_limit

        /// The shared runtime: the client, auth, errors, retries and wire types. Inlined, so
        /// that this crate's documentation holds it even when built with `--no-deps`.
        #[doc(inline)]
        pub use google_api_runtime as runtime;

        // The runtime's contract with generated code: a runtime that does not serve this
        // crate's version of it says so here rather than through missing items.
        const _: () = ::std::assert!(runtime::contract::supports(#contract), #contract_message);

        #[rustfmt::skip]
        mod json;
        #[rustfmt::skip]
        pub mod model;
        #[rustfmt::skip]
        pub mod resources;
        #[rustfmt::skip]
        mod scopes;

        // In the order rustfmt keeps them, since `cargo fmt` also formats this file.
        pub use resources::#hub;
        pub use runtime::{AsyncClient, Client, Error};
        pub use scopes::Scope;

        /// The revision of the Discovery document this crate was generated from.
        pub const REVISION: &str = #revision;

        /// What most callers need, for a glob import: the clients, their traits, the scopes, and
        /// every method's request and response type with the enums the responses hold.
        #[rustfmt::skip]
        #[allow(deprecated)] // a deprecated request or response type is still re-exported
        pub mod prelude {
            pub use crate::resources::StandardParameters;
            pub use crate::runtime::CallBuilder;
            pub use crate::{AsyncClient, Client, Error, Scope, #hub};
            #(#prelude_types)*
        }
    }
}

/// For an API with resource features: how to compile only the resources a program calls.
fn trimming(api: &Api) -> Vec<String> {
    let Some(first) = api.features.first() else {
        return Vec::new();
    };
    vec![
        String::new(),
        "## Compiling less of a large API".to_owned(),
        String::new(),
        format!(
            "Each top-level resource is a Cargo feature named as its accessor on [`{}`] \
             (`{}`, for one), and all of them are on by default. A program that calls only some \
             resources can turn the others off; the model types they alone need are left out \
             too, which makes the crate much cheaper to build:",
            api.hub_name, first.name
        ),
        String::new(),
        "```toml".to_owned(),
        format!(
            "{} = {{ version = \"...\", default-features = false, features = [\"oauth\", \"{}\"] }}",
            api.crate_name, first.name
        ),
        "```".to_owned(),
    ]
}
