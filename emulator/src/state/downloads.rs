//! Signed archive downloads, with expiry and byte ranges.

use super::{Reply, Request, State, form, parse_range_start, unix};
use crate::archive;

impl State {
    pub(super) fn download(&mut self, request: &Request, job: &str, file: &str) -> Reply {
        // Errors in Google's JSON shape, like the API's; the reason says what a caller can do.
        let forbidden = |message: &str, reason: &str| {
            Reply::error(403, "PERMISSION_DENIED", message, Some(reason))
        };
        let params = form(&request.query);
        let expires: u64 = params
            .get("expires")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let signature = params.get("signature").cloned().unwrap_or_default();
        let path = format!("/download/{job}/{file}");
        if !archive::verify(&self.key, &path, expires, &signature) {
            return forbidden(
                "The signature is not valid for this URL.",
                "SIGNATURE_DOES_NOT_MATCH",
            );
        }
        if unix(self.clock.now()) >= expires {
            return forbidden(
                "This signed URL has expired; ask for the job's state again for fresh URLs.",
                "URL_EXPIRED",
            );
        }
        let no_such_file = || {
            Reply::error(
                404,
                "NOT_FOUND",
                "There is no such archive.",
                Some("NO_SUCH_KEY"),
            )
        };
        let Some(resource) = file.strip_suffix(".zip") else {
            return no_such_file();
        };
        let Some(bytes) = self.archive(job, resource) else {
            return no_such_file();
        };
        self.stats.downloads += 1;
        let total = bytes.len();
        let headers = |extra: Vec<(String, String)>| {
            let mut headers = vec![
                ("content-type".to_owned(), "application/zip".to_owned()),
                ("accept-ranges".to_owned(), "bytes".to_owned()),
            ];
            headers.extend(extra);
            headers
        };
        match request.range.as_deref().and_then(parse_range_start) {
            Some(start) if start >= total => Reply::error(
                416,
                "OUT_OF_RANGE",
                &format!("The archive has {total} bytes; the range starts past its end."),
                None,
            )
            .with_header("content-range", format!("bytes */{total}")),
            Some(start) => Reply {
                status: 206,
                headers: headers(vec![(
                    "content-range".into(),
                    format!("bytes {start}-{}/{total}", total - 1),
                )]),
                body: bytes[start..].to_vec(),
                ..Reply::default()
            },
            None => Reply {
                status: 200,
                headers: headers(Vec::new()),
                body: bytes,
                ..Reply::default()
            },
        }
    }
}
