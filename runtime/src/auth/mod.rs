//! Where access tokens come from: the token-source trait, its simple implementations, and
//! [`Credentials`] for service accounts, gcloud users, impersonation, workload identity
//! federation, the metadata server and Application Default Credentials.

mod adc;
mod cache;
mod credentials;
mod files;
mod grants;
mod jwt;

use std::fmt;
use std::sync::{Arc, OnceLock};

pub use credentials::Credentials;

use super::Error;

/// An OAuth 2.0 access token. Its `Debug` never shows the token.
#[derive(Clone)]
pub struct AccessToken {
    secret: Arc<str>,
    /// `Bearer TOKEN` as a header value, made the first time a request carries it: a source
    /// hands the same token to every call until it expires.
    header: Arc<OnceLock<Option<http::HeaderValue>>>,
}

impl AccessToken {
    /// Wraps a token string.
    pub fn new(token: impl Into<String>) -> Self {
        AccessToken {
            secret: Arc::from(token.into()),
            header: Arc::default(),
        }
    }

    /// The token, shared rather than copied: each call keeps it to clean its errors of it.
    pub(crate) fn shared(&self) -> Arc<str> {
        Arc::clone(&self.secret)
    }

    /// `Authorization: Bearer TOKEN`'s value, marked sensitive; `None` for a token no header
    /// can carry.
    pub(crate) fn bearer(&self) -> Option<http::HeaderValue> {
        self.header
            .get_or_init(|| {
                let mut value =
                    http::HeaderValue::from_str(&format!("Bearer {}", self.secret)).ok()?;
                value.set_sensitive(true);
                Some(value)
            })
            .clone()
    }

    /// The token itself, for the `Authorization` header.
    pub fn secret(&self) -> &str {
        &self.secret
    }
}

impl PartialEq for AccessToken {
    fn eq(&self, other: &AccessToken) -> bool {
        self.secret == other.secret
    }
}

impl Eq for AccessToken {}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

/// Gives the client an access token for each request.
pub trait TokenSource: Send + Sync {
    /// A token valid for at least the next request.
    fn token(&self) -> Result<AccessToken, Error>;

    /// Whether [`token`](Self::token) answers at once, without I/O (a token held in memory).
    /// An async client asks a source that may do I/O (a refresh over HTTP, a file) on a
    /// blocking thread, so that it never stalls the async runtime; `false` unless overridden.
    fn is_immediate(&self) -> bool {
        false
    }

    /// A token that can be given at once, without I/O, when the source holds one still valid
    /// (a cached token); `None` otherwise. An async client tries this before asking
    /// [`token`](Self::token) on a blocking thread.
    fn cached_token(&self) -> Option<AccessToken> {
        None
    }

    /// The project the source's credentials bill quota to (a credentials file's
    /// `quota_project_id`), sent as `x-goog-user-project` unless the client sets its own.
    fn quota_project(&self) -> Option<String> {
        None
    }
}

/// The same token for every request, for tests and short-lived programs.
#[derive(Clone, Debug)]
pub struct StaticToken(AccessToken);

impl StaticToken {
    /// A source that always gives `token`.
    pub fn new(token: impl Into<String>) -> Self {
        StaticToken(AccessToken::new(token))
    }
}

impl TokenSource for StaticToken {
    fn token(&self) -> Result<AccessToken, Error> {
        Ok(self.0.clone())
    }

    fn is_immediate(&self) -> bool {
        true
    }
}

/// A token read from an environment variable at every request, so a token refreshed by another
/// program is picked up.
#[derive(Clone, Debug)]
pub struct EnvToken {
    variable: String,
}

impl EnvToken {
    /// A source that reads `variable`.
    pub fn new(variable: impl Into<String>) -> Self {
        EnvToken {
            variable: variable.into(),
        }
    }
}

impl TokenSource for EnvToken {
    fn token(&self) -> Result<AccessToken, Error> {
        match std::env::var(&self.variable) {
            Ok(token) if !token.trim().is_empty() => Ok(AccessToken::new(token.trim())),
            Ok(_) => Err(Error::Auth {
                message: format!("environment variable {} is empty", self.variable),
            }),
            Err(_) => Err(Error::Auth {
                message: format!("environment variable {} is not set", self.variable),
            }),
        }
    }

    fn is_immediate(&self) -> bool {
        true
    }
}
