//! Media uploads over HTTP on 127.0.0.1, against a server that implements Google's upload
//! protocols strictly: multipart and media bodies parsed back byte for byte, and resumable
//! uploads through failed chunks, dropped connections, short confirmations, forgotten sessions
//! and a process that died.

#[path = "support/media_api.rs"]
mod media_api;
#[path = "support/media_server.rs"]
mod media_server;

#[path = "support/modes.rs"]
mod modes;

use std::io::{Cursor, Read};
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};
use std::time::Duration;

use google_api_runtime::contract::{Call, Service};
use google_api_runtime::{CHUNK_GRANULARITY, Client, Error, RetryPolicy, StaticToken};
use media_api::{ANY, IMAGES, INFO, INSERT};
use media_server::{Fault, MediaServer};
use modes::{Mode, Upload, both_modes};

const CHUNK: usize = CHUNK_GRANULARITY;

fn client<M: Mode>(server: &MediaServer) -> M {
    M::build(
        Client::builder()
            .root_url(&server.base_url)
            .token_source(StaticToken::new("upload-token"))
            .retry_policy(
                RetryPolicy::default()
                    .initial_backoff(Duration::from_millis(5))
                    .max_backoff(Duration::from_millis(20)),
            ),
    )
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

/// A resumable upload of `data` (as a reader that cannot be sought) with small chunks.
fn resumable<'a, M: Mode>(service: &'a Service<M>, data: &'a [u8]) -> Upload<'a, &'a [u8]> {
    M::resumable(
        service,
        Ok(call(Some("big.bin"))),
        &ANY,
        data,
        "application/octet-stream",
    )
    .chunk_size(CHUNK)
}

fn multipart_and_media_bodies_arrive_byte_for_byte<M: Mode>() {
    let server = MediaServer::start();
    let client = client::<M>(&server);
    let service = Service::new(&client, &INFO);
    for length in [0, 1, 5 * 1024 * 1024 + 3] {
        let data = content(length);
        let answer = M::upload(
            &service,
            call(Some("photo.png")),
            &ANY,
            &data[..],
            "image/png",
        )
        .unwrap();
        assert_eq!(answer["size"], length.to_string());
        let upload = server.uploads().pop().unwrap();
        assert_eq!(upload.protocol, "multipart");
        assert_eq!(upload.path, "/upload/media/v1/folders/a%20b/files");
        assert_eq!(upload.metadata.as_deref(), Some(r#"{"name":"photo.png"}"#));
        assert_eq!(upload.content_type, "image/png");
        assert!(upload.content == data, "{length} bytes differ");

        // Without metadata, the content goes alone.
        M::upload(&service, call(None), &ANY, &data[..], "text/plain").unwrap();
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

fn content_the_method_refuses_is_never_sent<M: Mode>() {
    let server = MediaServer::start();
    let client = client::<M>(&server);
    let service = Service::new(&client, &INFO);
    fn refused<T: std::fmt::Debug>(result: Result<T, Error>) -> String {
        match result {
            Err(Error::InvalidRequest { message, .. }) => message,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
    let too_big = refused(M::upload(
        &service,
        call(None),
        &IMAGES,
        &[0u8; 1001][..],
        "image/png",
    ));
    assert!(too_big.contains("1000 bytes"), "{too_big}");
    let wrong_type = refused(M::upload(
        &service,
        call(None),
        &IMAGES,
        &b"%PDF"[..],
        "application/pdf",
    ));
    assert!(wrong_type.contains("image/*"), "{wrong_type}");
    let hostile = refused(M::upload(
        &service,
        call(None),
        &ANY,
        &b"x"[..],
        "text/plain\r\nx-injected: 1",
    ));
    assert!(hostile.contains("not a media type"), "{hostile}");
    // Resumable: the declared length is checked before the session starts, an unknown one as
    // the content is read.
    let declared = M::resumable(
        &service,
        Ok(call(None)),
        &IMAGES,
        &[0u8; 10][..],
        "image/png",
    )
    .content_length(5000)
    .send();
    assert!(refused(declared).contains("1000 bytes"));
    assert!(server.seen().is_empty(), "nothing was sent");

    let streamed = M::resumable(
        &service,
        Ok(call(None)),
        &IMAGES,
        &[0u8; 1001][..],
        "image/png",
    )
    .send();
    assert!(refused(streamed).contains("1000 bytes"));
    assert!(
        server.seen().iter().all(|request| request.body_len == 0),
        "no content was sent"
    );
}

fn resumable_uploads_in_chunks_of_unknown_and_known_length<M: Mode>() {
    let server = MediaServer::start();
    let client = client::<M>(&server);
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
        let reports = Mutex::new(Vec::new());
        let mut upload = resumable(&service, &data)
            .progress(|sent, total| reports.lock().unwrap().push((sent, total)));
        if declare {
            upload = upload.content_length(length as u64);
        }
        let answer = upload.send().unwrap();
        assert_eq!(answer["size"], length.to_string(), "{length} {declare}");
        let stored = server.uploads().pop().unwrap();
        assert_eq!(stored.protocol, "resumable");
        assert_eq!(stored.metadata.as_deref(), Some(r#"{"name":"big.bin"}"#));
        assert!(stored.content == data, "{length} bytes differ");
        let reports = reports.into_inner().unwrap();
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

fn failed_dropped_and_short_chunks_are_sent_again<M: Mode>() {
    let server = MediaServer::start();
    let client = client::<M>(&server);
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

fn a_refused_chunk_is_not_retried<M: Mode>() {
    let server = MediaServer::start();
    let client = client::<M>(&server);
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

fn a_new_client_resumes_a_session_from_its_uri<M: Mode>() {
    let server = MediaServer::start();
    let data = content(5 * CHUNK + 100);
    let session = Mutex::new(String::new());
    {
        // The first process: two chunks arrive, then the server refuses to go on.
        let client = client::<M>(&server);
        let service = Service::new(&client, &INFO);
        server.plan([None, None, Some(Fault::Status(400))]);
        let error = resumable(&service, &data)
            .on_session(|uri| *session.lock().unwrap() = uri.to_owned())
            .send()
            .unwrap_err();
        assert_eq!(error.http_status(), Some(400));
    }
    let session = session.into_inner().unwrap();
    assert_eq!(server.received(&session), Some(2 * CHUNK));
    let before = server.seen().len();

    // Another process, another client: the same content from its start, and the URI.
    let client = client::<M>(&server);
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
    let session = Mutex::new(String::new());
    let _ = resumable(&service, &data)
        .on_session(|uri| *session.lock().unwrap() = uri.to_owned())
        .send();
    let error = resumable(&service, &data[..CHUNK])
        .resume(session.into_inner().unwrap())
        .send()
        .unwrap_err();
    assert!(error.to_string().contains("already has"), "{error}");
}

fn a_forgotten_session_starts_over<M: Mode>() {
    let server = MediaServer::start();
    let client = client::<M>(&server);
    let service = Service::new(&client, &INFO);
    let data = content(3 * CHUNK + 5);
    let sessions = Mutex::new(Vec::new());
    server.plan([None, Some(Fault::Gone)]);
    let answer = M::resumable(
        &service,
        Ok(call(Some("again.bin"))),
        &ANY,
        Cursor::new(&data),
        "application/octet-stream",
    )
    .chunk_size(CHUNK)
    .seekable()
    .on_session(|uri| sessions.lock().unwrap().push(uri.to_owned()))
    .send()
    .unwrap();
    assert_eq!(answer["size"], data.len().to_string());
    assert!(server.uploads()[0].content == data);
    assert_eq!(
        sessions.lock().unwrap().len(),
        2,
        "a second session was started"
    );

    // Content that cannot be read again, whose first chunk is gone from memory: a clear error.
    server.plan([None, Some(Fault::Gone)]);
    let error = resumable(&service, &data).send().unwrap_err();
    assert_eq!(error.http_status(), Some(410));
}

fn bytes_lost_from_an_earlier_chunk_are_read_again_only_from_seekable_content<M: Mode>() {
    let server = MediaServer::start();
    let client = client::<M>(&server);
    let service = Service::new(&client, &INFO);
    let data = content(3 * CHUNK + 9);
    // Short confirmations of the chunk just sent are served from the chunk still in memory.
    server.plan([None, Some(Fault::KeepLess), Some(Fault::KeepLess)]);
    let answer = resumable(&service, &data).send().unwrap();
    assert_eq!(answer["size"], data.len().to_string());
    assert!(server.uploads().pop().unwrap().content == data);

    // A server that lost bytes of an earlier chunk: a file is read there again...
    server.plan([None, None, Some(Fault::Rewind)]);
    let answer = M::resumable(
        &service,
        Ok(call(None)),
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

fn a_server_that_keeps_nothing_ends_the_upload<M: Mode>() {
    let server = MediaServer::start();
    let client = client::<M>(&server);
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

fn session_uris_on_another_host_are_refused<M: Mode>() {
    let server = MediaServer::start();
    let client = client::<M>(&server);
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

fn unreadable_content_fails_cleanly<M: Mode>() {
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
    impl tokio::io::AsyncRead for Broken {
        fn poll_read(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            out: &mut tokio::io::ReadBuf<'_>,
        ) -> Poll<std::io::Result<()>> {
            let count = self.get_mut().read(out.initialize_unfilled())?;
            out.advance(count);
            Poll::Ready(Ok(()))
        }
    }
    let server = MediaServer::start();
    let client = client::<M>(&server);
    let service = Service::new(&client, &INFO);
    let error = M::upload(&service, call(None), &ANY, Broken(10), "text/plain").unwrap_err();
    assert!(error.to_string().contains("disk on fire"), "{error}");
    let error = M::resumable(
        &service,
        Ok(call(None)),
        &ANY,
        Broken(CHUNK + 1),
        "text/plain",
    )
    .chunk_size(CHUNK)
    .send()
    .unwrap_err();
    assert!(error.to_string().contains("disk on fire"), "{error}");
}

both_modes!(
    multipart_and_media_bodies_arrive_byte_for_byte,
    content_the_method_refuses_is_never_sent,
    resumable_uploads_in_chunks_of_unknown_and_known_length,
    failed_dropped_and_short_chunks_are_sent_again,
    a_refused_chunk_is_not_retried,
    a_new_client_resumes_a_session_from_its_uri,
    a_forgotten_session_starts_over,
    bytes_lost_from_an_earlier_chunk_are_read_again_only_from_seekable_content,
    a_server_that_keeps_nothing_ends_the_upload,
    session_uris_on_another_host_are_refused,
    unreadable_content_fails_cleanly,
);
