//! Google's auth endpoints, strict, on 127.0.0.1: a token endpoint that verifies a JWT
//! assertion's RS256 signature with the public half of a key this module makes and checks every
//! claim, and takes refresh tokens; IAM Credentials' `generateAccessToken`; an STS token
//! exchange; a subject-token URL; a metadata server that refuses requests without
//! `Metadata-Flavor: Google`; and one API method that records the token it was sent.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use rsa::pkcs1::EncodeRsaPublicKey as _;
use rsa::pkcs8::EncodePrivateKey as _;
use serde_json::{Value, json};

pub const CLIENT_EMAIL: &str = "robot@project.iam.gserviceaccount.com";
pub const KEY_ID: &str = "key-1";
pub const CLIENT_ID: &str = "user-client.apps.googleusercontent.com";
pub const CLIENT_SECRET: &str = "user-client-s3cret";
pub const REFRESH_TOKEN: &str = "1//user-refresh-SECRET";
pub const SUBJECT_TOKEN: &str = "subject-token-SECRET";
pub const CLOUD_PLATFORM: &str = "https://www.googleapis.com/auth/cloud-platform";
pub const IMPERSONATED: &str = "target@project.iam.gserviceaccount.com";

/// The test key: its PKCS #8 PEM (for key files) and its public half (PKCS #1 DER, as ring
/// verifies with).
pub struct Key {
    pub pem: String,
    pub public_der: Vec<u8>,
}

/// The one key of this test process, made on first use.
pub fn key() -> &'static Key {
    static KEY: OnceLock<Key> = OnceLock::new();
    KEY.get_or_init(|| {
        let private = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).expect("a key");
        Key {
            pem: private
                .to_pkcs8_pem(rsa::pkcs8::LineEnding::LF)
                .expect("PEM")
                .to_string(),
            public_der: private
                .to_public_key()
                .to_pkcs1_der()
                .expect("DER")
                .as_bytes()
                .to_vec(),
        }
    })
}

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: BTreeMap<String, String>,
    pub headers: BTreeMap<String, String>,
    pub body: String,
}

impl Seen {
    pub fn form(&self) -> BTreeMap<String, String> {
        decode_pairs(&self.body)
    }
}

/// What the server expects and how it misbehaves.
#[derive(Default)]
pub struct Rules {
    /// The `sub` claim the next assertions must carry.
    pub subject: Option<String>,
    /// The `scope` claim (space-separated) assertions must carry.
    pub scope: Option<String>,
    /// Statuses to answer token requests with, first to last, before answering properly.
    pub token_failures: Vec<u16>,
    /// How long the token endpoint takes.
    pub token_delay: Duration,
    /// The lifetime of the tokens given.
    pub lifetime: u64,
}

pub struct AuthServer {
    pub root: String,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    pub rules: Arc<Mutex<Rules>>,
}

impl AuthServer {
    pub fn start() -> AuthServer {
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let root = format!("http://{}/", server.server_addr().to_ip().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let rules = Arc::new(Mutex::new(Rules {
            lifetime: 3600,
            ..Rules::default()
        }));
        let server = Arc::new(server);
        let issued = Arc::new(Mutex::new(0u32));
        // A few threads, so that slow token answers do not hold up the rest.
        for _ in 0..8 {
            let (server, seen, rules, issued, root) = (
                Arc::clone(&server),
                Arc::clone(&seen),
                Arc::clone(&rules),
                Arc::clone(&issued),
                root.clone(),
            );
            std::thread::spawn(move || {
                for mut request in server.incoming_requests() {
                    let mut body = String::new();
                    let _ = request.as_reader().read_to_string(&mut body);
                    let url = request.url().to_owned();
                    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
                    let entry = Seen {
                        method: request.method().to_string(),
                        path: path.to_owned(),
                        query: decode_pairs(query),
                        headers: request
                            .headers()
                            .iter()
                            .map(|h| {
                                (
                                    h.field.to_string().to_ascii_lowercase(),
                                    h.value.to_string(),
                                )
                            })
                            .collect(),
                        body,
                    };
                    seen.lock().unwrap().push(entry.clone());
                    let (status, answer, extra) = answer(&entry, &root, &rules, &issued);
                    let mut response = tiny_http::Response::from_string(answer.to_string())
                        .with_status_code(status)
                        .with_header(
                            tiny_http::Header::from_bytes("content-type", "application/json")
                                .unwrap(),
                        );
                    for (name, value) in extra {
                        response = response
                            .with_header(tiny_http::Header::from_bytes(name, value).unwrap());
                    }
                    let _ = request.respond(response);
                }
            });
        }
        AuthServer { root, seen, rules }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.root)
    }

    /// The host and port, as `GCE_METADATA_HOST` takes them.
    pub fn host(&self) -> String {
        self.root
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned()
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// Requests to `path`.
    pub fn seen_at(&self, path: &str) -> Vec<Seen> {
        self.seen().into_iter().filter(|s| s.path == path).collect()
    }

    pub fn rules(&self) -> std::sync::MutexGuard<'_, Rules> {
        self.rules.lock().unwrap()
    }

    /// A service account's key file whose token endpoint is this server.
    pub fn service_account_file(&self) -> Value {
        json!({
            "type": "service_account",
            "project_id": "project",
            "private_key_id": KEY_ID,
            "private_key": key().pem,
            "client_email": CLIENT_EMAIL,
            "client_id": "1234",
            "token_uri": self.url("token"),
        })
    }

    /// An `authorized_user` file, as gcloud writes it, whose token endpoint is this server.
    pub fn authorized_user_file(&self) -> Value {
        json!({
            "type": "authorized_user",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "refresh_token": REFRESH_TOKEN,
            "token_uri": self.url("token"),
            "quota_project_id": "user-quota-project",
        })
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

type Answer = (u16, Value, Vec<(&'static str, &'static str)>);

fn refuse(status: u16, error: &str, description: String) -> Answer {
    (
        status,
        json!({"error": error, "error_description": description}),
        Vec::new(),
    )
}

fn answer(seen: &Seen, root: &str, rules: &Mutex<Rules>, issued: &Mutex<u32>) -> Answer {
    let next = |prefix: &str| {
        let mut count = issued.lock().unwrap();
        *count += 1;
        format!("{prefix}-{count}")
    };
    let lifetime = rules.lock().unwrap().lifetime;
    match (seen.method.as_str(), seen.path.as_str()) {
        ("POST", "/token") => {
            let (delay, failure) = {
                let mut rules = rules.lock().unwrap();
                let failure =
                    (!rules.token_failures.is_empty()).then(|| rules.token_failures.remove(0));
                (rules.token_delay, failure)
            };
            std::thread::sleep(delay);
            if let Some(status) = failure {
                return refuse(status, "backend_error", "try again".to_owned());
            }
            let form = seen.form();
            let checked = match form.get("grant_type").map(String::as_str) {
                Some("urn:ietf:params:oauth:grant-type:jwt-bearer") => check_assertion(
                    form.get("assertion").map_or("", String::as_str),
                    root,
                    rules,
                )
                .map(|()| "sa-token"),
                Some("refresh_token") => {
                    let right = form.get("client_id").map(String::as_str) == Some(CLIENT_ID)
                        && form.get("client_secret").map(String::as_str) == Some(CLIENT_SECRET)
                        && form.get("refresh_token").map(String::as_str) == Some(REFRESH_TOKEN);
                    if right {
                        Ok("user-token")
                    } else {
                        Err("Token has been expired or revoked.".to_owned())
                    }
                }
                other => Err(format!("unsupported grant {other:?}")),
            };
            match checked {
                Ok(prefix) => (
                    200,
                    json!({"access_token": next(prefix), "expires_in": lifetime, "token_type": "Bearer"}),
                    Vec::new(),
                ),
                Err(why) => refuse(400, "invalid_grant", why),
            }
        }
        ("POST", path) if path.ends_with(":generateAccessToken") => {
            let bearer = seen
                .headers
                .get("authorization")
                .cloned()
                .unwrap_or_default();
            let source_ok = bearer.starts_with("Bearer user-token-")
                || bearer.starts_with("Bearer sa-token-")
                || bearer.starts_with("Bearer federated-");
            let body: Value = serde_json::from_str(&seen.body).unwrap_or_default();
            if !source_ok || body["scope"].as_array().is_none_or(Vec::is_empty) {
                return (
                    403,
                    json!({"error": {"code": 403, "status": "PERMISSION_DENIED", "message": format!("refused {bearer:?} {body}")}}),
                    Vec::new(),
                );
            }
            let at = time::OffsetDateTime::now_utc() + time::Duration::seconds(lifetime as i64);
            let expire = format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                at.year(),
                u8::from(at.month()),
                at.day(),
                at.hour(),
                at.minute(),
                at.second()
            );
            (
                200,
                json!({"accessToken": next("impersonated"), "expireTime": expire}),
                Vec::new(),
            )
        }
        ("POST", "/sts") => {
            let form = seen.form();
            let right = form.get("grant_type").map(String::as_str)
                == Some("urn:ietf:params:oauth:grant-type:token-exchange")
                && form.get("subject_token").map(String::as_str) == Some(SUBJECT_TOKEN)
                && form.get("requested_token_type").map(String::as_str)
                    == Some("urn:ietf:params:oauth:token-type:access_token")
                && form.contains_key("audience")
                && form.contains_key("subject_token_type");
            if right {
                (
                    200,
                    json!({"access_token": next("federated"), "expires_in": lifetime,
                           "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
                           "token_type": "Bearer"}),
                    Vec::new(),
                )
            } else {
                refuse(
                    400,
                    "invalid_request",
                    "the exchange is incomplete".to_owned(),
                )
            }
        }
        ("GET", "/subject") => {
            if seen.headers.get("x-requested-by").map(String::as_str) == Some("test") {
                (200, json!({"id_token": SUBJECT_TOKEN}), Vec::new())
            } else {
                (401, json!({}), Vec::new())
            }
        }
        ("GET", path) if path == "/" || path.starts_with("/computeMetadata/") => {
            if seen.headers.get("metadata-flavor").map(String::as_str) != Some("Google") {
                return (403, json!({"error": "missing Metadata-Flavor"}), Vec::new());
            }
            let flavor = vec![("metadata-flavor", "Google")];
            if path == "/computeMetadata/v1/instance/service-accounts/default/token" {
                (
                    200,
                    json!({"access_token": next("metadata"), "expires_in": lifetime, "token_type": "Bearer"}),
                    flavor,
                )
            } else {
                (200, json!("computeMetadata/"), flavor)
            }
        }
        ("GET", path) if path.starts_with("/v1/archiveJobs/") => {
            (200, json!({"name": path}), Vec::new())
        }
        _ => (404, json!({}), Vec::new()),
    }
}

/// Verifies an assertion's signature and every claim; why not, when it fails.
fn check_assertion(assertion: &str, root: &str, rules: &Mutex<Rules>) -> Result<(), String> {
    let parts: Vec<&str> = assertion.split('.').collect();
    let [header, claims, signature] = parts[..] else {
        return Err("not a JWT".to_owned());
    };
    let decode = |part: &str| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| "not base64url".to_owned())
    };
    let public = ring::signature::UnparsedPublicKey::new(
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        &key().public_der,
    );
    public
        .verify(format!("{header}.{claims}").as_bytes(), &decode(signature)?)
        .map_err(|_| "Invalid JWT Signature.".to_owned())?;
    let header: Value = serde_json::from_slice(&decode(header)?).map_err(|e| e.to_string())?;
    let claims: Value = serde_json::from_slice(&decode(claims)?).map_err(|e| e.to_string())?;
    if header != json!({"alg": "RS256", "typ": "JWT", "kid": KEY_ID}) {
        return Err(format!("bad header {header}"));
    }
    let rules = rules.lock().unwrap();
    let now = unix_now();
    let iat = claims["iat"].as_u64().ok_or("no iat")?;
    let exp = claims["exp"].as_u64().ok_or("no exp")?;
    let expected_scope = rules
        .scope
        .clone()
        .unwrap_or_else(|| CLOUD_PLATFORM.to_owned());
    let checks = [
        (claims["iss"] == CLIENT_EMAIL, "iss"),
        (claims["aud"] == format!("{root}token"), "aud"),
        (claims["scope"] == expected_scope.as_str(), "scope"),
        (iat.abs_diff(now) <= 60, "iat"),
        (exp == iat + 3600, "exp"),
        (
            claims.get("sub").and_then(Value::as_str) == rules.subject.as_deref(),
            "sub",
        ),
    ];
    for (right, claim) in checks {
        if !right {
            return Err(format!("claim {claim} is wrong in {claims}"));
        }
    }
    Ok(())
}

/// Pairs of a query string or form body, decoded.
pub fn decode_pairs(text: &str) -> BTreeMap<String, String> {
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(name), percent_decode(value))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An API server for many calls at once (tiny_http stalls past a dozen concurrent
/// connections): a thread per connection, answering every request `200 {}` and keeping each
/// request's `Authorization` header.
pub struct ApiServer {
    pub root: String,
    pub tokens: Arc<Mutex<Vec<String>>>,
}

impl ApiServer {
    pub fn start() -> ApiServer {
        use std::io::{BufRead as _, BufReader, Write as _};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let root = format!("http://{}/", listener.local_addr().unwrap());
        let tokens = Arc::new(Mutex::new(Vec::new()));
        let kept = Arc::clone(&tokens);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let kept = Arc::clone(&kept);
                std::thread::spawn(move || {
                    let mut writer = stream.try_clone().unwrap();
                    let mut reader = BufReader::new(stream);
                    loop {
                        let mut line = String::new();
                        // A bodiless request's head; its `Authorization` header kept.
                        loop {
                            line.clear();
                            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                                return;
                            }
                            let trimmed = line.trim_end();
                            if trimmed.is_empty() {
                                break;
                            }
                            if let Some((name, value)) = trimmed.split_once(':')
                                && name.eq_ignore_ascii_case("authorization")
                            {
                                kept.lock().unwrap().push(value.trim().to_owned());
                            }
                        }
                        let answer = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
                        if writer.write_all(answer.as_bytes()).is_err() {
                            return;
                        }
                    }
                });
            }
        });
        ApiServer { root, tokens }
    }
}
