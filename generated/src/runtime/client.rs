//! The client: configuration, and sending a [`Call`] over HTTP.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use super::auth::TokenSource;
use super::call::{Call, PreparedRequest};
use super::error::{ApiError, Error, GoogleError};
use super::path;
use super::redact::{redact_url, scrub};
use super::retry::{self, RetryPolicy};

/// What the generated code knows about the API as a whole.
#[derive(Debug)]
pub struct ServiceInfo {
    /// The API's name, such as `dataportability`.
    pub name: &'static str,
    /// The API's version, such as `v1`.
    pub version: &'static str,
    /// The revision of the Discovery document the crate was generated from.
    pub revision: &'static str,
    /// Root URL, ending in `/`.
    pub root_url: &'static str,
    /// Path below the root URL that method paths are relative to.
    pub service_path: &'static str,
}

/// Default time to connect to the server.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default total time of one call.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default longest wait for the next bytes of a download.
const DEFAULT_DOWNLOAD_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// Default longest time of one download: the life of a Data Portability signed URL. A download
/// that needs longer is resumed from where it stopped.
const DEFAULT_DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(6 * 3600);

/// Builds a [`Client`].
pub struct ClientBuilder {
    service: &'static ServiceInfo,
    root_url: Option<String>,
    token_source: Option<Arc<dyn TokenSource>>,
    api_key: Option<String>,
    user_agent: Option<String>,
    connect_timeout: Duration,
    timeout: Duration,
    retry: RetryPolicy,
    check_path_patterns: bool,
    download_idle_timeout: Duration,
    download_timeout: Duration,
}

impl ClientBuilder {
    /// A builder for `service` with the default settings. Generated crates call this from
    /// `Client::builder()`.
    pub fn new(service: &'static ServiceInfo) -> Self {
        ClientBuilder {
            service,
            root_url: None,
            token_source: None,
            api_key: None,
            user_agent: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            retry: RetryPolicy::default(),
            check_path_patterns: true,
            download_idle_timeout: DEFAULT_DOWNLOAD_IDLE_TIMEOUT,
            download_timeout: DEFAULT_DOWNLOAD_TIMEOUT,
        }
    }

    /// Sends requests to `root_url` instead of the API's own (a local emulator, a proxy).
    pub fn root_url(mut self, root_url: impl Into<String>) -> Self {
        self.root_url = Some(root_url.into());
        self
    }

    /// Where access tokens come from. Without one, requests carry no `Authorization` header.
    pub fn token_source(mut self, source: impl TokenSource + 'static) -> Self {
        self.token_source = Some(Arc::new(source));
        self
    }

    /// An API key, sent as the `key` query parameter on every request.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// A product name and version put before this crate's own `User-Agent`.
    pub fn user_agent(mut self, product: impl Into<String>) -> Self {
        self.user_agent = Some(product.into());
        self
    }

    /// Time allowed to connect to the server.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Total time allowed for one call (all its attempts and the waits between them), unless
    /// the call sets its own.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How calls are retried; `RetryPolicy::disabled()` turns retries off.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// How long a download may wait for its response or for the next bytes (`idle`, 60 s by
    /// default; a wait longer than that fails with [`Error::TimedOut`] or an
    /// [`ErrorKind::TimedOut`](std::io::ErrorKind::TimedOut) read), and how long one download
    /// may take in all (`total`, 6 hours by default).
    pub fn download_timeouts(mut self, idle: Duration, total: Duration) -> Self {
        self.download_idle_timeout = idle;
        self.download_timeout = total;
        self
    }

    /// Whether path parameters are checked against the patterns the document gives (on by
    /// default). Turn it off if a stale pattern refuses values the server accepts.
    pub fn check_path_patterns(mut self, check: bool) -> Self {
        self.check_path_patterns = check;
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let config_error = |message: String| Error::Config { message };
        let root_url = self
            .root_url
            .unwrap_or_else(|| self.service.root_url.to_owned());
        let shown = redact_url(&root_url);
        let root = reqwest::Url::parse(&root_url)
            .map_err(|error| config_error(format!("root URL {shown:?}: {error}")))?;
        if !matches!(root.scheme(), "http" | "https") || root.query().is_some() {
            return Err(config_error(format!(
                "root URL {shown:?} must be http or https, without a query"
            )));
        }
        let mut root = root_url;
        if !root.ends_with('/') {
            root.push('/');
        }
        let base_url = format!("{root}{}", self.service.service_path);
        let download_url = format!("{root}download/{}", self.service.service_path);
        let base_path = reqwest::Url::parse(&base_url)
            .map_err(|error| {
                config_error(format!("service URL {:?}: {error}", redact_url(&base_url)))
            })?
            .path()
            .to_owned();
        let download_path = reqwest::Url::parse(&download_url)
            .map_err(|error| {
                config_error(format!(
                    "download URL {:?}: {error}",
                    redact_url(&download_url)
                ))
            })?
            .path()
            .to_owned();

        let crate_agent = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));
        let user_agent = match self.user_agent {
            Some(product) => format!("{product} {crate_agent}"),
            None => crate_agent.to_owned(),
        };
        install_crypto_provider();
        // No client-wide timeout: each attempt gets what is left of its call's time.
        let http = reqwest::blocking::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(None)
            .gzip(true)
            .build()
            .map_err(|error| config_error(format!("HTTP client: {error}")))?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                service: self.service,
                base_url,
                base_path,
                download_url,
                download_path,
                token_source: self.token_source,
                api_key: self.api_key,
                user_agent,
                timeout: self.timeout,
                retry: self.retry,
                check_path_patterns: self.check_path_patterns,
                download_timeouts: (self.download_idle_timeout, self.download_timeout),
            }),
        })
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("service", &self.service.name)
            .field("root_url", &self.root_url.as_deref().map(redact_url))
            .field("token_source", &self.token_source.is_some())
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("check_path_patterns", &self.check_path_patterns)
            .field("download_idle_timeout", &self.download_idle_timeout)
            .field("download_timeout", &self.download_timeout)
            .finish()
    }
}

/// rustls needs one process-wide cryptography provider; this crate uses ring. Installing fails
/// harmlessly when the program already chose one.
pub(crate) fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A client of the API. Cheap to clone; clones share connections and configuration.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::blocking::Client,
    service: &'static ServiceInfo,
    /// Root URL and service path, ending in `/` unless the service path is empty.
    base_url: String,
    /// The path part of `base_url`: every request path must start with it.
    base_path: String,
    /// Root URL, `download/` and service path: where media downloads go for some APIs.
    download_url: String,
    /// The path part of `download_url`.
    download_path: String,
    token_source: Option<Arc<dyn TokenSource>>,
    api_key: Option<String>,
    user_agent: String,
    timeout: Duration,
    retry: RetryPolicy,
    check_path_patterns: bool,
    /// Idle and total limits of a download.
    download_timeouts: (Duration, Duration),
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("service", &self.inner.service.name)
            .field("base_url", &redact_url(&self.inner.base_url))
            .field("token_source", &self.inner.token_source.is_some())
            .field(
                "api_key",
                &self.inner.api_key.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// A successful response, read in full.
#[derive(Debug, Clone)]
pub struct Response {
    method: &'static str,
    /// HTTP status.
    pub status: u16,
    /// Response headers, lower-case names.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// Decodes the body as `T`.
    pub fn json<T: serde::de::DeserializeOwned>(self) -> Result<T, Error> {
        serde_json::from_slice(&self.body).map_err(|error| Error::Decode {
            method: self.method,
            status: self.status,
            message: error.to_string(),
            body: self.body,
        })
    }
}

impl Client {
    pub(crate) fn http(&self) -> &reqwest::blocking::Client {
        &self.inner.http
    }

    pub(crate) fn token_source(&self) -> Option<&Arc<dyn TokenSource>> {
        self.inner.token_source.as_ref()
    }

    pub(crate) fn user_agent(&self) -> &str {
        &self.inner.user_agent
    }

    pub(crate) fn download_timeouts(&self) -> (Duration, Duration) {
        self.inner.download_timeouts
    }

    /// The API this client calls.
    pub fn service(&self) -> &'static ServiceInfo {
        self.inner.service
    }

    /// The request `call` would send, without sending it or fetching a token.
    pub fn prepare(&self, call: &Call) -> Result<PreparedRequest, Error> {
        let method = call.method();
        let invalid = |message: String| Error::InvalidRequest {
            method: method.id,
            message,
        };
        if self.inner.check_path_patterns {
            path::check_patterns(method.path_patterns, call.path_params()).map_err(invalid)?;
        }
        let expanded = path::expand(method.path, call.path_params()).map_err(invalid)?;
        let base = if call.download_service() {
            &self.inner.download_url
        } else {
            &self.inner.base_url
        };
        let mut url = reqwest::Url::parse(&format!("{base}{expanded}"))
            .map_err(|error| invalid(format!("the URL is not valid: {error}")))?;
        // Expansion refuses dot segments already; this check keeps that promise even if a
        // template itself were hostile.
        let base_path = if call.download_service() {
            &self.inner.download_path
        } else {
            &self.inner.base_path
        };
        if !url.path().starts_with(base_path.as_str()) || url.fragment().is_some() {
            return Err(invalid(format!(
                "the URL {} leaves the service path",
                redact_url(url.as_str())
            )));
        }
        let api_key = self.inner.api_key.as_deref().map(|key| ("key", key));
        let query = path::encode_query(
            api_key.into_iter().chain(
                call.query()
                    .iter()
                    .map(|(name, value)| (*name, value.as_str())),
            ),
        );
        url.set_query((!query.is_empty()).then_some(query.as_str()));
        let mut headers = vec![
            ("user-agent".to_owned(), self.inner.user_agent.clone()),
            (
                "x-goog-api-client".to_owned(),
                concat!("gl-rust gdcl/", env!("CARGO_PKG_VERSION")).to_owned(),
            ),
        ];
        if call.body().is_some() {
            headers.push(("content-type".to_owned(), "application/json".to_owned()));
        }
        Ok(PreparedRequest {
            method: method.http_method,
            url: url.into(),
            headers,
            body: call.body().map(<[u8]>::to_vec),
        })
    }

    /// Sends `call`, retrying as the policy allows, and returns the successful response or the
    /// last error.
    pub fn execute(&self, call: Call) -> Result<Response, Error> {
        let method = call.method();
        let prepared = self.prepare(&call)?;
        let verb = reqwest::Method::from_bytes(prepared.method.as_bytes()).map_err(|_| {
            Error::InvalidRequest {
                method: method.id,
                message: format!("unknown HTTP method {:?}", prepared.method),
            }
        })?;
        let policy = call.retry_policy().unwrap_or(&self.inner.retry);
        let retryable_method = retry::is_idempotent(prepared.method);
        let started = Instant::now();
        let deadline = started + call.timeout().unwrap_or(self.inner.timeout);
        let mut attempt = 1;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            let outcome = self.attempt(&prepared, verb.clone(), method.id, remaining);
            let status = match &outcome {
                Ok(response) => Some(response.status),
                Err(failure) => failure.error.http_status(),
            };
            tracing::debug!(
                target: "google_api_client",
                method = method.id,
                attempt,
                status,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "attempt finished"
            );
            let failure = match outcome {
                Ok(response) => return Ok(response),
                Err(failure) => failure,
            };
            if !(failure.retryable && retryable_method && policy.allows_another(attempt)) {
                return Err(failure.error);
            }
            let wait = failure
                .retry_after
                .unwrap_or_else(|| policy.backoff(attempt));
            if Instant::now() + wait >= deadline {
                // Waiting would use up the call's time: the error is the answer.
                return Err(failure.error);
            }
            tracing::debug!(
                target: "google_api_client",
                method = method.id,
                attempt,
                wait_ms = wait.as_millis() as u64,
                "retrying"
            );
            std::thread::sleep(wait);
            attempt += 1;
        }
    }

    /// One attempt: fetch a token, send, read the whole response.
    fn attempt(
        &self,
        prepared: &PreparedRequest,
        verb: reqwest::Method,
        method_id: &'static str,
        time_left: Duration,
    ) -> Result<Response, Failure> {
        let not_retryable = |error: Error| Failure {
            error,
            retryable: false,
            retry_after: None,
        };
        if time_left.is_zero() {
            return Err(not_retryable(Error::InvalidRequest {
                method: method_id,
                message: "the call's time ran out before it could be sent".to_owned(),
            }));
        }
        let mut request = self
            .inner
            .http
            .request(verb, &prepared.url)
            .timeout(time_left);
        for (name, value) in &prepared.headers {
            request = request.header(name, value);
        }
        let token = match &self.inner.token_source {
            Some(source) => Some(source.token().map_err(not_retryable)?),
            None => None,
        };
        if let Some(token) = &token {
            request = request.bearer_auth(token.secret());
        }
        if let Some(body) = &prepared.body {
            request = request.body(body.clone());
        } else if !matches!(prepared.method, "GET" | "HEAD" | "DELETE") {
            // Google's front end wants a length on bodiless POST, PUT and PATCH requests.
            request = request.header("content-length", "0");
        }
        let transport = |source: reqwest::Error| Error::Transport {
            method: method_id,
            source: source.without_url(),
        };
        // Nothing came back yet, so the server did nothing we know of: safe to retry.
        let response = request.send().map_err(|source| Failure {
            error: transport(source),
            retryable: true,
            retry_after: None,
        })?;
        let status = response.status().as_u16();
        let headers = header_list(response.headers());
        let body = response
            .bytes()
            .map_err(|source| not_retryable(transport(source)))?
            .to_vec();
        if (200..300).contains(&status) {
            return Ok(Response {
                method: method_id,
                status,
                headers,
                body,
            });
        }
        let secrets = [
            token.as_ref().map_or("", |token| token.secret()),
            self.inner.api_key.as_deref().unwrap_or(""),
        ];
        let error = ApiError::new(method_id, status, headers, body, &secrets);
        let retryable = retry::is_retryable_status(status, error.reason());
        let retry_after = error
            .header("retry-after")
            .and_then(|value| retry::parse_retry_after(value, SystemTime::now()));
        Err(Failure {
            error: Error::Api(Box::new(error)),
            retryable,
            retry_after,
        })
    }
}

impl ApiError {
    /// An error response, with every one of `secrets` (the credentials the request carried)
    /// removed from its body and headers in case the server echoed them.
    pub(crate) fn new(
        method: &'static str,
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        secrets: &[&str],
    ) -> ApiError {
        let body = scrub(body, secrets);
        let headers = headers
            .into_iter()
            .map(|(name, value)| {
                let value = scrub(value.into_bytes(), secrets);
                (name, String::from_utf8_lossy(&value).into_owned())
            })
            .collect();
        ApiError {
            method,
            status,
            google: GoogleError::parse(&body),
            headers,
            body,
        }
    }
}

/// Response headers as (lower-case name, value) pairs, in the order received.
pub(crate) fn header_list(headers: &reqwest::header::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// A failed attempt, and whether another may follow.
struct Failure {
    error: Error,
    retryable: bool,
    retry_after: Option<Duration>,
}
