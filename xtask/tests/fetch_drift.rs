//! `cargo xtask fetch` and `cargo xtask drift` against a server on 127.0.0.1 that serves
//! documents: a good one, a 404, an HTML page, another API, a slow one.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .expect("xtask runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn document(relative: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../discovery/documents")
            .join(relative),
    )
    .unwrap()
}

/// Serves `routes` (path, status, content type, body, delay) until the test ends.
fn serve(routes: Vec<(&'static str, u16, &'static str, String, Duration)>) -> String {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let base = format!(
        "http://127.0.0.1:{}",
        server.server_addr().to_ip().unwrap().port()
    );
    std::thread::spawn(move || {
        for request in server.incoming_requests() {
            let route = routes.iter().find(|(path, ..)| *path == request.url());
            let response = match route {
                Some((_, status, content_type, body, delay)) => {
                    std::thread::sleep(*delay);
                    tiny_http::Response::from_string(body.clone())
                        .with_status_code(*status)
                        .with_header(
                            tiny_http::Header::from_bytes("Content-Type", *content_type).unwrap(),
                        )
                }
                None => tiny_http::Response::from_string("no such page").with_status_code(404),
            };
            let _ = request.respond(response);
        }
    });
    base
}

fn routes() -> Vec<(&'static str, u16, &'static str, String, Duration)> {
    let json = "application/json";
    vec![
        (
            "/good",
            200,
            json,
            document("dataportability.v1.json"),
            Duration::ZERO,
        ),
        (
            "/old",
            200,
            json,
            document("history/dataportability.v1.20250120.json"),
            Duration::ZERO,
        ),
        (
            "/html",
            200,
            "text/html",
            "<html><body>Sign in</body></html>".to_owned(),
            Duration::ZERO,
        ),
        (
            "/other",
            200,
            json,
            document("corpus/tasks.v1.json"),
            Duration::ZERO,
        ),
        (
            "/slow",
            200,
            json,
            document("dataportability.v1.json"),
            Duration::from_secs(5),
        ),
    ]
}

/// A documents folder with a SOURCES.md that has a row for the document and one for another.
fn documents_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("SOURCES.md"),
        "# Sources\n\n| file | API | revision | sha256 |\n|---|---|---|---|\n\
         | `dataportability.v1.json` | `dataportability:v1` | 1 | `old` |\n\
         | `tasks.v1.json` | `tasks:v1` | 2 | `keep` |\n",
    )
    .unwrap();
    dir
}

#[test]
fn fetch_writes_a_checked_document_and_updates_its_source_row() {
    let base = serve(routes());
    let dir = documents_dir();
    let docs = dir.path().to_string_lossy().into_owned();
    let output = xtask(&[
        "fetch",
        "--url",
        &format!("{base}/good"),
        "--documents",
        &docs,
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let written = std::fs::read_to_string(dir.path().join("dataportability.v1.json")).unwrap();
    assert_eq!(written, document("dataportability.v1.json"));
    let sources = std::fs::read_to_string(dir.path().join("SOURCES.md")).unwrap();
    assert!(
        sources.contains(
            "| `dataportability.v1.json` | `dataportability:v1` | 20260719 | \
             `2ebf64bc56449940d648a09ed326a658aa59dc6602325ff95659c0e877d665ae` |"
        ),
        "{sources}"
    );
    assert!(
        sources.contains("| `tasks.v1.json` | `tasks:v1` | 2 | `keep` |"),
        "{sources}"
    );
    assert!(!sources.contains("`old`"), "{sources}");
}

#[test]
fn fetch_refuses_bad_answers_and_writes_nothing() {
    let base = serve(routes());
    for (path, expected) in [
        ("/missing", "HTTP 404"),
        ("/html", "not a Discovery document"),
        (
            "/other",
            "the document is tasks:v1, not the dataportability:v1 asked for",
        ),
        ("/slow", "no answer within 1 s"),
    ] {
        let dir = documents_dir();
        let before = std::fs::read_to_string(dir.path().join("SOURCES.md")).unwrap();
        let docs = dir.path().to_string_lossy().into_owned();
        let output = xtask(&[
            "fetch",
            "--url",
            &format!("{base}{path}"),
            "--documents",
            &docs,
            "--timeout",
            "1",
        ]);
        assert_eq!(output.status.code(), Some(2), "{path}");
        let message = text(&output.stderr);
        assert!(message.contains(expected), "{path}: {message}");
        assert!(
            !dir.path().join("dataportability.v1.json").exists(),
            "{path} wrote a document"
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("SOURCES.md")).unwrap(),
            before
        );
    }
    // Nothing listening at all.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = documents_dir();
    let docs = dir.path().to_string_lossy().into_owned();
    let output = xtask(&[
        "fetch",
        "--url",
        &format!("http://127.0.0.1:{port}/x"),
        "--documents",
        &docs,
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("could not connect"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn drift_compares_files_and_urls_with_exit_codes() {
    let base = serve(routes());
    let old = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../discovery/documents/history/dataportability.v1.20250120.json");
    let old = old.to_string_lossy().into_owned();

    // Same document on both sides: exit 0, no wire changes.
    let output = xtask(&["drift", &old, &format!("{base}/old")]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("no wire changes"));

    // Newer live document: scopes were both added and removed since, so exit 2.
    let output = xtask(&["drift", &old, &format!("{base}/good"), "--json"]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["old"]["revision"], "20250120");
    assert_eq!(report["new"]["revision"], "20260719");
    let changes = report["changes"].as_array().unwrap();
    assert!(
        changes
            .iter()
            .all(|c| c["kind"].is_string() && c["path"].is_string() && c["detail"].is_string())
    );
    assert!(changes.iter().any(|c| c["kind"] == "method_added"
        && c["path"] == "methods.dataportability.accessType.check"
        && c["class"] == "additive"));
    assert!(
        changes
            .iter()
            .any(|c| c["kind"] == "scope_removed" && c["class"] == "breaking")
    );
    assert!(report["summary"]["breaking"].as_u64().unwrap() > 0);

    // Only additive changes: exit 1.
    let additive_old = old.replace("20250120", "20250114");
    let output = xtask(&["drift", &additive_old, &old]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stdout));

    // A side that cannot be loaded: exit 3, never mistaken for a result.
    let output = xtask(&["drift", &old, &format!("{base}/html")]);
    assert_eq!(output.status.code(), Some(3));
    assert!(text(&output.stderr).contains("not a Discovery document"));
}
