//! Pagination: following `nextPageToken` from page to page, as iterators over whole pages and
//! over the items in them.

use std::collections::HashSet;
use std::hash::{Hash as _, Hasher as _};
use std::marker::PhantomData;

use super::{Call, Error, Response, Service};

/// The query parameter that asks for a page.
const PAGE_TOKEN: &str = "pageToken";
/// How many empty pages in a row [`Items`] fetches before it gives up, unless told otherwise.
pub const DEFAULT_MAX_EMPTY_PAGES: u32 = 100;

/// A response that is one page of a list: it says where the next page starts.
pub trait Page: Sized {
    /// The token of the next page; absent or empty on the last page.
    fn next_page_token(&self) -> Option<&str>;

    /// Reads a page from its response. Generated impls compile this once, in the API crate,
    /// so that a program iterating over pages does not compile the page's decoding again.
    fn decode(response: Response) -> Result<Self, Error>;
}

/// A page whose items can be taken out of it.
pub trait PageItems: Page {
    /// One item.
    type Item;

    /// The page's items, in order (none when the page has none).
    fn into_items(self) -> Vec<Self::Item>;
}

/// Every page of a list call, from the page token the call started with (if any), following
/// `nextPageToken` until it is absent or empty. Each page is fetched with the call's timeout and
/// retry policy. An error ends the iteration after it is yielded; a server that hands out a
/// page token a second time gets an [`Error::Protocol`] instead of an endless loop.
pub struct Pages<'a, P> {
    service: &'a Service,
    call: Call,
    /// The token of the page to fetch next; `None` for the first page without one.
    token: Option<String>,
    /// A 64-bit digest of every token sent so far: eight bytes a page, however long the
    /// server's tokens are. Two tokens sharing a digest would end the list early with an
    /// error, never loop it.
    sent: HashSet<u64>,
    /// An error to yield before anything is sent (a body that could not be serialized).
    failed: Option<Error>,
    finished: bool,
    page: PhantomData<fn() -> P>,
}

impl<'a, P: Page> Pages<'a, P> {
    /// The pages of `call` (a list method) on `service`. Generated builders call this from
    /// `pages()`.
    pub fn new(service: &'a Service, call: Call) -> Self {
        let token = call.query_value(PAGE_TOKEN).map(str::to_owned);
        Pages {
            service,
            call,
            token,
            sent: HashSet::new(),
            failed: None,
            finished: false,
            page: PhantomData,
        }
    }

    /// These pages, or, when `preparation` failed (a body that could not be serialized), its
    /// error as the only item.
    pub fn after(mut self, preparation: Result<(), Error>) -> Self {
        self.failed = preparation.err();
        self
    }
}

impl<P: Page> Iterator for Pages<'_, P> {
    type Item = Result<P, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        if let Some(error) = self.failed.take() {
            self.finished = true;
            return Some(Err(error));
        }
        let mut call = self.call.clone();
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
        let page = self.service.execute(call).and_then(P::decode);
        match &page {
            Ok(page) => match page.next_page_token().filter(|token| !token.is_empty()) {
                Some(token) => self.token = Some(token.to_owned()),
                None => self.finished = true,
            },
            Err(_) => self.finished = true,
        }
        Some(page)
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

impl<P> std::fmt::Debug for Pages<'_, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages")
            .field("method", &self.call.method().id)
            .field("pages_fetched", &self.sent.len())
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

/// Every item of every page of a list call, page by page as [`Pages`] fetches them; empty pages
/// are passed over, up to [`max_empty_pages`](Self::max_empty_pages) in a row (100 unless set):
/// a `next()` never fetches without end while the server sends pages with no item and a new
/// token each time. An error ends the iteration after it is yielded.
pub struct Items<'a, P: PageItems> {
    pages: Pages<'a, P>,
    current: std::vec::IntoIter<P::Item>,
    max_empty_pages: u32,
}

impl<'a, P: PageItems> Items<'a, P> {
    /// The items of `pages`. Generated builders call this from `items()`.
    pub fn new(pages: Pages<'a, P>) -> Self {
        Items {
            pages,
            current: Vec::new().into_iter(),
            max_empty_pages: DEFAULT_MAX_EMPTY_PAGES,
        }
    }

    /// How many empty pages in a row one `next()` may fetch before it yields an
    /// [`Error::Protocol`] and ends; at least 1. Some lists (a log search, say) legitimately
    /// send many empty pages while they search: raise it for them, or use `pages()`.
    pub fn max_empty_pages(mut self, pages: u32) -> Self {
        self.max_empty_pages = pages.max(1);
        self
    }
}

impl<P: PageItems> Iterator for Items<'_, P> {
    type Item = Result<P::Item, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut empty_pages = 0;
        loop {
            if let Some(item) = self.current.next() {
                return Some(Ok(item));
            }
            if empty_pages >= self.max_empty_pages {
                self.pages.finished = true;
                return Some(Err(Error::Protocol {
                    method: self.pages.call.method().id,
                    message: format!(
                        "the server sent {empty_pages} pages in a row without an item; stopped \
                         (`Items::max_empty_pages` allows more)"
                    ),
                }));
            }
            match self.pages.next()? {
                Ok(page) => {
                    self.current = page.into_items().into_iter();
                    empty_pages += 1;
                }
                Err(error) => return Some(Err(error)),
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
