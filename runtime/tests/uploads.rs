//! Media uploads over HTTP on 127.0.0.1, against a server that implements Google's upload
//! protocols strictly: multipart and media bodies parsed back byte for byte, and resumable
//! uploads through failed chunks, dropped connections, short confirmations, forgotten sessions
//! and a process that died.

#[path = "support/media_api.rs"]
mod media_api;
#[path = "support/media_server.rs"]
mod media_server;

use std::cell::RefCell;
use std::io::{Cursor, Read};
use std::time::Duration;

use google_api_runtime::upload::CHUNK_GRANULARITY;
use google_api_runtime::{
    Call, Client, Error, ResumableUpload, RetryPolicy, Service, StaticToken, UploadInfo,
};
use media_api::{ANY, IMAGES, INFO, INSERT};
use media_server::{Fault, MediaServer};

const CHUNK: usize = CHUNK_GRANULARITY;

fn client(server: &MediaServer) -> Client {
    Client::builder()
        .root_url(&server.base_url)
        .token_source(StaticToken::new("upload-token"))
        .retry_policy(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(5))
                .max_backoff(Duration::from_millis(20)),
        )
        .build()
        .unwrap()
}

/// A call of `media.files.insert` into folder `a b` with metadata naming the file.
fn call(name: Option<&str>) -> Call {
    let mut call = Call::new(&INSERT);
    call.set_path("folder", "a b".to_owned());
    if let Some(name) = name {
        call.set_json_body(&serde_json::json!({ "name": name }))
            .unwrap();
    }
    call
}

/// `length` bytes that differ from chunk to chunk, so a misplaced chunk shows.
fn content(length: usize) -> Vec<u8> {
    (0..length)
        .map(|index| (index % 251) as u8 ^ (index / CHUNK) as u8)
        .collect()
}

fn json(response: google_api_runtime::Response) -> serde_json::Value {
    response.json().unwrap()
}

/// A resumable upload of `content` for `call`, its answer read as JSON.
fn upload_of<'a, C: Read>(
    service: &'a Service,
    call: Call,
    info: &'static UploadInfo,
    content: C,
    mime: &str,
) -> ResumableUpload<'a, serde_json::Value, C> {
    ResumableUpload::new(
        service,
        call,
        info,
        content,
        mime,
        google_api_runtime::Response::json,
    )
}

/// A resumable upload of `data` (as a reader that cannot be sought) with small chunks.
fn resumable<'a>(
    service: &'a Service,
    data: &'a [u8],
) -> ResumableUpload<'a, serde_json::Value, &'a [u8]> {
    upload_of(
        service,
        call(Some("big.bin")),
        &ANY,
        data,
        "application/octet-stream",
    )
    .chunk_size(CHUNK)
}

#[test]
fn multipart_and_media_bodies_arrive_byte_for_byte() {
    let server = MediaServer::start();
    let client = client(&server);
    let service = Service::new(&client, &INFO);
    for length in [0, 1, 5 * 1024 * 1024 + 3] {
        let data = content(length);
        let answer = json(
            service
                .upload(call(Some("photo.png")), &ANY, &data[..], "image/png")
                .unwrap(),
        );
        assert_eq!(answer["size"], length.to_string());
        let upload = server.uploads().pop().unwrap();
        assert_eq!(upload.protocol, "multipart");
        assert_eq!(upload.path, "/upload/media/v1/folders/a%20b/files");
        assert_eq!(upload.metadata.as_deref(), Some(r#"{"name":"photo.png"}"#));
        assert_eq!(upload.content_type, "image/png");
        assert!(upload.content == data, "{length} bytes differ");

        // Without metadata, the content goes alone.
        service
            .upload(call(None), &ANY, &data[..], "text/plain")
            .unwrap();
        let upload = server.uploads().pop().unwrap();
        assert_eq!(
            (
                upload.protocol.as_str(),
                upload.metadata,
                upload.content_type.as_str()
            ),
            ("media", None, "text/plain")
        );
        assert!(upload.content == data, "{length} bytes differ");
    }
    let seen = server.seen();
    assert!(seen.iter().all(|request| {
        request.method == "POST"
            && request.header("authorization") == Some("Bearer upload-token")
            && request.target.contains("uploadType=")
    }));
}

#[test]
fn content_the_method_refuses_is_never_sent() {
    let server = MediaServer::start();
    let client = client(&server);
    let service = Service::new(&client, &INFO);
    fn refused<T: std::fmt::Debug>(result: Result<T, Error>) -> String {
        match result {
            Err(Error::InvalidRequest { message, .. }) => message,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
    let too_big = refused(service.upload(call(None), &IMAGES, &[0u8; 1001][..], "image/png"));
    assert!(too_big.contains("1000 bytes"), "{too_big}");
    let wrong_type = refused(service.upload(call(None), &IMAGES, &b"%PDF"[..], "application/pdf"));
    assert!(wrong_type.contains("image/*"), "{wrong_type}");
    let hostile =
        refused(service.upload(call(None), &ANY, &b"x"[..], "text/plain\r\nx-injected: 1"));
    assert!(hostile.contains("not a media type"), "{hostile}");
    // Resumable: the declared length is checked before the session starts, an unknown one as
    // the content is read.
    let declared = upload_of(&service, call(None), &IMAGES, &[0u8; 10][..], "image/png")
        .content_length(5000)
        .send();
    assert!(refused(declared).contains("1000 bytes"));
    assert!(server.seen().is_empty(), "nothing was sent");

    let streamed = upload_of(&service, call(None), &IMAGES, &[0u8; 1001][..], "image/png").send();
    assert!(refused(streamed).contains("1000 bytes"));
    assert!(
        server.seen().iter().all(|request| request.body_len == 0),
        "no content was sent"
    );
}

#[test]
fn resumable_uploads_in_chunks_of_unknown_and_known_length() {
    let server = MediaServer::start();
    let client = client(&server);
    let service = Service::new(&client, &INFO);
    // 3.5 chunks, 0 bytes, and exactly 2 chunks (whose end is only known after the last one).
    for (length, declare) in [
        (3 * CHUNK + CHUNK / 2, false),
        (3 * CHUNK + CHUNK / 2, true),
        (0, false),
        (2 * CHUNK, false),
        (2 * CHUNK, true),
    ] {
        let data = content(length);
        let reports = RefCell::new(Vec::new());
        let mut upload = resumable(&service, &data)
            .progress(|sent, total| reports.borrow_mut().push((sent, total)));
        if declare {
            upload = upload.content_length(length as u64);
        }
        let answer = upload.send().unwrap();
        assert_eq!(answer["size"], length.to_string(), "{length} {declare}");
        let stored = server.uploads().pop().unwrap();
        assert_eq!(stored.protocol, "resumable");
        assert_eq!(stored.metadata.as_deref(), Some(r#"{"name":"big.bin"}"#));
        assert!(stored.content == data, "{length} bytes differ");
        let reports = reports.into_inner();
        assert_eq!(
            reports.last(),
            Some(&(length as u64, Some(length as u64))),
            "{reports:?}"
        );
        assert!(reports.windows(2).all(|pair| pair[0].0 <= pair[1].0));
    }
    let starts: Vec<_> = server
        .seen()
        .into_iter()
        .filter(|request| request.method == "POST")
        .collect();
    assert_eq!(
        starts[1].header("x-upload-content-length"),
        Some((3 * CHUNK + CHUNK / 2).to_string().as_str())
    );
    assert_eq!(starts[0].header("x-upload-content-length"), None);
    assert_eq!(
        starts[0].header("x-upload-content-type"),
        Some("application/octet-stream")
    );
}

#[test]
fn failed_dropped_and_short_chunks_are_sent_again() {
    let server = MediaServer::start();
    let client = client(&server);
    let service = Service::new(&client, &INFO);
    let data = content(4 * CHUNK + 17);
    server.plan([
        None,
        Some(Fault::Status(503)),
        Some(Fault::DropMidChunk),
        Some(Fault::KeepLess),
        Some(Fault::Status(500)),
        Some(Fault::Status(429)),
    ]);
    let answer = resumable(&service, &data).send().unwrap();
    assert_eq!(answer["size"], data.len().to_string());
    assert!(server.uploads()[0].content == data);
    // Each failure was followed by a status query before the chunk went again.
    let puts: Vec<_> = server
        .seen()
        .into_iter()
        .filter(|request| request.method == "PUT")
        .map(|request| request.header("content-range").unwrap().to_owned())
        .collect();
    let queries = puts
        .iter()
        .filter(|range| range.starts_with("bytes */"))
        .count();
    assert_eq!(queries, 4, "{puts:#?}");
}

#[test]
fn a_refused_chunk_is_not_retried() {
    let server = MediaServer::start();
    let client = client(&server);
    let service = Service::new(&client, &INFO);
    let data = content(2 * CHUNK);
    server.plan([Some(Fault::Status(403))]);
    let error = resumable(&service, &data).send().unwrap_err();
    assert_eq!(error.http_status(), Some(403));
    assert_eq!(
        server.seen().iter().filter(|r| r.method == "PUT").count(),
        1
    );
}

#[test]
fn a_new_client_resumes_a_session_from_its_uri() {
    let server = MediaServer::start();
    let data = content(5 * CHUNK + 100);
    let session = RefCell::new(String::new());
    {
        // The first process: two chunks arrive, then the server refuses to go on.
        let client = client(&server);
        let service = Service::new(&client, &INFO);
        server.plan([None, None, Some(Fault::Status(400))]);
        let error = resumable(&service, &data)
            .on_session(|uri| *session.borrow_mut() = uri.to_owned())
            .send()
            .unwrap_err();
        assert_eq!(error.http_status(), Some(400));
    }
    let session = session.into_inner();
    assert_eq!(server.received(&session), Some(2 * CHUNK));
    let before = server.seen().len();

    // Another process, another client: the same content from its start, and the URI.
    let client = client(&server);
    let service = Service::new(&client, &INFO);
    let answer = resumable(&service, &data)
        .resume(session.clone())
        .send()
        .unwrap();
    assert_eq!(answer["size"], data.len().to_string());
    assert!(server.uploads()[0].content == data);
    let resumed = &server.seen()[before..];
    assert!(
        resumed.iter().all(|request| request.method == "PUT"),
        "no new session"
    );
    assert_eq!(resumed[0].header("content-range"), Some("bytes */*"));
    assert_eq!(
        resumed[1].header("content-range"),
        Some(format!("bytes {}-{}/*", 2 * CHUNK, 3 * CHUNK - 1).as_str())
    );

    // Content shorter than what the session holds is an error, not a corrupt file.
    server.plan([None, None, Some(Fault::Status(400))]);
    let session = RefCell::new(String::new());
    let _ = resumable(&service, &data)
        .on_session(|uri| *session.borrow_mut() = uri.to_owned())
        .send();
    let error = resumable(&service, &data[..CHUNK])
        .resume(session.into_inner())
        .send()
        .unwrap_err();
    assert!(error.to_string().contains("already has"), "{error}");
}

#[test]
fn a_forgotten_session_starts_over() {
    let server = MediaServer::start();
    let client = client(&server);
    let service = Service::new(&client, &INFO);
    let data = content(3 * CHUNK + 5);
    let sessions = RefCell::new(Vec::new());
    server.plan([None, Some(Fault::Gone)]);
    let answer = upload_of(
        &service,
        call(Some("again.bin")),
        &ANY,
        Cursor::new(&data),
        "application/octet-stream",
    )
    .chunk_size(CHUNK)
    .seekable()
    .on_session(|uri| sessions.borrow_mut().push(uri.to_owned()))
    .send()
    .unwrap();
    assert_eq!(answer["size"], data.len().to_string());
    assert!(server.uploads()[0].content == data);
    assert_eq!(sessions.borrow().len(), 2, "a second session was started");

    // Content that cannot be read again, whose first chunk is gone from memory: a clear error.
    server.plan([None, Some(Fault::Gone)]);
    let error = resumable(&service, &data).send().unwrap_err();
    assert_eq!(error.http_status(), Some(410));
}

#[test]
fn bytes_lost_from_an_earlier_chunk_are_read_again_only_from_seekable_content() {
    let server = MediaServer::start();
    let client = client(&server);
    let service = Service::new(&client, &INFO);
    let data = content(3 * CHUNK + 9);
    // Short confirmations of the chunk just sent are served from the chunk still in memory.
    server.plan([None, Some(Fault::KeepLess), Some(Fault::KeepLess)]);
    let answer = resumable(&service, &data).send().unwrap();
    assert_eq!(answer["size"], data.len().to_string());
    assert!(server.uploads().pop().unwrap().content == data);

    // A server that lost bytes of an earlier chunk: a file is read there again...
    server.plan([None, None, Some(Fault::Rewind)]);
    let answer = upload_of(
        &service,
        call(None),
        &ANY,
        Cursor::new(&data),
        "application/octet-stream",
    )
    .chunk_size(CHUNK)
    .seekable()
    .send()
    .unwrap();
    assert_eq!(answer["size"], data.len().to_string());
    assert!(server.uploads().pop().unwrap().content == data);

    // ...and a pipe cannot be, which is said plainly.
    server.plan([None, None, Some(Fault::Rewind)]);
    let error = resumable(&service, &data).send().unwrap_err();
    assert!(
        matches!(&error, Error::Protocol { message, .. } if message.contains("seekable")),
        "{error}"
    );
}

#[test]
fn a_server_that_keeps_nothing_ends_the_upload() {
    let server = MediaServer::start();
    let client = client(&server);
    let service = Service::new(&client, &INFO);
    let data = content(3 * CHUNK);
    server.plan(std::iter::repeat_n(Some(Fault::KeepNothing), 50));
    let error = resumable(&service, &data).send().unwrap_err();
    assert!(
        matches!(&error, Error::Protocol { message, .. } if message.contains("kept nothing new from the last 5")),
        "{error}"
    );
    let chunks = server.seen().iter().filter(|r| r.method == "PUT").count();
    assert_eq!(chunks, 5);
}

#[test]
fn session_uris_on_another_host_are_refused() {
    let server = MediaServer::start();
    let client = client(&server);
    let service = Service::new(&client, &INFO);
    server.session_host("http://127.0.0.1:9");
    let data = content(10);
    let error = resumable(&service, &data).send().unwrap_err();
    assert!(
        matches!(&error, Error::Protocol { message, .. } if message.contains("not on the upload URL's host")),
        "{error}"
    );
    let error = resumable(&service, &data)
        .resume("http://elsewhere.example/upload?upload_id=1")
        .send()
        .unwrap_err();
    assert!(error.to_string().contains("no token goes there"), "{error}");
    // Debug never shows a session's id.
    let upload = resumable(&service, &data).resume("http://x/upload?upload_id=secret");
    assert!(!format!("{upload:?}").contains("secret"));
}

#[test]
fn unreadable_content_fails_cleanly() {
    struct Broken(usize);
    impl Read for Broken {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            if self.0 == 0 {
                return Err(std::io::Error::other("disk on fire"));
            }
            let count = out.len().min(self.0);
            self.0 -= count;
            Ok(count)
        }
    }
    let server = MediaServer::start();
    let client = client(&server);
    let service = Service::new(&client, &INFO);
    let error = service
        .upload(call(None), &ANY, Broken(10), "text/plain")
        .unwrap_err();
    assert!(error.to_string().contains("disk on fire"), "{error}");
    let error = upload_of(&service, call(None), &ANY, Broken(CHUNK + 1), "text/plain")
        .chunk_size(CHUNK)
        .send()
        .unwrap_err();
    assert!(error.to_string().contains("disk on fire"), "{error}");
}
