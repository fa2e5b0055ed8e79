//! Waiting and repeating, with Ctrl-C honoured at once: waits that an interruption cuts short,
//! and calls repeated only when the server says it did not process them.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use google_dataportability_v1::runtime::RetryPolicy;

use crate::status::{human, note};
use crate::{ExportError, ExportOptions, ExportReport};

/// The longest wait between two tries of a call, whatever the server asks: the workflow stays
/// responsive, and a server that wants more is asked again after it.
pub(crate) const MAX_WAIT: Duration = Duration::from_secs(300);

/// How often a wait looks at the interrupt flag.
const INTERRUPT_CHECK: Duration = Duration::from_millis(50);

/// Waits `duration`, or less when interrupted.
pub(crate) fn pause(options: &ExportOptions, duration: Duration) -> Result<(), ExportError> {
    // The duration may be a server's: an instant it cannot reach is waited for as long as
    // the loop runs, never added up into a panic.
    let until = Instant::now().checked_add(duration);
    loop {
        if options.interrupt.load(Ordering::Relaxed) {
            return Err(ExportError::Interrupted);
        }
        let left = until.map_or(Duration::MAX, |until| {
            until.saturating_duration_since(Instant::now())
        });
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
/// safe, which the client never assumes for a POST. Each repeat is said on standard error, with
/// why and when. A connection refused before the server has answered anything in this run is
/// not repeated: the address is more likely wrong than the server away.
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
        let error = match call() {
            Ok(value) => {
                report.server_answered = true;
                return Ok(value);
            }
            Err(error) => error,
        };
        if error.api().is_some() {
            report.server_answered = true;
        }
        if error.is_connect() && !report.server_answered {
            return Err(ExportError::Unreachable {
                source: options.source.clone(),
                error,
            });
        }
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
            .unwrap_or_else(|| policy.backoff(attempt))
            .min(MAX_WAIT);
        let why = match error.http_status() {
            Some(status) => format!("HTTP {status}"),
            None => error.to_string(),
        };
        note(
            options,
            &format!(
                "{} did not answer ({why}); trying again in {} (attempt {} of {})",
                options.source,
                human(wait),
                attempt + 1,
                options.max_call_attempts
            ),
        );
        pause(options, wait)?;
    }
    unreachable!("the loop returns")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ExportOptions;

    #[test]
    fn a_wait_past_any_instant_is_still_cut_short_by_an_interruption() {
        let options = ExportOptions::new("unused", vec!["myactivity.search".to_owned()]);
        let interrupt = options.interrupt.clone();
        let stopper = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            interrupt.store(true, Ordering::Relaxed);
        });
        let started = Instant::now();
        let outcome = pause(&options, Duration::MAX);
        stopper.join().unwrap();
        assert!(matches!(outcome, Err(ExportError::Interrupted)));
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
