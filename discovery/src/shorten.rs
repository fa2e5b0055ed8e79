//! Keeping error messages readable when the document holds huge values: long keys and quoted
//! strings are cut, so a 1 MB name never ends up in a terminal or a log.

use std::borrow::Cow;

/// The most characters of one key or quoted value an error message shows.
pub const SHOWN_CHARS: usize = 80;

/// `text` cut to [`SHOWN_CHARS`] characters, with `…` and the full length when cut.
pub fn shorten(text: &str) -> Cow<'_, str> {
    match text.char_indices().nth(SHOWN_CHARS) {
        None => Cow::Borrowed(text),
        Some((cut, _)) => Cow::Owned(format!(
            "{}… ({} characters)",
            &text[..cut],
            text.chars().count()
        )),
    }
}

/// `message` with every double-quoted string in it (backslash escapes respected) cut as
/// [`shorten`] cuts, keeping the quotes.
pub fn shorten_quoted(message: &str) -> Cow<'_, str> {
    let mut out = String::new();
    let mut rest = message;
    let mut changed = false;
    while let Some(open) = rest.find('"') {
        let inner_start = open + 1;
        let mut escaped = false;
        let close = rest[inner_start..].char_indices().find_map(|(offset, c)| {
            let found = c == '"' && !escaped;
            escaped = c == '\\' && !escaped;
            found.then_some(inner_start + offset)
        });
        let Some(close) = close else { break };
        let inner = &rest[inner_start..close];
        out.push_str(&rest[..inner_start]);
        let short = shorten(inner);
        changed |= matches!(short, Cow::Owned(_));
        out.push_str(&short);
        out.push('"');
        rest = &rest[close + 1..];
    }
    if !changed {
        return Cow::Borrowed(message);
    }
    out.push_str(rest);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_cut() {
        let long = "x".repeat(1_000_000);
        let short = shorten(&long);
        assert!(short.len() < 120, "{short}");
        assert!(short.ends_with("… (1000000 characters)"), "{short}");
        assert_eq!(shorten("short"), "short");

        let message = format!(r#"unknown variant "{long}", expected "a" or "b\"c""#);
        let shown = shorten_quoted(&message);
        assert!(shown.len() < 200, "{shown}");
        assert!(shown.ends_with(r#"", expected "a" or "b\"c""#), "{shown}");
        assert_eq!(shorten_quoted(r#"plain "a" and "b"#), r#"plain "a" and "b"#);
    }
}
