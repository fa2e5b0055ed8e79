//! The benchmark's async user program for our drive.v3 crate: the same 14 calls as
//! `drive_ours.rs` and `drive_theirs.rs`, on an `AsyncClient` in a tokio program, as
//! google-drive3's are. `cargo xtask bench --anchors` only builds it.

use google_api_runtime::{AsyncClient, StaticToken};
use google_drive_v3::Drive;
use google_drive_v3::model::{File, Permission};
use google_drive_v3::prelude::StandardParameters;
use tokio::io::AsyncReadExt as _;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = AsyncClient::builder()
        .token_source(StaticToken::new(std::env::var("ACCESS_TOKEN")?))
        .build_async()?;
    let drive = Drive::new(&client);

    let about = drive.about().get().fields("*").send().await?;
    println!("{:?}", about.user.and_then(|user| user.display_name));

    let mut names = Vec::new();
    let mut files = drive.files().list().page_size(100).items();
    while let Some(file) = files.next().await {
        names.extend(file?.name);
    }

    let mut content = Vec::new();
    drive
        .files()
        .get("file-id")
        .download()
        .await?
        .read_to_end(&mut content)
        .await?;
    let mut exported = Vec::new();
    drive
        .files()
        .export("file-id", "application/pdf")
        .download()
        .await?
        .read_to_end(&mut exported)
        .await?;

    let created = drive
        .files()
        .create(File::default().set_name("notes.txt"))
        .upload(&b"hello"[..], "text/plain")
        .await?;
    let large = drive
        .files()
        .create(File::default().set_name("big.bin"))
        .upload_resumable(
            tokio::fs::File::open("big.bin").await?,
            "application/octet-stream",
        )
        .seekable()
        .send()
        .await?;
    drive
        .files()
        .update(
            created.id.unwrap_or_default(),
            File::default().set_name("renamed.txt"),
        )
        .send()
        .await?;
    drive
        .files()
        .delete(large.id.unwrap_or_default())
        .send()
        .await?;

    let reader = Permission::default().set_role("reader").set_type("anyone");
    drive.permissions().create("file-id", reader).send().await?;
    let permissions = drive.permissions().list("file-id").send().await?;
    println!("{}", permissions.permissions.unwrap_or_default().len());

    let start = drive.changes().get_start_page_token().send().await?;
    let changes = drive
        .changes()
        .list(start.start_page_token.unwrap_or_default())
        .send()
        .await?;
    println!("{}", changes.changes.unwrap_or_default().len());
    let comments = drive.comments().list("file-id").fields("*").send().await?;
    println!("{}", comments.comments.unwrap_or_default().len());
    let revisions = drive.revisions().list("file-id").send().await?;
    println!(
        "{} {} {}",
        revisions.revisions.unwrap_or_default().len(),
        names.len(),
        content.len() + exported.len()
    );
    Ok(())
}
