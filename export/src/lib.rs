//! The export workflow, using only the generated client's public API: choose resources,
//! initiate, poll with backoff, download every archive (resuming partial downloads), check each
//! is a complete ZIP, and only then give it its final name. A failed job is retried (boundedly),
//! expired URLs are renewed by polling again, and an interruption leaves no half-written file
//! under a final name: partial data stays in `*.part` files, which the next run resumes.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use google_dataportability_v1::model::{
    InitiatePortabilityArchiveRequest, PortabilityArchiveState,
    PortabilityArchiveStateState as JobState,
};
use google_dataportability_v1::prelude::*;

/// How an export runs.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// Where the archives go.
    pub out_dir: PathBuf,
    /// Resources to export, such as `myactivity.search`.
    pub resources: Vec<String>,
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
    /// Show a progress line on standard error.
    pub progress: bool,
    /// Set to stop cleanly (Ctrl-C).
    pub interrupt: Arc<AtomicBool>,
}

impl ExportOptions {
    /// Sensible settings for `resources` into `out_dir`.
    pub fn new(out_dir: impl Into<PathBuf>, resources: Vec<String>) -> Self {
        ExportOptions {
            out_dir: out_dir.into(),
            resources,
            poll_initial: Duration::from_secs(1),
            poll_max: Duration::from_secs(30),
            max_job_retries: 3,
            max_call_attempts: 8,
            max_download_attempts: 10,
            progress: false,
            interrupt: Arc::new(AtomicBool::new(false)),
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
    /// Calls this workflow repeated because the server was briefly unavailable (the client's own
    /// retries of GETs come on top and are not counted here).
    pub call_retries: u32,
    /// Failed jobs retried.
    pub job_retries: u32,
    /// Downloads started again (resumed) after a broken connection or an incomplete archive.
    pub download_retries: u32,
    /// Times expired URLs were renewed by polling again.
    pub url_renewals: u32,
}

/// Why an export stopped.
#[derive(Debug)]
pub enum ExportError {
    /// The API refused or failed.
    Api(google_dataportability_v1::Error),
    /// The job failed more often than allowed, or was cancelled.
    Job(String),
    /// A download could not be completed.
    Download(String),
    /// Stopped on request; partial downloads are kept as `*.part` to resume.
    Interrupted,
    /// Local files.
    Io(std::io::Error),
}

impl std::fmt::Display for ExportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExportError::Api(error) => write!(f, "{error}"),
            ExportError::Job(message) | ExportError::Download(message) => f.write_str(message),
            ExportError::Interrupted => {
                f.write_str("interrupted; run again to resume the partial downloads")
            }
            ExportError::Io(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for ExportError {}

impl From<google_dataportability_v1::Error> for ExportError {
    fn from(error: google_dataportability_v1::Error) -> Self {
        ExportError::Api(error)
    }
}

impl From<std::io::Error> for ExportError {
    fn from(error: std::io::Error) -> Self {
        ExportError::Io(error)
    }
}

/// Runs a whole export: initiate, then [`export_job`].
pub fn run_export(client: &Client, options: &ExportOptions) -> Result<ExportReport, ExportError> {
    let mut report = ExportReport::default();
    let request = InitiatePortabilityArchiveRequest::default()
        .set_resources(options.resources.iter().cloned());
    // A lost answer to `initiate` may be repeated: if the first one did start a job, the grant
    // refuses the second (429 for one-time, 400 for time-based) instead of starting another.
    let response = with_care(options, &mut report, Repeat::AlsoWhenUnanswered, || {
        client
            .portability_archive()
            .initiate(request.clone())
            .send()
    })?;
    let job = response
        .archive_job_id
        .ok_or_else(|| ExportError::Job("initiate answered without a job id".to_owned()))?;
    export_job(client, &job, options, report)
}

/// Finishes the export of an existing job: waits for it, retries it if it fails, downloads its
/// archives. Running it again after an interruption resumes where it stopped.
pub fn export_job(
    client: &Client,
    job: &str,
    options: &ExportOptions,
    mut report: ExportReport,
) -> Result<ExportReport, ExportError> {
    fs::create_dir_all(&options.out_dir)?;
    let mut job = job.to_owned();
    loop {
        let state = wait_for_job(client, &job, options, &mut report)?;
        match state.state {
            Some(JobState::Complete) => {
                let urls = state.urls.unwrap_or_default();
                match download_all(client, &urls, options, &mut report)? {
                    Some(files) => {
                        report.job = job;
                        report.files = files;
                        return Ok(report);
                    }
                    // Some URL expired: the next poll of a complete job gives fresh ones.
                    None => report.url_renewals += 1,
                }
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
                job = retried.archive_job_id.ok_or_else(|| {
                    ExportError::Job("retry answered without a job id".to_owned())
                })?;
                report.job_retries += 1;
            }
            other => {
                return Err(ExportError::Job(format!("job {job} ended as {other:?}")));
            }
        }
    }
}

/// When a call may be repeated.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Repeat {
    /// Only when the server said it did not process the request.
    OnlyWhenRefused,
    /// Also when no answer came at all (the call is safe to repeat whatever happened).
    AlsoWhenUnanswered,
}

/// Calls `call`, repeating it when the server says it did not process the request (503, or a
/// 429 without a reason such as an exhausted grant), and, where `repeat` allows, when no answer
/// came. This is the workflow's decision, not the client's, which never repeats a POST.
fn with_care<T>(
    options: &ExportOptions,
    report: &mut ExportReport,
    repeat: Repeat,
    mut call: impl FnMut() -> Result<T, google_dataportability_v1::Error>,
) -> Result<T, ExportError> {
    let mut wait = Duration::from_millis(200);
    for attempt in 1.. {
        match call() {
            Ok(value) => return Ok(value),
            Err(error) => {
                let refused = error.api().is_some_and(|api| {
                    api.status == 503 || (api.status == 429 && api.reason().is_none())
                });
                let unanswered =
                    matches!(error, google_dataportability_v1::Error::Transport { .. });
                let again = refused || (unanswered && repeat == Repeat::AlsoWhenUnanswered);
                if !again || attempt >= options.max_call_attempts {
                    return Err(error.into());
                }
                let asked = error
                    .api()
                    .and_then(|api| api.header("retry-after"))
                    .and_then(|value| value.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                report.call_retries += 1;
                std::thread::sleep(asked.unwrap_or(wait));
                wait = (wait * 2).min(Duration::from_secs(10));
            }
        }
        if options.interrupt.load(Ordering::Relaxed) {
            return Err(ExportError::Interrupted);
        }
    }
    unreachable!("the loop returns")
}

/// Polls until the job is no longer in progress, waiting longer each time.
fn wait_for_job(
    client: &Client,
    job: &str,
    options: &ExportOptions,
    report: &mut ExportReport,
) -> Result<PortabilityArchiveState, ExportError> {
    let name = format!("archiveJobs/{job}/portabilityArchiveState");
    let mut wait = options.poll_initial;
    loop {
        let state = with_care(options, report, Repeat::AlsoWhenUnanswered, || {
            client
                .archive_jobs()
                .get_portability_archive_state(name.clone())
                .send()
        })?;
        if state.state != Some(JobState::InProgress) {
            return Ok(state);
        }
        if options.interrupt.load(Ordering::Relaxed) {
            return Err(ExportError::Interrupted);
        }
        std::thread::sleep(wait);
        wait = (wait * 2).min(options.poll_max);
    }
}

/// Downloads every URL; `None` when a URL had expired and the job must be polled again.
fn download_all(
    client: &Client,
    urls: &[String],
    options: &ExportOptions,
    report: &mut ExportReport,
) -> Result<Option<Vec<PathBuf>>, ExportError> {
    let mut files = Vec::with_capacity(urls.len());
    for (index, url) in urls.iter().enumerate() {
        let name = file_name(url, index);
        match download_one(client, url, &options.out_dir.join(&name), options, report)? {
            Some(path) => files.push(path),
            None => return Ok(None),
        }
    }
    Ok(Some(files))
}

/// The archive's file name from its URL: the last path segment, with anything unsafe replaced.
pub fn file_name(url: &str, index: usize) -> String {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let last = path.rsplit('/').next().unwrap_or_default();
    let safe: String = last
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let safe = safe.trim_start_matches('.');
    if safe.is_empty() {
        format!("archive-{index}.zip")
    } else if safe.ends_with(".zip") {
        safe.to_owned()
    } else {
        format!("{safe}.zip")
    }
}

/// Downloads one archive into `target` through `target.part`, resuming what is there; `None`
/// when the URL has expired.
fn download_one(
    client: &Client,
    url: &str,
    target: &Path,
    options: &ExportOptions,
    report: &mut ExportReport,
) -> Result<Option<PathBuf>, ExportError> {
    if target.exists() && is_complete_zip(target) {
        return Ok(Some(target.to_path_buf()));
    }
    let part = target.with_extension("zip.part");
    let name = target
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    for attempt in 1..=options.max_download_attempts {
        if attempt > 1 {
            report.download_retries += 1;
            std::thread::sleep(Duration::from_millis(50 * u64::from(attempt)));
        }
        let offset = fs::metadata(&part).map_or(0, |metadata| metadata.len());
        let mut download = match client.download(url, offset) {
            Ok(download) => download,
            Err(error) => match error.http_status() {
                Some(403) => return Ok(None),
                Some(416) => {
                    // What we have is longer than the file: start over.
                    fs::remove_file(&part)?;
                    continue;
                }
                _ => continue,
            },
        };
        let mut file = if offset > 0 && download.resumed() {
            OpenOptions::new().append(true).open(&part)?
        } else {
            File::create(&part)?
        };
        let total = download.total_len();
        let mut written = download.offset();
        let mut buffer = vec![0; 64 * 1024];
        let finished = loop {
            if options.interrupt.load(Ordering::Relaxed) {
                file.sync_all()?;
                if options.progress {
                    eprintln!();
                }
                return Err(ExportError::Interrupted);
            }
            match download.read(&mut buffer) {
                Ok(0) => break true,
                Ok(count) => {
                    file.write_all(&buffer[..count])?;
                    written += count as u64;
                    if options.progress {
                        show_progress(&name, written, total);
                    }
                }
                // A broken connection: keep what arrived and resume on the next attempt.
                Err(_) => break false,
            }
        };
        file.sync_all()?;
        drop(file);
        if options.progress {
            eprintln!();
        }
        if !finished || total.is_some_and(|total| written < total) {
            continue;
        }
        if !is_complete_zip(&part) {
            // Complete by length but not a valid archive: fetch it whole again.
            fs::remove_file(&part)?;
            continue;
        }
        fs::rename(&part, target)?;
        return Ok(Some(target.to_path_buf()));
    }
    Err(ExportError::Download(format!(
        "{name}: still incomplete after {} attempts",
        options.max_download_attempts
    )))
}

fn show_progress(name: &str, written: u64, total: Option<u64>) {
    match total {
        Some(total) if total > 0 => {
            let percent = written * 100 / total;
            eprint!("\r{name}: {written}/{total} bytes ({percent}%)");
        }
        _ => eprint!("\r{name}: {written} bytes"),
    }
}

/// Whether `path` is a ZIP whose central directory reads and whose every entry's contents match
/// their checksums.
pub fn is_complete_zip(path: &Path) -> bool {
    let Ok(file) = File::open(path) else {
        return false;
    };
    let Ok(mut archive) = zip::ZipArchive::new(file) else {
        return false;
    };
    (0..archive.len()).all(|index| {
        archive
            .by_index(index)
            .is_ok_and(|mut entry| std::io::copy(&mut entry, &mut std::io::sink()).is_ok())
    })
}

#[cfg(test)]
mod tests {
    use super::file_name;

    #[test]
    fn file_names_come_from_urls_and_are_safe() {
        assert_eq!(
            file_name(
                "http://h/download/j/myactivity.search.zip?expires=1&signature=a",
                0
            ),
            "myactivity.search.zip"
        );
        assert_eq!(
            file_name("https://storage.example.com/b/../..", 3),
            "archive-3.zip"
        );
        assert_eq!(file_name("https://s.example.com/a%2Fb c", 0), "a_2Fb_c.zip");
        assert_eq!(file_name("https://s.example.com/.hidden", 0), "hidden.zip");
    }
}
