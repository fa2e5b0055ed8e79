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

/// The runtime crate every generated crate depends on.
pub fn runtime_crate() -> PathBuf {
    root().join("runtime")
}

/// The manifest keys that make a crate in `crate_dir` depend on the runtime crate by path:
/// `path = "<relative path>"`, so the pair can move together and the same command line always
/// writes the same bytes.
pub fn runtime_source(crate_dir: &Path) -> String {
    let path = relative(&normalize(crate_dir), &normalize(&runtime_crate()));
    format!("path = {:?}", path)
}

/// `path` with `.` and `..` components resolved lexically (it is absolute).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The path from the folder `from` to `to`, both absolute and normalized, `/`-separated.
fn relative(from: &Path, to: &Path) -> String {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_owned(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|component| component.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
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
