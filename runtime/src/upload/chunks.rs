//! The content of a resumable upload as it is read: one chunk in memory at a time, read again
//! from where the server asks when the content can be sought.

use std::io::{self, SeekFrom};
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncSeek};

use super::{UploadInfo, check_size, unreadable};
use crate::error::Error;

/// How to move content of type `S` to a position: its `AsyncSeek` methods, kept as function
/// pointers so that content that cannot seek needs no `AsyncSeek` impl.
pub(super) struct Seeker<S> {
    start: fn(Pin<&mut S>, SeekFrom) -> io::Result<()>,
    complete: fn(Pin<&mut S>, &mut Context<'_>) -> Poll<io::Result<u64>>,
}

impl<S> Clone for Seeker<S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S> Copy for Seeker<S> {}

impl<S: AsyncSeek> Seeker<S> {
    pub(super) fn new() -> Self {
        Seeker {
            start: S::start_seek,
            complete: S::poll_complete,
        }
    }
}

impl<S: Unpin> Seeker<S> {
    /// Moves `content` to `target` and returns where it is.
    pub(super) async fn to(&self, content: &mut S, target: SeekFrom) -> io::Result<u64> {
        // A seek left unfinished (by a dropped upload) is finished first, as `AsyncSeek` asks.
        std::future::poll_fn(|cx| (self.complete)(Pin::new(&mut *content), cx)).await?;
        (self.start)(Pin::new(&mut *content), target)?;
        std::future::poll_fn(|cx| (self.complete)(Pin::new(&mut *content), cx)).await
    }

    /// Moves `content` to the absolute `position`.
    async fn seek(&self, content: &mut S, position: u64) -> io::Result<()> {
        self.to(content, SeekFrom::Start(position)).await.map(drop)
    }
}

/// Content that can be read again: how to seek, where it starts, and its length (when its end
/// could be found).
pub(super) struct Seekable<S> {
    pub(super) seeker: Seeker<S>,
    pub(super) origin: u64,
    pub(super) length: Option<u64>,
}

impl<S> Clone for Seekable<S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S> Copy for Seekable<S> {}

/// The content as the upload reads it: one chunk held in memory, where it starts in the
/// content, and whether the content has ended.
pub(super) struct Chunks {
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
    pub(super) fn new(size: usize, declared: Option<u64>) -> Self {
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
    pub(super) fn end(&self) -> u64 {
        self.start + self.buffer.len() as u64
    }

    /// The content's length, once known (declared, or read to its end).
    pub(super) fn total(&self) -> Option<u64> {
        if self.ended {
            Some(self.end())
        } else {
            self.declared
        }
    }

    /// The bytes to send next.
    pub(super) fn pending(&self) -> &[u8] {
        &self.buffer
    }

    /// The `Content-Range` of a status query.
    pub(super) fn status_range(&self) -> String {
        match self.total() {
            Some(total) => format!("bytes */{total}"),
            None => "bytes */*".to_owned(),
        }
    }

    /// Whether the upload can start from the beginning again: the content can be sought, or
    /// nothing of it has left the buffer.
    pub(super) fn can_restart(&self, seekable: bool) -> bool {
        seekable || self.start == 0
    }

    /// Makes the buffer the next chunk: from `confirmed` (the bytes the server has), as much
    /// of the content as a chunk holds.
    pub(super) async fn fill_from<S: AsyncRead + Unpin>(
        &mut self,
        confirmed: u64,
        content: &mut S,
        method: &'static str,
        seek: Option<Seekable<S>>,
    ) -> Result<(), Error> {
        let failed = |error: io::Error| unreadable(method, &error);
        if confirmed < self.start || confirmed > self.end() {
            // The server wants bytes no longer (or not yet) held: seek there if possible.
            match seek {
                Some(Seekable { seeker, origin, .. }) => {
                    seeker
                        .seek(content, origin + confirmed)
                        .await
                        .map_err(failed)?;
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
                    let skipped = tokio::io::copy(&mut content.take(skip), &mut tokio::io::sink())
                        .await
                        .map_err(failed)?;
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
            let read = content.read(&mut self.buffer[filled..]).await;
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
                match content.read(&mut next).await {
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
    pub(super) fn seen(&self) -> u64 {
        self.end() + u64::from(self.lookahead.is_some())
    }

    /// Checks the content read so far against the declared length and the method's limit,
    /// and returns the `Content-Range` of the buffer.
    pub(super) fn check(&self, method: &'static str, info: &UploadInfo) -> Result<String, Error> {
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
