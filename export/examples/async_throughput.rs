//! What the async client costs and carries, against the emulator: the overhead of one async
//! `send()` over the same request made with async reqwest (with the same timeouts) and
//! `serde_json` by hand, and the
//! throughput of 10,000 small GETs at 256 in flight, from one `AsyncClient` and from our
//! blocking client on 256 threads, each with the process's peak memory.
//!
//! `cargo xtask bench --overhead` builds this and the emulator in release, starts the emulator
//! as a process of its own, and runs this once per `MODE` (`overhead`, `async`, `threads`, and
//! `threads-reqwest`: blocking reqwest by hand on as many threads, the baseline), so that each
//! peak memory figure is one way's alone:
//!
//! ```sh
//! MODE=async ROOT_URL=http://127.0.0.1:PORT/ ACCESS_TOKEN=... cargo run --release -p export --example async_throughput
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

#[path = "support/bench.rs"]
mod bench;

use bench::{Failure, HandState, job_name, median};
use google_dataportability_v1::prelude::*;
use google_dataportability_v1::runtime::StaticToken;

/// Requests of the throughput test.
const REQUESTS: usize = 10_000;
/// Requests in flight at once (tasks, or threads).
const IN_FLIGHT: usize = 256;
/// Runs of the overhead test, and requests each way per run.
const RUNS: usize = 7;
const PER_RUN: usize = 3_000;
/// Requests one way before switching to the other.
const BLOCK: usize = 25;

fn main() -> Result<(), Failure> {
    let root_url = std::env::var("ROOT_URL")?;
    let token = std::env::var("ACCESS_TOKEN")?;
    let mode = std::env::var("MODE").unwrap_or_else(|_| "overhead".to_owned());
    let builder = || {
        Client::builder()
            .root_url(&root_url)
            .token_source(StaticToken::new(&token))
    };
    // Made with a blocking client, before any runtime starts.
    let name = job_name(&DataPortability::new(&builder().build()?))?;
    match mode.as_str() {
        "overhead" => overhead(builder().build_async()?, &root_url, &token, &name),
        "async" => throughput_async(builder().build_async()?, &name),
        "threads" => throughput_threads(builder().build()?, &name),
        "threads-reqwest" => {
            // Building a client installs the TLS provider reqwest is built to expect.
            builder().build()?;
            throughput_reqwest(&root_url, &token, &name)
        }
        other => Err(format!(
            "unknown MODE {other:?}: overhead, async, threads or threads-reqwest"
        )
        .into()),
    }
}

/// One async `send()` against hand-written async reqwest, one request at a time, alternating.
fn overhead(client: AsyncClient, root_url: &str, token: &str, name: &str) -> Result<(), Failure> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let api = DataPortability::new(&client);
    // Configured as a careful program would, and as the generated client is: a time limit on
    // each call and on connecting.
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .connect_timeout(Duration::from_secs(10))
        .build()?;
    let url = format!("{}/v1/{name}", root_url.trim_end_matches('/'));
    let generated = || async {
        let state = api
            .archive_jobs()
            .get_portability_archive_state(name)
            .send()
            .await?;
        std::hint::black_box(state);
        Ok::<(), Failure>(())
    };
    let by_hand = || async {
        let body = http
            .get(&url)
            .bearer_auth(token)
            .send()
            .await?
            .error_for_status()?
            .bytes()
            .await?;
        let state: HandState = serde_json::from_slice(&body)?;
        std::hint::black_box(state);
        Ok::<(), Failure>(())
    };
    runtime.block_on(async {
        for _ in 0..200 {
            generated().await?;
            by_hand().await?;
        }
        println!("µs per request, one at a time, {PER_RUN} requests each way per run:");
        let (mut ours_runs, mut hand_runs, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        for run in 0..RUNS {
            let (mut ours, mut hand) = (Duration::ZERO, Duration::ZERO);
            for block in 0..PER_RUN / BLOCK {
                let mut time_ours = Duration::ZERO;
                let mut time_hand = Duration::ZERO;
                for turn in 0..2 {
                    let started = Instant::now();
                    let ours_first = (block + turn) % 2 == 0;
                    for _ in 0..BLOCK {
                        if ours_first {
                            generated().await?;
                        } else {
                            by_hand().await?;
                        }
                    }
                    if ours_first {
                        time_ours += started.elapsed();
                    } else {
                        time_hand += started.elapsed();
                    }
                }
                ours += time_ours;
                hand += time_hand;
            }
            let per_request = |total: Duration| total.as_secs_f64() * 1e6 / PER_RUN as f64;
            let (ours, hand) = (per_request(ours), per_request(hand));
            println!(
                "  run {}: async send() {ours:.1}, async reqwest by hand {hand:.1}, ratio {:.3}",
                run + 1,
                ours / hand
            );
            ours_runs.push(ours);
            hand_runs.push(hand);
            ratios.push(ours / hand);
        }
        println!(
            "median of {RUNS} runs: async send() {:.1} µs, by hand {:.1} µs, ratio {:.3}",
            median(ours_runs),
            median(hand_runs),
            median(ratios)
        );
        Ok(())
    })
}

/// 10,000 GETs from one `AsyncClient`, 256 tasks at a time, on a multi-threaded runtime.
fn throughput_async(client: AsyncClient, name: &str) -> Result<(), Failure> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let api = DataPortability::new(&client);
    let left = Arc::new(AtomicUsize::new(REQUESTS));
    let elapsed = runtime.block_on(async {
        let started = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..IN_FLIGHT {
            let (api, left, name) = (api.clone(), Arc::clone(&left), name.to_owned());
            tasks.spawn(async move {
                while take_one(&left) {
                    api.archive_jobs()
                        .get_portability_archive_state(&name)
                        .send()
                        .await?;
                }
                Ok::<(), Failure>(())
            });
        }
        while let Some(done) = tasks.join_next().await {
            done??;
        }
        Ok::<_, Failure>(started.elapsed())
    })?;
    report("one AsyncClient, 256 tasks", elapsed);
    Ok(())
}

/// 10,000 GETs from one blocking `Client` shared by 256 threads.
fn throughput_threads(client: Client, name: &str) -> Result<(), Failure> {
    let api = DataPortability::new(&client);
    on_threads("one blocking Client, 256 threads", || {
        api.archive_jobs()
            .get_portability_archive_state(name)
            .send()?;
        Ok(())
    })
}

/// 10,000 GETs by hand with one blocking reqwest client shared by 256 threads: what the
/// blocking HTTP stack alone does under the same load.
fn throughput_reqwest(root_url: &str, token: &str, name: &str) -> Result<(), Failure> {
    let http = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(60))
        .connect_timeout(Duration::from_secs(10))
        .build()?;
    let url = format!("{}/v1/{name}", root_url.trim_end_matches('/'));
    on_threads("blocking reqwest by hand, 256 threads", || {
        let body = http.get(&url).bearer_auth(token).send()?.bytes()?;
        let state: HandState = serde_json::from_slice(&body)?;
        std::hint::black_box(state);
        Ok(())
    })
}

/// Makes the 10,000 requests with `request` on 256 threads, and reports.
fn on_threads(what: &str, request: impl Fn() -> Result<(), Failure> + Sync) -> Result<(), Failure> {
    let left = AtomicUsize::new(REQUESTS);
    let started = Instant::now();
    std::thread::scope(|scope| {
        let threads: Vec<_> = (0..IN_FLIGHT)
            .map(|_| {
                scope.spawn(|| {
                    while take_one(&left) {
                        request()?;
                    }
                    Ok::<(), Failure>(())
                })
            })
            .collect();
        threads
            .into_iter()
            .try_for_each(|thread| thread.join().expect("no thread panics"))
    })?;
    report(what, started.elapsed());
    Ok(())
}

/// Takes one request of those left; `false` when none is.
fn take_one(left: &AtomicUsize) -> bool {
    left.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
        .is_ok()
}

/// Requests per second, and the process's peak resident memory (`VmHWM`).
fn report(what: &str, elapsed: Duration) {
    let peak = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:").map(|kb| kb.trim().to_owned()))
        })
        .unwrap_or_else(|| "unknown".to_owned());
    println!(
        "{what}: {REQUESTS} GETs in {:.2} s, {:.0} requests/s, peak memory {peak}",
        elapsed.as_secs_f64(),
        REQUESTS as f64 / elapsed.as_secs_f64()
    );
}
