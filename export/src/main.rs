//! `dataportability-export`: export your Google data into a folder. Against a local emulator
//! by default (started in this process), against Google when given an access token.

use std::process::ExitCode;
use std::sync::atomic::Ordering;

use emulator::{AccessType, Config, Emulator, Faults};
use export::{ExportError, ExportOptions, run_export};
use google_dataportability_v1::Client;
use google_dataportability_v1::runtime::StaticToken;

const USAGE: &str = "\
usage: dataportability-export [--out DIR] [--resources R1,R2] [--token TOKEN] [--root-url URL]
                              [--faults RATE] [--seed N]

Without --token (or ACCESS_TOKEN in the environment) it starts a local emulator, consents to the
resources there, and exports from it; --faults injects that share of 503s, dropped connections
and truncated downloads. With a token it exports from Google (or from --root-url).";

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

fn run(args: Vec<String>) -> Result<(), Failure> {
    let mut out = "exports".to_owned();
    let mut resources = "myactivity.search,myactivity.youtube".to_owned();
    let mut token = std::env::var("ACCESS_TOKEN")
        .ok()
        .filter(|token| !token.is_empty());
    let mut root_url = None;
    let mut fault_rate = 0.0;
    let mut seed = 1;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .ok_or_else(|| Failure::Usage(format!("{arg} needs a value")))
        };
        match arg.as_str() {
            "--out" => out = value()?,
            "--resources" => resources = value()?,
            "--token" => token = Some(value()?),
            "--root-url" => root_url = Some(value()?),
            "--faults" => {
                fault_rate = value()?
                    .parse()
                    .map_err(|_| Failure::Usage("--faults takes a rate from 0 to 1".into()))?
            }
            "--seed" => {
                seed = value()?
                    .parse()
                    .map_err(|_| Failure::Usage("--seed takes a number".into()))?
            }
            "--help" | "-h" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(Failure::Usage(format!("unknown option {other:?}"))),
        }
    }
    let resources: Vec<String> = resources
        .split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
        .collect();
    let mut options = ExportOptions::new(&out, resources.clone());
    options.progress = true;
    let interrupt = options.interrupt.clone();
    // Ctrl-C asks the export to stop between two writes; it never leaves a half-written archive.
    let _ = ctrlc::set_handler(move || interrupt.store(true, Ordering::Relaxed));

    let (client, emulator) = match token {
        Some(token) => {
            let mut builder = Client::builder().token_source(StaticToken::new(token));
            if let Some(root_url) = root_url {
                builder = builder.root_url(root_url);
            }
            (
                builder
                    .build()
                    .map_err(|error| Failure::Export(error.into()))?,
                None,
            )
        }
        None => {
            let config = Config {
                seed,
                faults: Faults {
                    unavailable: fault_rate,
                    dropped: fault_rate / 2.0,
                    truncated_downloads: fault_rate * 2.0,
                    ..Faults::default()
                },
                ..Config::default()
            };
            let emulator =
                Emulator::start(config).map_err(|error| Failure::Export(error.into()))?;
            let names: Vec<&str> = resources.iter().map(String::as_str).collect();
            let (access, _) = emulator.authorize(&names, AccessType::OneTime);
            eprintln!("exporting from a local emulator at {}", emulator.base_url());
            options.poll_initial = std::time::Duration::from_millis(200);
            let client = Client::builder()
                .root_url(emulator.base_url())
                .token_source(StaticToken::new(access))
                .build()
                .map_err(|error| Failure::Export(error.into()))?;
            (client, Some(emulator))
        }
    };
    let report = run_export(&client, &options).map_err(Failure::Export)?;
    println!("exported job {} into {}:", report.job, out);
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
