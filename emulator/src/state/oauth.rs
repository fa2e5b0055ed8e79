//! The minimal OAuth server: a consent endpoint that grants at once, and a token endpoint.

use base64::Engine as _;
use serde_json::{Value, json};
use sha2::Digest as _;

use super::{Grant, PendingCode, Reply, SCOPE_PREFIX, State, Token, encode, form, oauth_error};
use crate::config::AccessType;

impl State {
    pub(super) fn authorize(&mut self, query: &str) -> Reply {
        let params = form(query);
        let get = |name: &str| params.get(name).cloned().unwrap_or_default();
        if get("response_type") != "code"
            || get("redirect_uri").is_empty()
            || get("client_id").is_empty()
        {
            return oauth_error(
                400,
                "invalid_request",
                "response_type=code, client_id and redirect_uri are required",
            );
        }
        if let Err(reason) = check_redirect_uri(&get("redirect_uri")) {
            return oauth_error(400, "invalid_request", &format!("redirect_uri {reason}"));
        }
        let mut resources = Vec::new();
        for scope in get("scope").split_whitespace() {
            match scope.strip_prefix(SCOPE_PREFIX) {
                Some(resource) if crate::resources::is_known(resource) => {
                    resources.push(resource.to_owned())
                }
                _ => {
                    return oauth_error(
                        400,
                        "invalid_scope",
                        &format!("{scope} is not a Data Portability scope"),
                    );
                }
            }
        }
        if resources.is_empty() {
            return oauth_error(400, "invalid_scope", "no scope requested");
        }
        let access_type = match get("emulator_access_type").as_str() {
            "TIME_BASED" => AccessType::TimeBased,
            "ONE_TIME" => AccessType::OneTime,
            _ => self.config.access_type,
        };
        let challenge = params.get("code_challenge").cloned();
        if challenge.is_some() && get("code_challenge_method") != "S256" {
            return oauth_error(
                400,
                "invalid_request",
                "only the S256 code challenge method is supported",
            );
        }
        self.grants.push(Grant {
            resources: resources.into_iter().collect(),
            access_type,
        });
        let code = self.new_id("emu-code-");
        self.codes.insert(
            code.clone(),
            PendingCode {
                grant: self.grants.len() - 1,
                redirect_uri: get("redirect_uri"),
                challenge,
            },
        );
        let separator = if get("redirect_uri").contains('?') {
            '&'
        } else {
            '?'
        };
        let location = format!(
            "{}{separator}code={}&state={}",
            get("redirect_uri"),
            encode(&code),
            encode(&get("state"))
        );
        Reply {
            status: 302,
            headers: vec![("location".into(), location)],
            ..Reply::default()
        }
    }

    pub(super) fn token(&mut self, body: &[u8]) -> Reply {
        let params = form(&String::from_utf8_lossy(body));
        let get = |name: &str| params.get(name).cloned().unwrap_or_default();
        match get("grant_type").as_str() {
            "authorization_code" => {
                let Some(pending) = self.codes.remove(&get("code")) else {
                    return oauth_error(400, "invalid_grant", "unknown or used code");
                };
                if pending.redirect_uri != get("redirect_uri") {
                    return oauth_error(400, "invalid_grant", "redirect_uri does not match");
                }
                if let Some(challenge) = &pending.challenge {
                    let digest = sha2::Sha256::digest(get("code_verifier").as_bytes());
                    let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest);
                    if &computed != challenge {
                        return oauth_error(
                            400,
                            "invalid_grant",
                            "code_verifier does not match the challenge",
                        );
                    }
                }
                let (access, refresh) = self.issue_tokens(pending.grant);
                Reply::json(200, self.token_body(&access, Some(&refresh), pending.grant))
            }
            "refresh_token" => {
                let Some(&grant) = self.refresh_tokens.get(&get("refresh_token")) else {
                    return oauth_error(400, "invalid_grant", "unknown or revoked refresh token");
                };
                let access = self.new_id("emu-at-");
                let expires_at = self.clock.now() + self.config.token_lifetime;
                self.tokens
                    .insert(access.clone(), Token { grant, expires_at });
                Reply::json(200, self.token_body(&access, None, grant))
            }
            other => oauth_error(
                400,
                "unsupported_grant_type",
                &format!("grant_type {other:?}"),
            ),
        }
    }

    fn token_body(&self, access: &str, refresh: Option<&str>, grant: usize) -> Value {
        let scope: Vec<String> = self.grants[grant]
            .resources
            .iter()
            .map(|resource| format!("{SCOPE_PREFIX}{resource}"))
            .collect();
        let mut body = json!({
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self.config.token_lifetime.as_secs(),
            "scope": scope.join(" "),
        });
        if let Some(refresh) = refresh {
            body["refresh_token"] = json!(refresh);
        }
        body
    }
}

/// A redirect URI must be an absolute URI in visible ASCII (non-ASCII characters
/// percent-encoded), since it goes into the `Location` header: a line break there would split
/// the response, and NUL or DEL cannot be sent at all.
fn check_redirect_uri(uri: &str) -> Result<(), &'static str> {
    if !uri.bytes().all(|byte| byte.is_ascii_graphic()) {
        return Err("must be visible ASCII, without spaces or control characters");
    }
    let scheme = uri.split_once(':').map_or("", |(scheme, _)| scheme);
    let valid_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !valid_scheme {
        return Err("must be an absolute URI, such as http://127.0.0.1:8765/callback");
    }
    Ok(())
}
