//! The client's tracing events, in a test binary of its own: tracing caches per event site
//! whether anyone listens, and other tests sending requests on other threads while this one
//! installs its subscriber could leave that cache saying no one does.

mod common;
#[path = "support/modes.rs"]
mod modes;

use std::sync::{Arc, Mutex};

use common::{Reply, TestServer, builder};
use serde_json::json;

/// Records every event's fields as text.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<String>>>);

struct FieldText<'a>(&'a mut String);

impl tracing::field::Visit for FieldText<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!("{}={:?} ", field.name(), value));
    }
}

impl tracing::Subscriber for Recorder {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut text = String::new();
        event.record(&mut FieldText(&mut text));
        self.0.lock().unwrap().push(text);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[test]
fn every_attempt_is_a_tracing_event_without_secrets() {
    let server = TestServer::start(vec![unavailable(), Reply::json(200, json!({}))]);
    let client = builder(&server).api_key("AIza-secret-key").build().unwrap();
    let recorder = Recorder::default();
    tracing::subscriber::with_default(recorder.clone(), || get_state(&client).unwrap());
    let events = recorder.0.lock().unwrap().clone();
    let attempts: Vec<&String> = events
        .iter()
        .filter(|e| e.contains("attempt finished"))
        .collect();
    assert_eq!(attempts.len(), 2, "{events:?}");
    assert!(
        attempts[0].contains("method=\"dataportability.archiveJobs.getPortabilityArchiveState\"")
    );
    assert!(attempts[0].contains("attempt=1 status=503"), "{attempts:?}");
    assert!(attempts[1].contains("attempt=2 status=200"), "{attempts:?}");
    assert!(attempts[1].contains("elapsed_ms="));
    for event in &events {
        assert!(!event.contains("secret"), "{event}");
    }
}

fn unavailable() -> Reply {
    Reply::json(
        503,
        json!({"error": {"code": 503, "status": "UNAVAILABLE"}}),
    )
}

fn get_state(
    client: &google_dataportability_v1::Client,
) -> Result<(), google_dataportability_v1::Error> {
    google_dataportability_v1::DataPortability::new(client)
        .archive_jobs()
        .get_portability_archive_state("archiveJobs/j/portabilityArchiveState")
        .send()
        .map(drop)
}

#[cfg(unix)]
#[test]
fn a_credentials_file_others_can_read_is_a_warning() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("user.json");
    let file = json!({
        "type": "authorized_user",
        "client_id": "client",
        "client_secret": "secret-of-client",
        "refresh_token": "secret-refresh",
    });
    std::fs::write(&path, file.to_string()).unwrap();
    let warnings = |mode: u32| {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        let recorder = Recorder::default();
        tracing::subscriber::with_default(recorder.clone(), || {
            google_api_runtime::auth::Credentials::from_file(&path).unwrap()
        });
        recorder.0.lock().unwrap().clone()
    };
    let events = warnings(0o644);
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(events[0].contains("mode=\"644\""), "{events:?}");
    assert!(events[0].contains("chmod 600"), "{events:?}");
    assert!(!events[0].contains("secret-"), "{events:?}");
    assert!(warnings(0o600).is_empty());
}
