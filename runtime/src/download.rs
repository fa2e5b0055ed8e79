//! Downloads: signed URLs (such as Data Portability archives, sent without the `Authorization`
//! header, since the URL carries its own) and media (`alt=media`), streamed, resumable, and
//! bounded in time: a server that stops sending fails the download instead of hanging it.

use std::fmt;
use std::io::{self, Read};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, sync_channel};
use std::time::Duration;

use super::client::{header_list, refuse_user_info};
use super::error::{ApiError, Error};
use super::redact::{Secrets, redact_url};
use super::{Client, PreparedRequest};

/// The method name downloads report in errors and events.
const DOWNLOAD: &str = "download";
/// How much of the body one message carries.
const CHUNK_BYTES: usize = 64 * 1024;
/// How many chunks may wait for the reader: enough to keep the connection busy, little memory.
const CHUNKS_IN_FLIGHT: usize = 4;
/// The most of an error body that is kept.
const ERROR_BODY_LIMIT: u64 = 1024 * 1024;

/// A download under way: read it like a file.
///
/// Each read waits at most the client's download idle timeout for the next bytes
/// ([`ClientBuilder::download_timeouts`](super::ClientBuilder::download_timeouts)), and fails
/// with [`io::ErrorKind::TimedOut`] after that.
pub struct Download {
    status: u16,
    offset: u64,
    total: Option<u64>,
    messages: Receiver<Message>,
    idle: Duration,
    buffer: Vec<u8>,
    position: usize,
    done: bool,
}

impl Download {
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
}

impl Read for Download {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.position == self.buffer.len() {
            if self.done || out.is_empty() {
                return Ok(0);
            }
            match self.messages.recv_timeout(self.idle) {
                Ok(Message::Data(chunk)) => {
                    self.buffer = chunk;
                    self.position = 0;
                }
                Ok(Message::End) => self.done = true,
                Ok(Message::Failed(error)) => {
                    self.done = true;
                    return Err(error);
                }
                Ok(Message::Head(_)) => unreachable!("the head comes once, before any data"),
                Err(RecvTimeoutError::Timeout) => {
                    return Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        format!("the server sent nothing for {:?}", self.idle),
                    ));
                }
                Err(RecvTimeoutError::Disconnected) => {
                    self.done = true;
                    return Err(io::Error::other("the download stopped unexpectedly"));
                }
            }
        }
        let count = out.len().min(self.buffer.len() - self.position);
        out[..count].copy_from_slice(&self.buffer[self.position..self.position + count]);
        self.position += count;
        Ok(count)
    }
}

impl fmt::Debug for Download {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Download")
            .field("status", &self.status)
            .field("offset", &self.offset)
            .field("total", &self.total)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts downloading `url` from byte `offset` (0 for the whole file). An expired or
    /// otherwise refused URL is an [`Error::Api`] (status 403 for an expired signature).
    pub fn download(&self, url: &str, offset: u64) -> Result<Download, Error> {
        let invalid = |message: String| Error::InvalidRequest {
            method: DOWNLOAD,
            message,
        };
        let parsed = reqwest::Url::parse(url).map_err(|error| {
            invalid(format!(
                "the download URL {:?} is not valid: {error}",
                redact_url(url)
            ))
        })?;
        refuse_user_info(&parsed, "the download URL").map_err(invalid)?;
        let mut request = self
            .http()
            .get(url)
            .header("user-agent", self.user_agent(None));
        if offset > 0 {
            request = request.header("range", format!("bytes={offset}-"));
        }
        self.start_download(request, offset, DOWNLOAD, Secrets::default())
    }

    /// Downloads what `prepared` (a media download of method `method`) asks for, with the
    /// client's authorization.
    pub(crate) fn download_prepared(
        &self,
        method: &'static str,
        prepared: &PreparedRequest,
    ) -> Result<Download, Error> {
        let request = self.http().get(&prepared.url);
        let (request, token) = self.authorized(request, prepared)?;
        let secrets = Secrets::of(token.as_ref().map(|token| token.secret()), self.api_key());
        self.start_download(request, 0, method, secrets)
    }

    /// Sends a download request on a thread of its own and waits for the response head at most
    /// the idle timeout; the body is left to be read. `secrets` are what the request carries,
    /// kept out of any error.
    fn start_download(
        &self,
        request: reqwest::blocking::RequestBuilder,
        offset: u64,
        method: &'static str,
        secrets: Secrets,
    ) -> Result<Download, Error> {
        let (idle, total) = self.download_timeouts();
        // The total limit only ends a transfer whose reader has gone: a blocking reqwest
        // request has no idle timeout of its own, so without it a stalled server would hold the
        // thread and the connection for ever.
        let request = request.timeout(total);
        let (sender, messages) = sync_channel(CHUNKS_IN_FLIGHT);
        std::thread::Builder::new()
            .name("download".to_owned())
            .spawn(move || transfer(request, sender))
            .map_err(|error| Error::InvalidRequest {
                method,
                message: format!("could not start the download thread: {error}"),
            })?;
        let head = match messages.recv_timeout(idle) {
            Ok(Message::Head(head)) => head,
            Ok(_) | Err(RecvTimeoutError::Disconnected) => {
                unreachable!("the transfer thread sends the head first")
            }
            Err(RecvTimeoutError::Timeout) => {
                return Err(Error::TimedOut {
                    method,
                    after: idle,
                });
            }
        };
        let head = match head {
            Ok(head) => head,
            Err(Refusal::Transport(source)) => return Err(Error::Transport { method, source }),
            Err(Refusal::Status {
                status,
                headers,
                body,
            }) => {
                let error = ApiError::new(method, status, headers, body, &secrets);
                return Err(Error::Api(Box::new(error)));
            }
        };
        let header = |name: &str| {
            head.headers
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.as_str())
        };
        let (offset, total) = if head.status == 206 {
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
        Ok(Download {
            status: head.status,
            offset,
            total,
            messages,
            idle,
            buffer: Vec::new(),
            position: 0,
            done: false,
        })
    }
}

/// What the transfer thread tells the reader: the head once, then data until the end or a
/// failure.
enum Message {
    Head(Result<Head, Refusal>),
    Data(Vec<u8>),
    End,
    Failed(io::Error),
}

/// A successful response's status and headers.
struct Head {
    status: u16,
    headers: Vec<(String, String)>,
}

/// Why there is no body to read.
enum Refusal {
    Transport(reqwest::Error),
    Status {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
}

/// Sends the request and passes the response on, a chunk at a time. It ends when the body does,
/// or as soon as the reader is gone.
fn transfer(request: reqwest::blocking::RequestBuilder, sender: SyncSender<Message>) {
    let mut response = match request.send() {
        Ok(response) => response,
        Err(source) => {
            let _ = sender.send(Message::Head(Err(Refusal::Transport(source.without_url()))));
            return;
        }
    };
    let status = response.status().as_u16();
    let headers = header_list(response.headers());
    if !(200..300).contains(&status) {
        let mut body = Vec::new();
        let _ = (&mut response)
            .take(ERROR_BODY_LIMIT)
            .read_to_end(&mut body);
        let refusal = Refusal::Status {
            status,
            headers,
            body,
        };
        let _ = sender.send(Message::Head(Err(refusal)));
        return;
    }
    if sender
        .send(Message::Head(Ok(Head { status, headers })))
        .is_err()
    {
        return;
    }
    loop {
        let mut chunk = vec![0; CHUNK_BYTES];
        let message = match response.read(&mut chunk) {
            Ok(0) => Message::End,
            Ok(count) => {
                chunk.truncate(count);
                Message::Data(chunk)
            }
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => Message::Failed(error),
        };
        let last = !matches!(message, Message::Data(_));
        if sender.send(message).is_err() || last {
            return;
        }
    }
}
