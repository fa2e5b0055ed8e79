//! The decode-speed benchmark of `cargo xtask bench --decode`: one `files.list` answer of 1,500
//! files (about 1.5 MB, shaped as Drive answers with `fields=*`) decoded with our drive.v3 types
//! and with google-drive3 7.0.0's, through the same serde_json, each the way its client decodes a
//! response, in alternating samples.
//!
//! It prints the median time of a decode each way and their ratio, twice: for the answer as it
//! is, and with one field neither crate knows added to every file (ours keeps it, theirs drops it).

use std::time::Instant;

const FILES: usize = 1_500;
const SAMPLES: usize = 15;
const DECODES_PER_SAMPLE: usize = 10;

fn main() {
    for (what, unknown) in [
        ("the answer as Drive sends it", false),
        ("with one unknown field per file", true),
    ] {
        let body = files_list(unknown);
        let ours = || {
            // As our client decodes a response (`Response::read`).
            let list: google_drive_v3::model::FileList =
                google_drive_v3::runtime::contract::json::from_slice(&body).expect("ours decodes");
            let files = list.files.unwrap_or_default();
            assert_eq!(files.len(), FILES);
            if unknown {
                assert!(
                    files[0].unknown_fields.contains_key("futureField"),
                    "ours keeps unknown fields"
                );
            }
            std::hint::black_box(files);
        };
        let theirs = || {
            // As their client decodes a response (`common::to_string`, then `from_str`).
            let text = String::from_utf8_lossy(&body);
            let list: google_drive3::api::FileList =
                serde_json::from_str(&text).expect("theirs decodes");
            assert_eq!(list.files.unwrap_or_default().len(), FILES);
        };
        for _ in 0..3 {
            ours();
            theirs();
        }
        let (mut ours_ms, mut theirs_ms) = (Vec::new(), Vec::new());
        for sample in 0..SAMPLES {
            // Alternating which goes first, so neither always meets a warmer machine.
            if sample % 2 == 0 {
                ours_ms.push(time(&ours));
                theirs_ms.push(time(&theirs));
            } else {
                theirs_ms.push(time(&theirs));
                ours_ms.push(time(&ours));
            }
        }
        let (ours, theirs) = (median(ours_ms), median(theirs_ms));
        println!(
            "  {what} ({:.2} MB): ours {ours:.2} ms, google-drive3 {theirs:.2} ms; ours takes {:.2} of theirs ({:.2}x as fast)",
            body.len() as f64 / 1e6,
            ours / theirs,
            theirs / ours
        );
    }
}

/// Milliseconds per decode over one sample.
fn time(decode: &dyn Fn()) -> f64 {
    let started = Instant::now();
    for _ in 0..DECODES_PER_SAMPLE {
        decode();
    }
    started.elapsed().as_secs_f64() * 1e3 / DECODES_PER_SAMPLE as f64
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// A `files.list` answer of `FILES` files with the fields Drive returns for ordinary files.
fn files_list(unknown: bool) -> Vec<u8> {
    let mut files = Vec::with_capacity(FILES);
    for index in 0..FILES {
        let id = format!("1{index:032x}AbCdEfGhIjK");
        let owner = serde_json::json!({
            "kind": "drive#user",
            "displayName": format!("Owner {}", index % 17),
            "me": index % 17 == 0,
            "permissionId": format!("{:020}", index % 17),
            "emailAddress": format!("owner{}@example.com", index % 17),
        });
        let mut file = serde_json::json!({
            "kind": "drive#file",
            "id": id,
            "name": format!("Quarterly report {index} (final).pdf"),
            "mimeType": "application/pdf",
            "starred": index % 9 == 0,
            "trashed": false,
            "parents": [format!("0B{index:030x}")],
            "version": (index * 7 % 1000).to_string(),
            "webViewLink": format!("https://drive.example.com/file/d/{id}/view?usp=drivesdk"),
            "iconLink": "https://drive-thirdparty.example.com/16/type/application/pdf",
            "hasThumbnail": true,
            "viewedByMe": true,
            "createdTime": "2025-03-04T05:06:07.890Z",
            "modifiedTime": "2026-09-08T07:06:05.432Z",
            "modifiedByMe": true,
            "owners": [owner],
            "lastModifyingUser": {"kind": "drive#user", "displayName": "Editor", "me": false},
            "shared": index % 3 == 0,
            "ownedByMe": index % 17 == 0,
            "capabilities": {"canComment": true, "canCopy": true, "canEdit": true, "canShare": true},
            "writersCanShare": true,
            "permissionIds": [format!("{:020}", index % 17)],
            "fullFileExtension": "pdf",
            "fileExtension": "pdf",
            "md5Checksum": format!("{:032x}", index * 2_654_435_761usize),
            "size": (1_000 + index * 4_099).to_string(),
            "quotaBytesUsed": (1_000 + index * 4_099).to_string(),
        });
        if unknown {
            file["futureField"] = serde_json::json!({"since": "2027", "enabled": true});
        }
        files.push(file);
    }
    let list = serde_json::json!({
        "kind": "drive#fileList",
        "incompleteSearch": false,
        "nextPageToken": "~!!~AI9FV7Tm2h1oJ8bQ",
        "files": files,
    });
    serde_json::to_vec(&list).expect("a JSON value serializes")
}
