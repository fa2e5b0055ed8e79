//! `cargo xtask bench --overhead`: what the generated client adds to one request, against the
//! release-built emulator running as a process of its own.
//!
//! The measuring is `export/examples/request_overhead.rs` (blocking) and
//! `export/examples/async_throughput.rs` (async overhead, and throughput at 256 in flight); this
//! starts the server, hands the examples its root URL and token, and stops the server whatever
//! happens.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use crate::{Failure, paths};

pub fn run() -> Result<(), Failure> {
    crate::rebuild::cargo(&[
        "build",
        "--release",
        "-p",
        "emulator",
        "--bin",
        "emulator",
        "-p",
        "export",
        "--example",
        "request_overhead",
        "--example",
        "async_throughput",
    ])?;
    let release = paths::target_dir().join("release");
    let server = Server::start(&release.join("emulator"))?;
    println!(
        "bench: emulator at {} (pid {}), release build of both sides",
        server.root_url,
        server.child.id()
    );
    // One job for every run to ask about: the grant allows one export.
    let job = first_job(&server)?;
    // The blocking client's overhead, then the async one's, then throughput one way at a time,
    // each in a process of its own so that its peak memory is its own.
    let runs = [
        ("request_overhead", "overhead"),
        ("async_throughput", "overhead"),
        ("async_throughput", "async"),
        ("async_throughput", "threads"),
        ("async_throughput", "threads-reqwest"),
    ];
    for (example, mode) in runs {
        let status = Command::new(release.join("examples").join(example))
            .env("ROOT_URL", &server.root_url)
            .env("ACCESS_TOKEN", &server.token)
            .env("MODE", mode)
            .env("JOB_NAME", &job)
            .status()
            .map_err(|error| Failure::error(format!("could not run {example}: {error}")))?;
        if !status.success() {
            return Err(Failure::error(format!(
                "the {example} example failed ({mode})"
            )));
        }
    }
    drop(server);
    Ok(())
}

/// Starts the export every run asks about; the state's name.
fn first_job(server: &Server) -> Result<String, Failure> {
    use google_dataportability_v1::model::InitiatePortabilityArchiveRequest;
    use google_dataportability_v1::runtime::StaticToken;
    let failed = |error: google_dataportability_v1::Error| Failure::error(error.to_string());
    let client = google_dataportability_v1::Client::builder()
        .root_url(&server.root_url)
        .token_source(StaticToken::new(&server.token))
        .build()
        .map_err(failed)?;
    let job = google_dataportability_v1::DataPortability::new(&client)
        .portability_archive()
        .initiate(InitiatePortabilityArchiveRequest::default().set_resources(["myactivity.search"]))
        .send()
        .map_err(failed)?;
    Ok(format!(
        "archiveJobs/{}/portabilityArchiveState",
        job.archive_job_id.unwrap_or_default()
    ))
}

/// The emulator process; killed when dropped.
struct Server {
    child: Child,
    root_url: String,
    token: String,
}

impl Server {
    fn start(binary: &std::path::Path) -> Result<Server, Failure> {
        let mut child = Command::new(binary)
            .args([
                "--port",
                "0",
                "--access-type",
                "time-based",
                "--grant",
                "myactivity.search",
            ])
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|error| Failure::error(format!("{}: {error}", binary.display())))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut server = Server {
            child,
            root_url: String::new(),
            token: String::new(),
        };
        // The emulator prints its root URL and then the token of `--grant`, one line each.
        for line in BufReader::new(stdout).lines() {
            let line = line.map_err(|error| Failure::error(error.to_string()))?;
            if let Some(url) = line.trim().strip_prefix("root URL:") {
                server.root_url = url.trim().to_owned();
            } else if let Some((_, token)) = line.split_once("access token for ") {
                let token = token.split_once(": ").map(|(_, token)| token.trim());
                server.token = token.unwrap_or_default().to_owned();
                break;
            }
        }
        if server.root_url.is_empty() || server.token.is_empty() {
            return Err(Failure::error(
                "the emulator did not print its root URL and token",
            ));
        }
        Ok(server)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
