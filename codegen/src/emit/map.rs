//! The crate page's map of the API: every resource and method, one line each, linked to its
//! type, with the first sentence of the method's description.

use super::docs::sanitize;
use crate::ir::{Api, MethodDef, ResourceDef};

/// The longest summary a map line shows, in characters; a longer first sentence is cut at a
/// word.
const SUMMARY_CHARS: usize = 160;

/// The map's lines: a heading, then the hub's own methods and each resource, nested as the API
/// nests them.
pub fn lines(api: &Api) -> Vec<String> {
    if api.root_methods.is_empty() && api.resources.is_empty() {
        return Vec::new();
    }
    let mut lines = vec![
        String::new(),
        "## Resources and methods".to_owned(),
        String::new(),
        format!(
            "From the hub, [`{}`]; each method's builder has its parameters, scopes and \
             whether it pages, uploads or downloads.",
            api.hub_name
        ),
        String::new(),
    ];
    for method in &api.root_methods {
        lines.push(method_line(method, 0));
    }
    for resource in &api.resources {
        let feature = resource
            .feature
            .as_ref()
            .map(|feature| format!(" (feature `{feature}`)"));
        resource_lines(resource, 0, feature.as_deref().unwrap_or(""), &mut lines);
    }
    lines
}

fn resource_lines(resource: &ResourceDef, depth: usize, note: &str, lines: &mut Vec<String>) {
    let deprecated = if resource.deprecated {
        " (deprecated)"
    } else {
        ""
    };
    lines.push(format!(
        "{}- [`{}()`](resources::{}){note}{deprecated}",
        "  ".repeat(depth),
        crate::names::unraw(&resource.accessor),
        resource.type_name
    ));
    for method in &resource.methods {
        lines.push(method_line(method, depth + 1));
    }
    for child in &resource.children {
        resource_lines(child, depth + 1, "", lines);
    }
}

fn method_line(method: &MethodDef, depth: usize) -> String {
    let takes_arguments = !method.positional.is_empty() || method.request.is_some();
    let arguments = if takes_arguments { ".." } else { "" };
    let deprecated = if method.deprecated {
        " (deprecated)"
    } else {
        ""
    };
    let summary = summary(&method.description);
    let summary = if summary.is_empty() {
        String::new()
    } else {
        format!(": {summary}")
    };
    format!(
        "{}- [`{}({arguments})`](resources::{}){deprecated}{summary}",
        "  ".repeat(depth),
        crate::names::unraw(&method.accessor),
        method.builder
    )
}

/// The first sentence of `description`, made safe for rustdoc, on one line.
fn summary(description: &str) -> String {
    let first_paragraph = description.trim().split("\n\n").next().unwrap_or_default();
    let before_code = first_paragraph.split("```").next().unwrap_or_default();
    let sentence = match before_code.find(". ") {
        Some(end) => &before_code[..=end],
        None => before_code,
    };
    let sentence = sentence.split_whitespace().collect::<Vec<_>>().join(" ");
    let sentence = if sentence.chars().count() > SUMMARY_CHARS {
        let cut: String = sentence.chars().take(SUMMARY_CHARS).collect();
        let at_word = cut.rsplit_once(' ').map_or(cut.as_str(), |(kept, _)| kept);
        format!("{at_word}…")
    } else {
        sentence
    };
    sanitize(&sentence).join(" ")
}

#[cfg(test)]
mod tests {
    use super::summary;

    #[test]
    fn a_summary_is_the_first_sentence_made_safe() {
        assert_eq!(summary("Lists files. More text."), "Lists files.");
        assert_eq!(
            summary("Gets a [thing](https://a.b/c)"),
            "Gets a [thing](https://a.b/c)"
        );
        assert_eq!(summary("One\nline `a[0]`.\n\nNext."), "One line `a[0]`.");
        assert_eq!(summary("Run:\n```\ncode\n```"), "Run:");
        assert_eq!(summary(""), "");
        let long = "word ".repeat(100);
        let cut = summary(&long);
        assert!(
            cut.ends_with("word…") && cut.chars().count() <= 161,
            "{cut}"
        );
    }
}
