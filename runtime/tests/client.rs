//! The generated Data Portability client over real HTTP against a server on 127.0.0.1.

mod common;
#[path = "support/modes.rs"]
mod modes;

use common::{Reply, TestServer, client};
use google_api_runtime::Backend as _;
use google_dataportability_v1::Error;
use google_dataportability_v1::model::{
    InitiatePortabilityArchiveRequest, ResetAuthorizationRequest, RetryPortabilityArchiveRequest,
    initiate_portability_archive_response, portability_archive_state,
};
use google_dataportability_v1::prelude::*;
use modes::{BuildMode as _, Mode, Wait as _, cases};
use serde_json::json;

cases! {
    #[test]
    fn initiate_sends_the_body_and_headers_and_decodes_the_reply() {
        let server = TestServer::start(vec![Reply::json(
            200,
            json!({"archiveJobId": "job-1", "accessType": "ACCESS_TYPE_ONE_TIME"}),
        )]);
        let response = client::<M>(&server)
            .portability_archive()
            .initiate(
                InitiatePortabilityArchiveRequest::default()
                    .set_resources(["myactivity.search", "myactivity.youtube"]),
            )
            .send().wait()
            .unwrap();
        assert_eq!(response.archive_job_id.as_deref(), Some("job-1"));
        assert_eq!(
            response.access_type,
            Some(initiate_portability_archive_response::AccessType::AccessTypeOneTime)
        );

        let request = server.next();
        assert_eq!(request.method, "POST");
        assert_eq!(request.target, "/v1/portabilityArchive:initiate");
        assert_eq!(
            request.header("authorization"),
            Some("Bearer ya29.secret-token")
        );
        assert_eq!(request.header("content-type"), Some("application/json"));
        let user_agent = request.header("user-agent").unwrap();
        assert!(
            user_agent.starts_with("google-dataportability-v1/"),
            "{user_agent}"
        );
        assert!(
            request
                .header("x-goog-api-client")
                .unwrap()
                .contains("gdcl/")
        );
        assert_eq!(
            request.json(),
            json!({"resources": ["myactivity.search", "myactivity.youtube"]})
        );
    }

    #[test]
    fn get_state_expands_the_path_and_sends_standard_parameters() {
        let server = TestServer::start(vec![Reply::json(
            200,
            json!({
                "name": "archiveJobs/abc/portabilityArchiveState",
                "state": "COMPLETE",
                "urls": ["https://storage.example.com/a.zip?sig=1"],
                "exportTime": "2026-07-19T10:00:00.123Z"
            }),
        )]);
        let state = client::<M>(&server)
            .archive_jobs()
            .get_portability_archive_state("archiveJobs/abc/portabilityArchiveState")
            .fields("state,urls")
            .pretty_print(false)
            .send().wait()
            .unwrap();
        assert_eq!(
            state.state,
            Some(portability_archive_state::State::Complete)
        );
        assert_eq!(state.urls.unwrap().len(), 1);
        assert_eq!(
            state.export_time.unwrap().to_string(),
            "2026-07-19T10:00:00.123Z"
        );

        let request = server.next();
        assert_eq!(request.method, "GET");
        assert_eq!(
            request.target,
            "/v1/archiveJobs/abc/portabilityArchiveState?fields=state%2Curls&prettyPrint=false"
        );
        assert_eq!(request.header("content-type"), None);
        assert!(request.body.is_empty());
    }

    #[test]
    fn methods_without_a_meaningful_reply_and_empty_bodies() {
        let server = TestServer::start(vec![
            Reply::json(200, json!({})),
            Reply::json(200, json!({"archiveJobId": "job-2"})),
            Reply::json(200, json!({})),
            Reply::json(200, json!({"oneTimeResources": ["myactivity.search"]})),
        ]);
        let client = client::<M>(&server);
        client
            .authorization()
            .reset(ResetAuthorizationRequest::default())
            .send().wait()
            .unwrap();
        let request = server.next();
        assert_eq!(
            (request.method.as_str(), request.target.as_str()),
            ("POST", "/v1/authorization:reset")
        );
        assert_eq!(request.json(), json!({}));

        let retried = client
            .archive_jobs()
            .retry(
                "archiveJobs/job-1",
                RetryPortabilityArchiveRequest::default(),
            )
            .send().wait()
            .unwrap();
        assert_eq!(retried.archive_job_id.as_deref(), Some("job-2"));
        assert_eq!(server.next().target, "/v1/archiveJobs/job-1:retry");

        client
            .archive_jobs()
            .cancel("archiveJobs/job-2", Default::default())
            .send().wait()
            .unwrap();
        assert_eq!(server.next().target, "/v1/archiveJobs/job-2:cancel");

        let access = client
            .access_type()
            .check(Default::default())
            .send().wait()
            .unwrap();
        assert_eq!(access.one_time_resources.unwrap(), ["myactivity.search"]);
        assert_eq!(server.next().target, "/v1/accessType:check");
    }

    /// Gets the state of job `x`, which the test server refuses; the error.
    fn state_error(client: &google_dataportability_v1::DataPortability<M>) -> Error {
        client
            .archive_jobs()
            .get_portability_archive_state("archiveJobs/x/portabilityArchiveState")
            .send().wait()
            .unwrap_err()
    }

    /// What a path parameter value becomes: the request target the server saw, or the error.
    /// The document's pattern check is off here, to show what expansion alone does.
    fn check_path(value: &str, expected: Result<&str, &str>) {
        let server = TestServer::start(vec![Reply::json(200, json!({}))]);
        let client = common::api(
            common::builder(&server)
                .check_path_patterns(false)
                .build_mode::<M>(),
        );
        let result = client
            .archive_jobs()
            .get_portability_archive_state(value)
            .send().wait();
        match expected {
            Ok(target) => {
                result.unwrap_or_else(|e| panic!("{value:?}: {e}"));
                assert_eq!(server.next().target, target, "value {value:?}");
            }
            Err(message) => {
                let error = result.expect_err(value);
                assert!(
                    matches!(error, Error::InvalidRequest { .. }),
                    "{value:?}: {error:?}"
                );
                assert!(
                    error.to_string().contains(message),
                    "{value:?}: {error} does not say {message:?}"
                );
                assert!(
                    server.got_nothing(),
                    "{value:?} reached the server: {:?}",
                    server.next()
                );
            }
        }
    }

    #[test]
    fn path_values_valid_and_hostile() {
        check_path(
            "archiveJobs/abc/portabilityArchiveState",
            Ok("/v1/archiveJobs/abc/portabilityArchiveState"),
        );
        check_path("archiveJobs/abc", Ok("/v1/archiveJobs/abc"));
        check_path("archiveJobs/a b", Ok("/v1/archiveJobs/a%20b"));
        check_path("archiveJobs/%2F", Ok("/v1/archiveJobs/%252F"));
        check_path("archiveJobs/é~ü", Ok("/v1/archiveJobs/%C3%A9~%C3%BC"));
        check_path("archiveJobs/a:b+c", Ok("/v1/archiveJobs/a%3Ab%2Bc"));
        check_path("archiveJobs/../../v2/x?y#z", Err("dot segment"));
        // `?` and `#` are encoded like any reserved character, so they cannot end the path.
        check_path("archiveJobs/a#b?c=d", Ok("/v1/archiveJobs/a%23b%3Fc%3Dd"));
        check_path("archiveJobs/%3F#", Ok("/v1/archiveJobs/%253F%23"));
        check_path("archiveJobs/../../v2/x", Err("dot segment"));
        check_path(
            "archiveJobs/.%2e/portabilityArchiveState",
            Err("dot segment"),
        );
        check_path("archiveJobs/%2E", Err("dot segment"));
        check_path("archiveJobs/./x", Err("dot segment"));
        check_path("archiveJobs//x", Err("empty segment"));
        check_path("", Err("is empty"));
    }

    #[test]
    fn path_patterns_are_checked_unless_turned_off() {
        let server = TestServer::start(vec![Reply::json(200, json!({}))]);
        let error = client::<M>(&server)
            .archive_jobs()
            .get_portability_archive_state("archiveJobs/abc")
            .send().wait()
            .unwrap_err();
        assert!(
            error
                .to_string()
                .contains("does not match the pattern \"^archiveJobs/[^/]+/portabilityArchiveState$\""),
            "{error}"
        );
        assert!(server.got_nothing());
        let relaxed = common::api(
            common::builder(&server)
                .check_path_patterns(false)
                .build_mode::<M>(),
        );
        relaxed
            .archive_jobs()
            .get_portability_archive_state("archiveJobs/abc")
            .send().wait()
            .unwrap();
        assert_eq!(server.next().target, "/v1/archiveJobs/abc");
    }

    #[test]
    fn query_parameters_are_form_encoded() {
        use google_dataportability_v1::model::methods::Xgafv;
        let server = TestServer::start(vec![Reply::json(200, json!({}))]);
        client::<M>(&server)
            .archive_jobs()
            .get_portability_archive_state("archiveJobs/a/portabilityArchiveState")
            .fields("state,urls(x)")
            .quota_user("a b&c=d/é~")
            .xgafv(Xgafv::V2)
            .pretty_print(true)
            .key("k")
            .send().wait()
            .unwrap();
        assert_eq!(
            server.next().target,
            "/v1/archiveJobs/a/portabilityArchiveState\
             ?fields=state%2Curls%28x%29&quotaUser=a+b%26c%3Dd%2F%C3%A9~&%24.xgafv=2&prettyPrint=true&key=k"
        );
    }

    #[test]
    fn google_json_errors_are_parsed_in_both_shapes() {
        let server = TestServer::start(vec![
            Reply::json(
                429,
                json!({"error": {
                    "code": 429,
                    "message": "Resource has been exhausted.",
                    "status": "RESOURCE_EXHAUSTED",
                    "details": [{
                        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                        "reason": "RESOURCE_EXHAUSTED_ONE_TIME",
                        "domain": "dataportability.googleapis.com",
                        "metadata": {"resource": "myactivity.search"}
                    }]
                }}),
            ),
            Reply::json(
                404,
                json!({"error": {
                    "code": 404,
                    "message": "Not Found",
                    "errors": [{"domain": "global", "reason": "notFound", "message": "Not Found"}]
                }}),
            ),
        ]);
        let client = client::<M>(&server);
        let error = client
            .portability_archive()
            .initiate(InitiatePortabilityArchiveRequest::default().set_resources(["myactivity.search"]))
            .send().wait()
            .unwrap_err();
        let api = error.api().unwrap();
        assert_eq!(api.status, 429);
        assert_eq!(api.canonical_status(), Some("RESOURCE_EXHAUSTED"));
        assert_eq!(api.reason(), Some("RESOURCE_EXHAUSTED_ONE_TIME"));
        let info = api.google.as_ref().unwrap().error_info.as_ref().unwrap();
        assert_eq!(info.metadata["resource"], "myactivity.search");
        assert_eq!(
            error.to_string(),
            "dataportability.portabilityArchive.initiate: HTTP 429 RESOURCE_EXHAUSTED: \
             Resource has been exhausted. (reason: RESOURCE_EXHAUSTED_ONE_TIME)"
        );

        let error = client
            .archive_jobs()
            .get_portability_archive_state("archiveJobs/x/portabilityArchiveState")
            .send().wait()
            .unwrap_err();
        let api = error.api().unwrap();
        assert_eq!(api.canonical_status(), None);
        assert_eq!(api.reason(), Some("notFound"));
        assert_eq!(
            error.to_string(),
            "dataportability.archiveJobs.getPortabilityArchiveState: HTTP 404: Not Found (reason: notFound)"
        );
    }

    #[test]
    fn non_json_error_bodies_are_kept_raw() {
        let html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
        let server = TestServer::start(vec![
            Reply::text(502, "text/html", html),
            Reply::text(502, "text/plain", ""),
        ]);
        let client = client::<M>(&server);
        let call = || state_error(&client);
        let error = call();
        let api = error.api().unwrap();
        assert_eq!(api.status, 502);
        assert!(api.google.is_none());
        assert_eq!(api.body, html.as_bytes());
        assert_eq!(api.header("Content-Type"), Some("text/html"));
        assert!(
            error.to_string().ends_with(&format!("HTTP 502: {html}")),
            "{error}"
        );

        let error = call();
        assert!(
            error.to_string().ends_with("HTTP 502 with an empty body"),
            "{error}"
        );
    }

    #[test]
    fn a_success_that_is_not_the_expected_json_is_a_decode_error() {
        let server = TestServer::start(vec![Reply::text(200, "text/plain", "surprise")]);
        let error = state_error(&client::<M>(&server));
        match &error {
            Error::Decode { status, body, .. } => {
                assert_eq!(*status, 200);
                assert_eq!(body, b"surprise");
            }
            other => panic!("expected a decode error, got {other:?}"),
        }
        assert!(
            error.to_string().contains("body starts: surprise"),
            "{error}"
        );
    }

    #[test]
    fn a_body_that_is_not_utf8_is_a_decode_error_that_says_where() {
        let mut reply = Reply::json(200, json!({}));
        reply.body = b"{\n  \"name\": \"caf\xe9\"\n}".to_vec();
        let server = TestServer::start(vec![reply]);
        match &state_error(&client::<M>(&server)) {
            Error::Decode { message, .. } => {
                assert_eq!(
                    message,
                    "invalid UTF-8 at line 2 column 15 (byte offset 16)"
                );
            }
            other => panic!("expected a decode error, got {other:?}"),
        }
    }

    #[test]
    fn prepare_shows_the_request_without_sending_it() {
        let server = TestServer::start(vec![]);
        let client = common::api(
            google_dataportability_v1::Client::builder()
                .root_url(&server.base_url)
                .api_key("AIza-secret-key")
                .build_mode::<M>(),
        );
        let prepared = client
            .portability_archive()
            .initiate(InitiatePortabilityArchiveRequest::default().set_resources(["myactivity.search"]))
            .quota_user("user 1")
            .prepare()
            .unwrap();
        assert_eq!(prepared.method, "POST");
        assert_eq!(
            prepared.url,
            format!(
                "{}v1/portabilityArchive:initiate?key=AIza-secret-key&quotaUser=user+1",
                server.base_url
            )
        );
        assert_eq!(
            prepared.body.as_deref(),
            Some(br#"{"resources":["myactivity.search"]}"#.as_slice())
        );
        assert!(
            prepared
                .headers
                .iter()
                .any(|(name, _)| name == "user-agent")
        );
        assert!(
            !prepared
                .headers
                .iter()
                .any(|(name, _)| name == "authorization")
        );
        let shown = format!("{prepared:?}");
        assert!(!shown.contains("AIza-secret-key"), "{shown}");
        assert!(shown.contains("key=<redacted>"), "{shown}");
        assert!(server.got_nothing());
    }

    #[test]
    fn secrets_never_appear_in_debug_output() {
        let server = TestServer::start(vec![]);
        let client = google_dataportability_v1::Client::builder()
            .root_url(&server.base_url)
            .token_source(google_dataportability_v1::runtime::StaticToken::new(
                "ya29.secret-token",
            ))
            .api_key("AIza-secret-key")
            .build_mode::<M>();
        let api = common::api(client.clone());
        let token = google_dataportability_v1::runtime::StaticToken::new("ya29.secret-token");
        // Request builders carry the values of credential parameters set on them.
        let builder = api
            .archive_jobs()
            .get_portability_archive_state("archiveJobs/a/portabilityArchiveState")
            .key("AIza-secret-call-key")
            .access_token("ya29.secret-call-token")
            .oauth_token("ya29.secret-oauth-token")
            .quota_user("user-1");
        for shown in [
            format!("{client:?}"),
            format!("{token:?}"),
            format!("{builder:?}"),
        ] {
            assert!(!shown.contains("secret"), "{shown}");
        }
        assert!(format!("{builder:?}").contains("user-1"));
    }

    #[test]
    fn passwords_in_the_root_url_stay_out_of_debug_and_errors() {
        let builder = google_dataportability_v1::Client::builder()
            .root_url("https://user:s3cret-pw@proxy.example/");
        assert!(!format!("{builder:?}").contains("s3cret-pw"));
        // Refused: an HTTP client would send it as `Authorization: Basic` beside the token.
        let error = builder.build().unwrap_err();
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains("s3cret-pw"), "{shown}");
        assert!(shown.contains("<redacted>@proxy.example"), "{shown}");
        let error = google_dataportability_v1::Client::builder()
            .root_url("ftp://user:s3cret-pw@proxy.example/")
            .build()
            .unwrap_err();
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains("s3cret-pw"), "{shown}");
        assert!(shown.contains("must be http or https"), "{shown}");
    }

    #[test]
    fn an_error_body_that_echoes_the_request_does_not_leak_credentials() {
        let echo =
            "400 Bad Request\nGET /v1/x?key=AIza-secret-key\nAuthorization: Bearer ya29.secret-token\n";
        let server = TestServer::start(vec![
            Reply::text(400, "text/plain", echo),
            Reply::json(
                400,
                json!({"error": {"code": 400, "message": "bad header: Bearer ya29.secret-token"}}),
            )
            .with_header("x-echo", "ya29.secret-token"),
            Reply::text(
                502,
                "text/plain",
                "proxy saw Authorization: Bearer other-secret-token",
            ),
        ]);
        let client = common::api(
            common::builder(&server)
                .api_key("AIza-secret-key")
                .retry_policy(google_dataportability_v1::runtime::RetryPolicy::disabled())
                .build_mode::<M>(),
        );
        // The credentials the client sent are removed from the error itself (raw body and
        // headers included); a token it did not send is redacted where the error is shown.
        for known_to_the_client in [true, true, false] {
            let error = state_error(&client);
            let mut shown = format!("{error} {error:?}");
            if known_to_the_client {
                let api = error.api().unwrap();
                shown += &format!(" {} {:?}", String::from_utf8_lossy(&api.body), api.headers);
            }
            assert!(!shown.contains("secret"), "{shown}");
            assert!(shown.contains("<redacted>"), "{shown}");
        }
    }

    #[test]
    fn error_debug_shows_bodies_as_text() {
        let server = TestServer::start(vec![
            Reply::text(503, "text/html", "<h1>Service Unavailable</h1>"),
            Reply::text(200, "text/plain", "not json"),
        ]);
        let client = client::<M>(&server);
        let call = || state_error(&client);
        for (error, text) in [
            (call(), "<h1>Service Unavailable</h1>"),
            (call(), "not json"),
        ] {
            let shown = format!("{error:?}");
            assert!(shown.contains(&format!("body: \"{text}\"")), "{shown}");
            assert!(!shown.contains("[60, "), "{shown}");
        }
    }

    #[test]
    fn scopes_are_listed_with_descriptions() {
        use google_dataportability_v1::Scope;
        assert_eq!(Scope::ALL.len(), 73);
        let search =
            Scope::from_url("https://www.googleapis.com/auth/dataportability.myactivity.search")
                .unwrap();
        assert_eq!(search, Scope::DataportabilityMyactivitySearch);
        assert!(!search.description().is_empty());
        assert!(
            Scope::ALL
                .iter()
                .all(|scope| !scope.description().is_empty())
        );
        let required = google_dataportability_v1::resources::PortabilityArchiveInitiateCall::SCOPES;
        assert!(required.contains(&search));
    }

    #[test]
    fn a_refused_connection_is_a_transport_error_without_the_url() {
        // Bind and drop a listener, so the port is (almost certainly) closed.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let client = common::api(
            google_dataportability_v1::Client::builder()
                .root_url(format!("http://127.0.0.1:{port}/"))
                .api_key("AIza-secret-key")
                .retry_policy(google_dataportability_v1::runtime::RetryPolicy::disabled())
                .build_mode::<M>(),
        );
        let error = client
            .archive_jobs()
            .get_portability_archive_state("archiveJobs/x/portabilityArchiveState")
            .send().wait()
            .unwrap_err();
        assert!(matches!(error, Error::Transport { .. }), "{error:?}");
        assert!(!error.to_string().contains("AIza-secret-key"), "{error}");
        assert!(
            !format!("{error:?}").contains("AIza-secret-key"),
            "{error:?}"
        );
    }

    #[test]
    fn media_downloads_go_to_the_download_service_with_alt_media_and_the_token() {
        static MEDIA: google_dataportability_v1::runtime::contract::MethodInfo =
            google_dataportability_v1::runtime::contract::MethodInfo {
                id: "example.files.get",
                http_method: "GET",
                path: "v1/files/{fileId}",
                path_patterns: &[],
                api_version: None,
                idempotency_key: None,
            };
        let server = TestServer::start(vec![Reply::text(
            200,
            "application/octet-stream",
            "the file's bytes",
        )]);
        let client = client::<M>(&server);
        let mut call = google_dataportability_v1::runtime::contract::Call::new(&MEDIA);
        call.set_path("fileId", "a b".to_owned());
        call.set_download_service(true);
        let mut download = M::download_media(client.service(), call).wait().unwrap();
        let content = M::read_to_end(&mut download).unwrap();
        assert_eq!(content, b"the file's bytes");
        assert_eq!(download.total_len(), Some(16));
        let request = server.next();
        assert_eq!(request.target, "/download/v1/files/a%20b?alt=media");
        assert_eq!(
            request.header("authorization"),
            Some("Bearer ya29.secret-token")
        );
    }

    /// A server on 127.0.0.1 that reads one request, writes `answer`, and then holds the connection
    /// open without sending more until `hold` has passed.
    fn stalling_server(answer: &'static str, hold: std::time::Duration) -> String {
        use std::io::{Read as _, Write as _};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut request = [0; 4096];
            let _ = stream.read(&mut request);
            let _ = stream.write_all(answer.as_bytes());
            std::thread::sleep(hold);
        });
        format!("http://{address}/archive.zip")
    }

    #[test]
    fn downloads_that_stall_fail_after_the_idle_timeout() {
        use std::time::{Duration, Instant};
        let client = google_dataportability_v1::Client::builder()
            .download_timeouts(Duration::from_millis(300), Duration::from_secs(30))
            .build_mode::<M>();

        // Headers and a few bytes, then nothing.
        let url = stalling_server(
            "HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nabc",
            Duration::from_secs(5),
        );
        let mut download = client.download(&url, 0).wait().unwrap();
        assert_eq!(download.total_len(), Some(100));
        let mut received = Vec::new();
        let started = Instant::now();
        let error = loop {
            match M::read_some(&mut download, 64) {
                Ok(bytes) if bytes.is_empty() => panic!("the download ended"),
                Ok(bytes) => received.extend(bytes),
                Err(error) => break error,
            }
        };
        assert_eq!(error.kind(), std::io::ErrorKind::TimedOut, "{error}");
        assert_eq!(received, b"abc");
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "{:?}",
            started.elapsed()
        );

        // No answer at all.
        let url = stalling_server("", Duration::from_secs(5));
        let started = Instant::now();
        let error = client.download(&url, 0).wait().unwrap_err();
        assert!(matches!(error, Error::TimedOut { .. }), "{error:?}");
        assert!(
            error.to_string().contains("sent nothing for 300ms"),
            "{error}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "{:?}",
            started.elapsed()
        );
    }

    /// A server on 127.0.0.1 that reads one request, writes `head`, then one byte of `rest`
    /// every `every` until it is out, holding the connection open.
    fn trickling_server(head: &'static str, rest: usize, every: std::time::Duration) -> String {
        use std::io::{Read as _, Write as _};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut request = [0; 4096];
            let _ = stream.read(&mut request);
            let _ = stream.write_all(head.as_bytes());
            for _ in 0..rest {
                std::thread::sleep(every);
                if stream.write_all(b" ").is_err() {
                    return;
                }
            }
        });
        format!("http://{address}/")
    }

    #[test]
    fn a_body_that_trickles_in_is_bounded_by_the_calls_time_and_not_retried() {
        use std::time::{Duration, Instant};
        // The head at once, then a byte of the body every 100 ms: 5 s in all.
        let root = trickling_server(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 50\r\n\r\n",
            50,
            Duration::from_millis(100),
        );
        let client = common::api(
            google_dataportability_v1::Client::builder()
                .root_url(&root)
                .timeout(Duration::from_millis(500))
                .build_mode::<M>(),
        );
        let started = Instant::now();
        let error = client
            .archive_jobs()
            .get_portability_archive_state("archiveJobs/x/portabilityArchiveState")
            .send()
            .wait()
            .unwrap_err();
        match &error {
            Error::Transport { source, .. } => assert!(source.is_timeout(), "{error}"),
            other => panic!("expected a timeout, got {other:?}"),
        }
        // One deadline for the head and the body alike; and an answer that began is not sent
        // again (the server takes one connection: a retry would wait out another timeout).
        let elapsed = started.elapsed();
        assert!(elapsed >= Duration::from_millis(450), "{elapsed:?}");
        assert!(elapsed < Duration::from_millis(900), "{elapsed:?}");
    }

    #[test]
    fn a_download_that_keeps_trickling_ends_at_its_total_time() {
        use std::time::{Duration, Instant};
        let client = google_dataportability_v1::Client::builder()
            .download_timeouts(Duration::from_secs(2), Duration::from_millis(600))
            .build_mode::<M>();
        // Never idle for long, never done.
        let url = trickling_server(
            "HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n",
            100,
            Duration::from_millis(50),
        );
        let started = Instant::now();
        let mut download = client.download(&url, 0).wait().unwrap();
        let error = loop {
            match M::read_some(&mut download, 64) {
                Ok(bytes) if bytes.is_empty() => panic!("the download ended"),
                Ok(_) => continue,
                Err(error) => break error,
            }
        };
        let elapsed = started.elapsed();
        assert!(error.to_string().contains("timed out"), "{error}");
        assert!(elapsed >= Duration::from_millis(550), "{elapsed:?}");
        assert!(elapsed < Duration::from_millis(1500), "{elapsed:?}");
    }

    #[test]
    fn https_starts_with_a_tls_handshake_and_a_server_without_tls_is_a_connect_error() {
        use std::io::{Read as _, Write as _};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let (first_bytes, received) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut bytes = [0; 5];
            let _ = stream.read_exact(&mut bytes);
            let _ = first_bytes.send(bytes);
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}");
        });
        let client = common::api(
            google_dataportability_v1::Client::builder()
                .root_url(format!("https://{address}/"))
                .token_source(google_dataportability_v1::runtime::StaticToken::new(
                    "ya29.secret-token",
                ))
                .retry_policy(google_dataportability_v1::runtime::RetryPolicy::disabled())
                .build_mode::<M>(),
        );
        let error = state_error(&client);
        // A TLS record of type handshake (22) and version 3.x: nothing went in the clear.
        let bytes = received.recv_timeout(std::time::Duration::from_secs(10)).unwrap();
        assert_eq!(&bytes[..2], &[22, 3], "{bytes:?}");
        match &error {
            Error::Transport { source, .. } => assert!(source.is_connect(), "{source}"),
            other => panic!("{other:?}"),
        }
        assert!(!format!("{error} {error:?}").contains("secret"), "{error:?}");
    }
}
