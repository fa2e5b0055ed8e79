//! The benchmark's user program for our drive.v3 crate: the same 14 calls as
//! `drive_theirs.rs` (about, a paged list, a download, an export, two creates with uploads, an
//! update, a delete, permissions, changes, comments and revisions). `cargo xtask bench
//! --anchors` only builds it.

use std::io::Read;

use google_api_runtime::{Client, StaticToken};
use google_drive_v3::Drive;
use google_drive_v3::model::{File, Permission};
use google_drive_v3::prelude::StandardParameters;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::builder()
        .token_source(StaticToken::new(std::env::var("ACCESS_TOKEN")?))
        .build()?;
    let drive = Drive::new(&client);

    let about = drive.about().get().fields("*").send()?;
    println!("{:?}", about.user.and_then(|user| user.display_name));

    let mut names = Vec::new();
    for file in drive.files().list().page_size(100).items() {
        names.extend(file?.name);
    }

    let mut content = Vec::new();
    drive.files().get("file-id").download()?.read_to_end(&mut content)?;
    let mut exported = Vec::new();
    drive
        .files()
        .export("file-id", "application/pdf")
        .download()?
        .read_to_end(&mut exported)?;

    let created = drive
        .files()
        .create(File::default().set_name("notes.txt"))
        .upload(&b"hello"[..], "text/plain")?;
    let large = drive
        .files()
        .create(File::default().set_name("big.bin"))
        .upload_resumable(std::fs::File::open("big.bin")?, "application/octet-stream")
        .seekable()
        .send()?;
    drive
        .files()
        .update(
            created.id.unwrap_or_default(),
            File::default().set_name("renamed.txt"),
        )
        .send()?;
    drive.files().delete(large.id.unwrap_or_default()).send()?;

    let reader = Permission::default().set_role("reader").set_type("anyone");
    drive.permissions().create("file-id", reader).send()?;
    let permissions = drive.permissions().list("file-id").send()?;
    println!("{}", permissions.permissions.unwrap_or_default().len());

    let start = drive.changes().get_start_page_token().send()?;
    let changes = drive
        .changes()
        .list(start.start_page_token.unwrap_or_default())
        .send()?;
    println!("{}", changes.changes.unwrap_or_default().len());
    let comments = drive.comments().list("file-id").fields("*").send()?;
    println!("{}", comments.comments.unwrap_or_default().len());
    let revisions = drive.revisions().list("file-id").send()?;
    println!(
        "{} {} {}",
        revisions.revisions.unwrap_or_default().len(),
        names.len(),
        content.len() + exported.len()
    );
    Ok(())
}
