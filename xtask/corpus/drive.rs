//! Google Drive, generated with `cargo xtask regen --out` from the published drive.v3 document,
//! used as a program would: page through `files.list` with `items()`, create a file with
//! `upload()` (multipart) and one with `upload_resumable()` (chunks, one failing), and a folder
//! with `send()` (metadata only). `cargo xtask corpus` builds and runs it against the strict
//! media server the runtime's tests use (`media_server.rs`, copied beside this file).

mod media_server;

use std::io::Cursor;

use google_api_runtime::{Client, StaticToken};
use google_drive_v3::Drive;
use google_drive_v3::model::File;
use media_server::{Fault, MediaServer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = MediaServer::start();
    server.pages(vec![
        r#"{"files":[{"name":"a.txt"},{"name":"b.txt"}],"nextPageToken":"p1"}"#.to_owned(),
        r#"{"files":[],"nextPageToken":"p2"}"#.to_owned(),
        r#"{"files":[{"name":"c.txt"}]}"#.to_owned(),
    ]);
    let client = Client::builder()
        .root_url(&server.base_url)
        .token_source(StaticToken::new("drive-token"))
        .build()?;
    let drive = Drive::new(&client);

    // Every file of every page, an empty page in the middle included.
    let names = drive
        .files()
        .list()
        .page_size(2)
        .items()
        .map(|file| file.map(|file| file.name.unwrap_or_default()))
        .collect::<Result<Vec<_>, _>>()?;
    assert_eq!(names, ["a.txt", "b.txt", "c.txt"]);

    // A small file in one multipart request.
    let created = drive
        .files()
        .create(File::default().set_name("notes.txt"))
        .upload(&b"hello, drive"[..], "text/plain")?;
    assert_eq!(created.name.as_deref(), Some("notes.txt"));
    let upload = server.uploads().pop().ok_or("no upload")?;
    assert_eq!(
        (upload.protocol.as_str(), upload.path.as_str()),
        ("multipart", "/upload/drive/v3/files")
    );
    assert_eq!(upload.content, b"hello, drive");

    // A large one in chunks of 256 KiB, the second of which fails once.
    let content: Vec<u8> = (0..700_000u32).map(|i| (i % 253) as u8).collect();
    server.plan([None, Some(Fault::Status(503))]);
    let mut confirmed = Vec::new();
    let created = drive
        .files()
        .create(File::default().set_name("big.bin"))
        .upload_resumable(Cursor::new(&content), "application/octet-stream")
        .chunk_size(256 * 1024)
        .content_length(content.len() as u64)
        .seekable()
        .progress(|sent, _| confirmed.push(sent))
        .send()?;
    assert_eq!(created.size, Some(content.len() as i64));
    let upload = server.uploads().pop().ok_or("no upload")?;
    assert_eq!(upload.protocol, "resumable");
    assert!(upload.content == content, "the content arrived intact");
    assert_eq!(confirmed.last(), Some(&(content.len() as u64)));

    // A folder: metadata only, no upload.
    let folder = drive
        .files()
        .create(
            File::default()
                .set_name("photos")
                .set_mime_type("application/vnd.google-apps.folder"),
        )
        .send()?;
    assert_eq!(folder.name.as_deref(), Some("photos"));
    let upload = server.uploads().pop().ok_or("no call")?;
    assert_eq!(
        (upload.protocol.as_str(), upload.path.as_str()),
        ("none", "/drive/v3/files")
    );

    assert!(
        server
            .seen()
            .iter()
            .all(|request| request.header("authorization") == Some("Bearer drive-token"))
    );
    println!("drive: listed 3 files over 3 pages, uploaded 2 files and made a folder");
    Ok(())
}
