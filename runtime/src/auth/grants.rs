//! The token exchanges each kind of credentials makes: the JWT-bearer and refresh-token grants,
//! IAM Credentials' `generateAccessToken`, the STS token exchange of workload identity
//! federation, and the metadata server. Each request is retried on a 5xx, a 429 or a transport
//! failure; any other refusal is final, and its error names the credentials and what the server
//! said, with every secret the request carried scrubbed out.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::cache::Fetched;
use super::files::{
    AuthorizedUser, External, Impersonated, Kind, Metadata, ServiceAccount, SubjectFormat,
    SubjectSource, TokenAnswer,
};
use crate::auth::AccessToken;
use crate::net::ReadError;
use crate::redact::Secrets;
use crate::{Error, redact_url};

/// The scope Google's libraries ask for when told none.
pub(super) const CLOUD_PLATFORM: &str = "https://www.googleapis.com/auth/cloud-platform";
/// Attempts of one token request.
const ATTEMPTS: u32 = 3;
/// The wait before the second attempt; doubled before each later one.
const FIRST_BACKOFF: Duration = Duration::from_millis(200);
/// The most of an answer read.
const MAX_ANSWER: u64 = 1024 * 1024;
/// How long a JWT assertion, and the token an impersonation asks for, are valid.
const ONE_HOUR: Duration = Duration::from_secs(3600);
/// The longest a token is believed to live, whatever a server says: a lifetime past any clock
/// must not overflow the arithmetic of the cache.
const MAX_LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// The grant type of a JWT-bearer assertion.
const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// What a token is asked for with, besides the credentials.
#[derive(Clone, Debug, Default)]
pub(super) struct Settings {
    /// The scopes the caller chose; `None` for the default.
    pub(super) scopes: Option<Vec<String>>,
    /// The user a service account acts for (domain-wide delegation).
    pub(super) subject: Option<String>,
}

impl Settings {
    /// The scopes to ask for: the caller's, else cloud-platform.
    fn scopes(&self) -> Vec<String> {
        self.scopes
            .clone()
            .unwrap_or_else(|| vec![CLOUD_PLATFORM.to_owned()])
    }
}

/// A future of a token, boxed: impersonation asks its source credentials first.
type Fetching<'a> = Pin<Box<dyn Future<Output = Result<Fetched, Error>> + Send + 'a>>;

/// Fetches a token for `kind`; `origin` says where the credentials came from, for errors.
pub(super) fn fetch<'a>(
    http: &'a crate::net::Http,
    kind: &'a Kind,
    settings: &'a Settings,
    origin: &'a str,
) -> Fetching<'a> {
    Box::pin(async move {
        if settings.subject.is_some() && !matches!(kind, Kind::ServiceAccount(_)) {
            return Err(auth_error(
                origin,
                format!(
                    "`with_subject` applies to service-account credentials only, not to {} \
                     credentials",
                    kind.name()
                ),
            ));
        }
        let exchange = Exchange { http, origin };
        match kind {
            Kind::ServiceAccount(account) => exchange.jwt_bearer(account, settings).await,
            Kind::AuthorizedUser(user) => exchange.refresh(user).await,
            Kind::Impersonated(impersonated) => {
                exchange
                    .impersonate_with_source(impersonated, settings)
                    .await
            }
            Kind::External(external) => exchange.federate(external, settings).await,
            Kind::Metadata(metadata) => exchange.metadata(metadata, settings).await,
        }
    })
}

/// Token requests on behalf of credentials from `origin`.
struct Exchange<'a> {
    http: &'a crate::net::Http,
    origin: &'a str,
}

/// One request to send (again, on a retry).
struct Outgoing {
    method: http::Method,
    url: String,
    headers: Vec<(&'static str, String)>,
    body: Option<(&'static str, String)>,
    /// What the request carries that no error may show.
    secrets: Secrets,
}

impl Exchange<'_> {
    /// The JWT-bearer grant of a service account.
    async fn jwt_bearer(
        &self,
        account: &ServiceAccount,
        settings: &Settings,
    ) -> Result<Fetched, Error> {
        let now = unix_now();
        let mut claims = serde_json::json!({
            "iss": account.client_email,
            "scope": settings.scopes().join(" "),
            "aud": account.token_uri,
            "iat": now,
            "exp": now + ONE_HOUR.as_secs(),
        });
        if let Some(subject) = &settings.subject {
            claims["sub"] = subject.clone().into();
        }
        let mut header = serde_json::json!({"alg": "RS256", "typ": "JWT"});
        if let Some(key_id) = &account.key_id {
            header["kid"] = key_id.clone().into();
        }
        let assertion = account
            .key
            .sign(&header, &claims)
            .map_err(|message| auth_error(self.origin, message))?;
        let mut secrets = Secrets::default();
        secrets.add(&assertion);
        let answer = self
            .send(
                "the token endpoint",
                Outgoing {
                    method: http::Method::POST,
                    url: account.token_uri.clone(),
                    headers: Vec::new(),
                    body: Some(form(&[
                        ("grant_type", JWT_BEARER),
                        ("assertion", &assertion),
                    ])),
                    secrets,
                },
            )
            .await?;
        self.fetched(answer)
    }

    /// The refresh-token grant of an authorized user (what gcloud writes).
    async fn refresh(&self, user: &AuthorizedUser) -> Result<Fetched, Error> {
        let mut secrets = Secrets::default();
        secrets.add(&user.refresh_token.0);
        secrets.add(&user.client_secret.0);
        let answer = self
            .send(
                "the token endpoint",
                Outgoing {
                    method: http::Method::POST,
                    url: user.token_uri.clone(),
                    headers: Vec::new(),
                    body: Some(form(&[
                        ("grant_type", "refresh_token"),
                        ("client_id", &user.client_id),
                        ("client_secret", &user.client_secret.0),
                        ("refresh_token", &user.refresh_token.0),
                    ])),
                    secrets,
                },
            )
            .await?;
        self.fetched(answer)
    }

    /// A token of the source credentials (with the cloud-platform scope, which IAM needs), then
    /// the impersonated account's.
    async fn impersonate_with_source(
        &self,
        impersonated: &Impersonated,
        settings: &Settings,
    ) -> Result<Fetched, Error> {
        let source = fetch(
            self.http,
            &impersonated.source,
            &Settings::default(),
            self.origin,
        )
        .await?;
        self.impersonate(
            &impersonated.url,
            &impersonated.delegates,
            &source.token,
            settings,
        )
        .await
    }

    /// IAM Credentials' `generateAccessToken`, authorized by `source`.
    async fn impersonate(
        &self,
        url: &str,
        delegates: &[String],
        source: &AccessToken,
        settings: &Settings,
    ) -> Result<Fetched, Error> {
        let body = serde_json::json!({
            "delegates": delegates,
            "scope": settings.scopes(),
            "lifetime": format!("{}s", ONE_HOUR.as_secs()),
        });
        let mut secrets = Secrets::default();
        secrets.add(source.secret());
        let answer = self
            .send(
                "IAM Credentials (generateAccessToken)",
                Outgoing {
                    method: http::Method::POST,
                    url: url.to_owned(),
                    headers: vec![("authorization", format!("Bearer {}", source.secret()))],
                    body: Some(("application/json", body.to_string())),
                    secrets,
                },
            )
            .await?;
        self.fetched(answer)
    }

    /// Workload identity federation: the subject token, exchanged at STS, then impersonation
    /// when the file names it.
    async fn federate(&self, external: &External, settings: &Settings) -> Result<Fetched, Error> {
        let subject_token = self.subject_token(&external.source).await?;
        // Impersonation needs cloud-platform; the caller's scopes go to the impersonated token.
        let sts_scopes = if external.impersonation_url.is_some() {
            vec![CLOUD_PLATFORM.to_owned()]
        } else {
            settings.scopes()
        };
        let scope = sts_scopes.join(" ");
        let mut fields = vec![
            (
                "grant_type",
                "urn:ietf:params:oauth:grant-type:token-exchange",
            ),
            ("audience", external.audience.as_str()),
            ("scope", scope.as_str()),
            (
                "requested_token_type",
                "urn:ietf:params:oauth:token-type:access_token",
            ),
            ("subject_token", subject_token.as_str()),
            ("subject_token_type", external.subject_token_type.as_str()),
        ];
        let options;
        if let (Some(project), None) = (&external.workforce_pool_user_project, &external.client) {
            options = serde_json::json!({"userProject": project}).to_string();
            fields.push(("options", options.as_str()));
        }
        let mut secrets = Secrets::default();
        secrets.add(&subject_token);
        let mut headers = Vec::new();
        if let Some((id, secret)) = &external.client {
            use base64::Engine as _;
            secrets.add(&secret.0);
            let basic =
                base64::engine::general_purpose::STANDARD.encode(format!("{id}:{}", secret.0));
            secrets.add(&basic);
            headers.push(("authorization", format!("Basic {basic}")));
        }
        let answer = self
            .send(
                "the STS token endpoint",
                Outgoing {
                    method: http::Method::POST,
                    url: external.token_url.clone(),
                    headers,
                    body: Some(form(&fields)),
                    secrets,
                },
            )
            .await?;
        let federated = self.fetched(answer)?;
        match &external.impersonation_url {
            Some(url) => self.impersonate(url, &[], &federated.token, settings).await,
            None => Ok(federated),
        }
    }

    /// An external account's subject token, from its file or URL.
    async fn subject_token(&self, source: &SubjectSource) -> Result<String, Error> {
        let (text, format, from) = match source {
            SubjectSource::File { path, format } => {
                let text = std::fs::read_to_string(path).map_err(|error| {
                    auth_error(
                        self.origin,
                        format!("the subject token file {path} could not be read: {error}"),
                    )
                })?;
                (text, format, format!("the subject token file {path}"))
            }
            SubjectSource::Url {
                url,
                headers,
                format,
            } => {
                let unreachable = |error: &dyn std::fmt::Display| {
                    auth_error(
                        self.origin,
                        format!(
                            "the subject token URL {} could not be reached: {error}",
                            redact_url(url)
                        ),
                    )
                };
                let parsed = crate::net::Url::parse(url).map_err(|error| unreachable(&error))?;
                let mut request = crate::net::Request::get(&parsed);
                for (name, value) in headers {
                    request = request.header(name, value);
                }
                let (status, body) = match self.http.fetch(request, MAX_ANSWER).await {
                    Ok(whole) => (whole.status.as_u16(), whole.body),
                    Err(ReadError::Transport(error)) => return Err(unreachable(&error)),
                    Err(ReadError::Body(error)) => {
                        let broke = format!("its answer broke off: {error}");
                        return Err(unreachable(&broke));
                    }
                    Err(ReadError::TooLarge) => {
                        let long = format!("its answer is longer than {MAX_ANSWER} bytes");
                        return Err(unreachable(&long));
                    }
                };
                if !(200..300).contains(&status) {
                    return Err(auth_error(
                        self.origin,
                        format!(
                            "the subject token URL {} answered {status}",
                            redact_url(url)
                        ),
                    ));
                }
                let text = String::from_utf8_lossy(&body).into_owned();
                (
                    text,
                    format,
                    format!("the subject token URL {}", redact_url(url)),
                )
            }
        };
        let token = match format {
            SubjectFormat::Text => text.trim().to_owned(),
            SubjectFormat::Json(field) => serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|value| value.get(field)?.as_str().map(str::to_owned))
                .ok_or_else(|| {
                    auth_error(
                        self.origin,
                        format!("{from} holds no JSON object with a string `{field}`"),
                    )
                })?,
        };
        if token.is_empty() {
            return Err(auth_error(self.origin, format!("{from} is empty")));
        }
        Ok(token)
    }

    /// The default service account's token from the metadata server; the scopes go along only
    /// when the caller chose them (the account's own are used otherwise).
    async fn metadata(&self, metadata: &Metadata, settings: &Settings) -> Result<Fetched, Error> {
        // A host and port only: anything that could move the request elsewhere is refused.
        if metadata.host.is_empty()
            || !metadata
                .host
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || b".-:[]_".contains(&byte))
        {
            return Err(auth_error(
                self.origin,
                format!("{:?} is not a host name and port", metadata.host),
            ));
        }
        let mut url = format!(
            "http://{}/computeMetadata/v1/instance/service-accounts/default/token",
            metadata.host
        );
        if let Some(scopes) = &settings.scopes {
            url.push_str("?scopes=");
            crate::path::percent_encode(&scopes.join(","), &mut url);
        }
        let answer = self
            .send(
                "the metadata server",
                Outgoing {
                    method: http::Method::GET,
                    url,
                    headers: vec![("metadata-flavor", "Google".to_owned())],
                    body: None,
                    secrets: Secrets::default(),
                },
            )
            .await?;
        self.fetched(answer)
    }

    /// Sends `outgoing` to `what`, retrying transient failures, and reads the token answer.
    async fn send(&self, what: &str, outgoing: Outgoing) -> Result<TokenAnswer, Error> {
        let mut attempt = 1;
        loop {
            let outcome = self.attempt(what, &outgoing).await;
            match outcome {
                Attempt::Answer(answer) => return Ok(answer),
                Attempt::Final(message) => return Err(auth_error(self.origin, message)),
                Attempt::Transient(message) if attempt >= ATTEMPTS => {
                    return Err(auth_error(
                        self.origin,
                        format!("{message} ({attempt} attempts)"),
                    ));
                }
                Attempt::Transient(message) => {
                    tracing::debug!(
                        target: "google_api_client",
                        attempt,
                        reason = message.as_str(),
                        "retrying a token request"
                    );
                    tokio::time::sleep(FIRST_BACKOFF * 2u32.pow(attempt - 1)).await;
                    attempt += 1;
                }
            }
        }
    }

    async fn attempt(&self, what: &str, outgoing: &Outgoing) -> Attempt {
        let shown_url = redact_url(&outgoing.url);
        let url = match crate::net::Url::parse(&outgoing.url) {
            Ok(url) => url,
            Err(error) => {
                return Attempt::Final(format!("{what} ({shown_url}) is not a URL: {error}"));
            }
        };
        let mut request = crate::net::Request::new(outgoing.method.clone(), &url)
            .header("accept", "application/json");
        for (name, value) in &outgoing.headers {
            request = request.header(name, value);
        }
        if let Some((content_type, body)) = &outgoing.body {
            request = request
                .header("content-type", content_type)
                .body(body.clone());
        }
        let (status, body) = match self.http.fetch(request, MAX_ANSWER).await {
            Ok(whole) => (whole.status.as_u16(), whole.body),
            Err(ReadError::Transport(error)) => {
                return Attempt::Transient(outgoing.secrets.scrub_text(&format!(
                    "{what} ({shown_url}) could not be reached: {error}"
                )));
            }
            Err(ReadError::Body(error)) => {
                return Attempt::Transient(outgoing.secrets.scrub_text(&format!(
                    "{what} ({shown_url}): the answer broke off: {error}"
                )));
            }
            Err(ReadError::TooLarge) => {
                return Attempt::Transient(format!(
                    "{what} ({shown_url}): the answer is larger than {MAX_ANSWER} bytes"
                ));
            }
        };
        if (200..300).contains(&status) {
            return match serde_json::from_slice::<TokenAnswer>(&body) {
                Ok(answer) => Attempt::Answer(answer),
                Err(_) => Attempt::Final(format!(
                    "{what} ({shown_url}) answered {status} without an access token"
                )),
            };
        }
        let said = outgoing.secrets.scrub_text(&server_error(&body));
        let message = format!("{what} ({shown_url}) answered {status}: {said}");
        if status >= 500 || status == 429 {
            Attempt::Transient(message)
        } else {
            Attempt::Final(message)
        }
    }

    /// A token and its lifetime from `answer`.
    fn fetched(&self, answer: TokenAnswer) -> Result<Fetched, Error> {
        let token = answer.access_token.trim();
        if token.is_empty() || !token.bytes().all(|byte| byte.is_ascii_graphic()) {
            return Err(auth_error(
                self.origin,
                "the token endpoint answered with an access token that cannot be sent in a header"
                    .to_owned(),
            ));
        }
        let lifetime = match (answer.expires_in, answer.expire_time.as_deref()) {
            (Some(seconds), _) => Duration::from_secs(seconds),
            (None, Some(time)) => seconds_until(time).ok_or_else(|| {
                auth_error(
                    self.origin,
                    format!("the token's expiry time {time:?} is not an RFC 3339 time"),
                )
            })?,
            // Google's tokens live an hour; an answer that does not say is taken at that.
            (None, None) => ONE_HOUR,
        }
        .min(MAX_LIFETIME);
        Ok(Fetched {
            token: AccessToken::new(token),
            lifetime,
        })
    }
}

/// How one attempt ended.
enum Attempt {
    Answer(TokenAnswer),
    /// Worth another attempt: a 5xx, a 429, no answer.
    Transient(String),
    Final(String),
}

/// An auth error about the credentials from `origin`.
pub(super) fn auth_error(origin: &str, message: String) -> Error {
    Error::Auth {
        message: format!("{origin}: {message}"),
    }
}

/// What a token endpoint's error body says: OAuth's `error` and `error_description`, or
/// Google's `{"error": {"status", "message"}}`, else the start of the body.
fn server_error(body: &[u8]) -> String {
    let value: serde_json::Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(_) => return crate::redact::body_excerpt(body, 300),
    };
    let text =
        |value: Option<&serde_json::Value>| value.and_then(|v| v.as_str()).map(str::to_owned);
    match value.get("error") {
        Some(serde_json::Value::String(code)) => match text(value.get("error_description")) {
            Some(description) => format!("{code}: {description}"),
            None => code.clone(),
        },
        Some(error @ serde_json::Value::Object(_)) => {
            let status = text(error.get("status")).unwrap_or_default();
            let message = text(error.get("message")).unwrap_or_default();
            format!("{status}: {message}")
                .trim_matches([':', ' '])
                .to_owned()
        }
        _ => crate::redact::body_excerpt(body, 300),
    }
}

/// An `application/x-www-form-urlencoded` body of `fields`.
fn form(fields: &[(&str, &str)]) -> (&'static str, String) {
    let mut body = String::new();
    for (index, (name, value)) in fields.iter().enumerate() {
        if index > 0 {
            body.push('&');
        }
        crate::path::percent_encode(name, &mut body);
        body.push('=');
        crate::path::percent_encode(value, &mut body);
    }
    ("application/x-www-form-urlencoded", body)
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

/// The time from now until the RFC 3339 `time`; zero when it is past.
fn seconds_until(time: &str) -> Option<Duration> {
    let at = time::OffsetDateTime::parse(time, &time::format_description::well_known::Rfc3339)
        .ok()?
        .unix_timestamp();
    Some(Duration::from_secs(
        u64::try_from(at).unwrap_or(0).saturating_sub(unix_now()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_errors_read_both_shapes() {
        assert_eq!(
            server_error(
                br#"{"error":"invalid_grant","error_description":"Invalid JWT Signature."}"#
            ),
            "invalid_grant: Invalid JWT Signature."
        );
        assert_eq!(
            server_error(br#"{"error":{"code":403,"status":"PERMISSION_DENIED","message":"no"}}"#),
            "PERMISSION_DENIED: no"
        );
        assert_eq!(server_error(b"plain"), "plain");
    }

    #[test]
    fn forms_encode_every_reserved_byte() {
        assert_eq!(
            form(&[("a", "x y&z=1"), ("b", "é")]).1,
            "a=x%20y%26z%3D1&b=%C3%A9"
        );
    }
}
