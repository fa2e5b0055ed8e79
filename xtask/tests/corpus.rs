//! The corpus: every vendored Discovery document and every generator fixture generates, into
//! cargo's target directory as `CARGO_TARGET_DIR` sets it. Compiling and documenting them all
//! takes minutes, so that part is `cargo xtask corpus`, which CI runs after the tests.

use std::process::Command;

#[test]
fn every_corpus_document_generates_into_the_target_directory() {
    let target = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["corpus", "--no-build"])
        .env("CARGO_TARGET_DIR", target.path())
        .output()
        .expect("xtask runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    let documents = std::fs::read_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../discovery/documents/corpus"
    ))
    .unwrap()
    .count();
    let fixtures = std::fs::read_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../codegen/tests/fixtures"
    ))
    .unwrap()
    .count();
    assert_eq!(
        stdout.matches("corpus: generated ").count(),
        documents + fixtures,
        "{stdout}"
    );
    let corpus = target.path().join("corpus");
    for crate_dir in ["compute-v1", "drive-v3", "fixture-keywords"] {
        assert!(
            corpus.join(crate_dir).join("src/lib.rs").is_file(),
            "{crate_dir} is not in {}",
            corpus.display()
        );
    }
    assert!(corpus.join("Cargo.toml").is_file());
    assert!(corpus.join("round-trips/src/main.rs").is_file());
    // No generated file over the size an editor and a diff handle well (STYLE.md), compute.v1's
    // included: large APIs are split by resource and by module. (The round-trip program is a
    // check, with a sample of every type, not a crate anyone reads.)
    let mut largest = (0, std::path::PathBuf::new());
    let mut pending = vec![corpus.clone()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                if entry.file_name() != "target" && entry.file_name() != "round-trips" {
                    pending.push(path);
                }
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                let size = entry.metadata().unwrap().len();
                if size > largest.0 {
                    largest = (size, path);
                }
            }
        }
    }
    assert!(
        largest.0 <= 1 << 20,
        "{} is {} bytes",
        largest.1.display(),
        largest.0
    );
    // The two-API program, its two crates written by `regen --out` beside it.
    for file in [
        "two-apis/program/src/main.rs",
        "two-apis/tasks-v1/src/lib.rs",
        "two-apis/dataportability-v1beta/src/lib.rs",
    ] {
        assert!(corpus.join(file).is_file(), "{file}");
    }
}
