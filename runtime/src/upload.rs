//! Media uploads: the simple protocols (`uploadType=media`, and `multipart` with metadata) and
//! the resumable one (chunks, retries, and sessions that a later process can pick up).

use std::fmt;
use std::io::{self, Read, Seek, SeekFrom};
use std::time::{Duration, Instant};

use super::client::{Exchange, Response, deadline_after, http_verb, refuse_user_info};
use super::error::Error;
use super::redact::redact_url;
use super::retry::random_u64;
use super::{Call, PreparedRequest, Service};

/// Chunks are a multiple of this many bytes, as the resumable protocol requires.
pub const CHUNK_GRANULARITY: usize = 256 * 1024;
/// The chunk size unless another is chosen (as in Google's Go client): 16 MiB.
pub const DEFAULT_CHUNK_SIZE: usize = 16 * 1024 * 1024;
/// How many times one upload may start its session over before it gives up.
const MAX_RESTARTS: u32 = 3;
/// How many chunks in a row the server may answer without keeping a byte more than it ever had.
const MAX_STALLS: u32 = 5;
/// An upload may send at most this many times its content's size (plus two chunks) in all,
/// resent chunks included: a server that keeps taking bytes without keeping them cannot make it
/// send for ever.
const MAX_SENT_FACTOR: u64 = 3;

/// What the Discovery document says of one method's media uploads.
#[derive(Debug)]
pub struct UploadInfo {
    /// The upload path template, relative to the root URL, such as `upload/drive/v3/files`
    /// (the document's `mediaUpload.protocols.simple.path`).
    pub path: &'static str,
    /// Media ranges the method accepts (`*/*`, `image/*`, `image/png`); empty accepts any.
    pub accept: &'static [&'static str],
    /// The largest content the method accepts, in bytes.
    pub max_size: Option<u64>,
}

impl Service {
    /// Uploads `content` of media type `mime` in one request: `uploadType=multipart` (the
    /// call's JSON body, then the content, as `multipart/related`) when the call has a body,
    /// else `uploadType=media` (the content alone). The content is read into memory first, so
    /// that its size is checked before anything is sent; large content is better sent with a
    /// [`ResumableUpload`], which holds one chunk at a time. Uploads are never retried: a
    /// repeat could create the resource twice.
    pub fn upload(
        &self,
        call: Call,
        info: &'static UploadInfo,
        mut content: impl Read,
        mime: &str,
    ) -> Result<Response, Error> {
        self.upload_from(call, info, &mut content, mime)
    }

    /// [`upload`](Self::upload), compiled once for every kind of content.
    fn upload_from(
        &self,
        mut call: Call,
        info: &'static UploadInfo,
        content: &mut dyn Read,
        mime: &str,
    ) -> Result<Response, Error> {
        let method = call.method().id;
        check_media_type(method, info, mime)?;
        let mut data = Vec::new();
        // One byte past the limit is enough to know the content is too large.
        let limit = info.max_size.map_or(u64::MAX, |max| max.saturating_add(1));
        content
            .take(limit)
            .read_to_end(&mut data)
            .map_err(|error| unreadable(method, &error))?;
        check_size(method, info, data.len() as u64)?;
        let (upload_type, content_type, body) = match call.take_body() {
            Some(metadata) => {
                let (content_type, body) = multipart(&metadata, &data, mime);
                ("multipart", content_type, body)
            }
            None => ("media", mime.to_owned(), data),
        };
        let mut prepared = self.prepare_upload(&call, info.path, upload_type)?;
        prepared
            .headers
            .push(("content-type".to_owned(), content_type));
        prepared.body = Some(body);
        self.client().send_once(method, prepared, call.timeout())
    }
}

/// A `multipart/related` body of JSON `metadata` and then `content`, and its content type. Part
/// headers are spelled as Google's clients spell them, for servers that compare them exactly.
fn multipart(metadata: &[u8], content: &[u8], mime: &str) -> (String, Vec<u8>) {
    // A boundary that occurs in neither part; a random one almost always is the first try.
    let boundary = loop {
        let candidate = format!("part_{:016x}{:016x}", random_u64(), random_u64());
        if !contains(content, candidate.as_bytes()) && !contains(metadata, candidate.as_bytes()) {
            break candidate;
        }
    };
    let mut body = Vec::with_capacity(metadata.len() + content.len() + 3 * boundary.len() + 128);
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(metadata);
    body.extend_from_slice(format!("\r\n--{boundary}\r\nContent-Type: {mime}\r\n\r\n").as_bytes());
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/related; boundary={boundary}"), body)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// Refuses a media type that is malformed or that the method does not accept.
fn check_media_type(method: &'static str, info: &UploadInfo, mime: &str) -> Result<(), Error> {
    let essence = mime.split(';').next().unwrap_or_default().trim();
    let well_formed = reqwest::header::HeaderValue::from_str(mime).is_ok()
        && essence
            .split_once('/')
            .is_some_and(|(kind, subtype)| is_token(kind) && is_token(subtype));
    if !well_formed {
        return Err(Error::InvalidRequest {
            method,
            message: format!("{mime:?} is not a media type such as `image/png`"),
        });
    }
    let essence = essence.to_ascii_lowercase();
    let accepted = info.accept.is_empty()
        || info
            .accept
            .iter()
            .any(|range| media_range_matches(range, &essence));
    if accepted {
        Ok(())
    } else {
        Err(Error::InvalidRequest {
            method,
            message: format!(
                "this method takes content of type {}, not {essence}",
                info.accept.join(", ")
            ),
        })
    }
}

/// Whether `value` is an HTTP token, as the parts of a media type must be.
fn is_token(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte))
}

/// Whether `essence` (`type/subtype`, lower case) is in `range` (`*/*`, `image/*`, `image/png`).
fn media_range_matches(range: &str, essence: &str) -> bool {
    let range = range.trim().to_ascii_lowercase();
    match range.split_once('/') {
        Some(("*", "*")) => true,
        Some((kind, "*")) => essence
            .split_once('/')
            .is_some_and(|(other, _)| other == kind),
        _ => range == essence,
    }
}

/// Refuses content larger than the method's `maxSize`.
fn check_size(method: &'static str, info: &UploadInfo, size: u64) -> Result<(), Error> {
    match info.max_size {
        Some(max) if size > max => Err(Error::InvalidRequest {
            method,
            message: format!(
                "the content is larger than the {max} bytes this method takes (at least {size})"
            ),
        }),
        _ => Ok(()),
    }
}

fn unreadable(method: &'static str, error: &io::Error) -> Error {
    Error::InvalidRequest {
        method,
        message: format!("the content could not be read: {error}"),
    }
}

/// Moves the content to an absolute position, for content that can be read again.
type SeekTo<C> = fn(&mut C, u64) -> io::Result<()>;
/// Content that can be read again: how to seek, where it starts, and its length (when its end
/// could be found).
type Seekable<C> = (SeekTo<C>, u64, Option<u64>);
/// Told the bytes confirmed and the total, when known.
type Progress<'a> = Box<dyn FnMut(u64, Option<u64>) + 'a>;
/// Told the session URI.
type SessionKeeper<'a> = Box<dyn FnMut(&str) + 'a>;

/// A resumable upload (`uploadType=resumable`), ready to [`send`](Self::send).
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
/// timeout, or the client's.
pub struct ResumableUpload<'a, R, C> {
    service: &'a Service,
    call: Call,
    info: &'static UploadInfo,
    content: C,
    mime: String,
    decode: fn(Response) -> Result<R, Error>,
    chunk_size: usize,
    content_length: Option<u64>,
    session_uri: Option<String>,
    progress: Option<Progress<'a>>,
    on_session: Option<SessionKeeper<'a>>,
    /// How to read the content again, with where it started and its length, when it can be
    /// sought.
    seek: Option<Seekable<C>>,
    /// An error to return before anything is sent (metadata that could not be serialized).
    failed: Option<Error>,
}

impl<'a, R, C: Read> ResumableUpload<'a, R, C> {
    /// A resumable upload of `content` (media type `mime`) for `call`, whose JSON body (if
    /// any) is the metadata; `decode` reads the method's response. Generated builders call
    /// this from `upload_resumable()`.
    pub fn new(
        service: &'a Service,
        call: Call,
        info: &'static UploadInfo,
        content: C,
        mime: &str,
        decode: fn(Response) -> Result<R, Error>,
    ) -> Self {
        ResumableUpload {
            service,
            call,
            info,
            content,
            mime: mime.to_owned(),
            decode,
            chunk_size: DEFAULT_CHUNK_SIZE,
            content_length: None,
            session_uri: None,
            progress: None,
            on_session: None,
            seek: None,
            failed: None,
        }
    }

    /// This upload, or, when `preparation` failed (metadata that could not be serialized),
    /// one that returns its error before sending anything.
    pub fn after(mut self, preparation: Result<(), Error>) -> Self {
        self.failed = preparation.err();
        self
    }

    /// Sends the content in chunks of `bytes`, rounded up to a multiple of 256 KiB
    /// ([`CHUNK_GRANULARITY`]); 16 MiB unless set. One chunk is held in memory at a time.
    pub fn chunk_size(mut self, bytes: usize) -> Self {
        self.chunk_size = bytes
            .max(1)
            .div_ceil(CHUNK_GRANULARITY)
            .saturating_mul(CHUNK_GRANULARITY);
        self
    }

    /// The content's length, when known in advance: the server is told at the start (and
    /// can refuse too large a file at once), the `maxSize` check happens before anything is
    /// sent, and content of another length is an error.
    pub fn content_length(mut self, bytes: u64) -> Self {
        self.content_length = Some(bytes);
        self
    }

    /// Calls `report` with the bytes the server has confirmed and the total (when known) after
    /// each chunk.
    pub fn progress(mut self, report: impl FnMut(u64, Option<u64>) + 'a) -> Self {
        self.progress = Some(Box::new(report));
        self
    }

    /// Calls `keep` with the session URI once the session has started (again, if it had to be
    /// started over), so that the caller can save it and [`resume`](Self::resume) the upload
    /// from another process.
    pub fn on_session(mut self, keep: impl FnMut(&str) + 'a) -> Self {
        self.on_session = Some(Box::new(keep));
        self
    }

    /// Continues the session at `session_uri` instead of starting one: the server is asked how
    /// much it has, and that much of the content (which must be given from its start) is
    /// skipped.
    pub fn resume(mut self, session_uri: impl Into<String>) -> Self {
        self.session_uri = Some(session_uri.into());
        self
    }

    /// Uploads the content and returns the method's response.
    pub fn send(mut self) -> Result<R, Error> {
        if let Some(error) = self.failed.take() {
            return Err(error);
        }
        let method = self.call.method().id;
        check_media_type(method, self.info, &self.mime)?;
        let declared = self.declared_length(method)?;
        if let Some(length) = declared {
            check_size(method, self.info, length)?;
        }
        let mut chunks = Chunks::new(self.chunk_size, declared);
        let resuming = self.session_uri.is_some();
        if !resuming {
            // The first chunk is read before the session starts, so content that is too large,
            // or of another length than declared, is refused before anything is sent when the
            // first chunk shows it; content that fits in one chunk tells its length this way.
            chunks
                .fill_from(0, &mut self.content, method, self.seek)
                .and_then(|()| chunks.check(method, self.info))?;
        }
        let metadata = self.call.take_body();
        let mut start = self
            .service
            .prepare_upload(&self.call, self.info.path, "resumable")?;
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
        // A resumed session is first asked how much it has; nothing is read before that.
        let mut session = match self.session_uri.take() {
            Some(uri) => self.session(&start, &uri)?,
            None => self.start_session(&start)?,
        };
        let policy = self
            .call
            .retry_policy()
            .unwrap_or(self.service.client().retry_policy())
            .clone();
        let patience = self
            .call
            .timeout()
            .unwrap_or(self.service.client().timeout());
        let mut guard = Guard::new(patience, self.chunk_size);
        let mut ask_first = resuming;
        let mut resuming = resuming;
        let mut confirmed = 0;
        let mut restarts = 0;
        loop {
            let sent_chunk = !ask_first;
            let answer = if ask_first {
                self.put(&session, None, &chunks.status_range())
            } else {
                let content_range = chunks
                    .fill_from(confirmed, &mut self.content, method, self.seek)
                    .and_then(|()| chunks.check(method, self.info))?;
                guard.sending(method, chunks.pending().len(), chunks.seen())?;
                self.put(&session, Some(chunks.pending()), &content_range)
            };
            ask_first = false;
            let was_resuming = std::mem::replace(&mut resuming, false);
            match answer {
                Answer::Done(response) => {
                    if let Some(report) = &mut self.progress {
                        report(chunks.end(), chunks.total());
                    }
                    return (self.decode)(response);
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
                    if restarts > MAX_RESTARTS || !chunks.can_restart(self.seek.is_some()) {
                        return Err(error);
                    }
                    session = self.start_session(&start)?;
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
                    std::thread::sleep(wait);
                    ask_first = true;
                }
            }
        }
    }

    /// The content's length, when it is known before reading: given with `content_length`, or
    /// learnt from seekable content. Both must agree.
    fn declared_length(&self, method: &'static str) -> Result<Option<u64>, Error> {
        match (
            self.content_length,
            self.seek.and_then(|(_, _, length)| length),
        ) {
            (Some(given), Some(actual)) if given != actual => Err(Error::InvalidRequest {
                method,
                message: format!(
                    "the content is {actual} bytes, but its length was given as {given}"
                ),
            }),
            (given, actual) => Ok(given.or(actual)),
        }
    }

    /// Starts a session with the `start` request and reports its URI.
    fn start_session(&mut self, start: &PreparedRequest) -> Result<String, Error> {
        let method = self.call.method().id;
        let response =
            self.service
                .client()
                .send_once(method, start.clone(), self.call.timeout())?;
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
        let session = self.session(start, &location)?;
        if let Some(keep) = &mut self.on_session {
            keep(&session);
        }
        Ok(session)
    }

    /// `uri` resolved against the upload URL, if it is on the same scheme, host and port.
    fn session(&self, start: &PreparedRequest, uri: &str) -> Result<String, Error> {
        let method = self.call.method().id;
        let base = reqwest::Url::parse(&start.url).map_err(|error| Error::InvalidRequest {
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

    /// One `PUT` to the session: a chunk (`body`), or a status query (no body).
    fn put(&self, session: &str, body: Option<&[u8]>, content_range: &str) -> Answer {
        let method = self.call.method().id;
        let request = PreparedRequest {
            method: "PUT",
            url: session.to_owned(),
            headers: vec![
                (
                    "user-agent".to_owned(),
                    self.service.user_agent().to_owned(),
                ),
                (
                    "x-goog-api-client".to_owned(),
                    self.service.api_client().to_owned(),
                ),
                ("content-range".to_owned(), content_range.to_owned()),
            ],
            body: None,
        };
        let client = self.service.client();
        // Each chunk gets the call's timeout, or the client's (which the HTTP client applies).
        let timeout = self.call.timeout();
        let verb = match http_verb(method, "PUT") {
            Ok(verb) => verb,
            Err(error) => return Answer::Failed(error),
        };
        match client.exchange(method, verb, &request, body.map(<[u8]>::to_vec), timeout) {
            Ok(exchange) => Answer::of(method, exchange),
            Err(failure) => Answer::Failed(failure.error),
        }
    }
}

impl<R, C: Read + Seek> ResumableUpload<'_, R, C> {
    /// Lets the upload read the content again (it is a file, say): when the server kept fewer
    /// bytes than an earlier chunk sent, or forgot the session, the upload seeks back instead
    /// of failing. The content starts where it is now.
    pub fn seekable(mut self) -> Self {
        let seek_to: SeekTo<C> =
            |content, position| content.seek(SeekFrom::Start(position)).map(drop);
        // Where the content starts, and its length: the end, then back to the start.
        let measured = self.content.stream_position().and_then(|start| {
            let end = self.content.seek(SeekFrom::End(0))?;
            seek_to(&mut self.content, start)?;
            Ok((start, end.checked_sub(start)))
        });
        match measured {
            Ok((start, length)) => self.seek = Some((seek_to, start, length)),
            Err(error) => {
                self.failed = Some(unreadable(self.call.method().id, &error));
            }
        }
        self
    }
}

impl<R, C> fmt::Debug for ResumableUpload<'_, R, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResumableUpload")
            .field("call", &self.call)
            .field("mime", &self.mime)
            .field("chunk_size", &self.chunk_size)
            .field("content_length", &self.content_length)
            .field("session_uri", &self.session_uri.as_deref().map(redact_url))
            .field("seekable", &self.seek.is_some())
            .finish_non_exhaustive()
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

/// The content as the upload reads it: one chunk held in memory, where it starts in the
/// content, and whether the content has ended.
struct Chunks {
    size: usize,
    declared: Option<u64>,
    buffer: Vec<u8>,
    /// Where `buffer` starts in the content.
    start: u64,
    /// Bytes read past the buffer, to learn whether the content ended with it.
    lookahead: Option<u8>,
    ended: bool,
}

impl Chunks {
    fn new(size: usize, declared: Option<u64>) -> Self {
        Chunks {
            size,
            declared,
            buffer: Vec::new(),
            start: 0,
            lookahead: None,
            ended: false,
        }
    }

    /// Where the bytes read so far end in the content.
    fn end(&self) -> u64 {
        self.start + self.buffer.len() as u64
    }

    /// The content's length, once known (declared, or read to its end).
    fn total(&self) -> Option<u64> {
        if self.ended {
            Some(self.end())
        } else {
            self.declared
        }
    }

    /// The bytes to send next.
    fn pending(&self) -> &[u8] {
        &self.buffer
    }

    /// The `Content-Range` of a status query.
    fn status_range(&self) -> String {
        match self.total() {
            Some(total) => format!("bytes */{total}"),
            None => "bytes */*".to_owned(),
        }
    }

    /// Whether the upload can start from the beginning again: the content can be sought, or
    /// nothing of it has left the buffer.
    fn can_restart(&self, seekable: bool) -> bool {
        seekable || self.start == 0
    }

    /// Makes the buffer the next chunk: from `confirmed` (the bytes the server has), as much
    /// of the content as a chunk holds. Returns its `Content-Range`.
    fn fill_from<C: Read>(
        &mut self,
        confirmed: u64,
        content: &mut C,
        method: &'static str,
        seek: Option<Seekable<C>>,
    ) -> Result<(), Error> {
        let failed = |error: io::Error| unreadable(method, &error);
        if confirmed < self.start || confirmed > self.end() {
            // The server wants bytes no longer (or not yet) held: seek there if possible.
            match seek {
                Some((seek_to, origin, _)) => {
                    seek_to(content, origin + confirmed).map_err(failed)?;
                    self.buffer.clear();
                    self.start = confirmed;
                    self.lookahead = None;
                    self.ended = false;
                }
                None if confirmed < self.start => {
                    return Err(Error::Protocol {
                        method,
                        message: format!(
                            "the upload server kept {confirmed} bytes, fewer than the {} already \
                             let go of, and the content cannot be read again (see \
                             `ResumableUpload::seekable`)",
                            self.start
                        ),
                    });
                }
                None => {
                    // A resumed session: skip what the server has.
                    let skip = confirmed - self.end();
                    let skipped =
                        io::copy(&mut content.take(skip), &mut io::sink()).map_err(failed)?;
                    if skipped < skip {
                        return Err(Error::InvalidRequest {
                            method,
                            message: format!(
                                "the content ended after {skipped} bytes, but the upload session \
                                 already has {confirmed}"
                            ),
                        });
                    }
                    self.buffer.clear();
                    self.start = confirmed;
                }
            }
        } else {
            self.buffer.drain(..(confirmed - self.start) as usize);
            self.start = confirmed;
        }
        // The byte read past a full chunk comes next, once there is room for it (a chunk sent
        // again whole has none).
        if self.buffer.len() < self.size {
            if let Some(byte) = self.lookahead.take() {
                self.buffer.push(byte);
            }
        }
        while self.buffer.len() < self.size && !self.ended {
            let filled = self.buffer.len();
            self.buffer.resize(self.size, 0);
            let read = content.read(&mut self.buffer[filled..]);
            match read {
                Ok(0) => {
                    self.buffer.truncate(filled);
                    self.ended = true;
                }
                Ok(count) => self.buffer.truncate(filled + count),
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {
                    self.buffer.truncate(filled)
                }
                Err(error) => {
                    self.buffer.truncate(filled);
                    return Err(failed(error));
                }
            }
        }
        if !self.ended && self.lookahead.is_none() {
            // A full chunk: read one byte more to learn whether it is the last.
            let mut next = [0u8];
            loop {
                match content.read(&mut next) {
                    Ok(0) => self.ended = true,
                    Ok(_) => self.lookahead = Some(next[0]),
                    Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                    Err(error) => return Err(failed(error)),
                }
                break;
            }
        }
        Ok(())
    }

    /// How far into the content reading has gone (the byte read ahead included).
    fn seen(&self) -> u64 {
        self.end() + u64::from(self.lookahead.is_some())
    }

    /// Checks the content read so far against the declared length and the method's limit,
    /// and returns the `Content-Range` of the buffer.
    fn check(&self, method: &'static str, info: &UploadInfo) -> Result<String, Error> {
        let seen = self.seen();
        check_size(method, info, seen)?;
        if let Some(declared) = self.declared {
            if seen > declared || (self.ended && seen != declared) {
                let read = if self.ended {
                    format!("{seen} bytes")
                } else {
                    format!("more than {declared} bytes")
                };
                return Err(Error::InvalidRequest {
                    method,
                    message: format!(
                        "the content is {read}, but its length was given as {declared}"
                    ),
                });
            }
        }
        let total = self
            .total()
            .map_or_else(|| "*".to_owned(), |total| total.to_string());
        Ok(if self.buffer.is_empty() {
            format!("bytes */{total}")
        } else {
            format!("bytes {}-{}/{total}", self.start, self.end() - 1)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_are_checked_against_the_accepted_ranges() {
        static ANY: UploadInfo = UploadInfo {
            path: "upload/things",
            accept: &["*/*"],
            max_size: Some(10),
        };
        static IMAGES: UploadInfo = UploadInfo {
            path: "upload/things",
            accept: &["image/*", "application/pdf"],
            max_size: None,
        };
        let check = |info, mime| check_media_type("m", info, mime).is_ok();
        assert!(check(&ANY, "text/plain; charset=utf-8"));
        assert!(check(&IMAGES, "Image/PNG"));
        assert!(check(&IMAGES, "application/pdf"));
        assert!(!check(&IMAGES, "application/zip"));
        assert!(!check(&IMAGES, "imagex/png"));
        for malformed in [
            "",
            "png",
            "text/",
            "text/plain\r\nx-evil: 1",
            "tëxt/plain",
            "a b/c",
        ] {
            assert!(!check(&ANY, malformed), "{malformed:?}");
        }
        assert!(check_size("m", &ANY, 10).is_ok());
        assert!(check_size("m", &ANY, 11).is_err());
    }

    #[test]
    fn ranges_confirm_bytes() {
        assert_eq!(confirmed_by_range("bytes=0-262143"), Some(262_144));
        assert_eq!(confirmed_by_range("bytes=0-0"), Some(1));
        assert_eq!(confirmed_by_range("bytes=5-9"), None);
        assert_eq!(confirmed_by_range("bytes=0-x"), None);
    }

    #[test]
    fn a_boundary_never_occurs_in_the_parts() {
        let (content_type, body) = multipart(b"{}", b"abc", "text/plain");
        let boundary = content_type
            .strip_prefix("multipart/related; boundary=")
            .unwrap();
        assert_eq!(
            String::from_utf8(body).unwrap(),
            format!(
                "--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{{}}\r\n\
                 --{boundary}\r\nContent-Type: text/plain\r\n\r\nabc\r\n--{boundary}--\r\n"
            )
        );
    }
}
