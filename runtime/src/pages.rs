//! Pagination: following `nextPageToken` from page to page, as iterators (blocking) or streams
//! (async) over whole pages and over the items in them. The rules (the repeated-token guard,
//! an error ends the list, the limit on empty pages) are written once, in [`Cursor`] and
//! [`ItemQueue`]; each way of waiting only drives them.

use std::collections::HashSet;
use std::hash::{Hash as _, Hasher as _};
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

use super::backend::Decode;
use super::call::Call;
use super::client::{AsyncClient, Client};
use super::error::Error;
use super::service::Service;
use super::transport::Sending;

/// The query parameter that asks for a page.
const PAGE_TOKEN: &str = "pageToken";
/// How many empty pages in a row [`Items`] fetches before it gives up, unless told otherwise.
pub const DEFAULT_MAX_EMPTY_PAGES: u32 = 100;

/// A response that is one page of a list: it says where the next page starts.
pub trait Page: Decode {
    /// The token of the next page; absent or empty on the last page.
    fn next_page_token(&self) -> Option<&str>;
}

/// A page whose items can be taken out of it.
pub trait PageItems: Page {
    /// One item.
    type Item;

    /// The page's items, in order (none when the page has none).
    fn into_items(self) -> Vec<Self::Item>;
}

/// Where a list is: the call, the token of the next page, every token sent so far, and whether
/// it has ended.
struct Cursor {
    /// The list call; `None` once an error before the first page has been given out.
    call: Result<Call, Option<Error>>,
    /// The token of the page to fetch next; `None` for the first page without one.
    token: Option<String>,
    /// A 64-bit digest of every token sent so far: eight bytes a page, however long the
    /// server's tokens are. Two tokens sharing a digest would end the list early with an
    /// error, never loop it.
    sent: HashSet<u64>,
    finished: bool,
}

impl Cursor {
    fn new(call: Result<Call, Error>) -> Cursor {
        let token = call
            .as_ref()
            .ok()
            .and_then(|call| call.query_value(PAGE_TOKEN))
            .map(str::to_owned);
        Cursor {
            call: call.map_err(Some),
            token,
            sent: HashSet::new(),
            finished: false,
        }
    }

    /// The method's id, for errors.
    fn method(&self) -> &'static str {
        self.call.as_ref().map_or("list", |call| call.method().id)
    }

    /// The call that fetches the next page, an error that ends the list (a call that could not
    /// be made, a token sent before), or `None` once the list has ended.
    fn next_call(&mut self) -> Option<Result<Call, Error>> {
        if self.finished {
            return None;
        }
        let call = match &mut self.call {
            Ok(call) => call,
            Err(error) => {
                self.finished = true;
                return error.take().map(Err);
            }
        };
        let mut call = call.clone();
        if let Some(token) = self.token.take() {
            if !self.sent.insert(digest(&token)) {
                self.finished = true;
                return Some(Err(Error::Protocol {
                    method: call.method().id,
                    message: format!(
                        "the server gave the page token {token:?} a second time; stopped rather \
                         than fetch the same pages again"
                    ),
                }));
            }
            call.set_query(PAGE_TOKEN, token);
        }
        Some(Ok(call))
    }

    /// Takes in what fetching a page gave: its next token, or the end of the list (no token,
    /// or an error).
    fn settle<P: Page>(&mut self, page: &Result<P, Error>) {
        match page {
            Ok(page) => match page.next_page_token().filter(|token| !token.is_empty()) {
                Some(token) => self.token = Some(token.to_owned()),
                None => self.finished = true,
            },
            Err(_) => self.finished = true,
        }
    }
}

/// A digest of a page token: std's SipHash with its fixed keys, the same in every run. Tokens
/// that share a digest by chance (one pair in 2^64) or by a server's design would only end the
/// list early, with an error; they can never make it loop.
fn digest(token: &str) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    token.hash(&mut hasher);
    hasher.finish()
}

/// Every page of a list call, from the page token the call started with (if any), following
/// `nextPageToken` until it is absent or empty. Each page is fetched with the call's timeout and
/// retry policy. An error ends the iteration after it is yielded; a server that hands out a
/// page token a second time gets an [`Error::Protocol`] instead of an endless loop.
pub struct Pages<'a, P> {
    service: &'a Service<Client>,
    cursor: Cursor,
    page: PhantomData<fn() -> P>,
}

impl<'a, P: Page> Pages<'a, P> {
    /// The pages of `call` (a list method) on `service`; when `call` is an error (a body that
    /// could not be serialized), that error is the only item.
    pub(crate) fn new(service: &'a Service<Client>, call: Result<Call, Error>) -> Self {
        Pages {
            service,
            cursor: Cursor::new(call),
            page: PhantomData,
        }
    }
}

impl<P: Page> Iterator for Pages<'_, P> {
    type Item = Result<P, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let page = self
            .cursor
            .next_call()?
            .and_then(|call| self.service.execute_blocking(call).and_then(P::decode));
        self.cursor.settle(&page);
        Some(page)
    }
}

impl<P> std::fmt::Debug for Pages<'_, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        debug_cursor(f, "Pages", &self.cursor)
    }
}

fn debug_cursor(f: &mut std::fmt::Formatter<'_>, name: &str, cursor: &Cursor) -> std::fmt::Result {
    f.debug_struct(name)
        .field("method", &cursor.method())
        .field("pages_fetched", &cursor.sent.len())
        .field("finished", &cursor.finished)
        .finish_non_exhaustive()
}

/// The pages of a list call on an [`AsyncClient`], as a `Stream` (or with
/// [`next`](Self::next)), by the same rules as [`Pages`]. Dropping it cancels the page being
/// fetched.
pub struct AsyncPages<'a, P> {
    service: &'a Service<AsyncClient>,
    cursor: Cursor,
    fetching: Option<Sending<'a>>,
    page: PhantomData<fn() -> P>,
}

impl<'a, P: Page + Send + 'a> AsyncPages<'a, P> {
    pub(crate) fn new(service: &'a Service<AsyncClient>, call: Result<Call, Error>) -> Self {
        AsyncPages {
            service,
            cursor: Cursor::new(call),
            fetching: None,
            page: PhantomData,
        }
    }

    /// The next page, or `None` after the last (or after an error).
    pub async fn next(&mut self) -> Option<Result<P, Error>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }
}

impl<'a, P: Page + Send + 'a> Stream for AsyncPages<'a, P> {
    type Item = Result<P, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.fetching.is_none() {
            let call = match this.cursor.next_call() {
                None => return Poll::Ready(None),
                Some(Err(error)) => return Poll::Ready(Some(Err(error))),
                Some(Ok(call)) => call,
            };
            let (core, endpoint) = this.service.parts();
            this.fetching = Some(endpoint.execute_boxed(core, call));
        }
        let fetching = this.fetching.as_mut().expect("a page is being fetched");
        let page = std::task::ready!(fetching.as_mut().poll(cx)).and_then(P::decode);
        this.fetching = None;
        this.cursor.settle(&page);
        Poll::Ready(Some(page))
    }
}

impl<P> std::fmt::Debug for AsyncPages<'_, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        debug_cursor(f, "AsyncPages", &self.cursor)
    }
}

/// The items of the current page, and the count of empty pages fetched since the last item.
struct ItemQueue<I> {
    current: std::vec::IntoIter<I>,
    empty_pages: u32,
    max_empty_pages: u32,
}

/// What to do next for the next item.
enum Step<I> {
    /// Give out this item.
    Item(I),
    /// Fetch another page.
    Fetch,
    /// Too many empty pages in a row: give out this error and end.
    Stop(Error),
}

impl<I> ItemQueue<I> {
    fn new() -> Self {
        ItemQueue {
            current: Vec::new().into_iter(),
            empty_pages: 0,
            max_empty_pages: DEFAULT_MAX_EMPTY_PAGES,
        }
    }

    fn step(&mut self, method: &'static str) -> Step<I> {
        if let Some(item) = self.current.next() {
            self.empty_pages = 0;
            return Step::Item(item);
        }
        if self.empty_pages >= self.max_empty_pages {
            let empty_pages = std::mem::take(&mut self.empty_pages);
            return Step::Stop(Error::Protocol {
                method,
                message: format!(
                    "the server sent {empty_pages} pages in a row without an item; stopped \
                     (`max_empty_pages` allows more)"
                ),
            });
        }
        Step::Fetch
    }

    /// Takes in a fetched page's items; counted as empty until one of them is given out.
    fn refill(&mut self, items: Vec<I>) {
        self.current = items.into_iter();
        self.empty_pages += 1;
    }
}

/// Every item of every page of a list call, page by page as [`Pages`] fetches them; empty pages
/// are passed over, up to [`max_empty_pages`](Self::max_empty_pages) in a row (100 unless set):
/// a `next()` never fetches without end while the server sends pages with no item and a new
/// token each time. An error ends the iteration after it is yielded.
pub struct Items<'a, P: PageItems> {
    pages: Pages<'a, P>,
    queue: ItemQueue<P::Item>,
}

impl<'a, P: PageItems> Items<'a, P> {
    /// The items of `pages`.
    pub(crate) fn new(pages: Pages<'a, P>) -> Self {
        Items {
            pages,
            queue: ItemQueue::new(),
        }
    }

    /// How many empty pages in a row one `next()` may fetch before it yields an
    /// [`Error::Protocol`] and ends; at least 1. Some lists (a log search, say) legitimately
    /// send many empty pages while they search: raise it for them, or use `pages()`.
    pub fn max_empty_pages(mut self, pages: u32) -> Self {
        self.queue.max_empty_pages = pages.max(1);
        self
    }
}

impl<P: PageItems> Iterator for Items<'_, P> {
    type Item = Result<P::Item, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.queue.step(self.pages.cursor.method()) {
                Step::Item(item) => return Some(Ok(item)),
                Step::Stop(error) => {
                    self.pages.cursor.finished = true;
                    return Some(Err(error));
                }
                Step::Fetch => match self.pages.next()? {
                    Ok(page) => self.queue.refill(page.into_items()),
                    Err(error) => return Some(Err(error)),
                },
            }
        }
    }
}

impl<P: PageItems> std::fmt::Debug for Items<'_, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Items")
            .field("pages", &self.pages)
            .finish_non_exhaustive()
    }
}

/// The items of a list call on an [`AsyncClient`], as a `Stream` (or with
/// [`next`](Self::next)), by the same rules as [`Items`].
pub struct AsyncItems<'a, P: PageItems> {
    pages: AsyncPages<'a, P>,
    queue: ItemQueue<P::Item>,
}

impl<'a, P: PageItems + Send + 'a> AsyncItems<'a, P> {
    pub(crate) fn new(pages: AsyncPages<'a, P>) -> Self {
        AsyncItems {
            pages,
            queue: ItemQueue::new(),
        }
    }

    /// How many empty pages in a row may be fetched for one item before the stream yields an
    /// [`Error::Protocol`] and ends; at least 1 (100 unless set).
    pub fn max_empty_pages(mut self, pages: u32) -> Self {
        self.queue.max_empty_pages = pages.max(1);
        self
    }

    /// The next item, or `None` after the last (or after an error).
    pub async fn next(&mut self) -> Option<Result<P::Item, Error>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }
}

// Nothing in it is pinned: the page being fetched is boxed, and the items are only moved out.
impl<P: PageItems> Unpin for AsyncItems<'_, P> {}

impl<'a, P: PageItems + Send + 'a> Stream for AsyncItems<'a, P> {
    type Item = Result<P::Item, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            match this.queue.step(this.pages.cursor.method()) {
                Step::Item(item) => return Poll::Ready(Some(Ok(item))),
                Step::Stop(error) => {
                    this.pages.cursor.finished = true;
                    return Poll::Ready(Some(Err(error)));
                }
                Step::Fetch => match std::task::ready!(Pin::new(&mut this.pages).poll_next(cx)) {
                    None => return Poll::Ready(None),
                    Some(Ok(page)) => this.queue.refill(page.into_items()),
                    Some(Err(error)) => return Poll::Ready(Some(Err(error))),
                },
            }
        }
    }
}

impl<P: PageItems> std::fmt::Debug for AsyncItems<'_, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncItems")
            .field("pages", &self.pages)
            .finish_non_exhaustive()
    }
}
