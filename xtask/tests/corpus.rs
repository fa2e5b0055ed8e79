//! The corpus: every vendored Discovery document and every generator fixture generates, and every
//! crate but compute.v1 passes `cargo check` and `cargo doc` without a warning.

use std::process::Command;

#[test]
fn every_corpus_crate_checks_without_warnings() {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("corpus")
        .output()
        .expect("xtask runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("generated compute-v1"), "{stdout}");
    assert!(stdout.contains("crates check without warnings"), "{stdout}");
    assert!(
        stdout.contains("crates document without warnings"),
        "{stdout}"
    );
}
