//! The benchmark's user program for google-drive3 7.0.0 (google-apis-rs): the same 14 calls as
//! `drive_ours.rs`, written the way that crate's documentation shows. `cargo xtask bench
//! --anchors` only builds it.

use google_drive3::api::{File, Permission};
use google_drive3::{DriveHub, hyper_rustls, hyper_util};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()?
        .https_or_http()
        .enable_http2()
        .build();
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build(connector);
    let hub = DriveHub::new(client, std::env::var("ACCESS_TOKEN")?);

    let (_, about) = hub.about().get().param("fields", "*").doit().await?;
    println!("{:?}", about.user.and_then(|user| user.display_name));

    let mut names = Vec::new();
    let mut page_token: Option<String> = None;
    loop {
        let mut call = hub.files().list().page_size(100);
        if let Some(token) = &page_token {
            call = call.page_token(token);
        }
        let (_, list) = call.doit().await?;
        names.extend(list.files.unwrap_or_default().into_iter().filter_map(|file| file.name));
        page_token = list.next_page_token;
        if page_token.is_none() {
            break;
        }
    }

    let (download, _) = hub.files().get("file-id").param("alt", "media").doit().await?;
    println!("{}", download.status());
    let exported = hub.files().export("file-id", "application/pdf").doit().await?;
    println!("{}", exported.status());

    let notes = File {
        name: Some("notes.txt".to_owned()),
        ..Default::default()
    };
    let (_, created) = hub
        .files()
        .create(notes)
        .upload(std::io::Cursor::new(b"hello".to_vec()), "text/plain".parse()?)
        .await?;
    let big = File {
        name: Some("big.bin".to_owned()),
        ..Default::default()
    };
    let (_, large) = hub
        .files()
        .create(big)
        .upload_resumable(std::fs::File::open("big.bin")?, "application/octet-stream".parse()?)
        .await?;
    let renamed = File {
        name: Some("renamed.txt".to_owned()),
        ..Default::default()
    };
    // This crate's `files.update` only exists as an upload; an empty one renames.
    hub.files()
        .update(renamed, created.id.as_deref().unwrap_or_default())
        .upload(std::io::Cursor::new(Vec::new()), "text/plain".parse()?)
        .await?;
    hub.files()
        .delete(large.id.as_deref().unwrap_or_default())
        .doit()
        .await?;

    let reader = Permission {
        role: Some("reader".to_owned()),
        type_: Some("anyone".to_owned()),
        ..Default::default()
    };
    hub.permissions().create(reader, "file-id").doit().await?;
    let (_, permissions) = hub.permissions().list("file-id").doit().await?;
    println!("{}", permissions.permissions.unwrap_or_default().len());

    let (_, start) = hub.changes().get_start_page_token().doit().await?;
    let (_, changes) = hub
        .changes()
        .list(start.start_page_token.as_deref().unwrap_or_default())
        .doit()
        .await?;
    println!("{}", changes.changes.unwrap_or_default().len());
    let (_, comments) = hub.comments().list("file-id").param("fields", "*").doit().await?;
    println!("{}", comments.comments.unwrap_or_default().len());
    let (_, revisions) = hub.revisions().list("file-id").doit().await?;
    println!("{} {}", revisions.revisions.unwrap_or_default().len(), names.len());
    Ok(())
}
