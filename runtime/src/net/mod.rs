//! The runtime's own HTTP client, on hyper directly: one connection pool, requests with time
//! limits, redirects followed only where it is safe, and gzip answers read whole.
//!
//! The send path needs little of a general HTTP client, and each layer of one costs every call:
//! this is the little, written for it. Connections (TCP, the environment's proxies, TLS) are in
//! [`connect`].

mod connect;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Method, StatusCode, Uri};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper_util::client::legacy;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use super::error::TransportError;
use super::transport::deadline_after;

pub(crate) use url::Url;

/// The most redirects a GET or HEAD follows.
const MAX_REDIRECTS: usize = 10;
/// How long an unused connection stays in the pool.
const IDLE_CONNECTION: Duration = Duration::from_secs(90);

/// What an [`Http`] is built with.
pub(crate) struct Settings {
    /// The limit on setting up a connection (TCP, proxy tunnel and TLS).
    pub(crate) connect_timeout: Duration,
    /// The limit on a request, from sending to the last byte of the answer, unless the request
    /// sets its own.
    pub(crate) timeout: Duration,
    /// Whether GET and HEAD requests follow redirects (no other method ever does).
    pub(crate) redirects: bool,
}

/// An HTTP/1.1 client with a connection pool; cheap to clone, clones share the pool.
#[derive(Clone)]
pub(crate) struct Http {
    pool: legacy::Client<connect::Connector, Full<Bytes>>,
    /// The environment's proxies, when it names any: plain-HTTP requests through one carry its
    /// credentials.
    proxies: Option<Arc<connect::Proxies>>,
    timeout: Duration,
    redirects: bool,
}

impl Http {
    /// A client as `settings` say, with TLS from rustls and the platform's trusted roots.
    pub(crate) fn new(settings: Settings) -> Result<Http, String> {
        let proxies = connect::Proxies::from_env().map(Arc::new);
        let connector = connect::connector(settings.connect_timeout, proxies.clone())?;
        let pool = legacy::Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(IDLE_CONNECTION)
            .build(connector);
        Ok(Http {
            pool,
            proxies,
            timeout: settings.timeout,
            redirects: settings.redirects,
        })
    }

    /// Sends `request` and waits for the head of its answer (following redirects when the
    /// client and the method allow), within the request's time limit; the body is left to read
    /// within what is left of it.
    #[expect(
        clippy::manual_async_fn,
        reason = "an async fn's future holds its arguments twice"
    )]
    pub(crate) fn send<'s>(
        &'s self,
        mut request: Request<'s>,
    ) -> impl Future<Output = Result<Response, TransportError>> + Send + 's {
        // A block rather than an `async fn`, whose future would hold the request twice.
        async move {
            let deadline = self.deadline(&request)?;
            let follow = self.follows(&request);
            let sending = self.send_following(&mut request, follow);
            match tokio::time::timeout_at(deadline, sending).await {
                Ok(Ok(mut response)) => {
                    response.deadline = deadline;
                    Ok(response)
                }
                Ok(Err(error)) => Err(error),
                Err(_) => Err(TransportError::timeout()),
            }
        }
    }

    /// Sends `request` and reads the whole answer (inflated when it is gzip) within the
    /// request's time limit, unless the body is larger than `limit` bytes: then the reading stops
    /// as soon as that is known, holding no more than the limit. One timer serves the whole
    /// exchange, since a timer costs every call.
    #[expect(
        clippy::manual_async_fn,
        reason = "an async fn's future holds its arguments twice"
    )]
    pub(crate) fn fetch<'s>(
        &'s self,
        mut request: Request<'s>,
        limit: u64,
    ) -> impl Future<Output = Result<Whole, ReadError>> + Send + 's {
        async move {
            let deadline = self.deadline(&request).map_err(ReadError::Transport)?;
            let follow = self.follows(&request);
            let mut answered = false;
            let outcome = {
                let exchange = async {
                    let response = self
                        .send_following(&mut request, follow)
                        .await
                        .map_err(ReadError::Transport)?;
                    answered = true;
                    response.read_whole(limit).await
                };
                tokio::time::timeout_at(deadline, exchange).await
            };
            match outcome {
                Ok(whole) => whole,
                Err(_) if answered => Err(ReadError::Body(TransportError::timeout())),
                Err(_) => Err(ReadError::Transport(TransportError::timeout())),
            }
        }
    }

    /// When `request`'s time runs out; or why it cannot be sent.
    fn deadline(&self, request: &Request<'_>) -> Result<tokio::time::Instant, TransportError> {
        if let Some(message) = &request.invalid {
            return Err(TransportError::request(message.clone()));
        }
        let limit = request.timeout.unwrap_or(self.timeout);
        Ok(tokio::time::Instant::from_std(deadline_after(
            Instant::now(),
            limit,
        )))
    }

    /// Whether `request` follows redirects: GET and HEAD do, on a client that allows it.
    fn follows(&self, request: &Request<'_>) -> bool {
        self.redirects && matches!(request.method, Method::GET | Method::HEAD)
    }

    /// Sends `request`, and again to where each redirect points when `follow`. It is taken by
    /// reference, so that its future holds no second copy of it.
    async fn send_following(
        &self,
        request: &mut Request<'_>,
        follow: bool,
    ) -> Result<Response, TransportError> {
        let gzip = request.gzip;
        accept_gzip(gzip, &mut request.headers);
        // A redirect's request needs the headers again: made again when the caller can, else
        // kept from the first (only GET and HEAD follow, and they have no body).
        let kept = (follow && request.again.is_none()).then(|| Box::new(request.headers.clone()));
        let mut redirects = 0;
        let mut left_origin = false;
        loop {
            let headers = std::mem::take(&mut request.headers);
            let body = request.body.clone();
            let uri = request.uri.clone();
            let sending = self.start(request.method.clone(), uri, headers, body);
            let answer = sending.await.map_err(TransportError::send)?;
            let (parts, incoming) = answer.into_parts();
            let mut response = Response {
                status: parts.status,
                headers: parts.headers,
                body: incoming,
                gzipped: false,
                deadline: tokio::time::Instant::now(),
            };
            if !(follow && is_followed(response.status)) {
                response.gzipped = gzip && response.take_gzip();
                return Ok(response);
            }
            redirects += 1;
            if redirects > MAX_REDIRECTS {
                return Err(TransportError::redirect(format!(
                    "more than {MAX_REDIRECTS} redirects"
                )));
            }
            let from = Url::parse(&request.uri.to_string()).map_err(|_| {
                TransportError::redirect("a redirect from a URL that does not parse")
            })?;
            let target = redirect_target(&from, response.location())?;
            let mut headers = match (request.again, &kept) {
                (Some(again), _) => again(),
                (None, Some(kept)) => HeaderMap::clone(kept),
                (None, None) => HeaderMap::new(),
            };
            accept_gzip(gzip, &mut headers);
            // Credentials go to the server they were meant for, never on to another, nor back
            // from one.
            left_origin = left_origin || !same_origin(&from, &target);
            if left_origin {
                for name in [
                    header::AUTHORIZATION,
                    header::COOKIE,
                    header::PROXY_AUTHORIZATION,
                ] {
                    headers.remove(name);
                }
            }
            request.headers = headers;
            request.uri = Uri::try_from(target.as_str())
                .map_err(|_| TransportError::redirect("a redirect to a URL that cannot be sent"))?;
        }
    }

    /// Starts one request, no redirect followed: what is awaited is the pool's small future.
    fn start(
        &self,
        method: Method,
        uri: Uri,
        mut headers: HeaderMap,
        body: Bytes,
    ) -> legacy::ResponseFuture {
        if let Some(proxies) = &self.proxies {
            proxies.authorize_plain(&uri, &mut headers);
        }
        let mut request = http::Request::new(Full::new(body));
        *request.method_mut() = method;
        *request.uri_mut() = uri;
        *request.headers_mut() = headers;
        self.pool.request(request)
    }
}

/// Asks for a gzip answer, when `gzip` and the request is not for a range (whose offsets count
/// the stored bytes).
fn accept_gzip(gzip: bool, headers: &mut HeaderMap) {
    if gzip && !headers.contains_key(header::RANGE) {
        headers
            .entry(header::ACCEPT_ENCODING)
            .or_insert(HeaderValue::from_static("gzip"));
    }
}

/// Whether a GET or HEAD follows a redirect with `status`. Not a 308, which a resumable upload's
/// "resume incomplete" answer uses.
fn is_followed(status: StatusCode) -> bool {
    matches!(status.as_u16(), 301 | 302 | 303 | 307)
}

/// Where a redirect from `from` to `location` leads: an http(s) URL without user information.
fn redirect_target(from: &Url, location: Option<&str>) -> Result<Url, TransportError> {
    let refused = |why: &str| TransportError::redirect(format!("a redirect {why}"));
    let location = location.ok_or_else(|| refused("without a Location header"))?;
    let target = from
        .join(location)
        .map_err(|_| refused("to a location that is not a URL"))?;
    if !matches!(target.scheme(), "http" | "https") {
        return Err(refused("to a URL that is not http or https"));
    }
    if !target.username().is_empty() || target.password().is_some() {
        return Err(refused("to a URL with a user name or password"));
    }
    Ok(target)
}

/// Whether `a` and `b` have the same scheme, host and port.
fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// A request to send.
pub(crate) struct Request<'a> {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    /// Makes the headers again, for a redirect's request.
    again: Option<&'a (dyn Fn() -> HeaderMap + Send + Sync)>,
    body: Bytes,
    timeout: Option<Duration>,
    gzip: bool,
    /// Why the request cannot be sent (a header that is not one), said when it is.
    invalid: Option<String>,
}

impl<'a> Request<'a> {
    /// A `method` request to `url`, without a body, asking for a gzip answer.
    pub(crate) fn new(method: Method, url: &Url) -> Request<'a> {
        match Uri::try_from(url.as_str()) {
            Ok(uri) => Request::to(method, uri),
            Err(error) => {
                let mut request = Request::to(method, Uri::default());
                request.invalid = Some(format!("the URL cannot be sent: {error}"));
                request
            }
        }
    }

    /// A `method` request to `uri`, without a body, asking for a gzip answer.
    pub(crate) fn to(method: Method, uri: Uri) -> Request<'a> {
        Request {
            method,
            uri,
            headers: HeaderMap::new(),
            again: None,
            body: Bytes::new(),
            timeout: None,
            gzip: true,
            invalid: None,
        }
    }

    /// A GET of `url`.
    pub(crate) fn get(url: &Url) -> Request<'a> {
        Request::new(Method::GET, url)
    }

    /// With `headers`, replacing any set before.
    pub(crate) fn headers(mut self, headers: HeaderMap) -> Request<'a> {
        self.headers = headers;
        self
    }

    /// With `again` to make the headers anew for each redirect the request follows, rather
    /// than a copy of them kept from the start.
    pub(crate) fn again(mut self, again: &'a (dyn Fn() -> HeaderMap + Send + Sync)) -> Request<'a> {
        self.again = Some(again);
        self
    }

    /// With the header `name: value` (beside any of the same name).
    pub(crate) fn header(mut self, name: &str, value: &str) -> Request<'a> {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            (Ok(name), Ok(value)) => {
                self.headers.append(name, value);
            }
            _ => {
                self.invalid
                    .get_or_insert_with(|| format!("the header {name:?} cannot be sent"));
            }
        }
        self
    }

    /// With `body`.
    pub(crate) fn body(mut self, body: impl Into<Bytes>) -> Request<'a> {
        self.body = body.into();
        self
    }

    /// With a time limit of its own, from sending to the last byte of the answer.
    pub(crate) fn timeout(mut self, timeout: Duration) -> Request<'a> {
        self.timeout = Some(timeout);
        self
    }

    /// Without asking for a compressed answer: for downloads, whose bytes (and ranges) are the
    /// file's own.
    pub(crate) fn identity(mut self) -> Request<'a> {
        self.gzip = false;
        self
    }
}

/// The answer to a request: its head, and the body still to read.
pub(crate) struct Response {
    pub(crate) status: StatusCode,
    /// The headers; without `Content-Encoding` and `Content-Length` when the body is gzip,
    /// which [`Http::fetch`] inflates.
    pub(crate) headers: HeaderMap,
    body: Incoming,
    gzipped: bool,
    /// When the request's time runs out.
    deadline: tokio::time::Instant,
}

/// An answer read whole.
pub(crate) struct Whole {
    pub(crate) status: StatusCode,
    /// The headers; without `Content-Encoding` and `Content-Length` when the body came as gzip.
    pub(crate) headers: HeaderMap,
    /// The body, inflated.
    pub(crate) body: Vec<u8>,
}

/// Why a body could not be read whole.
pub(crate) enum ReadError {
    /// It is larger than the limit.
    TooLarge,
    /// The connection failed or the time ran out before the head of the answer came: the
    /// server may not have seen the request.
    Transport(TransportError),
    /// The connection failed or the time ran out while the body came.
    Body(TransportError),
}

impl Response {
    /// The length of the body, when the server said it.
    pub(crate) fn content_length(&self) -> Option<u64> {
        self.headers
            .get(header::CONTENT_LENGTH)?
            .to_str()
            .ok()?
            .parse()
            .ok()
    }

    /// The `Location` header, when it is text.
    fn location(&self) -> Option<&str> {
        self.headers.get(header::LOCATION)?.to_str().ok()
    }

    /// Whether the body is gzip; its encoding and length headers are then dropped, since they
    /// describe the bytes before inflating.
    fn take_gzip(&mut self) -> bool {
        let gzip = self
            .headers
            .get(header::CONTENT_ENCODING)
            .is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(b"gzip"));
        if gzip {
            self.headers.remove(header::CONTENT_ENCODING);
            self.headers.remove(header::CONTENT_LENGTH);
        }
        gzip
    }

    /// The next bytes of the body as they came (not inflated), or `None` at its end.
    pub(crate) async fn chunk(&mut self) -> Result<Option<Bytes>, TransportError> {
        let deadline = self.deadline;
        match tokio::time::timeout_at(deadline, next_data(&mut self.body)).await {
            Ok(next) => next,
            Err(_) => Err(TransportError::timeout()),
        }
    }

    /// The whole answer, its body inflated when it is gzip, unless either form of the body is
    /// larger than `limit` bytes. The caller keeps the time.
    #[expect(
        clippy::manual_async_fn,
        reason = "an async fn's future holds its arguments twice"
    )]
    fn read_whole(mut self, limit: u64) -> impl Future<Output = Result<Whole, ReadError>> + Send {
        async move {
            if self.content_length().is_some_and(|length| length > limit) {
                return Err(ReadError::TooLarge);
            }
            let raw = read_limited(&mut self.body, limit).await?;
            let body = if self.gzipped {
                inflate(&raw, limit)?
            } else {
                raw
            };
            Ok(Whole {
                status: self.status,
                headers: self.headers,
                body,
            })
        }
    }

    /// The body, to be read frame by frame; the request's time limit is then the reader's to
    /// keep.
    pub(crate) fn into_body(self) -> Incoming {
        self.body
    }
}

/// The next data of `body`, skipping empty frames and trailers.
async fn next_data(body: &mut Incoming) -> Result<Option<Bytes>, TransportError> {
    loop {
        match body.frame().await {
            None => return Ok(None),
            Some(Err(error)) => return Err(TransportError::body(error)),
            Some(Ok(frame)) => match frame.into_data() {
                Ok(data) if !data.is_empty() => return Ok(Some(data)),
                _ => continue,
            },
        }
    }
}

/// The rest of `body`, unless it is longer than `limit`.
async fn read_limited(body: &mut Incoming, limit: u64) -> Result<Vec<u8>, ReadError> {
    let first = match next_data(body).await.map_err(ReadError::Body)? {
        Some(first) => first,
        None => return Ok(Vec::new()),
    };
    if first.len() as u64 > limit {
        return Err(ReadError::TooLarge);
    }
    // Most answers come in one frame: then it is moved out, not copied, when nothing else
    // holds it.
    let second = match next_data(body).await.map_err(ReadError::Body)? {
        Some(second) => second,
        None => return Ok(Vec::from(first)),
    };
    let mut whole = Vec::from(first);
    let mut next = Some(second);
    while let Some(data) = next {
        if (whole.len() + data.len()) as u64 > limit {
            return Err(ReadError::TooLarge);
        }
        whole.extend_from_slice(&data);
        next = next_data(body).await.map_err(ReadError::Body)?;
    }
    Ok(whole)
}

/// `gzip` inflated, unless that is longer than `limit` or not gzip.
fn inflate(gzip: &[u8], limit: u64) -> Result<Vec<u8>, ReadError> {
    use std::io::Read as _;
    let mut inflated = Vec::new();
    let mut decoder = flate2::read::MultiGzDecoder::new(gzip).take(limit.saturating_add(1));
    match decoder.read_to_end(&mut inflated) {
        Ok(_) if inflated.len() as u64 > limit => Err(ReadError::TooLarge),
        Ok(_) => Ok(inflated),
        Err(error) => Err(ReadError::Body(TransportError::decoding(error))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_keep_to_http_and_refuse_user_information() {
        let from = Url::parse("https://api.example/v1/files?x=1").unwrap();
        let to = |location: &str| redirect_target(&from, Some(location)).map(String::from);
        assert_eq!(to("/v2/other").unwrap(), "https://api.example/v2/other");
        assert_eq!(to("http://cdn.example/a").unwrap(), "http://cdn.example/a");
        assert!(to("ftp://cdn.example/a").is_err());
        assert!(to("https://user:pw@cdn.example/a").is_err());
        assert!(redirect_target(&from, None).is_err());
    }

    #[test]
    fn origins_differ_by_scheme_host_or_port() {
        let url = |text: &str| Url::parse(text).unwrap();
        let a = url("https://api.example/x");
        assert!(same_origin(&a, &url("https://api.example:443/y")));
        assert!(!same_origin(&a, &url("http://api.example/x")));
        assert!(!same_origin(&a, &url("https://api.example:8443/x")));
        assert!(!same_origin(&a, &url("https://other.example/x")));
    }

    #[test]
    fn inflating_stops_at_the_limit() {
        use std::io::Write as _;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(&[b'a'; 10_000]).unwrap();
        let gzip = encoder.finish().unwrap();
        assert_eq!(inflate(&gzip, 10_000).ok().unwrap().len(), 10_000);
        assert!(matches!(inflate(&gzip, 9_999), Err(ReadError::TooLarge)));
        assert!(matches!(inflate(b"not gzip", 100), Err(ReadError::Body(_))));
    }
}
