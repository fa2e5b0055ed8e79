//! A hostile server on 127.0.0.1: numbers chosen to overflow, waits of a day, redirects to
//! another host, upload confirmations that never add up, redirect loops and oversized bodies.
//! Each test is one attack; the client must end the call with an error, promptly and without a
//! panic, having sent nothing where it should not.

#[path = "support/media_api.rs"]
mod media_api;
#[path = "support/media_server.rs"]
mod media_server;
#[path = "support/modes.rs"]
mod modes;

use std::io::Cursor;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use google_api_runtime::contract::{Call, MethodInfo, Response, Service, UploadInfo};
use google_api_runtime::{CHUNK_GRANULARITY, Client, Error, RetryPolicy, StaticToken};
use media_api::{ANY, IMAGES, INFO, INSERT};
use media_server::Seen;
use modes::{Mode, TestContent, Upload, both_modes};

static GET: MethodInfo = MethodInfo {
    id: "media.files.get",
    http_method: "GET",
    path: "files/{name}",
    path_patterns: &[],
    api_version: None,
    idempotency_key: None,
};

const CHUNK: usize = CHUNK_GRANULARITY;

/// What the hostile server answers.
struct Answer {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    /// Sent without a length (chunked), so the client cannot know the size in advance.
    chunked: bool,
}

fn answer(status: u16, headers: &[(&'static str, &str)]) -> Answer {
    Answer {
        status,
        headers: headers
            .iter()
            .map(|(name, value)| (*name, (*value).to_owned()))
            .collect(),
        body: b"{}".to_vec(),
        chunked: false,
    }
}

/// A server whose every answer `respond` chooses, from the request and how many came before it.
/// It records what it got; it lives until the process ends (servers outlive clients).
#[derive(Clone)]
struct Hostile {
    base_url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Hostile {
    fn start(respond: impl Fn(&Seen, usize) -> Answer + Send + Sync + 'static) -> Hostile {
        let server = tiny_http::Server::http("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = server.server_addr().to_ip().unwrap().port();
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let record = seen.clone();
        let count = AtomicUsize::new(0);
        std::thread::spawn(move || {
            for mut request in server.incoming_requests() {
                let mut body = Vec::new();
                let _ = request.as_reader().read_to_end(&mut body);
                let got = Seen {
                    method: request.method().to_string(),
                    target: request.url().to_owned(),
                    headers: request
                        .headers()
                        .iter()
                        .map(|h| {
                            (
                                h.field.as_str().as_str().to_ascii_lowercase(),
                                h.value.as_str().to_owned(),
                            )
                        })
                        .collect(),
                    body_len: body.len(),
                };
                let reply = respond(&got, count.fetch_add(1, Ordering::SeqCst));
                record.lock().unwrap().push(got);
                let length = (!reply.chunked).then_some(reply.body.len());
                let mut response = tiny_http::Response::new(
                    tiny_http::StatusCode(reply.status),
                    Vec::new(),
                    Cursor::new(reply.body),
                    length,
                    None,
                );
                for (name, value) in reply.headers {
                    response.add_header(
                        tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).unwrap(),
                    );
                }
                let _ = request.respond(response);
            }
        });
        Hostile {
            base_url: format!("http://127.0.0.1:{port}/"),
            seen,
        }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// Bytes of request bodies received, in all.
    fn bytes_received(&self) -> usize {
        self.seen().iter().map(|seen| seen.body_len).sum()
    }
}

fn client<M: Mode>(server: &Hostile, timeout: Duration) -> M {
    M::build(
        Client::builder()
            .root_url(&server.base_url)
            .token_source(StaticToken::new("ya29.hostile-token"))
            .timeout(timeout)
            .retry_policy(
                RetryPolicy::default()
                    .initial_backoff(Duration::from_millis(5))
                    .max_backoff(Duration::from_millis(10)),
            ),
    )
}

/// A call of `media.files.insert` into folder `f`.
fn insert() -> Call {
    let mut call = Call::new(&INSERT);
    call.set_path("folder", "f".to_owned());
    call
}

fn get<M: Mode>(service: &Service<M>) -> Result<Response, Error> {
    let mut call = Call::new(&GET);
    call.set_path("name", "f".to_owned());
    M::wait(M::execute(service, Ok(call), Ok))
}

/// A resumable upload of `data` whose session starts at `server` and whose chunks are answered
/// by `server` too.
fn upload<'a, M: Mode, X: TestContent + 'a>(
    service: &'a Service<M>,
    info: &'static UploadInfo,
    data: X,
) -> Upload<'a, X> {
    M::resumable(
        service,
        Ok(insert()),
        info,
        data,
        "application/octet-stream",
    )
    .chunk_size(CHUNK)
}

/// Answers a session start with a session URI on the same server, and everything else with
/// `chunk` (the request and how many chunks came before it).
fn upload_server(chunk: impl Fn(&Seen, usize) -> Answer + Send + Sync + 'static) -> Hostile {
    let chunks = AtomicUsize::new(0);
    Hostile::start(move |seen, _| {
        if seen.method == "POST" {
            answer(200, &[("Location", "/session/1")])
        } else {
            chunk(seen, chunks.fetch_add(1, Ordering::SeqCst))
        }
    })
}

fn a_retry_after_past_any_instant_ends_the_call_instead_of_panicking<M: Mode>() {
    for retry_after in ["18446744073709551615", "9223372036854775807", "86400"] {
        let server = Hostile::start(move |_, _| answer(503, &[("Retry-After", retry_after)]));
        let client = client::<M>(&server, Duration::from_secs(60));
        let started = Instant::now();
        let error = get(&Service::new(&client, &INFO)).unwrap_err();
        assert_eq!(error.http_status(), Some(503), "{retry_after}");
        assert!(started.elapsed() < Duration::from_secs(5), "{retry_after}");
        assert_eq!(
            server.seen().len(),
            1,
            "no wait past the deadline: {retry_after}"
        );
    }
}

fn a_resumable_upload_never_waits_longer_than_its_timeout_allows<M: Mode>() {
    for (retry_after, timeout) in [("86400", 60), ("18446744073709551615", 60), ("20", 5)] {
        let server = upload_server(move |_, _| answer(503, &[("Retry-After", retry_after)]));
        let client = client::<M>(&server, Duration::from_secs(timeout));
        let service = Service::new(&client, &INFO);
        let started = Instant::now();
        let data = vec![7u8; 3 * CHUNK];
        let error = upload(&service, &ANY, data.as_slice()).send().unwrap_err();
        assert_eq!(error.http_status(), Some(503), "{retry_after}");
        assert!(started.elapsed() < Duration::from_secs(5), "{retry_after}");
    }
}

fn redirected_uploads_go_nowhere_and_never_report_success<M: Mode>() {
    let elsewhere = Hostile::start(|_, _| answer(200, &[]));
    for status in [301, 302, 303, 307, 308] {
        // A chunk answered with a redirect to another host (308 carries no Range here).
        let target = format!("{}stolen", elsewhere.base_url);
        let server = upload_server(move |_, _| answer(status, &[("Location", target.as_str())]));
        let client = client::<M>(&server, Duration::from_secs(10));
        let service = Service::new(&client, &INFO);
        let data = vec![1u8; 2 * CHUNK + 10];
        let result = upload(&service, &ANY, data.as_slice()).send();
        assert!(result.is_err(), "a {status} chunk answer is no success");
    }
    for status in [301, 302, 303, 307] {
        // A simple upload's POST answered with a redirect.
        let target = format!("{}stolen", elsewhere.base_url);
        let server = Hostile::start(move |_, _| answer(status, &[("Location", target.as_str())]));
        let client = client::<M>(&server, Duration::from_secs(10));
        let service = Service::new(&client, &INFO);
        let result = M::upload(&service, insert(), &ANY, &b"content"[..], "image/png");
        let error = result.unwrap_err();
        assert_eq!(error.http_status(), Some(status), "{error}");
    }
    assert!(
        elsewhere.seen().is_empty(),
        "nothing reached the other host: {:?}",
        elsewhere.seen()
    );
}

/// Uploads `size` bytes of seekable content to `server`, which must make it fail; the error,
/// once the server is seen to have got at most three times the content and two chunks.
fn seekable_upload_to<M: Mode>(server: &Hostile, size: usize) -> Error {
    let client = client::<M>(server, Duration::from_secs(10));
    let service = Service::new(&client, &INFO);
    let error = upload(&service, &ANY, Cursor::new(vec![3u8; size]))
        .seekable()
        .send()
        .unwrap_err();
    let sent = server.bytes_received();
    assert!(sent <= 3 * size + 2 * CHUNK, "{sent} bytes sent for {size}");
    error
}

fn an_upload_server_that_alternates_its_ranges_cannot_loop_it<M: Mode>() {
    let size = 600_000;
    let server = upload_server(|_, n| {
        let kept = if n % 2 == 0 {
            "bytes=0-262143"
        } else {
            "bytes=0-99"
        };
        answer(308, &[("Range", kept)])
    });
    let error = seekable_upload_to::<M>(&server, size);
    assert!(matches!(error, Error::Protocol { .. }), "{error}");
}

fn an_upload_server_that_keeps_one_byte_a_chunk_cannot_drain_the_client<M: Mode>() {
    let size = 600_000;
    let server = upload_server(|_, n| answer(308, &[("Range", &format!("bytes=0-{n}"))]));
    let error = seekable_upload_to::<M>(&server, size);
    assert!(error.to_string().contains("without end"), "{error}");
}

fn content_over_the_limit_or_its_declared_length_is_refused_before_a_byte_goes_out<M: Mode>() {
    let server = upload_server(|_, _| answer(200, &[]));
    let client = client::<M>(&server, Duration::from_secs(10));
    let service = Service::new(&client, &INFO);
    // Of unknown length, from a pipe-like reader: the first chunk shows it is too large.
    let data = vec![0u8; 5000];
    let error = M::resumable(
        &service,
        Ok(insert()),
        &IMAGES,
        data.as_slice(),
        "image/png",
    )
    .send()
    .unwrap_err();
    assert!(error.to_string().contains("1000 bytes"), "{error}");
    // A declared length larger than content that fits in one chunk.
    let error = upload(&service, &ANY, &b"short"[..])
        .content_length(100)
        .send()
        .unwrap_err();
    assert!(error.to_string().contains("given as 100"), "{error}");
    // Seekable content of another length than declared.
    let error = upload(&service, &ANY, Cursor::new(vec![0u8; 3 * CHUNK]))
        .seekable()
        .content_length(10)
        .send()
        .unwrap_err();
    assert!(error.to_string().contains("given as 10"), "{error}");
    assert!(server.seen().is_empty(), "{:?}", server.seen());
}

fn seekable_and_small_content_tell_their_length_from_the_start<M: Mode>() {
    let size = 600_000;
    let server = upload_server(move |seen, _| {
        let range = seen.header("content-range").unwrap_or_default().to_owned();
        let end: usize = range
            .trim_start_matches("bytes ")
            .split(['-', '/'])
            .nth(1)
            .and_then(|end| end.parse().ok())
            .unwrap_or(0);
        if end + 1 == size {
            answer(200, &[])
        } else {
            answer(308, &[("Range", &format!("bytes=0-{end}"))])
        }
    });
    let client = client::<M>(&server, Duration::from_secs(10));
    let service = Service::new(&client, &INFO);
    let totals = Mutex::new(Vec::new());
    upload(&service, &ANY, Cursor::new(vec![9u8; size]))
        .seekable()
        .progress(|_, total| totals.lock().unwrap().push(total))
        .send()
        .unwrap();
    let totals = totals.into_inner().unwrap();
    assert!(
        totals.iter().all(|total| *total == Some(size as u64)),
        "{totals:?}"
    );
    let seen = server.seen();
    assert_eq!(seen[0].header("x-upload-content-length"), Some("600000"));
    assert!(
        seen[1..]
            .iter()
            .all(|put| put.header("content-range").unwrap().ends_with("/600000")),
        "{seen:?}"
    );

    // Content that fits in the first chunk is measured by reading it.
    let server = upload_server(|_, _| answer(200, &[]));
    let small_client = self::client::<M>(&server, Duration::from_secs(10));
    let service = Service::new(&small_client, &INFO);
    upload(&service, &ANY, &b"twelve bytes"[..]).send().unwrap();
    assert_eq!(
        server.seen()[0].header("x-upload-content-length"),
        Some("12")
    );
}

fn a_redirect_loop_fails_once_without_retries<M: Mode>() {
    let server = Hostile::start(|_, _| answer(302, &[("Location", "/media/v1/files/f")]));
    let client = client::<M>(&server, Duration::from_secs(10));
    let error = get(&Service::new(&client, &INFO)).unwrap_err();
    assert!(!error.is_transient(), "{error}");
    // The first request and ten redirects, once: not five attempts of eleven.
    assert_eq!(server.seen().len(), 11, "{error}");
}

fn a_request_the_http_stack_cannot_build_is_not_retried<M: Mode>() {
    let server = Hostile::start(|_, _| answer(200, &[]));
    let client = client::<M>(&server, Duration::from_secs(10));
    let service = Service::new(&client, &INFO);
    let mut call = Call::new(&GET);
    call.set_path("name", "f".to_owned());
    call.set_query("pageToken", "t".repeat(70_000));
    let error = M::wait(M::execute(&service, Ok(call), Ok)).unwrap_err();
    assert!(!error.is_transient(), "{error}");
    assert!(server.seen().is_empty());
}

fn a_response_larger_than_the_limit_is_not_read_whole<M: Mode>() {
    for chunked in [false, true] {
        let server = Hostile::start(move |_, _| Answer {
            status: 200,
            headers: vec![("Content-Type", "application/json".to_owned())],
            body: vec![b' '; 5_000_000],
            chunked,
        });
        let client = M::build(
            Client::builder()
                .root_url(&server.base_url)
                .max_response_size(1_000_000),
        );
        let error = get(&Service::new(&client, &INFO)).unwrap_err();
        assert!(
            error.to_string().contains("max_response_size"),
            "chunked {chunked}: {error}"
        );
    }
}

#[test]
fn user_information_in_root_urls_is_refused_and_never_shown() {
    for root in [
        "http://user:pa55word@127.0.0.1:1/",
        "http://ya29TOKEN@127.0.0.1:1/",
        "http://user:pa55#wo?rd@127.0.0.1:1/",
    ] {
        let error = Client::builder().root_url(root).build().unwrap_err();
        let shown = format!("{error} {error:?}");
        assert!(
            !shown.contains("pa55") && !shown.contains("ya29TOKEN"),
            "{shown}"
        );
        let error = Client::builder().root_url(root).build_async().unwrap_err();
        let shown = format!("{error} {error:?}");
        assert!(
            !shown.contains("pa55") && !shown.contains("ya29TOKEN"),
            "{shown}"
        );
        let builder = Client::builder().root_url(root);
        let shown = format!("{builder:?}");
        assert!(
            !shown.contains("pa55") && !shown.contains("ya29TOKEN"),
            "{shown}"
        );
    }
}

both_modes!(
    a_retry_after_past_any_instant_ends_the_call_instead_of_panicking,
    a_resumable_upload_never_waits_longer_than_its_timeout_allows,
    redirected_uploads_go_nowhere_and_never_report_success,
    an_upload_server_that_alternates_its_ranges_cannot_loop_it,
    an_upload_server_that_keeps_one_byte_a_chunk_cannot_drain_the_client,
    content_over_the_limit_or_its_declared_length_is_refused_before_a_byte_goes_out,
    seekable_and_small_content_tell_their_length_from_the_start,
    a_redirect_loop_fails_once_without_retries,
    a_request_the_http_stack_cannot_build_is_not_retried,
    a_response_larger_than_the_limit_is_not_read_whole,
);
