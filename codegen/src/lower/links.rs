//! Links in descriptions: Google's site-relative ones (`[guide](/drive/api/guides/about-files)`)
//! made absolute against the origin of the API's documentation link, so that they work on
//! docs.rs, and mentions of the model's types made links to them.

use std::collections::BTreeSet;

use crate::ir::{Api, TypeDef, each_method_mut};

/// Every description in `api` with its site-relative link targets made absolute (when the
/// API's documentation link is an http(s) URL), and each mention of one of the model's own
/// types made a link to it.
pub fn resolve_links(api: &mut Api) {
    let origin = api.documentation_link.as_deref().and_then(origin);
    let schemas: BTreeSet<String> = api
        .types
        .iter()
        .filter(|def| def.module().is_empty())
        .map(|def| def.name().to_owned())
        .filter(|name| is_schema_like(name))
        .collect();
    for_each_description(api, |text| {
        if let Some(origin) = &origin
            && let Some(fixed) = resolve(text, origin)
        {
            *text = fixed;
        }
        if let Some(linked) = link_schemas(text, &schemas) {
            *text = linked;
        }
    });
}

/// Calls `fix` on every description of `api`: the API's, its scopes', its types' and their
/// fields' and values', its methods' and their parameters'.
fn for_each_description(api: &mut Api, mut fix: impl FnMut(&mut String)) {
    fix(&mut api.description);
    for scope in &mut api.scopes {
        fix(&mut scope.description);
    }
    for def in &mut api.types {
        match def {
            TypeDef::Struct(def) => {
                fix(&mut def.description);
                for field in &mut def.fields {
                    fix(&mut field.description);
                }
            }
            TypeDef::Enum(def) => {
                fix(&mut def.description);
                for variant in &mut def.variants {
                    fix(&mut variant.description);
                }
            }
            TypeDef::Newtype(def) => fix(&mut def.description),
        }
    }
    each_method_mut(&mut api.root_methods, &mut api.resources, |method| {
        fix(&mut method.description);
        for param in method
            .positional
            .iter_mut()
            .chain(method.optional.iter_mut())
        {
            fix(&mut param.description);
        }
    });
    for param in &mut api.standard_params {
        fix(&mut param.description);
    }
}

/// Whether a type's name is distinct enough to link where prose mentions it: two capitals at
/// least (`PortabilityArchiveState`, not `Instance`, which is also an English word).
fn is_schema_like(name: &str) -> bool {
    name.chars().filter(char::is_ascii_uppercase).count() >= 2
}

/// `text` with each mention of a name in `schemas`, in prose, made a link to the model type
/// (`[Name](crate::model::Name)`, which rendering shows as code); `None` when nothing changes.
/// A mention in code, in a link or in a URL, or part of a dotted or slashed path, is left alone.
/// A link the document itself points into `crate::` keeps only its text, so that every such
/// link is one this pass made and resolves.
fn link_schemas(text: &str, schemas: &BTreeSet<String>) -> Option<String> {
    let neutral = text.replace("](crate::", "](#");
    let mut out = String::with_capacity(neutral.len() + 64);
    let mut changed = neutral.len() != text.len();
    let mut in_fence = false;
    for line in neutral.split_inclusive('\n') {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        }
        if in_fence || line.trim_start().starts_with("```") {
            out.push_str(line);
        } else {
            changed |= link_in_line(line, schemas, &mut out);
        }
    }
    changed.then_some(out)
}

/// [`link_schemas`] for one line outside fenced code, appended to `out`; whether it linked any.
fn link_in_line(line: &str, schemas: &BTreeSet<String>, out: &mut String) -> bool {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let (mut in_code, mut in_brackets, mut changed) = (false, 0usize, false);
    // Whether the text since the last white space holds `://`: kept as the line is read, so
    // that a long run without spaces costs no more than a short one.
    let mut in_url = false;
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        if !is_word(c) {
            match c {
                '`' => in_code = !in_code,
                '[' if !in_code => in_brackets += 1,
                ']' if !in_code => in_brackets = in_brackets.saturating_sub(1),
                _ => {}
            }
            if c.is_whitespace() {
                in_url = false;
            } else if c == ':' && rest[1..].starts_with("//") {
                in_url = true;
            }
            out.push(c);
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let end = rest.find(|c: char| !is_word(c)).unwrap_or(rest.len());
        let (word, after) = rest.split_at(end);
        let before = out.chars().last();
        let in_path = matches!(before, Some('.' | '/' | ':' | '#' | '-' | '$' | '@' | '='))
            || (after.starts_with(['.', '/', ':']) && after[1..].starts_with(is_word))
            || in_url;
        if !in_code && in_brackets == 0 && !in_path && schemas.contains(word) {
            out.push_str(&format!("[{word}](crate::model::{word})"));
            changed = true;
        } else {
            out.push_str(word);
        }
        rest = after;
    }
    changed
}

/// `https://host` of an http(s) URL with a host.
fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme != "https" && scheme != "http" {
        return None;
    }
    let host = rest.split(['/', '?', '#']).next()?;
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':');
    (!host.is_empty() && host.chars().all(plain)).then(|| format!("{scheme}://{host}"))
}

/// `text` with each `](/path` made `](origin/path`; `None` when it has none. A target that
/// starts `//` (another host, any scheme) is left alone.
fn resolve(text: &str, origin: &str) -> Option<String> {
    if !text.contains("](/") {
        return None;
    }
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(at) = rest.find("](/") {
        let (before, after) = rest.split_at(at + 2);
        out.push_str(before);
        if !after.starts_with("//") {
            out.push_str(origin);
        }
        rest = after;
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::{link_schemas, origin, resolve};

    #[test]
    fn mentions_of_types_in_prose_become_links() {
        let schemas: BTreeSet<String> = ["ArchiveState", "JobInfo"].map(String::from).into();
        let link = |text: &str| link_schemas(text, &schemas);
        assert_eq!(
            link("Returns an ArchiveState, see JobInfo.").unwrap(),
            "Returns an [ArchiveState](crate::model::ArchiveState), see \
             [JobInfo](crate::model::JobInfo)."
        );
        // Code, link text, URLs, paths and longer words stay as they are.
        assert_eq!(
            link(
                "`ArchiveState` [the ArchiveState](https://a.b/ArchiveState) x.ArchiveState \
                  ArchiveStates https://a.b/c/ArchiveState ArchiveState.name"
            ),
            None
        );
        // A link of the document's own into the crate keeps only its text.
        assert_eq!(
            link("[x](crate::model::Nope)").unwrap(),
            "[x](#model::Nope)"
        );
        assert_eq!(link("Nothing here."), None);
        // Fenced code is code, and a stray bracket or tick ends with its line.
        assert_eq!(link("Like:\n```\nJobInfo x;\n```\nDone."), None);
        assert_eq!(
            link("a [b\nJobInfo `c\nJobInfo").unwrap(),
            "a [b\n[JobInfo](crate::model::JobInfo) `c\n[JobInfo](crate::model::JobInfo)"
        );
    }

    #[test]
    fn site_relative_targets_take_the_documentation_origin() {
        let origin = origin("https://developers.google.com/workspace/drive/").unwrap();
        assert_eq!(origin, "https://developers.google.com");
        assert_eq!(
            resolve(
                "See [files](/drive/api/guides/about-files) and [x](//a.b/c).",
                &origin
            )
            .unwrap(),
            "See [files](https://developers.google.com/drive/api/guides/about-files) and \
             [x](//a.b/c)."
        );
        assert_eq!(resolve("No [links](https://a.b/).", &origin), None);
        assert_eq!(super::origin("ftp://a.b/"), None);
        assert_eq!(super::origin("https://a b/"), None);
        assert_eq!(super::origin("https:///x"), None);
    }
}
