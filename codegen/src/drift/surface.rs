//! The surface of a document: what a client sends and receives, in canonical form, and the
//! public Rust items of the crate generated from it.

use std::collections::{BTreeMap, BTreeSet};

use discovery::{Document, Method, Schema};

/// Everything on the wire, by stable keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Surface {
    /// `name:version`.
    pub id: String,
    /// The document's revision.
    pub revision: String,
    /// Root URL.
    pub root_url: String,
    /// Service path.
    pub service_path: String,
    /// Scopes by URL, with their descriptions.
    pub scopes: BTreeMap<String, String>,
    /// Parameters every method takes, by name.
    pub standard_params: BTreeMap<String, Param>,
    /// Methods by id.
    pub methods: BTreeMap<String, MethodSurface>,
    /// Named schemas by id.
    pub schemas: BTreeMap<String, Shape>,
    /// The public items of the generated crate, by path (see [`super::rust_surface`]).
    pub rust: BTreeSet<String>,
    /// Why no crate would be generated, when none would.
    pub rust_error: Option<String>,
}

/// One method on the wire.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MethodSurface {
    pub verb: String,
    pub path: String,
    pub request: Option<String>,
    pub response: Option<String>,
    pub scopes: BTreeSet<String>,
    pub params: BTreeMap<String, Param>,
    /// Whether `alt=media` downloads the content, and through which service path.
    pub media_download: Option<String>,
    /// Media upload: accepted types, largest size and protocols, when the method takes it.
    pub media_upload: Option<String>,
    pub deprecated: bool,
    pub description: String,
}

/// One parameter on the wire.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Param {
    pub location: String,
    pub ty: String,
    pub required: bool,
    pub repeated: bool,
    pub pattern: Option<String>,
    pub enum_values: BTreeSet<String>,
    pub deprecated: bool,
    pub description: String,
}

/// A schema, a property, an array's items or a map's values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shape {
    /// Canonical type: `object`, `map`, `array`, `any`, `$ref:Name`, or `type` / `type(format)`.
    pub ty: String,
    pub properties: BTreeMap<String, Shape>,
    pub items: Option<Box<Shape>>,
    pub values: Option<Box<Shape>>,
    pub enum_values: BTreeSet<String>,
    pub read_only: bool,
    pub deprecated: bool,
    pub description: String,
}

impl Surface {
    /// The surface of `document`.
    pub fn of(document: &Document) -> Surface {
        let (rust, rust_error) = match super::rust_surface::of(document) {
            Ok(items) => (items, None),
            Err(error) => (BTreeSet::new(), Some(error)),
        };
        let methods = document
            .every_method()
            .into_iter()
            .map(|entry| (entry.method.id.clone(), method_surface(entry.method)))
            .collect();
        Surface {
            id: document.api_id(),
            revision: document.revision.clone().unwrap_or_default(),
            root_url: document.effective_root_url().to_owned(),
            service_path: document.effective_service_path().to_owned(),
            scopes: document.scopes(),
            standard_params: document
                .parameters
                .iter()
                .map(|(name, schema)| (name.clone(), param(schema)))
                .collect(),
            methods,
            schemas: document
                .schemas
                .iter()
                .map(|(name, schema)| (name.clone(), shape(schema)))
                .collect(),
            rust,
            rust_error,
        }
    }
}

fn method_surface(method: &Method) -> MethodSurface {
    MethodSurface {
        verb: method.http_method.to_ascii_uppercase(),
        path: method.path.clone(),
        request: method.request.as_ref().map(body),
        response: method.response.as_ref().map(body),
        scopes: method.scopes.iter().cloned().collect(),
        params: method
            .parameters
            .iter()
            .map(|(name, schema)| (name.clone(), param(schema)))
            .collect(),
        media_download: method.supports_media_download.then(|| {
            if method.use_media_download_service {
                "via download/".to_owned()
            } else {
                "alt=media".to_owned()
            }
        }),
        media_upload: method
            .supports_media_upload
            .then(|| media_upload(method.media_upload.as_ref())),
        deprecated: method.deprecated,
        description: method.description.clone().unwrap_or_default(),
    }
}

/// What a method's media upload takes, in one line: accepted types, largest size, protocols
/// with their paths.
fn media_upload(upload: Option<&discovery::MediaUpload>) -> String {
    let Some(upload) = upload else {
        return "accept */*".to_owned();
    };
    let accept = if upload.accept.is_empty() {
        "*/*".to_owned()
    } else {
        upload.accept.join(",")
    };
    let mut text = format!("accept {accept}");
    if let Some(max) = &upload.max_size {
        text.push_str(&format!(" max {max}"));
    }
    for (protocol, details) in &upload.protocols {
        text.push_str(&format!(
            " {protocol}:{}",
            details.path.as_deref().unwrap_or_default()
        ));
    }
    text
}

fn param(schema: &Schema) -> Param {
    Param {
        location: schema
            .location
            .clone()
            .unwrap_or_else(|| "query".to_owned()),
        ty: scalar_type(schema),
        required: schema.required,
        repeated: schema.repeated,
        pattern: schema.pattern.clone(),
        enum_values: schema.enum_values.iter().cloned().collect(),
        deprecated: schema.deprecated,
        description: schema.description.clone().unwrap_or_default(),
    }
}

/// `type` or `type(format)`.
fn scalar_type(schema: &Schema) -> String {
    let ty = schema.type_.clone().unwrap_or_else(|| "any".to_owned());
    match &schema.format {
        Some(format) => format!("{ty}({format})"),
        None => ty,
    }
}

/// A request or response body: the schema it names, or what kind of inline schema it is.
fn body(schema: &Schema) -> String {
    match &schema.reference {
        Some(reference) => reference.clone(),
        None => format!("inline {}", shape(schema).ty),
    }
}

fn shape(schema: &Schema) -> Shape {
    let ty = if let Some(reference) = &schema.reference {
        format!("$ref:{reference}")
    } else {
        match schema.type_.as_deref() {
            Some("object") | None
                if schema.properties.is_empty() && schema.additional_properties.is_some() =>
            {
                "map".to_owned()
            }
            Some("object") => "object".to_owned(),
            None if !schema.properties.is_empty() => "object".to_owned(),
            Some("array") => "array".to_owned(),
            _ => scalar_type(schema),
        }
    };
    Shape {
        ty,
        properties: schema
            .properties
            .iter()
            .map(|(name, property)| (name.clone(), shape(property)))
            .collect(),
        items: schema.items.as_deref().map(|items| Box::new(shape(items))),
        values: schema
            .additional_properties
            .as_deref()
            .map(|values| Box::new(shape(values))),
        enum_values: schema.enum_values.iter().cloned().collect(),
        read_only: schema.read_only,
        deprecated: schema.deprecated,
        description: schema.description.clone().unwrap_or_default(),
    }
}

/// The surface as readable text: root URL, scopes, methods with their parameters, schemas with
/// their fields. Descriptions are left out: this is what goes over the wire.
pub fn render_surface(surface: &Surface) -> String {
    let mut out = format!(
        "api {}\nroot {}{}\n",
        surface.id, surface.root_url, surface.service_path
    );
    out.push_str(&format!("\nscopes ({})\n", surface.scopes.len()));
    for url in surface.scopes.keys() {
        out.push_str(&format!("  {url}\n"));
    }
    out.push_str(&format!(
        "\nstandard parameters ({})\n",
        surface.standard_params.len()
    ));
    for (name, param) in &surface.standard_params {
        out.push_str(&format!("  {}\n", param_line(name, param)));
    }
    out.push_str(&format!("\nmethods ({})\n", surface.methods.len()));
    for (id, method) in &surface.methods {
        out.push_str(&format!(
            "  {id}: {} {}{}{}{}\n",
            method.verb,
            method.path,
            method
                .request
                .as_ref()
                .map(|r| format!(" body {r}"))
                .unwrap_or_default(),
            method
                .response
                .as_ref()
                .map(|r| format!(" -> {r}"))
                .unwrap_or_default(),
            if method.deprecated {
                " (deprecated)"
            } else {
                ""
            }
        ));
        for (name, param) in &method.params {
            out.push_str(&format!("    {}\n", param_line(name, param)));
        }
        if let Some(download) = &method.media_download {
            out.push_str(&format!("    media download: {download}\n"));
        }
        if let Some(upload) = &method.media_upload {
            out.push_str(&format!("    media upload: {upload}\n"));
        }
        out.push_str(&format!("    scopes: {}\n", method.scopes.len()));
    }
    out.push_str(&format!("\nschemas ({})\n", surface.schemas.len()));
    for (name, schema) in &surface.schemas {
        render_shape(name, schema, 1, &mut out);
    }
    match &surface.rust_error {
        Some(error) => out.push_str(&format!("\nrust: not generated: {error}\n")),
        None => {
            out.push_str(&format!("\nrust items ({})\n", surface.rust.len()));
            for item in &surface.rust {
                out.push_str(&format!("  {item}\n"));
            }
        }
    }
    out
}

fn param_line(name: &str, param: &Param) -> String {
    let mut line = format!("{name}: {} in {}", param.ty, param.location);
    if param.required {
        line.push_str(", required");
    }
    if param.repeated {
        line.push_str(", repeated");
    }
    if let Some(pattern) = &param.pattern {
        line.push_str(&format!(", pattern {pattern}"));
    }
    if !param.enum_values.is_empty() {
        let values: Vec<&str> = param.enum_values.iter().map(String::as_str).collect();
        line.push_str(&format!(", one of {}", values.join(" | ")));
    }
    line
}

fn render_shape(name: &str, shape: &Shape, depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth);
    let mut line = format!("{indent}{name}: {}", shape.ty);
    if shape.read_only {
        line.push_str(", read-only");
    }
    if shape.deprecated {
        line.push_str(", deprecated");
    }
    if !shape.enum_values.is_empty() {
        let values: Vec<&str> = shape.enum_values.iter().map(String::as_str).collect();
        line.push_str(&format!(", one of {}", values.join(" | ")));
    }
    out.push_str(&line);
    out.push('\n');
    for (field, property) in &shape.properties {
        render_shape(field, property, depth + 1, out);
    }
    if let Some(items) = &shape.items {
        render_shape("[]", items, depth + 1, out);
    }
    if let Some(values) = &shape.values {
        render_shape("{}", values, depth + 1, out);
    }
}
