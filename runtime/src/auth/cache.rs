//! One token for many threads: a cached access token, refreshed before it expires by one caller
//! while the others wait for it (or keep using the old one while it is still valid).

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::Error;
use crate::auth::AccessToken;

/// How long before its expiry a token is refreshed, at most.
const REFRESH_MARGIN: Duration = Duration::from_secs(4 * 60);
/// A token this close to its expiry is not handed out at all: a request must still reach the
/// server with it.
const EXPIRY_SLACK: Duration = Duration::from_secs(10);

/// A token and how long it lives, as a token endpoint answered.
pub(super) struct Fetched {
    pub(super) token: AccessToken,
    pub(super) lifetime: Duration,
}

/// The cache. Every caller that finds no fresh token either refreshes it (the first) or waits
/// for that refresh, so that many callers at once make one request.
#[derive(Default)]
pub(super) struct TokenCache {
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Default)]
struct State {
    held: Option<Held>,
    /// Whether a caller is refreshing now.
    refreshing: bool,
    /// Counts finished refreshes, so that a waiter knows one ended.
    refreshes: u64,
    /// Why the last refresh failed, for the callers that waited for it.
    failure: Option<String>,
}

struct Held {
    token: AccessToken,
    /// When to refresh it.
    refresh_at: Instant,
    /// When to stop handing it out.
    usable_until: Instant,
}

impl TokenCache {
    /// The cached token, when it need not be refreshed yet.
    pub(super) fn fresh(&self) -> Option<AccessToken> {
        let state = self.lock();
        let held = state.held.as_ref()?;
        (Instant::now() < held.refresh_at).then(|| held.token.clone())
    }

    /// A token: the cached one while it is fresh, else one `refresh` gets (called by one caller
    /// at a time; the others wait for its outcome, and share its failure rather than each
    /// trying again).
    pub(super) fn get(
        &self,
        refresh: impl FnOnce() -> Result<Fetched, Error>,
    ) -> Result<AccessToken, Error> {
        let mut state = self.lock();
        loop {
            let now = Instant::now();
            if let Some(held) = &state.held {
                // Fresh, or due for a refresh that another caller is making while it still
                // works.
                if now < held.refresh_at || (state.refreshing && now < held.usable_until) {
                    return Ok(held.token.clone());
                }
            }
            if !state.refreshing {
                break;
            }
            let waited_for = state.refreshes;
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
            if state.refreshes != waited_for
                && let Some(failure) = &state.failure
            {
                return Err(Error::Auth {
                    message: failure.clone(),
                });
            }
        }
        state.refreshing = true;
        drop(state);
        // Whatever happens in `refresh`, a panic included, the others are told it ended.
        let mut ending = Ending {
            cache: self,
            outcome: None,
        };
        let result = refresh();
        let token = match result {
            Ok(fetched) => {
                let now = Instant::now();
                let margin = REFRESH_MARGIN.min(fetched.lifetime / 2);
                ending.outcome = Some(Ok(Held {
                    token: fetched.token.clone(),
                    refresh_at: now + fetched.lifetime.saturating_sub(margin),
                    usable_until: now + fetched.lifetime.saturating_sub(EXPIRY_SLACK),
                }));
                Ok(fetched.token)
            }
            Err(error) => {
                ending.outcome = Some(Err(error.to_string()));
                Err(error)
            }
        };
        drop(ending);
        token
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Ends a refresh: stores its outcome (none when it panicked) and wakes every waiter.
struct Ending<'a> {
    cache: &'a TokenCache,
    outcome: Option<Result<Held, String>>,
}

impl Drop for Ending<'_> {
    fn drop(&mut self) {
        let mut state = self.cache.lock();
        state.refreshing = false;
        state.refreshes += 1;
        match self.outcome.take() {
            Some(Ok(held)) => {
                state.held = Some(held);
                state.failure = None;
            }
            Some(Err(message)) => state.failure = Some(message),
            None => state.failure = Some("the token refresh panicked".to_owned()),
        }
        drop(state);
        self.cache.changed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn fetched(token: &str, seconds: u64) -> Result<Fetched, Error> {
        Ok(Fetched {
            token: AccessToken::new(token),
            lifetime: Duration::from_secs(seconds),
        })
    }

    #[test]
    fn a_fresh_token_is_reused_and_a_short_lived_one_refreshed() {
        let cache = TokenCache::default();
        assert!(cache.fresh().is_none());
        let token = cache.get(|| fetched("one", 3600)).unwrap();
        assert_eq!(token.secret(), "one");
        let again = cache.get(|| panic!("no refresh while fresh")).unwrap();
        assert_eq!(again.secret(), "one");
        assert_eq!(cache.fresh().unwrap().secret(), "one");
        // A token that lives no longer than the margin is refreshed after half its life.
        let cache = TokenCache::default();
        cache.get(|| fetched("short", 0)).unwrap();
        assert_eq!(
            cache.get(|| fetched("next", 3600)).unwrap().secret(),
            "next"
        );
    }

    #[test]
    fn many_callers_make_one_refresh_and_share_its_failure() {
        let cache = TokenCache::default();
        let calls = AtomicUsize::new(0);
        let start = std::sync::Barrier::new(32);
        std::thread::scope(|scope| {
            for _ in 0..32 {
                scope.spawn(|| {
                    start.wait();
                    let result = cache.get(|| {
                        calls.fetch_add(1, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(300));
                        Err(Error::Auth {
                            message: "refused".to_owned(),
                        })
                    });
                    assert!(result.is_err());
                });
            }
        });
        // Those that waited share the failure; a caller that comes after it tries again.
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert!(cache.get(|| fetched("later", 3600)).is_ok());
    }
}
