//! A set of crates from a folder of Discovery documents: `regen --from DIR --out OUT` writes one
//! crate per document into `OUT/<document>/` and a workspace manifest listing them, on every
//! core; `corpus` generates its workspace the same way.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::{Failure, paths, regen};

/// The manifest `regen` writes at the top of a set.
const SET_MANIFEST: &str = "Cargo.toml";
/// The folder of the set's copy of the runtime crate.
const RUNTIME_FOLDER: &str = "google-api-runtime";
/// What the last `regen` of a set changed, in the order to publish it.
const PUBLISH_PLAN: &str = "publish-plan.json";

/// The Discovery documents in `folder`, sorted; `index.json` (a directory of APIs, as
/// google-api-python-client ships beside its documents) is not one.
pub fn documents_in(folder: &Path) -> Result<Vec<PathBuf>, Failure> {
    let entries = fs::read_dir(folder)
        .map_err(|error| Failure::error(format!("{}: {error}", folder.display())))?;
    let mut found: Vec<PathBuf> = entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "json")
                && path.file_name().is_some_and(|name| name != "index.json")
        })
        .collect();
    found.sort();
    Ok(found)
}

/// The folder of `document`'s crate in a set: its file name without `.json`, lower case, with
/// `-` for `.` and `_` (`youtubeAnalytics.v2.json` is `youtubeanalytics-v2`).
pub fn folder_of(document: &Path) -> String {
    document
        .file_name()
        .expect("a file")
        .to_string_lossy()
        .trim_end_matches(".json")
        .replace(['.', '_'], "-")
        .to_ascii_lowercase()
}

/// Runs `work` on every one of `items` on all cores (each item once, in no set order); the
/// results in the items' order. The output does not depend on the number of threads.
pub fn on_every_core<I: Sync, T: Send>(items: &[I], work: impl Fn(&I) -> T + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(items.len().max(1));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<T>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(index) else {
                        break;
                    };
                    let result = work(item);
                    results.lock().unwrap_or_else(|e| e.into_inner())[index] = Some(result);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|result| result.expect("every item was worked on"))
        .collect()
}

/// The documents that make distinct crates, and each left out with the one it duplicates:
/// google-api-python-client ships some APIs under two file names (`admin.directory_v1.json` and
/// `admin.directoryv1.json`), and two packages of one name cannot share a workspace. The first by
/// file name is kept. A document that cannot be read is kept, to fail with its reason.
fn one_per_crate(documents: Vec<PathBuf>) -> (Vec<PathBuf>, Vec<(PathBuf, PathBuf)>) {
    #[derive(serde::Deserialize)]
    struct Names {
        name: String,
        version: String,
    }
    let names = on_every_core(&documents, |document| {
        let text = fs::read(document).ok()?;
        let names: Names = serde_json::from_slice(&text).ok()?;
        Some(codegen::lower::crate_name_of(&names.name, &names.version))
    });
    let mut first_of: std::collections::BTreeMap<String, PathBuf> = Default::default();
    let (mut kept, mut skipped) = (Vec::new(), Vec::new());
    for (document, name) in documents.into_iter().zip(names) {
        match name {
            Some(name) => match first_of.get(&name) {
                Some(first) => skipped.push((document, first.clone())),
                None => {
                    first_of.insert(name, document.clone());
                    kept.push(document);
                }
            },
            None => kept.push(document),
        }
    }
    (kept, skipped)
}

/// `regen --from DIR --out OUT [--check]`: every document of `folder` as a crate of the set in
/// `out`. A crate whose document and generator output did not change is left byte for byte; one
/// that did gets a changelog entry, as a single crate does. The failures are listed together.
pub fn regen_folder(
    folder: &Path,
    out: &Path,
    check: bool,
    repository: Option<String>,
) -> Result<(), Failure> {
    let documents = documents_in(folder)?;
    if documents.is_empty() {
        return Err(Failure::usage(format!(
            "{} holds no Discovery document (*.json)",
            folder.display()
        )));
    }
    let (documents, skipped) = one_per_crate(documents);
    for (document, kept) in &skipped {
        println!(
            "regen: skipped {}: the same crate as {}",
            paths::display(document),
            paths::display(kept)
        );
    }
    let outcomes = on_every_core(&documents, |document| {
        let crate_dir = out.join(folder_of(document));
        let options = codegen::Options {
            crate_name: None,
            standalone: false,
            guide: None,
            // The set's own copy of the runtime: by path in the set, by version once published.
            runtime_source: format!(
                "version = {:?}, path = \"../{RUNTIME_FOLDER}\"",
                codegen::RUNTIME_VERSION
            ),
            version: crate::version::current(&crate_dir),
            publish: Some(codegen::Publish {
                repository: repository.clone(),
            }),
        };
        let files = regen::generate(document, &options)?;
        regen::write_or_check(&crate_dir, document, files, check, false)
    });
    let mut failures = Vec::new();
    let mut members = Vec::new();
    let mut releases = Vec::new();
    let (mut changed, mut unchanged) = (0, 0);
    for (document, outcome) in documents.iter().zip(outcomes) {
        match outcome {
            Ok(regen::Written {
                report,
                clean,
                release,
            }) => {
                members.push(folder_of(document));
                if let Some(release) = release {
                    releases.push((folder_of(document), release));
                }
                // Only what changed is told: a set is hundreds of crates.
                if clean {
                    unchanged += 1;
                } else {
                    print!("{report}");
                    changed += 1;
                }
            }
            Err(failure) => {
                failures.push(format!("{}: {}", paths::display(document), failure.message))
            }
        }
    }
    // The runtime goes first: in the workspace, and in the plan when its copy changed.
    let runtime_changed =
        crate::runtime_copy::write(&out.join(RUNTIME_FOLDER), check, repository.as_deref())?;
    if runtime_changed && check {
        failures.push(format!("{} is stale", out.join(RUNTIME_FOLDER).display()));
    }
    members.insert(0, RUNTIME_FOLDER.to_owned());
    if runtime_changed {
        releases.insert(
            0,
            (
                RUNTIME_FOLDER.to_owned(),
                regen::Release {
                    name: "google-api-runtime".to_owned(),
                    from: None,
                    to: crate::version::current(&paths::runtime_crate()),
                    change: "runtime".to_owned(),
                    lines: vec!["the repository's runtime crate changed".to_owned()],
                },
            ),
        );
    }
    let manifest = set_manifest(&members, folder);
    let manifest_path = out.join(SET_MANIFEST);
    let current = fs::read_to_string(&manifest_path).ok();
    if current.as_deref() != Some(manifest.as_str()) {
        if check {
            failures.push(format!("{} is stale or missing", manifest_path.display()));
        } else {
            fs::create_dir_all(out)
                .and_then(|()| regen::replace_file(&manifest_path, manifest.as_bytes()))
                .map_err(|error| Failure::error(format!("{}: {error}", manifest_path.display())))?;
        }
    }
    if !check {
        let plan_path = out.join(PUBLISH_PLAN);
        regen::replace_file(&plan_path, publish_plan(&releases).as_bytes())
            .map_err(|error| Failure::error(format!("{}: {error}", plan_path.display())))?;
    }
    println!(
        "regen: {} crates in {} from {}: {changed} {}, {unchanged} unchanged, {} failed, {} \
         skipped as duplicates",
        documents.len(),
        paths::display(out),
        paths::display(folder),
        if check { "stale" } else { "written" },
        failures.len(),
        skipped.len()
    );
    if failures.is_empty() {
        Ok(())
    } else {
        Err(Failure::check(format!(
            "{} of {} documents failed:\n  {}",
            failures.len(),
            documents.len(),
            failures.join("\n  ")
        )))
    }
}

/// The publish plan: every crate the run created or changed, with its old and new version, the
/// kind of change and its first lines, in the order to publish them: the runtime first when its
/// copy changed (every other crate depends on it), then the API crates, which depend on nothing
/// else of the set.
fn publish_plan(releases: &[(String, regen::Release)]) -> String {
    let crates: Vec<serde_json::Value> = releases
        .iter()
        .map(|(folder, release)| {
            serde_json::json!({
                "name": release.name,
                "folder": folder,
                "from": release.from,
                "to": release.to,
                "change": release.change,
                "why": release.lines,
            })
        })
        .collect();
    let plan = serde_json::json!({
        "generated_by": "cargo xtask regen",
        "crates": crates,
    });
    serde_json::to_string_pretty(&plan).expect("a plan serializes") + "\n"
}

/// The set's workspace manifest, listing the crates in `members` (the documents that generated).
fn set_manifest(members: &[String], folder: &Path) -> String {
    let members: Vec<String> = members
        .iter()
        .map(|member| format!("    {member:?},"))
        .collect();
    format!(
        "# @generated by `cargo xtask regen` from the documents of {}. Do not edit.\n\
         [workspace]\nresolver = \"3\"\nmembers = [\n{}\n]\n",
        folder.file_name().map_or_else(
            || folder.display().to_string(),
            |name| name.to_string_lossy().into_owned()
        ),
        members.join("\n")
    )
}
