//! The rules of STYLE.md that a program can check, over every hand-written Rust file of the
//! repository: each opens with a `//!` line saying what lives there, and none grows past the
//! size a reader takes in; and the generator's `emit` takes its decisions from the IR only.

use std::path::{Path, PathBuf};

/// The longest a hand-written file may be, in lines.
const MAX_LINES: usize = 1_000;

/// Folders of hand-written code, from the repository's root.
const CODE: [&str; 6] = [
    "discovery",
    "codegen",
    "runtime",
    "xtask",
    "emulator",
    "export",
];

/// Folders below those that hold generated or copied code, or inputs.
const NOT_HAND_WRITTEN: [&str; 4] = ["target", "generations", "fixtures", "snapshots"];

fn hand_written_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    let mut pending: Vec<PathBuf> = CODE.iter().map(|dir| root.join(dir)).collect();
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            let name = entry.file_name();
            if path.is_dir() {
                if !NOT_HAND_WRITTEN.iter().any(|skip| name == *skip) {
                    pending.push(path);
                }
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn every_file_opens_by_saying_what_lives_there() {
    let files = hand_written_files();
    assert!(files.len() > 100, "found only {} files", files.len());
    let missing: Vec<String> = files
        .iter()
        .filter(|path| {
            let text = std::fs::read_to_string(path).unwrap();
            // Inner attributes (`#![cfg(..)]`) may come first.
            let first = text
                .lines()
                .find(|line| !line.starts_with("#![") && !line.trim().is_empty());
            !first.is_some_and(|line| line.starts_with("//! "))
        })
        .map(|path| path.display().to_string())
        .collect();
    assert!(missing.is_empty(), "no `//!` line at the top: {missing:#?}");
}

#[test]
fn no_file_grows_past_a_thousand_lines() {
    let long: Vec<String> = hand_written_files()
        .iter()
        .filter_map(|path| {
            let lines = std::fs::read_to_string(path).unwrap().lines().count();
            (lines > MAX_LINES).then(|| format!("{} ({lines} lines)", path.display()))
        })
        .collect();
    assert!(
        long.is_empty(),
        "split these by what they hold (STYLE.md): {long:#?}"
    );
}

/// `emit` writes what the IR says and decides nothing, so it reaches into no lowering pass
/// (ARCHITECTURE.md): whatever it needs to know is a field or a query of the IR.
#[test]
fn emit_asks_the_ir_not_the_lowering() {
    let emit = Path::new(env!("CARGO_MANIFEST_DIR")).join("../codegen/src/emit");
    let mut offenders = Vec::new();
    for entry in std::fs::read_dir(&emit).unwrap().flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap();
        if text.contains("crate::lower") || text.contains("super::super::lower") {
            offenders.push(entry.path().display().to_string());
        }
    }
    assert!(
        offenders.is_empty(),
        "emit uses the lowering: {offenders:#?}"
    );
}
