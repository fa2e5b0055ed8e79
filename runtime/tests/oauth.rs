#![cfg(feature = "oauth")]
//! The OAuth 2.0 authorization-code flow with PKCE, end to end against a token server on
//! 127.0.0.1: consent URL, code exchange, refresh before expiry, the token cache, and a call that
//! uses the tokens.

mod common;
#[path = "support/modes.rs"]
mod modes;

use base64::Engine as _;
use common::{Reply, TestServer};
use google_dataportability_v1::prelude::*;
use google_dataportability_v1::runtime::oauth::{AuthorizationFlow, OAuthConfig, OAuthTokenSource};
use google_dataportability_v1::runtime::{RetryPolicy, TokenSource};
use serde_json::json;
use sha2::Digest as _;

/// The query or form parameters of `text`, decoded.
fn params(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}

fn decode(text: &str) -> String {
    let text = text.replace('+', " ");
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn get<'a>(params: &'a [(String, String)], name: &str) -> &'a str {
    params
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
        .unwrap_or_else(|| panic!("no {name} in {params:?}"))
}

#[test]
fn consent_exchange_refresh_and_call() {
    let token_server = TestServer::start(vec![
        // The code exchange: an access token that is about to expire, and a refresh token.
        Reply::json(
            200,
            json!({"access_token": "at-1", "token_type": "Bearer", "expires_in": 30, "refresh_token": "rt-1"}),
        ),
        // The refresh.
        Reply::json(
            200,
            json!({"access_token": "at-2", "token_type": "Bearer", "expires_in": 3600}),
        ),
    ]);
    let config = OAuthConfig::new("client-1.apps.example.com", "http://127.0.0.1:9/callback")
        .client_secret("client-secret-1")
        .endpoints(
            format!("{}auth", token_server.base_url),
            format!("{}token", token_server.base_url),
        );
    let flow = AuthorizationFlow::new(&config).unwrap();

    // 1. The consent URL carries the client, the scopes, the PKCE challenge and the state.
    let consent = flow.consent([
        Scope::DataportabilityMyactivitySearch,
        Scope::DataportabilityMyactivityYoutube,
    ]);
    let (base, query) = consent.url.split_once('?').unwrap();
    assert_eq!(base, format!("{}auth", token_server.base_url));
    let query = params(query);
    assert_eq!(get(&query, "response_type"), "code");
    assert_eq!(get(&query, "client_id"), "client-1.apps.example.com");
    assert_eq!(get(&query, "redirect_uri"), "http://127.0.0.1:9/callback");
    assert_eq!(
        get(&query, "scope"),
        "https://www.googleapis.com/auth/dataportability.myactivity.search \
         https://www.googleapis.com/auth/dataportability.myactivity.youtube"
    );
    assert_eq!(get(&query, "code_challenge_method"), "S256");
    assert_eq!(get(&query, "access_type"), "offline");
    assert_eq!(get(&query, "state"), consent.state());
    let challenge = get(&query, "code_challenge").to_owned();
    let state = consent.state().to_owned();
    let consent_shown = format!("{consent:?}");

    // 2. A redirect with another state is refused before anything is sent.
    let forged = flow.consent([Scope::DataportabilityMyactivitySearch]);
    let error = flow
        .exchange(forged, "code-1", "not-the-state")
        .unwrap_err();
    assert!(
        error.to_string().contains("state does not match"),
        "{error}"
    );
    assert!(token_server.got_nothing());

    // 3. The exchange sends the code and the PKCE verifier whose hash is the challenge.
    let tokens = flow.exchange(consent, "code-1", &state).unwrap();
    let exchange = token_server.next();
    assert_eq!(
        (exchange.method.as_str(), exchange.target.as_str()),
        ("POST", "/token")
    );
    let form = params(std::str::from_utf8(&exchange.body).unwrap());
    assert_eq!(get(&form, "grant_type"), "authorization_code");
    assert_eq!(get(&form, "code"), "code-1");
    let verifier = get(&form, "code_verifier");
    let hashed =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier));
    assert_eq!(hashed, challenge);
    assert!(!consent_shown.contains(verifier), "{consent_shown}");
    let basic = base64::engine::general_purpose::STANDARD
        .encode("client-1.apps.example.com:client-secret-1");
    assert_eq!(
        exchange.header("authorization"),
        Some(format!("Basic {basic}").as_str())
    );
    assert!(!format!("{tokens:?}").contains("at-1"), "{tokens:?}");

    // 4. The token expires within the refresh margin, so the first use refreshes it, and the
    //    cache file (owner-only) gets the new one.
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("tokens.json");
    let source = OAuthTokenSource::new(flow, tokens, Some(cache.clone())).unwrap();
    assert_eq!(source.token().unwrap().secret(), "at-2");
    let refresh = token_server.next();
    let form = params(std::str::from_utf8(&refresh.body).unwrap());
    assert_eq!(get(&form, "grant_type"), "refresh_token");
    assert_eq!(get(&form, "refresh_token"), "rt-1");
    // Fresh now: no further request.
    assert_eq!(source.token().unwrap().secret(), "at-2");
    assert!(token_server.got_nothing());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&cache).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "the cache is readable by its owner only"
        );
    }
    let cached = std::fs::read_to_string(&cache).unwrap();
    assert!(
        cached.contains("at-2") && cached.contains("rt-1"),
        "{cached}"
    );
    let shown = format!("{source:?}");
    assert!(
        !shown.contains("at-2") && !shown.contains("rt-1") && !shown.contains("client-secret"),
        "{shown}"
    );

    // 5. A client using the source sends the fresh token.
    let api = TestServer::start(vec![Reply::json(200, json!({"oneTimeResources": []}))]);
    let client = google_dataportability_v1::Client::builder()
        .root_url(&api.base_url)
        .token_source(source)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    google_dataportability_v1::DataPortability::new(&client)
        .access_type()
        .check(Default::default())
        .send()
        .unwrap();
    assert_eq!(api.next().header("authorization"), Some("Bearer at-2"));

    // 6. The cache is enough to start again later.
    let again =
        OAuthTokenSource::from_cache(AuthorizationFlow::new(&config).unwrap(), &cache).unwrap();
    assert_eq!(again.token().unwrap().secret(), "at-2");
}

#[test]
fn token_endpoint_errors_say_what_went_wrong_without_secrets() {
    let token_server = TestServer::start(vec![
        Reply::json(
            400,
            json!({"error": "invalid_grant", "error_description": "Bad Request"}),
        ),
        Reply::json(200, json!({"token": "leaked"})),
        Reply::text(200, "text/html", "<html>access_token=leaked</html>"),
    ]);
    let config = OAuthConfig::new("client-1", "http://127.0.0.1:9/callback").endpoints(
        format!("{}auth", token_server.base_url),
        format!("{}token", token_server.base_url),
    );
    let flow = AuthorizationFlow::new(&config).unwrap();
    let error = flow.refresh("rt-secret").unwrap_err();
    assert_eq!(
        error.to_string(),
        "could not get an access token: refresh refused: invalid_grant (Bad Request)"
    );
    let error = flow.refresh("rt-secret").unwrap_err();
    let shown = format!("{error} {error:?}");
    assert!(shown.contains("not a token response"), "{shown}");
    assert!(
        !shown.contains("leaked") && !shown.contains("rt-secret"),
        "{shown}"
    );
    let error = flow.refresh("rt-secret").unwrap_err();
    let shown = format!("{error} {error:?}");
    assert!(shown.contains("Content-Type"), "{shown}");
    assert!(
        !shown.contains("leaked") && !shown.contains("rt-secret"),
        "{shown}"
    );
}

#[test]
fn environment_tokens_are_read_at_each_request() {
    use google_dataportability_v1::runtime::EnvToken;
    let missing = EnvToken::new("DATAPORTABILITY_TEST_TOKEN_THAT_IS_NOT_SET");
    let error = missing.token().unwrap_err();
    assert_eq!(
        error.to_string(),
        "could not get an access token: environment variable DATAPORTABILITY_TEST_TOKEN_THAT_IS_NOT_SET is not set"
    );
    // PATH is always set; its value must never show in Debug output.
    let source = EnvToken::new("PATH");
    assert!(source.token().is_ok());
    assert!(!format!("{source:?} {:?}", source.token().unwrap()).contains("/usr"));
}

/// Earlier versions wrote the cache through `PATH.tmp`, opened with create and truncate: a
/// leftover `.tmp` readable by everyone made the cache readable by everyone, and a symbolic link
/// there sent the tokens into its target. Neither may matter now.
#[cfg(unix)]
#[test]
fn the_token_cache_ignores_planted_temporary_files() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("tokens.json");
    let planted = dir.path().join("tokens.json.tmp");
    let config = OAuthConfig::new("client-1", "http://127.0.0.1:9/callback");
    let tokens = || {
        serde_json::from_value(json!({
            "access_token": "at-cached",
            "refresh_token": "rt-cached",
            "expires_at": null
        }))
        .unwrap()
    };
    let save = || {
        OAuthTokenSource::new(
            AuthorizationFlow::new(&config).unwrap(),
            tokens(),
            Some(cache.clone()),
        )
        .unwrap()
    };
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;

    // A leftover temporary file that everyone can read.
    std::fs::write(&planted, "left over").unwrap();
    std::fs::set_permissions(&planted, std::fs::Permissions::from_mode(0o644)).unwrap();
    save();
    assert_eq!(mode(&cache), 0o600);
    assert_eq!(std::fs::read_to_string(&planted).unwrap(), "left over");

    // A symbolic link where the temporary file used to go, pointing at someone else's file.
    std::fs::remove_file(&planted).unwrap();
    std::fs::remove_file(&cache).unwrap();
    let target = dir.path().join("elsewhere.txt");
    std::fs::write(&target, "not yours").unwrap();
    std::os::unix::fs::symlink(&target, &planted).unwrap();
    let source = save();
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "not yours");
    assert_eq!(mode(&cache), 0o600);
    assert!(
        std::fs::read_to_string(&cache)
            .unwrap()
            .contains("at-cached")
    );
    assert_eq!(source.token().unwrap().secret(), "at-cached");

    // Nothing of the writes is left behind.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["elsewhere.txt", "tokens.json", "tokens.json.tmp"]);
}
