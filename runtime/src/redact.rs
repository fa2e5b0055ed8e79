//! Keeping credentials out of everything a person or a log may see: URLs, bodies, `Debug`.

/// Query parameters whose values are credentials.
pub(crate) const SECRET_QUERY_PARAMETERS: [&str; 4] =
    ["key", "access_token", "oauth_token", "upload_id"];

/// What stands in for a removed secret.
pub(crate) const REDACTED: &str = "<redacted>";

/// The URL with the password of its user information and the values of credential query
/// parameters replaced, for logs, errors and `Debug`. Works on text that does not parse as a URL
/// too, since it is also used to report URLs that were refused.
pub fn redact_url(url: &str) -> String {
    let (before_query, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let mut out = redact_password(before_query);
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

/// `scheme://user:password@host/...` with the password replaced.
fn redact_password(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let authority_start = scheme_end + 3;
    let authority_end = url[authority_start..]
        .find(['/', '#'])
        .map_or(url.len(), |offset| authority_start + offset);
    let authority = &url[authority_start..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_owned();
    };
    let user_info = &authority[..at];
    let Some(colon) = user_info.find(':') else {
        return url.to_owned();
    };
    format!(
        "{}{}:{REDACTED}{}",
        &url[..authority_start],
        &user_info[..colon],
        &url[authority_start + at..]
    )
}

/// `text` with credentials that commonly show up in echoed requests replaced: the token after
/// `Bearer`, and the values of `access_token`, `refresh_token`, `oauth_token`, `client_secret`,
/// `key` and `password` in query strings, forms and JSON. A server that echoes the request it got
/// (some proxies and error pages do) must not make an error message leak the caller's token.
pub(crate) fn redact_text(text: &str) -> String {
    let mut out = text.to_owned();
    redact_after(&mut out, "bearer ", &[]);
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
            "https://u:<redacted>@h.example/v1?key=<redacted>&a=1",
        );
        check("https://u@h.example/", "https://u@h.example/");
        check(
            "http://u:p@ss@h/x?access_token=t",
            "http://u:<redacted>@h/x?access_token=<redacted>",
        );
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
        check("bearer", "bearer");
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
