//! Media uploads: the simple protocols (`uploadType=media`, and `multipart` with metadata) and
//! the resumable one (chunks, retries, and sessions that a later process can pick up), for
//! either kind of client: content is read as a `tokio::io::AsyncRead`, which a blocking client's
//! `std::io::Read` becomes through [`Blocking`].

mod chunks;
mod resumable;

use std::io::{self, Read, Seek, SeekFrom};
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncSeek, ReadBuf};

use super::bridge;
use super::call::Call;
use super::client::Core;
use super::error::Error;
use super::retry::random_u64;
use super::service::Endpoint;
use super::transport::{Response, Sending};

pub use resumable::{AsyncResumableUpload, ResumableUpload};

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

impl UploadInfo {
    /// The value of every field a method leaves unset: any media type, no size limit. Generated
    /// code takes the rest from here (`..UploadInfo::BASE`), so that a field added later is not
    /// a breaking change.
    pub const BASE: UploadInfo = UploadInfo {
        path: "",
        accept: &[],
        max_size: None,
    };
}

/// Uploads `content` of media type `mime` in one request: `uploadType=multipart` (the call's
/// JSON body, then the content, as `multipart/related`) when the call has a body, else
/// `uploadType=media` (the content alone). The content is read into memory first, so that its
/// size is checked before anything is sent; large content is better sent with a resumable
/// upload, which holds one chunk at a time. Uploads are never retried: a repeat could create the
/// resource twice.
async fn simple<S: AsyncRead + Unpin + ?Sized>(
    core: &Core,
    endpoint: &Endpoint,
    mut call: Call,
    info: &'static UploadInfo,
    content: &mut S,
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
        .await
        .map_err(|error| unreadable(method, &error))?;
    check_size(method, info, data.len() as u64)?;
    let (upload_type, content_type, body) = match call.take_body() {
        Some(metadata) => {
            let (content_type, body) = multipart(&metadata, &data, mime);
            ("multipart", content_type, body)
        }
        None => ("media", mime.to_owned(), data),
    };
    let mut prepared =
        endpoint.prepare_upload(core, &call, call.upload_template(info), upload_type)?;
    prepared
        .headers
        .push(("content-type".to_owned(), content_type));
    prepared.body = Some(body);
    core.send_once(method, prepared, call.timeout()).await
}

/// [`simple`] from a blocking client's content, waited for on the caller's thread; compiled
/// once, here, whatever the content's type.
pub(crate) fn simple_blocking(
    core: &Core,
    endpoint: &Endpoint,
    call: Call,
    info: &'static UploadInfo,
    content: &mut dyn Read,
    mime: &str,
) -> Result<Response, Error> {
    let method = call.method().id;
    let mut content = Blocking(content);
    bridge::wait(
        method,
        simple(core, endpoint, call, info, &mut content, mime),
    )
}

/// [`simple`] from an async client's content, as a boxed future made here.
pub(crate) fn simple_async<'a>(
    core: &'a Core,
    endpoint: &'a Endpoint,
    call: Call,
    info: &'static UploadInfo,
    mut content: Box<dyn AsyncRead + Unpin + Send + 'a>,
    mime: String,
) -> Sending<'a> {
    Box::pin(async move { simple(core, endpoint, call, info, &mut content, &mime).await })
}

/// Content as the resumable upload reads it, whatever its type: its bytes, and a way back when
/// it can be sought. The upload holds it boxed, so that the protocol is compiled once, here.
pub(crate) trait Source: AsyncRead + AsyncSeek + Unpin {
    /// Whether seeking works.
    fn seekable(&self) -> bool;
}

/// Content that is read once, as a pipe is.
pub(crate) struct ReadOnce<T>(pub(crate) T);

/// Content that can be sought, as a file can.
pub(crate) struct ReadAgain<T>(pub(crate) T);

impl<T> Unpin for ReadOnce<T> {}

impl<T> Unpin for ReadAgain<T> {}

impl<T: AsyncRead + Unpin> AsyncRead for ReadOnce<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_read(cx, out)
    }
}

impl<T> AsyncSeek for ReadOnce<T> {
    fn start_seek(self: Pin<&mut Self>, _: SeekFrom) -> io::Result<()> {
        Err(io::ErrorKind::Unsupported.into())
    }

    fn poll_complete(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<u64>> {
        // Nothing was started: a finished seek of nothing.
        Poll::Ready(Ok(0))
    }
}

impl<T: AsyncRead + Unpin> Source for ReadOnce<T> {
    fn seekable(&self) -> bool {
        false
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for ReadAgain<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_read(cx, out)
    }
}

impl<T: AsyncSeek + Unpin> AsyncSeek for ReadAgain<T> {
    fn start_seek(self: Pin<&mut Self>, target: SeekFrom) -> io::Result<()> {
        Pin::new(&mut self.get_mut().0).start_seek(target)
    }

    fn poll_complete(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        Pin::new(&mut self.get_mut().0).poll_complete(cx)
    }
}

impl<T: AsyncRead + AsyncSeek + Unpin> Source for ReadAgain<T> {
    fn seekable(&self) -> bool {
        true
    }
}

/// A blocking client's content as async content: each read and seek is done at once, on the
/// thread that polls it, which for a blocking client is the caller's own (see the bridge).
pub(crate) struct Blocking<R>(pub(crate) R);

// Nothing in it is pinned: reads and seeks go through `&mut R`.
impl<R> Unpin for Blocking<R> {}

impl<R: Read> AsyncRead for Blocking<R> {
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            match this.0.read(out.initialize_unfilled()) {
                Ok(count) => {
                    out.advance(count);
                    return Poll::Ready(Ok(()));
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Poll::Ready(Err(error)),
            }
        }
    }
}

impl<R: Seek> AsyncSeek for Blocking<R> {
    fn start_seek(self: Pin<&mut Self>, target: SeekFrom) -> io::Result<()> {
        // Done here; `poll_complete` then says where it ended.
        self.get_mut().0.seek(target).map(drop)
    }

    fn poll_complete(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<u64>> {
        Poll::Ready(self.get_mut().0.stream_position())
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
    let well_formed = http::HeaderValue::from_str(mime).is_ok()
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
            ..UploadInfo::BASE
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
