//! What generated crates call, apart from what programs use: the description of an API and its
//! methods, the call being built, how responses are read, and the JSON machinery of the model
//! types. It is versioned with the generator ([`NEWEST`]), not for programs.
//!
//! # How the contract changes
//!
//! A crate checks at compile time that the runtime [`supports`] the contract it was generated
//! for, so that one runtime release serves crates generated months apart in one program. The
//! runtime serves every version from [`OLDEST`] to [`NEWEST`]:
//!
//! - A change that crates generated before it still compile against is additive: `NEWEST` goes
//!   up, `OLDEST` stays, and the runtime's version takes a compatible bump. New items and new
//!   methods with a default on traits generated code implements are additive. So are new fields
//!   of the structs generated code fills in ([`MethodInfo`], [`ServiceInfo`], [`UploadInfo`],
//!   [`MethodPaths`]) once `OLDEST` is 4: crates since version 4 name the fields they set and
//!   take the rest from the struct's `BASE`, but crates of version 3 spell out every field of
//!   the first three, which is why version 6 put the parsed paths in a struct of their own.
//! - Anything else (an item removed or renamed, a changed signature) drops the versions whose
//!   crates used it: `OLDEST` goes up and the runtime's version takes a breaking bump, so that
//!   Cargo never pairs a crate with a runtime that cannot serve it.
//!
//! The workspace builds a crate generated for version 3 (`xtask/tests/generations/`) beside the
//! current one, so a change that breaks version 3 fails its tests until `OLDEST` moves.

/// The newest version of the contract this runtime serves: the one crates are generated for.
pub const NEWEST: u32 = 6;

/// The oldest version of the contract this runtime still serves.
pub const OLDEST: u32 = 3;

/// Whether this runtime serves crates generated for version `version` of the contract.
pub const fn supports(version: u32) -> bool {
    OLDEST <= version && version <= NEWEST
}

/// What crates generated for version 3 compare with 3 (they predate [`supports`]); it stays 3
/// while the runtime serves them.
pub const VERSION: u32 = 3;

pub use crate::backend::{Decode, Decoder, RawBody, ignore, json, raw, read};
pub use crate::call::{Call, MethodInfo};
pub use crate::client::Core;
/// Google's JSON for model types, read and written without serde (since version 5).
pub use crate::json;
pub use crate::object;
/// Path templates and patterns parsed when the crate was generated (since version 6).
pub use crate::path::{LazyRegex, MethodPaths, PathCheck, PathMatcher, PathPiece, PatternPiece};
pub use crate::service::{Service, ServiceInfo};
pub use crate::transport::Response;
pub use crate::upload::UploadInfo;
pub use crate::wire;
