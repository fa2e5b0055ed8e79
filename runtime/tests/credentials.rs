//! `auth::Credentials` against Google's auth endpoints on 127.0.0.1 (`support/google_auth.rs`,
//! which verifies every assertion's signature and claims): each kind of credential file, the
//! metadata server, one token for many threads and tasks, retries, refusals and secrets.

#[path = "support/google_auth.rs"]
mod google_auth;
#[path = "support/modes.rs"]
mod modes;

use std::path::PathBuf;
use std::sync::Barrier;
use std::time::Duration;

use google_api_runtime::auth::Credentials;
use google_api_runtime::{Client, Error, TokenSource};
use google_auth::{
    AuthServer, CLIENT_EMAIL, CLIENT_ID, CLIENT_SECRET, CLOUD_PLATFORM, IMPERSONATED,
    REFRESH_TOKEN, SUBJECT_TOKEN,
};
use google_dataportability_v1::prelude::*;
use modes::{BuildMode as _, Wait as _, cases};
use serde_json::{Value, json};

const STATE: &str = "archiveJobs/1/portabilityArchiveState";

/// `json` in a file of its own, readable by its owner only, as a key file should be.
fn key_file(json: &Value) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credentials.json");
    std::fs::write(&path, json.to_string()).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    (dir, path)
}

/// The `Authorization` headers the API method was sent.
fn api_tokens(server: &AuthServer) -> Vec<String> {
    server
        .seen()
        .into_iter()
        .filter(|seen| seen.path.starts_with("/v1/archiveJobs/"))
        .map(|seen| {
            seen.headers
                .get("authorization")
                .cloned()
                .unwrap_or_default()
        })
        .collect()
}

fn token_of(credentials: &Credentials) -> String {
    credentials.token().unwrap().secret().to_owned()
}

cases! {
    #[test]
    fn a_service_account_signs_its_assertion_and_its_token_reaches_the_api() {
        let server = AuthServer::start();
        let (_dir, path) = key_file(&server.service_account_file());
        let credentials = Credentials::from_file(&path).unwrap();
        let client = Client::builder()
            .root_url(&server.root)
            .token_source(credentials)
            .build_mode::<M>();
        let api = DataPortability::new(&client);
        for _ in 0..3 {
            api.archive_jobs().get_portability_archive_state(STATE).send().wait().unwrap();
        }
        // One token, fetched once, sent with every call.
        assert_eq!(server.seen_at("/token").len(), 1);
        assert_eq!(api_tokens(&server), vec!["Bearer sa-token-1"; 3]);
    }

    #[test]
    fn a_files_quota_project_is_sent_unless_the_client_sets_one() {
        let server = AuthServer::start();
        let (_dir, path) = key_file(&server.authorized_user_file());
        for (project, expected) in [(None, "user-quota-project"), (Some("mine"), "mine")] {
            let mut builder = Client::builder()
                .root_url(&server.root)
                .token_source(Credentials::from_file(&path).unwrap());
            if let Some(project) = project {
                builder = builder.quota_project(project);
            }
            let client = builder.build_mode::<M>();
            DataPortability::new(&client)
                .archive_jobs()
                .get_portability_archive_state(STATE)
                .send()
                .wait()
                .unwrap();
            let last = server.seen_at(&format!("/v1/{STATE}")).pop().unwrap();
            assert_eq!(last.headers.get("x-goog-user-project").map(String::as_str), Some(expected));
        }
    }
}

#[test]
fn scopes_and_a_subject_go_into_the_claims() {
    let server = AuthServer::start();
    let (_dir, path) = key_file(&server.service_account_file());
    let scopes = [
        google_dataportability_v1::Scope::DataportabilityAlertsSubscriptions,
        google_dataportability_v1::Scope::DataportabilityChromeAutofill,
    ];
    server.rules().scope = Some(
        scopes
            .iter()
            .map(|scope| scope.as_ref().to_owned())
            .collect::<Vec<_>>()
            .join(" "),
    );
    server.rules().subject = Some("admin@example.com".to_owned());
    let credentials = Credentials::from_file(&path)
        .unwrap()
        .with_scopes(scopes)
        .with_subject("admin@example.com");
    assert_eq!(token_of(&credentials), "sa-token-1");
    // The server checks the claims: without the subject it refuses.
    server.rules().subject = None;
    let credentials = Credentials::from_file(&path)
        .unwrap()
        .with_scopes(scopes)
        .with_subject("someone-else@example.com");
    let error = credentials.token().unwrap_err().to_string();
    assert!(
        error.contains("invalid_grant: claim sub is wrong"),
        "{error}"
    );
    assert!(
        error.contains("service account credentials from file"),
        "{error}"
    );
}

#[test]
fn a_user_file_refreshes_and_a_refused_refresh_is_not_retried() {
    let server = AuthServer::start();
    let (_dir, path) = key_file(&server.authorized_user_file());
    let credentials = Credentials::from_file(&path).unwrap();
    assert_eq!(credentials.quota_project_id(), Some("user-quota-project"));
    assert_eq!(token_of(&credentials), "user-token-1");
    let form = server.seen_at("/token")[0].form();
    assert_eq!(form["grant_type"], "refresh_token");
    assert_eq!(form["client_id"], CLIENT_ID);

    let mut revoked = server.authorized_user_file();
    revoked["refresh_token"] = json!("1//revoked-SECRET");
    let (_dir, revoked_path) = key_file(&revoked);
    let before = server.seen_at("/token").len();
    let error = Credentials::from_file(&revoked_path)
        .unwrap()
        .token()
        .unwrap_err();
    assert_eq!(server.seen_at("/token").len(), before + 1, "a 400 is final");
    let message = error.to_string();
    assert!(
        message.contains("invalid_grant: Token has been expired or revoked."),
        "{message}"
    );
    assert!(
        message.contains(&revoked_path.display().to_string()),
        "{message}"
    );
    for secret in ["revoked-SECRET", CLIENT_SECRET, REFRESH_TOKEN] {
        assert!(!message.contains(secret), "{message}");
        assert!(!format!("{error:?}").contains(secret));
    }
}

#[test]
fn token_endpoint_failures_are_retried_then_reported() {
    let server = AuthServer::start();
    let (_dir, path) = key_file(&server.service_account_file());
    server.rules().token_failures = vec![503, 500];
    assert_eq!(
        token_of(&Credentials::from_file(&path).unwrap()),
        "sa-token-1"
    );
    assert_eq!(server.seen_at("/token").len(), 3);

    server.rules().token_failures = vec![503, 503, 503];
    let error = Credentials::from_file(&path).unwrap().token().unwrap_err();
    assert!(matches!(error, Error::Auth { .. }));
    assert!(error.to_string().contains("answered 503"), "{error}");
    assert!(error.to_string().contains("3 attempts"), "{error}");

    // Nothing listening: a transport failure, retried, then named.
    let mut gone = server.service_account_file();
    gone["token_uri"] = json!("http://127.0.0.1:9/token");
    let (_dir, gone_path) = key_file(&gone);
    let error = Credentials::from_file(&gone_path)
        .unwrap()
        .token()
        .unwrap_err();
    assert!(
        error.to_string().contains("could not be reached"),
        "{error}"
    );
}

#[test]
fn a_token_is_refreshed_before_it_expires() {
    let server = AuthServer::start();
    server.rules().lifetime = 1;
    let (_dir, path) = key_file(&server.service_account_file());
    let credentials = Credentials::from_file(&path).unwrap();
    assert_eq!(token_of(&credentials), "sa-token-1");
    assert!(credentials.cached_token().is_some());
    std::thread::sleep(Duration::from_millis(600));
    assert!(credentials.cached_token().is_none(), "due for a refresh");
    assert_eq!(token_of(&credentials), "sa-token-2");
}

#[test]
fn a_lifetime_past_any_clock_is_capped() {
    let server = AuthServer::start();
    server.rules().lifetime = u64::MAX;
    let (_dir, path) = key_file(&server.service_account_file());
    let credentials = Credentials::from_file(&path).unwrap();
    assert_eq!(token_of(&credentials), "sa-token-1");
    assert!(credentials.cached_token().is_some());
}

#[test]
fn thirty_two_threads_make_one_token_request() {
    let server = AuthServer::start();
    server.rules().token_delay = Duration::from_millis(300);
    let (_dir, path) = key_file(&server.service_account_file());
    let credentials = Credentials::from_file(&path).unwrap();
    let start = Barrier::new(32);
    std::thread::scope(|scope| {
        for _ in 0..32 {
            scope.spawn(|| {
                start.wait();
                assert_eq!(token_of(&credentials), "sa-token-1");
            });
        }
    });
    assert_eq!(server.seen_at("/token").len(), 1);
}

#[test]
fn thirty_two_async_calls_make_one_token_request() {
    let server = AuthServer::start();
    server.rules().token_delay = Duration::from_millis(300);
    let (_dir, path) = key_file(&server.service_account_file());
    let api = google_auth::ApiServer::start();
    let client = Client::builder()
        .root_url(&api.root)
        .token_source(Credentials::from_file(&path).unwrap())
        .build_async()
        .unwrap();
    modes::runtime().block_on(async {
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..32 {
            let client = client.clone();
            tasks.spawn(async move {
                DataPortability::new(&client)
                    .archive_jobs()
                    .get_portability_archive_state(STATE)
                    .send()
                    .await
                    .map(drop)
            });
        }
        while let Some(done) = tasks.join_next().await {
            done.unwrap().unwrap();
        }
    });
    assert_eq!(server.seen_at("/token").len(), 1);
    assert_eq!(*api.tokens.lock().unwrap(), vec!["Bearer sa-token-1"; 32]);
}

#[test]
fn an_impersonated_account_asks_iam_with_its_source_token() {
    let server = AuthServer::start();
    let url = server.url(&format!(
        "v1/projects/-/serviceAccounts/{IMPERSONATED}:generateAccessToken"
    ));
    let mut source = server.authorized_user_file();
    source.as_object_mut().unwrap().remove("quota_project_id");
    let file = json!({
        "type": "impersonated_service_account",
        "service_account_impersonation_url": url,
        "delegates": ["delegate@project.iam.gserviceaccount.com"],
        "source_credentials": source,
    });
    let (_dir, path) = key_file(&file);
    let credentials = Credentials::from_file(&path)
        .unwrap()
        .with_scopes(["https://www.googleapis.com/auth/devstorage.read_only"]);
    assert_eq!(token_of(&credentials), "impersonated-2");
    let iam = &server.seen_at(&format!(
        "/v1/projects/-/serviceAccounts/{IMPERSONATED}:generateAccessToken"
    ))[0];
    assert_eq!(iam.headers["authorization"], "Bearer user-token-1");
    let body: Value = serde_json::from_str(&iam.body).unwrap();
    assert_eq!(
        body,
        json!({
            "delegates": ["delegate@project.iam.gserviceaccount.com"],
            "scope": ["https://www.googleapis.com/auth/devstorage.read_only"],
            "lifetime": "3600s",
        })
    );
}

#[test]
fn an_external_account_exchanges_its_subject_token_at_sts() {
    let server = AuthServer::start();
    let dir = tempfile::tempdir().unwrap();
    let subject = dir.path().join("token.txt");
    std::fs::write(&subject, format!("{SUBJECT_TOKEN}\n")).unwrap();
    let audience =
        "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/q";
    // From a file, then impersonation.
    let file = json!({
        "type": "external_account",
        "audience": audience,
        "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
        "token_url": server.url("sts"),
        "credential_source": {"file": subject},
        "service_account_impersonation_url": server.url(&format!(
            "v1/projects/-/serviceAccounts/{IMPERSONATED}:generateAccessToken"
        )),
    });
    let credentials = Credentials::from_json(file.to_string().as_bytes()).unwrap();
    assert_eq!(token_of(&credentials), "impersonated-2");
    let sts = server.seen_at("/sts")[0].form();
    assert_eq!(sts["audience"], audience);
    assert_eq!(sts["scope"], CLOUD_PLATFORM);
    assert_eq!(
        sts["subject_token_type"],
        "urn:ietf:params:oauth:token-type:jwt"
    );
    let iam = server
        .seen()
        .into_iter()
        .find(|seen| seen.path.ends_with(":generateAccessToken"))
        .unwrap();
    assert_eq!(iam.headers["authorization"], "Bearer federated-1");

    // From a URL answering JSON, with client authentication, without impersonation.
    let file = json!({
        "type": "external_account",
        "audience": audience,
        "subject_token_type": "urn:ietf:params:oauth:token-type:id_token",
        "token_url": server.url("sts"),
        "client_id": "sts-client",
        "client_secret": "sts-s3cret",
        "credential_source": {
            "url": server.url("subject"),
            "headers": {"x-requested-by": "test"},
            "format": {"type": "json", "subject_token_field_name": "id_token"},
        },
    });
    let credentials = Credentials::from_json(file.to_string().as_bytes())
        .unwrap()
        .with_scopes(["https://www.googleapis.com/auth/bigquery"]);
    assert_eq!(token_of(&credentials), "federated-3");
    let sts = server.seen_at("/sts").pop().unwrap();
    assert_eq!(
        sts.form()["scope"],
        "https://www.googleapis.com/auth/bigquery"
    );
    use base64::Engine as _;
    let basic = base64::engine::general_purpose::STANDARD.encode("sts-client:sts-s3cret");
    assert_eq!(sts.headers["authorization"], format!("Basic {basic}"));
    assert!(!format!("{credentials:?}").contains("sts-s3cret"));
}

#[test]
fn the_metadata_server_is_asked_with_its_header_and_the_chosen_scopes() {
    let server = AuthServer::start();
    let credentials = Credentials::metadata_server_at(server.host());
    assert_eq!(token_of(&credentials), "metadata-1");
    let scoped = Credentials::metadata_server_at(server.host())
        .with_scopes(["https://www.googleapis.com/auth/pubsub", CLOUD_PLATFORM]);
    assert_eq!(token_of(&scoped), "metadata-2");
    let asked = server.seen_at("/computeMetadata/v1/instance/service-accounts/default/token");
    assert_eq!(asked.len(), 2);
    assert!(
        asked
            .iter()
            .all(|seen| seen.headers["metadata-flavor"] == "Google")
    );
    assert!(
        asked[0].query.is_empty(),
        "the account's own scopes by default"
    );
    assert_eq!(
        asked[1].query["scopes"],
        format!("https://www.googleapis.com/auth/pubsub,{CLOUD_PLATFORM}")
    );
    let elsewhere = Credentials::metadata_server_at("attacker.example/x?").token();
    assert!(
        elsewhere
            .unwrap_err()
            .to_string()
            .contains("is not a host name and port")
    );
}

#[test]
fn files_google_issues_are_read_and_others_refused_with_the_reason() {
    let server = AuthServer::start();
    let refusals = [
        (
            json!({"type": "external_account", "audience": "a", "subject_token_type": "t",
                "token_url": "https://sts.googleapis.com/v1/token",
                "credential_source": {"executable": {"command": "/bin/token"}}}),
            "executable-sourced external accounts are not supported",
        ),
        (
            json!({"type": "gdch_service_account"}),
            "credentials of type \"gdch_service_account\" are not supported",
        ),
        (
            json!({"type": "authorized_user", "client_id": "x", "client_secret": "y"}),
            "`refresh_token` is missing",
        ),
        (
            json!({"type": "service_account", "client_email": CLIENT_EMAIL, "private_key": "-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\n"}),
            "`private_key`: the private key is not a usable RSA key",
        ),
        (
            {
                let mut file = server.service_account_file();
                file["token_uri"] = json!("http://tokens.example.com/token");
                file
            },
            "credentials are only sent over HTTPS, or HTTP to this machine",
        ),
        (json!([1, 2]), "`type` is missing"),
    ];
    for (file, expected) in refusals {
        let error = Credentials::from_json(file.to_string().as_bytes()).unwrap_err();
        let message = error.to_string();
        assert!(message.contains(expected), "{message}");
        assert!(!message.contains("c2VjcmV0"), "{message}");
    }
    let error = Credentials::from_json(b"{ not json").unwrap_err();
    assert!(
        error.to_string().contains("not JSON (line 1, column 3)"),
        "{error}"
    );
    let error = Credentials::from_file("/nonexistent/key.json").unwrap_err();
    assert!(
        error.to_string().contains("/nonexistent/key.json"),
        "{error}"
    );
}

#[test]
fn debug_shows_no_secret() {
    let server = AuthServer::start();
    let pem_body = google_auth::key().pem.lines().nth(1).unwrap().to_owned();
    for file in [server.service_account_file(), server.authorized_user_file()] {
        let credentials = Credentials::from_json(file.to_string().as_bytes())
            .unwrap()
            .with_subject("someone@example.com");
        let shown = format!("{credentials:?}");
        for secret in [pem_body.as_str(), REFRESH_TOKEN, CLIENT_SECRET] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("origin"), "{shown}");
    }
    // With a subject on user credentials, the token is refused, naming why.
    let user = Credentials::from_json(server.authorized_user_file().to_string().as_bytes())
        .unwrap()
        .with_subject("someone@example.com");
    let error = user.token().unwrap_err();
    assert!(
        error
            .to_string()
            .contains("`with_subject` applies to service-account credentials only")
    );
}

#[test]
fn an_async_program_gets_a_token_without_blocking_its_task() {
    let server = AuthServer::start();
    let (_dir, path) = key_file(&server.service_account_file());
    let credentials = Credentials::from_file(&path).unwrap();
    let token = modes::runtime()
        .block_on(async { credentials.token_async().await })
        .unwrap();
    assert_eq!(token.secret(), "sa-token-1");
    // Asked inside a task, the blocking form says to use the async one instead of blocking.
    let fresh = Credentials::from_file(&path).unwrap();
    let inside = modes::runtime().block_on(async { fresh.token() });
    assert!(
        inside.unwrap_err().to_string().contains("async"),
        "{CLIENT_EMAIL}"
    );
}
