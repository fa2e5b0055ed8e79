//! What an export remembers in its folder, so that a later run resumes the same job instead of
//! starting another (which a one-time grant refuses): the job, what it exports, and which
//! archives are done. Written atomically, through a temporary file and a rename.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::ExportError;

/// The file, in the output folder, that holds the saved state.
pub const STATE_FILE: &str = ".dataportability-export.json";

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
            Err(error) => return Err(ExportError::Io(error)),
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
        let mut temporary = tempfile::Builder::new()
            .prefix(".dataportability-export-")
            .suffix(".tmp")
            .tempfile_in(folder)?;
        temporary.write_all(&json)?;
        temporary.as_file().sync_all()?;
        temporary
            .persist(Self::path(folder))
            .map_err(|error| ExportError::Io(error.error))?;
        Ok(())
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
    let entries = match fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(ExportError::Io(error)),
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        // A symbolic link is removed itself, never followed.
        if name.to_string_lossy().ends_with(".zip.part") && !entry.file_type()?.is_dir() {
            fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}
