//! `dataportability-export` as a user runs it: a process against an emulator that outlives it,
//! interrupted with Ctrl-C (SIGINT) and run again, as well as local-mode reruns.

#![cfg(unix)]

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use emulator::{AccessType, Config, Emulator};
use export::{STATE_FILE, SavedExport};

const RESOURCES: [&str; 2] = ["myactivity.search", "myactivity.youtube"];

fn command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dataportability-export"));
    command.args(args).env_remove("ACCESS_TOKEN");
    command
}

fn run(args: &[&str]) -> Output {
    command(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Waits until the export has saved its job; the job id.
fn saved_job(dir: &Path, child: &mut Child) -> String {
    let started = Instant::now();
    loop {
        if let Ok(Some(saved)) = SavedExport::load(dir)
            && let Some(job) = saved.job
        {
            return job;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the export ended before saving a job"
        );
        assert!(started.elapsed() < Duration::from_secs(20), "no job saved");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn an_interrupted_export_resumes_its_job_against_a_server_that_outlives_it() {
    // Started on its own, as `cargo run -p emulator -- --grant ...` would be: it outlives every
    // run of the export. Jobs complete on the fourth poll, so the first run is still polling.
    let emulator = Emulator::start(Config {
        complete_after_polls: 4,
        ..Config::default()
    })
    .unwrap();
    let (token, _) = emulator.authorize(&RESOURCES, AccessType::OneTime);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("exports");
    let out_arg = out.to_string_lossy().into_owned();
    let args = [
        "--token",
        token.as_str(),
        "--root-url",
        emulator.base_url(),
        "--out",
        out_arg.as_str(),
        "--resources",
        "myactivity.search,myactivity.youtube",
    ];

    // 1. Interrupted while it waits between polls (its first wait is a second long).
    let mut child = command(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let job = saved_job(&out, &mut child);
    std::thread::sleep(Duration::from_millis(300));
    let interrupted = Instant::now();
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    let stopped_after = interrupted.elapsed();
    assert_eq!(output.status.code(), Some(130), "{}", text(&output.stderr));
    assert!(
        stopped_after < Duration::from_millis(800),
        "Ctrl-C took {stopped_after:?}"
    );
    assert!(text(&output.stderr).contains("run the same command again to resume"));
    assert_eq!(names_in(&out), [STATE_FILE], "no empty .part files");

    // 2. The same command resumes the saved job: no second initiate (which the one-time grant
    //    would refuse with 429), and the archives are the job's.
    let output = run(&args);
    let stdout = text(&output.stdout);
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains(&format!("resumed and exported job {job}")),
        "{stdout}"
    );
    assert_eq!(emulator.stats().jobs_created, 1);
    for resource in RESOURCES {
        let file = out.join(format!("{resource}.zip"));
        assert_eq!(
            std::fs::read(&file).unwrap(),
            emulator.archive(&job, resource).unwrap()
        );
    }
    // Standard error is a pipe, not a terminal: plain lines, no carriage returns or blank lines.
    assert!(!stderr.contains('\r'), "{stderr:?}");
    assert!(!stderr.contains("\n\n"), "{stderr:?}");
    assert!(stderr.contains("myactivity.search.zip: "), "{stderr:?}");
    let saved = SavedExport::load(&out).unwrap().unwrap();
    assert!(saved.finished);
    assert_eq!(saved.runs, 2);

    // 3. Once more: it is done, says so, and asks nothing of the server.
    let requests = emulator.stats().requests;
    let output = run(&args);
    assert!(output.status.success());
    assert!(
        text(&output.stdout).contains(&format!("already exported: job {job}")),
        "{}",
        text(&output.stdout)
    );
    assert_eq!(emulator.stats().requests, requests);
}

#[test]
fn a_job_started_elsewhere_is_exported_with_job() {
    let emulator = Emulator::start(Config::default()).unwrap();
    let (token, _) = emulator.authorize(&RESOURCES, AccessType::OneTime);
    let client = google_dataportability_v1::Client::builder()
        .root_url(emulator.base_url())
        .token_source(google_dataportability_v1::runtime::StaticToken::new(
            token.clone(),
        ))
        .build()
        .unwrap();
    let job = google_dataportability_v1::DataPortability::new(&client)
        .portability_archive()
        .initiate(
            google_dataportability_v1::model::InitiatePortabilityArchiveRequest::default()
                .set_resources(RESOURCES),
        )
        .send()
        .unwrap()
        .archive_job_id
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_string_lossy().into_owned();
    let output = run(&[
        "--token",
        &token,
        "--root-url",
        emulator.base_url(),
        "--out",
        &out,
        "--job",
        &format!("archiveJobs/{job}"),
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains(&format!("exported job {job}")));
    assert_eq!(emulator.stats().jobs_created, 1);
}

#[test]
fn local_reruns_start_a_new_job_and_never_append_to_an_old_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_string_lossy().into_owned();
    // What an interrupted local run leaves: its job (on an emulator that is gone) and a partial
    // archive of that job. With the same seed the new emulator would even hand out the same
    // job id, with other bytes (the export time differs).
    let stale = SavedExport {
        source: "a local emulator".to_owned(),
        resources: vec!["myactivity.search".to_owned()],
        start_time: None,
        end_time: None,
        job: Some("0123456789abcdef".to_owned()),
        archives: Vec::new(),
        finished: false,
        runs: 1,
    };
    stale.save(dir.path()).unwrap();
    std::fs::write(
        dir.path().join("myactivity.search.zip.part"),
        vec![1u8; 9000],
    )
    .unwrap();
    let args = [
        "--out",
        out.as_str(),
        "--resources",
        "myactivity.search",
        "--seed",
        "5",
    ];
    let output = run(&args);
    let stdout = text(&output.stdout);
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    // A new job, and the old job's bytes were not resumed from.
    assert!(
        stdout.contains("retries: 0 calls, 0 jobs, 0 downloads resumed"),
        "{stdout}"
    );
    assert!(export::is_complete_zip(
        &dir.path().join("myactivity.search.zip")
    ));
    // The seed is moved on by the runs before, so a rerun meets other faults.
    assert!(stderr.contains("(seed 6)"), "{stderr}");
    let output = run(&args);
    assert!(text(&output.stdout).contains("already exported"));
}
