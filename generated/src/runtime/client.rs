//! The client: configuration, and sending a [`Call`] over HTTP.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::auth::TokenSource;
use super::call::{Call, PreparedRequest, redact_url};
use super::error::{ApiError, Error, GoogleError};
use super::path;

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

/// Builds a [`Client`].
pub struct ClientBuilder {
    service: &'static ServiceInfo,
    root_url: Option<String>,
    token_source: Option<Arc<dyn TokenSource>>,
    api_key: Option<String>,
    user_agent: Option<String>,
    connect_timeout: Duration,
    timeout: Duration,
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

    /// Total time allowed for one call, unless the call sets its own.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let config_error = |message: String| Error::Config { message };
        let root_url = self
            .root_url
            .unwrap_or_else(|| self.service.root_url.to_owned());
        let root = reqwest::Url::parse(&root_url)
            .map_err(|error| config_error(format!("root URL {root_url:?}: {error}")))?;
        if !matches!(root.scheme(), "http" | "https") || root.query().is_some() {
            return Err(config_error(format!(
                "root URL {root_url:?} must be http or https, without a query"
            )));
        }
        let mut base_url = root_url;
        if !base_url.ends_with('/') {
            base_url.push('/');
        }
        base_url.push_str(self.service.service_path);
        let base_path = reqwest::Url::parse(&base_url)
            .map_err(|error| config_error(format!("service URL {base_url:?}: {error}")))?
            .path()
            .to_owned();

        let crate_agent = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));
        let user_agent = match self.user_agent {
            Some(product) => format!("{product} {crate_agent}"),
            None => crate_agent.to_owned(),
        };
        install_crypto_provider();
        let http = reqwest::blocking::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .build()
            .map_err(|error| config_error(format!("HTTP client: {error}")))?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                service: self.service,
                base_url,
                base_path,
                token_source: self.token_source,
                api_key: self.api_key,
                user_agent,
            }),
        })
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("service", &self.service.name)
            .field("root_url", &self.root_url)
            .field("token_source", &self.token_source.is_some())
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// rustls needs one process-wide cryptography provider; this crate uses ring. Installing fails
/// harmlessly when the program already chose one.
fn install_crypto_provider() {
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
    token_source: Option<Arc<dyn TokenSource>>,
    api_key: Option<String>,
    user_agent: String,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("service", &self.inner.service.name)
            .field("base_url", &self.inner.base_url)
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
        let expanded = path::expand(method.path, call.path_params()).map_err(invalid)?;
        let mut url = reqwest::Url::parse(&format!("{}{expanded}", self.inner.base_url))
            .map_err(|error| invalid(format!("the URL is not valid: {error}")))?;
        // Expansion refuses dot segments already; this check keeps that promise even if a
        // template itself were hostile.
        if !url.path().starts_with(&self.inner.base_path) || url.fragment().is_some() {
            return Err(invalid(format!(
                "the URL {} leaves the service path",
                redact_url(url.as_str())
            )));
        }
        {
            let mut pairs = url.query_pairs_mut();
            if let Some(key) = &self.inner.api_key {
                pairs.append_pair("key", key);
            }
            for (name, value) in call.query() {
                pairs.append_pair(name, value);
            }
        }
        if url.query() == Some("") {
            url.set_query(None);
        }
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

    /// Sends `call` and returns the successful response, or the error.
    pub fn execute(&self, call: Call) -> Result<Response, Error> {
        let method = call.method();
        let prepared = self.prepare(&call)?;
        let verb = reqwest::Method::from_bytes(prepared.method.as_bytes()).map_err(|_| {
            Error::InvalidRequest {
                method: method.id,
                message: format!("unknown HTTP method {:?}", prepared.method),
            }
        })?;
        let mut request = self.inner.http.request(verb, &prepared.url);
        for (name, value) in &prepared.headers {
            request = request.header(name, value);
        }
        if let Some(source) = &self.inner.token_source {
            let token = source.token()?;
            request = request.bearer_auth(token.secret());
        }
        if let Some(body) = prepared.body {
            request = request.body(body);
        } else if !matches!(prepared.method, "GET" | "HEAD" | "DELETE") {
            // Google's front end wants a length on bodiless POST, PUT and PATCH requests.
            request = request.header("content-length", "0");
        }
        if let Some(timeout) = call.timeout() {
            request = request.timeout(timeout);
        }
        let transport = |source: reqwest::Error| Error::Transport {
            method: method.id,
            source: source.without_url(),
        };
        let response = request.send().map_err(transport)?;
        let status = response.status().as_u16();
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = response.bytes().map_err(transport)?.to_vec();
        if (200..300).contains(&status) {
            Ok(Response {
                method: method.id,
                status,
                headers,
                body,
            })
        } else {
            Err(Error::Api(Box::new(ApiError {
                method: method.id,
                status,
                google: GoogleError::parse(&body),
                headers,
                body,
            })))
        }
    }
}
