//! A generated crate's version, kept while nothing changes and bumped by Cargo's semver rules
//! by what did: a breaking change bumps the first non-zero component, an additive one the next,
//! anything else (documentation, formatting) the patch.

use std::fmt;
use std::path::Path;

/// How much a new generation changes for the crate's users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bump {
    /// Code written against the old crate may not compile, or its requests may change meaning.
    Breaking,
    /// New items only.
    Additive,
    /// Nothing a program can see but the documentation (or the bytes of the source).
    Patch,
}

impl fmt::Display for Bump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Bump::Breaking => "breaking",
            Bump::Additive => "additive",
            Bump::Patch => "patch",
        })
    }
}

/// The version in `crate_dir`'s manifest, or the first version when there is none to read.
pub fn current(crate_dir: &Path) -> String {
    std::fs::read_to_string(crate_dir.join("Cargo.toml"))
        .ok()
        .and_then(|manifest| package_version(&manifest))
        .unwrap_or_else(|| codegen::FIRST_VERSION.to_owned())
}

/// The `version` of a manifest's `[package]` table.
pub fn package_version(manifest: &str) -> Option<String> {
    package_field(manifest, "version")
}

/// A string `key` of a manifest's `[package]` table, as the generator writes it (`key = "..."`).
pub fn package_field(manifest: &str, key: &str) -> Option<String> {
    let prefix = format!("{key} = ");
    let mut in_package = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package && let Some(value) = line.strip_prefix(&prefix) {
            return Some(value.trim_matches('"').to_owned());
        }
    }
    None
}

/// `version` after a change of kind `bump`, or `None` when it is not `MAJOR.MINOR.PATCH`.
pub fn bumped(version: &str, bump: Bump) -> Option<String> {
    let parts: Vec<u64> = version
        .split('.')
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    let [major, minor, patch] = parts[..] else {
        return None;
    };
    // A component at the end of its range cannot move: no version, rather than an overflow.
    let next = match (bump, major, minor) {
        (Bump::Breaking, 1.., _) => (major.checked_add(1)?, 0, 0),
        (Bump::Breaking, 0, 1..) => (0, minor.checked_add(1)?, 0),
        (Bump::Additive, 1.., _) => (major, minor.checked_add(1)?, 0),
        // Below 1.0 Cargo reads the first non-zero component as the major one: an addition
        // moves the one after it, a break the first; for 0.0.z every change is one.
        (Bump::Breaking | Bump::Additive | Bump::Patch, _, _) => {
            (major, minor, patch.checked_add(1)?)
        }
    };
    Some(format!("{}.{}.{}", next.0, next.1, next.2))
}

/// `manifest` with its package version `old` replaced by `new`.
pub fn with_version(manifest: &str, old: &str, new: &str) -> String {
    let from = format!("\nversion = \"{old}\"\n");
    let to = format!("\nversion = \"{new}\"\n");
    manifest.replacen(&from, &to, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_follow_cargos_semver_rules() {
        let cases = [
            ("1.4.2", Bump::Breaking, "2.0.0"),
            ("1.4.2", Bump::Additive, "1.5.0"),
            ("1.4.2", Bump::Patch, "1.4.3"),
            ("0.3.1", Bump::Breaking, "0.4.0"),
            ("0.3.1", Bump::Additive, "0.3.2"),
            ("0.3.1", Bump::Patch, "0.3.2"),
            ("0.0.7", Bump::Breaking, "0.0.8"),
            ("0.1.0", Bump::Breaking, "0.2.0"),
        ];
        for (from, bump, to) in cases {
            assert_eq!(bumped(from, bump).as_deref(), Some(to), "{from} {bump}");
        }
        assert_eq!(bumped("1.0.0-beta", Bump::Patch), None);
        assert_eq!(bumped(&format!("{}.0.0", u64::MAX), Bump::Breaking), None);
        let manifest = "[package]\nname = \"x\"\nversion = \"0.1.0\"\n\n[dependencies]\ny = { version = \"0.1.0\" }\n";
        assert_eq!(package_version(manifest).as_deref(), Some("0.1.0"));
        assert!(with_version(manifest, "0.1.0", "0.2.0").contains("\nversion = \"0.2.0\"\n"));
        assert!(with_version(manifest, "0.1.0", "0.2.0").contains("y = { version = \"0.1.0\" }"));
    }
}
