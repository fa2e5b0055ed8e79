//! The intermediate representation: the API with every name and type decided, in output order.
//!
//! Every identifier here is valid and unique in its scope; `emit` only spells this out.

/// The whole API.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    /// Package name of the crate, such as `google-dataportability-v1`.
    pub crate_name: String,
    /// `name:version`, such as `dataportability:v1`.
    pub id: String,
    /// The API's name.
    pub name: String,
    /// The API's version.
    pub version: String,
    /// Revision of the document, or `unknown`.
    pub revision: String,
    /// Title, such as `Data Portability API`.
    pub title: String,
    /// What the API does.
    pub description: String,
    /// Link to the API's documentation.
    pub documentation_link: Option<String>,
    /// Root URL, ending in `/`.
    pub root_url: String,
    /// Service path below the root URL.
    pub service_path: String,
    /// OAuth scopes, by URL.
    pub scopes: Vec<ScopeDef>,
    /// Model types, sorted by path (`Name`, or `module::Name` for hoisted ones); a
    /// [`TypeId`] is a place in this list.
    pub types: Vec<TypeDef>,
    /// The modules of `model` that hold hoisted types, sorted by path.
    pub modules: Vec<ModuleDef>,
    /// The files `model`'s own types are split into; empty when they stay in `model.rs`.
    pub model_files: Vec<ModelFile>,
    /// The files below `src/json/` the model types' JSON impls are split into; empty when they
    /// all fit in `src/json.rs`.
    pub json_files: Vec<JsonFile>,
    /// Parameters every method takes (`fields`, `key`, ...).
    pub standard_params: Vec<ParamDef>,
    /// Methods at the top level of the document, accessed on the client itself.
    pub root_methods: Vec<MethodDef>,
    /// Resources, by name.
    pub resources: Vec<ResourceDef>,
    /// The `recursion_limit` the crate needs, when its types nest deeper than the compiler's
    /// default allows.
    pub recursion_limit: Option<u32>,
    /// The hub: the type made from a client that carries the API's resources, such as
    /// `DataPortability`. Unique among the crate root's names and the resources module's.
    pub hub_name: String,
    /// Model types the prelude re-exports: every method's request and response, and the enums
    /// those responses hold. Sorted.
    pub prelude_types: Vec<String>,
    /// Hand-written documentation for the crate page, after the generated part (Markdown).
    pub guide: Option<String>,
    /// Cargo features, one per top-level resource, for APIs large enough to want them (all on
    /// by default); empty for the others.
    pub features: Vec<FeatureDef>,
    /// The model types and modules of hoisted types only some features need, by path, with
    /// the features that need them; every other one is always compiled.
    pub type_features: std::collections::BTreeMap<String, Vec<String>>,
    /// The model types methods answer with, and how their responses are read: each gets its
    /// reading compiled once, in the crate, whichever client a program uses.
    pub responses: std::collections::BTreeMap<TypeId, Decoding>,
}

/// How a response type is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoding {
    /// From JSON.
    Json,
    /// As raw bytes with their content type (Google's `HttpBody`).
    Raw(RawBodyDef),
}

/// A Cargo feature that compiles one top-level resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureDef {
    /// The feature's name, such as `instances`.
    pub name: String,
    /// The resource's type name, such as `Instances`.
    pub resource: String,
}

/// The hub's own methods, which resource and method accessors on it must not take.
pub const HUB_METHODS: &[&str] = &["new", "with_root_url", "service", "client", "clone", "fmt"];

/// Names the crate root holds besides the hub, which the hub must not take.
pub const CRATE_ROOT_NAMES: &[&str] = &["Client", "AsyncClient", "Error", "Scope", "REVISION"];

/// A file of `model`'s own types, for an API too large for one: a private module whose types
/// `model` re-exports, so each keeps its path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelFile {
    /// The module, which names the file (`types_accelerator_config` is
    /// `src/model/types_accelerator_config.rs`).
    pub module: String,
    /// Its types, in order.
    pub types: Vec<TypeId>,
}

/// A file of the model types' JSON impls, for an API too large for one: a run of types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonFile {
    /// The module, which names the file (`from_accelerator_config` is
    /// `src/json/from_accelerator_config.rs`, from `AcceleratorConfig` on).
    pub module: String,
    /// Its types, in order.
    pub types: Vec<TypeId>,
    /// The features any of its types needs, when none is always compiled; `None` for always.
    pub features: Option<Vec<String>>,
}

/// A module of `model` holding the types hoisted out of another type or out of methods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleDef {
    /// Its path from `model`, such as `portability_archive_state`.
    pub path: String,
    /// The type whose inline types it holds; `None` for the `methods` module.
    pub owner: Option<String>,
}

/// One OAuth scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeDef {
    /// Variant of the `Scope` enum.
    pub variant: String,
    /// The scope URL.
    pub url: String,
    /// What it grants.
    pub description: String,
}

/// A model type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeDef {
    /// A struct with named, optional fields.
    Struct(StructDef),
    /// An open enum of string values.
    Enum(EnumDef),
    /// A transparent wrapper of a list, map or any value (a named non-object schema).
    Newtype(NewtypeDef),
}

impl TypeDef {
    /// The type's path from `model`: `Name`, or `module::Name` for a hoisted type.
    pub fn name(&self) -> &str {
        match self {
            TypeDef::Struct(def) => &def.name,
            TypeDef::Enum(def) => &def.name,
            TypeDef::Newtype(def) => &def.name,
        }
    }

    /// The module the type is in, from `model`; empty for `model` itself.
    pub fn module(&self) -> &str {
        self.name()
            .rsplit_once("::")
            .map_or("", |(module, _)| module)
    }
}

impl TypeDef {
    /// Replaces the id of every model type it names by `renumber`'s.
    pub(crate) fn renumber(&mut self, renumber: &impl Fn(TypeId) -> TypeId) {
        match self {
            TypeDef::Struct(def) => {
                for field in &mut def.fields {
                    field.ty.renumber(renumber);
                }
                if let Some(value) = &mut def.rest.value {
                    value.renumber(renumber);
                }
                if let Some(PageDef {
                    items: Some((_, item)),
                    ..
                }) = &mut def.page
                {
                    item.renumber(renumber);
                }
            }
            TypeDef::Enum(_) => {}
            TypeDef::Newtype(def) => def.ty.renumber(renumber),
        }
    }
}

/// The last segment of a model path: the type's own name.
pub fn local_name(path: &str) -> &str {
    path.rsplit_once("::").map_or(path, |(_, name)| name)
}

/// A struct.
#[derive(Debug, Clone, PartialEq)]
pub struct StructDef {
    /// Type name.
    pub name: String,
    /// Where it comes from, for its docs: a schema id or `Parent.property`.
    pub origin: String,
    /// Description, as written in the document.
    pub description: String,
    /// Whether the schema is deprecated.
    pub deprecated: bool,
    /// Fields, sorted by wire name.
    pub fields: Vec<FieldDef>,
    /// The map that takes every other key: typed by `additionalProperties`, else JSON values.
    pub rest: RestField,
    /// How the struct is one page of a list, when a list method answers with it.
    pub page: Option<PageDef>,
}

/// The fields that make a struct a page: the next page's token, and the items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageDef {
    /// The `nextPageToken` field.
    pub token_field: String,
    /// The field holding the items, and the type of one item, when one field plainly is them.
    pub items: Option<(String, TypeRef)>,
}

/// The flattened map of a struct's other keys.
#[derive(Debug, Clone, PartialEq)]
pub struct RestField {
    /// Field name.
    pub name: String,
    /// Value type from `additionalProperties`; `None` keeps unknown fields as JSON values.
    pub value: Option<TypeRef>,
}

/// One struct field; always optional, so presence survives a round trip.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDef {
    /// Field name.
    pub name: String,
    /// Setter name.
    pub setter: String,
    /// Name on the wire.
    pub wire_name: String,
    /// The field's type, without the `Option`.
    pub ty: TypeRef,
    /// Whether the value is boxed to break a cycle of types.
    pub boxed: bool,
    /// Description, as written.
    pub description: String,
    /// Whether the server ignores the field in requests.
    pub read_only: bool,
    /// Whether it is deprecated.
    pub deprecated: bool,
    /// Method ids for which the field is required.
    pub required_by: Vec<String>,
    /// The value the server assumes when the field is absent, as the document writes it.
    pub default: Option<String>,
}

/// An open enum.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumDef {
    /// Type name.
    pub name: String,
    /// Where it comes from, for its docs.
    pub origin: String,
    /// Description, as written.
    pub description: String,
    /// Known values, in document order.
    pub variants: Vec<VariantDef>,
    /// Name of the variant that keeps values this crate does not know.
    pub unknown_variant: String,
}

/// One known enum value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariantDef {
    /// Variant name.
    pub name: String,
    /// The wire value.
    pub wire: String,
    /// Its description.
    pub description: String,
    /// Whether it is deprecated.
    pub deprecated: bool,
}

/// A transparent newtype.
#[derive(Debug, Clone, PartialEq)]
pub struct NewtypeDef {
    /// Type name.
    pub name: String,
    /// Schema id.
    pub origin: String,
    /// Description, as written.
    pub description: String,
    /// The wrapped type.
    pub ty: TypeRef,
}

/// A model type: its place in [`Api::types`], which is sorted by path, so ids compare as
/// the types' paths do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeId(usize);

impl TypeId {
    /// The type at `index` of [`Api::types`].
    pub fn new(index: usize) -> TypeId {
        TypeId(index)
    }

    /// Its place in [`Api::types`].
    pub fn index(self) -> usize {
        self.0
    }
}

/// The id of every type of `types` (the model's types, in order).
pub fn type_ids(types: &[TypeDef]) -> impl Iterator<Item = TypeId> + use<> {
    (0..types.len()).map(TypeId)
}

impl std::ops::Index<TypeId> for [TypeDef] {
    type Output = TypeDef;

    fn index(&self, id: TypeId) -> &TypeDef {
        &self[id.0]
    }
}

impl std::ops::Index<TypeId> for Vec<TypeDef> {
    type Output = TypeDef;

    fn index(&self, id: TypeId) -> &TypeDef {
        &self[id.0]
    }
}

impl TypeRef {
    /// The model type at the heart of this one, through lists and maps; `None` for a scalar.
    pub fn named(&self) -> Option<TypeId> {
        let mut ty = self;
        loop {
            match ty {
                TypeRef::Named(id) => return Some(*id),
                TypeRef::List(inner) | TypeRef::Map(inner) => ty = inner,
                TypeRef::Scalar(_) => return None,
            }
        }
    }

    /// The same type with every model type's id replaced by `renumber`'s.
    pub(crate) fn renumber(&mut self, renumber: &impl Fn(TypeId) -> TypeId) {
        match self {
            TypeRef::Named(id) => *id = renumber(*id),
            TypeRef::List(inner) | TypeRef::Map(inner) => inner.renumber(renumber),
            TypeRef::Scalar(_) => {}
        }
    }
}

/// A type as a field, parameter or body uses it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum TypeRef {
    /// A built-in or runtime type.
    Scalar(Scalar),
    /// A model type.
    Named(TypeId),
    /// `Vec<T>`.
    List(Box<TypeRef>),
    /// `BTreeMap<String, T>`.
    Map(Box<TypeRef>),
}

/// Built-in and runtime types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scalar {
    /// `String`.
    String,
    /// `bool`.
    Bool,
    /// `i32`.
    I32,
    /// `u32`.
    U32,
    /// `i64`, a string on the wire.
    I64,
    /// `u64`, a string on the wire.
    U64,
    /// `f32`.
    F32,
    /// `f64`.
    F64,
    /// Runtime `Bytes` (base64).
    Bytes,
    /// Runtime `Timestamp` (RFC 3339).
    Timestamp,
    /// Runtime `Date`.
    Date,
    /// Runtime `Duration`.
    Duration,
    /// Runtime `FieldMask`.
    FieldMask,
    /// `serde_json::Value`.
    Any,
}

/// A resource: an accessor on its parent, a struct with one accessor per method.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceDef {
    /// Name in the document.
    pub wire_name: String,
    /// Dotted path of wire names from the top, such as `projects.locations`.
    pub wire_path: String,
    /// Accessor method on the parent.
    pub accessor: String,
    /// Type name of the resource struct.
    pub type_name: String,
    /// Whether the resource is deprecated.
    pub deprecated: bool,
    /// The Cargo feature that compiles it: a top-level resource's of an API with features.
    pub feature: Option<String>,
    /// Methods, sorted by wire name.
    pub methods: Vec<MethodDef>,
    /// Nested resources, sorted by wire name.
    pub children: Vec<ResourceDef>,
}

/// A method and the resources that lead to it, outermost first (none at the top level).
#[derive(Debug, Clone)]
pub struct MethodAt<'a> {
    /// The resources that hold the method, outermost first.
    pub resources: Vec<&'a ResourceDef>,
    /// The method.
    pub method: &'a MethodDef,
}

/// Every method of a tree of resources with the resources that lead to it: `root`'s, then each
/// resource's, parents before their children, in order. Every pass that visits methods walks
/// them this way (or with [`each_method`] and [`each_method_mut`], in the same order).
pub fn methods_at<'a>(root: &'a [MethodDef], resources: &'a [ResourceDef]) -> Vec<MethodAt<'a>> {
    fn walk<'a>(
        resources: &'a [ResourceDef],
        chain: &mut Vec<&'a ResourceDef>,
        out: &mut Vec<MethodAt<'a>>,
    ) {
        for resource in resources {
            chain.push(resource);
            out.extend(resource.methods.iter().map(|method| MethodAt {
                resources: chain.clone(),
                method,
            }));
            walk(&resource.children, chain, out);
            chain.pop();
        }
    }
    let mut out: Vec<MethodAt<'a>> = root
        .iter()
        .map(|method| MethodAt {
            resources: Vec::new(),
            method,
        })
        .collect();
    walk(resources, &mut Vec::new(), &mut out);
    out
}

/// Every method of a tree of resources, in [`methods_at`]'s order.
pub fn each_method<'a>(
    root: &'a [MethodDef],
    resources: &'a [ResourceDef],
) -> impl Iterator<Item = &'a MethodDef> {
    methods_at(root, resources).into_iter().map(|at| at.method)
}

/// Calls `visit` on every method of a tree of resources, in [`methods_at`]'s order.
pub fn each_method_mut(
    root: &mut [MethodDef],
    resources: &mut [ResourceDef],
    mut visit: impl FnMut(&mut MethodDef),
) {
    fn walk(resources: &mut [ResourceDef], visit: &mut dyn FnMut(&mut MethodDef)) {
        for resource in resources {
            resource.methods.iter_mut().for_each(&mut *visit);
            walk(&mut resource.children, visit);
        }
    }
    root.iter_mut().for_each(&mut visit);
    walk(resources, &mut visit);
}

impl Api {
    /// The features a model path (a type, a module of hoisted types, or a file of the model's
    /// own types) needs, as the lowering decided; `None` when it is always compiled.
    pub fn features_of(&self, path: &str) -> Option<Vec<String>> {
        self.type_features.get(path).cloned()
    }

    /// The features that compile the model type `id`: see [`effective_features`].
    pub fn features_compiling(&self, id: TypeId) -> Option<&Vec<String>> {
        effective_features(self.types[id].name(), &self.type_features)
    }

    /// Every method, top-level ones first, then each resource's, parents before children.
    pub fn methods(&self) -> impl Iterator<Item = &MethodDef> {
        each_method(&self.root_methods, &self.resources)
    }
}

/// The features that compile the model path `path`: its own, else those of the nearest module
/// that holds it; `None` when it is always compiled.
pub fn effective_features<'a>(
    path: &str,
    type_features: &'a std::collections::BTreeMap<String, Vec<String>>,
) -> Option<&'a Vec<String>> {
    let mut path = path;
    loop {
        if let Some(features) = type_features.get(path) {
            return Some(features);
        }
        path = path.rsplit_once("::")?.0;
    }
}

/// One method: an accessor that starts a call, and the request builder type.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodDef {
    /// Method id, such as `dataportability.archiveJobs.retry`.
    pub id: String,
    /// Accessor name on the resource.
    pub accessor: String,
    /// Request builder type name.
    pub builder: String,
    /// HTTP verb, upper case.
    pub http_method: String,
    /// Path template relative to the service path.
    pub path: PathTemplate,
    /// Description, as written.
    pub description: String,
    /// Whether it is deprecated.
    pub deprecated: bool,
    /// Required parameters, positional, in `parameterOrder`.
    pub positional: Vec<ParamDef>,
    /// Optional parameters, setters, sorted by wire name.
    pub optional: Vec<ParamDef>,
    /// The request body: argument name and type.
    pub request: Option<(String, TypeRef)>,
    /// The response type; `None` when the method returns nothing.
    pub response: Option<TypeRef>,
    /// Scope enum variants that allow the call.
    pub scopes: Vec<String>,
    /// Whether those are all the API's scopes (then `Scope::ALL` says it once).
    pub all_scopes: bool,
    /// Whether `alt=media` downloads the resource's content, and through which service path.
    pub media_download: MediaDownload,
    /// Whether the method lists pages (`pageToken` in, `nextPageToken` out), and whether its
    /// pages have items to iterate over.
    pub paging: Paging,
    /// When the request is Google's `HttpBody`: sent as raw bytes with its content type.
    pub raw_request: Option<RawBodyDef>,
    /// When the response is Google's `HttpBody`: read as raw bytes with their content type.
    pub raw_response: Option<RawBodyDef>,
    /// When the method takes media uploads: where and what.
    pub upload: Option<UploadDef>,
    /// The `apiVersion` the method's Discovery entry names, sent as `X-Goog-Api-Version`.
    pub api_version: Option<String>,
    /// The wire name of the idempotency key the client fills when the caller did not (see
    /// `lower::idempotency`).
    pub idempotency_key: Option<String>,
}

impl MethodDef {
    /// Replaces the id of every model type it names by `renumber`'s.
    pub(crate) fn renumber(&mut self, renumber: &impl Fn(TypeId) -> TypeId) {
        for param in self.positional.iter_mut().chain(&mut self.optional) {
            param.ty.renumber(renumber);
        }
        if let Some((_, ty)) = &mut self.request {
            ty.renumber(renumber);
        }
        if let Some(ty) = &mut self.response {
            ty.renumber(renumber);
        }
    }
}

/// Whether a method downloads its resource's content (`alt=media`), and from where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaDownload {
    /// It does not.
    No,
    /// From the method's own path below the service path.
    ServicePath,
    /// From the method's path below `download/` and the service path
    /// (`useMediaDownloadService`).
    DownloadService,
}

/// Whether a method lists pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    /// It does not.
    No,
    /// It does, and its pages have no one list of items (several lists, or only maps).
    Pages,
    /// It does, and each page has a list of items to iterate over.
    Items,
}

/// A path template, parsed: `v1/{+name}:cancel` is the text `v1/`, the parameter `name` with its
/// slashes kept, and the text `:cancel`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathTemplate {
    /// The template as the document writes it (no leading `/`).
    pub text: String,
    /// Its pieces, in order.
    pub pieces: Vec<TemplatePiece>,
}

/// One piece of a [`PathTemplate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplatePiece {
    /// Text sent as it is.
    Text(String),
    /// `{name}`: the parameter's value, by wire name, as one segment (its slashes encoded).
    Simple(String),
    /// `{+name}`: the parameter's value, by wire name, with its slashes kept.
    Reserved(String),
}

/// A path parameter's pattern and how the runtime matches values against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathPattern {
    /// The regular expression, as written.
    pub text: String,
    /// How values are matched against it.
    pub matcher: PatternMatcher,
}

/// How the runtime matches a path parameter's values against its pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatternMatcher {
    /// Piece by piece, for a pattern simple enough to match without a regex engine.
    Segments(Vec<PatternPiece>),
    /// By the regex engine, compiled once into the method's `static` of this name.
    Regex {
        /// The static's name (`NAME_PATTERN`), unique among the method's path parameters.
        static_name: String,
    },
}

/// One piece of a pattern matched without a regex engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatternPiece {
    /// Text that must be there as it is.
    Text(String),
    /// `[^/]+`: one or more characters up to the next `/` or the end.
    Segment,
    /// `.*` before the end: the rest, without a line feed.
    Rest,
}

/// A method's media uploads, as its `mediaUpload` describes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadDef {
    /// The upload path template, relative to the root URL (no leading `/`).
    pub path: PathTemplate,
    /// Media ranges accepted; empty accepts any.
    pub accept: Vec<String>,
    /// The largest upload in bytes, when the document gives one the generator understands.
    pub max_size: Option<u64>,
}

/// The fields of a Google `HttpBody` struct that carry a raw body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawBodyDef {
    /// The `contentType` field.
    pub content_type_field: String,
    /// The `data` field (bytes).
    pub data_field: String,
}

/// A method parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamDef {
    /// Argument or setter name.
    pub name: String,
    /// Name on the wire.
    pub wire_name: String,
    /// Where it goes.
    pub location: Location,
    /// Its type (a scalar or an enum).
    pub ty: TypeRef,
    /// Whether it may be given many times.
    pub repeated: bool,
    /// Description, as written.
    pub description: String,
    /// The pattern the value must match, for path parameters.
    pub pattern: Option<PathPattern>,
    /// Default value the server assumes, as written.
    pub default: Option<String>,
    /// Whether it is deprecated.
    pub deprecated: bool,
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// In the path template.
    Path,
    /// In the query string.
    Query,
}
