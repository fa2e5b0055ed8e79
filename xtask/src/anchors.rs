//! `cargo xtask bench --anchors`: what our generated crates cost to build next to google-apis-rs's
//! (google-drive3 7.0.0 and google-compute1 6.0.0, from the package registry), each with the same
//! user program, measured in paired alternating builds.
//!
//! Everything lives in `bench-anchors/` in cargo's target directory, in workspaces of its own
//! (`ours/`, `theirs/`), so `cargo test` never builds the anchors. Each figure comes from
//! `/usr/bin/time -f '%e %U %S %M' cargo build ...` after `cargo clean -p CRATE` (or after
//! touching the program), with the dependencies already built.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::rebuild::touch;
use crate::{Failure, paths, regen};

/// One side of the comparison: where its workspace is, and the names cargo knows its parts by.
struct Side {
    /// `ours` or `theirs`.
    name: &'static str,
    /// The folder holding its programs; each program is a workspace of its own sharing
    /// `target/` inside this folder.
    dir: PathBuf,
    /// The drive crate's package name.
    drive_crate: &'static str,
    /// The compute crate's package name.
    compute_crate: &'static str,
}

/// What one build cost.
#[derive(Clone, Copy, Default)]
struct Cost {
    wall: f64,
    cpu: f64,
    peak_mib: f64,
}

pub fn run(runs: usize) -> Result<(), Failure> {
    if !Path::new("/usr/bin/time").exists() {
        return Err(Failure::error(
            "the anchors benchmark needs GNU time at /usr/bin/time (Debian: apt-get install time)",
        ));
    }
    let root = paths::target_dir().join("bench-anchors");
    let ours = write_ours(&root.join("ours"))?;
    let theirs = write_theirs(&root.join("theirs"))?;
    println!("bench: building dependencies once (this takes a while the first time)");
    for side in [&ours, &theirs] {
        for (program, profile) in [
            ("drive-program", &[][..]),
            ("drive-program", &["--release"][..]),
            ("compute-program", &[][..]),
        ] {
            build(side, program, profile, None)?;
        }
        if side.name == "ours" {
            build(side, "drive-async-program", &["--release"], None)?;
        }
    }
    let mut rows: Vec<Row> = Vec::new();
    let mut measure =
        |what: &str, command: String, each: &dyn Fn(&Side) -> Result<Cost, Failure>| {
            let mut pairs = Vec::new();
            for _ in 0..runs {
                // Alternating, so a slow moment of the machine hits both sides alike.
                let mine = each(&ours)?;
                let other = each(&theirs)?;
                pairs.push((mine, other));
            }
            rows.push(Row {
                what: what.to_owned(),
                command,
                ours: median(pairs.iter().map(|pair| pair.0).collect()),
                theirs: median(pairs.iter().map(|pair| pair.1).collect()),
            });
            Ok::<(), Failure>(())
        };
    measure(
        "drive crate + 14-call program, release (CPU s)",
        "cargo clean --release -p CRATE; time cargo build --release".to_owned(),
        &|side| {
            clean(side, "drive-program", side.drive_crate, true)?;
            build(side, "drive-program", &["--release"], None)
        },
    )?;
    measure(
        "drive crate + 14-call async program, release (CPU s)",
        "cargo clean --release -p CRATE; time cargo build --release".to_owned(),
        &|side| {
            // Theirs is async already: its program is the same one as above.
            let program = if side.name == "ours" {
                "drive-async-program"
            } else {
                "drive-program"
            };
            clean(side, program, side.drive_crate, true)?;
            build(side, program, &["--release"], None)
        },
    )?;
    measure(
        "the program alone, release (wall s)",
        "touch src/main.rs; time cargo build --release".to_owned(),
        &|side| {
            build(side, "drive-program", &["--release"], None)?;
            touch(&side.dir.join("drive-program/src/main.rs"))?;
            build(side, "drive-program", &["--release"], None)
        },
    )?;
    measure(
        "drive crate alone, debug (wall s)",
        "cargo clean -p CRATE; time cargo build -p CRATE".to_owned(),
        &|side| {
            clean(side, "drive-program", side.drive_crate, false)?;
            build(side, "drive-program", &[], Some(side.drive_crate))
        },
    )?;
    measure(
        "drive crate alone, release (wall s)",
        "cargo clean --release -p CRATE; time cargo build --release -p CRATE".to_owned(),
        &|side| {
            clean(side, "drive-program", side.drive_crate, true)?;
            build(
                side,
                "drive-program",
                &["--release"],
                Some(side.drive_crate),
            )
        },
    )?;
    measure(
        "compute crate alone, debug (CPU s, peak MiB)",
        "cargo clean -p CRATE; time cargo build -p CRATE".to_owned(),
        &|side| {
            clean(side, "compute-program", side.compute_crate, false)?;
            build(side, "compute-program", &[], Some(side.compute_crate))
        },
    )?;
    measure(
        "compute program (instances list/get/insert), debug (wall s)",
        "touch src/main.rs; time cargo build".to_owned(),
        &|side| {
            // Built once untimed first: building the crate alone above (`-p`) may have
            // unified its dependencies' features otherwise, and the row is the program's.
            build(side, "compute-program", &[], None)?;
            touch(&side.dir.join("compute-program/src/main.rs"))?;
            build(side, "compute-program", &[], None)
        },
    )?;
    let rlib = |side: &Side| rlib_size(&side.dir.join("target/debug/deps"), side.compute_crate);
    let full_rlibs = [rlib(&ours)?, rlib(&theirs)?];
    // Last, since it leaves our compute crate built with one feature only.
    measure(
        "compute crate, ours with only the `instances` feature, debug (CPU s, peak MiB)",
        "cargo clean -p CRATE; time cargo build -p CRATE (features = [\"oauth\", \"instances\"])"
            .to_owned(),
        &|side| {
            if side.name == "ours" {
                // A dependency, like the whole crate above: built the same way (not
                // incrementally), with only the features the program asks for.
                clean(side, "compute-trimmed-program", side.compute_crate, false)?;
                build(
                    side,
                    "compute-trimmed-program",
                    &[],
                    Some(side.compute_crate),
                )
            } else {
                // google-compute1 has no features: all of it is what a program gets.
                clean(side, "compute-program", side.compute_crate, false)?;
                build(side, "compute-program", &[], Some(side.compute_crate))
            }
        },
    )?;
    measure(
        "compute program, ours against the crate with only `instances`, debug (wall s)",
        "touch src/main.rs; time cargo build".to_owned(),
        &|side| {
            let program = if side.name == "ours" {
                "compute-trimmed-program"
            } else {
                "compute-program"
            };
            build(side, program, &[], None)?;
            touch(&side.dir.join(program).join("src/main.rs"))?;
            build(side, program, &[], None)
        },
    )?;
    let trimmed_rlib = rlib(&ours)?;
    print_table(&rows);
    let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
    println!(
        "  compute rlib, debug: ours {:.0} MiB (with only `instances`: {:.0} MiB), theirs {:.0} MiB",
        mib(full_rlibs[0]),
        mib(trimmed_rlib),
        mib(full_rlibs[1])
    );
    Ok(())
}

/// How many times `bench --throughput` runs each side, alternating: this machine's neighbours
/// move single runs by a third, so the medians are what is reported.
const THROUGHPUT_ROUNDS: usize = 9;

/// `cargo xtask bench --throughput`: 10,000 `about.get` at 256 in flight from our drive.v3 crate
/// on one `AsyncClient` and from google-drive3 7.0.0's hub, against one small server, in one
/// release program (`xtask/bench/throughput.rs`) run once per side and round, alternating; each
/// run's line, then the medians of requests per second and of the client's CPU per request.
pub fn throughput() -> Result<(), Failure> {
    let root = paths::target_dir().join("bench-anchors");
    write_ours(&root.join("ours"))?;
    let dir = root.join("throughput");
    let runtime = paths::runtime_source(&dir);
    write_program(
        &dir,
        "xtask/bench/throughput.rs",
        &format!(
            "google-api-runtime = {{ {runtime} }}\ngoogle-drive-v3 = {{ path = \"../ours/drive-v3\" }}\n\
             google-drive3 = \"=7.0.0\"\ntokio = {{ version = \"1\", features = [\"rt-multi-thread\"] }}\n"
        ),
    )?;
    println!("bench: building the throughput program (release; the first time takes a while)");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let manifest = dir.join("Cargo.toml");
    let built = Command::new(&cargo)
        .args(["build", "--quiet", "--release", "--manifest-path"])
        .arg(&manifest)
        .status()
        .map_err(|error| Failure::error(format!("could not run cargo: {error}")))?;
    if !built.success() {
        return Err(Failure::error("the throughput program did not build"));
    }
    let mut figures: [Vec<(f64, f64)>; 2] = [Vec::new(), Vec::new()];
    for _ in 0..THROUGHPUT_ROUNDS {
        for (side, mode) in ["ours", "theirs"].into_iter().enumerate() {
            let output = Command::new(&cargo)
                .args(["run", "--quiet", "--release", "--manifest-path"])
                .arg(&manifest)
                .env("MODE", mode)
                .output()
                .map_err(|error| Failure::error(format!("could not run cargo: {error}")))?;
            let line = String::from_utf8_lossy(&output.stdout).trim().to_owned();
            if !output.status.success() {
                return Err(Failure::error(format!(
                    "the throughput benchmark failed: {line} {}",
                    String::from_utf8_lossy(&output.stderr)
                )));
            }
            println!("  {line}");
            figures[side].push(throughput_figures(&line)?);
        }
    }
    for (side, who) in ["ours", "theirs"].into_iter().enumerate() {
        let rates = median_of(figures[side].iter().map(|figure| figure.0));
        let cpu = median_of(figures[side].iter().map(|figure| figure.1));
        println!(
            "median of {THROUGHPUT_ROUNDS} runs, {who}: {rates:.0} requests/s, client CPU {cpu:.1} µs a request"
        );
    }
    Ok(())
}

/// Requests per second and the client's CPU µs per request, from a line of the program.
fn throughput_figures(line: &str) -> Result<(f64, f64), Failure> {
    let number_before = |marker: &str| {
        line.split(marker)
            .next()
            .and_then(|before| before.rsplit(' ').next())
            .and_then(|number| number.parse::<f64>().ok())
    };
    let number_after = |marker: &str| {
        line.split(marker)
            .nth(1)
            .and_then(|after| after.split(' ').next())
            .and_then(|number| number.parse::<f64>().ok())
    };
    number_before(" requests/s")
        .zip(number_after("client CPU "))
        .ok_or_else(|| Failure::error(format!("no figures in {line:?}")))
}

/// The median of `values`.
fn median_of(values: impl Iterator<Item = f64>) -> f64 {
    let mut values: Vec<f64> = values.collect();
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

/// `cargo xtask bench --decode`: a 1.5 MB `files.list` answer decoded with our drive.v3 types and
/// with google-drive3 7.0.0's, in one release program (`xtask/bench/decode.rs`) that depends on
/// both, so both use the same serde_json.
pub fn decode() -> Result<(), Failure> {
    let root = paths::target_dir().join("bench-anchors");
    write_ours(&root.join("ours"))?;
    let dir = root.join("decode");
    write_program(
        &dir,
        "xtask/bench/decode.rs",
        "google-drive-v3 = { path = \"../ours/drive-v3\" }\ngoogle-drive3 = \"=7.0.0\"\nserde_json = \"1\"\n",
    )?;
    println!("bench: building the decode program (release; the first time takes a while)");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .args(["run", "--quiet", "--release", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .status()
        .map_err(|error| Failure::error(format!("could not run cargo: {error}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(Failure::error("the decode benchmark failed"))
    }
}

/// One line of the table.
struct Row {
    what: String,
    command: String,
    ours: Cost,
    theirs: Cost,
}

fn print_table(rows: &[Row]) {
    println!("| what is rebuilt | ours | theirs | ours / theirs | how |");
    println!("|---|---|---|---|---|");
    for row in rows {
        let pick = |cost: &Cost| {
            if row.what.contains("CPU") {
                cost.cpu
            } else {
                cost.wall
            }
        };
        let (ours, theirs) = (pick(&row.ours), pick(&row.theirs));
        let memory = if row.what.contains("MiB") {
            format!(
                " / {:.0} vs {:.0} MiB",
                row.ours.peak_mib, row.theirs.peak_mib
            )
        } else {
            String::new()
        };
        println!(
            "| {} | {ours:.2} | {theirs:.2} | {:.2}{memory} | `{}` |",
            row.what,
            ours / theirs,
            row.command
        );
    }
}

fn median(mut costs: Vec<Cost>) -> Cost {
    costs.sort_by(|a, b| a.cpu.total_cmp(&b.cpu));
    costs[costs.len() / 2]
}

/// Our side: drive.v3 and compute.v1 written by `regen --out`, and a program for each.
fn write_ours(dir: &Path) -> Result<Side, Failure> {
    for (document, folder) in [
        ("drive.v3.json", "drive-v3"),
        ("compute.v1.json", "compute-v1"),
    ] {
        let from = paths::root()
            .join("discovery/documents/corpus")
            .join(document);
        regen::run(&[
            "--from".to_owned(),
            from.to_string_lossy().into_owned(),
            "--out".to_owned(),
            dir.join(folder).to_string_lossy().into_owned(),
        ])?;
    }
    let runtime = |program: &Path| paths::runtime_source(program);
    let drive = dir.join("drive-program");
    write_program(
        &drive,
        "xtask/bench/drive_ours.rs",
        &format!(
            "google-api-runtime = {{ {} }}\ngoogle-drive-v3 = {{ path = \"../drive-v3\" }}\n",
            runtime(&drive)
        ),
    )?;
    // The same calls on an `AsyncClient`, like for like with google-drive3's async program.
    let drive_async = dir.join("drive-async-program");
    write_program(
        &drive_async,
        "xtask/bench/drive_ours_async.rs",
        &format!(
            "google-api-runtime = {{ {} }}\ngoogle-drive-v3 = {{ path = \"../drive-v3\" }}\n\
             tokio = {{ version = \"1\", features = [\"rt-multi-thread\", \"macros\", \"fs\"] }}\n",
            runtime(&drive_async)
        ),
    )?;
    let compute = dir.join("compute-program");
    write_program(
        &compute,
        "xtask/bench/compute_ours.rs",
        &format!(
            "google-api-runtime = {{ {} }}\ngoogle-compute-v1 = {{ path = \"../compute-v1\" }}\n",
            runtime(&compute)
        ),
    )?;
    // The same program against the crate trimmed to the one resource it calls.
    let trimmed = dir.join("compute-trimmed-program");
    write_program(
        &trimmed,
        "xtask/bench/compute_ours.rs",
        &format!(
            "google-api-runtime = {{ {} }}\ngoogle-compute-v1 = {{ path = \"../compute-v1\", \
             default-features = false, features = [\"oauth\", \"instances\"] }}\n",
            runtime(&trimmed)
        ),
    )?;
    Ok(Side {
        name: "ours",
        dir: dir.to_owned(),
        drive_crate: "google-drive-v3",
        compute_crate: "google-compute-v1",
    })
}

/// Their side: the same programs against the crates from the package registry.
fn write_theirs(dir: &Path) -> Result<Side, Failure> {
    let tokio = "tokio = { version = \"1\", features = [\"rt-multi-thread\", \"macros\"] }\n";
    write_program(
        &dir.join("drive-program"),
        "xtask/bench/drive_theirs.rs",
        &format!("google-drive3 = \"=7.0.0\"\n{tokio}"),
    )?;
    write_program(
        &dir.join("compute-program"),
        "xtask/bench/compute_theirs.rs",
        &format!("google-compute1 = \"=6.0.0\"\n{tokio}"),
    )?;
    Ok(Side {
        name: "theirs",
        dir: dir.to_owned(),
        drive_crate: "google-drive3",
        compute_crate: "google-compute1",
    })
}

/// A program crate at `dir` with `source` as its `main.rs` and these dependencies.
fn write_program(dir: &Path, source: &str, dependencies: &str) -> Result<(), Failure> {
    let io =
        |path: &Path, error: std::io::Error| Failure::error(format!("{}: {error}", path.display()));
    let src = dir.join("src");
    fs::create_dir_all(&src).map_err(|error| io(&src, error))?;
    let from = paths::root().join(source);
    let main = src.join("main.rs");
    // Copied only when changed, so a rerun does not rebuild the program for nothing.
    let text = fs::read_to_string(&from).map_err(|error| io(&from, error))?;
    if fs::read_to_string(&main).ok().as_deref() != Some(text.as_str()) {
        fs::write(&main, text).map_err(|error| io(&main, error))?;
    }
    let name = dir
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let manifest = format!(
        "# Written by `cargo xtask bench --anchors`.\n[package]\nname = \"{name}\"\nversion = \"0.1.0\"\n\
         edition = \"2024\"\npublish = false\n\n[dependencies]\n{dependencies}\n[workspace]\n"
    );
    let path = dir.join("Cargo.toml");
    if fs::read_to_string(&path).ok().as_deref() != Some(manifest.as_str()) {
        fs::write(&path, manifest).map_err(|error| io(&path, error))?;
    }
    Ok(())
}

/// `cargo build` of `program` on `side` (of package `package` alone, when given), timed.
fn build(
    side: &Side,
    program: &str,
    profile: &[&str],
    package: Option<&str>,
) -> Result<Cost, Failure> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new("/usr/bin/time");
    command
        .args(["-f", "%e %U %S %M", "--"])
        .arg(cargo)
        .args(["build", "--quiet", "--manifest-path"])
        .arg(side.dir.join(program).join("Cargo.toml"))
        .args(profile)
        .env("CARGO_TARGET_DIR", side.dir.join("target"));
    if let Some(package) = package {
        command.args(["-p", package]);
    }
    let output = command
        .output()
        .map_err(|error| Failure::error(format!("could not run cargo: {error}")))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(Failure::error(format!(
            "building {} {program} failed:\n{stderr}",
            side.name
        )));
    }
    let figures: Vec<f64> = stderr
        .lines()
        .last()
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|word| word.parse().ok())
        .collect();
    match figures[..] {
        [wall, user, system, peak_kb] => Ok(Cost {
            wall,
            cpu: user + system,
            peak_mib: peak_kb / 1024.0,
        }),
        _ => Err(Failure::error(format!(
            "unexpected output of time: {stderr}"
        ))),
    }
}

/// Removes the build of `package` so the next build compiles it again.
fn clean(side: &Side, program: &str, package: &str, release: bool) -> Result<(), Failure> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command
        .args(["clean", "--quiet", "--manifest-path"])
        .arg(side.dir.join(program).join("Cargo.toml"))
        .args(["-p", package])
        .env("CARGO_TARGET_DIR", side.dir.join("target"));
    if release {
        command.arg("--release");
    }
    let status = command
        .status()
        .map_err(|error| Failure::error(format!("could not run cargo: {error}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(Failure::error(format!("cargo clean -p {package} failed")))
    }
}

/// The size of the newest `lib<crate>-*.rlib` in `deps`.
fn rlib_size(deps: &Path, package: &str) -> Result<u64, Failure> {
    let prefix = format!("lib{}-", package.replace('-', "_"));
    let newest = fs::read_dir(deps)
        .map_err(|error| Failure::error(format!("{}: {error}", deps.display())))?
        .flatten()
        .filter(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            name.starts_with(&prefix) && name.ends_with(".rlib")
        })
        .filter_map(|entry| {
            let metadata = entry.metadata().ok()?;
            Some((metadata.modified().ok()?, metadata.len()))
        })
        .max();
    newest
        .map(|(_, size)| size)
        .ok_or_else(|| Failure::error(format!("no {prefix}*.rlib in {}", deps.display())))
}
