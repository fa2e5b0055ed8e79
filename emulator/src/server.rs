//! The HTTP server around the state: hyper on a small tokio runtime of its own, on a background
//! thread, so tests and blocking programs can start an emulator with one call.

use std::future::Future as _;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt as _;
use hyper::body::Incoming;

use crate::clock::{Clock, SystemClock};
use crate::config::{AccessType, Config, Faults, Limits};
use crate::state::{Reply, Request, SCOPE_PREFIX, State, Stats};

/// The most connections served at once; more wait to be accepted.
const MAX_CONNECTIONS: usize = 512;
/// The longest pause after failing to accept a connection (out of file descriptors, say).
const MAX_ACCEPT_BACKOFF: Duration = Duration::from_secs(1);

/// A running emulator. It stops when dropped.
pub struct Emulator {
    base_url: String,
    state: Arc<Mutex<State>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Emulator {
    /// Starts an emulator on a free port of 127.0.0.1 with the system clock.
    pub fn start(config: Config) -> std::io::Result<Emulator> {
        Self::start_with(
            config,
            Arc::new(SystemClock),
            "127.0.0.1:0".parse().expect("an address"),
        )
    }

    /// Starts an emulator on `address` with `clock`.
    pub fn start_with(
        mut config: Config,
        clock: Arc<dyn Clock>,
        address: SocketAddr,
    ) -> std::io::Result<Emulator> {
        if config.signing_key.is_none() {
            config.signing_key = Some(random_key()?);
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_io()
            .enable_time()
            .thread_name("emulator")
            .build()?;
        let listener = runtime.block_on(tokio::net::TcpListener::bind(address))?;
        let local = listener.local_addr()?;
        let base_url = format!("http://{local}/");
        let limits = Arc::new(config.limits.clone());
        let state = Arc::new(Mutex::new(State::new(config, clock, base_url.clone())));
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        let served = state.clone();
        let thread = std::thread::Builder::new()
            .name("emulator-accept".to_owned())
            .spawn(move || runtime.block_on(serve(listener, served, limits, stopped)))?;
        Ok(Emulator {
            base_url,
            state,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// Where it listens, such as `http://127.0.0.1:40123/`: the client's root URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The consent endpoint for the OAuth flow.
    pub fn auth_url(&self) -> String {
        format!("{}o/oauth2/auth", self.base_url)
    }

    /// The token endpoint for the OAuth flow.
    pub fn token_url(&self) -> String {
        format!("{}token", self.base_url)
    }

    /// A grant for `resources` as if the user had consented: (access token, refresh token).
    pub fn authorize(&self, resources: &[&str], access_type: AccessType) -> (String, String) {
        self.lock().grant(resources, access_type)
    }

    /// The scope URL of a resource, such as `myactivity.search`.
    pub fn scope(resource: &str) -> String {
        format!("{SCOPE_PREFIX}{resource}")
    }

    /// What the emulator has seen and done so far.
    pub fn stats(&self) -> Stats {
        self.lock().stats.clone()
    }

    /// How many jobs exist.
    pub fn job_count(&self) -> usize {
        self.lock().job_count()
    }

    /// The archive the emulator serves for a job's resource, once the job is complete.
    pub fn archive(&self, job: &str, resource: &str) -> Option<Vec<u8>> {
        self.lock().archive(job, resource)
    }

    /// Makes the next `count` new jobs fail instead of completing.
    pub fn fail_next_jobs(&self, count: u32) {
        self.lock().fail_next_jobs(count);
    }

    /// Makes the next `count` polls of complete jobs hand out URLs that have already expired.
    pub fn expire_next_urls(&self, count: u32) {
        self.lock().expire_next_urls(count);
    }

    /// Changes the injected faults from now on.
    pub fn set_faults(&self, faults: Faults) {
        self.lock().set_faults(faults);
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<Mutex<State>>,
    limits: Arc<Limits>,
    mut stopped: tokio::sync::oneshot::Receiver<()>,
) {
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let mut backoff = Duration::from_millis(10);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            _ = &mut stopped => return,
        };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = &mut stopped => return,
        };
        let stream = match accepted {
            Ok((stream, _)) => {
                backoff = Duration::from_millis(10);
                stream
            }
            Err(_) => {
                // Usually out of file descriptors: retrying at once would spin a core until
                // some connection closes, so pause, longer each time.
                tokio::select! {
                    _ = tokio::time::sleep(backoff) => {}
                    _ = &mut stopped => return,
                }
                backoff = (backoff * 2).min(MAX_ACCEPT_BACKOFF);
                continue;
            }
        };
        let state = state.clone();
        let limits = limits.clone();
        tokio::spawn(async move {
            let header_timeout = limits.header_timeout;
            let service = hyper::service::service_fn(move |request| {
                answer(state.clone(), limits.clone(), request)
            });
            // A dropped connection ends here with an error, which is the point of it. The timer
            // lets hyper close connections that are slow to send headers, or idle too long.
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(header_timeout)
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
            drop(slot);
        });
    }
}

/// 32 random bytes from the operating system, for signing download URLs.
fn random_key() -> std::io::Result<Vec<u8>> {
    let mut key = vec![0; 32];
    getrandom::fill(&mut key).map_err(|error| {
        std::io::Error::other(format!("no random signing key to be had: {error}"))
    })?;
    Ok(key)
}

/// The connection is closed without an answer (an injected fault).
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for Dropped {}

async fn answer(
    state: Arc<Mutex<State>>,
    limits: Arc<Limits>,
    request: hyper::Request<Incoming>,
) -> Result<hyper::Response<ReplyBody>, Dropped> {
    let (parts, body) = request.into_parts();
    let announced = parts
        .headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if announced.is_some_and(|length| length > limits.max_body_bytes as u64) {
        return Ok(response(Reply::too_large(limits.max_body_bytes)));
    }
    let limited = http_body_util::Limited::new(body, limits.max_body_bytes);
    let body = match tokio::time::timeout(limits.body_timeout, limited.collect()).await {
        Ok(Ok(collected)) => collected.to_bytes().to_vec(),
        Ok(Err(error)) if error.is::<http_body_util::LengthLimitError>() => {
            return Ok(response(Reply::too_large(limits.max_body_bytes)));
        }
        // The client broke the connection mid-body.
        Ok(Err(_)) => return Err(Dropped),
        Err(_) => return Ok(response(Reply::too_slow(limits.body_timeout))),
    };
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    let request = Request {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or_default().to_owned(),
        authorization: header("authorization"),
        range: header("range"),
        body,
    };
    let reply = state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .handle(&request);
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    if reply.drop {
        return Err(Dropped);
    }
    Ok(response(reply))
}

/// The HTTP response for a reply. A reply that HTTP cannot carry (a header value with a line
/// break, say) becomes a 500 rather than a panic: no request may bring the server down.
fn response(reply: Reply) -> hyper::Response<ReplyBody> {
    let mut builder = hyper::Response::builder().status(reply.status);
    for (name, value) in &reply.headers {
        builder = builder.header(name, value);
    }
    let length = reply.body.len() as u64;
    let body = ReplyBody {
        data: Some(Bytes::from(reply.body)),
        cut_at: reply.cut_at,
        length,
        break_after: None,
    };
    builder.body(body).unwrap_or_else(|_| {
        let fallback = Reply::internal("The reply could not be sent as HTTP.");
        let length = fallback.body.len() as u64;
        let mut response = hyper::Response::new(ReplyBody {
            data: Some(Bytes::from(fallback.body)),
            cut_at: None,
            length,
            break_after: None,
        });
        *response.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
        response
    })
}

/// A reply body that may stop short: it announces its full length, sends part of it, waits a
/// moment (so the part really leaves, instead of dying in a buffer with the connection), then
/// fails, so the connection breaks mid-body as a real network failure would.
struct ReplyBody {
    data: Option<Bytes>,
    cut_at: Option<usize>,
    length: u64,
    break_after: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl Body for ReplyBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        if let Some(data) = self.data.take() {
            return match self.cut_at {
                Some(cut) => {
                    self.break_after = Some(Box::pin(tokio::time::sleep(
                        std::time::Duration::from_millis(50),
                    )));
                    Poll::Ready(Some(Ok(Frame::data(data.slice(..cut.min(data.len()))))))
                }
                None => Poll::Ready(Some(Ok(Frame::data(data)))),
            };
        }
        match self.break_after.as_mut() {
            Some(sleep) => match sleep.as_mut().poll(context) {
                Poll::Ready(()) => Poll::Ready(Some(Err(std::io::Error::other(
                    "download truncated by fault injection",
                )))),
                Poll::Pending => Poll::Pending,
            },
            None => Poll::Ready(None),
        }
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.length)
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_none() && self.break_after.is_none()
    }
}
