//! What generated crates call, apart from what programs use: the description of an API and its
//! methods, the call being built, how responses are read, and the JSON machinery of the model
//! types. It is versioned with the generator ([`VERSION`]), not for programs, and may change in
//! any release.

/// The version of this contract; a generated crate checks it at compile time, so that a crate
/// generated for another runtime says so instead of failing on a missing item.
pub const VERSION: u32 = 3;

pub use crate::backend::{Decode, Decoder, RawBody, ignore, json, raw};
pub use crate::call::{Call, MethodInfo};
pub use crate::client::Core;
pub use crate::object;
pub use crate::service::{Service, ServiceInfo};
pub use crate::transport::Response;
pub use crate::upload::UploadInfo;
pub use crate::wire;
