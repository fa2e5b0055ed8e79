//! Lowering: the document becomes the IR, with every name, type and order decided here.

mod depth;
mod features;
mod http_body;
mod idempotency;
mod layout;
mod links;
mod methods;
mod pagination;
mod paths;
mod prelude;
mod responses;
mod types;
mod words;

pub use features::MIN_METHODS as MIN_FEATURE_METHODS;
pub use paths::segments as pattern_segments;

use std::collections::BTreeMap;

use discovery::Document;

use crate::Options;
use crate::error::{Error, JsonPath};
use crate::ir::{Api, ScopeDef, each_method_mut};
use crate::names::{self, Namespace};

pub(crate) use types::TypeLowering;

/// Lowers `document` to the IR, or says what in it cannot be generated and where.
pub fn lower(document: &Document, options: &Options) -> Result<Api, Error> {
    let root = JsonPath::root();
    if document.name.is_empty() {
        return Err(Error::at(&root.key("name"), "the API has no name"));
    }
    if document.version.is_empty() {
        return Err(Error::at(&root.key("version"), "the API has no version"));
    }
    // Older documents give only `baseUrl`, which already includes the service path.
    let root_url = document.effective_root_url().to_owned();
    // Without any root URL the crate still generates, as Google's generators do; the client
    // then needs one (`root_url`), and says so at the first call.
    if !root_url.is_empty() && !root_url.starts_with("http") {
        return Err(Error::at(
            &root.key("rootUrl"),
            "the root URL must be an http(s) URL",
        ));
    }
    let service_path = document.effective_service_path().to_owned();

    let scopes = lower_scopes(document);
    let scope_variants: BTreeMap<String, String> = scopes
        .iter()
        .map(|scope| (scope.url.clone(), scope.variant.clone()))
        .collect();

    let mut type_lowering = TypeLowering::new(document)?;
    type_lowering.lower_schemas()?;
    let mut methods = methods::lower_all(document, &mut type_lowering, &scope_variants)?;
    let modules = type_lowering.module_defs();
    let (mut types, renumbering) = type_lowering.finish();
    let renumber = |id| renumbering.get(id);
    each_method_mut(
        &mut methods.root_methods,
        &mut methods.resources,
        |method| method.renumber(&renumber),
    );
    for param in &mut methods.standard_params {
        param.ty.renumber(&renumber);
    }
    let recursion_limit = depth::recursion_limit(&types);
    http_body::annotate(&types, &mut methods.root_methods, &mut methods.resources);
    pagination::annotate(
        &mut types,
        &mut methods.root_methods,
        &mut methods.resources,
    );
    let responses = responses::responses(&methods.root_methods, &methods.resources);
    let prelude_types = prelude::prelude_types(
        &types,
        &methods.root_methods,
        &methods.resources,
        &methods.hub_name,
    );

    let (features, mut type_features) = features::features(
        &types,
        &methods.root_methods,
        &methods.standard_params,
        &methods.resources,
    );
    for resource in &mut methods.resources {
        resource.feature = features
            .iter()
            .find(|feature| feature.resource == resource.type_name)
            .map(|feature| feature.name.clone());
    }

    let model_files = layout::model_files(&types, &modules);
    let file_features = layout::file_features(&model_files, &types, &type_features);
    type_features.extend(file_features);
    let json_files = layout::json_files(&types, &type_features);
    let mut api = Api {
        crate_name: options
            .crate_name
            .clone()
            .unwrap_or_else(|| default_crate_name(document)),
        id: document.api_id(),
        name: document.name.clone(),
        version: document.version.clone(),
        revision: document
            .revision
            .clone()
            .unwrap_or_else(|| "unknown".to_owned()),
        title: document
            .title
            .clone()
            .unwrap_or_else(|| format!("{} API", document.name)),
        description: document.description.clone().unwrap_or_default(),
        documentation_link: document.documentation_link.clone(),
        root_url,
        service_path,
        scopes,
        types,
        model_files,
        json_files,
        modules,
        hub_name: methods.hub_name,
        recursion_limit,
        standard_params: methods.standard_params,
        root_methods: methods.root_methods,
        resources: methods.resources,
        prelude_types,
        guide: options.guide.as_ref().map(|guide| guide.docs.clone()),
        features,
        type_features,
        responses,
    };
    links::resolve_links(&mut api);
    Ok(api)
}

/// `google-<name>-<version>`, lower case, with `-` for anything not a letter or digit.
fn default_crate_name(document: &Document) -> String {
    crate_name_of(&document.name, document.version.as_str())
}

/// The package name of the crate for API `name` at `version`, unless the options give one.
pub fn crate_name_of(name: &str, version: &str) -> String {
    let raw = format!("google-{name}-{version}");
    raw.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// Every scope the document declares or a method names, sorted by URL.
fn lower_scopes(document: &Document) -> Vec<ScopeDef> {
    let mut namespace = Namespace::default();
    document
        .scopes()
        .into_iter()
        .map(|(url, description)| ScopeDef {
            variant: namespace.claim(names::type_name(scope_stem(&url))),
            url,
            description,
        })
        .collect()
}

/// The distinctive part of a scope URL: `dataportability.myactivity.search` for
/// `https://www.googleapis.com/auth/dataportability.myactivity.search`.
fn scope_stem(url: &str) -> &str {
    let without_scheme = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or(url);
    without_scheme
        .strip_prefix("www.googleapis.com/auth/")
        .unwrap_or(without_scheme)
        .trim_end_matches('/')
}
