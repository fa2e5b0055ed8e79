//! Drift: what changed on the wire between two Discovery documents, and what it means for code
//! that uses the generated crate.
//!
//! Both documents are reduced to their surface ([`Surface`]): on the wire, paths, verbs,
//! parameters, bodies, media support, schemas, fields, enum values, scopes, root URL and service
//! path; in Rust, the path of every public item of the generated crate, so a renamed or removed
//! item is breaking even when the wire is unchanged. Descriptions and the revision are kept only
//! to report them when asked; they never make a change "wire".

mod diff;
mod rust_surface;
mod surface;

pub use diff::{Change, Class, diff};
pub use rust_surface::items as rust_items;
pub use surface::{Surface, render_surface};

/// A drift report between two documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// `name:version` and revision of the old document.
    pub old: (String, String),
    /// `name:version` and revision of the new document.
    pub new: (String, String),
    /// Every change, wire changes first (breaking, then additive, then docs), each group by path.
    pub changes: Vec<Change>,
}

impl Report {
    /// Compares two documents; with `with_descriptions`, description and revision changes are
    /// listed too (class `docs`).
    pub fn new(
        old: &discovery::Document,
        new: &discovery::Document,
        with_descriptions: bool,
    ) -> Report {
        let (old_surface, new_surface) = (Surface::of(old), Surface::of(new));
        let mut changes = diff(&old_surface, &new_surface);
        if !with_descriptions {
            changes.retain(|change| {
                change.kind != "description_changed" && change.kind != "revision_changed"
            });
        }
        Report {
            old: (old_surface.id.clone(), old_surface.revision.clone()),
            new: (new_surface.id.clone(), new_surface.revision.clone()),
            changes,
        }
    }

    /// How many changes of `class` there are.
    pub fn count(&self, class: Class) -> usize {
        self.changes
            .iter()
            .filter(|change| change.class == class)
            .count()
    }

    /// The most severe class present among wire changes: `Breaking`, `Additive`, or `None`.
    pub fn worst(&self) -> Option<Class> {
        [Class::Breaking, Class::Additive]
            .into_iter()
            .find(|class| self.count(*class) > 0)
    }

    /// The report as text, one change a line.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "drift: {} revision {} -> {} revision {}\n",
            self.old.0, self.old.1, self.new.0, self.new.1
        );
        if self.worst().is_none() {
            out.push_str("no wire changes\n");
        }
        for change in &self.changes {
            out.push_str(&format!(
                "{:<9} {:<26} {}{}\n",
                change.class.as_str(),
                change.kind,
                change.path,
                if change.detail.is_empty() {
                    String::new()
                } else {
                    format!(": {}", change.detail)
                }
            ));
        }
        out.push_str(&format!(
            "summary: {} breaking, {} additive, {} docs\n",
            self.count(Class::Breaking),
            self.count(Class::Additive),
            self.count(Class::Docs)
        ));
        out
    }
}
