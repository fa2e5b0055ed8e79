//! Two generated API crates through one client: one token source, one connection pool, one
//! retry policy. `cargo xtask corpus` writes the two crates with `regen --out` into sibling
//! folders, builds this program against them, and runs it; it checks each request's path and
//! `Authorization` header on a server of its own on 127.0.0.1, and pages through a list with
//! `items()`.

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;
use std::sync::mpsc;

use google_api_runtime::{Client, StaticToken};
use google_dataportability_v1beta::DataPortability;
use google_tasks_v1::Tasks;

/// What the server saw of one request: its request line and `Authorization` header.
type Seen = (String, Option<String>);

/// Answers one request with each of `bodies` in turn, reporting each request.
fn serve(listener: TcpListener, bodies: Vec<&'static str>, seen: mpsc::Sender<Seen>) {
    for (stream, body) in listener.incoming().zip(bodies) {
        let mut stream = stream.expect("a connection");
        let mut reader = BufReader::new(stream.try_clone().expect("a second handle"));
        let mut request_line = String::new();
        reader.read_line(&mut request_line).expect("a request line");
        let mut authorization = None;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).expect("a header line");
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("authorization")
            {
                authorization = Some(value.trim().to_owned());
            }
        }
        seen.send((request_line.trim_end().to_owned(), authorization))
            .expect("main listens");
        write!(
            stream,
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .expect("the answer is written");
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let root_url = format!("http://{}/", listener.local_addr()?);
    let (sender, seen) = mpsc::channel();
    let bodies = vec![
        r#"{"items": [{"id": "list-a", "title": "A"}], "nextPageToken": "page-2"}"#,
        r#"{"items": [{"id": "list-b", "title": "B"}]}"#,
        "{}",
    ];
    std::thread::spawn(move || serve(listener, bodies, sender));

    // One client and one token source for both APIs.
    let client = Client::builder()
        .root_url(&root_url)
        .token_source(StaticToken::new("one-token-for-both"))
        .build()?;
    let tasks = Tasks::new(&client);
    let portability = DataPortability::new(&client);

    let lists = tasks
        .tasklists()
        .list()
        .max_results(5)
        .items()
        .collect::<Result<Vec<_>, _>>()?;
    let ids: Vec<&str> = lists.iter().filter_map(|list| list.id.as_deref()).collect();
    if ids != ["list-a", "list-b"] {
        return Err(format!("items() gave {ids:?}").into());
    }
    portability
        .archive_jobs()
        .get_portability_archive_state("archiveJobs/job-1/portabilityArchiveState")
        .send()?;

    let expected = [
        "GET /tasks/v1/users/@me/lists?maxResults=5 HTTP/1.1",
        "GET /tasks/v1/users/@me/lists?maxResults=5&pageToken=page-2 HTTP/1.1",
        "GET /v1beta/archiveJobs/job-1/portabilityArchiveState HTTP/1.1",
    ];
    for want in expected {
        let (request_line, authorization) = seen.recv()?;
        if request_line != want || authorization.as_deref() != Some("Bearer one-token-for-both") {
            return Err(format!(
                "expected {want:?} with the shared token, the server saw {request_line:?} with {authorization:?}"
            )
            .into());
        }
        println!("two-apis: {request_line} with the shared token");
    }
    Ok(())
}
