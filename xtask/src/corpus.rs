//! `cargo xtask corpus`: generate a crate for every corpus document and type-check them all.
//!
//! The crates go into one throwaway workspace, `corpus/` in cargo's target directory (which
//! `CARGO_TARGET_DIR` sets), with the repository's `Cargo.lock` and a target directory of its
//! own inside it, so dependencies are built once and shared by every corpus crate.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Failure, paths, regen, round_trip};

/// Documents that are generated but not compiled: compute.v1 alone is a 5 MB document whose
/// crate takes longer to check than all the others together.
const GENERATE_ONLY: &[&str] = &["compute.v1.json"];

pub fn run(args: &[String]) -> Result<(), Failure> {
    let mut build = true;
    let mut folder = None;
    let mut set = None;
    let mut limit = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--no-build" => build = false,
            "--documents" => {
                folder = Some(paths::from_cli(args.next().ok_or_else(|| {
                    Failure::usage("--documents needs a folder of Discovery documents")
                })?))
            }
            "--set" => {
                set = Some(paths::from_cli(args.next().ok_or_else(|| {
                    Failure::usage("--set needs the folder of a set written by `regen --from`")
                })?))
            }
            "--limit" => {
                limit = Some(
                    args.next()
                        .and_then(|count| count.parse::<usize>().ok())
                        .ok_or_else(|| Failure::usage("--limit needs a number of crates"))?,
                )
            }
            other => return Err(Failure::usage(format!("unknown corpus option {other:?}"))),
        }
    }
    if let Some(set) = set {
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| set.join("target"));
        return crate::check_set::run(&set, &target, limit);
    }
    let workspace = paths::target_dir().join("corpus");
    let Some(folder) = folder else {
        let documents = documents()?;
        let members = generate_all(&workspace, &documents, &[round_trip::NAME])?;
        let types = round_trip::write(&workspace, &round_trip_subjects(&documents)?)?;
        println!("corpus: wrote the round-trip program ({types} model types)");
        let mut manifests = Vec::new();
        for program in &PROGRAMS {
            manifests.push(write_program(&workspace, program)?);
        }
        if build {
            check_all(&workspace, &members)?;
            for (program, manifest) in PROGRAMS.iter().zip(&manifests) {
                run_program(&workspace, program, manifest)?;
            }
            run_round_trips(&workspace)?;
            package_set(&workspace)?;
        }
        return Ok(());
    };
    // Any folder of documents, such as every API Google publishes: a workspace of its own.
    let workspace = workspace.join("documents");
    let started = std::time::Instant::now();
    let documents = crate::set::documents_in(&folder)?;
    let members = generate_all(&workspace, &documents, &[])?;
    println!(
        "corpus: generated {} crates in {:.1} s ({} to compile)",
        documents.len(),
        started.elapsed().as_secs_f64(),
        members.len()
    );
    if build {
        check_all(&workspace, &members)?;
    }
    Ok(())
}

/// A program built against API crates that `regen --out` writes, and run: the check that
/// generated crates work as their users use them.
struct Program {
    /// Its folder and package name.
    name: &'static str,
    /// The corpus documents whose crates it uses.
    documents: &'static [&'static str],
    /// Its `main.rs`, in the repository.
    source: &'static str,
    /// Modules copied beside `main.rs`, from the repository.
    modules: &'static [&'static str],
    /// Dependencies besides the runtime and the API crates, as manifest lines.
    dependencies: &'static str,
    /// What it showed when it succeeds.
    shows: &'static str,
}

/// The programs `cargo xtask corpus` builds and runs.
const PROGRAMS: [Program; 3] = [
    Program {
        name: "two-apis",
        documents: &["tasks.v1.json", "dataportability.v1beta.json"],
        source: "xtask/corpus/two_apis.rs",
        modules: &[],
        dependencies: "",
        shows: "one client served two generated APIs",
    },
    Program {
        name: "drive",
        documents: &["drive.v3.json"],
        source: "xtask/corpus/drive.rs",
        modules: &["runtime/tests/support/media_server.rs"],
        dependencies: "",
        shows: "drive.v3 paged, uploaded (multipart and resumable) and made a folder",
    },
    Program {
        name: "async-two-apis",
        documents: &["drive.v3.json", "tasks.v1.json"],
        source: "xtask/corpus/async_two_apis.rs",
        modules: &["runtime/tests/support/media_server.rs"],
        dependencies: "tokio = { version = \"1\", default-features = false, features = [\"macros\", \"rt-multi-thread\"] }\n",
        shows: "one AsyncClient served two generated APIs from tasks on a multi-threaded runtime",
    },
];

/// Writes the API crates of `program` exactly as `cargo xtask regen --from DOC --out DIR` writes
/// them, into sibling folders of its own, and the program beside them; returns its manifest.
fn write_program(workspace: &Path, program: &Program) -> Result<PathBuf, Failure> {
    let io =
        |path: &Path, error: std::io::Error| Failure::error(format!("{}: {error}", path.display()));
    let dir = workspace.join(program.name);
    let mut dependencies = String::new();
    for document in program.documents {
        let from = paths::root()
            .join("discovery/documents/corpus")
            .join(document);
        let folder = document.trim_end_matches(".json").replace(['.', '_'], "-");
        let out = dir.join(&folder);
        regen::run(&[
            "--from".to_owned(),
            from.to_string_lossy().into_owned(),
            "--out".to_owned(),
            out.to_string_lossy().into_owned(),
        ])?;
        dependencies.push_str(&format!("google-{folder} = {{ path = \"../{folder}\" }}\n"));
    }
    let main_dir = dir.join("program");
    let src = main_dir.join("src");
    fs::create_dir_all(&src).map_err(|error| io(&src, error))?;
    let source = paths::root().join(program.source);
    fs::copy(&source, src.join("main.rs")).map_err(|error| io(&source, error))?;
    for module in program.modules {
        let module = paths::root().join(module);
        let name = module.file_name().unwrap_or_default();
        fs::copy(&module, src.join(name)).map_err(|error| io(&module, error))?;
    }
    let manifest = format!(
        "# Written by `cargo xtask corpus`.\n[package]\nname = \"{}\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\ngoogle-api-runtime = {{ {} }}\n{dependencies}{}\n[workspace]\n",
        program.name,
        paths::runtime_source(&main_dir),
        program.dependencies
    );
    let manifest_path = main_dir.join("Cargo.toml");
    fs::write(&manifest_path, manifest).map_err(|error| io(&manifest_path, error))?;
    let lock = paths::root().join("Cargo.lock");
    fs::copy(&lock, main_dir.join("Cargo.lock")).map_err(|error| io(&lock, error))?;
    println!(
        "corpus: wrote the {} program in {}",
        program.name,
        main_dir.display()
    );
    Ok(manifest_path)
}

/// Builds and runs a program; it fails unless the program does.
fn run_program(workspace: &Path, program: &Program, manifest: &Path) -> Result<(), Failure> {
    cargo_run(workspace, &["--manifest-path"], manifest, program.name)?;
    println!("corpus: {}", program.shows);
    Ok(())
}

/// `cargo run` of the program `name` with `args` and `manifest`, printing what it printed;
/// fails unless the program succeeds.
fn cargo_run(workspace: &Path, args: &[&str], manifest: &Path, name: &str) -> Result<(), Failure> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args(["run", "--quiet"])
        .args(args)
        .arg(manifest)
        .env("CARGO_TARGET_DIR", workspace.join("target"))
        .output()
        .map_err(|error| Failure::error(format!("could not run cargo: {error}")))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    print!("{stdout}");
    if !output.status.success() {
        return Err(Failure::check(format!(
            "the {name} program failed:\n{stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    Ok(())
}

/// The documents of the set `package_set` packages.
const PACKAGED: [&str; 2] = ["tasks.v1.json", "dataportability.v1beta.json"];

/// A set of two API crates and the runtime's copy, written by `regen --from FOLDER` and packaged
/// together as the crate registry would take them, each built from its packaged sources
/// (`cargo package`, offline: the corpus build has fetched every dependency). Beside the corpus
/// workspace, whose build cache it shares.
fn package_set(workspace: &Path) -> Result<(), Failure> {
    let io =
        |path: &Path, error: std::io::Error| Failure::error(format!("{}: {error}", path.display()));
    let dir = paths::target_dir().join("corpus-set");
    if dir.exists() {
        fs::remove_dir_all(&dir).map_err(|error| io(&dir, error))?;
    }
    let documents = dir.join("documents");
    fs::create_dir_all(&documents).map_err(|error| io(&documents, error))?;
    for name in PACKAGED {
        let from = paths::root().join("discovery/documents/corpus").join(name);
        fs::copy(&from, documents.join(name)).map_err(|error| io(&from, error))?;
    }
    let set = dir.join("set");
    crate::set::regen_folder(&documents, &set, false, None)?;
    let lock = paths::root().join("Cargo.lock");
    fs::copy(&lock, set.join("Cargo.lock")).map_err(|error| io(&lock, error))?;
    forget_packaged_copies()?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args([
            "package",
            "--offline",
            "-p",
            "google-api-runtime",
            "-p",
            "google-tasks-v1",
            "-p",
            "google-dataportability-v1beta",
            "--manifest-path",
        ])
        .arg(set.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", workspace.join("target"))
        .output()
        .map_err(|error| Failure::error(format!("could not run cargo: {error}")))?;
    if !output.status.success() {
        return Err(Failure::check(format!(
            "cargo package refused the set:\n{}",
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    println!(
        "corpus: cargo package accepted and built the runtime and {} crates of a set",
        PACKAGED.len()
    );
    // The set's own check, as a run over all 610 would make it: the second run has nothing
    // left to do.
    let target = workspace.join("target");
    crate::check_set::run(&set, &target, None)?;
    crate::check_set::run(&set, &target, None)
}

/// The corpus documents and the generator's fixtures, sorted by file name within each.
fn documents() -> Result<Vec<PathBuf>, Failure> {
    let mut documents = Vec::new();
    for folder in ["discovery/documents/corpus", "codegen/tests/fixtures"] {
        documents.extend(crate::set::documents_in(&paths::root().join(folder))?);
    }
    Ok(documents)
}

/// Generates a crate for each of `documents` into `workspace`; returns the folders of those to
/// compile. Every document is tried; the failures are listed together at the end.
fn generate_all(
    workspace: &Path,
    documents: &[PathBuf],
    programs: &[&str],
) -> Result<Vec<Member>, Failure> {
    let io =
        |path: &Path, error: std::io::Error| Failure::error(format!("{}: {error}", path.display()));
    // Start from nothing but the build cache, so no crate of an earlier run lingers.
    if let Ok(entries) = fs::read_dir(workspace) {
        for entry in entries.flatten() {
            if entry.file_name() != "target" {
                let path = entry.path();
                let removed = if path.is_dir() {
                    fs::remove_dir_all(&path)
                } else {
                    fs::remove_file(&path)
                };
                removed.map_err(|error| io(&path, error))?;
            }
        }
    }
    fs::create_dir_all(workspace).map_err(|error| io(workspace, error))?;
    // Every document on every core; what each says is printed in the documents' order.
    let generated =
        crate::set::on_every_core(documents, |document| generate_one(workspace, document));
    let mut members = Vec::new();
    let mut failures = Vec::new();
    for outcome in generated {
        match outcome {
            Ok((line, member)) => {
                println!("{line}");
                members.extend(member);
            }
            Err(message) => failures.push(message),
        }
    }
    if !failures.is_empty() {
        return Err(Failure::check(format!(
            "{} of {} documents did not generate:\n  {}",
            failures.len(),
            documents.len(),
            failures.join("\n  ")
        )));
    }
    let manifest = format!(
        "# Written by `cargo xtask corpus`.\n[workspace]\nresolver = \"3\"\nmembers = [{}]\n",
        members
            .iter()
            .map(|member| member.folder.as_str())
            .chain(programs.iter().copied())
            .map(|folder| format!("{folder:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let manifest_path = workspace.join("Cargo.toml");
    fs::write(&manifest_path, manifest).map_err(|error| io(&manifest_path, error))?;
    // The repository's lock file pins the same dependency versions the committed crate uses.
    let lock = paths::root().join("Cargo.lock");
    fs::copy(&lock, workspace.join("Cargo.lock")).map_err(|error| io(&lock, error))?;
    Ok(members)
}

/// Generates and writes one document's crate into `workspace`: the line to print, and the
/// member to compile (none for a document that is only generated). A failure is the message.
fn generate_one(workspace: &Path, document: &Path) -> Result<(String, Option<Member>), String> {
    let io = |path: &Path, error: std::io::Error| format!("{}: {error}", path.display());
    let file_name = document
        .file_name()
        .expect("a file")
        .to_string_lossy()
        .into_owned();
    let folder = folder_of(document);
    let crate_dir = workspace.join(&folder);
    let options = options_for(&folder, &crate_dir);
    let files = regen::generate(document, &options).map_err(|failure| failure.message)?;
    for file in &files {
        let path = crate_dir.join(&file.path);
        fs::create_dir_all(path.parent().expect("inside the crate"))
            .map_err(|error| io(&path, error))?;
        fs::write(&path, &file.contents).map_err(|error| io(&path, error))?;
    }
    let lines: usize = files.iter().map(|file| file.contents.lines().count()).sum();
    let line = format!(
        "corpus: generated {folder} ({} files, {lines} lines)",
        files.len()
    );
    if GENERATE_ONLY.contains(&file_name.as_str()) {
        return Ok((line, None));
    }
    let features = files
        .iter()
        .find(|file| file.path == "Cargo.toml")
        .map(|manifest| resource_features(&manifest.contents))
        .unwrap_or_default();
    Ok((line, Some(Member { folder, features })))
}

/// The folder of a document's crate in the corpus workspace, which is also its package name
/// after `corpus-`.
fn folder_of(document: &Path) -> String {
    // Crate names are snake case once compiled: `youtubeAnalytics` becomes lower case.
    let stem = crate::set::folder_of(document);
    let is_fixture = document
        .parent()
        .is_some_and(|dir| dir.ends_with("fixtures"));
    if is_fixture {
        format!("fixture-{stem}")
    } else {
        stem
    }
}

/// How a crate of the corpus workspace is generated.
fn options_for(folder: &str, crate_dir: &Path) -> codegen::Options {
    codegen::Options {
        crate_name: Some(format!("corpus-{folder}")),
        standalone: false,
        guide: None,
        runtime_source: paths::runtime_source(crate_dir),
        version: codegen::FIRST_VERSION.to_owned(),
        publish: None,
    }
}

/// The crates whose model types the round-trip program checks: every one the corpus compiles.
fn round_trip_subjects(documents: &[PathBuf]) -> Result<Vec<round_trip::Subject>, Failure> {
    let mut subjects = Vec::new();
    for document in documents {
        let file_name = document.file_name().unwrap_or_default().to_string_lossy();
        if GENERATE_ONLY.contains(&file_name.as_ref()) {
            continue;
        }
        let folder = folder_of(document);
        let shown = paths::display(document);
        let bytes =
            fs::read(document).map_err(|error| Failure::error(format!("{shown}: {error}")))?;
        let parsed = discovery::parse_bytes(&bytes)
            .map_err(|error| Failure::error(format!("{shown}: {error}")))?;
        let api = codegen::lower::lower(&parsed, &options_for(&folder, Path::new(&folder)))
            .map_err(|error| Failure::error(format!("{shown}: {error}")))?;
        subjects.push(round_trip::Subject {
            package: format!("corpus-{folder}"),
            api,
        });
    }
    Ok(subjects)
}

/// Builds and runs the round-trip program; it fails unless every type's round trip holds.
fn run_round_trips(workspace: &Path) -> Result<(), Failure> {
    cargo_run(
        workspace,
        &["--package", round_trip::NAME, "--manifest-path"],
        &workspace.join("Cargo.toml"),
        round_trip::NAME,
    )
}

/// Removes cargo's unpacked copies of the packages `package_set` packages. `cargo package`
/// verifies each package against the others through a registry of its own in the target
/// directory, and cargo unpacks a registry's package once per name, version and registry path:
/// after a change to the runtime that keeps its version, the next packaging would build against
/// the copy unpacked before the change. Only these packages of such path registries (whose
/// folders under `registry/src` start with `-`) are removed.
fn forget_packaged_copies() -> Result<(), Failure> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")));
    let Some(sources) = home.map(|home| home.join("registry/src")) else {
        return Ok(());
    };
    let Ok(registries) = fs::read_dir(&sources) else {
        return Ok(());
    };
    let ours = [
        "google-api-runtime-",
        "google-tasks-v1-",
        "google-dataportability-v1beta-",
    ];
    for registry in registries.flatten() {
        if !registry.file_name().to_string_lossy().starts_with('-') {
            continue;
        }
        for package in fs::read_dir(registry.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = package.file_name().to_string_lossy().into_owned();
            if ours.iter().any(|prefix| name.starts_with(prefix)) {
                let path = package.path();
                fs::remove_dir_all(&path)
                    .map_err(|error| Failure::error(format!("{}: {error}", path.display())))?;
            }
        }
    }
    Ok(())
}

/// A crate of the corpus workspace.
struct Member {
    /// Its folder, which is also its package name after `corpus-`.
    folder: String,
    /// Its resource features, when it has them.
    features: Vec<String>,
}

/// The resource features a generated manifest declares (`name = []` lines).
fn resource_features(manifest: &str) -> Vec<String> {
    manifest
        .lines()
        .filter_map(|line| line.strip_suffix(" = []"))
        .map(|name| name.trim_matches('"').to_owned())
        .collect()
}

/// `cargo check`, then `cargo doc`, on the whole corpus workspace; fails on any error or warning.
/// A crate with resource features is also checked with none of them and with its first alone,
/// the builds a program that trims the crate gets.
fn check_all(workspace: &Path, members: &[Member]) -> Result<(), Failure> {
    cargo_clean(
        workspace,
        &["check", "--workspace", "--message-format", "short"],
    )?;
    println!("corpus: {} crates check without warnings", members.len());
    for member in members {
        let Some(first) = member.features.first() else {
            continue;
        };
        let package = format!("corpus-{}", member.folder);
        for features in ["oauth".to_owned(), format!("oauth,{first}")] {
            cargo_clean(
                workspace,
                &[
                    "check",
                    "--package",
                    &package,
                    "--no-default-features",
                    "--features",
                    &features,
                    "--message-format",
                    "short",
                ],
            )?;
        }
        println!(
            "corpus: {package} checks without warnings with no resource feature, and with `{first}` alone"
        );
    }
    cargo_clean(
        workspace,
        &[
            "doc",
            "--no-deps",
            "--workspace",
            "--message-format",
            "short",
        ],
    )?;
    // Each crate's page holds the runtime it re-exports (inlined), even without its
    // dependencies documented: a user of `cargo doc --no-deps` still finds the client.
    for member in members {
        let page = workspace
            .join("target/doc")
            .join(format!("corpus_{}", member.folder.replace('-', "_")))
            .join("runtime/struct.ClientBuilder.html");
        if !page.exists() {
            return Err(Failure::check(format!(
                "corpus-{}'s documentation has no {}: the runtime is not inlined",
                member.folder,
                page.display()
            )));
        }
    }
    // The runtime they share, documented with them: its links must resolve too.
    cargo_clean(
        workspace,
        &[
            "doc",
            "--no-deps",
            "--package",
            "google-api-runtime",
            "--message-format",
            "short",
        ],
    )?;
    println!(
        "corpus: {} crates and the runtime document without warnings",
        members.len()
    );
    Ok(())
}

/// Runs a cargo command in `workspace`; fails on any error or warning it prints. What cargo
/// is building is shown as it goes (a line per crate), so a long check is never silent.
fn cargo_clean(workspace: &Path, args: &[&str]) -> Result<(), Failure> {
    // A target directory of its own: a `cargo test` that runs this holds the main one.
    cargo_clean_in(workspace, &workspace.join("target"), args)
}

/// [`cargo_clean`] with the target directory `target`.
pub fn cargo_clean_in(workspace: &Path, target: &Path, args: &[&str]) -> Result<(), Failure> {
    use std::io::BufRead as _;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    println!("corpus: cargo {}", args.join(" "));
    let mut child = Command::new(cargo)
        .args(args)
        .current_dir(workspace)
        .env("CARGO_TARGET_DIR", target)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|error| Failure::error(format!("could not run cargo: {error}")))?;
    let mut stderr = String::new();
    let started = std::time::Instant::now();
    if let Some(pipe) = child.stderr.take() {
        for line in std::io::BufReader::new(pipe).lines().map_while(Result::ok) {
            let trimmed = line.trim_start();
            if ["Compiling ", "Checking ", "Documenting "]
                .iter()
                .any(|verb| trimmed.starts_with(verb))
            {
                println!("corpus:   {:>4}s {trimmed}", started.elapsed().as_secs());
            }
            stderr.push_str(&line);
            stderr.push('\n');
        }
    }
    let status = child
        .wait()
        .map_err(|error| Failure::error(format!("could not run cargo: {error}")))?;
    let problems: Vec<&str> = stderr
        .lines()
        .filter(|line| {
            line.contains(": warning:")
                || line.contains(": error")
                || line.starts_with("error")
                || line.starts_with("warning")
        })
        .collect();
    if !status.success() || !problems.is_empty() {
        return Err(Failure::check(format!(
            "`cargo {}` on the corpus is not clean ({} problems):\n{}",
            args[0],
            problems.len(),
            if problems.is_empty() {
                stderr.clone()
            } else {
                problems.join("\n")
            }
        )));
    }
    Ok(())
}
