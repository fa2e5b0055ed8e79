//! The throughput benchmark of `cargo xtask bench --throughput`: 10,000 small Drive calls
//! (`about.get`) at 256 in flight, from our drive.v3 crate on one `AsyncClient` and from
//! google-drive3 7.0.0's hub, against one small keep-alive server in this process. Run once per
//! side (`MODE=ours` or `MODE=theirs`), so that each peak memory figure is one side's alone;
//! `REQUESTS` changes the count (a longer run for a profile).

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// How many calls a run makes: 10,000 unless `REQUESTS` says.
fn requests() -> usize {
    std::env::var("REQUESTS")
        .ok()
        .and_then(|count| count.parse().ok())
        .unwrap_or(10_000)
}
const IN_FLIGHT: usize = 256;
const ANSWER: &str = r#"{"kind":"drive#about","user":{"displayName":"Bench","emailAddress":"bench@example.com"}}"#;

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// A keep-alive HTTP/1.1 server that answers every request with `ANSWER`, a thread per
/// connection; its root URL.
fn serve() -> Result<String, Failure> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let root = format!("http://{}/", listener.local_addr()?);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut writer = stream.try_clone().expect("a second handle");
                let mut reader = BufReader::new(stream);
                loop {
                    let mut length = 0;
                    let mut line = String::new();
                    // The head, then as many body bytes as it announces.
                    loop {
                        line.clear();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        let trimmed = line.trim_end();
                        if trimmed.is_empty() {
                            break;
                        }
                        if let Some((name, value)) = trimmed.split_once(':')
                            && name.eq_ignore_ascii_case("content-length")
                        {
                            length = value.trim().parse().unwrap_or(0);
                        }
                    }
                    let mut body = vec![0; length];
                    if std::io::Read::read_exact(&mut reader, &mut body).is_err() {
                        return;
                    }
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{ANSWER}",
                        ANSWER.len()
                    );
                    if writer.write_all(answer.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    Ok(root)
}

/// Takes one request of those left; `false` when none is.
fn take_one(left: &AtomicUsize) -> bool {
    left.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
        .is_ok()
}

async fn ours(root: &str) -> Result<(), Failure> {
    use google_drive_v3::prelude::StandardParameters as _;
    let client = google_drive_v3::runtime::AsyncClient::builder()
        .root_url(root)
        .token_source(google_drive_v3::runtime::StaticToken::new("bench-token"))
        .build_async()?;
    let drive = google_drive_v3::Drive::new(&client);
    let left = Arc::new(AtomicUsize::new(requests()));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..IN_FLIGHT {
        let (drive, left) = (drive.clone(), Arc::clone(&left));
        tasks.spawn(async move {
            while take_one(&left) {
                let about = drive.about().get().fields("user").send().await?;
                std::hint::black_box(about);
            }
            Ok::<(), Failure>(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    Ok(())
}

async fn theirs(root: &str) -> Result<(), Failure> {
    use google_drive3::{DriveHub, hyper_rustls, hyper_util};
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()?
        .https_or_http()
        .enable_http1()
        .build();
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build(connector);
    let mut hub = DriveHub::new(client, "bench-token".to_owned());
    hub.root_url(root.to_owned());
    hub.base_url(format!("{root}drive/v3/"));
    let left = Arc::new(AtomicUsize::new(requests()));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..IN_FLIGHT {
        let (hub, left) = (hub.clone(), Arc::clone(&left));
        tasks.spawn(async move {
            while take_one(&left) {
                let (_, about) = hub.about().get().param("fields", "user").doit().await?;
                std::hint::black_box(about);
            }
            Ok::<(), Failure>(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    Ok(())
}

fn main() -> Result<(), Failure> {
    let mode = std::env::var("MODE").unwrap_or_else(|_| "ours".to_owned());
    let root = serve()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let started = Instant::now();
    match mode.as_str() {
        "ours" => runtime.block_on(ours(&root))?,
        "theirs" => runtime.block_on(theirs(&root))?,
        other => return Err(format!("unknown MODE {other:?}: ours or theirs").into()),
    }
    let elapsed = started.elapsed();
    let peak = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:").map(|kb| kb.trim().to_owned()))
        })
        .unwrap_or_else(|| "unknown".to_owned());
    let client_cpu = worker_cpu_seconds();
    // The rest of the process's time is the server's (and the main thread's few spawns).
    let server_cpu = process_cpu_seconds() - client_cpu;
    let who = if mode == "ours" {
        "our drive.v3 on one AsyncClient"
    } else {
        "google-drive3 7.0.0's hub"
    };
    let count = requests();
    println!(
        "{who}: {count} about.get at {IN_FLIGHT} in flight in {:.2} s, {:.0} requests/s, \
         client CPU {:.1} µs a request, server CPU {:.1} µs a request, peak memory {peak}",
        elapsed.as_secs_f64(),
        count as f64 / elapsed.as_secs_f64(),
        client_cpu * 1e6 / count as f64,
        server_cpu * 1e6 / count as f64,
    );
    Ok(())
}

/// Clock ticks, which Linux reports at 100 a second.
const TICKS: f64 = 100.0;

/// User and system time from a `stat` file of `/proc`: the 12th and 13th fields after the
/// command's closing parenthesis.
fn cpu_ticks(stat: &str) -> Option<u64> {
    let (_, fields) = stat.rsplit_once(')')?;
    let fields: Vec<&str> = fields.split_whitespace().collect();
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

/// The CPU time (user and system) the whole process has used, its ended threads included.
fn process_cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| cpu_ticks(&stat))
        .map_or(f64::NAN, |ticks| ticks as f64 / TICKS)
}

/// The CPU time (user and system) the runtime's worker threads have used: the client's share
/// of the machine, apart from the server's threads, which the two sides share alike.
fn worker_cpu_seconds() -> f64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return f64::NAN;
    };
    let mut ticks = 0u64;
    for task in tasks.flatten() {
        let path = task.path();
        let is_worker = std::fs::read_to_string(path.join("comm"))
            .is_ok_and(|name| name.trim() == "tokio-rt-worker");
        if is_worker {
            let stat = std::fs::read_to_string(path.join("stat")).unwrap_or_default();
            ticks += cpu_ticks(&stat).unwrap_or(0);
        }
    }
    ticks as f64 / TICKS
}
