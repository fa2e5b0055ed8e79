//! Downloads: signed URLs (such as Data Portability archives, sent without the `Authorization`
//! header, since the URL carries its own) and media (`alt=media`), streamed, resumable, and
//! bounded in time: a server that stops sending fails the download instead of hanging it.
//!
//! [`AsyncDownload`] holds every rule; the blocking [`Download`] reads through it.

use std::fmt;
use std::io::{self, Read};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;
use http_body::Body as _;
use tokio::io::{AsyncRead, ReadBuf};

use super::backend::ResponseFuture;
use super::bridge;
use super::call::Call;
use super::client::{AsyncClient, Client, Core, refuse_user_info};
use super::error::{ApiError, Error, TransportError};
use super::net::{self, Url};
use super::redact::{Secrets, redact_url};
use super::service::Endpoint;
use super::transport::{header_list, transport};

/// The method name downloads report in errors and events.
const DOWNLOAD: &str = "download";
/// The most of an error body that is kept.
const ERROR_BODY_LIMIT: usize = 1024 * 1024;

/// Bytes as the HTTP stack hands them over.
type Data = bytes::Bytes;

/// A download under way on an [`AsyncClient`]: read it as a `tokio::io::AsyncRead`, as a
/// `Stream` of byte chunks, or chunk by chunk with [`chunk`](Self::chunk).
///
/// Each wait for the next bytes lasts at most the client's download idle timeout
/// ([`ClientBuilder::download_timeouts`](super::ClientBuilder::download_timeouts)); after that
/// the download fails with [`Error::TimedOut`] (an [`io::ErrorKind::TimedOut`] read). Dropping
/// it closes the connection.
pub struct AsyncDownload {
    method: &'static str,
    status: u16,
    offset: u64,
    total: Option<u64>,
    body: hyper::body::Incoming,
    idle: Duration,
    /// Armed while waiting for bytes; reset by each chunk.
    idle_timer: Option<Pin<Box<tokio::time::Sleep>>>,
    /// The end of the download's whole time (`ClientBuilder::download_timeouts`).
    total_timer: Pin<Box<tokio::time::Sleep>>,
    /// What a read has not taken yet of the last chunk.
    leftover: Data,
    done: bool,
}

impl AsyncDownload {
    /// Whether the server is sending from the asked offset (206). When `false` after asking for
    /// an offset, it is sending the whole file again from the start.
    pub fn resumed(&self) -> bool {
        self.status == 206
    }

    /// Where this download's bytes start in the file.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The size of the whole file, when the server says.
    pub fn total_len(&self) -> Option<u64> {
        self.total
    }

    /// The next bytes, or `None` at the end.
    pub async fn chunk(&mut self) -> Result<Option<Vec<u8>>, Error> {
        if !self.leftover.is_empty() {
            return Ok(Some(std::mem::take(&mut self.leftover).into()));
        }
        std::future::poll_fn(|cx| self.poll_chunk(cx))
            .await
            .transpose()
            .map(|data| data.map(Vec::from))
    }

    /// Polls for the next chunk of the body, failing when none comes within the idle timeout.
    fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Data, Error>>> {
        loop {
            if self.done {
                return Poll::Ready(None);
            }
            match Pin::new(&mut self.body).poll_frame(cx) {
                Poll::Ready(Some(Ok(frame))) => {
                    self.idle_timer = None;
                    match frame.into_data() {
                        Ok(data) if !data.is_empty() => return Poll::Ready(Some(Ok(data))),
                        // An empty chunk or trailers: nothing to give yet.
                        _ => continue,
                    }
                }
                Poll::Ready(Some(Err(error))) => {
                    self.done = true;
                    let error = TransportError::body(error);
                    return Poll::Ready(Some(Err(transport(self.method, error))));
                }
                Poll::Ready(None) => {
                    self.done = true;
                    return Poll::Ready(None);
                }
                Poll::Pending => {
                    if self.total_timer.as_mut().poll(cx).is_ready() {
                        self.done = true;
                        let error = TransportError::timeout();
                        return Poll::Ready(Some(Err(transport(self.method, error))));
                    }
                    let idle = self.idle;
                    let timer = self
                        .idle_timer
                        .get_or_insert_with(|| Box::pin(tokio::time::sleep(idle)));
                    if timer.as_mut().poll(cx).is_ready() {
                        self.done = true;
                        return Poll::Ready(Some(Err(Error::TimedOut {
                            method: self.method,
                            after: idle,
                        })));
                    }
                    return Poll::Pending;
                }
            }
        }
    }

    /// Reads into `out`, as `AsyncRead` does: 0 at the end.
    async fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let mut buffer = ReadBuf::new(out);
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_read(cx, &mut buffer)).await?;
        Ok(buffer.filled().len())
    }
}

impl AsyncRead for AsyncDownload {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if out.remaining() == 0 {
            return Poll::Ready(Ok(()));
        }
        if this.leftover.is_empty() {
            match std::task::ready!(this.poll_chunk(cx)) {
                None => return Poll::Ready(Ok(())),
                Some(Ok(data)) => this.leftover = data,
                Some(Err(error)) => return Poll::Ready(Err(io_error(error))),
            }
        }
        let count = out.remaining().min(this.leftover.len());
        out.put_slice(&this.leftover.split_to(count));
        Poll::Ready(Ok(()))
    }
}

impl Stream for AsyncDownload {
    type Item = Result<Vec<u8>, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if !this.leftover.is_empty() {
            return Poll::Ready(Some(Ok(std::mem::take(&mut this.leftover).into())));
        }
        this.poll_chunk(cx)
            .map(|chunk| chunk.map(|data| data.map(Vec::from)))
    }
}

/// A download's error as a read's: a stall is `TimedOut`, as a socket's would be.
fn io_error(error: Error) -> io::Error {
    match error {
        Error::TimedOut { after, .. } => io::Error::new(
            io::ErrorKind::TimedOut,
            format!("the server sent nothing for {after:?}"),
        ),
        other => io::Error::other(other),
    }
}

impl fmt::Debug for AsyncDownload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncDownload")
            .field("status", &self.status)
            .field("offset", &self.offset)
            .field("total", &self.total)
            .finish_non_exhaustive()
    }
}

/// A download under way on a blocking [`Client`]: read it like a file.
///
/// Each read waits at most the client's download idle timeout for the next bytes
/// ([`ClientBuilder::download_timeouts`](super::ClientBuilder::download_timeouts)), and fails
/// with [`io::ErrorKind::TimedOut`] after that.
pub struct Download {
    inner: AsyncDownload,
}

impl Download {
    pub(crate) fn new(inner: AsyncDownload) -> Self {
        Download { inner }
    }

    /// Whether the server is sending from the asked offset (206). When `false` after asking for
    /// an offset, it is sending the whole file again from the start.
    pub fn resumed(&self) -> bool {
        self.inner.resumed()
    }

    /// Where this download's bytes start in the file.
    pub fn offset(&self) -> u64 {
        self.inner.offset()
    }

    /// The size of the whole file, when the server says.
    pub fn total_len(&self) -> Option<u64> {
        self.inner.total_len()
    }
}

impl Read for Download {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let method = self.inner.method;
        bridge::block_on(method, self.inner.read(out)).map_err(io::Error::other)?
    }
}

impl fmt::Debug for Download {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Download")
            .field("status", &self.inner.status)
            .field("offset", &self.inner.offset)
            .field("total", &self.inner.total)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts downloading `url` from byte `offset` (0 for the whole file). An expired or
    /// otherwise refused URL is an [`Error::Api`] (status 403 for an expired signature).
    pub fn download(&self, url: &str, offset: u64) -> Result<Download, Error> {
        // Started on the background runtime, as every blocking call is; read by the caller.
        let core = self.shared_core();
        let url = url.to_owned();
        bridge::wait_on_runtime(DOWNLOAD, async move { core.download(&url, offset).await })
            .map(Download::new)
    }
}

impl AsyncClient {
    /// Starts downloading `url` from byte `offset` (0 for the whole file), as
    /// [`Client::download`] does.
    pub fn download<'a>(&'a self, url: &'a str, offset: u64) -> ResponseFuture<'a, AsyncDownload> {
        ResponseFuture::new(self.core().download(url, offset))
    }
}

impl Core {
    /// Starts downloading the signed `url` from byte `offset`, without the client's
    /// authorization (the URL carries its own).
    pub(crate) async fn download(&self, url: &str, offset: u64) -> Result<AsyncDownload, Error> {
        let invalid = |message: String| Error::InvalidRequest {
            method: DOWNLOAD,
            message,
        };
        let parsed = Url::parse(url).map_err(|error| {
            invalid(format!(
                "the download URL {:?} is not valid: {error}",
                redact_url(url)
            ))
        })?;
        refuse_user_info(&parsed, "the download URL").map_err(invalid)?;
        let mut request = net::Request::get(&parsed).header("user-agent", &self.user_agent(None));
        if offset > 0 {
            request = request.header("range", &format!("bytes={offset}-"));
        }
        self.start_download(request, offset, DOWNLOAD, Secrets::default())
            .await
    }

    /// Downloads the content the media-download `call` asks for (`alt=media`), with the
    /// client's authorization.
    pub(crate) async fn download_media(
        &self,
        endpoint: &Endpoint,
        mut call: Call,
    ) -> Result<AsyncDownload, Error> {
        call.set_query("alt", "media".to_owned());
        let method = call.method().id;
        let outgoing = endpoint.outgoing(self, &call)?;
        let (token, bearer) = self.authorization(method).await?;
        let request = net::Request::to(outgoing.method.clone(), outgoing.uri.clone())
            .headers(outgoing.headers_with(bearer.as_ref()));
        let secrets = Secrets::of(token.as_ref(), self.api_key.as_ref());
        self.start_download(request, 0, method, secrets).await
    }

    /// Sends a download request and waits for the response head at most the idle timeout; the
    /// body is left to be read. `secrets` are what the request carries, kept out of any error.
    async fn start_download(
        &self,
        request: net::Request<'_>,
        offset: u64,
        method: &'static str,
        secrets: Secrets,
    ) -> Result<AsyncDownload, Error> {
        let (idle, total) = self.download_timeouts;
        // The bytes as the server stores them, never compressed on the way: an offset to resume
        // from counts those.
        let sending = self.http.send(request.identity().timeout(total));
        let total_timer = Box::pin(tokio::time::sleep(total));
        let response = match tokio::time::timeout(idle, sending).await {
            Err(_) => {
                return Err(Error::TimedOut {
                    method,
                    after: idle,
                });
            }
            Ok(sent) => sent.map_err(|source| transport(method, source))?,
        };
        let status = response.status.as_u16();
        let headers = header_list(&response.headers);
        if !(200..300).contains(&status) {
            let body = error_body(response, idle).await;
            let error = ApiError::new(method, status, headers, body, &secrets);
            return Err(Error::Api(Box::new(error)));
        }
        let header = |name: &str| {
            headers
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.as_str())
        };
        let (offset, total) = if status == 206 {
            // `Content-Range: bytes START-END/TOTAL`
            let total = header("content-range")
                .and_then(|range| range.rsplit('/').next())
                .and_then(|total| total.parse().ok());
            (offset, total)
        } else {
            (
                0,
                header("content-length").and_then(|length| length.parse().ok()),
            )
        };
        Ok(AsyncDownload {
            method,
            status,
            offset,
            total,
            body: response.into_body(),
            idle,
            idle_timer: None,
            total_timer,
            leftover: Data::new(),
            done: false,
        })
    }
}

/// The start of an error response's body: as much as comes within `idle`, up to
/// [`ERROR_BODY_LIMIT`]; a server that trickles it out cannot hold the call longer.
async fn error_body(mut response: net::Response, idle: Duration) -> Vec<u8> {
    let mut body = Vec::new();
    let reading = async {
        while body.len() < ERROR_BODY_LIMIT {
            match response.chunk().await {
                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                _ => break,
            }
        }
    };
    let _ = tokio::time::timeout(idle, reading).await;
    body.truncate(ERROR_BODY_LIMIT);
    body
}
