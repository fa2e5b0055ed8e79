//! The export workflow end to end against the emulator over HTTP, under injected faults.

use std::sync::atomic::Ordering;
use std::time::Duration;

use emulator::{AccessType, Config, Emulator, Faults};
use export::{ExportError, ExportOptions, ExportReport, LOCK_FILE, run_export};
use google_dataportability_v1::model::InitiatePortabilityArchiveRequest;
use google_dataportability_v1::runtime::{RetryPolicy, StaticToken};
use google_dataportability_v1::{Client, DataPortability};

const RESOURCES: [&str; 6] = [
    "myactivity.search",
    "myactivity.youtube",
    "myactivity.maps",
    "myactivity.play",
    "chrome.history",
    "youtube.subscriptions",
];

fn client(emulator: &Emulator) -> DataPortability {
    let (token, _) = emulator.authorize(&RESOURCES, AccessType::OneTime);
    let client = Client::builder()
        .root_url(emulator.base_url())
        .token_source(StaticToken::new(token))
        .retry_policy(RetryPolicy::default().initial_backoff(Duration::from_millis(5)))
        .build()
        .unwrap();
    DataPortability::new(&client)
}

fn options(dir: &std::path::Path) -> ExportOptions {
    let mut options = ExportOptions::new(dir, RESOURCES.iter().map(|r| (*r).to_owned()).collect());
    options.poll_initial = Duration::from_millis(5);
    options.poll_max = Duration::from_millis(20);
    options
}

/// Every archive on disk is byte for byte what the emulator served, and nothing else is there.
fn check_archives(emulator: &Emulator, report: &ExportReport, dir: &std::path::Path) {
    assert_eq!(report.files.len(), RESOURCES.len());
    for (file, resource) in report.files.iter().zip(RESOURCES) {
        let expected = emulator.archive(&report.job, resource).unwrap();
        assert_eq!(std::fs::read(file).unwrap(), expected, "{resource}");
        assert!(export::is_complete_zip(file));
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".part"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn an_export_under_injected_faults_finishes_with_intact_archives_and_one_job() {
    let faults = Faults {
        unavailable: 0.10,
        dropped: 0.05,
        truncated_downloads: 0.30,
        slow: 0.05,
        slow_delay: Duration::from_millis(20),
        ..Faults::default()
    };
    let emulator = Emulator::start(Config {
        seed: 7,
        faults,
        archive_bytes: 256 * 1024,
        ..Config::default()
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let report = run_export(&client(&emulator), &options(dir.path())).unwrap();
    check_archives(&emulator, &report, dir.path());
    let stats = emulator.stats();
    println!("report: {report:?}\nemulator: {stats:?}");
    assert!(
        stats.unavailable + stats.dropped + stats.truncated > 0,
        "faults were injected: {stats:?}"
    );
    assert!(
        stats.truncated > 0 && report.download_retries > 0,
        "{stats:?} {report:?}"
    );
    assert_eq!(stats.jobs_created, 1, "no retry created an extra job");
}

#[test]
fn a_failed_job_is_retried_and_exported() {
    let emulator = Emulator::start(Config::default()).unwrap();
    emulator.fail_next_jobs(1);
    let dir = tempfile::tempdir().unwrap();
    let report = run_export(&client(&emulator), &options(dir.path())).unwrap();
    assert_eq!(report.job_retries, 1);
    assert_eq!(emulator.stats().jobs_created, 2);
    check_archives(&emulator, &report, dir.path());
}

#[test]
fn expired_urls_are_renewed_by_polling_again() {
    let emulator = Emulator::start(Config::default()).unwrap();
    emulator.expire_next_urls(1);
    let dir = tempfile::tempdir().unwrap();
    let report = run_export(&client(&emulator), &options(dir.path())).unwrap();
    assert_eq!(report.url_renewals, 1);
    check_archives(&emulator, &report, dir.path());
}

#[test]
fn a_broken_download_leaves_no_final_file_and_the_next_run_resumes_it() {
    let emulator = Emulator::start(Config {
        faults: Faults {
            truncated_downloads: 1.0,
            ..Faults::default()
        },
        ..Config::default()
    })
    .unwrap();
    let client = client(&emulator);
    let job = client
        .portability_archive()
        .initiate(InitiatePortabilityArchiveRequest::default().set_resources(RESOURCES))
        .send()
        .unwrap()
        .archive_job_id
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut options = options(dir.path());
    options.job = Some(job.clone());
    options.max_download_attempts = 2;
    let error = run_export(&client, &options).unwrap_err();
    assert!(matches!(error, ExportError::Download(_)), "{error}");
    // It says why the last attempt failed.
    assert!(
        error.to_string().contains(
            "still incomplete after 2 attempts; the last one failed because the connection broke after"
        ),
        "{error}"
    );
    let first = dir.path().join("myactivity.search.zip");
    assert!(
        !first.exists(),
        "no half-written archive under its final name"
    );
    let partial = std::fs::metadata(dir.path().join("myactivity.search.zip.part"))
        .unwrap()
        .len();
    assert!(partial > 0);

    // The next run resumes the partial file from where it stopped.
    emulator.set_faults(Faults::default());
    options.max_download_attempts = 3;
    let report = run_export(&client, &options).unwrap();
    check_archives(&emulator, &report, dir.path());
    assert!(report.resumed);
    assert_eq!(emulator.stats().jobs_created, 1);
}

#[test]
fn an_interrupted_export_stops_cleanly() {
    let emulator = Emulator::start(Config::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let options = options(dir.path());
    options.interrupt.store(true, Ordering::Relaxed);
    let error = run_export(&client(&emulator), &options).unwrap_err();
    assert!(matches!(error, ExportError::Interrupted), "{error}");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    // No job was started, so nothing is saved: the folder is free for any export.
    assert_eq!(names, [LOCK_FILE], "nothing but the lock");
}

#[test]
fn a_folder_holding_another_export_is_refused() {
    let emulator = Emulator::start(Config::default()).unwrap();
    let client = client(&emulator);
    let dir = tempfile::tempdir().unwrap();
    let first = run_export(&client, &options(dir.path())).unwrap();
    let mut other = options(dir.path());
    other.resources = vec!["myactivity.search".to_owned()];
    let error = run_export(&client, &other).unwrap_err();
    assert!(matches!(error, ExportError::State(_)), "{error}");
    assert!(error.to_string().contains(&first.job), "{error}");
    assert!(
        error.to_string().contains("choose another folder"),
        "{error}"
    );
    // The same export again is already done, and asks nothing of the server.
    let requests = emulator.stats().requests;
    let again = run_export(&client, &options(dir.path())).unwrap();
    assert!(again.already_complete);
    assert_eq!(again.files, first.files);
    assert_eq!(emulator.stats().requests, requests);
}

/// Partial downloads planted or left behind that are not this job's are never appended to, and
/// a symbolic link in their place is not followed.
#[cfg(unix)]
#[test]
fn partial_files_of_another_job_and_planted_links_are_not_used() {
    let emulator = Emulator::start(Config::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim.txt");
    std::fs::write(&victim, "keep me").unwrap();
    std::fs::write(
        dir.path().join("myactivity.search.zip.part"),
        vec![7u8; 5000],
    )
    .unwrap();
    std::os::unix::fs::symlink(&victim, dir.path().join("myactivity.youtube.zip.part")).unwrap();
    let report = run_export(&client(&emulator), &options(dir.path())).unwrap();
    check_archives(&emulator, &report, dir.path());
    assert_eq!(report.download_retries, 0, "{report:?}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
}

/// A state file written by someone else cannot make the export read or report files outside its
/// folder: names that are not plain archive names are not taken as done.
#[test]
fn archive_names_in_a_planted_state_file_are_not_trusted() {
    let emulator = Emulator::start(Config::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("stolen.zip"), "not yours").unwrap();
    let escape = format!(
        "../{}/stolen.zip",
        outside.path().file_name().unwrap().to_string_lossy()
    );
    let options = options(dir.path());
    let planted = export::SavedExport {
        source: options.source.clone(),
        resources: options.resources.clone(),
        start_time: None,
        end_time: None,
        job: None,
        archives: vec![escape.clone(), "/etc/passwd.zip".to_owned()],
        finished: true,
        runs: 1,
        starting: false,
        started_at: None,
    };
    planted.save(dir.path()).unwrap();
    let loaded = export::SavedExport::load(dir.path()).unwrap().unwrap();
    assert!(loaded.archives.is_empty() && !loaded.finished, "{loaded:?}");
    let report = run_export(&client(&emulator), &options).unwrap();
    assert!(!report.already_complete);
    check_archives(&emulator, &report, dir.path());
    assert_eq!(
        std::fs::read_to_string(outside.path().join("stolen.zip")).unwrap(),
        "not yours"
    );
}

/// A start whose every try went out and got no answer may have created a job: its marker stays,
/// so the next run says so. A start the server refused leaves nothing (see `rerun.rs`).
#[test]
fn a_start_that_got_no_answer_keeps_its_marker() {
    let emulator = Emulator::start(Config {
        faults: Faults {
            dropped: 1.0,
            ..Faults::default()
        },
        ..Config::default()
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut options = options(dir.path());
    options.max_call_attempts = 2;
    let error = run_export(&client(&emulator), &options).unwrap_err();
    assert!(matches!(error, ExportError::Api(_)), "{error}");
    let saved = export::SavedExport::load(dir.path()).unwrap().unwrap();
    assert!(saved.starting && saved.job.is_none(), "{saved:?}");
}
