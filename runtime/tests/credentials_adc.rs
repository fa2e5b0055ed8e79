//! Application Default Credentials, looked for in order under a temporary `HOME`, with each
//! source present and absent. Each search runs in a child process of this test binary with an
//! environment of its own (environment variables are process-wide), and the metadata server it
//! may find is the test's, on 127.0.0.1: `GCE_METADATA_HOST` and `GCE_METADATA_IP` point there
//! or at a closed port, never at a real metadata address.

#[path = "support/google_auth.rs"]
mod google_auth;

use std::path::Path;
use std::process::Command;

use google_api_runtime::TokenSource as _;
use google_api_runtime::auth::Credentials;
use google_auth::AuthServer;

/// The variables the search reads, all cleared in a child unless a case sets them.
const READ: &[&str] = &[
    "GOOGLE_APPLICATION_CREDENTIALS",
    "CLOUDSDK_CONFIG",
    "HOME",
    "APPDATA",
    "GCE_METADATA_HOST",
    "GCE_METADATA_IP",
    "GOOGLE_CLOUD_QUOTA_PROJECT",
];

/// Run by the parent in a child process only: what the search found, on stdout.
#[test]
#[ignore = "run by application_default_credentials_are_found_in_order"]
fn child_searches() {
    if std::env::var("ADC_CHILD").is_err() {
        return;
    }
    match Credentials::application_default() {
        Ok(credentials) => {
            let token = credentials.token().map(|token| token.secret().to_owned());
            println!(
                "\nFOUND token={token:?} quota={:?}",
                credentials.quota_project_id()
            );
        }
        Err(error) => println!("\nERROR {error}"),
    }
}

/// Runs the search with `vars` set and every other variable it reads cleared; its line.
fn search(vars: &[(&str, String)]) -> String {
    let mut child = Command::new(std::env::current_exe().unwrap());
    child.args([
        "child_searches",
        "--exact",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ]);
    for name in READ {
        child.env_remove(name);
    }
    child.env("ADC_CHILD", "1");
    for (name, value) in vars {
        child.env(name, value);
    }
    let output = child.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout
        .lines()
        .find(|line| line.starts_with("FOUND") || line.starts_with("ERROR"))
        .unwrap_or_else(|| {
            panic!(
                "no answer: {stdout} {}",
                String::from_utf8_lossy(&output.stderr)
            )
        })
        .to_owned()
}

fn write(path: &Path, json: &serde_json::Value) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, json.to_string()).unwrap();
}

#[test]
fn application_default_credentials_are_found_in_order() {
    let server = AuthServer::start();
    let home = tempfile::tempdir().unwrap();
    let home_path = home.path().display().to_string();
    let gcloud_file = home
        .path()
        .join(".config/gcloud/application_default_credentials.json");
    let key_file = home.path().join("keys/robot.json");
    write(&key_file, &server.service_account_file());
    let metadata_up = [
        ("GCE_METADATA_HOST", server.host()),
        ("GCE_METADATA_IP", server.host()),
    ];
    // A closed port: nothing answers.
    let metadata_down = [
        ("GCE_METADATA_HOST", "127.0.0.1:9".to_owned()),
        ("GCE_METADATA_IP", "127.0.0.1:9".to_owned()),
    ];
    let with = |extra: &[(&str, String)], metadata: &[(&'static str, String); 2]| {
        let mut vars: Vec<(&str, String)> = vec![("HOME", home_path.clone())];
        vars.extend(extra.iter().cloned());
        vars.extend(metadata.iter().cloned());
        search(&vars)
    };

    // Nothing anywhere: every look is named, with why it failed.
    let line = with(&[], &metadata_down);
    assert!(
        line.contains("no Application Default Credentials found"),
        "{line}"
    );
    assert!(
        line.contains("GOOGLE_APPLICATION_CREDENTIALS is not set"),
        "{line}"
    );
    assert!(
        line.contains(&format!(
            "gcloud's file {} does not exist",
            gcloud_file.display()
        )),
        "{line}"
    );
    assert!(
        line.contains("the metadata server at 127.0.0.1:9 did not answer"),
        "{line}"
    );

    // The metadata server, when it answers.
    let line = with(&[], &metadata_up);
    assert!(line.starts_with("FOUND token=Ok(\"metadata-"), "{line}");

    // gcloud's file comes before it.
    write(&gcloud_file, &server.authorized_user_file());
    let line = with(&[], &metadata_up);
    assert!(line.starts_with("FOUND token=Ok(\"user-token-"), "{line}");
    assert!(
        line.contains("quota=Some(\"user-quota-project\")"),
        "{line}"
    );
    let line = with(
        &[("GOOGLE_CLOUD_QUOTA_PROJECT", "from-environment".to_owned())],
        &metadata_up,
    );
    assert!(line.contains("quota=Some(\"from-environment\")"), "{line}");

    // CLOUDSDK_CONFIG moves gcloud's file.
    let config = tempfile::tempdir().unwrap();
    let line = with(
        &[("CLOUDSDK_CONFIG", config.path().display().to_string())],
        &metadata_down,
    );
    assert!(
        line.contains(&config.path().display().to_string()),
        "{line}"
    );

    // GOOGLE_APPLICATION_CREDENTIALS comes first of all.
    let line = with(
        &[(
            "GOOGLE_APPLICATION_CREDENTIALS",
            key_file.display().to_string(),
        )],
        &metadata_up,
    );
    assert!(line.starts_with("FOUND token=Ok(\"sa-token-"), "{line}");

    // A file it names that is not there is an error, not a reason to look further.
    let line = with(
        &[(
            "GOOGLE_APPLICATION_CREDENTIALS",
            home.path().join("missing.json").display().to_string(),
        )],
        &metadata_up,
    );
    assert!(
        line.starts_with("ERROR") && line.contains("GOOGLE_APPLICATION_CREDENTIALS file"),
        "{line}"
    );
    assert!(line.contains("missing.json"), "{line}");
}
