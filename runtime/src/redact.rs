//! Keeping credentials out of everything a person or a log may see: URLs, bodies, `Debug`.

use std::sync::Arc;

use super::auth::AccessToken;

/// Query parameters whose values are credentials.
pub(crate) const SECRET_QUERY_PARAMETERS: [&str; 4] =
    ["key", "access_token", "oauth_token", "upload_id"];

/// What stands in for a removed secret.
pub(crate) const REDACTED: &str = "<redacted>";

/// The URL with its user information (a name alone can be a token) and the values of credential
/// query parameters replaced, for logs, errors and `Debug`. Works on text that does not parse as
/// a URL too, since it is also used to report URLs that were refused.
pub fn redact_url(url: &str) -> String {
    let (mut out, rest) = without_user_info(url);
    let (before_query, query) = match rest.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (rest, None),
    };
    out.push_str(before_query);
    if let Some(query) = query {
        out.push('?');
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, _)) if SECRET_QUERY_PARAMETERS.contains(&name) => {
                    format!("{name}={REDACTED}")
                }
                _ => pair.to_owned(),
            })
            .collect();
        out.push_str(&pairs.join("&"));
    }
    out
}

/// `url` split into its start up to the host, with any user information replaced, and the
/// rest. Where the URL parses, the parser says where the user information ends, so a password
/// holding `/`, `?` or `#` is found whole. Where it does not, everything from the authority's
/// start to the last `@` is taken for user information: that may hide more than needed, never
/// less.
fn without_user_info(url: &str) -> (String, &str) {
    let Some(scheme_end) = url.find("://") else {
        return (String::new(), url);
    };
    let authority_start = scheme_end + 3;
    let scheme = &url[..authority_start];
    let hidden = |at: usize| (format!("{scheme}{REDACTED}"), &url[at..]);
    if url::Url::parse(url).is_ok() {
        // It parses, so its authority ends at the first of these, as the parser read it, and
        // the user information at the last `@` in it.
        let authority = url[authority_start..]
            .find(['/', '?', '#', '\\'])
            .map_or(&url[authority_start..], |end| {
                &url[authority_start..authority_start + end]
            });
        return match authority.rfind('@') {
            Some(offset) => hidden(authority_start + offset),
            None => (scheme.to_owned(), &url[authority_start..]),
        };
    }
    match url[authority_start..].rfind('@') {
        Some(offset) => hidden(authority_start + offset),
        None => (scheme.to_owned(), &url[authority_start..]),
    }
}

/// `text` with credentials that commonly show up in echoed requests replaced: the token after
/// `Bearer`, an echoed `Authorization: Basic` header's credential, and the values of `access_token`, `refresh_token`, `oauth_token`, `client_secret`,
/// `key` and `password` in query strings, forms and JSON. A server that echoes the request it got
/// (some proxies and error pages do) must not make an error message leak the caller's token.
pub(crate) fn redact_text(text: &str) -> String {
    let mut out = text.to_owned();
    redact_after(&mut out, "bearer ", &[]);
    redact_after(&mut out, "authorization: basic ", &[]);
    for name in [
        "access_token",
        "refresh_token",
        "oauth_token",
        "client_secret",
        "key",
        "password",
    ] {
        // `name=value` (query or form) and `"name": "value"` (JSON).
        redact_after(&mut out, &format!("{name}="), &[]);
        redact_after(&mut out, &format!("\"{name}\""), &[':', ' ', '"']);
    }
    out
}

/// Replaces the value after every case-insensitive occurrence of `marker` (skipping any of
/// `separators` first) with [`REDACTED`]. A value ends at white space, a quote, `&`, `,`, `;`,
/// `<` or `}`.
fn redact_after(text: &mut String, marker: &str, separators: &[char]) {
    let mut from = 0;
    loop {
        let lower = text.to_ascii_lowercase();
        let Some(found) = lower[from..].find(marker) else {
            return;
        };
        let marker_end = from + found + marker.len();
        // Only a whole name: `monkey=` is not `key=`.
        let starts_word = from + found == 0
            || !lower.as_bytes()[from + found - 1].is_ascii_alphanumeric()
                && lower.as_bytes()[from + found - 1] != b'_';
        let value_start = text[marker_end..]
            .find(|c: char| !separators.contains(&c))
            .map_or(text.len(), |offset| marker_end + offset);
        let value_end = text[value_start..]
            .find(|c: char| c.is_whitespace() || "\"'&,;<}".contains(c))
            .map_or(text.len(), |offset| value_start + offset);
        if starts_word && value_end > value_start && &text[value_start..value_end] != REDACTED {
            text.replace_range(value_start..value_end, REDACTED);
            from = value_start + REDACTED.len();
        } else {
            from = marker_end;
        }
    }
}

/// `body` with every occurrence of each non-empty `secret` replaced, for error bodies that echo
/// the credentials the request carried.
pub(crate) fn scrub(body: Vec<u8>, secrets: &[&str]) -> Vec<u8> {
    let mut body = body;
    for secret in secrets.iter().filter(|secret| secret.len() >= 4) {
        let needle = secret.as_bytes();
        let mut out = Vec::with_capacity(body.len());
        let mut rest = body.as_slice();
        let mut changed = false;
        while let Some(at) = rest
            .windows(needle.len())
            .position(|window| window == needle)
        {
            out.extend_from_slice(&rest[..at]);
            out.extend_from_slice(REDACTED.as_bytes());
            rest = &rest[at + needle.len()..];
            changed = true;
        }
        if changed {
            out.extend_from_slice(rest);
            body = out;
        }
    }
    body
}

/// The credentials one request carried, which nothing made from its answer may show: the token,
/// the API key, a refresh token or client secret. Each is looked for in the forms a server may
/// echo it in: as sent, percent-encoded as a query value, and with every byte percent-encoded.
/// Every error that holds what a server sent (a body, a header, a message) is made through
/// [`Secrets::scrub`], the one rule for all of them. The forms are worked out only then: a
/// successful call, which every response may become, pays for keeping the secrets, not for
/// their forms.
#[derive(Clone, Default)]
pub(crate) struct Secrets(Vec<Arc<str>>);

impl Secrets {
    /// Secrets of a request that carried `token` and `api_key`, when it did; shared with them,
    /// not copied.
    pub(crate) fn of(token: Option<&AccessToken>, api_key: Option<&Arc<str>>) -> Secrets {
        let mut secrets = Secrets::default();
        for secret in [token.map(AccessToken::shared), api_key.cloned()]
            .into_iter()
            .flatten()
        {
            secrets.add_shared(secret);
        }
        secrets
    }

    /// Adds `secret`. Secrets shorter than four bytes are not looked for: replacing them
    /// everywhere would garble the text and hide nothing.
    pub(crate) fn add(&mut self, secret: &str) {
        self.add_shared(Arc::from(secret));
    }

    /// Adds `secret`, shared.
    fn add_shared(&mut self, secret: Arc<str>) {
        if secret.len() >= 4 && !self.0.contains(&secret) {
            self.0.push(secret);
        }
    }

    /// Every form of every secret, longest first, so that a form that contains another is
    /// replaced whole.
    fn forms(&self) -> Vec<String> {
        use std::fmt::Write as _;
        let mut forms: Vec<String> = Vec::new();
        for secret in &self.0 {
            let mut query = String::new();
            super::path::percent_encode(secret, &mut query);
            let (mut upper, mut lower) = (String::new(), String::new());
            for byte in secret.bytes() {
                let _ = write!(upper, "%{byte:02X}");
                let _ = write!(lower, "%{byte:02x}");
            }
            for form in [secret.to_string(), query, upper, lower] {
                if !forms.contains(&form) {
                    forms.push(form);
                }
            }
        }
        forms.sort_by_key(|form| std::cmp::Reverse(form.len()));
        forms
    }

    /// `body` with every form of every secret replaced.
    pub(crate) fn scrub(&self, body: Vec<u8>) -> Vec<u8> {
        if self.0.is_empty() {
            return body;
        }
        let forms = self.forms();
        let forms: Vec<&str> = forms.iter().map(String::as_str).collect();
        scrub(body, &forms)
    }

    /// `text` with every form of every secret replaced.
    pub(crate) fn scrub_text(&self, text: &str) -> String {
        match String::from_utf8(self.scrub(text.as_bytes().to_vec())) {
            Ok(text) => text,
            Err(error) => String::from_utf8_lossy(error.as_bytes()).into_owned(),
        }
    }
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secrets({REDACTED})")
    }
}

/// The start of a body as text, for messages: at most `limit` characters, control characters
/// shown as spaces, credentials redacted, `…` and the full size when cut.
pub(crate) fn body_excerpt(body: &[u8], limit: usize) -> String {
    let text = String::from_utf8_lossy(body);
    let mut excerpt: String = text
        .chars()
        .take(limit)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    excerpt = redact_text(&excerpt);
    if text.chars().count() > limit {
        excerpt.push_str(&format!("… ({} bytes in all)", body.len()));
    }
    excerpt
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let check = |url: &str, want: &str| assert_eq!(redact_url(url), want, "{url}");
        check(
            "https://u:p4ss@h.example/v1?key=k&a=1",
            "https://<redacted>@h.example/v1?key=<redacted>&a=1",
        );
        check("https://TOKEN@h.example/", "https://<redacted>@h.example/");
        check(
            "http://u:p@ss@h/x?access_token=t",
            "http://<redacted>@h/x?access_token=<redacted>",
        );
        // A password holding `#`, `?` or `/`, which a naive reader takes for the authority's end.
        for url in [
            "http://u:pa#ss@h.example/v1/",
            "http://u:pa%2Fss@h.example/v1/",
            "http://u:pa?ss@h.example/v1/",
            "http://u:pa/ss@h.example/v1/",
            "http://u:pa ss@h .example/v1/",
        ] {
            let shown = redact_url(url);
            assert!(!shown.contains("pa"), "{url} -> {shown}");
        }
        check("https://h.example/a@b/c", "https://h.example/a@b/c");
        check("not a url", "not a url");
    }

    #[test]
    fn text() {
        let check = |text: &str, want: &str| assert_eq!(redact_text(text), want, "{text}");
        check(
            "Authorization: Bearer ya29.secret-token\n",
            "Authorization: Bearer <redacted>\n",
        );
        check(
            r#"{"access_token": "at-1", "refresh_token":"rt-1"}"#,
            r#"{"access_token": "<redacted>", "refresh_token":"<redacted>"}"#,
        );
        check(
            "a=1&key=k1&monkey=banana",
            "a=1&key=<redacted>&monkey=banana",
        );
        check("nothing to hide", "nothing to hide");
        check(
            "authorization: Basic Y2xpZW50OnNlY3JldA==",
            "authorization: Basic <redacted>",
        );
        check("bearer", "bearer");
    }

    #[test]
    fn secrets_are_found_in_every_form() {
        let token = AccessToken::new("ya29.tok/en+1");
        let secrets = Secrets::of(Some(&token), Some(&Arc::from("AIzaKEY")));
        for echoed in [
            "ya29.tok/en+1",
            "ya29.tok%2Fen%2B1",
            "%79%61%32%39%2E%74%6F%6B%2F%65%6E%2B%31",
            "%41%49%7a%61%4b%45%59",
            "AIzaKEY",
        ] {
            let text = format!("you sent {echoed}!");
            assert_eq!(
                secrets.scrub_text(&text),
                "you sent <redacted>!",
                "{echoed}"
            );
        }
        assert!(!format!("{secrets:?}").contains("AIza"));
    }

    #[test]
    fn scrubbing() {
        let body = b"you sent tok-12345 and tok-12345".to_vec();
        assert_eq!(
            scrub(body, &["tok-12345", ""]),
            b"you sent <redacted> and <redacted>"
        );
    }
}
