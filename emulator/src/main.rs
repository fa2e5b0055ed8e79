//! `cargo run -p emulator -- --port 8080`: a local Data Portability API to try apps against.

use std::process::ExitCode;
use std::sync::Arc;

use emulator::{AccessType, Config, Emulator, SystemClock};

const USAGE: &str = "\
usage: emulator [--port N] [--seed N] [--complete-after-polls N] [--fail-first-jobs N]
                [--access-type one-time|time-based] [--unavailable RATE] [--throttled RATE]
                [--grant RESOURCE,...]

Serves the Data Portability API on 127.0.0.1. Point a client at the printed root URL; use the
printed OAuth endpoints for the consent flow, or --grant to get a token directly. Resources are
scope suffixes such as myactivity.search; unknown ones are refused.

  --port N                   the port to listen on (default 8080)
  --seed N                   seeds job ids, archive contents and injected faults, so a run
                             repeats exactly (default 1)
  --complete-after-polls N   a job stays IN_PROGRESS until its state was polled N times (or an
                             hour passed), then is COMPLETE (default 2)
  --fail-first-jobs N        the first N jobs end FAILED instead, to try archiveJobs.retry
  --access-type KIND         grants from --grant and the consent page: one-time (a resource
                             exports once until authorization.reset) or time-based (once in
                             24 hours); default one-time
  --unavailable RATE         answers that share of requests (0 to 1) with 503 UNAVAILABLE
  --throttled RATE           answers that share of requests (0 to 1) with 429 RESOURCE_EXHAUSTED
                             without a reason, as rate limiting does
  --grant R1,R2              consents to these resources at start and prints an access token

The consent endpoint (GET /o/oauth2/auth) consents at once and redirects to redirect_uri with
code and state. It takes:
  response_type=code         required
  client_id=ID               required (any value)
  redirect_uri=URI           required: an absolute URI in visible ASCII; the token request must
                             name the same one
  scope=S1 S2 ...            required: Data Portability scope URLs, space-separated
  state=S                    returned as it is
  code_challenge=C           optional PKCE challenge, with code_challenge_method=S256; the
                             token request must then send the matching code_verifier
  emulator_access_type=ONE_TIME|TIME_BASED
                             optional, emulator only: the kind of grant (default: --access-type)
The token endpoint (POST /token) takes grant_type=authorization_code (code, redirect_uri,
code_verifier) or grant_type=refresh_token (refresh_token), as a form.";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}\n\n{USAGE}");
            ExitCode::from(2)
        }
        Err(Failure::Start(message)) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Why the emulator did not run: the command line (usage follows), or starting the server.
enum Failure {
    Usage(String),
    Start(String),
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure::Usage(message)
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Self {
        Failure::Usage(message.to_owned())
    }
}

fn run(args: Vec<String>) -> Result<(), Failure> {
    let mut config = Config::default();
    let mut port = 8080u16;
    let mut grant = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        let number = |text: String| {
            text.parse::<f64>()
                .map_err(|_| format!("not a number: {text}"))
        };
        match arg.as_str() {
            "--port" => port = value()?.parse().map_err(|_| "--port takes a port number")?,
            "--seed" => config.seed = value()?.parse().map_err(|_| "--seed takes a number")?,
            "--complete-after-polls" => {
                config.complete_after_polls = value()?.parse().map_err(|_| "takes a number")?
            }
            "--fail-first-jobs" => {
                config.fail_first_jobs = value()?.parse().map_err(|_| "takes a number")?
            }
            "--access-type" => {
                config.access_type = match value()?.as_str() {
                    "one-time" => AccessType::OneTime,
                    "time-based" => AccessType::TimeBased,
                    other => return Err(format!("unknown access type {other:?}").into()),
                }
            }
            "--unavailable" => config.faults.unavailable = number(value()?)?,
            "--throttled" => config.faults.throttled = number(value()?)?,
            "--grant" => grant = Some(value()?),
            "--help" | "-h" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown option {other:?}").into()),
        }
    }
    // Refuse a mistyped resource before starting, not at the first initiate.
    let grant = match &grant {
        Some(list) => Some(grant_resources(list)?),
        None => None,
    };
    let address = format!("127.0.0.1:{port}")
        .parse()
        .map_err(|_| "bad port")?;
    let access_type = config.access_type;
    let emulator =
        Emulator::start_with(config, Arc::new(SystemClock), address).map_err(|error| {
            let hint = if error.kind() == std::io::ErrorKind::AddrInUse {
                "; another program listens there: choose another port with --port"
            } else {
                ""
            };
            Failure::Start(format!(
                "could not listen on 127.0.0.1:{port}: {error}{hint}"
            ))
        })?;
    println!("Data Portability emulator");
    println!("  root URL:       {}", emulator.base_url());
    println!("  consent URL:    {}", emulator.auth_url());
    println!("  token endpoint: {}", emulator.token_url());
    if let Some(resources) = grant {
        let (access, _refresh) = emulator.authorize(&resources, access_type);
        println!("  access token for {}: {access}", resources.join(", "));
    }
    println!("Stop with Ctrl-C.");
    loop {
        std::thread::park();
    }
}

/// The resources of `--grant`, each checked against the API's.
fn grant_resources(list: &str) -> Result<Vec<&str>, String> {
    let resources: Vec<&str> = list
        .split(',')
        .map(str::trim)
        .filter(|resource| !resource.is_empty())
        .collect();
    if resources.is_empty() {
        return Err("--grant names no resource".to_owned());
    }
    if let Some(unknown) = resources
        .iter()
        .find(|resource| !emulator::is_known_resource(resource))
    {
        return Err(format!(
            "--grant: {unknown:?} is not a Data Portability resource (such as myactivity.search; \
             there are {} of them, named like the scopes)",
            emulator::RESOURCES.len()
        ));
    }
    Ok(resources)
}
