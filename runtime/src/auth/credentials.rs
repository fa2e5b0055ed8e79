//! `Credentials`: tokens from the credential files Google issues, from the metadata server, or
//! from wherever Application Default Credentials finds them; one cached token for every thread.

use std::fmt;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use super::adc;
use super::cache::TokenCache;
use super::files::{self, Kind, Metadata};
use super::grants::{self, Settings};
use crate::auth::{AccessToken, TokenSource};
use crate::{Error, bridge};

/// The name token requests go by in errors.
const TOKEN_REQUEST: &str = "auth.token";

/// Credentials that get access tokens on their own and refresh them before they expire:
///
/// - a service account's key file (`type: service_account`), by the OAuth 2.0 JWT-bearer grant,
///   optionally acting for a Workspace user ([`with_subject`](Self::with_subject));
/// - a user's file as `gcloud auth application-default login` writes it (`authorized_user`),
///   by the refresh-token grant;
/// - `impersonated_service_account`: the source credentials' token, then IAM Credentials'
///   `generateAccessToken` for the account named;
/// - `external_account` (workload identity federation): a subject token read from a file or a
///   URL, exchanged at Google's STS, then impersonation when the file names it;
/// - the metadata server of Compute Engine, Cloud Run, GKE and App Engine
///   ([`metadata_server`](Self::metadata_server)).
///
/// [`application_default`](Self::application_default) looks for them where Google's libraries
/// do. Give them to a client with `ClientBuilder::token_source`: every thread and task then
/// shares one token, refreshed by one request when under four minutes of it remain. Clones share
/// the token too. Neither `Debug` nor any error shows a key, a refresh token, a client secret or
/// a subject token.
///
/// ```no_run
/// use google_api_runtime::Client;
/// use google_api_runtime::auth::Credentials;
///
/// let credentials = Credentials::from_file("service-account.json")?
///     .with_scopes(["https://www.googleapis.com/auth/drive.readonly"]);
/// let client = Client::builder().token_source(credentials).build()?;
/// # let _ = client;
/// # Ok::<(), google_api_runtime::Error>(())
/// ```
#[derive(Clone)]
pub struct Credentials {
    inner: Arc<Inner>,
}

struct Inner {
    kind: Kind,
    /// Where they came from, for errors: "service account credentials from key.json".
    origin: String,
    settings: Settings,
    quota_project: Option<String>,
    cache: TokenCache,
    http: OnceLock<Result<crate::net::Http, String>>,
}

impl Credentials {
    /// Reads a credential file (a service account's key, gcloud's `authorized_user` file, an
    /// `impersonated_service_account` or an `external_account` file). A key file that other
    /// users may read is logged as a warning.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Credentials, Error> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let json = std::fs::read(path).map_err(|error| Error::Auth {
            message: format!("credentials file {shown}: {error}"),
        })?;
        let credentials = Credentials::parse(&json, &format!("file {shown}"))?;
        warn_if_readable_by_others(path, &credentials.inner.kind);
        Ok(credentials)
    }

    /// Reads the JSON of a credential file, as [`from_file`](Self::from_file) does.
    pub fn from_json(json: &[u8]) -> Result<Credentials, Error> {
        Credentials::parse(json, "JSON")
    }

    /// The metadata server's default service account (Compute Engine, Cloud Run, GKE, App
    /// Engine): at `GCE_METADATA_HOST` when set, else `metadata.google.internal`. Nothing is
    /// sent until a token is needed.
    pub fn metadata_server() -> Credentials {
        Credentials::metadata_server_at(Metadata::from_environment().host)
    }

    /// The default service account of the metadata server at `host` (a name or address, and
    /// port when not 80): an emulator's, say.
    pub fn metadata_server_at(host: impl Into<String>) -> Credentials {
        let metadata = Metadata { host: host.into() };
        let origin = format!("metadata server credentials ({})", metadata.host);
        Credentials::new(Kind::Metadata(metadata), origin, None)
    }

    /// Application Default Credentials, looked for where Google's libraries look, in their
    /// order: the file `GOOGLE_APPLICATION_CREDENTIALS` names; gcloud's well-known file
    /// (`$CLOUDSDK_CONFIG/application_default_credentials.json`, else
    /// `$HOME/.config/gcloud/application_default_credentials.json`, or
    /// `%APPDATA%\gcloud\application_default_credentials.json` on Windows); then the metadata
    /// server (`GCE_METADATA_HOST`, else `metadata.google.internal`), if it answers. A file that
    /// is named but cannot be read is an error, not a reason to look further. When nothing is
    /// found, the error says where each look went and why it failed.
    /// `GOOGLE_CLOUD_QUOTA_PROJECT`, when set, names the quota project.
    ///
    /// Looking for the metadata server waits up to a few seconds when there is none.
    pub fn application_default() -> Result<Credentials, Error> {
        let found = adc::find(&adc::Environment::of_process())?;
        let mut credentials = match found {
            adc::Found::File(path, label) => {
                let json = std::fs::read(&path).map_err(|error| Error::Auth {
                    message: format!("{label} {}: {error}", path.display()),
                })?;
                let credentials =
                    Credentials::parse(&json, &format!("{label} {}", path.display()))?;
                warn_if_readable_by_others(&path, &credentials.inner.kind);
                credentials
            }
            adc::Found::MetadataServer => Credentials::metadata_server(),
        };
        if let Some(project) = std::env::var("GOOGLE_CLOUD_QUOTA_PROJECT")
            .ok()
            .filter(|project| !project.trim().is_empty())
        {
            credentials = credentials.rebuilt(|inner| inner.quota_project = Some(project));
        }
        Ok(credentials)
    }

    /// The same credentials asking for `scopes` (scope URLs, or any generated crate's `Scope`)
    /// instead of the default, cloud-platform. A user's refresh token keeps the scopes it was
    /// granted; the metadata server is sent them. The cached token is not carried over.
    pub fn with_scopes<I, S>(self, scopes: I) -> Credentials
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let scopes: Vec<String> = scopes
            .into_iter()
            .map(|scope| scope.as_ref().to_owned())
            .collect();
        self.rebuilt(|inner| inner.settings.scopes = Some(scopes))
    }

    /// The same service-account credentials acting for the Workspace user `email`
    /// (domain-wide delegation: the JWT's `sub`). Other credentials refuse to give a token.
    pub fn with_subject(self, email: impl Into<String>) -> Credentials {
        let email = email.into();
        self.rebuilt(|inner| inner.settings.subject = Some(email))
    }

    /// The project the credentials bill quota to (`quota_project_id`), when they name one.
    pub fn quota_project_id(&self) -> Option<&str> {
        self.inner.quota_project.as_deref()
    }

    /// A token, fetched when none is cached or the cached one is due for a refresh; async
    /// programs usually let the client ask instead.
    pub async fn token_async(&self) -> Result<AccessToken, Error> {
        if let Some(token) = self.inner.cache.fresh() {
            return Ok(token);
        }
        let this = self.clone();
        tokio::task::spawn_blocking(move || this.token())
            .await
            .unwrap_or_else(|failed| {
                Err(Error::Auth {
                    message: format!("the token refresh failed: {failed}"),
                })
            })
    }

    fn parse(json: &[u8], from: &str) -> Result<Credentials, Error> {
        let parsed = files::parse(json).map_err(|message| Error::Auth {
            message: format!("credentials {from}: {message}"),
        })?;
        let origin = format!("{} credentials from {from}", parsed.kind.name());
        Ok(Credentials::new(parsed.kind, origin, parsed.quota_project))
    }

    fn new(kind: Kind, origin: String, quota_project: Option<String>) -> Credentials {
        Credentials {
            inner: Arc::new(Inner {
                kind,
                origin,
                settings: Settings::default(),
                quota_project,
                cache: TokenCache::default(),
                http: OnceLock::new(),
            }),
        }
    }

    /// A copy with `change` made and an empty cache.
    fn rebuilt(self, change: impl FnOnce(&mut Rebuild)) -> Credentials {
        let mut rebuild = Rebuild {
            kind: self.inner.kind.clone(),
            origin: self.inner.origin.clone(),
            settings: self.inner.settings.clone(),
            quota_project: self.inner.quota_project.clone(),
        };
        change(&mut rebuild);
        let mut credentials = Credentials::new(rebuild.kind, rebuild.origin, rebuild.quota_project);
        Arc::get_mut(&mut credentials.inner)
            .expect("a new Arc has one owner")
            .settings = rebuild.settings;
        credentials
    }

    /// The HTTP client token requests use: no redirects (a token endpoint that redirects is not
    /// trusted with an assertion), and time limits of their own.
    fn http(&self) -> Result<crate::net::Http, Error> {
        self.inner
            .http
            .get_or_init(|| {
                crate::net::Http::new(crate::net::Settings {
                    connect_timeout: Duration::from_secs(10),
                    timeout: Duration::from_secs(30),
                    redirects: false,
                })
                .map_err(|error| format!("the token requests' HTTP client: {error}"))
            })
            .clone()
            .map_err(|message| Error::Config { message })
    }
}

/// What [`Credentials::rebuilt`] may change.
struct Rebuild {
    kind: Kind,
    origin: String,
    settings: Settings,
    quota_project: Option<String>,
}

impl TokenSource for Credentials {
    fn token(&self) -> Result<AccessToken, Error> {
        self.inner.cache.get(|| {
            let http = self.http()?;
            let inner = Arc::clone(&self.inner);
            bridge::wait_on_runtime(TOKEN_REQUEST, async move {
                grants::fetch(&http, &inner.kind, &inner.settings, &inner.origin).await
            })
        })
    }

    fn cached_token(&self) -> Option<AccessToken> {
        self.inner.cache.fresh()
    }

    fn quota_project(&self) -> Option<String> {
        self.inner.quota_project.clone()
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("origin", &self.inner.origin)
            .field("kind", &self.inner.kind)
            .field("scopes", &self.inner.settings.scopes)
            .field("subject", &self.inner.settings.subject)
            .field("quota_project", &self.inner.quota_project)
            .finish_non_exhaustive()
    }
}

/// Logs a warning when a file holding a private key or refresh token can be read by users other
/// than its owner.
fn warn_if_readable_by_others(path: &Path, kind: &Kind) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let secret = matches!(
            kind,
            Kind::ServiceAccount(_) | Kind::AuthorizedUser(_) | Kind::Impersonated(_)
        );
        if let Ok(metadata) = std::fs::metadata(path)
            && secret
            && metadata.permissions().mode() & 0o077 != 0
        {
            tracing::warn!(
                target: "google_api_client",
                path = %path.display(),
                mode = format!("{:o}", metadata.permissions().mode() & 0o777),
                "a credentials file with a secret can be read by other users; `chmod 600` it"
            );
        }
    }
    #[cfg(not(unix))]
    let _ = (path, kind);
}
