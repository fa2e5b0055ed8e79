//! What only the async client has: futures that are `Send` and can be dropped mid-way, pages and
//! items as `Stream`s, downloads as `AsyncRead`; and what a blocking client does inside an async
//! task (it says to use the async one, never panics). Against servers on 127.0.0.1 that outlive
//! the clients.

mod common;
#[path = "support/media_api.rs"]
mod media_api;
#[path = "support/media_server.rs"]
mod media_server;
#[path = "support/modes.rs"]
mod modes;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Reply, TestServer, builder};
use google_api_runtime::contract::{Call, Service};
use google_api_runtime::{AsyncClient, CHUNK_GRANULARITY, Client, Error, RetryPolicy, StaticToken};
use google_dataportability_v1::DataPortability;
use google_dataportability_v1::resources::StandardParameters as _;
use media_api::{ANY, INFO, INSERT};
use media_server::{Fault, MediaServer};
use serde_json::json;
use tokio::io::AsyncReadExt as _;

const STATE: &str = "archiveJobs/j/portabilityArchiveState";

fn state_reply() -> Reply {
    Reply::json(200, json!({"name": STATE, "state": "COMPLETE"}))
}

/// Fails to compile unless `value` is `Send`: what a multi-threaded runtime needs.
fn assert_send<T: Send>(value: T) -> T {
    value
}

#[test]
fn async_calls_are_send_and_read_as_the_blocking_ones_plus_await() {
    let server = TestServer::start(vec![state_reply()]);
    let client = builder(&server).build_async().unwrap();
    let api = DataPortability::new(&client);
    let state = modes::runtime()
        .block_on(async {
            // Spawned on a multi-threaded runtime: the future must be `Send`.
            let api = api.clone();
            tokio::spawn(async move {
                assert_send(
                    api.archive_jobs()
                        .get_portability_archive_state(STATE)
                        .fields("state")
                        .send(),
                )
                .await
            })
            .await
        })
        .unwrap()
        .unwrap();
    assert_eq!(state.name.as_deref(), Some(STATE));
    assert_eq!(
        server.next().target,
        "/v1/archiveJobs/j/portabilityArchiveState?fields=state"
    );
}

#[test]
fn a_blocking_call_inside_an_async_task_is_an_error_not_a_panic() {
    let server = TestServer::start(vec![state_reply()]);
    let client = builder(&server).build().unwrap();
    let api = DataPortability::new(&client);
    let call = || {
        api.archive_jobs()
            .get_portability_archive_state(STATE)
            .send()
    };
    // In `block_on`, and in a task of a multi-threaded runtime.
    let error = modes::runtime().block_on(async { call() }).unwrap_err();
    assert!(
        matches!(&error, Error::InvalidRequest { message, .. } if message.contains("use an `AsyncClient`")),
        "{error}"
    );
    let current = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let error = current.block_on(async { call() }).unwrap_err();
    assert!(error.to_string().contains("build_async()"), "{error}");
    let in_task = {
        let client = client.clone();
        modes::runtime().block_on(async move {
            tokio::spawn(async move {
                let api = DataPortability::new(&client);
                api.archive_jobs()
                    .get_portability_archive_state(STATE)
                    .send()
                    .map(drop)
            })
            .await
            .unwrap()
        })
    };
    assert!(in_task.is_err());
    assert!(server.got_nothing(), "nothing was sent from inside a task");

    // In `spawn_blocking`, where blocking is what the thread is for, the call goes through;
    // and so does a download read there, and a blocking client dropped inside a task.
    let answered = modes::runtime()
        .block_on(modes::runtime().spawn_blocking(move || call_state(&client)))
        .unwrap();
    assert_eq!(answered.unwrap(), STATE);
    let client = builder(&server).build().unwrap();
    modes::runtime().block_on(async move { drop(client) });
}

fn call_state(client: &Client) -> Result<String, Error> {
    let api = DataPortability::new(client);
    let state = api
        .archive_jobs()
        .get_portability_archive_state(STATE)
        .send()?;
    Ok(state.name.unwrap_or_default())
}

#[test]
fn dropping_an_async_call_mid_way_cancels_it_and_the_client_goes_on() {
    let server = TestServer::start(vec![
        state_reply().after(Duration::from_secs(3)),
        state_reply(),
    ]);
    let client = builder(&server)
        .retry_policy(RetryPolicy::disabled())
        .build_async()
        .unwrap();
    let api = DataPortability::new(&client);
    modes::runtime().block_on(async {
        let slow = api
            .archive_jobs()
            .get_portability_archive_state(STATE)
            .send();
        let raced = tokio::time::timeout(Duration::from_millis(200), slow).await;
        assert!(raced.is_err(), "the call was still waiting");
    });
    server.next();
    let state = modes::runtime()
        .block_on(
            api.archive_jobs()
                .get_portability_archive_state(STATE)
                .send(),
        )
        .unwrap();
    assert_eq!(state.name.as_deref(), Some(STATE));
}

#[test]
fn a_dropped_async_upload_resumes_from_its_session_in_a_new_client() {
    let server = MediaServer::start();
    let data: Vec<u8> = (0..5 * CHUNK_GRANULARITY + 7)
        .map(|index| (index % 253) as u8)
        .collect();
    let session = Arc::new(Mutex::new(String::new()));
    let confirmed = Arc::new(Mutex::new(0));
    let build = || {
        Client::builder()
            .root_url(&server.base_url)
            .token_source(StaticToken::new("upload-token"))
            .build_async()
            .unwrap()
    };
    let mut call = Call::new(&INSERT);
    call.set_path("folder", "f".to_owned());
    // The third chunk is held by the server, so the upload is still under way when it is
    // dropped, however slowly this test's thread is scheduled.
    server.plan([None, None, Some(Fault::Hold)]);
    {
        let client = build();
        let service = Service::new(&client, &INFO);
        let (kept, progress) = (Arc::clone(&session), Arc::clone(&confirmed));
        let upload = google_api_runtime::Content::<AsyncClient>::upload_resumable(
            &data[..],
            &service,
            Ok(call.clone()),
            &ANY,
            "application/octet-stream",
            google_api_runtime::contract::json::<serde_json::Value>,
        )
        .chunk_size(CHUNK_GRANULARITY)
        .on_session(move |uri| *kept.lock().unwrap() = uri.to_owned())
        .progress(move |sent, _| *progress.lock().unwrap() = sent);
        // Dropped once the second chunk is confirmed, while the third is on its way.
        modes::runtime().block_on(async {
            let sending = assert_send(upload.send());
            tokio::pin!(sending);
            loop {
                tokio::select! {
                    _ = &mut sending => panic!("the upload ended before it was dropped"),
                    _ = tokio::time::sleep(Duration::from_millis(1)) => {
                        if *confirmed.lock().unwrap() >= 2 * CHUNK_GRANULARITY as u64 {
                            break;
                        }
                    }
                }
            }
        });
    }
    let session = session.lock().unwrap().clone();
    let kept = server.received(&session).unwrap();
    assert!(kept >= 2 * CHUNK_GRANULARITY && kept < data.len(), "{kept}");
    let client = build();
    let service = Service::new(&client, &INFO);
    let upload = google_api_runtime::Content::<AsyncClient>::upload_resumable(
        &data[..],
        &service,
        Ok(call),
        &ANY,
        "application/octet-stream",
        google_api_runtime::contract::json::<serde_json::Value>,
    )
    .chunk_size(CHUNK_GRANULARITY)
    .resume(session);
    let answer = modes::runtime().block_on(upload.send()).unwrap();
    assert_eq!(answer["size"], data.len().to_string());
    assert!(server.uploads()[0].content == data);
}

#[test]
fn pages_items_and_downloads_are_streams() {
    use futures_core::Stream;
    fn assert_stream<S: Stream + Send + Unpin>(stream: S) -> S {
        stream
    }
    let server = MediaServer::start();
    let client = Client::builder()
        .root_url(&server.base_url)
        .build_async()
        .unwrap();
    let service = Service::new(&client, &INFO);
    let _ = assert_stream(google_api_runtime::Backend::pages::<Page>(
        &service,
        Ok(folder_call()),
    ));
    let listing = TestServer::start(vec![
        Reply::json(200, json!({"things": ["a", "b"], "nextPageToken": "t"})),
        Reply::json(200, json!({"things": ["c"]})),
    ]);
    let client = Client::builder()
        .root_url(&listing.base_url)
        .build_async()
        .unwrap();
    let service = Service::new(&client, &INFO);
    let items = modes::runtime().block_on(async {
        let mut items: google_api_runtime::AsyncItems<Page> =
            assert_stream(<AsyncClient as google_api_runtime::Backend>::items::<Page>(
                google_api_runtime::Backend::pages::<Page>(&service, Ok(folder_call())),
            ));
        let mut all = Vec::new();
        while let Some(item) = items.next().await {
            all.push(item.unwrap());
        }
        all
    });
    assert_eq!(items, ["a", "b", "c"]);

    let files = TestServer::start(vec![Reply::text(200, "application/zip", "PK archive")]);
    let client = Client::builder().build_async().unwrap();
    let bytes = modes::runtime().block_on(async {
        let url = format!("{}archive.zip", files.base_url);
        let mut download = client.download(&url, 0).await.unwrap();
        let mut bytes = Vec::new();
        download.read_to_end(&mut bytes).await.unwrap();
        bytes
    });
    assert_eq!(bytes, b"PK archive");
}

/// A call into folder `f`.
fn folder_call() -> Call {
    let mut call = Call::new(&INSERT);
    call.set_path("folder", "f".to_owned());
    call
}

/// A page of things, for the stream test.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Page {
    things: Option<Vec<String>>,
    next_page_token: Option<String>,
}

impl google_api_runtime::Page for Page {
    fn next_page_token(&self) -> Option<&str> {
        self.next_page_token.as_deref()
    }
}

impl google_api_runtime::PageItems for Page {
    type Item = String;

    fn into_items(self) -> Vec<String> {
        self.things.unwrap_or_default()
    }
}

impl google_api_runtime::contract::Decode for Page {
    fn decode(response: google_api_runtime::contract::Response) -> Result<Self, Error> {
        response.json()
    }
}
