//! When and how long to wait before trying a call again.
//!
//! Only requests that are safe to repeat are retried: GET and HEAD. Never a POST: a repeated
//! Data Portability `initiate` could use up a one-time grant. Retried are 502, 503 and 504; a 429
//! whose body gives no machine-readable reason (a reason such as `RESOURCE_EXHAUSTED_ONE_TIME`
//! means waiting will not help); and transport errors before any response arrived. Waits grow
//! exponentially with full jitter, a `Retry-After` header wins, and both the number of attempts
//! and the call's total time are bounded.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

/// How a client retries failed calls.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    multiplier: f64,
}

impl Default for RetryPolicy {
    /// Up to 5 attempts, waiting up to 1 s, 2 s, 4 s, 8 s (at most 32 s) between them.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(32),
            multiplier: 2.0,
        }
    }
}

impl RetryPolicy {
    /// No retries: every call is attempted once.
    pub fn disabled() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Attempts in all, the first included; at least 1.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The longest first wait; later waits grow from it.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The longest any single wait may be.
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// How much longer each wait may be than the one before; at least 1.
    pub fn multiplier(mut self, multiplier: f64) -> Self {
        self.multiplier = if multiplier.is_finite() {
            multiplier.max(1.0)
        } else {
            1.0
        };
        self
    }

    /// Whether a failed attempt number `attempt` (from 1) may be followed by another.
    pub fn allows_another(&self, attempt: u32) -> bool {
        attempt < self.max_attempts
    }

    /// The wait after failed attempt number `attempt` (from 1): a random time between zero and
    /// the exponential bound ("full jitter"), so many clients do not retry in step. Programs
    /// that repeat calls themselves (a POST the client does not repeat) can wait the same way.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exponent = i32::try_from(attempt.saturating_sub(1)).unwrap_or(i32::MAX);
        let bound = self.initial_backoff.as_secs_f64() * self.multiplier.powi(exponent);
        let bound = bound.min(self.max_backoff.as_secs_f64());
        Duration::from_secs_f64(bound * random_fraction())
    }
}

/// Whether the HTTP method is safe to repeat.
pub(crate) fn is_idempotent(http_method: &str) -> bool {
    matches!(http_method, "GET" | "HEAD")
}

/// Whether an error response is worth retrying: 502, 503, 504, and a 429 without a reason.
pub(crate) fn is_retryable_status(status: u16, reason: Option<&str>) -> bool {
    match status {
        502..=504 => true,
        429 => reason.is_none(),
        _ => false,
    }
}

/// The longest wait a server can ask for that is taken as it is; a longer one is cut to this, so
/// that no server-chosen number reaches a sleep or an instant's arithmetic unchecked. Whether
/// the caller waits that long is its own decision (a call never waits past its deadline).
pub const MAX_SERVER_WAIT: Duration = Duration::from_secs(24 * 3600);

/// The wait a `Retry-After` header asks for: delay seconds, or an HTTP date (a date in the past
/// asks for no wait); never more than [`MAX_SERVER_WAIT`].
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    let asked = if let Ok(seconds) = value.parse::<u64>() {
        Duration::from_secs(seconds)
    } else if value.bytes().all(|byte| byte.is_ascii_digit()) && !value.is_empty() {
        // Digits too many for a u64: as long a wait as any.
        MAX_SERVER_WAIT
    } else {
        let date =
            time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc2822)
                .ok()?;
        let at = SystemTime::from(date);
        at.duration_since(now).unwrap_or(Duration::ZERO)
    };
    Some(asked.min(MAX_SERVER_WAIT))
}

/// A number in `[0, 1)`.
fn random_fraction() -> f64 {
    (random_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// 64 random bits. Jitter and multipart boundaries need spread, not secrecy: a xorshift step
/// over a seed from the clock and a counter is enough and needs no dependency.
pub(crate) fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0x9E37_79B9_7F4A_7C15);
    let clock = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |since| since.subsec_nanos() as u64);
    let mut x = COUNTER.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed) ^ clock;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_bounded_and_grows() {
        let policy = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(300));
        for _ in 0..200 {
            assert!(policy.backoff(1) < Duration::from_millis(100));
            assert!(policy.backoff(2) < Duration::from_millis(200));
            assert!(policy.backoff(9) < Duration::from_millis(300));
        }
        let spread: Vec<Duration> = (0..50).map(|_| policy.backoff(3)).collect();
        assert!(spread.iter().any(|d| *d != spread[0]), "jitter varies");
        assert!(!RetryPolicy::disabled().allows_another(1));
        assert!(RetryPolicy::default().allows_another(4));
        assert!(!RetryPolicy::default().allows_another(5));
    }

    #[test]
    fn which_failures_are_retried() {
        for (status, reason, retried) in [
            (502, None, true),
            (503, None, true),
            (504, None, true),
            (429, None, true),
            (429, Some("RESOURCE_EXHAUSTED_ONE_TIME"), false),
            (500, None, false),
            (400, None, false),
            (401, None, false),
            (403, None, false),
            (404, None, false),
        ] {
            assert_eq!(
                is_retryable_status(status, reason),
                retried,
                "{status} {reason:?}"
            );
        }
        assert!(is_idempotent("GET"));
        assert!(!is_idempotent("POST"));
        assert!(!is_idempotent("PATCH"));
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        for huge in [
            "18446744073709551615",
            "9223372036854775808",
            "99999999999999999999999",
            "Fri, 31 Dec 9999 23:59:59 GMT",
        ] {
            assert_eq!(
                parse_retry_after(huge, now),
                Some(MAX_SERVER_WAIT),
                "{huge}"
            );
        }
        assert_eq!(parse_retry_after("-3", now), None);
    }
}
