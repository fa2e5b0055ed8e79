//! The JSON credential files Google issues, read by their `type` into what each grant needs.
//! Errors name the field that is wrong, never a value that could be a secret.

use std::fmt;

use serde::Deserialize;
use serde_json::Value;

use super::jwt::SigningKey;

/// Google's token endpoint, where a file names none.
pub(super) const GOOGLE_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";
/// The metadata server's host name, where `GCE_METADATA_HOST` names none.
pub(super) const METADATA_HOST: &str = "metadata.google.internal";

/// A secret string: shown as `<redacted>` by `Debug`.
#[derive(Clone)]
pub(super) struct Secret(pub(super) String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// What a token is obtained from.
#[derive(Clone, Debug)]
pub(super) enum Kind {
    ServiceAccount(ServiceAccount),
    AuthorizedUser(AuthorizedUser),
    Impersonated(Impersonated),
    External(External),
    Metadata(Metadata),
}

impl Kind {
    /// The `type` a file gives it, for messages.
    pub(super) fn name(&self) -> &'static str {
        match self {
            Kind::ServiceAccount(_) => "service account",
            Kind::AuthorizedUser(_) => "authorized user",
            Kind::Impersonated(_) => "impersonated service account",
            Kind::External(_) => "external account",
            Kind::Metadata(_) => "metadata server",
        }
    }
}

#[derive(Clone)]
pub(super) struct ServiceAccount {
    pub(super) client_email: String,
    pub(super) key: SigningKey,
    pub(super) key_id: Option<String>,
    pub(super) token_uri: String,
}

impl fmt::Debug for ServiceAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceAccount")
            .field("client_email", &self.client_email)
            .field("key", &"<redacted>")
            .field("token_uri", &self.token_uri)
            .finish()
    }
}

#[derive(Clone, Debug)]
pub(super) struct AuthorizedUser {
    pub(super) client_id: String,
    pub(super) client_secret: Secret,
    pub(super) refresh_token: Secret,
    pub(super) token_uri: String,
}

#[derive(Clone, Debug)]
pub(super) struct Impersonated {
    /// The credentials that ask for the impersonated account's token.
    pub(super) source: Box<Kind>,
    /// IAM Credentials' `generateAccessToken` URL of the account.
    pub(super) url: String,
    pub(super) delegates: Vec<String>,
}

#[derive(Clone, Debug)]
pub(super) struct External {
    pub(super) audience: String,
    pub(super) subject_token_type: String,
    pub(super) token_url: String,
    pub(super) source: SubjectSource,
    pub(super) impersonation_url: Option<String>,
    /// The client's id and secret, sent as Basic authentication to the STS endpoint.
    pub(super) client: Option<(String, Secret)>,
    pub(super) workforce_pool_user_project: Option<String>,
}

/// Where an external account's subject token is read.
#[derive(Clone, Debug)]
pub(super) enum SubjectSource {
    File {
        path: String,
        format: SubjectFormat,
    },
    Url {
        url: String,
        headers: Vec<(String, String)>,
        format: SubjectFormat,
    },
}

/// How a subject token is written: the whole text, or one field of a JSON object.
#[derive(Clone, Debug)]
pub(super) enum SubjectFormat {
    Text,
    Json(String),
}

#[derive(Clone, Debug)]
pub(super) struct Metadata {
    /// Host (and port) of the metadata server.
    pub(super) host: String,
}

impl Metadata {
    /// The metadata server this process is told to use: `GCE_METADATA_HOST`, else Google's.
    pub(super) fn from_environment() -> Metadata {
        Metadata {
            host: std::env::var("GCE_METADATA_HOST")
                .ok()
                .map(|host| host.trim().to_owned())
                .filter(|host| !host.is_empty())
                .unwrap_or_else(|| METADATA_HOST.to_owned()),
        }
    }
}

/// A credential file read: what it holds, and the quota project it names.
pub(super) struct Parsed {
    pub(super) kind: Kind,
    pub(super) quota_project: Option<String>,
}

/// Reads a credential file's JSON.
pub(super) fn parse(json: &[u8]) -> Result<Parsed, String> {
    let value: Value = serde_json::from_slice(json).map_err(|error| {
        format!(
            "the file is not JSON (line {}, column {})",
            error.line(),
            error.column()
        )
    })?;
    let quota_project = optional(&value, "quota_project_id")?;
    let kind = parse_kind(&value, 0)?;
    Ok(Parsed {
        kind,
        quota_project,
    })
}

/// Reads one credential object; `depth` counts nested `source_credentials`.
fn parse_kind(value: &Value, depth: usize) -> Result<Kind, String> {
    let kind = required(value, "type")?;
    match kind.as_str() {
        "service_account" => {
            let pem = required(value, "private_key")?;
            let key = SigningKey::from_pem(&pem)
                .map_err(|message| format!("`private_key`: {message}"))?;
            Ok(Kind::ServiceAccount(ServiceAccount {
                client_email: required(value, "client_email")?,
                key,
                key_id: optional(value, "private_key_id")?,
                token_uri: endpoint(value, "token_uri")?
                    .unwrap_or_else(|| GOOGLE_TOKEN_URI.to_owned()),
            }))
        }
        "authorized_user" => Ok(Kind::AuthorizedUser(AuthorizedUser {
            client_id: required(value, "client_id")?,
            client_secret: Secret(required(value, "client_secret")?),
            refresh_token: Secret(required(value, "refresh_token")?),
            token_uri: endpoint(value, "token_uri")?.unwrap_or_else(|| GOOGLE_TOKEN_URI.to_owned()),
        })),
        "impersonated_service_account" => {
            if depth > 0 {
                return Err("`source_credentials` may not impersonate in turn".to_owned());
            }
            let source = value
                .get("source_credentials")
                .ok_or("`source_credentials` is missing")?;
            let source = parse_kind(source, depth + 1)
                .map_err(|message| format!("in `source_credentials`: {message}"))?;
            Ok(Kind::Impersonated(Impersonated {
                source: Box::new(source),
                url: endpoint(value, "service_account_impersonation_url")?
                    .ok_or("`service_account_impersonation_url` is missing")?,
                delegates: strings(value, "delegates")?,
            }))
        }
        "external_account" => parse_external(value).map(Kind::External),
        other => Err(format!(
            "credentials of type {other:?} are not supported: service_account, authorized_user, \
             impersonated_service_account or external_account"
        )),
    }
}

fn parse_external(value: &Value) -> Result<External, String> {
    let source = value
        .get("credential_source")
        .ok_or("`credential_source` is missing")?;
    if source.get("executable").is_some() {
        return Err(
            "executable-sourced external accounts are not supported: run the executable and \
             point `credential_source.file` at the token it writes"
                .to_owned(),
        );
    }
    if source.get("environment_id").is_some() {
        return Err(
            "AWS-sourced external accounts (`credential_source.environment_id`) are not \
             supported"
                .to_owned(),
        );
    }
    let format = match source.get("format") {
        None => SubjectFormat::Text,
        Some(format) => match optional(format, "type")?.as_deref() {
            None | Some("text") => SubjectFormat::Text,
            Some("json") => SubjectFormat::Json(
                optional(format, "subject_token_field_name")?
                    .ok_or("`credential_source.format.subject_token_field_name` is missing")?,
            ),
            Some(other) => {
                return Err(format!(
                    "`credential_source.format.type` {other:?} is neither text nor json"
                ));
            }
        },
    };
    let source = if let Some(path) = optional(source, "file")? {
        SubjectSource::File { path, format }
    } else if let Some(url) = endpoint_allowing_local_http(source, "url")? {
        let headers = match source.get("headers") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Object(headers)) => headers
                .iter()
                .map(|(name, value)| match value.as_str() {
                    Some(text) if header_safe(name) && header_safe(text) => {
                        Ok((name.clone(), text.to_owned()))
                    }
                    _ => Err(format!(
                        "`credential_source.headers.{name}` is not a header value"
                    )),
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err("`credential_source.headers` is not an object".to_owned()),
        };
        SubjectSource::Url {
            url,
            headers,
            format,
        }
    } else {
        return Err("`credential_source` names neither a `file` nor a `url`".to_owned());
    };
    let client = match optional(value, "client_id")? {
        Some(id) => Some((
            id,
            Secret(optional(value, "client_secret")?.unwrap_or_default()),
        )),
        None => None,
    };
    Ok(External {
        audience: required(value, "audience")?,
        subject_token_type: required(value, "subject_token_type")?,
        token_url: endpoint(value, "token_url")?.ok_or("`token_url` is missing")?,
        source,
        impersonation_url: endpoint(value, "service_account_impersonation_url")?,
        client,
        workforce_pool_user_project: optional(value, "workforce_pool_user_project")?,
    })
}

/// A string field that must be there and not be empty.
fn required(value: &Value, field: &str) -> Result<String, String> {
    optional(value, field)?.ok_or_else(|| format!("`{field}` is missing"))
}

/// A string field that may be absent (or null, or empty).
fn optional(value: &Value, field: &str) -> Result<Option<String>, String> {
    match value.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if text.trim().is_empty() => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.trim().to_owned())),
        Some(_) => Err(format!("`{field}` is not a string")),
    }
}

/// A list of strings that may be absent.
fn strings(value: &Value, field: &str) -> Result<Vec<String>, String> {
    match value.get(field) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("`{field}` holds something other than strings"))
            })
            .collect(),
        Some(_) => Err(format!("`{field}` is not a list")),
    }
}

/// A URL a secret is sent to: HTTPS, or HTTP to this machine (a local test server).
fn endpoint(value: &Value, field: &str) -> Result<Option<String>, String> {
    let Some(url) = optional(value, field)? else {
        return Ok(None);
    };
    checked_url(&url, false).map_err(|why| format!("`{field}`: {why}"))?;
    Ok(Some(url))
}

/// The same, also allowing HTTP to a link-local address (a cloud's metadata service, where
/// subject tokens of workload identity federation come from).
fn endpoint_allowing_local_http(value: &Value, field: &str) -> Result<Option<String>, String> {
    let Some(url) = optional(value, field)? else {
        return Ok(None);
    };
    checked_url(&url, true).map_err(|why| format!("`credential_source.{field}`: {why}"))?;
    Ok(Some(url))
}

/// Why `url` may not carry credentials, if it may not.
pub(super) fn checked_url(url: &str, link_local: bool) -> Result<(), String> {
    let parsed = url::Url::parse(url).map_err(|error| format!("not a URL ({error})"))?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("the URL holds a user name or password".to_owned());
    }
    match parsed.scheme() {
        "https" => Ok(()),
        "http" => {
            let host = parsed.host_str().unwrap_or_default();
            let local = match host.trim_matches(['[', ']']).parse::<std::net::IpAddr>() {
                Ok(std::net::IpAddr::V4(ip)) => {
                    ip.is_loopback() || (link_local && ip.is_link_local())
                }
                Ok(std::net::IpAddr::V6(ip)) => ip.is_loopback(),
                Err(_) => host == "localhost",
            };
            if local {
                Ok(())
            } else {
                Err(format!(
                    "credentials are only sent over HTTPS, or HTTP to this machine, not to {}",
                    crate::redact_url(url)
                ))
            }
        }
        other => Err(format!("the scheme {other:?} is neither https nor http")),
    }
}

/// Whether `text` can be sent in a header as it is.
fn header_safe(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|byte| byte == b' ' || byte == b'\t' || byte.is_ascii_graphic())
}

/// The fields of a token answer this crate reads, whichever endpoint sent it.
#[derive(Deserialize)]
pub(super) struct TokenAnswer {
    #[serde(alias = "accessToken")]
    pub(super) access_token: String,
    pub(super) expires_in: Option<u64>,
    /// IAM Credentials' form: an RFC 3339 time.
    #[serde(rename = "expireTime")]
    pub(super) expire_time: Option<String>,
}
