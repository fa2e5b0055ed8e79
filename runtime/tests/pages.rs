//! Pagination against a server on 127.0.0.1 that serves pages: through whole pages and through
//! items, with an empty page in the middle, a repeated token, and an error on a page.

mod common;
#[path = "support/modes.rs"]
mod modes;

use common::{Reply, TestServer};
use google_api_runtime::contract::{Call, Decode, MethodInfo, Response, Service, ServiceInfo};
use google_api_runtime::{Client, Error, Page, PageItems, RetryPolicy};
use modes::{Mode, all_items, all_pages, both_modes};
use serde_json::json;

static INFO: ServiceInfo = ServiceInfo {
    name: "things",
    version: "v1",
    revision: "1",
    root_url: "https://things.example.com/",
    service_path: "",
    crate_agent: "things/0.1.0",
};

static LIST: MethodInfo = MethodInfo {
    id: "things.things.list",
    http_method: "GET",
    path: "v1/things",
    path_patterns: &[],
    api_version: None,
    idempotency_key: None,
};

/// One page of things, as a generated list response would be.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ThingsPage {
    things: Option<Vec<String>>,
    next_page_token: Option<String>,
}

impl Page for ThingsPage {
    fn next_page_token(&self) -> Option<&str> {
        self.next_page_token.as_deref()
    }
}

impl Decode for ThingsPage {
    fn decode(response: Response) -> Result<Self, Error> {
        response.json()
    }
}

impl PageItems for ThingsPage {
    type Item = String;

    fn into_items(self) -> Vec<String> {
        self.things.unwrap_or_default()
    }
}

fn page(things: &[&str], next: Option<&str>) -> Reply {
    let mut body = json!({"things": things});
    if let Some(next) = next {
        body["nextPageToken"] = json!(next);
    }
    Reply::json(200, body)
}

fn service<M: Mode>(server: &TestServer) -> Service<M> {
    let client = M::build(
        Client::builder()
            .root_url(&server.base_url)
            .retry_policy(RetryPolicy::disabled()),
    );
    Service::new(&client, &INFO)
}

/// The list call, with `pageSize` set and, optionally, a page token to start from.
fn list(start: Option<&str>) -> Call {
    let mut call = Call::new(&LIST);
    call.set_query("pageSize", "2".to_owned());
    if let Some(token) = start {
        call.set_query("pageToken", token.to_owned());
    }
    call
}

fn pages_follow_next_page_token_through_an_empty_page_to_the_end<M: Mode>() {
    let server = TestServer::start(vec![
        page(&["a", "b"], Some("t1")),
        page(&[], Some("t2")),
        page(&["c"], Some("")),
    ]);
    let service = service::<M>(&server);
    let pages: Vec<ThingsPage> = all_pages::<M, _>(M::pages(&service, Ok(list(None))))
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(pages.len(), 3);
    let targets: Vec<String> = (0..3).map(|_| server.next().target).collect();
    assert_eq!(
        targets,
        [
            "/v1/things?pageSize=2",
            "/v1/things?pageSize=2&pageToken=t1",
            "/v1/things?pageSize=2&pageToken=t2",
        ]
    );
    assert!(server.got_nothing(), "an empty token ends the list");

    // Items, from a page token the caller had: the empty page is passed over.
    let server = TestServer::start(vec![
        page(&["c", "d"], Some("t3")),
        page(&[], Some("t4")),
        page(&["e"], None),
    ]);
    let service = self::service::<M>(&server);
    let items: Vec<String> =
        all_items::<M, ThingsPage>(M::items(M::pages(&service, Ok(list(Some("t2"))))))
            .into_iter()
            .collect::<Result<_, _>>()
            .unwrap();
    assert_eq!(items, ["c", "d", "e"]);
    assert_eq!(server.next().target, "/v1/things?pageSize=2&pageToken=t2");
}

fn a_repeated_token_is_an_error_not_a_loop<M: Mode>() {
    let server = TestServer::start(vec![
        page(&["a"], Some("t1")),
        page(&["b"], Some("t2")),
        page(&["c"], Some("t1")),
        page(&["never"], None),
    ]);
    let service = service::<M>(&server);
    let results: Vec<Result<String, Error>> =
        all_items::<M, ThingsPage>(M::items(M::pages(&service, Ok(list(None)))));
    let items: Vec<&str> = results
        .iter()
        .filter_map(|result| result.as_ref().ok())
        .map(String::as_str)
        .collect();
    assert_eq!(items, ["a", "b", "c"]);
    let error = results.last().unwrap().as_ref().unwrap_err();
    assert!(matches!(error, Error::Protocol { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .contains("page token \"t1\" a second time"),
        "{error}"
    );
    assert_eq!(results.len(), 4, "the error ends the iteration");
    for _ in 0..3 {
        server.next();
    }
    assert!(server.got_nothing());
}

fn an_error_on_a_page_is_yielded_once_and_ends_the_iteration<M: Mode>() {
    let server = TestServer::start(vec![
        page(&["a", "b"], Some("t1")),
        Reply::json(
            400,
            json!({"error": {"code": 400, "message": "bad page", "status": "INVALID_ARGUMENT"}}),
        ),
        page(&["never"], None),
    ]);
    let service = service::<M>(&server);
    let mut pages = M::pages::<ThingsPage>(&service, Ok(list(None)));
    assert!(M::next_page(&mut pages).unwrap().is_ok());
    let error = M::next_page(&mut pages).unwrap().unwrap_err();
    assert_eq!(error.http_status(), Some(400));
    assert!(M::next_page(&mut pages).is_none());

    let server = TestServer::start(vec![
        page(&["a", "b"], Some("t1")),
        Reply::json(503, json!({"error": {"code": 503, "message": "down"}})),
    ]);
    let service = self::service::<M>(&server);
    let results = all_items::<M, ThingsPage>(M::items(M::pages(&service, Ok(list(None)))));
    assert_eq!(results.len(), 3);
    assert!(results[..2].iter().all(Result::is_ok));
    assert_eq!(results[2].as_ref().unwrap_err().http_status(), Some(503));
}

fn items_give_up_after_too_many_empty_pages_in_a_row<M: Mode>() {
    // A server that sends pages without items, each with a new token, for ever.
    let replies = (0..150)
        .map(|n| page(&[], Some(&format!("t{n}"))))
        .collect();
    let server = TestServer::start(replies);
    let service = service::<M>(&server);
    let mut items = M::items(M::pages::<ThingsPage>(&service, Ok(Call::new(&LIST))));
    let first = M::next_item(&mut items).expect("the iterator yields");
    assert!(
        matches!(&first, Err(Error::Protocol { message, .. }) if message.contains("100 pages in a row")),
        "{first:?}"
    );
    assert!(
        M::next_item(&mut items).is_none(),
        "the error ends the iteration"
    );
    let mut fetched = 0;
    while !server.got_nothing() {
        fetched += 1;
    }
    assert_eq!(fetched, 100);

    // The bound is the caller's to raise; items after empty pages still come.
    let mut replies: Vec<Reply> = (0..5).map(|n| page(&[], Some(&format!("u{n}")))).collect();
    replies.push(page(&["a"], None));
    let server = TestServer::start(replies);
    let service = self::service::<M>(&server);
    let items = M::items(M::pages::<ThingsPage>(&service, Ok(Call::new(&LIST))));
    let items: Vec<String> = all_items::<M, ThingsPage>(M::max_empty_pages(items, 6))
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(items, ["a"]);
}

both_modes!(
    pages_follow_next_page_token_through_an_empty_page_to_the_end,
    a_repeated_token_is_an_error_not_a_loop,
    an_error_on_a_page_is_yielded_once_and_ends_the_iteration,
    items_give_up_after_too_many_empty_pages_in_a_row,
);
