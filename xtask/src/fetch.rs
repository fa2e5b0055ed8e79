//! `cargo xtask fetch`: download a live Discovery document, check it, and vendor it.

use std::fs;
use std::path::Path;
use std::time::Duration;

use sha2::Digest as _;

use crate::{Failure, http, paths};

/// Where the live document of `name:version` is published: the API's own endpoint first, then
/// the central directory.
pub fn live_urls(name: &str, version: &str) -> Vec<String> {
    vec![
        format!("https://{name}.googleapis.com/$discovery/rest?version={version}"),
        format!("https://www.googleapis.com/discovery/v1/apis/{name}/{version}/rest"),
    ]
}

/// A fetched, parsed and checked document.
pub struct Fetched {
    pub text: String,
    pub document: discovery::Document,
    pub url: String,
}

/// Fetches the first of `urls` that answers with the document of `name:version`. Every failure
/// is kept, so the error says what was tried and why each failed.
pub fn fetch_document(
    urls: &[String],
    expected: Option<(&str, &str)>,
    timeout: Duration,
) -> Result<Fetched, String> {
    let mut failures = Vec::new();
    for url in urls {
        match fetch_one(url, expected, timeout) {
            Ok(fetched) => return Ok(fetched),
            Err(reason) => failures.push(reason),
        }
    }
    Err(failures.join("\n  "))
}

fn fetch_one(
    url: &str,
    expected: Option<(&str, &str)>,
    timeout: Duration,
) -> Result<Fetched, String> {
    let body = http::get(url, timeout)?;
    let document = discovery::parse_bytes(&body)
        .map_err(|error| format!("{url}: not a Discovery document: {error}"))?;
    let text = String::from_utf8(body).expect("parse_bytes accepted it as UTF-8");
    if let Some((name, version)) = expected
        && (document.name != name || document.version != version)
    {
        return Err(format!(
            "{url}: the document is {}:{}, not the {name}:{version} asked for",
            document.name, document.version
        ));
    }
    Ok(Fetched {
        text,
        document,
        url: url.to_owned(),
    })
}

pub fn run(args: &[String]) -> Result<(), Failure> {
    let mut api = "dataportability:v1".to_owned();
    let mut url = None;
    let mut documents = paths::root().join("discovery/documents");
    let mut timeout = Duration::from_secs(30);
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .cloned()
                .ok_or_else(|| Failure::usage(format!("{arg} needs a value")))
        };
        match arg.as_str() {
            "--api" => api = value()?,
            "--url" => url = Some(value()?),
            "--documents" => documents = paths::from_cli(&value()?),
            "--timeout" => timeout = parse_timeout(&value()?)?,
            other => return Err(Failure::usage(format!("unknown fetch option {other:?}"))),
        }
    }
    let (name, version) = api
        .split_once(':')
        .ok_or_else(|| Failure::usage(format!("--api takes NAME:VERSION, not {api:?}")))?;
    let urls = match url {
        Some(url) => vec![url],
        None => live_urls(name, version),
    };
    let fetched = fetch_document(&urls, Some((name, version)), timeout)
        .map_err(|reasons| Failure::error(format!("could not fetch {api}:\n  {reasons}")))?;
    let file_name = format!("{name}.{version}.json");
    let target = documents.join(&file_name);
    write_atomically(&target, fetched.text.as_bytes())?;
    let revision = fetched
        .document
        .revision
        .clone()
        .unwrap_or_else(|| "unknown".to_owned());
    let sha256 = format!("{:x}", sha2::Sha256::digest(fetched.text.as_bytes()));
    update_sources(
        &documents.join("SOURCES.md"),
        &file_name,
        &api,
        &revision,
        &sha256,
    )?;
    println!(
        "fetch: {api} revision {revision} from {} into {} ({} bytes)",
        fetched.url,
        paths::display(&target),
        fetched.text.len()
    );
    Ok(())
}

pub fn parse_timeout(text: &str) -> Result<Duration, Failure> {
    text.parse::<f64>()
        .ok()
        .filter(|seconds| seconds.is_finite() && *seconds > 0.0)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| Failure::usage(format!("--timeout takes seconds, not {text:?}")))
}

fn write_atomically(target: &Path, contents: &[u8]) -> Result<(), Failure> {
    crate::regen::replace_file(target, contents)
        .map_err(|error| Failure::error(format!("{}: {error}", target.display())))
}

/// Replaces the file's row in the sources table, or adds one.
fn update_sources(
    sources: &Path,
    file_name: &str,
    api: &str,
    revision: &str,
    sha256: &str,
) -> Result<(), Failure> {
    let row = format!("| `{file_name}` | `{api}` | {revision} | `{sha256}` |");
    let existing = fs::read_to_string(sources).unwrap_or_else(|_| {
        "# Sources of the vendored Discovery documents\n\n| file | API | revision | sha256 |\n|---|---|---|---|\n".to_owned()
    });
    let prefix = format!("| `{file_name}` |");
    let mut replaced = false;
    let mut lines: Vec<String> = existing
        .lines()
        .map(|line| {
            if line.starts_with(&prefix) {
                replaced = true;
                row.clone()
            } else {
                line.to_owned()
            }
        })
        .collect();
    if !replaced {
        lines.push(row);
    }
    write_atomically(sources, format!("{}\n", lines.join("\n")).as_bytes())
}
