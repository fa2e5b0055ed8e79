//! `dataportability-export` as a user runs it: a process against an emulator that outlives it,
//! interrupted with Ctrl-C (SIGINT) and run again, as well as local-mode reruns.

#![cfg(unix)]

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use emulator::{AccessType, Config, Emulator};
use export::{LOCK_FILE, STATE_FILE, SavedExport};

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
    assert_eq!(
        names_in(&out),
        [STATE_FILE, LOCK_FILE],
        "no empty .part files"
    );

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
        starting: false,
        started_at: None,
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

/// An emulator that outlives the runs, its token for `resources`, and the arguments that point
/// the export at it, writing into `out`.
fn against(emulator: &Emulator, resources: &[&str], out: &Path) -> Vec<String> {
    let (token, _) = emulator.authorize(resources, AccessType::OneTime);
    [
        "--token",
        &token,
        "--root-url",
        emulator.base_url(),
        "--out",
        &out.to_string_lossy(),
        "--resources",
        &resources.join(","),
    ]
    .map(str::to_owned)
    .to_vec()
}

fn run_with(args: &[String]) -> Output {
    run(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn a_running_job_is_shown_while_it_runs() {
    let emulator = Emulator::start(Config {
        complete_after_polls: 3,
        ..Config::default()
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut args = against(&emulator, &RESOURCES, &dir.path().join("out"));
    args.extend(["--heartbeat".to_owned(), "1".to_owned()]);
    let output = run_with(&args);
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let job = SavedExport::load(&dir.path().join("out"))
        .unwrap()
        .unwrap()
        .job
        .unwrap();
    for line in [
        format!(
            "exporting myactivity.search,myactivity.youtube from {}",
            emulator.base_url()
        ),
        format!("started job {job}"),
        // How long it has run is counted in whole seconds from the saved start: 0s or 1s here.
        format!("job {job} is IN_PROGRESS after "),
        "s; next poll in 1s".to_owned(),
        // The state did not change, but a heartbeat (1 s here) passed.
        format!("job {job} is still IN_PROGRESS after"),
        format!("job {job} is COMPLETE after"),
    ] {
        assert!(stderr.contains(&line), "{line:?} not in {stderr}");
    }
}

#[test]
fn output_folder_errors_name_the_folder_and_what_was_done() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a folder").unwrap();
    let out = file.join("exports");
    let output = run(&["--out", &out.to_string_lossy()]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "could not create the output folder {}",
            out.display()
        )),
        "{stderr}"
    );
}

#[test]
fn a_start_that_failed_leaves_the_folder_free() {
    let emulator = Emulator::start(Config::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("w3");
    // A resource name the API does not know: 400, no job.
    let (token, _) = emulator.authorize(&RESOURCES, AccessType::OneTime);
    let mut args = against(&emulator, &RESOURCES, &out);
    args[1] = token.clone();
    args[7] = "foo.bar".to_owned();
    let output = run_with(&args);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("hint: check --resources"), "{stderr}");
    assert_eq!(names_in(&out), [LOCK_FILE], "no state without a job");
    // The name fixed, the same folder works.
    args[7] = RESOURCES.join(",");
    let output = run_with(&args);
    assert!(output.status.success(), "{}", text(&output.stderr));

    // A root URL that refuses connections: said at once, with the URL and what to check, and
    // nothing saved.
    let refused = tempfile::tempdir().unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    drop(listener);
    let started = Instant::now();
    let output = run(&[
        "--token",
        "t",
        "--root-url",
        &url,
        "--out",
        &refused.path().to_string_lossy(),
    ]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(10), "{stderr}");
    assert!(
        stderr.contains(&format!("could not connect to {url}")),
        "{stderr}"
    );
    assert!(stderr.contains("hint: check --root-url"), "{stderr}");
    assert_eq!(names_in(refused.path()), [LOCK_FILE]);
}

#[test]
fn options_that_need_a_token_are_refused_without_one() {
    for option in [
        &["--root-url", "http://127.0.0.1:1/"][..],
        &["--job", "123"],
        &["--reset-authorization"],
    ] {
        let output = run(option);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("needs --token"), "{stderr}");
    }
}

#[test]
fn a_used_grant_says_how_to_reset_it_and_the_tool_can() {
    let emulator = Emulator::start(Config::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let args = against(&emulator, &RESOURCES, &dir.path().join("first"));
    assert!(run_with(&args).status.success());
    // The same token, a new folder: the one-time grant is used.
    let mut again = args.clone();
    again[5] = dir.path().join("second").to_string_lossy().into_owned();
    let output = run_with(&again);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("--reset-authorization"), "{stderr}");
    // A wrong token says where a right one goes.
    let mut wrong = again.clone();
    wrong[1] = "not-a-token".to_owned();
    let stderr = text(&run_with(&wrong).stderr);
    assert!(stderr.contains("--token or ACCESS_TOKEN"), "{stderr}");
    // The reset, then a new consent exports again.
    let output = run(&[
        "--reset-authorization",
        "--token",
        &args[1],
        "--root-url",
        emulator.base_url(),
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("authorization reset"));
    let fresh = against(&emulator, &RESOURCES, &dir.path().join("second"));
    let output = run_with(&fresh);
    assert!(output.status.success(), "{}", text(&output.stderr));
}

/// A local export into `dir` whose readers of standard output (and, with `both`, of standard
/// error) go away at once, as `| head -0` would do; its exit status and what it wrote to
/// standard error, when that was still read.
fn export_with_closed_pipes(dir: &Path, both: bool) -> (std::process::ExitStatus, String) {
    let mut child = command(&["--out", &dir.to_string_lossy()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    if both {
        drop(child.stderr.take());
    }
    let output = child.wait_with_output().unwrap();
    (output.status, text(&output.stderr))
}

#[test]
fn a_closed_pipe_ends_the_tool_quietly() {
    // Standard output closed: the export runs, and ends quietly when it reports.
    let dir = tempfile::tempdir().unwrap();
    let (status, stderr) = export_with_closed_pipes(dir.path(), false);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(status.code(), Some(141), "{stderr}");

    // Both closed (`2>&1 | head -0`): progress lines are dropped, the export still finishes.
    let dir = tempfile::tempdir().unwrap();
    let (status, _) = export_with_closed_pipes(dir.path(), true);
    assert_eq!(status.code(), Some(141));
    assert!(SavedExport::load(dir.path()).unwrap().unwrap().finished);
}

#[test]
fn one_export_at_a_time_and_no_leftovers_from_a_killed_save() {
    let emulator = Emulator::start(Config::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    // A save killed half-way leaves its temporary file.
    let leftover = out.join(".dataportability-export-x1Y2z3.tmp");
    std::fs::write(&leftover, "{").unwrap();
    // Another export holds the folder.
    let lock = std::fs::File::create(out.join(LOCK_FILE)).unwrap();
    lock.try_lock().unwrap();
    let args = against(&emulator, &RESOURCES, &out);
    let output = run_with(&args);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("another export is running in"), "{stderr}");
    assert_eq!(emulator.stats().jobs_created, 0);
    drop(lock);
    let output = run_with(&args);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(!leftover.exists());
}

#[test]
fn a_start_that_was_killed_says_a_job_may_exist() {
    let emulator = Emulator::start(Config::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let args = against(&emulator, &RESOURCES, dir.path());
    // What a run killed while `initiate` was under way leaves.
    let killed = SavedExport {
        source: emulator.base_url().to_owned(),
        resources: RESOURCES.map(str::to_owned).to_vec(),
        start_time: None,
        end_time: None,
        job: None,
        archives: Vec::new(),
        finished: false,
        runs: 1,
        starting: true,
        started_at: None,
    };
    killed.save(dir.path()).unwrap();
    let output = run_with(&args);
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("may have started one"), "{stderr}");
}
