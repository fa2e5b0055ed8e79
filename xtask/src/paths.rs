//! Where things are in the repository.

use std::path::{Path, PathBuf};

/// The repository root (the workspace root).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the root")
        .to_path_buf()
}

/// Cargo's target directory: `CARGO_TARGET_DIR` when set (relative to the current directory,
/// as cargo reads it), else `target/` in the repository.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => from_cli(&dir.to_string_lossy()),
        _ => root().join("target"),
    }
}

/// The vendored Data Portability document, the default input of `regen`.
pub fn default_document() -> PathBuf {
    root().join("discovery/documents/dataportability.v1.json")
}

/// The committed client crate, the default output of `regen`.
pub fn generated_crate() -> PathBuf {
    root().join("generated")
}

/// The hand-written guides (crate-page documentation and doc tests), one folder per API, named
/// like its document (`dataportability.v1`).
pub fn guides_dir() -> PathBuf {
    root().join("xtask/guides")
}

/// The hand-written runtime, copied into every standalone crate.
pub fn runtime_dir() -> PathBuf {
    generated_crate().join("src/runtime")
}

/// A path from the command line, relative to the current directory.
pub fn from_cli(arg: &str) -> PathBuf {
    let path = PathBuf::from(arg);
    if path.is_absolute() {
        path
    } else {
        std::env::current_dir()
            .map(|dir| dir.join(&path))
            .unwrap_or(path)
    }
}

/// `path` relative to the repository root when it is inside it, for messages.
pub fn display(path: &Path) -> String {
    let root = root();
    path.strip_prefix(&root)
        .unwrap_or(path)
        .display()
        .to_string()
}
