//! The resumable upload protocol (`uploadType=resumable`), written once as async code: a
//! session, chunks confirmed by `308` ranges, status queries after a failed chunk, sessions
//! started over when the server forgets them, and the guards against a server that takes bytes
//! without keeping them. [`ResumableUpload`] drives it for a blocking client,
//! [`AsyncResumableUpload`] for an async one.

use std::fmt;
use std::io::{Read, Seek, SeekFrom};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncSeek};

use super::chunks::{Chunks, Seekable, Seeker};
use super::{
    Blocking, CHUNK_GRANULARITY, DEFAULT_CHUNK_SIZE, ReadAgain, ReadOnce, Source, UploadInfo,
    check_media_type, check_size, unreadable,
};
use super::{MAX_RESTARTS, MAX_SENT_FACTOR, MAX_STALLS};
use crate::backend::Decoder;
use crate::bridge;
use crate::call::{Call, PreparedRequest};
use crate::client::{AsyncClient, Client, Core, refuse_user_info};
use crate::error::Error;
use crate::redact::redact_url;
use crate::service::{Endpoint, Service};
use crate::transport::{Exchange, Outgoing, Response, Sending, deadline_after};

/// Told the bytes confirmed and the total, when known.
type Progress<'a> = dyn FnMut(u64, Option<u64>) + 'a;
/// Told the session URI.
type SessionKeeper<'a> = dyn FnMut(&str) + 'a;
/// The same, for an async upload, whose future is `Send`.
type SendProgress<'a> = dyn FnMut(u64, Option<u64>) + Send + 'a;
/// The same, for an async upload.
type SendSessionKeeper<'a> = dyn FnMut(&str) + Send + 'a;

/// A blocking upload's content: read on the caller's thread, so it need not be `Send`.
type BlockingSource<'a> = Box<dyn Source + 'a>;
/// An async upload's content.
type AsyncSource<'a> = Box<dyn Source + Send + 'a>;

/// One resumable upload as planned: where it goes and the caller's choices; the content comes
/// when it is sent. `P` and `K` are the types of the progress and session callbacks.
struct Plan<'a, P: ?Sized, K: ?Sized> {
    core: &'a Core,
    endpoint: &'a Endpoint,
    /// The call, or the error that stops the upload before anything is sent.
    call: Result<Call, Error>,
    info: &'static UploadInfo,
    mime: String,
    chunk_size: usize,
    content_length: Option<u64>,
    session_uri: Option<String>,
    progress: Option<Box<P>>,
    on_session: Option<Box<K>>,
}

impl<'a, P: ?Sized, K: ?Sized> Plan<'a, P, K> {
    fn new(
        (core, endpoint): (&'a Core, &'a Endpoint),
        call: Result<Call, Error>,
        info: &'static UploadInfo,
        mime: &str,
    ) -> Self {
        Plan {
            core,
            endpoint,
            call,
            info,
            mime: mime.to_owned(),
            chunk_size: DEFAULT_CHUNK_SIZE,
            content_length: None,
            session_uri: None,
            progress: None,
            on_session: None,
        }
    }

    /// The chunk size: `bytes` rounded up to a multiple of 256 KiB.
    fn set_chunk_size(&mut self, bytes: usize) {
        self.chunk_size = bytes
            .max(1)
            .div_ceil(CHUNK_GRANULARITY)
            .saturating_mul(CHUNK_GRANULARITY);
    }

    fn method(&self) -> &'static str {
        self.call.as_ref().map_or("upload", |call| call.method().id)
    }
}

/// Runs a blocking upload to its end on the caller's thread. Not generic, so the protocol is
/// compiled once, here, whatever a program uploads.
fn send_blocking(
    plan: Plan<'_, Progress<'_>, SessionKeeper<'_>>,
    content: BlockingSource<'_>,
) -> Result<Response, Error> {
    let method = plan.method();
    bridge::wait(method, plan.send(content))
}

/// An async upload as a boxed future, made here for the same reason.
fn send_async<'a>(
    plan: Plan<'a, SendProgress<'a>, SendSessionKeeper<'a>>,
    content: AsyncSource<'a>,
) -> Sending<'a> {
    Box::pin(plan.send(content))
}

impl<P, K> Plan<'_, P, K>
where
    P: FnMut(u64, Option<u64>) + ?Sized,
    K: FnMut(&str) + ?Sized,
{
    /// Uploads `content` and returns the method's response.
    async fn send<S: Source + ?Sized>(mut self, mut content: Box<S>) -> Result<Response, Error> {
        let mut call = std::mem::replace(&mut self.call, Err(closed()))?;
        let method = call.method().id;
        check_media_type(method, self.info, &self.mime)?;
        let seek = measure(method, &mut content).await?;
        let declared = declared_length(method, self.content_length, seek)?;
        if let Some(length) = declared {
            check_size(method, self.info, length)?;
        }
        let mut chunks = Chunks::new(self.chunk_size, declared);
        let resuming = self.session_uri.is_some();
        if !resuming {
            // The first chunk is read before the session starts, so content that is too large,
            // or of another length than declared, is refused before anything is sent when the
            // first chunk shows it; content that fits in one chunk tells its length this way.
            chunks.fill_from(0, &mut content, method, seek).await?;
            chunks.check(method, self.info)?;
        }
        let metadata = call.take_body();
        let mut start = self.endpoint.prepare_upload(
            self.core,
            &call,
            call.upload_template(self.info),
            "resumable",
        )?;
        start
            .headers
            .push(("x-upload-content-type".to_owned(), self.mime.clone()));
        if let Some(length) = chunks.total() {
            start
                .headers
                .push(("x-upload-content-length".to_owned(), length.to_string()));
        }
        if metadata.is_some() {
            start.headers.push((
                "content-type".to_owned(),
                "application/json; charset=UTF-8".to_owned(),
            ));
        }
        start.body = metadata;
        let timeout = call.timeout();
        // A resumed session is first asked how much it has; nothing is read before that.
        let mut session = match self.session_uri.take() {
            Some(uri) => session_at(method, &start, &uri)?,
            None => self.start_session(method, &start, timeout).await?,
        };
        let policy = call.retry_policy().unwrap_or(&self.core.retry).clone();
        let patience = timeout.unwrap_or(self.core.timeout);
        let mut guard = Guard::new(patience, self.chunk_size);
        let mut ask_first = resuming;
        let mut resuming = resuming;
        let mut confirmed = 0;
        let mut restarts = 0;
        loop {
            let sent_chunk = !ask_first;
            let answer = if ask_first {
                put(
                    (self.core, self.endpoint),
                    method,
                    &session,
                    None,
                    &chunks.status_range(),
                    timeout,
                )
                .await
            } else {
                chunks
                    .fill_from(confirmed, &mut content, method, seek)
                    .await?;
                let content_range = chunks.check(method, self.info)?;
                guard.sending(method, chunks.pending().len(), chunks.seen())?;
                put(
                    (self.core, self.endpoint),
                    method,
                    &session,
                    Some(chunks.pending()),
                    &content_range,
                    timeout,
                )
                .await
            };
            ask_first = false;
            let was_resuming = std::mem::replace(&mut resuming, false);
            match answer {
                Answer::Done(response) => {
                    if let Some(report) = &mut self.progress {
                        report(chunks.end(), chunks.total());
                    }
                    return Ok(response);
                }
                Answer::Incomplete(now) => {
                    if now > chunks.end() && !was_resuming {
                        return Err(Error::Protocol {
                            method,
                            message: format!(
                                "the upload server confirmed {now} bytes, more than the {} sent",
                                chunks.end()
                            ),
                        });
                    }
                    guard.confirmed(method, now, sent_chunk)?;
                    confirmed = now;
                    if let Some(report) = &mut self.progress {
                        report(confirmed, chunks.total());
                    }
                }
                Answer::Gone(error) => {
                    restarts += 1;
                    if restarts > MAX_RESTARTS || !chunks.can_restart(seek.is_some()) {
                        return Err(error);
                    }
                    session = self.start_session(method, &start, timeout).await?;
                    confirmed = 0;
                    guard.restarted();
                }
                Answer::Failed(error) => {
                    let retryable = error.is_transient() || error.http_status() == Some(500);
                    if !retryable || !policy.allows_another(guard.failure()) {
                        return Err(error);
                    }
                    let wait = error
                        .retry_after()
                        .unwrap_or_else(|| policy.backoff(guard.failures));
                    // A wait past the time the upload may go without progress is not waited:
                    // the error is the answer, as it is for any call.
                    if !guard.may_wait(wait) {
                        return Err(error);
                    }
                    tokio::time::sleep(wait).await;
                    ask_first = true;
                }
            }
        }
    }

    /// Starts a session with the `start` request and reports its URI.
    async fn start_session(
        &mut self,
        method: &'static str,
        start: &PreparedRequest,
        timeout: Option<Duration>,
    ) -> Result<String, Error> {
        let response = self.core.send_once(method, start.clone(), timeout).await?;
        let location = response
            .headers
            .iter()
            .find(|(name, _)| name == "location")
            .map(|(_, value)| value.clone())
            .ok_or_else(|| Error::Protocol {
                method,
                message: "the server started no upload session: its answer has no Location"
                    .to_owned(),
            })?;
        let session = session_at(method, start, &location)?;
        if let Some(keep) = &mut self.on_session {
            keep(&session);
        }
        Ok(session)
    }
}

/// One `PUT` to the session: a chunk (`body`), or a status query (no body). Each request
/// gets the call's timeout, or the client's (which the HTTP client applies).
async fn put(
    (core, endpoint): (&Core, &Endpoint),
    method: &'static str,
    session: &str,
    body: Option<&[u8]>,
    content_range: &str,
    timeout: Option<Duration>,
) -> Answer {
    let request = PreparedRequest {
        method: "PUT",
        url: session.to_owned(),
        headers: vec![
            ("user-agent".to_owned(), endpoint.user_agent().to_owned()),
            (
                "x-goog-api-client".to_owned(),
                endpoint.api_client().to_owned(),
            ),
            ("content-range".to_owned(), content_range.to_owned()),
        ],
        body: body.map(<[u8]>::to_vec),
    };
    let outgoing = match Outgoing::from_prepared(method, request) {
        Ok(outgoing) => outgoing,
        Err(error) => return Answer::Failed(error),
    };
    match core.exchange(method, &outgoing, timeout).await {
        Ok(exchange) => Answer::of(method, exchange),
        Err(failure) => Answer::Failed(failure.error),
    }
}

/// Where seekable content starts and its length (its end, then back to the start); `None` for
/// content that cannot be sought.
async fn measure<S: Source + ?Sized>(
    method: &'static str,
    content: &mut Box<S>,
) -> Result<Option<Seekable<Box<S>>>, Error> {
    if !content.seekable() {
        return Ok(None);
    }
    let seeker = Seeker::new();
    let measured = async {
        let origin = seeker.to(content, SeekFrom::Current(0)).await?;
        let end = seeker.to(content, SeekFrom::End(0)).await?;
        seeker.to(content, SeekFrom::Start(origin)).await?;
        Ok((origin, end.checked_sub(origin)))
    };
    let (origin, length) = measured.await.map_err(|error| unreadable(method, &error))?;
    Ok(Some(Seekable {
        seeker,
        origin,
        length,
    }))
}

/// The error of an upload sent twice; `send` takes the plan by value, so it cannot happen.
fn closed() -> Error {
    Error::InvalidRequest {
        method: "upload",
        message: "the upload was already sent".to_owned(),
    }
}

/// The content's length, when it is known before reading: given with `content_length`, or
/// learnt from seekable content. Both must agree.
fn declared_length<S>(
    method: &'static str,
    given: Option<u64>,
    seek: Option<Seekable<S>>,
) -> Result<Option<u64>, Error> {
    match (given, seek.and_then(|seek| seek.length)) {
        (Some(given), Some(actual)) if given != actual => Err(Error::InvalidRequest {
            method,
            message: format!("the content is {actual} bytes, but its length was given as {given}"),
        }),
        (given, actual) => Ok(given.or(actual)),
    }
}

/// `uri` resolved against the upload URL, if it is on the same scheme, host and port.
fn session_at(method: &'static str, start: &PreparedRequest, uri: &str) -> Result<String, Error> {
    let base = url::Url::parse(&start.url).map_err(|error| Error::InvalidRequest {
        method,
        message: format!("the upload URL is not valid: {error}"),
    })?;
    let session = base.join(uri).map_err(|error| Error::Protocol {
        method,
        message: format!("the upload session URI is not valid: {error}"),
    })?;
    refuse_user_info(&session, "the upload session URI")
        .map_err(|message| Error::Protocol { method, message })?;
    if session.origin() != base.origin() {
        return Err(Error::Protocol {
            method,
            message: format!(
                "the upload session URI {} is not on the upload URL's host {}; it is not \
                 used, so that no token goes there",
                redact_url(session.as_str()),
                base.origin().ascii_serialization()
            ),
        });
    }
    Ok(session.into())
}

impl<P: ?Sized, K: ?Sized> fmt::Debug for Plan<'_, P, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResumableUpload")
            .field("call", &self.call.as_ref().ok())
            .field("mime", &self.mime)
            .field("chunk_size", &self.chunk_size)
            .field("content_length", &self.content_length)
            .field("session_uri", &self.session_uri.as_deref().map(redact_url))
            .finish_non_exhaustive()
    }
}

/// A resumable upload (`uploadType=resumable`) on a blocking client, ready to
/// [`send`](Self::send).
///
/// It starts a session (the call's metadata in the body, the media type in
/// `X-Upload-Content-Type`, the length in `X-Upload-Content-Length` when known), then sends the
/// content in chunks (`PUT` to the session URI with `Content-Range`). After each chunk the
/// server confirms how much it has (`308` with a `Range` header) and the next chunk starts from
/// there, so bytes it did not keep are sent again. A chunk that fails (a 5xx, 429 or transport
/// error) is retried with the client's backoff, after asking the server how much it has
/// (`Content-Range: bytes */total`); a session the server has forgotten (404, 410) starts over.
///
/// The content is read once, one chunk at a time (only that chunk is held in memory), so it
/// may be a pipe. Content that can be read again, such as a file, can say so with
/// [`seekable`](Self::seekable), which lets the upload survive a server that lost bytes from an
/// earlier chunk or forgot the whole session.
///
/// The session URI (from [`on_session`](Self::on_session)) lets a later process finish the
/// upload: [`resume`](Self::resume) it with the same content from its start, and the bytes
/// the server has are skipped. Anyone holding the URI can upload to it: keep it like a
/// password. Session URIs on another host than the upload URL are refused, so that the
/// request's token never goes elsewhere.
///
/// Each request (the session start, each chunk, each status query) may take the call's
/// timeout, or the client's. [`AsyncResumableUpload`] is the same upload on an async client.
pub struct ResumableUpload<'a, R, C> {
    plan: Plan<'a, Progress<'a>, SessionKeeper<'a>>,
    content: C,
    /// Boxes the content for the protocol: as a pipe, or (after `seekable`) as a file.
    source: fn(C) -> BlockingSource<'a>,
    decode: Decoder<R>,
}

impl<'a, R, C: Read + 'a> ResumableUpload<'a, R, C> {
    pub(crate) fn new(
        service: &'a Service<Client>,
        call: Result<Call, Error>,
        info: &'static UploadInfo,
        content: C,
        mime: &str,
        decode: Decoder<R>,
    ) -> Self {
        ResumableUpload {
            plan: Plan::new(service.parts(), call, info, mime),
            content,
            source: |content| Box::new(ReadOnce(Blocking(content))),
            decode,
        }
    }

    /// Sends the content in chunks of `bytes`, rounded up to a multiple of 256 KiB
    /// ([`CHUNK_GRANULARITY`]); 16 MiB unless set. One chunk is held in memory at a time.
    pub fn chunk_size(mut self, bytes: usize) -> Self {
        self.plan.set_chunk_size(bytes);
        self
    }

    /// The content's length, when known in advance: the server is told at the start (and
    /// can refuse too large a file at once), the `maxSize` check happens before anything is
    /// sent, and content of another length is an error.
    pub fn content_length(mut self, bytes: u64) -> Self {
        self.plan.content_length = Some(bytes);
        self
    }

    /// Calls `report` with the bytes the server has confirmed and the total (when known) after
    /// each chunk.
    pub fn progress(mut self, report: impl FnMut(u64, Option<u64>) + 'a) -> Self {
        self.plan.progress = Some(Box::new(report));
        self
    }

    /// Calls `keep` with the session URI once the session has started (again, if it had to be
    /// started over), so that the caller can save it and [`resume`](Self::resume) the upload
    /// from another process.
    pub fn on_session(mut self, keep: impl FnMut(&str) + 'a) -> Self {
        self.plan.on_session = Some(Box::new(keep));
        self
    }

    /// Continues the session at `session_uri` instead of starting one: the server is asked how
    /// much it has, and that much of the content (which must be given from its start) is
    /// skipped.
    pub fn resume(mut self, session_uri: impl Into<String>) -> Self {
        self.plan.session_uri = Some(session_uri.into());
        self
    }

    /// Uploads the content and returns the method's response.
    pub fn send(self) -> Result<R, Error> {
        send_blocking(self.plan, (self.source)(self.content)).and_then(self.decode)
    }
}

impl<'a, R, C: Read + Seek + 'a> ResumableUpload<'a, R, C> {
    /// Lets the upload read the content again (it is a file, say): when the server kept fewer
    /// bytes than an earlier chunk sent, or forgot the session, the upload seeks back instead
    /// of failing. The content starts where it is when the upload is sent.
    pub fn seekable(mut self) -> Self {
        self.source = |content| Box::new(ReadAgain(Blocking(content)));
        self
    }
}

impl<R, C> fmt::Debug for ResumableUpload<'_, R, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.plan.fmt(f)
    }
}

/// A resumable upload on an [`AsyncClient`], reading a `tokio::io::AsyncRead`: the same
/// protocol and options as [`ResumableUpload`], and [`send`](Self::send) is a `Send` future.
/// Dropping that future mid-way leaves the session on the server: resume it from the URI that
/// [`on_session`](Self::on_session) gave, with the content from its start.
pub struct AsyncResumableUpload<'a, R, C> {
    plan: Plan<'a, SendProgress<'a>, SendSessionKeeper<'a>>,
    content: C,
    /// Boxes the content for the protocol: as a pipe, or (after `seekable`) as a file.
    source: fn(C) -> AsyncSource<'a>,
    decode: Decoder<R>,
}

impl<'a, R, C: AsyncRead + Unpin + Send + 'a> AsyncResumableUpload<'a, R, C> {
    pub(crate) fn new(
        service: &'a Service<AsyncClient>,
        call: Result<Call, Error>,
        info: &'static UploadInfo,
        content: C,
        mime: &str,
        decode: Decoder<R>,
    ) -> Self {
        AsyncResumableUpload {
            plan: Plan::new(service.parts(), call, info, mime),
            content,
            source: |content| Box::new(ReadOnce(content)),
            decode,
        }
    }

    /// Sends the content in chunks of `bytes`, as [`ResumableUpload::chunk_size`] does.
    pub fn chunk_size(mut self, bytes: usize) -> Self {
        self.plan.set_chunk_size(bytes);
        self
    }

    /// The content's length, when known in advance, as [`ResumableUpload::content_length`].
    pub fn content_length(mut self, bytes: u64) -> Self {
        self.plan.content_length = Some(bytes);
        self
    }

    /// Calls `report` with the bytes confirmed and the total after each chunk.
    pub fn progress(mut self, report: impl FnMut(u64, Option<u64>) + Send + 'a) -> Self {
        self.plan.progress = Some(Box::new(report));
        self
    }

    /// Calls `keep` with the session URI once the session has started, as
    /// [`ResumableUpload::on_session`] does.
    pub fn on_session(mut self, keep: impl FnMut(&str) + Send + 'a) -> Self {
        self.plan.on_session = Some(Box::new(keep));
        self
    }

    /// Continues the session at `session_uri`, as [`ResumableUpload::resume`] does.
    pub fn resume(mut self, session_uri: impl Into<String>) -> Self {
        self.plan.session_uri = Some(session_uri.into());
        self
    }

    /// Uploads the content and returns the method's response.
    pub async fn send(self) -> Result<R, Error> {
        let decode = self.decode;
        send_async(self.plan, (self.source)(self.content))
            .await
            .and_then(decode)
    }
}

impl<'a, R, C: AsyncRead + AsyncSeek + Unpin + Send + 'a> AsyncResumableUpload<'a, R, C> {
    /// Lets the upload read the content again, as [`ResumableUpload::seekable`] does.
    pub fn seekable(mut self) -> Self {
        self.source = |content| Box::new(ReadAgain(content));
        self
    }
}

impl<R, C> fmt::Debug for AsyncResumableUpload<'_, R, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.plan.fmt(f)
    }
}

/// What bounds one upload against a server that takes without keeping: chunks that add nothing
/// to the most it ever confirmed (stalls), failures in a row, bytes sent in all, and time
/// without progress (a retry wait longer than what is left of it is not waited).
struct Guard {
    /// The most the server has ever confirmed.
    high_water: u64,
    stalls: u32,
    failures: u32,
    sent: u64,
    chunk_size: u64,
    patience: Duration,
    last_progress: Instant,
}

impl Guard {
    fn new(patience: Duration, chunk_size: usize) -> Guard {
        Guard {
            high_water: 0,
            stalls: 0,
            failures: 0,
            sent: 0,
            chunk_size: chunk_size as u64,
            patience,
            last_progress: Instant::now(),
        }
    }

    /// Counts a chunk of `bytes` about to go out, refusing it when the upload has sent more
    /// than [`MAX_SENT_FACTOR`] times the content read so far (`seen`), plus two chunks.
    fn sending(&mut self, method: &'static str, bytes: usize, seen: u64) -> Result<(), Error> {
        self.sent = self.sent.saturating_add(bytes as u64);
        let budget = seen
            .saturating_mul(MAX_SENT_FACTOR)
            .saturating_add(2 * self.chunk_size);
        if self.sent > budget {
            return Err(Error::Protocol {
                method,
                message: format!(
                    "the upload server has kept only {} bytes after {} were sent for {seen} \
                     bytes of content; stopped rather than send them again without end",
                    self.high_water, self.sent
                ),
            });
        }
        Ok(())
    }

    /// Takes the server's word that it has `now` bytes, after a chunk (`sent_chunk`) or a
    /// status query. Only a new high-water mark is progress: a server that alternates its
    /// answers does not reset the count of stalls.
    fn confirmed(&mut self, method: &'static str, now: u64, sent_chunk: bool) -> Result<(), Error> {
        if now > self.high_water {
            self.high_water = now;
            self.stalls = 0;
            self.failures = 0;
            self.last_progress = Instant::now();
        } else if sent_chunk {
            self.stalls += 1;
            if self.stalls >= MAX_STALLS {
                return Err(Error::Protocol {
                    method,
                    message: format!(
                        "the upload server kept nothing new from the last {} chunks (it has {now} \
                         bytes, and once had {})",
                        self.stalls, self.high_water
                    ),
                });
            }
        }
        Ok(())
    }

    /// A new session: the server has nothing yet.
    fn restarted(&mut self) {
        self.high_water = 0;
        self.stalls = 0;
    }

    /// Counts a failed request; the failures in a row, for the retry policy.
    fn failure(&mut self) -> u32 {
        self.failures += 1;
        self.failures
    }

    /// Whether waiting `wait` still leaves time before the upload has gone its patience (the
    /// call's timeout, or the client's) without progress.
    fn may_wait(&self, wait: Duration) -> bool {
        let until = deadline_after(self.last_progress, self.patience);
        wait < until.saturating_duration_since(Instant::now())
    }
}

/// What the upload server said to a chunk or a status query.
enum Answer {
    /// The upload is complete: the method's response.
    Done(Response),
    /// `308 Resume Incomplete`: the server has this many bytes.
    Incomplete(u64),
    /// The session is gone (404, 410): only starting over can help.
    Gone(Error),
    /// Anything else; whether to retry is decided by the error.
    Failed(Error),
}

impl Answer {
    fn of(method: &'static str, exchange: Exchange) -> Answer {
        match exchange.response.status {
            200 | 201 => Answer::Done(exchange.response),
            308 => match exchange.header("range").map(confirmed_by_range) {
                None => Answer::Incomplete(0),
                Some(Some(bytes)) => Answer::Incomplete(bytes),
                Some(None) => Answer::Failed(Error::Protocol {
                    method,
                    message: format!(
                        "the upload server's Range header {:?} is not `bytes=0-N`",
                        exchange.header("range").unwrap_or_default()
                    ),
                }),
            },
            404 | 410 => Answer::Gone(exchange.to_error()),
            _ => Answer::Failed(exchange.into_result().err().unwrap_or(Error::Protocol {
                method,
                message: "the upload server answered with an unexpected success".to_owned(),
            })),
        }
    }
}

/// The bytes a `Range: bytes=0-N` header confirms (`N + 1`).
fn confirmed_by_range(range: &str) -> Option<u64> {
    let last = range.trim().strip_prefix("bytes=0-")?;
    last.parse::<u64>().ok()?.checked_add(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_confirm_bytes() {
        assert_eq!(confirmed_by_range("bytes=0-262143"), Some(262_144));
        assert_eq!(confirmed_by_range("bytes=0-0"), Some(1));
        assert_eq!(confirmed_by_range("bytes=5-9"), None);
        assert_eq!(confirmed_by_range("bytes=0-x"), None);
    }
}
