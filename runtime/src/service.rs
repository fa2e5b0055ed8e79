//! One API on a shared client: where its requests go (root URL, service path, the download
//! service), and turning a [`Call`] of one of its methods into a request, sent or not.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use http::header::{self, HeaderMap, HeaderName, HeaderValue};

use super::backend::Backend;
use super::bridge;
use super::call::{Call, PreparedRequest};
use super::client::{Client, Core, checked_root_url};
use super::download::AsyncDownload;
use super::error::Error;
use super::path::{self, Template};
use super::redact::redact_url;
use super::transport::{Outgoing, Response, Sending};

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
    /// The API crate, `name/version`, for the `User-Agent` and `x-goog-api-client` headers.
    pub crate_agent: &'static str,
}

impl ServiceInfo {
    /// The value of every field the generated code leaves unset (`..ServiceInfo::BASE`), so that
    /// a field added later is not a breaking change.
    pub const BASE: ServiceInfo = ServiceInfo {
        name: "",
        version: "",
        revision: "",
        root_url: "",
        service_path: "",
        crate_agent: "",
    };
}

/// An API on a client: the client, the API's description, and the URLs its calls go to. Each
/// generated crate's hub (`DataPortability`, `Drive`, ...) holds one, for a blocking [`Client`]
/// or an [`AsyncClient`](crate::AsyncClient).
#[derive(Clone)]
pub struct Service<C = Client> {
    client: C,
    /// Shared, so that a blocking call can hand it to the background runtime cheaply.
    endpoint: Arc<Endpoint>,
}

/// Where one API's calls go and how its requests are made: the same for either kind of client.
#[derive(Clone)]
pub(crate) struct Endpoint {
    info: &'static ServiceInfo,
    urls: Result<Urls, String>,
    user_agent: String,
    api_client: String,
    /// The two as header values, made once: every request's copy shares them.
    agent_headers: Option<(HeaderValue, HeaderValue)>,
}

/// Where one API's calls go.
#[derive(Clone, Debug)]
struct Urls {
    /// Root URL and service path, ending in `/` unless the service path is empty.
    base_url: String,
    /// The path part of `base_url`: every request path must start with it.
    base_path: String,
    /// Root URL, `download/` and service path: where media downloads go for some APIs.
    download_url: String,
    /// The path part of `download_url`.
    download_path: String,
    /// The root URL, ending in `/`: media upload paths are relative to it.
    root_url: String,
    /// The path part of `root_url`.
    root_path: String,
}

impl<C: Backend> Service<C> {
    /// The API `info` on `client`, at the client's root URL if it has one, else the API's own.
    pub fn new(client: &C, info: &'static ServiceInfo) -> Service<C> {
        let core = client.core();
        let root = core.root_url.as_deref().unwrap_or(info.root_url).to_owned();
        Service {
            client: client.clone(),
            endpoint: Arc::new(Endpoint::new(core, info, root)),
        }
    }

    /// The API `info` on `client`, at `root_url` (a local emulator, a proxy).
    pub fn with_root_url(
        client: &C,
        info: &'static ServiceInfo,
        root_url: &str,
    ) -> Result<Service<C>, Error> {
        let root = checked_root_url(root_url)?;
        let endpoint = Endpoint::new(client.core(), info, root);
        if let Err(message) = &endpoint.urls {
            return Err(Error::Config {
                message: message.clone(),
            });
        }
        Ok(Service {
            client: client.clone(),
            endpoint: Arc::new(endpoint),
        })
    }

    /// The client calls go through.
    pub fn client(&self) -> &C {
        &self.client
    }

    /// The API.
    pub fn info(&self) -> &'static ServiceInfo {
        self.endpoint.info
    }

    /// The request `call` would send, without sending it or fetching a token.
    pub fn prepare(&self, call: &Call) -> Result<PreparedRequest, Error> {
        self.endpoint.prepare(self.client.core(), call)
    }

    /// The client's shared state and the API's endpoint: what the send path needs.
    pub(crate) fn parts(&self) -> (&Core, &Endpoint) {
        (self.client.core(), &self.endpoint)
    }
}

impl Service<Client> {
    /// Sends `call` as a blocking client does: on the background runtime, while this thread
    /// waits for the answer (see the bridge). Not generic, so the send path is compiled once,
    /// here, rather than in every program.
    pub(crate) fn execute_blocking(&self, call: Call) -> Result<Response, Error> {
        let method = call.method().id;
        let core = self.client.shared_core();
        let endpoint = Arc::clone(&self.endpoint);
        bridge::wait_on_runtime(method, async move { endpoint.execute(&core, call).await })
    }

    /// Starts the media download `call` describes as a blocking client does, on the background
    /// runtime; the body is read later, by the caller.
    pub(crate) fn download_blocking(&self, call: Call) -> Result<AsyncDownload, Error> {
        let method = call.method().id;
        let core = self.client.shared_core();
        let endpoint = Arc::clone(&self.endpoint);
        bridge::wait_on_runtime(
            method,
            async move { core.download_media(&endpoint, call).await },
        )
    }
}

impl Endpoint {
    fn new(core: &Core, info: &'static ServiceInfo, root: String) -> Endpoint {
        let user_agent = core.user_agent(Some(info.crate_agent));
        let api_client = format!(
            "gl-rust gdcl/{}",
            info.crate_agent.rsplit('/').next().unwrap_or_default()
        );
        let agent_headers = HeaderValue::from_str(&user_agent)
            .ok()
            .zip(HeaderValue::from_str(&api_client).ok());
        Endpoint {
            info,
            // A document's URLs were checked when its crate was generated; should one still
            // not parse, every call says so.
            urls: if root.is_empty() {
                Err(format!(
                    "the {}:{} document gives no root URL: set one with \
                     `Client::builder().root_url(..)` or the hub's `with_root_url`",
                    info.name, info.version
                ))
            } else {
                Urls::new(&root, info.service_path)
            },
            user_agent,
            api_client,
            agent_headers,
        }
    }

    /// The `User-Agent` of this API's requests.
    pub(crate) fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// The `x-goog-api-client` header of this API's requests.
    pub(crate) fn api_client(&self) -> &str {
        &self.api_client
    }

    /// The request `call` would send on a client with `core`'s settings.
    pub(crate) fn prepare(&self, core: &Core, call: &Call) -> Result<PreparedRequest, Error> {
        self.outgoing(core, call)
            .map(|outgoing| outgoing.to_prepared())
    }

    /// [`prepare`](Self::prepare), in the types the send path sends.
    pub(crate) fn outgoing(&self, core: &Core, call: &Call) -> Result<Outgoing, Error> {
        let urls = self.urls(call)?;
        let (base, base_path) = if call.download_service() {
            (&urls.download_url, &urls.download_path)
        } else {
            (&urls.base_url, &urls.base_path)
        };
        self.prepare_at(core, call, call.template(), base, base_path, None)
    }

    /// The request that uploads `call`'s media by protocol `upload_type` (`media`,
    /// `multipart`, `resumable`) to `upload_path`, a template relative to the root URL.
    pub(crate) fn prepare_upload(
        &self,
        core: &Core,
        call: &Call,
        upload_path: Template,
        upload_type: &'static str,
    ) -> Result<PreparedRequest, Error> {
        let urls = self.urls(call)?;
        self.prepare_at(
            core,
            call,
            upload_path,
            &urls.root_url,
            &urls.root_path,
            Some(("uploadType", upload_type)),
        )
        .map(|outgoing| outgoing.to_prepared())
    }

    /// Sends `call`, retrying as the policy allows, and returns the successful response or the
    /// last error.
    pub(crate) fn execute<'s>(
        &'s self,
        core: &'s Core,
        mut call: Call,
    ) -> impl Future<Output = Result<Response, Error>> + Send + 's {
        // The request is made now, and only what sending needs is kept: the future holds
        // neither the call nor a second copy of anything (as an `async fn`'s would).
        let keyed = call.fill_idempotency_key();
        let outgoing = self.outgoing(core, &call);
        let method_id = call.method().id;
        let timeout = call.timeout();
        let retry = call.retry_policy().cloned();
        drop(call);
        async move {
            match outgoing {
                Err(error) => Err(error),
                Ok(ref outgoing) => {
                    core.send(method_id, outgoing, keyed, timeout, retry.as_ref())
                        .await
                }
            }
        }
    }

    /// [`execute`](Self::execute) as a boxed future, made here for the same reason.
    pub(crate) fn execute_boxed<'a>(&'a self, core: &'a Core, call: Call) -> Sending<'a> {
        Box::pin(self.execute(core, call))
    }

    /// The URLs calls go to, or why there are none.
    fn urls(&self, call: &Call) -> Result<&Urls, Error> {
        self.urls.as_ref().map_err(|message| Error::InvalidRequest {
            method: call.method().id,
            message: message.clone(),
        })
    }

    /// The request `call` would send to `template` expanded below `base`, whose path is
    /// `base_path`, with `extra` added to the query.
    fn prepare_at(
        &self,
        core: &Core,
        call: &Call,
        template: Template,
        base: &str,
        base_path: &str,
        extra: Option<(&'static str, &'static str)>,
    ) -> Result<Outgoing, Error> {
        let method = call.method();
        let invalid = |message: String| Error::InvalidRequest {
            method: method.id,
            message,
        };
        if core.check_path_patterns {
            path::check_paths(call.path_checks(), call.path_params()).map_err(invalid)?;
            path::check_patterns(method.path_patterns, call.path_params()).map_err(invalid)?;
        }
        let mut full = String::with_capacity(base.len() + template.text.len() + 64);
        full.push_str(base);
        template
            .expand_onto(&mut full, call.path_params())
            .map_err(invalid)?;
        let api_key = core.api_key.as_deref().map(|key| ("key", key));
        let query = path::encode_query(
            api_key.into_iter().chain(extra).chain(
                call.query()
                    .iter()
                    // The upload protocol is the runtime's to choose (a standard parameter
                    // could set it too).
                    .filter(|(name, _)| extra.is_none_or(|(set, _)| name != set))
                    .map(|(name, value)| (name.as_ref(), value.as_str())),
            ),
        );
        // An expanded path holds no `?` or `#` (expansion encodes them), so the query starts
        // where the path ends.
        if !query.is_empty() {
            full.push('?');
            full.push_str(&query);
        }
        // Expansion refuses dot segments and encodes `?` and `#` already; these checks keep
        // that promise even if a template itself were hostile: the path stays below the
        // service's, holds no dot segment (in any spelling a server would read as one), and the
        // query is the one encoded here.
        let leaves = |full: &str| {
            invalid(format!(
                "the URL {} leaves the service path",
                redact_url(full)
            ))
        };
        if full.contains('#') {
            return Err(leaves(&full));
        }
        let uri = match http::Uri::from_maybe_shared(bytes::Bytes::from(full)) {
            Ok(uri) => uri,
            Err(error) => return Err(invalid(format!("the URL is not valid: {error}"))),
        };
        let path = uri.path();
        if !path.starts_with(base_path)
            || path.split('/').any(path::is_dot_segment)
            || uri.query().unwrap_or_default() != query
        {
            return Err(leaves(&uri.to_string()));
        }
        let (user_agent, api_client) = self.agent_headers.clone().ok_or_else(|| {
            invalid(format!(
                "the User-Agent {:?} cannot be sent as a header",
                self.user_agent
            ))
        })?;
        let mut headers = HeaderMap::with_capacity(6);
        headers.insert(header::USER_AGENT, user_agent);
        headers.insert(HeaderName::from_static("x-goog-api-client"), api_client);
        let mut add = |name: &'static str, value: &str| match HeaderValue::from_str(value) {
            Ok(value) => {
                headers.insert(HeaderName::from_static(name), value);
                Ok(())
            }
            Err(_) => Err(invalid(format!("the header {name} cannot carry {value:?}"))),
        };
        if let Some(version) = method.api_version {
            add("x-goog-api-version", version)?;
        }
        if let Some(project) = &core.quota_project {
            add("x-goog-user-project", project)?;
        }
        if call.body().is_some() {
            add("content-type", call.body_content_type())?;
        }
        let verb = method.http_method;
        Ok(Outgoing {
            verb,
            method: crate::transport::http_verb(method.id, verb)?,
            uri,
            headers,
            body: call.body().map(bytes::Bytes::copy_from_slice),
        })
    }
}

impl Urls {
    fn new(root: &str, service_path: &str) -> Result<Urls, String> {
        let base_url = format!("{root}{service_path}");
        let download_url = format!("{root}download/{service_path}");
        // The path as requests carry it: checked as a URL, read as the HTTP stack reads it.
        let path_of = |url: &str| {
            let not_valid = |error: &dyn fmt::Display| {
                format!("the API's URL {:?} is not valid: {error}", redact_url(url))
            };
            url::Url::parse(url).map_err(|error| not_valid(&error))?;
            http::Uri::try_from(url)
                .map(|parsed| parsed.path().to_owned())
                .map_err(|error| not_valid(&error))
        };
        Ok(Urls {
            base_path: path_of(&base_url)?,
            download_path: path_of(&download_url)?,
            root_path: path_of(root)?,
            base_url,
            download_url,
            root_url: root.to_owned(),
        })
    }
}

impl<C: fmt::Debug> fmt::Debug for Service<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let info = self.endpoint.info;
        let base_url = self
            .endpoint
            .urls
            .as_ref()
            .map(|urls| redact_url(&urls.base_url));
        f.debug_struct("Service")
            .field("api", &format_args!("{}:{}", info.name, info.version))
            .field("base_url", &base_url)
            .field("client", &self.client)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::MethodInfo;

    static NO_ROOT: ServiceInfo = ServiceInfo {
        name: "rootless",
        version: "v1",
        revision: "1",
        root_url: "",
        service_path: "",
        crate_agent: "rootless/0.1.0",
    };

    static METHOD: MethodInfo = MethodInfo {
        id: "rootless.things.get",
        http_method: "GET",
        path: "v1/things",
        ..MethodInfo::BASE
    };

    #[test]
    fn a_document_without_a_root_url_needs_one_from_the_caller() {
        let client = Client::builder().build().unwrap();
        let error = Service::new(&client, &NO_ROOT)
            .prepare(&Call::new(&METHOD))
            .unwrap_err();
        assert!(
            error
                .to_string()
                .contains("the rootless:v1 document gives no root URL"),
            "{error}"
        );
        let elsewhere = Service::with_root_url(&client, &NO_ROOT, "http://127.0.0.1:9/").unwrap();
        let prepared = elsewhere.prepare(&Call::new(&METHOD)).unwrap();
        assert_eq!(prepared.url, "http://127.0.0.1:9/v1/things");
        let everywhere = Client::builder()
            .root_url("http://127.0.0.1:8/")
            .build()
            .unwrap();
        let prepared = Service::new(&everywhere, &NO_ROOT)
            .prepare(&Call::new(&METHOD))
            .unwrap();
        assert_eq!(prepared.url, "http://127.0.0.1:8/v1/things");
    }
}
