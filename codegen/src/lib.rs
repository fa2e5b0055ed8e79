//! The code generator: a Discovery document in, the files of a Rust client crate out.
//!
//! It reads as a pipeline, one module a stage: [`lower`] decides every name and type and
//! returns the [`ir`]; [`emit`] turns the IR into token streams, or for the items made by the
//! thousand into text laid out as the formatter would; [`render`] formats the tokens and adds
//! the generated-file header. Nothing here touches the file system; `xtask` writes the files.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod drift;
pub mod emit;
mod error;
pub mod ir;
pub mod lower;
mod names;
pub mod render;

pub use error::Error;

/// What to generate besides the API itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The crate's package name; `None` derives `google-<name>-<version>` from the document.
    pub crate_name: Option<String>,
    /// Whether the crate is its own workspace root (a standalone crate written with `--out`).
    pub standalone: bool,
    /// Hand-written documentation and examples for the crate page.
    pub guide: Option<Guide>,
    /// Where the runtime crate comes from, as the keys of a manifest's inline table:
    /// `path = "../runtime"`, or `version = "0.1"` once it is published.
    pub runtime_source: String,
    /// The crate's version (`0.1.0` for a new crate; `regen` keeps or bumps an existing one's).
    pub version: String,
    /// Whether the crate is to be published (a crate of a set): its manifest then has what the
    /// crate registry shows, and the crate a README; `None` marks it `publish = false`.
    pub publish: Option<Publish>,
}

/// What a published crate's manifest names besides what the document gives.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Publish {
    /// The repository the crates are generated in, if it is to be named.
    pub repository: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            crate_name: None,
            standalone: true,
            guide: None,
            runtime_source: format!("version = {:?}", RUNTIME_VERSION),
            version: FIRST_VERSION.to_owned(),
            publish: None,
        }
    }
}

/// The version of a crate generated for the first time.
pub const FIRST_VERSION: &str = "0.1.0";

/// The first version of the runtime crate that serves [`CONTRACT`]: the version requirement
/// of every generated crate, which Cargo reads as `^`, so a later compatible runtime serves it
/// too.
pub const RUNTIME_VERSION: &str = "0.1.3";

/// The version of the runtime's contract with generated code (`runtime::contract`) that this
/// generator writes for; a crate checks at compile time that its runtime supports it.
pub const CONTRACT: u32 = 6;

/// Hand-written documentation for one API's crate: Markdown for the crate page (its code blocks
/// are doc tests) and the dev-dependencies those tests need, as manifest lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guide {
    /// Markdown, put on the crate page after the generated part.
    pub docs: String,
    /// Lines for `[dev-dependencies]`, such as `emulator = { path = "../emulator" }`.
    pub dev_dependencies: Vec<String>,
}

/// One generated file: its path relative to the crate root, and its contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// Path relative to the crate root, with `/` separators, such as `src/model.rs`.
    pub path: String,
    /// The whole contents.
    pub contents: String,
}

/// Generates every file of the crate for `document`, sorted by path. The runtime is not among
/// them: it is the hand-written crate `google-api-runtime`, which the manifest depends on.
pub fn generate(document: &discovery::Document, options: &Options) -> Result<Vec<File>, Error> {
    generate_with_items(document, options).map(|(files, _)| files)
}

/// [`generate`], and the crate's public Rust items as drift names them (see
/// [`drift::rust_items`]), from the same lowering.
pub fn generate_with_items(
    document: &discovery::Document,
    options: &Options,
) -> Result<(Vec<File>, std::collections::BTreeSet<String>), Error> {
    let api = lower::lower(document, options)?;
    let files = emit::emit(&api);
    let rendered = render::render(&api, &files, options)?;
    Ok((rendered, drift::rust_items(&api)))
}
