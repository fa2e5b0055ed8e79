//! One table of cases for both kinds of client: each case is a function generic over [`Mode`],
//! and `both_modes!` turns a list of them into a blocking test and an async test each. An
//! async case runs its calls on one shared multi-threaded tokio runtime, as a service would.

#![allow(dead_code, unused_macros, unused_imports)]

use std::io::{self, Read};
use std::sync::OnceLock;

use google_api_runtime::contract::{Call, Service, UploadInfo, json};
use google_api_runtime::{
    AsyncClient, AsyncResumableUpload, Backend, Client, ClientBuilder, Content, Error, Page,
    PageItems, ResumableUpload,
};
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncSeek};

/// Makes a blocking and an async test of each case: `mod blocking` and `mod asynchronous`.
macro_rules! both_modes {
    ($($case:ident),* $(,)?) => {
        mod blocking {
            $(
                #[test]
                fn $case() {
                    super::$case::<google_api_runtime::Client>();
                }
            )*
        }

        mod asynchronous {
            $(
                #[test]
                fn $case() {
                    super::$case::<google_api_runtime::AsyncClient>();
                }
            )*
        }
    };
}

pub(crate) use both_modes;

/// The same, for cases written as plain tests and their helpers: every item is compiled twice,
/// with `M` the blocking `Client` and then the `AsyncClient`, so that `.send().wait()` reads the
/// same in both.
macro_rules! cases {
    ($($item:item)*) => {
        mod blocking {
            #[allow(unused_imports)]
            use super::*;
            #[allow(dead_code)]
            type M = google_api_runtime::Client;
            $($item)*
        }

        mod asynchronous {
            #[allow(unused_imports)]
            use super::*;
            #[allow(dead_code)]
            type M = google_api_runtime::AsyncClient;
            $($item)*
        }
    };
}

pub(crate) use cases;

/// A client of kind `M` from a builder.
pub trait BuildMode {
    fn build_mode<M: Mode>(self) -> M;
}

impl BuildMode for ClientBuilder {
    fn build_mode<M: Mode>(self) -> M {
        M::build(self)
    }
}

/// What a call returned, waited for: a blocking result as it is, an async one on [`runtime`].
pub trait Wait<T> {
    fn wait(self) -> Result<T, Error>;
}

impl<T> Wait<T> for Result<T, Error> {
    fn wait(self) -> Result<T, Error> {
        self
    }
}

impl<T> Wait<T> for google_api_runtime::ResponseFuture<'_, T> {
    fn wait(self) -> Result<T, Error> {
        runtime().block_on(self)
    }
}

/// The runtime async cases wait on; one for every test, so that a client's pooled connections
/// always belong to the runtime that uses them.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    })
}

/// Content the cases upload: readable both ways.
pub trait TestContent: Read + AsyncRead + Unpin + Send {}

impl<T: Read + AsyncRead + Unpin + Send> TestContent for T {}

/// A kind of client, as the cases drive it.
pub trait Mode: Backend {
    /// Which kind this is, for messages.
    const NAME: &'static str;

    /// The client `builder` makes.
    fn build(builder: ClientBuilder) -> Self;

    /// What a call gave, waited for as this kind waits.
    fn wait<T>(reply: Self::Reply<'_, T>) -> Result<T, Error>;

    /// The next page of a list.
    fn next_page<'a, P: Page + Send + 'a>(
        pages: &mut Self::Pages<'a, P>,
    ) -> Option<Result<P, Error>>;

    /// The next item of a list.
    fn next_item<'a, P: PageItems + Send + 'a>(
        items: &mut Self::Items<'a, P>,
    ) -> Option<Result<P::Item, Error>>
    where
        P::Item: Send;

    /// The items of a list with another limit of empty pages.
    fn max_empty_pages<'a, P: PageItems + Send + 'a>(
        items: Self::Items<'a, P>,
        pages: u32,
    ) -> Self::Items<'a, P>
    where
        P::Item: Send;

    /// Reads a download to its end (or its first error).
    fn read_to_end(download: &mut Self::Download) -> io::Result<Vec<u8>>;

    /// The download's first bytes: a read into a buffer of `length`.
    fn read_some(download: &mut Self::Download, length: usize) -> io::Result<Vec<u8>>;

    /// Uploads `content` in one request and reads the answer as JSON.
    fn upload<'a, X: TestContent + 'a>(
        service: &'a Service<Self>,
        call: Call,
        info: &'static UploadInfo,
        content: X,
        mime: &str,
    ) -> Result<serde_json::Value, Error>;

    /// A resumable upload of `content`, its answer read as JSON.
    fn resumable<'a, X: TestContent + 'a>(
        service: &'a Service<Self>,
        call: Result<Call, Error>,
        info: &'static UploadInfo,
        content: X,
        mime: &str,
    ) -> Upload<'a, X>;
}

impl Mode for Client {
    const NAME: &'static str = "blocking";

    fn build(builder: ClientBuilder) -> Self {
        builder.build().unwrap()
    }

    fn wait<T>(reply: Result<T, Error>) -> Result<T, Error> {
        reply
    }

    fn next_page<'a, P: Page + Send + 'a>(
        pages: &mut google_api_runtime::Pages<'a, P>,
    ) -> Option<Result<P, Error>> {
        pages.next()
    }

    fn next_item<'a, P: PageItems + Send + 'a>(
        items: &mut google_api_runtime::Items<'a, P>,
    ) -> Option<Result<P::Item, Error>> {
        items.next()
    }

    fn max_empty_pages<'a, P: PageItems + Send + 'a>(
        items: google_api_runtime::Items<'a, P>,
        pages: u32,
    ) -> google_api_runtime::Items<'a, P> {
        items.max_empty_pages(pages)
    }

    fn read_to_end(download: &mut google_api_runtime::Download) -> io::Result<Vec<u8>> {
        let mut data = Vec::new();
        download.read_to_end(&mut data).map(|_| data)
    }

    fn read_some(
        download: &mut google_api_runtime::Download,
        length: usize,
    ) -> io::Result<Vec<u8>> {
        let mut data = vec![0; length];
        let read = download.read(&mut data)?;
        data.truncate(read);
        Ok(data)
    }

    fn upload<'a, X: TestContent + 'a>(
        service: &'a Service<Self>,
        call: Call,
        info: &'static UploadInfo,
        content: X,
        mime: &str,
    ) -> Result<serde_json::Value, Error> {
        Content::<Client>::upload(content, service, Ok(call), info, mime, json)
    }

    fn resumable<'a, X: TestContent + 'a>(
        service: &'a Service<Self>,
        call: Result<Call, Error>,
        info: &'static UploadInfo,
        content: X,
        mime: &str,
    ) -> Upload<'a, X> {
        let upload = Content::<Client>::upload_resumable(content, service, call, info, mime, json);
        Upload::Blocking(upload)
    }
}

impl Mode for AsyncClient {
    const NAME: &'static str = "async";

    fn build(builder: ClientBuilder) -> Self {
        builder.build_async().unwrap()
    }

    fn wait<T>(reply: google_api_runtime::ResponseFuture<'_, T>) -> Result<T, Error> {
        runtime().block_on(reply)
    }

    fn next_page<'a, P: Page + Send + 'a>(
        pages: &mut google_api_runtime::AsyncPages<'a, P>,
    ) -> Option<Result<P, Error>> {
        runtime().block_on(pages.next())
    }

    fn next_item<'a, P: PageItems + Send + 'a>(
        items: &mut google_api_runtime::AsyncItems<'a, P>,
    ) -> Option<Result<P::Item, Error>>
    where
        P::Item: Send,
    {
        runtime().block_on(items.next())
    }

    fn max_empty_pages<'a, P: PageItems + Send + 'a>(
        items: google_api_runtime::AsyncItems<'a, P>,
        pages: u32,
    ) -> google_api_runtime::AsyncItems<'a, P>
    where
        P::Item: Send,
    {
        items.max_empty_pages(pages)
    }

    fn read_to_end(download: &mut google_api_runtime::AsyncDownload) -> io::Result<Vec<u8>> {
        let mut data = Vec::new();
        runtime()
            .block_on(download.read_to_end(&mut data))
            .map(|_| data)
    }

    fn read_some(
        download: &mut google_api_runtime::AsyncDownload,
        length: usize,
    ) -> io::Result<Vec<u8>> {
        let mut data = vec![0; length];
        let read = runtime().block_on(download.read(&mut data))?;
        data.truncate(read);
        Ok(data)
    }

    fn upload<'a, X: TestContent + 'a>(
        service: &'a Service<Self>,
        call: Call,
        info: &'static UploadInfo,
        content: X,
        mime: &str,
    ) -> Result<serde_json::Value, Error> {
        let reply = Content::<AsyncClient>::upload(content, service, Ok(call), info, mime, json);
        runtime().block_on(reply)
    }

    fn resumable<'a, X: TestContent + 'a>(
        service: &'a Service<Self>,
        call: Result<Call, Error>,
        info: &'static UploadInfo,
        content: X,
        mime: &str,
    ) -> Upload<'a, X> {
        let upload =
            Content::<AsyncClient>::upload_resumable(content, service, call, info, mime, json);
        Upload::Async(upload)
    }
}

/// Every page of a list, to its end.
pub fn all_pages<'a, M: Mode, P: Page + Send + 'a>(
    mut pages: M::Pages<'a, P>,
) -> Vec<Result<P, Error>> {
    std::iter::from_fn(|| M::next_page(&mut pages)).collect()
}

/// Every item of a list, to its end.
pub fn all_items<'a, M: Mode, P: PageItems + Send + 'a>(
    mut items: M::Items<'a, P>,
) -> Vec<Result<P::Item, Error>>
where
    P::Item: Send,
{
    std::iter::from_fn(|| M::next_item(&mut items)).collect()
}

/// A resumable upload of either kind, with the options the cases set.
pub enum Upload<'a, X> {
    Blocking(ResumableUpload<'a, serde_json::Value, X>),
    Async(AsyncResumableUpload<'a, serde_json::Value, X>),
}

impl<'a, X: TestContent + 'a> Upload<'a, X> {
    pub fn chunk_size(self, bytes: usize) -> Self {
        match self {
            Upload::Blocking(upload) => Upload::Blocking(upload.chunk_size(bytes)),
            Upload::Async(upload) => Upload::Async(upload.chunk_size(bytes)),
        }
    }

    pub fn content_length(self, bytes: u64) -> Self {
        match self {
            Upload::Blocking(upload) => Upload::Blocking(upload.content_length(bytes)),
            Upload::Async(upload) => Upload::Async(upload.content_length(bytes)),
        }
    }

    pub fn progress(self, report: impl FnMut(u64, Option<u64>) + Send + 'a) -> Self {
        match self {
            Upload::Blocking(upload) => Upload::Blocking(upload.progress(report)),
            Upload::Async(upload) => Upload::Async(upload.progress(report)),
        }
    }

    pub fn on_session(self, keep: impl FnMut(&str) + Send + 'a) -> Self {
        match self {
            Upload::Blocking(upload) => Upload::Blocking(upload.on_session(keep)),
            Upload::Async(upload) => Upload::Async(upload.on_session(keep)),
        }
    }

    pub fn resume(self, session_uri: impl Into<String>) -> Self {
        match self {
            Upload::Blocking(upload) => Upload::Blocking(upload.resume(session_uri)),
            Upload::Async(upload) => Upload::Async(upload.resume(session_uri)),
        }
    }

    pub fn send(self) -> Result<serde_json::Value, Error> {
        match self {
            Upload::Blocking(upload) => upload.send(),
            Upload::Async(upload) => runtime().block_on(upload.send()),
        }
    }
}

impl<'a, X: TestContent + io::Seek + AsyncSeek + 'a> Upload<'a, X> {
    pub fn seekable(self) -> Self {
        match self {
            Upload::Blocking(upload) => Upload::Blocking(upload.seekable()),
            Upload::Async(upload) => Upload::Async(upload.seekable()),
        }
    }
}

impl<X> std::fmt::Debug for Upload<'_, X> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Upload::Blocking(upload) => upload.fmt(f),
            Upload::Async(upload) => upload.fmt(f),
        }
    }
}
