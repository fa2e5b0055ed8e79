//! `cargo xtask drift [OLD] [NEW]`: what changed on the wire between two documents.
//!
//! Exit codes: 0 no wire change, 1 additive changes only, 2 a breaking change, 3 the comparison
//! could not be made.

use std::time::Duration;

use codegen::drift::{Class, Report};
use serde_json::json;

use crate::fetch::{self, parse_timeout};
use crate::{Failure, paths};

pub fn run(args: &[String]) -> Result<(), Failure> {
    let mut sides = Vec::new();
    let mut as_json = false;
    let mut with_descriptions = false;
    let mut timeout = Duration::from_secs(30);
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--json" => as_json = true,
            "--docs" => with_descriptions = true,
            "--timeout" => {
                let value = args
                    .next()
                    .ok_or_else(|| usage("--timeout needs seconds"))?;
                timeout = parse_timeout(value).map_err(|failure| usage(&failure.message))?;
            }
            option if option.starts_with("--") => {
                return Err(usage(&format!("unknown drift option {option:?}")));
            }
            side => sides.push(side.to_owned()),
        }
    }
    if sides.len() > 2 {
        return Err(usage("drift compares two documents: OLD and NEW"));
    }
    let old = match sides.first() {
        Some(side) => load(side, timeout)?,
        None => load(&paths::default_document().to_string_lossy(), timeout)?,
    };
    let new = match sides.get(1) {
        Some(side) => load(side, timeout)?,
        None => {
            // The live document of the same API as the old side.
            let urls = fetch::live_urls(&old.name, &old.version);
            fetch::fetch_document(&urls, Some((&old.name, &old.version)), timeout)
                .map_err(|reasons| {
                    failure(format!("could not fetch the live document:\n  {reasons}"))
                })?
                .document
        }
    };
    let report = Report::new(&old, &new, with_descriptions);
    if as_json {
        println!("{}", to_json(&report));
    } else {
        print!("{}", report.to_text());
    }
    match report.worst() {
        None => Ok(()),
        Some(Class::Additive) => Err(quiet(1)),
        Some(_) => Err(quiet(2)),
    }
}

/// A document from a file or a URL.
fn load(side: &str, timeout: Duration) -> Result<discovery::Document, Failure> {
    if side.starts_with("http://") || side.starts_with("https://") {
        return fetch::fetch_document(&[side.to_owned()], None, timeout)
            .map(|fetched| fetched.document)
            .map_err(failure);
    }
    let path = paths::from_cli(side);
    let bytes = std::fs::read(&path).map_err(|error| failure(format!("{side}: {error}")))?;
    discovery::parse_bytes(&bytes).map_err(|error| failure(format!("{side}: {error}")))
}

/// The report as one JSON object.
pub fn to_json(report: &Report) -> String {
    let changes: Vec<serde_json::Value> = report
        .changes
        .iter()
        .map(|change| {
            json!({
                "kind": change.kind,
                "path": change.path,
                "class": change.class.as_str(),
                "detail": change.detail,
            })
        })
        .collect();
    let value = json!({
        "old": {"api": report.old.0, "revision": report.old.1},
        "new": {"api": report.new.0, "revision": report.new.1},
        "changes": changes,
        "summary": {
            "breaking": report.count(Class::Breaking),
            "additive": report.count(Class::Additive),
            "docs": report.count(Class::Docs),
        },
    });
    serde_json::to_string_pretty(&value).expect("JSON values serialize")
}

fn failure(message: impl Into<String>) -> Failure {
    Failure {
        message: message.into(),
        code: 3,
        show_usage: false,
    }
}

fn usage(message: &str) -> Failure {
    Failure {
        message: message.to_owned(),
        code: 3,
        show_usage: true,
    }
}

/// An exit code that carries the result, not an error: nothing more to print.
fn quiet(code: u8) -> Failure {
    Failure {
        message: String::new(),
        code,
        show_usage: false,
    }
}
