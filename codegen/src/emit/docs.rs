//! Rustdoc from Google's descriptions: safe for rustdoc, never a doctest, never a broken link.

use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc]` attributes for `text`, one per line, after [`sanitize`].
pub fn doc_attrs(text: &str) -> TokenStream {
    let lines = sanitize(text).into_iter().map(doc_line);
    quote!(#(#[doc = #lines])*)
}

/// Inner `#![doc]` attributes for `text`, for a module's own docs.
pub fn inner_doc_attrs(text: &str) -> TokenStream {
    let lines = sanitize(text).into_iter().map(doc_line);
    quote!(#(#![doc = #lines])*)
}

/// `text` (a path, an id) as a Markdown code span; when it holds a backtick or a control
/// character, which a span cannot, as escaped prose instead.
pub fn code(text: &str) -> String {
    if text.contains('`') || text.contains(|c: char| c.is_control()) {
        let mut out = String::new();
        escape_plain_text(&one_line(text).replace('`', "\\`"), &mut out);
        out
    } else {
        format!("`{text}`")
    }
}

/// Rustdoc lines start with a space after the `///`, unless they are empty.
pub fn doc_line(line: String) -> String {
    if line.is_empty() {
        line
    } else {
        format!(" {line}")
    }
}

/// Joins paragraphs with a blank line, skipping empty ones.
pub fn paragraphs<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    parts
        .into_iter()
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Makes a description safe to put in rustdoc, as lines:
/// - leading indentation is dropped, so nothing becomes an indented (Rust) code block;
/// - fenced blocks are marked `text`, so rustdoc never compiles them as doctests;
/// - outside code, `[`, `]`, `<` and `>` are escaped (no broken intra-doc links, no stray HTML)
///   and bare URLs become `<...>` autolinks;
/// - tabs become spaces and trailing white space goes.
///
/// Bidirectional controls are escaped later, in every comment of the rendered file at once
/// (`render`), since names from the document reach docs by other ways too.
pub fn sanitize(text: &str) -> Vec<String> {
    let indented: Vec<String> = text
        .trim()
        .lines()
        .map(|line| line.replace('\t', "    ").trim_end().to_owned())
        .collect();
    let raw: Vec<&str> = indented.iter().map(|line| line.trim_start()).collect();
    let mut lines = Vec::new();
    let mut index = 0;
    while index < raw.len() {
        let line = raw[index];
        index += 1;
        if line.starts_with("```") {
            // Whatever language the fence names, rustdoc must not compile it. The block keeps
            // its indentation (a JSON example reads by it), less what all its lines share.
            let end = raw[index..]
                .iter()
                .position(|line| line.starts_with("```"))
                .map_or(raw.len(), |offset| index + offset);
            lines.push("```text".to_owned());
            lines.extend(dedent(&indented[index..end]));
            lines.push("```".to_owned());
            index = end + 1;
            continue;
        }
        let following: Vec<&str> = raw[index..].iter().take(MAX_LINK_WRAP).copied().collect();
        let (line, joined) = join_wrapped_link(line, &following);
        index += joined;
        lines.push(escape_line(&line));
    }
    // Collapse runs of blank lines.
    lines.dedup_by(|a, b| a.is_empty() && b.is_empty());
    lines
}

/// The most lines after a line that a link's text may wrap onto.
const MAX_LINK_WRAP: usize = 3;

/// `line` joined to as many of the `following` lines as complete a Markdown link whose text
/// wraps between them (`* [Global (external and` / `internal)](https://...)`, as compute's
/// descriptions write 118 links), and how many it took; rustdoc, like any Markdown reader,
/// reads a line break in a link's text as a space. A bracket that no link closes within a
/// few lines still stops at its line's end.
fn join_wrapped_link(line: &str, following: &[&str]) -> (String, usize) {
    let mut joined = line.to_owned();
    for (count, next) in following.iter().take(MAX_LINK_WRAP).enumerate() {
        if next.is_empty() || next.starts_with("```") {
            break;
        }
        joined.push(' ');
        joined.push_str(next);
        if link_across(&joined, line.len()) {
            return (joined, count + 1);
        }
    }
    (line.to_owned(), 0)
}

/// `lines` without the indentation every non-blank one of them has.
fn dedent(lines: &[String]) -> impl Iterator<Item = String> + '_ {
    let common = lines
        .iter()
        .filter(|line| !line.is_empty())
        .map(|line| line.len() - line.trim_start_matches(' ').len())
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .map(move |line| line.get(common..).unwrap_or("").to_owned())
}

/// Whether a Markdown link in `text` starts before byte `at` and ends after it.
fn link_across(text: &str, at: usize) -> bool {
    let mut from = 0;
    while let Some((start, _, _, end)) = next_link(&text[from..]) {
        if from + start < at && from + end > at {
            return true;
        }
        from += end;
    }
    false
}

/// The bidirectional controls that rustc refuses in comments and string literals: they can make
/// source text read differently from how it compiles.
pub const BIDI_CONTROLS: [char; 9] = [
    '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}',
    '\u{2069}',
];

/// Whether `text` holds any of [`BIDI_CONTROLS`]. Each is encoded in UTF-8 as `E2 80 xx` or
/// `E2 81 xx`, so only the text after an `E2` byte is decoded: a crate's 20 MB are looked
/// through at the speed of a byte search rather than a character at a time.
pub fn contains_bidi(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(offset) = bytes[from..].iter().position(|&byte| byte == 0xE2) {
        let at = from + offset;
        let found = text
            .get(at..)
            .and_then(|rest| rest.chars().next())
            .is_some_and(|c| BIDI_CONTROLS.contains(&c));
        if found {
            return true;
        }
        from = at + 1;
    }
    false
}

/// `text` with each of [`BIDI_CONTROLS`] written as its escape, such as `\u{202E}`.
pub fn escape_bidi(text: &str) -> String {
    if !contains_bidi(text) {
        return text.to_owned();
    }
    escape_where(text, |c| BIDI_CONTROLS.contains(&c))
}

/// `text` (a revision, an id) fit for one line of a comment or of prose: control characters (a
/// line break would end a comment) and bidirectional controls written as escapes.
pub fn one_line(text: &str) -> String {
    escape_where(text, |c| c.is_control() || BIDI_CONTROLS.contains(&c))
}

/// `text` with every character `escaped` picks written as `\u{XXXX}`.
fn escape_where(text: &str, escaped: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if escaped(c) {
            out.push_str(&format!("\\u{{{:04X}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Escapes the prose parts of one line; `code spans` stay as they are.
fn escape_line(line: &str) -> String {
    let spans: Vec<&str> = line.split('`').collect();
    let balanced = spans.len() % 2 == 1;
    let mut out = String::with_capacity(line.len() + 8);
    for (index, span) in spans.iter().enumerate() {
        let is_code = balanced && index % 2 == 1;
        if index > 0 {
            out.push_str(if balanced { "`" } else { "\\`" });
        }
        if is_code {
            out.push_str(span);
        } else {
            escape_prose(span, &mut out);
        }
    }
    out
}

/// Escapes prose: Markdown links to web pages (`[text](https://...)`) stay links, other links
/// keep only their text (the lowering has made Google's site-relative ones absolute), and the
/// rest is [`escape_plain`].
fn escape_prose(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some((start, link_text, target, end)) = next_link(rest) {
        escape_plain(&rest[..start], out);
        if target.starts_with("https://") || target.starts_with("http://") {
            out.push('[');
            escape_plain_text(link_text, out);
            out.push_str("](");
            out.push_str(target);
            out.push(')');
        } else if let Some(name) = model_link(link_text, target) {
            // A type the lowering found mentioned (`lower::links`), shown as code.
            out.push_str(&format!("[`{name}`](crate::model::{name})"));
        } else {
            escape_plain_text(link_text, out);
        }
        rest = &rest[end..];
    }
    escape_plain(rest, out);
}

/// The first Markdown inline link in `text`: where it starts, its text, its target and where it
/// ends. The text holds no brackets and the target no white space or parentheses, so nothing
/// else reads as one.
pub(crate) fn next_link(text: &str) -> Option<(usize, &str, &str, usize)> {
    let mut from = 0;
    while let Some(offset) = text[from..].find('[') {
        let start = from + offset;
        from = start + 1;
        let after = &text[start + 1..];
        let close = after.find([']', '['])?;
        if !after[close..].starts_with("](") || close == 0 {
            continue;
        }
        let target_start = start + 1 + close + 2;
        let tail = &text[target_start..];
        let target_end = tail.find(|c: char| c == ')' || c == '(' || c.is_whitespace())?;
        if !tail[target_end..].starts_with(')') || target_end == 0 {
            continue;
        }
        let target = &tail[..target_end];
        if target.contains(['<', '>', '"', '\\']) {
            continue;
        }
        return Some((
            start,
            &after[..close],
            target,
            target_start + target_end + 1,
        ));
    }
    None
}

/// The type a link made by the lowering points to: `[Name](crate::model::Name)`, the name an
/// identifier. The lowering turns every other link into `crate::` into plain text first.
fn model_link<'a>(text: &'a str, target: &str) -> Option<&'a str> {
    let name = target.strip_prefix("crate::model::")?;
    let plain = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    (plain && name == text).then_some(text)
}

/// Escapes Markdown and HTML specials, without making links.
fn escape_plain_text(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '[' => out.push_str("\\["),
            ']' => out.push_str("\\]"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            other => out.push(other),
        }
    }
}

/// Escapes Markdown and HTML specials in prose and turns bare URLs into autolinks.
fn escape_plain(text: &str, out: &mut String) {
    let mut rest = text;
    while !rest.is_empty() {
        let next_url = ["https://", "http://"]
            .iter()
            .filter_map(|scheme| rest.find(scheme))
            .min();
        let (before, url, after) = match next_url {
            Some(start) => {
                let tail = &rest[start..];
                let end = tail
                    .find(|c: char| c.is_whitespace() || "<>\"'`()[]{}|\\^".contains(c))
                    .unwrap_or(tail.len());
                let url = tail[..end].trim_end_matches(['.', ',', ';', ':', '!', '?']);
                (&rest[..start], url, &rest[start + url.len()..])
            }
            None => (rest, "", ""),
        };
        escape_plain_text(before, out);
        if !url.is_empty() {
            out.push('<');
            out.push_str(url);
            out.push('>');
        }
        rest = after;
        if url.is_empty() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn bidi_controls_are_found_among_other_three_byte_characters() {
        use super::contains_bidi;
        assert!(!contains_bidi(
            "a \u{2014} dash, \u{201C}quotes\u{201D} and \u{2070}"
        ));
        assert!(contains_bidi("\u{2014}x\u{202E}"));
        assert!(contains_bidi("ends with \u{2069}"));
        assert!(!contains_bidi(""));
    }

    fn check(input: &str, expected: &[&str]) {
        assert_eq!(sanitize(input), expected, "input: {input:?}");
    }

    #[test]
    fn descriptions_become_safe_rustdoc() {
        check("Plain text.", &["Plain text."]);
        check(
            "See [Foo] and <b>bold</b>.",
            &["See \\[Foo\\] and &lt;b&gt;bold&lt;/b&gt;."],
        );
        check("Keep `a[0] <b>` as code.", &["Keep `a[0] <b>` as code."]);
        check("One ` stray tick [x]", &["One \\` stray tick \\[x\\]"]);
        check(
            "Docs at https://example.com/a_b. More (http://x.y/z).",
            &["Docs at <https://example.com/a_b>. More (<http://x.y/z>)."],
        );
        check("a\n    indented code\n\tb", &["a", "indented code", "b"]);
        check(
            "Example:\n```\n    {\n      \"a\": [\n        1\n      ]\n    }\n```\nAfter.",
            &[
                "Example:",
                "```text",
                "{",
                "  \"a\": [",
                "    1",
                "  ]",
                "}",
                "```",
                "After.",
            ],
        );
        check(
            "```\nlet x = [1];\n```",
            &["```text", "let x = [1];", "```"],
        );
        check("```json\n{}", &["```text", "{}", "```"]);
        check("a\n\n\n\nb", &["a", "", "b"]);
        check("", &[] as &[&str]);
    }

    #[test]
    fn a_link_whose_text_wraps_stays_one_link() {
        check(
            "Two kinds:\n\n* [Global (external and\ninternal)](https://x.y/global)\n* [Regional](https://x.y/r)",
            &[
                "Two kinds:",
                "",
                "* [Global (external and internal)](https://x.y/global)",
                "* [Regional](https://x.y/r)",
            ],
        );
        check(
            "See [a link\nwhose text\nwraps twice](https://x.y) here.",
            &["See [a link whose text wraps twice](https://x.y) here."],
        );
        // A bracket no link closes stops at its line; so does one across a blank line.
        check("A [stray\nbracket.", &["A \\[stray", "bracket."]);
        check(
            "[a\n\nb](https://x.y)",
            &["\\[a", "", "b\\](<https://x.y>)"],
        );
        // A link that ends on its own line is not joined to the next.
        check(
            "[a](https://x.y) and\nmore.",
            &["[a](https://x.y) and", "more."],
        );
    }

    #[test]
    fn markdown_links_to_web_pages_stay_links() {
        check(
            "See [the guide](https://developers.google.com/drive/a_b).",
            &["See [the guide](https://developers.google.com/drive/a_b)."],
        );
        // A link to somewhere rustdoc cannot reach keeps its text.
        check(
            "See [this](#anchor) and [that](../x).",
            &["See this and that."],
        );
        // Brackets in the text, parentheses in the target, no text, a space: not links.
        check(
            "[a [b]](https://x.y) [c](https://x.y/(z)) [](https://x.y) [d] (https://x.y)",
            &[
                "\\[a \\[b\\]\\](<https://x.y>) \\[c\\](<https://x.y/>(z)) \\[\\](<https://x.y>) \\[d\\] (<https://x.y>)",
            ],
        );
        check(
            "A [<b>](https://x.y) link and `[code](https://x.y)`.",
            &["A [&lt;b&gt;](https://x.y) link and `[code](https://x.y)`."],
        );
    }
}
