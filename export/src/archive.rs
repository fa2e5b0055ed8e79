//! Downloading one archive: resumable through a `.part` file (created only when bytes arrive),
//! checked as a complete ZIP, and only then renamed to its final name; with a progress bar on a
//! terminal and one plain line per archive otherwise.

use std::fs::{self, File, OpenOptions};
use std::io::{IsTerminal as _, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use google_dataportability_v1::DataPortability;
use google_dataportability_v1::runtime::RetryPolicy;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::care::{MAX_WAIT, check_interrupt, pause};
use crate::status::note;
use crate::{ExportError, ExportOptions, ExportReport, io_error};

/// What became of one archive's download.
pub(crate) enum Fetched {
    /// Downloaded, checked and in place.
    Done(PathBuf),
    /// The signed URL has expired: poll the job again for fresh ones.
    Expired,
}

/// Downloads `url` into `target` through `target.part`, resuming what an earlier attempt (of the
/// same job) left there.
pub(crate) fn download(
    client: &DataPortability,
    url: &str,
    target: &Path,
    options: &ExportOptions,
    report: &mut ExportReport,
) -> Result<Fetched, ExportError> {
    let part = part_path(target);
    let name = target
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let mut last_error = String::from("none");
    let policy = RetryPolicy::default();
    let mut asked: Option<Duration> = None;
    for attempt in 1..=options.max_download_attempts {
        if attempt > 1 {
            report.download_retries += 1;
            // The server's `Retry-After` when it gave one (at most five minutes, then the
            // download is tried again), else the runtime's backoff.
            let wait = asked
                .take()
                .unwrap_or_else(|| policy.backoff(attempt - 1))
                .min(MAX_WAIT);
            pause(options, wait)?;
        }
        check_interrupt(options)?;
        let offset = regular_file_len(&part)?;
        let mut download = match client.service().client().download(url, offset) {
            Ok(download) => download,
            Err(error) => {
                match error.http_status() {
                    Some(403) => return Ok(Fetched::Expired),
                    // What we have is longer than the file: start over.
                    Some(416) => fs::remove_file(&part)
                        .map_err(io_error("could not remove the partial download", &part))?,
                    _ => {}
                }
                asked = error.retry_after();
                last_error = error.to_string();
                continue;
            }
        };
        let appending = offset > 0 && download.resumed();
        let total = download.total_len();
        let progress = Progress::start(options.progress, &name, total, download.offset());
        let mut file: Option<File> = None;
        let mut written = download.offset();
        let mut buffer = vec![0; 64 * 1024];
        let finished = loop {
            if let Err(interrupted) = check_interrupt(options) {
                if let Some(file) = &file {
                    file.sync_all()
                        .map_err(io_error("could not write", &part))?;
                }
                progress.abandon();
                return Err(interrupted);
            }
            match download.read(&mut buffer) {
                Ok(0) => break true,
                Ok(count) => {
                    let file = match &mut file {
                        Some(file) => file,
                        // Opened only now, so an attempt that gets nothing leaves nothing.
                        None => file.insert(open_part(&part, appending)?),
                    };
                    file.write_all(&buffer[..count])
                        .map_err(io_error("could not write", &part))?;
                    written += count as u64;
                    progress.set(written);
                }
                // A broken or stalled connection: keep what arrived and resume next attempt.
                Err(error) => {
                    last_error = format!("the connection broke after {written} bytes: {error}");
                    break false;
                }
            }
        };
        if let Some(file) = file.take() {
            file.sync_all()
                .map_err(io_error("could not write", &part))?;
        }
        progress.abandon();
        if !finished {
            continue;
        }
        if let Some(total) = total.filter(|total| written < *total) {
            last_error = format!("the server sent {written} of {total} bytes");
            continue;
        }
        if !is_complete_zip(&part) {
            // Complete by length but not a valid archive: fetch it whole again.
            if regular_file_len(&part)? > 0 {
                fs::remove_file(&part)
                    .map_err(io_error("could not remove the broken download", &part))?;
            }
            last_error = "what arrived is not a complete ZIP archive".to_owned();
            continue;
        }
        fs::rename(&part, target).map_err(io_error(
            "could not rename the finished download to",
            target,
        ))?;
        let size = fs::metadata(target)
            .map_err(io_error("could not read", target))?
            .len();
        note(options, &format!("{name}: {size} bytes, checked"));
        return Ok(Fetched::Done(target.to_path_buf()));
    }
    Err(ExportError::Download(format!(
        "{name}: still incomplete after {} attempts; the last one failed because {last_error}",
        options.max_download_attempts
    )))
}

/// `target` with `.part` added: where its bytes gather until it is complete.
fn part_path(target: &Path) -> PathBuf {
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    target.with_file_name(name)
}

/// The length of the regular file at `path`; 0 when there is none. Anything else there (a
/// symbolic link planted in the folder, say) is removed, not followed.
fn regular_file_len(path: &Path) -> Result<u64, ExportError> {
    match fs::symlink_metadata(path) {
        Ok(metadata) if metadata.file_type().is_file() => Ok(metadata.len()),
        Ok(metadata) if metadata.file_type().is_dir() => Err(ExportError::Download(format!(
            "{} is a folder, where a partial download belongs",
            path.display()
        ))),
        Ok(_) => {
            fs::remove_file(path).map_err(io_error("could not remove", path))?;
            Ok(0)
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(0),
        Err(error) => Err(io_error("could not read", path)(error)),
    }
}

/// Opens the partial file: to append to it when the server resumed, else as a new file (any old
/// one removed first; never through a link).
fn open_part(part: &Path, appending: bool) -> Result<File, ExportError> {
    if appending && regular_file_len(part)? > 0 {
        return OpenOptions::new()
            .append(true)
            .open(part)
            .map_err(io_error("could not open the partial download", part));
    }
    regular_file_len(part)?;
    match fs::remove_file(part) {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => return Err(io_error("could not remove", part)(error)),
    }
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(part)
        .map_err(io_error("could not create the download file", part))
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

/// A progress bar on standard error when it is a terminal; nothing otherwise (a log gets one
/// line per finished archive instead of carriage returns).
struct Progress(Option<ProgressBar>);

impl Progress {
    fn start(wanted: bool, name: &str, total: Option<u64>, position: u64) -> Progress {
        if !wanted || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr());
        let template = if total.is_some() {
            "{msg} {bytes}/{total_bytes} [{bar:30}] {binary_bytes_per_sec}, {eta} left"
        } else {
            "{msg} {bytes} {binary_bytes_per_sec}"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(name.to_owned());
        bar.set_position(position);
        Progress(Some(bar))
    }

    fn set(&self, position: u64) {
        if let Some(bar) = &self.0 {
            bar.set_position(position);
        }
    }

    /// Takes the bar off the screen.
    fn abandon(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
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
