//! The runtime every generated Google API crate shares: transport, auth, errors, retries,
//! timeouts, path expansion, wire types, pagination, uploads and downloads. Generated code describes methods; this
//! crate sends them.
//!
//! One [`Client`] (token source, timeouts, retry policy, user agent, connections) serves every
//! API a program uses: each API crate has a hub type (such as `DataPortability` or `Drive`)
//! made from the client, carrying that API's resources. One OAuth consent can ask for the scopes
//! of several APIs, and its token source then serves them all.
//!
//! ```no_run
//! # mod drive { pub struct Drive; impl Drive { pub fn new(_: &google_api_runtime::Client) -> Self { Drive } } }
//! # use drive::Drive;
//! use google_api_runtime::{Client, StaticToken};
//! use google_dataportability_v1::DataPortability;
//!
//! let client = Client::builder()
//!     .token_source(StaticToken::new(std::env::var("ACCESS_TOKEN")?))
//!     .build()?;
//! // Two APIs, one client: one token source, one connection pool, one retry policy.
//! let portability = DataPortability::new(&client);
//! let drive = Drive::new(&client);
//! # let _ = (portability, drive);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod auth;
pub mod call;
pub mod client;
pub mod download;
pub mod error;
pub mod features;
#[cfg(feature = "oauth")]
pub mod oauth;
pub mod object;
pub mod pages;
pub mod path;
pub mod redact;
pub mod retry;
pub mod service;
pub mod upload;
pub mod values;
pub mod wire;

pub use auth::{AccessToken, EnvToken, StaticToken, TokenSource};
pub use call::{Call, CallBuilder, MethodInfo, PreparedRequest};
pub use client::{Client, ClientBuilder, Response};
pub use download::Download;
pub use error::{ApiError, Error, ErrorInfo, GoogleError, LegacyError};
pub use features::FeatureOff;
pub use pages::{Items, Page, PageItems, Pages};
pub use redact::redact_url;
pub use retry::RetryPolicy;
pub use service::{Service, ServiceInfo};
pub use upload::{ResumableUpload, UploadInfo};
pub use values::{Bytes, Date, Duration, FieldMask, FormatError, Timestamp};
pub use wire::UnknownValue;
