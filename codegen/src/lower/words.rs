//! Splitting Google's run-together resource and method names (`accessproposals`,
//! `custombatch`) into words, by the words the document's own camelCase names use, so the
//! types made from them read `AccessProposalsResource`, not `AccessproposalsResource`.

use std::collections::BTreeSet;

use discovery::{Document, Resource, Schema};

use crate::names;

/// Words that read as one although the document's words could split them (`pre` and `view`).
const WHOLE_WORDS: &[&str] = &[
    "backup",
    "breakpoint",
    "checkout",
    "checkpoint",
    "database",
    "dataset",
    "datastore",
    "download",
    "endpoint",
    "firewall",
    "homepage",
    "hostname",
    "inbox",
    "keystore",
    "keyword",
    "login",
    "logout",
    "metadata",
    "network",
    "nickname",
    "offline",
    "online",
    "outbox",
    "overview",
    "password",
    "playlist",
    "preview",
    "readonly",
    "schedule",
    "setup",
    "signup",
    "snapshot",
    "template",
    "timeline",
    "timestamp",
    "timezone",
    "update",
    "upload",
    "username",
    "webhook",
    "website",
    "wildcard",
    "workspace",
];

/// The shortest word a run-together name is split into: shorter ones (`a`, `of`) would split
/// too much.
const MIN_WORD: usize = 3;

/// The shortest run-together name worth splitting.
const MIN_NAME: usize = 6;

/// The words of one document: each word of its names that have more than one (schema ids,
/// properties, resources, methods and parameters), lower-case.
#[derive(Debug, Default)]
pub(crate) struct Words {
    known: BTreeSet<String>,
}

impl Words {
    /// The words `document`'s own names spell out.
    pub(crate) fn of(document: &Document) -> Words {
        let mut words = Words::default();
        let mut pending: Vec<&Schema> = document.schemas.values().collect();
        for id in document.schemas.keys() {
            words.learn(id);
        }
        let mut resources: Vec<(&String, &Resource)> = document.resources.iter().collect();
        let mut methods: Vec<_> = document.methods.iter().collect();
        while let Some((name, resource)) = resources.pop() {
            words.learn(name);
            methods.extend(&resource.methods);
            resources.extend(&resource.resources);
        }
        for (name, method) in methods {
            words.learn(name);
            for (parameter, schema) in &method.parameters {
                words.learn(parameter);
                pending.push(schema);
            }
            pending.extend(method.request.iter().chain(&method.response));
        }
        pending.extend(document.parameters.values());
        while let Some(schema) = pending.pop() {
            for (property, inner) in &schema.properties {
                words.learn(property);
                pending.push(inner);
            }
            pending.extend(schema.items.as_deref());
            pending.extend(schema.additional_properties.as_deref());
        }
        words
    }

    /// Adds the words of `name` when it has more than one.
    fn learn(&mut self, name: &str) {
        let segments = names::segments(name);
        if segments.len() < 2 {
            return;
        }
        for segment in segments {
            if segment.len() >= MIN_WORD && segment.bytes().all(|b| b.is_ascii_lowercase()) {
                self.known.insert(segment);
            }
        }
    }

    /// Whether `word` is a known word, or one with a plural ending.
    fn is_word(&self, word: &str) -> bool {
        let plural = |ending: &str| {
            word.strip_suffix(ending)
                .is_some_and(|stem| self.known.contains(stem))
        };
        self.known.contains(word) || plural("s") || plural("es")
    }

    /// `name` split into the fewest known words, joined by spaces, when it is one lower-case
    /// run of letters that is not a word itself and splits wholly; else `name` as it is.
    pub(crate) fn split(&self, name: &str) -> String {
        let splittable = name.len() >= MIN_NAME
            && name.bytes().all(|b| b.is_ascii_lowercase())
            && !self.is_word(name)
            && !WHOLE_WORDS
                .iter()
                .any(|word| name == *word || name.strip_suffix('s') == Some(word));
        if !splittable {
            return name.to_owned();
        }
        // best[i]: the fewest words that spell name[..i]; the last word may be plural.
        let mut best: Vec<Option<Vec<&str>>> = vec![None; name.len() + 1];
        best[0] = Some(Vec::new());
        for start in 0..name.len() {
            let Some(before) = best[start].clone() else {
                continue;
            };
            for end in start + MIN_WORD..=name.len() {
                let word = &name[start..end];
                let known = if end == name.len() {
                    self.is_word(word)
                } else {
                    self.known.contains(word)
                };
                let shorter = best[end]
                    .as_ref()
                    .is_none_or(|found| before.len() + 1 < found.len());
                if known && shorter {
                    let mut words = before.clone();
                    words.push(word);
                    best[end] = Some(words);
                }
            }
        }
        match &best[name.len()] {
            Some(words) => words.join(" "),
            None => name.to_owned(),
        }
    }

    /// A dotted path of names (`projects.accessproposals`) with each name split, by spaces.
    pub(crate) fn split_path(&self, path: &str) -> String {
        path.split('.')
            .map(|name| self.split(name))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(names: &[&str]) -> Words {
        let mut words = Words::default();
        for name in names {
            words.learn(name);
        }
        words
    }

    #[test]
    fn run_together_names_split_by_the_documents_words() {
        let words = words(&[
            "AccessProposal",
            "listAccessProposals",
            "customBatch",
            "teamDriveId",
            "previewUrl",
            "pageSize",
            "viewCount",
            "addressLine",
        ]);
        assert_eq!(words.split("accessproposals"), "access proposals");
        assert_eq!(words.split("custombatch"), "custom batch");
        assert_eq!(words.split("teamdrives"), "team drives");
        // A name that is a word (or its plural) stays whole, and so does a listed one.
        assert_eq!(words.split("addresses"), "addresses");
        assert_eq!(words.split("proposals"), "proposals");
        assert_eq!(words.split("preview"), "preview");
        // Too short, not lower-case letters only, or not wholly made of words: as it is.
        assert_eq!(words.split("teamdr"), "teamdr");
        assert_eq!(words.split("pagesz"), "pagesz");
        assert_eq!(words.split("accessProposals"), "accessProposals");
        assert_eq!(words.split("custom_batch"), "custom_batch");
        assert_eq!(words.split("accessproposalsx"), "accessproposalsx");
        assert_eq!(
            words.split_path("drives.accessproposals"),
            "drives access proposals"
        );
    }

    #[test]
    fn the_fewest_words_win() {
        let words = words(&["custOmbaTch", "customBatch"]);
        assert_eq!(words.split("custombatch"), "custom batch");
        assert_eq!(words.split("custombatchtch"), "custom batch tch");
    }
}
