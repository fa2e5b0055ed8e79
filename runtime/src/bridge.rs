//! How a blocking [`Client`](super::Client) waits for the runtime's async code: one background
//! runtime thread serves every blocking client, and there is no second implementation of
//! anything: blocking is the async code plus one of these waits.
//!
//! A call that owns what it needs runs on the background thread while the caller sleeps on a
//! channel ([`wait_on_runtime`]). An upload, which reads the caller's `std::io::Read` and calls
//! the caller's closures, and a download's reads are polled on the calling thread instead
//! ([`wait`]), woken by the background runtime when a socket is ready or a timer fires, so that
//! what they borrow need not be `Send` or `'static`.

use std::future::Future;
use std::pin::pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};

use super::error::Error;

/// What a blocking call inside an async task says.
pub(crate) const INSIDE_ASYNC: &str = "a blocking client's call was made inside an async task, \
     where waiting would stall the async runtime's thread: use an `AsyncClient` \
     (`Client::builder()...build_async()`) and `.await` the call, or make the call in \
     `tokio::task::spawn_blocking`";

/// The background runtime's handle, or why it could not be started.
static BACKGROUND: OnceLock<Result<tokio::runtime::Handle, String>> = OnceLock::new();

/// The runtime that drives blocking clients' sockets and timers, started on first use. Its
/// thread lives as long as the process: a runtime dropped inside an async task would panic, and
/// one thread serves every blocking client.
pub(crate) fn background() -> Result<&'static tokio::runtime::Handle, Error> {
    let started = BACKGROUND.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|error| format!("could not start the blocking client's runtime: {error}"))?;
        let handle = runtime.handle().clone();
        thread::Builder::new()
            .name("google-api-runtime".to_owned())
            .spawn(move || runtime.block_on(std::future::pending::<()>()))
            .map_err(|error| format!("could not start the blocking client's thread: {error}"))?;
        Ok(handle)
    });
    started.as_ref().map_err(|message| Error::Config {
        message: message.clone(),
    })
}

/// Runs `future` to its end on this thread and returns its result; refused inside an async task
/// (see [`inside_async_task`]), with an error `method` names.
pub(crate) fn wait<T>(
    method: &'static str,
    future: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    block_on(method, future)?
}

/// Runs `future` on the background runtime and waits for its result: for a call that owns what
/// it needs. The runtime's own thread then polls every such call, as the HTTP stack's
/// connection tasks expect (polled from many threads at once, it was seen to leave a pooled
/// connection unused until the server timed it out); this thread only sleeps on a channel.
pub(crate) fn wait_on_runtime<T: Send + 'static>(
    method: &'static str,
    future: impl Future<Output = Result<T, Error>> + Send + 'static,
) -> Result<T, Error> {
    if inside_async_task() {
        return Err(Error::InvalidRequest {
            method,
            message: INSIDE_ASYNC.to_owned(),
        });
    }
    // The caller's tracing subscriber goes with the call, so its events reach it.
    let future = tracing::instrument::WithSubscriber::with_current_subscriber(future);
    let (answer, answered) = std::sync::mpsc::sync_channel(1);
    background()?.spawn(async move {
        let _ = answer.send(future.await);
    });
    answered.recv().unwrap_or_else(|_| {
        Err(Error::InvalidRequest {
            method,
            message: "the blocking client's runtime stopped before the call ended".to_owned(),
        })
    })
}

/// Runs `future` to its end on this thread; an error only when that is refused (inside an async
/// task) or the background runtime could not start.
pub(crate) fn block_on<T>(
    method: &'static str,
    future: impl Future<Output = T>,
) -> Result<T, Error> {
    if inside_async_task() {
        return Err(Error::InvalidRequest {
            method,
            message: INSIDE_ASYNC.to_owned(),
        });
    }
    // Sockets and timers the future makes belong to the background runtime, and what it spawns
    // (the HTTP stack's connection tasks) runs there.
    let _runtime = background()?.enter();
    Ok(run(future))
}

/// Polls `future` on this thread until it is ready, sleeping while it waits.
fn run<T>(future: impl Future<Output = T>) -> T {
    let waker = Waker::from(Arc::new(Unpark(thread::current())));
    let mut context = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        match future.as_mut().poll(&mut context) {
            Poll::Ready(output) => return output,
            // A wake before the park makes the park return at once; a spurious return polls
            // once more, harmlessly.
            Poll::Pending => thread::park(),
        }
    }
}

/// Wakes a thread sleeping in [`run`].
struct Unpark(Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Whether this thread is running an async task (or a runtime's `block_on`), where a blocking
/// wait would hold up every other task of that thread. A `spawn_blocking` closure and a plain
/// thread are not.
///
/// Tokio says so only through its cooperative budget: a task (and `block_on`) is polled with a
/// budget of a fixed number of operations, while blocking threads and threads outside a runtime
/// have none. Spending it until it runs out tells which, and every unit is given back. A task
/// that opted out with `tokio::task::unconstrained` is not seen; its call then blocks its
/// thread, as a blocking call there would anyway, and still returns.
fn inside_async_task() -> bool {
    if tokio::runtime::Handle::try_current().is_err() {
        return false;
    }
    /// More than any task's budget.
    const PROBE: usize = 1024;
    let mut context = Context::from_waker(Waker::noop());
    let mut spent = Vec::new();
    let limited = loop {
        if !tokio::task::coop::has_budget_remaining() {
            break true;
        }
        if spent.len() == PROBE {
            break false;
        }
        match tokio::task::coop::poll_proceed(&mut context) {
            Poll::Ready(unit) => spent.push(unit),
            Poll::Pending => break true,
        }
    };
    // Each unit gives back what it took when dropped, so the last taken goes back first.
    while let Some(unit) = spent.pop() {
        drop(unit);
    }
    limited
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn async_tasks_are_told_apart_from_blocking_threads() {
        assert!(!inside_async_task(), "a plain thread");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        assert!(runtime.block_on(async { inside_async_task() }), "block_on");
        assert!(
            runtime
                .block_on(runtime.spawn(async { inside_async_task() }))
                .unwrap(),
            "a task"
        );
        assert!(
            !runtime
                .block_on(runtime.spawn_blocking(inside_async_task))
                .unwrap(),
            "spawn_blocking"
        );
        // The probe leaves the task's budget as it found it: a hundred operations still proceed.
        let proceeded = runtime.block_on(async {
            inside_async_task();
            let mut context = Context::from_waker(Waker::noop());
            let mut units = Vec::new();
            for _ in 0..100 {
                match tokio::task::coop::poll_proceed(&mut context) {
                    Poll::Ready(unit) => units.push(unit),
                    Poll::Pending => break,
                }
            }
            let proceeded = units.len();
            while let Some(unit) = units.pop() {
                drop(unit);
            }
            proceeded
        });
        assert_eq!(proceeded, 100);
        let current = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        assert!(
            current.block_on(async { inside_async_task() }),
            "current_thread"
        );
    }
}
