//! Retries, timeouts, broken connections, and large and compressed bodies, all over real
//! connections to servers on 127.0.0.1 (per-attempt events are in `tracing_events.rs`).

mod common;
#[path = "support/modes.rs"]
mod modes;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use common::{Reply, TestServer, builder, client};
use google_dataportability_v1::Error;
use google_dataportability_v1::model::InitiatePortabilityArchiveRequest;
use google_dataportability_v1::prelude::*;
use google_dataportability_v1::runtime::RetryPolicy;
use modes::{BuildMode as _, Mode, Wait as _, cases};
use serde_json::json;

const STATE: &str = "archiveJobs/j/portabilityArchiveState";

fn unavailable() -> Reply {
    Reply::json(
        503,
        json!({"error": {"code": 503, "message": "The service is unavailable.", "status": "UNAVAILABLE"}}),
    )
}

fn get_state<M: Mode>(client: &M) -> Result<(), Error> {
    let api = google_dataportability_v1::DataPortability::new(client);
    let reply = api
        .archive_jobs()
        .get_portability_archive_state(STATE)
        .send();
    M::wait(reply).map(drop)
}

cases! {
    /// How many requests reached the server.
    fn count(server: &TestServer) -> usize {
        let mut seen = 0;
        while !server.got_nothing() {
            seen += 1;
        }
        seen
    }

    #[test]
    fn a_get_is_retried_after_503s_and_succeeds() {
        let server = TestServer::start(vec![
            unavailable(),
            unavailable(),
            Reply::json(200, json!({"state": "COMPLETE"})),
        ]);
        let client = builder(&server).build_mode::<M>();
        get_state(&client).unwrap();
        assert_eq!(count(&server), 3);
    }

    #[test]
    fn retry_after_is_respected() {
        let server = TestServer::start(vec![
            unavailable().with_header("Retry-After", "1"),
            Reply::json(200, json!({})),
        ]);
        let client = builder(&server).build_mode::<M>();
        let started = Instant::now();
        get_state(&client).unwrap();
        assert!(
            started.elapsed() >= Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(count(&server), 2);
    }

    #[test]
    fn a_post_is_never_retried() {
        let server = TestServer::start(vec![unavailable(), Reply::json(200, json!({}))]);
        let client = builder(&server).build_mode::<M>();
        let error = google_dataportability_v1::DataPortability::new(&client)
            .portability_archive()
            .initiate(InitiatePortabilityArchiveRequest::default().set_resources(["myactivity.search"]))
            .send().wait()
            .unwrap_err();
        assert_eq!(error.http_status(), Some(503));
        assert_eq!(
            count(&server),
            1,
            "a second initiate could use up a one-time grant"
        );
    }

    #[test]
    fn client_errors_and_semantic_429s_are_not_retried() {
        let exhausted = Reply::json(
            429,
            json!({"error": {"code": 429, "message": "Exhausted.", "status": "RESOURCE_EXHAUSTED",
                "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "RESOURCE_EXHAUSTED_ONE_TIME"}]}}),
        );
        for (reply, status) in [
            (
                Reply::json(400, json!({"error": {"code": 400, "message": "Bad."}})),
                400,
            ),
            (
                Reply::json(401, json!({"error": {"code": 401, "message": "Who?"}})),
                401,
            ),
            (
                Reply::json(403, json!({"error": {"code": 403, "message": "No."}})),
                403,
            ),
            (
                Reply::json(404, json!({"error": {"code": 404, "message": "Gone."}})),
                404,
            ),
            (
                Reply::json(500, json!({"error": {"code": 500, "message": "Oops."}})),
                500,
            ),
            (exhausted, 429),
        ] {
            let server = TestServer::start(vec![reply, Reply::json(200, json!({}))]);
            let error = get_state(&builder(&server).build_mode::<M>()).unwrap_err();
            assert_eq!(error.http_status(), Some(status));
            assert_eq!(count(&server), 1, "status {status} was retried");
        }
    }

    #[test]
    fn a_429_without_a_reason_is_retried() {
        let server = TestServer::start(vec![
            Reply::json(
                429,
                json!({"error": {"code": 429, "message": "Slow down."}}),
            ),
            Reply::json(200, json!({})),
        ]);
        get_state(&builder(&server).build_mode::<M>()).unwrap();
        assert_eq!(count(&server), 2);
    }

    #[test]
    fn attempts_are_bounded() {
        let server = TestServer::start(vec![unavailable(); 6]);
        let client = builder(&server)
            .retry_policy(
                RetryPolicy::default()
                    .initial_backoff(Duration::from_millis(5))
                    .max_attempts(3),
            )
            .build_mode::<M>();
        let error = get_state(&client).unwrap_err();
        assert_eq!(error.http_status(), Some(503));
        assert_eq!(count(&server), 3);
    }

    #[test]
    fn total_time_is_bounded_even_when_the_server_asks_to_wait() {
        let server = TestServer::start(vec![unavailable().with_header("Retry-After", "30"); 2]);
        let client = builder(&server)
            .timeout(Duration::from_secs(2))
            .build_mode::<M>();
        let started = Instant::now();
        let error = get_state(&client).unwrap_err();
        assert_eq!(error.http_status(), Some(503));
        // The 30 s wait would outlast the call's 2 s: it gives up at once instead.
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(count(&server), 1);
    }

    #[test]
    fn time_limits_past_any_clock_mean_no_limit_not_a_panic() {
        let server = TestServer::start(vec![
            Reply::json(200, json!({})),
            Reply::json(200, json!({})),
            Reply::text(200, "application/zip", "archive"),
        ]);
        let client = builder(&server)
            .timeout(Duration::MAX)
            .connect_timeout(Duration::MAX)
            .download_timeouts(Duration::MAX, Duration::MAX)
            .build_mode::<M>();
        get_state(&client).unwrap();
        common::api(client.clone())
            .archive_jobs()
            .get_portability_archive_state(STATE)
            .timeout(Duration::MAX)
            .send().wait()
            .unwrap();
        let mut download = client
            .download(&format!("{}archive.zip", server.base_url), 0)
            .wait()
            .unwrap();
        assert_eq!(M::read_some(&mut download, 64).unwrap(), b"archive");
    }

    #[test]
    fn a_slow_server_times_out_per_call() {
        let server = TestServer::start(vec![
            Reply::json(200, json!({})).after(Duration::from_secs(3)),
        ]);
        let error = client::<M>(&server)
            .archive_jobs()
            .get_portability_archive_state(STATE)
            .timeout(Duration::from_millis(300))
            .send().wait()
            .unwrap_err();
        match &error {
            Error::Transport { source, .. } => assert!(source.is_timeout(), "{error}"),
            other => panic!("expected a timeout, got {other:?}"),
        }
    }

    #[test]
    fn a_slow_server_times_out_by_the_clients_timeout() {
        // No timeout on the call: its first attempt is bounded by the client's. Without
        // retries, the timeout is the error.
        let server = TestServer::start(vec![
            Reply::json(200, json!({})).after(Duration::from_secs(3)),
        ]);
        let client = builder(&server)
            .timeout(Duration::from_millis(300))
            .retry_policy(RetryPolicy::disabled())
            .build_mode::<M>();
        let started = Instant::now();
        let error = get_state(&client).unwrap_err();
        match &error {
            Error::Transport { source, .. } => assert!(source.is_timeout(), "{error}"),
            other => panic!("expected a timeout, got {other:?}"),
        }
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn a_retry_gets_only_what_is_left_of_the_clients_timeout() {
        // The first attempt fails at once; the retry meets a server that answers after 3 s, and
        // must give up when the call's 1 s is over, not after a whole timeout of its own.
        let server = TestServer::start(vec![
            unavailable(),
            Reply::json(200, json!({})).after(Duration::from_secs(3)),
        ]);
        let client = builder(&server)
            .timeout(Duration::from_secs(1))
            .build_mode::<M>();
        let started = Instant::now();
        let error = get_state(&client).unwrap_err();
        assert!(
            matches!(&error, Error::Transport { source, .. } if source.is_timeout()),
            "{error}"
        );
        assert!(
            started.elapsed() < Duration::from_millis(2500),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(count(&server), 2);
    }

    /// A raw HTTP server: for each connection in turn, `answer` gets the request bytes and the
    /// stream, to answer (or break) as it likes. Returns the base URL.
    fn raw_server(answers: Vec<fn(&mut std::net::TcpStream)>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for answer in answers {
                let Ok((mut stream, _)) = listener.accept() else {
                    return;
                };
                read_request_head(&mut stream);
                answer(&mut stream);
            }
        });
        format!("http://127.0.0.1:{port}/")
    }

    fn read_request_head(stream: &mut std::net::TcpStream) {
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
            head.push(byte[0]);
        }
    }

    fn raw_client(base_url: &str) -> M {
        google_dataportability_v1::Client::builder()
            .root_url(base_url)
            .retry_policy(RetryPolicy::default().initial_backoff(Duration::from_millis(5)))
            .build_mode::<M>()
    }

    #[test]
    fn a_connection_reset_mid_body_is_an_error_and_not_retried() {
        let base = raw_server(vec![
            |stream| {
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"name\": \"arch",
                );
                // Dropping the stream closes the connection with 986 bytes still owed.
            },
            |stream| {
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");
            },
        ]);
        let error = get_state(&raw_client(&base)).unwrap_err();
        assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    }

    #[test]
    fn a_connection_closed_before_any_response_is_retried() {
        let base = raw_server(vec![
            |_stream| {}, // read the request, answer nothing, close
            |stream| {
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 19\r\n\r\n{\"state\": \"FAILED\"}",
                );
            },
        ]);
        get_state(&raw_client(&base)).unwrap();
    }

    #[test]
    fn a_very_large_body_is_read_whole() {
        let urls: Vec<String> = (0..200_000)
            .map(|i| format!("https://storage.example.com/archive-{i}.zip?signature=0123456789abcdef"))
            .collect();
        let server = TestServer::start(vec![Reply::json(
            200,
            json!({"state": "COMPLETE", "urls": urls}),
        )]);
        let state = client::<M>(&server)
            .archive_jobs()
            .get_portability_archive_state(STATE)
            .send().wait()
            .unwrap();
        let got = state.urls.unwrap();
        assert_eq!(got.len(), 200_000);
        assert_eq!(got[199_999], urls[199_999]);
    }

    #[test]
    fn gzip_responses_are_decompressed() {
        let body =
            json!({"state": "COMPLETE", "urls": ["https://storage.example.com/a.zip"]}).to_string();
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(body.as_bytes()).unwrap();
        let reply = Reply {
            status: 200,
            headers: vec![
                ("Content-Type".into(), "application/json".into()),
                ("Content-Encoding".into(), "gzip".into()),
            ],
            body: encoder.finish().unwrap(),
            delay: Duration::ZERO,
        };
        let server = TestServer::start(vec![reply]);
        let state = client::<M>(&server)
            .archive_jobs()
            .get_portability_archive_state(STATE)
            .send().wait()
            .unwrap();
        assert_eq!(state.urls.unwrap(), ["https://storage.example.com/a.zip"]);
        assert!(
            server
                .next()
                .header("accept-encoding")
                .unwrap()
                .contains("gzip")
        );
    }
}
