//! Waiting and repeating, with Ctrl-C honoured at once: waits that an interruption cuts short,
//! and calls repeated only when the server says it did not process them.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

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

/// Calls `call`, repeating it when the server says it did not process the request (503, or a
/// 429 without a reason such as an exhausted grant), and, where `repeat` allows, when no answer
/// came. This is the workflow's decision, not the client's, which never repeats a POST.
pub(crate) fn with_care<T>(
    options: &ExportOptions,
    report: &mut ExportReport,
    repeat: Repeat,
    mut call: impl FnMut() -> Result<T, google_dataportability_v1::Error>,
) -> Result<T, ExportError> {
    let mut wait = Duration::from_millis(200);
    for attempt in 1.. {
        check_interrupt(options)?;
        match call() {
            Ok(value) => return Ok(value),
            Err(error) => {
                let refused = error.api().is_some_and(|api| {
                    api.status == 503 || (api.status == 429 && api.reason().is_none())
                });
                let unanswered =
                    matches!(error, google_dataportability_v1::Error::Transport { .. });
                let again = refused || (unanswered && repeat == Repeat::AlsoWhenUnanswered);
                if !again || attempt >= options.max_call_attempts {
                    return Err(error.into());
                }
                let asked = error
                    .api()
                    .and_then(|api| api.header("retry-after"))
                    .and_then(|value| value.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                report.call_retries += 1;
                pause(options, asked.unwrap_or(wait))?;
                wait = (wait * 2).min(Duration::from_secs(10));
            }
        }
    }
    unreachable!("the loop returns")
}
