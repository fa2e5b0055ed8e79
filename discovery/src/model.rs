//! The Discovery document model: one struct per kind of JSON object the format defines.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Fields of an object that this model does not name, kept as they were.
pub type Extra = BTreeMap<String, Value>;

/// The root of a Discovery document (`discovery#restDescription`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Document {
    /// Always `discovery#restDescription`.
    pub kind: Option<String>,
    /// Version of the Discovery format, `v1`.
    pub discovery_version: Option<String>,
    /// `name:version`, for example `dataportability:v1`.
    pub id: Option<String>,
    /// The API's name, for example `dataportability`.
    pub name: String,
    /// The API's version, for example `v1`.
    pub version: String,
    /// Google's revision of this document, usually a date such as `20260719`.
    pub revision: Option<String>,
    /// The ETag of this document.
    pub etag: Option<String>,
    /// Human-readable title.
    pub title: Option<String>,
    /// What the API does.
    pub description: Option<String>,
    /// Link to the API's documentation.
    pub documentation_link: Option<String>,
    /// Name for use in generated code, when it differs from `name`.
    pub canonical_name: Option<String>,
    /// Domain of the API's owner.
    pub owner_domain: Option<String>,
    /// Name of the API's owner.
    pub owner_name: Option<String>,
    /// Package path for generated code.
    pub package_path: Option<String>,
    /// Labels such as `labs` or `limited_availability`.
    pub labels: Vec<String>,
    /// Features the API supports, such as `dataWrapper`.
    pub features: Vec<String>,
    /// Always `rest`.
    pub protocol: Option<String>,
    /// Root URL every request is relative to, ending in `/`.
    pub root_url: String,
    /// Path below `rootUrl` that method paths are relative to.
    pub service_path: String,
    /// Deprecated: the base path of the API.
    pub base_path: Option<String>,
    /// Deprecated: the base URL of the API.
    pub base_url: Option<String>,
    /// Path of the batch endpoint below `rootUrl`.
    pub batch_path: Option<String>,
    /// Root URL for mutual-TLS clients.
    pub mtls_root_url: Option<String>,
    /// Whether `{+var}` expansions percent-encode reserved characters too.
    pub fully_encode_reserved_expansion: bool,
    /// Parameters that apply to every method (`fields`, `key`, `alt`, ...).
    pub parameters: BTreeMap<String, Schema>,
    /// Authentication information.
    pub auth: Option<Auth>,
    /// Named schemas, by schema id.
    pub schemas: BTreeMap<String, Schema>,
    /// Top-level resources, by name.
    pub resources: BTreeMap<String, Resource>,
    /// Methods at the top level of the API, by name.
    pub methods: BTreeMap<String, Method>,
    /// Fields this model does not name.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The `auth` object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Auth {
    /// OAuth 2.0 information.
    pub oauth2: Option<OAuth2>,
    /// Fields this model does not name.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The `auth.oauth2` object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OAuth2 {
    /// OAuth 2.0 scopes, by scope URL.
    pub scopes: BTreeMap<String, ScopeInfo>,
    /// Fields this model does not name.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One OAuth 2.0 scope.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScopeInfo {
    /// What the scope grants.
    pub description: Option<String>,
    /// Fields this model does not name.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A resource: a group of methods and nested resources.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Resource {
    /// Methods of this resource, by name.
    pub methods: BTreeMap<String, Method>,
    /// Nested resources, by name.
    pub resources: BTreeMap<String, Resource>,
    /// Whether the whole resource is deprecated.
    pub deprecated: bool,
    /// Fields this model does not name.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One API method.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Method {
    /// Unique id, for example `dataportability.archiveJobs.retry`.
    pub id: String,
    /// URI template of the method's path, relative to the service path.
    pub path: String,
    /// The same path with every `{+var}` spelled out segment by segment, when it differs.
    pub flat_path: Option<String>,
    /// HTTP verb.
    pub http_method: String,
    /// What the method does.
    pub description: Option<String>,
    /// The method's parameters, by name.
    pub parameters: BTreeMap<String, Schema>,
    /// Required parameters in the order a client should take them.
    pub parameter_order: Vec<String>,
    /// Schema of the request body: usually a `$ref` to a named schema, sometimes a schema
    /// written inline (a map of values, say); a legacy `parameterName` lands in its `extra`.
    pub request: Option<Schema>,
    /// Schema of the response body, a `$ref` or inline like `request`.
    pub response: Option<Schema>,
    /// OAuth scopes, any one of which allows the call.
    pub scopes: Vec<String>,
    /// Whether the method is deprecated.
    pub deprecated: bool,
    /// Whether `alt=media` downloads the described resource's content.
    pub supports_media_download: bool,
    /// Whether media downloads go to the download service path.
    pub use_media_download_service: bool,
    /// Whether the method accepts media uploads.
    pub supports_media_upload: bool,
    /// Media upload parameters.
    pub media_upload: Option<MediaUpload>,
    /// Whether the method supports change notifications.
    pub supports_subscription: bool,
    /// Whether the method requires an ETag.
    pub etag_required: bool,
    /// The API version the method belongs to, for the `X-Goog-Api-Version` header (AIP-4236).
    pub api_version: Option<String>,
    /// Fields this model does not name.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The `mediaUpload` object of a method.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MediaUpload {
    /// Accepted MIME ranges.
    pub accept: Vec<String>,
    /// Largest accepted upload, such as `5120GB`.
    pub max_size: Option<String>,
    /// Upload protocols, by name (`simple`, `resumable`).
    pub protocols: BTreeMap<String, UploadProtocol>,
    /// Fields this model does not name.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One media upload protocol.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UploadProtocol {
    /// Whether multipart uploads are supported.
    pub multipart: bool,
    /// URI template of the upload path.
    pub path: Option<String>,
    /// Fields this model does not name.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A JSON schema as Discovery uses it: a named schema, a property, an array's items, a map's
/// values, or a method parameter (parameters add `location`, `repeated` and `required`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Schema {
    /// Schema id, on named schemas.
    pub id: Option<String>,
    /// JSON type: `object`, `array`, `string`, `integer`, `number`, `boolean`, `any`.
    #[serde(rename = "type")]
    pub type_: Option<String>,
    /// Reference to a named schema, instead of a type.
    #[serde(rename = "$ref")]
    pub reference: Option<String>,
    /// Refinement of the type, such as `int64` or `google-datetime`.
    pub format: Option<String>,
    /// What the value means.
    pub description: Option<String>,
    /// Default value, as a string.
    pub default: Option<String>,
    /// Whether a parameter is required.
    pub required: bool,
    /// Whether a parameter may be given more than once.
    pub repeated: bool,
    /// Where a parameter goes: `path` or `query`.
    pub location: Option<String>,
    /// Regular expression a parameter's value must match.
    pub pattern: Option<String>,
    /// Smallest allowed value, as a string.
    pub minimum: Option<String>,
    /// Largest allowed value, as a string.
    pub maximum: Option<String>,
    /// Allowed values.
    #[serde(rename = "enum")]
    pub enum_values: Vec<String>,
    /// Descriptions of the allowed values, in the same order.
    pub enum_descriptions: Vec<String>,
    /// Which allowed values are deprecated, in the same order.
    pub enum_deprecated: Vec<bool>,
    /// Properties of an object, by wire name.
    pub properties: BTreeMap<String, Schema>,
    /// Schema of the values of a map-like object.
    pub additional_properties: Option<Box<Schema>>,
    /// Schema of an array's items.
    pub items: Option<Box<Schema>>,
    /// Whether the server ignores this field in requests.
    pub read_only: bool,
    /// Whether the field or parameter is deprecated.
    pub deprecated: bool,
    /// Annotations, such as which methods require this field.
    pub annotations: Option<Annotations>,
    /// Fields this model does not name.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The `annotations` object of a schema.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Annotations {
    /// Ids of the methods for which this field is required.
    pub required: Vec<String>,
    /// Fields this model does not name.
    #[serde(flatten)]
    pub extra: Extra,
}
