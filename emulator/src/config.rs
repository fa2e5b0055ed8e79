//! How an emulator behaves: job timing, grants, archive sizes and injected faults.

use std::time::Duration;

/// The kind of grant a consent gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessType {
    /// Each resource can be exported once; a second initiate is refused with 429.
    OneTime,
    /// Exports may repeat, but not within 24 hours; earlier is refused with 400.
    TimeBased,
}

impl AccessType {
    /// The value `initiate` returns.
    pub fn wire(self) -> &'static str {
        match self {
            AccessType::OneTime => "ACCESS_TYPE_ONE_TIME",
            AccessType::TimeBased => "ACCESS_TYPE_TIME_BASED",
        }
    }
}

/// Faults injected into API calls and downloads, each at a rate from 0 to 1, drawn from the
/// seeded generator so a run can be repeated exactly.
#[derive(Debug, Clone, PartialEq)]
pub struct Faults {
    /// 503 UNAVAILABLE with `Retry-After`, before the request is processed.
    pub unavailable: f64,
    /// 429 without a reason (rate limiting) with `Retry-After`, before processing.
    pub throttled: f64,
    /// The `Retry-After` both of those send, in seconds.
    pub retry_after_seconds: u64,
    /// Answers delayed by `slow_delay`.
    pub slow: f64,
    /// How long a slow answer waits.
    pub slow_delay: Duration,
    /// Connections closed without an answer, before processing.
    pub dropped: f64,
    /// Downloads cut off halfway through the body.
    pub truncated_downloads: f64,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            unavailable: 0.0,
            throttled: 0.0,
            retry_after_seconds: 0,
            slow: 0.0,
            slow_delay: Duration::from_millis(200),
            dropped: 0.0,
            truncated_downloads: 0.0,
        }
    }
}

/// How much the server takes from a client before giving up on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// The largest request body read; a larger one is answered 413.
    pub max_body_bytes: usize,
    /// How long a client may take to send a request's headers; also how long an idle
    /// keep-alive connection is kept.
    pub header_timeout: Duration,
    /// How long a client may take to send a request's body; a slower one is answered 408.
    pub body_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 1024 * 1024,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
        }
    }
}

/// Everything an emulator can be told.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Seeds ids, tokens, archive contents and faults.
    pub seed: u64,
    /// The key download URLs are signed with. `None` (the default) draws a random key from the
    /// operating system, so nobody can forge a URL; a test that needs the same URLs on every run
    /// sets one.
    pub signing_key: Option<Vec<u8>>,
    /// A job completes once it has been polled this many times...
    pub complete_after_polls: u32,
    /// ...or once this much emulator time has passed, whichever is first.
    pub complete_after: Duration,
    /// How many of the first jobs fail instead of completing (to exercise `retry`).
    pub fail_first_jobs: u32,
    /// The grant a consent gives unless the authorize request says otherwise.
    pub access_type: AccessType,
    /// Approximate size of each resource's JSON file in an archive.
    pub archive_bytes: usize,
    /// How long access tokens live.
    pub token_lifetime: Duration,
    /// Injected faults.
    pub faults: Faults,
    /// Limits on what clients may send.
    pub limits: Limits,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            seed: 1,
            signing_key: None,
            complete_after_polls: 2,
            complete_after: Duration::from_secs(3600),
            fail_first_jobs: 0,
            access_type: AccessType::OneTime,
            archive_bytes: 32 * 1024,
            token_lifetime: Duration::from_secs(3600),
            faults: Faults::default(),
            limits: Limits::default(),
        }
    }
}
