//! The send path every call goes through, written once as async code: a token, the request,
//! retries with backoff on tokio's timer, and the whole response read within its limit. Blocking
//! clients run it through the bridge; async clients await it.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http::Uri;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};

use super::auth::{AccessToken, TokenSource};
use super::call::PreparedRequest;
use super::client::Core;
use super::error::{ApiError, Error, TransportError};
use super::net::{self, ReadError, Url};
use super::redact::{Secrets, redact_url};
use super::retry::{self, RetryPolicy};

/// A call under way, boxed where it is made: the code of the send path is then compiled once,
/// in this crate, and a program that awaits it only calls through the box.
pub(crate) type Sending<'a> = Pin<Box<dyn Future<Output = Result<Response, Error>> + Send + 'a>>;

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

    /// Reads the body as `T` with the runtime's JSON reader, which model types implement.
    pub fn read<T: crate::json::FromJson>(self) -> Result<T, Error> {
        match crate::json::from_slice(&self.body) {
            Ok(value) => Ok(value),
            Err(error) => Err(self.decode_error(&error)),
        }
    }

    /// Decodes the body as `T` through serde (crates generated for contract versions 3 and 4).
    pub fn json<T: serde::de::DeserializeOwned>(self) -> Result<T, Error> {
        match crate::object::from_json(&self.body) {
            Ok(value) => Ok(value),
            Err(error) => Err(self.decode_error(&error)),
        }
    }

    /// The error for a body that did not read, keeping the body (its secrets scrubbed).
    fn decode_error(self, error: &dyn std::fmt::Display) -> Error {
        Error::decode(
            self.method,
            self.status,
            &error.to_string(),
            self.body,
            &self.secrets,
        )
    }
}

impl Core {
    /// Sends `outgoing`, retrying as the call's policy (or the client's) allows, and returns
    /// the successful response or the last error. `keyed` says the call carries an idempotency
    /// key, which makes any method safe to retry.
    pub(crate) async fn send(
        &self,
        method_id: &'static str,
        outgoing: &Outgoing,
        keyed: bool,
        call_timeout: Option<Duration>,
        call_retry: Option<&RetryPolicy>,
    ) -> Result<Response, Error> {
        let policy = call_retry.unwrap_or(&self.retry);
        // A call with an idempotency key the server reads is as safe to repeat as a GET.
        let retryable_method = keyed || retry::is_idempotent(outgoing.verb);
        let started = Instant::now();
        let deadline = deadline_after(started, call_timeout.unwrap_or(self.timeout));
        let mut attempt = 1;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            // The first attempt of a call without a timeout of its own has the client's whole
            // timeout, which the HTTP client applies by itself.
            let time_left = (attempt > 1 || call_timeout.is_some()).then_some(remaining);
            let outcome = self.attempt(outgoing, method_id, time_left).await;
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
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// One attempt: fetch a token, send, read the whole response. `time_left` is `None` when
    /// the client's own timeout applies.
    async fn attempt(
        &self,
        outgoing: &Outgoing,
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
        let exchange = self.exchange(method_id, outgoing, time_left).await?;
        let retryable = !exchange.is_success() && exchange.is_transient();
        exchange
            .into_result()
            .map_err(|error| Failure { error, retryable })
    }

    /// Sends `outgoing` once and reads the whole response, whatever its status, within
    /// `time_left` (the client's timeout when `None`). A failure says whether another attempt
    /// could help: only when nothing came back.
    pub(crate) async fn exchange(
        &self,
        method_id: &'static str,
        outgoing: &Outgoing,
        time_left: Option<Duration>,
    ) -> Result<Exchange, Failure> {
        let not_retryable = |error: Error| Failure {
            error,
            retryable: false,
        };
        let (token, bearer) = self.authorization(method_id).await.map_err(not_retryable)?;
        let headers = || outgoing.headers_with(bearer.as_ref());
        let mut request = net::Request::to(outgoing.method.clone(), outgoing.uri.clone())
            .headers(headers())
            .again(&headers);
        if let Some(body) = &outgoing.body {
            request = request.body(body.clone());
        }
        if let Some(time_left) = time_left {
            request = request.timeout(time_left);
        }
        let limit = self.max_response_size;
        let whole = self
            .http
            .fetch(request, limit)
            .await
            .map_err(|error| match error {
                // Nothing came back, so the server did nothing we know of: safe to retry,
                // unless the request could not be built or a redirect was refused, which fail
                // again alike.
                ReadError::Transport(source) => {
                    let error = transport(method_id, source);
                    Failure {
                        retryable: error.is_transient(),
                        error,
                    }
                }
                ReadError::Body(source) => not_retryable(transport(method_id, source)),
                ReadError::TooLarge => not_retryable(too_large(method_id, limit)),
            })?;
        let secrets = Secrets::of(token.as_ref(), self.api_key.as_ref());
        Ok(Exchange {
            response: Response {
                method: method_id,
                secrets,
                status: whole.status.as_u16(),
                headers: header_list(&whole.headers),
                body: whole.body,
            },
        })
    }

    /// Sends `prepared` once, moving its body rather than copying it: for requests that are
    /// never repeated, such as uploads. `timeout` replaces the client's.
    pub(crate) async fn send_once(
        &self,
        method_id: &'static str,
        prepared: PreparedRequest,
        timeout: Option<Duration>,
    ) -> Result<Response, Error> {
        let outgoing = Outgoing::from_prepared(method_id, prepared)?;
        self.exchange(method_id, &outgoing, timeout)
            .await
            .map_err(|failure| failure.error)?
            .into_result()
    }

    /// A fresh token when the client has a token source, and its `Authorization` value; the
    /// token too, so that an error can be cleaned of it.
    pub(crate) async fn authorization(
        &self,
        method_id: &'static str,
    ) -> Result<(Option<AccessToken>, Option<HeaderValue>), Error> {
        let Some(source) = &self.token_source else {
            return Ok((None, None));
        };
        let token = token_from(source).await?;
        let bearer = token.bearer().ok_or_else(|| Error::InvalidRequest {
            method: method_id,
            message: "the access token cannot be sent as a header".to_owned(),
        })?;
        Ok((Some(token), Some(bearer)))
    }
}

/// A request as the send path sends it (again, on a retry), in the HTTP stack's own types:
/// what a [`PreparedRequest`] says, without the detour through strings.
pub(crate) struct Outgoing {
    /// The verb, as the method's description gives it.
    pub(crate) verb: &'static str,
    pub(crate) method: http::Method,
    /// Where it goes; cheap to copy for another attempt.
    pub(crate) uri: Uri,
    /// Every header but the token's.
    pub(crate) headers: HeaderMap,
    /// Shared, so that another attempt does not copy it.
    pub(crate) body: Option<Bytes>,
}

impl Outgoing {
    /// `prepared`, checked: its verb, URL and headers must be ones HTTP can carry.
    pub(crate) fn from_prepared(
        method_id: &'static str,
        prepared: PreparedRequest,
    ) -> Result<Outgoing, Error> {
        let invalid = |message: String| Error::InvalidRequest {
            method: method_id,
            message,
        };
        let mut headers = HeaderMap::with_capacity(prepared.headers.len());
        for (name, value) in &prepared.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| invalid(format!("{name:?} is not a header name")))?;
            let value = HeaderValue::from_str(value)
                .map_err(|_| invalid(format!("the header {name} cannot carry {value:?}")))?;
            headers.append(name, value);
        }
        Ok(Outgoing {
            verb: prepared.method,
            method: http_verb(method_id, prepared.method)?,
            uri: uri_of(method_id, &parsed_url(method_id, &prepared.url)?)?,
            headers,
            body: prepared.body.map(Bytes::from),
        })
    }

    /// The same request as a [`PreparedRequest`], for a caller to see or send.
    pub(crate) fn to_prepared(&self) -> PreparedRequest {
        PreparedRequest {
            method: self.verb,
            url: self.uri.to_string(),
            headers: header_list(&self.headers),
            body: self.body.as_deref().map(<[u8]>::to_vec),
        }
    }

    /// The headers of one request: these, the token's, and the length of an empty body where
    /// Google's front end wants one (on bodiless POST, PUT and PATCH requests).
    pub(crate) fn headers_with(&self, bearer: Option<&HeaderValue>) -> HeaderMap {
        let mut headers = self.headers.clone();
        if let Some(bearer) = bearer {
            headers.insert(header::AUTHORIZATION, bearer.clone());
        }
        if self.body.is_none() && !matches!(self.verb, "GET" | "HEAD" | "DELETE") {
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from_static("0"));
        }
        headers
    }
}

/// A token from `source`. A source that may do I/O (a refresh over HTTP, a file) is asked on a
/// blocking thread of the current runtime, so that it never stalls an async task; one that
/// answers at once is asked here.
async fn token_from(source: &Arc<dyn TokenSource>) -> Result<AccessToken, Error> {
    if source.is_immediate() {
        return source.token();
    }
    if let Some(token) = source.cached_token() {
        return Ok(token);
    }
    let source = Arc::clone(source);
    tokio::task::spawn_blocking(move || source.token())
        .await
        .unwrap_or_else(|failed| {
            Err(Error::Auth {
                message: format!("the token source failed: {failed}"),
            })
        })
}

/// `url`, parsed for sending; a URL the runtime built or was given by a server.
pub(crate) fn parsed_url(method_id: &'static str, url: &str) -> Result<Url, Error> {
    Url::parse(url).map_err(|error| Error::InvalidRequest {
        method: method_id,
        message: format!("the URL {} is not valid: {error}", redact_url(url)),
    })
}

/// `url` as the HTTP stack sends it.
pub(crate) fn uri_of(method_id: &'static str, url: &Url) -> Result<Uri, Error> {
    Uri::try_from(url.as_str()).map_err(|error| Error::InvalidRequest {
        method: method_id,
        message: format!(
            "the URL {} cannot be sent: {error}",
            redact_url(url.as_str())
        ),
    })
}

/// A transport error of `method_id`.
pub(crate) fn transport(method_id: &'static str, source: TransportError) -> Error {
    Error::Transport {
        method: method_id,
        source,
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

/// The error of a response body larger than the client's `limit`, which is not read further.
fn too_large(method_id: &'static str, limit: u64) -> Error {
    Error::Protocol {
        method: method_id,
        message: format!(
            "the response body is larger than the client's limit of {limit} bytes \
             (`ClientBuilder::max_response_size`)"
        ),
    }
}

/// The verb of a prepared request, as the HTTP stack takes it.
pub(crate) fn http_verb(method_id: &'static str, verb: &str) -> Result<http::Method, Error> {
    http::Method::from_bytes(verb.as_bytes()).map_err(|_| Error::InvalidRequest {
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
pub(crate) fn header_list(headers: &http::HeaderMap) -> Vec<(String, String)> {
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
