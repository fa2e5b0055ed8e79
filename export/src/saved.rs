//! What an export remembers in its folder, so that a later run resumes the same job instead of
//! starting another (which a one-time grant refuses): the job, what it exports, and which
//! archives are done. Written atomically, through a temporary file and a rename.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::{ExportError, io_error};

/// The file, in the output folder, that holds the saved state.
pub const STATE_FILE: &str = ".dataportability-export.json";
/// The file, in the output folder, that a running export holds locked.
pub const LOCK_FILE: &str = ".dataportability-export.lock";
/// How the temporary files of a state being saved start and end.
const TEMPORARY_PREFIX: &str = ".dataportability-export-";
const TEMPORARY_SUFFIX: &str = ".tmp";

/// The state of an export, as saved in its folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedExport {
    /// Where the export comes from: the API's root URL, or a description of a local server.
    pub source: String,
    /// The resources exported.
    pub resources: Vec<String>,
    /// The start of the time range, RFC 3339, if any.
    pub start_time: Option<String>,
    /// The end of the time range, RFC 3339, if any.
    pub end_time: Option<String>,
    /// The job, once `initiate` (or `--job`) gave one; a retried job's replacement after a retry.
    pub job: Option<String>,
    /// The archives of `job` that are downloaded and checked, by file name.
    pub archives: Vec<String>,
    /// Whether every archive of `job` is done.
    pub finished: bool,
    /// How many runs have worked in this folder, this one included.
    pub runs: u32,
    /// `initiate` is under way: a run that stopped with this set may have started a job whose
    /// id it never learnt.
    #[serde(default)]
    pub starting: bool,
    /// When `job` started, in seconds since the Unix epoch, when this workflow started it.
    #[serde(default)]
    pub started_at: Option<u64>,
}

impl SavedExport {
    /// The path of the state file in `folder`.
    pub fn path(folder: &Path) -> PathBuf {
        folder.join(STATE_FILE)
    }

    /// The state saved in `folder`, if there is one.
    pub fn load(folder: &Path) -> Result<Option<SavedExport>, ExportError> {
        let path = Self::path(folder);
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(io_error("could not read the saved state", &path)(error)),
        };
        let mut saved: SavedExport = serde_json::from_slice(&bytes).map_err(|error| {
            ExportError::State(format!(
                "{} is not an export state file ({error}); remove it to start a new export there",
                path.display()
            ))
        })?;
        // The file may not be ours: only names this workflow writes (a plain `*.zip` in the
        // folder) count as done, so a planted `../..` path is never read or reported.
        let listed = saved.archives.len();
        saved.archives.retain(|name| is_archive_name(name));
        if saved.archives.len() != listed {
            saved.finished = false;
        }
        Ok(Some(saved))
    }

    /// Writes the state into `folder` atomically: a reader (or a crash) sees the old state or
    /// the new one, never half of one.
    pub fn save(&self, folder: &Path) -> Result<(), ExportError> {
        let json = serde_json::to_vec_pretty(self).expect("the state serializes");
        let path = Self::path(folder);
        let failed = || io_error("could not save the export's state in", &path);
        let mut temporary = tempfile::Builder::new()
            .prefix(TEMPORARY_PREFIX)
            .suffix(TEMPORARY_SUFFIX)
            .tempfile_in(folder)
            .map_err(failed())?;
        temporary.write_all(&json).map_err(failed())?;
        temporary.as_file().sync_all().map_err(failed())?;
        temporary
            .persist(&path)
            .map_err(|error| failed()(error.error))?;
        Ok(())
    }

    /// Removes the state saved in `folder`, if any: the folder is as if no run had been there.
    pub fn remove(folder: &Path) -> Result<(), ExportError> {
        let path = Self::path(folder);
        match fs::remove_file(&path) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                Err(io_error("could not remove", &path)(error))
            }
            _ => Ok(()),
        }
    }

    /// Whether this state describes the same export: source, resources and time range.
    pub fn is_same_export(&self, other: &SavedExport) -> bool {
        self.source == other.source
            && self.resources == other.resources
            && self.start_time == other.start_time
            && self.end_time == other.end_time
    }

    /// What the export is, for messages.
    pub fn describe(&self) -> String {
        let mut text = format!("{} from {}", self.resources.join(","), self.source);
        if let Some(start) = &self.start_time {
            text.push_str(&format!(" since {start}"));
        }
        if let Some(end) = &self.end_time {
            text.push_str(&format!(" until {end}"));
        }
        text
    }
}

/// Whether `name` is one this workflow gives an archive: a plain file name ending in `.zip`,
/// not hidden, without any path separator.
fn is_archive_name(name: &str) -> bool {
    name.ends_with(".zip")
        && !name.starts_with('.')
        && !name.contains(['/', '\\'])
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// How many runs have worked in `folder` so far (0 when none has, or the state is unreadable).
pub fn runs_so_far(folder: &Path) -> u32 {
    SavedExport::load(folder)
        .ok()
        .flatten()
        .map_or(0, |saved| saved.runs)
}

/// Removes partial downloads (`*.zip.part`) from `folder`: they belong to a job that is not the
/// one being exported now, and resuming from them would mix two jobs' bytes.
pub fn remove_partials(folder: &Path) -> Result<(), ExportError> {
    remove_files_where(folder, |name| name.ends_with(".zip.part"))
}

/// Removes the temporary files of states whose save never finished (a run killed while it
/// saved). Only called with the folder's lock held, so no other run is saving one.
pub(crate) fn remove_stale_temporaries(folder: &Path) -> Result<(), ExportError> {
    remove_files_where(folder, |name| {
        name.starts_with(TEMPORARY_PREFIX) && name.ends_with(TEMPORARY_SUFFIX)
    })
}

/// Removes the files (and links, never followed) of `folder` whose name `wanted` picks.
fn remove_files_where(folder: &Path, wanted: impl Fn(&str) -> bool) -> Result<(), ExportError> {
    let listing = || io_error("could not list the output folder", folder);
    let entries = match fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(listing()(error)),
    };
    for entry in entries {
        let entry = entry.map_err(listing())?;
        let name = entry.file_name();
        let kind = entry.file_type().map_err(listing())?;
        if wanted(&name.to_string_lossy()) && !kind.is_dir() {
            let path = entry.path();
            fs::remove_file(&path).map_err(io_error("could not remove", &path))?;
        }
    }
    Ok(())
}

/// Locks `folder` for this run ([`LOCK_FILE`]), or says that another export is running there.
/// The lock goes with the returned file, and with the process if it dies.
pub(crate) fn lock(folder: &Path) -> Result<fs::File, ExportError> {
    let path = folder.join(LOCK_FILE);
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io_error("could not open the lock file", &path))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(fs::TryLockError::WouldBlock) => Err(ExportError::State(format!(
            "another export is running in {} (it holds {}); wait for it to end, or choose \
             another folder",
            folder.display(),
            path.display()
        ))),
        Err(fs::TryLockError::Error(error)) => Err(io_error("could not lock", &path)(error)),
    }
}
