//! What Google's servers expect on the wire that a Discovery document says, checked on a
//! compute-shaped method against a server on 127.0.0.1: `X-Goog-Api-Version` from the method's
//! `apiVersion`, an idempotency key (`requestId`) the client fills once and keeps across a 503
//! retry of a POST, and `x-goog-user-project` from the builder or from the token source.

#[path = "support/modes.rs"]
mod modes;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use google_api_runtime::contract::{Call, MethodInfo, Service, ServiceInfo, ignore};
use google_api_runtime::{AccessToken, Client, Error, RetryPolicy, StaticToken, TokenSource};
use modes::{Mode, both_modes};

static COMPUTE: ServiceInfo = ServiceInfo {
    name: "compute",
    version: "v1",
    revision: "20251201",
    root_url: "https://compute.example.com/",
    service_path: "compute/v1/",
    crate_agent: "compute/0.1.0",
};

/// `compute.instances.insert`, as the generator writes it from compute.v1's document.
static INSERT: MethodInfo = MethodInfo {
    id: "compute.instances.insert",
    http_method: "POST",
    path: "projects/{project}/zones/{zone}/instances",
    path_patterns: &[],
    api_version: Some("2026-11-01"),
    idempotency_key: Some("requestId"),
};

/// A POST with no idempotency key and no API version.
static RESET: MethodInfo = MethodInfo {
    id: "compute.instances.reset",
    http_method: "POST",
    path: "projects/{project}/zones/{zone}/instances/{instance}/reset",
    path_patterns: &[],
    api_version: None,
    idempotency_key: None,
};

/// One request as the server saw it: its URL and headers (lower-case names).
#[derive(Debug, Clone)]
struct Seen {
    url: String,
    headers: Vec<(String, String)>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    fn query(&self, name: &str) -> Option<String> {
        let (_, query) = self.url.split_once('?')?;
        query
            .split('&')
            .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
            .map(str::to_owned)
    }
}

/// A server that answers the first request 503 and every later one 200 `{}`, and keeps what
/// it saw; its root URL and the requests.
fn flaky_server() -> (String, Arc<Mutex<Vec<Seen>>>) {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let root = format!("http://{}/", server.server_addr().to_ip().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&seen);
    std::thread::spawn(move || {
        for request in server.incoming_requests() {
            let headers = request
                .headers()
                .iter()
                .map(|h| {
                    (
                        h.field.to_string().to_ascii_lowercase(),
                        h.value.to_string(),
                    )
                })
                .collect();
            let mut seen = kept.lock().unwrap();
            seen.push(Seen {
                url: request.url().to_owned(),
                headers,
            });
            let status = if seen.len() == 1 { 503 } else { 200 };
            drop(seen);
            let _ =
                request.respond(tiny_http::Response::from_string("{}").with_status_code(status));
        }
    });
    (root, seen)
}

fn retrying() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(3)
        .initial_backoff(Duration::from_millis(10))
}

fn insert() -> Call {
    let mut call = Call::new(&INSERT);
    call.set_path("project", "p".to_owned());
    call.set_path("zone", "us-central1-a".to_owned());
    call.set_json_body(&serde_json::json!({"name": "vm-1"}))
        .unwrap();
    call
}

fn send<M: Mode>(client: &M, call: Call) -> Result<(), Error> {
    let service = Service::new(client, &COMPUTE);
    M::wait(M::execute(&service, Ok(call), ignore))
}

fn is_uuid_v4(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.iter().map(|group| group.len()).eq([8, 4, 4, 4, 12])
        && text.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
        && groups[2].starts_with('4')
        && matches!(groups[3].chars().next(), Some('8' | '9' | 'a' | 'b'))
}

fn keyed_post_is_retried_with_one_request_id<M: Mode>() {
    let (root, seen) = flaky_server();
    let client = M::build(
        Client::builder()
            .root_url(&root)
            .token_source(StaticToken::new("token-1"))
            .retry_policy(retrying()),
    );
    send(&client, insert()).unwrap();
    let seen_handle = seen;
    let seen = seen_by_server(&seen_handle);
    assert_eq!(seen.len(), 2, "the 503 was retried once: {seen:?}");
    let first = seen[0].query("requestId").expect("a request id was filled");
    assert!(is_uuid_v4(&first), "{first}");
    assert_eq!(
        seen[1].query("requestId"),
        Some(first.clone()),
        "kept across the retry"
    );
    for request in &seen {
        assert_eq!(request.header("x-goog-api-version"), Some("2026-11-01"));
        assert_eq!(request.header("x-goog-user-project"), None);
    }
    // The next call gets a key of its own.
    send(&client, insert()).unwrap();
    let next = seen_by_server(&seen_handle)
        .last()
        .unwrap()
        .query("requestId");
    assert_ne!(next.as_deref(), Some(first.as_str()));
}

fn seen_by_server(seen: &Arc<Mutex<Vec<Seen>>>) -> Vec<Seen> {
    seen.lock().unwrap().clone()
}

fn a_request_id_the_caller_set_is_kept<M: Mode>() {
    let (root, seen) = flaky_server();
    let client = M::build(Client::builder().root_url(&root).retry_policy(retrying()));
    let mut call = insert();
    call.set_query("requestId", "caller-chosen-id".to_owned());
    send(&client, call).unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    for request in &seen {
        assert_eq!(
            request.query("requestId").as_deref(),
            Some("caller-chosen-id")
        );
    }
}

fn a_post_without_a_key_is_not_retried<M: Mode>() {
    let (root, seen) = flaky_server();
    let client = M::build(Client::builder().root_url(&root).retry_policy(retrying()));
    let mut call = Call::new(&RESET);
    for (name, value) in [("project", "p"), ("zone", "z"), ("instance", "vm-1")] {
        call.set_path(name, value.to_owned());
    }
    let error = send(&client, call).unwrap_err();
    assert_eq!(error.http_status(), Some(503));
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "a POST without a key is sent once");
    assert_eq!(seen[0].query("requestId"), None);
    assert_eq!(seen[0].header("x-goog-api-version"), None);
}

/// A token source whose credentials name a quota project.
struct Billed;

impl TokenSource for Billed {
    fn token(&self) -> Result<AccessToken, Error> {
        Ok(AccessToken::new("token-2"))
    }

    fn is_immediate(&self) -> bool {
        true
    }

    fn quota_project(&self) -> Option<String> {
        Some("billed-by-credentials".to_owned())
    }
}

fn the_quota_project_is_sent_on_every_request<M: Mode>() {
    for (builder_project, expected) in [
        (None, "billed-by-credentials"),
        (Some("billed-by-builder"), "billed-by-builder"),
    ] {
        let (root, seen) = flaky_server();
        let mut builder = Client::builder()
            .root_url(&root)
            .token_source(Billed)
            .retry_policy(retrying());
        if let Some(project) = builder_project {
            builder = builder.quota_project(project);
        }
        send(&M::build(builder), insert()).unwrap();
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 2);
        for request in &seen {
            assert_eq!(request.header("x-goog-user-project"), Some(expected));
        }
    }
}

#[test]
fn a_quota_project_that_could_end_a_header_is_refused() {
    let error = Client::builder()
        .quota_project("project\r\nx-injected: 1")
        .build()
        .unwrap_err();
    assert!(matches!(error, Error::Config { .. }), "{error}");
}

both_modes!(
    keyed_post_is_retried_with_one_request_id,
    a_request_id_the_caller_set_is_kept,
    a_post_without_a_key_is_not_retried,
    the_quota_project_is_sent_on_every_request,
);
