//! The one error type of the client, and Google's JSON error body.

use std::fmt;

use serde::Deserialize;

use super::redact::{Secrets, body_excerpt, redact_text};

/// How much of a body `Display` shows.
const DISPLAY_BODY_CHARS: usize = 200;
/// How much of a body `Debug` shows.
const DEBUG_BODY_CHARS: usize = 2000;

/// Everything that can go wrong with a call.
///
/// `Debug` shows bodies as (redacted, shortened) text rather than bytes, since it is what a
/// program ending in `Result<(), Box<dyn Error>>` prints.
#[non_exhaustive]
pub enum Error {
    /// The request was refused before anything was sent: a bad path parameter, a body that
    /// could not be serialized.
    InvalidRequest {
        /// Id of the method, such as `dataportability.archiveJobs.retry`.
        method: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// The client could not be built as configured.
    Config {
        /// What is wrong with the configuration.
        message: String,
    },
    /// No access token could be had from the token source.
    Auth {
        /// Why, without the token or any secret.
        message: String,
    },
    /// The server could not be reached, or the connection failed before a whole response came.
    Transport {
        /// Id of the method.
        method: &'static str,
        /// What failed, with the URL removed (it may carry an API key).
        source: TransportError,
    },
    /// The server sent nothing for too long (a download that stalled).
    TimedOut {
        /// Id of the method, or `download`.
        method: &'static str,
        /// How long nothing came.
        after: std::time::Duration,
    },
    /// The server broke the protocol of the API (a list that hands out the same page token
    /// twice, say).
    Protocol {
        /// Id of the method.
        method: &'static str,
        /// What went wrong.
        message: String,
    },
    /// The server answered with an error status.
    Api(Box<ApiError>),
    /// The server answered with success, but the body is not what the method returns.
    Decode {
        /// Id of the method.
        method: &'static str,
        /// HTTP status of the response.
        status: u16,
        /// What did not fit.
        message: String,
        /// The raw response body.
        body: Vec<u8>,
    },
}

impl Error {
    /// A success response whose body is not what `method` returns, with every one of
    /// `secrets` removed from the body and the message (a decoder quotes what it read).
    pub(crate) fn decode(
        method: &'static str,
        status: u16,
        message: &str,
        body: Vec<u8>,
        secrets: &Secrets,
    ) -> Error {
        Error::Decode {
            method,
            status,
            message: redact_text(&secrets.scrub_text(message)),
            body: secrets.scrub(body),
        }
    }

    /// Whether the same request may well succeed if sent again later: the server said it did
    /// not process it (502, 503, 504, or 429 without a reason such as an exhausted quota), no
    /// answer came, or the answer stalled. The client retries such errors itself for GET and
    /// HEAD; for other methods only the caller knows whether a repeat is safe, since after a
    /// transport error the server may have acted.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Api(api) => api.is_transient(),
            // A request that could not be built, or a redirect loop, fails the same way again.
            Error::Transport { source, .. } => source.is_transient(),
            Error::TimedOut { .. } => true,
            _ => false,
        }
    }

    /// Whether the server could not be reached at all: the connection was refused, the name did
    /// not resolve, or the connection (TLS included) could not be set up. Nothing was sent.
    pub fn is_connect(&self) -> bool {
        matches!(self, Error::Transport { source, .. } if source.is_connect())
    }

    /// How long the server asked the caller to wait before trying again (`Retry-After`, in
    /// seconds or as an HTTP date), when it did.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        self.api()?
            .header("retry-after")
            .and_then(super::transport::retry_after_header)
    }

    /// The error response, when the server answered with an error status.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            _ => None,
        }
    }

    /// The HTTP status, when the server answered.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidRequest { method, message } => {
                write!(f, "{method}: request not sent: {message}")
            }
            Error::Config { message } => write!(f, "client configuration: {message}"),
            Error::Auth { message } => write!(f, "could not get an access token: {message}"),
            Error::Transport { method, source } => write!(f, "{method}: transport error: {source}"),
            Error::TimedOut { method, after } => {
                write!(f, "{method}: the server sent nothing for {after:?}")
            }
            Error::Protocol { method, message } => write!(f, "{method}: {message}"),
            Error::Api(api) => api.fmt(f),
            Error::Decode {
                method,
                status,
                message,
                body,
            } => write!(
                f,
                "{method}: HTTP {status} response is not the expected JSON: {message}; body starts: {}",
                body_excerpt(body, DISPLAY_BODY_CHARS)
            ),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidRequest { method, message } => f
                .debug_struct("InvalidRequest")
                .field("method", method)
                .field("message", message)
                .finish(),
            Error::Config { message } => {
                f.debug_struct("Config").field("message", message).finish()
            }
            Error::Auth { message } => f.debug_struct("Auth").field("message", message).finish(),
            Error::Transport { method, source } => f
                .debug_struct("Transport")
                .field("method", method)
                .field("source", source)
                .finish(),
            Error::TimedOut { method, after } => f
                .debug_struct("TimedOut")
                .field("method", method)
                .field("after", after)
                .finish(),
            Error::Protocol { method, message } => f
                .debug_struct("Protocol")
                .field("method", method)
                .field("message", message)
                .finish(),
            Error::Api(api) => f.debug_tuple("Api").field(api).finish(),
            Error::Decode {
                method,
                status,
                message,
                body,
            } => f
                .debug_struct("Decode")
                .field("method", method)
                .field("status", status)
                .field("message", message)
                .field("body", &BodyText(body))
                .finish(),
        }
    }
}

/// Why a request got no whole response: the connection could not be made, broke, or took too
/// long. What the HTTP stack said is kept, as text and as the error's `source`, but its type is
/// the runtime's own, so that the HTTP stack can change without changing this crate's API.
pub struct TransportError {
    kind: TransportKind,
    /// What failed, in the runtime's words; the HTTP stack's follow as the source.
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

/// What kind of failure a [`TransportError`] is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TransportKind {
    /// No connection: refused, a name that did not resolve, a failed TLS handshake or tunnel.
    Connect,
    /// A time limit ran out.
    Timeout,
    /// A redirect that is not followed: too many, or to somewhere a request must not go.
    Redirect,
    /// The request could not be made (a header value that is not one).
    Request,
    /// The connection failed while sending or before the head of the answer came.
    Send,
    /// The connection failed while the body came.
    Body,
    /// The body is not what its encoding says (gzip that does not inflate).
    Decoding,
}

impl TransportError {
    fn with(
        kind: TransportKind,
        message: impl Into<String>,
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    ) -> TransportError {
        TransportError {
            kind,
            message: message.into(),
            source,
        }
    }

    /// A request that could not be made, for `message`.
    pub(crate) fn request(message: impl Into<String>) -> TransportError {
        TransportError::with(TransportKind::Request, message, None)
    }

    /// The request's time ran out.
    pub(crate) fn timeout() -> TransportError {
        TransportError::with(TransportKind::Timeout, "the request timed out", None)
    }

    /// A redirect that is not followed, for `message`.
    pub(crate) fn redirect(message: impl Into<String>) -> TransportError {
        TransportError::with(TransportKind::Redirect, message, None)
    }

    /// A request hyper could not send, or whose answer did not come.
    pub(crate) fn send(error: hyper_util::client::legacy::Error) -> TransportError {
        let (kind, message) = if error.is_connect() {
            (TransportKind::Connect, "could not connect")
        } else {
            (TransportKind::Send, "error sending request")
        };
        TransportError::with(kind, message, Some(Box::new(error)))
    }

    /// A body that broke off.
    pub(crate) fn body(error: hyper::Error) -> TransportError {
        let message = "error reading the response body";
        TransportError::with(TransportKind::Body, message, Some(Box::new(error)))
    }

    /// A body that does not inflate.
    pub(crate) fn decoding(error: std::io::Error) -> TransportError {
        let message = "the gzip response body does not inflate";
        TransportError::with(TransportKind::Decoding, message, Some(Box::new(error)))
    }

    /// Whether the connection could not be set up: refused, a name that did not resolve, a TLS
    /// handshake that failed. Nothing was sent.
    pub fn is_connect(&self) -> bool {
        self.kind == TransportKind::Connect
    }

    /// Whether a time limit ran out (the call's, the client's, or the connect timeout).
    pub fn is_timeout(&self) -> bool {
        if self.kind == TransportKind::Timeout {
            return true;
        }
        let mut cause = std::error::Error::source(self);
        while let Some(inner) = cause {
            if inner
                .downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
            {
                return true;
            }
            cause = inner.source();
        }
        false
    }

    /// Whether another attempt could go differently: not for a request that could not be
    /// built, nor for a redirect refused, which fail the same way again.
    pub(crate) fn is_transient(&self) -> bool {
        !matches!(self.kind, TransportKind::Request | TransportKind::Redirect)
    }
}

impl fmt::Display for TransportError {
    /// The error and each of its causes, on one line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        let mut cause = std::error::Error::source(self);
        while let Some(inner) = cause {
            write!(f, ": {inner}")?;
            cause = inner.source();
        }
        Ok(())
    }
}

impl fmt::Debug for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TransportError")
            .field(&self.to_string())
            .finish()
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|source| source as &(dyn std::error::Error + 'static))
    }
}

/// A body in `Debug` output: its start as text.
struct BodyText<'a>(&'a [u8]);

impl fmt::Debug for BodyText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&body_excerpt(self.0, DEBUG_BODY_CHARS), f)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// An error response from the server.
///
/// Any credential the request carried is removed from `body` and `headers` before the error is
/// made, in case the server echoed it.
#[derive(Clone)]
pub struct ApiError {
    /// Id of the method.
    pub method: &'static str,
    /// HTTP status.
    pub status: u16,
    /// Response headers, lower-case names, in the order received.
    pub headers: Vec<(String, String)>,
    /// The raw response body.
    pub body: Vec<u8>,
    /// Google's error, when the body is Google's JSON error shape.
    pub google: Option<GoogleError>,
}

impl ApiError {
    /// An error response, with every one of `secrets` (the credentials the request carried)
    /// removed from its body and headers in case the server echoed them.
    pub(crate) fn new(
        method: &'static str,
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        secrets: &Secrets,
    ) -> ApiError {
        let body = secrets.scrub(body);
        let headers = headers
            .into_iter()
            .map(|(name, value)| (name, secrets.scrub_text(&value)))
            .collect();
        ApiError {
            method,
            status,
            google: GoogleError::parse(&body),
            headers,
            body,
        }
    }

    /// Whether the server said it did not process the request and it may be sent again: 502,
    /// 503 and 504, and 429 without a machine-readable reason (a reason such as
    /// `RESOURCE_EXHAUSTED_ONE_TIME` says waiting will not help).
    pub fn is_transient(&self) -> bool {
        super::retry::is_retryable_status(self.status, self.reason())
    }

    /// The canonical status, such as `NOT_FOUND` or `RESOURCE_EXHAUSTED`, when the body names one.
    pub fn canonical_status(&self) -> Option<&str> {
        self.google.as_ref()?.status.as_deref()
    }

    /// The machine-readable reason: `ErrorInfo.reason`, or else the first legacy `errors[].reason`.
    pub fn reason(&self) -> Option<&str> {
        let google = self.google.as_ref()?;
        google
            .error_info
            .as_ref()
            .and_then(|info| info.reason.as_deref())
            .or_else(|| google.errors.iter().find_map(|e| e.reason.as_deref()))
    }

    /// The value of a response header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: HTTP {}", self.method, self.status)?;
        match &self.google {
            Some(google) => {
                if let Some(status) = &google.status {
                    write!(f, " {status}")?;
                }
                write!(f, ": {}", super::redact::redact_text(&google.message))?;
                if let Some(reason) = self.reason() {
                    write!(f, " (reason: {reason})")?;
                }
                Ok(())
            }
            None if self.body.is_empty() => f.write_str(" with an empty body"),
            None => write!(f, ": {}", body_excerpt(&self.body, DISPLAY_BODY_CHARS)),
        }
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("method", &self.method)
            .field("status", &self.status)
            .field("google", &self.google)
            .field("headers", &self.headers)
            .field("body", &BodyText(&self.body))
            .finish()
    }
}

/// Google's JSON error, `{"error": {...}}`, in the current shape and the older one.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct GoogleError {
    /// HTTP status code as the server states it.
    pub code: u16,
    /// Developer-facing message.
    pub message: String,
    /// Canonical status name, such as `FAILED_PRECONDITION`.
    pub status: Option<String>,
    /// Typed details; each has an `@type` such as `type.googleapis.com/google.rpc.ErrorInfo`.
    pub details: Vec<serde_json::Value>,
    /// The older list of errors with `domain` and `reason`.
    pub errors: Vec<LegacyError>,
    /// The first `google.rpc.ErrorInfo` among `details`, decoded.
    #[serde(skip)]
    pub error_info: Option<ErrorInfo>,
}

impl GoogleError {
    /// Parses an error body; `None` when it is not Google's JSON error shape.
    pub fn parse(body: &[u8]) -> Option<GoogleError> {
        #[derive(Deserialize)]
        struct Envelope {
            error: GoogleError,
        }
        let mut error = serde_json::from_slice::<Envelope>(body).ok()?.error;
        error.error_info = error.details.iter().find_map(|detail| {
            let kind = detail.get("@type")?.as_str()?;
            if kind.ends_with("/google.rpc.ErrorInfo") {
                serde_json::from_value(detail.clone()).ok()
            } else {
                None
            }
        });
        Some(error)
    }
}

/// One entry of the older `errors[]` list.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct LegacyError {
    /// Error domain, such as `global`.
    pub domain: Option<String>,
    /// Machine-readable reason, such as `notFound`.
    pub reason: Option<String>,
    /// Message for this entry.
    pub message: Option<String>,
    /// Where the error is, such as a parameter name.
    pub location: Option<String>,
    /// Kind of location, such as `parameter`.
    #[serde(rename = "locationType")]
    pub location_type: Option<String>,
}

/// The `google.rpc.ErrorInfo` detail: why the error happened, in machine-readable form.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct ErrorInfo {
    /// The reason, such as `RATE_LIMIT_EXCEEDED`.
    pub reason: Option<String>,
    /// The domain of the reason, such as `googleapis.com`.
    pub domain: Option<String>,
    /// Further structured facts.
    pub metadata: std::collections::BTreeMap<String, String>,
}
