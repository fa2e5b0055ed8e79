//! What the export tells its user while it works, on standard error: a spinner with the job's
//! state, how long it has run and when the next poll is on a terminal; in a log, one line per
//! state change and a heartbeat line every few minutes. A closed standard error never stops an
//! export: lines that cannot be written are dropped.

use std::io::{IsTerminal as _, Write as _};
use std::time::{Duration, Instant, SystemTime};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::ExportOptions;

/// Writes one line to standard error when the export shows progress.
pub(crate) fn note(options: &ExportOptions, line: &str) {
    if options.progress {
        let _ = writeln!(std::io::stderr(), "{line}");
    }
}

/// A duration as a person reads it: `0.2s`, `45s`, `3m05s`, `2h14m`.
pub fn human(duration: Duration) -> String {
    let seconds = duration.as_secs();
    match seconds {
        0 if !duration.is_zero() => format!("{:.1}s", duration.as_secs_f64()),
        0..60 => format!("{}s", duration.as_secs_f64().round() as u64),
        60..3600 => format!("{}m{:02}s", seconds / 60, seconds % 60),
        _ => format!("{}h{:02}m", seconds / 3600, seconds % 3600 / 60),
    }
}

/// Seconds since the Unix epoch, as the saved state records when a job started.
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

/// The view of one job while the export waits for it.
pub(crate) struct JobWatch<'a> {
    options: &'a ExportOptions,
    job: String,
    /// When the job started, as the saved state says (Unix seconds); else when this run began
    /// to wait for it.
    started_unix: Option<u64>,
    waiting_since: Instant,
    spinner: Option<ProgressBar>,
    last_state: Option<String>,
    last_line: Instant,
}

impl<'a> JobWatch<'a> {
    pub(crate) fn new(options: &'a ExportOptions, job: &str, started_unix: Option<u64>) -> Self {
        let spinner = (options.progress && std::io::stderr().is_terminal()).then(|| {
            let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template("{spinner} {msg}") {
                spinner.set_style(style);
            }
            spinner.enable_steady_tick(Duration::from_millis(120));
            spinner
        });
        JobWatch {
            options,
            job: job.to_owned(),
            started_unix,
            waiting_since: Instant::now(),
            spinner,
            last_state: None,
            last_line: Instant::now(),
        }
    }

    /// How long the job has run.
    fn running_for(&self) -> Duration {
        match self.started_unix {
            Some(started) => Duration::from_secs(unix_now().saturating_sub(started)),
            None => self.waiting_since.elapsed(),
        }
    }

    /// The job is in `state`, and the next poll comes after `next_poll`: on a terminal the
    /// spinner says so (see [`waiting`](Self::waiting)); in a log a line is written when the
    /// state changed, and otherwise once every heartbeat.
    pub(crate) fn polled(&mut self, state: &str, next_poll: Duration) {
        let changed = self.last_state.as_deref() != Some(state);
        self.last_state = Some(state.to_owned());
        if self.spinner.is_some() {
            self.waiting(next_poll);
            return;
        }
        if changed || self.last_line.elapsed() >= self.options.heartbeat {
            let verb = if changed { "is" } else { "is still" };
            note(
                self.options,
                &format!(
                    "job {} {verb} {state} after {}; next poll in {}",
                    self.job,
                    human(self.running_for()),
                    human(next_poll)
                ),
            );
            self.last_line = Instant::now();
        }
    }

    /// Updates the spinner with the time left before the next poll.
    pub(crate) fn waiting(&self, next_poll: Duration) {
        if let Some(spinner) = &self.spinner {
            spinner.set_message(format!(
                "job {}: {} for {}, next poll in {}",
                self.job,
                self.last_state.as_deref().unwrap_or("starting"),
                human(self.running_for()),
                human(next_poll)
            ));
        }
    }

    /// The job left the state it was waited in: the spinner goes, a line says how it ended.
    pub(crate) fn finish(self, state: &str) {
        if let Some(spinner) = &self.spinner {
            spinner.finish_and_clear();
        }
        note(
            self.options,
            &format!(
                "job {} is {state} after {}",
                self.job,
                human(self.running_for())
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::human;
    use std::time::Duration;

    #[test]
    fn durations_read_as_people_say_them() {
        for (seconds, text) in [(0, "0s"), (45, "45s"), (185, "3m05s"), (8040, "2h14m")] {
            assert_eq!(human(Duration::from_secs(seconds)), text);
        }
        assert_eq!(human(Duration::from_millis(200)), "0.2s");
    }
}
