//! A local Data Portability API server for tests and for trying apps without Google: the six
//! methods with Google's paths, bodies and JSON errors; a minimal OAuth server; jobs that
//! progress; signed ZIP downloads; and fault injection. In memory and deterministic: a seed
//! fixes every id, token and injected fault, and the clock can be driven by hand.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod archive;
mod clock;
mod config;
mod resources;
mod server;
mod state;

pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{AccessType, Config, Faults, Limits};
pub use resources::{RESOURCES, is_known as is_known_resource};
pub use server::Emulator;
pub use state::Stats;
