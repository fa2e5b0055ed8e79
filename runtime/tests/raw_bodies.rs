//! Raw request and response bodies (Google's `HttpBody`) over HTTP on 127.0.0.1: the bytes and
//! the content type go as they are, in both directions, not as JSON.

mod common;
#[path = "support/modes.rs"]
mod modes;

use common::{Reply, TestServer};
use google_api_runtime::contract::{Call, MethodInfo, Service, ServiceInfo};
use google_api_runtime::{Client, RetryPolicy};
use modes::{Mode, both_modes};

static INFO: ServiceInfo = ServiceInfo {
    name: "rawbodies",
    version: "v1",
    revision: "1",
    root_url: "https://rawbodies.example.com/",
    service_path: "",
    crate_agent: "rawbodies/0.1.0",
};

static TRANSFORM: MethodInfo = MethodInfo {
    id: "rawbodies.blobs.transform",
    http_method: "POST",
    path: "v1/blobs:transform",
    path_patterns: &[],
    api_version: None,
    idempotency_key: None,
};

fn raw_bodies_keep_their_bytes_and_content_type<M: Mode>() {
    let binary: Vec<u8> = (0..=255).collect();
    let server = TestServer::start(vec![
        Reply {
            status: 200,
            headers: vec![("content-type".to_owned(), "image/png".to_owned())],
            body: binary.clone(),
            delay: std::time::Duration::ZERO,
        },
        Reply::text(200, "text/csv", "a,b\n1,2\n"),
    ]);
    let client = M::build(
        Client::builder()
            .root_url(&server.base_url)
            .retry_policy(RetryPolicy::disabled()),
    );
    let service = Service::new(&client, &INFO);

    let mut call = Call::new(&TRANSFORM);
    call.set_raw_body(
        b"\x00\x01 not json".to_vec(),
        Some("application/x-thing".to_owned()),
    );
    let (content_type, data) = M::wait(M::execute(&service, Ok(call), Ok)).unwrap().raw();
    assert_eq!(content_type.as_deref(), Some("image/png"));
    assert_eq!(data, binary, "binary bytes are not decoded as JSON");
    let sent = server.next();
    assert_eq!(sent.body, b"\x00\x01 not json");
    assert_eq!(sent.header("content-type"), Some("application/x-thing"));

    // Without a content type, raw bytes are `application/octet-stream`.
    let mut call = Call::new(&TRANSFORM);
    call.set_raw_body(Vec::new(), None);
    let (content_type, data) = M::wait(M::execute(&service, Ok(call), Ok)).unwrap().raw();
    assert_eq!(content_type.as_deref(), Some("text/csv"));
    assert_eq!(data, b"a,b\n1,2\n");
    let sent = server.next();
    assert_eq!(
        sent.header("content-type"),
        Some("application/octet-stream")
    );
    assert!(sent.body.is_empty());
}

both_modes!(raw_bodies_keep_their_bytes_and_content_type,);
