//! The hand-written runtime every generated crate carries: transport, auth, errors, path
//! expansion and wire types. Generated code describes methods; this module sends them.
//!
//! This folder is copied verbatim into every crate the generator writes, so it refers to nothing
//! outside itself.

pub mod auth;
pub mod call;
pub mod client;
pub mod download;
pub mod error;
#[cfg(feature = "oauth")]
pub mod oauth;
pub mod path;
pub mod redact;
pub mod retry;
pub mod values;
pub mod wire;

pub use auth::{AccessToken, EnvToken, StaticToken, TokenSource};
pub use call::{Call, CallBuilder, MethodInfo, PreparedRequest};
pub use client::{Client, ClientBuilder, Response, ServiceInfo};
pub use download::Download;
pub use error::{ApiError, Error, ErrorInfo, GoogleError, LegacyError};
pub use redact::redact_url;
pub use retry::RetryPolicy;
pub use values::{Bytes, Date, Duration, FieldMask, FormatError, Timestamp};
pub use wire::UnknownValue;
