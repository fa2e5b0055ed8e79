//! Connections: TCP, through the proxy the environment names (`HTTPS_PROXY`, `HTTP_PROXY`,
//! `ALL_PROXY`, `NO_PROXY`, as curl reads them), then TLS by rustls for https.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::Uri;
use http::header::{self, HeaderMap};
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tower_service::Service;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Connections for the pool: TLS over [`Route`].
pub(super) type Connector = HttpsConnector<Route>;

/// The variables that name proxies; with none of them set, no request looks for one.
const PROXY_VARIABLES: [&str; 6] = [
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// The proxies of the environment.
pub(super) struct Proxies(Matcher);

impl Proxies {
    /// The environment's proxies, or `None` when it names none.
    pub(super) fn from_env() -> Option<Proxies> {
        let named = PROXY_VARIABLES
            .iter()
            .any(|name| std::env::var_os(name).is_some_and(|value| !value.is_empty()));
        named.then(|| Proxies(Matcher::from_env()))
    }

    /// Adds the proxy's credentials to a plain-HTTP request sent through one (an https request
    /// goes through a tunnel, which carries them itself).
    pub(super) fn authorize_plain(&self, uri: &Uri, headers: &mut HeaderMap) {
        if uri.scheme_str() != Some("http") {
            return;
        }
        if let Some(auth) = self
            .0
            .intercept(uri)
            .and_then(|proxy| proxy.basic_auth().cloned())
        {
            headers.insert(header::PROXY_AUTHORIZATION, auth);
        }
    }
}

/// The connector: TCP connections with `connect_timeout` (which covers the proxy tunnel and the
/// TLS handshake only in part: the request's own limit covers the rest), through `proxies`,
/// with TLS for https by rustls (ring) and the platform's certificate verifier.
pub(super) fn connector(
    connect_timeout: Duration,
    proxies: Option<Arc<Proxies>>,
) -> Result<Connector, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| format!("TLS: {error}"))?;
    let tls = rustls_platform_verifier::BuilderVerifierExt::with_platform_verifier(tls)
        .map_err(|error| format!("TLS certificate verification: {error}"))?
        .with_no_client_auth();
    let mut tcp = HttpConnector::new();
    tcp.enforce_http(false);
    tcp.set_nodelay(true);
    tcp.set_connect_timeout(Some(connect_timeout));
    Ok(hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .wrap_connector(Route { tcp, proxies }))
}

/// Opens the TCP connection for a request: to the server, or to the proxy that intercepts it
/// (a tunnel for https, the proxy itself for plain HTTP, which then takes absolute URLs).
#[derive(Clone)]
pub(crate) struct Route {
    tcp: HttpConnector,
    proxies: Option<Arc<Proxies>>,
}

/// A connection being opened.
type Opening = Pin<Box<dyn Future<Output = Result<Stream, BoxError>> + Send>>;

impl Service<Uri> for Route {
    type Response = Stream;
    type Error = BoxError;
    type Future = Opening;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        // A TCP connector is always ready.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, destination: Uri) -> Opening {
        let mut tcp = self.tcp.clone();
        let proxy = self
            .proxies
            .as_ref()
            .and_then(|proxies| proxies.0.intercept(&destination));
        Box::pin(async move {
            let Some(proxy) = proxy else {
                let io = tcp.call(destination).await?;
                return Ok(Stream { io, proxied: false });
            };
            if proxy.uri().scheme_str() != Some("http") {
                return Err("only http:// proxies are supported (the proxy URL's scheme)".into());
            }
            if destination.scheme_str() == Some("https") {
                let mut tunnel = Tunnel::new(proxy.uri().clone(), tcp);
                if let Some(auth) = proxy.basic_auth() {
                    tunnel = tunnel.with_auth(auth.clone());
                }
                std::future::poll_fn(|cx| tunnel.poll_ready(cx)).await?;
                let io = tunnel.call(destination).await?;
                Ok(Stream { io, proxied: false })
            } else {
                let io = tcp.call(proxy.uri().clone()).await?;
                Ok(Stream { io, proxied: true })
            }
        })
    }
}

/// A TCP connection, to the server or to a proxy that takes its requests.
pub(crate) struct Stream {
    io: TokioIo<TcpStream>,
    /// Whether requests on it go to a proxy, which wants absolute URLs.
    proxied: bool,
}

impl Connection for Stream {
    fn connected(&self) -> Connected {
        self.io.connected().proxy(self.proxied)
    }
}

impl Read for Stream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl Write for Stream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }
}
