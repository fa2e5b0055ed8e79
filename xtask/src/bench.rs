//! `cargo xtask bench`: how fast the generator is, and what the generated crate costs to build.
//!
//! Figures, not assertions: these machines are small and noisy, so the task reports minimum and
//! median over several runs and leaves judging them to the reader.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::rebuild::{cargo, touch};
use crate::{Failure, paths};

pub fn run(args: &[String]) -> Result<(), Failure> {
    let mut runs = 10;
    let mut builds = true;
    let mut anchors = false;
    let mut decode = false;
    let mut overhead = false;
    let mut throughput = false;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => {
                runs = args
                    .next()
                    .and_then(|value| value.parse().ok())
                    .filter(|runs| *runs > 0)
                    .ok_or_else(|| Failure::usage("--runs needs a positive number"))?;
            }
            "--no-builds" => builds = false,
            "--anchors" => anchors = true,
            "--decode" => decode = true,
            "--overhead" => overhead = true,
            "--throughput" => throughput = true,
            other => return Err(Failure::usage(format!("unknown bench option {other:?}"))),
        }
    }
    if decode {
        return crate::anchors::decode();
    }
    if overhead {
        return crate::overhead::run();
    }
    if throughput {
        return crate::anchors::throughput();
    }
    if anchors {
        // Builds take minutes each: a few paired runs are what the machine allows.
        return crate::anchors::run(runs.min(5));
    }
    println!(
        "generation, whole process (release xtask, `regen --from DOC --out DIR`), {runs} runs:"
    );
    let xtask = build_release_xtask()?;
    let peak_memory = Path::new("/usr/bin/time").exists();
    let out = tempdir()?;
    for document in [
        "discovery/documents/dataportability.v1.json",
        "discovery/documents/corpus/compute.v1.json",
    ] {
        let from = paths::root().join(document);
        let mut peak_kb = 0;
        let times = time_runs(runs, || {
            // GNU time reports the peak resident set size; its own cost is a fork and an exec.
            let mut command = if peak_memory {
                let mut command = Command::new("/usr/bin/time");
                command.args(["-f", "%M"]).arg(&xtask);
                command
            } else {
                Command::new(&xtask)
            };
            let output = command
                .args(["regen", "--from"])
                .arg(&from)
                .arg("--out")
                .arg(&out)
                .output()
                .map_err(|error| Failure::error(error.to_string()))?;
            if !output.status.success() {
                let stderr = String::from_utf8_lossy(&output.stderr);
                return Err(Failure::error(format!("regen failed: {stderr}")));
            }
            let reported = String::from_utf8_lossy(&output.stderr);
            let last_line = reported.lines().last().unwrap_or_default();
            if let Ok(kb) = last_line.trim().parse::<u64>() {
                peak_kb = peak_kb.max(kb);
            }
            Ok(())
        })?;
        let memory = if peak_memory {
            format!("   peak {:.0} MiB", peak_kb as f64 / 1024.0)
        } else {
            String::new()
        };
        println!("  {document:<48} {}{memory}", summary(&times));
    }
    let _ = std::fs::remove_dir_all(&out);

    if builds {
        println!("building the generated crate (dependencies already built), 3 runs each:");
        let generated = paths::generated_crate();
        let export = paths::root().join("export");
        for (what, touched, args) in [
            (
                "crate, debug",
                generated.join("src/lib.rs"),
                &["build", "-p", "google-dataportability-v1", "--lib"][..],
            ),
            (
                "crate, release",
                generated.join("src/lib.rs"),
                &[
                    "build",
                    "--release",
                    "-p",
                    "google-dataportability-v1",
                    "--lib",
                ][..],
            ),
            (
                "all_methods example, debug",
                export.join("examples/all_methods.rs"),
                &["build", "-p", "export", "--example", "all_methods"][..],
            ),
            (
                "all_methods example, release",
                export.join("examples/all_methods.rs"),
                &[
                    "build",
                    "--release",
                    "-p",
                    "export",
                    "--example",
                    "all_methods",
                ][..],
            ),
        ] {
            cargo(args)?; // warm: dependencies built, nothing left to do
            let times = time_runs(3, || {
                touch(&touched)?;
                cargo(args)
            })?;
            println!("  {what:<48} {}", summary(&times));
        }
    }
    Ok(())
}

fn build_release_xtask() -> Result<std::path::PathBuf, Failure> {
    cargo(&["build", "--release", "-p", "xtask"])?;
    Ok(paths::target_dir().join("release/xtask"))
}

fn tempdir() -> Result<std::path::PathBuf, Failure> {
    let dir = std::env::temp_dir().join(format!("xtask-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|error| Failure::error(error.to_string()))?;
    Ok(dir)
}

fn time_runs(
    runs: usize,
    mut run: impl FnMut() -> Result<(), Failure>,
) -> Result<Vec<Duration>, Failure> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        run()?;
        times.push(start.elapsed());
    }
    times.sort();
    Ok(times)
}

fn summary(sorted: &[Duration]) -> String {
    let ms = |duration: Duration| duration.as_secs_f64() * 1000.0;
    format!(
        "min {:>9.1} ms   median {:>9.1} ms   max {:>9.1} ms",
        ms(sorted[0]),
        ms(sorted[sorted.len() / 2]),
        ms(sorted[sorted.len() - 1])
    )
}
