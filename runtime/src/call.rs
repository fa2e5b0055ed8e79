//! A call as data: which method, its parameter values and body, before it is sent.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use super::Error;
use super::path::{MethodPaths, Template};
use super::redact::{REDACTED, SECRET_QUERY_PARAMETERS, redact_url};
use super::retry::RetryPolicy;
use super::upload::UploadInfo;

/// What the generator knows about one method: enough to send it.
#[derive(Debug)]
pub struct MethodInfo {
    /// Unique id, such as `dataportability.archiveJobs.retry`.
    pub id: &'static str,
    /// HTTP verb.
    pub http_method: &'static str,
    /// Path template relative to the service path, such as `v1/{+name}:retry`.
    pub path: &'static str,
    /// Path parameters with a pattern their value must match: (wire name, regular expression).
    /// Crates since contract version 6 give them, parsed, in [`MethodPaths`] instead.
    pub path_patterns: &'static [(&'static str, &'static str)],
    /// The API version the method belongs to, sent as `X-Goog-Api-Version` (AIP-4236).
    pub api_version: Option<&'static str>,
    /// The query parameter the server reads as an idempotency key (`requestId`): the client
    /// fills it with a random UUID when the caller did not, keeps it across retries, and so may
    /// retry the call like an idempotent one.
    pub idempotency_key: Option<&'static str>,
}

impl MethodInfo {
    /// The value of every field a method leaves unset: no patterns, no API version, no
    /// idempotency key. Generated code names the fields a method sets and takes the rest from
    /// here (`..MethodInfo::BASE`), so that a field added later is not a breaking change.
    pub const BASE: MethodInfo = MethodInfo {
        id: "",
        http_method: "GET",
        path: "",
        path_patterns: &[],
        api_version: None,
        idempotency_key: None,
    };
}

/// One call being built: the method, its path and query parameters, and its body.
///
/// Generated request builders fill one in; the client's [`Backend`](crate::Backend) sends it.
/// Its `Debug` (and so every request builder's) hides the values of credential parameters such
/// as `key` and `access_token`.
#[derive(Clone)]
pub struct Call {
    method: &'static MethodInfo,
    paths: &'static MethodPaths,
    path_params: Vec<(&'static str, String)>,
    /// Wire names are static, except the dotted names of structured values.
    query: Vec<(Cow<'static, str>, String)>,
    body: Option<Vec<u8>>,
    /// The body's content type when it is not JSON (a raw `HttpBody`).
    body_content_type: Option<String>,
    timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
    download_service: bool,
}

impl Call {
    /// An empty call of `method`, whose path templates the runtime parses when it sends it.
    pub fn new(method: &'static MethodInfo) -> Self {
        Call::with_paths(method, &MethodPaths::BASE)
    }

    /// An empty call of `method`, whose path templates and pattern checks the generator parsed
    /// (since contract version 6).
    pub fn with_paths(method: &'static MethodInfo, paths: &'static MethodPaths) -> Self {
        Call {
            method,
            paths,
            path_params: Vec::new(),
            query: Vec::new(),
            body: None,
            body_content_type: None,
            timeout: None,
            retry: None,
            download_service: false,
        }
    }

    /// The method being called.
    pub fn method(&self) -> &'static MethodInfo {
        self.method
    }

    /// The method's path template, parsed or as text.
    pub(crate) fn template(&self) -> Template {
        Template {
            text: self.method.path,
            pieces: self.paths.template,
        }
    }

    /// The upload path template of `info` (this call's method's), parsed or as text.
    pub(crate) fn upload_template(&self, info: &UploadInfo) -> Template {
        Template {
            text: info.path,
            pieces: self.paths.upload_template,
        }
    }

    /// The method's path parameter checks, as the generator parsed them.
    pub(crate) fn path_checks(&self) -> &'static [super::path::PathCheck] {
        self.paths.checks
    }

    /// Sets a path parameter, by wire name.
    pub fn set_path(&mut self, name: &'static str, value: String) {
        match self.path_params.iter_mut().find(|(key, _)| *key == name) {
            Some(slot) => slot.1 = value,
            None => self.path_params.push((name, value)),
        }
    }

    /// Sets a query parameter, by wire name, replacing any earlier value.
    pub fn set_query(&mut self, name: &'static str, value: String) {
        self.query.retain(|(key, _)| key != name);
        self.query.push((Cow::Borrowed(name), value));
    }

    /// Adds one more value of a repeated query parameter.
    pub fn add_query(&mut self, name: &'static str, value: String) {
        self.query.push((Cow::Borrowed(name), value));
    }

    /// Adds a structured value (a JSON object, say) of an object-typed query parameter, the way
    /// Google's HTTP-to-gRPC transcoding reads message-typed query parameters: every leaf as
    /// `name.field.subfield=value`, list elements as repeated keys, strings as they are, numbers
    /// and booleans as JSON writes them; nulls are left out.
    pub fn add_query_value(&mut self, name: &'static str, value: &serde_json::Value) {
        fn flatten(
            name: String,
            value: &serde_json::Value,
            out: &mut Vec<(Cow<'static, str>, String)>,
        ) {
            match value {
                serde_json::Value::Null => {}
                serde_json::Value::String(text) => out.push((Cow::Owned(name), text.clone())),
                serde_json::Value::Bool(_) | serde_json::Value::Number(_) => {
                    out.push((Cow::Owned(name), value.to_string()))
                }
                serde_json::Value::Array(items) => {
                    for item in items {
                        flatten(name.clone(), item, out);
                    }
                }
                serde_json::Value::Object(fields) => {
                    for (field, inner) in fields {
                        flatten(format!("{name}.{field}"), inner, out);
                    }
                }
            }
        }
        flatten(name.to_owned(), value, &mut self.query);
    }

    /// Writes `body` as the JSON request body.
    pub fn write_json_body(&mut self, body: &dyn crate::json::ToJson) {
        self.body = Some(crate::json::to_vec(body));
    }

    /// Serializes `body` as the JSON request body (crates generated for contract versions 3
    /// and 4).
    pub fn set_json_body<T: serde::Serialize>(&mut self, body: &T) -> Result<(), Error> {
        let bytes = serde_json::to_vec(body).map_err(|error| Error::InvalidRequest {
            method: self.method.id,
            message: format!("the request body could not be serialized: {error}"),
        })?;
        self.body = Some(bytes);
        Ok(())
    }

    /// Sets the request body to raw bytes of `content_type` (`application/octet-stream` when
    /// none is given), as methods that take Google's `HttpBody` send it.
    pub fn set_raw_body(&mut self, data: Vec<u8>, content_type: Option<String>) {
        self.body = Some(data);
        self.body_content_type = Some(
            content_type
                .filter(|content_type| !content_type.trim().is_empty())
                .unwrap_or_else(|| "application/octet-stream".to_owned()),
        );
    }

    /// Sets the total time this call may take, overriding the client's timeout.
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = Some(timeout);
    }

    /// Sets how this call is retried, overriding the client's policy.
    pub fn set_retry_policy(&mut self, policy: RetryPolicy) {
        self.retry = Some(policy);
    }

    /// Sends this call to the `download/` service path, as media downloads of some APIs must.
    pub fn set_download_service(&mut self, download_service: bool) {
        self.download_service = download_service;
    }

    pub(crate) fn download_service(&self) -> bool {
        self.download_service
    }

    pub(crate) fn retry_policy(&self) -> Option<&RetryPolicy> {
        self.retry.as_ref()
    }

    pub(crate) fn path_params(&self) -> &[(&'static str, String)] {
        &self.path_params
    }

    /// The value of query parameter `name`, when it has one.
    pub(crate) fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    pub(crate) fn query(&self) -> &[(Cow<'static, str>, String)] {
        &self.query
    }

    /// Gives the call an idempotency key when its method takes one (`requestId`) and the
    /// caller set none: a random UUID, made once, so every retry carries the same. Whether the
    /// call now has a key, and so may be retried like an idempotent one.
    pub(crate) fn fill_idempotency_key(&mut self) -> bool {
        let Some(name) = self.method.idempotency_key else {
            return false;
        };
        if self
            .query_value(name)
            .is_some_and(|value| !value.is_empty())
        {
            return true;
        }
        match random_uuid() {
            Some(uuid) => {
                self.set_query(name, uuid);
                true
            }
            // Without randomness there is no key to trust, and so no retrying.
            None => false,
        }
    }

    /// Takes the body out (JSON metadata, for an upload).
    pub(crate) fn take_body(&mut self) -> Option<Vec<u8>> {
        self.body_content_type = None;
        self.body.take()
    }

    pub(crate) fn body(&self) -> Option<&[u8]> {
        self.body.as_deref()
    }

    /// The body's content type: JSON unless a raw body says otherwise.
    pub(crate) fn body_content_type(&self) -> &str {
        self.body_content_type
            .as_deref()
            .unwrap_or("application/json")
    }

    pub(crate) fn timeout(&self) -> Option<Duration> {
        self.timeout
    }
}

impl fmt::Debug for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let query: Vec<(&str, &str)> = self
            .query
            .iter()
            .map(|(name, value)| {
                let shown = if SECRET_QUERY_PARAMETERS.contains(&name.as_ref()) {
                    REDACTED
                } else {
                    value.as_str()
                };
                (name.as_ref(), shown)
            })
            .collect();
        f.debug_struct("Call")
            .field("method", &self.method.id)
            .field("path_params", &self.path_params)
            .field("query", &query)
            .field("body", &self.body.as_deref().map(String::from_utf8_lossy))
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("download_service", &self.download_service)
            .finish()
    }
}

/// Options every request builder has; generated builders implement it.
pub trait CallBuilder: Sized {
    /// The call being built.
    #[doc(hidden)]
    fn call_mut(&mut self) -> &mut Call;

    /// Limits the total time of this call (all attempts and the waits between them),
    /// overriding the client's timeout.
    fn timeout(mut self, timeout: Duration) -> Self {
        self.call_mut().set_timeout(timeout);
        self
    }

    /// Retries this call by `policy` instead of the client's; `RetryPolicy::disabled()` turns
    /// retries off. Only GET and HEAD requests are ever retried.
    fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.call_mut().set_retry_policy(policy);
        self
    }
}

/// A random (version 4) UUID, in its usual lower-case form; `None` when the system gives no
/// random bytes.
fn random_uuid() -> Option<String> {
    use ring::rand::SecureRandom as _;
    let mut bytes = [0u8; 16];
    ring::rand::SystemRandom::new().fill(&mut bytes).ok()?;
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    Some(format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    ))
}

/// A request as it would be sent, for inspection: method, URL, headers and body.
///
/// It has no `Authorization` header: the token is only fetched when the call is sent. Nor has it
/// the idempotency key (`requestId`) the client fills in when the caller set none: that is made
/// when the call is sent, once for all its attempts.
#[derive(Clone, PartialEq, Eq)]
pub struct PreparedRequest {
    /// HTTP verb.
    pub method: &'static str,
    /// The full URL, query included.
    pub url: String,
    /// Headers, lower-case names.
    pub headers: Vec<(String, String)>,
    /// The body, if the method has one.
    pub body: Option<Vec<u8>>,
}

impl fmt::Debug for PreparedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreparedRequest")
            .field("method", &self.method)
            .field("url", &redact_url(&self.url))
            .field("headers", &self.headers)
            .field("body", &self.body.as_deref().map(String::from_utf8_lossy))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static METHOD: MethodInfo = MethodInfo {
        id: "test.things.search",
        http_method: "GET",
        path: "v1/things",
        ..MethodInfo::BASE
    };

    #[test]
    fn structured_query_values_become_dotted_pairs() {
        let mut call = Call::new(&METHOD);
        call.add_query_value(
            "filter",
            &serde_json::json!({"kind": "a b", "limit": 5, "deep": {"on": true, "gone": null}, "tags": ["x", "y"]}),
        );
        call.add_query_value("plain", &serde_json::json!("text"));
        let pairs: Vec<(&str, &str)> = call
            .query()
            .iter()
            .map(|(name, value)| (name.as_ref(), value.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("filter.deep.on", "true"),
                ("filter.kind", "a b"),
                ("filter.limit", "5"),
                ("filter.tags", "x"),
                ("filter.tags", "y"),
                ("plain", "text"),
            ]
        );
    }
}
