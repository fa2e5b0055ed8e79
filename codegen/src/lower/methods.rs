//! Lowering resources and methods: accessors, request builders, parameters and bodies.

use std::collections::{BTreeMap, BTreeSet};

use discovery::{Document, Method, Resource, Schema};

use super::TypeLowering;
use super::idempotency::RequestIds;
use super::paths;
use super::types::Hoist;
use super::words::Words;
use crate::error::{Error, JsonPath};
use crate::ir::{
    CRATE_ROOT_NAMES, HUB_METHODS, Location, MediaDownload, MethodDef, Paging, ParamDef,
    ResourceDef, Scalar, TypeRef, UploadDef,
};
use crate::names::{self, Namespace};

/// Methods every request builder has besides its parameter setters.
const BUILDER_METHODS: &[&str] = &[
    "send",
    "prepare",
    "download",
    "pages",
    "items",
    "upload",
    "upload_resumable",
    "upload_info",
    "decode_upload",
    "timeout",
    "retry_policy",
    "call_mut",
    "clone",
    "fmt",
];
/// Name of the request-body argument.
const BODY_ARGUMENT: &str = "request";

/// The lowered resources and methods of a document.
pub(crate) struct Methods {
    pub hub_name: String,
    pub standard_params: Vec<ParamDef>,
    pub root_methods: Vec<MethodDef>,
    pub resources: Vec<ResourceDef>,
}

/// Lowers the standard parameters, the top-level methods and every resource.
pub(crate) fn lower_all(
    document: &Document,
    types: &mut TypeLowering<'_>,
    scope_variants: &BTreeMap<String, String>,
) -> Result<Methods, Error> {
    let root = JsonPath::root();
    let mut builders = Namespace::with_reserved(&["StandardParameters"]);
    for name in CRATE_ROOT_NAMES {
        builders.claim((*name).to_owned());
    }
    // The hub is named after the API and claimed first: resource and builder names give way.
    let hub_name = builders.claim(names::type_name(
        document
            .canonical_name
            .as_deref()
            .filter(|name| !name.trim().is_empty())
            .unwrap_or(&document.name),
    ));
    let mut lowering = MethodLowering {
        types,
        scope_variants,
        builders,
        standard_wire_names: document.parameters.keys().cloned().collect(),
        standard_setters: Vec::new(),
        request_ids: RequestIds::of(document),
        words: Words::of(document),
    };
    let mut standard_namespace = Namespace::with_reserved(BUILDER_METHODS);
    let mut standard_params = Vec::new();
    for (wire_name, schema) in &document.parameters {
        let path = root.key("parameters").key(wire_name);
        let name = standard_namespace.claim(names::value_name(wire_name));
        let param = lowering.lower_param(wire_name, schema, &name, "", &path)?;
        if param.location != Location::Query {
            return Err(Error::at(
                &path.key("location"),
                "a standard parameter must be a query parameter",
            ));
        }
        standard_params.push(param);
    }
    lowering.standard_setters = standard_params
        .iter()
        .map(|param| names::unraw(&param.name).to_owned())
        .collect();

    // Accessors on the hub: its own methods are the only names they must avoid.
    let mut hub_namespace = Namespace::with_reserved(HUB_METHODS);
    let mut root_methods = Vec::new();
    for (name, method) in &document.methods {
        let path = root.key("methods").key(name);
        root_methods.push(lowering.lower_method(name, method, "", &mut hub_namespace, &path)?);
    }
    let resources = lowering.lower_resources(
        &document.resources,
        "",
        &mut hub_namespace,
        &root.key("resources"),
    )?;
    Ok(Methods {
        hub_name,
        standard_params,
        root_methods,
        resources,
    })
}

struct MethodLowering<'a, 'd> {
    types: &'a mut TypeLowering<'d>,
    scope_variants: &'a BTreeMap<String, String>,
    /// Names taken in the resources module: resource structs and request builders.
    builders: Namespace,
    /// Wire names of the standard parameters: a method parameter of the same name is the same
    /// query parameter, already set through the standard setter.
    standard_wire_names: BTreeSet<String>,
    /// Setter names of the standard parameters, which method setters must not shadow.
    standard_setters: Vec<String>,
    /// Which methods have an idempotency key.
    request_ids: RequestIds,
    /// The document's words, which split run-together names in the types made from them.
    words: Words,
}

/// The method's `apiVersion`, which goes into a header: printable ASCII only, or the document
/// is refused.
fn lower_api_version(method: &Method, path: &JsonPath) -> Result<Option<String>, Error> {
    let Some(version) = method.api_version.as_deref().map(str::trim) else {
        return Ok(None);
    };
    if version.is_empty() {
        return Ok(None);
    }
    if !version.bytes().all(|byte| byte.is_ascii_graphic()) {
        return Err(Error::at(
            &path.key("apiVersion"),
            format!("{version:?} cannot be sent as a header value: printable ASCII only"),
        ));
    }
    Ok(Some(version.to_owned()))
}

/// Whether `resource` or one below it has a method. Iterative: resources nest as deep as a
/// document makes them.
fn has_methods(resource: &Resource) -> bool {
    let mut pending = vec![resource];
    while let Some(resource) = pending.pop() {
        if !resource.methods.is_empty() {
            return true;
        }
        pending.extend(resource.resources.values());
    }
    false
}

impl MethodLowering<'_, '_> {
    fn lower_resources(
        &mut self,
        resources: &BTreeMap<String, Resource>,
        parent_path: &str,
        parent_namespace: &mut Namespace,
        path: &JsonPath,
    ) -> Result<Vec<ResourceDef>, Error> {
        let mut lowered = Vec::with_capacity(resources.len());
        // A resource without a method anywhere below it would be an accessor to nothing (and
        // a struct whose only field is never read): it gets no accessor and no type.
        for (wire_name, resource) in resources.iter().filter(|(_, r)| has_methods(r)) {
            let path = path.key(wire_name);
            let wire_path = if parent_path.is_empty() {
                wire_name.clone()
            } else {
                format!("{parent_path}.{wire_name}")
            };
            let accessor = parent_namespace.claim(names::value_name(wire_name));
            let type_name = self.builders.claim(names::type_name(&format!(
                "{} resource",
                self.words.split_path(&wire_path)
            )));
            let mut namespace = Namespace::with_reserved(&["clone", "fmt"]);
            let mut methods = Vec::with_capacity(resource.methods.len());
            for (method_name, method) in &resource.methods {
                let method_path = path.key("methods").key(method_name);
                methods.push(self.lower_method(
                    method_name,
                    method,
                    &wire_path,
                    &mut namespace,
                    &method_path,
                )?);
            }
            let children = self.lower_resources(
                &resource.resources,
                &wire_path,
                &mut namespace,
                &path.key("resources"),
            )?;
            lowered.push(ResourceDef {
                wire_name: wire_name.clone(),
                wire_path,
                accessor,
                type_name,
                deprecated: resource.deprecated,
                feature: None,
                methods,
                children,
            });
        }
        Ok(lowered)
    }

    fn lower_method(
        &mut self,
        wire_name: &str,
        method: &Method,
        resource_path: &str,
        namespace: &mut Namespace,
        path: &JsonPath,
    ) -> Result<MethodDef, Error> {
        if method.path.is_empty() {
            return Err(Error::at(&path.key("path"), "the method has no path"));
        }
        let http_method = method.http_method.to_ascii_uppercase();
        if !matches!(
            http_method.as_str(),
            "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS"
        ) {
            return Err(Error::at(
                &path.key("httpMethod"),
                format!("unsupported HTTP method {:?}", method.http_method),
            ));
        }
        let accessor = namespace.claim(names::value_name(wire_name));
        // Type names made from the method read as words: `accessproposals list` is
        // `AccessProposalsList...`.
        let spelled = format!(
            "{} {}",
            self.words.split_path(resource_path),
            self.words.split(wire_name)
        );
        let builder = self
            .builders
            .claim(names::type_name(&format!("{spelled} call")));
        let id = if method.id.is_empty() {
            format!("{resource_path}.{wire_name}")
        } else {
            method.id.clone()
        };

        // Required parameters: `parameterOrder` first, then any other required ones by name.
        let mut positional_wire: Vec<&str> = Vec::new();
        for (index, name) in method.parameter_order.iter().enumerate() {
            if !method.parameters.contains_key(name) {
                return Err(Error::at(
                    &path.key("parameterOrder").index(index),
                    format!(
                        "`parameterOrder` names {name:?}, which is not one of the method's parameters"
                    ),
                ));
            }
            if !positional_wire.contains(&name.as_str()) {
                positional_wire.push(name);
            }
        }
        for (name, schema) in &method.parameters {
            let is_path = schema.location.as_deref() == Some("path");
            if (schema.required || is_path) && !positional_wire.contains(&name.as_str()) {
                positional_wire.push(name);
            }
        }

        let mut arguments = Namespace::with_reserved(&["self", BODY_ARGUMENT]);
        let mut reserved_setters: Vec<&str> = BUILDER_METHODS.to_vec();
        reserved_setters.extend(self.standard_setters.iter().map(String::as_str));
        let mut setters = Namespace::with_reserved(&reserved_setters);
        let mut positional = Vec::with_capacity(positional_wire.len());
        for wire in &positional_wire {
            let schema = &method.parameters[*wire];
            let name = arguments.claim(names::value_name(wire));
            let param_path = path.key("parameters").key(wire);
            positional.push(self.lower_param(wire, schema, &name, &spelled, &param_path)?);
        }
        let mut optional = Vec::new();
        for (wire, schema) in &method.parameters {
            if positional_wire.contains(&wire.as_str()) || self.standard_wire_names.contains(wire) {
                continue;
            }
            let name = setters.claim(names::value_name(wire));
            let param_path = path.key("parameters").key(wire);
            optional.push(self.lower_param(wire, schema, &name, &spelled, &param_path)?);
        }
        let template = paths::parse_template(&method.path, &positional, &path.key("path"))?;

        // Bodies are `$ref`s, or inline schemas hoisted into types named after the method.
        let request = match &method.request {
            Some(body) => Some((
                BODY_ARGUMENT.to_owned(),
                self.types.lower_ref(
                    body,
                    &Hoist::into_methods(format!("{spelled} request")),
                    &path.key("request"),
                )?,
            )),
            None => None,
        };
        let response = match &method.response {
            Some(body) => Some(self.types.lower_ref(
                body,
                &Hoist::into_methods(format!("{spelled} response")),
                &path.key("response"),
            )?),
            None => None,
        };
        let media_download = match method.supports_media_download
            && http_method == "GET"
            && method.request.is_none()
        {
            false => MediaDownload::No,
            true if method.use_media_download_service => MediaDownload::DownloadService,
            true => MediaDownload::ServicePath,
        };
        let upload = lower_upload(method, &positional, path)?;
        Ok(MethodDef {
            paging: Paging::No,
            raw_request: None,
            raw_response: None,
            upload,
            media_download,
            id,
            accessor,
            builder,
            http_method,
            path: template,
            description: method.description.clone().unwrap_or_default(),
            deprecated: method.deprecated,
            positional,
            optional,
            request,
            response,
            scopes: method
                .scopes
                .iter()
                .map(|url| self.scope_variants[url].clone())
                .collect(),
            all_scopes: !method.scopes.is_empty()
                && method.scopes.iter().collect::<BTreeSet<_>>()
                    == self.scope_variants.keys().collect::<BTreeSet<_>>(),
            api_version: lower_api_version(method, path)?,
            idempotency_key: self.request_ids.key_of(method).map(str::to_owned),
        })
    }

    /// Lowers one parameter. Enums are hoisted to model types named after `context`.
    fn lower_param(
        &mut self,
        wire_name: &str,
        schema: &Schema,
        name: &str,
        context: &str,
        path: &JsonPath,
    ) -> Result<ParamDef, Error> {
        let location = match schema.location.as_deref() {
            Some("path") => Location::Path,
            Some("query") | None => Location::Query,
            Some(other) => {
                return Err(Error::at(
                    &path.key("location"),
                    format!("unsupported parameter location {other:?}"),
                ));
            }
        };
        // An inline object (or `any`) is taken as a JSON value, so nothing is hoisted for it.
        let inline_object = schema.reference.is_none()
            && (matches!(schema.type_.as_deref(), Some("object" | "any"))
                || !schema.properties.is_empty()
                || schema.additional_properties.is_some());
        let ty = if inline_object {
            TypeRef::Scalar(Scalar::Any)
        } else {
            let place = Hoist::into_methods(format!("{context} {wire_name}"));
            self.types.lower_ref(schema, &place, path)?
        };
        let scalar_or_enum = match &ty {
            TypeRef::Scalar(Scalar::Any) => false,
            TypeRef::Scalar(_) => true,
            TypeRef::Named(_) => !schema.enum_values.is_empty(),
            TypeRef::List(_) | TypeRef::Map(_) => false,
        };
        let mut description = schema.description.clone().unwrap_or_default();
        // An object (or `any`) in the query: the caller gives a JSON value, which the runtime
        // sends the way Google's transcoding reads message-typed query parameters.
        let ty = match (scalar_or_enum, location) {
            (true, _) => ty,
            (false, Location::Query) => {
                description.push_str(&format!(
                    "\n\nA JSON value, sent as `{wire_name}.field=value` pairs (nested fields dotted, \
                     list elements repeated)."
                ));
                TypeRef::Scalar(Scalar::Any)
            }
            (false, Location::Path) => {
                return Err(Error::at(
                    path,
                    "unsupported path parameter type: a path parameter must be a string, number, \
                     boolean or enum",
                ));
            }
        };
        Ok(ParamDef {
            name: name.to_owned(),
            wire_name: wire_name.to_owned(),
            location,
            ty,
            repeated: schema.repeated,
            description,
            pattern: schema
                .pattern
                .as_deref()
                .filter(|_| location == Location::Path)
                .map(|pattern| paths::classify_pattern(pattern, name)),
            default: schema.default.clone(),
            deprecated: schema.deprecated,
        })
    }
}

/// A method's media uploads: the simple protocol's path (else the resumable one's; both
/// clients Google ships send every upload type to the simple path), the accepted media ranges
/// and the size limit. `None` when the method takes no uploads or the document names no path.
fn lower_upload(
    method: &Method,
    positional: &[ParamDef],
    path: &JsonPath,
) -> Result<Option<UploadDef>, Error> {
    let Some(media) = method.media_upload.as_ref() else {
        return Ok(None);
    };
    let upload_path = ["simple", "resumable"].into_iter().find_map(|protocol| {
        let template = media.protocols.get(protocol)?.path.as_deref()?;
        Some((protocol, template))
    });
    let Some((protocol, template)) = upload_path else {
        return Ok(None);
    };
    let template_path = path
        .key("mediaUpload")
        .key("protocols")
        .key(protocol)
        .key("path");
    let template =
        paths::parse_template(template.trim_start_matches('/'), positional, &template_path)?;
    let max_size = match media.max_size.as_deref() {
        Some(text) => Some(parse_size(text).ok_or_else(|| {
            Error::at(
                &path.key("mediaUpload").key("maxSize"),
                format!(
                    "maxSize {text:?} is not a size such as 1073741824, 10MB or 1.5GB; an \
                     unreadable limit is refused rather than taken for none"
                ),
            )
        })?),
        None => None,
    };
    Ok(Some(UploadDef {
        path: template,
        accept: media.accept.clone(),
        max_size,
    }))
}

/// A `maxSize` in bytes: a number of bytes, or a number with a unit (`B`, `KB`, `MB`, `GB`,
/// `TB`, each 1024 times the one before), which may have a fraction (`1.5GB`, rounded down to a
/// byte). `None` for anything else: negative, empty, an unknown unit, or more than a `u64`.
fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let number_end = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(number_end);
    let shift = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "KB" => 10,
        "MB" => 20,
        "GB" => 30,
        "TB" => 40,
        _ => return None,
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() || fraction.contains('.') || (number.contains('.') && fraction.is_empty()) {
        return None;
    }
    let bytes = whole.parse::<u64>().ok()?.checked_mul(1u64 << shift)?;
    // The fraction's share, exactly: digits / 10^len of one unit, rounded down. Digits past
    // the nineteenth cannot change a whole byte of a unit of at most 2^40.
    let digits = &fraction[..fraction.len().min(19)];
    let extra = if digits.is_empty() {
        0
    } else {
        let numerator = u128::from(digits.parse::<u64>().ok()?) << shift;
        u64::try_from(numerator / 10u128.pow(digits.len() as u32)).ok()?
    };
    bytes.checked_add(extra)
}

#[cfg(test)]
mod size_tests {
    use super::parse_size;

    #[test]
    fn sizes_are_read_or_refused() {
        for (text, bytes) in [
            ("1073741824", Some(1_073_741_824)),
            ("1GB", Some(1 << 30)),
            ("10 MB", Some(10 << 20)),
            ("1.5MB", Some(3 << 19)),
            ("0.5KB", Some(512)),
            ("5120GB", Some(5120 << 30)),
            ("1kb", Some(1024)),
            ("-1", None),
            ("", None),
            ("MB", None),
            ("1.MB", None),
            (".5MB", None),
            ("1.2.3MB", None),
            ("10XB", None),
            ("99999999999999999999GB", None),
            ("16777216TB", None),
        ] {
            assert_eq!(parse_size(text), bytes, "{text:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn upload_sizes_in_bytes_or_with_a_unit() {
        assert_eq!(parse_size("5497558138880"), Some(5_497_558_138_880));
        assert_eq!(parse_size("1GB"), Some(1 << 30));
        assert_eq!(parse_size("10mb"), Some(10 << 20));
        assert_eq!(parse_size("5120 GB"), Some(5120 << 30));
        assert_eq!(parse_size("lots"), None);
        assert_eq!(parse_size("99999999999TB"), None);
    }
}
