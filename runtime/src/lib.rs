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

#![deny(missing_docs)]
#![forbid(unsafe_code)]

//!
//! The same builder makes an [`AsyncClient`] for async programs (tokio): the hubs, builders and
//! names are the same, and each call is awaited.
//!
//! ```no_run
//! use google_api_runtime::{AsyncClient, StaticToken};
//! use google_dataportability_v1::DataPortability;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = AsyncClient::builder()
//!     .token_source(StaticToken::new(std::env::var("ACCESS_TOKEN")?))
//!     .build_async()?;
//! let portability = DataPortability::new(&client);
//! let state = portability
//!     .archive_jobs()
//!     .get_portability_archive_state("archiveJobs/1/portabilityArchiveState")
//!     .send()
//!     .await?;
//! # let _ = state;
//! # Ok(())
//! # }
//! ```
//!
//! Generated crates also reach a hidden `contract` module, the part of this crate only they use:
//! it is versioned with the generator and is not for programs.

pub mod auth;
mod backend;
mod bridge;
mod call;
mod client;
#[doc(hidden)]
pub mod contract;
mod download;
mod error;
mod features;
#[doc(hidden)]
pub mod json;
mod net;
#[cfg(feature = "oauth")]
pub mod oauth;
#[doc(hidden)]
pub mod object;
mod pages;
mod path;
mod redact;
mod retry;
mod service;
mod transport;
mod upload;
mod values;
#[doc(hidden)]
pub mod wire;

pub use auth::{AccessToken, EnvToken, StaticToken, TokenSource};
pub use backend::{Backend, Content, ResponseFuture};
pub use call::{CallBuilder, PreparedRequest};
pub use client::{AsyncClient, Client, ClientBuilder};
pub use download::{AsyncDownload, Download};
pub use error::{ApiError, Error, ErrorInfo, GoogleError, LegacyError, TransportError};
pub use features::FeatureOff;
pub use pages::{AsyncItems, AsyncPages, Items, Page, PageItems, Pages};
pub use redact::redact_url;
pub use retry::RetryPolicy;
pub use upload::{AsyncResumableUpload, CHUNK_GRANULARITY, DEFAULT_CHUNK_SIZE, ResumableUpload};
pub use values::{Bytes, Date, Duration, FieldMask, FormatError, Timestamp};
pub use wire::UnknownValue;
