//! `dataportability-export`: export your Google data into a folder. Against a local emulator
//! by default (started in this process), against Google when given an access token.

use std::io::Write as _;
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::time::Duration;

use emulator::{AccessType, Config, Emulator, Faults};
use export::{ExportError, ExportOptions, STATE_FILE, run_export, runs_so_far};
use google_dataportability_v1::model::ResetAuthorizationRequest;
use google_dataportability_v1::runtime::{StaticToken, Timestamp};
use google_dataportability_v1::{Client, DataPortability};

const USAGE: &str = "\
usage: dataportability-export [--out DIR] [--resources R1,R2] [--start-time T] [--end-time T]
                              [--token TOKEN [--root-url URL]] [--job ID]
                              [--faults RATE] [--seed N] [--heartbeat SECONDS]
       dataportability-export --reset-authorization --token TOKEN [--root-url URL]

Without --token (or ACCESS_TOKEN in the environment) it starts a local emulator, consents to the
resources there, and exports from it; --faults injects that share of 503s, dropped connections
and truncated downloads, drawn from --seed (each rerun in the same folder adds one to it, so a
rerun meets other faults). With a token it exports from Google, or from --root-url (which needs
a token: without one the export is always local).

A token is an OAuth 2.0 access token holding the dataportability scope of each resource
(https://www.googleapis.com/auth/dataportability.myactivity.search for myactivity.search), from
Google's consent screen for your OAuth client; the crate's documentation shows the flow.

The job is saved in DIR/.dataportability-export.json as soon as it starts: run the same command
again after an interruption and it resumes that job (a one-time grant refuses a second one);
after a finished export it says so and does nothing. --job ID exports a job started elsewhere.
--start-time and --end-time (RFC 3339, such as 2026-01-01T00:00:00Z) limit the time range.
While the job runs it shows its state: a spinner on a terminal, and in a log a line per change
and one every --heartbeat seconds (300 by default). Ctrl-C stops at once, keeping what was
downloaded; a second Ctrl-C exits without tidying up. One export runs in a folder at a time.

--reset-authorization calls the API's authorization.reset and exits: it revokes the token and
makes resources a one-time grant has used available again, for a new consent. Do it once every
archive is downloaded, or when an export was lost (an interrupted start whose job id is gone).";

/// What a program killed by a closed pipe exits with, as the shell reports it (128 + SIGPIPE).
const BROKEN_PIPE_EXIT: i32 = 141;

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            tell(&format!("error: {message}\n\n{USAGE}"));
            ExitCode::from(2)
        }
        Err(Failure::Export(ExportError::Interrupted)) => {
            tell(&ExportError::Interrupted.to_string());
            ExitCode::from(130)
        }
        Err(Failure::Export(error)) => {
            tell(&format!("error: {error}"));
            if let Some(hint) = hint(&error) {
                tell(&format!("hint: {hint}"));
            }
            ExitCode::FAILURE
        }
    }
}

/// Writes a line to standard output. When its reader has gone (`| head`), the program ends
/// quietly, as command-line tools do, instead of panicking.
fn say(line: &str) {
    if let Err(error) = writeln!(std::io::stdout(), "{line}")
        && error.kind() == std::io::ErrorKind::BrokenPipe
    {
        std::process::exit(BROKEN_PIPE_EXIT);
    }
}

/// Writes a line to standard error; a closed standard error loses the line, nothing more.
fn tell(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// What to do about an error, when the tool can say more than the error itself.
fn hint(error: &ExportError) -> Option<String> {
    if let ExportError::Unreachable { .. } = error {
        return Some(
            "check --root-url (the API's root, such as https://dataportability.googleapis.com/) \
             and that the server there is running"
                .to_owned(),
        );
    }
    let ExportError::Api(error) = error else {
        return None;
    };
    let api = error.api()?;
    let status = api.canonical_status().unwrap_or_default();
    let hint = match (api.status, status) {
        (401, _) => {
            "the access token was refused: give a valid one with --token or ACCESS_TOKEN (tokens \
             expire after an hour). It comes from Google's OAuth consent for the dataportability \
             scope of each resource; see --help. Without a token the tool exports from a local \
             emulator."
        }
        (403, _) => {
            "the token does not hold the scope of every resource asked for: consent to each one \
             (https://www.googleapis.com/auth/dataportability.RESOURCE), or ask for fewer with \
             --resources"
        }
        (429, _) | (_, "RESOURCE_EXHAUSTED") => {
            "the one-time grant was used by an earlier job. Export that job with --job ID if you \
             know its id; otherwise run with --reset-authorization (it revokes the token), consent \
             again for a new token, and run again"
        }
        (400, "FAILED_PRECONDITION") => {
            "a time-based grant allows one export in 24 hours, and a job can only be retried when \
             it failed or cancelled while it runs"
        }
        (400, _) => "check --resources (names such as myactivity.search) and the time range",
        (404, _) => "the job is not known to this server: check --job, or --root-url",
        _ => return None,
    };
    Some(hint.to_owned())
}

enum Failure {
    Usage(String),
    Export(ExportError),
}

impl From<ExportError> for Failure {
    fn from(error: ExportError) -> Self {
        Failure::Export(error)
    }
}

impl From<google_dataportability_v1::Error> for Failure {
    fn from(error: google_dataportability_v1::Error) -> Self {
        Failure::Export(ExportError::Api(error))
    }
}

/// The command line, read.
struct Arguments {
    out: String,
    resources: Vec<String>,
    start_time: Option<Timestamp>,
    end_time: Option<Timestamp>,
    token: Option<String>,
    root_url: Option<String>,
    job: Option<String>,
    fault_rate: f64,
    seed: u64,
    heartbeat: Duration,
    reset_authorization: bool,
}

fn parse(args: Vec<String>) -> Result<Option<Arguments>, Failure> {
    let mut parsed = Arguments {
        out: "exports".to_owned(),
        resources: Vec::new(),
        start_time: None,
        end_time: None,
        token: std::env::var("ACCESS_TOKEN")
            .ok()
            .filter(|token| !token.is_empty()),
        root_url: None,
        job: None,
        fault_rate: 0.0,
        seed: 1,
        heartbeat: Duration::from_secs(300),
        reset_authorization: false,
    };
    let mut resources = "myactivity.search,myactivity.youtube".to_owned();
    let time = |name: &str, text: String| {
        text.parse::<Timestamp>()
            .map_err(|_| Failure::Usage(format!("{name} takes an RFC 3339 time, not {text:?}")))
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .ok_or_else(|| Failure::Usage(format!("{arg} needs a value")))
        };
        match arg.as_str() {
            "--out" => parsed.out = value()?,
            "--resources" => resources = value()?,
            "--start-time" => parsed.start_time = Some(time(&arg, value()?)?),
            "--end-time" => parsed.end_time = Some(time(&arg, value()?)?),
            "--token" => parsed.token = Some(value()?),
            "--root-url" => parsed.root_url = Some(value()?),
            "--job" => parsed.job = Some(value()?.trim_start_matches("archiveJobs/").to_owned()),
            "--faults" => {
                parsed.fault_rate = value()?
                    .parse()
                    .ok()
                    .filter(|rate: &f64| (0.0..=1.0).contains(rate))
                    .ok_or_else(|| Failure::Usage("--faults takes a rate from 0 to 1".into()))?
            }
            "--seed" => {
                parsed.seed = value()?
                    .parse()
                    .map_err(|_| Failure::Usage("--seed takes a number".into()))?
            }
            "--heartbeat" => {
                parsed.heartbeat = value()?
                    .parse()
                    .ok()
                    .filter(|seconds| *seconds > 0)
                    .map(Duration::from_secs)
                    .ok_or_else(|| Failure::Usage("--heartbeat takes a number of seconds".into()))?
            }
            "--reset-authorization" => parsed.reset_authorization = true,
            "--help" | "-h" => {
                say(USAGE);
                return Ok(None);
            }
            other => return Err(Failure::Usage(format!("unknown option {other:?}"))),
        }
    }
    parsed.resources = resources
        .split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
        .collect();
    if parsed.resources.is_empty() {
        return Err(Failure::Usage("--resources names no resource".into()));
    }
    if parsed.token.is_none() {
        // Without a token the export runs against a local emulator, so these would be
        // silently ignored.
        for (given, what) in [
            (parsed.root_url.is_some(), "--root-url"),
            (parsed.job.is_some(), "--job"),
            (parsed.reset_authorization, "--reset-authorization"),
        ] {
            if given {
                return Err(Failure::Usage(format!(
                    "{what} needs --token (or ACCESS_TOKEN): without a token the export runs \
                     against a local emulator, which starts without jobs or grants"
                )));
            }
        }
    }
    Ok(Some(parsed))
}

fn run(args: Vec<String>) -> Result<(), Failure> {
    let Some(args) = parse(args)? else {
        return Ok(());
    };
    let mut options = ExportOptions::new(&args.out, args.resources.clone());
    options.start_time = args.start_time;
    options.end_time = args.end_time;
    options.job = args.job.clone();
    options.progress = true;
    options.heartbeat = args.heartbeat;
    let interrupt = options.interrupt.clone();
    // The first Ctrl-C asks the export to stop at its next step, leaving no half-written
    // archive; a second one, for an export stuck in a slow call, ends the process at once.
    let _ = ctrlc::set_handler(move || {
        if interrupt.swap(true, Ordering::Relaxed) {
            std::process::exit(130);
        }
    });

    let (client, emulator) = match &args.token {
        Some(token) => {
            let mut builder = Client::builder().token_source(StaticToken::new(token.clone()));
            if let Some(root_url) = &args.root_url {
                builder = builder.root_url(root_url.clone());
            }
            let client = builder.build()?;
            options.source = args.root_url.clone().unwrap_or_else(|| {
                DataPortability::new(&client)
                    .service()
                    .info()
                    .root_url
                    .to_owned()
            });
            if args.reset_authorization {
                DataPortability::new(&client)
                    .authorization()
                    .reset(ResetAuthorizationRequest::default())
                    .send()?;
                say(&format!(
                    "authorization reset at {}: the token is revoked, and resources a one-time \
                     grant had used can be exported again after a new consent",
                    options.source
                ));
                return Ok(());
            }
            tell(&format!(
                "exporting {} from {} into {}",
                args.resources.join(","),
                options.source,
                args.out
            ));
            (client, None)
        }
        None => {
            // Each run in the folder draws other faults, so a rerun does not fail as the last
            // one did; a given folder state and seed still repeat exactly.
            let runs = u64::from(runs_so_far(std::path::Path::new(&args.out)));
            let rate = args.fault_rate;
            let config = Config {
                seed: args.seed.wrapping_add(runs),
                faults: Faults {
                    unavailable: rate,
                    dropped: rate / 2.0,
                    truncated_downloads: (rate * 2.0).min(0.9),
                    ..Faults::default()
                },
                ..Config::default()
            };
            let emulator = Emulator::start(config).map_err(|error| ExportError::Io {
                doing: "could not start the local emulator on",
                path: "127.0.0.1".into(),
                error,
            })?;
            let names: Vec<&str> = args.resources.iter().map(String::as_str).collect();
            let (access, _) = emulator.authorize(&names, AccessType::OneTime);
            tell(&format!(
                "exporting {} from a local emulator at {} (seed {}) into {}",
                args.resources.join(","),
                emulator.base_url(),
                args.seed.wrapping_add(runs),
                args.out
            ));
            options.source = "a local emulator".to_owned();
            options.fresh_server = true;
            options.poll_initial = Duration::from_millis(200);
            let client = Client::builder()
                .root_url(emulator.base_url())
                .token_source(StaticToken::new(access))
                .build()?;
            (client, Some(emulator))
        }
    };
    let report = run_export(&DataPortability::new(&client), &options)?;
    if report.already_complete {
        say(&format!(
            "already exported: job {} into {} ({} archives); nothing to do (remove {}/{STATE_FILE} to export again)",
            report.job,
            args.out,
            report.files.len(),
            args.out
        ));
        return Ok(());
    }
    let how = if report.resumed { "resumed and " } else { "" };
    say(&format!(
        "{how}exported job {} into {}:",
        report.job, args.out
    ));
    for file in &report.files {
        let size = std::fs::metadata(file).map_or(0, |metadata| metadata.len());
        say(&format!("  {} ({size} bytes)", file.display()));
    }
    say(&format!(
        "retries: {} calls, {} jobs, {} downloads resumed, {} URL renewals",
        report.call_retries, report.job_retries, report.download_retries, report.url_renewals
    ));
    if let Some(emulator) = emulator {
        let stats = emulator.stats();
        say(&format!(
            "emulator: {} requests, {} injected 503s, {} dropped connections, {} truncated downloads, {} jobs",
            stats.requests, stats.unavailable, stats.dropped, stats.truncated, stats.jobs_created
        ));
    }
    Ok(())
}
