//! Downloading signed URLs (such as Data Portability archives): streamed, resumable, and sent
//! without the `Authorization` header, since the URL carries its own.

use std::fmt;
use std::io::Read;

use super::client::header_list;
use super::error::{ApiError, Error, GoogleError};
use super::{Call, Client};

/// The method name downloads report in errors and events.
const DOWNLOAD: &str = "download";

/// A download under way: read it like a file.
pub struct Download {
    status: u16,
    offset: u64,
    total: Option<u64>,
    response: reqwest::blocking::Response,
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
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        self.response.read(buffer)
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
        let mut request = self.http().get(url).header("user-agent", self.user_agent());
        if offset > 0 {
            request = request.header("range", format!("bytes={offset}-"));
        }
        start(request, offset, DOWNLOAD)
    }

    /// Downloads the content a media-download method describes (`alt=media`), with the call's
    /// authorization. Generated builders of such methods call this from `download()`.
    pub fn download_media(&self, mut call: Call) -> Result<Download, Error> {
        call.set_query("alt", "media".to_owned());
        let method = call.method().id;
        let prepared = self.prepare(&call)?;
        let mut request = self.http().get(&prepared.url);
        for (name, value) in &prepared.headers {
            request = request.header(name, value);
        }
        if let Some(source) = self.token_source() {
            request = request.bearer_auth(source.token()?.secret());
        }
        if let Some(timeout) = call.timeout() {
            request = request.timeout(timeout);
        }
        start(request, 0, method)
    }
}

/// Sends a download request and checks its status; the body is left to be read.
fn start(
    request: reqwest::blocking::RequestBuilder,
    offset: u64,
    method: &'static str,
) -> Result<Download, Error> {
    let response = request.send().map_err(|source| Error::Transport {
        method,
        source: source.without_url(),
    })?;
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    if !(200..300).contains(&status) {
        let headers = header_list(response.headers());
        let body = response
            .bytes()
            .map(|bytes| bytes.to_vec())
            .unwrap_or_default();
        return Err(Error::Api(Box::new(ApiError {
            method,
            status,
            google: GoogleError::parse(&body),
            headers,
            body,
        })));
    }
    let (offset, total) = if status == 206 {
        // `Content-Range: bytes START-END/TOTAL`
        let range = header("content-range").unwrap_or_default();
        let total = range
            .rsplit('/')
            .next()
            .and_then(|total| total.parse().ok());
        (offset, total)
    } else {
        (
            0,
            header("content-length").and_then(|length| length.parse().ok()),
        )
    };
    Ok(Download {
        status,
        offset,
        total,
        response,
    })
}
