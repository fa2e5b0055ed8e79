//! No secret leaves through an error: every error path that holds what a server sent (API
//! errors, decoding errors, media downloads, upload sessions, the OAuth token endpoint, the
//! `Credentials`' token requests, the configuration) against a server on 127.0.0.1 that echoes every credential the request
//! carried, in every form (as sent, percent-encoded, inside a Basic credential), checked in
//! `Display` and `Debug` alike.

#[path = "support/modes.rs"]
mod modes;

use base64::Engine as _;
use google_api_runtime::auth::Credentials;
use google_api_runtime::contract::{Call, MethodInfo, Service, ServiceInfo, UploadInfo, json};
use google_api_runtime::oauth::{AuthorizationFlow, OAuthConfig};
use google_api_runtime::{Client, Error, RetryPolicy, StaticToken, TokenSource as _};
use modes::{Mode, both_modes};

const TOKEN: &str = "ya29.SECRET-TOKEN";
/// An API key with characters that are percent-encoded on the wire.
const API_KEY: &str = "AIza/KEY+1";
const REFRESH_TOKEN: &str = "1//SECRET-REFRESH";
const CLIENT_ID: &str = "client-1";
const CLIENT_SECRET: &str = "client-s3cret";

/// Every form in which a secret of the table may show.
fn forbidden() -> Vec<String> {
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
    [
        "SECRET-TOKEN",
        "AIza/KEY",
        "AIza%2FKEY",
        "KEY%2B1",
        "SECRET-REFRESH",
        "SUBJECT-SECRET",
        "s3cret",
        "pa55",
        &basic,
    ]
    .map(str::to_owned)
    .to_vec()
}

static INFO: ServiceInfo = ServiceInfo {
    name: "echo",
    version: "v1",
    revision: "1",
    root_url: "https://echo.example.com/",
    service_path: "echo/v1/",
    crate_agent: "echo/0.1.0",
};

static GET: MethodInfo = MethodInfo {
    id: "echo.things.get",
    http_method: "GET",
    path: "things/{name}",
    path_patterns: &[],
    api_version: None,
    idempotency_key: None,
};

static INSERT: MethodInfo = MethodInfo {
    id: "echo.things.insert",
    http_method: "POST",
    path: "things",
    path_patterns: &[],
    api_version: None,
    idempotency_key: None,
};

static UPLOAD: UploadInfo = UploadInfo {
    path: "upload/echo/v1/things",
    accept: &["*/*"],
    max_size: None,
};

/// A server that echoes each request's credentials back: its `Authorization` header, its query
/// (raw and decoded) and its body. `/echo/v1/things/decode` answers 200 with the echo as a
/// JSON string (which no method returns); `/token` answers as a token endpoint refusing the
/// grant, quoting the echo in `error_description`; everything else is a 400 with the echo as
/// the body and in a header.
fn echo_server() -> String {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let port = server.server_addr().to_ip().unwrap().port();
    std::thread::spawn(move || {
        for mut request in server.incoming_requests() {
            let mut body = String::new();
            let _ = request.as_reader().read_to_string(&mut body);
            let authorization = request
                .headers()
                .iter()
                .find(|h| h.field.equiv("authorization"))
                .map(|h| h.value.to_string())
                .unwrap_or_default();
            let url = request.url().to_owned();
            let decoded = url.replace("%2F", "/").replace("%2B", "+");
            let echo = format!("auth={authorization} url={url} decoded={decoded} body={body}");
            let json_string = serde_json::Value::String(echo.clone()).to_string();
            let (status, body) = if url.starts_with("/echo/v1/things/decode") {
                (200, json_string)
            } else if url.starts_with("/token") {
                let error =
                    serde_json::json!({"error": "invalid_grant", "error_description": echo});
                (400, error.to_string())
            } else {
                (400, echo.clone())
            };
            let header =
                tiny_http::Header::from_bytes("x-echo", echo.replace(['\r', '\n'], " ")).unwrap();
            let response = tiny_http::Response::from_string(body)
                .with_status_code(status)
                .with_header(header);
            let _ = request.respond(response);
        }
    });
    format!("http://127.0.0.1:{port}/")
}

fn client<M: Mode>(root: &str) -> M {
    M::build(
        Client::builder()
            .root_url(root)
            .token_source(StaticToken::new(TOKEN))
            .api_key(API_KEY)
            .retry_policy(RetryPolicy::disabled()),
    )
}

fn get(name: &str) -> Call {
    let mut call = Call::new(&GET);
    call.set_path("name", name.to_owned());
    call
}

/// The error of every path, named.
fn every_error_path<M: Mode>(root: &str) -> Vec<(&'static str, Error)> {
    let client = client::<M>(root);
    let service = Service::new(&client, &INFO);
    let mut errors = vec![
        (
            "API error",
            M::wait(M::execute(&service, Ok(get("x")), Ok)).unwrap_err(),
        ),
        (
            "decoding error",
            M::wait(M::execute(&service, Ok(get("decode")), json::<Vec<u32>>)).unwrap_err(),
        ),
        (
            "media download",
            M::wait(M::download_media(&service, get("x"))).unwrap_err(),
        ),
    ];
    errors.push((
        "simple upload",
        M::upload(
            &service,
            Call::new(&INSERT),
            &UPLOAD,
            &b"data"[..],
            "text/plain",
        )
        .unwrap_err(),
    ));
    errors.push((
        "resumable upload session",
        M::resumable(
            &service,
            Ok(Call::new(&INSERT)),
            &UPLOAD,
            &b"data"[..],
            "text/plain",
        )
        .send()
        .unwrap_err(),
    ));
    let config = OAuthConfig::new(CLIENT_ID, "http://127.0.0.1:9/callback")
        .client_secret(CLIENT_SECRET)
        .endpoints(format!("{root}auth"), format!("{root}token"));
    let flow = AuthorizationFlow::new(&config).unwrap();
    errors.push(("token endpoint", flow.refresh(REFRESH_TOKEN).unwrap_err()));
    let user = serde_json::json!({
        "type": "authorized_user",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "refresh_token": REFRESH_TOKEN,
        "token_uri": format!("{root}token"),
    });
    errors.push((
        "credentials' refresh",
        Credentials::from_json(user.to_string().as_bytes())
            .unwrap()
            .token()
            .unwrap_err(),
    ));
    let subject = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(subject.path(), "SUBJECT-SECRET-TOKEN").unwrap();
    let federated = serde_json::json!({
        "type": "external_account",
        "audience": "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/q",
        "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
        "token_url": format!("{root}token"),
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "credential_source": {"file": subject.path()},
    });
    errors.push((
        "credentials' token exchange",
        Credentials::from_json(federated.to_string().as_bytes())
            .unwrap()
            .token()
            .unwrap_err(),
    ));
    errors.push((
        "root URL",
        Client::builder()
            .root_url(root.replace("http://", "http://user:pa55#w?rd@"))
            .build()
            .unwrap_err(),
    ));
    errors.push((
        "root URL of one API",
        Service::with_root_url(&client, &INFO, &root.replace("http://", "http://pa55@"))
            .unwrap_err(),
    ));
    errors
}

fn no_error_path_shows_any_secret_in_any_form<M: Mode>() {
    let root = echo_server();
    let errors = every_error_path::<M>(&root);
    assert_eq!(errors.len(), 10);
    for (path, error) in &errors {
        let shown = format!("{error}\n{error:?}");
        for secret in forbidden() {
            assert!(!shown.contains(&secret), "{path} shows {secret}: {shown}");
        }
        if let Some(api) = error.api() {
            let raw = format!("{:?} {}", api.headers, String::from_utf8_lossy(&api.body));
            for secret in forbidden() {
                assert!(!raw.contains(&secret), "{path} keeps {secret}: {raw}");
            }
        }
    }
    // The echo did reach the errors (so the table tests something): scrubbed, not dropped.
    let (_, api_error) = &errors[0];
    assert!(
        api_error.to_string().contains("auth=Bearer <redacted>"),
        "{api_error}"
    );
    for (_, token_error) in &errors[5..8] {
        assert!(
            token_error.to_string().contains("invalid_grant"),
            "{token_error}"
        );
    }
}

#[test]
fn a_token_lifetime_past_any_clock_is_capped() {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let port = server.server_addr().to_ip().unwrap().port();
    std::thread::spawn(move || {
        for request in server.incoming_requests() {
            let body = r#"{"access_token": "at-1", "token_type": "Bearer", "expires_in": 18446744073709551615, "refresh_token": "rt-1"}"#;
            let header = tiny_http::Header::from_bytes("content-type", "application/json").unwrap();
            let _ = request.respond(tiny_http::Response::from_string(body).with_header(header));
        }
    });
    let root = format!("http://127.0.0.1:{port}/");
    let config = OAuthConfig::new(CLIENT_ID, "http://127.0.0.1:9/callback")
        .endpoints(format!("{root}auth"), format!("{root}token"));
    let flow = AuthorizationFlow::new(&config).unwrap();
    let tokens = flow.refresh("rt-1").unwrap();
    assert!(format!("{tokens:?}").contains("expires_at"));
}

both_modes!(no_error_path_shows_any_secret_in_any_form,);
