//! Comparing two surfaces: every change, with a stable kind and a class.
//!
//! "Breaking" means code written against the crate generated from the old document may stop
//! compiling, or requests it sends may stop meaning what they meant: something removed, a type
//! changed, a parameter becoming required, a new pattern. "Additive" is new surface the old code
//! simply does not use (enums are open and structs non-exhaustive, so new values and fields are
//! additive). "Docs" is descriptions, the revision and deprecation notices.

use std::collections::{BTreeMap, BTreeSet};

use super::surface::{MethodSurface, Param, Shape, Surface};

/// How a change affects users of the generated crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    /// May break code or requests built against the old crate.
    Breaking,
    /// New surface; existing code is unaffected.
    Additive,
    /// Documentation only.
    Docs,
}

impl Class {
    /// `breaking`, `additive` or `docs`.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Breaking => "breaking",
            Class::Additive => "additive",
            Class::Docs => "docs",
        }
    }
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// How it affects users.
    pub class: Class,
    /// Dotted path of what changed, such as `schemas.PortabilityArchiveState.properties.urls`.
    pub path: String,
    /// Stable kind, such as `field_added` or `parameter_type_changed`.
    pub kind: &'static str,
    /// What changed, in words: old and new values.
    pub detail: String,
}

/// Every change from `old` to `new`, sorted by class, then path, then kind.
pub fn diff(old: &Surface, new: &Surface) -> Vec<Change> {
    let mut changes = Changes::default();
    changes.compare(
        Class::Docs,
        "revision",
        "revision_changed",
        &old.revision,
        &new.revision,
    );
    changes.compare(
        Class::Breaking,
        "rootUrl",
        "root_url_changed",
        &old.root_url,
        &new.root_url,
    );
    changes.compare(
        Class::Breaking,
        "servicePath",
        "service_path_changed",
        &old.service_path,
        &new.service_path,
    );
    for_each_key(&old.scopes, &new.scopes, |url, before, after| {
        let path = format!("auth.scopes.{url}");
        match (before, after) {
            (Some(_), None) => changes.push(Class::Breaking, path, "scope_removed", String::new()),
            (None, Some(_)) => changes.push(Class::Additive, path, "scope_added", String::new()),
            (Some(a), Some(b)) if a != b => {
                changes.push(Class::Docs, path, "description_changed", String::new())
            }
            _ => {}
        }
    });
    for_each_key(
        &old.standard_params,
        &new.standard_params,
        |name, before, after| {
            param_changes(&format!("parameters.{name}"), before, after, &mut changes);
        },
    );
    let renames = probable_renames(old, new);
    for_each_key(&old.methods, &new.methods, |id, before, after| {
        let path = format!("methods.{id}");
        match (before, after) {
            (Some(method), None) => {
                let rename = renames.get(id).map_or(String::new(), |to| {
                    format!("; probably renamed to {to} (same verb, path, body and response)")
                });
                changes.push(
                    Class::Breaking,
                    path,
                    "method_removed",
                    format!("{} {}{rename}", method.verb, method.path),
                );
            }
            (None, Some(method)) => {
                let rename = renames
                    .iter()
                    .find(|(_, to)| to.as_str() == id)
                    .map_or(String::new(), |(from, _)| {
                        format!("; probably {from}, renamed")
                    });
                changes.push(
                    Class::Additive,
                    path,
                    "method_added",
                    format!("{} {}{rename}", method.verb, method.path),
                );
            }
            (Some(a), Some(b)) => method_changes(&path, a, b, &mut changes),
            (None, None) => {}
        }
    });
    for_each_key(&old.schemas, &new.schemas, |name, before, after| {
        let path = format!("schemas.{name}");
        match (before, after) {
            (Some(_), None) => changes.push(Class::Breaking, path, "schema_removed", String::new()),
            (None, Some(shape)) => {
                changes.push(Class::Additive, path, "schema_added", shape.ty.clone())
            }
            (Some(a), Some(b)) => shape_changes(&path, a, b, true, &mut changes),
            (None, None) => {}
        }
    });
    rust_changes(old, new, &mut changes);
    let mut changes = changes.0;
    changes.sort();
    changes
}

/// Methods removed from `old` whose twin was added in `new` (the same verb, path, request and
/// response): probably the same method renamed. Each pairs at most once, in id order.
fn probable_renames(old: &Surface, new: &Surface) -> BTreeMap<String, String> {
    let same = |a: &MethodSurface, b: &MethodSurface| {
        a.verb == b.verb && a.path == b.path && a.request == b.request && a.response == b.response
    };
    let mut added: Vec<(&String, &MethodSurface)> = new
        .methods
        .iter()
        .filter(|(id, _)| !old.methods.contains_key(*id))
        .collect();
    let mut renames = BTreeMap::new();
    for (id, method) in &old.methods {
        if new.methods.contains_key(id) {
            continue;
        }
        if let Some(at) = added.iter().position(|(_, other)| same(method, other)) {
            let (to, _) = added.remove(at);
            renames.insert(id.clone(), to.clone());
        }
    }
    renames
}

/// How many new Rust items one `rust_items_added` change names before it only counts.
const ADDED_ITEMS_SHOWN: usize = 8;

/// Public Rust items removed (breaking: one change each, since each is code that stops
/// compiling, a rename included) and added (additive: one change for all of them, since the
/// wire changes that bring them are listed already).
fn rust_changes(old: &Surface, new: &Surface, changes: &mut Changes) {
    if let (None, Some(error)) = (&old.rust_error, &new.rust_error) {
        changes.push(
            Class::Breaking,
            "rust".to_owned(),
            "rust_crate_not_generated",
            error.clone(),
        );
        return;
    }
    if old.rust_error.is_some() {
        return;
    }
    for item in old.rust.difference(&new.rust) {
        changes.push(
            Class::Breaking,
            format!("rust.{item}"),
            "rust_item_removed",
            String::new(),
        );
    }
    let added: Vec<&str> = new.rust.difference(&old.rust).map(String::as_str).collect();
    if !added.is_empty() {
        let shown = added[..added.len().min(ADDED_ITEMS_SHOWN)].join(", ");
        let more = added.len().saturating_sub(ADDED_ITEMS_SHOWN);
        let detail = if more > 0 {
            format!("{} new: {shown}, and {more} more", added.len())
        } else {
            format!("{} new: {shown}", added.len())
        };
        changes.push(
            Class::Additive,
            "rust".to_owned(),
            "rust_items_added",
            detail,
        );
    }
}

#[derive(Default)]
struct Changes(Vec<Change>);

impl Changes {
    fn push(&mut self, class: Class, path: String, kind: &'static str, detail: String) {
        self.0.push(Change {
            class,
            path,
            kind,
            detail,
        });
    }

    /// Records a change of `kind` when the two values differ, both values as the detail.
    fn compare<T: PartialEq + ToString>(
        &mut self,
        class: Class,
        path: &str,
        kind: &'static str,
        old: &T,
        new: &T,
    ) {
        if old != new {
            self.push(
                class,
                path.to_owned(),
                kind,
                from_to(&old.to_string(), &new.to_string()),
            );
        }
    }

    /// Records deprecation and description changes, the documentation-only part of anything.
    fn notes(&mut self, path: &str, old: (bool, &str), new: (bool, &str)) {
        self.compare(Class::Docs, path, "deprecation_changed", &old.0, &new.0);
        if old.1 != new.1 {
            self.push(
                Class::Docs,
                path.to_owned(),
                "description_changed",
                String::new(),
            );
        }
    }
}

fn from_to(old: &str, new: &str) -> String {
    format!("{old:?} -> {new:?}")
}

/// Calls `f` for every key of either map, with the value on each side.
fn for_each_key<V>(
    old: &BTreeMap<String, V>,
    new: &BTreeMap<String, V>,
    mut f: impl FnMut(&str, Option<&V>, Option<&V>),
) {
    let keys: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for key in keys {
        f(key, old.get(key), new.get(key));
    }
}

/// The kinds of change of media download support: added, removed, changed.
const MEDIA_DOWNLOAD_KINDS: [&str; 3] = [
    "method_media_download_added",
    "method_media_download_removed",
    "method_media_download_changed",
];
/// The same for media upload support.
const MEDIA_UPLOAD_KINDS: [&str; 3] = [
    "method_media_upload_added",
    "method_media_upload_removed",
    "method_media_upload_changed",
];

/// Media download or upload support gained (additive: a new `download()` or upload method),
/// lost or changed (breaking: code using it no longer works as it did).
fn media_changes(
    path: &str,
    [added, removed, changed]: [&'static str; 3],
    old: &Option<String>,
    new: &Option<String>,
    changes: &mut Changes,
) {
    match (old, new) {
        (None, Some(details)) => {
            changes.push(Class::Additive, path.to_owned(), added, details.clone())
        }
        (Some(details), None) => {
            changes.push(Class::Breaking, path.to_owned(), removed, details.clone())
        }
        (Some(before), Some(after)) if before != after => changes.push(
            Class::Breaking,
            path.to_owned(),
            changed,
            format!("{before} -> {after}"),
        ),
        _ => {}
    }
}

fn method_changes(path: &str, old: &MethodSurface, new: &MethodSurface, changes: &mut Changes) {
    let path = path.to_owned();
    changes.compare(
        Class::Breaking,
        &path,
        "method_verb_changed",
        &old.verb,
        &new.verb,
    );
    changes.compare(
        Class::Breaking,
        &path,
        "method_path_changed",
        &old.path,
        &new.path,
    );
    let body = |body: &Option<String>| body.clone().unwrap_or_else(|| "none".to_owned());
    let (old_request, new_request) = (body(&old.request), body(&new.request));
    changes.compare(
        Class::Breaking,
        &path,
        "method_request_changed",
        &old_request,
        &new_request,
    );
    let (old_response, new_response) = (body(&old.response), body(&new.response));
    changes.compare(
        Class::Breaking,
        &path,
        "method_response_changed",
        &old_response,
        &new_response,
    );
    let added: Vec<&str> = new
        .scopes
        .difference(&old.scopes)
        .map(String::as_str)
        .collect();
    let removed: Vec<&str> = old
        .scopes
        .difference(&new.scopes)
        .map(String::as_str)
        .collect();
    if !removed.is_empty() {
        // A token that held only a removed scope no longer works.
        changes.push(
            Class::Breaking,
            path.clone(),
            "method_scopes_removed",
            removed.join(" "),
        );
    }
    if !added.is_empty() {
        changes.push(
            Class::Additive,
            path.clone(),
            "method_scopes_added",
            added.join(" "),
        );
    }
    media_changes(
        &path,
        MEDIA_DOWNLOAD_KINDS,
        &old.media_download,
        &new.media_download,
        changes,
    );
    media_changes(
        &path,
        MEDIA_UPLOAD_KINDS,
        &old.media_upload,
        &new.media_upload,
        changes,
    );
    changes.notes(
        &path,
        (old.deprecated, &old.description),
        (new.deprecated, &new.description),
    );
    for_each_key(&old.params, &new.params, |name, before, after| {
        param_changes(&format!("{path}.parameters.{name}"), before, after, changes);
    });
}

fn param_changes(path: &str, old: Option<&Param>, new: Option<&Param>, changes: &mut Changes) {
    let path = path.to_owned();
    let (old, new) = match (old, new) {
        (Some(_), None) => {
            return changes.push(Class::Breaking, path, "parameter_removed", String::new());
        }
        (None, Some(param)) => {
            // A new required parameter is a new argument: existing calls no longer compile.
            let class = if param.required {
                Class::Breaking
            } else {
                Class::Additive
            };
            let detail = format!(
                "{} in {}{}",
                param.ty,
                param.location,
                if param.required { ", required" } else { "" }
            );
            return changes.push(class, path, "parameter_added", detail);
        }
        (Some(old), Some(new)) => (old, new),
        (None, None) => return,
    };
    changes.compare(
        Class::Breaking,
        &path,
        "parameter_location_changed",
        &old.location,
        &new.location,
    );
    changes.compare(
        Class::Breaking,
        &path,
        "parameter_type_changed",
        &old.ty,
        &new.ty,
    );
    // Either way the accessor's signature changes (an argument becomes a setter or back).
    changes.compare(
        Class::Breaking,
        &path,
        "parameter_required_changed",
        &old.required,
        &new.required,
    );
    changes.compare(
        Class::Breaking,
        &path,
        "parameter_repeated_changed",
        &old.repeated,
        &new.repeated,
    );
    if old.pattern != new.pattern {
        let show = |pattern: &Option<String>| pattern.clone().unwrap_or_else(|| "none".to_owned());
        // Dropping a pattern only accepts more; any other change may refuse values that worked.
        let class = if new.pattern.is_none() {
            Class::Additive
        } else {
            Class::Breaking
        };
        changes.push(
            class,
            path.clone(),
            "parameter_pattern_changed",
            from_to(&show(&old.pattern), &show(&new.pattern)),
        );
    }
    enum_changes(&path, &old.enum_values, &new.enum_values, changes);
    changes.notes(
        &path,
        (old.deprecated, &old.description),
        (new.deprecated, &new.description),
    );
}

fn enum_changes(path: &str, old: &BTreeSet<String>, new: &BTreeSet<String>, changes: &mut Changes) {
    for value in old.difference(new) {
        changes.push(
            Class::Breaking,
            format!("{path}.enum.{value}"),
            "enum_value_removed",
            String::new(),
        );
    }
    for value in new.difference(old) {
        // Enums are open: old code meets the new value as its unknown-value variant.
        changes.push(
            Class::Additive,
            format!("{path}.enum.{value}"),
            "enum_value_added",
            String::new(),
        );
    }
}

/// Changes within a schema (`top`) or a property, items or values below it.
fn shape_changes(path: &str, old: &Shape, new: &Shape, top: bool, changes: &mut Changes) {
    let (type_kind, added_kind, removed_kind) = if top {
        ("schema_type_changed", "field_added", "field_removed")
    } else {
        ("field_type_changed", "field_added", "field_removed")
    };
    if old.ty != new.ty {
        changes.push(
            Class::Breaking,
            path.to_owned(),
            type_kind,
            from_to(&old.ty, &new.ty),
        );
        // Below a changed type, the comparison means nothing more.
        return;
    }
    for_each_key(&old.properties, &new.properties, |name, before, after| {
        let field_path = format!("{path}.properties.{name}");
        match (before, after) {
            (Some(_), None) => {
                changes.push(Class::Breaking, field_path, removed_kind, String::new())
            }
            (None, Some(shape)) => {
                changes.push(Class::Additive, field_path, added_kind, shape.ty.clone())
            }
            (Some(a), Some(b)) => shape_changes(&field_path, a, b, false, changes),
            (None, None) => {}
        }
    });
    match (&old.items, &new.items) {
        (Some(a), Some(b)) => shape_changes(&format!("{path}.items"), a, b, false, changes),
        (None, None) => {}
        (a, b) => {
            let show = |items: &Option<Box<Shape>>| {
                items.as_ref().map_or("none".to_owned(), |s| s.ty.clone())
            };
            changes.push(
                Class::Breaking,
                format!("{path}.items"),
                "field_type_changed",
                from_to(&show(a), &show(b)),
            );
        }
    }
    let values_path = format!("{path}.additionalProperties");
    match (&old.values, &new.values) {
        (Some(a), Some(b)) => shape_changes(&values_path, a, b, false, changes),
        (None, Some(values)) => changes.push(
            Class::Additive,
            values_path,
            "additional_properties_added",
            values.ty.clone(),
        ),
        (Some(_), None) => changes.push(
            Class::Breaking,
            values_path,
            "additional_properties_removed",
            String::new(),
        ),
        (None, None) => {}
    }
    enum_changes(path, &old.enum_values, &new.enum_values, changes);
    if old.read_only != new.read_only {
        // A field the server starts ignoring silently drops what callers set.
        let class = if new.read_only {
            Class::Breaking
        } else {
            Class::Additive
        };
        changes.push(
            class,
            path.to_owned(),
            "read_only_changed",
            from_to(&old.read_only.to_string(), &new.read_only.to_string()),
        );
    }
    changes.notes(
        path,
        (old.deprecated, &old.description),
        (new.deprecated, &new.description),
    );
}
