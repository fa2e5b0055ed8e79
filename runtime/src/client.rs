//! The clients: one configuration (token source, timeouts, retries, user agent, connections)
//! that every API crate a program uses shares, as a blocking [`Client`] or an [`AsyncClient`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::auth::TokenSource;
use super::error::Error;
use super::net::{self, Http, Url};
use super::redact::redact_url;
use super::retry::RetryPolicy;

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
/// This crate, as the `User-Agent` names it.
pub(crate) const RUNTIME_AGENT: &str =
    concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// Builds a [`Client`] (blocking) or an [`AsyncClient`]: the same settings serve either.
pub struct ClientBuilder {
    root_url: Option<String>,
    token_source: Option<Arc<dyn TokenSource>>,
    api_key: Option<String>,
    quota_project: Option<String>,
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
            quota_project: None,
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

    /// The project billed for the calls' quota, sent as `x-goog-user-project` on every request.
    /// Without it, the token source's own (a credentials file's `quota_project_id`) is sent,
    /// if it has one.
    pub fn quota_project(mut self, project: impl Into<String>) -> Self {
        self.quota_project = Some(project.into());
        self
    }

    /// Time allowed to connect to the server.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for one call (all its attempts and the waits between them), unless the
    /// call sets its own (default 60 s).
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

    /// Builds a blocking client: calls return their result. Its connections are driven by one
    /// background thread that every blocking client shares; a call made inside an async task
    /// is refused with an error that says to use [`build_async`](Self::build_async).
    pub fn build(self) -> Result<Client, Error> {
        crate::bridge::background()?;
        Ok(Client {
            core: Arc::new(self.core()?),
        })
    }

    /// Builds an async client: calls return futures, page lists are `Stream`s, uploads read a
    /// `tokio::io::AsyncRead`. Use it on one tokio runtime (its pooled connections belong to
    /// the runtime that opened them).
    pub fn build_async(self) -> Result<AsyncClient, Error> {
        Ok(AsyncClient {
            core: Arc::new(self.core()?),
        })
    }

    /// What both kinds of client share.
    fn core(self) -> Result<Core, Error> {
        let root_url = match self.root_url {
            Some(root_url) => Some(checked_root_url(&root_url)?),
            None => None,
        };
        let quota_project = self
            .quota_project
            .or_else(|| self.token_source.as_ref()?.quota_project());
        let quota_project = match quota_project {
            Some(project) => Some(checked_header_value("quota project", project)?),
            None => None,
        };
        let http = Http::new(net::Settings {
            connect_timeout: self.connect_timeout,
            timeout: self.timeout,
            redirects: true,
        })
        .map_err(|message| Error::Config {
            message: format!("HTTP client: {message}"),
        })?;
        Ok(Core {
            http,
            max_response_size: self.max_response_size,
            root_url,
            token_source: self.token_source,
            api_key: self.api_key.map(Arc::from),
            quota_project,
            product: self.user_agent,
            timeout: self.timeout,
            retry: self.retry,
            check_path_patterns: self.check_path_patterns,
            download_timeouts: (self.download_idle_timeout, self.download_timeout),
        })
    }
}

/// `value` for a header, or a configuration error naming `what`: printable ASCII only, so that
/// nothing can end the header early.
fn checked_header_value(what: &str, value: String) -> Result<String, Error> {
    if !value.is_empty() && value.bytes().all(|byte| byte.is_ascii_graphic()) {
        Ok(value)
    } else {
        Err(Error::Config {
            message: format!("the {what} {value:?} cannot be sent as a header value"),
        })
    }
}

/// Refuses a URL with user information: an HTTP client would send it as `Authorization: Basic` beside
/// the token, and it would show wherever the URL does. `what` names the URL in the error.
pub(crate) fn refuse_user_info(url: &Url, what: &str) -> Result<(), String> {
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
    let parsed = Url::parse(root_url)
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

/// A configured blocking client for Google APIs: connections, token source, API key, timeouts
/// and retry policy. Each call returns its result. Cheap to clone; clones share all of it. Hand
/// it to the hub of each API crate (`DataPortability::new(&client)`, `Drive::new(&client)`,
/// ...).
///
/// Inside async code use an [`AsyncClient`] instead: a blocking call made inside an async task
/// returns an [`Error::InvalidRequest`] that says so, rather than stall the task's thread.
#[derive(Clone)]
pub struct Client {
    core: Arc<Core>,
}

/// A configured async client for Google APIs, made by
/// [`ClientBuilder::build_async`]: the same settings as a [`Client`], and the same hubs
/// (`Drive::new(&client)`), whose calls are then futures (`send().await`), whose pages and items
/// are `Stream`s and whose uploads read a `tokio::io::AsyncRead`. Its futures are `Send`; cheap
/// to clone, and clones share connections.
///
/// A future dropped before it ends leaves nothing behind: its connection is closed, and a
/// resumable upload's session can be resumed from its URI.
#[derive(Clone)]
pub struct AsyncClient {
    core: Arc<Core>,
}

/// What a client is: connections and settings, and the send path (see the `transport` module).
/// Generated code reaches it through [`Backend`](super::Backend); it has nothing public.
pub struct Core {
    /// Connections. GET and HEAD follow redirects; every other method follows none: a
    /// redirected POST must neither reach another host with its body nor turn into a GET and
    /// report success.
    pub(crate) http: Http,
    pub(crate) max_response_size: u64,
    /// A root URL that replaces every API's own, ending in `/`.
    pub(crate) root_url: Option<String>,
    pub(crate) token_source: Option<Arc<dyn TokenSource>>,
    pub(crate) api_key: Option<Arc<str>>,
    /// Sent as `x-goog-user-project`.
    pub(crate) quota_project: Option<String>,
    /// What `ClientBuilder::user_agent` gave.
    product: Option<String>,
    pub(crate) timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) check_path_patterns: bool,
    /// Idle and total limits of a download.
    pub(crate) download_timeouts: (Duration, Duration),
}

impl Core {
    /// The `User-Agent` for requests made for `api_crate` (`name/version`): the caller's
    /// product, the API crate, and this crate.
    pub(crate) fn user_agent(&self, api_crate: Option<&str>) -> String {
        [self.product.as_deref(), api_crate, Some(RUNTIME_AGENT)]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl fmt::Debug for Core {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("root_url", &self.root_url.as_deref().map(redact_url))
            .field("token_source", &self.token_source.is_some())
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.core.fmt(f)
    }
}

impl fmt::Debug for AsyncClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.core.fmt(f)
    }
}

impl Client {
    /// A builder with the default settings.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    pub(crate) fn core(&self) -> &Core {
        &self.core
    }

    /// The shared state itself, for a call handed to the background runtime.
    pub(crate) fn shared_core(&self) -> Arc<Core> {
        Arc::clone(&self.core)
    }
}

impl AsyncClient {
    /// A builder with the default settings (the same builder as [`Client::builder`]; finish it
    /// with [`build_async`](ClientBuilder::build_async)).
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    pub(crate) fn core(&self) -> &Core {
        &self.core
    }
}
