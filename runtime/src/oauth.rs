//! The OAuth 2.0 authorization-code flow with PKCE, as a Data Portability app uses it: a consent
//! URL for chosen scopes, the code exchange, refresh before expiry, and a token cache file only
//! its owner can read. Built on the `oauth2` crate; its HTTP goes through this crate's own client.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};

use super::Error;
use super::auth::{AccessToken, TokenSource};
use super::redact::{Secrets, redact_text, redact_url};

/// Google's consent page.
pub const GOOGLE_AUTH_URL: &str = "https://accounts.google.com/o/oauth2/v2/auth";
/// Google's token endpoint.
pub const GOOGLE_TOKEN_URL: &str = "https://oauth2.googleapis.com/token";

/// A token is refreshed when it has less than this left, so it never expires mid-request.
const REFRESH_MARGIN: Duration = Duration::from_secs(60);
/// The longest lifetime an access token is believed to have, whatever the endpoint says
/// (Google's are an hour).
const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// The most of a token endpoint's answer that is read.
const MAX_TOKEN_RESPONSE: u64 = 1024 * 1024;

type ConfiguredClient =
    BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// An OAuth 2.0 client registration and the endpoints to use.
#[derive(Clone)]
pub struct OAuthConfig {
    client_id: String,
    client_secret: Option<String>,
    redirect_url: String,
    auth_url: String,
    token_url: String,
}

impl OAuthConfig {
    /// A registration with Google's endpoints; `redirect_url` is where the consent page sends the
    /// user back with the code.
    pub fn new(client_id: impl Into<String>, redirect_url: impl Into<String>) -> Self {
        OAuthConfig {
            client_id: client_id.into(),
            client_secret: None,
            redirect_url: redirect_url.into(),
            auth_url: GOOGLE_AUTH_URL.to_owned(),
            token_url: GOOGLE_TOKEN_URL.to_owned(),
        }
    }

    /// The client secret, for clients that have one.
    pub fn client_secret(mut self, secret: impl Into<String>) -> Self {
        self.client_secret = Some(secret.into());
        self
    }

    /// Other endpoints than Google's (a local emulator, a test server).
    pub fn endpoints(mut self, auth_url: impl Into<String>, token_url: impl Into<String>) -> Self {
        self.auth_url = auth_url.into();
        self.token_url = token_url.into();
        self
    }
}

impl fmt::Debug for OAuthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthConfig")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("redirect_url", &redact_url(&self.redirect_url))
            .field("auth_url", &redact_url(&self.auth_url))
            .field("token_url", &redact_url(&self.token_url))
            .finish()
    }
}

/// The authorization-code flow: start with [`consent`](Self::consent), finish with
/// [`exchange`](Self::exchange).
pub struct AuthorizationFlow {
    client: ConfiguredClient,
    http: OAuthHttp,
    /// The client secret, kept out of the token endpoint's errors.
    secrets: Secrets,
}

/// A consent in progress: the URL to send the user to, and what the exchange needs.
pub struct Consent {
    /// The consent page URL, with the scopes, the PKCE challenge and the CSRF state.
    pub url: String,
    state: CsrfToken,
    verifier: PkceCodeVerifier,
}

impl Consent {
    /// The CSRF state the redirect must bring back unchanged.
    pub fn state(&self) -> &str {
        self.state.secret()
    }
}

impl fmt::Debug for Consent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Consent")
            .field("url", &redact_url(&self.url))
            .field("verifier", &"<redacted>")
            .finish()
    }
}

impl AuthorizationFlow {
    /// A flow for `config`.
    pub fn new(config: &OAuthConfig) -> Result<Self, Error> {
        let invalid = |what: &str, error: oauth2::url::ParseError| Error::Config {
            message: format!("OAuth {what}: {error}"),
        };
        let mut client = BasicClient::new(ClientId::new(config.client_id.clone()))
            .set_auth_uri(
                AuthUrl::new(config.auth_url.clone()).map_err(|e| invalid("auth URL", e))?,
            )
            .set_token_uri(
                TokenUrl::new(config.token_url.clone()).map_err(|e| invalid("token URL", e))?,
            )
            .set_redirect_uri(
                RedirectUrl::new(config.redirect_url.clone())
                    .map_err(|e| invalid("redirect URL", e))?,
            );
        let mut secrets = Secrets::default();
        if let Some(secret) = &config.client_secret {
            client = client.set_client_secret(ClientSecret::new(secret.clone()));
            secrets.add(secret);
            // The `Authorization: Basic` credential the secret is sent in, as the oauth2 crate
            // spells it (each half form-encoded) and as others do (raw).
            let encode = |text: &str| {
                oauth2::url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>()
            };
            for pair in [
                format!("{}:{secret}", config.client_id),
                format!("{}:{}", encode(&config.client_id), encode(secret)),
            ] {
                secrets.add(&base64::Engine::encode(
                    &base64::engine::general_purpose::STANDARD,
                    pair,
                ));
            }
        }
        Ok(AuthorizationFlow {
            client,
            http: OAuthHttp::new()?,
            secrets,
        })
    }

    /// Starts a consent for `scopes` (scope URLs, or the crate's `Scope` values). Asks for
    /// offline access, so the exchange also gives a refresh token.
    pub fn consent<I>(&self, scopes: I) -> Consent
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = self
            .client
            .authorize_url(CsrfToken::new_random)
            .set_pkce_challenge(challenge)
            .add_extra_param("access_type", "offline")
            .add_extra_param("prompt", "consent");
        for scope in scopes {
            request = request.add_scope(oauth2::Scope::new(scope.as_ref().to_owned()));
        }
        let (url, state) = request.url();
        Consent {
            url: url.into(),
            state,
            verifier,
        }
    }

    /// Exchanges the code the redirect brought for tokens. `returned_state` is the redirect's
    /// `state` parameter; it must be the consent's own, or the redirect did not come from it.
    pub fn exchange(
        &self,
        consent: Consent,
        code: &str,
        returned_state: &str,
    ) -> Result<OAuthTokens, Error> {
        if returned_state != consent.state.secret() {
            return Err(Error::Auth {
                message: "the redirect's state does not match the consent's: refusing the code"
                    .to_owned(),
            });
        }
        let mut secrets = self.secrets.clone();
        secrets.add(code);
        secrets.add(consent.verifier.secret());
        let response = self
            .client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .set_pkce_verifier(consent.verifier)
            .request(&self.http)
            .map_err(|error| token_error("code exchange", error, &secrets))?;
        Ok(OAuthTokens::from_response(&response, None))
    }

    /// New tokens for a refresh token.
    pub fn refresh(&self, refresh_token: &str) -> Result<OAuthTokens, Error> {
        let refresh = RefreshToken::new(refresh_token.to_owned());
        let mut secrets = self.secrets.clone();
        secrets.add(refresh_token);
        let response = self
            .client
            .exchange_refresh_token(&refresh)
            .request(&self.http)
            .map_err(|error| token_error("refresh", error, &secrets))?;
        Ok(OAuthTokens::from_response(&response, Some(refresh_token)))
    }
}

impl fmt::Debug for AuthorizationFlow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizationFlow")
            .field("client_id", self.client.client_id())
            .finish_non_exhaustive()
    }
}

/// A token endpoint's failure, said without any token or secret: the endpoint's own words pass
/// through the same scrubbing as every error (`secrets`, the request's credentials, and any
/// `Bearer`/`Basic` credential or `refresh_token=` value they quote).
fn token_error<E: std::error::Error>(
    step: &str,
    error: oauth2::RequestTokenError<E, oauth2::basic::BasicErrorResponse>,
    secrets: &Secrets,
) -> Error {
    let message = match error {
        oauth2::RequestTokenError::ServerResponse(response) => {
            let mut message = format!("{step} refused: {}", response.error());
            if let Some(description) = response.error_description() {
                message.push_str(&format!(" ({description})"));
            }
            message
        }
        oauth2::RequestTokenError::Request(error) => format!("{step} failed: {error}"),
        // The body may hold tokens: name the problem, never the body.
        oauth2::RequestTokenError::Parse(error, _) => {
            format!(
                "{step}: the token endpoint's answer is not a token response ({})",
                error.path()
            )
        }
        oauth2::RequestTokenError::Other(message) => format!("{step} failed: {message}"),
    };
    Error::Auth {
        message: redact_text(&secrets.scrub_text(&message)),
    }
}

/// Tokens from the token endpoint, as the cache file keeps them.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthTokens {
    access_token: String,
    refresh_token: Option<String>,
    /// Seconds since the Unix epoch; `None` when the endpoint gave no lifetime.
    expires_at: Option<u64>,
}

impl OAuthTokens {
    fn from_response(
        response: &oauth2::basic::BasicTokenResponse,
        old_refresh: Option<&str>,
    ) -> Self {
        let now = SystemTime::now();
        OAuthTokens {
            access_token: response.access_token().secret().clone(),
            // A refresh answer usually omits the refresh token: keep the one we have.
            refresh_token: response
                .refresh_token()
                .map(|token| token.secret().clone())
                .or_else(|| old_refresh.map(str::to_owned)),
            // The endpoint's number is capped before it meets the clock.
            expires_at: response.expires_in().map(|lifetime| {
                unix_seconds(now).saturating_add(lifetime.min(MAX_TOKEN_LIFETIME).as_secs())
            }),
        }
    }

    /// Whether the access token has less than the refresh margin left.
    fn needs_refresh(&self, now: SystemTime) -> bool {
        self.expires_at
            .is_some_and(|at| unix_seconds(now).saturating_add(REFRESH_MARGIN.as_secs()) >= at)
    }
}

impl fmt::Debug for OAuthTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthTokens")
            .field("access_token", &"<redacted>")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

fn unix_seconds(time: SystemTime) -> u64 {
    time.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

/// A token source that refreshes its access token before it expires, and keeps the tokens in a
/// cache file (readable by its owner only) when given one.
pub struct OAuthTokenSource {
    flow: AuthorizationFlow,
    tokens: Mutex<OAuthTokens>,
    cache: Option<PathBuf>,
}

impl OAuthTokenSource {
    /// A source starting from `tokens`; with `cache`, every new token is saved there.
    pub fn new(
        flow: AuthorizationFlow,
        tokens: OAuthTokens,
        cache: Option<PathBuf>,
    ) -> Result<Self, Error> {
        if let Some(path) = &cache {
            save_tokens(path, &tokens)?;
        }
        Ok(OAuthTokenSource {
            flow,
            tokens: Mutex::new(tokens),
            cache,
        })
    }

    /// A source from tokens saved earlier in `cache`.
    pub fn from_cache(flow: AuthorizationFlow, cache: impl Into<PathBuf>) -> Result<Self, Error> {
        let cache = cache.into();
        let text = std::fs::read(&cache).map_err(|error| Error::Auth {
            message: format!("token cache {}: {error}", cache.display()),
        })?;
        let tokens = serde_json::from_slice(&text).map_err(|_| Error::Auth {
            message: format!("token cache {} is not a token file", cache.display()),
        })?;
        Ok(OAuthTokenSource {
            flow,
            tokens: Mutex::new(tokens),
            cache: Some(cache),
        })
    }
}

impl TokenSource for OAuthTokenSource {
    fn token(&self) -> Result<AccessToken, Error> {
        let mut tokens = self
            .tokens
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if tokens.needs_refresh(SystemTime::now()) {
            let refresh = tokens.refresh_token.clone().ok_or_else(|| Error::Auth {
                message: "the access token expired and there is no refresh token: consent again"
                    .to_owned(),
            })?;
            let fresh = self.flow.refresh(&refresh)?;
            if let Some(path) = &self.cache {
                save_tokens(path, &fresh)?;
            }
            *tokens = fresh;
        }
        Ok(AccessToken::new(tokens.access_token.clone()))
    }
}

impl fmt::Debug for OAuthTokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthTokenSource")
            .field("flow", &self.flow)
            .field("cache", &self.cache)
            .finish_non_exhaustive()
    }
}

/// Writes the cache through a temporary file in the same folder, then renames it into place, so
/// the tokens are never half-written. The temporary file is created exclusively, with a random
/// name and owner-only permissions: a leftover file or a symbolic link planted where it goes can
/// neither widen its permissions nor redirect the tokens elsewhere.
fn save_tokens(path: &Path, tokens: &OAuthTokens) -> Result<(), Error> {
    let failed = |error: std::io::Error| Error::Auth {
        message: format!("token cache {}: {error}", path.display()),
    };
    let json = serde_json::to_vec_pretty(tokens).expect("tokens serialize");
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut temporary = tempfile::Builder::new()
        .prefix(".tokens-")
        .suffix(".tmp")
        .tempfile_in(folder)
        .map_err(failed)?;
    std::io::Write::write_all(&mut temporary, &json).map_err(failed)?;
    temporary.as_file().sync_all().map_err(failed)?;
    temporary
        .persist(path)
        .map_err(|error| failed(error.error))?;
    Ok(())
}

/// The `oauth2` crate's HTTP, sent with this crate's HTTP client and waited for as a blocking
/// client waits. It never follows redirects: a token endpoint that redirects is not to be
/// trusted with a code.
struct OAuthHttp(crate::net::Http);

impl OAuthHttp {
    fn new() -> Result<Self, Error> {
        crate::net::Http::new(crate::net::Settings {
            connect_timeout: Duration::from_secs(30),
            timeout: Duration::from_secs(30),
            redirects: false,
        })
        .map(OAuthHttp)
        .map_err(|error| Error::Config {
            message: format!("OAuth HTTP client: {error}"),
        })
    }

    async fn exchange(&self, request: oauth2::HttpRequest) -> Result<oauth2::HttpResponse, Error> {
        let failed = |error| super::transport::transport(TOKEN_REQUEST, error);
        let (parts, body) = request.into_parts();
        let url = crate::net::Url::parse(&parts.uri.to_string()).map_err(|error| {
            failed(crate::TransportError::request(format!(
                "the token URL is not valid: {error}"
            )))
        })?;
        let mut outgoing = crate::net::Request::new(parts.method, &url).body(body);
        for (name, value) in &parts.headers {
            outgoing = outgoing.header(name.as_str(), value.to_str().unwrap_or_default());
        }
        // A token answer is small: a longer one is refused.
        let (status, headers, body) = match self.0.fetch(outgoing, MAX_TOKEN_RESPONSE).await {
            Ok(whole) => (whole.status, whole.headers, whole.body),
            Err(crate::net::ReadError::Transport(error)) => return Err(failed(error)),
            Err(crate::net::ReadError::Body(error)) => return Err(failed(error)),
            Err(crate::net::ReadError::TooLarge) => {
                return Err(Error::Protocol {
                    method: TOKEN_REQUEST,
                    message: format!("the answer is longer than {MAX_TOKEN_RESPONSE} bytes"),
                });
            }
        };
        let mut builder = oauth2::http::Response::builder().status(status);
        for (name, value) in &headers {
            builder = builder.header(name, value);
        }
        Ok(builder
            .body(body)
            .expect("a status and headers from a response make a response"))
    }
}

/// The name token requests go by in errors.
const TOKEN_REQUEST: &str = "oauth2.token";

impl oauth2::SyncHttpClient for OAuthHttp {
    type Error = Error;

    fn call(&self, request: oauth2::HttpRequest) -> Result<oauth2::HttpResponse, Error> {
        super::bridge::wait(TOKEN_REQUEST, self.exchange(request))
    }
}
