//! `cargo xtask`: the repository's tasks. Every file the generator reads or writes goes
//! through here; `codegen` itself does no I/O.

// The counting allocator (`measure`) is the one place that needs `unsafe`; it says so itself.
#![deny(unsafe_code)]

mod anchors;
mod bench;
mod check_set;
mod corpus;
mod drift;
mod fetch;
mod fuzz;
mod http;
mod measure;
mod overhead;
mod paths;
mod rebuild;
mod regen;
mod round_trip;
mod runtime_copy;
mod set;
mod version;

use std::process::ExitCode;

/// Generation allocates many small token trees on every core; mimalloc makes `regen` of a large
/// document (compute.v1) markedly faster than the system allocator does. It counts what a
/// thread allocates only while `fuzz` asks it to.
#[global_allocator]
static ALLOCATOR: measure::Counting = measure::Counting;

/// Each task's name and its usage lines.
const TASKS: &[(&str, &str)] = &[
    (
        "regen",
        "\
  regen                      regenerate generated/ from discovery/documents/dataportability.v1.json
  regen --check              compare instead of writing; fail listing stale, missing and extra files
  regen --from FILE --out DIR
                             write a standalone crate for any Discovery document into DIR
                             (without --out, FILE must be the API generated/ holds)
  regen --from FOLDER --out DIR [--check]
                             a set: one crate per document of FOLDER (every *.json but
                             index.json) in DIR/<document>/, and DIR/Cargo.toml, a workspace
                             of them; generated on every core, unchanged crates left as they are
",
    ),
    (
        "corpus",
        "\
  corpus [--no-build]        generate a crate for every document in discovery/documents/corpus/
                             and every codegen fixture, then `cargo check` and `cargo doc` them
                             (all but compute.v1) in one workspace under $CARGO_TARGET_DIR/corpus,
                             and build and run a program using two of them through one client
  corpus --documents DIR [--no-build]
                             the same for every document in DIR (index.json aside), such as
                             every API google-api-python-client ships; lists every failure
  corpus --set DIR [--limit N]
                             `cargo check` and `cargo doc` each crate of a set that
                             `regen --from FOLDER --out DIR` wrote, one after another with one
                             target directory ($CARGO_TARGET_DIR, else DIR/target), recording
                             each outcome in DIR/check-progress.json: a later run resumes,
                             skipping crates that passed and have not changed since
",
    ),
    (
        "fetch",
        "\
  fetch [--api NAME:VERSION] [--url URL] [--documents DIR] [--timeout SECS]
                             download the live document (default dataportability:v1), check it,
                             write discovery/documents/NAME.VERSION.json and update SOURCES.md
",
    ),
    (
        "drift",
        "\
  drift [OLD] [NEW] [--json] [--docs] [--timeout SECS]
                             wire changes from OLD to NEW (files or URLs; default: the vendored
                             document against the live one); exit 0 none, 1 additive, 2 breaking
",
    ),
    (
        "fuzz",
        "\
  fuzz [--target generate|decode] [--runs N] [--seed S] [--threads N] [--keep DIR]
       [--trace FILE] [--replay]
                             mutate inputs and look for what breaks: `generate` (default) drives
                             mutated Discovery documents through parse, lower, emit and render;
                             `decode` decodes hostile response bodies with the runtime and the
                             generated types. Panics, refusals without a JSON path and (decode)
                             memory out of proportion are saved as fixtures that tests replay:
                             codegen/tests/fuzz/, runtime/tests/fuzz/. --keep DIR keeps the
                             documents that generated, for `corpus --documents DIR` to compile;
                             --trace FILE writes each input to FILE.<thread> before trying it,
                             so an input that aborts the process (a stack overflow) is kept;
                             --replay tries every saved fixture of the target again instead
",
    ),
    (
        "bench",
        "\
  bench [--runs N] [--no-builds] [--anchors | --decode | --overhead | --throughput]
                             time generation (whole process and in process) and the build of
                             the generated crate and of a program calling all six methods;
                             with --anchors, build drive.v3 and compute.v1 with a user program
                             against google-drive3 7.0.0 and google-compute1 6.0.0 (paired
                             alternating builds, at most 5 runs) and print one table;
                             with --decode, decode a 1.5 MB files.list with both drive crates;
                             with --overhead, time getPortabilityArchiveState through the
                             client against the same request by hand, on the release emulator,
                             and 10,000 GETs at 256 in flight, async, on threads and by hand;
                             with --throughput, 10,000 Drive calls at 256 in flight from our
                             AsyncClient and from google-drive3 7.0.0's hub
",
    ),
];

/// The usage of every task.
fn usage() -> String {
    let mut text = "usage: cargo xtask <task> [options]\n\ntasks:\n".to_owned();
    for (_, lines) in TASKS {
        text.push_str(lines);
    }
    text.push_str("\n`cargo xtask <task> --help` shows one task's usage.\n");
    text
}

/// One task's usage.
fn task_usage(task: &str) -> String {
    let lines = TASKS
        .iter()
        .find(|(name, _)| *name == task)
        .map_or("", |(_, lines)| lines);
    format!("usage: cargo xtask {task} [options]\n\n{lines}")
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let task = args.first().map(String::as_str);
    let wants_help = args
        .iter()
        .skip(1)
        .any(|arg| arg == "--help" || arg == "-h");
    if let Some(task) = task
        && wants_help
        && TASKS.iter().any(|(name, _)| *name == task)
    {
        print!("{}", task_usage(task));
        return ExitCode::SUCCESS;
    }
    let result = match task {
        Some("regen") => regen::run(&args[1..]),
        Some("corpus") => corpus::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("fetch") => fetch::run(&args[1..]),
        Some("drift") => drift::run(&args[1..]),
        Some("fuzz") => fuzz::run(&args[1..]),
        Some("help" | "--help" | "-h") => {
            print!("{}", usage());
            return ExitCode::SUCCESS;
        }
        None => Err(Failure::usage("no task given")),
        Some(other) => Err(Failure::usage(format!("unknown task {other:?}"))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            if !failure.message.is_empty() {
                eprintln!("error: {}", failure.message);
            }
            if failure.show_usage {
                let usage = match task {
                    Some(task) if TASKS.iter().any(|(name, _)| *name == task) => task_usage(task),
                    _ => usage(),
                };
                eprint!("\n{usage}");
            }
            ExitCode::from(failure.code)
        }
    }
}

/// Why a task failed, and the exit code that says so.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub code: u8,
    pub show_usage: bool,
}

impl Failure {
    /// The task could not do its work (bad input, I/O): exit 2.
    pub fn error(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            code: 2,
            show_usage: false,
        }
    }

    /// A check found a difference: exit 1.
    pub fn check(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            code: 1,
            show_usage: false,
        }
    }

    /// The command line is wrong: exit 2 with the usage.
    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            code: 2,
            show_usage: true,
        }
    }
}
