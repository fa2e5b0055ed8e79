//! `cargo xtask`: the repository's tasks. Every file the generator reads or writes goes
//! through here; `codegen` itself does no I/O.

mod bench;
mod corpus;
mod drift;
mod fetch;
mod http;
mod paths;
mod regen;

use std::process::ExitCode;

/// Generation allocates many small token trees on every core; mimalloc makes `regen` of a large
/// document (compute.v1) markedly faster than the system allocator does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "\
usage: cargo xtask <task> [options]

tasks:
  regen                      regenerate generated/ from discovery/documents/dataportability.v1.json
  regen --check              compare instead of writing; fail listing stale, missing and extra files
  regen --from FILE --out DIR
                             write a standalone crate for any Discovery document into DIR
  corpus [--no-build]        generate a crate for every document in discovery/documents/corpus/
                             and `cargo check` them (all but compute.v1) in one workspace
  fetch [--api NAME:VERSION] [--url URL] [--documents DIR] [--timeout SECS]
                             download the live document (default dataportability:v1), check it,
                             write discovery/documents/NAME.VERSION.json and update SOURCES.md
  drift [OLD] [NEW] [--json] [--docs] [--timeout SECS]
                             wire changes from OLD to NEW (files or URLs; default: the vendored
                             document against the live one); exit 0 none, 1 additive, 2 breaking
  bench [--runs N] [--no-builds]
                             time generation (whole process and in process) and the build of
                             the generated crate and of a program calling all six methods
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("regen") => regen::run(&args[1..]),
        Some("corpus") => corpus::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("fetch") => fetch::run(&args[1..]),
        Some("drift") => drift::run(&args[1..]),
        Some("help" | "--help" | "-h") | None => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(Failure::usage(format!("unknown task {other:?}"))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            if !failure.message.is_empty() {
                eprintln!("error: {}", failure.message);
            }
            if failure.show_usage {
                eprint!("\n{USAGE}");
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
