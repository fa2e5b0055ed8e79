//! The emulator's state and how a request reaches its answer: routing and injected faults.
//! Pure request-in, reply-out logic; the HTTP server around it lives in `server`, and the
//! answers themselves in `oauth`, `api` and `downloads`.

mod api;
mod downloads;
mod oauth;
mod partial;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde_json::{Value, json};

use crate::archive::xorshift;
use crate::clock::Clock;
use crate::config::{AccessType, Config, Faults};

/// The OAuth scope of a resource is this prefix and the resource.
pub const SCOPE_PREFIX: &str = "https://www.googleapis.com/auth/dataportability.";
/// How many times a failed job's chain may be retried.
const MAX_RETRIES: u32 = 3;
/// The least time between two exports of a resource on a time-based grant.
const TIME_BASED_INTERVAL: Duration = Duration::from_secs(24 * 3600);

/// A request as the server hands it over.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub method: String,
    /// The path as sent, still percent-encoded.
    pub path: String,
    pub query: String,
    pub authorization: Option<String>,
    pub range: Option<String>,
    pub body: Vec<u8>,
}

/// What to send back, and how.
#[derive(Debug, Clone, Default)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Wait this long before answering.
    pub delay: Duration,
    /// Send only this many bytes of the body, then break the connection.
    pub cut_at: Option<usize>,
    /// Close the connection without answering.
    pub drop: bool,
}

impl Reply {
    fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            headers: vec![(
                "content-type".into(),
                "application/json; charset=UTF-8".into(),
            )],
            body: serde_json::to_vec_pretty(&body).expect("JSON values serialize"),
            ..Reply::default()
        }
    }

    /// Google's error shape; `reason` adds a `google.rpc.ErrorInfo` detail.
    fn error(code: u16, status: &str, message: &str, reason: Option<&str>) -> Reply {
        let mut error = json!({"code": code, "message": message, "status": status});
        if let Some(reason) = reason {
            error["details"] = json!([{
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": reason,
                "domain": "dataportability.googleapis.com",
            }]);
        }
        Reply::json(code, json!({ "error": error }))
    }

    /// 413: the body is larger than the server reads.
    pub fn too_large(limit: usize) -> Reply {
        Reply::error(
            413,
            "INVALID_ARGUMENT",
            &format!("The request body is larger than {limit} bytes."),
            None,
        )
    }

    /// 408: the body came too slowly.
    pub fn too_slow(limit: Duration) -> Reply {
        Reply::error(
            408,
            "DEADLINE_EXCEEDED",
            &format!("The request body did not arrive within {limit:?}."),
            None,
        )
    }

    /// 500, for a reply that could not be sent.
    pub fn internal(message: &str) -> Reply {
        Reply::error(500, "INTERNAL", message, None)
    }

    fn with_header(mut self, name: &str, value: String) -> Reply {
        self.headers.push((name.to_owned(), value));
        self
    }
}

/// What the emulator has seen and done, for tests and reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Requests received, all routes.
    pub requests: u64,
    /// Injected 503s.
    pub unavailable: u64,
    /// Injected 429s.
    pub throttled: u64,
    /// Injected slow answers.
    pub slow: u64,
    /// Connections dropped on purpose.
    pub dropped: u64,
    /// Downloads cut short on purpose.
    pub truncated: u64,
    /// Jobs created by `initiate` and `retry`.
    pub jobs_created: u64,
    /// Downloads answered in full or from an offset.
    pub downloads: u64,
}

#[derive(Debug, Clone)]
struct Grant {
    resources: BTreeSet<String>,
    access_type: AccessType,
}

#[derive(Debug, Clone)]
struct PendingCode {
    grant: usize,
    redirect_uri: String,
    challenge: Option<String>,
}

#[derive(Debug, Clone)]
struct Token {
    grant: usize,
    expires_at: SystemTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JobState {
    InProgress,
    Complete,
    Failed,
    Cancelled,
}

impl JobState {
    fn wire(self) -> &'static str {
        match self {
            JobState::InProgress => "IN_PROGRESS",
            JobState::Complete => "COMPLETE",
            JobState::Failed => "FAILED",
            JobState::Cancelled => "CANCELLED",
        }
    }
}

#[derive(Debug, Clone)]
struct Job {
    grant: usize,
    resources: Vec<String>,
    state: JobState,
    polls: u32,
    created: SystemTime,
    start_time: Option<String>,
    export_time: String,
    retries: u32,
    will_fail: bool,
}

/// All the emulator knows.
pub(crate) struct State {
    config: Config,
    /// Where the emulator listens, ending in `/`: download URLs point here.
    base_url: String,
    clock: Arc<dyn Clock>,
    random: u64,
    key: Vec<u8>,
    grants: Vec<Grant>,
    codes: BTreeMap<String, PendingCode>,
    tokens: BTreeMap<String, Token>,
    refresh_tokens: BTreeMap<String, usize>,
    jobs: BTreeMap<String, Job>,
    archives: BTreeMap<(String, String), Vec<u8>>,
    /// The emulator has one user: resources whose one-time grant they have used...
    exhausted: BTreeSet<String>,
    /// ...and when each resource was last exported, for time-based grants.
    last_export: BTreeMap<String, SystemTime>,
    fail_next: u32,
    /// How many coming state polls hand out URLs that have already expired.
    expire_next: u32,
    pub stats: Stats,
}

impl State {
    pub fn new(config: Config, clock: Arc<dyn Clock>, base_url: String) -> State {
        // `Emulator::start_with` draws a random key when none is set; a fixed fallback keeps
        // `State` usable on its own in unit tests.
        let key = config
            .signing_key
            .clone()
            .unwrap_or_else(|| format!("unit-test-key-{}", config.seed).into_bytes());
        State {
            random: xorshift(config.seed.wrapping_add(0x1234_5678)),
            fail_next: config.fail_first_jobs,
            expire_next: 0,
            config,
            base_url,
            clock,
            key,
            grants: Vec::new(),
            codes: BTreeMap::new(),
            tokens: BTreeMap::new(),
            refresh_tokens: BTreeMap::new(),
            jobs: BTreeMap::new(),
            archives: BTreeMap::new(),
            exhausted: BTreeSet::new(),
            last_export: BTreeMap::new(),
            stats: Stats::default(),
        }
    }

    fn next_random(&mut self) -> u64 {
        self.random = xorshift(self.random);
        self.random
    }

    /// A number in `[0, 1)`.
    fn draw(&mut self) -> f64 {
        (self.next_random() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn new_id(&mut self, prefix: &str) -> String {
        format!("{prefix}{:016x}", self.next_random())
    }

    pub fn set_faults(&mut self, faults: Faults) {
        self.config.faults = faults;
    }

    pub fn fail_next_jobs(&mut self, count: u32) {
        self.fail_next = count;
    }

    pub fn expire_next_urls(&mut self, count: u32) {
        self.expire_next = count;
    }

    pub fn job_count(&self) -> usize {
        self.jobs.len()
    }

    pub fn archive(&self, job: &str, resource: &str) -> Option<Vec<u8>> {
        self.archives
            .get(&(job.to_owned(), resource.to_owned()))
            .cloned()
    }

    /// A grant and its tokens, as if the user had consented to `resources`.
    pub fn grant(&mut self, resources: &[&str], access_type: AccessType) -> (String, String) {
        self.grants.push(Grant {
            resources: resources.iter().map(|r| (*r).to_owned()).collect(),
            access_type,
        });
        let grant = self.grants.len() - 1;
        self.issue_tokens(grant)
    }

    fn issue_tokens(&mut self, grant: usize) -> (String, String) {
        let access = self.new_id("emu-at-");
        let refresh = self.new_id("emu-rt-");
        let expires_at = self.clock.now() + self.config.token_lifetime;
        self.tokens
            .insert(access.clone(), Token { grant, expires_at });
        self.refresh_tokens.insert(refresh.clone(), grant);
        (access, refresh)
    }

    /// Answers one request.
    pub fn handle(&mut self, request: &Request) -> Reply {
        self.stats.requests += 1;
        let Some(segments) = decode_path(&request.path) else {
            return Reply::error(
                400,
                "INVALID_ARGUMENT",
                "The request path has an invalid or dot segment.",
                None,
            );
        };
        let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
        match (request.method.as_str(), segments.as_slice()) {
            ("GET", ["o", "oauth2", "auth"]) => self.authorize(&request.query),
            ("POST", ["token"]) => self.token(&request.body),
            ("GET", ["download", job, file]) => {
                self.with_download_faults(|state| state.download(request, job, file))
            }
            (_, ["v1", ..]) => partial::shape(
                self.with_api_faults(|state| state.api(request, &segments[1..])),
                &request.query,
            ),
            _ => Reply::error(404, "NOT_FOUND", "Not found.", None),
        }
    }

    /// Injected faults happen before the request is processed, as a front end's would.
    fn with_api_faults(&mut self, handle: impl FnOnce(&mut State) -> Reply) -> Reply {
        let faults = self.config.faults.clone();
        let roll = self.draw();
        let slow = self.draw() < faults.slow;
        let retry_after = faults.retry_after_seconds.to_string();
        let mut reply = if roll < faults.dropped {
            self.stats.dropped += 1;
            Reply {
                drop: true,
                ..Reply::default()
            }
        } else if roll < faults.dropped + faults.unavailable {
            self.stats.unavailable += 1;
            Reply::error(
                503,
                "UNAVAILABLE",
                "The service is currently unavailable.",
                None,
            )
            .with_header("retry-after", retry_after)
        } else if roll < faults.dropped + faults.unavailable + faults.throttled {
            self.stats.throttled += 1;
            Reply::error(
                429,
                "RESOURCE_EXHAUSTED",
                "Too many requests; slow down.",
                None,
            )
            .with_header("retry-after", retry_after)
        } else {
            handle(self)
        };
        if slow {
            self.stats.slow += 1;
            reply.delay = faults.slow_delay;
        }
        reply
    }

    fn with_download_faults(&mut self, handle: impl FnOnce(&mut State) -> Reply) -> Reply {
        let faults = self.config.faults.clone();
        let roll = self.draw();
        if roll < faults.dropped {
            self.stats.dropped += 1;
            return Reply {
                drop: true,
                ..Reply::default()
            };
        }
        if roll < faults.dropped + faults.unavailable {
            // Storage has bad moments too.
            self.stats.unavailable += 1;
            return Reply::error(
                503,
                "UNAVAILABLE",
                "The download service is currently unavailable.",
                None,
            )
            .with_header("retry-after", faults.retry_after_seconds.to_string());
        }
        let mut reply = handle(self);
        if (200..300).contains(&reply.status)
            && self.draw() < faults.truncated_downloads
            && reply.body.len() > 1
        {
            self.stats.truncated += 1;
            reply.cut_at = Some(reply.body.len() / 2);
        }
        reply
    }
}

/// `bytes=N-` → N.
fn parse_range_start(range: &str) -> Option<usize> {
    range
        .strip_prefix("bytes=")?
        .strip_suffix('-')?
        .parse()
        .ok()
}

fn not_found() -> Reply {
    Reply::error(
        404,
        "NOT_FOUND",
        "The requested URL was not found on this server.",
        None,
    )
}

fn invalid(message: &str) -> Reply {
    Reply::error(400, "INVALID_ARGUMENT", message, None)
}

fn oauth_error(status: u16, error: &str, description: &str) -> Reply {
    Reply::json(
        status,
        json!({"error": error, "error_description": description}),
    )
}

/// Google refuses bodies with fields it does not know.
fn unknown_fields(body: &Value, allowed: &[&str]) -> Option<Reply> {
    let object = body.as_object()?;
    let unknown = object.keys().find(|key| !allowed.contains(&key.as_str()))?;
    Some(invalid(&format!(
        "Invalid JSON payload received. Unknown name \"{unknown}\": Cannot find field."
    )))
}

/// An optional RFC 3339 field that must not be in the future; the time and its text.
fn optional_time(
    body: &Value,
    field: &str,
    now: SystemTime,
) -> Result<Option<(SystemTime, String)>, Reply> {
    match &body[field] {
        Value::Null => Ok(None),
        Value::String(text) => {
            let parsed =
                time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                    .map_err(|_| {
                    invalid(&format!("{field} is not an RFC 3339 timestamp: {text:?}."))
                })?;
            // Only years 1 to 9999 in UTC can be written back.
            if !(1..=9999).contains(&parsed.to_offset(time::UtcOffset::UTC).year()) {
                return Err(invalid(&format!("{field} is out of range: {text:?}.")));
            }
            let at = SystemTime::from(parsed);
            if at > now {
                return Err(invalid(&format!("{field} is in the future.")));
            }
            Ok(Some((at, rfc3339(at))))
        }
        _ => Err(invalid(&format!("{field} must be a string."))),
    }
}

pub(crate) fn rfc3339(at: SystemTime) -> String {
    time::OffsetDateTime::from(at)
        .format(&time::format_description::well_known::Rfc3339)
        .expect("any time formats")
}

fn unix(at: SystemTime) -> u64 {
    at.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

/// Decodes each path segment; `None` for a dot segment (also percent-encoded), an encoded slash
/// or bad escapes: the emulator is strict so client bugs show up in tests.
fn decode_path(path: &str) -> Option<Vec<String>> {
    let mut segments = Vec::new();
    for raw in path.trim_start_matches('/').split('/') {
        let decoded = percent_decode(raw)?;
        if decoded == "." || decoded == ".." || decoded.contains('/') {
            return None;
        }
        segments.push(decoded);
    }
    Some(segments)
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// `application/x-www-form-urlencoded` pairs.
fn form(text: &str) -> BTreeMap<String, String> {
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |s: &str| percent_decode(&s.replace('+', " ")).unwrap_or_default();
            (decode(key), decode(value))
        })
        .collect()
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
                (byte as char).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_path_decoding() {
        assert_eq!(
            decode_path("/v1/archiveJobs/a%20b").unwrap(),
            ["v1", "archiveJobs", "a b"]
        );
        assert!(decode_path("/v1/archiveJobs/..").is_none());
        assert!(decode_path("/v1/archiveJobs/.%2e/x").is_none());
        assert!(decode_path("/v1/archiveJobs/%2F").is_none());
        assert!(decode_path("/v1/%zz").is_none());
    }

    #[test]
    fn ids_depend_only_on_the_seed() {
        let clock: Arc<dyn Clock> =
            Arc::new(crate::clock::ManualClock::new(SystemTime::UNIX_EPOCH));
        let base = || "http://127.0.0.1:1/".to_owned();
        let mut a = State::new(Config::default(), clock.clone(), base());
        let mut b = State::new(Config::default(), clock.clone(), base());
        assert_eq!(
            a.grant(&["x"], AccessType::OneTime),
            b.grant(&["x"], AccessType::OneTime)
        );
        let mut c = State::new(
            Config {
                seed: 2,
                ..Config::default()
            },
            clock,
            base(),
        );
        assert_ne!(
            a.grant(&["x"], AccessType::OneTime),
            c.grant(&["x"], AccessType::OneTime)
        );
    }
}
