//! Two generated API crates on one `AsyncClient`, as a tokio service would use them: Google
//! Drive and Google Tasks, generated with `cargo xtask regen --out`, share one token source and
//! one connection pool. The program streams the items of a list of each API from tasks spawned
//! on a multi-threaded runtime (so the futures must be `Send`), uploads a file in one request
//! and another in chunks from a `tokio::io::AsyncRead`, and checks every request's path and
//! token on two strict servers of its own on 127.0.0.1 (`media_server.rs`, copied beside this
//! file).

mod media_server;

use std::io::Cursor;

use google_api_runtime::{AsyncClient, StaticToken};
use google_drive_v3::Drive;
use google_drive_v3::model::File;
use google_tasks_v1::Tasks;
use media_server::{Fault, MediaServer};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let files = MediaServer::start();
    files.pages(vec![
        r#"{"files":[{"name":"a.txt"},{"name":"b.txt"}],"nextPageToken":"p1"}"#.to_owned(),
        r#"{"files":[{"name":"c.txt"}]}"#.to_owned(),
    ]);
    let lists = MediaServer::start();
    lists.pages(vec![
        r#"{"items":[{"id":"list-a"}],"nextPageToken":"p1"}"#.to_owned(),
        r#"{"items":[{"id":"list-b"}]}"#.to_owned(),
    ]);

    // One client, one token source, two APIs, each on its own server.
    let client = AsyncClient::builder()
        .token_source(StaticToken::new("async-token"))
        .build_async()?;
    let drive = Drive::with_root_url(&client, &files.base_url)?;
    let tasks = Tasks::with_root_url(&client, &lists.base_url)?;

    // Both lists at once, each streamed item by item on a task of its own.
    let file_names = tokio::spawn({
        let drive = drive.clone();
        async move {
            let mut items = drive.files().list().page_size(2).items();
            let mut names = Vec::new();
            while let Some(file) = items.next().await {
                names.push(file?.name.unwrap_or_default());
            }
            Ok::<_, google_api_runtime::Error>(names)
        }
    });
    let list_ids = tokio::spawn(async move {
        let mut items = tasks.tasklists().list().max_results(5).items();
        let mut ids = Vec::new();
        while let Some(list) = items.next().await {
            ids.push(list?.id.unwrap_or_default());
        }
        Ok::<_, google_api_runtime::Error>(ids)
    });
    assert_eq!(file_names.await??, ["a.txt", "b.txt", "c.txt"]);
    assert_eq!(list_ids.await??, ["list-a", "list-b"]);

    // A small file in one multipart request, read from an `AsyncRead`.
    let created = drive
        .files()
        .create(File::default().set_name("notes.txt"))
        .upload(&b"hello, async drive"[..], "text/plain")
        .await?;
    assert_eq!(created.name.as_deref(), Some("notes.txt"));
    let upload = files.uploads().pop().ok_or("no upload")?;
    assert_eq!(upload.protocol, "multipart");
    assert_eq!(upload.content, b"hello, async drive");

    // A large one in chunks of 256 KiB, the second of which fails once.
    let content: Vec<u8> = (0..700_000u32).map(|i| (i % 251) as u8).collect();
    files.plan([None, Some(Fault::Status(503))]);
    let created = drive
        .files()
        .create(File::default().set_name("big.bin"))
        .upload_resumable(Cursor::new(content.clone()), "application/octet-stream")
        .chunk_size(256 * 1024)
        .seekable()
        .send()
        .await?;
    assert_eq!(created.size, Some(content.len() as i64));
    let upload = files.uploads().pop().ok_or("no upload")?;
    assert_eq!(upload.protocol, "resumable");
    assert!(upload.content == content, "the content arrived intact");

    let drive_paths: Vec<String> = files
        .seen()
        .into_iter()
        .filter(|request| request.method == "GET")
        .map(|request| request.target)
        .collect();
    assert_eq!(
        drive_paths,
        [
            "/drive/v3/files?pageSize=2",
            "/drive/v3/files?pageSize=2&pageToken=p1"
        ]
    );
    assert_eq!(
        lists.seen()[0].target,
        "/tasks/v1/users/@me/lists?maxResults=5"
    );
    for request in files.seen().iter().chain(&lists.seen()) {
        assert_eq!(request.header("authorization"), Some("Bearer async-token"));
    }
    println!(
        "async-two-apis: streamed 3 files and 2 task lists, uploaded 2 files, one token for both"
    );
    Ok(())
}
