//! A faithful serde model of Google's API Discovery document format, and its parser.
//!
//! Field names mirror the JSON. Nothing here knows about Rust code generation: the model keeps
//! what the document says, including fields this crate does not know (in each `extra` map), so a
//! new Discovery feature never breaks parsing.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod model;
mod parse;
pub mod shorten;
mod walk;

pub use model::*;
pub use parse::{ParseError, parse, parse_bytes};
pub use walk::MethodEntry;
