//! The two ways of waiting for a call: a blocking [`Client`] returns its result, an
//! [`AsyncClient`] a future of it. Generated crates are written once against [`Backend`], and a
//! hub made from either client has the same methods under the same names.

use std::fmt;
use std::future::Future;
use std::io::Read;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::AsyncRead;

use super::call::Call;
use super::client::{AsyncClient, Client, Core};
use super::download::{AsyncDownload, Download};
use super::error::Error;
use super::pages::{AsyncItems, AsyncPages, Items, Page, PageItems, Pages};
use super::service::Service;
use super::transport::{Response, Sending};
use super::upload::{self, AsyncResumableUpload, ResumableUpload, UploadInfo};

/// Reads a method's response: one function per type, written in the API crate.
pub type Decoder<T> = fn(Response) -> Result<T, Error>;

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Client {}
    impl Sealed for super::AsyncClient {}
}

/// A kind of client, [`Client`] or [`AsyncClient`]: what a request builder's methods return with
/// it. Generated hubs and builders take either (`Drive<C = Client>`); with a blocking client
/// `send()` returns `Result<T, Error>`, with an async one a [`ResponseFuture`] to `.await`.
/// Only this crate implements it.
pub trait Backend: Clone + fmt::Debug + Send + Sync + 'static + sealed::Sealed {
    /// What a call returns: `Result<T, Error>`, or a future of it.
    type Reply<'a, T: 'a>;
    /// The pages of a list call: an `Iterator`, or a `Stream`.
    type Pages<'a, P: Page + 'a>;
    /// The items of a list call: an `Iterator`, or a `Stream`.
    type Items<'a, P: PageItems + 'a>;
    /// A media download under way: a `std::io::Read`, or a `tokio::io::AsyncRead`.
    type Download: fmt::Debug + Send;
    /// A resumable upload of content `X` whose method answers with `T`, ready to send.
    type Resumable<'a, T: 'a, X: 'a>;

    /// The client's connections and settings.
    #[doc(hidden)]
    fn core(&self) -> &Core;

    /// Sends `call` (or returns its error) and reads the response with `decode`.
    #[doc(hidden)]
    fn execute<'a, T: Send + 'a>(
        service: &'a Service<Self>,
        call: Result<Call, Error>,
        decode: Decoder<T>,
    ) -> Self::Reply<'a, T>;

    /// The pages of `call`, a list method.
    #[doc(hidden)]
    fn pages<'a, P: Page + Send + 'a>(
        service: &'a Service<Self>,
        call: Result<Call, Error>,
    ) -> Self::Pages<'a, P>;

    /// The items of `pages`.
    #[doc(hidden)]
    fn items<'a, P: PageItems + Send + 'a>(pages: Self::Pages<'a, P>) -> Self::Items<'a, P>
    where
        P::Item: Send;

    /// Downloads the content a media-download method describes (`alt=media`).
    #[doc(hidden)]
    fn download_media<'a>(
        service: &'a Service<Self>,
        call: Call,
    ) -> Self::Reply<'a, Self::Download>;
}

impl Backend for Client {
    type Reply<'a, T: 'a> = Result<T, Error>;
    type Pages<'a, P: Page + 'a> = Pages<'a, P>;
    type Items<'a, P: PageItems + 'a> = Items<'a, P>;
    type Download = Download;
    type Resumable<'a, T: 'a, X: 'a> = ResumableUpload<'a, T, X>;

    fn core(&self) -> &Core {
        Client::core(self)
    }

    fn execute<'a, T: Send + 'a>(
        service: &'a Service<Self>,
        call: Result<Call, Error>,
        decode: Decoder<T>,
    ) -> Result<T, Error> {
        service.execute_blocking(call?).and_then(decode)
    }

    fn pages<'a, P: Page + Send + 'a>(
        service: &'a Service<Self>,
        call: Result<Call, Error>,
    ) -> Pages<'a, P> {
        Pages::new(service, call)
    }

    fn items<'a, P: PageItems + Send + 'a>(pages: Pages<'a, P>) -> Items<'a, P> {
        Items::new(pages)
    }

    fn download_media(service: &Service<Self>, call: Call) -> Result<Download, Error> {
        service.download_blocking(call).map(Download::new)
    }
}

impl Backend for AsyncClient {
    type Reply<'a, T: 'a> = ResponseFuture<'a, T>;
    type Pages<'a, P: Page + 'a> = AsyncPages<'a, P>;
    type Items<'a, P: PageItems + 'a> = AsyncItems<'a, P>;
    type Download = AsyncDownload;
    type Resumable<'a, T: 'a, X: 'a> = AsyncResumableUpload<'a, T, X>;

    fn core(&self) -> &Core {
        AsyncClient::core(self)
    }

    fn execute<'a, T: Send + 'a>(
        service: &'a Service<Self>,
        call: Result<Call, Error>,
        decode: Decoder<T>,
    ) -> ResponseFuture<'a, T> {
        let (core, endpoint) = service.parts();
        ResponseFuture::decoding(call.map(|call| endpoint.execute_boxed(core, call)), decode)
    }

    fn pages<'a, P: Page + Send + 'a>(
        service: &'a Service<Self>,
        call: Result<Call, Error>,
    ) -> AsyncPages<'a, P> {
        AsyncPages::new(service, call)
    }

    fn items<'a, P: PageItems + Send + 'a>(pages: AsyncPages<'a, P>) -> AsyncItems<'a, P>
    where
        P::Item: Send,
    {
        AsyncItems::new(pages)
    }

    fn download_media<'a>(
        service: &'a Service<Self>,
        call: Call,
    ) -> ResponseFuture<'a, AsyncDownload> {
        ResponseFuture::new(async move {
            let (core, endpoint) = service.parts();
            core.download_media(endpoint, call).await
        })
    }
}

/// What an [`AsyncClient`]'s call returns: a future of its result, `Send`, to `.await`.
/// Dropping it cancels the call.
#[must_use = "a call does nothing until it is awaited"]
pub struct ResponseFuture<'a, T> {
    state: Pending<'a, T>,
}

/// Where a [`ResponseFuture`] is.
enum Pending<'a, T> {
    /// A response on its way, and how to read it: one box, made by the runtime.
    Response(Sending<'a>, Decoder<T>),
    /// Anything else the runtime awaits (a download's head, say).
    Other(Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'a>>),
    /// The call could not be made; its error, until it is given out.
    Refused(Option<Error>),
}

impl<'a, T> ResponseFuture<'a, T> {
    pub(crate) fn new(future: impl Future<Output = Result<T, Error>> + Send + 'a) -> Self {
        ResponseFuture {
            state: Pending::Other(Box::pin(future)),
        }
    }

    /// The response `sending` will give, read by `decode`; or the error that stopped the call.
    pub(crate) fn decoding(sending: Result<Sending<'a>, Error>, decode: Decoder<T>) -> Self {
        let state = match sending {
            Ok(sending) => Pending::Response(sending, decode),
            Err(error) => Pending::Refused(Some(error)),
        };
        ResponseFuture { state }
    }
}

impl<T> Future for ResponseFuture<'_, T> {
    type Output = Result<T, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.state {
            Pending::Response(sending, decode) => {
                let decode = *decode;
                sending
                    .as_mut()
                    .poll(cx)
                    .map(|response| response.and_then(decode))
            }
            Pending::Other(future) => future.as_mut().poll(cx),
            Pending::Refused(error) => {
                Poll::Ready(Err(error.take().unwrap_or_else(|| Error::InvalidRequest {
                    method: "call",
                    message: "the call's future was polled after it ended".to_owned(),
                })))
            }
        }
    }
}

impl<T> fmt::Debug for ResponseFuture<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

/// Content to upload with a client of kind `C`: any `std::io::Read` for a blocking [`Client`],
/// any `tokio::io::AsyncRead + Unpin + Send` for an [`AsyncClient`].
pub trait Content<C: Backend>: Sized {
    /// Uploads this content in one request.
    #[doc(hidden)]
    fn upload<'a, T: Send + 'a>(
        self,
        service: &'a Service<C>,
        call: Result<Call, Error>,
        info: &'static UploadInfo,
        mime: &str,
        decode: Decoder<T>,
    ) -> C::Reply<'a, T>
    where
        Self: 'a;

    /// A resumable upload of this content, ready to send.
    #[doc(hidden)]
    fn upload_resumable<'a, T: Send + 'a>(
        self,
        service: &'a Service<C>,
        call: Result<Call, Error>,
        info: &'static UploadInfo,
        mime: &str,
        decode: Decoder<T>,
    ) -> C::Resumable<'a, T, Self>
    where
        Self: 'a;
}

impl<R: Read> Content<Client> for R {
    fn upload<'a, T: Send + 'a>(
        self,
        service: &'a Service<Client>,
        call: Result<Call, Error>,
        info: &'static UploadInfo,
        mime: &str,
        decode: Decoder<T>,
    ) -> Result<T, Error>
    where
        Self: 'a,
    {
        let mut content = self;
        let (core, endpoint) = service.parts();
        upload::simple_blocking(core, endpoint, call?, info, &mut content, mime).and_then(decode)
    }

    fn upload_resumable<'a, T: Send + 'a>(
        self,
        service: &'a Service<Client>,
        call: Result<Call, Error>,
        info: &'static UploadInfo,
        mime: &str,
        decode: Decoder<T>,
    ) -> ResumableUpload<'a, T, R>
    where
        Self: 'a,
    {
        ResumableUpload::new(service, call, info, self, mime, decode)
    }
}

impl<R: AsyncRead + Unpin + Send> Content<AsyncClient> for R {
    fn upload<'a, T: Send + 'a>(
        self,
        service: &'a Service<AsyncClient>,
        call: Result<Call, Error>,
        info: &'static UploadInfo,
        mime: &str,
        decode: Decoder<T>,
    ) -> ResponseFuture<'a, T>
    where
        Self: 'a,
    {
        let (core, endpoint) = service.parts();
        let sending = call.map(|call| {
            upload::simple_async(core, endpoint, call, info, Box::new(self), mime.to_owned())
        });
        ResponseFuture::decoding(sending, decode)
    }

    fn upload_resumable<'a, T: Send + 'a>(
        self,
        service: &'a Service<AsyncClient>,
        call: Result<Call, Error>,
        info: &'static UploadInfo,
        mime: &str,
        decode: Decoder<T>,
    ) -> AsyncResumableUpload<'a, T, R>
    where
        Self: 'a,
    {
        AsyncResumableUpload::new(service, call, info, self, mime, decode)
    }
}

/// A response type read from JSON. Generated crates implement it for each type a method
/// answers with, so that its decoding is one function whichever client a program uses
/// (`#[inline]`: compiled in the programs that send the method).
pub trait Decode: Sized {
    /// Reads the response body.
    fn decode(response: Response) -> Result<Self, Error>;
}

/// Google's `HttpBody`, as a method that answers with raw bytes of any type fills it in.
pub trait RawBody: Sized {
    /// The body, from its content type and bytes.
    fn from_raw(content_type: Option<String>, data: Vec<u8>) -> Self;
}

/// Reads a JSON response as `T`, for a response type the API crate cannot implement
/// [`Decode`] for.
pub fn json<T: serde::de::DeserializeOwned>(response: Response) -> Result<T, Error> {
    response.json()
}

/// Reads a JSON response as `T` with the runtime's reader, for a response type (a list or a
/// map) the API crate cannot implement [`Decode`] for.
pub fn read<T: crate::json::FromJson>(response: Response) -> Result<T, Error> {
    response.read()
}

/// Reads a raw (`HttpBody`) response.
pub fn raw<T: RawBody>(response: Response) -> Result<T, Error> {
    let (content_type, data) = response.raw();
    Ok(T::from_raw(content_type, data))
}

/// Reads nothing: for methods without a response body.
pub fn ignore(_: Response) -> Result<(), Error> {
    Ok(())
}
