//! `cargo xtask regen`: generate a crate from a Discovery document, write it or check it.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::version::{self, Bump};
use crate::{Failure, paths};

/// The copy of the source document kept in the crate.
const SOURCE_COPY: &str = "discovery.json";
/// The crate's record of wire changes, one entry per new document.
const CHANGELOG: &str = "CHANGELOG.md";

/// The public Rust items of the crate, kept beside it so that the next generation sees what a
/// new generator changed, not only what a new document did.
const SURFACE_COPY: &str = "rust-surface.txt";
/// The line of the surface copy that holds the fingerprint of the generation.
const FINGERPRINT: &str = "# fingerprint: ";
/// The most changelog lines one generation's entry lists.
const MAX_ENTRY_LINES: usize = 200;

/// What a new generation changes in a crate generated before: the bump it calls for, the drift
/// report to print, and the changelog entry's heading and lines.
struct Changes {
    bump: Bump,
    report: String,
    heading: String,
    lines: Vec<String>,
}

/// The changes from the crate in `out` to `files`; `None` when `out` holds no earlier
/// generation (no source copy).
fn changes_since(out: &Path, files: &[codegen::File]) -> Result<Option<Changes>, Failure> {
    let Ok(old_text) = fs::read_to_string(out.join(SOURCE_COPY)) else {
        return Ok(None);
    };
    let new_text = &file_in(files, SOURCE_COPY).contents;
    let new = discovery::parse(new_text).map_err(|error| Failure::error(error.to_string()))?;
    let revision = new.revision.clone().unwrap_or_else(|| "unknown".to_owned());
    let mut changes = Changes {
        bump: Bump::Patch,
        report: String::new(),
        heading: "generator changes, same document".to_owned(),
        lines: Vec::new(),
    };
    let mut explained = std::collections::BTreeSet::new();
    if &old_text != new_text {
        match discovery::parse(&old_text) {
            Ok(old) => {
                let report = codegen::drift::Report::new(&old, &new, false);
                changes.report = report.to_text();
                changes.heading = format!("revision {revision}, from {}", report.old.1);
                changes.bump = match report.worst() {
                    Some(codegen::drift::Class::Breaking) => Bump::Breaking,
                    Some(codegen::drift::Class::Additive) => Bump::Additive,
                    _ => Bump::Patch,
                };
                for change in &report.changes {
                    explained.insert(change.path.clone());
                    let detail = if change.detail.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", change.detail)
                    };
                    changes.lines.push(format!(
                        "- {} `{}` `{}`{detail}",
                        change.class.as_str(),
                        change.kind,
                        change.path
                    ));
                }
                if report.changes.is_empty() {
                    changes.lines.push("- No wire changes.".to_owned());
                }
            }
            Err(_) => {
                // Nothing to compare with: the cautious reading.
                changes.bump = Bump::Breaking;
                changes.heading = format!("revision {revision}");
                changes.lines.push(
                    "- The previous source copy could not be read; no drift report.".to_owned(),
                );
            }
        }
    } else {
        changes.report =
            "regen: same document, generator changes only: no wire changes\n".to_owned();
    }
    // What the generator itself changed in the public items, beyond what the document explains.
    if let Ok(old_surface) = fs::read_to_string(out.join(SURFACE_COPY)) {
        let old_items = surface_items(&old_surface);
        let new_items = surface_items(&file_in(files, SURFACE_COPY).contents);
        let removed: Vec<&String> = old_items
            .difference(&new_items)
            .filter(|item| !explained.contains(&format!("rust.{item}")))
            .collect();
        let added = new_items.difference(&old_items).count();
        if !removed.is_empty() {
            changes.bump = Bump::Breaking;
        } else if added > 0 {
            changes.bump = changes.bump.min(Bump::Additive);
        }
        for item in &removed {
            changes.lines.push(format!(
                "- breaking `rust_item_removed` `rust.{item}` (generator)"
            ));
        }
        if added > 0 && explained.iter().all(|path| path != "rust") {
            changes.lines.push(format!(
                "- additive `rust_items_added` `rust`: {added} new items"
            ));
        }
    }
    if changes.lines.is_empty() {
        changes
            .lines
            .push("- No change to the wire or the public Rust items.".to_owned());
    }
    Ok(Some(changes))
}

/// A digest of generated `files` (their paths and contents, the manifest's package version
/// left out), which says whether two generations wrote the same crate.
fn fingerprint(files: &[codegen::File]) -> String {
    use sha2::Digest as _;
    let mut digest = sha2::Sha256::new();
    for file in files.iter().filter(|file| file.path != SURFACE_COPY) {
        digest.update(file.path.as_bytes());
        digest.update([0]);
        if file.path == "Cargo.toml" {
            let version = version::package_version(&file.contents).unwrap_or_default();
            digest.update(version::with_version(&file.contents, &version, "").as_bytes());
        } else {
            digest.update(file.contents.as_bytes());
        }
        digest.update([0]);
    }
    digest
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The fingerprint of the generation of the crate in `crate_dir`, as it records it.
pub fn fingerprint_of(crate_dir: &Path) -> Option<String> {
    let surface = fs::read_to_string(crate_dir.join(SURFACE_COPY)).ok()?;
    recorded_fingerprint(&surface).map(str::to_owned)
}

/// The fingerprint a surface copy records.
fn recorded_fingerprint(surface: &str) -> Option<&str> {
    surface
        .lines()
        .find_map(|line| line.strip_prefix(FINGERPRINT))
}

/// The items of a surface copy: every line but the header.
fn surface_items(text: &str) -> std::collections::BTreeSet<String> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .map(str::to_owned)
        .collect()
}

fn file_in<'a>(files: &'a [codegen::File], path: &str) -> &'a codegen::File {
    files
        .iter()
        .find(|file| file.path == path)
        .expect("generate writes it")
}

/// Puts `entry` first in the crate's changelog.
fn record_entry(out: &Path, entry: &str) -> Result<(), Failure> {
    let path = out.join(CHANGELOG);
    // A link in its place is replaced, and what it points to is not read as our history.
    let is_link = fs::symlink_metadata(&path).is_ok_and(|meta| meta.file_type().is_symlink());
    let existing = if is_link {
        String::new()
    } else {
        fs::read_to_string(&path).unwrap_or_default()
    };
    let body = existing
        .split_once("\n## ")
        .map(|(_, rest)| format!("## {rest}"))
        .unwrap_or_default();
    let contents = format!(
        "# Changelog\n\nOne entry per generation that changed the crate, newest first, headed by its version \
         and naming the\nchanges (`cargo xtask drift` classes: breaking, additive, docs), which \
         chose the version.\n\n{entry}\n{body}"
    );
    fs::create_dir_all(out)
        .map_err(|error| Failure::error(format!("{}: {error}", out.display())))?;
    replace_file(&path, (contents.trim_end().to_owned() + "\n").as_bytes())
        .map_err(|error| Failure::error(format!("{}: {error}", path.display())))
}

/// The first line of every file the generator writes starts with one of these.
const GENERATED_MARKERS: [&str; 3] = [
    "// @generated by `cargo xtask regen`",
    "# @generated by `cargo xtask regen`",
    "<!-- @generated by `cargo xtask regen`",
];

pub fn run(args: &[String]) -> Result<(), Failure> {
    let mut check = false;
    let mut from = None;
    let mut out = None;
    let mut repository = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--from" => {
                from =
                    Some(paths::from_cli(args.next().ok_or_else(|| {
                        Failure::usage("--from needs a file or a folder")
                    })?))
            }
            "--out" => {
                out = Some(paths::from_cli(
                    args.next()
                        .ok_or_else(|| Failure::usage("--out needs a folder"))?,
                ))
            }
            "--repository" => {
                repository = Some(
                    args.next()
                        .ok_or_else(|| Failure::usage("--repository needs a URL"))?
                        .clone(),
                )
            }
            other => return Err(Failure::usage(format!("unknown regen option {other:?}"))),
        }
    }
    if let Some(folder) = from.as_ref().filter(|from| from.is_dir()) {
        let out = out.ok_or_else(|| {
            Failure::usage("regen --from a folder writes a set of crates: give --out DIR")
        })?;
        return crate::set::regen_folder(folder, &out, check, repository);
    }
    if repository.is_some() {
        return Err(Failure::usage(
            "--repository names the repository of a set: give --from a folder",
        ));
    }
    // Writing elsewhere makes a standalone crate; the committed one is a workspace member.
    let standalone = out.is_some();
    if let (Some(from), None) = (&from, &out) {
        refuse_other_api(from)?;
    }
    let from = from.unwrap_or_else(paths::default_document);
    let out = out.unwrap_or_else(paths::generated_crate);
    // A guide's doc tests and dev-dependencies are written for the committed crate, inside the
    // workspace; a crate written elsewhere gets the generated docs only.
    let guide = if standalone { None } else { load_guide(&from)? };
    let options = codegen::Options {
        crate_name: None,
        standalone,
        guide,
        runtime_source: paths::runtime_source(&out),
        version: crate::version::current(&out),
        publish: None,
    };
    let files = generate(&from, &options)?;
    let written = write_or_check(&out, &from, files, check, standalone)?;
    print!("{}", written.report);
    Ok(())
}

/// What [`write_or_check`] did: what it has to say, whether the crate was already as the
/// generator writes it, and the release a change makes.
pub struct Written {
    pub report: String,
    pub clean: bool,
    pub release: Option<Release>,
}

/// A new version of a crate: from which (none for a new crate), to which, why.
pub struct Release {
    pub name: String,
    pub from: Option<String>,
    pub to: String,
    pub change: String,
    pub lines: Vec<String>,
}

/// Writes `files`, generated from `from`, as the crate in `out`, or with `check` compares
/// instead and fails naming every difference. When anything changes in a crate generated
/// before, its version is bumped by what changed and its changelog gets the entry.
pub fn write_or_check(
    out: &Path,
    from: &Path,
    mut files: Vec<codegen::File>,
    check: bool,
    standalone: bool,
) -> Result<Written, Failure> {
    let plan = Plan::new(out, &files)?;
    if check {
        plan.check(out, standalone)?;
        return Ok(Written {
            report: String::new(),
            clean: true,
            release: None,
        });
    }
    let mut report = String::new();
    let clean = plan.is_clean();
    let mut release = None;
    let same_generation = fs::read_to_string(out.join(SURFACE_COPY))
        .ok()
        .is_some_and(|old| {
            recorded_fingerprint(&old)
                == recorded_fingerprint(&file_in(&files, SURFACE_COPY).contents)
        });
    // Unchanged, or changed on disk by hand only: written as generated, with no new version.
    let plan = if clean || same_generation {
        plan
    } else {
        let manifest = &file_in(&files, "Cargo.toml").contents;
        let name = version::package_field(manifest, "name").unwrap_or_default();
        let current = version::package_version(manifest).unwrap_or_default();
        let revision = discovery::parse(&file_in(&files, SOURCE_COPY).contents)
            .ok()
            .and_then(|document| document.revision)
            .unwrap_or_else(|| "unknown".to_owned());
        let entry = match changes_since(out, &files)? {
            None => {
                release = Some(Release {
                    name,
                    from: None,
                    to: current.clone(),
                    change: "new".to_owned(),
                    lines: Vec::new(),
                });
                format!("## {current} (revision {revision})\n\nFirst generation.\n")
            }
            Some(changes) => {
                report.push_str(&changes.report);
                let next = version::bumped(&current, changes.bump).ok_or_else(|| {
                    Failure::error(format!(
                        "{}: version {current:?} is not MAJOR.MINOR.PATCH; regen cannot bump it",
                        paths::display(out)
                    ))
                })?;
                let manifest = files
                    .iter_mut()
                    .find(|file| file.path == "Cargo.toml")
                    .expect("a manifest");
                manifest.contents = version::with_version(&manifest.contents, &current, &next);
                report.push_str(&format!(
                    "regen: version {current} -> {next} ({} change)\n",
                    changes.bump
                ));
                let shown = changes.lines.len().min(MAX_ENTRY_LINES);
                let mut entry = format!("## {next} ({})\n\n", changes.heading);
                for line in &changes.lines[..shown] {
                    entry.push_str(line);
                    entry.push('\n');
                }
                if changes.lines.len() > shown {
                    entry.push_str(&format!("- ... and {} more\n", changes.lines.len() - shown));
                }
                release = Some(Release {
                    name,
                    from: Some(current),
                    to: next,
                    change: changes.bump.to_string(),
                    lines: changes.lines.into_iter().take(5).collect(),
                });
                entry
            }
        };
        record_entry(out, &entry)?;
        Plan::new(out, &files)?
    };
    plan.apply(out)?;
    for warning in plan.foreign_warnings() {
        eprintln!("{warning}");
    }
    report.push_str(&format!(
        "regen: {} from {}: {} written, {} unchanged, {} removed\n",
        paths::display(out),
        paths::display(from),
        plan.stale.len() + plan.missing.len(),
        plan.unchanged,
        plan.extra.len()
    ));
    Ok(Written {
        report,
        clean,
        release,
    })
}

/// The guide for `document`'s API, if it has one: `xtask/guides/<document stem>/guide.md` and
/// the `[dev-dependencies]` lines its doc tests need, `dev-dependencies.toml` beside it.
fn load_guide(document: &Path) -> Result<Option<codegen::Guide>, Failure> {
    let stem = document
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .trim_end_matches(".json")
        .to_owned();
    let dir = paths::guides_dir().join(stem);
    let read = |name: &str| -> Result<Option<String>, Failure> {
        let path = dir.join(name);
        match fs::read_to_string(&path) {
            Ok(text) => Ok(Some(text)),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(Failure::error(format!(
                "{}: {error}",
                paths::display(&path)
            ))),
        }
    };
    let Some(docs) = read("guide.md")? else {
        return Ok(None);
    };
    let dev_dependencies = read("dev-dependencies.toml")?
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_owned)
        .collect();
    Ok(Some(codegen::Guide {
        docs: docs.trim_end().to_owned(),
        dev_dependencies,
    }))
}

/// Without `--out`, `regen` writes the committed crate: it only takes a document of the API that
/// crate is for (a newer revision, say), never another API, which would break the workspace.
fn refuse_other_api(from: &Path) -> Result<(), Failure> {
    let api_id = |path: &Path| -> Result<String, Failure> {
        let shown = paths::display(path);
        let bytes = fs::read(path).map_err(|error| Failure::error(format!("{shown}: {error}")))?;
        let document = discovery::parse_bytes(&bytes)
            .map_err(|error| Failure::error(format!("{shown}: {error}")))?;
        Ok(document
            .id
            .unwrap_or_else(|| format!("{}:{}", document.name, document.version)))
    };
    let wanted = api_id(&paths::default_document())?;
    let given = api_id(from)?;
    if given != wanted {
        return Err(Failure::usage(format!(
            "{} is {}, but generated/ holds {wanted}: give --out DIR to write a crate for \
             another API elsewhere",
            paths::display(from),
            discovery::shorten::shorten(&given)
        )));
    }
    Ok(())
}

/// Reads, parses and generates.
pub fn generate(
    document: &Path,
    options: &codegen::Options,
) -> Result<Vec<codegen::File>, Failure> {
    let shown = paths::display(document);
    let bytes = fs::read(document).map_err(|error| Failure::error(format!("{shown}: {error}")))?;
    let parsed = discovery::parse_bytes(&bytes)
        .map_err(|error| Failure::error(format!("{shown}: {error}")))?;
    let text = String::from_utf8(bytes).expect("parse_bytes accepted it as UTF-8");
    let (mut files, items) = codegen::generate_with_items(&parsed, options)
        .map_err(|error| Failure::error(format!("{shown}: {error}")))?;
    // The public items travel with the crate too: the next regeneration bumps the version by
    // what a new generator changed in them as well.
    // With a fingerprint of everything else generated (the version aside): a crate whose
    // files differ from it on disk only because someone edited them is repaired, not bumped.
    let mut surface = format!(
        "# @generated by `cargo xtask regen`: the crate's public items, one a line, for the next \
         regeneration's version bump. Do not edit.\n{FINGERPRINT}{}\n",
        fingerprint(&files)
    );
    for item in &items {
        surface.push_str(item);
        surface.push('\n');
    }
    files.push(codegen::File {
        path: SURFACE_COPY.to_owned(),
        contents: surface,
    });
    // The source document travels with the crate, so the next regeneration can say what changed.
    files.push(codegen::File {
        path: SOURCE_COPY.to_owned(),
        contents: text,
    });
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// What writing the files would change in the output folder.
#[derive(Debug, Default)]
pub struct Plan<'f> {
    /// Files whose contents differ.
    pub stale: Vec<&'f codegen::File>,
    /// Files that do not exist yet.
    pub missing: Vec<&'f codegen::File>,
    /// Generated files the generator no longer writes.
    pub extra: Vec<String>,
    /// Files in the crate's `src/` that the generator did not write (no generated header):
    /// never removed, but named, since the crate would compile or ship them.
    pub foreign: Vec<String>,
    /// How many files are already as they should be.
    pub unchanged: usize,
}

impl<'f> Plan<'f> {
    pub fn new(out: &Path, files: &'f [codegen::File]) -> Result<Plan<'f>, Failure> {
        let mut plan = Plan::default();
        // A folder that is not there holds nothing to compare: a new crate is only written.
        let existing = out.is_dir().then(|| files_in(out));
        for file in files {
            if existing.is_none() {
                plan.missing.push(file);
                continue;
            }
            match fs::read(out.join(&file.path)) {
                Ok(existing) if existing == file.contents.as_bytes() => plan.unchanged += 1,
                Ok(_) => plan.stale.push(file),
                Err(_) => plan.missing.push(file),
            }
        }
        let Some(listing) = existing else {
            return Ok(plan);
        };
        let wanted: BTreeMap<&str, ()> =
            files.iter().map(|file| (file.path.as_str(), ())).collect();
        for existing in listing.generated {
            if !wanted.contains_key(existing.as_str()) {
                plan.extra.push(existing);
            }
        }
        plan.foreign = listing
            .other
            .into_iter()
            .filter(|path| path.starts_with("src/") && !wanted.contains_key(path.as_str()))
            .collect();
        Ok(plan)
    }

    pub fn is_clean(&self) -> bool {
        self.stale.is_empty()
            && self.missing.is_empty()
            && self.extra.is_empty()
            && self.foreign.is_empty()
    }

    /// A warning for each file in `src/` that regen leaves alone.
    fn foreign_warnings(&self) -> Vec<String> {
        self.foreign
            .iter()
            .map(|path| {
                format!(
                    "regen: warning: {path} was not written by the generator (no generated \
                     header); it is left alone: remove it by hand if it does not belong to the crate"
                )
            })
            .collect()
    }

    /// Fails, listing every difference and the command that fixes it, unless there is none.
    fn check(&self, out: &Path, standalone: bool) -> Result<(), Failure> {
        if self.is_clean() {
            println!("regen --check: {} is up to date", paths::display(out));
            return Ok(());
        }
        let mut message = format!(
            "{} is not what the generator writes:\n",
            paths::display(out)
        );
        for file in &self.stale {
            message.push_str(&format!("  stale:   {}\n", file.path));
        }
        for file in &self.missing {
            message.push_str(&format!("  missing: {}\n", file.path));
        }
        for path in &self.extra {
            message.push_str(&format!("  extra:   {path}\n"));
        }
        for path in &self.foreign {
            message.push_str(&format!(
                "  extra:   {path} (not generated: regen leaves it alone, remove it by hand)\n"
            ));
        }
        message.push_str(if standalone {
            "run the same command without --check to rewrite it"
        } else {
            "run `cargo xtask regen` to update it"
        });
        Err(Failure::check(message))
    }

    /// Writes what changed (each file through a temporary file and a rename, so none is ever
    /// half-written) and removes generated files no longer written. Each folder is checked and
    /// made once, then the files are written on every core: a large crate is hundreds of files,
    /// and creating a file costs the file system more than writing it.
    fn apply(&self, out: &Path) -> Result<(), Failure> {
        let io = |path: &Path, error: std::io::Error| {
            Failure::error(format!("{}: {error}", path.display()))
        };
        let writes: Vec<&codegen::File> = self.stale.iter().chain(&self.missing).copied().collect();
        let folders: std::collections::BTreeSet<PathBuf> = writes
            .iter()
            .filter_map(|file| out.join(&file.path).parent().map(Path::to_path_buf))
            .collect();
        for folder in &folders {
            refuse_links_between(out, folder)?;
            fs::create_dir_all(folder).map_err(|error| io(folder, error))?;
        }
        let written = crate::set::on_every_core(&writes, |file| {
            let target = out.join(&file.path);
            replace_file(&target, file.contents.as_bytes()).map_err(|error| io(&target, error))
        });
        written.into_iter().collect::<Result<(), Failure>>()?;
        for path in &self.extra {
            let target = out.join(path);
            fs::remove_file(&target).map_err(|error| io(&target, error))?;
        }
        Ok(())
    }
}

/// Refuses to write into `folder` through a symbolic link to a folder on the way from `out` to
/// it (`folder` included): a link planted in the output folder must not send generated files
/// elsewhere.
pub fn refuse_links_between(out: &Path, folder: &Path) -> Result<(), Failure> {
    let Ok(relative) = folder.strip_prefix(out) else {
        return Ok(());
    };
    let mut folder = out.to_path_buf();
    for part in relative.components() {
        folder.push(part);
        if fs::symlink_metadata(&folder).is_ok_and(|meta| meta.file_type().is_symlink()) {
            return Err(Failure::error(format!(
                "{} is a symbolic link; regen does not write through links in its output folder",
                folder.display()
            )));
        }
    }
    Ok(())
}

/// Replaces the file at `path` with `contents` through a temporary file and a rename, so that it
/// is never half-written, and never written through a link (one at `path` is replaced).
pub fn replace_file(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let temporary = temporary_path(path);
    write_new(&temporary, contents)?;
    fs::rename(&temporary, path)
}

/// Writes `contents` to a file made anew at `path`. Whatever was there (a temporary left by a
/// run that was killed, or a link planted to send the text elsewhere) is removed first, and
/// the file is created only if nothing took the name since: never written through a link.
fn write_new(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    match fs::remove_file(path) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => return Err(error),
        _ => {}
    }
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(contents)
}

fn temporary_path(target: &Path) -> PathBuf {
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(".regen-tmp");
    target.with_file_name(name)
}

/// The files below a folder, relative and `/`-separated: those the generator wrote (by their
/// first line), and the others.
#[derive(Default)]
pub struct Listing {
    pub generated: Vec<String>,
    pub other: Vec<String>,
}

/// The files below `out`. Symbolic links are never followed, into folders or to files: a link
/// inside the output folder must not make regen list, and then remove, files elsewhere.
pub fn files_in(out: &Path) -> Listing {
    let mut listing = Listing::default();
    let mut pending = vec![out.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            // The entry's own type: a link is a link, whatever it points to.
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                // Build output and version control are never ours.
                if name != "target" && name != ".git" {
                    pending.push(path);
                }
            } else if kind.is_file() {
                let relative = path.strip_prefix(out).expect("below out");
                let relative = relative.to_string_lossy().replace('\\', "/");
                if is_generated(&path) {
                    listing.generated.push(relative);
                } else {
                    listing.other.push(relative);
                }
            }
        }
    }
    listing.generated.sort();
    listing.other.sort();
    listing
}

fn is_generated(path: &Path) -> bool {
    use std::io::Read;
    // The marker is on the first line: the file's start is enough.
    let mut start = Vec::with_capacity(512);
    let read = fs::File::open(path).and_then(|file| file.take(512).read_to_end(&mut start));
    if read.is_err() {
        return false;
    }
    let text = String::from_utf8_lossy(&start);
    let first = text.lines().next().unwrap_or_default();
    GENERATED_MARKERS
        .iter()
        .any(|marker| first.starts_with(marker))
}
