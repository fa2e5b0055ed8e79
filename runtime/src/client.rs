//! The client: one configured HTTP client (token source, timeouts, retries, user agent) that
//! every API crate a program uses shares, and the send path every call goes through.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use super::auth::{AccessToken, TokenSource};
use super::call::PreparedRequest;
use super::error::{ApiError, Error};
use super::redact::{Secrets, redact_url};
use super::retry::{self, RetryPolicy};

/// Default time to connect to the server.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default total time of one call.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default longest wait for the next bytes of a download.
const DEFAULT_DOWNLOAD_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// Default longest time of one download: the life of a Data Portability signed URL. A download
/// that needs longer is resumed from where it stopped.
const DEFAULT_DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(6 * 3600);
/// Default largest response body read into memory.
const DEFAULT_MAX_RESPONSE_SIZE: u64 = 64 * 1024 * 1024;
/// How many redirects a GET or HEAD may follow.
const MAX_REDIRECTS: usize = 10;
/// This crate, as the `User-Agent` names it.
pub(crate) const RUNTIME_AGENT: &str =
    concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// Builds a [`Client`].
pub struct ClientBuilder {
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
    max_response_size: u64,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
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
            max_response_size: DEFAULT_MAX_RESPONSE_SIZE,
        }
    }
}

impl ClientBuilder {
    /// A builder with the default settings.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sends the requests of every API to `root_url` instead of the API's own (a local
    /// emulator, a proxy). An API's hub can set its own instead (`with_root_url`).
    pub fn root_url(mut self, root_url: impl Into<String>) -> Self {
        self.root_url = Some(root_url.into());
        self
    }

    /// Where access tokens come from. Without one, requests carry no `Authorization` header.
    /// One source serves every API the client is used with, so one consent can cover the
    /// scopes of several APIs.
    pub fn token_source(mut self, source: impl TokenSource + 'static) -> Self {
        self.token_source = Some(Arc::new(source));
        self
    }

    /// An API key, sent as the `key` query parameter on every request.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// A product name and version put before the API crate's own `User-Agent`.
    pub fn user_agent(mut self, product: impl Into<String>) -> Self {
        self.user_agent = Some(product.into());
        self
    }

    /// Time allowed to connect to the server.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for one call (all its attempts and the waits between them), unless the
    /// call sets its own (default 60 s). One caveat, the price of not arming a timer in
    /// reqwest's thread on every request: the first attempt of a call without a timeout of its
    /// own has this long for the answer to start and again as long to read its body.
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

    /// The largest response body a call reads into memory (64 MiB by default); a larger one
    /// fails the call with [`Error::Protocol`] as soon as it is seen to be larger, without
    /// reading the rest. Downloads are streamed and not limited by it.
    pub fn max_response_size(mut self, bytes: u64) -> Self {
        self.max_response_size = bytes;
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
        let root_url = match self.root_url {
            Some(root_url) => Some(checked_root_url(&root_url)?),
            None => None,
        };
        install_crypto_provider();
        let http = http_client(self.connect_timeout, self.timeout, redirect_policy())?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                http_no_redirects: OnceLock::new(),
                connect_timeout: self.connect_timeout,
                max_response_size: self.max_response_size,
                root_url,
                token_source: self.token_source,
                api_key: self.api_key,
                product: self.user_agent,
                timeout: self.timeout,
                retry: self.retry,
                check_path_patterns: self.check_path_patterns,
                download_timeouts: (self.download_idle_timeout, self.download_timeout),
            }),
        })
    }
}

/// An HTTP client with the client's timeouts. The client-wide timeout covers a call's first
/// attempt: reqwest enforces it on the calling thread, while a per-request timeout also arms a
/// timer in reqwest's runtime thread and wakes that thread once more per request (about a tenth
/// of a loopback call). Calls with their own timeout, and retries, set what is left of the
/// call's time.
fn http_client(
    connect_timeout: Duration,
    timeout: Duration,
    redirects: reqwest::redirect::Policy,
) -> Result<reqwest::blocking::Client, Error> {
    reqwest::blocking::Client::builder()
        .connect_timeout(connect_timeout)
        .timeout(timeout)
        .gzip(true)
        .redirect(redirects)
        .build()
        .map_err(|error| Error::Config {
            message: format!("HTTP client: {error}"),
        })
}

/// The redirects a GET or HEAD follows: up to [`MAX_REDIRECTS`] (reqwest drops the
/// `Authorization` header when one leads to another host), except a 308, which a resumable
/// upload's "resume incomplete" answer uses. Every other method is sent by a client that
/// follows none (see [`Client::http_for`]).
fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        if attempt.status() == reqwest::StatusCode::PERMANENT_REDIRECT {
            attempt.stop()
        } else if attempt.previous().len() > MAX_REDIRECTS {
            attempt.error(format!("more than {MAX_REDIRECTS} redirects"))
        } else {
            attempt.follow()
        }
    })
}

/// Refuses a URL with user information: reqwest would send it as `Authorization: Basic` beside
/// the token, and it would show wherever the URL does. `what` names the URL in the error.
pub(crate) fn refuse_user_info(url: &reqwest::Url, what: &str) -> Result<(), String> {
    if url.username().is_empty() && url.password().is_none() {
        Ok(())
    } else {
        Err(format!(
            "{what} {:?} holds a user name or password, which is never sent; give credentials \
             through a token source or an API key",
            redact_url(url.as_str())
        ))
    }
}

/// `root_url` if it is an http(s) URL without a query or user information, ending in `/`.
pub(crate) fn checked_root_url(root_url: &str) -> Result<String, Error> {
    let shown = redact_url(root_url);
    let config_error = |message: String| Error::Config { message };
    let parsed = reqwest::Url::parse(root_url)
        .map_err(|error| config_error(format!("root URL {shown:?}: {error}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.query().is_some() {
        return Err(config_error(format!(
            "root URL {shown:?} must be http or https, without a query"
        )));
    }
    refuse_user_info(&parsed, "root URL").map_err(config_error)?;
    let mut root = root_url.to_owned();
    if !root.ends_with('/') {
        root.push('/');
    }
    Ok(root)
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("root_url", &self.root_url.as_deref().map(redact_url))
            .field("token_source", &self.token_source.is_some())
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("check_path_patterns", &self.check_path_patterns)
            .field("download_idle_timeout", &self.download_idle_timeout)
            .field("download_timeout", &self.download_timeout)
            .field("max_response_size", &self.max_response_size)
            .finish()
    }
}

/// rustls needs one process-wide cryptography provider; this crate uses ring. Installing fails
/// harmlessly when the program already chose one.
pub(crate) fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A configured HTTP client for Google APIs: connections, token source, API key, timeouts and
/// retry policy. Cheap to clone; clones share all of it. Hand it to the hub of each API crate
/// (`DataPortability::new(&client)`, `Drive::new(&client)`, ...).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    /// For GET and HEAD, which follow redirects.
    http: reqwest::blocking::Client,
    /// For every other method, which follows none: a redirected POST must neither reach
    /// another host with its body nor turn into a GET and report success. Built when first used.
    http_no_redirects: OnceLock<Result<reqwest::blocking::Client, String>>,
    connect_timeout: Duration,
    max_response_size: u64,
    /// A root URL that replaces every API's own, ending in `/`.
    root_url: Option<String>,
    token_source: Option<Arc<dyn TokenSource>>,
    api_key: Option<String>,
    /// What `ClientBuilder::user_agent` gave.
    product: Option<String>,
    timeout: Duration,
    retry: RetryPolicy,
    check_path_patterns: bool,
    /// Idle and total limits of a download.
    download_timeouts: (Duration, Duration),
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("root_url", &self.inner.root_url.as_deref().map(redact_url))
            .field("token_source", &self.inner.token_source.is_some())
            .field(
                "api_key",
                &self.inner.api_key.as_ref().map(|_| "<redacted>"),
            )
            .finish_non_exhaustive()
    }
}

/// A successful response, read in full.
#[derive(Debug, Clone)]
pub struct Response {
    method: &'static str,
    /// What the request carried, kept out of a decoding error's body and message.
    secrets: Secrets,
    /// HTTP status.
    pub status: u16,
    /// Response headers, lower-case names.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// The body as it came and its content type, for methods that answer with Google's
    /// `HttpBody` (raw bytes of any type, not JSON).
    pub fn raw(self) -> (Option<String>, Vec<u8>) {
        let content_type = self
            .headers
            .iter()
            .find(|(name, _)| name == "content-type")
            .map(|(_, value)| value.clone());
        (content_type, self.body)
    }

    /// Decodes the body as `T`.
    pub fn json<T: serde::de::DeserializeOwned>(self) -> Result<T, Error> {
        crate::object::from_json(&self.body).map_err(|error| {
            Error::decode(
                self.method,
                self.status,
                &error.to_string(),
                self.body,
                &self.secrets,
            )
        })
    }
}

impl Client {
    /// A builder with the default settings.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// The HTTP client for requests made with `verb`: one that follows redirects for GET and
    /// HEAD, one that follows none for every other method.
    pub(crate) fn http_for(
        &self,
        method_id: &'static str,
        verb: &reqwest::Method,
    ) -> Result<&reqwest::blocking::Client, Error> {
        if matches!(*verb, reqwest::Method::GET | reqwest::Method::HEAD) {
            return Ok(&self.inner.http);
        }
        let built = self.inner.http_no_redirects.get_or_init(|| {
            http_client(
                self.inner.connect_timeout,
                self.inner.timeout,
                reqwest::redirect::Policy::none(),
            )
            .map_err(|error| error.to_string())
        });
        built.as_ref().map_err(|message| Error::InvalidRequest {
            method: method_id,
            message: message.clone(),
        })
    }

    /// The HTTP client for GET requests.
    pub(crate) fn http(&self) -> &reqwest::blocking::Client {
        &self.inner.http
    }

    pub(crate) fn root_url(&self) -> Option<&str> {
        self.inner.root_url.as_deref()
    }

    pub(crate) fn api_key(&self) -> Option<&str> {
        self.inner.api_key.as_deref()
    }

    pub(crate) fn check_path_patterns(&self) -> bool {
        self.inner.check_path_patterns
    }

    pub(crate) fn download_timeouts(&self) -> (Duration, Duration) {
        self.inner.download_timeouts
    }

    /// The `User-Agent` for requests made for `api_crate` (`name/version`): the caller's
    /// product, the API crate, and this crate.
    pub(crate) fn user_agent(&self, api_crate: Option<&str>) -> String {
        [
            self.inner.product.as_deref(),
            api_crate,
            Some(RUNTIME_AGENT),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
    }

    /// `request` with the prepared headers and, when the client has a token source, a fresh
    /// token; the token too, so that an error can be cleaned of it.
    pub(crate) fn authorized(
        &self,
        mut request: reqwest::blocking::RequestBuilder,
        prepared: &PreparedRequest,
    ) -> Result<(reqwest::blocking::RequestBuilder, Option<AccessToken>), Error> {
        for (name, value) in &prepared.headers {
            request = request.header(name, value);
        }
        let token = match &self.inner.token_source {
            Some(source) => Some(source.token()?),
            None => None,
        };
        if let Some(token) = &token {
            request = request.bearer_auth(token.secret());
        }
        Ok((request, token))
    }

    /// Sends `prepared`, retrying as the call's policy (or the client's) allows, and returns the
    /// successful response or the last error.
    pub(crate) fn send(
        &self,
        method_id: &'static str,
        prepared: &PreparedRequest,
        call_timeout: Option<Duration>,
        call_retry: Option<&RetryPolicy>,
    ) -> Result<Response, Error> {
        let verb = http_verb(method_id, prepared.method)?;
        let policy = call_retry.unwrap_or(&self.inner.retry);
        let retryable_method = retry::is_idempotent(prepared.method);
        let started = Instant::now();
        let deadline = deadline_after(started, call_timeout.unwrap_or(self.inner.timeout));
        let mut attempt = 1;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            // The first attempt of a call without a timeout of its own has the client's whole
            // timeout, which the HTTP client applies by itself.
            let time_left = (attempt > 1 || call_timeout.is_some()).then_some(remaining);
            let outcome = self.attempt(prepared, verb.clone(), method_id, time_left);
            let status = match &outcome {
                Ok(response) => Some(response.status),
                Err(failure) => failure.error.http_status(),
            };
            tracing::debug!(
                target: "google_api_client",
                method = method_id,
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
                .error
                .retry_after()
                .unwrap_or_else(|| policy.backoff(attempt));
            if wait >= deadline.saturating_duration_since(Instant::now()) {
                // Waiting would use up the call's time: the error is the answer.
                return Err(failure.error);
            }
            tracing::debug!(
                target: "google_api_client",
                method = method_id,
                attempt,
                wait_ms = wait.as_millis() as u64,
                "retrying"
            );
            std::thread::sleep(wait);
            attempt += 1;
        }
    }

    /// One attempt: fetch a token, send, read the whole response. `time_left` is `None` when
    /// the client's own timeout applies.
    fn attempt(
        &self,
        prepared: &PreparedRequest,
        verb: reqwest::Method,
        method_id: &'static str,
        time_left: Option<Duration>,
    ) -> Result<Response, Failure> {
        if time_left.is_some_and(|time_left| time_left.is_zero()) {
            return Err(Failure {
                error: Error::InvalidRequest {
                    method: method_id,
                    message: "the call's time ran out before it could be sent".to_owned(),
                },
                retryable: false,
            });
        }
        let exchange =
            self.exchange(method_id, verb, prepared, prepared.body.clone(), time_left)?;
        let retryable = !exchange.is_success() && exchange.is_transient();
        exchange
            .into_result()
            .map_err(|error| Failure { error, retryable })
    }

    /// Sends `prepared` once, with `body`, and reads the whole response, whatever its status,
    /// within `time_left` (the client's timeout when `None`). A failure says whether another
    /// attempt could help: only when nothing came back.
    pub(crate) fn exchange(
        &self,
        method_id: &'static str,
        verb: reqwest::Method,
        prepared: &PreparedRequest,
        body: Option<Vec<u8>>,
        time_left: Option<Duration>,
    ) -> Result<Exchange, Failure> {
        let not_retryable = |error: Error| Failure {
            error,
            retryable: false,
        };
        let mut request = self
            .http_for(method_id, &verb)
            .map_err(not_retryable)?
            .request(verb, &prepared.url);
        if let Some(time_left) = time_left {
            request = request.timeout(time_left);
        }
        let (mut request, token) = self.authorized(request, prepared).map_err(not_retryable)?;
        if let Some(body) = body {
            request = request.body(body);
        } else if !matches!(prepared.method, "GET" | "HEAD" | "DELETE") {
            // Google's front end wants a length on bodiless POST, PUT and PATCH requests.
            request = request.header("content-length", "0");
        }
        let transport = |source: reqwest::Error| Error::Transport {
            method: method_id,
            source: source.without_url(),
        };
        // Nothing came back yet, so the server did nothing we know of: safe to retry, unless
        // the request could not be built or was redirected in a loop, which fail again alike.
        let response = request.send().map_err(|source| {
            let error = transport(source);
            Failure {
                retryable: error.is_transient(),
                error,
            }
        })?;
        let status = response.status().as_u16();
        let headers = header_list(response.headers());
        let body =
            read_body(method_id, response, self.inner.max_response_size).map_err(not_retryable)?;
        let secrets = Secrets::of(
            token.as_ref().map(AccessToken::secret),
            self.inner.api_key.as_deref(),
        );
        Ok(Exchange {
            response: Response {
                method: method_id,
                secrets,
                status,
                headers,
                body,
            },
        })
    }

    /// Sends `prepared` once, moving its body rather than copying it: for requests that are
    /// never repeated, such as uploads. `timeout` replaces the client's.
    pub(crate) fn send_once(
        &self,
        method_id: &'static str,
        mut prepared: PreparedRequest,
        timeout: Option<Duration>,
    ) -> Result<Response, Error> {
        let verb = http_verb(method_id, prepared.method)?;
        let body = prepared.body.take();
        self.exchange(method_id, verb, &prepared, body, timeout)
            .map_err(|failure| failure.error)?
            .into_result()
    }

    /// How calls are retried unless they say otherwise.
    pub(crate) fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// The time a call may take unless it says otherwise.
    pub(crate) fn timeout(&self) -> Duration {
        self.inner.timeout
    }
}

/// The instant `timeout` after `start`, or a century later when that is past what an instant
/// can hold (a timeout of `Duration::MAX` means no limit, never a panic).
pub(crate) fn deadline_after(start: Instant, timeout: Duration) -> Instant {
    start
        .checked_add(timeout)
        .or_else(|| start.checked_add(Duration::from_secs(100 * 365 * 24 * 3600)))
        .unwrap_or(start)
}

/// Reads a response body whole, unless it is larger than `limit`: then the call fails as soon
/// as that is known (from `Content-Length`, or once `limit` bytes have come), without reading
/// the rest or holding more than the limit in memory.
fn read_body(
    method_id: &'static str,
    mut response: reqwest::blocking::Response,
    limit: u64,
) -> Result<Vec<u8>, Error> {
    use std::io::Read as _;
    let too_large = || Error::Protocol {
        method: method_id,
        message: format!(
            "the response body is larger than the client's limit of {limit} bytes \
             (`ClientBuilder::max_response_size`)"
        ),
    };
    let transport = |source: reqwest::Error| Error::Transport {
        method: method_id,
        source: source.without_url(),
    };
    match response.content_length() {
        Some(length) if length > limit => Err(too_large()),
        // Moved out of the buffer reqwest read it into, not copied, when nothing else holds
        // it; the HTTP stack never reads past the length it announced.
        Some(_) => Ok(response.bytes().map_err(transport)?.into()),
        None => {
            let mut body = Vec::new();
            (&mut response)
                .take(limit.saturating_add(1))
                .read_to_end(&mut body)
                .map_err(|error| {
                    let message = format!("the response body could not be read: {error}");
                    match error
                        .into_inner()
                        .map(|inner| inner.downcast::<reqwest::Error>())
                    {
                        Some(Ok(source)) => transport(*source),
                        _ => Error::Protocol {
                            method: method_id,
                            message,
                        },
                    }
                })?;
            if body.len() as u64 > limit {
                return Err(too_large());
            }
            Ok(body)
        }
    }
}

/// The verb of a prepared request, as reqwest takes it.
pub(crate) fn http_verb(method_id: &'static str, verb: &str) -> Result<reqwest::Method, Error> {
    reqwest::Method::from_bytes(verb.as_bytes()).map_err(|_| Error::InvalidRequest {
        method: method_id,
        message: format!("unknown HTTP method {verb:?}"),
    })
}

/// A response read in full, whatever its status, and the secrets its request carried (to be
/// kept out of an error made from it).
pub(crate) struct Exchange {
    pub(crate) response: Response,
}

impl Exchange {
    pub(crate) fn is_success(&self) -> bool {
        (200..300).contains(&self.response.status)
    }

    /// Whether the status is one worth another attempt (see [`retry`]).
    fn is_transient(&self) -> bool {
        self.to_error().is_transient()
    }

    /// The header `name` (lower case), when the response has it.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.response
            .headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The response as an [`ApiError`], cleaned of the request's secrets.
    pub(crate) fn to_error(&self) -> Error {
        Error::Api(Box::new(ApiError::new(
            self.response.method,
            self.response.status,
            self.response.headers.clone(),
            self.response.body.clone(),
            &self.response.secrets,
        )))
    }

    /// The response when it is a success (2xx), else the error it is.
    pub(crate) fn into_result(self) -> Result<Response, Error> {
        if self.is_success() {
            Ok(self.response)
        } else {
            Err(self.to_error())
        }
    }
}

/// When the server asks to wait: `Retry-After` in seconds or as an HTTP date.
pub(crate) fn retry_after_header(value: &str) -> Option<Duration> {
    retry::parse_retry_after(value, SystemTime::now())
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
pub(crate) struct Failure {
    pub(crate) error: Error,
    pub(crate) retryable: bool,
}
