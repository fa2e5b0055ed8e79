//! Redirects of GET calls against real servers on 127.0.0.1: followed within the limit, with the
//! token kept on the same origin and dropped for good once a hop leaves it, and refused when they
//! point somewhere a request must not go.

#[path = "support/modes.rs"]
mod modes;

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use google_api_runtime::{Error, RetryPolicy, StaticToken};
use google_dataportability_v1::DataPortability;
use modes::{BuildMode as _, Wait as _, cases};

/// One request a server got: its target and its `Authorization` header.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    target: String,
    authorization: Option<String>,
}

/// A server on 127.0.0.1 that answers each request with `answer(target)`: a status and a
/// `Location`, or `None` for the archive state as JSON.
struct Server {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    fn start(answer: impl Fn(&str) -> Option<(u16, String)> + Send + 'static) -> Server {
        let server = tiny_http::Server::http("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = server.server_addr().to_ip().unwrap().port();
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let record = Arc::clone(&seen);
        std::thread::spawn(move || {
            while let Ok(Some(request)) = server.recv_timeout(Duration::from_secs(10)) {
                let authorization = request
                    .headers()
                    .iter()
                    .find(|header| header.field.equiv("authorization"))
                    .map(|header| header.value.to_string());
                let target = request.url().to_owned();
                record.lock().unwrap().push(Seen {
                    target: target.clone(),
                    authorization,
                });
                let response = match answer(&target) {
                    Some((status, location)) => tiny_http::Response::from_string("")
                        .with_status_code(status)
                        .with_header(
                            tiny_http::Header::from_bytes("Location", location.as_bytes()).unwrap(),
                        ),
                    None => tiny_http::Response::from_string(r#"{"state": "COMPLETE"}"#)
                        .with_header(
                            tiny_http::Header::from_bytes("Content-Type", "application/json")
                                .unwrap(),
                        ),
                };
                let _ = request.respond(response);
            }
        });
        Server {
            url: format!("http://127.0.0.1:{port}/"),
            seen,
        }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

const TOKEN: &str = "Bearer ya29.redirect-token";
const STATE: &str = "/v1/archiveJobs/x/portabilityArchiveState";

cases! {
    /// Asks `server` for an archive's state with a static token and no retries.
    fn state(server: &Server) -> Result<(), Error> {
        let client = google_api_runtime::Client::builder()
            .root_url(&server.url)
            .token_source(StaticToken::new("ya29.redirect-token"))
            .retry_policy(RetryPolicy::disabled())
            .build_mode::<M>();
        DataPortability::new(&client)
            .archive_jobs()
            .get_portability_archive_state("archiveJobs/x/portabilityArchiveState")
            .send()
            .wait()
            .map(drop)
    }

    fn seen(target: &str, authorization: Option<&str>) -> Seen {
        Seen {
            target: target.to_owned(),
            authorization: authorization.map(str::to_owned),
        }
    }

    #[test]
    fn a_redirect_on_the_same_server_keeps_the_token() {
        let server = Server::start(|target| {
            (target == STATE).then(|| (302, "/moved".to_owned()))
        });
        state(&server).unwrap();
        assert_eq!(
            server.seen(),
            [seen(STATE, Some(TOKEN)), seen("/moved", Some(TOKEN))]
        );
    }

    #[test]
    fn a_token_never_follows_a_redirect_to_another_server_nor_comes_back() {
        // The API server sends the call to another server, which sends it back.
        let api_url: Arc<OnceLock<String>> = Arc::default();
        let back = Arc::clone(&api_url);
        let elsewhere = Server::start(move |_| Some((307, format!("{}back", back.get().unwrap()))));
        let there = format!("{}there", elsewhere.url);
        let api = Server::start(move |target| (target == STATE).then(|| (303, there.clone())));
        api_url.set(api.url.clone()).unwrap();
        state(&api).unwrap();
        assert_eq!(api.seen(), [seen(STATE, Some(TOKEN)), seen("/back", None)]);
        assert_eq!(elsewhere.seen(), [seen("/there", None)]);
    }

    #[test]
    fn ten_redirects_are_followed_and_the_eleventh_is_refused() {
        let hops = |limit: usize| {
            move |target: &str| {
                let hop: usize = target.trim_start_matches("/hop").parse().unwrap_or(0);
                (hop < limit).then(|| (301, format!("/hop{}", hop + 1)))
            }
        };
        let server = Server::start(hops(10));
        state(&server).unwrap();
        assert_eq!(server.seen().len(), 11);
        let server = Server::start(hops(11));
        let error = state(&server).unwrap_err();
        assert!(error.to_string().contains("more than 10 redirects"), "{error}");
        assert_eq!(server.seen().len(), 11, "the eleventh redirect is not followed");
    }

    #[test]
    fn redirects_to_user_information_or_other_schemes_are_refused() {
        for location in ["http://user:pw@127.0.0.1:9/", "ftp://127.0.0.1/file", "file:///etc/passwd"] {
            let server = Server::start(move |_| Some((302, location.to_owned())));
            let error = state(&server).unwrap_err();
            let transport = match &error {
                Error::Transport { source, .. } => source,
                other => panic!("{location}: {other:?}"),
            };
            assert!(!transport.is_connect(), "{location}: {transport}");
            assert!(transport.to_string().contains("redirect"), "{location}: {transport}");
            assert!(!error.to_string().contains("pw@"), "{location}: {error}");
            assert_eq!(server.seen().len(), 1, "{location}");
        }
    }

    #[test]
    fn a_308_is_the_answer_not_a_redirect() {
        let server = Server::start(|_| Some((308, "/elsewhere".to_owned())));
        let error = state(&server).unwrap_err();
        assert_eq!(error.api().map(|api| api.status), Some(308), "{error:?}");
        assert_eq!(server.seen().len(), 1);
    }
}
