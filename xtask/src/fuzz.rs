//! `cargo xtask fuzz`: a standing search for inputs that break the generator or the runtime.
//! `--target generate` mutates Discovery documents (the corpus, the fixtures, the vendored one)
//! structurally and drives each through parse, lower, emit and render; `--target decode`
//! mutates response bodies and decodes them with the runtime and the generated types. A panic,
//! a refusal that names no JSON path, or (for decoding) memory out of proportion to the input
//! is saved as a fixture that a test replays.

mod decode;
mod mutate;

use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use sha2::Digest as _;

use crate::{Failure, paths};
use mutate::Rng;

/// Where crashes of the generator are saved, for `codegen/tests/fuzz.rs` to replay.
pub fn generate_fixtures() -> PathBuf {
    paths::root().join("codegen/tests/fuzz")
}

/// Where crashes of decoding are saved, for `runtime/tests/fuzz.rs` to replay.
pub fn decode_fixtures() -> PathBuf {
    paths::root().join("runtime/tests/fuzz")
}

/// Which code is searched.
#[derive(Clone, Copy, PartialEq)]
enum Target {
    Generate,
    Decode,
}

struct Settings {
    target: Target,
    runs: u64,
    seed: u64,
    threads: usize,
    /// Where to keep mutated documents that generated, for `corpus --documents` to compile.
    keep: Option<PathBuf>,
    /// Where each thread writes its input before trying it, so that one that kills the
    /// process (a stack overflow aborts, it does not unwind) is left behind.
    trace: Option<PathBuf>,
    /// Try every saved fixture of the target instead of new inputs.
    replay: bool,
}

fn parse_args(args: &[String]) -> Result<Settings, Failure> {
    let mut settings = Settings {
        target: Target::Generate,
        runs: 10_000,
        seed: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |since| since.as_secs()),
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        keep: None,
        trace: None,
        replay: false,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .ok_or_else(|| Failure::usage(format!("{arg} needs a value")))
        };
        let number = |text: &String| {
            text.parse::<u64>()
                .map_err(|_| Failure::usage(format!("{arg} takes a number, not {text:?}")))
        };
        match arg.as_str() {
            "--runs" => settings.runs = number(value()?)?,
            "--seed" => settings.seed = number(value()?)?,
            "--threads" => settings.threads = number(value()?)?.max(1) as usize,
            "--target" => {
                settings.target = match value()?.as_str() {
                    "generate" => Target::Generate,
                    "decode" => Target::Decode,
                    other => return Err(Failure::usage(format!("unknown target {other:?}"))),
                }
            }
            "--keep" => settings.keep = Some(paths::from_cli(value()?)),
            "--trace" => settings.trace = Some(paths::from_cli(value()?)),
            "--replay" => settings.replay = true,
            other => return Err(Failure::usage(format!("unknown option {other:?}"))),
        }
    }
    Ok(settings)
}

/// What mutations start from.
enum Seeds {
    /// Discovery documents, for `generate`.
    Documents(Vec<Value>),
    /// Response bodies, for `decode`.
    Bodies(Vec<Vec<u8>>),
}

impl Seeds {
    fn len(&self) -> usize {
        match self {
            Seeds::Documents(documents) => documents.len(),
            Seeds::Bodies(bodies) => bodies.len(),
        }
    }
}

/// What one input did.
enum Outcome {
    /// Refused with an error that says where.
    Refused,
    /// Went through: a crate was generated, or a body decoded.
    Accepted,
    /// Broke a rule: saved, with why.
    Finding(String),
}

/// Counts shared by the threads.
#[derive(Default)]
struct Counts {
    tried: AtomicU64,
    refused: AtomicU64,
    accepted: AtomicU64,
    findings: AtomicU64,
}

pub fn run(args: &[String]) -> Result<(), Failure> {
    let settings = parse_args(args)?;
    if settings.replay {
        return replay(settings.target);
    }
    let seeds = match settings.target {
        Target::Generate => Seeds::Documents(generate_seeds()?),
        Target::Decode => Seeds::Bodies(decode::seeds()),
    };
    if let Some(keep) = &settings.keep {
        std::fs::create_dir_all(keep)
            .map_err(|error| Failure::error(format!("{}: {error}", keep.display())))?;
    }
    quiet_panics();
    let counts = Counts::default();
    let findings: Mutex<Vec<(Vec<u8>, String)>> = Mutex::new(Vec::new());
    let started = Instant::now();
    eprintln!(
        "fuzzing {} with seed {} on {} threads: {} inputs from {} seeds",
        match settings.target {
            Target::Generate => "generation",
            Target::Decode => "decoding",
        },
        settings.seed,
        settings.threads,
        settings.runs,
        seeds.len()
    );
    std::thread::scope(|scope| {
        for thread in 0..settings.threads {
            let (settings, seeds, counts, findings) = (&settings, &seeds, &counts, &findings);
            std::thread::Builder::new()
                // Deep documents recurse deeply: room for what the generator may need.
                .stack_size(256 * 1024 * 1024)
                .spawn_scoped(scope, move || {
                    let mut rng = Rng::new(settings.seed.wrapping_add(thread as u64 * 7919));
                    let share = settings.runs / settings.threads as u64
                        + u64::from((thread as u64) < settings.runs % settings.threads as u64);
                    for _ in 0..share {
                        let input = match seeds {
                            Seeds::Documents(documents) => mutated_document(documents, &mut rng),
                            Seeds::Bodies(bodies) => decode::mutated(bodies, &mut rng),
                        };
                        if let Some(trace) = &settings.trace {
                            let mut name = trace.as_os_str().to_owned();
                            name.push(format!(".{thread}"));
                            let _ = std::fs::write(name, &input);
                        }
                        let outcome = match seeds {
                            Seeds::Documents(_) => try_generate(&input),
                            Seeds::Bodies(_) => decode::try_decode(&input),
                        };
                        counts.tried.fetch_add(1, Ordering::Relaxed);
                        match outcome {
                            Outcome::Refused => counts.refused.fetch_add(1, Ordering::Relaxed),
                            Outcome::Accepted => {
                                if let Some(keep) = &settings.keep {
                                    keep_document(keep, &input);
                                }
                                counts.accepted.fetch_add(1, Ordering::Relaxed)
                            }
                            Outcome::Finding(why) => {
                                findings.lock().unwrap().push((input, why));
                                counts.findings.fetch_add(1, Ordering::Relaxed)
                            }
                        };
                    }
                })
                .expect("a fuzzing thread starts");
        }
        let mut last = Instant::now();
        while counts.tried.load(Ordering::Relaxed) < settings.runs {
            std::thread::sleep(Duration::from_millis(200));
            if last.elapsed() >= Duration::from_secs(10) {
                report(&counts, started);
                last = Instant::now();
            }
        }
    });
    report(&counts, started);
    let findings = findings.into_inner().unwrap();
    let folder = match settings.target {
        Target::Generate => generate_fixtures(),
        Target::Decode => decode_fixtures(),
    };
    for (input, why) in &findings {
        let path = save_finding(&folder, input, settings.target)?;
        eprintln!("finding: {why}\n  saved as {}", path.display());
    }
    if findings.is_empty() {
        Ok(())
    } else {
        Err(Failure::check(format!(
            "{} findings, saved in {}",
            findings.len(),
            folder.display()
        )))
    }
}

/// Tries every saved fixture of `target` again: each must now be accepted or refused with a
/// JSON path, without a panic.
fn replay(target: Target) -> Result<(), Failure> {
    let folder = match target {
        Target::Generate => generate_fixtures(),
        Target::Decode => decode_fixtures(),
    };
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&folder)
        .map_err(|error| Failure::error(format!("{}: {error}", folder.display())))?
        .flatten()
        .map(|entry| entry.path())
        .collect();
    inputs.sort();
    quiet_panics();
    let mut failures = Vec::new();
    for path in &inputs {
        let input = std::fs::read(path)
            .map_err(|error| Failure::error(format!("{}: {error}", path.display())))?;
        let outcome = match target {
            Target::Generate => try_generate(&input),
            Target::Decode => decode::try_decode(&input),
        };
        if let Outcome::Finding(why) = outcome {
            failures.push(format!("{}: {why}", path.display()));
        }
    }
    eprintln!(
        "replayed {} fixtures from {}",
        inputs.len(),
        folder.display()
    );
    if failures.is_empty() {
        Ok(())
    } else {
        Err(Failure::check(failures.join("\n")))
    }
}

fn report(counts: &Counts, started: Instant) {
    let tried = counts.tried.load(Ordering::Relaxed);
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "{tried} inputs in {seconds:.0} s ({:.0}/s): {} refused, {} accepted, {} findings",
        tried as f64 / seconds.max(0.001),
        counts.refused.load(Ordering::Relaxed),
        counts.accepted.load(Ordering::Relaxed),
        counts.findings.load(Ordering::Relaxed)
    );
}

thread_local! {
    /// The message of the last panic on this thread.
    static LAST_PANIC: RefCell<String> = const { RefCell::new(String::new()) };
    /// Whether this thread is running an input (panics are findings, not noise).
    static FUZZING: Cell<bool> = const { Cell::new(false) };
}

/// Panics while fuzzing are recorded for the finding, not printed.
fn quiet_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if FUZZING.with(Cell::get) {
            let location = info
                .location()
                .map_or(String::new(), |at| format!(" at {at}"));
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|text| (*text).to_owned())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            LAST_PANIC.with(|last| *last.borrow_mut() = format!("{message}{location}"));
        } else {
            default(info);
        }
    }));
}

/// Runs `work`, turning a panic into a finding.
fn guarded(work: impl FnOnce() -> Outcome) -> Outcome {
    FUZZING.with(|on| on.set(true));
    let outcome = catch_unwind(AssertUnwindSafe(work));
    FUZZING.with(|on| on.set(false));
    outcome.unwrap_or_else(|_| {
        Outcome::Finding(format!(
            "panicked: {}",
            LAST_PANIC.with(|last| last.borrow().clone())
        ))
    })
}

/// The documents mutations start from: every fixture, the vendored document, and the corpus
/// documents under 500 KB (compute.v1's 5 MB would slow every input a hundredfold).
fn generate_seeds() -> Result<Vec<Value>, Failure> {
    let root = paths::root();
    let mut files: Vec<PathBuf> = Vec::new();
    for folder in [
        root.join("codegen/tests/fixtures"),
        root.join("discovery/documents/corpus"),
    ] {
        let entries = std::fs::read_dir(&folder)
            .map_err(|error| Failure::error(format!("{}: {error}", folder.display())))?;
        for entry in entries.flatten() {
            let path = entry.path();
            let small = entry.metadata().is_ok_and(|meta| meta.len() < 500_000);
            if path.extension().is_some_and(|ext| ext == "json") && small {
                files.push(path);
            }
        }
    }
    files.push(paths::default_document());
    // Smallest first: `mutated_document` draws from the start more often.
    files.sort_by_key(|path| {
        (
            std::fs::metadata(path).map_or(0, |meta| meta.len()),
            path.clone(),
        )
    });
    files
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path)
                .map_err(|error| Failure::error(format!("{}: {error}", path.display())))?;
            serde_json::from_str(&text)
                .map_err(|error| Failure::error(format!("{}: {error}", path.display())))
        })
        .collect()
}

/// A mutated copy of a seed (they are sorted by size), small ones more often: most findings need
/// no large document, and small ones are tried a hundred times faster.
fn mutated_document(seeds: &[Value], rng: &mut Rng) -> Vec<u8> {
    let index = (0..3).map(|_| rng.below(seeds.len())).min().unwrap_or(0);
    let mut document = seeds[index].clone();
    mutate::mutate(&mut document, rng);
    serde_json::to_vec(&document).expect("a JSON value serializes")
}

/// One document through the whole generator: a panic is a finding, and so is a refusal that
/// does not say where in the document the problem is.
fn try_generate(bytes: &[u8]) -> Outcome {
    guarded(|| {
        let document = match discovery::parse_bytes(bytes) {
            Ok(document) => document,
            Err(error) => return refusal(&error.to_string()),
        };
        match codegen::generate(&document, &codegen::Options::default()) {
            Ok(_) => Outcome::Accepted,
            Err(error) => refusal(&error.to_string()),
        }
    })
}

/// A refusal is fine when it names the JSON path (`at $...`) and is not the generator owning up
/// to a bug of its own.
fn refusal(message: &str) -> Outcome {
    if message.contains("generator bug") {
        Outcome::Finding(message.to_owned())
    } else if message.starts_with("at $") {
        Outcome::Refused
    } else {
        Outcome::Finding(format!("refused without a JSON path: {message}"))
    }
}

/// Saves `input` in `folder` under a name made from its digest; the path.
fn save_finding(folder: &Path, input: &[u8], target: Target) -> Result<PathBuf, Failure> {
    std::fs::create_dir_all(folder)
        .map_err(|error| Failure::error(format!("{}: {error}", folder.display())))?;
    let name = digest_hex(input, 6);
    let extension = if target == Target::Generate {
        "json"
    } else {
        "bin"
    };
    let path = folder.join(format!("crash-{name}.{extension}"));
    std::fs::write(&path, input)
        .map_err(|error| Failure::error(format!("{}: {error}", path.display())))?;
    Ok(path)
}

/// Keeps a document that generated, named by its digest, for `corpus --documents`.
fn keep_document(folder: &Path, input: &[u8]) {
    let name = digest_hex(input, 8);
    let _ = std::fs::write(folder.join(format!("fuzz{name}.json")), input);
}

/// The first `bytes` bytes of `input`'s SHA-256, in hex: a name that is the same for the same
/// input in every run.
fn digest_hex(input: &[u8], bytes: usize) -> String {
    sha2::Sha256::digest(input)[..bytes]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
