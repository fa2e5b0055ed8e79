//! Waiting and repeating, with Ctrl-C honoured at once: waits that an interruption cuts short,
//! and calls repeated only when the server says it did not process them.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use google_dataportability_v1::runtime::RetryPolicy;

use crate::{ExportError, ExportOptions, ExportReport};

/// How often a wait looks at the interrupt flag.
const INTERRUPT_CHECK: Duration = Duration::from_millis(50);

/// Waits `duration`, or less when interrupted.
pub(crate) fn pause(options: &ExportOptions, duration: Duration) -> Result<(), ExportError> {
    let until = Instant::now() + duration;
    loop {
        if options.interrupt.load(Ordering::Relaxed) {
            return Err(ExportError::Interrupted);
        }
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(());
        }
        std::thread::sleep(left.min(INTERRUPT_CHECK));
    }
}

/// Fails with `Interrupted` when an interruption was asked for.
pub(crate) fn check_interrupt(options: &ExportOptions) -> Result<(), ExportError> {
    if options.interrupt.load(Ordering::Relaxed) {
        Err(ExportError::Interrupted)
    } else {
        Ok(())
    }
}

/// When a call may be repeated.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Repeat {
    /// Only when the server said it did not process the request.
    OnlyWhenRefused,
    /// Also when no answer came at all (the call is safe to repeat whatever happened).
    AlsoWhenUnanswered,
}

/// Calls `call`, repeating it when the server says it did not process the request and, where
/// `repeat` allows, when no answer came. The runtime decides what is transient and how long to
/// wait (`Retry-After`, else its backoff with jitter); this workflow decides that repeating is
/// safe, which the client never assumes for a POST.
pub(crate) fn with_care<T>(
    options: &ExportOptions,
    report: &mut ExportReport,
    repeat: Repeat,
    mut call: impl FnMut() -> Result<T, google_dataportability_v1::Error>,
) -> Result<T, ExportError> {
    use google_dataportability_v1::Error;
    let policy = RetryPolicy::default().max_attempts(options.max_call_attempts);
    for attempt in 1.. {
        check_interrupt(options)?;
        match call() {
            Ok(value) => return Ok(value),
            Err(error) => {
                let again = match &error {
                    Error::Api(api) => api.is_transient(),
                    // No answer (or a stalled one): the server may or may not have acted.
                    _ => error.is_transient() && repeat == Repeat::AlsoWhenUnanswered,
                };
                if !again || !policy.allows_another(attempt) {
                    return Err(error.into());
                }
                report.call_retries += 1;
                let wait = error
                    .retry_after()
                    .unwrap_or_else(|| policy.backoff(attempt));
                pause(options, wait)?;
            }
        }
    }
    unreachable!("the loop returns")
}
