//! Two crates generated months apart, in one program on one runtime: the Tasks crate of
//! `tests/generations/contract-3/` (generated for version 3 of the runtime's contract, before
//! version 4 existed, and never regenerated) beside the committed Data Portability crate
//! (generated for the newest version), both calling a server on 127.0.0.1 through one client.
//! While this builds, the runtime serves both versions; a change to the runtime that breaks
//! version 3 fails here until `contract::OLDEST` moves and the runtime takes a breaking bump.

use std::sync::mpsc;
use std::thread;

use google_dataportability_v1::prelude::{Client, DataPortability};
use google_dataportability_v1::runtime::StaticToken;
use google_dataportability_v1::runtime::contract;
use google_tasks_v1::prelude::Tasks;

/// One request as the server saw it: method, URL, and the `User-Agent` header.
type Seen = (String, String, String);

/// A server that answers every request with a body that suits both calls, and reports what it
/// was asked; it serves until the test process ends, outliving the client.
fn serve() -> (String, mpsc::Receiver<Seen>) {
    let server = tiny_http::Server::http("127.0.0.1:0").expect("a local port");
    let url = format!("http://{}/", server.server_addr());
    let (sender, seen) = mpsc::channel();
    thread::spawn(move || {
        for request in server.incoming_requests() {
            let user_agent = request
                .headers()
                .iter()
                .find(|header| header.field.equiv("User-Agent"))
                .map(|header| header.value.to_string())
                .unwrap_or_default();
            let _ = sender.send((
                request.method().to_string(),
                request.url().to_owned(),
                user_agent,
            ));
            let body = if request.url().starts_with("/tasks/") {
                r#"{"kind":"tasks#taskLists","items":[{"id":"l1","title":"Groceries"}]}"#
            } else {
                r#"{"archiveJobId":"job-1","urls":[]}"#
            };
            let json = tiny_http::Header::from_bytes("Content-Type", "application/json")
                .expect("a valid header");
            let _ = request.respond(tiny_http::Response::from_string(body).with_header(json));
        }
    });
    (url, seen)
}

#[test]
fn the_runtime_serves_the_contract_of_each_crate() {
    // What each crate's compile-time check asked of the runtime this test links.
    assert!(contract::supports(3) && contract::supports(4));
    assert!(contract::supports(codegen::CONTRACT));
    assert_eq!(contract::NEWEST, codegen::CONTRACT);
    assert!(!contract::supports(contract::OLDEST - 1));
}

/// `major.minor.patch` of a version or requirement (missing parts are 0).
fn parts(version: &str) -> [u64; 3] {
    let mut parts = [0; 3];
    for (part, text) in parts.iter_mut().zip(version.split('.')) {
        *part = text.parse().expect("a numeric version");
    }
    parts
}

#[test]
fn generated_crates_require_a_runtime_that_serves_them() {
    // The requirement is the first runtime version that serves the contract, read by Cargo as
    // `^`: the runtime in the repository must be that version or a compatible later one.
    let manifest = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../runtime/Cargo.toml"
    ))
    .expect("the runtime's manifest");
    let version = manifest
        .lines()
        .find_map(|line| line.strip_prefix("version = "))
        .expect("the runtime's version")
        .trim_matches('"');
    let (have, want) = (parts(version), parts(codegen::RUNTIME_VERSION));
    let same_series = if want[0] > 0 {
        have[0] == want[0]
    } else {
        have[..2] == want[..2]
    };
    assert!(
        same_series && have >= want,
        "the runtime is {version}, which `^{}` does not match",
        codegen::RUNTIME_VERSION
    );
}

#[test]
fn crates_of_two_contract_versions_share_one_client() {
    let (url, seen) = serve();
    let client = Client::builder()
        .token_source(StaticToken::new("token"))
        .build()
        .expect("a client");
    let tasks = Tasks::with_root_url(&client, &url).expect("a local root URL");
    let portability = DataPortability::with_root_url(&client, &url).expect("a local root URL");

    let lists = tasks.tasklists().list().send().expect("the list");
    let titles: Vec<_> = lists
        .items
        .iter()
        .flatten()
        .filter_map(|list| list.title.clone())
        .collect();
    assert_eq!(titles, ["Groceries"]);
    let job = portability
        .portability_archive()
        .initiate(Default::default())
        .send()
        .expect("the archive job");
    assert_eq!(job.archive_job_id.as_deref(), Some("job-1"));

    let (method, path, agent) = seen.recv().expect("the first request");
    assert_eq!(
        (method.as_str(), path.as_str()),
        ("GET", "/tasks/v1/users/@me/lists")
    );
    assert!(agent.contains("google-tasks-v1/0.1.0"), "{agent}");
    let (method, path, agent) = seen.recv().expect("the second request");
    assert_eq!(
        (method.as_str(), path.as_str()),
        ("POST", "/v1/portabilityArchive:initiate")
    );
    assert!(agent.contains("google-dataportability-v1/"), "{agent}");
}
