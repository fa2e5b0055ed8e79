//! `cargo xtask corpus --set DIR`: check and document every crate of a set, one after another
//! with one target directory, resuming where an earlier run stopped.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::{Failure, regen};

/// Where a set keeps what its checks found.
const PROGRESS: &str = "check-progress.json";

/// What the last check of each crate found.
#[derive(Default, Serialize, Deserialize)]
struct Progress {
    crates: BTreeMap<String, Outcome>,
}

#[derive(Serialize, Deserialize)]
struct Outcome {
    /// The generation that was checked (see `regen::fingerprint_of`).
    fingerprint: Option<String>,
    passed: bool,
    /// The first lines of what failed.
    problem: Option<String>,
    seconds: f64,
}

/// Checks the crates of the set in `set` that have not passed in their present generation, at
/// most `limit` of them; fails listing every crate whose last check failed.
pub fn run(set: &Path, target: &Path, limit: Option<usize>) -> Result<(), Failure> {
    let manifest = fs::read_to_string(set.join("Cargo.toml")).map_err(|error| {
        Failure::error(format!(
            "{}: {error} (a set is written by `cargo xtask regen --from FOLDER --out DIR`)",
            set.join("Cargo.toml").display()
        ))
    })?;
    let members: Vec<String> = manifest
        .lines()
        .filter_map(|line| line.trim().strip_prefix('"')?.strip_suffix("\","))
        .filter(|member| *member != "google-api-runtime")
        .map(str::to_owned)
        .collect();
    let progress_path = set.join(PROGRESS);
    let mut progress: Progress = fs::read_to_string(&progress_path)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    let started = Instant::now();
    let (mut checked, mut skipped) = (0, 0);
    for member in &members {
        let crate_dir = set.join(member);
        let fingerprint = regen::fingerprint_of(&crate_dir);
        let done = progress.crates.get(member).is_some_and(|outcome| {
            outcome.passed && outcome.fingerprint.is_some() && outcome.fingerprint == fingerprint
        });
        if done {
            skipped += 1;
            continue;
        }
        if limit.is_some_and(|limit| checked >= limit) {
            break;
        }
        let package = package_name(&crate_dir)?;
        let one = Instant::now();
        let result = crate::corpus::cargo_clean_in(
            set,
            target,
            &["check", "--package", &package, "--message-format", "short"],
        )
        .and_then(|()| {
            crate::corpus::cargo_clean_in(
                set,
                target,
                &[
                    "doc",
                    "--no-deps",
                    "--package",
                    &package,
                    "--message-format",
                    "short",
                ],
            )
        });
        let seconds = one.elapsed().as_secs_f64();
        let problem = result.err().map(|failure| {
            failure
                .message
                .lines()
                .take(6)
                .collect::<Vec<_>>()
                .join("\n")
        });
        println!(
            "corpus: {package} {} in {seconds:.1} s",
            if problem.is_none() {
                "checks and documents cleanly"
            } else {
                "FAILED"
            }
        );
        progress.crates.insert(
            member.clone(),
            Outcome {
                fingerprint,
                passed: problem.is_none(),
                problem,
                seconds,
            },
        );
        checked += 1;
        // Saved after every crate: an interrupted run loses one crate's work at most.
        let text = serde_json::to_string_pretty(&progress).expect("progress serializes");
        regen::replace_file(&progress_path, (text + "\n").as_bytes())
            .map_err(|error| Failure::error(format!("{}: {error}", progress_path.display())))?;
    }
    let failed: Vec<String> = members
        .iter()
        .filter_map(|member| {
            let outcome = progress.crates.get(member)?;
            (!outcome.passed).then(|| {
                format!(
                    "{member}: {}",
                    outcome.problem.as_deref().unwrap_or("failed")
                )
            })
        })
        .collect();
    let left = members.len() - skipped - checked;
    println!(
        "corpus: set {}: {checked} checked now in {:.0} s, {skipped} passed before and unchanged, \
         {left} left for a later run, {} failing",
        set.display(),
        started.elapsed().as_secs_f64(),
        failed.len()
    );
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Failure::check(format!(
            "{} crates of the set fail:\n  {}",
            failed.len(),
            failed.join("\n  ")
        )))
    }
}

/// The package name in a crate's manifest.
fn package_name(crate_dir: &Path) -> Result<String, Failure> {
    let manifest = fs::read_to_string(crate_dir.join("Cargo.toml"))
        .map_err(|error| Failure::error(format!("{}: {error}", crate_dir.display())))?;
    crate::version::package_field(&manifest, "name")
        .ok_or_else(|| Failure::error(format!("{}: no package name", crate_dir.display())))
}
