//! The generated client against the emulator over HTTP: every method, every documented error,
//! the OAuth flow, signed downloads and their expiry.

use std::io::{Read, Write};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use emulator::{AccessType, Config, Emulator, ManualClock};
use google_dataportability_v1::model::{
    InitiatePortabilityArchiveRequest, portability_archive_state::State,
};
use google_dataportability_v1::prelude::*;
use google_dataportability_v1::runtime::{RetryPolicy, StaticToken, Timestamp};

const SEARCH: &str = "myactivity.search";
const YOUTUBE: &str = "myactivity.youtube";

/// An emulator on a hand-driven clock, with jobs that complete on the second poll.
fn start(config: Config) -> (Emulator, ManualClock) {
    let clock = ManualClock::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_780_000_000));
    let emulator = Emulator::start_with(
        config,
        Arc::new(clock.clone()),
        "127.0.0.1:0".parse().unwrap(),
    )
    .unwrap();
    (emulator, clock)
}

fn client(emulator: &Emulator, token: &str) -> DataPortability {
    let client = Client::builder()
        .root_url(emulator.base_url())
        .token_source(StaticToken::new(token))
        .retry_policy(RetryPolicy::default().initial_backoff(Duration::from_millis(5)))
        .build()
        .unwrap();
    DataPortability::new(&client)
}

fn initiate(client: &DataPortability, resources: &[&str]) -> Result<String, Error> {
    client
        .portability_archive()
        .initiate(
            InitiatePortabilityArchiveRequest::default().set_resources(resources.iter().copied()),
        )
        .send()
        .map(|response| response.archive_job_id.unwrap())
}

fn state(
    client: &DataPortability,
    job: &str,
) -> google_dataportability_v1::model::PortabilityArchiveState {
    client
        .archive_jobs()
        .get_portability_archive_state(format!("archiveJobs/{job}/portabilityArchiveState"))
        .send()
        .unwrap()
}

/// The canonical status and HTTP status of an API error.
fn status(error: &Error) -> (u16, String) {
    let api = error
        .api()
        .unwrap_or_else(|| panic!("not an API error: {error}"));
    (
        api.status,
        api.canonical_status().unwrap_or_default().to_owned(),
    )
}

#[test]
fn an_export_from_initiate_to_download() {
    let (emulator, _clock) = start(Config::default());
    let (token, _) = emulator.authorize(&[SEARCH, YOUTUBE], AccessType::OneTime);
    let client = client(&emulator, &token);

    let access = client
        .access_type()
        .check(Default::default())
        .send()
        .unwrap();
    assert_eq!(access.one_time_resources.unwrap(), [SEARCH, YOUTUBE]);

    let response = client
        .portability_archive()
        .initiate(InitiatePortabilityArchiveRequest::default().set_resources([SEARCH, YOUTUBE]))
        .send()
        .unwrap();
    assert_eq!(
        response.access_type.unwrap().as_str(),
        "ACCESS_TYPE_ONE_TIME"
    );
    let job = response.archive_job_id.unwrap();

    let first = state(&client, &job);
    assert_eq!(first.state, Some(State::InProgress));
    assert_eq!(
        first.name.unwrap(),
        format!("archiveJobs/{job}/portabilityArchiveState")
    );
    assert!(first.urls.is_none());
    assert!(first.export_time.is_some());
    let done = state(&client, &job);
    assert_eq!(done.state, Some(State::Complete));
    let urls = done.urls.unwrap();
    assert_eq!(urls.len(), 2);

    for (url, resource) in urls.iter().zip([SEARCH, YOUTUBE]) {
        let mut bytes = Vec::new();
        client
            .service()
            .client()
            .download(url, 0)
            .unwrap()
            .read_to_end(&mut bytes)
            .unwrap();
        assert_eq!(bytes, emulator.archive(&job, resource).unwrap());
        let mut zip = zip_entries(&bytes);
        assert_eq!(zip.remove(0), format!("{resource}.json"));
        // Resuming from an offset gets the rest, byte for byte.
        let mut rest = Vec::new();
        let mut resumed = client.service().client().download(url, 100).unwrap();
        assert!(resumed.resumed());
        assert_eq!(resumed.total_len(), Some(bytes.len() as u64));
        resumed.read_to_end(&mut rest).unwrap();
        assert_eq!(rest, bytes[100..]);
    }

    client
        .authorization()
        .reset(Default::default())
        .send()
        .unwrap();
    let error = client
        .access_type()
        .check(Default::default())
        .send()
        .unwrap_err();
    assert_eq!(
        status(&error),
        (401, "UNAUTHENTICATED".to_owned()),
        "reset revokes the token"
    );
}

fn zip_entries(bytes: &[u8]) -> Vec<String> {
    // The local file header: signature, then the name at offset 30, its length at offset 26.
    assert_eq!(&bytes[..4], b"PK\x03\x04");
    let length = u16::from_le_bytes([bytes[26], bytes[27]]) as usize;
    vec![String::from_utf8(bytes[30..30 + length].to_vec()).unwrap()]
}

#[test]
fn one_time_grants_are_used_up_until_reset() {
    let (emulator, _clock) = start(Config::default());
    let (token, _) = emulator.authorize(&[SEARCH], AccessType::OneTime);
    let client = client(&emulator, &token);
    initiate(&client, &[SEARCH]).unwrap();
    let error = initiate(&client, &[SEARCH]).unwrap_err();
    assert_eq!(status(&error), (429, "RESOURCE_EXHAUSTED".to_owned()));
    assert_eq!(
        error.api().unwrap().reason(),
        Some("RESOURCE_EXHAUSTED_ONE_TIME")
    );
    assert_eq!(emulator.stats().jobs_created, 1, "the 429 was not retried");

    // Reset revokes the token and frees the resource for a new consent.
    client
        .authorization()
        .reset(Default::default())
        .send()
        .unwrap();
    let (again, _) = emulator.authorize(&[SEARCH], AccessType::OneTime);
    initiate(&self::client(&emulator, &again), &[SEARCH]).unwrap();
}

#[test]
fn time_based_grants_wait_a_day() {
    let (emulator, clock) = start(Config {
        token_lifetime: Duration::from_secs(48 * 3600),
        ..Config::default()
    });
    let (token, _) = emulator.authorize(&[SEARCH], AccessType::TimeBased);
    let client = client(&emulator, &token);
    let access = client
        .access_type()
        .check(Default::default())
        .send()
        .unwrap();
    assert_eq!(access.time_based_resources.unwrap(), [SEARCH]);
    initiate(&client, &[SEARCH]).unwrap();
    clock.advance(Duration::from_secs(23 * 3600));
    let error = initiate(&client, &[SEARCH]).unwrap_err();
    assert_eq!(status(&error), (400, "FAILED_PRECONDITION".to_owned()));
    clock.advance(Duration::from_secs(3600));
    initiate(&client, &[SEARCH]).unwrap();
}

#[test]
fn documented_errors() {
    let (emulator, clock) = start(Config::default());
    let (token, _) = emulator.authorize(&[SEARCH], AccessType::OneTime);
    let client = client(&emulator, &token);

    let error = initiate(&client, &[YOUTUBE]).unwrap_err();
    assert_eq!(
        status(&error),
        (403, "PERMISSION_DENIED".to_owned()),
        "no scope for the resource"
    );
    let error = initiate(&client, &[]).unwrap_err();
    assert_eq!(
        status(&error),
        (400, "INVALID_ARGUMENT".to_owned()),
        "no resources"
    );
    let now = Timestamp::from(clock_now(&clock));
    let tomorrow = Timestamp::from_unix(now.unix_seconds() + 86_400, 0).unwrap();
    let error = client
        .portability_archive()
        .initiate(
            InitiatePortabilityArchiveRequest::default()
                .set_resources([SEARCH])
                .set_end_time(tomorrow),
        )
        .send()
        .unwrap_err();
    assert_eq!(
        status(&error),
        (400, "INVALID_ARGUMENT".to_owned()),
        "an end in the future"
    );
    let error = client
        .portability_archive()
        .initiate(
            InitiatePortabilityArchiveRequest::default()
                .set_resources([SEARCH])
                .set_start_time(now)
                .set_end_time(Timestamp::from_unix(now.unix_seconds() - 60, 0).unwrap()),
        )
        .send()
        .unwrap_err();
    assert_eq!(
        status(&error),
        (400, "INVALID_ARGUMENT".to_owned()),
        "start after end"
    );

    let error = client
        .archive_jobs()
        .get_portability_archive_state("archiveJobs/nope/portabilityArchiveState")
        .send()
        .unwrap_err();
    assert_eq!(status(&error), (404, "NOT_FOUND".to_owned()));

    let start = Timestamp::from_unix(now.unix_seconds() - 86_400, 0).unwrap();
    let response = client
        .portability_archive()
        .initiate(
            InitiatePortabilityArchiveRequest::default()
                .set_resources([SEARCH])
                .set_start_time(start)
                .set_end_time(now),
        )
        .send()
        .unwrap();
    let job = response.archive_job_id.unwrap();
    let echoed = state(&client, &job);
    assert_eq!(echoed.start_time, Some(start), "startTime is echoed");
    assert_eq!(echoed.export_time, Some(now), "exportTime is the endTime");
    let error = client
        .archive_jobs()
        .retry(format!("archiveJobs/{job}"), Default::default())
        .send()
        .unwrap_err();
    assert_eq!(
        status(&error),
        (400, "FAILED_PRECONDITION".to_owned()),
        "retry of a job in progress"
    );
    client
        .archive_jobs()
        .cancel(format!("archiveJobs/{job}"), Default::default())
        .send()
        .unwrap();
    assert_eq!(state(&client, &job).state, Some(State::Cancelled));
    let error = client
        .archive_jobs()
        .cancel(format!("archiveJobs/{job}"), Default::default())
        .send()
        .unwrap_err();
    assert_eq!(
        status(&error),
        (400, "FAILED_PRECONDITION".to_owned()),
        "cancel of a cancelled job"
    );

    let stranger = self::client(&emulator, "not-a-token");
    let error = stranger
        .access_type()
        .check(Default::default())
        .send()
        .unwrap_err();
    assert_eq!(status(&error), (401, "UNAUTHENTICATED".to_owned()));

    // Another user's job does not exist for this one.
    let (other, _) = emulator.authorize(&[YOUTUBE], AccessType::OneTime);
    let theirs = initiate(&self::client(&emulator, &other), &[YOUTUBE]).unwrap();
    let error = client
        .archive_jobs()
        .get_portability_archive_state(format!("archiveJobs/{theirs}/portabilityArchiveState"))
        .send()
        .unwrap_err();
    assert_eq!(status(&error), (404, "NOT_FOUND".to_owned()));
}

fn clock_now(clock: &ManualClock) -> SystemTime {
    emulator::Clock::now(clock)
}

#[test]
fn failed_jobs_are_retried_at_most_three_times() {
    let (emulator, _clock) = start(Config {
        fail_first_jobs: 4,
        ..Config::default()
    });
    let (token, _) = emulator.authorize(&[SEARCH], AccessType::OneTime);
    let client = client(&emulator, &token);
    let mut job = initiate(&client, &[SEARCH]).unwrap();
    for attempt in 0..4 {
        state(&client, &job);
        assert_eq!(state(&client, &job).state, Some(State::Failed));
        let retried = client
            .archive_jobs()
            .retry(format!("archiveJobs/{job}"), Default::default())
            .send();
        if attempt < 3 {
            let new = retried.unwrap().archive_job_id.unwrap();
            assert_ne!(new, job, "a retry is a new job");
            job = new;
        } else {
            assert_eq!(
                status(&retried.unwrap_err()),
                (400, "FAILED_PRECONDITION".to_owned())
            );
        }
    }
    assert_eq!(emulator.job_count(), 4);
}

#[test]
fn signed_urls_expire_after_six_hours_and_polling_renews_them() {
    let (emulator, clock) = start(Config::default());
    let (token, _) = emulator.authorize(&[SEARCH], AccessType::OneTime);
    // The token outlives the six hours in this test.
    let client = client(&emulator, &token);
    let job = initiate(&client, &[SEARCH]).unwrap();
    state(&client, &job);
    let url = state(&client, &job).urls.unwrap().remove(0);
    assert!(client.service().client().download(&url, 0).is_ok());
    clock.advance(Duration::from_secs(6 * 3600));
    let error = client.service().client().download(&url, 0).unwrap_err();
    assert_eq!(error.http_status(), Some(403));
    assert_eq!(error.api().unwrap().reason(), Some("URL_EXPIRED"));
    assert_eq!(
        error.api().unwrap().canonical_status(),
        Some("PERMISSION_DENIED")
    );
    // A tampered signature is refused too, also in Google's JSON error shape.
    let tampered = url.replace("signature=", "signature=00");
    let error = client
        .service()
        .client()
        .download(&tampered, 0)
        .unwrap_err();
    assert_eq!(error.http_status(), Some(403));
    assert_eq!(
        error.api().unwrap().reason(),
        Some("SIGNATURE_DOES_NOT_MATCH")
    );
}

#[test]
fn the_oauth_flow_runs_against_the_emulator() {
    use google_dataportability_v1::runtime::oauth::{
        AuthorizationFlow, OAuthConfig, OAuthTokenSource,
    };
    let (emulator, _clock) = start(Config::default());
    let config = OAuthConfig::new("app.example", "http://127.0.0.1:1/callback")
        .endpoints(emulator.auth_url(), emulator.token_url());
    let flow = AuthorizationFlow::new(&config).unwrap();
    let consent = flow.consent([Scope::DataportabilityMyactivitySearch]);
    // The "user" opens the consent URL; the emulator grants at once and redirects.
    let location = redirect_of(&consent.url);
    let query = location.split_once('?').unwrap().1;
    let param = |name: &str| {
        query
            .split('&')
            .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
            .unwrap()
            .to_owned()
    };
    assert_eq!(param("state"), consent.state());
    let tokens = flow
        .exchange(consent, &param("code"), &param("state"))
        .unwrap();
    let source = OAuthTokenSource::new(flow, tokens, None).unwrap();
    let client = DataPortability::new(
        &Client::builder()
            .root_url(emulator.base_url())
            .token_source(source)
            .build()
            .unwrap(),
    );
    let access = client
        .access_type()
        .check(Default::default())
        .send()
        .unwrap();
    assert_eq!(access.one_time_resources.unwrap(), [SEARCH]);
    initiate(&client, &[SEARCH]).unwrap();
}

/// GETs `/{path}` from `host` over a plain socket with `headers` (each ending in CRLF) and
/// returns the whole response as text.
fn raw_get(host: &str, path: &str, headers: &str) -> String {
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    write!(
        stream,
        "GET /{path} HTTP/1.1\r\nHost: {host}\r\n{headers}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

/// GETs `url` over a plain socket and returns its `Location` header.
fn redirect_of(url: &str) -> String {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let response = raw_get(host, path, "");
    assert!(response.starts_with("HTTP/1.1 302"), "{response}");
    response
        .lines()
        .find_map(|line| {
            line.strip_prefix("location: ")
                .or_else(|| line.strip_prefix("Location: "))
        })
        .unwrap()
        .to_owned()
}

#[test]
fn dot_segments_are_refused_by_the_emulator_itself() {
    let (emulator, _clock) = start(Config::default());
    let host = emulator
        .base_url()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    for path in [
        "/v1/archiveJobs/../authorization:reset",
        "/v1/archiveJobs/%2e%2E/x",
        "/v1/archiveJobs/a%2Fb/portabilityArchiveState",
    ] {
        let mut stream = std::net::TcpStream::connect(&host).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        assert!(response.starts_with("HTTP/1.1 400"), "{path}: {response}");
        assert!(response.contains("INVALID_ARGUMENT"), "{path}: {response}");
    }
}

#[test]
fn injected_throttling_and_unavailability_carry_retry_after_and_are_ridden_out() {
    let faults = emulator::Faults {
        throttled: 0.15,
        unavailable: 0.10,
        retry_after_seconds: 0,
        ..emulator::Faults::default()
    };
    let (emulator, _clock) = start(Config {
        seed: 11,
        faults,
        complete_after_polls: 100,
        ..Config::default()
    });
    let (token, _) = emulator.authorize(&[SEARCH], AccessType::OneTime);
    let job = {
        // The POST is not retried by the client; a test sees its fault and tries again itself.
        let quiet = self::client(&emulator, &token);
        loop {
            match initiate(&quiet, &[SEARCH]) {
                Ok(job) => break job,
                Err(error) => {
                    let api = error.api().unwrap();
                    assert!(matches!(api.status, 429 | 503), "{error}");
                    assert_eq!(api.header("retry-after"), Some("0"));
                    assert_eq!(
                        api.reason(),
                        None,
                        "injected faults carry no reason, so they may be retried"
                    );
                }
            }
        }
    };
    let client = DataPortability::new(
        &Client::builder()
            .root_url(emulator.base_url())
            .token_source(StaticToken::new(&token))
            .retry_policy(
                RetryPolicy::default()
                    .initial_backoff(Duration::from_millis(2))
                    .max_attempts(10),
            )
            .build()
            .unwrap(),
    );
    // Forty polls through the faults: the client's retries carry every GET through.
    for _ in 0..40 {
        state(&client, &job);
    }
    let stats = emulator.stats();
    assert!(stats.throttled > 0 && stats.unavailable > 0, "{stats:?}");
    assert_eq!(stats.jobs_created, 1);
}

#[test]
fn fields_and_pretty_print_shape_the_reply() {
    let (emulator, _clock) = start(Config::default());
    let (token, _) = emulator.authorize(&[SEARCH], AccessType::OneTime);
    let client = client(&emulator, &token);
    let job = initiate(&client, &[SEARCH]).unwrap();
    let name = format!("archiveJobs/{job}/portabilityArchiveState");
    let partial = client
        .archive_jobs()
        .get_portability_archive_state(name.clone())
        .fields("state")
        .send()
        .unwrap();
    assert_eq!(partial.state, Some(State::InProgress));
    assert_eq!((partial.name, partial.export_time), (None, None));
    // A malformed selection is the caller's error.
    let error = client
        .archive_jobs()
        .get_portability_archive_state(name.clone())
        .fields("state,urls(")
        .send()
        .unwrap_err();
    assert_eq!(status(&error), (400, "INVALID_ARGUMENT".to_owned()));

    // prettyPrint, on the raw reply.
    let raw = |pretty: bool| {
        let url = client
            .archive_jobs()
            .get_portability_archive_state(name.clone())
            .pretty_print(pretty)
            .prepare()
            .unwrap()
            .url;
        let target = url.strip_prefix(emulator.base_url()).unwrap();
        let address = emulator
            .base_url()
            .trim_start_matches("http://")
            .trim_end_matches('/');
        let answer = raw_get(
            address,
            target,
            &format!("Authorization: Bearer {token}\r\n"),
        );
        answer.split_once("\r\n\r\n").unwrap().1.to_owned()
    };
    assert!(raw(true).contains("{\n  \""), "{}", raw(true));
    let compact = raw(false);
    assert!(
        !compact.contains('\n') && compact.starts_with("{\""),
        "{compact}"
    );
}

#[test]
fn a_missing_token_and_a_bad_one_are_told_apart() {
    let (emulator, _clock) = start(Config::default());
    let anonymous = DataPortability::new(
        &Client::builder()
            .root_url(emulator.base_url())
            .build()
            .unwrap(),
    );
    let bad = client(&emulator, "not-a-token");
    for (client, reason, www_authenticate) in [
        (
            anonymous,
            "CREDENTIALS_MISSING",
            r#"Bearer realm="https://accounts.google.com/""#,
        ),
        (
            bad,
            "ACCESS_TOKEN_TYPE_UNSUPPORTED",
            r#"Bearer realm="https://accounts.google.com/", error="invalid_token""#,
        ),
    ] {
        let error = initiate(&client, &[SEARCH]).unwrap_err();
        assert_eq!(status(&error), (401, "UNAUTHENTICATED".to_owned()));
        let api = error.api().unwrap();
        assert_eq!(api.reason(), Some(reason));
        assert_eq!(api.header("www-authenticate"), Some(www_authenticate));
    }
}

#[test]
fn unknown_resources_are_invalid_arguments() {
    let (emulator, _clock) = start(Config::default());
    let (token, _) = emulator.authorize(&[SEARCH], AccessType::OneTime);
    let error = initiate(&client(&emulator, &token), &["myactivity.serach"]).unwrap_err();
    assert_eq!(status(&error), (400, "INVALID_ARGUMENT".to_owned()));
    assert!(error.to_string().contains("myactivity.serach"), "{error}");
}

#[test]
fn the_emulator_knows_exactly_the_resources_of_the_api() {
    let from_scopes: Vec<&str> = Scope::ALL
        .iter()
        .map(|scope| {
            scope
                .url()
                .strip_prefix("https://www.googleapis.com/auth/dataportability.")
                .unwrap()
        })
        .collect();
    let mut sorted = from_scopes.clone();
    sorted.sort_unstable();
    assert_eq!(emulator::RESOURCES, sorted.as_slice());
}
