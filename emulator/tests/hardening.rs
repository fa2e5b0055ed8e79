//! The emulator as an attacker meets it, over raw TCP on 127.0.0.1: hostile consent requests,
//! huge and slow bodies, slow headers, idle connections, running out of file descriptors, and
//! download URLs that must not be forgeable.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use emulator::{AccessType, Config, Emulator, Limits};

/// The `host:port` of an emulator's base URL.
fn address(emulator: &Emulator) -> String {
    emulator
        .base_url()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned()
}

/// Sends `request` as it is and reads the answer until the server closes the connection (or
/// 5 s pass); the answer as text.
fn exchange(address: &str, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream.write_all(request).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

fn status_line(answer: &str) -> &str {
    answer.lines().next().unwrap_or_default()
}

#[test]
fn consent_requests_with_control_characters_get_400_and_the_server_lives() {
    let emulator = Emulator::start(Config::default()).unwrap();
    let address = address(&emulator);
    let scope = "https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fdataportability.myactivity.search";
    for hostile in [
        "http%3A%2F%2Fa%2F%0D%0ASet-Cookie%3A%20x%3D1",
        "http%3A%2F%2Fa%2F%7F",
        "http%3A%2F%2Fa%2F%00",
        "http%3A%2F%2Fa%2F%20b",
        "no-scheme",
    ] {
        let answer = exchange(
            &address,
            format!(
                "GET /o/oauth2/auth?response_type=code&client_id=c&redirect_uri={hostile}&scope={scope} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"
            )
            .as_bytes(),
        );
        assert_eq!(
            status_line(&answer),
            "HTTP/1.1 400 Bad Request",
            "{hostile}: {answer}"
        );
        assert!(answer.contains("invalid_request"), "{answer}");
        assert!(
            !answer.to_ascii_lowercase().contains("set-cookie"),
            "{answer}"
        );
    }
    // Still serving, and a proper redirect URI still works.
    let answer = exchange(
        &address,
        format!(
            "GET /o/oauth2/auth?response_type=code&client_id=c&redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2Fcb&scope={scope} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"
        )
        .as_bytes(),
    );
    assert_eq!(status_line(&answer), "HTTP/1.1 302 Found", "{answer}");
}

fn limited(limits: Limits) -> Emulator {
    Emulator::start(Config {
        limits,
        ..Config::default()
    })
    .unwrap()
}

#[test]
fn bodies_over_the_limit_are_refused_with_413() {
    let emulator = limited(Limits {
        max_body_bytes: 1024,
        ..Limits::default()
    });
    let address = address(&emulator);
    let body = "x".repeat(2048);
    // Announced by its length.
    let answer = exchange(
        &address,
        format!(
            "POST /v1/portabilityArchive:initiate HTTP/1.1\r\nhost: x\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    );
    assert!(status_line(&answer).starts_with("HTTP/1.1 413"), "{answer}");
    // Chunked, so only counting finds it: a 100 MB body is refused after the first KiB.
    let mut stream = TcpStream::connect(&address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream
        .write_all(b"POST /v1/portabilityArchive:initiate HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n")
        .unwrap();
    let chunk = format!("400\r\n{}\r\n", "y".repeat(1024));
    let mut sent = 0;
    while sent < 100 * 1024 * 1024 {
        if stream.write_all(chunk.as_bytes()).is_err() {
            break;
        }
        sent += 1024;
    }
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(status_line(&answer).starts_with("HTTP/1.1 413"), "{answer}");
    assert!(sent < 100 * 1024 * 1024, "the server read all {sent} bytes");
}

#[test]
fn slow_headers_slow_bodies_and_idle_connections_are_cut_off() {
    let emulator = limited(Limits {
        header_timeout: Duration::from_millis(300),
        body_timeout: Duration::from_millis(300),
        ..Limits::default()
    });
    let address = address(&emulator);
    let closed_within = |request: &[u8]| {
        let started = Instant::now();
        let answer = exchange(&address, request);
        (started.elapsed(), answer)
    };
    // Half a request line, then nothing (slowloris).
    let (waited, answer) = closed_within(b"GET /v1/accessType HTTP/1.1\r\nhost: x\r\n");
    assert!(waited < Duration::from_secs(3), "{waited:?}");
    assert!(!answer.contains("200 OK"), "{answer}");
    // Nothing at all.
    let (waited, _) = closed_within(b"");
    assert!(waited < Duration::from_secs(3), "{waited:?}");
    // Headers, then a body that never comes.
    let (waited, answer) = closed_within(
        b"POST /v1/accessType:check HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n{\"a",
    );
    assert!(waited < Duration::from_secs(3), "{waited:?}");
    assert!(status_line(&answer).starts_with("HTTP/1.1 408"), "{answer}");
}

/// CPU time (user and system, in clock ticks) a process has used so far.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

/// A child process that is killed when the test ends, passed or failed.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[cfg(target_os = "linux")]
#[test]
fn running_out_of_file_descriptors_does_not_spin_the_accept_loop() {
    use std::io::BufRead;
    // The emulator binary with few file descriptors allowed.
    let child = std::process::Command::new("sh")
        .arg("-c")
        .arg(r#"ulimit -n 64 && exec "$0" --port 0"#)
        .arg(env!("CARGO_BIN_EXE_emulator"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut child = Killed(child);
    let mut lines = std::io::BufReader::new(child.0.stdout.take().unwrap()).lines();
    let address = lines
        .by_ref()
        .map(Result::unwrap)
        .find_map(|line| {
            line.trim().strip_prefix("root URL:").map(|url| {
                url.trim()
                    .trim_start_matches("http://")
                    .trim_end_matches('/')
                    .to_owned()
            })
        })
        .unwrap();
    // More connections than it has descriptors for; the kernel accepts them on its behalf.
    let held: Vec<TcpStream> = (0..100)
        .filter_map(|_| TcpStream::connect(&address).ok())
        .collect();
    assert!(held.len() > 64, "only {} connections", held.len());
    std::thread::sleep(Duration::from_millis(300));
    let before = cpu_ticks(child.0.id());
    std::thread::sleep(Duration::from_secs(2));
    let used = cpu_ticks(child.0.id()) - before;
    drop(held);
    // A spinning loop uses the whole 2 s (about 200 ticks); backing off uses next to nothing.
    assert!(used < 40, "the emulator used {used} ticks of CPU in 2 s");
    // Once descriptors are free again, it serves.
    std::thread::sleep(Duration::from_millis(1500));
    let answer = exchange(
        &address,
        b"GET /v1/nothing HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
    );
    drop(child);
    assert!(status_line(&answer).starts_with("HTTP/1.1 "), "{answer:?}");
}

#[test]
fn download_urls_are_signed_with_a_random_key_unless_one_is_set() {
    let urls = |config: Config| {
        let emulator = Emulator::start(config).unwrap();
        let (token, _) = emulator.authorize(&["myactivity.search"], AccessType::OneTime);
        let client = google_dataportability_v1::DataPortability::new(
            &google_dataportability_v1::Client::builder()
                .root_url(emulator.base_url())
                .token_source(google_dataportability_v1::runtime::StaticToken::new(token))
                .build()
                .unwrap(),
        );
        let job = client
            .portability_archive()
            .initiate(
                google_dataportability_v1::model::InitiatePortabilityArchiveRequest::default()
                    .set_resources(["myactivity.search"]),
            )
            .send()
            .unwrap()
            .archive_job_id
            .unwrap();
        let name = format!("archiveJobs/{job}/portabilityArchiveState");
        let state = || {
            client
                .archive_jobs()
                .get_portability_archive_state(name.clone())
                .send()
                .unwrap()
        };
        state();
        let url = state().urls.unwrap().remove(0);
        // The same seed gives the same job; only the signature may differ. The expiry is
        // signed too, and two runs a second apart have different ones.
        let expires = url.split("expires=").nth(1).unwrap();
        let expires = expires.split('&').next().unwrap().to_owned();
        let signature = url.split("signature=").nth(1).unwrap().to_owned();
        (job, expires, signature)
    };
    let (job_a, _, signature_a) = urls(Config::default());
    let (job_b, _, signature_b) = urls(Config::default());
    assert_eq!(job_a, job_b, "the seed fixes the job id");
    assert_ne!(
        signature_a, signature_b,
        "the seed must not fix the signing key"
    );
    let fixed = || Config {
        signing_key: Some(b"a key a test chose".to_vec()),
        ..Config::default()
    };
    // With a key of its own, the same expiry gives the same signature. A pair that fell on
    // either side of a second is drawn again.
    let same_second = (0..3)
        .map(|_| (urls(fixed()), urls(fixed())))
        .find(|(a, b)| a.1 == b.1)
        .expect("two runs within one second");
    assert_eq!(same_second.0, same_second.1);
}

#[test]
fn the_binary_refuses_unknown_resources_in_grant() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_emulator"))
        .args([
            "--port",
            "0",
            "--grant",
            "myactivity.search,myactivity.serach",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("\"myactivity.serach\" is not a Data Portability resource"),
        "{stderr}"
    );
}

#[test]
fn the_binary_names_a_busy_port_without_the_usage_and_explains_each_option() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_emulator"))
        .args(["--port", &port])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("could not listen on 127.0.0.1:{port}")),
        "{stderr}"
    );
    assert!(stderr.contains("--port"), "{stderr}");
    assert!(!stderr.contains("usage:"), "{stderr}");

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_emulator"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&output.stdout);
    for option in [
        "--seed N ",
        "--complete-after-polls N ",
        "--fail-first-jobs N ",
        "--unavailable RATE ",
        "--throttled RATE ",
    ] {
        assert!(
            help.contains(&format!("  {option}")),
            "{option} is not explained"
        );
    }
}
