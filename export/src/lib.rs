//! The export workflow, using only the generated client's public API: choose resources,
//! initiate, poll with backoff, download every archive (resuming partial downloads), check each
//! is a complete ZIP, and only then give it its final name.
//!
//! The job is saved in the output folder ([`STATE_FILE`]) as soon as it exists, so a run that is
//! interrupted (Ctrl-C, a crash, a lost connection) is resumed by the next run with the same job:
//! a second `initiate` would be refused by a one-time grant. A failed job is retried (boundedly),
//! expired URLs are renewed by polling again, and an interruption leaves no half-written file
//! under a final name: partial data stays in `*.part` files of the current job.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod archive;
mod care;
mod saved;
mod status;

use std::fs;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use google_dataportability_v1::model::{
    InitiatePortabilityArchiveRequest, PortabilityArchiveState,
    portability_archive_state::State as JobState,
};
use google_dataportability_v1::prelude::*;
use google_dataportability_v1::runtime::Timestamp;

pub use archive::{file_name, is_complete_zip};
use care::{Repeat, pause, with_care};
pub use saved::{LOCK_FILE, STATE_FILE, SavedExport, runs_so_far};
pub use status::human;
use status::{JobWatch, note, unix_now};

/// How an export runs.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// Where the archives go, with the saved state.
    pub out_dir: PathBuf,
    /// Resources to export, such as `myactivity.search`.
    pub resources: Vec<String>,
    /// Export data from this time on.
    pub start_time: Option<Timestamp>,
    /// Export data up to this time.
    pub end_time: Option<Timestamp>,
    /// Export this existing job instead of starting one (a job started elsewhere).
    pub job: Option<String>,
    /// Where the export comes from (the root URL), recorded with the job: a saved job is only
    /// resumed from the same source.
    pub source: String,
    /// The server was started for this run (a local emulator): a job saved by an earlier run
    /// cannot exist on it, so an unfinished one is set aside and a new one started.
    pub fresh_server: bool,
    /// First wait between polls; later waits double up to `poll_max`.
    pub poll_initial: Duration,
    /// Longest wait between polls.
    pub poll_max: Duration,
    /// How many times a failed job is retried.
    pub max_job_retries: u32,
    /// How many times `initiate`, `retry` or a poll is tried when the server is briefly away.
    pub max_call_attempts: u32,
    /// How many times one archive's download is tried (each try resumes).
    pub max_download_attempts: u32,
    /// Show progress on standard error: the job's state while it runs, retries, and each
    /// archive (a spinner and bars on a terminal, plain lines otherwise).
    pub progress: bool,
    /// In a log (standard error not a terminal), how often a line says the job is still
    /// running when its state has not changed.
    pub heartbeat: Duration,
    /// Set to stop cleanly (Ctrl-C); every wait notices within a twentieth of a second.
    pub interrupt: Arc<AtomicBool>,
}

impl ExportOptions {
    /// Sensible settings for `resources` into `out_dir`, from Google.
    pub fn new(out_dir: impl Into<PathBuf>, resources: Vec<String>) -> Self {
        ExportOptions {
            out_dir: out_dir.into(),
            resources,
            start_time: None,
            end_time: None,
            job: None,
            source: "https://dataportability.googleapis.com/".to_owned(),
            fresh_server: false,
            poll_initial: Duration::from_secs(1),
            poll_max: Duration::from_secs(30),
            max_job_retries: 3,
            max_call_attempts: 8,
            max_download_attempts: 10,
            progress: false,
            heartbeat: Duration::from_secs(300),
            interrupt: Arc::new(AtomicBool::new(false)),
        }
    }

    /// What this run would save before it has a job.
    fn fresh_state(&self, runs: u32) -> SavedExport {
        SavedExport {
            source: self.source.clone(),
            resources: self.resources.clone(),
            start_time: self.start_time.map(|time| time.to_string()),
            end_time: self.end_time.map(|time| time.to_string()),
            job: None,
            archives: Vec::new(),
            finished: false,
            runs,
            starting: false,
            started_at: None,
        }
    }
}

/// What an export did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportReport {
    /// The job whose archives were downloaded.
    pub job: String,
    /// The archives, in the order of their URLs.
    pub files: Vec<PathBuf>,
    /// The folder already held this finished export: nothing was asked of the server.
    pub already_complete: bool,
    /// The job was saved by an earlier run and resumed.
    pub resumed: bool,
    /// Calls this workflow repeated because the server was briefly unavailable (the client's own
    /// retries of GETs come on top and are not counted here).
    pub call_retries: u32,
    /// Failed jobs retried.
    pub job_retries: u32,
    /// Downloads started again (resumed) after a broken connection or an incomplete archive.
    pub download_retries: u32,
    /// Times expired URLs were renewed by polling again.
    pub url_renewals: u32,
    /// Whether the server answered any call of this run. Until it has, a refused connection is
    /// not tried again by the workflow: the address is more likely wrong than the server away.
    pub server_answered: bool,
}

/// Why an export stopped.
#[derive(Debug)]
pub enum ExportError {
    /// The API refused or failed.
    Api(google_dataportability_v1::Error),
    /// The server could not be reached at all on the run's first call: nothing was sent.
    Unreachable {
        /// Where the export comes from, as [`ExportOptions::source`] says.
        source: String,
        /// The connection error.
        error: google_dataportability_v1::Error,
    },
    /// The job failed more often than allowed, or was cancelled.
    Job(String),
    /// A download could not be completed.
    Download(String),
    /// The output folder holds another export, or a state file that cannot be read.
    State(String),
    /// Stopped on request; the job is saved and partial downloads kept, to resume.
    Interrupted,
    /// A local file or folder could not be used.
    Io {
        /// What the export was doing, such as `could not create the output folder`.
        doing: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },
}

impl ExportError {
    /// Whether the error shows that no job was started: the server answered with an error
    /// status, or could not be reached, or the run stopped before asking. A call that went out
    /// and got no answer (a timeout, a dropped connection) may have started one.
    fn started_nothing(&self) -> bool {
        match self {
            ExportError::Api(error) => error.api().is_some() || error.is_connect(),
            ExportError::Unreachable { .. } | ExportError::Interrupted => true,
            _ => false,
        }
    }
}

/// Makes an I/O error into one that says what was being done, and where.
pub(crate) fn io_error(
    doing: &'static str,
    path: &std::path::Path,
) -> impl FnOnce(std::io::Error) -> ExportError {
    let path = path.to_path_buf();
    move |error| ExportError::Io { doing, path, error }
}

impl std::fmt::Display for ExportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExportError::Api(error) => write!(f, "{error}"),
            ExportError::Unreachable { source, error } => {
                write!(f, "could not connect to {source}: {error}")
            }
            ExportError::Job(message)
            | ExportError::Download(message)
            | ExportError::State(message) => f.write_str(message),
            ExportError::Interrupted => {
                f.write_str("interrupted; run the same command again to resume")
            }
            ExportError::Io { doing, path, error } => {
                write!(f, "{doing} {}: {error}", path.display())
            }
        }
    }
}

impl std::error::Error for ExportError {}

impl From<google_dataportability_v1::Error> for ExportError {
    fn from(error: google_dataportability_v1::Error) -> Self {
        ExportError::Api(error)
    }
}

/// Runs an export into `options.out_dir`: resumes the job saved there, or the one
/// `options.job` names, or initiates one; then waits for it, retries it if it fails, and
/// downloads its archives. Running it again after an interruption resumes where it stopped;
/// after a finished export it reports that and asks nothing of the server.
pub fn run_export(
    client: &DataPortability,
    options: &ExportOptions,
) -> Result<ExportReport, ExportError> {
    let folder = &options.out_dir;
    fs::create_dir_all(folder).map_err(io_error("could not create the output folder", folder))?;
    // Held until the export ends (the system releases it if the process dies): two exports in
    // one folder would download into the same files.
    let _lock = saved::lock(folder)?;
    saved::remove_stale_temporaries(folder)?;
    let mut report = ExportReport::default();
    let previous = SavedExport::load(folder)?;
    let runs = previous.as_ref().map_or(0, |saved| saved.runs) + 1;
    // A state without a job holds nothing: a start that failed, or one that stopped before
    // the server answered (which may have started a job: say so).
    let interrupted_start = previous
        .as_ref()
        .is_some_and(|saved| saved.job.is_none() && saved.starting);
    let previous = previous.filter(|saved| saved.job.is_some());
    let wanted = options.fresh_state(runs);
    let mut state = match (&options.job, previous) {
        (Some(job), previous) => {
            let same_job = previous.as_ref().is_some_and(|saved| {
                saved.job.as_ref() == Some(job) && saved.source == options.source
            });
            match previous {
                Some(saved) if same_job => {
                    report.resumed = true;
                    SavedExport { runs, ..saved }
                }
                _ => {
                    saved::remove_partials(folder)?;
                    SavedExport {
                        job: Some(job.clone()),
                        ..wanted
                    }
                }
            }
        }
        (None, Some(saved))
            if saved.finished && saved.is_same_export(&wanted) && all_present(&saved, options) =>
        {
            report.already_complete = true;
            report.job = saved.job.clone().unwrap_or_default();
            report.files = saved
                .archives
                .iter()
                .map(|name| folder.join(name))
                .collect();
            return Ok(report);
        }
        (None, Some(_)) if options.fresh_server => {
            // The saved job lived on a server that is gone.
            saved::remove_partials(folder)?;
            wanted
        }
        (None, Some(saved)) if saved.is_same_export(&wanted) => {
            report.resumed = true;
            SavedExport {
                runs,
                finished: false,
                ..saved
            }
        }
        (None, Some(saved)) => {
            return Err(ExportError::State(format!(
                "{} holds another export ({}{}); choose another folder, or remove {} to start over there",
                folder.display(),
                saved.describe(),
                saved
                    .job
                    .as_ref()
                    .map_or(String::new(), |job| format!(", job {job}")),
                SavedExport::path(folder).display()
            )));
        }
        (None, None) => wanted,
    };
    match &state.job {
        Some(job) => {
            state.save(folder)?;
            let how = if report.resumed {
                "resuming"
            } else {
                "exporting"
            };
            note(options, &format!("{how} job {job} from {}", options.source));
        }
        None => {
            if interrupted_start && !options.fresh_server {
                note(
                    options,
                    "an earlier run in this folder stopped while it was starting a job, and may \
                     have started one (the API keeps no list of jobs). A one-time grant refuses a \
                     second start: if this one is refused, export that job with its id if you \
                     know it, or reset the authorization and start again.",
                );
            }
            saved::remove_partials(folder)?;
            // Saved as `starting` while `initiate` is under way, so that a run killed before
            // its answer is saved tells the next run that a job may exist.
            state.starting = true;
            state.save(folder)?;
            let job = match initiate(client, options, &mut report) {
                Ok(job) => job,
                Err(error) => {
                    if error.started_nothing() {
                        SavedExport::remove(folder)?;
                    }
                    return Err(error);
                }
            };
            note(
                options,
                &format!("started job {job} from {}", options.source),
            );
            state.job = Some(job);
            state.starting = false;
            state.started_at = Some(unix_now());
            state.archives.clear();
            state.finished = false;
            state.save(folder)?;
        }
    }
    export_saved_job(client, options, state, report)
}

/// Whether every archive a finished state names is on disk and complete.
fn all_present(saved: &SavedExport, options: &ExportOptions) -> bool {
    !saved.archives.is_empty()
        && saved
            .archives
            .iter()
            .all(|name| is_complete_zip(&options.out_dir.join(name)))
}

/// Starts the job.
fn initiate(
    client: &DataPortability,
    options: &ExportOptions,
    report: &mut ExportReport,
) -> Result<String, ExportError> {
    let mut request = InitiatePortabilityArchiveRequest::default()
        .set_resources(options.resources.iter().cloned());
    if let Some(start) = options.start_time {
        request = request.set_start_time(start);
    }
    if let Some(end) = options.end_time {
        request = request.set_end_time(end);
    }
    // A lost answer to `initiate` may be repeated: if the first one did start a job, the grant
    // refuses the second (429 for one-time, 400 for time-based) instead of starting another.
    let response = with_care(options, report, Repeat::AlsoWhenUnanswered, || {
        client
            .portability_archive()
            .initiate(request.clone())
            .send()
    })?;
    response
        .archive_job_id
        .ok_or_else(|| ExportError::Job("initiate answered without a job id".to_owned()))
}

/// Waits for the saved job, retries it if it fails, downloads its archives, and keeps the state
/// file up to date as it goes.
fn export_saved_job(
    client: &DataPortability,
    options: &ExportOptions,
    mut state: SavedExport,
    mut report: ExportReport,
) -> Result<ExportReport, ExportError> {
    let folder = &options.out_dir;
    loop {
        let job = state.job.clone().expect("a job is saved before this");
        let polled = wait_for_job(client, &job, state.started_at, options, &mut report)?;
        match polled.state {
            Some(JobState::Complete) => {
                let urls = polled.urls.unwrap_or_default();
                let mut files = Vec::with_capacity(urls.len());
                let mut expired = false;
                for (index, url) in urls.iter().enumerate() {
                    let name = file_name(url, index);
                    let target = folder.join(&name);
                    if state.archives.contains(&name) && is_complete_zip(&target) {
                        files.push(target);
                        continue;
                    }
                    match archive::download(client, url, &target, options, &mut report)? {
                        archive::Fetched::Done(path) => {
                            files.push(path);
                            if !state.archives.contains(&name) {
                                state.archives.push(name);
                            }
                            state.save(folder)?;
                        }
                        archive::Fetched::Expired => {
                            expired = true;
                            break;
                        }
                    }
                }
                if expired {
                    // The next poll of a complete job gives fresh URLs.
                    report.url_renewals += 1;
                    continue;
                }
                state.finished = true;
                state.save(folder)?;
                report.job = job;
                report.files = files;
                return Ok(report);
            }
            Some(JobState::Failed) => {
                if report.job_retries >= options.max_job_retries {
                    return Err(ExportError::Job(format!(
                        "job {job} failed after {} retries",
                        report.job_retries
                    )));
                }
                let name = format!("archiveJobs/{job}");
                let retried = with_care(options, &mut report, Repeat::OnlyWhenRefused, || {
                    client
                        .archive_jobs()
                        .retry(name.clone(), Default::default())
                        .send()
                })?;
                let new_job = retried.archive_job_id.ok_or_else(|| {
                    ExportError::Job("retry answered without a job id".to_owned())
                })?;
                saved::remove_partials(folder)?;
                note(
                    options,
                    &format!("job {job} failed; retried as job {new_job}"),
                );
                state.job = Some(new_job);
                state.started_at = Some(unix_now());
                state.archives.clear();
                state.save(folder)?;
                report.job_retries += 1;
            }
            other => {
                return Err(ExportError::Job(format!("job {job} ended as {other:?}")));
            }
        }
    }
}

/// Polls until the job is no longer in progress, waiting longer each time and showing the job's
/// state while it waits.
fn wait_for_job(
    client: &DataPortability,
    job: &str,
    started_at: Option<u64>,
    options: &ExportOptions,
    report: &mut ExportReport,
) -> Result<PortabilityArchiveState, ExportError> {
    let name = format!("archiveJobs/{job}/portabilityArchiveState");
    let mut wait = options.poll_initial;
    let mut watch = JobWatch::new(options, job, started_at);
    loop {
        let state = with_care(options, report, Repeat::AlsoWhenUnanswered, || {
            client
                .archive_jobs()
                .get_portability_archive_state(name.clone())
                .send()
        })?;
        let shown = state.state.as_ref().map_or_else(
            || "UNSPECIFIED".to_owned(),
            |state| state.as_str().to_owned(),
        );
        if state.state != Some(JobState::InProgress) {
            watch.finish(&shown);
            return Ok(state);
        }
        watch.polled(&shown, wait);
        // Waited in steps of a second, so the spinner counts down.
        let until = std::time::Instant::now() + wait;
        loop {
            let left = until.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                break;
            }
            watch.waiting(left);
            pause(options, left.min(Duration::from_secs(1)))?;
        }
        wait = (wait * 2).min(options.poll_max);
    }
}
