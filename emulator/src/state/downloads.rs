//! Signed archive downloads, with expiry and byte ranges.

use super::{Reply, Request, State, form, parse_range_start, unix};
use crate::archive;

impl State {
    pub(super) fn download(&mut self, request: &Request, job: &str, file: &str) -> Reply {
        let forbidden = |message: &str| Reply {
            status: 403,
            headers: vec![("content-type".into(), "text/plain".into())],
            body: message.as_bytes().to_vec(),
            ..Reply::default()
        };
        let params = form(&request.query);
        let expires: u64 = params
            .get("expires")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let signature = params.get("signature").cloned().unwrap_or_default();
        let path = format!("/download/{job}/{file}");
        if !archive::verify(&self.key, &path, expires, &signature) {
            return forbidden("SignatureDoesNotMatch: the signature is not valid for this URL.");
        }
        if unix(self.clock.now()) >= expires {
            return forbidden(
                "ExpiredToken: this signed URL has expired; ask for the job's state again for fresh URLs.",
            );
        }
        let Some(resource) = file.strip_suffix(".zip") else {
            return forbidden("NoSuchKey");
        };
        let Some(bytes) = self.archive(job, resource) else {
            return forbidden("NoSuchKey");
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
            Some(start) if start >= total => Reply {
                status: 416,
                headers: headers(vec![("content-range".into(), format!("bytes */{total}"))]),
                ..Reply::default()
            },
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
