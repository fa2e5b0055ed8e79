//! `dataportability-export`: export your Google data into a folder. Against a local emulator
//! by default (started in this process), against Google when given an access token.

use std::process::ExitCode;
use std::sync::atomic::Ordering;

use emulator::{AccessType, Config, Emulator, Faults};
use export::{ExportError, ExportOptions, STATE_FILE, run_export, runs_so_far};
use google_dataportability_v1::runtime::{StaticToken, Timestamp};
use google_dataportability_v1::{Client, DataPortability};

const USAGE: &str = "\
usage: dataportability-export [--out DIR] [--resources R1,R2] [--start-time T] [--end-time T]
                              [--token TOKEN] [--root-url URL] [--job ID]
                              [--faults RATE] [--seed N]

Without --token (or ACCESS_TOKEN in the environment) it starts a local emulator, consents to the
resources there, and exports from it; --faults injects that share of 503s, dropped connections
and truncated downloads, drawn from --seed (each rerun in the same folder adds one to it, so a
rerun meets other faults). With a token it exports from Google (or from --root-url).

The job is saved in DIR/.dataportability-export.json as soon as it starts: run the same command
again after an interruption and it resumes that job (a one-time grant refuses a second one);
after a finished export it says so and does nothing. --job ID exports a job started elsewhere.
--start-time and --end-time (RFC 3339, such as 2026-01-01T00:00:00Z) limit the time range.
Ctrl-C stops at once, keeping what was downloaded; a second Ctrl-C exits without tidying up.";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}\n\n{USAGE}");
            ExitCode::from(2)
        }
        Err(Failure::Export(ExportError::Interrupted)) => {
            eprintln!("{}", ExportError::Interrupted);
            ExitCode::from(130)
        }
        Err(Failure::Export(error)) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

enum Failure {
    Usage(String),
    Export(ExportError),
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
            "--help" | "-h" => {
                println!("{USAGE}");
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
    Ok(Some(parsed))
}

fn run(args: Vec<String>) -> Result<(), Failure> {
    let Some(args) = parse(args)? else {
        return Ok(());
    };
    let export = |error: ExportError| Failure::Export(error);
    let mut options = ExportOptions::new(&args.out, args.resources.clone());
    options.start_time = args.start_time;
    options.end_time = args.end_time;
    options.job = args.job.clone();
    options.progress = true;
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
            let client = builder.build().map_err(|error| export(error.into()))?;
            options.source = args.root_url.clone().unwrap_or_else(|| {
                DataPortability::new(&client)
                    .service()
                    .info()
                    .root_url
                    .to_owned()
            });
            (client, None)
        }
        None => {
            if args.job.is_some() {
                return Err(Failure::Usage(
                    "--job needs --token: a local emulator starts without jobs".into(),
                ));
            }
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
            let emulator = Emulator::start(config).map_err(|error| export(error.into()))?;
            let names: Vec<&str> = args.resources.iter().map(String::as_str).collect();
            let (access, _) = emulator.authorize(&names, AccessType::OneTime);
            eprintln!(
                "exporting from a local emulator at {} (seed {})",
                emulator.base_url(),
                args.seed.wrapping_add(runs)
            );
            options.source = "a local emulator".to_owned();
            options.fresh_server = true;
            options.poll_initial = std::time::Duration::from_millis(200);
            let client = Client::builder()
                .root_url(emulator.base_url())
                .token_source(StaticToken::new(access))
                .build()
                .map_err(|error| export(error.into()))?;
            (client, Some(emulator))
        }
    };
    let report = run_export(&DataPortability::new(&client), &options).map_err(export)?;
    if report.already_complete {
        println!(
            "already exported: job {} into {} ({} archives); nothing to do (remove {}/{STATE_FILE} to export again)",
            report.job,
            args.out,
            report.files.len(),
            args.out
        );
        return Ok(());
    }
    let how = if report.resumed { "resumed and " } else { "" };
    println!("{how}exported job {} into {}:", report.job, args.out);
    for file in &report.files {
        let size = std::fs::metadata(file).map_or(0, |metadata| metadata.len());
        println!("  {} ({size} bytes)", file.display());
    }
    println!(
        "retries: {} calls, {} jobs, {} downloads resumed, {} URL renewals",
        report.call_retries, report.job_retries, report.download_retries, report.url_renewals
    );
    if let Some(emulator) = emulator {
        let stats = emulator.stats();
        println!(
            "emulator: {} requests, {} injected 503s, {} dropped connections, {} truncated downloads, {} jobs",
            stats.requests, stats.unavailable, stats.dropped, stats.truncated, stats.jobs_created
        );
    }
    Ok(())
}
