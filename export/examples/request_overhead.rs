//! What the generated client adds to a request: `getPortabilityArchiveState` through it, against
//! the same request made with blocking reqwest and `serde_json` by hand, on one server.
//!
//! `cargo xtask bench --overhead` builds this and the emulator in release, starts the emulator
//! as a process of its own and runs this with its root URL and token:
//!
//! ```sh
//! ROOT_URL=http://127.0.0.1:PORT/ ACCESS_TOKEN=... cargo run --release -p export --example request_overhead
//! ```
//!
//! Each run makes 6×500 requests each way, in alternating blocks of 25, so a slow moment of the
//! machine hits both alike. It prints the microseconds per request of each run and the median
//! over 7 runs.

use std::time::{Duration, Instant};

#[path = "support/bench.rs"]
mod bench;

use bench::{HandState, job_name, median};
use google_dataportability_v1::prelude::*;
use google_dataportability_v1::runtime::StaticToken;

const RUNS: usize = 7;
const ROUNDS: usize = 6;
const REQUESTS: usize = 500;
/// Requests made one way before switching to the other: short blocks, so the machine's slow
/// moments (two cores shared with the server) fall on both alike.
const BLOCK: usize = 25;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root_url = std::env::var("ROOT_URL")?;
    let token = std::env::var("ACCESS_TOKEN")?;
    let client = DataPortability::new(
        &Client::builder()
            .root_url(&root_url)
            .token_source(StaticToken::new(&token))
            .build()?,
    );
    let name = job_name(&client).map_err(|error| error as Box<dyn std::error::Error>)?;

    let generated = || -> Result<(), Box<dyn std::error::Error>> {
        let state = client
            .archive_jobs()
            .get_portability_archive_state(&name)
            .send()?;
        std::hint::black_box(state);
        Ok(())
    };
    let http = reqwest::blocking::Client::new();
    let url = format!(
        "{}v1/{name}",
        root_url.trim_end_matches('/').to_owned() + "/"
    );
    let by_hand = || -> Result<(), Box<dyn std::error::Error>> {
        let body = http
            .get(&url)
            .bearer_auth(&token)
            .send()?
            .error_for_status()?
            .bytes()?;
        let state: HandState = serde_json::from_slice(&body)?;
        std::hint::black_box(state);
        Ok(())
    };

    // Warm both: connections open, allocator and caches settled.
    for _ in 0..200 {
        generated()?;
        by_hand()?;
    }
    println!("µs per request, {ROUNDS}×{REQUESTS} requests each way per run:");
    let mut ratios = Vec::new();
    let (mut ours_runs, mut hand_runs) = (Vec::new(), Vec::new());
    for run in 0..RUNS {
        let (mut ours, mut hand) = (Duration::ZERO, Duration::ZERO);
        for block in 0..ROUNDS * REQUESTS / BLOCK {
            if block % 2 == 0 {
                ours += time(BLOCK, &generated)?;
                hand += time(BLOCK, &by_hand)?;
            } else {
                hand += time(BLOCK, &by_hand)?;
                ours += time(BLOCK, &generated)?;
            }
        }
        let per_request = |total: Duration| total.as_secs_f64() * 1e6 / (ROUNDS * REQUESTS) as f64;
        let (ours, hand) = (per_request(ours), per_request(hand));
        println!(
            "  run {}: generated {ours:.1}, by hand {hand:.1}, ratio {:.3}",
            run + 1,
            ours / hand
        );
        ours_runs.push(ours);
        hand_runs.push(hand);
        ratios.push(ours / hand);
    }
    println!(
        "median of {RUNS} runs: generated {:.1} µs, by hand {:.1} µs, ratio {:.3} (median of the runs' ratios)",
        median(ours_runs),
        median(hand_runs),
        median(ratios)
    );
    Ok(())
}

/// How long `count` calls of `call` take.
fn time(
    count: usize,
    call: &dyn Fn() -> Result<(), Box<dyn std::error::Error>>,
) -> Result<Duration, Box<dyn std::error::Error>> {
    let started = Instant::now();
    for _ in 0..count {
        call()?;
    }
    Ok(started.elapsed())
}
