//! `cargo xtask fuzz`, run as a process: every saved fixture of both targets replays without a
//! finding, and a short search from fixed seeds finds nothing (the long searches are run by
//! hand; their figures are in the README).

use std::process::Command;

fn fuzz(args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("fuzz")
        .args(args)
        .output()
        .expect("xtask runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn saved_findings_replay_clean() {
    for target in ["generate", "decode"] {
        let (ok, stderr) = fuzz(&["--replay", "--target", target]);
        assert!(ok, "{target}: {stderr}");
        assert!(stderr.contains("replayed"), "{stderr}");
        assert!(!stderr.contains("replayed 0 fixtures"), "{stderr}");
    }
}

#[test]
fn a_short_search_finds_nothing() {
    for (target, runs) in [("generate", "150"), ("decode", "1500")] {
        let (ok, stderr) = fuzz(&["--target", target, "--runs", runs, "--seed", "7"]);
        assert!(ok, "{target}: {stderr}");
        assert!(stderr.contains(&format!("{runs} inputs")), "{stderr}");
    }
}
