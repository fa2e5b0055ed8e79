//! The two build helpers the benchmarks share (`bench`, `anchors`, `overhead`): running cargo in
//! the repository, and marking a file changed so cargo rebuilds what depends on it.

use std::path::Path;
use std::process::Command;

use crate::{Failure, paths};

/// Runs cargo in the repository root; its output is shown only when it fails.
pub(crate) fn cargo(args: &[&str]) -> Result<(), Failure> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args(args)
        .current_dir(paths::root())
        .output()
        .map_err(|error| Failure::error(format!("could not run cargo: {error}")))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(Failure::error(format!(
            "cargo {} failed:\n{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        )))
    }
}

/// Marks a file changed, so cargo rebuilds what depends on it.
pub(crate) fn touch(path: &Path) -> Result<(), Failure> {
    let file = std::fs::File::options()
        .append(true)
        .open(path)
        .map_err(|error| Failure::error(format!("{}: {error}", path.display())))?;
    file.set_modified(std::time::SystemTime::now())
        .map_err(|error| Failure::error(format!("{}: {error}", path.display())))
}
